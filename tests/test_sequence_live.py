"""What a live view gets from the sequence engine: debounced alerts (shown after holding,
cleared after being gone), no posture alerts while bowing, the running bow, the overlay,
and the report's shape."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sequences import LandmarkChecker, bump, run, with_irises
from synthetic import Body

from posture.sequence import SequenceTracker, VideoReport
from posture.sequence.overlay import RED, draw_overlay, overlay_lines


def live(standard, body_at, duration: float, fps: float = 10.0, profile: str = "female", **delays: float):
    """(t, SequenceState) for each frame."""
    tracker = SequenceTracker(standard, profile=profile, scenario="standing", **delays)
    checker = LandmarkChecker(standard)
    states = []
    for i in range(int(duration * fps)):
        t = i / fps
        lm = with_irises(body_at(t).landmarks())
        states.append((t, tracker.update(t, checker.check_landmarks(lm, scenario="standing", profile=profile))))
    return tracker, states


def alerted(states, clause: str) -> dict[float, bool]:
    return {round(t, 1): clause in s.failing_still for t, s in states}


@pytest.mark.parametrize(("tilt_for", "shown"), [(0.5, False), (2.0, True)])
def test_a_deviation_is_shown_only_after_holding_and_cleared_after_going(standard, tilt_for, shown):
    """Shoulders tilted 10 degrees from 1 s: a 0.5 s tilt is never shown; a 2 s tilt is shown
    0.7 s after it began and cleared 0.7 s after it ended."""
    def body(t: float) -> Body:
        b = Body().hands_folded().smiling()
        return b.tilt_shoulders(10) if 1.0 <= t < 1.0 + tilt_for else b

    tracker, states = live(standard, body, duration=5)
    on = alerted(states, "ST-SHOULDERS")
    assert any(on.values()) == shown
    if shown:
        assert not on[1.6] and on[1.7] and on[3.6] and not on[3.7]
    report = tracker.report()
    fails = [e for e in report.timeline if e.clause == "ST-SHOULDERS"]
    assert len(fails) == (1 if shown else 0)
    if shown:
        assert (fails[0].start, fails[0].end) == pytest.approx((1.0, 3.0), abs=0.01)


def test_the_live_delays_can_be_set(standard):
    def body(t: float) -> Body:
        b = Body().hands_folded().smiling()
        return b.tilt_shoulders(10) if 1.0 <= t < 3.0 else b

    _, states = live(standard, body, duration=5, show_after_s=0.3, clear_after_s=1.5)
    on = alerted(states, "ST-SHOULDERS")
    assert not on[1.2] and on[1.3] and on[4.4] and not on[4.5]


@pytest.mark.parametrize(("hold", "torso_alert"), [(1.0, False), (8.0, True)])
def test_a_bow_does_not_raise_a_trunk_alert_but_staying_bent_does(standard, hold, torso_alert):
    """A 25-degree bow fails ST-TORSO's lean while it lasts, which is the bow, not a slouch.
    Bent for 8 s it is no longer a bow (max 5 s), and the slouch is shown."""
    tracker, states = live(standard, lambda t: Body().hands_folded().smiling().lean_forward(
        bump(t, 1.0, 0.8, hold, 0.8, 25)), duration=hold + 4)
    assert any(alerted(states, "ST-TORSO").values()) == torso_alert
    assert len(tracker.bows) == (0 if torso_alert else 1)


def test_live_state_follows_a_bow(standard):
    _, states = live(standard, lambda t: Body().hands_folded().smiling().lean_forward(
        bump(t, 1.0, 0.8, 0.4, 0.8, 20)), duration=4)
    by_t = {round(t, 1): s for t, s in states}
    assert by_t[0.5].bow_depth_deg is None and by_t[0.5].bows == ()
    assert by_t[1.5].bow_depth_deg == pytest.approx(20 * 0.5 * (1 - np.cos(np.pi * 0.5 / 0.8)), abs=2)
    assert by_t[1.9].bow_depth_deg > by_t[1.5].bow_depth_deg
    assert by_t[3.5].bow_depth_deg is None
    [bow] = by_t[3.5].bows
    assert bow.greeting == "pass"
    assert by_t[3.5].bow_visible and by_t[3.5].person


def test_overlay_shows_the_last_bow_and_a_failed_greeting(standard):
    _, states = live(standard, lambda t: Body().hands_folded().lean_forward(bump(t, 1.0, 0.8, 0.4, 0.8, 20)),
                     duration=4)
    state = states[-1][1]
    lines = overlay_lines(state, "en")
    texts = [text for text, _ in lines]
    assert any("1 bow(s)" in t and "bow 20° ok" in t and "smile NO" in t for t in texts)
    assert ("no smile: a failed greeting", RED) in lines
    assert any(t.startswith("smiling 0% of the time (now not smiling)") for t in texts)
    zh = [text for text, _ in overlay_lines(state, "zh")]
    assert any("鞠躬 20°" in t for t in zh)


def test_overlay_is_drawn_in_the_top_left_corner(standard):
    _, states = live(standard, lambda t: Body().hands_folded().smiling(), duration=1)
    frame = np.full((480, 640, 3), 200, np.uint8)
    out = draw_overlay(frame, states[-1][1], "en")
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert (out[:40, :200] != 200).any()
    assert (out[-100:, -200:] == 200).all()
    below = draw_overlay(frame, states[-1][1], "en", at="bottom")  # clear of a banner at the top
    assert (below[:100] == 200).all() and (below[-40:, :200] != 200).any()


def test_report_round_trips_through_json(standard):
    _, report = run(standard, lambda t: Body().hands_folded().smiling().lean_forward(
        bump(t, 2.0, 0.8, 0.4, 0.8, 20)), duration=5)
    data = json.loads(report.model_dump_json())
    assert data["version"] == "1.0" and data["kind"] == "live" and data["video"] is None
    again = VideoReport.model_validate(data)
    assert again == report
    starts = [e["start"] for e in data["timeline"]]
    assert starts == sorted(starts)
    assert {"clause", "start", "end", "verdict", "label"} <= data["timeline"][0].keys()
    bow = next(c for c in data["clauses"] if c["id"] == "BW-BOW")
    assert bow["parameters"]["min_depth_deg"] == 10
    assert report.rows("en")[0].keys() == {"video", "clause", "start_s", "end_s", "verdict", "label"}
    assert report.timings_ms["sequence_per_frame"] > 0
