"""Verdicts from any viewpoint: synthetic bodies turned about the vertical (0, 30, 60, 90
degrees) and seen from a camera 20 degrees above or below keep the verdicts of the clauses
their view can show; the clauses it cannot show become "not visible" with the view as the
reason."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from posture.grooming.regions import face_frame
from posture.landmarks import FaceLM, HandLM, Landmarks, PoseLM
from posture.measure import REGISTRY, hidden_measurements
from posture.measure.body import (
    DESK_FOREARM_DEG,
    DESK_GAP_UNITS,
    DESK_MAX_PERSON_SHARE,
    EDGE_SHARE,
    POINTING_MIN_ELBOW_DEG,
)
from posture.measure.face import MAX_YAW_FOR_PITCH_DEG
from posture.measure.hands import FACE_CUT_SLACK, HEAD_BESIDE_FACE, face_seen_without_hands
from posture.measure.view import body_frame_world, body_unit_px, view_of
from posture.pipeline import Checker
from posture.verdicts import REASON_TEXT
from tests.synthetic import SW, Body, seen_from

P = PoseLM

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
            # the view, or the state of the body or face that hides them (a face in profile)
            reasons = {REASON_TEXT[hidden[m]][1] for m in clause.measurements}
            assert now.reason is not None and any(r in now.reason.en for r in reasons), (cid, now.reason)
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


def _at_desk(person_share: float | None, slope_deg: float = 0.0) -> Landmarks:
    """Forearms on a desk with the hips and thighs hidden, and a person mask that is the
    person in the top ``person_share`` of the picture under the arms (None: no mask, as in video)."""
    lm = Body().forearms_on_desk(slope_deg=slope_deg).hide(P.LEFT_HIP, P.RIGHT_HIP, P.LEFT_KNEE,
                                                           P.RIGHT_KNEE).landmarks()
    if person_share is None:
        return lm
    arms = lm.pose[[P.LEFT_ELBOW, P.RIGHT_ELBOW, P.LEFT_WRIST, P.RIGHT_WRIST], 1].max()
    top = round(arms + DESK_GAP_UNITS * SW)
    mask = np.zeros((lm.height, lm.width), np.uint8)
    mask[:top] = 255
    mask[top:top + round(person_share * (lm.height - top))] = 255
    return replace(lm, image=np.zeros((lm.height, lm.width, 3), np.uint8), person_mask=mask)


@pytest.mark.parametrize("share,slope,posture", [
    (0.0, 0.0, "sitting"), (DESK_MAX_PERSON_SHARE - 0.05, 0.0, "sitting"),  # a desk hides the body
    (DESK_MAX_PERSON_SHARE + 0.05, 0.0, "standing"), (1.0, 0.0, "standing"),  # the body goes on down
    (0.0, DESK_FOREARM_DEG - 5, "sitting"), (0.0, DESK_FOREARM_DEG + 5, "standing"),  # writing vs hanging
    (None, 0.0, "standing")])  # no person mask (video): no evidence either way
def test_a_desk_hiding_the_thighs_under_resting_forearms_means_seated(checker, share, slope, posture):
    report = checker.check_landmarks(_at_desk(share, slope)).report
    assert ("sitting" in report.scenarios) == (posture == "sitting"), report.scenario_reason.en
    assert ("desk hides" in report.scenario_reason.en) == (posture == "sitting")


def test_the_thighs_decide_before_the_desk(checker):
    lm = Body().forearms_on_desk().landmarks()  # standing at a desk, thighs seen
    mask = np.zeros((lm.height, lm.width), np.uint8)
    lm = replace(lm, image=np.zeros((lm.height, lm.width, 3), np.uint8), person_mask=mask)
    assert checker.check_landmarks(lm).report.scenarios == ["standing"]


@pytest.mark.parametrize("elbow,pointing", [(POINTING_MIN_ELBOW_DEG + 10, True), (POINTING_MIN_ELBOW_DEG - 10, False),
                                            (175, True), (120, False)])
def test_only_a_straight_raised_arm_is_taken_for_pointing(checker, elbow, pointing):
    """The elbow is read in 3D: a bent arm (hands folded, writing, holding a towel) is not a
    pointing arm even where the picture shows it straight."""
    report = checker.check_landmarks(Body().point("right", arm_deg=45, elbow_deg=elbow).landmarks()).report
    assert ("pointing" in report.scenarios) == pointing, report.scenario_reason.en


def test_an_arm_reaching_toward_the_camera_is_not_straight_for_pointing(checker):
    """Bent at 120 degrees toward the camera, the arm looks straight in the picture."""
    body = Body()
    shoulder = body.joints[int(P.RIGHT_SHOULDER)]
    elbow = shoulder + np.array([-60.0, 100.0, 0.0])
    body._set_arm("right", tuple(elbow), tuple(elbow + np.array([-36.0, 60.0, -120.0])))
    lm = body.landmarks()
    assert "pointing" not in checker.check_landmarks(lm).report.scenarios


def _hand_beside_face(gap_px: float, inside_face: bool = False) -> Landmarks:
    """A hand (21 points in a row, 30 px wrist to middle knuckle) beside the face at cheek
    height, its nearest point ``gap_px`` beyond the head's outline (the face mesh's outline
    widened over the ears); or, with ``inside_face``, lying wholly on the face (the hand model
    reading the face itself)."""
    lm = Body().landmarks()
    across, _, width, _ = face_frame(lm.face)
    cheek = lm.face[FaceLM.LEFT_CHEEK, :2]
    if inside_face:
        start, step = lm.face[FaceLM.NOSE_TIP, :2] - 10 * across, 1.0
    else:
        start, step = cheek + (HEAD_BESIDE_FACE * width + gap_px) * across, 3.0
    hand = np.array([[*(start + (20 - i) * step * across), 0.0] for i in range(21)])
    hand[HandLM.MIDDLE_MCP] = hand[HandLM.WRIST] - np.array([*(30.0 * across), 0.0])
    return replace(lm, left_hand=hand)


@pytest.mark.parametrize("gap,touch", [(-6.0, True), (0.05 * SW - 4, True), (0.05 * SW + 4, False), (40.0, False)])
def test_a_hand_beside_the_head_touches_only_within_the_head_outline(checker, gap, touch):
    """The head is the face widened over the ears (HEAD_BESIDE_FACE) and raised over the hair;
    a hand held up beside it (a gesture next to the face) is not on it. HD-TOUCH keeps its
    0.05-unit clearance (0.1 less 0.05) from that outline."""
    verdict = {c.id: c for c in checker.check_landmarks(_hand_beside_face(gap)).report.clauses}["HD-TOUCH"]
    assert verdict.verdict == ("fail" if touch else "pass"), verdict.values_text()


def test_a_hand_found_wholly_inside_the_face_is_the_face_itself(checker):
    verdict = {c.id: c for c in checker.check_landmarks(_hand_beside_face(0, inside_face=True)).report.clauses}
    assert verdict["HD-TOUCH"].verdict == "pass", verdict["HD-TOUCH"].values_text()


@pytest.mark.parametrize("arm_outside,touch", [(False, False), (True, True)])
def test_a_hand_found_wholly_inside_the_hair_is_not_a_hand(checker, arm_outside, touch):
    """The hand model reads hair as hands; a real hand on the hair comes from an arm outside
    the head's outline, so its wrist lies beyond it."""
    lm = Body().landmarks()
    across, down, _, height = face_frame(lm.face)
    top = lm.face[np.argmin(lm.face[:, :2] @ down), :2]
    hair = top - 0.2 * height * down
    hand = np.array([[*(hair + (i - 10) * 1.0 * across), 0.0] for i in range(21)])
    hand[HandLM.WRIST, :2] = hair - (0.8 if arm_outside else 0.1) * height * down
    hand[HandLM.MIDDLE_MCP] = hand[HandLM.WRIST] - np.array([*(30.0 * across), 0.0])
    verdict = {c.id: c for c in checker.check_landmarks(replace(lm, left_hand=hand)).report.clauses}["HD-TOUCH"]
    assert verdict.verdict == ("fail" if touch else "pass"), verdict.values_text()


