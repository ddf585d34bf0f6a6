"""Face measurements from the refined Face Mesh: head pose and the smile.

The head's rotation comes from a frame built on the mesh itself (eye corners for the
sideways axis, forehead to chin for the downward axis), so no external 3D face model is
needed. Smile features are read in that head frame, so head roll and turn do not change
them. Where the frame's pixels were seen, the smile also reads the mouth patch (see
posture.landmarks.mouth_patch): teeth, lip edges and cheek folds that the mesh misses.
"""

from __future__ import annotations

import math
from functools import cache

import cv2
import numpy as np

from posture.landmarks import MOUTH_PATCH_SIZE, FaceLM, Landmarks, PoseLM
from posture.measure import Measured, blocking_state, measurement, per_frame
from posture.measure.geometry import cross3, unit
from posture.measure.view import body_frame_world, body_unit_px

# Beyond this turn the mouth is seen too obliquely to judge a smile: "not visible".
MAX_YAW_FOR_EXPRESSION_DEG = 45.0

# The mesh's forehead-to-chin line is not square to the line of sight: a head facing the
# camera reads about 9 degrees "chin down". This offset makes it read 0: the median of raw
# minus labelled pitch on GENKI-4K's fit split (scripts/fit_head_pose.py, docs/EVALUATION.md).
PITCH_OFFSET_DEG = 8.7

# Logistic model of a smile on four features of ``mouth_features`` (weights in the
# features' own units, see smile_probability): corners raised above the lips' centre and
# toward the top of the upper lip, the upper lip curved up under the nose and stretched
# thin. Fitted with an L2 penalty on GENKI-4K's fit split by scripts/fit_smile.py (94.1% of
# the judgeable faces of either split); the threshold on its output is EX-SMILE's. Used
# when there is no mouth patch (a face too small, landmarks without pixels); otherwise the
# model of posture/measure/smile_model.py adds the patch's gradients to the same features.
SMILE_MODEL = {"bias": 28.800, "corner_lift": 49.049, "corners_vs_lip_top": 39.822,
               "upper_lip_share": -30.437, "upper_lip_thickness": -16.731}

# A face mesh is only trusted for a face at least this wide (pixels between eye corners).
MIN_EYE_SPAN_PX = 12.0


def head_rotation(face: np.ndarray) -> np.ndarray:
    """3x3 rotation whose columns are the head's axes in camera coordinates: x toward the
    person's left ear, y toward the chin, z toward the back of the head."""
    x = unit(face[FaceLM.LEFT_EYE_OUTER] - face[FaceLM.RIGHT_EYE_OUTER])
    y = face[FaceLM.CHIN] - face[FaceLM.FOREHEAD]
    z = unit(cross3(x, y))
    y = cross3(z, x)
    return np.column_stack([x, y, z])


def head_angles_deg(face: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) of the head in degrees.

    yaw > 0: the face turns toward the image's right (the person's left);
    pitch > 0: the chin goes down (looking down); roll > 0: the head tilts so that the
    eye on the image's right is lower.
    """
    rot = head_rotation(face)
    forward = -rot[:, 2]  # out of the face, toward the camera when frontal
    yaw = math.degrees(math.atan2(forward[0], -forward[2]))
    pitch = math.degrees(math.asin(float(np.clip(forward[1], -1.0, 1.0)))) - PITCH_OFFSET_DEG
    # The ear-to-ear axis against the horizontal plane: the same as its angle in the picture
    # for a face toward the camera, and still right for a face seen from the side.
    roll = math.degrees(math.atan2(rot[1, 0], math.hypot(rot[0, 0], rot[2, 0])))
    return yaw, pitch, roll


def _wrap_deg(angle: float) -> float:
    return (angle + 180.0) % 360.0 - 180.0


def _face(lm: Landmarks) -> np.ndarray | None:
    if lm.face is None:
        return None
    # In 3D (the mesh's depth is scaled like x): a face seen from the side is not smaller.
    span = np.linalg.norm(lm.face[FaceLM.LEFT_EYE_OUTER] - lm.face[FaceLM.RIGHT_EYE_OUTER])
    return lm.face if span >= MIN_EYE_SPAN_PX else None


def head_angles_to_camera(lm: Landmarks) -> tuple[float, float, float] | None:
    """The face mesh's (yaw, pitch, roll) against the camera, or None without a usable face."""
    face = _face(lm)
    return None if face is None else head_angles_deg(face)


