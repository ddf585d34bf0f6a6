"""``posture batch``: every photo and video of a folder (or a list) into one CSV, on this
machine's processes or on a Dask cluster, resumable.

Results arrive in completion order and each file's rows are written as they come (see
csv_store); running the same command again skips the files already written whole.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from posture.batch.csv_store import CsvStore, JsonlStore, StoreError
from posture.batch.rows import error_rows, video_rows
from posture.batch.sources import list_source
from posture.batch.units import DEFAULT_RANGE_S, Unit, plan
from posture.batch.worker import UnitResult
from posture.cli import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_INTERRUPTED, EXIT_PASS, RESUME_HINT

MAX_FAILURES = 3  # a file whose worker dies this many times is given up


def run_batch(source: Path, out: Path, *, scenario: str = "auto", profile: str = "any", lang: str = "zh",
              standards: Path | None = None, workers: int = 2, mirrored: bool = False, progress: bool = True,
              cluster: str | None = None, scheduler: str | None = None, jsonl: Path | None = None,
              sample_fps: float | None = None, range_s: float = DEFAULT_RANGE_S,
              max_failures: int = MAX_FAILURES) -> int:
    """Check every photo and video of ``source`` into ``out``; returns the CLI exit code."""
    from posture.standards import load_standard
    from posture.video import DEFAULT_SAMPLE_FPS

    try:
        listing = list_source(source)
        store = CsvStore(out)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (StoreError, OSError) as exc:
        print(f"error: {out}: {exc}; choose another --out", file=sys.stderr)
        return EXIT_BAD_INPUT
    reports = JsonlStore(jsonl, store.done) if jsonl else None
    todo = [item for item in listing.items if item.key not in store.done]
    if store.done or store.retried:
        notes = ([f"{store.retried} that could not be checked, tried again"] if store.retried else []) + (
            ["an unfinished last write was removed"] if store.repaired else [])
        print(f"resuming: {len(store.done)} files already in {out}, {len(todo)} to go"
              + (f" ({'; '.join(notes)})" if notes else ""))
    options = {"scenario": scenario, "profile": profile, "lang": lang, "mirrored": mirrored,
               "standards": str(standards) if standards else None,
               "sample_fps": DEFAULT_SAMPLE_FPS if sample_fps is None else sample_fps, "reports": jsonl is not None}
    standard = load_standard(standards)
    units = plan(todo, range_s)
    tally = Tally()
    # The bar moves by work unit (a photo, or one time range of a video), so that a long video
    # shows its progress; the files written are counted beside it.
    bar = tqdm(total=len(units), unit="part", disable=not progress, smoothing=0.1)
    bar.set_postfix_str(f"0/{len(todo)} files")
    try:
        with _results(units, options, workers=workers, cluster=cluster, scheduler=scheduler,
                      max_failures=max_failures) as results:
            for key, kind, rows, record, error, failed in _files(results, units, standard, options,
                                                                 on_unit=lambda: bar.update(1)):
                if reports is not None:
                    reports.write({"file": key, "kind": kind, **({"error": error} if error else {}),
                                   **({"report": json.loads(record)} if record else {})})
                store.write(rows)
                tally.add(kind, error, failed)
                bar.set_postfix_str(f"{tally.written()}/{len(todo)} files")
    except KeyboardInterrupt:
        bar.close()
        print(f"\ninterrupted; {RESUME_HINT}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        from posture.batch.dask_runner import ClusterError, SchedulerLost

        if not isinstance(exc, SchedulerLost | ClusterError):
            raise
        bar.close()
        what = "lost the Dask scheduler" if isinstance(exc, SchedulerLost) else "no cluster"
        print(f"error: {what} ({exc}); {tally.written()} files were written to {out}; {RESUME_HINT}",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        store.close()
        if reports is not None:
            reports.close()
    bar.close()
    print(tally.summary(out, listing.skipped))
    # Over the whole CSV, files of earlier runs included; skipped files are listed, but do not count.
    if tally.errors or "error" in store.verdicts:
        return EXIT_BAD_INPUT
    return EXIT_FAIL if tally.any_fail or "fail" in store.verdicts else EXIT_PASS


@contextmanager
def _results(units: list[Unit], options: dict, *, workers: int, cluster: str | None, scheduler: str | None,
             max_failures: int) -> Iterator[Iterator[UnitResult]]:
    """The chosen engine's results (a LocalCluster lives as long as the context)."""
    from posture.batch import local_pool

    if not units:
        yield iter(())
    elif cluster or scheduler:
        from posture.batch.dask_runner import dask_client, run_dask

        with dask_client(cluster=cluster, scheduler=scheduler, max_failures=max_failures) as client:
            yield run_dask(client, units, options, max_failures)
    elif workers <= 1:
        yield local_pool.run_in_process(units, options)
    else:
        yield local_pool.run_pool(units, options, workers, max_failures)


