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


# The views a camera can have of a body (posture.measure.view names them from the world pose).
ALL_VIEWS = ("front", "three_quarter", "side", "back")
# Gaps and tilts across the body show their true size only seen square on, from the front or
# the back: turned 45 degrees a gap shrinks to 0.7 of itself and a tilt grows by 1.4.
ACROSS_BODY_VIEWS = ("front", "back")


@dataclass(frozen=True)
class MeasurementSpec:
    """A registered measurement: its name, unit, what it measures and the function."""

    name: str
    unit: str
    doc: str
    func: Callable[..., Measured | None]
    contextual: bool = False  # func(lm, context): needs the company's settings and the profile
    views: tuple[str, ...] = ALL_VIEWS  # the views the measurement is valid from
    unless: tuple[str, ...] = ()  # body states (BLOCKING_STATES) in which it cannot be read


REGISTRY: dict[str, MeasurementSpec] = {}
# States of the body in which some measurements cannot be read (an arm raised drags its
# shoulder point up): name -> test on one frame's landmarks.
BLOCKING_STATES: dict[str, Callable[[Landmarks], bool]] = {}


def blocking_state(name: str) -> Callable:
    """Register a test for a body state that measurements can name in ``unless``."""

    def register(func: Callable[[Landmarks], bool]) -> Callable:
        BLOCKING_STATES[name] = func
        return func

    return register


def measurement(name: str, unit: str, views: tuple[str, ...] = ALL_VIEWS, unless: tuple[str, ...] = (), *,
                contextual: bool = False) -> Callable:
    """Register a measurement function under ``name``; its docstring says what it measures.
    ``contextual``: it is called as ``func(lm, context)`` with a
    :class:`posture.grooming.company.GroomingContext` (the company's dress rules, the profile);
    ``views``: the views of the body it is valid from (see ``ALL_VIEWS``); ``unless``: the body
    states (``BLOCKING_STATES``) in which it cannot be read."""

    def register(func: Callable[..., Measured | None]) -> Callable:
        if name in REGISTRY:
            raise ValueError(f"measurement {name!r} registered twice")
        if not views or set(views) - set(ALL_VIEWS):
            raise ValueError(f"measurement {name!r}: views must be some of {ALL_VIEWS}, got {views}")
        REGISTRY[name] = MeasurementSpec(name, unit, (func.__doc__ or "").strip(), func, contextual,
                                         tuple(views), tuple(unless))
        return func

    return register


def measure_all(lm: Landmarks, names: set[str] | None = None,
                context: object | None = None) -> dict[str, Measured | None]:
    """Run the named measurements (all by default) on one person's landmarks; ``context``
    (a GroomingContext; default: no company settings, profile "any") for those that need it.
    A measurement the view or the body's state hides (see ``hidden_measurements``) gives None."""
    from posture.grooming.company import GroomingContext

    wanted = REGISTRY if names is None else {n: REGISTRY[n] for n in names}
    ctx = context if context is not None else GroomingContext()
    hidden = hidden_measurements(lm, set(wanted))
    return {name: None if name in hidden else (spec.func(lm, ctx) if spec.contextual else spec.func(lm))
            for name, spec in wanted.items()}


def hidden_measurements(lm: Landmarks, names: set[str]) -> dict[str, str]:
    """The named measurements that cannot be read in this frame, each with why: the camera's
    view of the body ("side", ...) when it is not one the measurement is valid from, else the
    first of its blocking states that holds ("arm_raised", ...)."""
    from posture.measure.view import view_of

    current = view_of(lm)
    out = {}
    for n in names:
        spec = REGISTRY[n]
        if current is not None and current not in spec.views:
            out[n] = current
            continue
        state = next((s for s in spec.unless if per_frame(lm, "state:" + s, lambda s=s: BLOCKING_STATES[s](lm))),
                     None)
        if state is not None:
            out[n] = state
    return out


# Importing the modules fills the registry.
from posture.measure import arms, body, face, gaze, grooming, hands, motion, view  # noqa: E402,F401
