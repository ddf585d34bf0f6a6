"""The session result and the score (posture.results): one definition for every page."""

from __future__ import annotations

import pytest
from sequences import LandmarkChecker
from synthetic import Body

from posture.results import session_result, weighted_score


def test_score_is_weighted_by_severity_as_documented(standard):
    weights = standard.settings.severity_weights
    assert (weights["critical"], weights["major"], weights["minor"]) == (4, 2, 1)
    # A failed critical clause costs four times a failed minor one.
    assert weighted_score([("critical", "fail"), ("minor", "pass")], weights) == pytest.approx(100 / 5)
    assert weighted_score([("critical", "pass"), ("minor", "fail")], weights) == pytest.approx(400 / 5)
    assert weighted_score([("major", "not_visible")], weights) is None


def test_a_photo_with_most_clauses_not_visible_says_so_beside_its_score(standard):
    report = LandmarkChecker(standard).check_landmarks(Body().landmarks(), scenario="standing").report
    s = report.score
    assert (s.judged, s.total) == (s.passed + s.failed, len(report.clauses))
    assert f"{s.judged} of {s.total} clauses judged" in s.text("en") and "/100" in s.text("en")
    few = s.model_copy(update={"passed": 2, "failed": 0, "judged": 2, "not_visible": s.total - 2, "overall": 100.0})
    assert "most not visible" in few.text("en") and "多数看不到" in few.text("zh")
    assert "most not visible" not in s.text("en")


def test_session_result_leaves_out_skipped_steps_and_combines_steps():
    rows = [("PT-ONE-FINGER", "pass", False), ("PT-ONE-FINGER", "fail", False),  # two pointing steps
            ("EX-SMILE", "pass", False), ("ST-HEAD", "not_visible", True)]  # a skipped step
    r = session_result(rows)
    assert r.verdicts == {"PT-ONE-FINGER": "fail", "EX-SMILE": "pass"}
    assert (r.passed, r.failed, r.judged, r.not_visible) == (1, 1, 2, 0)