# Shoulders showing under this share of the body's width are turned at least 45 degrees.
TURNED_SHOULDER_SHARE = math.cos(math.radians(45.0))


def _shoulders_foreshortened(lm: Landmarks) -> bool:
    """Whether the picture itself shows the shoulders turned away: the heading of shoulders
    alone (no hips) that look square on is mostly the world pose's depth noise, which on
    GENKI's head-and-shoulder photos cost ST-HEAD 2.5 points against the labels."""
    span, unit_px = lm.shoulder_width(), body_unit_px(lm)
    if span is None:
        # One shoulder hidden inside the picture (not cut off by its edge): behind the body.
        shoulders = lm.pose[[PoseLM.LEFT_SHOULDER, PoseLM.RIGHT_SHOULDER], :2]
        inside = (shoulders >= 0).all(axis=1) & (shoulders[:, 0] < lm.width) & (shoulders[:, 1] < lm.height)
        return bool(inside.all())
    return unit_px is not None and span < TURNED_SHOULDER_SHARE * unit_px


def _head(lm: Landmarks) -> tuple[float, float, float] | None:
    """(yaw, pitch, roll) of the head, the yaw against the way the trunk faces when the body
    is seen (so a person looking ahead along their body, photographed from the side, faces
    forward), else against the camera. Pitch and roll are against the horizontal, which a
    turn about the vertical does not change."""
    def compute() -> tuple[float, float, float] | None:
        face = _face(lm)
        if face is None:
            return None
        frame = body_frame_world(lm)
        if frame is None:
            return head_angles_deg(face)
        # Read against the true horizontal: a camera looking down sees a level head lowered.
        yaw, pitch, roll = head_angles_deg(face @ frame.levelling.T)
        if frame.trunk_up is not None or _shoulders_foreshortened(lm):
            yaw = _wrap_deg(yaw - frame.yaw_deg)
        return yaw, pitch, roll

    return per_frame(lm, "head_angles", compute)


# Face Mesh gives no per-point visibility; a found mesh is trusted at this confidence.
FACE_CONFIDENCE = 0.9


@measurement("head_yaw_deg", "deg")
def head_yaw_deg(lm: Landmarks) -> Measured | None:
    """Head turn left/right from the way the trunk faces (from the camera without a body;
    positive: toward the person's left, the image's right in a front view)."""
    head = _head(lm)
    return None if head is None else Measured(head[0], FACE_CONFIDENCE)


# Turned further than this from the camera, the face is seen in profile: the mesh places the
# far eye and cheek by guesswork and the nod read from its depth goes wrong (a woman looking
# level at her screen, photographed from the side at 70 degrees, read 18 degrees "head
# raised"); the side of the face shows no more than the sideways turn and tilt. Beyond 60
# degrees the far side of the face is hidden (as for HD-TOUCH); the pitch is then not read.
MAX_YAW_FOR_PITCH_DEG = 60.0


@blocking_state("face_in_profile")
def face_in_profile(lm: Landmarks) -> bool:
    """Whether the face is turned so far from the camera that its nod cannot be read."""
    head = head_angles_to_camera(lm)
    return head is not None and abs(head[0]) > MAX_YAW_FOR_PITCH_DEG


@measurement("head_pitch_deg", "deg", unless=("face_in_profile",))
def head_pitch_deg(lm: Landmarks) -> Measured | None:
    """Head nod: positive when the chin is lowered, negative when the head is raised."""
    head = _head(lm)
    return None if head is None else Measured(head[1], FACE_CONFIDENCE)


@measurement("head_roll_deg", "deg")
def head_roll_deg(lm: Landmarks) -> Measured | None:
    """Sideways tilt of the head (the line through the eye corners against the horizontal)."""
    head = _head(lm)
    return None if head is None else Measured(head[2], FACE_CONFIDENCE)


