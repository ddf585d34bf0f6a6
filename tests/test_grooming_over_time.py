"""Grooming over a video and the live view: judged a few times a second with the person mask,
each clause's verdict the majority over the last seconds, in the live routine's grooming step."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from grooming_pictures import as_phone_photo, badge_picture, composite

from posture.grooming.company import GroomingContext
from posture.grooming.over_time import GroomingMajority
from posture.grooming.references import read_picture
from posture.images import decode_image
from posture.landmarks import LandmarkDetector
from posture.measure.grooming import badge_left_chest
from posture.pipeline import Checker
from posture.routine import STEPS
from posture.standards import GroomingOverTime
from posture.verdicts import Verdict

RULE = GroomingOverTime(every_s=0.3, window_s=3.0, min_judged_share=0.3)


def votes_of(standard, outcomes: str) -> tuple[GroomingMajority, list]:
    """A majority fed one judgement of GR-BADGE per 0.3 s: p (pass), f (fail), n (not visible)."""
    clause = standard.by_id["GR-BADGE"]
    names = {"p": "pass", "f": "fail", "n": "not_visible"}
    majority = GroomingMajority(RULE)
    for i, o in enumerate(outcomes):
        majority.add(1, 0.3 * i, [Verdict(clause, names[o], None)])
    return majority, [clause]


def test_frames_are_judged_every_few_tenths_of_a_second(standard):
    majority = GroomingMajority(RULE)
    judged = []
    for t in np.arange(0.0, 2.0, 0.1):
        if majority.due(float(t)):
            majority.judged(float(t))
            judged.append(round(float(t), 1))
    assert judged == [0.0, 0.3, 0.6, 0.9, 1.2, 1.5, 1.8]
    assert majority.due(0.05)  # time went back (a new video): judged again at once


def test_the_verdict_is_the_majority_of_the_last_seconds(standard):
    majority, clauses = votes_of(standard, "ppfppfpp")
    [v] = majority.verdicts(1, 0.3 * 7, clauses)
    assert v.outcome == "pass" and v.reason.en == "over the last 3 s: 2 of 8 judgements failed"
    majority, clauses = votes_of(standard, "ppppppfffffffff")  # 3 s ago it passed; now it fails
    assert majority.verdicts(1, 0.3 * 14, clauses)[0].outcome == "fail"
    majority, clauses = votes_of(standard, "pf")  # a tie: the latest judgement
    assert majority.verdicts(1, 0.3, clauses)[0].outcome == "fail"
    majority, clauses = votes_of(standard, "nnnnnnnp")  # seen once in eight: not visible
    assert majority.verdicts(1, 0.3 * 7, clauses)[0].outcome == "not_visible"
    assert majority.verdicts(2, 0.3 * 7, clauses)[0].outcome == "not_visible"  # someone else: never judged
    assert majority.verdicts(1, 0.3 * 7 + 3.5, clauses)[0].outcome == "not_visible"  # gone for longer than 3 s


def with_badge(checker, photo, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A real upper body at phone size with the company's badge on the left chest (composited
    as ``seed`` draws its scale, tilt, blur and light), and without."""
    rgb = decode_image(photo)
    rgb = as_phone_photo(rgb)
    shown = composite(rgb, checker.detector.detect(rgb), badge_picture(), "left", np.random.default_rng(seed))
    return shown, rgb


@pytest.fixture(scope="module")
def badge_frames(checker, samples):
    return with_badge(checker, samples / "hagrid_palm.jpg")


@pytest.fixture(scope="module")
def badge_standard(standard):
    badge = read_picture("badge", "badge.png", cv2.imencode(".png", badge_picture()[:, :, ::-1])[1].tobytes())
    return standard.model_copy(update={"company": standard.company.with_stored([badge])})


