"""The reviewers' command line: exit codes, JSON, annotated pictures, batch and resume."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from PIL import Image

from posture.batch import run_batch
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


@pytest.fixture()
def photo_folder(tmp_path, samples):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("astronaut_smile.png", "hagrid_one_neutral.jpg", "hagrid_palm.jpg"):
        shutil.copy(samples / name, folder / name)
    (folder / "zz_broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    return folder


def rows_of(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_batch_writes_rows_lists_failures_and_resumes(photo_folder, tmp_path, capsys):
    out = tmp_path / "results.csv"
    code = run_batch(photo_folder, out, workers=1, progress=False, lang="en")
    assert code == EXIT_BAD_INPUT  # the broken photo is listed, the others are checked
    rows = rows_of(out)
    photos = {r["photo"].rsplit("/", 1)[-1] for r in rows}
    assert photos == {"astronaut_smile.png", "hagrid_one_neutral.jpg", "hagrid_palm.jpg", "zz_broken.jpg"}
    one = [r for r in rows if r["photo"].endswith("hagrid_one_neutral.jpg") and r["clause"] == "PT-ONE-FINGER"]
    assert one[0]["verdict"] == "fail"
    assert [r["verdict"] for r in rows if r["photo"].endswith("zz_broken.jpg")] == ["error"]
    assert "zz_broken.jpg: not an image" in capsys.readouterr().out

    # Interrupted run: drop the last photo's rows and leave a torn line, then resume.
    keep = [r for r in rows if not r["photo"].endswith("hagrid_palm.jpg")]
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(keep)
        f.write("/half/written,PT-")
    run_batch(photo_folder, out, workers=1, progress=False, lang="en")
    assert "1 to go" in capsys.readouterr().out
    again = rows_of(out)
    assert sorted((r["photo"], r["clause"]) for r in again) == sorted((r["photo"], r["clause"]) for r in rows)


def test_batch_on_two_processes(photo_folder, tmp_path):
    out = tmp_path / "results.csv"
    run_batch(photo_folder, out, workers=2, progress=False)
    assert len({r["photo"] for r in rows_of(out)}) == 4