def mouth_features(face: np.ndarray) -> dict[str, float]:
    """Smile features in the head's own frame (heights along the head's downward axis, so
    roll, turn and nod change them little). Lengths are over the mouth width unless said.

    mouth_width_ratio: mouth-corner distance over outer-eye-corner distance;
    corner_lift: how far the mouth corners sit above the lips' centre;
    corners_vs_lip_top: height of the corners against the top of the upper lip (negative:
    below it; a smile draws the corners up toward it);
    upper_lip_share: depth of the upper lip's top under the nose tip, as a share of the
    corners' depth under it (the lip's curve, independent of the face's proportions);
    upper_lip_thickness: top of the upper lip to its inner edge (a smile stretches it thin);
    mouth_open_ratio: gap between the inner lips.
    """
    rot = head_rotation(face)
    local = (face - face[FaceLM.NOSE_TIP]) @ rot  # rows in head coordinates, nose tip at 0
    left, right = local[FaceLM.MOUTH_LEFT], local[FaceLM.MOUTH_RIGHT]
    width = max(float(np.linalg.norm(left - right)), 1e-9)
    eyes = max(float(np.linalg.norm(local[FaceLM.LEFT_EYE_OUTER] - local[FaceLM.RIGHT_EYE_OUTER])), 1e-9)
    centre_y = (local[FaceLM.UPPER_LIP_INNER, 1] + local[FaceLM.LOWER_LIP_INNER, 1]) / 2.0
    corners_y = float(left[1] + right[1]) / 2.0
    lip_top_y = float(local[FaceLM.UPPER_LIP_TOP, 1])
    gap = float(np.linalg.norm(local[FaceLM.UPPER_LIP_INNER] - local[FaceLM.LOWER_LIP_INNER]))
    return {
        "mouth_width_ratio": width / eyes,
        "corner_lift": float(centre_y - corners_y) / width,
        "corners_vs_lip_top": (lip_top_y - corners_y) / width,
        "upper_lip_share": lip_top_y / max(corners_y, 1e-3 * eyes),
        "upper_lip_thickness": float(local[FaceLM.UPPER_LIP_INNER, 1] - lip_top_y) / width,
        "mouth_open_ratio": gap / width,
    }


# The mouth patch's descriptor: histograms of gradient orientation (HOG) in square cells.
HOG_CELL_PX = 8
HOG_BINS = 9  # unsigned orientations, 20 degrees each


def _hog_layout() -> tuple[np.ndarray, int]:
    """Each patch pixel's cell number and the number of cells (worked out once)."""
    width, height = MOUTH_PATCH_SIZE
    rows, cols = np.indices((height, width))
    cells_across = width // HOG_CELL_PX
    return (rows // HOG_CELL_PX) * cells_across + cols // HOG_CELL_PX, (height // HOG_CELL_PX) * cells_across


_HOG_CELL_OF, _HOG_CELLS = _hog_layout()


def mouth_hog(patch: np.ndarray) -> np.ndarray:
    """HOG of the mouth patch: per 8x8 cell, gradient magnitude binned by orientation (split
    between the two nearest bins), the whole square-rooted after normalising to sum 1 (so
    lighting and contrast do not matter and a few strong edges do not dominate)."""
    img = patch.astype(np.float32)
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=1)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=1)
    magnitude, angle = cv2.cartToPolar(gx, gy, angleInDegrees=True)
    position = (angle % 180.0) / (180.0 / HOG_BINS) - 0.5
    low = np.floor(position)
    upper_share = position - low
    low = low.astype(np.int64) % HOG_BINS
    base = _HOG_CELL_OF * HOG_BINS
    size = _HOG_CELLS * HOG_BINS
    hist = (np.bincount((base + low).ravel(), (magnitude * (1.0 - upper_share)).ravel(), size)
            + np.bincount((base + (low + 1) % HOG_BINS).ravel(), (magnitude * upper_share).ravel(), size))
    return np.sqrt(hist / (hist.sum() + 1e-6))


