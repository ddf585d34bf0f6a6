"""Stable person ids across the frames of a video or a live view.

Each frame's :class:`~posture.landmarks.People` comes numbered left to right; the tracker
renumbers them so the same person keeps one id: a person is matched to the track whose
face box overlaps theirs most (people move little between frames a few tenths of a second
apart), and a face that matches no current track is compared, by the colours of the face
and the clothes under it, with the people who left in the last ``forget_s`` seconds, so
someone who walks out and back gets their id again. Only then is a new id given.

Written here rather than taken from a library: supervision's ByteTrack pulls in
opencv-python (a second OpenCV beside the pinned headless one), SciPy and Matplotlib,
and norfair/motpy SciPy and FilterPy, for what with a handful of people per frame is a
greedy overlap match; and none of them re-identifies a person after a gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posture.landmarks import People, PixelBox

# Overlap (intersection over union of face boxes) above which a face continues a track.
MIN_IOU = 0.2
# Or: the face centre moved less than this many face widths since the track was last seen.
MAX_SHIFT_FACES = 1.0
# Appearance similarity (histogram correlation, -1..1) above which a returning person is
# recognised. Two photos of one person under one light score ~0.9; different clothes ~0.3.
MIN_SIMILARITY = 0.6
FORGET_S = 60.0


@dataclass
class Track:
    id: int
    face: PixelBox
    last_t: float
    look: np.ndarray  # appearance histogram


def iou(a: PixelBox, b: PixelBox) -> float:
    """Intersection over union of two boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _shift_faces(a: PixelBox, b: PixelBox) -> float:
    width = max(1.0, a[2] - a[0], b[2] - b[0])
    return float(np.hypot((a[0] + a[2] - b[0] - b[2]) / 2, (a[1] + a[3] - b[1] - b[3]) / 2) / width)


def appearance(rgb: np.ndarray, face: PixelBox) -> np.ndarray:
    """A hue-saturation histogram of the face and of the clothes below it (two face widths
    across, one and a half face heights down), normalised: what tells people apart."""
    x0, y0, x1, y1 = face
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    region = rgb[max(0, round(y0)):min(rgb.shape[0], round(y1 + 1.5 * h)),
                 max(0, round(cx - w)):min(rgb.shape[1], round(cx + w))]
    if region.size == 0:
        return np.zeros((16, 8), dtype=np.float32)
    hsv = cv2.cvtColor(np.ascontiguousarray(region), cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, [16, 8], [0, 180, 0, 256])
    return cv2.normalize(hist, hist).astype(np.float32)


class PeopleTracker:
    """Gives each person of successive frames a stable id (1, 2, ... in order of arrival)."""

    def __init__(self, forget_s: float = FORGET_S) -> None:
        self.forget_s = forget_s
        self.active: list[Track] = []  # seen in the previous frame
        self.gone: list[Track] = []  # left, remembered for ``forget_s``
        self._next = 1

    def face_of(self, person_id: int) -> PixelBox | None:
        """The face box (unmirrored pixels) of the person ``person_id`` in the last frame, if there."""
        return next((tr.face for tr in self.active if tr.id == person_id), None)

    def update(self, t: float, people: People, rgb: np.ndarray) -> People:
        """``people`` of the frame at ``t`` seconds (``rgb``, as detected: unmirrored
        coordinates) with their tracked ids."""
        faces = faces_of(people)
        mirrored = any(p.landmarks.mirrored for p in people)
        return people.with_ids(self.assign(t, faces, looks_of(rgb, faces, mirrored)))

    def assign(self, t: float, faces: list[PixelBox], looks: list[np.ndarray]) -> list[int]:
        """The ids of the people with these face boxes and :func:`appearance` histograms in
        the frame at ``t`` seconds (a video checked in parts is tracked afterwards from these)."""
        ids: list[int | None] = [None] * len(faces)
        # 1. continuing tracks: best overlap first
        pairs = sorted(((iou(tr.face, f), -_shift_faces(tr.face, f), ti, fi)
                        for ti, tr in enumerate(self.active) for fi, f in enumerate(faces)), reverse=True)
        used: set[int] = set()
        looks = list(looks)
        for overlap, neg_shift, ti, fi in pairs:
            if ti in used or ids[fi] is not None or (overlap < MIN_IOU and -neg_shift > MAX_SHIFT_FACES):
                continue
            used.add(ti)
            ids[fi] = self.active[ti].id
            # The track keeps the look it had when this one is unlike it (someone passing in
            # front, or a last frame of the person's landmarks after they left): it is what
            # they are recognised by on coming back.
            if _similarity(self.active[ti].look, looks[fi]) < MIN_SIMILARITY:
                looks[fi] = self.active[ti].look
        left = [tr for ti, tr in enumerate(self.active) if ti not in used]
        self.gone = [tr for tr in self.gone + left if t - tr.last_t <= self.forget_s]
        # 2. returning people: most similar first
        taken = {i for i in ids if i is not None}
        candidates = sorted(((_similarity(tr.look, looks[fi]), gi, fi)
                             for gi, tr in enumerate(self.gone) for fi in range(len(faces)) if ids[fi] is None),
                            reverse=True)
        back: set[int] = set()
        for similarity, gi, fi in candidates:
            if similarity < MIN_SIMILARITY or gi in back or ids[fi] is not None or self.gone[gi].id in taken:
                continue
            back.add(gi)
            ids[fi] = self.gone[gi].id
            taken.add(self.gone[gi].id)
        self.gone = [tr for gi, tr in enumerate(self.gone) if gi not in back]
        # 3. newcomers
        for fi in range(len(faces)):
            if ids[fi] is None:
                ids[fi] = self._next
                self._next += 1
        self.active = [Track(i, f, t, look) for i, f, look in zip(ids, faces, looks, strict=True)]
        return [int(i) for i in ids]


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(cv2.compareHist(a, b, cv2.HISTCMP_CORREL))


def faces_of(people: People) -> list[PixelBox]:
    """What the tracker follows of each person: the face box (the body's box without a face)."""
    return [p.face_box or p.box for p in people]


def looks_of(rgb: np.ndarray, faces: list[PixelBox], mirrored: bool) -> list[np.ndarray]:
    """Each face's :func:`appearance` in ``rgb`` (faces in unmirrored coordinates; a selfie
    view is flipped back to them)."""
    unmirrored = rgb[:, ::-1] if mirrored else rgb
    return [appearance(unmirrored, f) for f in faces]
