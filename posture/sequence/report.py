"""The report of a video or a live session: one documented JSON shape (docs/VIDEO_REPORT.md).

It sits beside the still-photo :class:`posture.report.Report` and does not change it: a
video has a timeline (clause, start, end, verdict), a summary per clause over the whole
time, and the events the detectors found (bows, nods, touches...).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from posture.report import ClauseCitation, Skipped
from posture.standards import Lang, Text

VIDEO_REPORT_VERSION = "1.0"


class TimelineEntry(BaseModel):
    clause: str
    start: float = Field(description="seconds from the start of the video (or session)")
    end: float
    verdict: str = Field(description="pass | fail | not_visible")
    label: Text = Field(description="what happened, e.g. 'bow 18°, 1.6 s'")


class EventOut(BaseModel):
    kind: str = Field(description="bow | nod | touch | rest_stance | gaze_away | no_smile | gesture | walk")
    start: float
    end: float
    value: float | None = Field(description="the event's size: depth in degrees, duration in seconds...")
    unit: str
    details: dict[str, float | int | str | None]


class TimeClauseResult(ClauseCitation):
    """A time-based clause judged over the whole video."""

    verdict: str = Field(description="pass | fail | not_visible | not_observed (nothing to judge, e.g. no bow)")
    note: Text = Field(description="the verdict in words, with its figures")
    metrics: dict[str, float | int | str | None]
    parameters: dict[str, float] = Field(description="the clause's parameters from standards/ that were used")


class StillClauseSummary(BaseModel):
    """A still (per-frame) clause over time."""

    id: str
    title: Text
    severity: str
    verdict: str = Field(description="pass | fail | not_visible, by the rule in standards/settings.yaml "
                                     "(still_over_time)")
    rule: Text = Field(description="the rule that made the verdict, with its figures")
    seconds_pass: float
    seconds_fail: float
    longest_fail_s: float = Field(description="the longest failing stretch (seconds)")
    seconds_not_visible: float
    deviations: int = Field(description="failing stretches that held long enough to be shown live (debounced)")


class VideoInfo(BaseModel):
    path: str
    width: int
    height: int
    fps: float = Field(description="the file's nominal frame rate")
    duration_s: float
    frames_read: int
    frames_checked: int
    sample_fps: float | None = Field(description="frames checked per second of video; None = every frame")


class VideoScore(BaseModel):
    passed: int
    failed: int
    not_visible: int
    not_observed: int


class VideoReport(BaseModel):
    version: str = VIDEO_REPORT_VERSION
    kind: Literal["video", "live"]
    source: str | None
    video: VideoInfo | None = Field(description="the file read; None for a live session")
    profile: str
    scenario_requested: str
    scenarios_seen: list[str] = Field(description="scenarios the frames were checked as")
    start_s: float
    end_s: float
    frames_with_person: int = Field(description="checked frames in which a person large enough to judge was found")
    clauses: list[TimeClauseResult] = Field(description="time-based clauses (method: video in standards/)")
    still: list[StillClauseSummary]
    not_applicable: list[Skipped]
    timeline: list[TimelineEntry] = Field(description="sorted by start")
    events: list[EventOut] = Field(description="sorted by start")
    score: VideoScore
    timings_ms: dict[str, float] = Field(description="per-frame means, and frames per second")

    def failed(self) -> list[TimeClauseResult]:
        return [c for c in self.clauses if c.verdict == "fail"]

    def rows(self, lang: Lang = "en") -> list[dict[str, object]]:
        """One row per timeline entry: the shape of a CSV export."""
        return [{"video": self.source or "", "clause": e.clause, "start_s": round(e.start, 2),
                 "end_s": round(e.end, 2), "verdict": e.verdict, "label": e.label.get(lang)} for e in self.timeline]
