"""A video's time ranges checked on several workers and joined into one report.

The expensive part (landmarks, measurements, still verdicts of every sampled frame) is done
per range; the sequence layer (bows, nods, smiles over time) then runs once over the joined
frames in the main process, so an event across a cut is seen whole and counted once. Each
range is read from ``LEAD_IN_S`` before its start, so the landmark tracker has found the
person by the first frame the range owns; frames of the lead-in belong to the range before
and are dropped, so each frame, and so each event, is kept once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from posture.batch.units import Unit
from posture.pipeline import Checker
from posture.sequence.report import VideoInfo, VideoReport
from posture.sequence.tracker import Observation, SequenceTracker
from posture.standards import Standard
from posture.video import VideoReader

# MediaPipe's tracker (video mode) needs a few frames to settle on a person after a cut: one
# second is 10 frames at the default rate, and costs 1/60 of a 60-second range.
LEAD_IN_S = 1.0


@dataclass
class PartResult:
    """One range's frames as the sequence layer needs them, and what was read."""

    frames: list[tuple[float, Observation]] = field(default_factory=list)
    width: int = 0
    height: int = 0
    fps: float = 0.0
    duration_s: float = 0.0
    frames_read: int = 0  # position in the file where reading stopped (the last range: every frame)
    seconds: float = 0.0  # time spent checking


def check_part(unit: Unit, standard: Standard, options: dict) -> PartResult:
    """Check the frames of ``unit``'s range (after a lead-in): raises BadInput for a file
    that is not a readable video."""
    started = time.perf_counter()
    out = PartResult()
    scenario, profile = options["scenario"], options["profile"]
    with VideoReader(unit.key, options["sample_fps"], max_pixels=standard.settings.max_pixels) as reader, \
            Checker(standard, static_image_mode=False, count_faces=False) as checker:
        observer = SequenceTracker(standard, profile=profile, scenario=scenario)  # only to observe frames
        if unit.start_s > 0:
            reader.seek(max(0.0, unit.start_s - LEAD_IN_S))
        for frame in reader:
            if frame.t >= unit.end_s:
                break
            result = checker.check_rgb(frame.rgb, scenario=scenario, profile=profile, mirrored=options["mirrored"],
                                       source=f"{unit.key}@{frame.t:.2f}s")
            if frame.t >= unit.start_s:  # frames of the lead-in belong to the range before
                out.frames.append((frame.t, observer.observe(result)))
        out.frames_read = reader.frames_read
        out.width, out.height, out.fps, out.duration_s = reader.width, reader.height, reader.fps, reader.duration_s
    out.seconds = time.perf_counter() - started
    return out


def join_parts(key: str, parts: list[PartResult], standard: Standard, options: dict) -> VideoReport:
    """The video's report from its ranges (in order): the sequence layer over all frames."""
    tracker = SequenceTracker(standard, profile=options["profile"], scenario=options["scenario"])
    checked = 0
    for part in parts:
        for t, obs in part.frames:
            tracker.add(t, obs)
            checked += 1
    first = parts[0]
    seconds = sum(p.seconds for p in parts)
    info = VideoInfo(path=key, width=first.width, height=first.height, fps=round(first.fps, 3),
                     duration_s=round(parts[-1].duration_s, 3), frames_read=parts[-1].frames_read,
                     frames_checked=checked,
                     sample_fps=options["sample_fps"] or None)
    timings = {"check_per_frame": round(1e3 * seconds / max(checked, 1), 2),
               "frames_per_second": round(checked / seconds, 2) if seconds > 0 else 0.0}
    return tracker.report(source=key, video=info, timings_ms=timings)
