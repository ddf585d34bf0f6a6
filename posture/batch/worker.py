"""What runs in a worker process, for the local pool and the Dask workers alike: the
thread limits, one Checker per process (per thread, if a worker runs several) made at the
first photo and reused, and :func:`run_unit`, which never raises for a bad file."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from posture.mediapipe_graphs import THREADS_ENV

# One thread each for the math libraries and MediaPipe's graphs, so N single-threaded
# workers use N cores: set before NumPy and OpenCV are loaded in a worker (the local pool
# sets them in the parent's environment, Dask's nanny does so itself); cv2.setNumThreads
# again at the first unit. MediaPipe's own pool would take 1.3 cores a worker.
THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1", THREADS_ENV: "1"}
QUIET_ENV = {"GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}

_local = threading.local()


@dataclass
class UnitResult:
    key: str
    kind: str
    part: int = 0
    rows: list[dict[str, object]] = field(default_factory=list)  # a photo's rows
    report: str | None = None  # a photo's report as JSON, when the JSON-lines file is wanted
    video: object | None = None  # a video range's PartResult
    error: str | None = None  # why the file could not be checked
    failed: bool = False  # a clause failed


def limit_threads() -> None:
    """Called in each worker before the first unit."""
    for name, value in {**THREAD_ENV, **QUIET_ENV}.items():
        os.environ.setdefault(name, value)
    import cv2

    cv2.setNumThreads(1)


def init_pool_worker() -> None:
    """The local pool's worker start: Ctrl-C is the main process's to handle, and the worker
    dies with the main process, even killed (-9), instead of staying behind."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    limit_threads()


@contextmanager
def children_ignore_ctrl_c() -> Iterator[None]:
    """Processes started inside ignore Ctrl-C from their first instruction (an ignored signal
    is inherited, and Python then leaves it ignored): a terminal sends Ctrl-C to the whole
    process group, and only the main process, which stops them, should act on it."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: nothing to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies; elsewhere a thread
    watches the parent."""
    parent = os.getppid()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="posture-parent-watch").start()


def _standard(standards: str | None):
    cache = _local.__dict__.setdefault("standards", {})
    if standards not in cache:
        from posture.standards import load_standard

        cache[standards] = load_standard(Path(standards) if standards else None)
    return cache[standards]


def _photo_checker(standards: str | None):
    """This process's (thread's) Checker for photos, made once."""
    cache = _local.__dict__.setdefault("checkers", {})
    if standards not in cache:
        from posture.pipeline import Checker

        limit_threads()
        cache[standards] = Checker(_standard(standards))
    return cache[standards]


def run_unit(unit, options: dict) -> UnitResult:
    """Check one unit (posture.batch.units.Unit) with ``options`` (scenario, profile, lang,
    mirrored, standards, sample_fps, reports). A file that cannot be read is an error result."""
    from posture.batch.rows import photo_rows
    from posture.images import BadInput

    out = UnitResult(unit.key, unit.kind, unit.part)
    try:
        if unit.kind == "video":
            from posture.batch.video_parts import check_part

            limit_threads()
            out.video = check_part(unit, _standard(options["standards"]), options)
            return out
        result, _ = _photo_checker(options["standards"]).check_file(
            unit.key, scenario=options["scenario"], profile=options["profile"], mirrored=options["mirrored"])
    except BadInput as exc:
        out.error = str(exc)
        return out
    except Exception as exc:  # noqa: BLE001 - one broken file must not stop the batch
        out.error = f"{unit.name}: could not be checked ({type(exc).__name__}: {exc})"
        return out
    report = result.report
    if not report.person.judgeable:
        out.error = f"{unit.key}: " + "; ".join(w.get(options["lang"]) for w in report.person.warnings)
        return out
    everyone = result.everyone  # every person of the photo, each with their rows
    out.rows = [r for person in everyone for r in photo_rows(unit.key, person.report, options["lang"])]
    out.failed = any(person.report.score.failed > 0 for person in everyone)
    if options.get("reports"):
        out.report = (result.frame or report).model_dump_json()
    return out


def run_units(units: list, options: dict) -> list[UnitResult]:
    """:func:`run_unit` for each unit of one task (a video range, or a few photos); looked up
    at each call, so that a replaced ``run_unit`` is the one run."""
    return [run_unit(unit, options) for unit in units]
