"""A printable report of one trainee (print-ready HTML, one self-contained file): their
result per session as a chart, each clause compared across the sessions, and the latest
session's steps with their pictures (when kept) and verdicts. Counted as History counts
(posture.results)."""

from __future__ import annotations

import base64
import html
import time
from datetime import datetime

from posture.exports import VERDICT_LABELS
from posture.routine import STEPS
from posture.standards import Lang, Standard
from posture.store import Store
from posture.webapp.i18n import t

STEP_NAMES = {s.key: s.name for s in STEPS}
MARKS = {"pass": "✓", "fail": "✗", "not_visible": "?"}
_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:1.5cm;color:#222}
h1{font-size:1.4em;margin:0} h2{font-size:1.1em;margin-top:1.5em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ccc;padding:3px 5px;text-align:left;vertical-align:top}
th{background:#f3f3f3} td.fail{background:#fde2e2} td.pass{background:#e3f6e8} td.not_visible{color:#888}
.step{page-break-inside:avoid;margin-top:1em} .step table{width:55%}
.step img{max-width:40%;max-height:9cm;float:right;margin-left:1em;border:1px solid #ccc}
.dated{color:#666} .clear{clear:both}
@media print{body{margin:1cm} h2{page-break-after:avoid} .step{page-break-inside:avoid}}
"""


def _chart(points: list[tuple[str, float | None]], lang: Lang) -> str:
    """An inline SVG bar chart of the pass rate per session (no script, prints as is)."""
    bar_w, gap, height = 90, 30, 160
    width = max(1, len(points)) * (bar_w + gap) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 60}" role="img" '
             f'aria-label="{html.escape(t("pass_rate", lang))}">',
             f'<line x1="30" y1="{height}" x2="{width}" y2="{height}" stroke="#888"/>',
             f'<text x="0" y="12" font-size="11">100%</text><text x="0" y="{height}" font-size="11">0</text>']
    for i, (label, share) in enumerate(points):
        x = 40 + i * (bar_w + gap)
        h = 0 if share is None else round(share * (height - 10))
        parts.append(f'<rect x="{x}" y="{height - h}" width="{bar_w}" height="{h}" fill="#4a8"/>')
        value = "–" if share is None else f"{share:.0%}"
        parts.append(f'<text x="{x + 4}" y="{height - h - 4}" font-size="11">{value}</text>')
        parts.append(f'<text x="{x}" y="{height + 16}" font-size="10">{html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def trainee_report_html(store: Store, standard: Standard, trainee_id: int, lang: Lang) -> bytes:
    trainee = store.trainee(trainee_id)
    severities = {c.id: c.severity for c in standard.clauses}
    weights = standard.settings.severity_weights
    points = store.progress(trainee_id)
    results = {p.session_id: store.session_result(p.session_id, trainee_id, severities, weights) for p in points}
    labels = [f"{p.title} ({datetime.fromtimestamp(p.created):%m-%d})" for p in points]
    out = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
           f"<title>{html.escape(trainee.name)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{html.escape(t('trainee_report', lang, name=trainee.name))}</h1>",
           f'<p class="dated">{html.escape(t("report_dated", lang, when=time.strftime("%Y-%m-%d %H:%M")))} · '
           f'{html.escape(t("profile", lang))}: {html.escape(t(f"profile_{trainee.profile}", lang))}</p>']
    out.append(f"<h2>{html.escape(t('progress', lang))}</h2>")
    out.append(_chart([(lab, results[p.session_id].share) for lab, p in zip(labels, points, strict=True)], lang))
    out.append("<table><tr><th>" + html.escape(t("session", lang)) + "</th><th>" + html.escape(t("date", lang))
               + "</th><th>" + html.escape(t("pass_rate", lang)) + "</th><th>" + html.escape(t("score", lang))
               + "</th></tr>")
    for p in points:
        r = results[p.session_id]
        score = "–" if r.score is None else f"{r.score:.0f}/100"
        when = f"{datetime.fromtimestamp(p.created):%Y-%m-%d %H:%M}"
        out.append(f"<tr><td>{html.escape(p.title)}</td><td>{when}</td><td>{r.passed}/{r.judged}</td>"
                   f"<td>{score}</td></tr>")
    out.append("</table>")
    # Clause by clause across the sessions.
    clauses = sorted({c for r in results.values() for c in r.verdicts}, key=lambda c: c)
    out.append(f"<h2>{html.escape(t('by_clause', lang))}</h2><table><tr><th>{html.escape(t('clause', lang))}</th>"
               + "".join(f"<th>{html.escape(lab)}</th>" for lab in labels) + "</tr>")
    for c in clauses:
        title = standard.by_id[c].title.get(lang) if c in standard.by_id else c
        cells = []
        for p in points:
            v = results[p.session_id].verdicts.get(c, "")
            cells.append(f'<td class="{v}">{MARKS.get(v, "")} {html.escape(VERDICT_LABELS[lang].get(v, v))}</td>')
        out.append(f"<tr><td>{html.escape(c)} {html.escape(title)}</td>{''.join(cells)}</tr>")
    out.append("</table>")
    # The latest session's steps, with their pictures when kept.
    if points:
        last = points[-1]
        out.append(f"<h2>{html.escape(t('latest_session', lang, title=last.title))}</h2>")
        rows = [r for r in store.results(last.session_id, latest_only=True) if r.trainee == trainee.name]
        by_check: dict[int, list] = {}
        for r in rows:
            by_check.setdefault(r.check_id, []).append(r)
        for check_id, check_rows in by_check.items():
            out.append('<div class="step">')
            label = check_rows[0].label
            out.append(f"<h3>{html.escape(STEP_NAMES[label].get(lang) if label in STEP_NAMES else label)}</h3>")
            picture = store.picture(check_id)
            if picture:
                data = base64.b64encode(picture).decode("ascii")
                out.append(f'<img alt="" src="data:image/jpeg;base64,{data}">')
            out.append("<table>")
            for r in check_rows:
                title = standard.by_id[r.clause].title.get(lang) if r.clause in standard.by_id else r.clause
                v = "skipped" if r.skipped else r.verdict
                label = t("skipped", lang) if r.skipped else VERDICT_LABELS[lang].get(v, v)
                out.append(f'<tr><td>{html.escape(r.clause)} {html.escape(title)}</td>'
                           f'<td class="{v}">{MARKS.get(v, "–")} {html.escape(label)}</td></tr>')
            out.append('</table><div class="clear"></div></div>')
    out.append("</body></html>")
    return "\n".join(out).encode("utf-8")
