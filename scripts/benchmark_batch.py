"""Batch throughput on this machine (not a test): photos per second and video frames per
second for the local pool with 1 and 2 workers and a Dask LocalCluster with 1 and 2
workers, run side by side (interleaved, in rounds) so that the ratios are fair on a shared
machine.

    .venv/bin/python scripts/benchmark_batch.py [--photos DIR] [--count 200] [--rounds 2]

The rate is the steady one: from the moment each worker has delivered its first result
(models loaded) to the last result; the wall time with start-up is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # test_video.write_video / fitted: a video from the sample photos

CONFIGS = [("pool", 1), ("pool", 2), ("cluster", 1), ("cluster", 2)]


def children_cpu() -> float:
    """CPU seconds of the finished child processes (and of their finished children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(engine: str, workers: int, units: list, options: dict) -> tuple[float, float, int, float]:
    """(steady rate in results/s, wall seconds with start-up, frames checked, CPU seconds of
    the workers with their start-up): the CPU time does not depend on the machine's load,
    so it shows what parallel running itself costs."""
    from posture.batch import local_pool
    from posture.batch.dask_runner import dask_client, run_dask

    cpu0 = children_cpu()
    t0 = time.perf_counter()
    stamps: list[float] = []
    counts: list[int] = []  # frames per result (1 for a photo)

    def drain(results) -> None:
        for r in results:
            stamps.append(time.perf_counter())
            counts.append(len(r.video.frames) if r.video is not None else 1)

    if engine == "pool":
        drain(local_pool.run_pool(units, options, workers))
    else:
        with dask_client(cluster=f"local:{workers}") as client:
            drain(run_dask(client, units, options))
    wall = time.perf_counter() - t0
    warm = stamps[workers - 1]  # every worker has loaded its models
    after = sum(counts[workers:])  # photos or frames delivered after that
    rate = after / (stamps[-1] - warm) if stamps[-1] > warm else float("nan")
    return rate, wall, sum(counts), children_cpu() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=ROOT.parent / "shared" / "data" / "genki4k" / "images")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--video-s", type=float, default=60.0, help="length of the video made from sample photos")
    parser.add_argument("--range-s", type=float, default=5.0, help="the video's ranges (one task each)")
    parser.add_argument("--what", choices=("photos", "video", "both"), default="both")
    args = parser.parse_args()

    from test_video import fitted, write_video

    from posture.batch.sources import list_source
    from posture.batch.units import plan

    photos = sorted(p for p in args.photos.glob("*.jpg"))[: args.count]
    if len(photos) < args.count:
        sys.exit(f"{args.photos}: fewer than {args.count} photos")
    options = {"scenario": "auto", "profile": "any", "lang": "en", "mirrored": False, "standards": None,
               "sample_fps": 10.0, "reports": False}
    with tempfile.TemporaryDirectory() as tmp:
        listing = tmp + "/photos.txt"
        Path(listing).write_text("\n".join(str(p) for p in photos), encoding="utf-8")
        photo_units = plan(list_source(Path(listing)).items)
        samples = [fitted(ROOT / "sample_images" / n) for n in ("astronaut_smile.png", "hagrid_palm.jpg",
                                                               "hagrid_one_neutral.jpg", "hagrid_stop_sitting.jpg")]
        n = int(args.video_s * 10)
        video = write_video(Path(tmp) / "counter.mp4", [samples[(i // 50) % len(samples)] for i in range(n)], fps=10)
        video_units = plan(list_source(video).items, range_s=args.range_s)
        print(f"{len(photo_units)} photos from {args.photos}; a {args.video_s:.0f} s video (320x400, 10 frames/s) "
              f"in {len(video_units)} ranges; {os.cpu_count()} cores, shared")
        rates: dict[tuple[str, str, int], list[float]] = {}
        for r in range(args.rounds):
            order = CONFIGS if r % 2 == 0 else CONFIGS[::-1]  # balance drifts in the machine's load
            for what, units, unit in (("photos", photo_units, "photos/s"), ("video", video_units, "frames/s")):
                if args.what not in ("both", what):
                    continue
                for engine, workers in order:
                    rate, wall, frames, cpu = timed(engine, workers, units, options)
                    rates.setdefault((what, engine, workers), []).append(rate)
                    print(f"  round {r + 1} {what:<6} {engine:<7} {workers} worker(s): {rate:6.2f} {unit} "
                          f"(wall {wall:5.1f} s with start-up; workers' CPU {1e3 * cpu / frames:5.0f} ms "
                          f"per {unit[:-2].rstrip('s')} with start-up; load average {os.getloadavg()[0]:.1f})")
        print("\nmedian over rounds:")
        for what, unit in (("photos", "photos/s"), ("video", "frames/s")):
            if args.what not in ("both", what):
                continue
            med = {(e, w): statistics.median(rates[(what, e, w)]) for e, w in CONFIGS}
            for e, w in CONFIGS:
                print(f"  {what:<6} {e:<7} {w}: {med[(e, w)]:6.2f} {unit}")
            for e in ("pool", "cluster"):
                print(f"  {what:<6} {e:<7} 2 workers / 1 worker: {med[(e, 2)] / med[(e, 1)]:.2f}x (target >= 1.7x)")
            for w in (1, 2):
                print(f"  {what:<6} cluster / pool at {w} worker(s): {med[('cluster', w)] / med[('pool', w)]:.2f} "
                      "(target >= 0.90)")


if __name__ == "__main__":
    main()
