"""Everyone in a video or a live view, at the cost of one tracking model per person.

A photo's people are each looked for from scratch (:meth:`LandmarkDetector.detect_people`:
the face detector over tiles, then a still-image Holistic per face). In a video that work
is mostly repeated for people who have not moved, so here:

- the face detector (with its tiles) runs on every ``FIND_EVERY``-th frame only, to find
  newcomers, and on every frame while nobody is followed;
- each person gets their own Holistic in tracking mode on a region of the frame around
  them (:func:`person_region`, as in a photo, the other faces greyed out) that stays fixed
  in frame coordinates while their face stays well inside it: MediaPipe tracks from the
  previous frame's landmarks in the coordinates of the picture it was given, so the region
  is moved (and that person's models start again from detection) only when they leave its
  middle, come much nearer or go much farther;
- the person being coached (by default the one with the largest face) gets Holistic on
  every frame; the others a tracking-mode Pose on every frame and Holistic, for the face
  and the hands, on every ``REFRESH_EVERY``-th, their face and hands carried along with
  the body in between;
- a person of whom nothing is found for ``LOST_AFTER`` frames is let go and their models
  closed; at most ``MAX_FOLLOWED`` people are followed at once (the largest faces). A "face"
  whose person is not found in its first ``CONFIRM_WITHIN`` frames (a hand, a pattern) is
  let go too, and not followed again while the face detector keeps finding it there.

A frame lists the people whose landmarks were found in it, and the faces too small to judge.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from posture.landmarks import (
    UNCONFIRMED_FACE_SCORE,
    WHOLE_FRAME,
    Box,
    LandmarkDetector,
    Landmarks,
    People,
    Person,
    PixelBox,
    PoseLM,
    crop,
    find_faces,
    grey_out,
    inside,
    mesh_box,
    mp_holistic,
    mp_pose,
    own_parts,
    person_region,
    pixel_box,
)
from posture.people_tracker import iou

FIND_EVERY = 5  # frames between looks for newcomers: half a second at the usual 10 frames/s
REFRESH_EVERY = 3  # frames between Holistic runs (face, hands) of a person not being coached
LOST_AFTER = 10  # frames without any landmark of a person before they are let go
CONFIRM_WITHIN = 3  # frames in which a new face's person must be found
MAX_FOLLOWED = 6  # people followed at once, each with their own models
THREADS = min(2, os.cpu_count() or 1)  # this machine has 2 cores
# A region is moved when the face comes nearer than this many face widths to a side (or
# its height to the top) that is not the frame's edge, or its width changes by this factor.
EDGE_FACES = 1.0
RESIZE_FACTOR = 1.6


def _fraction_box(box: PixelBox, width: int, height: int) -> Box:
    return box[0] / width, box[1] / height, (box[2] - box[0]) / width, (box[3] - box[1]) / height


def face_box_of(lm: Landmarks) -> PixelBox | None:
    """Where the face is, from the mesh, else from the head's pose points (nose, ears)."""
    if lm.face is not None:
        return mesh_box(lm.face)
    head = lm.pose_points(PoseLM.NOSE, PoseLM.LEFT_EAR, PoseLM.RIGHT_EAR)
    if head is None:
        return None
    half = max(2.0, float(abs(head[1, 0] - head[2, 0])) / 2)
    nx, ny = head[0, :2]
    return float(nx - half), float(ny - 1.2 * half), float(nx + half), float(ny + 1.2 * half)


def _carried(full: Landmarks, pose: Landmarks) -> Landmarks:
    """``pose``'s body with the face and hands of ``full`` (an earlier Holistic result),
    moved along with the nose and the wrists since then."""
    def moved(points: np.ndarray | None, joint: int) -> np.ndarray | None:
        if points is None:
            return None
        if full.pose is None or pose.pose is None or not (full.seen(joint) and pose.seen(joint)):
            return points
        shift = pose.pose[joint, :2] - full.pose[joint, :2]
        return points + np.array([shift[0], shift[1], 0.0])

    return replace(pose, face=moved(full.face, PoseLM.NOSE), mouth_patch=full.mouth_patch,
                   left_hand=moved(full.left_hand, PoseLM.LEFT_WRIST),
                   right_hand=moved(full.right_hand, PoseLM.RIGHT_WRIST))


