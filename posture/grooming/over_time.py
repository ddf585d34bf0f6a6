"""Grooming over a video or a live view: judged a few times a second, not on every frame, and
each clause's verdict the majority of its judgements over the last seconds (settings.yaml
``grooming_over_time``, with the reasons): a beard or a badge does not come and go between
frames, while one frame's reading wobbles with a turned head, motion blur or the light.

Kept per person (their id in the frame, stable with a people tracker). Times are the frames'
own, in seconds: a slow machine judges fewer frames, not different verdicts.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from posture.standards import Clause, GroomingOverTime, Text
from posture.verdicts import Verdict


class GroomingMajority:
    """The grooming verdicts of a video or live session. :meth:`due` says whether a frame is
    to be judged (the first one, then frames at least ``every_s`` apart); :meth:`add` keeps
    its verdicts; :meth:`verdicts` gives each clause's majority over the last ``window_s``."""

    def __init__(self, rule: GroomingOverTime) -> None:
        self.rule = rule
        self._last_t: float | None = None
        self._votes: dict[int, deque[tuple[float, dict[str, Verdict]]]] = {}

    def due(self, t: float) -> bool:
        if self._last_t is not None and t < self._last_t:  # time went back: a new video or session
            self._last_t, self._votes = None, {}
        return self._last_t is None or t - self._last_t >= self.rule.every_s - 1e-9

    def judged(self, t: float) -> None:
        """The frame at ``t`` was judged (for everyone in it)."""
        self._last_t = t

    def add(self, person: int, t: float, verdicts: list[Verdict]) -> None:
        votes = self._votes.setdefault(person, deque())
        votes.append((t, {v.clause.id: v for v in verdicts}))
        while votes and t - votes[0][0] > self.rule.window_s:
            votes.popleft()

    def verdicts(self, person: int, t: float, clauses: list[Clause]) -> list[Verdict]:
        """Each clause's verdict over the window ending at ``t``: pass or fail by the majority
        of the judgements that saw it (a tie: the latest one), "not visible" when fewer than
        ``min_judged_share`` of them saw it. The verdict is the latest judgement with that
        outcome (its measured values), its reason the count behind it."""
        recent = [(vt, v) for vt, v in self._votes.get(person, ()) if t - vt <= self.rule.window_s]
        out = []
        for clause in clauses:
            seen = [v[clause.id] for _, v in recent if clause.id in v]
            judged = [v for v in seen if v.outcome != "not_visible"]
            if not judged or len(judged) < self.rule.min_judged_share * len(seen):
                unseen = [v for v in seen if v.outcome == "not_visible"]
                out.append(unseen[-1] if unseen else Verdict(clause, "not_visible", None,
                                                             missing=sorted(clause.measurements)))
                continue
            fails = sum(v.outcome == "fail" for v in judged)
            passes = len(judged) - fails
            outcome = judged[-1].outcome if fails == passes else ("fail" if fails > passes else "pass")
            latest = next(v for v in reversed(judged) if v.outcome == outcome)
            window = f"{self.rule.window_s:g}"
            reason = Text(zh=f"最近 {window} 秒内判断 {len(judged)} 次,{fails} 次未通过",
                          en=f"over the last {window} s: {fails} of {len(judged)} judgements failed")
            out.append(replace(latest, reason=reason))
        return out
