"""The group's live view, fed a frame of two real single-person photos side by side with a
controlled clock: the trainees go to the people left to right, each person is checked under
their own trainee's profile with their own sequence, the routine judges each trainee on
their own person, a person who leaves and comes back keeps their trainee, a person not
assigned is drawn but not recorded, and the trainer can choose who is who."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from posture.images import decode_image
from posture.routine import GroupRoutineRun, Step
from posture.standards import Text
from posture.webapp.live_group import GroupLiveProcessor, Member, draw_group

pytestmark = pytest.mark.slow

HEIGHT = 480
SMILE = Step("smile", Text(zh="微笑", en="Smile"), Text(zh="笑", en="smile"), "standing",
             ("EX-SMILE", "EX-SMILE-MODERATE"), "face", hold_s=1.0)
WANG, LI = Member(1, "王芳", "female"), Member(2, "李雷", "male")


def _photo(samples, name: str) -> np.ndarray:
    rgb = decode_image(samples / name)
    return cv2.resize(rgb, (round(rgb.shape[1] * HEIGHT / rgb.shape[0]), HEIGHT), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def frames(samples):
    """Selfie views as the processor sees them: the neutral face with the raised finger on
    the left of the screen, the smiling astronaut on the right; and the astronaut gone."""
    neutral, smiling = _photo(samples, "hagrid_one_neutral.jpg"), _photo(samples, "astronaut_smile.png")
    both = np.ascontiguousarray(np.hstack([neutral, smiling]))
    alone = np.ascontiguousarray(np.hstack([neutral, np.full_like(smiling, 235)]))
    return both, alone


@pytest.fixture()
def processor(standard):
    p = GroupLiveProcessor(standard, show_after_s=0.5, clear_after_s=0.5)
    p.configure(scenario="auto", profile="any", lang="zh", show_after_s=0.5, clear_after_s=0.5)
    yield p
    p.on_ended()


def _by_name(processor) -> dict[str, object]:
    return {p.trainee.name: p for p in processor.group_state.people if p.trainee is not None}


def test_two_trainees_left_to_right_each_with_their_own_profile_sequence_and_routine(processor, frames):
    both, alone = frames
    processor.set_group([WANG, LI])
    t = 0.0
    for _ in range(4):
        processor.process(both, t)
        t += 0.25
    people = processor.group_state.people
    assert [p.trainee.name for p in people] == ["王芳", "李雷"]  # left to right as shown
    assert [p.x < 0.5 for p in people] == [True, False]
    wang, li = _by_name(processor)["王芳"], _by_name(processor)["李雷"]
    assert (wang.report.profile, li.report.profile) == ("female", "male")  # each checked as their trainee
    # Their own sequence: only the neutral face fails the smile, only she points with one finger.
    assert {"EX-SMILE", "PT-ONE-FINGER"} <= wang.shown and not {"EX-SMILE", "PT-ONE-FINGER"} & li.shown
    picture = processor.compose(both)
    assert picture.shape == both.shape and (picture != both).any()

    processor.start_routine([SMILE])
    run = None
    while run is None and t < 15:
        processor.process(both, t)
        run = processor.finished_routine()
        t += 0.5  # 1 s placed, 3 s countdown, 1 s hold
    assert isinstance(run, GroupRoutineRun)
    [wang_step], [li_step] = run.by_trainee[WANG.id], run.by_trainee[LI.id]
    verdicts = {o.clause: o.verdict for o in wang_step.outcomes}, {o.clause: o.verdict for o in li_step.outcomes}
    assert verdicts[0]["EX-SMILE"] == "fail" and verdicts[1]["EX-SMILE"] == "pass"
    assert wang_step.frames > 0 and li_step.frames > 0
    assert run.results[0].outcomes == []  # the group's own step carries no verdict

    # Li walks out and back: re-identified, still Li, with the same number.
    li_id = _by_name(processor)["李雷"].id
    for frame in (alone, alone, both):
        processor.process(frame, t)
        t += 0.25
        if frame is alone:
            assert [m.name for m in processor.group_state.absent] == ["李雷"]
    assert _by_name(processor)["李雷"].id == li_id and processor.assignment[li_id] == LI.id


def test_a_person_not_assigned_is_drawn_not_recorded_and_the_trainer_chooses_who_is_who(processor, frames):
    both, _ = frames
    processor.set_group([LI])
    processor.process(both, 0.0)
    left, right = processor.group_state.people
    assert left.trainee == LI and right.trainee is None  # Li took the first free person, on the left
    # The trainer: the person on the right is Li, the one on the left is none of the group.
    processor.assign(right.id, LI.id)
    processor.assign(left.id, None)
    processor.process(both, 0.25)
    assert processor.assignment == {right.id: LI.id}
    processor.start_routine([SMILE])
    t, run = 0.5, None
    while run is None and t < 15:
        processor.process(both, t)
        run = processor.finished_routine()
        t += 0.5
    assert list(run.by_trainee) == [LI.id]
    assert {o.clause: o.verdict for o in run.by_trainee[LI.id][0].outcomes}["EX-SMILE"] == "pass"  # the astronaut
    # Left to right again: Li back to the leftmost person.
    processor.assign_left_to_right()
    assert processor.assignment == {left.id: LI.id}


def test_each_person_is_drawn_with_their_number_name_and_failing_clauses(processor, frames):
    both, _ = frames
    processor.set_group([WANG])
    for i in range(4):
        processor.process(both, 0.25 * i)
    state = processor.group_state
    result = processor._checker.check_rgb(both, mirrored=True)  # the same people, for the drawing
    plain = draw_group(both, result, [], None, "zh")
    tagged = draw_group(both, result, list(state.people), None, "zh")
    # Above each face a dark tag: the name and red clause lines for the failing person.
    changed = (tagged != plain).any(axis=2)
    half = both.shape[1] // 2
    assert changed[:, :half].sum() > 500 and changed[:, half:].sum() > 200
    reds = (tagged[..., 0] > 200) & (tagged[..., 1] < 120) & changed
    assert reds[:, :half].sum() > reds[:, half:].sum()  # the neutral face fails more
