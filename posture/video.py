"""Video files: read frames with their timestamps (optionally sampled to a chosen rate),
check each with the one pipeline, feed the sequence engine, write an annotated video.

The same :class:`~posture.sequence.SequenceTracker` serves the live view; a video is just
a session whose frame times come from the file (presentation timestamps, so variable
frame-rate phone videos keep their real timing).
"""

from __future__ import annotations

import fractions
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from posture.annotate import annotate
from posture.images import DEFAULT_MAX_PIXELS, BadInput
from posture.landmarks import Landmarks
from posture.people_tracker import PeopleTracker
from posture.pipeline import Checker
from posture.sequence.overlay import draw_overlay
from posture.sequence.report import VideoInfo, VideoReport
from posture.sequence.tracker import Observation, SequenceState, SequenceTracker
from posture.standards import Lang, Standard, load_standard

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".3gp"})
# The CLI's default rate: every detector's shortest event (a nod, a gesture: 0.15 s) spans
# at least one frame at 10 per second, and a 10-minute video then takes 6000 checks.
DEFAULT_SAMPLE_FPS = 10.0

Progress = Callable[[float, float], None]  # (seconds of video done, seconds in total)


def is_video(path: Path | str) -> bool:
    """A video file, by its suffix."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


@dataclass(frozen=True)
class VideoFrame:
    index: int  # position in the file, counting every frame
    t: float  # presentation time, seconds
    rgb: np.ndarray


class VideoReader:
    """Frames of a video file, upright (the container's rotation tag applied: a phone's
    portrait video is stored landscape), with their times.

    ``sample_fps``: keep about that many frames per second of video (None or 0: all). Frames
    left out are only grabbed, not converted. Raises :class:`BadInput` for a file that is
    missing, empty or not a readable video, or whose frames have more than ``max_pixels``.
    """

    start_s = 0.0  # where reading starts (:meth:`seek`)

    def __init__(self, path: Path | str, sample_fps: float | None = None,
                 max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise BadInput(f"{path}: file not found")
        if self.path.is_dir():
            raise BadInput(f"{path}: is a folder, not a video")
        if self.path.stat().st_size == 0:
            raise BadInput(f"{path}: empty file (0 bytes)")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise BadInput(f"{path}: not a video (or an unsupported format)")
        # OpenCV 4.11 reads the rotation tag (CAP_PROP_ORIENTATION_META) but, in this build,
        # does not apply it unless asked; asking is harmless where it already does. The frame
        # size read below is then the upright one.
        self._cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        self.rotation = int(self._cap.get(cv2.CAP_PROP_ORIENTATION_META)) % 360
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS)) or 0.0
        self.frame_count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self.duration_s = self.frame_count / self.fps if self.fps > 0 and self.frame_count > 0 else 0.0
        self.sample_fps = sample_fps or None
        self.max_pixels = max_pixels
        self.frames_read = 0
        if self.width <= 0 or self.height <= 0:
            self.close()
            raise BadInput(f"{path}: no video stream")
        if self.width * self.height > max_pixels:
            self.close()
            raise BadInput(f"{path}: frames are {self.width} x {self.height} = "
                           f"{self.width * self.height / 1e6:.0f} megapixels, above the limit of "
                           f"{max_pixels / 1e6:.0f}")

    def __iter__(self) -> Iterator[VideoFrame]:
        step = 1.0 / self.sample_fps if self.sample_fps else 0.0
        nominal = 1.0 / self.fps if self.fps > 0 else 1.0 / 30.0
        next_keep, last_t = self.start_s, None  # the sampling grid of a whole-file read
        while self._cap.grab():
            t = self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            if last_t is not None and t <= last_t:  # a container without usable timestamps
                t = last_t + nominal
            last_t = t
            index = self.frames_read
            self.frames_read += 1
            if t + 1e-6 < next_keep:
                continue
            next_keep = max(next_keep + step, t + step / 2) if step else t
            ok, bgr = self._cap.retrieve()
            if not ok or bgr is None:
                continue
            if bgr.shape[0] * bgr.shape[1] > self.max_pixels:  # a stream that grows past its header
                raise BadInput(f"{self.path}: frame {index} is {bgr.shape[1]} x {bgr.shape[0]}, above the "
                               f"limit of {self.max_pixels / 1e6:.0f} megapixels")
            yield VideoFrame(index, t, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        if self.frames_read == 0:
            raise BadInput(f"{self.path}: no frame could be decoded")
        self.duration_s = max(self.duration_s, (last_t or 0.0) + nominal)

    def seek(self, t: float) -> None:
        """Read from the frame at ``t`` seconds on (a time range of a long video checked by
        another worker); frame indexes stay positions in the file."""
        self.start_s = max(t, 0.0)
        self._cap.set(cv2.CAP_PROP_POS_MSEC, self.start_s * 1000.0)
        self.frames_read = int(self._cap.get(cv2.CAP_PROP_POS_FRAMES))

    def close(self) -> None:
        self._cap.release()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AnnotatedVideoWriter:
    """Writes RGB frames at their own timestamps into an H.264 MP4 (PyAV), which browsers
    and the app can play (OpenCV's own 'mp4v' codec is not playable in a browser)."""

    def __init__(self, path: Path | str, fps: float) -> None:
        import av  # installed with the app (requirements.lock); only needed to write video

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(str(self.path), "w", format="mp4")  # also to a path without a suffix
        self._fps = max(1, round(fps))
        self._stream = None
        self._av = av
        self._last_pts = -1

    def write(self, rgb: np.ndarray, t: float) -> None:
        """Add a frame shown from ``t`` seconds on; all frames must have one size."""
        h, w = rgb.shape[:2]
        if self._stream is None:
            self._stream = self._container.add_stream("libx264", rate=self._fps)
            self._stream.width, self._stream.height = w - w % 2, h - h % 2  # yuv420p needs even sizes
            self._stream.pix_fmt = "yuv420p"
            self._stream.time_base = fractions.Fraction(1, 1000)
            self._stream.options = {"preset": "veryfast", "crf": "23"}
        frame = self._av.VideoFrame.from_ndarray(
            np.ascontiguousarray(rgb[: self._stream.height, : self._stream.width]), format="rgb24")
        frame.pts = max(int(round(t * 1000)), self._last_pts + 1)
        frame.time_base = fractions.Fraction(1, 1000)
        self._last_pts = frame.pts
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        if self._stream is not None:
            for packet in self._stream.encode():
                self._container.mux(packet)
        self._container.close()


@dataclass(frozen=True)
class VideoResult:
    report: VideoReport  # the person seen longest
    annotated: Path | None
    people: tuple[VideoReport, ...] = ()  # everyone tracked, by id (``report`` among them)

    def everyone(self) -> tuple[VideoReport, ...]:
        return self.people or (self.report,)

    def as_json(self) -> dict:
        """The video's JSON: one person's report, or (several people) version 2.0 with ``people``."""
        if len(self.everyone()) == 1:
            return json.loads(self.report.model_dump_json())
        return {"version": "2.0", "kind": self.report.kind, "source": self.report.source,
                "people": [json.loads(r.model_dump_json()) for r in self.people]}


def check_video(path: Path | str, *, standard: Standard | None = None, scenario: str = "auto",
                profile: str = "any", mirrored: bool = False, sample_fps: float | None = DEFAULT_SAMPLE_FPS,
                annotate_to: Path | str | None = None, lang: Lang = "zh",
                progress: Progress | None = None) -> VideoResult:
    """Check a video file end to end: every (sampled) frame through the pipeline in video
    mode (landmarks tracked between frames), the sequence engine over the frames' times, and
    optionally an annotated MP4 (skeleton, still verdicts, the running events)."""
    standard = standard or load_standard()
    spent = {"decode": 0.0, "pipeline": 0.0, "annotate": 0.0}
    started = time.perf_counter()
    with VideoReader(path, sample_fps, max_pixels=standard.settings.max_pixels) as reader, \
            Checker(standard, static_image_mode=False) as checker:
        observer = SequenceTracker(standard, profile=profile, scenario=scenario)  # only to observe frames
        sequences = PeopleSequences(standard, profile=profile, scenario=scenario,
                                    nobody=nobody_seen(observer, checker, reader.width, reader.height))
        people_tracker = PeopleTracker()
        writer = AnnotatedVideoWriter(annotate_to, sample_fps or reader.fps or 30.0) if annotate_to else None
        checked = 0
        try:
            t_read = time.perf_counter()
            for frame in reader:
                t0 = time.perf_counter()
                spent["decode"] += t0 - t_read
                result = checker.check_rgb(frame.rgb, scenario=scenario, profile=profile, mirrored=mirrored,
                                           source=f"{path}@{frame.t:.2f}s", tracked=(people_tracker, frame.t))
                t1 = time.perf_counter()
                spent["pipeline"] += t1 - t0
                states = sequences.add(frame.t, {p.report.id: observer.observe(p) for p in result.people})
                checked += 1
                if writer is not None:
                    t2 = time.perf_counter()
                    state = states[result.report.id if result.people else min(states)]
                    writer.write(draw_overlay(annotate(frame.rgb, result, lang=lang), state, lang), frame.t)
                    spent["annotate"] += time.perf_counter() - t2
                if progress is not None:
                    progress(frame.t, reader.duration_s)
                t_read = time.perf_counter()
        finally:
            if writer is not None:
                writer.close()
        wall = time.perf_counter() - started
        if writer is None:
            del spent["annotate"]
        timings = {f"{k}_per_frame": round(1e3 * v / max(checked, 1), 2) for k, v in spent.items()}
        timings["frames_per_second"] = round(checked / wall, 2) if wall > 0 else 0.0
        info = VideoInfo(path=str(path), width=reader.width, height=reader.height, fps=round(reader.fps, 3),
                         duration_s=round(reader.duration_s, 3), frames_read=reader.frames_read,
                         frames_checked=checked, sample_fps=sample_fps or None)
    reports = sequences.reports(source=str(path), video=info, timings_ms=timings)
    main = max(reports, key=lambda r: r.frames_with_person)
    return VideoResult(main, Path(annotate_to) if annotate_to else None, reports if len(reports) > 1 else ())


def nobody_seen(observer: SequenceTracker, checker: Checker, width: int, height: int) -> Observation:
    """What ``observer``'s sequences see of a frame without the person."""
    return observer.observe(checker.check_landmarks(Landmarks(width, height), scenario=observer.scenario,
                                                    profile=observer.profile))


class PeopleSequences:
    """One :class:`SequenceTracker` per person id, so that everyone's bows, smiles and nods
    are their own: a person's starts when they are first seen, and an absent person's sees a
    frame without a person. Person 1's runs from the start, so a video without anyone still
    has its report."""

    def __init__(self, standard: Standard, *, profile: str, scenario: str, nobody: Observation) -> None:
        """``nobody``: the observation of a frame without the person (:func:`nobody_seen`)."""
        self._make = lambda: SequenceTracker(standard, profile=profile, scenario=scenario)
        self.nobody = nobody
        self.trackers: dict[int, SequenceTracker] = {1: self._make()}

    def add(self, t: float, seen: dict[int, Observation]) -> dict[int, SequenceState]:
        """Feed the frame at ``t`` seconds (each person present's observation, by id); each
        person's state."""
        for pid in seen.keys() - self.trackers.keys():
            self.trackers[pid] = self._make()
        return {pid: tracker.add(t, seen.get(pid, self.nobody)) for pid, tracker in self.trackers.items()}

    def reports(self, **kwargs: object) -> tuple[VideoReport, ...]:
        """Everyone's report, by id (see :meth:`SequenceTracker.report`)."""
        return tuple(tracker.report(**kwargs).model_copy(update={"person": pid})
                     for pid, tracker in sorted(self.trackers.items()))


def print_video_report(report: VideoReport, lang: Lang) -> None:
    """The CLI's summary: per time-based clause, the still clauses that failed most of the
    time, and the timeline."""
    marks = {"pass": "✓", "fail": "✗", "not_visible": "?", "not_observed": "-"}
    v = report.video
    s = report.score
    seen = f"{v.frames_checked} of {v.frames_read} frames, {v.duration_s:.1f} s" if v else ""
    print(f"{report.source}: video, {seen}, person in {report.frames_with_person} frames; "
          f"time-based clauses: pass {s.passed}, fail {s.failed}, not visible {s.not_visible}, "
          f"not observed {s.not_observed}")
    for c in report.clauses:
        line = f"  {marks[c.verdict]} {c.id:<18} {c.title.get(lang)}: {c.note.get(lang)}"
        if c.verdict == "fail":
            line += f"  -> {c.advice.get(lang)}"
        print(line)
    for c in report.still:
        if c.verdict == "fail":
            print(f"  ✗ {c.id:<18} {c.title.get(lang)}: {c.rule.get(lang)}")
    if report.timeline:
        print("  timeline:")
    for e in report.timeline:
        print(f"    {e.start:7.2f}-{e.end:7.2f} s  {marks[e.verdict]} {e.clause:<16} {e.label.get(lang)}")


def cli_check_video(path: Path, *, standard: Standard, scenario: str, profile: str, mirrored: bool,
                    sample_fps: float | None, annotate_dir: Path | None, lang: Lang) -> VideoResult:
    """``posture check VIDEO``: a progress bar on stderr, the summary on stdout, the annotated
    video into ``annotate_dir``. Raises :class:`BadInput` for an unreadable file."""
    from tqdm import tqdm

    bars: list[tqdm] = []  # made at the first frame, when the video's length is known

    def progress(done: float, total: float) -> None:
        if not bars:
            bars.append(tqdm(total=round(total, 1) or None, unit="s of video", desc=path.name, leave=False))
        bars[0].n = round(min(done, total) if total else done, 1)
        bars[0].refresh()

    out = annotate_dir / (path.stem + ".annotated.mp4") if annotate_dir else None
    try:
        result = check_video(path, standard=standard, scenario=scenario, profile=profile, mirrored=mirrored,
                             sample_fps=sample_fps, annotate_to=out, lang=lang, progress=progress)
    finally:
        for bar in bars:
            bar.close()
    for report in result.everyone():
        if result.people:
            print(f"person {report.person}:")
        print_video_report(report, lang)
    if result.annotated:
        print(f"  annotated video: {result.annotated}")
    return result
