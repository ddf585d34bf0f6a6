"""Synthetic people built from the geometry the standard describes, for tests.

`Body` starts as an upright person facing the camera in a 1000 x 1400 frame and is
posed with small methods (fold the hands, point, bend, sit...); `landmarks()` returns the
:class:`Landmarks` MediaPipe would give for it: pixel pose, metric world pose, a face mesh
(478 points) with a chosen head rotation and smile, and 21-point hands.

Units: pixels, with a shoulder width of 160 px standing for 0.40 m in the world pose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from posture.landmarks import FaceLM, HandLM, Landmarks, PoseLM

P = PoseLM
W, H = 1000, 1400
SW = 160.0  # shoulder width, px
M_PER_PX = 0.40 / SW
CX = 500.0
SHOULDER_Y, HIP_Y = 400.0, 700.0


def transformed(lm: Landmarks, matrix: np.ndarray, width: int, height: int) -> Landmarks:
    """``lm`` in a ``width`` x ``height`` frame with every 2D point mapped by the 2x3 affine
    ``matrix`` (depth scaled alike; the metric world pose does not change)."""
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))

    def apply(arr: np.ndarray | None) -> np.ndarray | None:
        if arr is None:
            return None
        return np.column_stack([arr[:, :2] @ matrix[:, :2].T + matrix[:, 2], arr[:, 2] * scale])

    return replace(lm, width=width, height=height, pose=apply(lm.pose), face=apply(lm.face),
                   left_hand=apply(lm.left_hand), right_hand=apply(lm.right_hand))


def rot_x(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])


def rot_y(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])


def rot_z(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])


def rodrigues(axis: np.ndarray, deg: float) -> np.ndarray:
    """Rotation by ``deg`` about the unit ``axis``."""
    a = math.radians(deg)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(a) * k + (1 - math.cos(a)) * (k @ k)


def head_rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """Rotation of the head: yaw > 0 turns the face to the image's right, pitch > 0 lowers the
    chin, roll > 0 lowers the eye on the image's right (the conventions of posture.measure.face)."""
    return rot_y(-yaw) @ rot_x(pitch) @ rot_z(roll)


def _face_points(smile: float, mouth_open: float) -> np.ndarray:
    """A 478-point face in head coordinates (px; x to the person's left, y down, z away).

    smile 0..1 widens the mouth and lifts its corners; mouth_open is the lip gap over
    mouth width."""
    rng = np.random.default_rng(0)
    angles = rng.uniform(0, 2 * math.pi, 478)
    radius = np.sqrt(rng.uniform(0, 1, 478))
    pts = np.column_stack([45 * radius * np.cos(angles), 60 * radius * np.sin(angles), np.zeros(478)])
    eye_half = 32.0
    mouth_half = 16.0 + 8.0 * smile  # eye-corner ratio 0.5 neutral .. 0.75 broad smile
    lift = 6.0 * smile
    gap = mouth_open * 2 * mouth_half
    key = {
        FaceLM.FOREHEAD: (0, -58, 4), FaceLM.CHIN: (0, 58, 4), FaceLM.NOSE_TIP: (0, 5, -18),
        FaceLM.RIGHT_EYE_OUTER: (-eye_half, -18, 6), FaceLM.LEFT_EYE_OUTER: (eye_half, -18, 6),
        FaceLM.RIGHT_EYE_INNER: (-10, -18, 4), FaceLM.LEFT_EYE_INNER: (10, -18, 4),
        FaceLM.MOUTH_RIGHT: (-mouth_half, 30 - lift, 2), FaceLM.MOUTH_LEFT: (mouth_half, 30 - lift, 2),
        FaceLM.UPPER_LIP_TOP: (0, 26, -2), FaceLM.UPPER_LIP_INNER: (0, 30 - gap / 2, -1),
        FaceLM.LOWER_LIP_INNER: (0, 30 + gap / 2, -1), FaceLM.LOWER_LIP_BOTTOM: (0, 36, -2),
        FaceLM.RIGHT_CHEEK: (-46, 0, 10), FaceLM.LEFT_CHEEK: (46, 0, 10),
    }
    for i, p in key.items():
        pts[i] = p
    return pts


