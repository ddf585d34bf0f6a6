"""Landmarks: the one module that talks to MediaPipe.

Everything downstream works on :class:`Landmarks`, a frozen dataclass of NumPy arrays in
pixel coordinates of the *unmirrored* frame. A selfie (mirrored) frame is flipped back
before detection so that "left" and "right" are always the person's own sides and
cross products (palm direction, right-over-left) keep their meaning; the annotator
mirrors the drawing again for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import cv2
import numpy as np

from posture.images import MODEL_MAX_SIDE


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


def _body_box(face_box) -> Box:
    """The region where the body of the person with this face (a relative bounding box from
    the face detector) would be: 5 face widths across, from above the hair to 8 faces down."""
    x, y, w, h = face_box.xmin, face_box.ymin, face_box.width, face_box.height
    x0, x1 = max(0.0, x + w / 2 - 2.5 * w), min(1.0, x + w / 2 + 2.5 * w)
    y0, y1 = max(0.0, y - 0.8 * h), min(1.0, y + 8.0 * h)
    return x0, y0, x1 - x0, y1 - y0


class LandmarkDetector:
    """Owns MediaPipe Holistic (complexity 1, refined face) and a face counter.

    Only ``model_complexity=1`` ships inside the mediapipe 0.10.21 wheel; 0 and 2 would
    try to download a model. Use as a context manager so the graphs are closed.
    """

    # Holistic crops faces and hands from the full frame; beyond this size the extra
    # pixels only cost conversion time (photos are decoded reduced to about this size).
    MAX_SIDE = MODEL_MAX_SIDE

    def __init__(self, static_image_mode: bool = True, count_faces: bool = True,
                 min_visibility: float = DEFAULT_MIN_VISIBILITY, fallbacks: bool | None = None) -> None:
        """``fallbacks`` (default: for photos only): when Holistic, which finds the face and
        hands from the body, finds no face or no hand (a tight face crop, a hand close-up),
        look again with the stand-alone Face Mesh and Hands models."""
        import mediapipe as mp  # imported here so that importing posture stays cheap

        self._holistic = mp.solutions.holistic.Holistic(
            static_image_mode=static_image_mode,
            model_complexity=1,
            smooth_landmarks=not static_image_mode,
            refine_face_landmarks=True,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )
        # Holistic follows one person; a separate face detector tells us whether others
        # are in the picture so the report can warn which one was checked.
        self._faces = (mp.solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=0.6) if count_faces else None)
        self.min_visibility = min_visibility
        self._fallbacks = static_image_mode if fallbacks is None else fallbacks
        self._face_mesh = None  # created on first need
        self._hands = None

    def detect(self, rgb: np.ndarray, mirrored: bool = False) -> Landmarks:
        """Landmarks of the most prominent person in an RGB uint8 frame."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError("detect() needs an RGB uint8 image of shape (h, w, 3)")
        height, width = rgb.shape[:2]
        frame = rgb[:, ::-1] if mirrored else rgb
        scale = min(1.0, self.MAX_SIDE / max(height, width))
        if scale < 1.0:
            # At least one pixel: a 16 x 50000 strip would otherwise round to 0 wide.
            frame = cv2.resize(frame, (max(1, round(width * scale)), max(1, round(height * scale))),
                               interpolation=cv2.INTER_AREA)
        frame = np.ascontiguousarray(frame)
        res = self._holistic.process(frame)
        faces = (self._faces.process(frame).detections or []) if self._faces is not None else None
        box = WHOLE_FRAME
        if res.pose_landmarks is None and faces:
            # Holistic's person detector can miss everyone in a picture of several people;
            # looking again around the largest face finds that person.
            largest = max(faces, key=lambda d: d.location_data.relative_bounding_box.width)
            box = _body_box(largest.location_data.relative_bounding_box)
            fh, fw = frame.shape[:2]
            crop = frame[round(box[1] * fh):round((box[1] + box[3]) * fh),
                         round(box[0] * fw):round((box[0] + box[2]) * fw)]
            res = self._holistic.process(np.ascontiguousarray(crop))
        visibility = (np.array([p.visibility for p in res.pose_landmarks.landmark])
                      if res.pose_landmarks else None)
        world = (np.array([(p.x, p.y, p.z) for p in res.pose_world_landmarks.landmark])
                 if res.pose_world_landmarks else None)
        face = _to_array(res.face_landmarks, width, height, box)
        hands = {"left": _to_array(res.left_hand_landmarks, width, height, box),
                 "right": _to_array(res.right_hand_landmarks, width, height, box)}
        if self._fallbacks and face is None:
            face = self._face_alone(frame, width, height)
        if self._fallbacks and hands["left"] is None and hands["right"] is None:
            hands = self._hands_alone(frame, width, height)
        patch = None
        if face is not None:  # the mesh is in the full frame's pixels; ``frame`` may be smaller
            patch = mouth_patch(frame, face[:, :2] * (frame.shape[1] / width, frame.shape[0] / height))
        return Landmarks(
            width=width, height=height, pose=_to_array(res.pose_landmarks, width, height, box),
            pose_visibility=visibility, pose_world=world, face=face,
            left_hand=hands["left"], right_hand=hands["right"],
            mirrored=mirrored, min_visibility=self.min_visibility,
            faces_in_frame=-1 if faces is None else len(faces), mouth_patch=patch,
        )

    def _face_alone(self, frame: np.ndarray, width: int, height: int) -> np.ndarray | None:
        import mediapipe as mp

        if self._face_mesh is None:
            self._face_mesh = mp.solutions.face_mesh.FaceMesh(
                static_image_mode=True, max_num_faces=1, refine_landmarks=True, min_detection_confidence=0.5)
        found = self._face_mesh.process(frame).multi_face_landmarks
        return _to_array(found[0], width, height) if found else None

    def _hands_alone(self, frame: np.ndarray, width: int, height: int) -> dict[str, np.ndarray | None]:
        import mediapipe as mp

        if self._hands is None:
            self._hands = mp.solutions.hands.Hands(
                static_image_mode=True, max_num_hands=2, model_complexity=1, min_detection_confidence=0.5)
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
        for graph in (self._holistic, self._faces, self._face_mesh, self._hands):
            if graph is not None:
                graph.close()

    def __enter__(self) -> LandmarkDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
