"""Clause verdicts: measurements compared with a clause's accepted ranges.

A clause passes when any of its variants has every condition in range, fails when every
variant was measured and none passes, and is "not_visible" otherwise: a verdict is never
given on a measurement whose landmarks were not seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from posture.measure import REGISTRY, Measured
from posture.standards import Clause, Condition, Variant

Outcome = Literal["pass", "fail", "not_visible"]


@dataclass(frozen=True)
class Check:
    """One condition of a clause with the value measured for it."""

    measurement: str
    unit: str
    value: float | None
    expected: str
    low: float
    high: float
    ok: bool | None  # None: not measured
    confidence: float
    why: str


@dataclass(frozen=True)
class Verdict:
    clause: Clause
    outcome: Outcome
    variant: Variant | None  # the passing variant, or the closest failing one
    checks: list[Check] = field(default_factory=list)
    confidence: float = 0.0
    missing: list[str] = field(default_factory=list)  # measurements that were not visible


def _check(cond: Condition, measured: Measured | None) -> Check:
    spec = REGISTRY[cond.measurement]
    if measured is None:
        return Check(cond.measurement, spec.unit, None, cond.expected(), cond.low, cond.high,
                     None, 0.0, cond.why)
    return Check(cond.measurement, spec.unit, measured.value, cond.expected(), cond.low,
                 cond.high, cond.accepts(measured.value), measured.confidence, cond.why)


def judge(clause: Clause, measured: dict[str, Measured | None]) -> Verdict:
    """The verdict on one clause from the measurements of one frame."""
    results = [(v, [_check(c, measured.get(c.measurement)) for c in v.conditions])
               for v in clause.variants]
    for variant, checks in results:
        if all(c.ok for c in checks):
            return Verdict(clause, "pass", variant, checks, min(c.confidence for c in checks))
    complete = [(v, cs) for v, cs in results if all(c.ok is not None for c in cs)]
    if len(complete) == len(results):
        # Report the variant that came closest: the fewest conditions out of range.
        variant, checks = min(complete, key=lambda vc: sum(not c.ok for c in vc[1]))
        return Verdict(clause, "fail", variant, checks, min(c.confidence for c in checks))
    missing = sorted({c.measurement for _, cs in results for c in cs if c.ok is None})
    variant, checks = results[0]
    return Verdict(clause, "not_visible", None, checks, 0.0, missing)


def judge_all(clauses: list[Clause], measured: dict[str, Measured | None]) -> list[Verdict]:
    return [judge(c, measured) for c in clauses]
