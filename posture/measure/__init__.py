"""Measurements: plain numbers with units, computed from :class:`~posture.landmarks.Landmarks`.

Each measurement is a small function registered under a name (the name the clauses in
``standards/`` refer to). It returns a :class:`Measured` or ``None`` when the landmarks
it needs were not seen; ``None`` becomes a "not visible" verdict, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from posture.landmarks import Landmarks


@dataclass(frozen=True)
class Measured:
    """One measured value and how sure we are of the landmarks behind it (0..1)."""

    value: float
    confidence: float


@dataclass(frozen=True)
class MeasurementSpec:
    name: str
    unit: str
    doc: str
    func: Callable[[Landmarks], Measured | None]


REGISTRY: dict[str, MeasurementSpec] = {}


def measurement(name: str, unit: str) -> Callable:
    """Register a measurement function under ``name``; its docstring says what it measures."""

    def register(func: Callable[[Landmarks], Measured | None]) -> Callable:
        if name in REGISTRY:
            raise ValueError(f"measurement {name!r} registered twice")
        REGISTRY[name] = MeasurementSpec(name, unit, (func.__doc__ or "").strip(), func)
        return func

    return register


def per_frame(lm: Landmarks, key: str, compute: Callable[[], object]) -> object:
    """``compute()`` once per frame: later calls with the same ``key`` reuse its result."""
    if key not in lm.memo:
        lm.memo[key] = compute()
    return lm.memo[key]


def measure_all(lm: Landmarks, names: set[str] | None = None) -> dict[str, Measured | None]:
    """Run the named measurements (all by default) on one person's landmarks."""
    wanted = REGISTRY if names is None else {n: REGISTRY[n] for n in names}
    return {name: spec.func(lm) for name, spec in wanted.items()}


# Importing the modules fills the registry.
from posture.measure import body, face, gaze, hands, motion, view  # noqa: E402,F401
