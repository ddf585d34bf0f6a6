"""Hand-made pictures for the grooming tests: a synthetic company badge, and compositing it
(or paint) onto real upper bodies whose landmarks are known."""

from __future__ import annotations

import cv2
import numpy as np

from posture.grooming import regions
from posture.landmarks import Landmarks

PHONE_PHOTO_PX = 1270  # a phone photo's long side: a badge on a 512 px HaGRID body is too small to match


def as_phone_photo(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` enlarged so that its long side is a phone photo's."""
    zoom = PHONE_PHOTO_PX / max(rgb.shape[:2])
    return cv2.resize(rgb, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)


def badge_picture(seed: int = 7) -> np.ndarray:
    """A 300x180 RGB badge: a logo, the company's name and a name line (rich in corners)."""
    rng = np.random.default_rng(seed)
    img = np.full((180, 300, 3), 245, np.uint8)
    cv2.rectangle(img, (0, 0), (299, 179), (20, 60, 140), 10)
    cv2.rectangle(img, (18, 20), (98, 100), (200, 30, 40), -1)
    for _ in range(6):
        x, y = rng.integers(22, 90, size=2)
        cv2.circle(img, (int(x), int(y)), int(rng.integers(4, 12)), (250, 220, 40), -1)
    cv2.putText(img, "ACME", (110, 62), cv2.FONT_HERSHEY_DUPLEX, 1.5, (20, 60, 140), 3, cv2.LINE_AA)
    cv2.putText(img, "HOTEL", (112, 100), cv2.FONT_HERSHEY_DUPLEX, 1.1, (20, 20, 20), 2, cv2.LINE_AA)
    cv2.putText(img, "Li Wei  No.0427", (22, 148), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (30, 30, 30), 2, cv2.LINE_AA)
    return img


def composite(rgb: np.ndarray, lm: Landmarks, badge: np.ndarray, side: str, rng: np.random.Generator,
              width_sw: float = 0.24) -> np.ndarray:
    """``rgb`` with ``badge`` pinned on the person's ``side`` chest: a random scale around
    ``width_sw`` shoulder widths, a perspective tilt, a blur and a change of light."""
    out = rgb.copy()
    chest = regions.chest(lm, side)
    sw = lm.shoulder_width()
    centre = chest.mean(axis=0) + rng.uniform(-0.04, 0.04, 2) * sw
    w = width_sw * sw * rng.uniform(0.85, 1.2)
    h = w * badge.shape[0] / badge.shape[1]
    corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2
    corners += rng.uniform(-0.07, 0.07, corners.shape) * w  # perspective
    angle = np.radians(rng.uniform(-12, 12))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = (corners @ rot.T + centre).astype(np.float32)
    src = np.float32([[0, 0], [badge.shape[1], 0], [badge.shape[1], badge.shape[0]], [0, badge.shape[0]]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    gain = rng.uniform(0.7, 1.2)
    lit = np.clip(badge.astype(np.float32) * gain, 0, 255).astype(np.uint8)
    warped = cv2.warpPerspective(lit, matrix, (rgb.shape[1], rgb.shape[0]))
    mask = cv2.warpPerspective(np.full(badge.shape[:2], 255, np.uint8), matrix, (rgb.shape[1], rgb.shape[0]))
    sigma = rng.uniform(0.0, 1.0)
    if sigma > 0.3:
        warped = cv2.GaussianBlur(warped, (0, 0), sigma)
    out[mask > 127] = warped[mask > 127]
    return out


def with_image(lm: Landmarks, image: np.ndarray, mask: np.ndarray | None = None) -> Landmarks:
    """The same landmarks over other pixels (at the same size)."""
    import dataclasses

    fields = {f.name: getattr(lm, f.name) for f in dataclasses.fields(lm) if f.init}
    fields.update(image=image, person_mask=mask if mask is not None else lm.person_mask)
    return Landmarks(**fields)


def paint(image: np.ndarray, polygon: np.ndarray, colour: tuple[int, int, int], hole: np.ndarray | None = None,
          noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """``image`` with ``polygon`` (less ``hole``) filled with ``colour`` (plus gray noise)."""
    out = image.copy()
    m = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(polygon).astype(np.int32)], 1)
    if hole is not None:
        cv2.fillPoly(m, [np.round(hole).astype(np.int32)], 0)
    fill = np.broadcast_to(np.array(colour, np.float32), image.shape).copy()
    if noise:
        fill += np.random.default_rng(seed).normal(0, noise, image.shape[:2])[..., None]
    out[m > 0] = np.clip(fill[m > 0], 0, 255).astype(np.uint8)
    return out
