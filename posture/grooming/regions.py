"""Regions of the face and body for the grooming clauses, from the landmarks alone.

Every function is pure: landmarks in, a polygon (an (n, 2) float array of pixels of the
unmirrored frame, in the order of its outline) or ``None`` out. Sides are the person's own:
``"right"`` is the person's right (the left of an unmirrored picture of someone facing the
camera), taken from the landmarks' own left/right, never from the picture's. Sizes are
fractions of the face's width ``W`` (cheek to cheek, mesh points 234-454) and height ``H``
(forehead top to chin, 10-152), or of the shoulder width, so they follow the person's size
and the head's roll.
"""

from __future__ import annotations

import cv2
import numpy as np

from posture.landmarks import FaceLM, HandLM, Landmarks, PoseLM

SIDES = ("right", "left")
Polygon = np.ndarray

# Face Mesh outlines (MediaPipe's canonical face model indices).
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
LIPS_OUTER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185)
LIPS_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191)
# Below the lower lip to the jaw line, from the right mouth corner round to the left one.
CHIN_JAW = (57, 43, 106, 182, 83, 18, 313, 406, 335, 273, 287, 397, 365, 379, 378, 400, 377, 152, 148,
            176, 149, 150, 136, 172)
# Between the nose and the upper lip (where a moustache grows).
UPPER_LIP = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 322, 391, 393, 164, 167, 165, 92)
EYEBROW = {"right": (70, 63, 105, 66, 107, 55, 65, 52, 53, 46),
           "left": (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)}
# The upper eyelid: the eye's upper rim, then the eyebrow's lower edge back.
UPPER_EYELID = {"right": (33, 246, 161, 160, 159, 158, 157, 173, 133, 55, 65, 52, 53, 46),
                "left": (263, 466, 388, 387, 386, 385, 384, 398, 362, 285, 295, 282, 283, 276)}
# Above the eyebrows to the top of the mesh (which stops near the hairline).
FOREHEAD = (70, 63, 105, 66, 107, 336, 296, 334, 293, 300, 284, 332, 297, 338, 10, 109, 67, 103, 54)
CHEEK_CENTRE = {"right": 50, "left": 280}  # below the eyes, above where a beard grows
# The face contour beside the ear lobe (at the height of the nose's base).
LOBE_CONTOUR = {"right": 132, "left": 361}
FACE_SIDE = {"right": FaceLM.RIGHT_CHEEK, "left": FaceLM.LEFT_CHEEK}


def face_frame(face: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(u, v, W, H): unit vectors toward the person's left and toward the chin (in the
    image plane, following the head's roll), and the face's width and height in pixels."""
    across = face[FaceLM.LEFT_CHEEK, :2] - face[FaceLM.RIGHT_CHEEK, :2]
    width = float(np.linalg.norm(across))
    u = across / max(width, 1e-6)
    v = np.array([-u[1], u[0]])
    if np.dot(v, face[FaceLM.CHIN, :2] - face[FaceLM.FOREHEAD, :2]) < 0:
        v = -v  # a face seen upside down keeps "down" toward its chin
    height = float(np.linalg.norm(face[FaceLM.CHIN, :2] - face[FaceLM.FOREHEAD, :2]))
    return u, v, width, height


def _area(polygon: np.ndarray) -> float:
    return float(cv2.contourArea(np.asarray(polygon, dtype=np.float32)))


def _clip(pts: list[tuple[float, float]], axis: int, bound: float, below: bool) -> list[tuple[float, float]]:
    """One Sutherland-Hodgman step: the polygon ``pts`` cut to ``pts[axis] <= bound`` (below)
    or ``>= bound``."""
    def keep(p: tuple[float, float]) -> bool:
        return p[axis] <= bound if below else p[axis] >= bound

    out = []
    for a, b in zip(pts, pts[1:] + pts[:1], strict=True):
        if keep(a) != keep(b):
            t = (bound - a[axis]) / (b[axis] - a[axis])
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
        if keep(b):
            out.append(b)
    return out


def share_in_frame(polygon: Polygon, width: float, height: float) -> float:
    """The share (0-1) of a region's area inside the frame ``width`` x ``height`` (landmark
    pixels): the polygon clipped by the frame's four edges."""
    lo, hi = polygon[:, :2].min(axis=0), polygon[:, :2].max(axis=0)
    if lo[0] >= 0.0 and lo[1] >= 0.0 and hi[0] <= width and hi[1] <= height:
        return 1.0  # wholly inside: most regions of most photos
    whole = _area(polygon)
    pts = [(float(x), float(y)) for x, y in polygon[:, :2]]
    for axis, bound, below in ((0, 0.0, False), (0, float(width), True), (1, 0.0, False), (1, float(height), True)):
        pts = _clip(pts, axis, bound, below) if len(pts) >= 3 else []
    return 0.0 if whole <= 0.0 or len(pts) < 3 else min(1.0, _area(np.array(pts)) / whole)


