"""Units on a Dask cluster (``dask.distributed``): a LocalCluster of single-threaded worker
processes on this machine (``--cluster local:N``), or an existing scheduler
(``--scheduler tcp://HOST:8786``) whose workers see the files at the same paths.

Dask re-runs a unit whose worker died on another worker; after ``max_failures`` deaths it
gives the unit up (KilledWorker), and the file is listed as failed. A lost scheduler
cancels everything in flight: the run stops with :class:`SchedulerLost` and a rerun resumes.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from posture.batch.units import Unit
from posture.batch.worker import QUIET_ENV, THREAD_ENV, UnitResult, children_ignore_ctrl_c, run_unit


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
    # defaults set OMP/MKL/OpenBLAS to 1 too).
    environ = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), **THREAD_ENV, **QUIET_ENV}
    settings = {"distributed.scheduler.allowed-failures": max_failures - 1,
                "distributed.scheduler.worker-saturation": 1.0,
                # Its statistical profiler samples the worker every 10 ms for a dashboard
                # that is not started here.
                "distributed.worker.profile.enabled": False,
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


def run_dask(client, units: list[Unit], options: dict, max_failures: int = 3) -> Iterator[UnitResult]:
    """Results in completion order; a unit given up after worker deaths is an error result."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    run = uuid.uuid4().hex[:8]
    futures = {client.submit(run_unit, unit, options, key=f"posture-{run}-{i}", pure=False): unit
               for i, unit in enumerate(units)}
    try:
        for future in as_completed(futures):
            unit = futures.pop(future)
            if future.status == "finished":
                yield future.result()
            elif future.status == "error" and isinstance(future.exception(), KilledWorker):
                yield UnitResult(unit.key, unit.kind, unit.part, error=(
                    f"{unit.name}: a worker died {max_failures} time(s) while checking it (killed, out of "
                    f"memory, or a crash in a decoder); given up"))
            elif future.status == "error":
                exc = future.exception()
                yield UnitResult(unit.key, unit.kind, unit.part,
                                 error=f"{unit.name}: could not be checked ({type(exc).__name__}: {exc})")
            else:
                raise SchedulerLost(f"the unit {unit.name} was {future.status}")
            future.release()
    except (OSError, TimeoutError) as exc:
        raise SchedulerLost(str(exc)) from exc
    finally:
        for future in futures:
            future.release()
