"""The pixels of a region: CIELAB colour and gradient texture, relative to the person's skin.

The frame is resampled once per frame so that the face is about ``CANVAS_FACE_PX`` wide
(never enlarged): texture then means the same on a 300 px passport photo and a 1280 px
frame, and the colour conversion costs about a millisecond. Colours are CIELAB (L 0-100,
a and b about -100..100): lighting changes mostly L, skin tones differ mostly in L and b,
and a distance in Lab (Delta E) is roughly what an eye sees as a colour difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posture.grooming import regions
from posture.landmarks import Landmarks, per_frame

CANVAS_FACE_PX = 128.0
# A picture whose face pixels have almost no colour (95th percentile of the Lab chroma under
# this) is grayscale: a colour clause cannot be judged on it. Skin in colour photos has a
# chroma of 10-30 even under poor light; JPEG noise on a gray picture stays under 2.
GRAYSCALE_MAX_CHROMA = 4.0


@dataclass(frozen=True)
class Canvas:
    """The part of the frame around the person's grooming regions, resampled."""

    lab: np.ndarray  # (h, w, 3) float32
    grad: np.ndarray  # (h, w) float32, gradient magnitude of L (Lab units per canvas pixel)
    mask: np.ndarray | None  # (h, w) uint8 person mask, or None
    scale: float  # canvas pixels per landmark pixel
    origin: np.ndarray  # the canvas's top left corner in landmark pixels

    def to_canvas(self, polygon: np.ndarray) -> np.ndarray:
        return (polygon - self.origin) * self.scale


@dataclass(frozen=True)
class Sample:
    """The pixels of one region."""

    lab: np.ndarray  # (n, 3)
    grad: np.ndarray  # (n,)
    person: np.ndarray | None  # (n,) person-mask values 0-255, or None without a mask
    inside: float  # share of the region's area inside the frame

    @property
    def n(self) -> int:
        return len(self.grad)

    def median(self) -> np.ndarray:
        return np.median(self.lab, axis=0)


# Canvas pixels kept around the regions, so that the gradient at their edges is the frame's.
CANVAS_MARGIN_PX = 4