def _files(results: Iterator[UnitResult], units: list[Unit], standard, options: dict,
           on_unit: Callable[[], object] = lambda: None):
    """(key, kind, rows, report JSON, error, failed) per file as its last unit arrives; a
    video's ranges are joined, and a unit arriving twice is taken once. ``on_unit`` is called
    for each unit taken (a file given up early counts its units not yet arrived)."""
    from posture.batch.video_parts import join_parts

    parts_of = {u.key: u.parts for u in units}
    pending: dict[str, dict[int, UnitResult]] = {}
    finished: set[str] = set()
    try:
        for result in results:
            key = result.key
            if key in finished:
                continue
            got = pending.setdefault(key, {})
            if result.part in got:
                continue
            got[result.part] = result
            on_unit()
            if result.error is None and len(got) < parts_of[key]:
                continue
            for _ in range(parts_of[key] - len(got)):  # an error ends the file: its other parts are not awaited
                on_unit()
            finished.add(key)
            del pending[key]
            error = next((r.error for r in got.values() if r.error), None)
            if error:
                yield key, result.kind, error_rows(key, result.kind, error), None, error, False
            elif result.kind == "photo":
                yield key, "photo", result.rows, result.report, None, result.failed
            else:
                report = join_parts(key, [got[i].video for i in sorted(got)], standard, options)
                if report.frames_with_person == 0:
                    error = f"{key}: no person found"
                    yield key, "video", error_rows(key, "video", error), None, error, False
                    continue
                failed = report.score.failed > 0 or any(c.verdict == "fail" for c in report.still)
                yield (key, "video", video_rows(key, report, standard, options["lang"]),
                       report.model_dump_json() if options["reports"] else None, None, failed)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()


class Tally:
    """What this run did, for the summary line."""

    def __init__(self) -> None:
        self.checked = {"photo": 0, "video": 0}
        self.errors: list[str] = []
        self.any_fail = False

    def add(self, kind: str, error: str | None, failed: bool) -> None:
        if error:
            self.errors.append(error)
        else:
            self.checked[kind] += 1
        self.any_fail |= failed

    def written(self) -> int:
        return sum(self.checked.values()) + len(self.errors)

    def summary(self, out: Path, skipped: list[tuple[str, str]]) -> str:
        photos, videos = self.checked["photo"], self.checked["video"]
        parts = [f"{photos} photo{'s' * (photos != 1)} checked"]
        if videos:
            parts.append(f"{videos} video{'s' * (videos != 1)} checked")
        if self.errors:
            parts.append(f"{len(self.errors)} could not be checked")
        if skipped:
            parts.append(f"{len(skipped)} skipped")
        lines = [", ".join(parts) + f" (results in {out})"]
        if self.errors:
            lines.append("could not be checked:")
            lines.extend(f"  {e}" for e in self.errors)
        if skipped:
            lines.append("skipped:")
            lines.extend(f"  {path}: {reason}" for path, reason in skipped)
        return "\n".join(lines)
