"""Work units: a photo, a short video, or a time range of a long video. A unit is a path and
numbers, never frames or models, so it is cheap to send to any worker that sees the file."""

from __future__ import annotations

import math
from dataclasses import dataclass

from posture.batch.sources import Item, Kind

# Long videos are cut into ranges of about this many seconds: short enough to share a long
# video between workers, long enough that the lead-in (video_parts.LEAD_IN_S) costs little.
DEFAULT_RANGE_S = 60.0


@dataclass(frozen=True)
class Unit:
    key: str  # the file (sources.file_key); also the path the worker opens
    kind: Kind
    part: int = 0
    parts: int = 1
    start_s: float = 0.0  # a video part: the range whose frames it owns, [start_s, end_s)
    end_s: float = math.inf

    @property
    def name(self) -> str:
        return self.key if self.parts == 1 else f"{self.key} [{self.start_s:.0f}-{self.end_s:.0f} s]"


def video_duration(path: str) -> float:
    """The video's length from its header (0 when unknown: then it is not split)."""
    import cv2

    cap = cv2.VideoCapture(path)
    try:
        fps, frames = cap.get(cv2.CAP_PROP_FPS), cap.get(cv2.CAP_PROP_FRAME_COUNT)
    finally:
        cap.release()
    return frames / fps if fps > 0 and frames > 0 else 0.0


def plan(items: list[Item], range_s: float = DEFAULT_RANGE_S) -> list[Unit]:
    """One unit per photo and per video, a video longer than ``range_s`` split into equal
    ranges (the last one open-ended, so frames past a wrong header length are still read)."""
    units: list[Unit] = []
    for item in items:
        duration = video_duration(item.key) if item.kind == "video" and range_s > 0 else 0.0
        parts = max(1, math.ceil(duration / range_s - 1e-9)) if duration > 0 else 1
        if parts == 1:
            units.append(Unit(item.key, item.kind))
            continue
        cuts = [round(duration * i / parts, 3) for i in range(parts)] + [math.inf]
        units.extend(Unit(item.key, item.kind, i, parts, cuts[i], cuts[i + 1]) for i in range(parts))
    return units
