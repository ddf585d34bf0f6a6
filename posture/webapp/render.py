"""Rendering shared by the pages: a report's verdict table, a clause with its original
text, advice and source, a routine's summary, a video's or live session's tables. Nothing
here decides a verdict."""

from __future__ import annotations

import base64
import re

import pandas as pd
import streamlit as st

from posture.exports import jpeg_bytes
from posture.pipeline import CheckResult
from posture.report import ClauseResult
from posture.results import SessionResult, session_result
from posture.routine import StepResult
from posture.sequence import VideoReport
from posture.standards import Clause, Lang, Standard
from posture.webapp.i18n import t
from posture.webapp.words import severity_word, source_words, values_words

MARKS = {"pass": "✓", "fail": "✗", "not_visible": "?"}


def verdict_text(verdict: str, lang: Lang) -> str:
    return f"{MARKS.get(verdict, '')} {t(verdict, lang)}".strip() if verdict else ""


def clause_card(clause: Clause, lang: Lang, verdict: str | None = None, values: str = "") -> None:
    """A clause as the trainee reads it: id, title, original text (and English), advice, source."""
    head = f"**{clause.id} {clause.title.get(lang)}**"
    if verdict:
        head = f"{MARKS.get(verdict, '')} {head} — {t(verdict, lang)}"
    lines = [head, f"- {t('original', lang)}:{clause.original}" if lang == "zh"
             else f"- {t('original', lang)}: {clause.original}  \n  ({clause.english})",
             f"- {t('advice', lang)}{':' if lang == 'zh' else ': '}{clause.advice.get(lang)}",
             f"- {t('severity', lang)}{':' if lang == 'zh' else ': '}{severity_word(clause.severity, lang)}",
             f"- {t('source', lang)}{':' if lang == 'zh' else ': '}{source_words(clause, lang)}"]
    if values:
        lines.append(f"- {t('values', lang)}{':' if lang == 'zh' else ': '}{markdown_escaped(values)}")
    st.markdown("\n".join(lines))


def report_header(result: CheckResult, lang: Lang) -> None:
    report = result.report
    s = report.score
    cols = st.columns(2)
    cols[0].metric(t("score", lang), "-" if s.overall is None else f"{s.overall:.0f} / 100",
                   help=t("score_help", lang))
    cols[0].caption(s.text(lang))
    cols[1].markdown(t("counts", lang, p=s.passed, f=s.failed, n=s.not_visible) + "  \n"
                     + f"{t('scenario', lang)}: {report.scenario_reason.get(lang)}")
    for warning in report.person.warnings:
        st.warning(warning.get(lang))


def verdict_with_reason(c: ClauseResult, lang: Lang) -> str:
    """The verdict and, where the picture kept some or all of the clause from being judged,
    why: "? not visible (a black-and-white picture ...)", "✓ pass; not judged (side view): ..."."""
    if c.reason is None:
        return verdict_text(c.verdict, lang)
    if c.verdict == "not_visible":
        return f"{MARKS['not_visible']} {c.reason.get(lang)}"
    return f"{verdict_text(c.verdict, lang)}{';' if lang == 'zh' else '; '}{c.reason.get(lang)}"


def report_table(result: CheckResult, lang: Lang) -> pd.DataFrame:
    """One row per judged clause, failures first."""
    order = {"fail": 0, "not_visible": 2, "pass": 1}
    rows = [{t("clause", lang): c.id, t("title", lang): c.title.get(lang),
             t("verdict", lang): verdict_with_reason(c, lang),
             t("severity", lang): severity_word(c.severity, lang),
             t("values", lang): values_words(c, lang),
             t("advice", lang): c.advice.get(lang) if c.verdict == "fail" else "",
             t("original", lang): c.original if lang == "zh" else f"{c.original} ({c.english})",
             t("source", lang): source_words(c, lang)}
            for c in sorted(result.report.clauses, key=lambda c: (order[c.verdict], c.id))]
    return pd.DataFrame(rows)


def show_report(result: CheckResult, picture, lang: Lang, standard: Standard) -> None:
    """A checked photo: the annotated picture, the score, every clause, details of failures."""
    report_header(result, lang)
    left, right = st.columns([3, 2])
    left.image(picture, width="stretch")
    with right:
        failed = result.report.failed()
        if not failed:
            st.success(t("all_pass_now", lang))
        for c in failed:
            clause_card(standard.by_id[c.id], lang, "fail", values_words(c, lang))
    st.dataframe(report_table(result, lang), hide_index=True, width="stretch",
                 column_config={t("verdict", lang): st.column_config.TextColumn(width="large")})


def routine_result(results: list[StepResult], standard: Standard) -> SessionResult:
    """The routine's result, as History and the exports count it (posture.results)."""
    return session_result(((o.clause, o.verdict, r.skipped) for r in results for o in r.outcomes),
                          {c.id: c.severity for c in standard.clauses}, standard.settings.severity_weights)


