"""Debouncing live verdicts so they do not flicker.

A deviation is shown once it has held for ``show_after_s`` seconds and hidden once it has
been gone for ``clear_after_s``. Times are the frames' timestamps (seconds), not frame
counts, so a slow machine shows the same thing, only later by at most one frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _KeyState:
    shown: bool = False
    since: float | None = None  # when the raw value last started to differ from `shown`


@dataclass
class Hysteresis:
    """Per-key on/off debounce with separate delays for switching on and off."""

    show_after_s: float = 0.7
    clear_after_s: float = 0.7
    _states: dict[str, _KeyState] = field(default_factory=dict)

    def update(self, t: float, raw: dict[str, bool]) -> dict[str, bool]:
        """Feed the raw on/off values at time ``t``; returns the debounced values of every
        key seen so far (keys missing from ``raw`` count as off)."""
        for key in raw.keys() - self._states.keys():
            self._states[key] = _KeyState()
        for key, state in self._states.items():
            value = raw.get(key, False)
            if value == state.shown:
                state.since = None
                continue
            if state.since is None:
                state.since = t
            delay = self.show_after_s if value else self.clear_after_s
            if t - state.since >= delay:
                state.shown, state.since = value, None
        return {k: s.shown for k, s in self._states.items()}

    def reset(self) -> None:
        self._states.clear()


class VerdictStabilizer:
    """Which clauses to show as failing in a live view, from per-frame reports."""

    def __init__(self, show_after_s: float = 0.7, clear_after_s: float = 0.7) -> None:
        self._filter = Hysteresis(show_after_s, clear_after_s)

    def update(self, t: float, report) -> set[str]:
        """Clause ids to show as failing at time ``t`` given this frame's report. A clause
        that is not visible in this frame counts as not failing, so it clears after the
        delay when the person leaves."""
        raw = {c.id: c.verdict == "fail" for c in report.clauses}
        return {k for k, on in self._filter.update(t, raw).items() if on}
