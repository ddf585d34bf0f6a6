"""The company's reference pictures (its badge, its uniform): read from the files company.yaml
names, or uploaded by a trainer in the app and kept in the history database.

An uploaded picture is validated once, when it comes in (size, that it decodes, that a badge
has enough detail to be recognised), and kept re-encoded as PNG: only its pixels, no metadata,
at most ``KEPT_SIDE`` pixels on its longer side. Each picture is decoded, and a badge's key
points found, once per process (cached by content).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from posture.images import DEFAULT_MAX_PIXELS, BadInput, decode_image

Kind = Literal["badge", "uniform"]
KINDS: tuple[Kind, ...] = ("badge", "uniform")
# A badge or uniform photo is a few MB at most; above this it is not such a picture.
MAX_BYTES = 15 * 2**20
# Badge pictures are matched at REF_SIDE and uniform photos read for their median colour:
# nothing is gained by keeping more pixels.
KEPT_SIDE = 1000
MIN_SIDE_PX = 48  # smaller has no key points to match and no garment to read
REF_SIDE = 300  # badge pictures matched at this longer side (a badge on a chest is ~100 px)
SIFT_FEATURES = 1500
# A badge picture with fewer key points than this cannot be told from a plain card: the
# match needs MIN_INLIERS (posture.grooming.badge) of them to agree, and only part of them do.
MIN_BADGE_KEYPOINTS = 24


class PictureError(ValueError):
    """A reference picture that cannot be used, with the reason in words."""


@dataclass(frozen=True)
class ReferencePicture:
    """One picture of the company's badge or uniform: PNG bytes and their SHA-256."""

    kind: Kind
    name: str
    png: bytes
    digest: str

    def rgb(self) -> np.ndarray:
        return _decoded(self.png)


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def sift() -> cv2.Feature2D:
    """SIFT key points: on a badge 60-150 px wide they match where ORB's (tried first: 45% of
    composited badges found) are too few and too coarse."""
    return cv2.SIFT_create(nfeatures=SIFT_FEATURES)


@lru_cache(maxsize=32)
def badge_keys(picture: ReferencePicture) -> tuple[tuple[cv2.KeyPoint, ...], np.ndarray | None, tuple[int, int]]:
    """(key points, descriptors, (width, height)) of a badge picture at ``REF_SIDE``."""
    gray = cv2.cvtColor(picture.rgb(), cv2.COLOR_RGB2GRAY)
    zoom = REF_SIDE / max(gray.shape)
    gray = cv2.resize(gray, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_AREA if zoom < 1 else cv2.INTER_LINEAR)
    kp, desc = sift().detectAndCompute(gray, None)
    return tuple(kp), desc, (gray.shape[1], gray.shape[0])


@lru_cache(maxsize=32)
def _decoded(png: bytes) -> np.ndarray:
    rgb = cv2.cvtColor(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    rgb.setflags(write=False)  # shared by every frame's check
    return rgb


def read_picture(kind: Kind, name: str, data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS,
                 max_bytes: int = MAX_BYTES) -> ReferencePicture:
    """A reference picture from a file's bytes, validated; raises :class:`PictureError` naming
    the file for one that is empty, too large, not an image, broken, tiny or (a badge) too
    plain to be recognised."""
    if kind not in KINDS:
        raise PictureError(f"unknown kind of picture {kind!r}; one of {', '.join(KINDS)}")
    if len(data) > max_bytes:
        raise PictureError(f"{name}: {_mb(len(data))}, above the limit of {_mb(max_bytes)} for a {kind} picture")
    try:
        rgb = decode_image(data, name, max_pixels=max_pixels, max_side=KEPT_SIDE)
    except BadInput as exc:
        raise PictureError(str(exc)) from exc
    if min(rgb.shape[:2]) < MIN_SIDE_PX:
        raise PictureError(f"{name}: only {rgb.shape[1]} x {rgb.shape[0]} pixels; at least {MIN_SIDE_PX} on each "
                           "side are needed")
    scale = KEPT_SIDE / max(rgb.shape[:2])
    if scale < 1.0:  # decode_image reduces only by whole factors
        rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise PictureError(f"{name}: could not be stored as PNG")
    data = png.tobytes()
    picture = ReferencePicture(kind, name, data, hashlib.sha256(data).hexdigest())
    if kind == "badge":
        found = len(badge_keys(picture)[0])
        if found < MIN_BADGE_KEYPOINTS:
            raise PictureError(f"{name}: too plain to recognise on a chest ({found} key points, at least "
                               f"{MIN_BADGE_KEYPOINTS}); use a sharp picture of the badge's front, cropped to "
                               "its edges")
    return picture


@lru_cache(maxsize=32)
def _file_picture(kind: Kind, path: Path, stamp: tuple[int, int]) -> ReferencePicture:
    return read_picture(kind, path.name, path.read_bytes())


def file_picture(kind: Kind, path: Path) -> ReferencePicture:
    """A picture company.yaml names, read once (again when the file changes)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise PictureError(f"{path}: cannot be read ({exc.strerror})") from exc
    return _file_picture(kind, path, (st.st_size, st.st_mtime_ns))
