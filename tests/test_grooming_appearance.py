"""The face's aligned crop and the appearance descriptors the grooming models read
(posture/grooming/appearance.py), on a real photo (HaGRID, shipped) and hand-made points."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
from grooming_pictures import with_image

from posture.grooming import appearance as A
from posture.grooming import regions
from posture.grooming.models import MODELS
from posture.images import decode_image
from posture.landmarks import FaceLM
from posture.measure.grooming import model_probability


@pytest.fixture(scope="module")
def photo(samples):
    return decode_image(samples / "hagrid_palm.jpg")


@pytest.fixture(scope="module")
def person(checker, photo):
    lm = checker.detector.detect(photo)
    assert lm.face is not None
    return lm


def _resized(checker, photo, zoom):
    return checker.detector.detect(cv2.resize(photo, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_AREA
                                              if zoom < 1 else cv2.INTER_CUBIC))


def _cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_the_crop_puts_the_face_in_its_fixed_place(person):
    face = person.face[:, :2] * person.pixel_scale
    to_crop = A.crop_transform(face)
    mapped = face @ to_crop[:, :2].T + to_crop[:, 2]
    centre = 0.5 * (mapped[FaceLM.FOREHEAD] + mapped[FaceLM.CHIN])
    assert np.allclose(centre, A.CENTRE_PX, atol=0.5)
    width = np.linalg.norm(mapped[FaceLM.LEFT_CHEEK] - mapped[FaceLM.RIGHT_CHEEK])
    assert width == pytest.approx(A.FACE_WIDTH_PX, abs=0.5)
    assert mapped[FaceLM.CHIN, 1] > mapped[FaceLM.FOREHEAD, 1]  # upright, chin down


def test_the_crop_is_the_same_for_a_small_and_a_large_picture_of_the_face(checker, photo):
    # 512 px as shipped, and enlarged 3x (the face then shrinks over 0.5 into the crop: the
    # picture is averaged down first instead of sampled one pixel in several).
    small_lm, large_lm = _resized(checker, photo, 1.0), _resized(checker, photo, 3.0)
    small, large = A.aligned_face(small_lm), A.aligned_face(large_lm)
    inside = (small.inside > 0.99) & (large.inside > 0.99)
    diff = np.abs(small.grey.astype(float) - large.grey.astype(float))[inside]
    assert np.median(diff) < 8  # grey levels 0-255: the same picture, up to landmark jitter
    for model in ("facial_hair", "lipstick", "fringe"):
        scale = A.WINDOWS[model].scale
        a, b = (A.descriptor(A.aligned_face(lm, scale), model) for lm in (small_lm, large_lm))
        assert _cosine(a, b) > 0.9, model


def test_a_mirrored_picture_reads_the_same(checker, photo, person):
    flipped = checker.detector.detect(np.ascontiguousarray(photo[:, ::-1]))
    for model in ("facial_hair", "lipstick", "fringe", "dangling_earring"):
        a, b = A.symmetric_descriptor(person, model), A.symmetric_descriptor(flipped, model)
        assert _cosine(a, b) > 0.97, model
    # One side alone is not symmetric: the mean of the crop and its mirror is what makes it so.
    face = A.aligned_face(person, A.WINDOWS["dangling_earring"].scale)
    assert _cosine(A.descriptor(face, "dangling_earring"), A.descriptor(face.mirrored(), "dangling_earring")) < 0.97


def test_the_hair_models_need_the_person_mask(person):
    bare = dataclasses.replace(person, person_mask=None)
    assert bare.person_mask is None
    face = A.aligned_face(bare)
    assert A.descriptor(face, "hair_colour_other") is None and A.descriptor(face, "loose_long_hair") is None
    assert A.descriptor(face, "lipstick") is not None
    zeros = dict.fromkeys(MODELS["loose_long_hair"][0], 0.0)
    assert model_probability("loose_long_hair", zeros, bare) is None  # never a guess without the mask


def test_an_anchored_window_follows_its_landmarks():
    points = np.zeros((478, 2))
    face = A.AlignedFace(np.zeros((160, 96), np.uint8), np.zeros((160, 96, 3), np.float32),
                         np.ones((160, 96), np.float32), None, points)
    window = A.WINDOWS["lipstick"]
    points[list(regions.LIPS_OUTER)] = (48.0, 90.0)  # a mouth lower in the crop (a raised chin)
    x0, y0, x1, y1 = face.box(window)
    assert (x0 + x1) / 2 == 48 and (y0 + y1) / 2 == 90 and (x1 - x0, y1 - y0) == (40, 24)
    points[list(regions.LIPS_OUTER)] = (48.0, 158.0)  # at the crop's edge: the box stays inside it
    assert face.box(window)[3] == A.CROP_SIZE[1]
    assert face.box(A.WINDOWS["facial_hair"]) == A.WINDOWS["facial_hair"].box  # no anchor: fixed


def test_every_appearance_model_has_weights_for_its_descriptor(person):
    # A window changed without refitting (scripts/fit_grooming.py --write) fails here.
    mask = np.full(person.image.shape[:2], 255, np.uint8)
    lm = with_image(person, person.image, mask)
    weights = A.appearance_weights()
    assert set(weights) == set(A.WINDOWS)
    for model in A.WINDOWS:
        assert weights[model].shape == A.symmetric_descriptor(lm, model).shape, model


def test_the_fine_crop_is_the_crop_at_twice_the_size(person):
    coarse, fine = A.aligned_face(person), A.aligned_face(person, A.FINE)
    assert fine.grey.shape == (A.FINE * coarse.grey.shape[0], A.FINE * coarse.grey.shape[1])
    halved = cv2.resize(fine.grey, coarse.grey.shape[::-1], interpolation=cv2.INTER_AREA)
    inside = coarse.inside > 0.99
    assert np.median(np.abs(halved.astype(float) - coarse.grey)[inside]) < 6
    assert np.allclose(fine.points, A.FINE * coarse.points, atol=1.0)
    window = A.WINDOWS["fringe"]
    assert window.scale == A.FINE
    # The same place on the face, twice the size (up to the rounding of the anchored box).
    assert np.allclose(fine.box(window), [A.FINE * v for v in coarse.box(window)], atol=2)
    # A model is never read on the other crop.
    with pytest.raises(ValueError):
        A.descriptor(coarse, "fringe")
    with pytest.raises(ValueError):
        A.descriptor(fine, "lipstick")
