"""The pipeline's contract: handedness for selfie input, scenarios, the report's shape and
the annotated picture."""

from __future__ import annotations

import json

import numpy as np
from synthetic import Body, transformed

from posture.annotate import GREEN, RED, SHORT_NAMES, _labels, annotate
from posture.images import decode_image
from posture.landmarks import PoseLM
from posture.report import REPORT_VERSION


def test_selfie_input_keeps_the_persons_own_hands(checker, samples):
    rgb = decode_image(samples / "hagrid_one_neutral.jpg")
    straight = checker.detector.detect(rgb)
    selfie = checker.detector.detect(np.ascontiguousarray(rgb[:, ::-1]), mirrored=True)
    # The raised hand is the person's right hand, whichever way the camera shows it.
    assert straight.right_hand is not None and selfie.right_hand is not None
    assert np.abs(straight.right_hand - selfie.right_hand)[:, :2].max() < 4.0  # px; MediaPipe jitters slightly
    # Fed a mirrored frame without saying so, MediaPipe would call it the left hand.
    naive = checker.detector.detect(np.ascontiguousarray(rgb[:, ::-1]))
    assert naive.left_hand is not None
    wrist_x = naive.pose[PoseLM.LEFT_WRIST, 0]
    assert abs(wrist_x - (rgb.shape[1] - straight.pose[PoseLM.RIGHT_WRIST, 0])) < 15


def test_auto_scenario_from_the_pose(checker):
    sitting = checker.check_landmarks(Body().sit().landmarks()).report
    assert sitting.scenarios == ["sitting"] and "sitting" in sitting.scenario_reason.en
    pointing = checker.check_landmarks(Body().point("left", 45).landmarks()).report
    # The whole arm (shoulder to wrist) is at 47°: the upper arm at 45° and the elbow at 175°.
    assert pointing.scenarios == ["pointing"] and "left arm raised 47°" in pointing.scenario_reason.en
    standing = checker.check_landmarks(Body().hands_folded().landmarks()).report
    assert standing.scenarios == ["standing"]
    # A hand raised to the face is not pointing the way.
    assert checker.check_landmarks(Body().hand_on_face().landmarks()).report.scenarios == ["standing"]


def test_profile_selects_the_womens_or_mens_clauses(checker):
    lm = Body().hands_folded().landmarks()
    female = {c.id for c in checker.check_landmarks(lm, profile="female").report.clauses}
    male = {c.id for c in checker.check_landmarks(lm, profile="male").report.clauses}
    anyone = checker.check_landmarks(lm, profile="any").report
    assert "HD-FOLD-F" in female and "HD-FOLD-M" not in female
    assert "HD-FOLD-M" in male and "HD-FOLD-F" not in male
    assert {"HD-FOLD-F", "HD-FOLD-M"} <= {s.id for s in anyone.not_applicable}


def test_report_json_shape_and_score(checker):
    result = checker.check_landmarks(Body().hands_on_hips().smiling().landmarks(), scenario="standing",
                                     profile="female", source="synthetic")
    data = json.loads(result.report.model_dump_json())
    assert data["version"] == REPORT_VERSION
    assert {"width", "height", "scenarios", "scenario_reason", "profile", "person", "clauses", "not_applicable",
            "score", "timings_ms"} <= set(data)
    arms = next(c for c in data["clauses"] if c["id"] == "ST-ARMS")
    assert arms["verdict"] == "fail" and arms["source"]["file"].startswith("000_")
    assert arms["advice"]["zh"] and arms["measurements"][0]["expected"] == "<= 25 ±5"
    s = data["score"]
    assert s["failed"] >= 2 and 0 < s["overall"] < 100  # HD-FOLD-F and ST-ARMS fail, others pass
    weights = {"minor": 1, "major": 2, "critical": 4}
    judged = [c for c in data["clauses"] if c["verdict"] != "not_visible"]
    expected = 100 * sum(weights[c["severity"]] for c in judged if c["verdict"] == "pass") / sum(
        weights[c["severity"]] for c in judged)
    assert abs(s["overall"] - expected) < 0.1
    rows = result.report.rows("zh")
    assert {r["clause"] for r in rows} == {c["id"] for c in data["clauses"]}


def test_person_too_small_is_not_judged(checker):
    lm = transformed(Body().landmarks(), np.array([[0.1, 0, 10], [0, 0.1, 10]]), 400, 400)
    report = checker.check_landmarks(lm).report
    assert {c.verdict for c in report.clauses} == {"not_visible"}
    assert any("too small" in w.en for w in report.person.warnings)


def test_annotation_marks_failing_parts_red(checker):
    body = Body().hands_on_hips()
    result = checker.check_landmarks(body.landmarks(), scenario="standing")
    canvas = np.full((1400, 1000, 3), 200, dtype=np.uint8)
    zh = annotate(canvas, result, lang="zh")
    en = annotate(canvas, result, lang="en")
    scale = 720 / 1400
    # Middle of the left upper arm: the failing arm (ST-ARMS) is drawn red, the thigh green.
    def middle(a: int, b: int) -> tuple[int, int]:
        x, y = ((body.joints[a][:2] + body.joints[b][:2]) / 2 * scale).round().astype(int)
        return y, x

    assert tuple(zh[middle(PoseLM.LEFT_ELBOW, PoseLM.LEFT_SHOULDER)]) == RED
    assert tuple(zh[middle(PoseLM.LEFT_HIP, PoseLM.LEFT_KNEE)]) == GREEN
    panel = slice(int(1000 * scale), None)
    assert not np.array_equal(zh[:, panel], en[:, panel])  # the panel's text follows the language


