"""Exports: CSV that Excel reads in Chinese, JSON, and one self-contained HTML file."""

from __future__ import annotations

import base64
import csv
import io
import json
import re

import cv2
import numpy as np
import pytest

from posture.exports import COLUMNS, Section, clause_row, jpeg_bytes, to_csv, to_html, to_json


def test_rows_carry_text_advice_source_and_the_override_beside(standard):
    smile = standard.by_id["EX-SMILE"]
    row = clause_row("a.jpg", smile, "fail", "zh", override="pass", note="戴口罩")
    assert row["verdict"] == "fail" and row["reviewer_verdict"] == "pass" and row["reviewer_note"] == "戴口罩"
    assert row["original"] == smile.original and row["advice"] == smile.advice.zh
    assert row["source"] == "000_138f58cf7a7efc19.txt:335-336"
    english = clause_row("a.jpg", smile, "pass", "en")
    assert (english["original"], english["english"]) == (smile.original, smile.english)
    assert english["advice"] == smile.advice.en


def test_csv_has_a_bom_and_round_trips(standard):
    rows = [clause_row("照片.jpg", standard.by_id["EX-SMILE"], "fail", "zh", values="smile_score=0.1 (>= 0.5)")]
    data = to_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    back = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(back[0]) == COLUMNS
    assert back[0]["subject"] == "照片.jpg" and back[0]["title"] == "面带微笑"


def test_json_keeps_chinese_readable():
    assert json.loads(to_json({"标题": "微笑"})) == {"标题": "微笑"}
    assert "微笑".encode() in to_json({"a": "微笑"})


def test_html_is_self_contained_and_escaped(standard):
    picture = np.zeros((2000, 1000, 3), dtype=np.uint8)
    picture[:, :, 0] = 200
    jpeg = jpeg_bytes(picture)
    assert cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).shape == (1280, 640, 3)
    rows = [clause_row("<b>x</b>.jpg", standard.by_id["PT-ONE-FINGER"], "fail", "en", note="<script>")]
    page = to_html("Review <1>", [Section("<b>x</b>.jpg", rows, jpeg, notes=["note & more"])], "en",
                   summaries=[("Weakest", [{"clause": "PT-ONE-FINGER", "failed": "1/1"}])], dated="Made <now>").decode()
    assert "<script>" not in page and "&lt;script&gt;" in page and "Review &lt;1&gt;" in page
    assert "note &amp; more" in page and "Weakest" in page and "Made &lt;now&gt;" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing loaded from elsewhere
    data = re.search(r'src="data:image/jpeg;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(data) == jpeg
    assert '<tr class="fail">' in page and "<td>fail</td>" in page


@pytest.mark.slow
def test_measured_values_of_a_real_report(checker, samples):
    result, _ = checker.check_file(samples / "astronaut_smile.png")
    smile = next(c for c in result.report.clauses if c.id == "EX-SMILE")
    assert re.fullmatch(r"smile_score=0\.\d+ \(>= 0\.5\)", smile.values_text())
