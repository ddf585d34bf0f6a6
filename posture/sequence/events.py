"""Event detectors over timestamped signals, and time accounting.

- :class:`ExcursionDetector`: a signal leaves its own running baseline and comes back within
  a time window (a bow: the trunk flexes forward and straightens; a nod: the head pitches
  down and back). Relative to a baseline because each person, and MediaPipe's reading of
  each person, has its own "upright".
- :class:`IntervalDetector`: a condition that must hold for a while before it counts and be
  gone for a while before it ends (a hand at the face, a rest stance, the gaze away). The
  same persistence and hysteresis rule drives the live alerts.
- :class:`StateTrack`: how long a yes/no state held, as run-length segments (share of time
  smiling, longest stretch without a smile).

Every duration is a difference of timestamps, never a frame count.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass
from typing import Literal

from posture.sequence.filters import MAX_GAP_S


@dataclass(frozen=True)
class Excursion:
    """One excursion of a signal above its baseline: from when it left the return band to
    when it came back into it."""

    start: float
    end: float
    peak_t: float
    depth: float  # highest value above the baseline
    baseline: float

    @property
    def duration_s(self) -> float:
        return self.end - self.start


class ExcursionDetector:
    """Finds excursions that rise ``start_above`` over the baseline and fall back under
    ``end_below`` within [``min_duration_s``, ``max_duration_s``].

    The baseline is the median of the last ``baseline_window_s`` of samples taken while no
    excursion was under way; none is reported before ``min_baseline_s`` of them. A signal
    lost for longer than MAX_GAP_S starts over (the person may have left, or another come
    in; MediaPipe's tracking settles anew). A rise
    held longer than ``max_duration_s`` is a new posture, not an event: it is dropped and
    the baseline follows it.
    """

    def __init__(self, *, start_above: float, end_below: float, min_duration_s: float,
                 max_duration_s: float, baseline_window_s: float, min_baseline_s: float = 0.5) -> None:
        if not 0 <= end_below < start_above:
            raise ValueError("need 0 <= end_below < start_above")
        self.start_above, self.end_below = start_above, end_below
        self.min_duration_s, self.max_duration_s = min_duration_s, max_duration_s
        self.baseline_window_s, self.min_baseline_s = baseline_window_s, min_baseline_s
        self._history: deque[tuple[float, float]] = deque()
        self._state: Literal["idle", "active", "held"] = "idle"
        self._rise: float | None = None  # first sample above the return band while idle
        self._start = self._peak_t = self._base = self._depth = 0.0
        self._last_t: float | None = None

    @property
    def active_depth(self) -> float | None:
        """Depth so far of an excursion under way (for a live view), else None."""
        return self._depth if self._state == "active" else None

    @property
    def active_since(self) -> float | None:
        return self._start if self._state == "active" else None

    def baseline(self, t: float) -> float | None:
        """The running baseline at ``t``, or None while there is too little history."""
        while self._history and self._history[0][0] < t - self.baseline_window_s:
            self._history.popleft()
        if not self._history or t - self._history[0][0] < self.min_baseline_s:
            return None
        return statistics.median(v for _, v in self._history)

    def update(self, t: float, value: float | None) -> Excursion | None:
        """Feed one sample; returns an excursion when one has just ended."""
        lost = self._last_t is not None and t - self._last_t > MAX_GAP_S
        if lost and self._state == "active":
            self._state, self._rise = "idle", None  # lost sight of it half-way: no verdict on a guess
        if value is None:
            return None
        if lost:
            self._history.clear()
            self._state, self._rise = "idle", None
        self._last_t = t
        if self._state == "active":
            return self._follow(t, value)
        base = self.baseline(t)
        self._history.append((t, value))
        if base is None:
            return None
        rel = value - base
        if self._state == "held":
            if rel < self.end_below:
                self._state = "idle"
            return None
        if rel < self.end_below:
            self._rise = None
            return None
        if self._rise is None:
            self._rise = t
        if rel >= self.start_above:
            self._history.pop()  # the excursion's samples are not part of the baseline
            self._state = "active"
            self._start, self._base, self._depth, self._peak_t = self._rise, base, rel, t
        return None

    def _follow(self, t: float, value: float) -> Excursion | None:
        rel = value - self._base
        if rel > self._depth:
            self._depth, self._peak_t = rel, t
        if t - self._start > self.max_duration_s:
            self._state = "held"
            self._history.append((t, value))
            return None
        if rel >= self.end_below:
            return None
        self._state, self._rise = "idle", None
        self._history.append((t, value))
        if t - self._start < self.min_duration_s:
            return None
        return Excursion(self._start, t, self._peak_t, self._depth, self._base)


@dataclass(frozen=True)
class Interval:
    """A stretch of time during which a condition held."""

    start: float
    end: float
    extreme: float | None = None  # the most extreme value seen during it, when values were given

    @property
    def duration_s(self) -> float:
        return self.end - self.start


class IntervalDetector:
    """On once the condition has held for ``on_after_s``; off once it has not held for
    ``off_after_s``. The interval runs from when the condition began to hold to when it
    stopped. ``None`` (not seen) keeps the state; unseen for longer than ``MAX_GAP_S``
    closes an open interval at the last time it was seen to hold.

    ``extreme``: "min" or "max" of the values passed with the samples that held.
    """

    def __init__(self, on_after_s: float, off_after_s: float, extreme: Literal["min", "max"] = "max") -> None:
        self.on_after_s, self.off_after_s = on_after_s, off_after_s
        self._pick = min if extreme == "min" else max
        self.on = False
        self._run_start: float | None = None  # when the current run of "holds" began
        self._false_since: float | None = None
        self._last_held: float | None = None
        self._last_seen: float | None = None
        self._extreme: float | None = None

    def update(self, t: float, holds: bool | None, value: float | None = None) -> Interval | None:
        """Feed one sample; returns an interval when one has just closed."""
        if holds is None:
            if self._last_seen is not None and t - self._last_seen > MAX_GAP_S:
                return self._close(self._last_held) if self.on else self._reset()
            return None
        self._last_seen = t
        if holds:
            self._false_since = None
            self._last_held = t
            if self._run_start is None:
                self._run_start, self._extreme = t, None
            if value is not None:
                self._extreme = value if self._extreme is None else self._pick(self._extreme, value)
            if not self.on and t - self._run_start >= self.on_after_s:
                self.on = True
            return None
        if not self.on:
            return self._reset()
        if self._false_since is None:
            self._false_since = t
        if t - self._false_since >= self.off_after_s:
            return self._close(self._false_since)
        return None

    def close(self, t: float) -> Interval | None:
        """End of the stream at ``t``: the open interval, if any, closed at ``t``."""
        return self._close(t if self._false_since is None else self._false_since) if self.on else None

    def _close(self, end: float | None) -> Interval | None:
        interval = Interval(self._run_start, end if end is not None else self._run_start, self._extreme)
        self.on = False
        self._reset()
        return interval

    def _reset(self) -> None:
        self._run_start = self._false_since = self._extreme = None
        return None


@dataclass
class Segment:
    start: float
    end: float
    state: bool | None


class StateTrack:
    """Run-length record of a yes/no/unknown state over time. Each sample's state lasts until
    the next sample, at most ``MAX_GAP_S`` (a longer gap is time nobody saw)."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self._last: tuple[float, bool | None] | None = None

    def add(self, t: float, state: bool | None) -> None:
        if self._last is not None:
            t0, s0 = self._last
            end = min(t, t0 + MAX_GAP_S)
            if end > t0:
                last = self.segments[-1] if self.segments else None
                if last is not None and last.state == s0 and abs(last.end - t0) < 1e-9:
                    last.end = end
                else:
                    self.segments.append(Segment(t0, end, s0))
        self._last = (t, state)

    def seconds(self, state: bool | None) -> float:
        """Time spent in ``state``."""
        return sum(s.end - s.start for s in self.segments if s.state == state)

    def share(self) -> float | None:
        """Share of the seen (not unknown) time in state True, or None if nothing was seen."""
        yes, no = self.seconds(True), self.seconds(False)
        return None if yes + no <= 0 else yes / (yes + no)

    def longest(self, state: bool) -> tuple[float, float, float]:
        """(seconds, start, end) of the longest stretch in ``state``, counting only seen time:
        unknown time (the face hidden) neither adds to a stretch nor ends it."""
        best = (0.0, 0.0, 0.0)
        run, start = 0.0, None
        for s in self.segments:
            if s.state is None:
                continue
            if s.state == state:
                start = s.start if start is None else start
                run += s.end - s.start
                if run > best[0]:
                    best = (run, start, s.end)
            else:
                run, start = 0.0, None
        return best
