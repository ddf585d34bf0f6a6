"""Body measurements from the pose: trunk, shoulders, arms, hands' positions, legs, feet.

Ratios are divided by the body's unit (``body_unit_px``: the shoulder width the person would
show facing the camera, see posture.measure.view) so they depend neither on the distance to
the camera nor on the view; angles are in degrees. Depth-based values use MediaPipe's metric
world pose (metres) in the body's own frame, which is rough from a single frontal view (see
standards/).
"""

from __future__ import annotations

import numpy as np

from posture.landmarks import Landmarks, PoseLM
from posture.measure import ACROSS_BODY_VIEWS, Measured, blocking_state, measurement, per_frame
from posture.measure.geometry import (
    angle_between_deg,
    body_frame,
    joint_angle_deg,
    tilt_from_horizontal_deg,
)
from posture.measure.view import UP, body_frame_world, body_unit_px

L, R = "left", "right"
_SHOULDER = {L: PoseLM.LEFT_SHOULDER, R: PoseLM.RIGHT_SHOULDER}
_ELBOW = {L: PoseLM.LEFT_ELBOW, R: PoseLM.RIGHT_ELBOW}
_WRIST = {L: PoseLM.LEFT_WRIST, R: PoseLM.RIGHT_WRIST}
_HIP = {L: PoseLM.LEFT_HIP, R: PoseLM.RIGHT_HIP}
_KNEE = {L: PoseLM.LEFT_KNEE, R: PoseLM.RIGHT_KNEE}
_HAND_POINTS = {
    L: (PoseLM.LEFT_WRIST, PoseLM.LEFT_PINKY, PoseLM.LEFT_INDEX, PoseLM.LEFT_THUMB),
    R: (PoseLM.RIGHT_WRIST, PoseLM.RIGHT_PINKY, PoseLM.RIGHT_INDEX, PoseLM.RIGHT_THUMB),
}
SHOULDERS = (PoseLM.LEFT_SHOULDER, PoseLM.RIGHT_SHOULDER)
HIPS = (PoseLM.LEFT_HIP, PoseLM.RIGHT_HIP)

# An arm counts as raised for pointing when the shoulder->wrist line is this far from
# the trunk's downward axis (a hanging arm stays under ~20 degrees).
POINTING_MIN_ARM_ANGLE_DEG = 25.0
# ... and, for the automatic scenario choice, held at least this straight (the elbow's angle in
# 3D, from the world pose where there is one): the standard's pointing arm is straight, while
# hands folded at the waist, holding a towel, writing at a desk, plating food or bowing a violin
# bend it to 115-136 degrees in 3D (etiquette photos). In the picture alone an arm reaching
# toward the camera looks straight (the towel: 171 in the picture, 122 in 3D).
POINTING_MIN_ELBOW_DEG = 145.0


class Trunk:
    """The trunk's axes in the image: from the shoulder and hip midpoints when the hips are
    seen, otherwise perpendicular to the shoulder line (an upper-body photo)."""

    def __init__(self, lm: Landmarks) -> None:
        shoulders = lm.pose_points(*SHOULDERS)
        if shoulders is None:
            raise LookupError("shoulders not seen")
        self.shoulder_mid = shoulders[:, :2].mean(axis=0)
        span = float(np.linalg.norm(shoulders[0, :2] - shoulders[1, :2]))
        self.width = body_unit_px(lm) or span  # the unit of sideways offsets
        hips = lm.pose_points(*HIPS)
        if span < 1e-6 and hips is None:
            raise LookupError("shoulders overlap")
        self.has_hips = hips is not None
        self.confidence = lm.visibility(*SHOULDERS, *(HIPS if self.has_hips else ()))
        if hips is not None:
            self.hip_mid = hips[:, :2].mean(axis=0)
            self.down, self.across = body_frame(self.shoulder_mid, self.hip_mid)
            self.length = float(np.linalg.norm(self.hip_mid - self.shoulder_mid))
        else:
            # The person's left shoulder is on the image right when facing the camera.
            line = shoulders[0, :2] - shoulders[1, :2]
            self.across = line / span
            self.down = np.array([-self.across[1], self.across[0]])
            self.hip_mid = None
            self.length = None

    def along(self, point: np.ndarray) -> float:
        """Position of ``point`` down the trunk: 0 at the shoulder line, 1 at the hip line."""
        if self.length is None:
            raise LookupError("hips not seen")
        return float(np.dot(point[:2] - self.shoulder_mid, self.down) / self.length)

    def lateral_sw(self, point: np.ndarray) -> float:
        """Sideways offset of ``point`` from the trunk's centre line, in body units."""
        return float(np.dot(point[:2] - self.shoulder_mid, self.across) / self.width)


