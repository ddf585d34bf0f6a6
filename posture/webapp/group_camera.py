"""The group page's one-camera session: the trainer chooses the trainees taking part, they
are assigned to the people on screen (left to right, or chosen for each number), everyone
does the live routine at once, and each trainee gets their own summary and History entry
(the live view and the assignment: :mod:`posture.webapp.live_group`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from posture.routine import GroupRoutineRun, Step, StepResult, routine_steps
from posture.sequence.overlay import overlay_lines
from posture.standards import Lang
from posture.store import Trainee
from posture.webapp import resources
from posture.webapp.checking import SIDE_REFRESH_S, configure, routine_status, streamer
from posture.webapp.i18n import t
from posture.webapp.live_group import GroupLiveProcessor, Member
from posture.webapp.render import routine_summary

OnTraineeDone = Callable[[int, list[StepResult]], None]  # (trainee id, their results)
NOBODY = 0  # the assignment choice "none of the group" (trainee ids start at 1)


def _people(processor: GroupLiveProcessor, lang: Lang, roster: dict[int, Trainee], group: list[int]) -> None:
    """Each person on screen, left to right: which trainee they are (a choice), what fails now
    and their own running events; the group's trainees not in the picture."""
    state = processor.group_state
    if state is None:
        return
    st.markdown(f"#### {t('on_screen', lang)}")
    assignment = processor.assignment
    options = [NOBODY, *group]
    names = {NOBODY: t("not_recorded", lang), **{i: roster[i].name for i in group if i in roster}}
    for person in state.people:
        if person.too_small:
            st.caption(t("too_small_person", lang, n=person.id))
            continue
        # The processor's assignment is the truth (it fills in left to right); a button per
        # choice changes it (buttons keep no value a refresh could send back stale).
        current = assignment.get(person.id, NOBODY)
        current = current if current in options else NOBODY
        st.markdown(f"**{t('person_is', lang, n=person.id, name=names[current])}**")
        for col, choice in zip(st.columns(len(options)), options, strict=True):
            col.button(names[choice], key=f"group-live-{person.id}-{choice}", disabled=choice == current,
                       on_click=processor.assign, args=(person.id, None if choice == NOBODY else choice))
        titles = {c.id: c.title.get(lang) for c in person.report.clauses}
        failing = [f"× {cid} {titles.get(cid, '')}" for cid in sorted(person.shown)]
        st.markdown("  \n".join(failing) if failing else f"✓ {t('all_pass_now', lang)}")
        st.caption(" · ".join(text for text, _ in overlay_lines(person.sequence, lang)))
    if state.absent:
        st.caption(t("absent", lang, names="、".join(m.name for m in state.absent) if lang == "zh"
                     else ", ".join(m.name for m in state.absent)))
    st.button(t("left_to_right", lang), key="group-live-ltr", on_click=processor.assign_left_to_right)


@st.fragment(run_every=SIDE_REFRESH_S)
def _side(ctx: Any, lang: Lang, state_key: str, roster: dict[int, Trainee], group: list[int],
          on_done: OnTraineeDone) -> None:
    """Beside the video: the routine's step, the people on screen; at the routine's end each
    trainee's results are handed over (``on_done``) and shown under the video."""
    processor = ctx.video_processor
    if not isinstance(processor, GroupLiveProcessor):
        st.info(t("routine_needs_video", lang))
        return
    run = processor.finished_routine()
    if run is not None:
        done: dict[int, list[StepResult]] = {}
        for trainee_id, results in (run.by_trainee if isinstance(run, GroupRoutineRun) else {}).items():
            trainee = roster.get(trainee_id)
            if trainee is None:  # removed from the roster meanwhile
                continue
            done[trainee_id] = [r for r in results if trainee.has_desk or not r.step.needs_desk]
            on_done(trainee_id, done[trainee_id])
        st.session_state[state_key] = done
        st.rerun(scope="app")
    state = processor.group_state
    if state is None:
        st.info(t("live_waiting", lang) if ctx.state.playing else t("live_hint", lang))
        return
    st.caption(f"{t('fps_shown', lang)}: {processor.shown_fps:.1f} · {t('fps', lang)}: {state.fps:.1f}")
    if processor.routine_running and state.status is not None:
        routine_status(processor, state.status, lang, state_key)
    _people(processor, lang, roster, group)


def group_camera(lang: Lang, trainees: list[Trainee], *, state_key: str, on_done: OnTraineeDone) -> None:
    """The whole group in one camera: choose who takes part, the live routine for all, then
    one summary per trainee."""
    roster = {tr.id: tr for tr in trainees}
    group = st.multiselect(t("group_trainees", lang), list(roster), key="group-live-chosen",
                           format_func=lambda i: roster[i].name if i in roster else str(i),
                           placeholder=t("choose_several", lang))
    group = [i for i in group if i in roster]
    st.caption(t("group_hint", lang))
    steps = routine_steps(any(roster[i].has_desk for i in group))
    st.markdown(f"**{t('steps', lang)}**: " + " → ".join(s.name.get(lang) for s in steps))
    left, right = st.columns([3, 2])
    with left:
        ctx = streamer("group-live", lang, processor_type=GroupLiveProcessor)
    if ctx is not None:
        _video_side(ctx, right, lang, state_key, roster, group, steps, on_done)
    done: dict[int, list[StepResult]] = st.session_state.get(state_key) or {}
    for trainee_id, results in done.items():
        if trainee_id in roster and results:
            routine_summary(results, lang, resources.standard(), who=roster[trainee_id].name)


def _video_side(ctx: Any, right: Any, lang: Lang, state_key: str, roster: dict[int, Trainee], group: list[int],
                steps: list[Step], on_done: OnTraineeDone) -> None:
    """The group given to the processor; beside the video, the routine's start and its side."""
    processor = configure(ctx, lang, "auto", "any")
    if isinstance(processor, GroupLiveProcessor):
        processor.set_group([Member(i, roster[i].name, roster[i].profile) for i in group])
    with right:
        label = t("routine_restart", lang) if st.session_state.get(state_key) else t("routine_start", lang)
        if st.button(label, key=f"{state_key}-start", type="primary"):
            if not group:
                st.warning(t("group_choose_first", lang))
            elif processor is None or not ctx.state.playing:
                st.warning(t("routine_needs_video", lang))
            else:
                st.session_state.pop(state_key, None)
                processor.start_routine(steps)
        _side(ctx, lang, state_key, roster, group, on_done)