@dataclass(eq=False)
class Followed:
    """One person being followed: their region of the frame, their models and what was last found."""

    region: Box
    face: PixelBox  # their face's latest box, pixels of the frame
    face_at_region: float  # the face's width when the region was chosen
    score: float  # the face detector's score of their face (0: not found by it)
    holistic: object
    pose: object | None = None
    full: Landmarks | None = None  # the latest Holistic result (face and hands)
    lm: Landmarks | None = None  # the latest result, their own parts only
    since_full: int = 0  # frames since the last Holistic run
    missed: int = 0  # frames in a row without any landmark of theirs
    frames: int = 0  # frames followed
    confirmed: bool = False  # their landmarks were found at least once

    def found(self) -> bool:
        return self.lm is not None and any(x is not None for x in (self.lm.pose, self.lm.face))

    def close(self) -> None:
        for graph in (self.holistic, self.pose):
            if graph is not None:
                graph.close()

    def restart(self, region: Box) -> None:
        """A new region: the models start again from detection (their tracking state is in
        the old region's coordinates)."""
        self.region, self.face_at_region = region, self.face[2] - self.face[0]
        self.holistic.reset()
        if self.pose is not None:
            self.pose.reset()
        self.full = None


class PeopleFollower:
    """Finds and follows everyone in successive frames of one video (see the module's text)."""

    def __init__(self, detector: LandmarkDetector, *, find_every: int = FIND_EVERY,
                 refresh_every: int = REFRESH_EVERY, max_followed: int = MAX_FOLLOWED,
                 threads: int = THREADS) -> None:
        """``threads``: people whose models run at the same time (MediaPipe's graphs run
        outside Python's lock, so two use two cores); 1 in a batch worker, which has one core."""
        if detector.face_detector is None:
            raise ValueError("following people needs the detector's face detector (count_faces=True)")
        self._detector = detector
        self.find_every, self.refresh_every, self.max_followed = find_every, refresh_every, max_followed
        self.followed: list[Followed] = []
        self._small: list[PixelBox] = []  # faces under the size to judge, as last found
        self._rejected: list[PixelBox] = []  # "faces" whose person was never found
        self._frames = 0
        self._width = self._height = 0  # of the frames
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="posture-people") if threads > 1 else None

    def find(self, rgb: np.ndarray, mirrored: bool = False, min_face_px: float = 0.0,
             coached: PixelBox | None = None) -> People:
        """Everyone in this frame (numbered left to right; a tracker gives stable ids).
        ``coached``: the face box (last frame's, unmirrored pixels) of the person being
        coached, who gets every model on every frame; None: the largest face."""
        frame = self._detector.prepare(rgb, mirrored)
        height, width = self._height, self._width = rgb.shape[:2]
        looking = self._frames % self.find_every == 0 or not any(f.found() for f in self.followed)
        self._frames += 1
        # The faces found are matched with where everyone is in this frame, so people are
        # tracked first (a person who moved is not taken for a newcomer), and newcomers then.
        tracked = [] if looking and not self.followed else list(self.followed)
        self._track(tracked, frame, width, height, mirrored, self._coached(coached))
        if looking:
            added = self._look(frame, width, height, min_face_px)
            self._track(added, frame, width, height, mirrored, self._coached(coached) if not tracked else None)
            self._settle(added, frame, width, height, mirrored)
        self._let_go()
        return self._people(width, height, mirrored)

    def _look(self, frame: np.ndarray, width: int, height: int, min_face_px: float) -> list[Followed]:
        """The face detector's look for newcomers: each face that is nobody's yet gets
        models and a region (the newcomers are returned)."""
        scored = [(s, pixel_box(b, width, height)) for s, b in find_faces(self._detector.face_detector, frame)]
        self._small = [b for _, b in scored if b[2] - b[0] < min_face_px]
        faces = [(s, b) for s, b in scored if b[2] - b[0] >= min_face_px]
        # What was rejected stays so while the detector finds it there.
        self._rejected = [r for r in self._rejected if any(iou(r, b) > 0.3 for _, b in faces)]
        faces = [(s, b) for s, b in faces if not any(iou(r, b) > 0.3 for r in self._rejected)]
        if faces:  # a body followed without a face of theirs gives way to the faces found
            self._close([f for f in self.followed if f.score == 0.0 and not f.found()])
        new: list[tuple[float, PixelBox]] = []
        for score, box in faces:
            same = max(self.followed, key=lambda f: iou(f.face, box), default=None)
            if same is not None and (iou(same.face, box) > 0.2 or inside(np.array(_centre(same.face)), box)):
                same.score = max(same.score, score)
                if not same.found():
                    same.face = box
            else:
                new.append((score, box))
        new = sorted(new, key=lambda sb: sb[1][0] - sb[1][2])[:max(0, self.max_followed - len(self.followed))]
        if not self.followed and len(new) <= 1:
            # One person, or a body whose face the detector misses: the whole frame, as a
            # single person's video has always been checked.
            score, box = new[0] if new else (0.0, (0.0, 0.0, float(width), float(height)))
            self.followed.append(self._new(WHOLE_FRAME, box, score))
            return self.followed[-1:]
        added = [self._new(WHOLE_FRAME, box, score) for score, box in new]
        self.followed += added
        for f in added:
            f.region = self._region_of(f, width, height)
        return added

    def _settle(self, added: list[Followed], frame: np.ndarray, width: int, height: int, mirrored: bool) -> None:
        """After the newcomers' first look: a face whose person was not found at once and that
        the detector was not sure of is not a person (as in a photo); the regions are then
        made from the people confirmed: a newcomer's region that a rejected face had narrowed
        is looked at again at once, and a region holding a confirmed newcomer's face narrowed
        (its models start again: their tracking is in the old region's coordinates)."""
        unsure = [f for f in added if not f.found() and f.score < UNCONFIRMED_FACE_SCORE] \
            if len(self.followed) > 1 else []  # alone, the whole frame's look stays (see _look)
        self._rejected += [f.face for f in unsure]
        self._close(unsure)
        confirmed = [f for f in added if f.found()]
        again = []
        for f in self.followed:
            region = self._region_of(f, width, height)
            if region == f.region:
                continue
            if f in added:
                f.restart(region)
                again.append(f)
            elif any(inside(np.array(_centre(g.face)), pixel_box(f.region, width, height)) for g in confirmed):
                f.restart(region)
        self._track(again, frame, width, height, mirrored, None)

    def _new(self, region: Box, face: PixelBox, score: float) -> Followed:
        return Followed(region, face, face[2] - face[0], score, mp_holistic(static_image_mode=False))

    def _region_of(self, f: Followed, width: int, height: int) -> Box:
        """Their region among the others in view; alone, the whole frame (as one person's video
        has always been checked)."""
        others = [_fraction_box(g, width, height) for g in self._others(f)]
        return person_region(_fraction_box(f.face, width, height), others) if others else WHOLE_FRAME

    def _others(self, f: Followed) -> list[PixelBox]:
        """The faces of the others in view: whose landmarks were found on the last frame, or
        just found by a face detector sure of them (a lost person's last place, or a "face" not
        yet confirmed as a person, claims nothing)."""
        return [g.face for g in self.followed
                if g is not f and (g.found() or (g.lm is None and g.score >= UNCONFIRMED_FACE_SCORE))]

    def _coached(self, coached: PixelBox | None) -> Followed | None:
        found = [f for f in self.followed if f.found()] or self.followed
        if coached is not None:
            best = max(found, key=lambda f: iou(f.face, coached), default=None)
            if best is not None and iou(best.face, coached) > 0:
                return best
        return max(found, key=lambda f: f.face[2] - f.face[0], default=None)

    def _track(self, group: list[Followed], frame: np.ndarray, width: int, height: int, mirrored: bool,
               main: Followed | None) -> None:
        """This frame's landmarks of each person of ``group`` (``main``, the one coached, with
        every model), on the pool's threads: each person's models are their own, and what
        they read of the others is taken before."""
        others = {id(f): self._others(f) for f in group}
        count = len(self.followed) + len(self._small)

        def one(f: Followed) -> Landmarks:
            return self._landmarks(f, frame, width, height, mirrored, others[id(f)], count, full=f is main)

        found = list(self._pool.map(one, group)) if self._pool is not None and len(group) > 1 else \
            [one(f) for f in group]
        for f, lm in zip(group, found, strict=True):
            f.lm, f.frames = lm, f.frames + 1
            f.missed = 0 if f.found() else f.missed + 1
            f.confirmed |= f.found()
            face = face_box_of(lm) if f.found() else None
            if face is not None:
                f.face = face
                if self._moved_out(f, width, height):
                    f.restart(self._region_of(f, width, height))

    def _landmarks(self, f: Followed, frame: np.ndarray, width: int, height: int, mirrored: bool,
                   others: list[PixelBox], count: int, *, full: bool) -> Landmarks:
        """One person's own landmarks in this frame, from their region with the others' faces
        greyed out: Holistic (when ``full``, or due), else Pose with their face and hands carried."""
        part = grey_out(crop(frame, f.region), f.region, [_fraction_box(o, width, height) for o in others])
        if full or f.full is None or f.since_full + 1 >= self.refresh_every:
            lm = self._detector.to_landmarks(f.holistic.process(part), frame, width, height, f.region, mirrored,
                                             faces_in_frame=count, fallbacks=False)
            f.full, f.since_full = lm, 0
        else:
            f.pose = f.pose or mp_pose()
            body = self._detector.to_landmarks(_PoseOnly(f.pose.process(part)), frame, width, height, f.region,
                                               mirrored, faces_in_frame=count, fallbacks=False)
            lm = _carried(f.full, body)
            f.since_full += 1
        # Alone, there is nobody whose parts they could have taken (and their face may not be known).
        return own_parts(lm, f.face, pixel_box(f.region, width, height), others) if others else lm

    def _moved_out(self, f: Followed, width: int, height: int) -> bool:
        """Whether their face left the middle of their region, or their size changed much."""
        x0, y0, x1, y1 = pixel_box(f.region, width, height)
        fw, fh = f.face[2] - f.face[0], f.face[3] - f.face[1]
        cx = (f.face[0] + f.face[2]) / 2
        near_side = (x0 > 0 and cx - x0 < EDGE_FACES * fw) or (x1 < width and x1 - cx < EDGE_FACES * fw)
        near_top = y0 > 0 and f.face[1] - y0 < EDGE_FACES * fh
        resized = not 1 / RESIZE_FACTOR <= fw / max(1.0, f.face_at_region) <= RESIZE_FACTOR
        return near_side or near_top or (resized and f.region != WHOLE_FRAME)

    def _let_go(self) -> None:
        """Let go of people lost for a while (but not of the only one), of one followed
        twice, and of faces whose person was never found (remembered as rejected)."""
        kept: list[Followed] = []
        for f in self.followed:
            twice = f.found() and any(k.found() and iou(f.face, k.face) > 0.5 for k in kept)
            never = not f.confirmed and f.frames >= CONFIRM_WITHIN and f.score > 0.0
            if never:
                self._rejected.append(f.face)
            if not (twice or never or (f.missed >= LOST_AFTER and len(self.followed) > 1)):
                kept.append(f)
        if len(kept) < len(self.followed):
            self._close([f for f in self.followed if f not in kept])
            for f in self.followed:  # a region narrowed by someone no longer there widens again
                region = self._region_of(f, self._width, self._height)
                if region != f.region:
                    f.restart(region)

    def _close(self, gone: list[Followed]) -> None:
        for f in gone:
            f.close()
        self.followed = [f for f in self.followed if f not in gone]

    def _people(self, width: int, height: int, mirrored: bool) -> People:
        count = len(self.followed) + len(self._small)
        persons = [Person(0, f.lm.person_box() or f.face, f.lm, f.face) for f in self.followed if f.found()]
        persons += [Person(0, b, Landmarks(width, height, mirrored=mirrored, faces_in_frame=count), b,
                           too_small=True) for b in self._small]
        order = sorted(persons, key=lambda p: (-1 if mirrored else 1) * (p.face_box[0] + p.face_box[2]))
        return People(width, height, tuple(replace(p, id=n) for n, p in enumerate(order, start=1)))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        self._close(list(self.followed))


@dataclass(frozen=True)
class _PoseOnly:
    """A Pose result in the shape of a Holistic one (no face, no hands)."""

    res: object

    @property
    def pose_landmarks(self):
        return self.res.pose_landmarks

    @property
    def pose_world_landmarks(self):
        return self.res.pose_world_landmarks

    face_landmarks = left_hand_landmarks = right_hand_landmarks = None


def _centre(box: PixelBox) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
