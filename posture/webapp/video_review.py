"""Review of videos: each uploaded video checked by the sequence engine (every frame, or
frames sampled at a chosen rate) with a progress bar, then its time-based clauses, the
still clauses over time, the timeline, the annotated video and the exports.

The upload is held in a scratch file only while it is checked (OpenCV reads files, not
bytes): in memory on Linux, so a killed app leaves nothing on disk
(:mod:`posture.webapp.scratch`). The history keeps the verdicts and the report's JSON; a
picture (one annotated frame) only when "keep photos and video frames" is ticked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import cv2
import numpy as np
import streamlit as st

from posture.exports import clause_row, csv_bytes, jpeg_bytes
from posture.images import BadInput
from posture.sequence import VideoReport
from posture.sequence.report import StillClauseSummary
from posture.standards import Lang, Text
from posture.store import VERDICTS
from posture.uploads import Refused, Video
from posture.video import VideoReader, check_video
from posture.webapp import resources
from posture.webapp.i18n import t
from posture.webapp.render import clause_card, still_table, time_clause_table, timeline_table
from posture.webapp.scratch import scratch_folder

# Progress is redrawn when it moved by this share of the video: a frame-by-frame update
# of a long video would send thousands of messages to the browser for nothing.
PROGRESS_STEP = 0.01


@dataclass
class VideoItem:
    name: str
    check_id: int
    report: VideoReport
    annotated: bytes  # the annotated MP4, kept in this browser session only
    frame_jpeg: bytes | None  # one annotated frame (the first failure, or the middle) for the HTML report


def key_moment(report: VideoReport) -> float:
    """The moment a reviewer should see: the middle of the first failing stretch on the
    timeline, or the middle of the video when nothing failed."""
    failing = next((e for e in report.timeline if e.verdict == "fail"), None)
    if failing is not None:
        return (failing.start + failing.end) / 2
    return (report.start_s + report.end_s) / 2


def frame_at(path: Path, t: float) -> np.ndarray | None:
    """The RGB frame of the video at ``t`` seconds (None if it cannot be read)."""
    cap = cv2.VideoCapture(str(path))
    try:
        cap.set(cv2.CAP_PROP_POS_MSEC, max(0.0, t) * 1000.0)
        ok, bgr = cap.read()
    finally:
        cap.release()
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB) if ok else None


def _still_only(report: VideoReport) -> list[StillClauseSummary]:
    """The still clauses not also judged over time (a touch or a rest stance is judged per
    frame and over the video; the verdict over the video is the one that counts)."""
    over_time = {c.id for c in report.clauses}
    return [s for s in report.still if s.id not in over_time]


def stored_verdicts(report: VideoReport) -> list[tuple[str, str]]:
    """The verdicts the history keeps: the time-based clauses that were judged (a clause
    with nothing to judge, such as a bow in a video without one, is left out) and each
    other still clause's verdict over the video."""
    return ([(c.id, c.verdict) for c in report.clauses if c.verdict in VERDICTS]
            + [(s.id, s.verdict) for s in _still_only(report)])


def _refused(name: str, zh: str, en: str) -> Refused:
    return Refused(name, Text(zh=zh, en=en))


def check_uploaded_video(video: Video, *, session_id: int, scenario: str, profile: str, sample_fps: float,
                         lang: Lang, keep_pictures: bool) -> VideoItem | Refused:
    """Check one uploaded video with a progress bar and record it; a video that cannot be
    checked comes back as :class:`Refused` with its reason."""
    limits = resources.settings().limits
    bar = st.progress(0.0, text=t("checking_video", lang, name=video.name, done=0, total=0))
    shown = [-1.0]

    def progress(done: float, total: float) -> None:
        share = min(1.0, done / total) if total else 0.0
        if share - shown[0] >= PROGRESS_STEP:
            shown[0] = share
            bar.progress(share, text=t("checking_video", lang, name=video.name, done=done, total=total))

    with scratch_folder() as folder:
        path = folder.path("upload" + PurePosixPath(video.name).suffix.lower(), video.data)
        out = folder.path("annotated.mp4")
        try:
            with VideoReader(path) as reader:
                pixels = reader.width * reader.height
            if pixels > limits.max_pixels:
                mp, most = pixels / 1e6, limits.max_pixels / 1e6
                return _refused(video.name, f"画面 {mp:.0f} 百万像素,超过 {most:.0f} 的限制",
                                f"frames of {mp:.0f} MP, above the limit of {most:.0f} MP")
            result = check_video(path, standard=resources.standard(), scenario=scenario, profile=profile,
                                 sample_fps=sample_fps, annotate_to=out, lang=lang,
                                 progress=progress)
        except BadInput as exc:
            reason = str(exc).removeprefix(f"{path}: ")  # the temporary path means nothing to the user
            return _refused(video.name, f"无法读取视频:{reason}", reason)
        except Exception as exc:  # noqa: BLE001 - one broken video must not stop the batch
            return _refused(video.name, f"检查失败:{type(exc).__name__}: {exc}",
                            f"could not be checked ({type(exc).__name__}: {exc})")
        bar.progress(1.0, text=t("checked_video", lang, name=video.name))
        report = result.report
        report = report.model_copy(update={"source": video.name, "video": report.video.model_copy(
            update={"path": video.name}) if report.video else None})
        if report.frames_with_person == 0:
            return _refused(video.name, "视频中没有找到人", "no person found in the video")
        annotated = out.read_bytes()
        frame = frame_at(out, key_moment(report))
    frame_jpeg = jpeg_bytes(frame) if frame is not None else None
    check_id = resources.store().add_check(
        session_id, video.name, "/".join(report.scenarios_seen) or scenario, stored_verdicts(report),
        detail=json.loads(report.model_dump_json()), picture_jpeg=frame_jpeg if keep_pictures else None)
    return VideoItem(video.name, check_id, report, annotated, frame_jpeg)


