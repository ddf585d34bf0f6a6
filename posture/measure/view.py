"""The body's own frame: its size in pixels, which way it faces, and the view the camera has.

A photo of a person seen from the side shows the shoulders overlapping: dividing by the
shoulder width in pixels, or reading a lean as depth toward the camera, only holds for a
frontal view. Here the body is measured in its own frame instead, from MediaPipe's metric
world pose (metres, axes along the camera's: x right, y down, z away):

- **size**: the shoulder width the person would show facing the camera (``body_unit_px``):
  in a front view the shoulder width in pixels; turned away from the camera, pixels per metre
  from the body segments seen (the longest-looking one is the least foreshortened) times the
  world pose's shoulder span. It does not vanish in a side view.
- **heading**: the horizontal direction the trunk faces, square to the line through the
  shoulders and hips; its sign is checked against the nose (in front of the ears) and the
  toes (in front of the heels), because the world pose's depth often swaps the far and
  near side of a body seen from the side.
- **view**: the heading's angle to the camera, named front, three-quarter, side or back.
- **vertical**: from the shins when both are seen, agree and show a camera clearly above or
  below the person (which tilts the world pose's axes), else the camera's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posture.landmarks import Landmarks, PoseLM
from posture.measure import Measured, measurement, per_frame
from posture.measure.geometry import angle_between_deg, cross3, unit

P = PoseLM
UP = np.array([0.0, -1.0, 0.0])  # world y points down

# The views, by the heading's angle to the camera (0 = facing it): within 25 degrees a gap
# across the body still shows 90% of its size (front); up to 65 both sides are seen but
# unequally (three-quarter); up to 115 one side hides the other (side); beyond, the back.
VIEWS = ("front", "three_quarter", "side", "back")
VIEW_LIMITS_DEG = (25.0, 65.0, 115.0)

# Segments whose pixel length over their world length gives the picture's scale; foreshortening
# only shortens a segment on screen, so the largest ratio is the least foreshortened one.
SCALE_SEGMENTS = ((P.LEFT_SHOULDER, P.RIGHT_SHOULDER), (P.LEFT_HIP, P.RIGHT_HIP),
                  (P.LEFT_SHOULDER, P.LEFT_HIP), (P.RIGHT_SHOULDER, P.RIGHT_HIP),
                  (P.LEFT_SHOULDER, P.LEFT_ELBOW), (P.RIGHT_SHOULDER, P.RIGHT_ELBOW))
# A segment shorter than this in the world pose (metres) says nothing about the scale.
MIN_SEGMENT_M = 0.08


@dataclass(frozen=True)
class BodyFrame:
    """The trunk's axes in the world pose (unit 3-vectors, camera-aligned axes)."""

    up: np.ndarray  # the true vertical (see _vertical)
    left: np.ndarray  # toward the person's left, horizontal
    forward: np.ndarray  # the way the trunk faces, horizontal
    trunk_up: np.ndarray | None  # hips to shoulders (None without the hips)
    yaw_deg: float  # heading against the camera: 0 facing it, > 0 turned to the image's right
    confidence: float

    @property
    def levelling(self) -> np.ndarray:
        """The rotation that takes the true vertical to the camera's (a camera above or below
        the person undone), for reading other angles against the horizontal."""
        return rotation_between(self.up, UP)

    @property
    def view(self) -> str:
        turn = abs(self.yaw_deg)
        for name, limit in zip(VIEWS, VIEW_LIMITS_DEG, strict=False):
            if turn < limit:
                return name
        return "back"


# A camera held above or below the person tilts the world pose's axes with it. The shins
# stand near vertical whether the person stands or sits at a desk, so when both are seen and
# agree (within 10 degrees: a crossed leg or a step is not used) they give the vertical, but
# only for a camera clearly above or below, 15 to 30 degrees off (a phone held high or low):
# on the photos looked at, the world pose's shins of people photographed from about their
# own height lean up to 12 degrees by themselves, more than such a correction would mend.
MIN_CAMERA_PITCH_DEG = 15.0
MAX_CAMERA_PITCH_DEG = 30.0
MAX_SHIN_DISAGREEMENT_DEG = 10.0


def _vertical(lm: Landmarks) -> np.ndarray:
    world = lm.pose_world
    shins = [unit(world[knee] - world[ankle]) for knee, ankle in ((P.LEFT_KNEE, P.LEFT_ANKLE),
                                                               (P.RIGHT_KNEE, P.RIGHT_ANKLE))
             if lm.seen(knee) and lm.seen(ankle)]
    if len(shins) < 2 or angle_between_deg(shins[0], shins[1]) > MAX_SHIN_DISAGREEMENT_DEG:
        return UP
    up = unit(shins[0] + shins[1])
    return up if MIN_CAMERA_PITCH_DEG <= angle_between_deg(up, UP) <= MAX_CAMERA_PITCH_DEG else UP


