"""``posture eval``: its scoring rules, the command on the shipped photos, and accuracy
floors on a fixed subset of the labelled photos in ../shared/data (skipped, with the
reason, where that folder is absent, as on a fresh clone).

The floors sit a few photos below what the fixed subsets score today, so ordinary
numeric noise passes and a real regression (a changed threshold, a broken feature)
fails. The full-run figures they come from are in docs/EVALUATION.md.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from posture.evaluate import (
    TASKS,
    BinaryScore,
    Sample,
    evaluate_folder,
    read_labels,
    split_of,
    tasks_for,
)

DATA = Path(os.environ.get("POSTURE_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")

# Fixed subsets: the first photos of each label, in a hash order, from the test split
# (never used for fitting).
SMILE_PER_LABEL = 50  # 100 GENKI-4K faces
HANDS_PER_LABEL = 20  # 80 HaGRID photos: one, palm, stop, stop_inverted

# Today on these subsets: smile 94% (94% of the faces found; every face is found), head roll /
# yaw / pitch mean errors 0.8 / 3.2 / 5.1 degrees, one-finger vs open hand 94% (99% of the hands
# found), fingers together vs spread 90% (98%). Full test split: 94.98%, 0.9 / 3.7 / 5.2,
# 92.0%, 89.6% (docs/EVALUATION.md).
FLOORS = {"smile": 0.91, "smile_found": 0.91, "one-finger": 0.90, "one-finger_found": 0.95,
          "fingers-together": 0.85}
CEILINGS_DEG = {"roll": 1.5, "yaw": 4.5, "pitch": 6.5}
# Hand on face (HD-TOUCH), 30 photos per label of the test half: balanced accuracy today 85% on
# GENKI-4K (21 of 30 touches, 30 of 30 faces without), 94% on HaGRID (14 of 16, 30 of 30).
TOUCH_PER_LABEL = 30
TOUCH_FLOORS = {"genki4k": 0.8, "hagrid-512": 0.88}


def labelled(name: str) -> Path:
    folder = DATA / name
    if not (folder / "labels.csv").exists():
        pytest.skip(f"labelled photos not found at {folder}: accuracy floors need the shared evaluation "
                    "data (../shared/data beside the repository, or POSTURE_DATA=<folder>)")
    return folder


def test_a_photo_without_a_verdict_counts_as_a_wrong_answer():
    score = BinaryScore()
    score.add(True, True)
    score.add(True, None)  # a smiling face the engine did not find
    score.add(False, False)
    score.add(False, None)
    assert score.n == 4 and score.no_detection == 2
    assert score.accuracy == 0.5
    assert score.accuracy_found == 1.0
    assert score.recall == 0.5  # the missed face is a missed "yes"
    assert score.precision == 0.5  # the unseen "no" counts against the "yes" answers


def test_split_depends_only_on_the_file_name_and_halves_the_photos():
    names = [f"images/file{i:04d}.jpg" for i in range(2000)]
    splits = [split_of(n) for n in names]
    assert splits == [split_of(n) for n in names]
    assert split_of("a/b/file0001.jpg") == split_of("other/file0001.jpg")
    assert 0.45 < splits.count("fit") / len(splits) < 0.55


def test_labels_with_several_tags_choose_the_tasks(tmp_path):
    (tmp_path / "labels.csv").write_text("file,label\na.jpg,smile;one\nb.jpg,non_smile;palm\nc.jpg,stop\n",
                                         encoding="utf-8")
    samples = read_labels(tmp_path)
    assert samples[0].tags == frozenset({"smile", "one"})
    names = {t.name for t in tasks_for(samples)}
    assert {"smile", "one-finger", "one-finger-any", "fingers-extended", "fingers-together"} <= names
    only_faces = [Sample("x.jpg", frozenset({"smile"}), "fit"), Sample("y.jpg", frozenset({"non_smile"}), "fit")]
    assert [t.name for t in tasks_for(only_faces)] == ["smile"]
    assert TASKS["smile"].truth(frozenset({"smile"})) is True
    assert TASKS["smile"].truth(frozenset({"one"})) is None  # not part of the smile task


def test_eval_command_on_the_shipped_photos(tmp_path, samples, capsys):
    from posture.cli import main

    rows = {"astronaut_smile.png": "smile", "hagrid_one_neutral.jpg": "non_smile;one",
            "hagrid_palm.jpg": "non_smile;palm"}
    for name in rows:
        shutil.copy(samples / name, tmp_path / name)
    (tmp_path / "labels.csv").write_text("file,label\n" + "".join(f"{k},{v}\n" for k, v in rows.items()),
                                         encoding="utf-8")
    out = tmp_path / "figures.json"
    assert main(["eval", str(tmp_path), "--json", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "smile" in printed and "one-finger" in printed and "ms" in printed
    figures = json.loads(out.read_text(encoding="utf-8"))
    smile = figures["tasks"]["smile"]["all"]
    assert (smile["n"], smile["tp"], smile["tn"], smile["accuracy"]) == (3, 1, 2, 1.0)
    point = figures["tasks"]["one-finger"]["all"]
    assert (point["n"], point["tp"], point["tn"]) == (2, 1, 1)
    assert figures["ms_per_photo"] > 0


def test_eval_command_refuses_a_folder_without_labels(tmp_path, capsys):
    from posture.cli import EXIT_BAD_INPUT, main

    assert main(["eval", str(tmp_path), "-q"]) == EXIT_BAD_INPUT
    assert "labels.csv" in capsys.readouterr().err


@pytest.mark.slow
def test_smile_and_head_pose_stay_above_their_floors(checker):
    ev = evaluate_folder(labelled("genki4k"), tasks=["smile", "head-pose"], split="test",
                         limit_per_label=SMILE_PER_LABEL, checker=checker)
    smile = ev.binary["smile"]["all"]
    assert smile.n == 2 * SMILE_PER_LABEL
    assert smile.accuracy >= FLOORS["smile"], smile.as_dict()
    assert smile.accuracy_found >= FLOORS["smile_found"], smile.as_dict()
    pose = ev.pose["all"]
    for angle, ceiling in CEILINGS_DEG.items():
        assert pose.summary(angle)["mean"] <= ceiling, (angle, pose.summary(angle))


@pytest.mark.slow
def test_one_finger_point_and_finger_spread_stay_above_their_floors(checker):
    ev = evaluate_folder(labelled("hagrid-512"), tasks=["one-finger", "fingers-together"], split="test",
                         limit_per_label=HANDS_PER_LABEL, checker=checker)
    one = ev.binary["one-finger"]["all"]
    assert one.n == 4 * HANDS_PER_LABEL
    assert one.accuracy >= FLOORS["one-finger"], one.as_dict()
    assert one.accuracy_found >= FLOORS["one-finger_found"], one.as_dict()
    together = ev.binary["fingers-together"]["all"]
    assert together.accuracy >= FLOORS["fingers-together"], together.as_dict()


# Grooming floors on a fixed part of the test half (docs/EVALUATION.md "Grooming"): this part
# scores facial hair 80.9%, fringe 83.5 (80.4 before stop 26 read it at twice the size),
# lipstick 87.9, loose hair 86.2, earrings 67.4, hair colour 79.3 (before the appearance
# models: 78.4, 78.8, 75.7, 72.3, 56.0, 77.9); each floor is about three standard errors of
# its 60-170 labelled positives under it.
GROOMING_PER_LABEL = 12
GROOMING_FLOORS = {"facial-hair": 0.72, "fringe": 0.7, "lipstick": 0.75, "loose-long-hair": 0.75,
                   "dangling-earring": 0.58, "hair-colour": 0.7}


@pytest.mark.slow
def test_grooming_measurements_stay_above_their_floors(checker):
    ev = evaluate_folder(labelled("genki4k"), tasks=list(GROOMING_FLOORS), split="test",
                         limit_per_label=GROOMING_PER_LABEL, checker=checker)
    for task, floor in GROOMING_FLOORS.items():
        score = ev.binary[task]["all"]
        assert score.tp + score.fn > 0 and score.tn + score.fp > 0, task
        assert score.balanced_found >= floor, (task, score.as_dict())


# Ties on HaGRID's people, none of whom wears one: 7 of its 218 in the test half are said to wear
# one today (the tie's shape under the chin, stop 25), 45 before; of the 60 here 3 today, 8 before.
TIE_FREE_PHOTOS = 60


@pytest.mark.slow
def test_people_without_a_tie_are_seldom_said_to_wear_one(checker):
    ev = evaluate_folder(labelled("hagrid-512"), tasks=["necktie"], split="test",
                         limit_per_label=TIE_FREE_PHOTOS, checker=checker)
    score = ev.binary["necktie"]["all"]
    judged = score.tn + score.fp  # for the tie task "yes" is a tie (GR-UNIFORM passes)
    assert judged >= 40 and score.fp <= 0.1 * judged, score.as_dict()


# Headwear (a hat hides every hair clause, "not visible (headwear)"), 30 hats and 150 bare
# heads of GENKI's test half: its model finds 47 of the half's 99 hats for 10 false of 1,431;
# before it read the face's appearance, 4 hats for 2 false.
HEADWEAR_PHOTOS = {"yes": 30, "no": 150}


@pytest.mark.slow
def test_hats_are_found_and_bare_heads_left_alone(checker):
    from posture.evaluate import _rank
    from posture.images import decode_image
    from posture.measure.grooming import wears_headwear

    folder = labelled("genki4k")
    said: dict[str, list[bool]] = {"yes": [], "no": []}
    for label, n in HEADWEAR_PHOTOS.items():
        rows = sorted((s for s in read_labels(folder) if s.split == "test" and f"headwear:{label}" in s.tags),
                      key=lambda s: _rank(s.file))[:n]
        for s in rows:
            lm = checker.detector.detect(decode_image(folder / s.file))
            said[label].append(lm.face is not None and wears_headwear(lm))
    assert sum(said["yes"]) >= 7, said["yes"]  # 12 of 30 today; 2 before
    assert sum(said["no"]) <= 4, said["no"]  # 1 of 150 today


@pytest.mark.slow
@pytest.mark.parametrize("folder", sorted(TOUCH_FLOORS))
def test_hand_on_face_stays_above_its_floor(checker, folder):
    ev = evaluate_folder(labelled(folder), tasks=["hand-on-face"], split="test", limit_per_label=TOUCH_PER_LABEL,
                         checker=checker)
    touch = ev.binary["hand-on-face"]["all"]
    assert touch.balanced_accuracy >= TOUCH_FLOORS[folder], touch.as_dict()
    assert touch.none_neg <= 2, "a face in full view without a hand must be judged, not 'not visible'"


def test_attribute_columns_become_tags_and_undecided_cells_none(tmp_path):
    (tmp_path / "labels.csv").write_text("file,label\na.jpg,smile\nb.jpg,sitting_upright\n", encoding="utf-8")
    (tmp_path / "grooming.csv").write_text("file,hand_on_face,sex\na.jpg,yes,f\nb.jpg,?,m\n", encoding="utf-8")
    a, b = read_labels(tmp_path)
    assert {"smile", "hand_on_face:yes", "sex:f"} <= a.tags
    assert "hand_on_face:?" not in b.tags and TASKS["hand-on-face"].truth(b.tags) is None
    assert TASKS["hand-on-face"].truth(a.tags) is True


def test_an_uncertain_tag_of_the_other_answer_leaves_the_photo_out():
    upright = TASKS["sitting-upright"]
    assert upright.truth(frozenset({"sitting_upright"})) is True
    assert upright.truth(frozenset({"sitting_slouched_or_reclined", "uncertain:sitting_upright"})) is None
    # for sitting vs standing the same photo is certainly seated
    assert TASKS["sitting"].truth(frozenset({"legs_crossed_seated", "uncertain:sitting_upright"})) is True


def test_balanced_accuracy_weighs_both_answers_alike():
    score = BinaryScore()
    for _ in range(9):
        score.add(False, False)
    score.add(True, None)  # the one touch, not judged
    assert score.accuracy == 0.9 and score.balanced_accuracy == 0.5


def test_a_photo_of_several_is_scored_on_its_people_largest_first():
    """The main person first (the one the report puts first: the largest judged), then the
    others by size; a larger face listed as too small is left out; nobody found: the
    landmarks of nobody, alone."""
    from posture.evaluate import people_landmarks
    from posture.landmarks import Landmarks, People, Person

    def person(i: int, box, too_small: bool = False) -> Person:
        return Person(i, box, Landmarks(640, 480, faces_in_frame=i), too_small=too_small)

    people = People(640, 480, (person(1, (0, 0, 100, 300)), person(2, (200, 0, 420, 400)),
                               person(3, (300, 0, 640, 480), too_small=True)))
    assert [lm.faces_in_frame for lm in people_landmarks(people)] == [2, 1]
    (nobody,) = people_landmarks(People(640, 480))
    assert (nobody.width, nobody.pose, nobody.face) == (640, None, None)
