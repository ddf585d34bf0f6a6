"""The checking widgets the self-check and group pages share: the live view with its list
of failing clauses and running events (and a summary of the session once stopped), the
guided routine over live video or over snapshots, and the check of one snapshot or
uploaded photo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from posture.annotate import annotate
from posture.cli import IMAGE_SUFFIXES
from posture.images import BadInput
from posture.pipeline import CheckResult
from posture.placement import check_placement
from posture.routine import Frame, RunStatus, Step, StepResult, judge_step, skipped_step
from posture.sequence.overlay import overlay_lines
from posture.standards import Lang
from posture.webapp import resources
from posture.webapp.builtin_texts import file_uploader
from posture.webapp.i18n import t
from posture.webapp.live import LiveProcessor, status_line
from posture.webapp.render import clause_card, live_session_summary, routine_summary, show_report
from posture.webapp.state import upload_cap_mb
from posture.webapp.words import values_words

# Beside the live video the panel (failing clauses, the routine's step, the people) is
# redrawn this often. Every redraw is a rerun on the server and a re-layout in the browser,
# which shares the CPU with the video: at 0.5 s the browser showed 21.5-22.2 frames/s, at
# 1 s 23.7-24.9 (alternating runs, docs/APP.md). The video itself carries the failing
# clauses and the routine's countdown at once; the panel can lag by a second.
SIDE_REFRESH_S = 1.0

PHOTO_TYPES = sorted(s.lstrip(".") for s in IMAGE_SUFFIXES)


def photo_cap_mb() -> int:
    """The uploader's own limit: the app's photo limit, so the page states the real one."""
    return upload_cap_mb(resources.settings().limits.max_file_bytes)


def photo_limit_text(lang: Lang) -> str:
    return t("photo_limit", lang, mb=resources.settings().limits.max_file_bytes / 2**20)
OnDone = Callable[[list[StepResult]], None]


def streamer(key: str, lang: Lang, *, keep_session: bool = False,
             processor_type: type[LiveProcessor] = LiveProcessor) -> Any | None:
    """The webcam: no ICE server unless a TURN server is configured; a selfie processor
    (``processor_type``: one person's, or a group's). None (with a message pointing to the
    snapshot) when the video component cannot start.

    ``keep_session``: the processor is also kept in the browser session under ``key``, since
    streamlit-webrtc forgets it once the video stops and the page still wants its report."""
    cfg = resources.settings()
    standard = resources.standard()
    delays = (st.session_state.get("show_after_s", cfg.show_after_s),
              st.session_state.get("clear_after_s", cfg.clear_after_s))
    processors: dict[str, LiveProcessor] = st.session_state.setdefault("live-processors", {})

    def factory() -> LiveProcessor:
        processor = processor_type(standard, show_after_s=delays[0], clear_after_s=delays[1])
        if keep_session:
            processors[key] = processor
        return processor

    try:
        return webrtc_streamer(
            key=key, mode=WebRtcMode.SENDRECV, rtc_configuration=cfg.rtc_configuration(),
            media_stream_constraints={"video": {"width": {"ideal": 640}, "height": {"ideal": 480}}, "audio": False},
            video_processor_factory=factory, async_processing=True,
            translations={"start": t("start", lang), "stop": t("stop", lang),
                          "select_device": t("select_device", lang)})
    except Exception as exc:  # noqa: BLE001 - without live video the snapshot and upload still work
        st.warning(t("live_unavailable", lang, err=f"{type(exc).__name__}: {exc}"))
        return None


def configure(ctx: Any, lang: Lang, scenario: str, profile: str) -> LiveProcessor | None:
    processor = ctx.video_processor
    if processor is not None:
        cfg = resources.settings()
        processor.configure(scenario=scenario, profile=profile, lang=lang,
                            show_after_s=st.session_state.get("show_after_s", cfg.show_after_s),
                            clear_after_s=st.session_state.get("clear_after_s", cfg.clear_after_s))
    return processor


@st.fragment(run_every=SIDE_REFRESH_S)
def _live_side(ctx: Any, lang: Lang) -> None:
    """Beside the video: the frame rate, camera placement, the debounced failing clauses."""
    processor = ctx.video_processor
    state = processor.state if processor is not None else None
    if state is None:
        st.info(t("live_waiting", lang) if ctx.state.playing else t("live_hint", lang))
        return
    delay = processor.overlay_delay_ms
    st.caption(f"{t('fps_shown', lang)}: {processor.shown_fps:.1f} · {t('fps', lang)}: {state.fps:.1f} · "
               f"{t('overlay_delay', lang)}: {'-' if delay is None else f'{delay:.0f}'} ms")
    standard = resources.standard()
    st.markdown(f"#### {t('running_events', lang)}")
    st.markdown("\n".join(f"- {text}" for text, _ in overlay_lines(state.sequence, lang)))
    st.markdown(f"#### {t('failing_now', lang)}")
    if not state.shown:
        st.success(t("all_pass_now", lang))
    by_id = {c.id: c for c in state.report.clauses}
    for clause_id in sorted(state.shown):
        values = values_words(by_id[clause_id], lang) if clause_id in by_id else ""
        clause_card(standard.by_id[clause_id], lang, "fail", values)
    hidden = [c.id for c in state.report.clauses if c.verdict == "not_visible"]
    if hidden:
        st.caption(f"{t('not_visible_now', lang)}: {', '.join(hidden)}")
    if state.placement.problems:
        st.caption(t("placement", lang) + ": " + ";".join(p.get(lang) for p in state.placement.problems))


def _ended_session(ctx: Any | None, key: str) -> None:
    """Once the video of ``key`` has stopped, its session's report goes into the page state
    (shown until the next session ends)."""
    processors: dict[str, LiveProcessor] = st.session_state.setdefault("live-processors", {})
    if key in processors and (ctx is None or not (ctx.state.playing or ctx.state.signalling)):
        report = processors.pop(key).end_session()
        if report is not None:
            st.session_state[f"{key}-summary"] = report


def live_check(lang: Lang, scenario: str, profile: str) -> None:
    """Live webcam with the skeleton, verdicts and running events drawn, failing clauses
    listed beside it; once stopped, a summary of the session (smile, eye contact, nods, bows)."""
    left, right = st.columns([3, 2])
    with left:
        ctx = streamer("live-check", lang, keep_session=True)
    _ended_session(ctx, "live-check")
    if ctx is not None:
        configure(ctx, lang, scenario, profile)
        with right:
            _live_side(ctx, lang)
    report = st.session_state.get("live-check-summary")
    if report is not None and (ctx is None or not ctx.state.playing):
        live_session_summary(report, lang, resources.standard())


def routine_status(processor: LiveProcessor, status: RunStatus, lang: Lang, state_key: str) -> None:
    """The running routine beside the video: the step and its phase, what to do, what to fix
    in the camera set-up, and the button to skip the step."""
    st.markdown(f"### {status_line(status, lang)}")
    if status.step is not None:
        st.markdown(status.step.instruction.get(lang))
    if status.phase == "place":
        if status.problems:
            for problem in status.problems:
                st.warning(problem.get(lang))
        else:
            st.success(t("placement_ok", lang))
    if st.button(t("routine_skip", lang), key=f"{state_key}-skip"):
        processor.skip_step()


@st.fragment(run_every=SIDE_REFRESH_S)
def _routine_side(ctx: Any, lang: Lang, state_key: str, on_done: OnDone) -> None:
    processor = ctx.video_processor
    if processor is None:
        st.info(t("routine_needs_video", lang))
        return
    run = processor.finished_routine()
    if run is not None:
        st.session_state[state_key] = run.results
        on_done(run.results)
        st.rerun(scope="app")
    state = processor.state
    if processor.routine_running and state is not None and state.status is not None:
        routine_status(processor, state.status, lang, state_key)
    elif processor.shown_fps > 0:  # frames are coming; the first check may still be under way
        checked = state.fps if state is not None else 0.0
        st.caption(f"{t('fps_shown', lang)}: {processor.shown_fps:.1f} · {t('fps', lang)}: {checked:.1f}")
        if state is None:
            st.info(t("live_waiting", lang))
        elif state.placement.problems:
            st.markdown(f"**{t('placement', lang)}**")
            for problem in state.placement.problems:
                st.warning(problem.get(lang))
        else:
            st.success(t("placement_ok", lang))


def live_routine(lang: Lang, profile: str, steps: list[Step], *, state_key: str, on_done: OnDone) -> None:
    """The guided routine over live video: placement check, countdown, hold, verdicts."""
    st.markdown(f"**{t('steps', lang)}**: " + " → ".join(s.name.get(lang) for s in steps))
    left, right = st.columns([3, 2])
    with left:
        ctx = streamer("live-routine", lang)
    if ctx is None:
        return
    processor = configure(ctx, lang, "auto", profile)
    with right:
        label = t("routine_restart", lang) if st.session_state.get(state_key) else t("routine_start", lang)
        if st.button(label, key=f"{state_key}-start", type="primary"):
            if processor is None or not ctx.state.playing:
                st.warning(t("routine_needs_video", lang))
            else:
                st.session_state.pop(state_key, None)
                processor.start_routine(steps)
        _routine_side(ctx, lang, state_key, on_done)
    results = st.session_state.get(state_key)
    if results:
        routine_summary(results, lang, resources.standard())


def _check_upload(data: bytes, name: str, lang: Lang, scenario: str,
                  profile: str) -> tuple[CheckResult, np.ndarray] | None:
    """Check a photo, or say clearly why it cannot be checked."""
    try:
        return resources.check_photo(data, name, scenario=scenario, profile=profile)
    except BadInput as exc:
        st.error(f"{t('bad_file', lang)}: {exc}")
    except Exception as exc:  # noqa: BLE001 - the page and what was saved stay usable; the error is named
        st.error(t("error", lang, err=f"{name}: {type(exc).__name__}: {exc}"))
    return None


def snapshot_routine(lang: Lang, profile: str, steps: list[Step], *, state_key: str, on_done: OnDone) -> None:
    """The routine one photo per step, for machines where live video does not work. Steps
    judged over time (the greeting's bow) are left out, and the page says so."""
    left_out = [s for s in steps if s.needs_video]
    steps = [s for s in steps if not s.needs_video]
    if left_out:
        st.caption(t("snap_left_out", lang, steps="、".join(s.name.get(lang) for s in left_out) if lang == "zh"
                     else ", ".join(s.name.get(lang) for s in left_out)))
    results: list[StepResult] = st.session_state.setdefault(state_key, [])
    if len(results) < len(steps):
        step = steps[len(results)]
        st.markdown(f"### {t('step_of', lang, i=len(results) + 1, n=len(steps))} · {step.name.get(lang)}")
        st.info(f"{step.instruction.get(lang)}  \n{t('snap_step', lang)}")
        shot = st.camera_input(t("take_photo", lang), key=f"{state_key}-cam-{len(results)}")
        upload = file_uploader(t("upload_photo", lang), types=PHOTO_TYPES, key=f"{state_key}-up-{len(results)}",
                               max_mb=photo_cap_mb(), lang=lang, help=photo_limit_text(lang))
        source = shot if shot is not None else upload
        if source is not None:
            checked = _check_upload(source.getvalue(), source.name, lang, step.scenario, profile)
            if checked is not None:
                result, rgb = checked
                placement = check_placement(rgb, result.landmarks, step.framing)
                picture = annotate(rgb, result, lang)
                step_result = judge_step(step, [Frame(0.0, result)], picture)
                if placement.problems:
                    problems = [p.get(lang) for p in placement.problems]
                    st.session_state[f"{state_key}-placement-{len(results)}"] = problems
                results.append(step_result)
                st.rerun()
        if st.button(t("routine_skip", lang), key=f"{state_key}-skip-{len(results)}"):
            results.append(skipped_step(step, profile))
            st.rerun()
        if results:
            st.caption(" · ".join(f"{r.step.name.get(lang)} ✓" for r in results))
        return
    done_key = f"{state_key}-saved"
    if not st.session_state.get(done_key):
        on_done(results)
        st.session_state[done_key] = True
    for i, r in enumerate(results):
        for problem in st.session_state.get(f"{state_key}-placement-{i}", []):
            st.caption(f"{r.step.name.get(lang)} · {t('placement', lang)}: {problem}")
    routine_summary(results, lang, resources.standard())
    if st.button(t("routine_restart", lang), key=f"{state_key}-restart"):
        for key in [k for k in st.session_state if str(k).startswith(state_key)]:
            del st.session_state[key]
        st.rerun()


def photo_check(lang: Lang, scenario: str, profile: str, *, camera: bool,
                on_checked: Callable[[str, CheckResult, np.ndarray], None]) -> None:
    """Check one snapshot (``camera``) or uploaded photo and show the report."""
    if camera:
        source = st.camera_input(t("take_photo", lang), key="photo-check-cam")
    else:
        source = file_uploader(t("upload_photo", lang), types=PHOTO_TYPES, key="photo-check-upload",
                               max_mb=photo_cap_mb(), lang=lang, help=photo_limit_text(lang))
    if source is None:
        return
    checked = _check_upload(source.getvalue(), source.name, lang, scenario, profile)
    if checked is None:
        return
    result, rgb = checked
    if not result.report.person.found:
        st.warning(t("no_person", lang))
    picture = annotate(rgb, result, lang)
    seen = st.session_state.setdefault("photo-check-seen", set())
    token = (source.file_id, scenario, profile)
    if token not in seen:  # a rerun of the page is not a new check
        seen.add(token)
        on_checked(source.name, result, picture)
    st.subheader(t("result", lang))
    # On the page the failing clauses are listed beside the picture, so it is shown without
    # its panel, at the column's full width (the saved picture keeps the panel).
    show_report(result, annotate(rgb, result, lang, panel=False), lang, resources.standard())
