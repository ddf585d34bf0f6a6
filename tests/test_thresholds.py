"""Both sides of every threshold and tolerance in standards/: a value exactly at the edge
of the accepted band passes, a value just beyond it fails."""

from __future__ import annotations

import math

import pytest

from posture.measure import Measured
from posture.standards import Condition, load_standard
from posture.verdicts import judge

EPS = 1e-6


def inside(c: Condition) -> float:
    """A value comfortably inside the condition's band."""
    if math.isfinite(c.low) and math.isfinite(c.high):
        return (c.low + c.high) / 2
    return c.low + 1.0 if math.isfinite(c.low) else c.high - 1.0


def outside(c: Condition) -> float:
    return c.low - 1.0 if math.isfinite(c.low) else c.high + 1.0


def edges():
    # A clause that combines others (HD-FOLD) holds their variants, whose edges are tested
    # on those clauses; with several variants sharing conditions one passing is a pass.
    for clause in (c for c in load_standard().still_clauses() if not c.combines):
        for vi, variant in enumerate(clause.variants):
            for ci, cond in enumerate(variant.conditions):
                for bound in ("low", "high"):
                    if math.isfinite(getattr(cond, bound)):
                        name = f"{clause.id}-{variant.name}-{cond.measurement}-{bound}"
                        yield pytest.param(clause.id, vi, ci, bound, id=name)


@pytest.mark.parametrize(("clause_id", "vi", "ci", "bound"), list(edges()))
def test_edge_of_tolerance(standard, clause_id, vi, ci, bound):
    clause = standard.by_id[clause_id]
    variant = clause.variants[vi]
    measured: dict[str, Measured] = {}
    # Every other variant is measured and broken, so only the variant under test can pass.
    for other in clause.variants:
        if other is variant:
            continue
        for k, cond in enumerate(other.conditions):
            measured[cond.measurement] = Measured(outside(cond) if k == 0 else inside(cond), 1.0)
    for cond in variant.conditions:
        measured[cond.measurement] = Measured(inside(cond), 1.0)
    cond = variant.conditions[ci]
    edge = getattr(cond, bound)
    beyond = edge - EPS if bound == "low" else edge + EPS
    assert judge(clause, {**measured, cond.measurement: Measured(edge, 1.0)}).outcome == "pass"
    assert judge(clause, {**measured, cond.measurement: Measured(beyond, 1.0)}).outcome == "fail"


def test_tolerance_widens_the_standards_band(standard):
    angle = standard.by_id["PT-ANGLE"].variants[0].conditions[0]
    assert (angle.min, angle.max, angle.tolerance) == (45, 45, 15)
    assert angle.accepts(30) and angle.accepts(60)
    assert not angle.accepts(29.9) and not angle.accepts(60.1)
