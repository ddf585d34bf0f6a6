"""`posture batch` on a Dask LocalCluster of 2 workers (started and stopped inside each test)
and on the local pool, with faults: the same rows as the local pool, a worker killed during
the run (nothing lost or doubled), a file that kills its worker each time (given up and
listed), Ctrl-C (exit 130, a rerun resumes), kill -9 of the main process (no process left
behind, a rerun resumes)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from test_batch import read_rows, verdicts
from test_video import fitted, write_video

from posture.batch import run_batch
from posture.batch.csv_store import BOM, complete_units
from posture.batch.dask_runner import MAX_PHOTOS_PER_TASK, dask_client, photos_per_task, tasks_of
from posture.batch.units import Unit
from posture.cli import EXIT_BAD_INPUT, EXIT_FAIL
from posture.mediapipe_graphs import THREADS_ENV

GENKI = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "genki4k" / "images"
PHOTOS = ("astronaut_smile.png", "camera_grayscale.png", "hagrid_one_neutral.jpg", "hagrid_palm.jpg",
          "hagrid_stop_sitting.jpg")
COPIES = 4  # 20 photos: a few seconds of work on 2 workers, time to act during the run


@pytest.fixture(scope="module")
def reference(tmp_path_factory, samples):
    """Each sample photo's (clause, verdict) pairs, checked in this process."""
    folder = tmp_path_factory.mktemp("ref")
    for name in PHOTOS:
        shutil.copy(samples / name, folder / name)
    out = folder / "ref.csv"
    run_batch(folder, out, workers=1, progress=False, lang="en")
    by_photo: dict[str, list] = {}
    for r in read_rows(out):
        by_photo.setdefault(Path(r["file"]).name, []).append((r["clause"], r["verdict"]))
    return by_photo


@pytest.fixture()
def many(tmp_path, samples):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(COPIES):
        for name in PHOTOS:
            shutil.copy(samples / name, folder / f"{i}_{name}")
    return folder


def assert_complete(out: Path, folder: Path, reference: dict) -> None:
    """Every photo of ``folder`` in ``out`` once, with its original's verdicts."""
    rows = read_rows(out)
    files = [r["file"] for r in rows if r["rows_of_file"]]
    assert sorted(files) == sorted(str(p.resolve()) for p in folder.iterdir())  # each once
    for f in files:
        got = sorted((r["clause"], r["verdict"]) for r in rows if r["file"] == f)
        assert got == sorted(reference[Path(f).name.split("_", 1)[1]]), f


def start(folder: Path, out: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    # A batch started from a terminal has Ctrl-C's default action. Tests run in the background
    # (`make test &`) inherit SIGINT ignored, which exec keeps: give the child a handler to reset.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen([sys.executable, "-m", "posture.cli", "batch", str(folder), "--out", str(out),
                                 "--lang", "en", "-q", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, **(env or {})}, start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, before)


def files_done(out: Path) -> int:
    if not out.exists():
        return 0
    text = out.read_bytes().decode("utf-8", errors="ignore").removeprefix(BOM)
    return len(complete_units(text)[1])


def wait_for(out: Path, n: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while files_done(out) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "the batch made no progress"
        time.sleep(0.05)


def workers_of(proc: subprocess.Popen) -> list[psutil.Process]:
    """The worker processes checking photos (pool workers, or Dask workers under their nannies)."""
    found = []
    for p in psutil.Process(proc.pid).children(recursive=True):
        try:
            cmd = " ".join(p.cmdline())
        except psutil.Error:
            continue
        if "resource_tracker" not in cmd and not any(c.pid for c in p.children()):
            found.append(p)
    return found


def _group(p: psutil.Process) -> int | None:
    try:
        return os.getpgid(p.pid)
    except OSError:
        return None


ENGINES = [pytest.param(["--workers", "2"], id="pool"), pytest.param(["--cluster", "local:2"], id="cluster")]


def test_cluster_gives_the_same_rows_as_the_local_pool(tmp_path, samples):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in PHOTOS:
        shutil.copy(samples / name, folder / name)
    for photo in sorted(GENKI.glob("*.jpg"))[:6] if GENKI.is_dir() else []:
        shutil.copy(photo, folder / photo.name)
    frames = [fitted(samples / "astronaut_smile.png")] * 30 + [fitted(samples / "hagrid_one_neutral.jpg")] * 30
    write_video(folder / "greeting.mp4", frames, fps=10)
    common = {"progress": False, "lang": "en", "sample_fps": 5.0, "range_s": 2.5}  # the video in 3 ranges
    pool, cluster = tmp_path / "pool.csv", tmp_path / "cluster.csv"
    assert run_batch(folder, pool, workers=2, **common) == EXIT_FAIL
    assert run_batch(folder, cluster, cluster="local:2", **common) == EXIT_FAIL
    assert verdicts(read_rows(cluster)) == verdicts(read_rows(pool))
    video = [r for r in read_rows(cluster) if r["kind"] == "video"]
    assert {r["clause"]: r["verdict"] for r in video}["EX-SMILE-ALWAYS"] == "fail"  # smiling half the time


@pytest.mark.parametrize("engine", ENGINES)
def test_a_worker_killed_during_the_run_loses_and_doubles_nothing(engine, many, tmp_path, reference):
    out = tmp_path / "r.csv"
    proc = start(many, out, *engine)
    wait_for(out, 3, proc)
    victims = workers_of(proc)
    assert victims
    victims[0].kill()
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_FAIL, stderr
    assert "Traceback" not in stderr and f"{len(PHOTOS) * COPIES} photos checked" in stdout
    assert_complete(out, many, reference)


def test_photos_go_a_few_to_a_task_while_every_worker_gets_several_tasks():
    assert photos_per_task(200, 2) == MAX_PHOTOS_PER_TASK
    assert photos_per_task(21, 2) == 2  # 11 tasks: still over TASKS_PER_WORKER each
    assert photos_per_task(7, 2) == 1
    assert photos_per_task(200, 100) == 1  # a big cluster: one photo a task
    assert photos_per_task(50, 0) == MAX_PHOTOS_PER_TASK  # no worker yet: counted as one
    units = [Unit(f"p{i}.jpg", "photo") for i in range(5)] + [Unit("v.mp4", "video", 0, 2, 0.0, 60.0)]
    tasks = tasks_of(units, 2)
    assert tasks[0] == [units[-1]]  # a video range alone
    assert [len(t) for t in tasks[1:]] == [2, 2, 1] and sum(tasks[1:], []) == units[:5]


def _worker_environment() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in ("MALLOC_TRIM_THRESHOLD_", THREADS_ENV, "OMP_NUM_THREADS")}


