"""Live video: one video-mode :class:`~posture.pipeline.Checker` per connection, the
sequence engine (:class:`~posture.sequence.SequenceTracker`, the same as for video files)
over the frames, the routine run over them, and the picture the trainee sees (a selfie
view with the skeleton, the debounced failing clauses, the routine's step and countdown,
and the running events: bows with their depth and smile, smile and eye-contact shares).

The processor runs in streamlit-webrtc's worker thread; the page reads a snapshot of its
state (:class:`LiveState`) under a lock.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import av
import cv2
import numpy as np
from streamlit_webrtc import VideoProcessorBase

from posture.annotate import annotate
from posture.fonts import load_font, shaded_lines, text_width
from posture.pipeline import Checker, CheckResult
from posture.placement import Framing, Placement, check_placement
from posture.report import Report
from posture.routine import RoutineRun, RunStatus, Step
from posture.sequence import SequenceState, SequenceTracker, VideoReport
from posture.sequence.overlay import draw_overlay
from posture.standards import Lang, Standard
from posture.webapp.i18n import t

FPS_WINDOW_S = 3.0  # the frame rate shown is over the last few seconds


@dataclass(frozen=True)
class LiveState:
    """The latest checked frame as the page shows it."""

    report: Report
    shown: frozenset[str]  # clause ids failing long enough to be shown (not the trunk and head during a bow)
    sequence: SequenceState  # the session's running events
    placement: Placement
    fps: float
    status: RunStatus | None
    frames: int


def drawn_result(result: CheckResult, shown: frozenset[str]) -> CheckResult:
    """The result to draw: failures not yet shown (debounced by the sequence engine) are
    left out of the picture, so the red parts do not flicker either."""
    verdicts = [v for v in result.verdicts if v.outcome != "fail" or v.clause.id in shown]
    return CheckResult(result.report, result.landmarks, verdicts)


def head_box(result: CheckResult, width: int) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) around the main person's head in the displayed (selfie) picture,
    grown by a third: the part the banner must leave free."""
    lm = result.landmarks
    if lm.face is not None:
        pts = lm.face[:, :2]
    elif lm.pose is not None and any(lm.seen(i) for i in range(11)):
        pts = lm.pose[[i for i in range(11) if lm.seen(i)], :2]
    else:
        return None
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    if lm.mirrored:
        x0, x1 = width - 1 - x1, width - 1 - x0
    gx, gy = (x1 - x0) / 3, (y1 - y0) / 3
    return float(x0 - gx), float(y0 - gy), float(x1 + gx), float(y1 + gy)


def banner_place(size: tuple[int, int], box: tuple[int, int], head: tuple[float, float, float, float] | None
                 ) -> tuple[int, int]:
    """Where a ``box`` (w, h) of text goes in a picture of ``size`` (w, h): the first of the
    top-left, top-right and bottom-right corners that leaves the head free (the running
    events take the bottom-left), else the one covering least of it."""
    (w, h), (bw, bh) = size, box
    corners = [(0, 0), (max(0, w - bw), 0), (max(0, w - bw), max(0, h - bh))]
    if head is None:
        return corners[0]

    def covered(corner: tuple[int, int]) -> float:
        x, y = corner
        return max(0.0, min(x + bw, head[2]) - max(x, head[0])) * max(0.0, min(y + bh, head[3]) - max(y, head[1]))

    return min(corners, key=lambda c: (covered(c) > 0, covered(c)))


