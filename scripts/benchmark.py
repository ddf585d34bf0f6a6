"""Speed of the pipeline against the bare model, on the same frames (not a test).

Prints milliseconds per frame for bare MediaPipe Holistic and for the whole pipeline
(landmarks + measurements + verdicts + report + annotated picture), their ratio, and the
batch throughput on 1 and 2 worker processes, and milliseconds per frame for frames of
1, 2, 3 and 4 people (real one-person photos side by side) in photo and in video mode.

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


def pipeline_time(checker, frames: list, repeat: int) -> tuple[float, dict[str, float]]:
    """Milliseconds per frame for check + annotated picture, and the mean of each stage."""
    from posture.annotate import annotate

    def run(frame) -> None:
        annotate(frame, checker.check_rgb(frame), lang="zh")

    total = time_per_frame(run, frames, repeat)
    parts: dict[str, list[float]] = {}
    for frame in frames:
        result = checker.check_rgb(frame)
        t0 = time.perf_counter()
        annotate(frame, result, lang="zh")
        parts.setdefault("annotate", []).append((time.perf_counter() - t0) * 1e3)
        for k, v in result.report.timings_ms.items():
            parts.setdefault(k, []).append(v)
    return total, {k: statistics.mean(v) for k, v in parts.items()}


# Real photos of one person each (sample_images/), placed side by side for frames of 1-4 people.
PEOPLE_PHOTOS = ("hagrid_one_neutral.jpg", "hagrid_stop_sitting.jpg", "astronaut_smile.png", "hagrid_palm.jpg")


def people_frames(folder: Path, height: int = 480) -> list:
    """Frames of 1, 2, 3 and 4 people: the photos scaled to one height, side by side."""
    import cv2
    import numpy as np

    from posture.images import decode_image

    photos = [decode_image(folder / n) for n in PEOPLE_PHOTOS]
    photos = [cv2.resize(p, (round(p.shape[1] * height / p.shape[0]), height), interpolation=cv2.INTER_AREA)
              for p in photos]
    return [np.ascontiguousarray(np.hstack(photos[:n])) for n in range(1, len(photos) + 1)]


def people_times(folder: Path, repeat: int) -> None:
    """Milliseconds per frame for 1-4 people, in photo mode and in video mode (each person
    tracked; the same frame fed repeatedly, as a still group in front of a camera)."""
    from posture.people_tracker import PeopleTracker
    from posture.pipeline import Checker

    frames = people_frames(folder)
    for mode, options in (("photo", {}), ("video", {"static_image_mode": False, "count_faces": True})):
        base = None
        for n, frame in enumerate(frames, start=1):
            with Checker(**options) as checker:
                tracker, clock = PeopleTracker(), [0.0]

                def run(f, checker=checker, tracker=tracker, clock=clock, mode=mode) -> None:
                    clock[0] += 0.1
                    tracked = (tracker, clock[0]) if mode == "video" else None
                    checker.check_rgb(f, tracked=tracked)

                ms = time_per_frame(run, [frame] * (1 if mode == "photo" else 10), repeat)
                found = len(checker.check_rgb(frame, tracked=(tracker, clock[0] + 0.1) if mode == "video"
                                              else None).people)
            base = base or ms
            print(f"{mode} mode, {n} people ({found} found), {frame.shape[1]}x{frame.shape[0]}: {ms:7.1f} ms/frame"
                  f" = {1e3 / ms:5.1f} frames/s, {ms / base:.2f}x one person")


def grooming_times(frames: list, repeat: int) -> None:
    """The grooming stage's milliseconds per photo (the grooming scenario: every GR-* clause,
    person mask included; both profiles)."""
    from posture.pipeline import Checker

    with Checker() as checker:
        grooming = [checker.check_rgb(f, scenario="grooming", profile=p).report.timings_ms["grooming"]
                    for f in frames for _ in range(repeat) for p in ("male", "female")]
    print(f"grooming stage : {statistics.mean(grooming):7.2f} ms/photo (median {statistics.median(grooming):.2f}; "
          f"target <= 15 ms; regions, pixels, models and the badge search, after the landmarks)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=Path, default=ROOT / "sample_images")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-copies", type=int, default=12, help="copies of the frames in the batch folder")
    parser.add_argument("--people-only", action="store_true", help="only the 1-4 people timings")
    parser.add_argument("--grooming-only", action="store_true", help="only the grooming stage's timing")
    args = parser.parse_args()
    if args.people_only:
        people_times(ROOT / "sample_images", args.repeat)
        return
    if args.grooming_only:
        grooming_times(load_frames(args.frames), args.repeat)
        return

    import mediapipe as mp

    from posture.batch import run_batch
    from posture.pipeline import Checker

    frames = load_frames(args.frames)
    print(f"{len(frames)} frames from {args.frames}, sizes {sorted({f.shape[:2] for f in frames})}")

    holistic = mp.solutions.holistic.Holistic(static_image_mode=True, model_complexity=1,
                                              refine_face_landmarks=True)
    bare = time_per_frame(holistic.process, frames, args.repeat)
    holistic.close()

    print(f"bare Holistic  : {bare:7.1f} ms/frame")
    configs = {
        "whole pipeline": ({"count_faces": False, "fallbacks": False},
                           "landmarks, measurements, verdicts, report, annotated picture"),
        "photo mode": ({}, "+ a face detector counting the people, and Face Mesh / Hands where Holistic"
                           " found no face / hand"),
    }
    for name, (options, what) in configs.items():
        with Checker(**options) as checker:
            ms, parts = pipeline_time(checker, frames, args.repeat)
        print(f"{name:<15}: {ms:7.1f} ms/frame  ratio to bare Holistic {ms / bare:.3f} (+{(ms / bare - 1) * 100:.1f}%)"
              f"  ({what})")
        print("    " + ", ".join(f"{k} {v:.2f} ms" for k, v in parts.items()))

    grooming_times(frames, args.repeat)

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
    people_times(ROOT / "sample_images", args.repeat)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