@cache
def _patch_model() -> tuple[float, dict[str, float], np.ndarray]:
    """Bias, mesh-feature weights and HOG weights of the patch model, loaded on first use
    (so scripts/fit_smile.py can import this module to write a new one)."""
    from posture.measure import smile_model

    hog = np.asarray(smile_model.HOG_WEIGHTS, dtype=np.float64)
    if hog.shape != (_HOG_CELLS * HOG_BINS,):
        raise RuntimeError(f"posture/measure/smile_model.py has {hog.size} HOG weights, the patch gives "
                           f"{_HOG_CELLS * HOG_BINS}: run scripts/fit_smile.py --write")
    return smile_model.BIAS, dict(zip(smile_model.FEATURES, smile_model.GEOMETRY_WEIGHTS, strict=True)), hog


def smile_probability(features: dict[str, float], patch: np.ndarray | None = None) -> float:
    """Probability (0..1) that the face smiles: from the mesh's ``features`` and the mouth
    patch's HOG (posture/measure/smile_model.py), or from ``SMILE_MODEL`` without a patch."""
    if patch is None:
        z = SMILE_MODEL["bias"] + sum(w * features[k] for k, w in SMILE_MODEL.items() if k != "bias")
    else:
        bias, geometry, hog = _patch_model()
        z = bias + sum(w * features[k] for k, w in geometry.items()) + float(mouth_hog(patch) @ hog)
    return 1.0 / (1.0 + math.exp(-z))


def _expression_face(lm: Landmarks) -> np.ndarray | None:
    head = head_angles_to_camera(lm)  # how much of the mouth the camera sees
    if head is None or abs(head[0]) > MAX_YAW_FOR_EXPRESSION_DEG:
        return None
    return lm.face


@measurement("smile_score", "probability")
def smile_score(lm: Landmarks) -> Measured | None:
    """Probability that the face smiles (corners raised, upper lip stretched; with the
    frame's pixels also teeth, lip edges and cheek folds)."""
    face = _expression_face(lm)
    if face is None:
        return None
    return Measured(smile_probability(mouth_features(face), lm.mouth_patch), FACE_CONFIDENCE)


@measurement("mouth_open_ratio", "ratio of mouth width")
def mouth_open_ratio(lm: Landmarks) -> Measured | None:
    """Gap between the inner lips over the mouth width: a laugh opens the mouth wide."""
    face = _expression_face(lm)
    if face is None:
        return None
    return Measured(mouth_features(face)["mouth_open_ratio"], FACE_CONFIDENCE)


@measurement("head_above_hands_deg", "deg", unless=("face_in_profile",))
def head_above_hands_deg(lm: Landmarks) -> Measured | None:
    """How far above the hands the head points (degrees, the body's frame): the angle down
    from the eyes to the hands' midpoint (world pose: the drop below the nose against the
    distance in front of it) less the head's pitch. Near 0 looking at the hands; a head held
    level while the hands are held out low reads their whole angle."""
    head = _head(lm)
    frame = body_frame_world(lm)
    wrists = [i for i in (PoseLM.LEFT_WRIST, PoseLM.RIGHT_WRIST) if lm.seen(i)]
    if head is None or frame is None or not wrists or not lm.seen(PoseLM.NOSE):
        return None
    world = lm.pose_world
    to_hands = world[wrists].mean(axis=0) - world[PoseLM.NOSE]
    ahead = max(float(np.dot(to_hands, frame.forward)), 1e-3)
    down = math.degrees(math.atan2(float(-np.dot(to_hands, frame.up)), ahead))
    return Measured(down - head[1], min(FACE_CONFIDENCE, lm.visibility(PoseLM.NOSE, *wrists)))


@measurement("gaze_toward_pointing_deg", "deg")
def gaze_toward_pointing_deg(lm: Landmarks) -> Measured | None:
    """Head turn toward the side of the pointing arm (positive = toward it)."""
    from posture.measure.body import pointing_side

    head = _head(lm)
    side = pointing_side(lm)
    if head is None or side is None:
        return None
    # Facing the camera, the person's left is the image's right, where yaw is positive.
    toward = head[0] if side == "left" else -head[0]
    return Measured(toward, FACE_CONFIDENCE)
