"""Measurements: plain numbers with units, computed from :class:`~posture.landmarks.Landmarks`.

Each measurement is a small function registered under a name (the name the clauses in
``standards/`` refer to). It returns a :class:`Measured` or ``None`` when the landmarks
it needs were not seen; ``None`` becomes a "not visible" verdict, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from posture.landmarks import Landmarks, per_frame  # noqa: F401 - per_frame: the measurements' helper


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
    func: Callable[..., Measured | None]
    contextual: bool = False  # func(lm, context): needs the company's settings and the profile


REGISTRY: dict[str, MeasurementSpec] = {}


def measurement(name: str, unit: str, contextual: bool = False) -> Callable:
    """Register a measurement function under ``name``; its docstring says what it measures.
    ``contextual``: it is called as ``func(lm, context)`` with a
    :class:`posture.grooming.company.GroomingContext` (the company's dress rules, the profile)."""

    def register(func: Callable[..., Measured | None]) -> Callable:
        if name in REGISTRY:
            raise ValueError(f"measurement {name!r} registered twice")
        REGISTRY[name] = MeasurementSpec(name, unit, (func.__doc__ or "").strip(), func, contextual)
        return func

    return register


def measure_all(lm: Landmarks, names: set[str] | None = None,
                context: object | None = None) -> dict[str, Measured | None]:
    """Run the named measurements (all by default) on one person's landmarks; ``context``
    (a GroomingContext; default: no company settings, profile "any") for those that need it."""
    from posture.grooming.company import GroomingContext

    wanted = REGISTRY if names is None else {n: REGISTRY[n] for n in names}
    ctx = context if context is not None else GroomingContext()
    return {name: spec.func(lm, ctx) if spec.contextual else spec.func(lm) for name, spec in wanted.items()}


# Importing the modules fills the registry.
from posture.measure import arms, body, face, gaze, grooming, hands, motion  # noqa: E402,F401
