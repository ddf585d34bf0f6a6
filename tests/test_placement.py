"""Camera placement: body in frame, camera level, light; each problem says what to change."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from posture.landmarks import Landmarks
from posture.placement import MAX_CAMERA_ROLL_DEG, camera_roll_deg, check_placement
from tests.synthetic import HEIGHT, WIDTH, P, frame, person, transformed


def test_whole_body_in_good_light_is_ok():
    placement = check_placement(frame(), person(), "full")
    assert placement.ok, [p.en for p in placement.problems]
    assert placement.body_in_frame
    assert abs(placement.camera_roll_deg) < 0.5


def test_feet_below_the_frame_say_step_back():
    lm = person(moved={P.LEFT_ANKLE: (350, 520), P.RIGHT_ANKLE: (290, 525)})
    placement = check_placement(frame(), lm, "full")
    assert not placement.ok and not placement.body_in_frame
    assert any("Feet below the picture" in p.en and "step back" in p.en for p in placement.problems)
    assert any("双脚超出画面下方" in p.zh for p in placement.problems)


def test_upper_body_framing_does_not_need_the_feet_and_face_framing_not_the_hands():
    lm = person(moved={P.LEFT_ANKLE: (350, 520), P.RIGHT_ANKLE: (290, 525), P.LEFT_KNEE: (350, 490),
                       P.RIGHT_KNEE: (290, 490)})
    assert check_placement(frame(), lm, "upper").ok
    no_hands = person(moved={P.LEFT_WRIST: (375, 500), P.RIGHT_WRIST: (265, 500)})
    assert not check_placement(frame(), no_hands, "upper").ok
    assert check_placement(frame(), no_hands, "face").ok


def test_hidden_part_inside_the_frame_is_named():
    lm = person()
    vis = lm.pose_visibility.copy()
    vis[[P.LEFT_WRIST, P.RIGHT_WRIST]] = 0.1
    hidden = Landmarks(width=lm.width, height=lm.height, pose=lm.pose, pose_visibility=vis)
    problems = check_placement(frame(), hidden, "upper").problems
    assert [p.en for p in problems] == ["hands not visible: do not cover them and face the camera"]


def test_part_off_the_side_names_the_side_the_user_sees():
    # The person's right shoulder leaves by the image's left edge; in a selfie view the
    # user sees it leave on the right.
    lm = person(moved={P.RIGHT_SHOULDER: (-20, 100)})
    assert "off the left edge" in check_placement(frame(), lm, "upper").problems[0].en
    mirrored = person(moved={P.RIGHT_SHOULDER: (-20, 100)}, mirrored=True)
    assert "off the right edge" in check_placement(frame(), mirrored, "upper").problems[0].en


def test_no_person():
    empty = Landmarks(width=WIDTH, height=HEIGHT)
    placement = check_placement(frame(), empty, "full")
    assert placement.problems[0].en.startswith("no person found")


def test_small_person_is_asked_to_come_closer():
    small = transformed(person(), np.array([[0.5, 0, 160], [0, 0.5, 120]]), WIDTH, HEIGHT)
    problems = check_placement(frame(), small, "full").problems
    assert len(problems) == 1 and "come closer" in problems[0].en


@pytest.mark.parametrize("angle", [-12.0, 12.0])
def test_tilted_camera_is_measured_and_reported(angle):
    # OpenCV's positive angle turns the picture anticlockwise: the person leans left.
    matrix = cv2.getRotationMatrix2D((WIDTH / 2, HEIGHT / 2), angle, 0.8)
    lm = transformed(person(), matrix, WIDTH, HEIGHT)
    roll = camera_roll_deg(lm)
    assert roll == pytest.approx(-angle, abs=0.5)
    placement = check_placement(frame(), lm, "full")
    side = "left" if angle > 0 else "right"
    assert any(f"leans 12° to the {side}" in p.en for p in placement.problems)


def test_roll_from_the_shoulders_without_hips_and_in_a_selfie_view():
    matrix = cv2.getRotationMatrix2D((WIDTH / 2, HEIGHT / 2), -8.0, 1.0)  # clockwise
    lm = transformed(person(), matrix, WIDTH, HEIGHT)
    vis = lm.pose_visibility.copy()
    vis[[P.LEFT_HIP, P.RIGHT_HIP]] = 0.0
    no_hips = Landmarks(width=WIDTH, height=HEIGHT, pose=lm.pose, pose_visibility=vis)
    assert camera_roll_deg(no_hips) == pytest.approx(8.0, abs=0.5)
    mirrored = Landmarks(width=WIDTH, height=HEIGHT, pose=lm.pose, pose_visibility=vis, mirrored=True)
    assert camera_roll_deg(mirrored) == pytest.approx(-8.0, abs=0.5)
    assert MAX_CAMERA_ROLL_DEG < 8.0


def test_light():
    assert "too dark" in check_placement(frame(30), person(), "full").problems[0].en
    assert "too bright" in check_placement(frame(240), person(), "full").problems[0].en
    backlit = frame(230)
    backlit[:, 250:400] = 90  # the person's column is dark, the window around is bright
    placement = check_placement(backlit, person(), "full")
    assert [p.en for p in placement.problems] == ["strong light behind you: turn so the light falls on your face"]
    assert placement.brightness == pytest.approx(90)  # measured on the person, not the window


@pytest.mark.slow
def test_real_photo_of_an_upper_body(checker, samples):
    from posture.images import decode_image

    rgb = decode_image(samples / "astronaut_smile.png")
    result = checker.check_rgb(rgb)
    full = check_placement(rgb, result.landmarks, "full")
    assert not full.body_in_frame
    assert any(p.en.startswith("Feet below the picture") for p in full.problems)
    face = check_placement(rgb, result.landmarks, "face")
    assert face.ok, [p.en for p in face.problems]


def test_the_greeting_step_asks_for_what_its_clauses_need_not_the_feet():
    """The bow is read from the shoulders and hips and its hands from the wrists: the greeting
    step's framing needs those, so a counter webcam without the legs in view can start it."""
    from posture.routine import STEPS

    greet = next(s for s in STEPS if s.key == "greet")
    no_legs = person(moved={P.LEFT_ANKLE: (350, 520), P.RIGHT_ANKLE: (290, 525), P.LEFT_KNEE: (350, 490),
                            P.RIGHT_KNEE: (290, 490)})
    assert check_placement(frame(), no_legs, greet.framing).ok
    no_hips = person(moved={P.LEFT_HIP: (350, 500), P.RIGHT_HIP: (290, 500), P.LEFT_KNEE: (350, 510),
                            P.RIGHT_KNEE: (290, 510), P.LEFT_ANKLE: (350, 520), P.RIGHT_ANKLE: (290, 525)})
    assert not check_placement(frame(), no_hips, greet.framing).ok


