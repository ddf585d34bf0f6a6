"""Exports of a session or a review: CSV (opens in Excel with Chinese intact), JSON, and one
self-contained HTML file with the annotated pictures inlined as base64, to mail or archive.

Rows are plain dicts with :data:`COLUMNS`; the reviewer's verdict sits beside the
machine's, never in its place.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
from dataclasses import dataclass, field

import cv2
import numpy as np

from posture.standards import Clause, Lang

COLUMNS = ["subject", "step", "clause", "verdict", "reviewer_verdict", "reviewer_note", "severity", "title",
           "original", "english", "advice", "source", "values"]
HEADERS: dict[Lang, dict[str, str]] = {
    "zh": {"subject": "对象", "step": "步骤", "clause": "条款", "verdict": "机器判定", "reviewer_verdict": "审核判定",
           "reviewer_note": "审核备注", "severity": "严重程度", "title": "标题", "original": "原文", "english": "英文",
           "advice": "建议", "source": "出处", "values": "测量值"},
    "en": {"subject": "subject", "step": "step", "clause": "clause", "verdict": "machine verdict",
           "reviewer_verdict": "reviewer verdict", "reviewer_note": "reviewer note", "severity": "severity",
           "title": "title", "original": "original text", "english": "English", "advice": "advice", "source": "source",
           "values": "values"},
}
VERDICT_LABELS: dict[Lang, dict[str, str]] = {
    "zh": {"pass": "通过", "fail": "未通过", "not_visible": "看不到", "not_observed": "没有观察到", "": ""},
    "en": {"pass": "pass", "fail": "fail", "not_visible": "not visible", "not_observed": "not observed", "": ""},
}


def clause_row(subject: str, clause: Clause, verdict: str, lang: Lang, *, step: str = "", values: str = "",
               override: str | None = None, note: str | None = None) -> dict[str, str]:
    """One export row: a clause's verdict with its original (Chinese) text and its English
    rendering, advice and source."""
    return {
        "subject": subject, "step": step, "clause": clause.id, "verdict": verdict,
        "reviewer_verdict": override or "", "reviewer_note": note or "", "severity": clause.severity,
        "title": clause.title.get(lang), "original": clause.original, "english": clause.english,
        "advice": clause.advice.get(lang), "source": f"{clause.source.file}:{clause.source.lines}", "values": values,
    }


# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google
# Sheets (a trainee named "=HYPERLINK(...)", an uploaded "@SUM(A1).jpg"); tab and CR too,
# as some of them strip those first.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain negative number ("-12.5", "-3e-2") is left as it is, so that a measured value
# stays a number in the spreadsheet: a spreadsheet reads it as a number, never as a
# formula, and nothing else can start with "-" and match this.
_PLAIN_NUMBER = re.compile(r"-\d+(\.\d+)?([eE][-+]?\d+)?")


def safe_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula: text starting with = + - @ (or a
    tab or CR) gets a leading apostrophe, which spreadsheets show as text (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(rows: list[dict[str, object]], columns: list[str], header: bool = True) -> str:
    """Rows as CSV text with every cell neutralised (:func:`safe_cell`): every CSV the
    product writes goes through here. ``header``: the column names first."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
    if header:
        writer.writeheader()
    writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    return buf.getvalue()


def csv_bytes(rows: list[dict[str, object]], columns: list[str]) -> bytes:
    """A whole CSV file: UTF-8 with a byte-order mark, which Excel needs to read Chinese."""
    return csv_text(rows, columns).encode("utf-8-sig")


def to_csv(rows: list[dict[str, str]]) -> bytes:
    """A session's or a review's export (:data:`COLUMNS`)."""
    return csv_bytes(rows, COLUMNS)


def to_json(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


def jpeg_bytes(rgb: np.ndarray, max_side: int = 1280, quality: int = 85) -> bytes:
    """An RGB picture as JPEG, reduced to ``max_side`` pixels: small enough to inline."""
    h, w = rgb.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        rgb = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(rgb[:, :, ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("could not encode the picture as JPEG")
    return buf.tobytes()


@dataclass
class Section:
    """One photo, or one trainee's step, in the HTML report."""

    heading: str
    rows: list[dict[str, str]]
    picture_jpeg: bytes | None = None
    notes: list[str] = field(default_factory=list)


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em} h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3} .fail{background:#fde2e2} .pass{background:#e3f6e8} .not_visible{color:#888}
img{max-width:100%;height:auto;border:1px solid #ccc} .note{color:#8a5a00}
"""


def _table(rows: list[dict[str, str]], lang: Lang, columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(HEADERS[lang][c])}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c, "")
            if c in ("verdict", "reviewer_verdict"):
                value = VERDICT_LABELS[lang].get(value, value)
            cells.append(f"<td>{html.escape(str(value))}</td>")
        body.append(f'<tr class="{html.escape(row.get("verdict", ""))}">{"".join(cells)}</tr>')
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def to_html(title: str, sections: list[Section], lang: Lang,
            summaries: list[tuple[str, list[dict[str, str]]]] | None = None, dated: str = "") -> bytes:
    """One HTML file, no external resources: pictures are data URIs, styles inline.
    ``summaries``: (heading, rows) tables before the sections; ``dated``: when it was made."""
    columns = [c for c in COLUMNS if c != "subject"]
    parts = [f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">",
             f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>"]
    if dated:
        parts.append(f'<p class="dated">{html.escape(dated)}</p>')
    for heading, summary in summaries or []:
        if not summary:
            continue
        keys = list(summary[0])
        parts.append(f"<h2>{html.escape(heading)}</h2><table><tr>"
                     + "".join(f"<th>{html.escape(k)}</th>" for k in keys) + "</tr>")
        parts.extend("<tr>" + "".join(f"<td>{html.escape(str(r.get(k, '')))}</td>" for k in keys) + "</tr>"
                     for r in summary)
        parts.append("</table>")
    for section in sections:
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
        parts.extend(f'<p class="note">{html.escape(n)}</p>' for n in section.notes)
        if section.picture_jpeg:
            data = base64.b64encode(section.picture_jpeg).decode("ascii")
            parts.append(f'<p><img alt="{html.escape(section.heading)}" src="data:image/jpeg;base64,{data}"></p>')
        parts.append(_table(section.rows, lang, columns))
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")
