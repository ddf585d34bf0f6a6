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


# The views a camera can have of a body (posture.measure.view names them from the world pose).
ALL_VIEWS = ("front", "three_quarter", "side", "back")
# Gaps and tilts across the body show their true size only seen square on, from the front or
# the back: turned 45 degrees a gap shrinks to 0.7 of itself and a tilt grows by 1.4.
ACROSS_BODY_VIEWS = ("front", "back")


@dataclass(frozen=True)
class MeasurementSpec:
    name: str
    unit: str
    doc: str
    func: Callable[[Landmarks], Measured | None]
    views: tuple[str, ...] = ALL_VIEWS  # the views the measurement is valid from


REGISTRY: dict[str, MeasurementSpec] = {}


def measurement(name: str, unit: str, views: tuple[str, ...] = ALL_VIEWS) -> Callable:
    """Register a measurement function under ``name``; its docstring says what it measures,
    ``views`` the views of the body it is valid from (see ``ALL_VIEWS``)."""

    def register(func: Callable[[Landmarks], Measured | None]) -> Callable:
        if name in REGISTRY:
            raise ValueError(f"measurement {name!r} registered twice")
        if not views or set(views) - set(ALL_VIEWS):
            raise ValueError(f"measurement {name!r}: views must be some of {ALL_VIEWS}, got {views}")
        REGISTRY[name] = MeasurementSpec(name, unit, (func.__doc__ or "").strip(), func, tuple(views))
        return func

    return register


def per_frame(lm: Landmarks, key: str, compute: Callable[[], object]) -> object:
    """``compute()`` once per frame: later calls with the same ``key`` reuse its result."""
    if key not in lm.memo:
        lm.memo[key] = compute()
    return lm.memo[key]


def measure_all(lm: Landmarks, names: set[str] | None = None) -> dict[str, Measured | None]:
    """Run the named measurements (all by default) on one person's landmarks; a measurement
    the view cannot show (see ``hidden_by_view``) gives None."""
    wanted = REGISTRY if names is None else {n: REGISTRY[n] for n in names}
    hidden = hidden_by_view(lm, set(wanted))
    return {name: None if name in hidden else spec.func(lm) for name, spec in wanted.items()}


def hidden_by_view(lm: Landmarks, names: set[str]) -> dict[str, str]:
    """The named measurements that the camera's view of the body cannot show, each with that
    view ("side", ...); empty when the view is unknown."""
    from posture.measure.view import view_of

    current = view_of(lm)
    if current is None:
        return {}
    return {n: current for n in names if current not in REGISTRY[n].views}


# Importing the modules fills the registry.
from posture.measure import body, face, gaze, hands, motion, view  # noqa: E402,F401