def rotation_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation taking unit vector ``a`` to unit vector ``b``."""
    axis = cross3(a, b)
    s, c = float(np.linalg.norm(axis)), float(np.dot(a, b))
    if s < 1e-9:
        return np.eye(3)
    k = axis / s
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + s * kx + (1 - c) * (kx @ kx)


def _horizontal(v: np.ndarray, up: np.ndarray) -> np.ndarray:
    return unit(v - np.dot(v, up) * up)


def _sign_cues(lm: Landmarks, up: np.ndarray) -> list[np.ndarray]:
    """Horizontal directions that point the way the person faces: ears to nose, heels to toes."""
    world = lm.pose_world
    cues = []
    ears = [i for i in (P.LEFT_EAR, P.RIGHT_EAR) if lm.seen(i)]
    if lm.seen(P.NOSE) and ears:
        cues.append(_horizontal(world[P.NOSE] - world[ears].mean(axis=0), up))
    for heel, toe in ((P.LEFT_HEEL, P.LEFT_FOOT_INDEX), (P.RIGHT_HEEL, P.RIGHT_FOOT_INDEX)):
        if lm.seen(heel) and lm.seen(toe):
            cues.append(_horizontal(world[toe] - world[heel], up))
    return cues


def _body_frame(lm: Landmarks) -> BodyFrame | None:
    world = lm.pose_world
    if world is None or lm.pose is None:
        return None
    shoulders = [i for i in (P.LEFT_SHOULDER, P.RIGHT_SHOULDER) if lm.seen(i)]
    if not shoulders:
        return None
    hips_seen = [i for i in (P.LEFT_HIP, P.RIGHT_HIP) if lm.seen(i)]
    # The world pose places a hidden shoulder or hip too (from the rest of the body), so
    # the line through both is used when one of each pair is seen.
    across = world[P.LEFT_SHOULDER] - world[P.RIGHT_SHOULDER]
    if hips_seen:
        across = across + world[P.LEFT_HIP] - world[P.RIGHT_HIP]
    up = _vertical(lm)
    left = _horizontal(across, up)
    if np.linalg.norm(left) < 0.5:
        return None
    forward = cross3(left, up)
    cues = _sign_cues(lm, up)
    if cues and sum(float(np.dot(forward, c)) for c in cues) < 0:
        forward, left = -forward, -left
    trunk_up = None
    if len(hips_seen) == 2:
        trunk_up = unit((world[P.LEFT_SHOULDER] + world[P.RIGHT_SHOULDER]) / 2
                        - (world[P.LEFT_HIP] + world[P.RIGHT_HIP]) / 2)
    level = rotation_between(up, UP) @ forward
    yaw = math.degrees(math.atan2(float(level[0]), float(-level[2])))
    return BodyFrame(up, left, forward, trunk_up, yaw, lm.visibility(*shoulders, *hips_seen))


def body_frame_world(lm: Landmarks) -> BodyFrame | None:
    """The body's frame (worked out once per frame), or None without the world pose or a
    shoulder."""
    return per_frame(lm, "body_frame", lambda: _body_frame(lm))


def _pixels_per_metre(lm: Landmarks) -> float | None:
    world = lm.pose_world
    ratios = []
    for a, b in SCALE_SEGMENTS:
        if not (lm.seen(a) and lm.seen(b)):
            continue
        metres = float(np.linalg.norm(world[a] - world[b]))
        if metres >= MIN_SEGMENT_M:
            ratios.append(float(np.linalg.norm(lm.pose[a, :2] - lm.pose[b, :2])) / metres)
    return max(ratios) if ratios else None


def _body_unit(lm: Landmarks) -> float | None:
    sw = lm.shoulder_width()
    frame = body_frame_world(lm)
    if frame is None or frame.view == "front":
        # Facing the camera the shoulders show their width; the world pose's proportions
        # would only add their own error (up to a third on the photos looked at).
        return sw
    scale = _pixels_per_metre(lm)
    if scale is None:
        return sw
    span = float(np.linalg.norm(lm.pose_world[P.LEFT_SHOULDER] - lm.pose_world[P.RIGHT_SHOULDER]))
    unit_px = scale * span
    return max(unit_px, sw or 0.0) if unit_px > 1e-6 else sw


def body_unit_px(lm: Landmarks) -> float | None:
    """The shoulder width the person would show facing the camera, in pixels: the unit of
    body-relative ratios, the same from the front and from the side (None without a body)."""
    return per_frame(lm, "body_unit_px", lambda: _body_unit(lm))


def view_of(lm: Landmarks) -> str | None:
    """``front``, ``three_quarter``, ``side`` or ``back``; None when the body is not seen.
    Without a world pose (landmarks from elsewhere) a seen pair of shoulders counts as front."""
    frame = body_frame_world(lm)
    if frame is not None:
        return frame.view
    return "front" if lm.shoulder_width() is not None else None


@measurement("body_yaw_deg", "deg")
def body_yaw_deg(lm: Landmarks) -> Measured | None:
    """Which way the trunk faces, against the camera: 0 facing it, 90 side on, 180 the back
    (positive: turned toward the image's right)."""
    frame = body_frame_world(lm)
    return None if frame is None else Measured(frame.yaw_deg, frame.confidence)
