"""The report: one documented JSON shape (see docs/REPORT.md) and its table rows.

The report holds everything a person or a program needs about one checked frame; the
CLI, the app and the exports only render it.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from posture.results import weighted_score
from posture.scenarios import ScenarioChoice
from posture.standards import Lang, Settings, Source, Text
from posture.verdicts import Verdict

REPORT_VERSION = "1.0"  # one person's report (an entry of a frame's ``people``)
FRAME_REPORT_VERSION = "2.0"  # a frame: everyone in it


class MeasurementOut(BaseModel):
    name: str
    value: float | None = Field(description="None when the landmarks were not seen")
    unit: str
    expected: str = Field(description="accepted range, e.g. '45 ±15'")
    ok: bool | None
    why: str


class ClauseCitation(BaseModel):
    """What a verdict cites of its clause: shared by photo and video reports."""

    id: str
    severity: str
    title: Text
    original: str
    english: str
    source: Source
    advice: Text


class ClauseResult(ClauseCitation):
    verdict: str = Field(description="pass | fail | not_visible")
    variant: str | None = Field(description="the variant that passed, or the closest failing one")
    confidence: float = Field(description="lowest landmark confidence behind the verdict, 0..1")
    measurements: list[MeasurementOut]
    missing: list[str] = Field(description="measurements whose landmarks were not seen")
    reason: Text | None = Field(default=None, description=(
        "why measurements could not be judged, when known: the view (\"not visible (side view)\")"))

    def values_text(self) -> str:
        """The numbers behind the verdict, e.g. ``smile_score=0.12 (>= 0.5)``."""
        return "; ".join(f"{m.name}={'-' if m.value is None else f'{m.value:.3g}'} ({m.expected})"
                         for m in self.measurements)


class Skipped(BaseModel):
    id: str
    reason: str


class Person(BaseModel):
    found: bool
    judgeable: bool = Field(description="found and large enough to be judged")
    faces_in_frame: int = Field(description="faces found by the face detector, -1 if not counted")
    box: list[float] | None = Field(description="[x0, y0, x1, y1] in pixels")
    warnings: list[Text]


class View(BaseModel):
    name: str = Field(description="front | three_quarter | side | back")
    body_yaw_deg: float | None = Field(description="the trunk's heading against the camera (0 facing it)")


class Score(BaseModel):
    passed: int
    failed: int
    not_visible: int
    judged: int = Field(description="clauses judged (passed + failed), out of ``total``")
    total: int = Field(description="clauses that apply to the photo")
    overall: float | None = Field(description="0-100, severity-weighted share of the judged clauses passed "
                                              "(weights: severity_weights in standards/settings.yaml); None "
                                              "when nothing was judged")

    def text(self, lang: Lang) -> str:
        """The score with its scale and how much it judged, e.g. "score 100/100 (4 of 9
        clauses judged; the rest not visible)": a score over few clauses says so."""
        zh = lang == "zh"
        if self.overall is None:
            head = "未能评分" if zh else "no score"
        else:
            head = f"得分 {self.overall:.0f}/100" if zh else f"score {self.overall:.0f}/100"
        judged = (f"判定了 {self.judged}/{self.total} 项条款" if zh
                  else f"{self.judged} of {self.total} clauses judged")
        if self.total and self.judged < self.total / 2:
            judged += ",多数看不到,得分只反映看得到的部分" if zh else "; most not visible, the score covers only those"
        return f"{head}({judged})" if zh else f"{head} ({judged})"


class Report(BaseModel):
    """One person's report."""

    version: str = REPORT_VERSION
    id: int = Field(default=1, description="the person's number in the frame (left to right; a video's track)")
    source: str | None
    width: int
    height: int
    scenario_requested: str
    scenarios: list[str]
    scenario_reason: Text
    profile: str
    person: Person
    view: View | None = Field(default=None, description="the camera's view of the body; None without one")
    clauses: list[ClauseResult]
    not_applicable: list[Skipped]
    score: Score
    timings_ms: dict[str, float]

    def failed(self) -> list[ClauseResult]:
        return [c for c in self.clauses if c.verdict == "fail"]

    def rows(self, lang: Lang = "en") -> list[dict[str, object]]:
        """One table row per clause: the shape of the CSV and the app's tables."""
        rows = []
        for c in self.clauses:
            rows.append({
                "photo": self.source or "", "clause": c.id, "verdict": c.verdict,
                "severity": c.severity, "title": c.title.get(lang), "values": c.values_text(),
                "confidence": round(c.confidence, 2), "advice": c.advice.get(lang) if c.verdict == "fail" else "",
                "source": f"{c.source.file}:{c.source.lines}",
            })
        return rows


class FrameReport(BaseModel):
    """A checked frame: everyone in it, each with their own report (docs/REPORT.md)."""

    version: str = FRAME_REPORT_VERSION
    source: str | None
    width: int
    height: int
    people: list[Report] = Field(description="one per person, left to right; empty when nobody was found")
    warnings: list[Text] = Field(description="about the frame (e.g. nobody found)")
    timings_ms: dict[str, float]


def _clause_result(v: Verdict) -> ClauseResult:
    c = v.clause
    return ClauseResult(
        id=c.id, verdict=v.outcome, severity=c.severity, title=c.title, original=c.original,
        english=c.english, source=c.source, advice=c.advice,
        variant=v.variant.name if v.variant else None, confidence=round(v.confidence, 3),
        measurements=[MeasurementOut(
            name=k.measurement,
            value=None if k.value is None or not math.isfinite(k.value) else round(k.value, 4),
            unit=k.unit, expected=k.expected, ok=k.ok, why=k.why) for k in v.checks],
        missing=v.missing, reason=v.reason,
    )


def score(verdicts: list[Verdict], settings: Settings) -> Score:
    passed = sum(v.outcome == "pass" for v in verdicts)
    failed = sum(v.outcome == "fail" for v in verdicts)
    overall = weighted_score(((v.clause.severity, v.outcome) for v in verdicts), settings.severity_weights)
    return Score(passed=passed, failed=failed, not_visible=len(verdicts) - passed - failed,
                 judged=passed + failed, total=len(verdicts), overall=overall)


def build_report(*, source: str | None, width: int, height: int, choice: ScenarioChoice,
                 profile: str, person: Person, verdicts: list[Verdict], skipped: list[Skipped],
                 settings: Settings, timings_ms: dict[str, float], view: View | None = None,
                 person_id: int = 1) -> Report:
    return Report(
        id=person_id, source=source, width=width, height=height, scenario_requested=choice.requested,
        scenarios=choice.applied, scenario_reason=choice.reason, profile=profile, person=person, view=view,
        clauses=[_clause_result(v) for v in verdicts], not_applicable=skipped,
        score=score(verdicts, settings), timings_ms={k: round(t, 2) for k, t in timings_ms.items()},
    )
