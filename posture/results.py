"""A session's result and the score, defined once: the routine's summary, the group table,
History and every export count with these functions, so their numbers match.

A session's result (a routine, a group trainee's turn, a self-check session): per clause,
one verdict over the steps (or photos) done. Only the latest try of a step counts (the
caller passes the latest rows); skipped steps do not count; a failure in any step is a
failure, otherwise a pass in any step is a pass, otherwise "not visible".

The score (0-100) is the severity-weighted share of the judged clauses that passed, with
the weights of ``severity_weights`` in standards/settings.yaml (critical 4, major 2,
minor 1); clauses that could not be judged are left out of it, so a score is always shown
with how many clauses it judged ("4 of 9 clauses judged").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["pass", "fail", "not_visible"]


def combine(verdicts: Iterable[str]) -> Outcome:
    """One verdict from several (a clause in several steps, or several checks): a failure
    anywhere is a failure; otherwise a pass anywhere is a pass."""
    seen = set(verdicts)
    if "fail" in seen:
        return "fail"
    return "pass" if "pass" in seen else "not_visible"


def weighted_score(judged: Iterable[tuple[str, str]], weights: Mapping[str, float]) -> float | None:
    """0-100 from (severity, verdict) pairs: the weighted share of the passed among the
    passed and failed; None when nothing was judged."""
    total = passed = 0.0
    for severity, verdict in judged:
        if verdict in ("pass", "fail"):
            total += weights[severity]
            passed += weights[severity] if verdict == "pass" else 0.0
    return None if total == 0 else round(100.0 * passed / total, 1)


@dataclass(frozen=True)
class SessionResult:
    """Per clause, the session's verdict; the counts and the score every page shows."""

    verdicts: dict[str, Outcome]
    score: float | None

    def count(self, verdict: str) -> int:
        return sum(v == verdict for v in self.verdicts.values())

    @property
    def passed(self) -> int:
        return self.count("pass")

    @property
    def failed(self) -> int:
        return self.count("fail")

    @property
    def not_visible(self) -> int:
        return self.count("not_visible")

    @property
    def judged(self) -> int:
        return self.passed + self.failed

    @property
    def share(self) -> float | None:
        return self.passed / self.judged if self.judged else None


def session_result(rows: Iterable[tuple[str, str, bool]], severities: Mapping[str, str] | None = None,
                   weights: Mapping[str, float] | None = None) -> SessionResult:
    """From (clause, verdict, skipped) rows of the latest try of each step: the session's
    result. ``severities`` (clause -> severity) and ``weights`` give the score."""
    collected: dict[str, list[str]] = {}
    for clause, verdict, skipped in rows:
        if not skipped:
            collected.setdefault(clause, []).append(verdict)
    verdicts = {c: combine(v) for c, v in collected.items()}
    score = None
    if severities is not None and weights is not None:
        score = weighted_score(((severities[c], v) for c, v in verdicts.items()), weights)
    return SessionResult(verdicts, score)