def find_trunk(lm: Landmarks, need_hips: bool = False) -> Trunk | None:
    """The frame's trunk axes (worked out once per frame), or None without the shoulders (or,
    with ``need_hips``, without the hips)."""

    def compute() -> Trunk | None:
        try:
            return Trunk(lm)
        except LookupError:
            return None

    trunk = per_frame(lm, "trunk", compute)
    return trunk if trunk is not None and (trunk.has_hips or not need_hips) else None


def world_mid(lm: Landmarks, a: int, b: int) -> np.ndarray:
    """Midpoint of two landmarks in the metric world pose."""
    return (lm.pose_world[a] + lm.pose_world[b]) / 2.0


def arm_trunk_angle_deg(lm: Landmarks, side: str, trunk: Trunk) -> float | None:
    """Angle between the whole arm (shoulder to wrist) and the trunk's downward axis: in the
    world pose when the trunk is seen there (the same from any view), else in the picture."""
    pts = lm.pose_points(_SHOULDER[side], _WRIST[side])
    if pts is None:
        return None
    frame = body_frame_world(lm)
    if frame is not None and frame.trunk_up is not None:
        return angle_between_deg(lm.pose_world[_WRIST[side]] - lm.pose_world[_SHOULDER[side]], -frame.trunk_up)
    return angle_between_deg(pts[1, :2] - pts[0, :2], trunk.down)


def pointing_side(lm: Landmarks) -> str | None:
    """The side ("left"/"right") of the arm raised furthest from the trunk, if any is raised
    at least ``POINTING_MIN_ARM_ANGLE_DEG``."""
    return per_frame(lm, "pointing_side", lambda: _pointing_side(lm))


def _pointing_side(lm: Landmarks) -> str | None:
    trunk = find_trunk(lm)
    if trunk is None:
        return None
    angles = {s: arm_trunk_angle_deg(lm, s, trunk) for s in (L, R)}
    angles = {s: a for s, a in angles.items() if a is not None}
    if not angles:
        return None
    side = max(angles, key=angles.get)
    return side if angles[side] >= POINTING_MIN_ARM_ANGLE_DEG else None


# A hand this close to a knee (in body units) rests on it, as a seated person's often does.
RESTING_ON_KNEE_UNITS = 0.6
# A forearm within this angle of the horizontal, with the wrist below the middle of the trunk,
# rests on a desk or the lap; a pointing arm is straight, so its forearm slopes like the arm
# (45 degrees from the body) or, raised to shoulder height, has the wrist near the shoulders.
RESTING_FOREARM_DEG = 25.0


def _on_knee(lm: Landmarks, side: str) -> bool:
    unit_px = body_unit_px(lm)
    if unit_px is None or not lm.seen(_WRIST[side]):
        return False
    return any(np.linalg.norm(lm.pose[_WRIST[side], :2] - lm.pose[k, :2]) < RESTING_ON_KNEE_UNITS * unit_px
               for k in _KNEE.values() if lm.seen(k))


def _on_desk(lm: Landmarks, side: str) -> bool:
    trunk = find_trunk(lm, need_hips=True)
    if lm.pose_world is None or trunk is None or not (lm.seen(_ELBOW[side]) and lm.seen(_WRIST[side])):
        return False
    forearm = lm.pose_world[_WRIST[side]] - lm.pose_world[_ELBOW[side]]
    tilt = float(np.degrees(np.arcsin(min(1.0, abs(forearm[1]) / (np.linalg.norm(forearm) + 1e-9)))))
    return tilt < RESTING_FOREARM_DEG and trunk.along(lm.pose[_WRIST[side]]) >= 0.5


def arm_rests(lm: Landmarks, side: str) -> str | None:
    """Why the arm on ``side`` rests rather than points ("on a knee", "on a desk or the
    lap"), or None."""
    if _on_knee(lm, side):
        return "on a knee"
    return "on a desk or the lap" if _on_desk(lm, side) else None


