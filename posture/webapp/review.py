"""Review: many photos, zips and videos checked in one go, a table per photo and clause
with thumbnails and filters, each photo's annotated picture, reviewer overrides with a
note (kept beside the machine's verdict); each video's report with its timeline and
annotated video (:mod:`posture.webapp.video_review`); exports as CSV, JSON and HTML."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from posture.annotate import annotate
from posture.exports import Section, clause_row, jpeg_bytes, to_csv, to_html, to_json
from posture.images import BadInput
from posture.pipeline import PROFILES, SCENARIO_CHOICES, CheckResult
from posture.standards import Lang, Text
from posture.store import VERDICTS, ResultRow, StoreError
from posture.uploads import Photo, Refused, collect
from posture.video import DEFAULT_SAMPLE_FPS, VIDEO_SUFFIXES, is_video
from posture.webapp import resources
from posture.webapp.builtin_texts import file_uploader
from posture.webapp.checking import PHOTO_TYPES
from posture.webapp.i18n import t
from posture.webapp.records import save_report
from posture.webapp.render import (
    clause_card,
    data_url,
    markdown_code,
    markdown_escaped,
    report_header,
    thumbnail,
    verdict_text,
    verdict_with_reason,
)
from posture.webapp.state import choice_key, upload_cap_mb
from posture.webapp.video_review import VideoItem, check_uploaded_video, show_videos
from posture.webapp.video_review import export_rows as video_export_rows
from posture.webapp.words import source_words, values_words

VIDEO_TYPES = sorted(s.lstrip(".") for s in VIDEO_SUFFIXES)


@dataclass
class ReviewItem:
    name: str
    check_id: int
    result: CheckResult
    thumb: bytes
    annotated: bytes  # with the panel of failing clauses: the saved report's and the exports' picture
    shown: bytes  # without it, on the page beside the clause cards, which are that panel, readable


@dataclass
class ReviewBatch:
    session_id: int
    items: list[ReviewItem] = field(default_factory=list)
    videos: list[VideoItem] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


def run_batch(files: list[tuple[str, bytes]], scenario: str, profile: str, lang: Lang, keep_pictures: bool,
              sample_fps: float = DEFAULT_SAMPLE_FPS) -> ReviewBatch:
    """Check every photo, then every video (frames sampled at ``sample_fps``), with progress
    bars; a file that cannot be checked is listed with its reason and the rest go on."""
    store = resources.store()
    collected = collect(files, resources.settings().limits)
    batch = ReviewBatch(store.new_session("review", time.strftime("审核 Review %Y-%m-%d %H:%M")),
                        refused=list(collected.refused))
    if collected.photos:
        _check_photos(batch, collected.photos, scenario, profile, lang, keep_pictures)
    for video in collected.videos:
        checked = check_uploaded_video(video, session_id=batch.session_id, scenario=scenario, profile=profile,
                                       sample_fps=sample_fps, lang=lang, keep_pictures=keep_pictures)
        if isinstance(checked, Refused):
            batch.refused.append(checked)
        else:
            batch.videos.append(checked)
    return batch


def _check_photos(batch: ReviewBatch, photos: list[Photo], scenario: str, profile: str, lang: Lang,
                  keep_pictures: bool) -> None:
    store = resources.store()
    total = len(photos)
    bar = st.progress(0.0, text=t("checked_n", lang, n=0))
    for i, photo in enumerate(photos):
        bar.progress(i / max(total, 1), text=t("checking", lang, i=i + 1, n=total, name=photo.name))
        try:
            result, rgb = resources.check_photo(photo.data, photo.name, scenario=scenario, profile=profile)
        except BadInput as exc:
            reason = str(exc).removeprefix(f"{photo.name}: ")  # the name is in its own column
            batch.refused.append(Refused(photo.name, Text(zh=f"无法读取:{reason}", en=reason)))
            continue
        except Exception as exc:  # noqa: BLE001 - one broken photo must not stop the batch
            batch.refused.append(Refused(photo.name, Text(zh=f"检查失败:{type(exc).__name__}: {exc}",
                                                          en=f"could not be checked ({type(exc).__name__}: {exc})")))
            continue
        if not result.report.person.judgeable:
            reason = "; ".join(w.en for w in result.report.person.warnings) or "no person found"
            reason_zh = ";".join(w.zh for w in result.report.person.warnings) or "没有找到人"
            batch.refused.append(Refused(photo.name, Text(zh=reason_zh, en=reason)))
            continue
        picture = annotate(rgb, result, lang)
        shown = jpeg_bytes(annotate(rgb, result, lang, panel=False))
        everyone = result.everyone
        for person in everyone:  # one item per person: their own rows and overrides
            name = photo.name if len(everyone) == 1 else f"{photo.name} #{person.report.id}"
            check_id = save_report(store, batch.session_id, name, person, trainee_id=None, picture=picture,
                                   keep_pictures=keep_pictures)
            thumb = thumbnail(rgb if len(everyone) == 1 else person_crop(rgb, person))
            batch.items.append(ReviewItem(name, check_id, person, thumb, jpeg_bytes(picture), shown))
    bar.progress(1.0, text=t("checked_n", lang, n=len(batch.items)))


def person_crop(rgb: np.ndarray, person: CheckResult) -> np.ndarray:
    """The part of a photo around one person (their box, a little wider), so that each
    person's rows show who they are; the whole photo when the person has no box."""
    box = person.person.box if person.person is not None else None
    if box is None:
        return rgb
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = box
    mx, my = 0.15 * (x1 - x0), 0.1 * (y1 - y0)
    crop = rgb[max(0, round(y0 - my)):min(h, round(y1 + my)), max(0, round(x0 - mx)):min(w, round(x1 + mx))]
    return crop if crop.size else rgb


