"""The per-frame measurements added for the time-based clauses (posture.measure.gaze and
posture.measure.motion), on synthetic bodies with known geometry."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from sequences import with_irises
from synthetic import M_PER_PX, Body, P, transformed

from posture.measure import measure_all


def value(lm, name: str) -> float | None:
    m = measure_all(lm, {name})[name]
    return None if m is None else m.value


@pytest.mark.parametrize("look", [0.0, 0.1, -0.2])
def test_gaze_adds_the_irises_turn_to_the_head(look):
    lm = with_irises(Body().landmarks(), look)
    expected = math.degrees(math.asin(look / 0.4))  # iris offset over the eye's rotation radius
    assert value(lm, "gaze_yaw_deg") == pytest.approx(expected, abs=1.0)


def test_gaze_follows_a_turned_head_with_centred_irises():
    head_only = value(Body().turn_head(yaw=20).landmarks(), "head_yaw_deg")
    gaze = value(with_irises(Body().turn_head(yaw=20).landmarks()), "gaze_yaw_deg")
    assert gaze == pytest.approx(head_only, abs=2.0)
    assert gaze > 15


def test_gaze_of_a_face_turned_far_away_is_the_head_alone():
    lm = with_irises(Body().turn_head(yaw=60).landmarks(), look=-0.3)
    assert value(lm, "gaze_yaw_deg") == pytest.approx(value(lm, "head_yaw_deg"))


def test_gaze_needs_the_irises_of_the_refined_mesh():
    lm = Body().landmarks()
    assert value(replace(lm, face=lm.face[:468]), "gaze_yaw_deg") is None


@pytest.mark.parametrize("deg", [0.0, 12.0, 25.0])
def test_trunk_flexion_reads_the_forward_lean(deg):
    assert value(Body().lean_forward(deg).landmarks(), "trunk_flexion_deg") == pytest.approx(deg, abs=0.5)


def test_trunk_flexion_is_not_read_with_the_hips_at_the_bottom_edge():
    lm = Body().lean_forward(15).landmarks()
    # Hips at y = 700 of 1400; moved to 1300 (93% of the height) they are at the edge.
    shifted = transformed(lm, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 600.0]]), lm.width, lm.height)
    assert value(shifted, "trunk_forward_lean_deg") is not None  # the still measure still reads it
    assert value(shifted, "trunk_flexion_deg") is None


def test_wrist_positions_are_in_shoulder_widths_from_the_shoulders():
    folded = Body().hands_folded().landmarks()
    assert value(folded, "left_wrist_across_sw") == pytest.approx(15 / 160, abs=0.01)
    assert value(folded, "right_wrist_across_sw") == pytest.approx(-15 / 160, abs=0.01)
    hanging = Body().landmarks()
    assert value(hanging, "left_wrist_down_sw") == pytest.approx(280 / 160, abs=0.01)


def test_arm_swing_is_positive_forward():
    b = Body()
    wrist = b.joints[int(P.LEFT_WRIST)]
    b.joints[int(P.LEFT_WRIST)] = wrist + np.array([0.0, 0.0, -0.1 / M_PER_PX])  # 10 cm toward the camera
    lm = b.landmarks()
    assert value(lm, "left_arm_swing_deg") == pytest.approx(math.degrees(math.atan2(0.1, 280 * M_PER_PX)), abs=1)
    assert value(lm, "right_arm_swing_deg") == pytest.approx(0.0, abs=1)


def test_ankle_stagger_is_positive_with_the_left_foot_ahead():
    b = Body()
    b.joints[int(P.LEFT_ANKLE)] = b.joints[int(P.LEFT_ANKLE)] + np.array([0.0, 0.0, -0.3 / M_PER_PX])
    assert value(b.landmarks(), "ankle_stagger_m") == pytest.approx(0.3, abs=0.01)