def test_labels_on_the_picture_speak_the_ui_language(checker):
    """The failing values drawn on the body: short names in the page's language, degrees with
    their sign, and the two pictures differ where the labels are."""
    result = checker.check_landmarks(Body().hands_on_hips().landmarks(), scenario="standing")
    zh, en = _labels(result, "zh"), _labels(result, "en")
    assert zh and len(zh) == len(en)
    names_zh = {z for z, _ in SHORT_NAMES.values()}
    assert all(text.rsplit(" ", 1)[0] in names_zh for _, text in zh)
    assert all(text.replace("°", "").isascii() for _, text in en)
    assert not any(text.replace("°", "").isascii() for _, text in zh)
    assert any(text.endswith("°") for _, text in zh)
    canvas = np.full((720, 600, 3), 200, dtype=np.uint8)
    drawn_zh = annotate(canvas, result, lang="zh", panel=False)
    drawn_en = annotate(canvas, result, lang="en", panel=False)
    x, y = (int(v) for v in zh[0][0])
    around = np.s_[max(0, y - 30):y + 30, x:x + 200]
    assert not np.array_equal(drawn_zh[around], drawn_en[around])


def test_several_people_are_each_checked(checker, samples):
    import cv2

    a = decode_image(samples / "astronaut_smile.png")
    b = decode_image(samples / "hagrid_palm.jpg")
    b = cv2.resize(b, (round(b.shape[1] * a.shape[0] / b.shape[0]), a.shape[0]))
    result = checker.check_rgb(np.hstack([a, b]))
    assert [p.report.id for p in result.people] == [1, 2]
    assert all(p.report.person.judgeable for p in result.people)
    # Nobody is left unchecked, so the old one-person warning is gone.
    assert not any("faces" in w.en for p in result.people for w in p.report.person.warnings)
    frame = json.loads(result.frame.model_dump_json())
    assert frame["version"] == "2.0" and [p["id"] for p in frame["people"]] == [1, 2]


def test_landmarks_found_in_a_crop_map_back_to_the_frame():
    from types import SimpleNamespace

    from posture.landmarks import _body_box, _to_array

    box = _body_box((0.5, 0.1, 0.1, 0.1))
    assert np.allclose(box, (0.3, 0.02, 0.5, 0.88))  # 5 faces wide, from above the hair to 8 faces down
    found = SimpleNamespace(landmark=[SimpleNamespace(x=0.5, y=0.5, z=0.1)])
    x, y, z = _to_array(found, 1000, 500, box)[0]
    assert (round(x), round(y), round(z)) == (550, 230, 50)  # crop centre, depth in frame pixels


def test_hand_close_up_is_found_by_the_hands_fallback(samples):
    from posture.landmarks import LandmarkDetector

    rgb = decode_image(samples / "hagrid_palm.jpg")
    close_up = np.ascontiguousarray(rgb[268:458, 53:223])  # the raised right hand, no body
    with LandmarkDetector(fallbacks=False) as holistic_only:
        alone = holistic_only.detect(close_up)
        assert alone.left_hand is None and alone.right_hand is None
    tight = np.ascontiguousarray(rgb[300:425, 88:188])  # the hand filling the picture
    with LandmarkDetector() as detector:
        found = detector.detect(close_up)
        filled = detector.detect(tight)
    assert found.pose is None and found.right_hand is not None and found.left_hand is None
    # Found and mapped back into the hand's own picture.
    hand = filled.right_hand
    assert hand is not None
    assert 0 <= hand[0, 0] < tight.shape[1] and 0 <= hand[0, 1] < tight.shape[0] + 10


def test_hand_close_up_is_judged_even_with_a_tiny_body_guess(checker):
    """Holistic sometimes guesses a tiny body inside a hand close-up: the body is left out
    as too small, the hand (large enough) is still judged."""
    from dataclasses import replace

    from synthetic import ONE_FINGER, hand_points

    tiny = transformed(Body().landmarks(), np.array([[0.02, 0, 40], [0, 0.02, 40]]), 200, 200)
    hand = hand_points("right", ONE_FINGER) + np.array([100.0, 150.0, 0.0])
    report = checker.check_landmarks(replace(tiny, right_hand=hand)).report
    verdicts = {c.id: c.verdict for c in report.clauses}
    assert report.person.judgeable and any("too small" in w.en for w in report.person.warnings)
    assert verdicts["PT-ONE-FINGER"] == "fail"
    assert verdicts["ST-SHOULDERS"] == "not_visible"


def test_a_photos_landmarks_do_not_depend_on_the_photo_checked_before(checker):
    """Holistic in still-image mode kept the last face's region: this photo's face mesh moved
    7 px after the other one, its hair-colour score 0.58 -> 0.69, so a batch's verdicts hung
    on its order."""
    from tests.test_viewpoint_photos import PHOTOS, photo

    first = decode_image(photo(PHOTOS / "HomerMau__testimonials-2.jpg"))
    other = decode_image(photo(PHOTOS / "andrew-valentin__000004.jpg"))
    alone = checker.detector.detect(first)
    checker.detector.detect(other)
    after = checker.detector.detect(first)
    assert alone.face is not None and np.array_equal(alone.face, after.face)
    assert np.array_equal(alone.pose, after.pose)


def test_a_photo_without_a_hand_says_why_the_one_finger_clause_is_not_visible(checker, samples):
    def one_finger(photo: str):
        result = checker.check_rgb(decode_image(samples / photo))
        return next(v for v in result.verdicts if v.clause.id == "PT-ONE-FINGER")

    none = one_finger("astronaut_smile.png")  # a portrait: the hands are out of the picture
    assert none.outcome == "not_visible" and none.reason.en == "not visible (no hand is seen)"
    assert none.reason.zh == "看不到(看不到手)"
    palm = one_finger("hagrid_palm.jpg")  # an open palm held up
    assert palm.outcome == "pass" and palm.reason is None
