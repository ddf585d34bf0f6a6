"""The live view's processor, fed real frames with a controlled clock: debounced verdicts
within 1.5 s, the picture drawn at the frame's size, the routine run over the frames."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from posture.images import decode_image
from posture.routine import Step
from posture.standards import Text
from posture.webapp.live import LiveProcessor

pytestmark = pytest.mark.slow


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def views(samples):
    """Selfie views (as the processor sees them after mirroring the camera frame)."""
    return {name: np.ascontiguousarray(decode_image(samples / f"{name}")[:, ::-1])
            for name in ("hagrid_one_neutral.jpg", "astronaut_smile.png")}


@pytest.fixture()
def processor(standard):
    p = LiveProcessor(standard, show_after_s=0.7, clear_after_s=0.7)
    yield p
    p.on_ended()


def test_a_deviation_shows_within_1_5_s_and_clears_within_1_5_s(processor, views):
    processor.configure(scenario="standing", profile="any", lang="zh", show_after_s=0.7, clear_after_s=0.7)
    neutral, smiling = views["hagrid_one_neutral.jpg"], views["astronaut_smile.png"]
    shown_at = None
    t = 0.0
    while t < 3.0:
        picture = processor.process(neutral, t)
        if shown_at is None and "EX-SMILE" in processor.state.shown:
            shown_at = t
        t += 0.2
    assert picture.shape == neutral.shape  # drawn at the frame's own size
    assert shown_at is not None and 0.7 <= shown_at <= 1.5  # not on the first frame: no flicker
    assert {"EX-SMILE", "PT-ONE-FINGER"} <= processor.state.shown
    corrected = t
    cleared_at = None
    while t < corrected + 3.0:
        processor.process(smiling, t)
        if cleared_at is None and "EX-SMILE" not in processor.state.shown:
            cleared_at = t
        t += 0.2
    assert cleared_at is not None and cleared_at - corrected <= 1.5
    assert processor.state.fps == pytest.approx(5.0, abs=0.1)  # frames 0.2 s apart
    assert processor.state.frames == 30


def test_recv_mirrors_the_camera_frame_and_keeps_its_timing(standard, views):
    clock = Clock()
    processor = LiveProcessor(standard, show_after_s=0.0, clear_after_s=0.0, clock=clock)
    camera = np.ascontiguousarray(views["hagrid_one_neutral.jpg"][:, ::-1])  # what the webcam sends
    frame = av.VideoFrame.from_ndarray(camera, format="rgb24")
    frame.pts, frame.time_base = 1234, Fraction(1, 90000)
    out = processor.recv(frame)
    processor.on_ended()
    assert (out.width, out.height, out.pts, out.time_base) == (frame.width, frame.height, 1234, Fraction(1, 90000))
    # The failing clause is shown at once with no delay, in the banner over the picture.
    assert "PT-ONE-FINGER" in processor.state.shown
    top = out.to_ndarray(format="rgb24")[:20].astype(int)
    assert (top[..., 0] - top[..., 1] > 80).any()  # red banner text


def test_the_routine_runs_over_live_frames(processor, views):
    smile = Step("smile", Text(zh="微笑", en="Smile"), Text(zh="笑", en="smile"), "standing",
                 ("EX-SMILE", "EX-SMILE-MODERATE"), "face", hold_s=1.0)
    processor.configure(scenario="auto", profile="any", lang="en", show_after_s=0.7, clear_after_s=0.7)
    processor.start_routine([smile])
    assert processor.routine_running and processor.finished_routine() is None
    t, phases = 0.0, []
    while processor.finished_routine() is None and t < 10:
        processor.process(views["astronaut_smile.png"], t)
        phases.append(processor.state.status.phase)
        t += 0.25
    # 1 s of good placement, 3 s of countdown, 1 s of hold.
    assert "place" in phases and "prepare" in phases and "hold" in phases
    assert 5.0 <= t <= 6.0
    assert not processor.routine_running


def test_skipping_ends_the_routine(processor, views):
    smile = Step("smile", Text(zh="微笑", en="Smile"), Text(zh="笑", en="smile"), "standing", ("EX-SMILE",), "face")
    processor.start_routine([smile])
    processor.skip_step()
    run = processor.finished_routine()
    assert run is not None and run.results[0].skipped
    processor.skip_step()  # nothing running: no effect