FINGER_X = {"index": -24.0, "middle": -8.0, "ring": 8.0, "pinky": 22.0}  # a right hand, palm to camera
FINGER_IDS = {
    "index": (HandLM.INDEX_MCP, HandLM.INDEX_PIP, HandLM.INDEX_DIP, HandLM.INDEX_TIP),
    "middle": (HandLM.MIDDLE_MCP, HandLM.MIDDLE_PIP, HandLM.MIDDLE_DIP, HandLM.MIDDLE_TIP),
    "ring": (HandLM.RING_MCP, HandLM.RING_PIP, HandLM.RING_DIP, HandLM.RING_TIP),
    "pinky": (HandLM.PINKY_MCP, HandLM.PINKY_PIP, HandLM.PINKY_DIP, HandLM.PINKY_TIP),
}


def hand_points(side: str, extended: dict[str, bool], spread_deg: float = 4.0) -> np.ndarray:
    """21 hand points in hand coordinates: wrist at 0, fingers up (-y), palm toward the camera
    (-z). A right hand has its thumb on the image's left; a left hand is the mirror image."""
    pts = np.zeros((21, 3))
    for k, name in enumerate(("index", "middle", "ring", "pinky")):
        mcp = np.array([FINGER_X[name], -70.0, 0.0])
        angle = math.radians((k - 1.5) * spread_deg)
        direction = np.array([math.sin(angle), -math.cos(angle), 0.0])
        ids = FINGER_IDS[name]
        pts[ids[0]] = mcp
        if extended[name]:
            for j, length in enumerate((25.0, 18.0, 15.0), start=1):
                pts[ids[j]] = pts[ids[j - 1]] + direction * length
        else:  # curled toward the palm
            pts[ids[1]] = mcp + direction * 22.0 + np.array([0, 0, -8.0])
            pts[ids[2]] = pts[ids[1]] + np.array([0, 14.0, -12.0])
            pts[ids[3]] = pts[ids[2]] + np.array([0, 14.0, 2.0])
    thumb = [(-30, -20, -5), (-42, -35, -10), (-50, -50, -14), (-55, -62, -16)]
    for idx, p in zip((HandLM.THUMB_CMC, HandLM.THUMB_MCP, HandLM.THUMB_IP, HandLM.THUMB_TIP), thumb, strict=True):
        pts[idx] = p
    if side == "left":
        pts[:, 0] *= -1
    return pts


OPEN = {"index": True, "middle": True, "ring": True, "pinky": True}
ONE_FINGER = {"index": True, "middle": False, "ring": False, "pinky": False}


