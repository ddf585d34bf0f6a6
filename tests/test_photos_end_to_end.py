"""End to end on real photos in sample_images/: file -> report."""

from __future__ import annotations

import pytest


def verdicts(report) -> dict[str, str]:
    return {c.id: c.verdict for c in report.clauses}


def test_smiling_face_passes_smile(checker, samples):
    result, _ = checker.check_file(samples / "astronaut_smile.png")
    assert verdicts(result.report)["EX-SMILE"] == "pass"


@pytest.mark.parametrize("photo", ["hagrid_one_neutral.jpg", "hagrid_palm.jpg"])
def test_neutral_face_fails_smile(checker, samples, photo):
    result, _ = checker.check_file(samples / photo)
    assert verdicts(result.report)["EX-SMILE"] == "fail"


def test_one_finger_point_is_caught(checker, samples):
    result, _ = checker.check_file(samples / "hagrid_one_neutral.jpg")
    assert verdicts(result.report)["PT-ONE-FINGER"] == "fail"


def test_open_palm_is_not_a_one_finger_point(checker, samples):
    result, _ = checker.check_file(samples / "hagrid_palm.jpg")
    assert verdicts(result.report)["PT-ONE-FINGER"] == "pass"


def test_feet_not_visible_on_upper_body_photo(checker, samples):
    for profile, clause in (("female", "ST-FEET-F"), ("male", "ST-FEET-M")):
        result, _ = checker.check_file(samples / "astronaut_smile.png", scenario="standing", profile=profile)
        assert verdicts(result.report)[clause] == "not_visible"
        assert "heel_gap_sw" in next(c for c in result.report.clauses if c.id == clause).missing


def test_auto_scenario_sees_a_seated_person(checker, samples):
    result, _ = checker.check_file(samples / "hagrid_stop_sitting.jpg")
    assert result.report.scenarios == ["sitting"]
    assert "sitting" in result.report.scenario_reason.en