def _outline(face: np.ndarray, indices: tuple[int, ...]) -> Polygon:
    return face[list(indices), :2].astype(np.float64)


def _box(centre: np.ndarray, u: np.ndarray, v: np.ndarray, half_u: float, half_v: float) -> Polygon:
    """A rectangle around ``centre`` with sides along ``u`` and ``v`` (half sizes in pixels)."""
    return np.array([centre - half_u * u - half_v * v, centre + half_u * u - half_v * v,
                     centre + half_u * u + half_v * v, centre - half_u * u + half_v * v])


def _side_sign(side: str) -> float:
    return -1.0 if side == "right" else 1.0  # u points toward the person's left


def face_hull(face: np.ndarray) -> Polygon:
    return _outline(face, FACE_OVAL)


def chin_jaw(face: np.ndarray) -> Polygon:
    return _outline(face, CHIN_JAW)


def upper_lip(face: np.ndarray) -> Polygon:
    return _outline(face, UPPER_LIP)


def lips(face: np.ndarray) -> tuple[Polygon, Polygon]:
    """(outer, inner) outlines: the lips are the ring between them."""
    return _outline(face, LIPS_OUTER), _outline(face, LIPS_INNER)


def around_lips(face: np.ndarray) -> Polygon:
    """The lips' outer outline grown 1.4 times about its centre: with the lips as its hole, the
    ring of skin just around the mouth, lit as the lips are."""
    outer = _outline(face, LIPS_OUTER)
    centre = outer.mean(axis=0)
    return centre + 1.4 * (outer - centre)


def upper_eyelid(face: np.ndarray, side: str) -> Polygon:
    return _outline(face, UPPER_EYELID[side])


def eyebrow(face: np.ndarray, side: str) -> Polygon:
    return _outline(face, EYEBROW[side])


def forehead(face: np.ndarray) -> Polygon:
    return _outline(face, FOREHEAD)


def brow_band(face: np.ndarray) -> Polygon:
    """The strip just above both eyebrows, 0.12 H high: what a fringe covers first."""
    u, v, _, height = face_frame(face)
    right, left = face[EYEBROW["right"][0], :2], face[EYEBROW["left"][0], :2]
    top = [p - v * 0.12 * height for p in (right, left)]
    return np.array([right, left, top[1], top[0]])


def cheek(face: np.ndarray, side: str) -> Polygon:
    """A disc of radius 0.07 W on the cheek under the eye: the person's own skin."""
    _, _, width, _ = face_frame(face)
    centre = face[CHEEK_CENTRE[side], :2]
    angles = np.linspace(0.0, 2 * np.pi, 12, endpoint=False)
    return centre + 0.07 * width * np.column_stack([np.cos(angles), np.sin(angles)])


def ear(face: np.ndarray, side: str) -> Polygon:
    """The ear beside the face at eye height: 0.16 W wide, 0.26 H high, just outside the contour."""
    u, v, width, height = face_frame(face)
    centre = face[FACE_SIDE[side], :2] + _side_sign(side) * 0.09 * width * u + 0.04 * height * v
    return _box(centre, u, v, 0.08 * width, 0.13 * height)