def draw_banner(img: np.ndarray, lines: list[tuple[str, tuple[int, int, int]]], lang: Lang,
            head: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """Text lines on a darkened box as wide as the text, in a corner that leaves the head free."""
    if not lines:
        return img
    size = max(14, img.shape[0] // 24)
    if not load_font(size)[1] and lang != "en":
        lines = [(text.encode("ascii", "replace").decode(), colour) for text, colour in lines]
    step, pad = size + 6, 8
    box = (min(img.shape[1], max(text_width(text, size) for text, _ in lines) + 2 * pad),
           min(img.shape[0], len(lines) * step + pad))
    x, y = banner_place((img.shape[1], img.shape[0]), box, head)
    out = img.copy()
    shaded_lines(out, x, y, lines, size, step, pad, keep=0.4)
    return out


def status_line(status: RunStatus, lang: Lang) -> str:
    """'Step 2 of 4 · Smile · Get ready 3 s' in the UI language."""
    if status.step is None:
        return t("summary", lang)
    head = f"{t('step_of', lang, i=status.index + 1, n=status.total)} · {status.step.name.get(lang)}"
    phase = t(f"phase_{status.phase}", lang)
    if status.phase in ("prepare", "hold"):
        phase += " " + t("seconds", lang, s=np.ceil(status.remaining_s))
    return f"{head} · {phase}"


def drawn_at_frame_size(view: np.ndarray, result: CheckResult, lang: Lang) -> np.ndarray:
    """The skeleton and values drawn on ``view`` (without the panel), at the frame's own size."""
    h, w = view.shape[:2]
    picture = annotate(view, result, lang, panel=False)
    if picture.shape[:2] != (h, w):
        picture = cv2.resize(picture, (w, h), interpolation=cv2.INTER_AREA)
    return picture


def routine_lines(status: RunStatus | None, lang: Lang) -> list[tuple[str, tuple[int, int, int]]]:
    """The banner's lines for the routine: its step, then what to fix or what to do."""
    lines: list[tuple[str, tuple[int, int, int]]] = []
    if status is not None:
        lines.append((status_line(status, lang), (255, 255, 255)))
        if status.phase == "place":
            lines.extend(("! " + p.get(lang), (255, 200, 0)) for p in status.problems[:2])
        elif status.step is not None and status.phase == "prepare":
            lines.append((status.step.instruction.get(lang), (200, 230, 255)))
    return lines


def draw_live(view: np.ndarray, result: CheckResult, shown: frozenset[str], status: RunStatus | None,
              lang: Lang) -> np.ndarray:
    """The frame the trainee sees: skeleton and values (from :func:`annotate`, without its
    side panel, at the frame's own size), the routine's step, what to fix, what fails."""
    w = view.shape[1]
    picture = drawn_at_frame_size(view, drawn_result(result, shown), lang)
    lines = routine_lines(status, lang)
    by_id = {c.id: c for c in result.report.clauses}
    for clause_id in sorted(shown)[:3]:
        title = by_id[clause_id].title.get(lang) if clause_id in by_id else ""
        lines.append((f"× {clause_id} {title}", (255, 90, 90)))
    return draw_banner(picture, lines, lang, head_box(result, w))


def drawn_mask(picture: np.ndarray, view: np.ndarray) -> np.ndarray:
    """Where the drawing changed the frame (uint8, nonzero where drawn, as ``cv2.copyTo``
    takes it); OpenCV's per-channel operations take a fraction of NumPy's
    ``(a != b).any(axis=2)`` on a camera frame."""
    r, g, b = cv2.split(cv2.absdiff(picture, view))
    return cv2.bitwise_or(cv2.bitwise_or(r, g), b)


def mirrored_rgb(frame: av.VideoFrame) -> np.ndarray:
    """The camera frame as RGB, flipped as a mirror shows it. A browser's camera arrives as
    I420 (yuv420p): its planes taken as they are and converted by OpenCV cost a fraction
    of a millisecond, where PyAV's own RGB conversion took 6 ms a frame in the live view."""
    if frame.format.name == "yuv420p" and frame.width % 2 == 0 and frame.height % 2 == 0:
        rgb = cv2.cvtColor(frame.to_ndarray(format="yuv420p"), cv2.COLOR_YUV2RGB_I420)
    else:
        rgb = frame.to_ndarray(format="rgb24")
    return cv2.flip(rgb, 1)  # NumPy's contiguous copy of rgb[:, ::-1] takes 60 times as long


def video_frame(picture: np.ndarray) -> av.VideoFrame:
    """The picture to send back, already in the encoder's I420 (it would convert RGB itself)."""
    h, w = picture.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return av.VideoFrame.from_ndarray(cv2.cvtColor(picture, cv2.COLOR_RGB2YUV_I420), format="yuv420p")
    return av.VideoFrame.from_ndarray(picture, format="rgb24")


class LiveProcessor(VideoProcessorBase):
    """Checks each frame of the live video (streamlit-webrtc calls :meth:`recv` with the
    latest frame and drops the ones that came meanwhile). A session runs from the start
    of the video, of a routine or of new settings until :meth:`end_session`."""

    # Look for everyone in the frame (the face detector's people), not only Holistic's one.
    EVERYONE = False

    def __init__(self, standard: Standard, *, show_after_s: float, clear_after_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._standard = standard
        self._checker = Checker(standard, static_image_mode=False, count_faces=self.EVERYONE)
        self._clock = clock
        self._lock = threading.Lock()
        self._delays = (show_after_s, clear_after_s)
        self._scenario, self._profile, self._lang = "auto", "any", "zh"
        self._sequence = self._new_session()
        self._routine: RoutineRun | None = None
        self._state: LiveState | None = None
        self._times: deque[float] = deque()  # times of the checked frames
        self._shown_times: deque[float] = deque()  # times of the frames shown
        self._frames = 0
        # The latest check's drawing, drawn again on every camera frame until the next one.
        # (frame time, the drawn picture, where the drawing is): laid over each camera frame.
        self._drawn: tuple[float, np.ndarray, np.ndarray] | None = None
        self._delays_s: deque[float] = deque(maxlen=90)
        # The frame waiting to be checked (at most one) and the checking thread.
        self._pending_cv = threading.Condition()
        self._pending: tuple[np.ndarray, float] | None = None
        self._busy = self._stopping = False
        self._worker: threading.Thread | None = None

    def _new_session(self) -> SequenceTracker:
        return SequenceTracker(self._standard, profile=self._profile, scenario=self._scenario,
                               show_after_s=self._delays[0], clear_after_s=self._delays[1])

    def configure(self, *, scenario: str, profile: str, lang: Lang, show_after_s: float, clear_after_s: float) -> None:
        """Settings from the page, applied from the next frame on; new clause settings or
        delays start a new session (the events so far were judged under the old ones)."""
        with self._lock:
            changed = (scenario, profile, (show_after_s, clear_after_s)) != (self._scenario, self._profile,
                                                                            self._delays)
            self._scenario, self._profile, self._lang = scenario, profile, lang
            self._delays = (show_after_s, clear_after_s)
            if changed:
                self._sequence = self._new_session()

    def start_routine(self, steps: list[Step]) -> None:
        with self._lock:
            self._routine = RoutineRun(steps, profile=self._profile)
            self._sequence = self._new_session()

    def skip_step(self) -> None:
        with self._lock:
            if self._routine is not None:
                self._routine.skip()

    def finished_routine(self) -> RoutineRun | None:
        """The run once it is done (handed over once, then forgotten)."""
        with self._lock:
            run = self._routine
            if run is None or not run.done:
                return None
            self._routine = None
            return run

    def end_session(self) -> VideoReport | None:
        """The session's report (smile share, eye contact, nods, bows, the still clauses
        over time), or None when no frame was checked; later frames start a new session."""
        with self._lock:
            tracker, self._sequence = self._sequence, self._new_session()
        return tracker.report() if tracker.frames else None

    @property
    def routine_running(self) -> bool:
        with self._lock:
            return self._routine is not None

    @property
    def state(self) -> LiveState | None:
        with self._lock:
            return self._state

    def process(self, view: np.ndarray, t: float) -> np.ndarray:
        """Check one selfie-view RGB frame taken at time ``t``; returns the picture to show."""
        with self._pending_cv:
            self._busy = True
        try:
            return self._process(view, t)
        finally:
            with self._pending_cv:
                self._busy = False

    def _process(self, view: np.ndarray, t: float) -> np.ndarray:
        with self._lock:
            routine = self._routine
            step = routine.status(t).step if routine is not None else None
            scenario = step.scenario if step is not None else self._scenario
            profile = self._profile
        result = self._checker.check_rgb(view, scenario=scenario, profile=profile, mirrored=True, t=t)
        return self.show(view, t, result)

    def show(self, view: np.ndarray, t: float, result: CheckResult) -> np.ndarray:
        """The checked frame through the session and the routine; returns the picture to show
        (the skeleton and failing clauses, the routine's banner at the top, the running
        events at the bottom)."""
        with self._lock:
            routine, lang = self._routine, self._lang
            status = routine.status(t) if routine is not None else None
            framing: Framing = status.step.framing if status is not None and status.step is not None else "face"
            sequence = self._sequence.update(t, result)  # the tracker is not thread-safe: under the lock
        placement = check_placement(view, result.landmarks, framing)
        shown = sequence.failing_still
        picture = draw_overlay(draw_live(view, result, shown, status, lang), sequence, lang, at="bottom")
        drawing = drawn_mask(picture, view) if picture.shape == view.shape else None
        with self._lock:
            if self._routine is not None and self._routine is routine:
                status = routine.feed(t, result, placement, picture)
            fps = self._count_checked(t)
            self._state = LiveState(result.report, shown, sequence, placement, fps, status, self._frames)
            self._drawn = (t, picture, drawing)
        return picture

    def _count_checked(self, t: float) -> float:
        """Count the frame at ``t`` as checked (under the lock); the checked frame rate."""
        self._times.append(t)
        while self._times and t - self._times[0] > FPS_WINDOW_S:
            self._times.popleft()
        span = self._times[-1] - self._times[0]
        self._frames += 1
        return (len(self._times) - 1) / span if span > 0 else 0.0

    def recv(self, frame: av.VideoFrame) -> av.VideoFrame:
        """Every camera frame is shown at once with the latest checked skeleton and verdicts
        drawn on it; the checking runs in its own thread at its own rate, on the newest
        frame only (a frame that came while it was busy replaces the waiting one: stale
        frames are dropped, never queued)."""
        view = mirrored_rgb(frame)
        t = self._clock()
        self._submit(view, t)
        picture = self.compose(view, t)
        out = video_frame(picture)
        out.pts = frame.pts
        if frame.time_base is not None:
            out.time_base = frame.time_base
        with self._lock:
            self._shown_times.append(t)
            while self._shown_times and t - self._shown_times[0] > FPS_WINDOW_S:
                self._shown_times.popleft()
        return out

    def _submit(self, view: np.ndarray, t: float) -> None:
        with self._pending_cv:
            self._pending = (view, t)  # replaces a frame still waiting: only the newest is checked
            self._pending_cv.notify()
            if self._worker is None:
                self._worker = threading.Thread(target=self._check_loop, name="posture-live-check", daemon=True)
                self._worker.start()

    def _check_loop(self) -> None:
        while True:
            with self._pending_cv:
                while self._pending is None and not self._stopping:
                    self._pending_cv.wait()
                if self._stopping:
                    return
                view, t = self._pending
                self._pending = None
            self.process(view, t)

    def wait_checked(self, timeout: float = 10.0) -> bool:
        """Block until the frames submitted so far have been checked (for tests and scripts)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._pending_cv:
                if self._pending is None and not self._busy:
                    return True
            time.sleep(0.005)
        return False

    def compose(self, view: np.ndarray, t: float | None = None) -> np.ndarray:
        """``view`` (taken at ``t``) with the latest checked frame's drawing (the frame itself
        until one is checked). The drawing's age, from the camera frame it was checked on to
        this frame, is the camera-to-overlay delay."""
        with self._lock:
            drawn = self._drawn
        if drawn is None:
            return view
        checked_t, picture, drawing = drawn
        if drawing is None or picture.shape != view.shape:
            return picture
        # Only the drawn pixels (skeleton, labels, banners) are copied over the new frame: a few
        # milliseconds, where drawing again would take the check's drawing time on every frame.
        # cv2.copyTo: a few hundredths of a millisecond where NumPy's masked copyto takes 3 ms.
        out = view.copy()
        cv2.copyTo(picture, drawing, out)
        if t is not None:
            with self._lock:
                self._delays_s.append(max(0.0, self._clock() - checked_t))
        return out

    @property
    def overlay_delay_ms(self) -> float | None:
        """Median age of the drawing shown (camera frame checked -> frame shown), recent frames."""
        with self._lock:
            delays = sorted(self._delays_s)
        return 1e3 * delays[len(delays) // 2] if delays else None

    @property
    def shown_fps(self) -> float:
        """Camera frames shown per second over the last few seconds."""
        with self._lock:
            times = list(self._shown_times)
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        return (len(times) - 1) / span if span > 0 else 0.0

    def on_ended(self) -> None:
        with self._pending_cv:
            self._stopping = True
            self._pending_cv.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=5.0)
        self._checker.close()
