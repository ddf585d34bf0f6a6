"""Verdicts from any viewpoint: synthetic bodies turned about the vertical (0, 30, 60, 90
degrees) and seen from a camera 20 degrees above or below keep the verdicts of the clauses
their view can show; the clauses it cannot show become "not visible" with the view as the
reason."""

from __future__ import annotations

import pytest

from posture.measure import REGISTRY, hidden_measurements
from posture.measure.view import body_frame_world, body_unit_px, view_of
from posture.pipeline import Checker
from tests.synthetic import SW, Body, seen_from

BODIES = {
    "standing, hands folded": (lambda: Body().hands_folded().smiling(), "standing"),
    "standing, shoulders tilted": (lambda: Body().tilt_shoulders(10), "standing"),
    "sitting upright": (lambda: Body().sit(), "sitting"),
    "sitting, reclined": (lambda: Body().sit().lean_forward(-30), "sitting"),
    "handing over": (lambda: Body().hand_over().lean_forward(5), "handover"),
    "hands apart": (lambda: Body().hand_over(gap_px=200).lean_forward(5), "handover"),
    "one hand held out": (lambda: Body().hand_out().lean_forward(5), "handover"),
}
# A face turned this far from the camera shows too little of the mouth for the expression
# clauses (posture.measure.face.MAX_YAW_FOR_EXPRESSION_DEG).
EXPRESSION_MAX_TURN = 45


@pytest.fixture(scope="module")
def checker():
    with Checker(count_faces=False, fallbacks=False) as c:
        yield c


def _outcomes(checker, lm, scenario):
    result = checker.check_landmarks(lm, scenario=scenario)
    return {c.id: c for c in result.report.clauses}, result


@pytest.mark.parametrize("name", BODIES)
@pytest.mark.parametrize("turn", [0, 30, 60, 90])
@pytest.mark.parametrize("pitch", [-20, 0, 20])
def test_clauses_the_view_shows_keep_their_verdict_the_others_are_not_visible(checker, name, turn, pitch):
    build, scenario = BODIES[name]
    front, _ = _outcomes(checker, build().landmarks(), scenario)
    lm = seen_from(build().landmarks(), turn, pitch)
    seen, result = _outcomes(checker, lm, scenario)
    hidden = hidden_measurements(lm, set(REGISTRY))
    for cid, base in front.items():
        clause = checker.standard.by_id[cid]
        now = seen[cid]
        if all(m in hidden for m in clause.measurements):
            assert now.verdict == "not_visible", (cid, turn, pitch)
            assert now.reason is not None and view_of(lm) in now.reason.en.replace("-", "_").replace(" ", "_")
        elif cid.startswith("EX-") and turn > EXPRESSION_MAX_TURN:
            assert now.verdict == "not_visible", (cid, turn, pitch)
        else:
            assert now.verdict == base.verdict, (cid, turn, pitch, base.values_text(), now.values_text())
    assert result.report.view is not None and result.report.view.name == view_of(lm)


@pytest.mark.parametrize("turn,view", [(0, "front"), (20, "front"), (45, "three_quarter"), (90, "side"),
                                        (-90, "side"), (180, "back")])
def test_the_view_is_named_from_the_world_pose(turn, view):
    lm = seen_from(Body().landmarks(), turn)
    assert view_of(lm) == view
    assert abs(body_frame_world(lm).yaw_deg) == pytest.approx(abs(turn), abs=1.0)


@pytest.mark.parametrize("turn", [0, 60, 90])
def test_the_body_keeps_its_size_in_a_side_view(turn):
    """The unit of ratios (and of the "too small" check) is the shoulder width the person would
    show facing the camera, not the width they show."""
    lm = seen_from(Body().landmarks(), turn)
    assert body_unit_px(lm) == pytest.approx(SW, rel=0.02)
    assert (lm.shoulder_width() or 0.0) < SW * 0.6 or turn == 0


def test_a_side_view_is_not_too_small_and_sitting_is_chosen(checker):
    lm = seen_from(Body().sit().landmarks(), 90)
    result = checker.check_landmarks(lm)
    assert result.report.person.judgeable and not result.report.person.warnings
    assert result.report.scenarios == ["sitting"]


def test_a_head_looking_ahead_along_the_body_passes_from_the_side(checker):
    """The head's yaw is read against the trunk: seen from the side, looking ahead passes."""
    seen, _ = _outcomes(checker, seen_from(Body().landmarks(), 90), "standing")
    assert seen["ST-HEAD"].verdict == "pass"
    turned, _ = _outcomes(checker, seen_from(Body().turn_head(yaw=40).landmarks(), 90), "standing")
    assert turned["ST-HEAD"].verdict == "fail"
