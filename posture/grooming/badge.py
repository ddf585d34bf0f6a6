"""Finding the company's badge on the chest (GR-BADGE).

With the company's reference pictures: SIFT key points inside the chest, matched to each
picture's (Euclidean distance, Lowe's ratio test), and a RANSAC homography (or, where that one
folds, an affine map); the badge is found when enough matches agree on one plausible
quadrilateral (a badge seen at an angle, blurred, smaller or in other light still maps onto
its picture). Its side is the half
of the chest that holds its centre. Without a picture, a bright-edged, badge-sized
rectangle on the chest is looked for instead, and the verdict says it was not compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from posture.grooming import regions
from posture.grooming.references import ReferencePicture, badge_keys, sift
from posture.landmarks import Landmarks

RATIO = 0.8  # Lowe's ratio test
MIN_INLIERS = 8  # matches agreeing on the homography: fewer is chance on a textured shirt
RANSAC_PX = 5.0
# The badge must cover 0.5%-25% of a shoulder width squared: smaller is a chance match on a
# few points, larger is a homography gone wild.
AREA_SW2 = (0.005, 0.25)
# The chest is looked at with a shoulder width of at least this many pixels (upsampled if
# smaller): below it a badge is a few pixels across and has no features.
MIN_SHOULDER_PX = 300.0


@dataclass(frozen=True)
class BadgeFind:
    found: bool
    side: str | None  # the person's own "left" / "right"
    outline: np.ndarray | None  # (4, 2) in landmark pixels
    compared: bool  # matched against the company's pictures (False: a badge-like rectangle)
    score: float  # inliers (company picture) or rectangle score


# The chest is in view when this share of its box is inside the frame: then a badge not
# found is not there. A badge the company's pictures match is a find on a chest half cut off
# by the frame's edge too (a photo ending at mid-chest), while "not found" there is "not
# visible": the badge may be pinned below the edge.
CHEST_IN_VIEW = 0.9
CHEST_SEEN_FOR_A_FIND = 0.5


def chest_crop(lm: Landmarks, min_inside: float = CHEST_IN_VIEW) -> tuple[np.ndarray, np.ndarray, float, float] | None:
    """(gray crop of both chest halves, its origin in landmark pixels, zoom landmark->crop,
    share of the chest's box inside the frame), or None when a shoulder is not seen, there
    are no pixels, or less than ``min_inside`` of the chest is in the frame."""
    both = regions.chest_both(lm)
    sw = lm.shoulder_width()
    if both is None or lm.image is None or sw is None:
        return None
    x0, y0 = both.min(axis=0)
    x1, y1 = both.max(axis=0)
    share = regions.share_in_frame(both, lm.width, lm.height)
    if share <= 0.0 or share < min_inside:
        return None
    s = lm.pixel_scale
    ix0, iy0 = max(0, int(x0 * s)), max(0, int(y0 * s))
    ix1, iy1 = min(lm.image.shape[1], int(np.ceil(x1 * s))), min(lm.image.shape[0], int(np.ceil(y1 * s)))
    gray = cv2.cvtColor(np.ascontiguousarray(lm.image[iy0:iy1, ix0:ix1]), cv2.COLOR_RGB2GRAY)
    zoom = max(1.0, MIN_SHOULDER_PX / (sw * s))
    if zoom > 1.0:
        gray = cv2.resize(gray, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_LINEAR)
    return gray, np.array([ix0 / s, iy0 / s]), s * zoom, share


def _side(lm: Landmarks, centre: np.ndarray) -> str | None:
    for side in regions.SIDES:
        poly = regions.chest(lm, side)
        if poly is not None and cv2.pointPolygonTest(poly.astype(np.float32), tuple(map(float, centre)), False) >= 0:
            return side
    return None


def _plausible(quad: np.ndarray, sw: float) -> bool:
    area = abs(cv2.contourArea(quad.astype(np.float32)))
    return cv2.isContourConvex(quad.astype(np.float32)) and AREA_SW2[0] * sw * sw <= area <= AREA_SW2[1] * sw * sw


def _placements(src: np.ndarray, dst: np.ndarray, size: tuple[int, int]):
    """Where the matches put the picture's corners: by a homography (a badge seen at an
    angle) and, when that one goes wild (inliers bunched on the name line make it fold or
    explode), by an affine map, which a badge pinned flat on a chest is to within a few
    degrees of tilt. Each with its count of agreeing matches."""
    w, h = size
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
    homography, inliers = cv2.findHomography(src, dst, cv2.RANSAC, RANSAC_PX)
    if homography is not None:
        yield cv2.perspectiveTransform(corners, homography).reshape(-1, 2), int(inliers.sum())
    affine, inliers = cv2.estimateAffine2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX)
    if affine is not None:
        yield cv2.transform(corners, affine).reshape(-1, 2), int(inliers.sum())


def match_company_badge(lm: Landmarks, pictures: Sequence[ReferencePicture]) -> BadgeFind | None:
    """The company's badge on the chest, or None when the chest is not visible (a badge
    is still found on a chest partly out of the frame, :data:`CHEST_SEEN_FOR_A_FIND`)."""
    crop = chest_crop(lm, CHEST_SEEN_FOR_A_FIND)
    if crop is None:
        return None
    gray, origin, zoom, share = crop
    found = _match(lm, pictures, gray, origin, zoom)
    return found if found.found or share >= CHEST_IN_VIEW else None


def _match(lm: Landmarks, pictures: Sequence[ReferencePicture], gray: np.ndarray, origin: np.ndarray,
           zoom: float) -> BadgeFind:
    sw = float(lm.shoulder_width())
    kp, desc = sift().detectAndCompute(gray, None)
    best = BadgeFind(False, None, None, True, 0.0)
    if desc is None or len(kp) < MIN_INLIERS:
        return best
    matcher = cv2.BFMatcher(cv2.NORM_L2)
    for picture in pictures:
        ref_kp, ref_desc, (w, h) = badge_keys(picture)
        if ref_desc is None or len(ref_kp) < MIN_INLIERS:
            continue
        pairs = matcher.knnMatch(ref_desc, desc, k=2)
        good = [m for m, *rest in pairs if rest and m.distance < RATIO * rest[0].distance]
        if len(good) < MIN_INLIERS:
            continue
        src = np.float32([ref_kp[m.queryIdx].pt for m in good])
        dst = np.float32([kp[m.trainIdx].pt for m in good])
        for quad, inliers in _placements(src, dst, (w, h)):
            quad = quad / zoom + origin
            if inliers < MIN_INLIERS or inliers <= best.score or not _plausible(quad, sw):
                continue
            side = _side(lm, quad.mean(axis=0))
            best = BadgeFind(side is not None, side, quad, True, float(inliers))
            break
    return best


# A badge-like rectangle: four corners, convex, 1.2-2.2 times as wide as high either way,
# with a strong outline.
RECT_ASPECT = (1.2, 2.2)
RECT_AREA_SW2 = (0.01, 0.12)


def find_badge_like(lm: Landmarks) -> BadgeFind | None:
    """Any badge-like rectangle on the chest (no company picture to compare with)."""
    crop = chest_crop(lm)
    if crop is None:
        return None
    gray, origin, zoom, _ = crop
    sw = float(lm.shoulder_width())
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 60, 150)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    best = BadgeFind(False, None, None, False, 0.0)
    for contour in contours:
        approx = cv2.approxPolyDP(contour, 0.04 * cv2.arcLength(contour, True), True)
        if len(approx) != 4 or not cv2.isContourConvex(approx):
            continue
        quad = approx.reshape(-1, 2).astype(np.float64) / zoom + origin
        area = abs(cv2.contourArea(quad.astype(np.float32)))
        if not RECT_AREA_SW2[0] * sw * sw <= area <= RECT_AREA_SW2[1] * sw * sw:
            continue
        (_, _), (a, b), _ = cv2.minAreaRect(quad.astype(np.float32))
        aspect = max(a, b) / max(min(a, b), 1e-6)
        fill = area / max(a * b, 1e-6)
        if not (RECT_ASPECT[0] <= aspect <= RECT_ASPECT[1]) or fill < 0.85:
            continue
        side = _side(lm, quad.mean(axis=0))
        if side is not None and area > best.score:
            best = BadgeFind(True, side, quad, False, float(area))
    return best