def photo_rows(batch: ReviewBatch, rows: list[ResultRow]) -> list[ResultRow]:
    """The session's rows of the photos (a video's verdicts come from its report)."""
    ids = {i.check_id for i in batch.items}
    return [r for r in rows if r.check_id in ids]


def table_rows(batch: ReviewBatch, rows: list[ResultRow], lang: Lang) -> pd.DataFrame:
    """Per photo and clause: thumbnail, verdicts (machine and reviewer), values, advice."""
    items = {i.check_id: i for i in batch.items}
    standard = resources.standard()
    out = []
    for r in photo_rows(batch, rows):
        item = items[r.check_id]
        clause = next(c for c in item.result.report.clauses if c.id == r.clause)
        out.append({
            "thumb": data_url(item.thumb), "photo": item.name, "clause": r.clause, "verdict_key": r.verdict,
            t("title", lang): standard.by_id[r.clause].title.get(lang),
            t("verdict", lang): verdict_with_reason(clause, lang) if r.verdict == clause.verdict
            else verdict_text(r.verdict, lang),
            t("reviewer_verdict", lang): verdict_text(r.override or "", lang), t("reviewer_note", lang): r.note or "",
            t("values", lang): values_words(clause, lang), t("advice", lang): clause.advice.get(lang),
            t("original", lang): clause.original if lang == "zh" else f"{clause.original} ({clause.english})",
            t("source", lang): source_words(clause, lang)})
    return pd.DataFrame(out)


def _photo_export_rows(batch: ReviewBatch, rows: list[ResultRow], lang: Lang) -> list[dict[str, str]]:
    items = {i.check_id: i for i in batch.items}
    standard = resources.standard()
    out = []
    for r in rows:
        clause = next(c for c in items[r.check_id].result.report.clauses if c.id == r.clause)
        out.append(clause_row(items[r.check_id].name, standard.by_id[r.clause], r.verdict, lang,
                              values=clause.values_text(), override=r.override, note=r.note))
    return out


def export_rows(batch: ReviewBatch, rows: list[ResultRow], lang: Lang) -> list[dict[str, str]]:
    """Every photo's and every video's clause verdicts, in the same columns."""
    return (_photo_export_rows(batch, photo_rows(batch, rows), lang)
            + [row for v in batch.videos for row in video_export_rows(v, lang)])


def export_json(batch: ReviewBatch, rows: list[ResultRow]) -> bytes:
    overrides: dict[int, list[dict[str, str]]] = {}
    for r in rows:
        if r.override is not None:
            overrides.setdefault(r.check_id, []).append({"clause": r.clause, "machine": r.verdict,
                                                         "reviewer": r.override, "note": r.note or ""})
    return to_json({
        "photos": [{"photo": i.name, "report": json.loads(i.result.report.model_dump_json()),
                    "reviewer_overrides": overrides.get(i.check_id, [])} for i in batch.items],
        "videos": [{"video": v.name, "report": json.loads(v.report.model_dump_json())} for v in batch.videos],
        "not_checked": [{"file": r.name, "reason": r.reason.en, "reason_zh": r.reason.zh} for r in batch.refused],
    })


