"""The batch CSV's rows: a row per file, person and clause, every row made by :func:`row`.
``person`` is the person's id in the file (left to right in a photo), ``box`` their
``x0 y0 x1 y1`` in pixels."""

from __future__ import annotations

import json

from posture.batch.sources import Kind
from posture.report import Report
from posture.sequence.report import VideoReport
from posture.standards import Lang, Standard

COLUMNS = ["file", "kind", "person", "box", "clause", "verdict", "severity", "title", "values", "confidence",
           "advice", "source", "scenario", "error"]


def row(file: str, kind: Kind, **cells: object) -> dict[str, object]:
    """One CSV row of ``file``; columns not given are empty."""
    return {"file": file, "kind": kind, **{c: "" for c in COLUMNS[2:]}, **cells}


def error_rows(file: str, kind: Kind, message: str) -> list[dict[str, object]]:
    return [row(file, kind, verdict="error", error=message)]


def photo_rows(file: str, report: Report, lang: Lang) -> list[dict[str, object]]:
    """A clause per row, of the one person ``report`` is about."""
    scenario = "/".join(report.scenarios)
    return [row(file, "photo", **{k: v for k, v in r.items() if k != "photo"}, scenario=scenario,
                person=report.id, box=_box(report.person.box)) for r in report.rows(lang)]


def _box(box: tuple[float, ...] | list[float] | None) -> str:
    return " ".join(f"{v:.0f}" for v in box or [])


def video_rows(file: str, report: VideoReport, standard: Standard, lang: Lang,
               box: tuple[float, float, float, float] | None = None) -> list[dict[str, object]]:
    """The time-based clauses, then the still clauses over the video's time, of the one
    person ``report`` is about (``box``: where they were, the median of their boxes)."""
    scenario = "/".join(report.scenarios_seen)
    person = {"person": report.person, "box": _box(box)}
    rows = [row(file, "video", **person, clause=c.id, verdict=c.verdict, severity=c.severity,
                title=c.title.get(lang),
                values=c.note.get(lang), advice=c.advice.get(lang) if c.verdict == "fail" else "",
                source=f"{c.source.file}:{c.source.lines}", scenario=scenario) for c in report.clauses]
    for s in report.still:
        clause = standard.by_id[s.id]
        values = (f"失败 {s.seconds_fail:.1f} 秒, 通过 {s.seconds_pass:.1f} 秒, 看不到 {s.seconds_not_visible:.1f} 秒"
                  if lang == "zh" else
                  f"failing {s.seconds_fail:.1f} s, passing {s.seconds_pass:.1f} s, "
                  f"not visible {s.seconds_not_visible:.1f} s")
        rows.append(row(file, "video", **person, clause=s.id, verdict=s.verdict, severity=s.severity,
                        title=s.title.get(lang),
                        values=values, advice=clause.advice.get(lang) if s.verdict == "fail" else "",
                        source=f"{clause.source.file}:{clause.source.lines}", scenario=scenario))
    return rows


def video_json(file: str, reports: list[VideoReport]) -> str:
    """A video's JSON as ``posture check`` writes it: one person's report, or version 2.0
    with everyone under ``people``."""
    from posture.video import VideoResult

    return json.dumps(VideoResult(reports[0], None, tuple(reports) if len(reports) > 1 else ()).as_json(),
                      ensure_ascii=False)