def test_a_hand_held_beside_the_chin_is_not_on_the_face(checker):
    """Held at the corner of the face's bounding box, beside the jaw (a gesture next to the
    face), the hand is outside the head's outline: the box used to count it as a touch."""
    lm = Body().landmarks()
    corner = lm.face[:, :2].max(axis=0)
    hand = np.array([[*(corner + (20 - i) * 3.0), 0.0] for i in range(21)])
    hand[HandLM.MIDDLE_MCP] = hand[HandLM.WRIST] - np.array([25.0, 25.0, 0.0])
    verdict = {c.id: c for c in checker.check_landmarks(replace(lm, left_hand=hand)).report.clauses}["HD-TOUCH"]
    assert verdict.verdict == "pass", verdict.values_text()


@pytest.mark.parametrize("cut,in_view", [(0.5 * FACE_CUT_SLACK, True), (2 * FACE_CUT_SLACK, False)])
def test_a_face_crop_cutting_off_only_the_chin_tip_is_a_face_in_view(cut, in_view):
    """A tight face crop ends a few pixels above the chin's tip: no hand is over the face the
    picture shows, so it passes; a frame cutting off more of the face leaves it unjudged."""
    body = Body().landmarks()
    lm = replace(body, pose=None, pose_visibility=None, pose_world=None, left_hand=None, right_hand=None)
    lo, hi = lm.face[:, 1].min(), lm.face[:, 1].max()
    cropped = replace(lm, height=int(hi - cut * (hi - lo)))
    seen = face_seen_without_hands(cropped)
    assert (seen is not None and seen.value == 1.0) == in_view, seen


