"""The pre-shift routine: steps as data, per-step verdicts from frames, the timed run, and
the group's weakest clauses."""

from __future__ import annotations

import pytest
from sequences import LandmarkChecker, bump, with_irises
from synthetic import Body

from posture.placement import check_placement
from posture.routine import (
    STEPS,
    ClauseOutcome,
    Frame,
    RoutineRun,
    Step,
    judge_by_majority,
    judge_step,
    routine_steps,
    trainee_table,
    weakest_clauses,
)
from posture.standards import Text
from tests.synthetic import POINTING_LEFT, frame, person

SMILE = next(s for s in STEPS if s.key == "smile")
POINT_LEFT = next(s for s in STEPS if s.key == "point-left")
POINT_RIGHT = next(s for s in STEPS if s.key == "point-right")
GREET = next(s for s in STEPS if s.key == "greet")


@pytest.fixture(scope="module")
def smiling(checker, samples):
    return checker.check_file(samples / "astronaut_smile.png", scenario="standing")[0]


@pytest.fixture(scope="module")
def neutral(checker, samples):
    return checker.check_file(samples / "hagrid_one_neutral.jpg", scenario="standing")[0]


def verdict(outcomes: list[ClauseOutcome], clause: str) -> str:
    return next(o.verdict for o in outcomes if o.clause == clause)


def test_steps_are_data_that_name_real_clauses(standard):
    keys = [s.key for s in STEPS]
    assert keys == ["grooming", "stand", "smile", "point-left", "point-right", "greet", "sit-desk"]
    for step in STEPS:
        assert step.scenario in ("grooming", "standing", "sitting", "pointing")
        for clause in step.clauses + step.always:
            assert clause in standard.by_id, (step.key, clause)
    assert [s.key for s in routine_steps(has_desk=False)] == keys[:-1]
    assert routine_steps(has_desk=True)[-1].needs_desk
    assert [s.key for s in STEPS if s.needs_video] == ["greet"]  # a bow cannot be judged from one snapshot


@pytest.mark.slow
def test_majority_of_frames_decides(smiling, neutral):
    mostly_smiling = [Frame(i * 0.1, r) for i, r in enumerate([smiling, smiling, smiling, neutral])]
    result = judge_step(SMILE, mostly_smiling)
    assert verdict(result.outcomes, "EX-SMILE") == "pass"
    smile = next(o for o in result.outcomes if o.clause == "EX-SMILE")
    assert (smile.passed, smile.failed, smile.frames) == (3, 1, 4)
    mostly_neutral = [Frame(i * 0.1, r) for i, r in enumerate([neutral, neutral, smiling])]
    assert verdict(judge_step(SMILE, mostly_neutral).outcomes, "EX-SMILE") == "fail"


@pytest.mark.slow
def test_clauses_not_in_the_profile_are_left_out(checker, smiling):
    stand = next(s for s in STEPS if s.key == "stand")
    outcomes, _ = judge_by_majority(stand, [Frame(0.0, smiling)])
    clauses = {o.clause for o in outcomes}
    assert "HD-FOLD-F" not in clauses and "HD-FOLD-M" not in clauses  # profile "any"
    female = checker.check_landmarks(smiling.landmarks, scenario="standing", profile="female")
    outcomes, _ = judge_by_majority(stand, [Frame(0.0, female)])
    clauses = {o.clause for o in outcomes}
    assert clauses >= {"HD-FOLD-F", "ST-FEET-F"} and "HD-FOLD-M" not in clauses
    # The astronaut's feet are out of the picture: not visible, never pass or fail.
    assert verdict(outcomes, "ST-FEET-F") == "not_visible"


