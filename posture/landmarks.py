"""Landmarks: the one module that talks to MediaPipe.

Everything downstream works on :class:`Landmarks`, a frozen dataclass of NumPy arrays in
pixel coordinates of the *unmirrored* frame. A selfie (mirrored) frame is flipped back
before detection so that "left" and "right" are always the person's own sides and
cross products (palm direction, right-over-left) keep their meaning; the annotator
mirrors the drawing again for display.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import IntEnum

import cv2
import numpy as np

from posture.images import MODEL_MAX_SIDE
from posture.mediapipe_graphs import solution


class PoseLM(IntEnum):
    """MediaPipe Pose landmark indices (the ones this project uses, named as MediaPipe does)."""

    NOSE = 0
    LEFT_EYE = 2
    RIGHT_EYE = 5
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


class HandLM(IntEnum):
    """MediaPipe Hands landmark indices."""

    WRIST = 0
    THUMB_CMC = 1
    THUMB_MCP = 2
    THUMB_IP = 3
    THUMB_TIP = 4
    INDEX_MCP = 5
    INDEX_PIP = 6
    INDEX_DIP = 7
    INDEX_TIP = 8
    MIDDLE_MCP = 9
    MIDDLE_PIP = 10
    MIDDLE_DIP = 11
    MIDDLE_TIP = 12
    RING_MCP = 13
    RING_PIP = 14
    RING_DIP = 15
    RING_TIP = 16
    PINKY_MCP = 17
    PINKY_PIP = 18
    PINKY_DIP = 19
    PINKY_TIP = 20


class FaceLM(IntEnum):
    """Face Mesh indices (468 points, 478 with the refined irises)."""

    FOREHEAD = 10
    NOSE_TIP = 1
    CHIN = 152
    RIGHT_EYE_OUTER = 33  # the person's right eye
    RIGHT_EYE_INNER = 133
    LEFT_EYE_OUTER = 263
    LEFT_EYE_INNER = 362
    MOUTH_RIGHT = 61
    MOUTH_LEFT = 291
    UPPER_LIP_TOP = 0
    UPPER_LIP_INNER = 13
    LOWER_LIP_INNER = 14
    LOWER_LIP_BOTTOM = 17
    RIGHT_CHEEK = 234
    LEFT_CHEEK = 454
    RIGHT_IRIS = 468
    LEFT_IRIS = 473


# Bones drawn by the annotator (pose indices).
POSE_BONES: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (24, 26), (26, 28), (27, 29), (29, 31), (27, 31), (28, 30),
    (30, 32), (28, 32), (15, 19), (16, 20),
)
HAND_BONES: tuple[tuple[int, int], ...] = (
    (0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9), (9, 10),
    (10, 11), (11, 12), (9, 13), (13, 14), (14, 15), (15, 16), (13, 17), (0, 17),
    (17, 18), (18, 19), (19, 20),
)

# A pose landmark counts as seen only above this visibility, and only inside the frame
# (MediaPipe extrapolates joints outside the picture).
DEFAULT_MIN_VISIBILITY = 0.5

# The mouth patch: the pixels of the mouth and the cheeks beside it, for appearance cues of a
# smile (teeth, lip edges, cheek folds) that the mesh's points miss. A grayscale picture turned
# and scaled so that the person's right and left mouth corners land on fixed points: the mouth
# spans half the width, with a quarter of the width of cheek on either side.
MOUTH_PATCH_SIZE = (48, 32)  # width, height in pixels
MOUTH_PATCH_CORNERS = ((12.0, 12.8), (36.0, 12.8))  # the person's right, left mouth corner
# A mouth narrower than this in the frame gives no patch: it would be mostly interpolation.
MIN_MOUTH_PX = 12.0


@dataclass(frozen=True)
class Landmarks:
    """All landmarks of one person in one frame.

    Coordinates are pixels of the unmirrored frame: x right, y down, z toward the scene
    (smaller z = nearer the camera) scaled like x. ``pose_world`` is MediaPipe's metric
    pose (metres, origin between the hips, y down). Missing parts are ``None``.
    """

    width: int
    height: int
    pose: np.ndarray | None = None  # (33, 3)
    pose_visibility: np.ndarray | None = None  # (33,)
    pose_world: np.ndarray | None = None  # (33, 3)
    face: np.ndarray | None = None  # (478, 3)
    left_hand: np.ndarray | None = None  # (21, 3), the person's left hand
    right_hand: np.ndarray | None = None  # (21, 3)
    mirrored: bool = False
    min_visibility: float = DEFAULT_MIN_VISIBILITY
    faces_in_frame: int = field(default=-1)  # -1: not counted
    # Scratch space for values several measurements share (the head's rotation, the trunk's
    # axes), worked out once per frame; not an input, so copies start empty.
    memo: dict[str, object] = field(default_factory=dict, init=False, compare=False, repr=False)
    mouth_patch: np.ndarray | None = None  # (32, 48) uint8, see mouth_patch(); None without pixels
    # The unmirrored RGB frame at the detector's scale (its longer side at most
    # LandmarkDetector.MAX_SIDE; ``pixel_scale`` maps landmark pixels onto it), for the
    # grooming measurements that look at colours and textures; None without pixels.
    image: np.ndarray | None = field(default=None, compare=False, repr=False)
    # MediaPipe's person mask of ``image`` (uint8, 255 = person, hair included), or None.
    person_mask: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        shapes = {"pose": (33, 3), "pose_world": (33, 3), "face": (478, 3),
                  "left_hand": (21, 3), "right_hand": (21, 3), "mouth_patch": MOUTH_PATCH_SIZE[::-1]}
        for name, shape in shapes.items():
            arr = getattr(self, name)
            if arr is not None and arr.shape != shape and not (name == "face" and arr.shape == (468, 3)):
                raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
        if self.pose is not None and self.pose_visibility is None:
            object.__setattr__(self, "pose_visibility", np.ones(33))
        # Which pose landmarks count as seen, worked out once: every measurement asks.
        seen = np.zeros(33, dtype=bool)
        if self.pose is not None:
            x, y = self.pose[:, 0], self.pose[:, 1]
            inside = (x >= 0) & (x < self.width) & (y >= 0) & (y < self.height)
            seen = inside & (self.pose_visibility >= self.min_visibility)
        object.__setattr__(self, "_seen", seen)
        if self.person_mask is not None and (self.image is None or self.person_mask.shape != self.image.shape[:2]):
            raise ValueError("person_mask must have the image's height and width")

    @property
    def pixel_scale(self) -> float:
        """Pixels of ``image`` per landmark pixel (1.0 when the frame was not shrunk)."""
        return 1.0 if self.image is None else self.image.shape[1] / self.width

    def seen(self, index: int) -> bool:
        """True when pose landmark ``index`` is visible enough and inside the frame."""
        return bool(self._seen[index])

    def pose_points(self, *indices: int) -> np.ndarray | None:
        """The (n, 3) pose points, or None if any of them is not seen."""
        if not all(self.seen(i) for i in indices):
            return None
        return self.pose[list(indices)]

    def visibility(self, *indices: int) -> float:
        """Lowest visibility among the given pose landmarks (the confidence of a measurement)."""
        if self.pose_visibility is None:
            return 0.0
        return float(min(self.pose_visibility[list(indices)]))

    def hand(self, side: str) -> np.ndarray | None:
        """The person's ``"left"`` or ``"right"`` hand landmarks."""
        return self.left_hand if side == "left" else self.right_hand

    def shoulder_width(self) -> float | None:
        """Distance between the shoulders in pixels: the unit of body-relative ratios."""
        pts = self.pose_points(PoseLM.LEFT_SHOULDER, PoseLM.RIGHT_SHOULDER)
        if pts is None:
            return None
        width = float(np.linalg.norm(pts[0, :2] - pts[1, :2]))
        return width if width > 1e-6 else None

    def person_box(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) around the seen pose landmarks, clipped to the frame."""
        if self.pose is None:
            return None
        seen = [i for i in range(33) if self.seen(i)]
        if not seen:
            return None
        pts = self.pose[seen, :2]
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


def per_frame(lm: Landmarks, key: str, compute: Callable[[], object]) -> object:
    """``compute()`` once per frame: later calls with the same ``key`` reuse its result."""
    if key not in lm.memo:
        lm.memo[key] = compute()
    return lm.memo[key]


Box = tuple[float, float, float, float]  # x0, y0, width, height as fractions of the frame
WHOLE_FRAME: Box = (0.0, 0.0, 1.0, 1.0)


def _to_array(landmark_list, width: int, height: int, box: Box = WHOLE_FRAME) -> np.ndarray | None:
    """Pixel coordinates in the full frame of landmarks found in the ``box`` region."""
    if landmark_list is None:
        return None
    x0, y0, bw, bh = box
    return np.array([((x0 + p.x * bw) * width, (y0 + p.y * bh) * height, p.z * bw * width)
                     for p in landmark_list.landmark], dtype=np.float64)


def mouth_patch(frame: np.ndarray, face: np.ndarray) -> np.ndarray | None:
    """The mouth patch (see ``MOUTH_PATCH_SIZE``) of the face mesh ``face`` (pixels of the RGB
    ``frame``), or None when the mouth is too small. Only the region under the patch is
    converted and smoothed (against aliasing when shrinking), so it costs well under 1 ms."""
    right = complex(*face[FaceLM.MOUTH_RIGHT, :2])
    left = complex(*face[FaceLM.MOUTH_LEFT, :2])
    if abs(left - right) < MIN_MOUTH_PX:
        return None
    (rx, ry), (lx, ly) = MOUTH_PATCH_CORNERS
    scale = (complex(lx, ly) - complex(rx, ry)) / (left - right)  # rotation and zoom
    shift = complex(rx, ry) - scale * right
    matrix = np.array([[scale.real, -scale.imag, shift.real], [scale.imag, scale.real, shift.imag]])
    width, height = MOUTH_PATCH_SIZE
    zoom = abs(scale)
    sigma = 0.5 * np.sqrt(1.0 / zoom**2 - 1.0) if zoom < 0.8 else 0.0
    corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1]], dtype=np.float64)
    src = corners @ cv2.invertAffineTransform(matrix).T
    margin = 2.0 + 3.0 * sigma
    x0, y0 = (max(0, int(np.floor(v - margin))) for v in src.min(axis=0))
    x1 = min(frame.shape[1], int(np.ceil(src[:, 0].max() + margin)))
    y1 = min(frame.shape[0], int(np.ceil(src[:, 1].max() + margin)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    gray = cv2.cvtColor(np.ascontiguousarray(frame[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    if sigma > 0:
        gray = cv2.GaussianBlur(gray, (0, 0), sigma)
    matrix[:, 2] += matrix[:, :2] @ (x0, y0)  # from the region's pixels instead of the frame's
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _body_box(face_box: Box) -> Box:
    """The region where the body of the person with this face (a relative box from the face
    detector) would be: 5 face widths across, from above the hair to 8 faces down."""
    x, y, w, h = face_box
    x0, x1 = max(0.0, x + w / 2 - 2.5 * w), min(1.0, x + w / 2 + 2.5 * w)
    y0, y1 = max(0.0, y - 0.8 * h), min(1.0, y + 8.0 * h)
    return x0, y0, x1 - x0, y1 - y0


PixelBox = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the frame


def person_region(face: Box, others: list[Box]) -> Box:
    """Where to look for the person with this ``face`` among ``others`` (relative boxes):
    across to halfway to the next faces on either side (the frame's edge where there is none)
    but at least 2.5 face widths each way, and from 4 faces above (a raised hand) to the frame's bottom.
    As wide as their neighbours allow, so that their arms and legs are in it and Holistic
    sees them much as it would in a photo of them alone (the other faces are greyed out)."""
    x, y, w, h = face
    cx = x + w / 2
    left = max(((cx + o[0] + o[2] / 2) / 2 for o in others if o[0] + o[2] / 2 < cx), default=0.0)
    right = min(((cx + o[0] + o[2] / 2) / 2 for o in others if o[0] + o[2] / 2 > cx), default=1.0)
    x0, x1 = max(0.0, min(left, cx - 2.5 * w)), min(1.0, max(right, cx + 2.5 * w))
    y0 = max(0.0, y - 4.0 * h)
    return x0, y0, x1 - x0, 1.0 - y0


@dataclass(frozen=True)
class Person:
    """One person of a frame: a stable ``id`` (left to right in a photo, the tracker's in a
    video), the ``box`` around them, the width of their face as the face detector saw it,
    and their own :class:`Landmarks` (empty when ``too_small``: a face under the
    standard's ``min_face_px``, listed so nobody is dropped silently)."""

    id: int
    box: PixelBox
    landmarks: Landmarks
    face_box: PixelBox | None = None
    too_small: bool = False

    @property
    def face_px(self) -> float | None:
        return None if self.face_box is None else self.face_box[2] - self.face_box[0]


@dataclass(frozen=True)
class People:
    """Everyone found in one frame, one row per person (``ids``, ``boxes`` as parallel
    arrays); one person is the case of one row, nobody found the case of none."""

    width: int
    height: int
    persons: tuple[Person, ...] = ()

    def __len__(self) -> int:
        return len(self.persons)

    def __iter__(self):
        return iter(self.persons)

    def __getitem__(self, index: int) -> Person:
        return self.persons[index]

    @property
    def ids(self) -> np.ndarray:
        return np.array([p.id for p in self.persons], dtype=int)

    @property
    def boxes(self) -> np.ndarray:
        return np.array([p.box for p in self.persons], dtype=float).reshape(-1, 4)

    def with_ids(self, ids: list[int]) -> People:
        """The same people with new ids (a tracker's), in the same order."""
        return replace(self, persons=tuple(replace(p, id=i) for p, i in zip(self.persons, ids, strict=True)))


def box_area(box: PixelBox | None) -> float:
    """Area of a pixel box (0 for none): the main person of a frame is the largest."""
    return 0.0 if box is None else (box[2] - box[0]) * (box[3] - box[1])


def pixel_box(box: Box, width: int, height: int) -> PixelBox:
    x0, y0, bw, bh = box
    return x0 * width, y0 * height, (x0 + bw) * width, (y0 + bh) * height


def inside(point: np.ndarray, box: PixelBox, grow: float = 0.0) -> bool:
    x0, y0, x1, y1 = box
    gx, gy = grow * (x1 - x0), grow * (y1 - y0)
    return bool(x0 - gx <= point[0] <= x1 + gx and y0 - gy <= point[1] <= y1 + gy)


def _relative(detection) -> Box:
    b = detection.location_data.relative_bounding_box
    return b.xmin, b.ymin, b.width, b.height


# The face detector sees the frame at 192 x 192 px, where the faces of a group photo shrink
# below what it finds; it looks again at four overlapping tiles of 60% of the frame (on the
# group photos of etiquette-photos and t1.jpg this finds 4 of the 5 faces the whole frame
# misses), and duplicates are merged.
FACE_TILES: tuple[Box, ...] = ((0.0, 0.0, 0.6, 0.6), (0.4, 0.0, 0.6, 0.6), (0.0, 0.4, 0.6, 0.6), (0.4, 0.4, 0.6, 0.6))


def _overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box's area (a face found twice, once cut by a tile)."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return 0.0 if w <= 0 or h <= 0 else w * h / max(1e-9, min(a[2] * a[3], b[2] * b[3]))


MIN_TILE_PX = 64  # a frame narrower than this holds no face worth a second look
MAX_TILES = 8


def face_tiles(width: int, height: int) -> tuple[Box, ...]:
    """The tiles to look for faces in: ``FACE_TILES``, or for a frame more than twice as
    wide as high (or high as wide) squares of its short side, overlapping by a
    quarter, along its long side (a row of people: each face keeps its size in a tile)."""
    long, short = max(width, height), min(width, height)
    if short < MIN_TILE_PX:
        return ()
    if long <= 2.0 * short:
        return FACE_TILES
    side = short / long
    count = int(np.ceil((1.0 - side) / (0.75 * side))) + 1
    if count > MAX_TILES:  # a strip: fewer, longer tiles (each still overlapping by a quarter)
        count, side = MAX_TILES, 1.0 / (1.0 + 0.75 * (MAX_TILES - 1))
    starts = np.linspace(0.0, 1.0 - side, count)
    if width > height:
        return tuple((float(x), 0.0, side, 1.0) for x in starts)
    return tuple((0.0, float(y), 1.0, side) for y in starts)


def find_faces(detector, frame: np.ndarray, tiles: tuple[Box, ...] | None = None) -> list[tuple[float, Box]]:
    """(score, relative box) of the faces in ``frame`` (the whole frame, then each tile of
    ``tiles``, by default :func:`face_tiles`), best first."""
    if tiles is None:
        tiles = face_tiles(frame.shape[1], frame.shape[0])
    found: list[tuple[float, Box]] = []
    for tile in (WHOLE_FRAME, *tiles):
        part = frame if tile == WHOLE_FRAME else crop(frame, tile)
        tx, ty, tw, th = tile
        for d in detector.process(part).detections or []:
            x, y, w, h = _relative(d)
            found.append((float(d.score[0]), (tx + x * tw, ty + y * th, w * tw, h * th)))
    kept: list[tuple[float, Box]] = []
    for score, box in sorted(found, key=lambda f: -f[0]):
        if all(_overlap(box, k) < 0.4 for _, k in kept):
            kept.append((score, box))
    return kept


# A face the landmark models cannot confirm (no skeleton or mesh of its own) is kept, as a
# person whose landmarks were not found, only when the face detector is this sure of it:
# below, on the photos tried, such "faces" were hands, knees and patterns.
UNCONFIRMED_FACE_SCORE = 0.8
# The short-range face detector's own default (its faces also need a face of their own).
NEAR_FACE_SCORE = 0.5


def crop(frame: np.ndarray, box: Box) -> np.ndarray:
    fh, fw = frame.shape[:2]
    return np.ascontiguousarray(frame[round(box[1] * fh):round((box[1] + box[3]) * fh),
                                      round(box[0] * fw):round((box[0] + box[2]) * fw)])


def grey_out(part: np.ndarray, region: Box, others: list[Box]) -> np.ndarray:
    """A copy of ``part`` (the ``region`` of a frame) with the ``others`` faces, grown a little
    (hair, chin), filled with its mean colour: MediaPipe's pose detector finds a person by the
    face, so it then finds the one this region is about."""
    ch, cw = part.shape[:2]
    bx, by, bw, bh = region
    grown = [((ox - 0.15 * ow - bx) / bw * cw, (oy - 0.25 * oh - by) / bh * ch,
              (ox + 1.15 * ow - bx) / bw * cw, (oy + 1.15 * oh - by) / bh * ch) for ox, oy, ow, oh in others]
    return grey_boxes(part, grown)[0]


MAX_FACELESS = 3  # bodies without a face looked for in one photo (each look is one Holistic run)
FACELESS_VISIBILITY = 0.9  # nose, shoulders and hips of a body without a face: all clearly seen
FACELESS_MAX_GREYED = 0.1  # share of its seen joints that may fall on a greyed-out person
FACELESS_MIN_MASK = 0.5  # mean person-mask value over its trunk
# The body search runs only where a piece of the person mask outside everyone found is at
# least this many squared narrowest-face widths: the trunk of someone whose shoulders are two
# face widths apart (an adult's are 2.5-3 seen from the front) and as long.
FACELESS_MIN_AREA = 4.0


def largest_blob(pixels: np.ndarray) -> int:
    """The area in pixels of the largest 8-connected piece of a boolean mask."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(pixels.astype(np.uint8), connectivity=8)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) if count > 1 else 0


def mesh_box(face: np.ndarray) -> PixelBox:
    """The box around a face mesh, in its pixels."""
    x0, y0 = face[:, :2].min(axis=0)
    x1, y1 = face[:, :2].max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def seen_boxes(person: Person) -> list[PixelBox]:
    """What of a found person the frame shows, as boxes: their skeleton's, their face's as
    the face detector saw it, and their face mesh's (a skeleton's box ends at the eyes)."""
    lm = person.landmarks
    return [b for b in (person.box, person.face_box, None if lm.face is None else mesh_box(lm.face))
            if b is not None]


def face_width(person: Person) -> float | None:
    """The width of a found person's face: as the face detector saw it, or their mesh's."""
    if person.face_px is not None or person.landmarks.face is None:
        return person.face_px
    x0, _, x1, _ = mesh_box(person.landmarks.face)
    return x1 - x0


def grey_boxes(frame: np.ndarray, boxes: list[PixelBox]) -> tuple[np.ndarray, np.ndarray]:
    """A copy of ``frame`` with the ``boxes`` (pixels of the frame) filled with its mean
    colour, and the mask of what was filled: the people already found, hidden so that
    MediaPipe's one-person pose detector finds somebody else."""
    part = frame.copy()
    greyed = np.zeros(frame.shape[:2], dtype=bool)
    fill = frame[::8, ::8].reshape(-1, 3).mean(axis=0).astype(np.uint8)
    for x0, y0, x1, y1 in boxes:
        rows = slice(max(0, round(y0)), max(0, round(y1)))
        cols = slice(max(0, round(x0)), max(0, round(x1)))
        part[rows, cols] = fill
        greyed[rows, cols] = True
    return part, greyed


def is_faceless_body(lm: Landmarks, greyed: np.ndarray, mask: np.ndarray, min_shoulders_px: float) -> bool:
    """Whether the skeleton found with everyone else greyed out (``greyed``, pixels of the
    detector's frame, like the person ``mask``) is a person of its own. Without a face to
    confirm it the test is strict; each part of it refused a false body in the shared photos:
    - its nose, shoulders and hips all clearly seen in the frame (not a fragment at the edge);
    - at most a tenth of its joints, and not its nose, on a greyed person (not a found
      person's neck and limbs again, under a head the detector imagines in the grey);
    - shoulders at least ``min_shoulders_px`` apart, the narrowest face found (a face is
      about a third of a shoulder span: not a figurine or a poster in the background);
    - a trunk the person mask sees as a person (not coats hanging on a wall)."""
    core = [PoseLM.NOSE, PoseLM.LEFT_SHOULDER, PoseLM.RIGHT_SHOULDER, PoseLM.LEFT_HIP, PoseLM.RIGHT_HIP]
    if lm.pose is None or not all(lm.seen(i) for i in core) or lm.visibility(*core) < FACELESS_VISIBILITY:
        return False
    scale = greyed.shape[1] / lm.width
    last = (greyed.shape[1] - 1, greyed.shape[0] - 1)

    def on_grey(indices: list[int]) -> np.ndarray:
        at = np.clip(np.round(lm.pose[indices, :2] * scale).astype(int), 0, last)
        return greyed[at[:, 1], at[:, 0]]

    if on_grey([PoseLM.NOSE])[0] or on_grey([i for i in range(33) if lm.seen(i)]).mean() > FACELESS_MAX_GREYED:
        return False
    if (lm.shoulder_width() or 0.0) < min_shoulders_px:
        return False
    trunk = np.zeros(mask.shape, dtype=np.uint8)
    corners = lm.pose[[PoseLM.LEFT_SHOULDER, PoseLM.RIGHT_SHOULDER, PoseLM.RIGHT_HIP, PoseLM.LEFT_HIP], :2]
    cv2.fillPoly(trunk, [np.round(corners * scale).astype(np.int32)], 1)
    return bool(trunk.any() and mask[trunk > 0].mean() >= FACELESS_MIN_MASK * 255)


def _nearer_another(x: np.ndarray, face_box: PixelBox, others: list[PixelBox]) -> np.ndarray:
    """Which of the x positions are nearer (in face widths, across) to another face's centre
    than to this one's: side by side, that is the neighbour's body, not this person's."""
    def across(box: PixelBox) -> np.ndarray:
        return np.abs(x - (box[0] + box[2]) / 2) / max(1.0, box[2] - box[0])

    own = across(face_box)
    nearer = np.zeros(len(x), dtype=bool)
    for other in others:
        nearer |= across(other) < own
    return nearer


def _shoulders_fit(pose: np.ndarray, face_box: PixelBox) -> bool:
    """Whether the skeleton's shoulders can be those of the person with this face: below the
    face's centre, their middle within two face widths across of it, at most five face widths
    apart (a skeleton run on along someone else's arm fails this)."""
    w = max(1.0, face_box[2] - face_box[0])
    cx, cy = (face_box[0] + face_box[2]) / 2, (face_box[1] + face_box[3]) / 2
    left, right = pose[PoseLM.LEFT_SHOULDER, :2], pose[PoseLM.RIGHT_SHOULDER, :2]
    middle = (left + right) / 2
    return bool(middle[1] > cy and abs(middle[0] - cx) <= 2.0 * w and np.linalg.norm(left - right) <= 5.0 * w)


def _face_seen_in(lm: Landmarks, face_box: PixelBox) -> bool:
    """Whether the landmarks found for this face box hold a face in it: a mesh, or a skeleton
    whose nose is inside the box itself (not the grown box :func:`own_parts` allows: a patch
    of wall the short-range detector took for a face, beside a man's head, got his skeleton)."""
    return lm.face is not None or (lm.pose is not None and inside(lm.pose[PoseLM.NOSE], face_box))


def own_parts(lm: Landmarks, face_box: PixelBox, region: PixelBox, others: list[PixelBox] = ()) -> Landmarks:
    """``lm`` with only what belongs to the person of ``face_box``: a skeleton whose nose is
    not at that face, or a mesh centred elsewhere, is another person's (dropped with the
    hands Holistic found from it); joints outside ``region``, or nearer another face of
    ``others`` (Holistic carrying the skeleton on along the neighbour's legs), are not seen."""
    changes: dict[str, object] = {}
    if lm.pose is not None and not (inside(lm.pose[PoseLM.NOSE], face_box, grow=0.5)
                                    and _shoulders_fit(lm.pose, face_box)):
        changes.update(pose=None, pose_visibility=None, pose_world=None, left_hand=None, right_hand=None)
    elif lm.pose is not None:
        outside = np.array([not inside(p, region) for p in lm.pose]) | _nearer_another(lm.pose[:, 0], face_box,
                                                                                       list(others))
        for side in ("left_hand", "right_hand"):
            hand = getattr(lm, side)
            if hand is not None and _nearer_another(hand[:1, 0], face_box, list(others))[0]:
                changes[side] = None
        if outside.any():
            changes["pose_visibility"] = np.where(outside, 0.0, lm.pose_visibility)
    if lm.face is not None and not inside(lm.face[FaceLM.NOSE_TIP], face_box, grow=0.3):
        changes.update(face=None, mouth_patch=None)
    return replace(lm, **changes) if changes else lm


def own_mask(mask: np.ndarray, width: int, face_box: PixelBox, others: list[PixelBox],
             region: PixelBox) -> np.ndarray:
    """The frame's person ``mask`` (pixels of the detector's frame; ``width``: the landmarks'
    frame width) kept only where it is this person's: inside their ``region`` and in the
    columns nearer (in face widths) their face than another's, the rule their joints follow,
    so a neighbour's hair is not taken for theirs."""
    scale = mask.shape[1] / width
    x = (np.arange(mask.shape[1]) + 0.5) / scale
    y = (np.arange(mask.shape[0]) + 0.5) / scale
    cols = (x >= region[0]) & (x <= region[2]) & ~_nearer_another(x, face_box, others)
    rows = (y >= region[1]) & (y <= region[3])
    return np.where(rows[:, None] & cols[None, :], mask, 0).astype(np.uint8)


def mp_holistic(static_image_mode: bool):
    """MediaPipe Holistic as this project runs it: complexity 1 (the only one in the wheel),
    refined face (irises), landmarks smoothed between the frames of a video."""
    import mediapipe as mp  # imported here so that importing posture stays cheap

    return solution(
        mp.solutions.holistic.Holistic, static_image_mode=static_image_mode, model_complexity=1,
        smooth_landmarks=not static_image_mode,
        refine_face_landmarks=True, min_detection_confidence=0.5, min_tracking_confidence=0.5)


def process_still(graph, image: np.ndarray):
    """``graph.process(image)`` from a fresh start. Holistic in still-image mode still carries
    the face's region from its last call: the same photo checked twice read its face mesh up
    to 3 px apart, and after another photo 7 px, which moved a hair-colour score from 0.58 to
    0.80, so a batch's verdicts hung on the photos before. A reset costs about 4 ms."""
    graph.reset()
    return graph.process(image)


def mp_pose():
    """MediaPipe Pose in tracking mode (complexity 1): a video's body alone, without face and hands."""
    import mediapipe as mp

    return solution(mp.solutions.pose.Pose, static_image_mode=False, model_complexity=1, smooth_landmarks=True,
                    min_detection_confidence=0.5, min_tracking_confidence=0.5)


class LandmarkDetector:
    """Owns MediaPipe Holistic (complexity 1, refined face) and a face counter.

    Only ``model_complexity=1`` ships inside the mediapipe 0.10.21 wheel; 0 and 2 would
    try to download a model. Use as a context manager so the graphs are closed.
    """

    # Holistic crops faces and hands from the full frame; beyond this size the extra
    # pixels only cost conversion time (photos are decoded reduced to about this size).
    MAX_SIDE = MODEL_MAX_SIDE

    def __init__(self, static_image_mode: bool = True, count_faces: bool = True,
                 min_visibility: float = DEFAULT_MIN_VISIBILITY, fallbacks: bool | None = None,
                 segment: bool | None = None) -> None:
        """``fallbacks`` (default: for photos only): when Holistic, which finds the face and
        hands from the body, finds no face or no hand (a tight face crop, a hand close-up),
        look again with the stand-alone Face Mesh and Hands models. ``segment`` (default:
        for photos only): find the person mask (SelfieSegmentation) for the hair regions
        of the grooming clauses; it costs a few milliseconds a frame."""
        import mediapipe as mp  # imported here so that importing posture stays cheap

        self._holistic = None  # the whole frame's, created on first need (a video's people have their own)
        # Holistic follows one person; the full-range face detector finds the others.
        self.face_detector = (solution(mp.solutions.face_detection.FaceDetection,
                                       model_selection=1, min_detection_confidence=0.6) if count_faces else None)
        self.min_visibility = min_visibility
        self._static = static_image_mode
        self._fallbacks = static_image_mode if fallbacks is None else fallbacks
        self._segment = static_image_mode if segment is None else segment
        self._face_mesh = None  # created on first need
        self._selfie = None
        self._hands = None
        self._crop_holistic = None
        self._near_face_detector = None

    def prepare(self, rgb: np.ndarray, mirrored: bool) -> np.ndarray:
        """The unmirrored, contiguous frame, reduced to ``MAX_SIDE``."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError("detect() needs an RGB uint8 image of shape (h, w, 3)")
        height, width = rgb.shape[:2]
        # cv2.flip copies a camera frame in a few hundredths of a millisecond; NumPy's
        # contiguous copy of rgb[:, ::-1] takes 2 ms, on every live frame.
        frame = cv2.flip(rgb, 1) if mirrored else rgb
        scale = min(1.0, self.MAX_SIDE / max(height, width))
        if scale < 1.0:
            # At least one pixel: a 16 x 50000 strip would otherwise round to 0 wide.
            frame = cv2.resize(frame, (max(1, round(width * scale)), max(1, round(height * scale))),
                               interpolation=cv2.INTER_AREA)
        return np.ascontiguousarray(frame)

    def detect(self, rgb: np.ndarray, mirrored: bool = False) -> Landmarks:
        """Landmarks of the most prominent person in an RGB uint8 frame."""
        frame = self.prepare(rgb, mirrored)
        found = None if self.face_detector is None else find_faces(self.face_detector, frame, tiles=())
        faces = None if found is None else [b for _, b in found]
        return self._detect_one(frame, rgb.shape[1], rgb.shape[0], mirrored, faces)

    def _detect_one(self, frame: np.ndarray, width: int, height: int, mirrored: bool,
                    faces: list[Box] | None) -> Landmarks:
        if self._holistic is None:
            self._holistic = mp_holistic(static_image_mode=self._static)
        res = process_still(self._holistic, frame) if self._static else self._holistic.process(frame)
        box = WHOLE_FRAME
        if res.pose_landmarks is None and faces and self._static:
            # Holistic's person detector can miss everyone in a picture of several people;
            # looking again around the largest face finds that person. (Not in a video: a
            # frame now whole, now cropped, would jump, and the jumps look like movements.)
            box = _body_box(max(faces, key=lambda f: f[2]))
            res = process_still(self._holistic, crop(frame, box))
        lm = self.to_landmarks(res, frame, width, height, box, mirrored,
                               faces_in_frame=-1 if faces is None else len(faces), fallbacks=self._fallbacks)
        return replace(lm, person_mask=self.person_mask(frame)) if self._segment and lm.face is not None else lm

    def to_landmarks(self, res, frame: np.ndarray, width: int, height: int, box: Box, mirrored: bool, *,
                     faces_in_frame: int, fallbacks: bool) -> Landmarks:
        """Holistic's results found in the ``box`` region of ``frame``, in full-frame pixels."""
        visibility = (np.array([p.visibility for p in res.pose_landmarks.landmark])
                      if res.pose_landmarks else None)
        world = (np.array([(p.x, p.y, p.z) for p in res.pose_world_landmarks.landmark])
                 if res.pose_world_landmarks else None)
        face = _to_array(res.face_landmarks, width, height, box)
        hands = {"left": _to_array(res.left_hand_landmarks, width, height, box),
                 "right": _to_array(res.right_hand_landmarks, width, height, box)}
        if fallbacks and face is None:
            face = self._face_alone(frame, width, height)
        if fallbacks and hands["left"] is None and hands["right"] is None:
            hands = self._hands_alone(frame, width, height)
        patch = None
        if face is not None:  # the mesh is in the full frame's pixels; ``frame`` may be smaller
            patch = mouth_patch(frame, face[:, :2] * (frame.shape[1] / width, frame.shape[0] / height))
        return Landmarks(
            width=width, height=height, pose=_to_array(res.pose_landmarks, width, height, box),
            pose_visibility=visibility, pose_world=world, face=face,
            left_hand=hands["left"], right_hand=hands["right"],
            mirrored=mirrored, min_visibility=self.min_visibility,
            faces_in_frame=faces_in_frame, mouth_patch=patch, image=frame,
        )

    def person_mask(self, frame: np.ndarray) -> np.ndarray:
        """SelfieSegmentation's person mask (general model, 256x256 input) as uint8 0-255."""
        import mediapipe as mp

        if self._selfie is None:
            self._selfie = solution(mp.solutions.selfie_segmentation.SelfieSegmentation, model_selection=0)
        found = self._selfie.process(frame).segmentation_mask
        return np.clip(found * 255.0 + 0.5, 0, 255).astype(np.uint8)

    def detect_people(self, rgb: np.ndarray, mirrored: bool = False, min_face_px: float = 0.0) -> People:
        """Everyone in an RGB uint8 frame, numbered left to right as the frame is shown.

        With one face or none this is :meth:`detect`. With several, each face the
        full-range face detector finds gets its own look: Holistic on the region where that
        person's body would be, with the other faces in it greyed out (MediaPipe's pose
        detector finds a person by the face, so it then finds this one), mapped back to the
        frame. A skeleton or mesh that does not belong to its own face, and joints outside
        the region, are dropped rather than attached to the wrong person. Faces narrower
        than ``min_face_px`` are listed as too small, without landmarks. In a photo, a body
        whose face no detector finds is then looked for with everyone found greyed out
        (:meth:`_faceless_bodies`).
        """
        frame = self.prepare(rgb, mirrored)
        height, width = rgb.shape[:2]
        scored = find_faces(self.face_detector, frame) if self.face_detector is not None else None
        near: tuple[Box, ...] = ()
        if scored is not None and len(scored) > 1:
            near = self._near_faces(frame, width, scored, min_face_px)
            scored = [*scored, *((NEAR_FACE_SCORE, b) for b in near)]
        several = scored is not None and len(scored) > 1
        # The frame's person mask, found once: each person gets their part of it.
        frame_mask = self.person_mask(frame) if self._segment and several else None
        found = [] if not several else self._each_person(
            frame, width, height, scored, mirrored, min_face_px, frame_mask, near)
        if any(lm is None for _, lm in found):
            # A "face" no landmark model confirmed was set aside: look again without it, since
            # it had narrowed its neighbours' regions and greyed out part of them.
            scored = [sf for sf, (_, lm) in zip(scored, found, strict=True) if lm is not None]
            found = [] if len(scored) <= 1 else self._each_person(frame, width, height, scored, mirrored,
                                                                  min_face_px, frame_mask, near)
        if scored is None or len(scored) <= 1:
            faces = None if scored is None else [b for _, b in scored]
            lm = self._detect_one(frame, width, height, mirrored, faces)
            if all(x is None for x in (lm.pose, lm.face, lm.left_hand, lm.right_hand)):
                return People(width, height)
            face_box = (pixel_box(faces[0], width, height) if faces else None)
            box = lm.person_box() or face_box or (0.0, 0.0, float(width), float(height))
            persons = [Person(0, box, lm, face_box)]
        else:
            persons = [Person(0, face_box, Landmarks(width, height, mirrored=mirrored, faces_in_frame=len(found)),
                              face_box, too_small=True) if lm is False else
                       Person(0, lm.person_box() or face_box, lm, face_box)
                       for face_box, lm in found if lm is not None]
        if self._static and self._segment and persons:
            # One person alone: Holistic's look at the whole frame found the frame's mask with them.
            mask = frame_mask if frame_mask is not None else persons[0].landmarks.person_mask
            persons += self._faceless_bodies(frame, width, height, persons, mirrored, min_face_px,
                                             self.person_mask(frame) if mask is None else mask)

        def across(p: Person) -> float:
            box = p.face_box or p.box
            return (-1 if mirrored else 1) * (box[0] + box[2])

        order = sorted(persons, key=across)
        return People(width, height, tuple(replace(p, id=n) for n, p in enumerate(order, start=1)))

    def _faceless_bodies(self, frame: np.ndarray, width: int, height: int, persons: list[Person],
                         mirrored: bool, min_face_px: float, mask: np.ndarray) -> list[Person]:
        """The people of a photo no face was found for (a face looking down at a paper, COCO
        328's middle cadet): Holistic on the frame with everyone found greyed out, again
        until it finds nobody new. A body is kept only when it is clearly one
        (:func:`is_faceless_body`); its face clauses are then not visible. ``mask``: the
        frame's person mask."""
        found: list[Person] = []
        faces = [w for w in (face_width(p) for p in persons) if w is not None]
        min_shoulders = max(min(faces, default=0.0), min_face_px)
        scale = frame.shape[1] / width
        for _ in range(MAX_FACELESS):
            boxes = [b for p in [*persons, *found] for b in seen_boxes(p)]
            part, greyed = grey_boxes(frame, [tuple(v * scale for v in b) for b in boxes])
            if largest_blob((mask >= 128) & ~greyed) < FACELESS_MIN_AREA * (min_shoulders * scale) ** 2:
                # No piece of the person mask outside those found holds a trunk: skip the
                # Holistic run (12-45 ms; most photos show one person, filling the mask).
                break
            res = process_still(self._still_holistic(), part)
            if res.pose_landmarks is None:
                break
            lm = self.to_landmarks(res, frame, width, height, WHOLE_FRAME, mirrored,
                                   faces_in_frame=persons[0].landmarks.faces_in_frame, fallbacks=False)
            if not is_faceless_body(lm, greyed, mask, min_shoulders):
                break
            found.append(Person(0, lm.person_box(), lm))
        return found

    def _near_faces(self, frame: np.ndarray, width: int, scored: list[tuple[float, Box]],
                    min_face_px: float) -> tuple[Box, ...]:
        """The faces only the short-range detector finds (a face turned or cut by the frame's
        edge near the camera: HomerMau events-2's man at the table's end), looked for in a
        picture already known to hold several people. Not in a picture of one: there its
        "faces" were hands and a wooden figurine (HaGRID 97.8 -> 95.5% counted right). They
        must be large enough to judge, and each is kept only with a face of its own
        (:func:`_face_seen_in`)."""
        if self._near_face_detector is None:
            import mediapipe as mp

            self._near_face_detector = solution(mp.solutions.face_detection.FaceDetection,
                                                model_selection=0, min_detection_confidence=NEAR_FACE_SCORE)
        kept = [b for _, b in scored]
        for _, box in find_faces(self._near_face_detector, frame):
            if box[2] * width >= min_face_px and all(_overlap(box, b) < 0.4 for b in kept):
                kept.append(box)
        return tuple(kept[len(scored):])

    def _each_person(self, frame: np.ndarray, width: int, height: int, scored: list[tuple[float, Box]],
                     mirrored: bool, min_face_px: float, frame_mask: np.ndarray | None,
                     near: tuple[Box, ...] = ()) -> list[tuple[PixelBox, Landmarks | bool | None]]:
        """(face box in pixels, landmarks) for each face: False when too small, None when
        nothing of this person was found and the face detector was not sure of the face, or
        when a face of ``near`` (:meth:`_near_faces`) got no face of its own. ``frame_mask``:
        the frame's person mask (None without segmentation), of which each gets their part."""
        boxes = [b for _, b in scored]
        out: list[tuple[PixelBox, Landmarks | bool | None]] = []
        for i, (score, own) in enumerate(scored):
            face_box = pixel_box(own, width, height)
            if face_box[2] - face_box[0] < min_face_px:
                out.append((face_box, False))
                continue
            others = [b for j, b in enumerate(boxes) if j != i]
            lm = self._detect_in(frame, width, height, person_region(own, others), own, others, mirrored,
                                 len(scored), frame_mask)
            unconfirmed = (not _face_seen_in(lm, face_box) if own in near
                           else lm.pose is None and lm.face is None and score < UNCONFIRMED_FACE_SCORE)
            out.append((face_box, None if unconfirmed else lm))
        return out

    def _still_holistic(self):
        """Holistic for crops, in still-image mode: each call may be another person or region."""
        if self._crop_holistic is None:
            self._crop_holistic = mp_holistic(static_image_mode=True)
        return self._crop_holistic

    def _detect_in(self, frame: np.ndarray, width: int, height: int, body: Box, own: Box, others: list[Box],
                   mirrored: bool, faces_in_frame: int, frame_mask: np.ndarray | None) -> Landmarks:
        """One person's landmarks from the ``body`` region around their face ``own``
        (``frame_mask``: the frame's person mask, of which they get their own part)."""
        part = grey_out(crop(frame, body), body, others)
        res = process_still(self._still_holistic(), part)
        lm = self.to_landmarks(res, frame, width, height, body, mirrored, faces_in_frame=faces_in_frame,
                             fallbacks=False)
        face_box, others_px = pixel_box(own, width, height), [pixel_box(o, width, height) for o in others]
        lm = own_parts(lm, face_box, pixel_box(body, width, height), others_px)
        if lm.face is None and self._fallbacks:
            # Holistic found no face of theirs (its body detector missed them): the face alone
            # still judges the face clauses.
            face = self._face_alone(part, width, height, body)
            if face is not None and inside(face[FaceLM.NOSE_TIP], face_box, grow=0.3):
                patch = mouth_patch(frame, face[:, :2] * (frame.shape[1] / width, frame.shape[0] / height))
                lm = replace(lm, face=face, mouth_patch=patch)
        if frame_mask is not None and lm.face is not None:
            lm = replace(lm, person_mask=own_mask(frame_mask, width, face_box, others_px,
                                                  pixel_box(body, width, height)))
        return lm

    def _face_alone(self, frame: np.ndarray, width: int, height: int, box: Box = WHOLE_FRAME) -> np.ndarray | None:
        import mediapipe as mp

        if self._face_mesh is None:
            self._face_mesh = solution(
                mp.solutions.face_mesh.FaceMesh, static_image_mode=True, max_num_faces=1, refine_landmarks=True,
                min_detection_confidence=0.5)
        found = self._face_mesh.process(frame).multi_face_landmarks
        return _to_array(found[0], width, height, box) if found else None

    def _hands_alone(self, frame: np.ndarray, width: int, height: int) -> dict[str, np.ndarray | None]:
        import mediapipe as mp

        if self._hands is None:
            self._hands = solution(
                mp.solutions.hands.Hands, static_image_mode=True, max_num_hands=2, model_complexity=1,
                min_detection_confidence=0.5)
        res = self._hands.process(frame)
        box = WHOLE_FRAME
        if not res.multi_hand_landmarks:
            # A hand filling the picture (a close-up) escapes the palm detector, which needs
            # some surroundings: look again with the borders extended by half the size.
            fh, fw = frame.shape[:2]
            pad = max(fh, fw) // 2
            res = self._hands.process(cv2.copyMakeBorder(frame, pad, pad, pad, pad, cv2.BORDER_REPLICATE))
            box = (-pad / fw, -pad / fh, (fw + 2 * pad) / fw, (fh + 2 * pad) / fh)
        hands: dict[str, np.ndarray | None] = {"left": None, "right": None}
        best: dict[str, float] = {}
        for found, handedness in zip(res.multi_hand_landmarks or [], res.multi_handedness or [], strict=False):
            label = handedness.classification[0]
            # MediaPipe Hands labels hands as seen in a selfie; our frames are unmirrored, so
            # its "Left" is the person's right hand (checked against Holistic on 219 HaGRID hands:
            # 214 agree).
            side = "right" if label.label == "Left" else "left"
            if label.score > best.get(side, -1.0):
                best[side] = label.score
                hands[side] = _to_array(found, width, height, box)
        return hands

    def close(self) -> None:
        for graph in (self._holistic, self.face_detector, self._face_mesh, self._hands, self._selfie,
                      self._crop_holistic, self._near_face_detector):
            if graph is not None:
                graph.close()

    def __enter__(self) -> LandmarkDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