def test_a_group_is_placed_right_when_everyone_is_and_one_person_leaning_is_not_a_tilted_camera():
    from posture.placement import check_group_placement

    def leaning(angle: float) -> Landmarks:
        return transformed(person(), cv2.getRotationMatrix2D((WIDTH / 2, HEIGHT / 2), angle, 0.8), WIDTH, HEIGHT)

    level, leans = person(), leaning(12.0)
    assert check_group_placement(frame(), [("Wang", level), ("Li", leans)], "full").ok  # Li leans, not the camera
    tilted = check_group_placement(frame(), [("Wang", leaning(8.0)), ("Li", leans)], "full")
    assert [p.en for p in tilted.problems] == [
        "the picture leans 8° to the left: level the camera (and stand straight)"]
    missing = check_group_placement(frame(), [("Wang", level), ("Li", None)], "full")
    assert [p.en for p in missing.problems] == ["Li: not in the picture"] and not missing.body_in_frame
    cut = person(moved={P.LEFT_ANKLE: (300, HEIGHT + 20), P.RIGHT_ANKLE: (340, HEIGHT + 20)})  # feet out
    feet = check_placement(frame(), cut, "full").problems
    named = check_group_placement(frame(), [("Wang", level), ("Li", cut)], "full").problems
    assert feet and [p.en for p in named] == [f"Li: {p.en}" for p in feet]
