"""Units on this machine: in this process (one worker) or on a pool of processes.

A worker that dies (killed, out of memory, a crash inside a decoder) breaks the whole pool;
the units it was running are then run again one at a time, alone, so that the one that
kills its worker is known for sure: it is given up after ``max_failures`` deaths, and the
others are checked as usual.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from posture.batch.units import Unit
from posture.batch.worker import (
    QUIET_ENV,
    THREAD_ENV,
    UnitResult,
    children_ignore_ctrl_c,
    init_pool_worker,
    run_unit,
)


def died_error(unit: Unit, times: int) -> UnitResult:
    return UnitResult(unit.key, unit.kind, unit.part, error=(
        f"{unit.name}: the worker checking it died {times} time(s) (killed, out of memory, "
        f"or a crash in a decoder); given up"))


def run_in_process(units: list[Unit], options: dict) -> Iterator[UnitResult]:
    for unit in units:
        yield run_unit(unit, options)


def run_pool(units: list[Unit], options: dict, workers: int, max_failures: int = 3) -> Iterator[UnitResult]:
    """Results in completion order."""
    for name, value in {**THREAD_ENV, **QUIET_ENV}.items():
        os.environ.setdefault(name, value)  # inherited by the workers before they load NumPy
    queue, suspects = deque(units), deque()
    deaths: Counter[Unit] = Counter()
    while queue or suspects:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),  # MediaPipe's threads
                                   initializer=init_pool_worker)  # do not survive a fork
        running: dict[Future, Unit] = {}
        try:
            broken = False
            while (queue or suspects or running) and not broken:
                with children_ignore_ctrl_c():  # a submit may start a worker
                    try:
                        if suspects and not running:
                            future = pool.submit(run_unit, suspects[0], options)
                            running[future] = suspects.popleft()
                        while not suspects and queue and len(running) < 2 * workers:  # a unit queued per worker
                            future = pool.submit(run_unit, queue[0], options)
                            running[future] = queue.popleft()
                    except BrokenProcessPool:
                        # A worker died since the last wait: the unit not submitted stays queued.
                        broken = True
                if broken:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    del running[future]
                    yield result
            if broken:
                lost = list(running.values())
                if len(lost) == 1:  # it ran alone: it killed its worker
                    deaths[lost[0]] += 1
                    if deaths[lost[0]] >= max_failures:
                        yield died_error(lost[0], deaths[lost[0]])
                        lost = []
                suspects.extend(lost)
        finally:
            _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the pool now, without waiting for the units in flight (Ctrl-C, an error)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
