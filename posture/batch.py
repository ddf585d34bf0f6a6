"""``posture batch``: every photo of a folder into one CSV, on several processes, resumable.

Each photo's rows are written in one go and flushed, so an interrupted run loses at most
the photos in flight; running the same command again skips the photos already in the CSV.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from posture.cli import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_PASS, IMAGE_SUFFIXES

CSV_FIELDS = ["photo", "person", "box", "clause", "verdict", "severity", "title", "values", "confidence", "advice",
              "source", "scenario", "error"]

_checker = None  # one Checker per worker process
_options: dict[str, object] = {}


def find_photos(folder: Path) -> list[Path]:
    """Image files under ``folder`` (by suffix), sorted, hidden files skipped."""
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))


def _init_worker(standards: Path | None, options: dict[str, object]) -> None:
    global _checker, _options
    os.environ.setdefault("GLOG_minloglevel", "2")
    from posture.pipeline import Checker
    from posture.standards import load_standard

    _checker = Checker(load_standard(standards))
    _options = options


def _check_one(photo: str) -> tuple[str, list[dict[str, object]], str | None, bool]:
    """(photo, rows, error, any clause failed) for one photo, in a worker."""
    from posture.images import BadInput

    lang = _options["lang"]
    try:
        result, _ = _checker.check_file(photo, scenario=_options["scenario"], profile=_options["profile"],
                                        mirrored=_options["mirrored"])
    except BadInput as exc:
        return photo, [], str(exc), False
    except Exception as exc:  # noqa: BLE001 - one broken photo must not stop the batch
        return photo, [], f"{photo}: could not be checked ({type(exc).__name__}: {exc})", False
    report = result.report
    if not report.person.judgeable:
        return photo, [], f"{photo}: " + "; ".join(w.get(lang) for w in report.person.warnings), False
    rows = [{**row, "photo": photo, "scenario": "/".join(person.report.scenarios), "error": "",
             "person": person.report.id, "box": " ".join(f"{v:.0f}" for v in person.report.person.box or [])}
            for person in result.everyone for row in person.report.rows(lang)]
    return photo, rows, None, any(person.report.score.failed > 0 for person in result.everyone)


def _done_photos(out: Path) -> set[str]:
    """Photos already in the CSV; a torn last line from an interrupted write is removed."""
    if not out.exists() or out.stat().st_size == 0:
        return set()
    data = out.read_bytes()
    if not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
        out.write_bytes(data)
    return {row["photo"] for row in csv.DictReader(io.StringIO(data.decode("utf-8")))}


def _append(handle, rows: list[dict[str, object]]) -> None:
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=CSV_FIELDS).writerows(rows)
    handle.write(buf.getvalue())
    handle.flush()
    os.fsync(handle.fileno())


def run_batch(folder: Path, out: Path, *, scenario: str = "auto", profile: str = "any", lang: str = "zh",
              standards: Path | None = None, workers: int = 2, mirrored: bool = False,
              progress: bool = True) -> int:
    """Check every photo under ``folder`` into ``out``; returns the CLI exit code."""
    if not folder.is_dir():
        print(f"error: {folder}: not a folder", file=sys.stderr)
        return EXIT_BAD_INPUT
    photos = [str(p) for p in find_photos(folder)]
    done = _done_photos(out)
    todo = [p for p in photos if p not in done]
    if done:
        print(f"resuming: {len(done)} photos already in {out}, {len(todo)} to go")
    options = {"scenario": scenario, "profile": profile, "lang": lang, "mirrored": mirrored}
    errors: list[str] = []
    any_fail = False
    new_file = not out.exists() or out.stat().st_size == 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8", newline="") as handle:
        if new_file:
            csv.DictWriter(handle, fieldnames=CSV_FIELDS).writeheader()
        bar = tqdm(total=len(todo), unit="photo", disable=not progress)

        def record(photo: str, rows: list[dict[str, object]], error: str | None, failed: bool) -> None:
            nonlocal any_fail
            if error:
                errors.append(error)
                rows = [{"photo": photo, "verdict": "error", "error": error}]
            any_fail |= failed
            _append(handle, rows)
            bar.update(1)

        if workers <= 1:
            _init_worker(standards, options)
            for photo in todo:
                record(*_check_one(photo))
        elif todo:
            ctx = get_context("spawn")  # MediaPipe's threads do not survive a fork
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                     initargs=(standards, options)) as pool:
                futures = [pool.submit(_check_one, p) for p in todo]
                for fut in as_completed(futures):
                    record(*fut.result())
        bar.close()
    print(f"{len(todo)} photos checked into {out}" + (f", {len(errors)} could not be checked:" if errors else ""))
    for e in errors:
        print(f"  {e}")
    if errors:
        return EXIT_BAD_INPUT
    return EXIT_FAIL if any_fail else EXIT_PASS