def canvas(lm: Landmarks) -> Canvas | None:
    """The canvas of the person's grooming regions (once per frame), or None without pixels or
    face. Only the part of the frame the regions cover is converted (Lab and gradient are
    most of the grooming stage's time), cut before it is resampled."""
    def build() -> Canvas | None:
        if lm.image is None or lm.face is None:
            return None
        _, _, width, _ = regions.face_frame(lm.face)
        s = lm.pixel_scale
        zoom = min(1.0, CANVAS_FACE_PX / max(width * s, 1.0))
        pts = np.vstack(regions.grooming_regions(lm)) * s
        pad = CANVAS_MARGIN_PX / zoom
        h, w = lm.image.shape[:2]
        x0, y0 = (int(np.clip(np.floor(v - pad), 0, n)) for v, n in zip(pts.min(axis=0), (w, h), strict=True))
        x1, y1 = (int(np.clip(np.ceil(v + pad), 0, n)) for v, n in zip(pts.max(axis=0), (w, h), strict=True))
        if x1 - x0 < 2 or y1 - y0 < 2:
            return None
        image = lm.image[y0:y1, x0:x1]
        mask = None if lm.person_mask is None else lm.person_mask[y0:y1, x0:x1]
        if zoom < 1.0:
            size = (max(1, round(image.shape[1] * zoom)), max(1, round(image.shape[0] * zoom)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            mask = None if mask is None else cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
        lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
        lum = lab[..., 0]
        gx = cv2.Sobel(lum, cv2.CV_32F, 1, 0, ksize=3) / 8.0
        gy = cv2.Sobel(lum, cv2.CV_32F, 0, 1, ksize=3) / 8.0
        return Canvas(lab, np.sqrt(gx * gx + gy * gy), mask, s * zoom, np.array([x0, y0]) / s)

    return per_frame(lm, "grooming_canvas", build)


def sample(cv: Canvas, polygon: np.ndarray, hole: np.ndarray | None = None,
           min_pixels: int = 6) -> Sample | None:
    """The canvas pixels inside ``polygon`` (landmark pixels), less those inside ``hole``;
    None when fewer than ``min_pixels`` of them are in the frame."""
    h, w = cv.grad.shape
    poly = cv.to_canvas(polygon)
    x0, y0 = np.floor(poly.min(axis=0)).astype(int)
    x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 1
    full = np.zeros((max(1, y1 - y0), max(1, x1 - x0)), np.uint8)
    cv2.fillPoly(full, [np.round(poly - (x0, y0)).astype(np.int32)], 1)
    if hole is not None:
        cv2.fillPoly(full, [np.round(cv.to_canvas(hole) - (x0, y0)).astype(np.int32)], 0)
    area = int(full.sum())
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if area == 0 or cx1 <= cx0 or cy1 <= cy0:
        return None
    inner = full[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0].astype(bool)
    if inner.sum() < min_pixels:
        return None
    person = None if cv.mask is None else cv.mask[cy0:cy1, cx0:cx1][inner]
    return Sample(cv.lab[cy0:cy1, cx0:cx1][inner], cv.grad[cy0:cy1, cx0:cx1][inner], person,
                  float(inner.sum()) / area)


def spot_contrast(cv: Canvas, polygon: np.ndarray, size: int) -> np.ndarray | None:
    """Per pixel inside ``polygon``: how much brighter or darker it is than its surroundings
    at the scale of ``size`` canvas pixels (the L channel's white and black top-hat, the
    larger): a stud, a hanging stone or a metal glint is a spot that size, skin and a
    hair's edge are not. None when the polygon is out of the canvas."""
    h, w = cv.grad.shape
    poly = cv.to_canvas(polygon)
    x0, y0 = np.maximum(np.floor(poly.min(axis=0)).astype(int) - size, 0)
    x1, y1 = np.minimum(np.ceil(poly.max(axis=0)).astype(int) + size + 1, (w, h))
    if x1 - x0 <= 2 * size or y1 - y0 <= 2 * size:
        return None
    lum = np.ascontiguousarray(cv.lab[y0:y1, x0:x1, 0])
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    spot = np.maximum(lum - cv2.morphologyEx(lum, cv2.MORPH_OPEN, kernel),
                      cv2.morphologyEx(lum, cv2.MORPH_CLOSE, kernel) - lum)
    inside = np.zeros(lum.shape, np.uint8)
    cv2.fillPoly(inside, [np.round(poly - (x0, y0)).astype(np.int32)], 1)
    return spot[inside.astype(bool)] if inside.any() else None


@dataclass(frozen=True)
class Skin:
    """The person's own skin (both cheeks): the reference of the colour and texture cues."""

    lab: np.ndarray  # median L, a, b
    spread: float  # median Delta E of the cheek pixels from that median
    grad: float  # mean gradient magnitude

    def delta_e(self, lab: np.ndarray) -> np.ndarray:
        return np.linalg.norm(lab - self.lab, axis=-1)


def skin(lm: Landmarks) -> Skin | None:
    """The cheeks' skin (once per frame), or None when the cheeks are not in the picture."""
    def build() -> Skin | None:
        cv = canvas(lm)
        if cv is None:
            return None
        parts = [sample(cv, regions.cheek(lm.face, side)) for side in regions.SIDES]
        parts = [p for p in parts if p is not None and p.inside > 0.9]
        if not parts:
            return None
        # The mean of the two cheeks' medians and spreads, not the median of their pixels pooled:
        # with one cheek lit and one in shade the pooled median jumps between the two with a
        # few pixels more on one side (a 43 px and a 71 px face of one photo: L 52 against 37).
        meds = [np.median(p.lab, axis=0) for p in parts]
        spread = np.mean([np.median(np.linalg.norm(p.lab - m, axis=1)) for p, m in zip(parts, meds, strict=True)])
        grad = np.concatenate([p.grad for p in parts])
        return Skin(np.mean(meds, axis=0), float(spread), float(grad.mean()))

    return per_frame(lm, "grooming_skin", build)


def chroma(lab: np.ndarray) -> np.ndarray:
    """Colourfulness in Lab (distance from the gray axis)."""
    return np.hypot(lab[..., 1], lab[..., 2])


def is_grayscale(lm: Landmarks) -> bool | None:
    """True when the face's pixels carry no colour (a black-and-white picture); None
    without pixels."""
    def build() -> bool | None:
        cv = canvas(lm)
        if cv is None:
            return None
        face = sample(cv, regions.face_hull(lm.face))
        if face is None:
            return None
        return bool(np.percentile(chroma(face.lab[::4]), 95) < GRAYSCALE_MAX_CHROMA)  # a quarter tells

    return per_frame(lm, "grooming_grayscale", build)
