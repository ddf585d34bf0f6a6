"""Speed of the pipeline against the bare model, on the same frames (not a test).

Prints milliseconds per frame for bare MediaPipe Holistic and for the whole pipeline
(landmarks + measurements + verdicts + report + annotated picture), their ratio, and the
batch throughput on 1 and 2 worker processes.

    .venv/bin/python scripts/benchmark.py [--frames DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

ROOT = Path(__file__).resolve().parent.parent


def load_frames(folder: Path) -> list:
    from posture.cli import IMAGE_SUFFIXES
    from posture.images import decode_image

    return [decode_image(p) for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]


def time_per_frame(fn, frames: list, repeat: int) -> float:
    """Median over ``repeat`` passes of the mean milliseconds per frame."""
    fn(frames[0])  # warm-up: graph initialisation
    passes = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for f in frames:
            fn(f)
        passes.append((time.perf_counter() - t0) * 1e3 / len(frames))
    return statistics.median(passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=Path, default=ROOT / "sample_images")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-copies", type=int, default=12, help="copies of the frames in the batch folder")
    args = parser.parse_args()

    import mediapipe as mp

    from posture.annotate import annotate
    from posture.batch import run_batch
    from posture.pipeline import Checker

    frames = load_frames(args.frames)
    print(f"{len(frames)} frames from {args.frames}, sizes {sorted({f.shape[:2] for f in frames})}")

    holistic = mp.solutions.holistic.Holistic(static_image_mode=True, model_complexity=1,
                                              refine_face_landmarks=True)
    bare = time_per_frame(holistic.process, frames, args.repeat)
    holistic.close()

    with Checker(count_faces=False) as checker:
        def pipeline(frame):
            result = checker.check_rgb(frame)
            annotate(frame, result, lang="zh")

        frame_only = time_per_frame(pipeline, frames, args.repeat)

    with Checker() as checker:
        whole = time_per_frame(pipeline, frames, args.repeat)
        # Where the time goes, from the reports' own timings.
        parts: dict[str, list[float]] = {}
        for frame in frames:
            t0 = time.perf_counter()
            result = checker.check_rgb(frame)
            t1 = time.perf_counter()
            annotate(frame, result, lang="zh")
            parts.setdefault("annotate", []).append((time.perf_counter() - t1) * 1e3)
            for k, v in result.report.timings_ms.items():
                parts.setdefault(k, []).append(v)
            parts.setdefault("check_rgb", []).append((t1 - t0) * 1e3)

    print(f"bare Holistic            : {bare:7.1f} ms/frame")
    print(f"whole pipeline           : {frame_only:7.1f} ms/frame  (landmarks, measurements, verdicts, report,"
          f" annotated picture)  ratio {frame_only / bare:.3f} (+{(frame_only / bare - 1) * 100:.1f}%)")
    print(f"  + several-people check : {whole:7.1f} ms/frame  (photos: a face detector counts the people)"
          f"  ratio {whole / bare:.3f} (+{(whole / bare - 1) * 100:.1f}%)")
    for k, v in parts.items():
        print(f"  {k:<10} {statistics.mean(v):7.2f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        sources = [p for p in sorted(args.frames.iterdir()) if p.suffix.lower() in {".jpg", ".png", ".jpeg"}]
        for i in range(args.batch_copies):
            for p in sources:
                shutil.copy(p, folder / f"{i:02d}_{p.name}")
        n = len(list(folder.iterdir()))
        for workers in (1, 2):
            out = Path(tmp) / f"results_{workers}.csv"
            t0 = time.perf_counter()
            run_batch(folder, out, workers=workers, progress=False)
            dt = time.perf_counter() - t0
            print(f"batch, {workers} worker(s): {n} photos in {dt:5.1f} s = {n / dt:5.2f} photos/s "
                  "(including process start-up)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
