"""Hand measurements from the 21 hand landmarks: finger states, spread, palm direction,
and the hands' distance to the face.

Hand landmarks come in pixels with a relative depth scaled like x, so 3D angles are
meaningful within one hand. Handedness is the person's own (see posture.landmarks).
"""

from __future__ import annotations

import cv2
import numpy as np

from posture.grooming.regions import face_frame, face_hull
from posture.landmarks import FaceLM, HandLM, Landmarks, PoseLM
from posture.measure import Measured, blocking_state, measurement, per_frame
from posture.measure.body import pointing_side
from posture.measure.geometry import angle_between_deg
from posture.measure.view import body_unit_px

FINGERS: dict[str, tuple[int, int, int, int]] = {
    "index": (HandLM.INDEX_MCP, HandLM.INDEX_PIP, HandLM.INDEX_DIP, HandLM.INDEX_TIP),
    "middle": (HandLM.MIDDLE_MCP, HandLM.MIDDLE_PIP, HandLM.MIDDLE_DIP, HandLM.MIDDLE_TIP),
    "ring": (HandLM.RING_MCP, HandLM.RING_PIP, HandLM.RING_DIP, HandLM.RING_TIP),
    "pinky": (HandLM.PINKY_MCP, HandLM.PINKY_PIP, HandLM.PINKY_DIP, HandLM.PINKY_TIP),
}
# Hand landmarks carry no visibility; a detected hand is trusted at this confidence.
HAND_CONFIDENCE = 0.9


def finger_extension(hand: np.ndarray, finger: str) -> float:
    """Straightness of a finger: knuckle-to-tip distance over the length along its bones
    (1 = straight, about 0.3-0.5 = curled)."""
    mcp, pip, dip, tip = (hand[i] for i in FINGERS[finger])
    path = np.linalg.norm(pip - mcp) + np.linalg.norm(dip - pip) + np.linalg.norm(tip - dip)
    return float(np.linalg.norm(tip - mcp) / path) if path > 1e-9 else 0.0


# A straight finger's tip is about 1.4 times as far from the wrist as its middle knuckle
# (palm ~8.5 cm, phalanges ~4.5, 2.5 and 2 cm); a curled one's is nearer than the knuckle.
STRAIGHT_REACH = 1.4


def finger_reach(hand: np.ndarray, finger: str) -> float:
    """How far out the fingertip reaches: its distance from the wrist over the middle
    knuckle's, scaled so a straight finger is about 1 (a curled one about 0.3-0.5). Unlike
    the straightness along the bones, a tight curl seen from the side, whose joints the hand
    model lays out nearly in line, still reads as curled."""
    _, pip, _, tip = (hand[i] for i in FINGERS[finger])
    wrist = hand[HandLM.WRIST]
    knuckle = float(np.linalg.norm(pip - wrist))
    return min(1.0, float(np.linalg.norm(tip - wrist)) / (STRAIGHT_REACH * knuckle)) if knuckle > 1e-9 else 0.0


def index_only_score(hand: np.ndarray) -> float:
    """Index finger straightness minus the straightest of the other three fingers (a finger
    counts as straight only as far as it also reaches out, see finger_reach): high for a
    one-finger point, near 0 for an open hand, a fist or a thumb up."""
    def straight(f: str) -> float:
        return min(finger_extension(hand, f), finger_reach(hand, f))

    return straight("index") - max(straight(f) for f in ("middle", "ring", "pinky"))


def finger_spread_deg(hand: np.ndarray) -> float:
    """Largest angle between neighbouring fingers (index to pinky, knuckle to tip), measured
    in the palm's plane.

    Spreading is a sideways movement within the palm's plane; the out-of-plane part of
    each finger's direction is mostly the hand model's depth noise (and any bending), so
    it is removed. This also makes the angle the same whether the palm faces the camera
    or the ceiling. On HaGRID this halved the errors between fingers-together and spread
    hands (docs/EVALUATION.md).
    """
    normal = np.cross(hand[HandLM.INDEX_MCP] - hand[HandLM.WRIST], hand[HandLM.PINKY_MCP] - hand[HandLM.WRIST])
    norm = np.linalg.norm(normal)
    normal = normal / norm if norm > 1e-9 else np.zeros(3)
    dirs = [(d := hand[f[3]] - hand[f[0]]) - np.dot(d, normal) * normal for f in FINGERS.values()]
    return max(angle_between_deg(a, b) for a, b in zip(dirs, dirs[1:], strict=False))


def palm_normal(hand: np.ndarray, side: str) -> np.ndarray:
    """Unit vector out of the palm, in image coordinates (x right, y down, z away).

    For a right hand seen palm-on with the fingers up, the index knuckle is on the image
    left of the pinky knuckle and (index - wrist) x (pinky - wrist) points away from the
    camera, i.e. out of the back of the hand; a left hand is the mirror image.
    """
    a = hand[HandLM.INDEX_MCP] - hand[HandLM.WRIST]
    b = hand[HandLM.PINKY_MCP] - hand[HandLM.WRIST]
    n = np.cross(b, a) if side == "right" else np.cross(a, b)
    norm = np.linalg.norm(n)
    return n / norm if norm > 1e-9 else n


