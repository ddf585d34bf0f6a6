"""MediaPipe's legacy solutions as this project makes them: every model is built through
:func:`solution`, which can hold each graph to one thread.

A MediaPipe graph runs its calculators on a thread pool of its own, sized by the number of
cores; no argument of the legacy solutions sets it. One checking process then uses about
1.3 cores, so N batch workers on N cores overrun them. With ``POSTURE_MEDIAPIPE_THREADS``
set (the batch's workers set it to 1, see ``posture.batch.worker.THREAD_ENV``) the graph's
default executor gets that many threads: a frame takes about as much CPU as before, all of
it on one core. The live view and the CLI leave it unset: one person waiting on one frame
gains from the spare core.
"""

from __future__ import annotations

import os
from typing import Any

THREADS_ENV = "POSTURE_MEDIAPIPE_THREADS"


def graph_threads() -> int | None:
    """The thread limit from the environment (None: MediaPipe's own choice)."""
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return None
    try:
        threads = int(raw)
    except ValueError as exc:
        raise ValueError(f"{THREADS_ENV}={raw!r} is not a whole number") from exc
    if threads < 1:
        raise ValueError(f"{THREADS_ENV}={raw!r}: at least 1 thread")
    return threads


def limit_executor(config: Any, threads: int) -> None:
    """Give the graph's default executor ``threads`` threads (in its own executor entry
    when the graph declares one, MediaPipe refuses both; else the graph's ``num_threads``)."""
    from mediapipe.framework import thread_pool_executor_pb2

    defaults = [e for e in config.executor if not e.name]
    if not defaults:
        config.num_threads = threads
        return
    for executor in defaults:
        executor.options.Extensions[thread_pool_executor_pb2.ThreadPoolExecutorOptions.ext].num_threads = threads


def solution(cls: type, **kwargs: Any) -> Any:
    """``cls(**kwargs)`` (a ``mediapipe.solutions`` class), its graph held to the thread
    limit of :func:`graph_threads` when one is set."""
    threads = graph_threads()
    if threads is None:
        return cls(**kwargs)

    class Limited(cls):  # type: ignore[misc, valid-type]
        # SolutionBase builds its graph from the config this returns (mediapipe 0.10.21,
        # pinned); every solution passes through it, whatever options it takes.
        def _initialize_graph_interface(self, *args: Any, **kw: Any) -> Any:
            config = super()._initialize_graph_interface(*args, **kw)
            limit_executor(config, threads)
            return config

    Limited.__name__ = Limited.__qualname__ = f"{cls.__name__}Limited"
    return Limited(**kwargs)