def raised_sideways(lm: Landmarks) -> str | None:
    """The side of an arm raised away from the body and held nearly straight, as when
    pointing the way (a hand raised to the face or chest has a sharply bent elbow; a
    forearm resting on a knee or a desk does not point)."""
    side = pointing_side(lm)
    if side is None:
        return None
    ids = (_SHOULDER[side], _ELBOW[side], _WRIST[side])
    pts = lm.pose_points(*ids)
    if pts is None:
        return None
    joints = lm.pose_world[list(ids)] if lm.pose_world is not None else pts[:, :2]
    elbow = joint_angle_deg(joints[0], joints[1], joints[2])
    return side if elbow >= POINTING_MIN_ELBOW_DEG and arm_rests(lm, side) is None else None


# A hand held out to a customer is at least this far in front of the shoulders (metres, the
# body's frame): a hand at rest or folded stays within ~15 cm, an arm held out reaches 35-60.
HANDOVER_MIN_FORWARD_M = 0.3
# ... on an arm held open (3D elbow angle): typing or writing bends the elbow to about 90.
HANDOVER_MIN_ELBOW_DEG = 120.0


def hands_held_forward(lm: Landmarks) -> list[str]:
    """The sides of the hands held out forward, as when handing something over."""
    frame = body_frame_world(lm)
    if frame is None or lm.pose_points(*SHOULDERS) is None:
        return []
    world = lm.pose_world
    shoulder = world_mid(lm, *SHOULDERS)
    out = []
    for s in (L, R):
        if not all(lm.seen(i) for i in (_SHOULDER[s], _ELBOW[s], _WRIST[s])):
            continue
        ahead = float(np.dot(world[_WRIST[s]] - shoulder, frame.forward))
        elbow = joint_angle_deg(world[_SHOULDER[s]], world[_ELBOW[s]], world[_WRIST[s]])
        # A hand held out over a counter is level like one on a desk; the open elbow tells them apart.
        if ahead >= HANDOVER_MIN_FORWARD_M and elbow >= HANDOVER_MIN_ELBOW_DEG and not _on_knee(lm, s):
            out.append(s)
    return out


# An upper arm raised this far from the trunk (world pose, else the picture) lifts its
# shoulder point: hanging or folded arms stay under 25 degrees (ST-ARMS), an arm reaching
# out across a counter or raised to point goes to 45 and more; 35 leaves 10 for noise.
ARM_RAISED_DEG = 35.0


@blocking_state("arm_raised")
def arm_raised(lm: Landmarks) -> bool:
    """Whether an upper arm is raised away from the trunk (its shoulder point then rides up)."""
    frame = body_frame_world(lm)
    for s in (L, R):
        if not (lm.seen(_SHOULDER[s]) and lm.seen(_ELBOW[s])):
            continue
        if frame is not None and frame.trunk_up is not None:
            upper = lm.pose_world[_ELBOW[s]] - lm.pose_world[_SHOULDER[s]]
            angle = angle_between_deg(upper, -frame.trunk_up)
        else:
            trunk = find_trunk(lm)
            if trunk is None:
                continue
            angle = angle_between_deg(lm.pose[_ELBOW[s], :2] - lm.pose[_SHOULDER[s], :2], trunk.down)
        if angle > ARM_RAISED_DEG:
            return True
    return False


# A camera this far above or below the person (from the shins) makes a level line across a
# body that is not square on look tilted in the picture.
LEVEL_CAMERA_DEG = 5.0


def _line_tilt(lm: Landmarks, pts: np.ndarray, left: int, right: int) -> float:
    """Tilt of the line through two paired points (positive: the person's left end lower): in
    the picture for a body seen square on from about its height, else against the true
    horizontal in the world pose (a turned body seen from above tilts a level line on screen)."""
    frame = body_frame_world(lm)
    if frame is None or (frame.view == "front" and angle_between_deg(frame.up, UP) < LEVEL_CAMERA_DEG):
        return tilt_from_horizontal_deg(pts[0], pts[1])
    line = lm.pose_world[left] - lm.pose_world[right]
    return float(np.degrees(np.arcsin(np.clip(-np.dot(line, frame.up) / (np.linalg.norm(line) + 1e-12), -1, 1))))


# A joint this close to the picture's edge (a share of the frame's longer side) may lie
# beyond it: the pose model, seeing no further, puts it on the border, and a level line
# through it tilts (a man at a table's end, cut by the frame: his shoulder at x = 799 of
# 800 read 30 degrees). 1% is 8 px on an 800 px photo, under a tenth of a shoulder span
# of anyone large enough to judge.
EDGE_SHARE = 0.01