@dataclass
class Body:
    """An upright person facing the camera; pose methods return self for chaining."""

    joints: dict[int, np.ndarray] = field(default_factory=dict)  # pixel (x, y, z)
    hidden: set[int] = field(default_factory=set)
    head: tuple[float, float, float] = (0.0, 0.0, 0.0)
    smile: float = 0.0
    mouth_open: float = 0.1
    face: bool = True
    hands: dict[str, tuple[dict[str, bool], np.ndarray, float, float]] = field(default_factory=dict)
    lean_forward_deg: float = 0.0

    def __post_init__(self) -> None:
        half, hip_half = SW / 2, 55.0
        base = {
            P.NOSE: (CX, 300, -30), P.LEFT_EYE: (CX + 14, 290, -20), P.RIGHT_EYE: (CX - 14, 290, -20),
            P.LEFT_EAR: (CX + 32, 295, 0), P.RIGHT_EAR: (CX - 32, 295, 0),
            P.MOUTH_LEFT: (CX + 12, 330, -20), P.MOUTH_RIGHT: (CX - 12, 330, -20),
            P.LEFT_SHOULDER: (CX + half, SHOULDER_Y, 0), P.RIGHT_SHOULDER: (CX - half, SHOULDER_Y, 0),
            P.LEFT_HIP: (CX + hip_half, HIP_Y, 0), P.RIGHT_HIP: (CX - hip_half, HIP_Y, 0),
            P.LEFT_KNEE: (CX + 50, 950, 0), P.RIGHT_KNEE: (CX - 50, 950, 0),
            P.LEFT_ANKLE: (CX + 45, 1200, 0), P.RIGHT_ANKLE: (CX - 45, 1200, 0),
            P.LEFT_HEEL: (CX + 45, 1220, 10), P.RIGHT_HEEL: (CX - 45, 1220, 10),
            P.LEFT_FOOT_INDEX: (CX + 55, 1240, -40), P.RIGHT_FOOT_INDEX: (CX - 55, 1240, -40),
        }
        for k, v in base.items():
            self.joints.setdefault(int(k), np.array(v, dtype=float))
        if P.LEFT_ELBOW not in self.joints:
            self.arms_hanging()

    # --- arms and hands -------------------------------------------------------------
    def _set_arm(self, side: str, elbow: tuple[float, float, float], wrist: tuple[float, float, float]) -> None:
        e, w = (P.LEFT_ELBOW, P.LEFT_WRIST) if side == "left" else (P.RIGHT_ELBOW, P.RIGHT_WRIST)
        self.joints[int(e)] = np.array(elbow, dtype=float)
        self.joints[int(w)] = np.array(wrist, dtype=float)
        wrist_v = np.array(wrist, dtype=float)
        direction = wrist_v - np.array(elbow, dtype=float)
        direction /= np.linalg.norm(direction) + 1e-9
        sign = 1 if side == "left" else -1
        tips = {"index": (P.LEFT_INDEX, P.RIGHT_INDEX), "pinky": (P.LEFT_PINKY, P.RIGHT_PINKY),
                "thumb": (P.LEFT_THUMB, P.RIGHT_THUMB)}
        offsets = {"index": -6.0, "pinky": 6.0, "thumb": -12.0}
        for name, (left_id, right_id) in tips.items():
            idx = left_id if side == "left" else right_id
            side_v = np.array([-direction[1], direction[0], 0.0]) * offsets[name] * sign
            self.joints[int(idx)] = wrist_v + direction * 20.0 + side_v

    def arms_hanging(self) -> Body:
        for side, sign in (("left", 1), ("right", -1)):
            x = CX + sign * SW / 2
            self._set_arm(side, (x + sign * 8, 540, 0), (x + sign * 10, 680, 0))
        return self

    def hands_folded(self, right_over_left: bool = True, height: float = 0.95, gap_px: float = 30.0) -> Body:
        """Both hands folded in front of the lower abdomen (``height`` down the trunk)."""
        y = SHOULDER_Y + height * (HIP_Y - SHOULDER_Y)
        front = -0.12 / M_PER_PX  # 12 cm in front of the body
        nearer = -10.0 if right_over_left else 10.0  # px of depth: negative = nearer the camera
        depth = {"right": front + nearer, "left": front - nearer}
        self._set_arm("left", (CX + SW / 2 + 15, 560, front / 2), (CX + gap_px / 2, y, depth["left"]))
        self._set_arm("right", (CX - SW / 2 - 15, 560, front / 2), (CX - gap_px / 2, y, depth["right"]))
        return self

    def hands_on_hips(self) -> Body:
        self._set_arm("left", (CX + SW / 2 + 90, 540, 0), (CX + 60, HIP_Y - 20, 0))
        self._set_arm("right", (CX - SW / 2 - 90, 540, 0), (CX - 60, HIP_Y - 20, 0))
        return self

    def arms_crossed(self) -> Body:
        """Forearms crossed over the chest, each wrist by the other elbow, upper arms close."""
        y = SHOULDER_Y + 0.45 * (HIP_Y - SHOULDER_Y)
        self._set_arm("left", (CX + SW / 2 + 10, 530, -20), (CX - SW / 2 + 10, y, -60))
        self._set_arm("right", (CX - SW / 2 - 10, 530, -20), (CX + SW / 2 - 10, y - 10, -70))
        return self

    def point(self, side: str = "right", arm_deg: float = 45.0, elbow_deg: float = 175.0,
              fingers: dict[str, bool] | None = None, palm_up_deg: float = 60.0, spread_deg: float = 4.0) -> Body:
        """Raise one arm ``arm_deg`` from the trunk's downward axis, sideways, with the elbow at
        ``elbow_deg``; the other arm hangs. The hand's palm is tilted ``palm_up_deg`` from
        facing the camera toward facing up."""
        sign = 1 if side == "left" else -1
        shoulder = self.joints[int(P.LEFT_SHOULDER if side == "left" else P.RIGHT_SHOULDER)]
        a = math.radians(arm_deg)
        upper = np.array([sign * math.sin(a), math.cos(a), 0.0])
        elbow = shoulder + upper * 130.0
        bend = math.radians(180.0 - elbow_deg)  # forearm turns further up/out
        b = a + bend
        forearm = np.array([sign * math.sin(b), math.cos(b), 0.0])
        wrist = elbow + forearm * 120.0
        self._set_arm(side, tuple(elbow), tuple(wrist))
        self.hands[side] = (fingers or OPEN, forearm, palm_up_deg, spread_deg)
        return self

    def hands_behind_back(self) -> Body:
        """Elbows bent back behind the body, hands hidden behind the back."""
        for side, sign in (("left", 1), ("right", -1)):
            self._set_arm(side, (CX + sign * (SW / 2 + 5), 540, 0.15 / M_PER_PX), (CX + sign * 30, 680, 0.2 / M_PER_PX))
        return self.hide(P.LEFT_WRIST, P.RIGHT_WRIST, P.LEFT_INDEX, P.RIGHT_INDEX, P.LEFT_PINKY,
                         P.RIGHT_PINKY, P.LEFT_THUMB, P.RIGHT_THUMB)

    def hand_over(self, forward_m: float = 0.35, gap_px: float = 40.0) -> Body:
        """Both hands held out together in front of the chest, as when handing over a card."""
        z = -forward_m / M_PER_PX
        self._set_arm("left", (CX + SW / 2 + 5, 540, z / 2), (CX + gap_px / 2, 560, z))
        self._set_arm("right", (CX - SW / 2 - 5, 540, z / 2), (CX - gap_px / 2, 560, z))
        return self

    def hand_out(self, side: str = "right", forward_m: float = 0.4) -> Body:
        """One hand held out in front of the chest (a card offered with one hand), the other hanging."""
        sign = 1 if side == "left" else -1
        z = -forward_m / M_PER_PX
        self._set_arm(side, (CX + sign * (SW / 2 + 5), 500, 0.7 * z), (CX + sign * 30, 530, z))
        return self

    def with_hand(self, side: str, fingers: dict[str, bool], spread_deg: float = 4.0) -> Body:
        """A hand at the wrist, fingers pointing up, palm to the camera."""
        self.hands[side] = (fingers, np.array([0.0, -1.0, 0.0]), 0.0, spread_deg)
        return self

    def hand_on_face(self, side: str = "right") -> Body:
        sign = 1 if side == "left" else -1
        self._set_arm(side, (CX + sign * 110, 520, 0), (CX + sign * 30, 320, -20))
        return self

    # --- trunk, legs, feet ----------------------------------------------------------
    def lean_forward(self, deg: float) -> Body:
        """Lean the upper body toward the camera by ``deg`` (only depth changes in a frontal view,
        plus the foreshortening of the trunk)."""
        self.lean_forward_deg = deg
        return self

    def tilt_shoulders(self, deg: float) -> Body:
        """Lower the person's left shoulder (image right) by ``deg``."""
        left, right = self.joints[int(P.LEFT_SHOULDER)], self.joints[int(P.RIGHT_SHOULDER)]
        mid = (left + right) / 2
        half = SW / 2
        a = math.radians(deg)
        self.joints[int(P.LEFT_SHOULDER)] = mid + np.array([half * math.cos(a), half * math.sin(a), 0])
        self.joints[int(P.RIGHT_SHOULDER)] = mid - np.array([half * math.cos(a), half * math.sin(a), 0])
        return self

    def shift_hips(self, dx: float, hip_tilt_deg: float = 0.0) -> Body:
        """Move the hips sideways by ``dx`` px and tilt the hip line (weight on one leg)."""
        a = math.radians(hip_tilt_deg)
        mid = np.array([CX + dx, HIP_Y, 0.0])
        for idx, sign in ((P.LEFT_HIP, 1), (P.RIGHT_HIP, -1)):
            self.joints[int(idx)] = mid + sign * np.array([55 * math.cos(a), 55 * math.sin(a), 0])
        return self

    def feet(self, heel_gap: float, toe_gap: float, ankle_gap: float | None = None) -> Body:
        """Feet spacing in shoulder widths."""
        ankle_gap = heel_gap if ankle_gap is None else ankle_gap
        for idx, gap, y in ((P.LEFT_HEEL, heel_gap, 1220), (P.LEFT_FOOT_INDEX, toe_gap, 1240),
                            (P.LEFT_ANKLE, ankle_gap, 1200)):
            right = {P.LEFT_HEEL: P.RIGHT_HEEL, P.LEFT_FOOT_INDEX: P.RIGHT_FOOT_INDEX, P.LEFT_ANKLE: P.RIGHT_ANKLE}[idx]
            z = self.joints[int(idx)][2]
            self.joints[int(idx)] = np.array([CX + gap * SW / 2, y, z])
            self.joints[int(right)] = np.array([CX - gap * SW / 2, y, z])
        return self

    def knees(self, gap: float) -> Body:
        self.joints[int(P.LEFT_KNEE)] = np.array([CX + gap * SW / 2, 950, 0.0])
        self.joints[int(P.RIGHT_KNEE)] = np.array([CX - gap * SW / 2, 950, 0.0])
        return self

    def sit(self, knee_gap: float = 0.3) -> Body:
        """Seated facing the camera: thighs come toward the camera (depth), knees just below
        the hips in the picture, shins down."""
        for side, sign in (("left", 1), ("right", -1)):
            knee = P.LEFT_KNEE if side == "left" else P.RIGHT_KNEE
            ankle = P.LEFT_ANKLE if side == "left" else P.RIGHT_ANKLE
            heel = P.LEFT_HEEL if side == "left" else P.RIGHT_HEEL
            toe = P.LEFT_FOOT_INDEX if side == "left" else P.RIGHT_FOOT_INDEX
            self.joints[int(knee)] = np.array([CX + sign * knee_gap * SW / 2, HIP_Y + 40, -170.0])
            self.joints[int(ankle)] = np.array([CX + sign * knee_gap * SW / 2, HIP_Y + 280, -170.0])
            self.joints[int(heel)] = np.array([CX + sign * knee_gap * SW / 2, HIP_Y + 300, -160.0])
            self.joints[int(toe)] = np.array([CX + sign * knee_gap * SW / 2, HIP_Y + 310, -220.0])
        return self

    def forearms_on_desk(self, elbow_deg: float = 90.0, gap_px: float = 30.0, slope_deg: float = 0.0) -> Body:
        """Seated at a desk: forearms horizontal (or sloping ``slope_deg`` down to the wrists, as
        when writing), pointing toward the camera and inward."""
        y = 600.0
        for side, sign in (("left", 1), ("right", -1)):
            elbow = (CX + sign * (SW / 2 + 10), y, -20.0)
            reach = 120.0 * math.sin(math.radians(elbow_deg))
            wrist = (CX + sign * gap_px / 2, y + reach * math.tan(math.radians(slope_deg)), -20.0 - reach)
            self._set_arm(side, elbow, wrist)
        return self

    def hide(self, *indices: int) -> Body:
        self.hidden.update(int(i) for i in indices)
        return self

    def turn_head(self, yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0) -> Body:
        self.head = (yaw, pitch, roll)
        return self

    def smiling(self, smile: float = 1.0, mouth_open: float = 0.15) -> Body:
        self.smile, self.mouth_open = smile, mouth_open
        return self

    # --- output ---------------------------------------------------------------------
    def _pose_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pose = np.zeros((33, 3))
        vis = np.full(33, 0.99)
        for k, v in self.joints.items():
            pose[k] = v
        for k in range(33):
            if k not in self.joints:
                vis[k] = 0.0
        for k in self.hidden:
            vis[k] = 0.05
        hip_mid = (pose[P.LEFT_HIP] + pose[P.RIGHT_HIP]) / 2
        world = (pose - hip_mid) * M_PER_PX
        if self.lean_forward_deg:
            # Upper body (everything above the hips) rotates toward the camera about the hips.
            upper = [i for i in range(33) if pose[i, 1] < HIP_Y - 1]
            r = rot_x(self.lean_forward_deg)  # y down, z away: rotating y toward -z
            world[upper] = world[upper] @ r.T
            a = math.radians(self.lean_forward_deg)
            pose[upper, 1] = hip_mid[1] + (pose[upper, 1] - hip_mid[1]) * math.cos(a)
        return pose, vis, world

    def landmarks(self, mirrored: bool = False) -> Landmarks:
        pose, vis, world = self._pose_arrays()
        face = None
        if self.face:
            local = _face_points(self.smile, self.mouth_open)
            centre = (pose[P.NOSE] + np.array([0, 0, 30.0]))
            face = local @ head_rotation(*self.head).T + centre
        hands: dict[str, np.ndarray | None] = {"left": None, "right": None}
        for side, (fingers, along, palm_up_deg, spread) in self.hands.items():
            pts = hand_points(side, fingers, spread)
            # Orient: hand -y along `along` (in the image plane), then tilt the palm up.
            angle = math.degrees(math.atan2(along[0], -along[1]))
            pts = pts @ rot_z(angle).T
            # Tilt the palm (normal toward the camera) up by turning the hand about the
            # forearm's axis, in the direction that lifts the normal.
            axis = np.array([along[0], along[1], 0.0]) / (np.hypot(along[0], along[1]) + 1e-12)
            pts = pts @ rodrigues(axis, -palm_up_deg if axis[0] > 0 else palm_up_deg).T
            wrist = pose[P.LEFT_WRIST if side == "left" else P.RIGHT_WRIST]
            hands[side] = pts * 0.8 + wrist
        return Landmarks(width=W, height=H, pose=pose, pose_visibility=vis, pose_world=world, face=face,
                         left_hand=hands["left"], right_hand=hands["right"], mirrored=mirrored)


