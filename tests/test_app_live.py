"""The live view's processor, fed real frames with a controlled clock: debounced verdicts
within 1.5 s, the picture drawn at the frame's size, the routine run over the frames; and
a synthetic bow through its session: counted, drawn, no trunk alert, in the session's report."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest
from sequences import LandmarkChecker, bump, with_irises
from synthetic import Body, H, W

from posture.images import decode_image
from posture.routine import Step
from posture.sequence.overlay import overlay_lines
from posture.standards import Text
from posture.webapp.live import LiveProcessor, banner_place, mirrored_rgb, video_frame

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
    first = processor.recv(frame)  # shown at once, before any check has finished
    assert np.array_equal(first.to_ndarray(format="rgb24"), camera[:, ::-1])
    assert processor.wait_checked()
    clock.t += 0.1
    out = processor.recv(frame)
    processor.on_ended()
    assert (out.width, out.height, out.pts, out.time_base) == (frame.width, frame.height, 1234, Fraction(1, 90000))
    # The failing clause is shown with no delay, in the banner over the picture.
    assert "PT-ONE-FINGER" in processor.state.shown
    top = out.to_ndarray(format="rgb24")[:20].astype(int)
    assert (top[..., 0] - top[..., 1] > 80).any()  # red banner text


def test_every_camera_frame_is_shown_while_checking_runs_at_its_own_rate(standard, views):
    """A check slower than the camera neither slows the shown frames nor queues: the frames
    that came while it was busy are dropped and the newest one is checked next."""
    import time as _time

    processor = LiveProcessor(standard, show_after_s=0.0, clear_after_s=0.0)
    real = processor._checker.check_rgb
    checked: list[float] = []

    def slow(*args, **kwargs):
        _time.sleep(0.3)
        checked.append(_time.monotonic())
        return real(*args, **kwargs)

    processor._checker.check_rgb = slow
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(views["hagrid_one_neutral.jpg"]), format="rgb24")
    started = _time.monotonic()
    for _ in range(30):
        processor.recv(frame)
        _time.sleep(0.01)
    shown_s = _time.monotonic() - started
    assert processor.wait_checked()
    processor.on_ended()
    assert shown_s < 1.5  # 30 frames shown in about their own 0.3-0.6 s, not 30 x 0.3 s
    assert 1 <= len(checked) <= 4  # the newest frame each time, not all 30
    assert processor.shown_fps > 10


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


def test_a_bow_is_counted_and_drawn_in_the_live_view(processor, standard):
    """A smiling 25-degree bow from 1 s (synthetic landmarks, checked by the real pipeline from
    the landmarks on) through the processor's session at 10 frames per second."""
    checker = LandmarkChecker(standard)
    processor.configure(scenario="standing", profile="female", lang="en", show_after_s=0.7, clear_after_s=0.7)
    view = np.full((H, W, 3), 140, np.uint8)
    torso_failed, depths = False, []
    for i in range(40):
        t = i / 10
        body = Body().hands_folded().smiling().lean_forward(bump(t, 1.0, 0.8, 0.4, 0.8, 25))
        result = checker.check_landmarks(with_irises(body.landmarks()), scenario="standing", profile="female")
        torso_failed |= any(c.id == "ST-TORSO" and c.verdict == "fail" for c in result.report.clauses)
        picture = processor.show(view, t, result)
        state = processor.state
        assert "ST-TORSO" not in state.shown  # the bow is a bow, not a slouch
        depths.append(state.sequence.bow_depth_deg)
    assert torso_failed  # each frame alone would have called the bow a bent trunk
    assert max(d for d in depths if d is not None) == pytest.approx(25, abs=2)  # the running depth
    [bow] = state.sequence.bows
    assert bow.greeting == "pass" and bow.depth_deg == pytest.approx(25, abs=1)
    texts = [text for text, _ in overlay_lines(state.sequence, "en")]
    assert any(t.startswith("1 bow(s) · last: bow 25° ok") and "smile ok" in t for t in texts)
    # A still clause failing all along (the synthetic feet) is shown in the banner at the top;
    # the running events are drawn at the bottom left, on a dark box.
    assert state.shown == {"ST-FEET-F"}
    assert (picture[:40, :300] < 100).any() and (picture[-60:, 10:300] < 100).any()
    assert (picture[H // 2 - 60:H // 2 + 60, :100] == 140).all()  # nothing drawn in between, at the side
    report = processor.end_session()
    verdicts = {c.id: c.verdict for c in report.clauses}
    assert (verdicts["BW-BOW"], verdicts["BW-SMILE"], verdicts["BW-HANDS"]) == ("pass", "pass", "pass")
    assert report.kind == "live" and report.frames_with_person == 40
    assert processor.end_session() is None  # a new session, with no frame yet


@pytest.mark.parametrize(("height", "width"), [(480, 640), (360, 640), (720, 1280)])
def test_the_live_picture_is_the_camera_frame_without_the_report_panel(checker, height, width):
    from posture.webapp.live import draw_live

    view = np.full((height, width, 3), 40, dtype=np.uint8)
    result = checker.check_landmarks(Body().landmarks())
    picture = draw_live(view, result, frozenset(), None, "zh")
    assert picture.shape == view.shape
    # The report panel is light grey (250); the right edge of the live picture is the frame's.
    assert picture[height // 2, width - 3].max() < 100


def test_the_banner_leaves_the_head_free():
    """The routine's banner takes the first corner clear of the head (the running events hold
    the bottom left): top left, else top right, else bottom right."""
    size, box = (640, 480), (250, 90)
    assert banner_place(size, box, None) == (0, 0)
    assert banner_place(size, box, (300, 20, 420, 160)) == (0, 0)  # head in the middle: top left is free
    assert banner_place(size, box, (100, 20, 260, 160)) == (390, 0)  # head at the left: top right
    assert banner_place(size, box, (150, 0, 500, 200)) == (390, 390)  # a head across the top: bottom right
    # Nowhere free: the corner covering least of the head.
    assert banner_place(size, box, (0, 0, 640, 480)) in {(0, 0), (390, 0), (390, 390)}


def test_the_live_banner_does_not_cover_the_face(checker, views):
    from posture.annotate import annotate
    from posture.webapp.live import draw_live, drawn_result, head_box

    view = np.ascontiguousarray(views["hagrid_one_neutral.jpg"])
    result = checker.check_rgb(view, mirrored=True)
    shown = frozenset(c.id for c in result.report.clauses if c.verdict == "fail")
    assert shown
    picture = draw_live(view, result, shown, None, "zh")
    head = head_box(result, view.shape[1])
    assert head is not None
    x0, y0, x1, y1 = (max(0, round(v)) for v in head)
    plain = annotate(view, drawn_result(result, shown), "zh", panel=False)  # the drawing without the banner
    assert plain.shape == picture.shape
    assert np.array_equal(picture[y0:y1, x0:x1], plain[y0:y1, x0:x1])
    assert not np.array_equal(picture, plain)  # the banner is drawn, elsewhere


def test_camera_frames_are_converted_by_opencv_and_mirrored(samples):
    """A browser's I420 frame comes out as the mirror of PyAV's own RGB conversion (within
    the rounding of the two conversions); an odd-sized frame, which I420 cannot hold, takes
    PyAV's path; the picture sent back is I420 and close to what was drawn."""
    rgb = decode_image(samples / "hagrid_one_neutral.jpg")[:480, :640]
    i420 = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24").reformat(format="yuv420p")
    mirrored = mirrored_rgb(i420)
    assert mirrored.shape == rgb.shape
    assert np.abs(mirrored.astype(int) - i420.to_ndarray(format="rgb24")[:, ::-1]).mean() < 3.0
    assert np.abs(mirrored.astype(int) - rgb[:, ::-1]).mean() < 3.0
    assert np.abs(mirrored.astype(int) - rgb).mean() > 10.0  # it is the mirror, not the frame

    odd = np.ascontiguousarray(rgb[:479, :639])
    assert np.array_equal(mirrored_rgb(av.VideoFrame.from_ndarray(odd, format="rgb24")), odd[:, ::-1])

    out = video_frame(np.ascontiguousarray(rgb))
    assert out.format.name == "yuv420p"
    assert np.abs(out.to_ndarray(format="rgb24").astype(int) - rgb).mean() < 3.0
    assert video_frame(odd).format.name == "rgb24"


def test_streamlit_does_not_collect_garbage_after_every_rerun():
    """Streamlit's forced full collection after each script run held Python's lock ~170 ms
    once a second (the side panels' refresh), stalling the camera frames (docs/APP.md,
    Speed): the app's config turns it off, under the option name this Streamlit still reads."""
    import tomllib
    from pathlib import Path

    from streamlit import config

    app_config = tomllib.loads((Path(__file__).parent.parent / ".streamlit" / "config.toml").read_text("utf-8"))
    assert app_config["runner"]["postScriptGC"] is False
    assert "runner.postScriptGC" in config._config_options_template