def _at_edge(lm: Landmarks, joints: tuple[int, ...]) -> bool:
    margin = EDGE_SHARE * max(lm.width, lm.height)
    if lm.pose is None:
        return False
    x, y = lm.pose[list(joints), 0], lm.pose[list(joints), 1]
    return bool(np.any((x < margin) | (x > lm.width - 1 - margin) | (y < margin) | (y > lm.height - 1 - margin)))


@blocking_state("shoulder_at_edge")
def shoulder_at_edge(lm: Landmarks) -> bool:
    """Whether a shoulder point is at the picture's edge, where it may be cut off."""
    return _at_edge(lm, SHOULDERS)


@blocking_state("hip_at_edge")
def hip_at_edge(lm: Landmarks) -> bool:
    """Whether a hip point is at the picture's edge, where it may be cut off."""
    return _at_edge(lm, HIPS)


@measurement("shoulder_tilt_deg", "deg", ACROSS_BODY_VIEWS, unless=("arm_raised", "shoulder_at_edge"))
def shoulder_tilt_deg(lm: Landmarks) -> Measured | None:
    """Tilt of the shoulder line against the horizontal (positive: the left shoulder lower)."""
    pts = lm.pose_points(*SHOULDERS)
    if pts is None:
        return None
    return Measured(_line_tilt(lm, pts, *SHOULDERS), lm.visibility(*SHOULDERS))


@measurement("hip_tilt_deg", "deg", ACROSS_BODY_VIEWS, unless=("hip_at_edge",))
def hip_tilt_deg(lm: Landmarks) -> Measured | None:
    """Tilt of the hip line against the horizontal (positive: the left hip lower); a rest
    stance on one leg drops the relaxed side's hip."""
    pts = lm.pose_points(*HIPS)
    if pts is None:
        return None
    return Measured(_line_tilt(lm, pts, *HIPS), lm.visibility(*HIPS))


@measurement("trunk_lateral_lean_deg", "deg", ACROSS_BODY_VIEWS)
def trunk_lateral_lean_deg(lm: Landmarks) -> Measured | None:
    """Sideways lean of the trunk (hip midpoint to shoulder midpoint) from the vertical."""
    trunk = find_trunk(lm, need_hips=True)
    if trunk is None:
        return None
    up = trunk.shoulder_mid - trunk.hip_mid
    lean = float(np.degrees(np.arctan2(up[0], -up[1])))
    return Measured(lean, trunk.confidence)


@measurement("trunk_forward_lean_deg", "deg")
def trunk_forward_lean_deg(lm: Landmarks) -> Measured | None:
    """Forward (positive) or backward lean of the trunk from the vertical, in the body's own
    frame (world pose): toward the way the trunk faces, whether that is the camera or the
    side of the picture."""
    frame = body_frame_world(lm)
    if frame is None or frame.trunk_up is None:
        return None
    up = frame.trunk_up
    lean = float(np.degrees(np.arctan2(float(np.dot(up, frame.forward)), float(np.dot(up, frame.up)))))
    return Measured(lean, frame.confidence)


@measurement("upper_arm_hang_deg", "deg")
def upper_arm_hang_deg(lm: Landmarks) -> Measured | None:
    """Largest angle of an upper arm (shoulder to elbow) away from the trunk's downward axis;
    near 0 when both arms hang."""
    trunk = find_trunk(lm)
    if trunk is None:
        return None
    ids = (*SHOULDERS, PoseLM.LEFT_ELBOW, PoseLM.RIGHT_ELBOW)
    if lm.pose_points(*ids) is None:
        return None
    angles = [angle_between_deg(lm.pose[_ELBOW[s], :2] - lm.pose[_SHOULDER[s], :2], trunk.down)
              for s in (L, R)]
    return Measured(max(angles), lm.visibility(*ids))


@measurement("elbow_angle_min_deg", "deg")
def elbow_angle_min_deg(lm: Landmarks) -> Measured | None:
    """The more bent of the two elbows (180 = straight arm)."""
    angles, conf = [], []
    for s in (L, R):
        ids = (_SHOULDER[s], _ELBOW[s], _WRIST[s])
        pts = lm.pose_points(*ids)
        if pts is None:
            return None
        angles.append(joint_angle_deg(pts[0, :2], pts[1, :2], pts[2, :2]))
        conf.append(lm.visibility(*ids))
    return Measured(min(angles), min(conf))