def ear_lobe(face: np.ndarray, side: str) -> Polygon:
    """The lobe: 0.14 W x 0.14 H just outside the face contour at the nose's base."""
    u, v, width, height = face_frame(face)
    centre = face[LOBE_CONTOUR[side], :2] + _side_sign(side) * 0.06 * width * u
    return _box(centre, u, v, 0.07 * width, 0.07 * height)


def below_lobe(face: np.ndarray, side: str) -> Polygon:
    """Where a dangling earring hangs: under the lobe, 0.18 W wide, to 0.4 H below it."""
    u, v, width, height = face_frame(face)
    centre = face[LOBE_CONTOUR[side], :2] + _side_sign(side) * 0.05 * width * u + 0.25 * height * v
    return _box(centre, u, v, 0.09 * width, 0.18 * height)


def hair_top(face: np.ndarray) -> Polygon:
    """Above the forehead: 1.1 W wide, from the mesh's top up to 0.45 H above it."""
    u, v, width, height = face_frame(face)
    centre = face[FaceLM.FOREHEAD, :2] - 0.24 * height * v
    return _box(centre, u, v, 0.55 * width, 0.22 * height)


def above_head(face: np.ndarray) -> Polygon:
    """Above the hair: 0.9 W wide, from 0.45 H to 0.85 H above the mesh's top, where a cap's
    or chef's hat's crown rises and most hair has ended."""
    u, v, width, height = face_frame(face)
    return _box(face[FaceLM.FOREHEAD, :2] - 0.65 * height * v, u, v, 0.45 * width, 0.2 * height)


def hair_side(face: np.ndarray, side: str) -> Polygon:
    """Beside the neck below the ear, from the chin's height to 0.7 H under it, 0.15-0.6 W
    out from the face's middle: loose long hair falls here, short hair does not."""
    u, v, width, height = face_frame(face)
    chin = face[FaceLM.CHIN, :2]
    s = _side_sign(side)
    inner, outer = chin + s * 0.45 * width * u, chin + s * 0.9 * width * u
    return np.array([inner - 0.1 * height * v, outer - 0.1 * height * v,
                     outer + 0.7 * height * v, inner + 0.7 * height * v])


def collar(face: np.ndarray) -> tuple[Polygon, Polygon]:
    """(tie strip, shirt beside it) under the chin: the strip where a tie's knot and blade
    show (0.26 W wide, 0.3-0.9 H under the chin) and two strips of shirt or jacket beside it
    (0.2-0.45 W out on each side), as one polygon pair; from the face, so it works on
    head-and-shoulders photos without a pose."""
    u, v, width, height = face_frame(face)
    chin = face[FaceLM.CHIN, :2]
    strip = _box(chin + 0.6 * height * v, u, v, 0.13 * width, 0.3 * height)
    beside = np.vstack([_box(chin + 0.6 * height * v + s * 0.33 * width * u, u, v, 0.12 * width, 0.3 * height)
                        for s in (-1.0, 1.0)])
    return strip, beside


def collar_band(face: np.ndarray) -> Polygon:
    """The whole band under the chin that :func:`collar` splits (0.9 W wide, 0.3-0.9 H under
    the chin): the clothes' colour there."""
    u, v, width, height = face_frame(face)
    return _box(face[FaceLM.CHIN, :2] + 0.6 * height * v, u, v, 0.45 * width, 0.3 * height)


def _trunk_axes(lm: Landmarks) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
    """(neck, toward the person's left, down, shoulder width) in the image, or None when
    either shoulder is not seen."""
    pts = lm.pose_points(PoseLM.LEFT_SHOULDER, PoseLM.RIGHT_SHOULDER)
    if pts is None:
        return None
    left, right = pts[0, :2], pts[1, :2]
    width = float(np.linalg.norm(left - right))
    if width < 1e-6:
        return None
    u = (left - right) / width
    d = np.array([-u[1], u[0]])
    hips = lm.pose_points(PoseLM.LEFT_HIP, PoseLM.RIGHT_HIP)
    below = (hips[:, :2].mean(axis=0) if hips is not None else (left + right) / 2 + np.array([0.0, 1.0]))
    if np.dot(d, below - (left + right) / 2) < 0:
        d = -d
    return (left + right) / 2, u, d, width