def routine_summary(results: list[StepResult], lang: Lang, standard: Standard, who: str | None = None) -> None:
    """The final summary: a table of steps and clauses, then what to improve with advice
    (``who``: the trainee's name in the heading, when a group did the routine together)."""
    st.subheader(t("summary", lang) if who is None else t("summary_of", lang, name=who))
    result = routine_result(results, standard)
    verdicts = result.verdicts
    st.markdown(t("summary_counts", lang, p=result.passed, f=result.failed, n=result.not_visible)
                + " · " + t("session_score", lang, s="–" if result.score is None else f"{result.score:.0f}"))
    rows = []
    for r in results:
        for o in r.outcomes:
            clause = standard.by_id[o.clause]
            rows.append({t("step", lang): r.step.name.get(lang), t("clause", lang): o.clause,
                         t("title", lang): clause.title.get(lang),
                         t("verdict", lang): t("skipped", lang) if r.skipped else verdict_text(o.verdict, lang),
                         t("values", lang): f"{o.passed}/{o.passed + o.failed}" if o.passed + o.failed else "",
                         t("advice", lang): clause.advice.get(lang) if o.verdict == "fail" else ""})
    for r in results:
        if r.note is not None and not r.skipped:
            st.warning(f"{r.step.name.get(lang)}: {r.note.get(lang)}")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    failing = [c for c, v in verdicts.items() if v == "fail"]
    if failing:
        st.markdown(f"**{t('to_improve', lang)}**")
        for clause_id in failing:
            clause_card(standard.by_id[clause_id], lang, "fail")


def _figures(metrics: dict[str, float | int | str | None]) -> str:
    return "; ".join(f"{k}={v}" for k, v in metrics.items() if v is not None)


def time_clause_table(report: VideoReport, lang: Lang) -> pd.DataFrame:
    """The clauses judged over time (a bow, smiling throughout, eye contact...): verdict,
    what was seen, the figures behind it, advice when failed."""
    return pd.DataFrame([{t("clause", lang): c.id, t("title", lang): c.title.get(lang),
                          t("verdict", lang): verdict_text(c.verdict, lang), t("what", lang): c.note.get(lang),
                          t("values", lang): _figures(c.metrics),
                          t("advice", lang): c.advice.get(lang) if c.verdict == "fail" else ""}
                         for c in report.clauses])


def still_table(report: VideoReport, lang: Lang) -> pd.DataFrame:
    """The still clauses over time: seconds passing, failing and not visible, failures first."""
    order = {"fail": 0, "pass": 1, "not_visible": 2}
    return pd.DataFrame([{t("clause", lang): s.id, t("title", lang): s.title.get(lang),
                          t("verdict", lang): verdict_text(s.verdict, lang), t("rule", lang): s.rule.get(lang),
                          t("seconds_fail", lang): s.seconds_fail,
                          t("seconds_pass", lang): s.seconds_pass,
                          t("seconds_not_visible", lang): s.seconds_not_visible, t("deviations", lang): s.deviations}
                         for s in sorted(report.still, key=lambda s: (order[s.verdict], -s.seconds_fail, s.id))])


def timeline_table(report: VideoReport, lang: Lang) -> pd.DataFrame:
    """The timeline (clause, start, end, verdict, what happened) in the page's language."""
    return pd.DataFrame([{t("start_s", lang): r["start_s"], t("end_s", lang): r["end_s"],
                          t("clause", lang): r["clause"], t("verdict", lang): verdict_text(str(r["verdict"]), lang),
                          t("what", lang): r["label"]}
                         for r in report.rows(lang)])


def _share(report: VideoReport, clause: str, metric: str) -> str:
    value = next((c.metrics.get(metric) for c in report.clauses if c.id == clause), None)
    return f"{value:.0%}" if isinstance(value, float | int) else "–"


def live_session_summary(report: VideoReport, lang: Lang, standard: Standard) -> None:
    """A live session once stopped: how long, how much of it smiling and looking at the
    camera, nods and bows, then the clauses judged over it and the still clauses that failed."""
    st.subheader(t("session_summary", lang))
    bows = [e for e in report.events if e.kind == "bow"]
    nods = sum(e.kind == "nod" for e in report.events)
    cols = st.columns(5)
    cols[0].metric(t("duration", lang), t("seconds", lang, s=report.end_s - report.start_s))
    cols[1].metric(t("smile_share", lang), _share(report, "EX-SMILE-ALWAYS", "smiling_share"))
    cols[2].metric(t("eye_contact", lang), _share(report, "EY-FOCUS", "on_camera_share"))
    cols[3].metric(t("nods", lang), str(nods))
    cols[4].metric(t("bows", lang), t("bows_value", lang, n=len(bows),
                                       ok=sum(e.details.get("greeting") == "pass" for e in bows)))
    st.dataframe(time_clause_table(report, lang), hide_index=True, width="stretch")
    failing = [s for s in report.still if s.verdict == "fail" or s.deviations]
    if failing:
        st.markdown(f"**{t('still_failing', lang)}**")
        for s in failing:
            clause_card(standard.by_id[s.id], lang, s.verdict,
                        t("still_seconds", lang, bad=s.seconds_fail, ok=s.seconds_pass, n=s.deviations)
                        + f" · {s.rule.get(lang)}")


def data_url(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def thumbnail(rgb, height: int = 96) -> bytes:
    """A small JPEG for table cells."""
    return jpeg_bytes(rgb, max_side=height * 2, quality=70)


# What can change Markdown mid-line (the text never starts a line: it follows "- name: ").
# "[" also stops Streamlit's colour directives (":red[...]").
_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>|~$")


def markdown_escaped(text: str) -> str:
    """``text`` shown literally inside a line of Markdown: a backtick, a star or a ``$``
    (Streamlit's maths) in it cannot start a code span, emphasis or a formula; line breaks
    become spaces so it cannot start a new list item."""
    flat = " ".join(text.splitlines())
    return "".join(f"\\{c}" if c in _MARKDOWN_SPECIAL else c for c in flat)


def markdown_code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds: the fence is one
    backtick longer than the longest run inside (CommonMark), and padded when needed."""
    flat = " ".join(text.splitlines())
    longest = max((len(run) for run in re.findall("`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