@measurement("wrist_gap_sw", "shoulder widths")
def wrist_gap_sw(lm: Landmarks) -> Measured | None:
    """Distance between the two wrists, in shoulder widths (hands together: small): in the
    picture from the front, in the world pose from other views (where one wrist can be
    behind the other)."""
    sw = body_unit_px(lm)
    pts = lm.pose_points(PoseLM.LEFT_WRIST, PoseLM.RIGHT_WRIST)
    if sw is None or pts is None:
        return None
    conf = lm.visibility(*SHOULDERS, PoseLM.LEFT_WRIST, PoseLM.RIGHT_WRIST)
    frame = body_frame_world(lm)
    if frame is not None and frame.view != "front":
        world = lm.pose_world
        span = float(np.linalg.norm(world[PoseLM.LEFT_SHOULDER] - world[PoseLM.RIGHT_SHOULDER]))
        if span > 1e-6:
            return Measured(float(np.linalg.norm(world[PoseLM.LEFT_WRIST] - world[PoseLM.RIGHT_WRIST])) / span, conf)
    return Measured(float(np.linalg.norm(pts[0, :2] - pts[1, :2])) / sw, conf)


def _wrist_mid(lm: Landmarks) -> np.ndarray | None:
    pts = lm.pose_points(PoseLM.LEFT_WRIST, PoseLM.RIGHT_WRIST)
    return None if pts is None else pts[:, :2].mean(axis=0)


@measurement("hands_height_on_trunk", "trunk lengths")
def hands_height_on_trunk(lm: Landmarks) -> Measured | None:
    """Height of the wrists' midpoint along the trunk: 0 at the shoulder line, 1 at the hip
    line (the lower abdomen is about 0.75 to 1.05)."""
    trunk = find_trunk(lm, need_hips=True)
    mid = _wrist_mid(lm)
    if trunk is None or mid is None:
        return None
    conf = min(trunk.confidence, lm.visibility(PoseLM.LEFT_WRIST, PoseLM.RIGHT_WRIST))
    return Measured(trunk.along(mid), conf)


@measurement("hands_centre_offset_sw", "shoulder widths", ACROSS_BODY_VIEWS)
def hands_centre_offset_sw(lm: Landmarks) -> Measured | None:
    """How far the wrists' midpoint is to the side of the trunk's centre line (absolute),
    in shoulder widths."""
    trunk = find_trunk(lm)
    mid = _wrist_mid(lm)
    if trunk is None or mid is None:
        return None
    conf = min(trunk.confidence, lm.visibility(PoseLM.LEFT_WRIST, PoseLM.RIGHT_WRIST))
    return Measured(abs(trunk.lateral_sw(mid)), conf)


def _forward_of(lm: Landmarks, point: np.ndarray, origin: np.ndarray) -> float | None:
    """How far ``point`` is in front of ``origin`` along the way the trunk faces (metres)."""
    frame = body_frame_world(lm)
    return None if frame is None else float(np.dot(point - origin, frame.forward))


@measurement("right_hand_in_front_m", "m")
def right_hand_in_front_m(lm: Landmarks) -> Measured | None:
    """How much further forward (the way the trunk faces) the right hand is than the left
    (metres, world pose, averaged over wrist, index, pinky and thumb); positive = right hand
    over the left."""
    ids = _HAND_POINTS[L] + _HAND_POINTS[R]
    if lm.pose_world is None or lm.pose_points(*ids) is None:
        return None
    left = lm.pose_world[list(_HAND_POINTS[L])].mean(axis=0)
    right = lm.pose_world[list(_HAND_POINTS[R])].mean(axis=0)
    ahead = _forward_of(lm, right, left)
    return None if ahead is None else Measured(ahead, lm.visibility(*ids))


