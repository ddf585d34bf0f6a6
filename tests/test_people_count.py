"""``posture eval --task people``'s scoring: the labelled counts read from tags and from the
grooming files, when a count is right (exact up to 4, within one above, "at least N"), and
the labelled people found (each photo's count up to its label)."""

from __future__ import annotations

from pathlib import Path

import pytest

from posture.people_count import PeopleScore, Truth, evaluate_people, labelled_counts, truth_from_tags


def test_a_count_is_exact_up_to_four_and_within_one_above():
    assert Truth(4).accepts(4) and not Truth(4).accepts(3) and not Truth(4).accepts(5)
    assert Truth(5).accepts(4) and Truth(5).accepts(6) and not Truth(5).accepts(3)
    assert Truth(2, at_least=True).accepts(7) and not Truth(2, at_least=True).accepts(1)
    assert Truth(20, at_least=True).accepts(19) and not Truth(20, at_least=True).accepts(18)


def test_tags_give_the_count():
    assert truth_from_tags({"people_count:8+", "upper_body"}) == Truth(8, at_least=True)
    assert truth_from_tags({"people_count:3"}) == Truth(3)
    assert truth_from_tags({"two_people"}) == Truth(2)
    assert truth_from_tags({"multiple_people"}) == Truth(2, at_least=True)
    assert truth_from_tags({"casual"}) == Truth(1)


def test_labels_come_from_the_grooming_file_first(tmp_path: Path):
    (tmp_path / "labels.csv").write_text("file,label\na.jpg,people_count:3\n", encoding="utf-8")
    assert labelled_counts(tmp_path) == {"a.jpg": Truth(3)}
    (tmp_path / "grooming.csv").write_text("file,people\na.jpg,2\nb.jpg,?\nc.jpg,4+\n", encoding="utf-8")
    assert labelled_counts(tmp_path) == {"a.jpg": Truth(2), "c.jpg": Truth(4, at_least=True)}  # "?": not labelled
    with pytest.raises(FileNotFoundError):
        labelled_counts(tmp_path / "empty")


def test_people_found_counts_each_photo_up_to_its_label():
    score = PeopleScore()
    score.add("pair.jpg", Truth(2), 1)  # one of two missed
    score.add("six.jpg", Truth(6), 9)  # three too many: six found, not nine
    score.add("crowd.jpg", Truth(20, at_least=True), 0)
    assert (score.photos, score.right, score.none_missed) == (3, 0, 1)
    assert (score.people_found, score.labelled_people) == (7, 28)
    assert "labelled people found 7/28 (25.0%)" in score.format("f")
    assert [w[0] for w in score.wrong] == ["pair.jpg", "six.jpg", "crowd.jpg"]


def test_evaluate_people_counts_with_the_given_counter(tmp_path: Path):
    (tmp_path / "labels.csv").write_text("file,label\nduo.jpg,people_count:2\nsolo.jpg,casual\n",
                                         encoding="utf-8")
    counts = {"duo.jpg": 2, "solo.jpg": 2}
    score = evaluate_people(tmp_path, None, count=lambda _checker, path: counts[path.name])
    assert (score.photos, score.right, score.people_found, score.labelled_people) == (2, 1, 3, 3)
    assert score.wrong == [("solo.jpg", "1", 2)]