def palm_up(hand: np.ndarray, side: str) -> float:
    """Cosine between the palm's normal and straight up: 1 palm up, -1 palm down."""
    return float(-palm_normal(hand, side)[1])


def _seen_hands(lm: Landmarks) -> list[tuple[str, np.ndarray]]:
    return [(s, h) for s in ("left", "right") if (h := lm.hand(s)) is not None]


def _pointing_hand(lm: Landmarks) -> tuple[str, np.ndarray] | None:
    side = pointing_side(lm)
    if side is None or lm.hand(side) is None:
        return None
    return side, lm.hand(side)


@blocking_state("no_hand_seen")
def no_hand_seen(lm: Landmarks) -> bool:
    """No hand is seen (out of the picture, or one the hand models do not find): the
    measurements over the seen hands say so rather than a bare "not visible"."""
    return not _seen_hands(lm)


@measurement("one_finger_point_score", "score", unless=("no_hand_seen",))
def one_finger_point_score(lm: Landmarks) -> Measured | None:
    """Highest index-only score over the seen hands (one finger out, others curled)."""
    hands = _seen_hands(lm)
    if not hands:
        return None
    return Measured(max(index_only_score(h) for _, h in hands), HAND_CONFIDENCE)


@measurement("pointing_fingers_extended_min", "ratio")
def pointing_fingers_extended_min(lm: Landmarks) -> Measured | None:
    """Straightness of the least straight of the four fingers of the pointing hand."""
    found = _pointing_hand(lm)
    if found is None:
        return None
    return Measured(min(finger_extension(found[1], f) for f in FINGERS), HAND_CONFIDENCE)


@measurement("pointing_finger_spread_deg", "deg")
def pointing_finger_spread_deg(lm: Landmarks) -> Measured | None:
    """Largest gap angle between neighbouring fingers of the pointing hand."""
    found = _pointing_hand(lm)
    if found is None:
        return None
    return Measured(finger_spread_deg(found[1]), HAND_CONFIDENCE)


@measurement("pointing_palm_up", "cosine")
def pointing_palm_up(lm: Landmarks) -> Measured | None:
    """How much the pointing hand's palm faces up (1 up, 0 sideways, -1 down)."""
    found = _pointing_hand(lm)
    if found is None:
        return None
    return Measured(palm_up(found[1], found[0]), HAND_CONFIDENCE)


@measurement("hand_finger_spread_max_deg", "deg", unless=("no_hand_seen",))
def hand_finger_spread_max_deg(lm: Landmarks) -> Measured | None:
    """Largest neighbouring-finger gap over the seen hands (fingers together: small)."""
    hands = _seen_hands(lm)
    if not hands:
        return None
    return Measured(max(finger_spread_deg(h) for _, h in hands), HAND_CONFIDENCE)


# The head around the face mesh's outline, as shares of the face: the hair above the forehead
# (of its height, forehead to chin), the ears and the hair over them on either side (of its
# width at the cheeks; a head is about 1.2 faces wide at the ears).
HAIR_ABOVE_FACE = 0.4
HEAD_BESIDE_FACE = 0.1


def _face_outline(lm: Landmarks) -> np.ndarray | None:
    """The face and the hair around it as a convex polygon (pixels): the face mesh's outline
    widened over the ears and raised over the hair; without a mesh, the box of the pose's
    head points down to the chin and up over the hair. A hand held up beside the head (a
    gesture next to the face) stays outside it, where the box's corners counted it as touching.
    Once per frame: the touch measurements and the check of each hand read it."""
    return per_frame(lm, "head_outline", lambda: _head_outline(lm))


def _head_outline(lm: Landmarks) -> np.ndarray | None:
    if lm.face is not None:
        across, down, width, height = face_frame(lm.face)
        oval = face_hull(lm.face)
        side = np.sign((oval - oval.mean(axis=0)) @ across)[:, None] * across
        head = oval + HEAD_BESIDE_FACE * width * side
        pts = np.vstack([head, head - HAIR_ABOVE_FACE * height * down])
        return cv2.convexHull(pts.astype(np.float32)).reshape(-1, 2)
    head = [PoseLM.NOSE, PoseLM.LEFT_EAR, PoseLM.RIGHT_EAR, PoseLM.MOUTH_LEFT, PoseLM.MOUTH_RIGHT]
    pts = lm.pose_points(*head)
    if pts is None:
        return None
    lo, hi = pts[:, :2].min(axis=0), pts[:, :2].max(axis=0)
    hi = hi + np.array([0.0, (hi[1] - lo[1])])  # down to the chin
    lo = lo - np.array([0.0, HAIR_ABOVE_FACE * float(hi[1] - lo[1])])
    return np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]], dtype=np.float32)