@measurement("hands_behind_back", "0/1")
def hands_behind_back(lm: Landmarks) -> Measured | None:
    """1 when both elbows are seen, bent back, with both hands hidden or behind the hips
    (the men's "hands behind the back" stance), else 0."""
    ids = (*SHOULDERS, PoseLM.LEFT_ELBOW, PoseLM.RIGHT_ELBOW, *HIPS)
    if lm.pose_world is None or lm.pose_points(*ids) is None or body_frame_world(lm) is None:
        return None
    world = lm.pose_world
    hip = world_mid(lm, *HIPS)
    behind = all((not lm.seen(_WRIST[s])) or _forward_of(lm, world[_WRIST[s]], hip) < -0.05 for s in (L, R))
    elbows_back = all(_forward_of(lm, world[_ELBOW[s]], world[_SHOULDER[s]]) < 0 for s in (L, R))
    return Measured(float(behind and elbows_back), lm.visibility(*ids))


@measurement("pointing_arm_angle_deg", "deg")
def pointing_arm_angle_deg(lm: Landmarks) -> Measured | None:
    """Angle between the raised (pointing) arm and the trunk's downward axis; the more
    raised arm when neither is clearly raised."""
    trunk = find_trunk(lm)
    if trunk is None:
        return None
    best: tuple[float, str] | None = None
    for s in (L, R):
        a = arm_trunk_angle_deg(lm, s, trunk)
        if a is not None and (best is None or a > best[0]):
            best = (a, s)
    if best is None:
        return None
    return Measured(best[0], min(trunk.confidence, lm.visibility(_SHOULDER[best[1]], _WRIST[best[1]])))


@measurement("pointing_elbow_angle_deg", "deg")
def pointing_elbow_angle_deg(lm: Landmarks) -> Measured | None:
    """Elbow angle of the pointing arm (180 = straight)."""
    side = pointing_side(lm)
    if side is None:
        return None
    ids = (_SHOULDER[side], _ELBOW[side], _WRIST[side])
    pts = lm.pose_points(*ids)
    if pts is None:
        return None
    return Measured(joint_angle_deg(pts[0, :2], pts[1, :2], pts[2, :2]), lm.visibility(*ids))


@measurement("knee_gap_sw", "shoulder widths", ACROSS_BODY_VIEWS)
def knee_gap_sw(lm: Landmarks) -> Measured | None:
    """Distance between the knees, in shoulder widths."""
    sw = body_unit_px(lm)
    pts = lm.pose_points(PoseLM.LEFT_KNEE, PoseLM.RIGHT_KNEE)
    if sw is None or pts is None:
        return None
    gap = float(np.linalg.norm(pts[0, :2] - pts[1, :2])) / sw
    return Measured(gap, lm.visibility(*SHOULDERS, PoseLM.LEFT_KNEE, PoseLM.RIGHT_KNEE))


def _gap_sw(lm: Landmarks, a: int, b: int) -> Measured | None:
    sw = body_unit_px(lm)
    pts = lm.pose_points(a, b)
    if sw is None or pts is None:
        return None
    return Measured(float(np.linalg.norm(pts[0, :2] - pts[1, :2])) / sw,
                    lm.visibility(*SHOULDERS, a, b))


@measurement("heel_gap_sw", "shoulder widths", ACROSS_BODY_VIEWS)
def heel_gap_sw(lm: Landmarks) -> Measured | None:
    """Distance between the heels, in shoulder widths (heels together: near 0)."""
    return _gap_sw(lm, PoseLM.LEFT_HEEL, PoseLM.RIGHT_HEEL)


@measurement("toe_gap_sw", "shoulder widths", ACROSS_BODY_VIEWS)
def toe_gap_sw(lm: Landmarks) -> Measured | None:
    """Distance between the toe tips (foot index), in shoulder widths (a fist is ~0.25)."""
    return _gap_sw(lm, PoseLM.LEFT_FOOT_INDEX, PoseLM.RIGHT_FOOT_INDEX)


@measurement("ankle_gap_sw", "shoulder widths", ACROSS_BODY_VIEWS)
def ankle_gap_sw(lm: Landmarks) -> Measured | None:
    """Distance between the ankles, in shoulder widths."""
    return _gap_sw(lm, PoseLM.LEFT_ANKLE, PoseLM.RIGHT_ANKLE)


@measurement("weight_shift_sw", "shoulder widths", ACROSS_BODY_VIEWS)
def weight_shift_sw(lm: Landmarks) -> Measured | None:
    """Sideways offset of the hip midpoint from the ankles' midpoint (absolute), in shoulder
    widths: standing evenly on both feet keeps it small."""
    trunk = find_trunk(lm, need_hips=True)
    ankles = lm.pose_points(PoseLM.LEFT_ANKLE, PoseLM.RIGHT_ANKLE)
    if trunk is None or ankles is None:
        return None
    offset = abs(float(trunk.hip_mid[0] - ankles[:, 0].mean())) / trunk.width
    return Measured(offset, min(trunk.confidence, lm.visibility(PoseLM.LEFT_ANKLE, PoseLM.RIGHT_ANKLE)))


