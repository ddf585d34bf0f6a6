"""Synthetic landmark sequences for the sequence-engine tests: a ``Body`` per instant,
checked by the real pipeline from the landmarks on (no MediaPipe model is loaded), fed to
a :class:`SequenceTracker` at a chosen frame rate, with optional landmark jitter."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from synthetic import Body

from posture.landmarks import FaceLM, Landmarks
from posture.pipeline import Checker
from posture.sequence import SequenceTracker, VideoReport
from posture.standards import Standard


class LandmarkChecker(Checker):
    """The pipeline from landmarks on: measurements, scenario, verdicts, report. No model is
    loaded because the landmarks are given."""

    def __init__(self, standard: Standard) -> None:
        self.standard = standard


def bump(t: float, start: float, down: float, hold: float, up: float, peak: float) -> float:
    """A smooth excursion: 0 until ``start``, rising to ``peak`` in ``down`` s, held, back in ``up`` s."""
    x = t - start
    if x <= 0:
        return 0.0
    if x < down:
        return peak * 0.5 * (1 - math.cos(math.pi * x / down))
    if x < down + hold:
        return peak
    x -= down + hold
    if x < up:
        return peak * 0.5 * (1 + math.cos(math.pi * x / up))
    return 0.0


def blend(a: Body, b: Body, w: float) -> Body:
    """``a`` moved the share ``w`` (0..1) of the way to ``b``'s joint positions: a limb moving
    continuously instead of jumping between two poses from one frame to the next."""
    w = min(max(w, 0.0), 1.0)
    out = Body(head=a.head, smile=a.smile, mouth_open=a.mouth_open, lean_forward_deg=a.lean_forward_deg)
    out.joints = {k: (1 - w) * a.joints[k] + w * b.joints[k] for k in a.joints}
    return out


def with_irises(lm: Landmarks, look: float = 0.0) -> Landmarks:
    """The synthetic face's irises placed at the middle of each eye, moved ``look`` eye widths
    toward the person's left (the image's right): the synthetic face has none of its own."""
    face = lm.face.copy()
    for outer, inner, iris in ((FaceLM.RIGHT_EYE_OUTER, FaceLM.RIGHT_EYE_INNER, FaceLM.RIGHT_IRIS),
                               (FaceLM.LEFT_EYE_OUTER, FaceLM.LEFT_EYE_INNER, FaceLM.LEFT_IRIS)):
        axis = face[FaceLM.LEFT_EYE_OUTER] - face[FaceLM.RIGHT_EYE_OUTER]
        axis /= np.linalg.norm(axis)
        width = np.linalg.norm(face[outer] - face[inner])
        face[iris] = (face[outer] + face[inner]) / 2 + axis * look * width
    return replace(lm, face=face)


def jittered(lm: Landmarks, rng: np.random.Generator, px: float = 2.0, world_m: float = 0.01) -> Landmarks:
    """Landmark noise like a tracker's frame-to-frame jitter: ``px`` pixels on the image
    points, ``world_m`` metres on the world pose."""

    def noisy(arr: np.ndarray | None, sigma: float) -> np.ndarray | None:
        return None if arr is None else arr + rng.normal(0.0, sigma, arr.shape)

    return replace(lm, pose=noisy(lm.pose, px), pose_world=noisy(lm.pose_world, world_m),
                   face=noisy(lm.face, px / 4), left_hand=noisy(lm.left_hand, px),
                   right_hand=noisy(lm.right_hand, px))


def run(standard: Standard, body_at: Callable[[float], Body | Landmarks], *, duration: float, fps: float = 10.0,
        times: list[float] | None = None, profile: str = "female", scenario: str = "standing",
        jitter: bool = False, look: Callable[[float], float] = lambda t: 0.0,
        seed: int = 0) -> tuple[SequenceTracker, VideoReport]:
    """Feed the person ``body_at(t)`` at ``fps`` frames per second (or at the given
    ``times``) for ``duration`` seconds; returns the tracker and its final report."""
    checker = LandmarkChecker(standard)
    tracker = SequenceTracker(standard, profile=profile, scenario=scenario)
    rng = np.random.default_rng(seed)
    for t in times if times is not None else (i / fps for i in range(int(round(duration * fps)))):
        made = body_at(t)
        lm = made if isinstance(made, Landmarks) else made.landmarks()
        if lm.face is not None:
            lm = with_irises(lm, look(t))
        if jitter:
            lm = jittered(lm, rng)
        tracker.update(t, checker.check_landmarks(lm, scenario=scenario, profile=profile))
    return tracker, tracker.report()


def verdicts(report: VideoReport) -> dict[str, str]:
    return {c.id: c.verdict for c in report.clauses}


def clause(report: VideoReport, cid: str):
    return next(c for c in report.clauses if c.id == cid)
