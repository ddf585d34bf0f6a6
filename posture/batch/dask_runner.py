"""Units on a Dask cluster (``dask.distributed``): a LocalCluster of single-threaded worker
processes on this machine (``--cluster local:N``), or an existing scheduler
(``--scheduler tcp://HOST:8786``) whose workers see the files at the same paths.

Photos go a few to a task (:func:`photos_per_task`): each task costs the scheduler, the
worker and the client some milliseconds, a tenth of a photo's check. Dask re-runs a task
whose worker died on another worker; after ``max_failures`` deaths it gives the task up
(KilledWorker): a task of several photos is then split and each photo tried alone, so only
the file that kills its worker is listed as failed. A lost scheduler cancels everything in
flight: the run stops with :class:`SchedulerLost` and a rerun resumes.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from posture.batch.units import Unit
from posture.batch.worker import QUIET_ENV, THREAD_ENV, UnitResult, children_ignore_ctrl_c, run_units


class SchedulerLost(Exception):
    """The connection to the Dask scheduler is gone."""


class ClusterError(Exception):
    """A cluster that cannot be started or reached; the message says which."""


def parse_local(spec: str) -> int:
    """``local:N`` -> N."""
    kind, _, n = spec.partition(":")
    if kind != "local" or not n.isdigit() or int(n) < 1:
        raise ClusterError(f"--cluster {spec}: expected local:N, N workers (e.g. local:2)")
    return int(n)


@contextmanager
def dask_client(*, cluster: str | None = None, scheduler: str | None = None, max_failures: int = 3):
    """A connected ``distributed.Client``; a LocalCluster is started and stopped with it."""
    import dask
    from distributed import Client, LocalCluster

    # A unit is tried max_failures times in all; one unit at a time on a worker (saturation
    # 1.0), so that a worker's death counts against the unit that killed it only, not one
    # queued behind it; the nanny starts each worker with the thread limits (Dask's own
    # defaults set OMP/MKL/OpenBLAS to 1 too). Dask's defaults also set glibc's
    # MALLOC_TRIM_THRESHOLD_, which turns off malloc's adaptive mmap threshold: each frame's
    # buffers (a 640 x 480 picture is 0.9 MB) are then mapped and unmapped afresh, and a
    # worker took ~15% more CPU per frame than the local pool's (video, 2 workers: 27-33 vs
    # 34 frames/s); unset (None), the workers keep glibc's defaults, as the pool's do.
    environ = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), **THREAD_ENV, **QUIET_ENV,
               "MALLOC_TRIM_THRESHOLD_": None}
    settings = {"distributed.scheduler.allowed-failures": max_failures - 1,
                "distributed.scheduler.worker-saturation": 1.0,
                # Its statistical profiler samples the worker every 10 ms for a dashboard
                # that is not started here.
                "distributed.worker.profile.enabled": False,
                # Each process checks its event loop's health every 20 ms and samples CPU,
                # memory and disk every 0.5 s for that dashboard; less often, they leave the
                # checks the CPU (with 2 workers on 2 cores: 19.6 -> 22-23 photos/s).
                "distributed.admin.tick.interval": "1s",
                "distributed.admin.system-monitor.interval": "5s",
                "distributed.admin.system-monitor.disk": False,
                "distributed.nanny.pre-spawn-environ": environ}
    # The client logs a lost scheduler with tracebacks; the command says it in one line.
    logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
    with dask.config.set(settings):
        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ClusterError(f"could not reach the Dask scheduler at {scheduler} ({exc})") from exc
            try:
                yield client
            finally:
                _quiet_close(client)
            return
        n = parse_local(cluster or "")
        with children_ignore_ctrl_c():  # the nannies, and the workers they start, inherit it
            local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                 worker_dashboard_address=None, scheduler_port=0, silence_logs=logging.ERROR)
        client = Client(local)
        try:
            yield client
        finally:
            _quiet_close(client)
            local.close()


def _quiet_close(client) -> None:
    logging.getLogger("distributed").setLevel(logging.CRITICAL)  # no "connection lost" noise at the end
    with suppress(Exception):  # closing a client whose scheduler is gone
        client.close(timeout=10)


# At most this many photos a task: ~0.4 s of work, against ~10 ms of Dask's per task.
MAX_PHOTOS_PER_TASK = 4
TASKS_PER_WORKER = 4  # at least, so that the work still spreads evenly and ends together


def photos_per_task(photos: int, workers: int) -> int:
    """How many photos one task takes: up to :data:`MAX_PHOTOS_PER_TASK`, fewer when the
    photos would otherwise make fewer than :data:`TASKS_PER_WORKER` tasks a worker."""
    return max(1, min(MAX_PHOTOS_PER_TASK, photos // (TASKS_PER_WORKER * max(1, workers))))


def tasks_of(units: list[Unit], per_task: int) -> list[list[Unit]]:
    """The units as tasks: each video range alone, photos ``per_task`` at a time."""
    photos = [u for u in units if u.kind != "video"]
    return ([[u] for u in units if u.kind == "video"]
            + [photos[i:i + per_task] for i in range(0, len(photos), per_task)])


def run_dask(client, units: list[Unit], options: dict, max_failures: int = 3) -> Iterator[UnitResult]:
    """Results in completion order; a unit given up after worker deaths is an error result.
    Photos go :func:`photos_per_task` to a task, for the workers the cluster has now."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    workers = len(client.scheduler_info().get("workers", {}))
    per_task = photos_per_task(sum(u.kind != "video" for u in units), workers)
    run = uuid.uuid4().hex[:8]
    numbers = itertools.count()
    futures: dict = {}

    def submit(task: list[Unit]) -> None:
        future = client.submit(run_units, task, options, key=f"posture-{run}-{next(numbers)}", pure=False)
        futures[future] = task
        pending.add(future)

    pending = as_completed()
    for task in tasks_of(units, per_task):
        submit(task)
    try:
        for future in pending:
            task = futures.pop(future)
            if future.status == "finished":
                yield from future.result()
            elif future.status == "error" and isinstance(future.exception(), KilledWorker) and len(task) > 1:
                for unit in task:  # which of them kills its worker: each alone
                    submit([unit])
            elif future.status == "error" and isinstance(future.exception(), KilledWorker):
                unit = task[0]
                yield UnitResult(unit.key, unit.kind, unit.part, error=(
                    f"{unit.name}: a worker died {max_failures} time(s) while checking it (killed, out of "
                    f"memory, or a crash in a decoder); given up"))
            elif future.status == "error":
                exc = future.exception()
                for unit in task:
                    yield UnitResult(unit.key, unit.kind, unit.part,
                                     error=f"{unit.name}: could not be checked ({type(exc).__name__}: {exc})")
            else:
                raise SchedulerLost(f"the unit {task[0].name} was {future.status}")
            future.release()
    except (OSError, TimeoutError) as exc:
        raise SchedulerLost(str(exc)) from exc
    finally:
        for future in futures:
            future.release()