@pytest.mark.slow
def test_pointing_step_counts_only_the_requested_side(checker):
    pointing = checker.check_landmarks(person(POINTING_LEFT), scenario="pointing")
    left = judge_step(POINT_LEFT, [Frame(0.0, pointing), Frame(0.1, pointing)])
    assert left.note is None
    assert verdict(left.outcomes, "PT-ANGLE") == "pass"  # 45 degrees, as drawn
    right = judge_step(POINT_RIGHT, [Frame(0.0, pointing), Frame(0.1, pointing)])
    assert right.note is not None and "pointed the other way" in right.note.en
    assert all(o.verdict == "not_visible" for o in right.outcomes)
    # The forbidden gesture is still looked for on every frame (no hands drawn here: not visible).
    assert {o.clause: o.frames for o in right.outcomes}["PT-ONE-FINGER"] == 2
    assert {o.clause: o.frames for o in right.outcomes}["PT-ANGLE"] == 0


@pytest.mark.slow
def test_a_one_finger_point_fails_a_pointing_step_whatever_the_arm(neutral, checker):
    one_finger = checker.check_landmarks(neutral.landmarks, scenario="pointing")
    result = judge_step(POINT_LEFT, [Frame(0.0, one_finger)])
    assert verdict(result.outcomes, "PT-ONE-FINGER") == "fail"
    assert verdict(result.outcomes, "PT-PALM") == "not_visible"


def greeting_frames(standard, smile: bool, profile: str = "female", fps: float = 10.0) -> list[Frame]:
    """The frames of the greet step's hold: standing still, then an 18-degree bow from 1.5 s
    (down 0.8 s, held 0.4 s, up 0.8 s), hands folded, smiling or not."""
    checker = LandmarkChecker(standard)

    def body(t: float) -> Body:
        b = Body().hands_folded()
        return (b.smiling() if smile else b).lean_forward(bump(t, 1.5, 0.8, 0.4, 0.8, 18))

    return [Frame(i / fps, checker.check_landmarks(with_irises(body(i / fps).landmarks()), scenario="standing",
                                                   profile=profile))
            for i in range(int(GREET.hold_s * fps))]


@pytest.mark.parametrize(("smile", "expected", "words"), [
    (True, {"BW-BOW": "pass", "BW-SMILE": "pass", "BW-HANDS": "pass"}, "bow 18°"),
    (False, {"BW-BOW": "pass", "BW-SMILE": "fail", "BW-HANDS": "pass"}, "no smile: a failed greeting"),
])
def test_the_greet_step_is_judged_over_time(standard, smile, expected, words):
    frames = greeting_frames(standard, smile)
    result = judge_step(GREET, frames)
    assert {o.clause: o.verdict for o in result.outcomes} == expected
    assert {o.frames for o in result.outcomes} == {len(frames)} == {80}  # 8 s at 10 frames per second
    assert words in result.note.en


def test_a_greet_step_without_frames_is_not_visible():
    result = judge_step(GREET, [])
    assert {o.verdict for o in result.outcomes} == {"not_visible"}
    assert result.note.en == "no frames were received during this step"


def test_no_frames_is_said():
    result = judge_step(SMILE, [])
    assert result.note.en == "no frames were received during this step"
    assert {o.verdict for o in result.outcomes} == {"not_visible"}


@pytest.mark.slow
def test_timed_run_places_counts_down_holds_and_judges(smiling):
    steps = [SMILE, Step("smile-again", Text(zh="再笑", en="again"), Text(zh="笑", en="smile"), "standing",
                         ("EX-SMILE",), "upper", hold_s=1.0)]
    run = RoutineRun(steps, prepare_s=2.0, placement_hold_s=0.5)
    good = check_placement(frame(), person(), "upper")
    bad = check_placement(frame(20), person(), "upper")
    status = run.feed(0.0, smiling, bad)
    assert status.phase == "place" and "too dark" in status.problems[0].en
    assert run.feed(5.0, smiling, bad).phase == "place"  # nothing starts while the set-up is wrong
    t = 5.0
    phases = []
    while not run.done and t < 30:
        t += 0.1
        status = run.feed(t, smiling, good, picture=frame(1))
        phases.append((status.index, status.phase))
        if status.phase == "prepare":
            assert 0.0 <= status.remaining_s <= 2.0
    assert run.done and len(run.results) == 2
    # Step 1: 0.5 s placement + 2 s countdown + 3 s hold; step 2 then starts over.
    first_hold = next(i for i, p in enumerate(phases) if p == (0, "hold"))
    assert 24 <= first_hold <= 28  # frames 0.1 s apart; float steps may add one or two
    assert (1, "prepare") in phases and (1, "hold") in phases
    assert run.results[0].frames == pytest.approx(31, abs=1)
    assert verdict(run.results[0].outcomes, "EX-SMILE") == "pass"
    assert run.results[0].picture is not None
    assert run.status(t).phase == "done"