@pytest.mark.slow
def test_a_video_s_grooming_is_the_majority_over_seconds(badge_frames, badge_standard, monkeypatch):
    """5 frames a second: the badge worn for 3 s with two frames where it is hidden, then
    taken off. The hidden frames do not fail it; once off, it fails within the window."""
    worn, off = badge_frames
    masks = []
    person_mask = LandmarkDetector.person_mask
    monkeypatch.setattr(LandmarkDetector, "person_mask", lambda self, f: masks.append(1) or person_mask(self, f))
    times = [round(0.2 * i, 1) for i in range(30)]
    frames = [off if t >= 3.0 or t in (1.0, 2.0) else worn for t in times]
    with Checker(badge_standard, static_image_mode=False) as video:
        results = [video.check_rgb(f, scenario="grooming", profile="male", t=t)
                   for t, f in zip(times, frames, strict=True)]
    badge = {t: next(v for v in r.verdicts if v.clause.id == "GR-BADGE") for t, r in zip(times, results, strict=True)}
    assert badge[1.0].outcome == badge[2.0].outcome == "pass"  # a frame without the badge: still worn
    assert badge[2.8].outcome == "pass" and "over the last 3 s" in badge[2.8].reason.en
    assert all(badge[t].outcome == "fail" for t in times if t >= 4.8)  # taken off: fails within 1.8 s
    judged = [r.landmarks.person_mask is not None for r in results]
    assert len(masks) == sum(judged) and 10 <= sum(judged) <= 16  # about three frames a second, with the mask
    assert not judged[1] and judged[0] and judged[2]


@pytest.mark.slow
def test_the_hair_is_judged_in_a_video_as_in_a_photo(checker, samples):
    """The hair regions need the person mask: in a video it is found on the judged frames."""
    rgb = decode_image(samples / "astronaut_smile.png")
    photo = {v.clause.id: v.outcome for v in checker.check_rgb(rgb, scenario="grooming", profile="female").verdicts}
    assert photo["GR-HAIR-COLOUR"] != "not_visible"
    with Checker(static_image_mode=False) as video:
        for t in (0.0, 0.2, 0.4, 0.6):
            result = video.check_rgb(rgb, scenario="grooming", profile="female", t=t)
    seen = {v.clause.id: v.outcome for v in result.verdicts}
    assert seen["GR-HAIR-COLOUR"] == photo["GR-HAIR-COLOUR"] and seen["GR-HAIR-F"] == photo["GR-HAIR-F"]


@pytest.mark.slow
def test_the_live_routine_s_grooming_step_uses_the_majority(checker, samples, badge_standard):
    from posture.webapp.live import LiveProcessor

    worn, off = with_badge(checker, samples / "hagrid_one_neutral.jpg", seed=0)  # framed as the step asks
    company = GroomingContext(badge_standard.company)
    assert badge_left_chest(checker.detector.detect(worn), company).value == 1.0  # found in the photo
    grooming = STEPS[0]
    assert grooming.key == "grooming"
    processor = LiveProcessor(badge_standard, show_after_s=0.7, clear_after_s=0.7)
    try:
        processor.configure(scenario="auto", profile="male", lang="en", show_after_s=0.7, clear_after_s=0.7)
        processor.start_routine([grooming])
        t, i, reasons = 0.0, 0, []
        while processor.routine_running and t < 12:
            run = processor.finished_routine()
            if run is not None:
                break
            view = np.ascontiguousarray((off if i % 4 == 3 else worn)[:, ::-1])  # one frame in four hidden
            processor.process(view, t)
            reasons += [c.reason.en for c in processor.state.report.clauses if c.id == "GR-BADGE" and c.reason]
            t, i = t + 0.2, i + 1
        else:
            run = processor.finished_routine()
    finally:
        processor.on_ended()
    assert run is not None, f"the routine did not end by {t:.1f} s"
    outcomes = {o.clause: o.verdict for o in run.results[0].outcomes}
    assert outcomes["GR-BADGE"] == "pass"
    assert reasons and all(r.startswith("over the last 3 s: ") for r in reasons)  # each frame: the majority