@pytest.mark.parametrize("yaw,read", [(MAX_YAW_FOR_PITCH_DEG - 5, True), (MAX_YAW_FOR_PITCH_DEG + 5, False),
                                      (-(MAX_YAW_FOR_PITCH_DEG + 5), False)])
def test_the_nod_of_a_face_seen_in_profile_is_not_read(yaw, read):
    lm = Body().turn_head(yaw=yaw).landmarks()
    hidden = hidden_measurements(lm, {"head_pitch_deg", "head_roll_deg"})
    assert ("head_pitch_deg" not in hidden) == read and "head_roll_deg" not in hidden
    if not read:
        assert hidden["head_pitch_deg"] == "face_in_profile"


@pytest.mark.parametrize("gap,hidden", [(EDGE_SHARE - 0.005, True), (EDGE_SHARE + 0.005, False)])
def test_a_shoulder_at_the_pictures_edge_does_not_tilt_the_shoulder_line(gap, hidden):
    # A man cut by the frame at a table's end: his shoulder point sat on the border, the line
    # through it read 30 degrees. Within EDGE_SHARE of the frame's longer side it is not judged.
    lm = Body().landmarks()
    pose = lm.pose.copy()
    edge = lm.width - 1 - gap * max(lm.width, lm.height)
    pose[:, 0] += edge - max(pose[P.LEFT_SHOULDER, 0], pose[P.RIGHT_SHOULDER, 0])  # moved right: a shoulder there
    moved = replace(lm, pose=pose)
    assert moved.seen(P.LEFT_SHOULDER) and moved.seen(P.RIGHT_SHOULDER)
    found = hidden_measurements(moved, {"shoulder_tilt_deg"})
    assert ("shoulder_tilt_deg" in found) == hidden
    if hidden:
        assert found["shoulder_tilt_deg"] == "shoulder_at_edge" and "shoulder_at_edge" in REASON_TEXT
