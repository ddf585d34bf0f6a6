"""`posture batch` on this process: photos and videos into one CSV, torn writes repaired at
every byte, resume by relative or absolute path, skipped files listed, formula cells
neutralised, a video's time ranges joined so that a bow across a cut is counted once."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from sequences import LandmarkChecker
from test_sequence import BOW_AT, greeter

from posture.batch import run_batch
from posture.batch.csv_store import BOM, FIELDS, CsvStore, JsonlStore
from posture.batch.rows import row
from posture.batch.sources import file_key, list_source
from posture.batch.units import Unit, plan
from posture.batch.video_parts import PartResult, join_parts
from posture.cli import EXIT_BAD_INPUT, main
from posture.exports import csv_bytes, safe_cell, to_csv
from posture.sequence import SequenceTracker


def read_rows(path):
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.fixture()
def photo_folder(tmp_path, samples):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("astronaut_smile.png", "hagrid_one_neutral.jpg", "hagrid_palm.jpg"):
        shutil.copy(samples / name, folder / name)
    (folder / "zz_broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    return folder


# --- CSV cells -------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "@SUM(A1)", "-1+2", "-", "\tx", "\rx",
                                   "=1.jpg"])
def test_formula_cells_are_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12.5", "-3", "-3e-2", "12", "Smile", "微笑", "", 0.5, -2.0, None])
def test_plain_values_and_negative_numbers_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_every_csv_writer_neutralises(tmp_path):
    evil = "=HYPERLINK(\"http://evil\",\"x\")"
    export = to_csv([{"subject": evil, "clause": "@SUM(A1)", "values": "-4.5"}]).decode("utf-8-sig")
    assert "'=HYPERLINK" in export and "'@SUM(A1)" in export and ",-4.5" in export
    assert csv_bytes([{"video": "+1+1"}], ["video"]).decode("utf-8-sig").splitlines()[1] == "'+1+1"
    store = CsvStore(tmp_path / "r.csv")
    store.write([row("=x.jpg", "photo", clause="C", error="-1+1", confidence=-0.5)])
    store.close()
    [written] = read_rows(tmp_path / "r.csv")
    assert (written["file"], written["error"], written["confidence"]) == ("'=x.jpg", "'-1+1", "-0.5")


# --- the CSV on disk -------------------------------------------------------------------------

def three_files(path):
    store = CsvStore(path)
    store.write([row("/a.jpg", "photo", clause="X", title="微笑, \"quoted\"")])
    store.write([row("/b.jpg", "photo", clause=c, values="line one\nline two") for c in ("X", "Y", "Z")])
    store.write([row("/c.jpg", "photo", clause=c, advice="保持微笑, 别\n皱眉") for c in ("X", "Y", "Z", "W")])
    store.close()


def test_a_torn_write_at_every_byte_of_the_last_file_is_removed(tmp_path):
    full = tmp_path / "full.csv"
    three_files(full)
    data = full.read_bytes()
    assert data.startswith(BOM.encode("utf-8"))
    two = tmp_path / "two.csv"
    store = CsvStore(two)
    store.write([row("/a.jpg", "photo", clause="X", title="微笑, \"quoted\"")])
    store.write([row("/b.jpg", "photo", clause=c, values="line one\nline two") for c in ("X", "Y", "Z")])
    store.close()
    clean = two.read_bytes()
    torn = tmp_path / "torn.csv"
    for cut in range(len(clean), len(data)):  # every cut inside the last file's rows
        torn.write_bytes(data[:cut])
        CsvStore(torn).close()
        assert torn.read_bytes() == clean, cut
        assert CsvStore(torn).done == {"/a.jpg", "/b.jpg"}
    torn.write_bytes(data)
    assert CsvStore(torn).done == {"/a.jpg", "/b.jpg", "/c.jpg"} and torn.read_bytes() == data


def test_a_torn_header_starts_again_and_another_csv_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes((BOM + ",".join(FIELDS))[:20].encode("utf-8"))
    assert CsvStore(path).done == set()
    assert path.read_bytes().decode("utf-8") == BOM + ",".join(FIELDS) + "\r\n"
    other = tmp_path / "other.csv"
    other.write_text("name,score\nx,1\n", encoding="utf-8")
    assert main(["batch", str(tmp_path), "--out", str(other), "--workers", "1", "-q"]) == EXIT_BAD_INPUT
    assert other.read_text(encoding="utf-8") == "name,score\nx,1\n"  # left as it was


def test_jsonl_keeps_only_the_files_in_the_csv(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"file": "/a.jpg"}\n{"file": "/b.jpg"}\n{"file": "/a.jpg"}\n{"file": "/c.j')
    JsonlStore(path, {"/a.jpg"}).close()
    assert path.read_bytes() == b'{"file": "/a.jpg"}\n'


# --- sources ---------------------------------------------------------------------------------

def test_listing_names_what_it_skips_and_why(tmp_path, samples):
    for name in ("a.jpg", "IMG_1.HEIC", ".hidden.jpg", "trailing.jpg ", "notes.txt", "clip.mp4"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.jpg").write_bytes(b"x")
    listing = list_source(tmp_path)
    assert [(i.key.rsplit("/", 1)[-1], i.kind) for i in listing.items] == [("a.jpg", "photo"), ("clip.mp4", "video")]
    reasons = {p.rsplit("/", 1)[-1]: r for p, r in listing.skipped}
    assert "HEIC" in reasons["IMG_1.HEIC"] and reasons[".hidden.jpg"] == "hidden file"
    assert "space" in reasons["trailing.jpg "] and "not a photo" in reasons["notes.txt"]


def test_a_text_file_of_paths_relative_to_itself(tmp_path, samples):
    (tmp_path / "list.txt").write_text(f"# today\n{samples / 'hagrid_palm.jpg'}\nsub/x.jpg\nmissing.jpg\n\n",
                                       encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.jpg").write_bytes(b"x")
    listing = list_source(tmp_path / "list.txt")
    assert [i.key for i in listing.items] == [file_key(samples / "hagrid_palm.jpg"), file_key(tmp_path / "sub/x.jpg")]
    assert listing.skipped == [(str(tmp_path / "missing.jpg"), "not found")]


def test_long_videos_are_planned_in_ranges_and_photos_alone(tmp_path, monkeypatch):
    from posture.batch import units
    from posture.batch.sources import Item

    monkeypatch.setattr(units, "video_duration", lambda path: 150.0)
    got = plan([Item("/p.jpg", "photo"), Item("/v.mp4", "video")], range_s=60)
    assert got[0] == Unit("/p.jpg", "photo")
    assert [(u.part, u.parts, u.start_s, u.end_s) for u in got[1:]] == [
        (0, 3, 0.0, 50.0), (1, 3, 50.0, 100.0), (2, 3, 100.0, float("inf"))]


# --- whole runs ------------------------------------------------------------------------------

def test_batch_rows_summary_bom_and_resume_by_relative_or_absolute_path(photo_folder, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "results.csv"
    code = main(["batch", "photos", "--out", "results.csv", "--workers", "1", "--lang", "zh", "-q"])
    assert code == EXIT_BAD_INPUT  # the broken photo is listed, the others are checked
    printed = capsys.readouterr().out
    assert "3 photos checked, 1 could not be checked" in printed and "zz_broken.jpg: not an image" in printed
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "微笑".encode() in data  # Excel reads the Chinese
    rows = read_rows(out)
    assert {r["file"] for r in rows} == {str(photo_folder.resolve() / n) for n in
                                         ("astronaut_smile.png", "hagrid_one_neutral.jpg", "hagrid_palm.jpg",
                                          "zz_broken.jpg")}
    one = next(r for r in rows if r["file"].endswith("hagrid_one_neutral.jpg") and r["clause"] == "PT-ONE-FINGER")
    assert one["verdict"] == "fail"
    assert [r["verdict"] for r in rows if r["file"].endswith("zz_broken.jpg")] == ["error"]
    # The same folder by its absolute path, then by a path with "..": nothing checked again
    # but the file that could not be checked, tried again (it is the last file: same bytes).
    for source in (str(photo_folder), f"{photo_folder}/../photos"):
        assert main(["batch", source, "--out", str(out), "--workers", "1", "-q"]) == EXIT_BAD_INPUT
        assert "resuming: 3 files already in" in (said := capsys.readouterr().out)
        assert "1 to go (1 that could not be checked, tried again)" in said
        assert out.read_bytes() == data


def test_a_rerun_tries_again_the_files_that_could_not_be_checked(photo_folder, tmp_path, samples, capsys):
    """A file that failed for a passing reason (here: broken, then replaced by a good copy,
    as a file missing on a worker would be found again) is checked on the rerun; its error row
    is gone, and the files checked before are not checked again."""
    out = tmp_path / "results.csv"
    run_batch(photo_folder, out, workers=1, progress=False, lang="en")
    before = read_rows(out)
    assert [r["verdict"] for r in before if r["file"].endswith("zz_broken.jpg")] == ["error"]
    shutil.copy(samples / "hagrid_palm.jpg", photo_folder / "zz_broken.jpg")
    assert run_batch(photo_folder, out, workers=1, progress=False, lang="en") != EXIT_BAD_INPUT
    assert "resuming: 3 files already in" in capsys.readouterr().out
    after = read_rows(out)
    fixed = [r for r in after if r["file"].endswith("zz_broken.jpg")]
    assert len(fixed) > 5 and "error" not in {r["verdict"] for r in fixed}
    others = [r for r in after if not r["file"].endswith("zz_broken.jpg")]
    assert others == [r for r in before if not r["file"].endswith("zz_broken.jpg")]


def test_a_torn_last_photo_is_checked_again_and_the_csv_equals_a_clean_run(photo_folder, tmp_path, capsys):
    (photo_folder / "zz_broken.jpg").unlink()
    out = tmp_path / "results.csv"
    run_batch(photo_folder, out, workers=1, progress=False, lang="en")
    clean = out.read_bytes()
    (tmp_path / "clean.csv").write_bytes(clean)
    last_file = read_rows(out)[-1]["file"]
    assert last_file.endswith("hagrid_palm.jpg") and len([r for r in read_rows(out) if r["file"] == last_file]) > 5
    start = clean.index(last_file.encode())  # where the last photo's rows start
    for cut in (start + 1, (start + len(clean)) // 2, len(clean) - 3, len(clean) - 1):
        out.write_bytes(clean[:cut])
        run_batch(photo_folder, out, workers=1, progress=False, lang="en")
        assert "1 to go (an unfinished last write was removed)" in capsys.readouterr().out
        again = out.read_bytes()
        assert again[:start] == clean[:start]  # the photos before it, untouched
        # The photo checked again: its rows once, the same verdicts (MediaPipe's figures move
        # in the third digit with the photo checked before, which differs here).
        assert verdicts(read_rows(out)) == verdicts(read_rows(tmp_path / "clean.csv"))


def verdicts(rows):
    return sorted((r["file"], r["clause"], r["verdict"], r["rows_of_file"]) for r in rows)


def test_bow_across_a_cut_between_two_ranges_is_counted_once(standard):
    """The frames of two ranges cut in the middle of a bow, joined: the same report as one
    pass over the whole video, one bow; each range judged alone would lose it."""
    checker = LandmarkChecker(standard)
    observer = SequenceTracker(standard, profile="female", scenario="standing")
    cut = BOW_AT + 1.0  # the deepest point of the bow
    parts = [PartResult(), PartResult()]
    whole = SequenceTracker(standard, profile="female", scenario="standing")
    for i in range(60):
        t = i / 10
        result = checker.check_landmarks(greeter(20)(t).landmarks(), scenario="standing", profile="female")
        whole.update(t, result)
        parts[t >= cut].frames.append((t, observer.observe(result)))
    options = {"profile": "female", "scenario": "standing", "sample_fps": 10.0}
    joined = join_parts("/v.mp4", parts, standard, options)
    expected = whole.report()
    assert [e.kind for e in joined.events].count("bow") == 1
    assert [c.model_dump() for c in joined.clauses] == [c.model_dump() for c in expected.clauses]
    assert joined.timeline == expected.timeline
    alone = [join_parts("/v.mp4", [p], standard, options) for p in parts]
    assert sum([e.kind for e in r.events].count("bow") for r in alone) == 0


def test_batch_on_two_processes_gives_the_same_rows(photo_folder, tmp_path):
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    run_batch(photo_folder, one, workers=1, progress=False)
    run_batch(photo_folder, two, workers=2, progress=False)
    assert verdicts(read_rows(two)) == verdicts(read_rows(one))


def test_progress_moves_by_part_and_a_failed_video_counts_its_parts(standard):
    """A long video is several units: the bar moves as each range arrives (not once at the
    end), and a video given up on its first range counts its other ranges as done."""
    from posture.batch.runner import _files
    from posture.batch.worker import UnitResult

    units = [Unit("/v.mp4", "video", i, 3, 10.0 * i, 10.0 * (i + 1)) for i in range(3)] + [
        Unit("/w.mp4", "video", i, 2, 10.0 * i, 10.0 * (i + 1)) for i in range(2)] + [Unit("/a.jpg", "photo")]
    results = [UnitResult("/v.mp4", "video", 0, video=PartResult()), UnitResult("/a.jpg", "photo", rows=[{}]),
               UnitResult("/v.mp4", "video", 0, video=PartResult()),  # a retried part, arriving twice
               UnitResult("/w.mp4", "video", 1, error="/w.mp4: could not be read"),
               UnitResult("/v.mp4", "video", 1, video=PartResult()), UnitResult("/w.mp4", "video", 0)]
    ticks: list[int] = []
    files = _files(iter(results), units, standard, {"lang": "en", "reports": False},
                   on_unit=lambda: ticks.append(len(ticks)))
    taken = []
    for key, *_ in files:
        taken.append((key, len(ticks)))
    # /a.jpg after 2 parts; /w.mp4 given up at its first arrival: both its parts counted.
    assert taken == [("/a.jpg", 2), ("/w.mp4", 4)]
    assert len(ticks) == 5  # /v.mp4's third range never came: 2 of its 3 parts
