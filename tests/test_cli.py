"""The reviewers' command line: exit codes, JSON, annotated pictures, batch and resume."""

from __future__ import annotations

import json

from PIL import Image

from posture.cli import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_PASS, main


def test_check_exit_codes_json_and_annotation(tmp_path, samples, capsys):
    out = tmp_path / "report.json"
    code = main(["check", str(samples / "hagrid_one_neutral.jpg"), "--lang", "en", "--json", str(out),
                 "--annotate", str(tmp_path / "ann")])
    assert code == EXIT_FAIL  # one-finger point and no smile
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["version"] == "1.0"
    assert {c["id"]: c["verdict"] for c in report["clauses"]}["PT-ONE-FINGER"] == "fail"
    assert "PT-ONE-FINGER" in capsys.readouterr().out
    picture = Image.open(tmp_path / "ann" / "hagrid_one_neutral.annotated.png")
    assert picture.width > 683 and picture.height == 683  # drawn at the photo's own size, panel beside


def test_check_all_pass_exit_zero(samples):
    assert main(["check", str(samples / "astronaut_smile.png"), "--scenario", "standing"]) == EXIT_PASS


def test_check_bad_input_exit_two(tmp_path, samples, capsys):
    (tmp_path / "broken.jpg").write_bytes(b"not a picture")
    code = main(["check", str(tmp_path / "broken.jpg"), str(samples / "astronaut_smile.png")])
    assert code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "broken.jpg: not an image" in err


def test_check_no_person(tmp_path, capsys):
    Image.new("RGB", (320, 240), (120, 160, 200)).save(tmp_path / "sky.png")
    assert main(["check", str(tmp_path / "sky.png"), "--lang", "en"]) == EXIT_BAD_INPUT
    assert "sky.png: no person found" in capsys.readouterr().err


def test_standards_lists_every_clause(capsys):
    assert main(["standards", "--lang", "en"]) == EXIT_PASS
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 45 and any(line.startswith("PT-ONE-FINGER") for line in lines)