def test_local_cluster_workers_have_the_thread_limits_and_glibc_s_own_malloc(monkeypatch):
    """Dask's nanny would set MALLOC_TRIM_THRESHOLD_ (glibc then maps each frame's buffers
    afresh: ~15% more CPU a frame, docs/CLUSTER.md); the workers get the thread limits only."""
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with dask_client(cluster="local:1") as client:
        (env,) = client.run(_worker_environment).values()
    assert env == {"MALLOC_TRIM_THRESHOLD_": None, THREADS_ENV: "1", "OMP_NUM_THREADS": "1"}


@pytest.mark.parametrize("engine,others", [pytest.param(*e.values, 2, id=e.id) for e in ENGINES]
                         + [pytest.param(["--cluster", "local:2"], 20, id="cluster-photos-per-task")])
def test_a_file_that_kills_its_worker_every_time_is_given_up_and_listed(engine, others, tmp_path, samples):
    """With 20 other photos the cluster sends 2 photos a task: the task holding the crashing
    file is given up, split, and only that file fails."""
    folder = tmp_path / "photos"
    folder.mkdir()
    names = ("astronaut_smile.png", "hagrid_palm.jpg", *PHOTOS)
    for i in range(others):
        shutil.copy(samples / names[i % len(names)], folder / f"{i}_{names[i % len(names)]}")
    shutil.copy(samples / "hagrid_palm.jpg", folder / "crash_me.jpg")
    hook = tmp_path / "hook"
    hook.mkdir()
    # Stands for a decoder that segfaults on one file: the worker dies whenever it opens it.
    (hook / "sitecustomize.py").write_text(
        "import os, signal\n"
        "import posture.batch.worker as w\n"
        "_run = w.run_unit\n"
        "def run_unit(unit, options):\n"
        "    if 'crash_me' in unit.key:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return _run(unit, options)\n"
        "w.run_unit = run_unit\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    path = os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")])
    proc = start(folder, out, *engine, env={"PYTHONPATH": path})
    stdout, stderr = proc.communicate(timeout=180)
    assert proc.returncode == EXIT_BAD_INPUT, stderr
    # (exit 2 is also the code of a lost scheduler: its message is on stderr)
    assert f"{others} photos checked, 1 could not be checked" in stdout, (stdout, stderr[-2000:])
    assert "crash_me.jpg: " in stdout and "died 3 time(s)" in stdout and "Traceback" not in stderr
    rows = read_rows(out)
    assert [r["verdict"] for r in rows if r["file"].endswith("crash_me.jpg")] == ["error"]
    assert len({r["file"] for r in rows}) == others + 1
    assert not [r for r in rows if not r["file"].endswith("crash_me.jpg") and r["verdict"] == "error"]


def test_ctrl_c_stops_with_130_and_a_rerun_resumes(many, tmp_path, reference):
    out = tmp_path / "r.csv"
    proc = start(many, out, "--cluster", "local:2")
    wait_for(out, 3, proc)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to every process of the group
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout[-2000:], stderr[-3000:])
    assert "interrupted; run the same command again to resume" in stderr and "Traceback" not in stderr
    done = files_done(out)
    assert 3 <= done < len(PHOTOS) * COPIES
    time.sleep(1)
    left = [p for p in psutil.process_iter(["status"]) if _group(p) == proc.pid
            and p.info["status"] != psutil.STATUS_ZOMBIE]  # a zombie has exited, only not reaped yet
    assert not left, left
    proc = start(many, out, "--cluster", "local:2")
    stdout, _ = proc.communicate(timeout=120)
    assert f"resuming: {done} files already in" in stdout
    assert_complete(out, many, reference)


@pytest.mark.parametrize("engine", ENGINES)
def test_kill_9_of_the_main_process_leaves_no_process_and_a_rerun_resumes(engine, many, tmp_path, reference):
    out = tmp_path / "r.csv"
    proc = start(many, out, *engine)
    wait_for(out, 3, proc)
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children
    proc.kill()
    proc.communicate()
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, [" ".join(p.cmdline()) for p in alive]
    proc = start(many, out, *engine)
    proc.communicate(timeout=120)
    assert proc.returncode == EXIT_FAIL
    assert_complete(out, many, reference)
