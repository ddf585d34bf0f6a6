"""Gaze: where the eyes point, as the head's turn plus the eyes' turn inside the head.

Coarse by design (EY-FOCUS in standards/expression.yaml says how coarse): the eyes' turn
comes from where the iris centre sits between the eye corners in the head's own frame,
averaged over both eyes (which cancels convergence), on a spherical eye whose rotation
radius is ``EYE_RADIUS_OVER_WIDTH`` eye widths. On the sample photos of people looking at
the camera the iris sits within 0.05 eye widths of the corners' midpoint (about 7 degrees).
"""

from __future__ import annotations

import math

import numpy as np

from posture.landmarks import FaceLM, Landmarks
from posture.measure import Measured, measurement
from posture.measure.face import (
    FACE_CONFIDENCE,
    MAX_YAW_FOR_EXPRESSION_DEG,
    MIN_EYE_SPAN_PX,
    head_angles_deg,
    head_rotation,
)

# The iris turns on a sphere of about 12 mm radius; the eye opening (corner to corner)
# is about 30 mm wide: an iris offset of x eye widths is a turn of asin(x / 0.4).
EYE_RADIUS_OVER_WIDTH = 0.4
_EYES = ((FaceLM.RIGHT_EYE_OUTER, FaceLM.RIGHT_EYE_INNER, FaceLM.RIGHT_IRIS),
         (FaceLM.LEFT_EYE_OUTER, FaceLM.LEFT_EYE_INNER, FaceLM.LEFT_IRIS))


def eye_turn_deg(face: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) of the eyes inside the head, degrees, with the signs of the head's
    angles: yaw > 0 toward the image's right (the person's left), pitch > 0 looking down."""
    local = (face - face[FaceLM.NOSE_TIP]) @ head_rotation(face)
    offsets = []
    for outer, inner, iris in _EYES:
        centre = (local[outer] + local[inner]) / 2.0
        width = float(np.linalg.norm(local[outer, :2] - local[inner, :2]))
        offsets.append((local[iris, :2] - centre[:2]) / max(width, 1e-9))
    dx, dy = np.mean(offsets, axis=0) / EYE_RADIUS_OVER_WIDTH
    return (math.degrees(math.asin(float(np.clip(dx, -1.0, 1.0)))),
            math.degrees(math.asin(float(np.clip(dy, -1.0, 1.0)))))


def _gaze(lm: Landmarks) -> tuple[float, float] | None:
    """Head plus eye angles, or None without a refined mesh (irises). With the face turned
    so far that the far eye is hidden the irises are not read: the head's angles alone
    already say the person looks away."""
    face = lm.face
    if face is None or face.shape[0] < 478:
        return None
    if np.linalg.norm(face[FaceLM.LEFT_EYE_OUTER, :2] - face[FaceLM.RIGHT_EYE_OUTER, :2]) < MIN_EYE_SPAN_PX:
        return None
    yaw, pitch, _ = head_angles_deg(face)
    if abs(yaw) > MAX_YAW_FOR_EXPRESSION_DEG:
        return yaw, pitch
    eye_yaw, eye_pitch = eye_turn_deg(face)
    return yaw + eye_yaw, pitch + eye_pitch


@measurement("gaze_yaw_deg", "deg")
def gaze_yaw_deg(lm: Landmarks) -> Measured | None:
    """Sideways direction of the gaze from facing the camera (head turn plus the irises'
    turn inside the eyes; positive toward the image's right)."""
    gaze = _gaze(lm)
    return None if gaze is None else Measured(gaze[0], FACE_CONFIDENCE)


@measurement("gaze_pitch_deg", "deg")
def gaze_pitch_deg(lm: Landmarks) -> Measured | None:
    """Up/down direction of the gaze (head pitch plus the irises' vertical turn; positive
    looking down). Coarser than the yaw: eyelids cover the top of the iris."""
    gaze = _gaze(lm)
    return None if gaze is None else Measured(gaze[1], FACE_CONFIDENCE)