def export_html(batch: ReviewBatch, rows: list[ResultRow], lang: Lang, with_pictures: bool = True) -> bytes:
    by_check: dict[int, list[dict[str, str]]] = {}
    rows = photo_rows(batch, rows)
    for row, r in zip(_photo_export_rows(batch, rows, lang), rows, strict=True):
        by_check.setdefault(r.check_id, []).append(row)
    sections = [Section(i.name, by_check.get(i.check_id, []), i.annotated if with_pictures else None)
                for i in batch.items]
    sections += [Section(v.name, video_export_rows(v, lang), v.frame_jpeg if with_pictures else None)
                 for v in batch.videos]
    if batch.refused:
        sections.append(Section(t("refused", lang), [], None,
                                notes=[f"{r.name}: {r.reason.get(lang)}" for r in batch.refused]))
    return to_html(t("mode_review", lang), sections, lang,
                   dated=t("report_dated", lang, when=time.strftime("%Y-%m-%d %H:%M")))


def _override(item: ReviewItem, lang: Lang) -> None:
    """A reviewer's verdict on one clause: nothing is preselected, Enter does not submit, and
    saving needs the confirmation box ticked and a note."""
    clauses = [c.id for c in item.result.report.clauses]
    titles = {c.id: f"{c.id} {c.title.get(lang)}" for c in item.result.report.clauses}
    with st.form(f"override-{item.check_id}", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('override', lang)}**")
        cols = st.columns([3, 2, 4])
        clause = cols[0].selectbox(t("clause", lang), clauses, key=f"ov-clause-{item.check_id}", index=None,
                                   placeholder=t("choose", lang), format_func=titles.get)
        verdict = cols[1].selectbox(t("reviewer_verdict", lang), VERDICTS, index=None, placeholder=t("choose", lang),
                                    key=choice_key(f"ov-verdict-{item.check_id}"),
                                    format_func=lambda v: verdict_text(v, lang))
        note = cols[2].text_input(t("note", lang), key=f"ov-note-{item.check_id}")
        sure = st.checkbox(t("confirm_override", lang), key=f"ov-sure-{item.check_id}")
        if st.form_submit_button(t("save_override", lang)):
            if clause is None or verdict is None:
                st.error(t("override_choose", lang))
            elif not note.strip():
                st.error(t("note_required", lang))
            elif not sure:
                st.error(t("override_confirm_first", lang))
            else:
                try:
                    resources.store().add_override(item.check_id, clause, verdict, note)
                    st.session_state["review-message"] = t("override_saved", lang)
                    st.rerun()
                except StoreError as exc:
                    st.error(t("error", lang, err=exc))


def photo_summary(batch: ReviewBatch, rows: list[ResultRow], lang: Lang) -> pd.DataFrame:
    """One row per photo above the photo x clause rows: its score (with how much it judged),
    what failed, and how many verdicts a reviewer changed."""
    overridden: dict[int, int] = {}
    for r in rows:
        overridden[r.check_id] = overridden.get(r.check_id, 0) + (r.override is not None)
    return pd.DataFrame([{
        t("photo", lang): i.name, t("score", lang): i.result.report.score.text(lang),
        t("fails", lang): "、".join(c.title.get(lang) for c in i.result.report.failed()) if lang == "zh"
        else ", ".join(c.title.get(lang) for c in i.result.report.failed()),
        t("overrides", lang): overridden.get(i.check_id, 0)} for i in batch.items])


def show_batch(batch: ReviewBatch, lang: Lang) -> None:
    if batch.refused:
        st.warning(f"**{t('refused', lang)}**\n\n" + "\n".join(
            f"- {markdown_code(r.name)}: {markdown_escaped(r.reason.get(lang))}" for r in batch.refused))
    if not batch.items and not batch.videos:
        return
    if batch.items:
        st.success(t("checked_n", lang, n=len(batch.items)))
    if batch.videos:
        st.success(t("checked_videos_n", lang, n=len(batch.videos)))
    rows = resources.store().results(batch.session_id)
    cols = st.columns(4)
    cols[0].download_button(t("export_csv", lang), to_csv(export_rows(batch, rows, lang)), "review.csv", "text/csv",
                            key="review-csv")
    cols[1].download_button(t("export_json", lang), export_json(batch, rows), "review.json", "application/json",
                            key="review-json")
    cols[2].download_button(t("export_html_photos", lang), export_html(batch, rows, lang), "review.html",
                            "text/html", key="review-html", help=t("export_photos_help", lang))
    cols[3].download_button(t("export_html_no_photos", lang), export_html(batch, rows, lang, with_pictures=False),
                            "review-no-photos.html", "text/html", key="review-html-plain")
    if batch.items:
        _show_photos(batch, rows, lang)
    if batch.videos:
        st.divider()
        show_videos(batch.videos, lang)