def seen_from(lm: Landmarks, turn_deg: float = 0.0, camera_pitch_deg: float = 0.0) -> Landmarks:
    """``lm`` (of a :class:`Body`) with the person turned ``turn_deg`` about the vertical and
    the camera looking down on them by ``camera_pitch_deg`` (negative: up at them): every
    point, in pixels and in the world pose, rotated about the hips' midpoint."""
    rotation = rot_x(camera_pitch_deg) @ rot_y(turn_deg)
    centre = (lm.pose[P.LEFT_HIP] + lm.pose[P.RIGHT_HIP]) / 2

    def turned(arr: np.ndarray | None) -> np.ndarray | None:
        return None if arr is None else (arr - centre) @ rotation.T + centre

    return replace(lm, pose=turned(lm.pose), face=turned(lm.face), left_hand=turned(lm.left_hand),
                   right_hand=turned(lm.right_hand), pose_world=lm.pose_world @ rotation.T)


# --- A second, simpler builder: a whole person inside a small 640 x 480 frame ---------
# (used by the camera-placement and routine tests)
WIDTH, HEIGHT = 640, 480

# An upright person facing the camera, head to feet inside a 640 x 480 frame (unmirrored:
# the person's left side is on the image's right).
STANDING: dict[int, tuple[float, float]] = {
    P.NOSE: (320, 40), P.LEFT_EYE: (330, 32), P.RIGHT_EYE: (310, 32), P.LEFT_EAR: (340, 38),
    P.RIGHT_EAR: (300, 38), P.MOUTH_LEFT: (328, 55), P.MOUTH_RIGHT: (312, 55),
    P.LEFT_SHOULDER: (370, 100), P.RIGHT_SHOULDER: (270, 100), P.LEFT_ELBOW: (380, 170),
    P.RIGHT_ELBOW: (260, 170), P.LEFT_WRIST: (375, 235), P.RIGHT_WRIST: (265, 235),
    P.LEFT_PINKY: (377, 250), P.RIGHT_PINKY: (263, 250), P.LEFT_INDEX: (375, 252),
    P.RIGHT_INDEX: (265, 252), P.LEFT_THUMB: (370, 245), P.RIGHT_THUMB: (270, 245),
    P.LEFT_HIP: (350, 250), P.RIGHT_HIP: (290, 250), P.LEFT_KNEE: (350, 350), P.RIGHT_KNEE: (290, 350),
    P.LEFT_ANKLE: (350, 440), P.RIGHT_ANKLE: (290, 440), P.LEFT_HEEL: (348, 450), P.RIGHT_HEEL: (292, 450),
    P.LEFT_FOOT_INDEX: (355, 462), P.RIGHT_FOOT_INDEX: (285, 462),
}
# The person's left arm raised straight, 45 degrees out from the trunk: pointing the way.
POINTING_LEFT = {**STANDING, P.LEFT_ELBOW: (420, 150), P.LEFT_WRIST: (470, 200), P.LEFT_INDEX: (480, 210),
                 P.LEFT_PINKY: (478, 214), P.LEFT_THUMB: (476, 204)}


def person(points: dict[int, tuple[float, float]] = STANDING, *, moved: dict[int, tuple[float, float]] | None = None,
           mirrored: bool = False) -> Landmarks:
    """Landmarks from ``points`` (every pose point fully visible), some ``moved``."""
    pose = np.zeros((33, 3))
    for i in range(33):
        pose[i, :2] = (points | (moved or {})).get(i, points[P.NOSE])
    return Landmarks(width=WIDTH, height=HEIGHT, pose=pose, pose_visibility=np.ones(33), mirrored=mirrored)


def frame(level: int = 140) -> np.ndarray:
    """A uniform grey RGB frame of the landmarks' size."""
    return np.full((HEIGHT, WIDTH, 3), level, dtype=np.uint8)