@measurement("thigh_from_vertical_deg", "deg")
def thigh_from_vertical_deg(lm: Landmarks) -> Measured | None:
    """Mean angle of the thighs (hip to knee) from the vertical, from the metric world pose:
    about 0 standing, about 90 seated."""
    if lm.pose_world is None:
        return None
    frame = body_frame_world(lm)
    down = -(frame.up if frame is not None else UP)
    angles, conf = [], []
    for s in (L, R):
        if lm.seen(_HIP[s]) and lm.seen(_KNEE[s]):
            thigh = lm.pose_world[_KNEE[s]] - lm.pose_world[_HIP[s]]
            angles.append(angle_between_deg(thigh, down))
            conf.append(lm.visibility(_HIP[s], _KNEE[s]))
    if not angles:
        return None
    return Measured(float(np.mean(angles)), min(conf))


# Seated at a desk, the desk hides the hips and thighs: the body ends at the forearms resting on
# it. With the thighs hidden, a forearm on the desk (within DESK_FOREARM_DEG of level, world
# pose: folded arms lie flat, a hand writing or typing slopes down to the paper by 20-30) and the
# frame showing at least DESK_MIN_ROOM_UNITS of picture under the arms, the person mask in that
# band tells a desk from a body cut off by the frame: on the etiquette photos the band is 77-100%
# person for people standing with their thighs out of the frame (arms folded, hanging or raised
# to the face) and 0-3% behind a desk or a laptop; 0.35 leaves room for a bag or a chair back
# showing under the desk. Standing with the forearms laid on a counter looks the same to a
# camera and is taken for seated.
DESK_FOREARM_DEG = 35.0
DESK_MIN_ROOM_UNITS = 0.25
DESK_GAP_UNITS = 0.15  # the forearms' own thickness under their points
DESK_MAX_PERSON_SHARE = 0.35


def _level_forearms(lm: Landmarks) -> list[str]:
    frame = body_frame_world(lm)
    if frame is None:
        return []
    out = []
    for s in (L, R):
        if lm.seen(_ELBOW[s]) and lm.seen(_WRIST[s]):
            forearm = lm.pose_world[_WRIST[s]] - lm.pose_world[_ELBOW[s]]
            slope = angle_between_deg(forearm, frame.up)
            if abs(90.0 - slope) < DESK_FOREARM_DEG:
                out.append(s)
    return out


@measurement("person_below_forearms_share", "share")
def person_below_forearms_share(lm: Landmarks) -> Measured | None:
    """Share of the person mask under the forearms when one lies level: one body unit wide
    under the shoulders' midpoint, from just under the lowest arm point to the frame's bottom
    (a body cut off by the frame fills it; a desk hiding a seated person leaves it empty).
    None without the mask, without a level forearm or with too little picture under the arms."""
    unit = body_unit_px(lm)
    level = _level_forearms(lm)
    shoulders = lm.pose_points(*SHOULDERS)
    if lm.person_mask is None or unit is None or shoulders is None or not level:
        return None
    arm_points = [i for s in (L, R) for i in (_ELBOW[s], _WRIST[s]) if lm.seen(i)]
    top = float(lm.pose[arm_points, 1].max()) + DESK_GAP_UNITS * unit
    if lm.height - top < DESK_MIN_ROOM_UNITS * unit:
        return None
    scale = lm.pixel_scale
    mid = float(shoulders[:, 0].mean())
    x0, x1 = max(0, round((mid - unit / 2) * scale)), min(lm.person_mask.shape[1], round((mid + unit / 2) * scale))
    band = lm.person_mask[round(top * scale):, x0:x1]
    if band.size == 0:
        return None
    conf = min(lm.visibility(*SHOULDERS), *(lm.visibility(_ELBOW[s], _WRIST[s]) for s in level))
    return Measured(float((band > 127).mean()), conf)