def _show_photos(batch: ReviewBatch, rows: list[ResultRow], lang: Lang) -> None:
    """The photos' table with filters, then a chosen photo with its overrides."""
    st.markdown(f"**{t('per_photo', lang)}**")
    st.dataframe(photo_summary(batch, rows, lang), hide_index=True, width="stretch")
    frame = table_rows(batch, rows, lang)
    cols = st.columns(2)
    clause_filter = cols[0].multiselect(t("filter_clause", lang), sorted(frame["clause"].unique()), key="review-fc",
                                        placeholder=t("choose_several", lang))
    verdict_filter = cols[1].multiselect(t("filter_verdict", lang), list(VERDICTS), key=choice_key("review-fv"),
                                         format_func=lambda v: verdict_text(v, lang),
                                         placeholder=t("choose_several", lang))
    shown = frame
    if clause_filter:
        shown = shown[shown["clause"].isin(clause_filter)]
    if verdict_filter:
        shown = shown[shown["verdict_key"].isin(verdict_filter)]
    st.dataframe(
        shown.drop(columns=["verdict_key"]), hide_index=True, width="stretch", row_height=64,
        column_config={"thumb": st.column_config.ImageColumn(t("thumb", lang), width="small"),
                       "photo": t("photo", lang), "clause": t("clause", lang),
                       # wide enough for "? not visible (the chin or upper lip is out of the picture)"
                       t("verdict", lang): st.column_config.TextColumn(width="large")})
    st.divider()
    names = [i.name for i in batch.items]
    chosen = st.selectbox(t("open_photo", lang), names, key="review-open")
    item = batch.items[names.index(chosen)]
    message = st.session_state.pop("review-message", None)
    if message:
        st.success(message)
    report_header(item.result, lang)
    left, right = st.columns([3, 2])
    left.image(item.shown, width="stretch")
    with right:
        standard = resources.standard()
        latest = {r.clause: r for r in rows if r.check_id == item.check_id and r.override is not None}
        failed = item.result.report.failed()
        if not failed:
            st.success(t("no_clause_failed", lang))
        for c in failed:
            clause_card(standard.by_id[c.id], lang, "fail", values_words(c, lang))
            if c.id in latest:  # the reviewer's verdict beside the machine's
                r = latest[c.id]
                st.info(t("overridden_as", lang, v=verdict_text(r.override or "", lang), note=r.note or ""))
        for c in item.result.report.clauses:  # what could not be judged, and why, where the photo says
            if c.verdict == "not_visible":
                st.caption(f"{c.id} {c.title.get(lang)}: {verdict_with_reason(c, lang)}")
    _override(item, lang)


def page(lang: Lang, keep_pictures: bool) -> None:
    st.header(t("mode_review", lang))
    limits = resources.settings().limits
    st.caption(t("upload_limits", lang, n=limits.max_files, photo=limits.max_file_bytes / 2**20,
                 mp=limits.max_pixels / 1e6, video=limits.max_video_bytes / 2**20))
    files = file_uploader(t("upload_many", lang), types=[*PHOTO_TYPES, "zip", *VIDEO_TYPES],
                          accept_multiple_files=True, key="review-files", lang=lang,
                          max_mb=upload_cap_mb(max(limits.max_file_bytes, limits.max_video_bytes)))
    cols = st.columns(2)
    scenario = cols[0].selectbox(t("scenario", lang), SCENARIO_CHOICES, key=choice_key("review-scenario"),
                                 format_func=lambda s: t(f"scenario_{s}", lang))
    profile = cols[1].selectbox(t("profile", lang), PROFILES, key=choice_key("review-profile"),
                                format_func=lambda p: t(f"profile_{p}", lang))
    sample_fps = DEFAULT_SAMPLE_FPS
    if any(is_video(f.name) for f in files or []):
        sample_fps = st.slider(t("sample_fps", lang), 1, 30, int(DEFAULT_SAMPLE_FPS), key="review-sample-fps",
                               help=t("sample_fps_help", lang))
    if st.button(t("check_all", lang), type="primary", disabled=not files, key="review-run"):
        st.session_state["review"] = run_batch([(f.name, f.getvalue()) for f in files], scenario, profile, lang,
                                               keep_pictures, float(sample_fps))
    batch = st.session_state.get("review")
    if batch is not None:
        show_batch(batch, lang)