def chest(lm: Landmarks, side: str) -> Polygon | None:
    """The person's own ``side`` of the chest: from 0.06 to 0.45 shoulder widths out from the
    midline, 0.15 to 0.7 shoulder widths under the shoulder line (where a badge is pinned);
    None when a shoulder is not seen."""
    axes = _trunk_axes(lm)
    if axes is None:
        return None
    neck, u, d, sw = axes
    s = -1.0 if side == "right" else 1.0
    inner, outer = neck + s * 0.06 * sw * u, neck + s * 0.45 * sw * u
    return np.array([inner + 0.15 * sw * d, outer + 0.15 * sw * d, outer + 0.7 * sw * d, inner + 0.7 * sw * d])


def chest_both(lm: Landmarks) -> Polygon | None:
    """Both halves of the chest as one quadrilateral (for the uniform's colour)."""
    axes = _trunk_axes(lm)
    if axes is None:
        return None
    neck, u, d, sw = axes
    return _box(neck + 0.45 * sw * d, u, d, 0.42 * sw, 0.3 * sw)


def wrist(lm: Landmarks, side: str) -> Polygon | None:
    """A box around the person's ``side`` wrist, as wide as the wrist-to-knuckle span."""
    hand = lm.hand(side)
    if hand is not None:
        centre = hand[HandLM.WRIST, :2]
        span = float(np.linalg.norm(hand[HandLM.MIDDLE_MCP, :2] - centre))
    else:
        pts = lm.pose_points(PoseLM.LEFT_WRIST if side == "left" else PoseLM.RIGHT_WRIST,
                             PoseLM.LEFT_ELBOW if side == "left" else PoseLM.RIGHT_ELBOW)
        if pts is None:
            return None
        centre = pts[0, :2]
        span = 0.35 * float(np.linalg.norm(pts[0, :2] - pts[1, :2]))
    if span < 1e-6:
        return None
    return _box(centre, np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5 * span, 0.5 * span)


def grooming_regions(lm: Landmarks) -> list[Polygon]:
    """Every region the pixel measurements sample (the face's, the hair's, the collar's, the
    chest's), together bounding the part of the frame they need."""
    face = lm.face
    out = [face_hull(face), hair_top(face), above_head(face), brow_band(face), collar_band(face)]
    out += [p for side in SIDES for p in (hair_side(face, side), ear(face, side), ear_lobe(face, side),
                                          below_lobe(face, side))]
    both = chest_both(lm)
    return out if both is None else [*out, both]


def measurement_outlines(lm: Landmarks, name: str) -> list[Polygon]:
    """The regions a grooming measurement looked at, for drawing (empty when none)."""
    face = lm.face
    on_face: dict[str, object] = {
        "facial_hair_score": lambda: [chin_jaw(face), upper_lip(face)],
        "hair_over_ears_share": lambda: [ear(face, s) for s in SIDES],
        "loose_long_hair_score": lambda: [hair_side(face, s) for s in SIDES],
        "fringe_score": lambda: [brow_band(face)],
        "hair_colour_other_score": lambda: [hair_top(face)],
        "hair_colour_not_allowed": lambda: [hair_top(face)],
        "lipstick_score": lambda: list(lips(face)),
        "lipstick_missing": lambda: list(lips(face)),
        "eyelid_saturation": lambda: [upper_eyelid(face, s) for s in SIDES],
        "dangling_earring_score": lambda: [p for s in SIDES for p in (ear_lobe(face, s), below_lobe(face, s))],
        "necktie_score": lambda: [collar(face)[0]],
        "tie_as_required": lambda: [collar(face)[0]],
    }
    if name in on_face:
        return [] if face is None else on_face[name]()
    if name == "uniform_colour_delta_e":
        both = chest_both(lm)
        return [] if both is None else [both]
    if name == "badge_left_chest":
        found = [v for k, v in lm.memo.items() if k.startswith("grooming_badge:") and v is not None]
        if found and found[0].outline is not None:
            return [found[0].outline]
        return [p for p in (chest(lm, s) for s in SIDES) if p is not None]
    return []