def export_rows(item: VideoItem, lang: Lang) -> list[dict[str, str]]:
    """A video's verdicts as export rows (the same columns as a photo's): the time-based
    clauses with what was seen, then the still clauses over the video."""
    standard = resources.standard()
    rows = [clause_row(item.name, standard.by_id[c.id], c.verdict, lang, values=c.note.get(lang))
            for c in item.report.clauses]
    rows += [clause_row(item.name, standard.by_id[s.id], s.verdict, lang,
                        values=t("still_seconds", lang, bad=s.seconds_fail, ok=s.seconds_pass, n=s.deviations)
                        + f" · {s.rule.get(lang)}")
             for s in _still_only(item.report)]
    return rows


def timeline_csv(report: VideoReport, lang: Lang) -> bytes:
    """The timeline as CSV (UTF-8 with a byte-order mark, for Excel)."""
    return csv_bytes(report.rows(lang), ["video", "clause", "start_s", "end_s", "verdict", "label"])


def show_videos(videos: list[VideoItem], lang: Lang) -> None:
    """A chosen video: the annotated video beside its failing clauses, then the tables
    (time-based clauses, still clauses over time, timeline) and its downloads."""
    st.subheader(t("videos", lang))
    names = [v.name for v in videos]
    chosen = st.selectbox(t("open_video", lang), names, key="review-open-video") if len(videos) > 1 else names[0]
    item = videos[names.index(chosen)]
    report, info = item.report, item.report.video
    if info is not None:
        st.caption(t("video_info", lang, d=info.duration_s, checked=info.frames_checked, read=info.frames_read,
                     person=report.frames_with_person,
                     rate=t("every_frame", lang) if info.sample_fps is None else f"{info.sample_fps:g}"))
    s = report.score
    st.markdown(t("video_counts", lang, p=s.passed, f=s.failed, n=s.not_visible, o=s.not_observed))
    left, right = st.columns([3, 2])
    left.video(item.annotated, format="video/mp4")
    with right:
        standard = resources.standard()
        failed = report.failed()
        if not failed:
            st.success(t("no_time_failure", lang))
        for c in failed:
            clause_card(standard.by_id[c.id], lang, "fail", c.note.get(lang))
    st.markdown(f"**{t('time_clauses', lang)}**")
    st.dataframe(time_clause_table(report, lang), hide_index=True, width="stretch")
    st.markdown(f"**{t('still_over_time', lang)}**")
    st.dataframe(still_table(report, lang), hide_index=True, width="stretch")
    st.markdown(f"**{t('timeline', lang)}**")
    if report.timeline:
        st.dataframe(timeline_table(report, lang), hide_index=True, width="stretch")
    else:
        st.caption(t("empty_timeline", lang))
    stem = PurePosixPath(item.name).stem
    cols = st.columns(3)
    cols[0].download_button(t("export_timeline", lang), timeline_csv(report, lang), f"{stem}.timeline.csv",
                            "text/csv", key="review-video-csv")
    cols[1].download_button(t("export_json", lang), report.model_dump_json(indent=2).encode("utf-8"),
                            f"{stem}.report.json", "application/json", key="review-video-json")
    cols[2].download_button(t("export_video", lang), item.annotated, f"{stem}.annotated.mp4", "video/mp4",
                            key="review-video-mp4")