@measurement("forearm_tilt_deg", "deg")
def forearm_tilt_deg(lm: Landmarks) -> Measured | None:
    """Steeper of the two forearms (elbow to wrist) against the horizontal plane, from the
    metric world pose: forearms resting on a desk are near 0."""
    ids = (PoseLM.LEFT_ELBOW, PoseLM.RIGHT_ELBOW, PoseLM.LEFT_WRIST, PoseLM.RIGHT_WRIST)
    if lm.pose_world is None or lm.pose_points(*ids) is None:
        return None
    tilts = []
    for s in (L, R):
        v = lm.pose_world[_WRIST[s]] - lm.pose_world[_ELBOW[s]]
        tilts.append(float(np.degrees(np.arcsin(min(1.0, abs(v[1]) / (np.linalg.norm(v) + 1e-9))))))
    return Measured(max(tilts), lm.visibility(*ids))


@measurement("elbow_height_diff_sw", "shoulder widths", ACROSS_BODY_VIEWS)
def elbow_height_diff_sw(lm: Landmarks) -> Measured | None:
    """Difference in height between the two elbows, in shoulder widths (forearms at one
    height on the desk: small)."""
    sw = body_unit_px(lm)
    pts = lm.pose_points(PoseLM.LEFT_ELBOW, PoseLM.RIGHT_ELBOW)
    if sw is None or pts is None:
        return None
    return Measured(abs(float(pts[0, 1] - pts[1, 1])) / sw,
                    lm.visibility(PoseLM.LEFT_ELBOW, PoseLM.RIGHT_ELBOW))


def _chin_point(lm: Landmarks) -> np.ndarray | None:
    from posture.landmarks import FaceLM

    if lm.face is not None:
        return lm.face[FaceLM.CHIN, :2]
    mouth = lm.pose_points(PoseLM.MOUTH_LEFT, PoseLM.MOUTH_RIGHT)
    sw = body_unit_px(lm)
    if mouth is None or sw is None:
        return None
    # Without the face mesh: the chin is about a sixth of a shoulder width below the mouth.
    return mouth[:, :2].mean(axis=0) + np.array([0.0, sw / 6.0])


@measurement("talk_hand_out_of_band", "trunk fractions")
def talk_hand_out_of_band(lm: Landmarks) -> Measured | None:
    """How far the worst seen wrist is outside the band from the chin down to the waist
    (hip line), as a fraction of that band's height; 0 when every seen hand is inside."""
    trunk = find_trunk(lm, need_hips=True)
    chin = _chin_point(lm)
    wrists = [s for s in (L, R) if lm.seen(_WRIST[s])]
    if trunk is None or chin is None or not wrists:
        return None
    top = trunk.along(chin)
    worst = 0.0
    for s in wrists:
        t = (trunk.along(lm.pose[_WRIST[s]]) - top) / (1.0 - top)
        worst = max(worst, -t, t - 1.0)
    return Measured(worst, min(trunk.confidence, *(lm.visibility(_WRIST[s]) for s in wrists)))


@measurement("hand_forward_of_trunk_m", "m")
def hand_forward_of_trunk_m(lm: Landmarks) -> Measured | None:
    """How far the furthest seen hand is in front of the trunk (metres, world pose)."""
    wrists = [s for s in (L, R) if lm.seen(_WRIST[s])]
    if (lm.pose_world is None or not wrists or lm.pose_points(*SHOULDERS, *HIPS) is None
            or body_frame_world(lm) is None):
        return None
    centre = (world_mid(lm, *SHOULDERS) + world_mid(lm, *HIPS)) / 2.0
    forward = max(_forward_of(lm, lm.pose_world[_WRIST[s]], centre) for s in wrists)
    return Measured(forward, lm.visibility(*SHOULDERS, *HIPS, *(_WRIST[s] for s in wrists)))


@measurement("hands_forward_m", "m")
def hands_forward_m(lm: Landmarks) -> Measured | None:
    """How far the nearer-to-the-body of the two hands is in front of the shoulders (metres,
    world pose): handing over with both hands brings both forward."""
    ids = (*SHOULDERS, PoseLM.LEFT_WRIST, PoseLM.RIGHT_WRIST)
    if lm.pose_world is None or lm.pose_points(*ids) is None or body_frame_world(lm) is None:
        return None
    shoulder = world_mid(lm, *SHOULDERS)
    forward = min(_forward_of(lm, lm.pose_world[_WRIST[s]], shoulder) for s in (L, R))
    return Measured(forward, lm.visibility(*ids))