@pytest.mark.slow
def test_skip_records_a_skipped_step(smiling):
    run = RoutineRun([SMILE, POINT_LEFT], prepare_s=0.0, placement_hold_s=0.0)
    run.skip()
    assert run.results[0].skipped and run.results[0].note.en == "skipped"
    assert run.status(0.0).step is POINT_LEFT
    run.skip()
    assert run.done
    run.skip()  # nothing left to skip
    assert len(run.results) == 2


def test_weakest_clauses_of_a_group():
    rows = [
        ("Wang", "EX-SMILE", "fail"), ("Wang", "PT-ONE-FINGER", "pass"), ("Wang", "PT-ONE-FINGER", "fail"),
        ("Li", "EX-SMILE", "fail"), ("Li", "PT-ONE-FINGER", "pass"), ("Li", "ST-FEET-F", "not_visible"),
        ("Zhao", "EX-SMILE", "pass"), ("Zhao", "PT-ONE-FINGER", "pass"),
    ]
    table = trainee_table([(*r, False) for r in rows])
    assert table["Wang"]["PT-ONE-FINGER"] == "fail"  # failed in one of two steps
    assert table["Li"]["ST-FEET-F"] == "not_visible"
    stats = weakest_clauses(table)
    assert [s.clause for s in stats] == ["EX-SMILE", "PT-ONE-FINGER", "ST-FEET-F"]
    assert (stats[0].failed, stats[0].judged) == (2, 3)
    assert stats[0].fail_share == pytest.approx(2 / 3)
    assert stats[2].judged == 0 and stats[2].fail_share == 0.0


def test_a_group_run_judges_each_trainee_on_their_own_person_and_skips_for_everyone(smiling, neutral):
    """Two people in every frame (the smiling one as person 1, the neutral one as 2), a third
    person never assigned: each trainee's step is judged on their own person's frames, in
    their own profile's clauses when skipped; nobody else is recorded."""
    from dataclasses import replace

    from posture.routine import GroupRoutineRun

    def framed(*people: object) -> object:
        everyone = tuple(replace(p, report=p.report.model_copy(update={"id": i}))
                         for i, p in enumerate(people, start=1))
        return replace(everyone[0], people=everyone)

    stand = next(s for s in STEPS if s.key == "stand")
    run = GroupRoutineRun([SMILE, stand], {10: "female", 20: "male"}, prepare_s=0.0, placement_hold_s=0.0)
    run.assignment = {1: 20, 2: 10}
    t = 0.0
    while run.index == 0 and t < 10:
        run.feed(t, framed(smiling, neutral, smiling), picture=frame(1))
        t += 0.25
    run.skip()
    assert run.done and list(run.by_trainee) == [10, 20]
    (wang_smile, wang_stand), (li_smile, li_stand) = run.by_trainee[10], run.by_trainee[20]
    assert verdict(wang_smile.outcomes, "EX-SMILE") == "fail" and verdict(li_smile.outcomes, "EX-SMILE") == "pass"
    assert wang_smile.frames == li_smile.frames == run.results[0].frames > 0
    assert wang_stand.skipped and li_stand.skipped and run.results[1].skipped
    skipped = {o.clause for o in wang_stand.outcomes}, {o.clause for o in li_stand.outcomes}
    assert "HD-FOLD-F" in skipped[0] - skipped[1] and "HD-FOLD-M" in skipped[1] - skipped[0]
    assert run.results[0].outcomes == [] and run.results[0].picture is not None