def _is_the_head(lm: Landmarks, hand: np.ndarray) -> bool:
    """Whether a "hand" lies wholly inside the head's outline (face, ears and hair), wrist
    included: the hand model reading the face or the hair (a real hand on the head comes from
    an arm outside it). On GENKI's fit half 6 of 28 false touches were such hands inside the
    face, 3 more inside the hair or beside the cheek (2 of 13 on the test half), no real touch."""
    outline = _face_outline(lm) if lm.face is not None else None
    if outline is None:
        return False
    return all(cv2.pointPolygonTest(outline, (float(x), float(y)), False) > 0 for x, y in hand[:, :2])


# Without a body, the unit of hand-to-face distances comes from the face: its width at the
# cheeks is 0.48 of the body unit (median on the 392 HaGRID photos with both; 0.45-0.54 for
# 80% of them).
FACE_WIDTH_PER_UNIT = 0.48
# A face turned further than this from the camera hides the other cheek and the hand on it.
MAX_YAW_FOR_TOUCH_DEG = 60.0
# The face counts as in view when its mesh reaches past the frame's edge by no more than this
# share of its height: tight face crops cut off the chin's tip or the top of the forehead
# (GENKI: 2-7% for 25 of 31 such faces), a sliver a hand on the face does not hide in.
FACE_CUT_SLACK = 0.08
_POSE_HAND = (PoseLM.LEFT_INDEX, PoseLM.RIGHT_INDEX, PoseLM.LEFT_WRIST, PoseLM.RIGHT_WRIST)


def _touch_unit(lm: Landmarks) -> float | None:
    unit = body_unit_px(lm) if lm.pose is not None else None
    if unit is None and lm.face is not None:
        cheeks = float(np.linalg.norm(lm.face[FaceLM.LEFT_CHEEK, :2] - lm.face[FaceLM.RIGHT_CHEEK, :2]))
        unit = cheeks / FACE_WIDTH_PER_UNIT if cheeks > 1e-6 else None
    return unit


# A hand's wrist-to-middle-knuckle span is about 9-10 cm, 0.26 of the body unit; the hand
# model also "finds" hands in ears, mouths and cheeks, which come out at half that or less
# (GENKI faces labelled without a hand: median 0.17; with one: 0.30, 5% under 0.19). A
# hand under 0.15 of the unit (in 3D, so a hand seen end-on is not shrunk) is not one.
MIN_HAND_SPAN_UNITS = 0.15


def _hand_points(lm: Landmarks) -> np.ndarray | None:
    """Every seen hand point: the hand models' (hands of a plausible size for the person, not
    the face itself) and the pose's wrists and index fingers. Once per frame (both touch
    measurements read it)."""
    return per_frame(lm, "hand_points", lambda: _seen_hand_points(lm))


def _seen_hand_points(lm: Landmarks) -> np.ndarray | None:
    unit = _touch_unit(lm)
    points = [h[:, :2] for _, h in _seen_hands(lm)
              if (unit is None or np.linalg.norm(h[HandLM.MIDDLE_MCP] - h[HandLM.WRIST]) >= MIN_HAND_SPAN_UNITS * unit)
              and not _is_the_head(lm, h)]
    pose_hand = [i for i in _POSE_HAND if lm.seen(i)]
    if pose_hand:
        points.append(lm.pose[pose_hand, :2])
    return np.vstack(points) if points else None


@measurement("hand_to_face_sw", "shoulder widths")
def hand_to_face_sw(lm: Landmarks) -> Measured | None:
    """Shortest distance from any seen hand point to the outline of the face and the hair
    above it, in body units (from the face's width without a body; 0 = a hand point is over
    the face or hair)."""
    outline = _face_outline(lm)
    unit = _touch_unit(lm)
    pts = _hand_points(lm)
    if outline is None or unit is None or pts is None:
        return None
    inside = max(cv2.pointPolygonTest(outline, (float(x), float(y)), True) for x, y in pts)
    return Measured(max(0.0, -inside) / unit, HAND_CONFIDENCE)


@measurement("face_seen_without_hands", "0/1")
def face_seen_without_hands(lm: Landmarks) -> Measured | None:
    """1 when the whole face is in the picture, turned no more than 60 degrees from the
    camera, and no hand is seen anywhere (so none is on it); 0 when a hand is seen (then
    ``hand_to_face_sw`` says where); None when the face is not found, cut off by the frame's
    edge or turned away."""
    from posture.measure.face import _face, head_angles_to_camera

    face = _face(lm)
    head = head_angles_to_camera(lm)  # turned away from the camera, not from the body
    if face is None or head is None or abs(head[0]) > MAX_YAW_FOR_TOUCH_DEG:
        return None
    lo, hi = face[:, :2].min(axis=0), face[:, :2].max(axis=0)
    slack = FACE_CUT_SLACK * float(hi[1] - lo[1])
    if lo[0] < -slack or lo[1] < -slack or hi[0] > lm.width + slack or hi[1] > lm.height + slack:
        return None
    return Measured(0.0 if _hand_points(lm) is not None else 1.0, HAND_CONFIDENCE)
