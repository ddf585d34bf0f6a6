"""Per-frame positions whose change over time the sequence layer (posture.sequence) turns
into motion: the trunk's forward flexion (bows), the wrists in the trunk's own frame
(gestures while talking), the arms' forward swing and the feet's stagger in the metric
world pose (walking).

Positions are taken relative to the body, so a person who steps sideways or a camera
that pans does not read as a gesture.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from posture.landmarks import Landmarks, PoseLM
from posture.measure import Measured, measurement, per_frame
from posture.measure.body import HIPS, SHOULDERS, find_trunk, world_mid
from posture.measure.geometry import unit

# MediaPipe extrapolates hips cut by the bottom edge of the picture and, tracking them in a
# video, lets them slide off it: their depth, and the trunk's lean with it, then drifts by
# 10-20 degrees (seen on the sample photo cut at the hips). A flexion is only read with
# the hips this far (share of the picture's height) above the bottom edge.
HIP_EDGE_MARGIN = 0.1

_WRIST = {"left": PoseLM.LEFT_WRIST, "right": PoseLM.RIGHT_WRIST}
_SHOULDER = {"left": PoseLM.LEFT_SHOULDER, "right": PoseLM.RIGHT_SHOULDER}


def _wrist_in_trunk(lm: Landmarks, side: str) -> tuple[np.ndarray, float] | None:
    """(across, down) of the wrist from the shoulders' midpoint along the trunk's axes, in
    shoulder widths, with its confidence."""
    trunk = find_trunk(lm)
    if trunk is None or not lm.seen(_WRIST[side]):
        return None
    rel = lm.pose[_WRIST[side], :2] - trunk.shoulder_mid
    pos = np.array([np.dot(rel, trunk.across), np.dot(rel, trunk.down)]) / trunk.width
    return pos, min(trunk.confidence, lm.visibility(_WRIST[side]))


def _wrist_axis(side: str, axis: int) -> Callable[[Landmarks], Measured | None]:
    def measure(lm: Landmarks) -> Measured | None:
        found = _wrist_in_trunk(lm, side)
        return None if found is None else Measured(float(found[0][axis]), found[1])

    return measure


def _register(name: str, unit_name: str, func: Callable[[Landmarks], Measured | None], doc: str) -> None:
    """Register a measurement made by a factory (one per side), with its own docstring."""
    func.__doc__ = doc
    measurement(name, unit_name)(func)


for _side in ("left", "right"):
    _register(f"{_side}_wrist_across_sw", "shoulder widths", _wrist_axis(_side, 0),
              f"Sideways position of the {_side} wrist from the shoulders' midpoint, along the trunk's "
              "across axis, in shoulder widths.")
    _register(f"{_side}_wrist_down_sw", "shoulder widths", _wrist_axis(_side, 1),
              f"Position of the {_side} wrist down the trunk from the shoulder line, in shoulder widths.")


def body_axes_world(lm: Landmarks) -> tuple[np.ndarray, np.ndarray] | None:
    """(down, forward) unit axes of the trunk in the metric world pose; forward points out of
    the chest (toward the camera when the person faces it). Worked out once per frame."""
    return per_frame(lm, "body_axes_world", lambda: _body_axes_world(lm))


def _body_axes_world(lm: Landmarks) -> tuple[np.ndarray, np.ndarray] | None:
    if lm.pose_world is None or lm.pose_points(*SHOULDERS, *HIPS) is None:
        return None
    w = lm.pose_world
    up = world_mid(lm, *SHOULDERS) - world_mid(lm, *HIPS)
    across = w[PoseLM.LEFT_SHOULDER] - w[PoseLM.RIGHT_SHOULDER]
    down = unit(-up)
    forward = np.cross(across, up)
    forward = unit(forward - np.dot(forward, down) * down)
    if np.linalg.norm(down) < 0.5 or np.linalg.norm(forward) < 0.5:
        return None
    return down, forward


@measurement("trunk_flexion_deg", "deg")
def trunk_flexion_deg(lm: Landmarks) -> Measured | None:
    """Forward flexion of the trunk (hip midpoint to shoulder midpoint) from the vertical, in
    the body's front-back plane (world pose): a bow toward the camera or seen side-on alike;
    a sideways lean does not count. Only with the hips clear of the picture's bottom edge."""
    if lm.pose_world is None or lm.pose_points(*SHOULDERS, *HIPS) is None:
        return None
    if lm.pose[list(HIPS), 1].max() > (1.0 - HIP_EDGE_MARGIN) * lm.height:
        return None
    w = lm.pose_world
    trunk = (w[PoseLM.LEFT_SHOULDER] + w[PoseLM.RIGHT_SHOULDER] - w[PoseLM.LEFT_HIP] - w[PoseLM.RIGHT_HIP]) / 2.0
    up = np.array([0.0, -1.0, 0.0])  # world y points down
    forward = unit(np.cross(w[PoseLM.LEFT_SHOULDER] - w[PoseLM.RIGHT_SHOULDER], up))
    angle = float(np.degrees(np.arctan2(np.dot(trunk, forward), np.dot(trunk, up))))
    return Measured(angle, lm.visibility(*SHOULDERS, *HIPS))


def _arm_swing(side: str) -> Callable[[Landmarks], Measured | None]:
    def measure(lm: Landmarks) -> Measured | None:
        axes = body_axes_world(lm)
        if axes is None or not lm.seen(_WRIST[side]):
            return None
        down, forward = axes
        arm = lm.pose_world[_WRIST[side]] - lm.pose_world[_SHOULDER[side]]
        angle = float(np.degrees(np.arctan2(np.dot(arm, forward), np.dot(arm, down))))
        return Measured(angle, lm.visibility(*SHOULDERS, *HIPS, _WRIST[side]))

    return measure


for _side in ("left", "right"):
    _register(f"{_side}_arm_swing_deg", "deg", _arm_swing(_side),
              f"Forward swing of the whole {_side} arm (shoulder to wrist) from the trunk's downward axis, "
              "in the body's front-back plane (world pose; positive forward).")


@measurement("ankle_stagger_m", "m")
def ankle_stagger_m(lm: Landmarks) -> Measured | None:
    """How far the left ankle is ahead of the right along the body's forward axis (metres,
    world pose): swings from one sign to the other with every step."""
    axes = body_axes_world(lm)
    ids = (PoseLM.LEFT_ANKLE, PoseLM.RIGHT_ANKLE)
    if axes is None or lm.pose_points(*ids) is None:
        return None
    stagger = float(np.dot(lm.pose_world[ids[0]] - lm.pose_world[ids[1]], axes[1]))
    return Measured(stagger, lm.visibility(*SHOULDERS, *HIPS, *ids))
