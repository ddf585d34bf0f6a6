"""MediaPipe's graphs held to a thread limit (the batch workers' one core each): the limit
read from the environment, written into the graph's executor, and seen in the threads the
running graph starts."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
from mediapipe.framework import calculator_pb2, thread_pool_executor_pb2

from posture.mediapipe_graphs import THREADS_ENV, graph_threads, limit_executor, solution


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert graph_threads() is None
    monkeypatch.setenv(THREADS_ENV, " 3 ")
    assert graph_threads() == 3
    for bad in ("one", "0", "-2", "1.5"):
        monkeypatch.setenv(THREADS_ENV, bad)
        with pytest.raises(ValueError, match=THREADS_ENV):
            graph_threads()


def test_the_limit_goes_into_the_default_executor_or_the_graph():
    bare = calculator_pb2.CalculatorGraphConfig()
    limit_executor(bare, 1)
    assert bare.num_threads == 1 and not bare.executor

    declared = calculator_pb2.CalculatorGraphConfig()
    declared.executor.add(name="")
    other = declared.executor.add(name="gpu_like")
    limit_executor(declared, 2)
    ext = thread_pool_executor_pb2.ThreadPoolExecutorOptions.ext
    assert declared.num_threads == 0  # MediaPipe refuses both a default executor and num_threads
    assert declared.executor[0].options.Extensions[ext].num_threads == 2
    assert not other.options.HasExtension(ext)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc/self/task")
@pytest.mark.parametrize("limit", [1, 2])
def test_a_running_graph_starts_as_many_threads_as_the_limit(monkeypatch, limit):
    import mediapipe as mp

    def threads() -> int:
        return len(os.listdir("/proc/self/task"))

    monkeypatch.setenv(THREADS_ENV, str(limit))
    before = threads()
    with solution(mp.solutions.face_detection.FaceDetection, model_selection=1) as detector:
        detector.process(np.zeros((120, 160, 3), np.uint8))
        assert threads() - before == limit
    assert threads() == before
