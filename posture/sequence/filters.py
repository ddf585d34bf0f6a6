"""Smoothing per-frame measurements over time, driven by the frames' timestamps.

The One Euro filter (Casiez, Roussel, Vogel, CHI 2012) is a low-pass filter whose cutoff
rises with the signal's speed: still signals are smoothed hard (landmark jitter goes),
fast ones barely lag (a nod keeps its depth). Its smoothing factor comes from the time
between samples, so 10 and 30 frames per second give the same curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# A measurement missing for longer than this (person out of view, a dropped stretch of
# video) restarts its filter instead of gliding from a stale value.
MAX_GAP_S = 0.5


@dataclass(frozen=True)
class OneEuroSettings:
    """``min_cutoff_hz``: cutoff of a still signal; ``beta``: cutoff added per unit/s of
    speed; ``d_cutoff_hz``: cutoff of the speed estimate itself."""

    min_cutoff_hz: float
    beta: float
    d_cutoff_hz: float = 1.0


def _alpha(cutoff_hz: float, dt: float) -> float:
    r = 2.0 * math.pi * cutoff_hz * dt
    return r / (r + 1.0)


class OneEuroFilter:
    """One scalar signal; call with (t, x) in time order and get the smoothed value."""

    def __init__(self, settings: OneEuroSettings) -> None:
        self.settings = settings
        self._t: float | None = None
        self._x = 0.0
        self._dx = 0.0

    def __call__(self, t: float, x: float) -> float:
        if self._t is None or t - self._t > MAX_GAP_S:
            self._t, self._x, self._dx = t, x, 0.0
            return x
        dt = t - self._t
        if dt <= 0.0:  # a repeated timestamp: nothing new to smooth
            return self._x
        s = self.settings
        a_d = _alpha(s.d_cutoff_hz, dt)
        self._dx = a_d * (x - self._x) / dt + (1.0 - a_d) * self._dx
        a = _alpha(s.min_cutoff_hz + s.beta * abs(self._dx), dt)
        self._x = a * x + (1.0 - a) * self._x
        self._t = t
        return self._x


class Smoother:
    """A One Euro filter per named signal; ``None`` (not measured) passes through and leaves
    the filter as it was."""

    def __init__(self, settings: dict[str, OneEuroSettings]) -> None:
        self._filters = {name: OneEuroFilter(s) for name, s in settings.items()}

    def __call__(self, t: float, values: dict[str, float | None]) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for name, value in values.items():
            f = self._filters.get(name)
            out[name] = value if value is None or f is None else f(t, value)
        return out
