"""The "greet the customer" step's judge, on synthetic frames of a step."""

from __future__ import annotations

import pytest
from sequences import LandmarkChecker, bump, with_irises
from synthetic import Body

from posture.sequence.greeting import GREETING_HOLD_S, judge_greeting


def step_frames(standard, body_at, profile: str = "female", fps: float = 10.0):
    checker = LandmarkChecker(standard)
    return [(i / fps, checker.check_landmarks(with_irises(body_at(i / fps).landmarks()), scenario="standing",
                                              profile=profile))
            for i in range(int(GREETING_HOLD_S * fps))]


def bowing(depth: float, smile: bool = True, start: float = 1.5):
    def at(t: float) -> Body:
        b = Body().hands_folded()
        if smile:
            b.smiling()
        return b.lean_forward(bump(t, start, 0.8, 0.4, 0.8, depth))

    return at


def test_a_smiling_bow_passes_the_step(standard):
    result = judge_greeting(step_frames(standard, bowing(18)), standard, "female")
    assert result.verdicts == {"BW-BOW": "pass", "BW-SMILE": "pass", "BW-HANDS": "pass"}
    assert result.bow.depth_deg == pytest.approx(18, abs=1)
    assert result.note.en.startswith("bow 18°")


@pytest.mark.parametrize(("kwargs", "failing", "words"), [
    ({"depth": 18, "smile": False}, "BW-SMILE", "failed greeting"),
    ({"depth": 7}, "BW-BOW", "too shallow"),
])
def test_a_failed_greeting_says_why(standard, kwargs, failing, words):
    result = judge_greeting(step_frames(standard, bowing(**kwargs)), standard, "female")
    assert result.verdicts[failing] == "fail"
    assert words in result.note.en


def test_men_bow_with_the_hands_at_the_sides(standard):
    result = judge_greeting(step_frames(standard, bowing(18), profile="male"), standard, "male")
    assert result.verdicts["BW-HANDS"] == "fail"
    assert "hands" in result.note.en


def test_no_bow_in_the_step_fails_the_greeting(standard):
    result = judge_greeting(step_frames(standard, bowing(0)), standard)
    assert result.verdicts == {"BW-BOW": "fail", "BW-SMILE": "not_visible", "BW-HANDS": "not_visible"}
    assert result.bow is None


def test_hips_out_of_view_cannot_be_judged(standard):
    result = judge_greeting(step_frames(standard, lambda t: bowing(18)(t).hide(23, 24)), standard)
    assert set(result.verdicts.values()) == {"not_visible"}
    assert "hips" in result.note.en
