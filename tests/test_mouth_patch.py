"""The mouth patch (posture.landmarks.mouth_patch) and its use in the smile score: the patch is
aligned on the mouth corners, its descriptor ignores lighting, and without a patch the score
falls back to the mesh-only model."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest
from synthetic import Body

from posture.landmarks import MIN_MOUTH_PX, MOUTH_PATCH_CORNERS, MOUTH_PATCH_SIZE, FaceLM, mouth_patch
from posture.measure.face import mouth_features, mouth_hog, smile_probability, smile_score


def _face_with_mouth(right: tuple[float, float], left: tuple[float, float]) -> np.ndarray:
    face = np.zeros((478, 3))
    face[FaceLM.MOUTH_RIGHT, :2] = right
    face[FaceLM.MOUTH_LEFT, :2] = left
    return face


@pytest.mark.parametrize("right, left", [((250.0, 220.0), (330.0, 250.0)),  # tilted, shrunk 3.6x
                                         ((100.0, 300.0), (80.0, 290.0))])  # upside down, enlarged
def test_the_mouth_corners_land_on_fixed_points(right, left):
    frame = np.zeros((400, 600, 3), np.uint8)
    radius = max(2, round(0.06 * np.hypot(left[0] - right[0], left[1] - right[1])))
    for x, y in (right, left):
        cv2.circle(frame, (round(x), round(y)), radius, (255, 255, 255), -1)
    patch = mouth_patch(frame, _face_with_mouth(right, left))
    assert patch is not None and patch.shape == MOUTH_PATCH_SIZE[::-1] and patch.dtype == np.uint8
    half = MOUTH_PATCH_SIZE[0] // 2
    for (x, y), side in zip(MOUTH_PATCH_CORNERS, (patch[:, :half], patch[:, half:]), strict=True):
        row, col = np.unravel_index(np.argmax(side), side.shape)
        assert abs(row - y) <= 1.0 and abs(col + (half if x > half else 0) - x) <= 1.0


def test_no_patch_for_a_mouth_too_small_to_show():
    frame = np.zeros((100, 100, 3), np.uint8)
    assert mouth_patch(frame, _face_with_mouth((40.0, 50.0), (40.0 + MIN_MOUTH_PX - 1, 50.0))) is None


def test_the_descriptor_ignores_brightness_and_contrast():
    rng = np.random.default_rng(0)
    patch = rng.integers(60, 140, size=MOUTH_PATCH_SIZE[::-1]).astype(np.uint8)
    brighter = (patch.astype(np.float64) * 1.5 + 20).astype(np.uint8)
    hog = mouth_hog(patch)
    assert hog.shape == (216,) and np.all(hog >= 0) and np.isclose(np.sum(hog**2), 1.0, atol=1e-4)
    assert np.allclose(mouth_hog(brighter), hog, atol=0.02)


def test_without_a_patch_the_score_is_the_mesh_only_model():
    lm = Body().smiling(1.0).landmarks()
    assert lm.mouth_patch is None
    features = mouth_features(lm.face)
    assert smile_score(lm).value == pytest.approx(smile_probability(features))
    # A flat grey patch (no teeth, no lip edges) changes the score: the patch model is used.
    flat = replace(lm, mouth_patch=np.full(MOUTH_PATCH_SIZE[::-1], 128, np.uint8))
    assert smile_score(flat).value == pytest.approx(smile_probability(features, flat.mouth_patch))
    assert smile_score(flat).value != pytest.approx(smile_score(lm).value)
