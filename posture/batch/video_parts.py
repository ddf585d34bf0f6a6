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

import numpy as np

from posture.batch.units import Unit
from posture.landmarks import PixelBox
from posture.people_tracker import PeopleTracker, looks_of
from posture.pipeline import Checker
from posture.sequence.report import VideoInfo, VideoReport
from posture.sequence.tracker import Observation, SequenceTracker
from posture.standards import Standard
from posture.video import PeopleSequences, VideoReader, nobody_seen

# MediaPipe's tracker (video mode) needs a few frames to settle on a person after a cut: one
# second is 10 frames at the default rate, and costs 1/60 of a 60-second range.
LEAD_IN_S = 1.0


@dataclass(frozen=True)
class Seen:
    """One person of a checked frame as the join needs them: their face and body boxes and
    how they look (to give them their id across the whole video), and what their sequences need."""

    face: PixelBox
    box: PixelBox
    look: np.ndarray
    obs: Observation


@dataclass
class PartResult:
    """One range's frames (everyone in each, left to right) as the join needs them, and what was read."""

    frames: list[tuple[float, list[Seen]]] = field(default_factory=list)
    nobody: Observation | None = None  # a frame without the person, as the sequences see it
    width: int = 0
    height: int = 0
    fps: float = 0.0
    duration_s: float = 0.0
    frames_read: int = 0  # position in the file where reading stopped (the last range: every frame)
    seconds: float = 0.0  # time spent checking


@dataclass(frozen=True)
class JoinedVideo:
    """A video's report per person (by id) and where each was, as the median of their boxes."""

    reports: tuple[VideoReport, ...]
    boxes: dict[int, PixelBox]


def check_part(unit: Unit, standard: Standard, options: dict) -> PartResult:
    """Check the frames of ``unit``'s range (after a lead-in): raises BadInput for a file
    that is not a readable video."""
    started = time.perf_counter()
    out = PartResult()
    scenario, profile, mirrored = options["scenario"], options["profile"], options["mirrored"]
    with VideoReader(unit.key, options["sample_fps"], max_pixels=standard.settings.max_pixels) as reader, \
            Checker(standard, static_image_mode=False, threads=1) as checker:  # a worker has one core
        observer = SequenceTracker(standard, profile=profile, scenario=scenario)  # only to observe frames
        out.nobody = nobody_seen(observer, checker, reader.width, reader.height)
        if unit.start_s > 0:
            reader.seek(max(0.0, unit.start_s - LEAD_IN_S))
        for frame in reader:
            if frame.t >= unit.end_s:
                break
            result = checker.check_rgb(frame.rgb, scenario=scenario, profile=profile, mirrored=mirrored,
                                       source=f"{unit.key}@{frame.t:.2f}s")
            if frame.t >= unit.start_s:  # frames of the lead-in belong to the range before
                faces = [p.person.face_box or p.person.box for p in result.people]
                out.frames.append((frame.t, [Seen(face, p.person.box, look, observer.observe(p)) for p, face, look
                                             in zip(result.people, faces, looks_of(frame.rgb, faces, mirrored),
                                                    strict=True)]))
        out.frames_read = reader.frames_read
        out.width, out.height, out.fps, out.duration_s = reader.width, reader.height, reader.fps, reader.duration_s
    out.seconds = time.perf_counter() - started
    return out


def join_parts(key: str, parts: list[PartResult], standard: Standard, options: dict) -> JoinedVideo:
    """The video's reports from its ranges (in order): ids given over all frames by one
    people tracker (so a person keeps theirs across a cut, and regains it on coming back),
    then each person's sequences over all frames."""
    people = PeopleTracker()
    sequences = PeopleSequences(standard, profile=options["profile"], scenario=options["scenario"],
                                nobody=parts[0].nobody)
    boxes: dict[int, list[PixelBox]] = {}
    checked = 0
    for part in parts:
        for t, seen in part.frames:
            ids = people.assign(t, [s.face for s in seen], [s.look for s in seen])
            for pid, s in zip(ids, seen, strict=True):
                boxes.setdefault(pid, []).append(s.box)
            sequences.add(t, {pid: s.obs for pid, s in zip(ids, seen, strict=True)})
            checked += 1
    first = parts[0]
    seconds = sum(p.seconds for p in parts)
    info = VideoInfo(path=key, width=first.width, height=first.height, fps=round(first.fps, 3),
                     duration_s=round(parts[-1].duration_s, 3), frames_read=parts[-1].frames_read,
                     frames_checked=checked,
                     sample_fps=options["sample_fps"] or None)
    timings = {"check_per_frame": round(1e3 * seconds / max(checked, 1), 2),
               "frames_per_second": round(checked / seconds, 2) if seconds > 0 else 0.0}
    reports = sequences.reports(source=key, video=info, timings_ms=timings)
    return JoinedVideo(reports, {pid: tuple(float(v) for v in np.median(b, axis=0)) for pid, b in boxes.items()})
