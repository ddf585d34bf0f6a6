"""The batch CSV's rows: one person per file for now, every row made by :func:`row`, so a
person column (several people in a picture) is added in one place."""

from __future__ import annotations

from posture.batch.sources import Kind
from posture.report import Report
from posture.sequence.report import VideoReport
from posture.standards import Lang, Standard

COLUMNS = ["file", "kind", "clause", "verdict", "severity", "title", "values", "confidence", "advice", "source",
           "scenario", "error"]


def row(file: str, kind: Kind, **cells: object) -> dict[str, object]:
    """One CSV row of ``file``; columns not given are empty."""
    return {"file": file, "kind": kind, **{c: "" for c in COLUMNS[2:]}, **cells}


def error_rows(file: str, kind: Kind, message: str) -> list[dict[str, object]]:
    return [row(file, kind, verdict="error", error=message)]


def photo_rows(file: str, report: Report, lang: Lang) -> list[dict[str, object]]:
    """A clause per row."""
    scenario = "/".join(report.scenarios)
    return [row(file, "photo", **{k: v for k, v in r.items() if k != "photo"}, scenario=scenario)
            for r in report.rows(lang)]


def video_rows(file: str, report: VideoReport, standard: Standard, lang: Lang) -> list[dict[str, object]]:
    """The time-based clauses, then the still clauses over the video's time."""
    scenario = "/".join(report.scenarios_seen)
    rows = [row(file, "video", clause=c.id, verdict=c.verdict, severity=c.severity, title=c.title.get(lang),
                values=c.note.get(lang), advice=c.advice.get(lang) if c.verdict == "fail" else "",
                source=f"{c.source.file}:{c.source.lines}", scenario=scenario) for c in report.clauses]
    for s in report.still:
        clause = standard.by_id[s.id]
        values = (f"失败 {s.seconds_fail:.1f} 秒, 通过 {s.seconds_pass:.1f} 秒, 看不到 {s.seconds_not_visible:.1f} 秒"
                  if lang == "zh" else
                  f"failing {s.seconds_fail:.1f} s, passing {s.seconds_pass:.1f} s, "
                  f"not visible {s.seconds_not_visible:.1f} s")
        rows.append(row(file, "video", clause=s.id, verdict=s.verdict, severity=s.severity, title=s.title.get(lang),
                        values=values, advice=clause.advice.get(lang) if s.verdict == "fail" else "",
                        source=f"{clause.source.file}:{clause.source.lines}", scenario=scenario))
    return rows
