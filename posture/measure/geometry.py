"""Plain vector geometry shared by the measurements. Image coordinates: x right, y down."""

from __future__ import annotations

import numpy as np


def angle_between_deg(v1: np.ndarray, v2: np.ndarray) -> float:
    """Unsigned angle between two vectors, in degrees (0..180)."""
    n1, n2 = np.linalg.norm(v1), np.linalg.norm(v2)
    if n1 < 1e-9 or n2 < 1e-9:
        return float("nan")
    cos = float(np.clip(np.dot(v1, v2) / (n1 * n2), -1.0, 1.0))
    return float(np.degrees(np.arccos(cos)))


def joint_angle_deg(a: np.ndarray, joint: np.ndarray, b: np.ndarray) -> float:
    """Angle at ``joint`` between the segments to ``a`` and ``b`` (180 = straight)."""
    return angle_between_deg(a - joint, b - joint)


def signed_angle_2d_deg(v_from: np.ndarray, v_to: np.ndarray) -> float:
    """Signed angle from ``v_from`` to ``v_to`` in the image plane, degrees in (-180, 180].

    Positive is clockwise on screen (because y points down).
    """
    cross = v_from[0] * v_to[1] - v_from[1] * v_to[0]
    dot = v_from[0] * v_to[0] + v_from[1] * v_to[1]
    return float(np.degrees(np.arctan2(cross, dot)))


def tilt_from_horizontal_deg(left: np.ndarray, right: np.ndarray) -> float:
    """Signed tilt of the line right->left against the image horizontal, in degrees.

    ``left``/``right`` are the person's sides: facing the camera, their left is at larger
    x. Positive when the person's left end is lower (larger y) on screen.
    """
    d = left[:2] - right[:2]
    return float(np.degrees(np.arctan2(d[1], abs(d[0]) + 1e-12)))


def cross3(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product of two 3-vectors (np.cross is ten times slower on single vectors)."""
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to length 1 (zero stays zero)."""
    n = np.linalg.norm(v)
    return v / n if n > 1e-12 else v


def body_frame(shoulder_mid: np.ndarray, hip_mid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit 2D axes of the trunk: ``down`` (shoulders to hips) and ``across`` (perpendicular,
    pointing to the image's right when the person is upright).

    Measuring against these axes, not the image's, keeps body-shape measurements (arm
    angles, hand positions) unchanged when the camera is rolled.
    """
    down = unit(hip_mid[:2] - shoulder_mid[:2])
    across = np.array([down[1], -down[0]])
    return down, across
