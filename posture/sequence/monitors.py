"""Monitors: one per time-based clause (or group of clauses), each fed the smoothed samples
of a session in time order. A monitor keeps what its clause needs, writes events and
timeline marks as they happen, tells the live view what is going on, and at the end
judges its clause(s). Every number it uses is a clause parameter in ``standards/``.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from posture.sequence.events import MAX_GAP_S, Excursion, ExcursionDetector, Interval, IntervalDetector, StateTrack
from posture.standards import Clause, Standard, Text
from posture.verdicts import Outcome, Verdict

SequenceOutcome = Literal["pass", "fail", "not_visible", "not_observed"]
Position = Literal["sides", "front", "other"]


@dataclass(frozen=True)
class Sample:
    """One frame as the monitors see it: smoothed and raw measurements, the frame's still
    verdicts by clause id."""

    t: float
    values: dict[str, float | None]
    raw: dict[str, float | None]
    still: dict[str, Verdict] = field(default_factory=dict)

    def get(self, name: str) -> float | None:
        return self.values.get(name)


@dataclass(frozen=True)
class Judgement:
    """A time-based clause's verdict over a session, with the figures behind it."""

    clause: str
    verdict: SequenceOutcome
    note: Text
    metrics: dict[str, float | int | str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """Something that happened: a bow, a nod, a touch, a rest stance, a glance away..."""

    kind: str
    start: float
    end: float
    value: float | None = None
    unit: str = ""
    details: dict[str, float | int | str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Mark:
    """One timeline entry: a clause's verdict over a stretch of time."""

    clause: str
    start: float
    end: float
    verdict: Outcome
    label: Text


@dataclass(frozen=True)
class Alert:
    """A deviation to show in a live view now (debounced)."""

    clause: str
    text: Text


@dataclass
class Recorder:
    """Where the monitors write events and timeline marks."""

    events: list[Event] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)


def still_bound(standard: Standard, clause_id: str, measurement: str, side: Literal["low", "high"]) -> float:
    """A bound (tolerance included) of a still clause's condition, so a time-based judge uses
    the same number as the still one (one source of truth)."""
    for variant in standard.by_id[clause_id].variants:
        for cond in variant.conditions:
            if cond.measurement == measurement:
                return cond.low if side == "low" else cond.high
    raise KeyError(f"{clause_id}: no condition on {measurement}")


def sample_durations(samples: list[Sample], t_end: float) -> list[float]:
    """How long each sample stands for: until the next one (or ``t_end``), at most MAX_GAP_S."""
    nexts = [s.t for s in samples[1:]] + [t_end]
    return [max(0.0, min(n - s.t, MAX_GAP_S)) for s, n in zip(samples, nexts, strict=True)]


def _per_minute(count: int, seconds: float) -> float:
    """Events per minute; a session under a minute counts as one minute, so that a short clip
    is not judged on a rate extrapolated from one or two events."""
    return count / max(seconds / 60.0, 1.0)


def _worst(outcomes: Iterable[str]) -> SequenceOutcome:
    found = set(outcomes)
    for outcome in ("fail", "not_visible", "pass"):
        if outcome in found:
            return outcome  # type: ignore[return-value]
    return "not_observed"


class Monitor:
    """Base: a monitor reads samples and writes into the shared recorder."""

    clauses: tuple[str, ...] = ()

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec

    def update(self, s: Sample) -> None:
        raise NotImplementedError

    def finish(self, t: float) -> None:
        """The session ended at ``t``: close what is still open."""

    def judge(self) -> list[Judgement]:
        raise NotImplementedError


# --- the greeting bow -------------------------------------------------------------------


@dataclass(frozen=True)
class Bow:
    """One detected bow and its judgement against BW-BOW, BW-SMILE and BW-HANDS."""

    start: float
    end: float
    depth_deg: float
    depth: Outcome
    smile: Outcome
    smile_share: float | None
    hands: Outcome
    hands_position: Position | None

    @property
    def duration_s(self) -> float:
        return self.end - self.start

    @property
    def greeting(self) -> Outcome:
        """The greeting as a whole: failed if the bow, the smile or the hands failed."""
        return _worst((self.depth, self.smile, self.hands))  # type: ignore[return-value]


_REQUIRED_HANDS: dict[str, set[str]] = {"male": {"sides"}, "female": {"front"}, "any": {"sides", "front"}}
_POSITION_TEXT = {"sides": Text(zh="双手在体侧", en="hands at the sides"),
                  "front": Text(zh="双手合于身前", en="hands together in front"),
                  "other": Text(zh="手位不符", en="hands neither at the sides nor together in front")}


class BowMonitor(Monitor):
    """BW-BOW, BW-SMILE, BW-HANDS: bows found as the trunk's forward flexion rising over the
    person's own upright value and coming back."""

    clauses = ("BW-BOW", "BW-SMILE", "BW-HANDS")

    def __init__(self, rec: Recorder, standard: Standard, profile: str) -> None:
        super().__init__(rec)
        bow = standard.by_id["BW-BOW"]
        self.min_depth = bow.param("min_depth_deg")
        self.detector = ExcursionDetector(
            start_above=bow.param("detect_deg"), end_below=bow.param("return_deg"),
            min_duration_s=bow.param("min_duration_s"), max_duration_s=bow.param("max_duration_s"),
            baseline_window_s=bow.param("baseline_window_s"))
        smile, hands = standard.by_id["BW-SMILE"], standard.by_id["BW-HANDS"]
        self.smile_lead_s = smile.param("lead_s")
        self.min_smiling_share = smile.param("min_smiling_share")
        self.min_face_share = smile.param("min_face_share")
        self.smile_threshold = still_bound(standard, "EX-SMILE", "smile_score", "low")
        self.hands_clause = hands
        self.profile = profile
        self._keep_s = bow.param("max_duration_s") + self.smile_lead_s + 1.0
        self.recent: deque[Sample] = deque()
        self.bows: list[Bow] = []
        self.lean_seen = False

    @property
    def depth_now(self) -> float | None:
        """Depth so far of a bow under way."""
        return self.detector.active_depth

    @property
    def busy_since(self) -> float | None:
        """Start of a bow under way (trunk still flexed), else None."""
        return self.detector.active_since

    def update(self, s: Sample) -> None:
        self.recent.append(s)
        while self.recent[0].t < s.t - self._keep_s:
            self.recent.popleft()
        lean = s.get("trunk_flexion_deg")
        self.lean_seen |= lean is not None
        found = self.detector.update(s.t, lean)
        if found is not None:
            self._add(found)

    def _smile(self, exc: Excursion) -> tuple[Outcome, float | None]:
        """Share of the face-seen time smiling, from ``lead_s`` before the bow to its end."""
        t0 = exc.start - self.smile_lead_s
        window = [x for x in self.recent if t0 <= x.t <= exc.end]
        seen = yes = 0.0
        for x, d in zip(window, sample_durations(window, exc.end), strict=True):
            score = x.get("smile_score")
            if score is not None:
                seen += d
                yes += d if score >= self.smile_threshold else 0.0
        if seen < self.min_face_share * (exc.end - t0):
            return "not_visible", None
        share = yes / seen
        return ("pass" if share >= self.min_smiling_share else "fail"), share

    def _hands(self, exc: Excursion) -> tuple[Outcome, Position | None]:
        """Where the hands were during the bow (medians of the raw measurements)."""
        during = [x for x in self.recent if exc.start <= x.t <= exc.end]

        def median(name: str) -> float | None:
            vals = [x.raw.get(name) for x in during if x.raw.get(name) is not None]
            return statistics.median(vals) if vals else None

        gap, arm, offset = median("wrist_gap_sw"), median("upper_arm_hang_deg"), median("hands_centre_offset_sw")
        if gap is None:
            return "not_visible", None
        p = self.hands_clause.param
        position: Position = "other"
        if arm is not None and arm <= p("sides_max_upper_arm_deg") and gap >= p("sides_min_wrist_gap_sw"):
            position = "sides"
        elif offset is not None and gap <= p("front_max_wrist_gap_sw") and offset <= p("front_max_centre_offset_sw"):
            position = "front"
        ok = position in _REQUIRED_HANDS.get(self.profile, _REQUIRED_HANDS["any"])
        return ("pass" if ok else "fail"), position

    def _add(self, exc: Excursion) -> None:
        smile, share = self._smile(exc)
        hands, position = self._hands(exc)
        depth_ok: Outcome = "pass" if exc.depth >= self.min_depth else "fail"
        bow = Bow(exc.start, exc.end, exc.depth, depth_ok, smile, share, hands, position)
        self.bows.append(bow)
        self.rec.events.append(Event("bow", exc.start, exc.end, round(exc.depth, 1), "deg", {
            "duration_s": round(bow.duration_s, 2), "smile_share": None if share is None else round(share, 2),
            "hands": position, "greeting": bow.greeting}))
        shallow = depth_ok == "fail"
        self.rec.marks.append(Mark("BW-BOW", exc.start, exc.end, depth_ok, Text(
            zh=f"欠身 {exc.depth:.0f}°,{bow.duration_s:.1f} 秒"
               + (f"(过浅,应 ≥ {self.min_depth:g}°)" if shallow else ""),
            en=f"bow {exc.depth:.0f}°, {bow.duration_s:.1f} s"
               + (f" (too shallow, needs >= {self.min_depth:g}°)" if shallow else ""))))
        smile_text = {"pass": Text(zh="行礼时面带微笑", en="smiling during the bow"),
                      "fail": Text(zh="行礼时没有微笑:问候失败", en="no smile during the bow: a failed greeting"),
                      "not_visible": Text(zh="行礼时看不到面部", en="face not seen during the bow")}[smile]
        self.rec.marks.append(Mark("BW-SMILE", exc.start, exc.end, smile, smile_text))
        hands_text = _POSITION_TEXT[position] if position else Text(zh="看不到双手", en="hands not seen")
        self.rec.marks.append(Mark("BW-HANDS", exc.start, exc.end, hands, hands_text))

    def judge(self) -> list[Judgement]:
        if not self.bows:
            verdict: SequenceOutcome = "not_observed" if self.lean_seen else "not_visible"
            note = (Text(zh="没有检测到鞠躬", en="no bow seen") if self.lean_seen else
                    Text(zh="看不到躯干前倾(需要肩和髋入镜)",
                         en="trunk lean not visible (shoulders and hips must be in view)"))
            return [Judgement(c, verdict, note, {"bows": 0}) for c in self.clauses]
        n = len(self.bows)
        depths = [b.depth_deg for b in self.bows]
        shallow = sum(b.depth == "fail" for b in self.bows)
        bow = Judgement("BW-BOW", _worst(b.depth for b in self.bows), Text(
            zh=f"{n} 次鞠躬,深度 {min(depths):.0f}–{max(depths):.0f}°" + (f",{shallow} 次过浅" if shallow else ""),
            en=f"{n} bow(s), {min(depths):.0f}–{max(depths):.0f}° deep"
               + (f", {shallow} too shallow" if shallow else "")),
            {"bows": n, "min_depth_deg": round(min(depths), 1), "max_depth_deg": round(max(depths), 1),
             "mean_duration_s": round(float(np.mean([b.duration_s for b in self.bows])), 2),
             "too_shallow": shallow, "min_depth_required_deg": self.min_depth})
        judged = [b for b in self.bows if b.smile != "not_visible"]
        smiling = sum(b.smile == "pass" for b in judged)
        smile = Judgement("BW-SMILE", _worst(b.smile for b in self.bows) if judged else "not_visible", Text(
            zh=f"{len(judged)} 次可见的鞠躬中 {smiling} 次面带微笑",
            en=f"smiling in {smiling} of {len(judged)} bow(s) seen"),
            {"bows": n, "bows_face_seen": len(judged), "bows_smiling": smiling})
        hands_seen = [b for b in self.bows if b.hands != "not_visible"]
        right = sum(b.hands == "pass" for b in hands_seen)
        hands = Judgement("BW-HANDS", _worst(b.hands for b in self.bows) if hands_seen else "not_visible", Text(
            zh=f"{len(hands_seen)} 次可见的鞠躬中 {right} 次手位正确",
            en=f"hands right in {right} of {len(hands_seen)} bow(s) seen"),
            {"bows": n, "bows_hands_seen": len(hands_seen), "bows_hands_right": right, "profile": self.profile})
        return [bow, smile, hands]


# --- nods -------------------------------------------------------------------------------


class NodMonitor(Monitor):
    """LS-NOD: nods as the head's pitch going down past its own baseline and back."""

    clauses = ("LS-NOD",)

    def __init__(self, rec: Recorder, clause: Clause, bow: BowMonitor | None) -> None:
        super().__init__(rec)
        self.detector = ExcursionDetector(
            start_above=clause.param("detect_deg"), end_below=clause.param("return_deg"),
            min_duration_s=clause.param("min_duration_s"), max_duration_s=clause.param("max_duration_s"),
            baseline_window_s=clause.param("baseline_window_s"))
        self.min_per_min = clause.param("min_nods_per_min")
        self.min_listen_s = clause.param("min_listen_s")
        self.bow = bow
        self.seen = StateTrack()
        self.nods: list[Excursion] = []

    def _during_bow(self, exc: Excursion) -> bool:
        """A bow lowers the head too; that is not a nod."""
        if self.bow is None:
            return False
        if self.bow.busy_since is not None and self.bow.busy_since <= exc.end:
            return True
        return any(b.start <= exc.end and exc.start <= b.end for b in self.bow.bows)

    def update(self, s: Sample) -> None:
        pitch = s.get("head_pitch_deg")
        self.seen.add(s.t, None if pitch is None else True)
        found = self.detector.update(s.t, pitch)
        if found is None or self._during_bow(found):
            return
        self.nods.append(found)
        self.rec.events.append(Event("nod", found.start, found.end, round(found.depth, 1), "deg",
                                     {"duration_s": round(found.duration_s, 2)}))
        self.rec.marks.append(Mark("LS-NOD", found.start, found.end, "pass",
                                   Text(zh=f"点头 {found.depth:.0f}°", en=f"nod {found.depth:.0f}°")))

    def judge(self) -> list[Judgement]:
        listened = self.seen.seconds(True)
        rate = _per_minute(len(self.nods), listened)
        metrics = {"nods": len(self.nods), "face_seen_s": round(listened, 1), "nods_per_min": round(rate, 2),
                   "min_nods_per_min": self.min_per_min}
        if listened < self.min_listen_s:
            return [Judgement("LS-NOD", "not_observed", Text(
                zh=f"面部可见仅 {listened:.0f} 秒,不足 {self.min_listen_s:g} 秒,不评判点头",
                en=f"face seen for {listened:.0f} s, under {self.min_listen_s:g} s: too short to judge nodding"),
                metrics)]
        ok = rate >= self.min_per_min
        return [Judgement("LS-NOD", "pass" if ok else "fail", Text(
            zh=f"点头 {len(self.nods)} 次,每分钟 {rate:.1f} 次", en=f"{len(self.nods)} nod(s), {rate:.1f} per minute"),
            metrics)]


# --- smile throughout ---------------------------------------------------------------------


class SmileMonitor(Monitor):
    """EX-SMILE-ALWAYS: share of the face-seen time smiling, longest stretch without a smile."""

    clauses = ("EX-SMILE-ALWAYS",)

    def __init__(self, rec: Recorder, clause: Clause, standard: Standard) -> None:
        super().__init__(rec)
        self.threshold = still_bound(standard, "EX-SMILE", "smile_score", "low")
        self.min_share = clause.param("min_smiling_share")
        self.max_gap_s = clause.param("max_gap_s")
        self.min_face_s = clause.param("min_face_s")
        self.track = StateTrack()
        self.smiling: bool | None = None
        # A stretch without a smile becomes an alert and a timeline mark once it lasts max_gap_s.
        self.gap = IntervalDetector(on_after_s=self.max_gap_s, off_after_s=0.2)

    def update(self, s: Sample) -> None:
        score = s.get("smile_score")
        self.smiling = None if score is None else score >= self.threshold
        self.track.add(s.t, self.smiling)
        self._mark(self.gap.update(s.t, None if self.smiling is None else not self.smiling))

    def _mark(self, stretch: Interval | None) -> None:
        if stretch is None:
            return
        self.rec.events.append(Event("no_smile", stretch.start, stretch.end, round(stretch.duration_s, 1), "s"))
        self.rec.marks.append(Mark("EX-SMILE-ALWAYS", stretch.start, stretch.end, "fail", Text(
            zh=f"{stretch.duration_s:.0f} 秒没有微笑", en=f"no smile for {stretch.duration_s:.0f} s")))

    def finish(self, t: float) -> None:
        self._mark(self.gap.close(t))

    def judge(self) -> list[Judgement]:
        seen = self.track.seconds(True) + self.track.seconds(False)
        share = self.track.share()
        longest, start, _ = self.track.longest(False)
        metrics = {"face_seen_s": round(seen, 1), "smiling_share": None if share is None else round(share, 3),
                   "longest_without_smile_s": round(longest, 1), "longest_starts_at_s": round(start, 2),
                   "min_smiling_share": self.min_share, "max_gap_s": self.max_gap_s}
        if seen < self.min_face_s:
            return [Judgement("EX-SMILE-ALWAYS", "not_visible", Text(
                zh=f"面部可见仅 {seen:.0f} 秒", en=f"face seen for only {seen:.0f} s"), metrics)]
        ok = share >= self.min_share and longest <= self.max_gap_s
        return [Judgement("EX-SMILE-ALWAYS", "pass" if ok else "fail", Text(
            zh=f"微笑时间占 {share:.0%},最长 {longest:.0f} 秒没有微笑",
            en=f"smiling {share:.0%} of the time; longest stretch without a smile {longest:.0f} s"), metrics)]


# --- eyes on the customer -------------------------------------------------------------------


class FocusMonitor(Monitor):
    """EY-FOCUS: share of time the gaze (head plus irises) points at the camera, and how often
    it leaves."""

    clauses = ("EY-FOCUS",)

    def __init__(self, rec: Recorder, clause: Clause) -> None:
        super().__init__(rec)
        p = clause.param
        self.max_yaw, self.max_pitch = p("max_yaw_deg"), p("max_pitch_deg")
        self.min_share, self.min_face_s = p("min_on_share"), p("min_face_s")
        self.max_per_min = p("max_departures_per_min")
        self.track = StateTrack()
        self.away = IntervalDetector(on_after_s=p("away_after_s"), off_after_s=p("back_after_s"))
        self.departures = 0
        self.looking: bool | None = None

    def update(self, s: Sample) -> None:
        yaw, pitch = s.get("gaze_yaw_deg"), s.get("gaze_pitch_deg")
        self.looking = None if yaw is None or pitch is None else (
            abs(yaw) <= self.max_yaw and abs(pitch) <= self.max_pitch)
        self.track.add(s.t, self.looking)
        off = None if yaw is None or pitch is None else max(abs(yaw) - self.max_yaw, abs(pitch) - self.max_pitch)
        self._mark(self.away.update(s.t, None if self.looking is None else not self.looking, off))

    def _mark(self, away: Interval | None) -> None:
        if away is None:
            return
        self.departures += 1
        self.rec.events.append(Event("gaze_away", away.start, away.end, round(away.duration_s, 2), "s"))
        self.rec.marks.append(Mark("EY-FOCUS", away.start, away.end, "fail", Text(
            zh=f"目光离开 {away.duration_s:.1f} 秒", en=f"eyes away for {away.duration_s:.1f} s")))

    def finish(self, t: float) -> None:
        self._mark(self.away.close(t))

    def judge(self) -> list[Judgement]:
        seen = self.track.seconds(True) + self.track.seconds(False)
        share = self.track.share()
        rate = _per_minute(self.departures, seen)
        metrics = {"face_seen_s": round(seen, 1), "on_camera_share": None if share is None else round(share, 3),
                   "departures": self.departures, "departures_per_min": round(rate, 2),
                   "min_on_share": self.min_share, "max_departures_per_min": self.max_per_min}
        if seen < self.min_face_s:
            return [Judgement("EY-FOCUS", "not_visible", Text(
                zh=f"面部可见仅 {seen:.0f} 秒", en=f"face seen for only {seen:.0f} s"), metrics)]
        ok = share >= self.min_share and rate <= self.max_per_min
        return [Judgement("EY-FOCUS", "pass" if ok else "fail", Text(
            zh=f"注视镜头的时间占 {share:.0%},目光离开 {self.departures} 次",
            en=f"eyes on the camera {share:.0%} of the time; looked away {self.departures} time(s)"), metrics)]


# --- gestures while talking -----------------------------------------------------------------

_WRISTS = {"left": ("left_wrist_across_sw", "left_wrist_down_sw"),
           "right": ("right_wrist_across_sw", "right_wrist_down_sw")}


class GestureMonitor(Monitor):
    """HD-TALK, frequency part ("手势不宜过多"): share of the time a hand moves relative to the
    trunk, and the gestures counted. A hand is moving while its wrist's positions over the
    last ``gesture_window_s`` span more than ``gesture_span_sw``: a spread, unlike a speed
    from frame differences, neither grows with the frame rate on jitter nor drops to zero
    at the turning points of a waving hand."""

    clauses = ("HD-TALK",)

    def __init__(self, rec: Recorder, clause: Clause) -> None:
        super().__init__(rec)
        p = clause.param
        self.span_sw, self.window_s = p("gesture_span_sw"), p("gesture_window_s")
        self.max_share, self.min_talk_s = p("max_moving_share"), p("min_talk_s")
        self.track = StateTrack()
        self.gesture = IntervalDetector(on_after_s=p("gesture_min_s"), off_after_s=p("gesture_gap_s"))
        self.gestures = 0
        self.moving = False
        self._paths: dict[str, deque[tuple[float, np.ndarray]]] = {side: deque() for side in _WRISTS}

    def _span(self, side: str, t: float, pos: np.ndarray | None) -> float | None:
        """How far apart the wrist's positions of the last window lie (shoulder widths)."""
        path = self._paths[side]
        if pos is None or (path and t - path[-1][0] > MAX_GAP_S):
            path.clear()
        if pos is None:
            return None
        path.append((t, pos))
        while path[0][0] < t - self.window_s:
            path.popleft()
        if path[-1][0] - path[0][0] < self.window_s / 2:
            return None
        points = np.array([p for _, p in path])
        return float(np.linalg.norm(points.max(axis=0) - points.min(axis=0)))

    def update(self, s: Sample) -> None:
        spans = []
        for side, (ax, dn) in _WRISTS.items():
            x, y = s.get(ax), s.get(dn)
            span = self._span(side, s.t, None if x is None or y is None else np.array([x, y]))
            if span is not None:
                spans.append(span)
        state = None if not spans else max(spans) >= self.span_sw
        self.moving = bool(state)
        self.track.add(s.t, state)
        self._mark(self.gesture.update(s.t, state, max(spans) if spans else None))

    def _mark(self, g: Interval | None) -> None:
        if g is not None:
            self.gestures += 1
            self.rec.events.append(Event("gesture", g.start, g.end, round(g.extreme or 0.0, 2), "shoulder widths"))

    def finish(self, t: float) -> None:
        self._mark(self.gesture.close(t))

    def judge(self) -> list[Judgement]:
        seen = self.track.seconds(True) + self.track.seconds(False)
        share = self.track.share()
        metrics = {"hands_seen_s": round(seen, 1), "moving_share": None if share is None else round(share, 3),
                   "gestures": self.gestures, "gestures_per_min": round(_per_minute(self.gestures, seen), 2),
                   "max_moving_share": self.max_share}
        if seen < self.min_talk_s:
            return [Judgement("HD-TALK", "not_observed", Text(
                zh=f"双手可见仅 {seen:.0f} 秒,不评判手势频率",
                en=f"hands seen for {seen:.0f} s: too short to judge gestures"),
                metrics)]
        ok = share <= self.max_share
        return [Judgement("HD-TALK", "pass" if ok else "fail", Text(
            zh=f"手在动的时间占 {share:.0%},手势 {self.gestures} 次",
            en=f"hands moving {share:.0%} of the time, {self.gestures} gesture(s)"), metrics)]


# --- touching the face or hair --------------------------------------------------------------


class TouchMonitor(Monitor):
    """HD-TOUCH as events: a hand at the face or hair for at least ``min_duration_s``."""

    clauses = ("HD-TOUCH",)

    def __init__(self, rec: Recorder, clause: Clause, standard: Standard) -> None:
        super().__init__(rec)
        self.below = still_bound(standard, "HD-TOUCH", "hand_to_face_sw", "low")
        self.detector = IntervalDetector(on_after_s=clause.param("min_duration_s"),
                                         off_after_s=clause.param("release_s"), extreme="min")
        self.seen = StateTrack()
        self.touches: list[tuple[float, float]] = []

    @property
    def touching(self) -> bool:
        return self.detector.on

    def update(self, s: Sample) -> None:
        d = s.get("hand_to_face_sw")
        self.seen.add(s.t, None if d is None else True)
        self._mark(self.detector.update(s.t, None if d is None else d < self.below, d))

    def _mark(self, touch: Interval | None) -> None:
        if touch is None:
            return
        self.touches.append((touch.start, touch.end))
        self.rec.events.append(Event("touch", touch.start, touch.end, round(touch.duration_s, 2), "s"))
        self.rec.marks.append(Mark("HD-TOUCH", touch.start, touch.end, "fail", Text(
            zh=f"手触碰面部或头发 {touch.duration_s:.1f} 秒",
            en=f"hand at the face or hair for {touch.duration_s:.1f} s")))

    def finish(self, t: float) -> None:
        self._mark(self.detector.close(t))

    def judge(self) -> list[Judgement]:
        seen = self.seen.seconds(True)
        metrics = {"touches": len(self.touches), "seconds_touching": round(sum(e - s for s, e in self.touches), 2),
                   "seen_s": round(seen, 1), "at_s": ", ".join(f"{s:.1f}" for s, _ in self.touches) or None}
        if self.touches:
            return [Judgement("HD-TOUCH", "fail", Text(
                zh=f"手触碰面部或头发 {len(self.touches)} 次",
                en=f"hand at the face or hair {len(self.touches)} time(s)"),
                metrics)]
        if seen <= 0:
            return [Judgement("HD-TOUCH", "not_visible", Text(zh="看不到手和面部", en="hands and face not seen"),
                              metrics)]
        return [Judgement("HD-TOUCH", "pass", Text(zh="没有触碰面部或头发", en="no touching of the face or hair"),
                          metrics)]


# --- rest stance ------------------------------------------------------------------------------


class RestMonitor(Monitor):
    """ST-REST over time: the still clause failing (weight on one leg) for ``min_duration_s`` is
    a rest stance, reported as such."""

    clauses = ("ST-REST",)

    def __init__(self, rec: Recorder, clause: Clause) -> None:
        super().__init__(rec)
        self.detector = IntervalDetector(on_after_s=clause.param("min_duration_s"),
                                         off_after_s=clause.param("release_s"))
        self.judged = StateTrack()
        self.rests: list[tuple[float, float]] = []

    @property
    def resting(self) -> bool:
        return self.detector.on

    def update(self, s: Sample) -> None:
        v = s.still.get("ST-REST")
        state = None if v is None or v.outcome == "not_visible" else v.outcome == "fail"
        self.judged.add(s.t, None if state is None else True)
        self._mark(self.detector.update(s.t, state))

    def _mark(self, rest: Interval | None) -> None:
        if rest is None:
            return
        self.rests.append((rest.start, rest.end))
        self.rec.events.append(Event("rest_stance", rest.start, rest.end, round(rest.duration_s, 1), "s"))
        self.rec.marks.append(Mark("ST-REST", rest.start, rest.end, "fail", Text(
            zh=f"稍息站姿(重心在一条腿上){rest.duration_s:.0f} 秒",
            en=f"rest stance (weight on one leg) for {rest.duration_s:.0f} s")))

    def finish(self, t: float) -> None:
        self._mark(self.detector.close(t))

    def judge(self) -> list[Judgement]:
        judged = self.judged.seconds(True)
        metrics = {"rest_stances": len(self.rests), "seconds_resting": round(sum(e - s for s, e in self.rests), 1),
                   "judged_s": round(judged, 1)}
        if self.rests:
            return [Judgement("ST-REST", "fail", Text(
                zh=f"稍息站姿 {len(self.rests)} 次:无客户时允许,客户走近时应恢复标准站姿",
                en=f"rest stance {len(self.rests)} time(s): allowed while no customer is near; "
                   "restore the standard stance when one approaches"), metrics)]
        if judged <= 0:
            return [Judgement("ST-REST", "not_visible", Text(zh="看不到髋部和双脚", en="hips and feet not seen"),
                              metrics)]
        return [Judgement("ST-REST", "pass", Text(zh="重心始终平稳", en="weight on both feet throughout"), metrics)]


# --- walking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Walk:
    start: float
    end: float
    swing_deg: tuple[float, float]  # (left, right) peak-to-peak forward swing
    head_pitch_deg: float | None
    trunk_lean_deg: float | None
    verdict: Outcome
    faults: tuple[str, ...]


class WalkMonitor(Monitor):
    """WK-POSTURE: while walking (the feet's stagger swinging back and forth, whole body in
    view), arm swing and its symmetry, head up, trunk upright."""

    clauses = ("WK-POSTURE",)

    def __init__(self, rec: Recorder, clause: Clause, standard: Standard) -> None:
        super().__init__(rec)
        p = clause.param
        self.window_s, self.min_range = p("walk_window_s"), p("walk_stagger_range_m")
        self.min_walk_s, self.min_swing = p("min_walk_s"), p("min_swing_deg")
        self.min_symmetry = p("min_swing_symmetry")
        self.max_pitch = still_bound(standard, "ST-HEAD", "head_pitch_deg", "high")
        self.lean_low = still_bound(standard, "ST-TORSO", "trunk_forward_lean_deg", "low")
        self.lean_high = still_bound(standard, "ST-TORSO", "trunk_forward_lean_deg", "high")
        self.window: deque[Sample] = deque()
        self.current: list[Sample] | None = None
        self._quiet_since: float | None = None
        self.walks: list[Walk] = []
        self.body_seen = False

    @property
    def walking(self) -> bool:
        return self.current is not None

    def update(self, s: Sample) -> None:
        stagger = s.get("ankle_stagger_m")
        if stagger is None:
            return
        self.body_seen = True
        self.window.append(s)
        while self.window[0].t < s.t - self.window_s:
            self.window.popleft()
        values = [x.get("ankle_stagger_m") for x in self.window]
        stepping = (s.t - self.window[0].t >= 0.8 * self.window_s
                    and max(values) - min(values) >= self.min_range)
        if self.current is None:
            if stepping:
                self.current, self._quiet_since = list(self.window), None
            return
        self.current.append(s)
        if stepping:
            self._quiet_since = None
        elif self._quiet_since is None:
            self._quiet_since = s.t
        elif s.t - self._quiet_since >= self.window_s / 2:
            self._close()

    def finish(self, t: float) -> None:
        if self.current is not None:
            self._close()

    def _close(self) -> None:
        samples = [x for x in self.current if self._quiet_since is None or x.t <= self._quiet_since]
        self.current, self._quiet_since = None, None
        if not samples or samples[-1].t - samples[0].t < self.min_walk_s:
            return

        def spread(name: str) -> float:
            vals = [x.get(name) for x in samples if x.get(name) is not None]
            return float(np.percentile(vals, 95) - np.percentile(vals, 5)) if len(vals) >= 3 else 0.0

        def median(name: str) -> float | None:
            vals = [x.get(name) for x in samples if x.get(name) is not None]
            return statistics.median(vals) if vals else None

        swing = (spread("left_arm_swing_deg"), spread("right_arm_swing_deg"))
        pitch, lean = median("head_pitch_deg"), median("trunk_flexion_deg")
        faults = []
        if max(swing) < self.min_swing:
            faults.append("arms_not_swinging")
        elif min(swing) / max(swing) < self.min_symmetry:
            faults.append("swing_asymmetric")
        if pitch is not None and pitch > self.max_pitch:
            faults.append("head_down")
        if lean is not None and not self.lean_low <= lean <= self.lean_high:
            faults.append("trunk_not_upright")
        walk = Walk(samples[0].t, samples[-1].t, swing, pitch, lean, "fail" if faults else "pass", tuple(faults))
        self.walks.append(walk)
        self.rec.events.append(Event("walk", walk.start, walk.end, round(walk.end - walk.start, 1), "s", {
            "swing_left_deg": round(swing[0], 1), "swing_right_deg": round(swing[1], 1),
            "head_pitch_deg": None if pitch is None else round(pitch, 1),
            "trunk_lean_deg": None if lean is None else round(lean, 1), "faults": ", ".join(faults) or None}))
        self.rec.marks.append(Mark("WK-POSTURE", walk.start, walk.end, walk.verdict, Text(
            zh=f"行走:摆臂 左 {swing[0]:.0f}° 右 {swing[1]:.0f}°" + (f"({'、'.join(faults)})" if faults else ""),
            en=f"walking: arm swing left {swing[0]:.0f}°, right {swing[1]:.0f}°"
               + (f" ({', '.join(faults)})" if faults else ""))))

    def judge(self) -> list[Judgement]:
        if not self.walks:
            verdict: SequenceOutcome = "not_observed" if self.body_seen else "not_visible"
            note = (Text(zh="没有检测到行走", en="no walking seen") if self.body_seen else
                    Text(zh="看不到全身", en="the whole body was not in view"))
            return [Judgement("WK-POSTURE", verdict, note, {"walks": 0})]
        faults = sorted({f for w in self.walks for f in w.faults})
        verdict = _worst(w.verdict for w in self.walks)
        return [Judgement("WK-POSTURE", verdict, Text(
            zh=f"行走 {len(self.walks)} 段" + (f",问题:{'、'.join(faults)}" if faults else ",姿态良好"),
            en=f"{len(self.walks)} walk(s)" + (f"; faults: {', '.join(faults)}" if faults else "; good posture")),
            {"walks": len(self.walks), "faults": ", ".join(faults) or None,
             "min_swing_deg": round(min(min(w.swing_deg) for w in self.walks), 1),
             "max_swing_deg": round(max(max(w.swing_deg) for w in self.walks), 1)})]


# --- the still clauses over time --------------------------------------------------------------

# Measurements a bow changes on purpose: a still clause failing only on these while a bow is
# under way is not a deviation (the trunk leans and the head lowers because of the bow).
BOW_POSTURE = frozenset({"trunk_forward_lean_deg", "head_pitch_deg", "hands_height_on_trunk"})
# Still clauses whose time-based reading belongs to a monitor above (their own durations).
OWNED_STILL = frozenset({"ST-REST", "HD-TOUCH"})


@dataclass
class StillTrack:
    clause: Clause
    track: StateTrack
    alert: IntervalDetector
    intervals: int = 0
    present_since: float | None = None  # start of the current run of frames the clause applied to
    pending: list[tuple[float, bool | None]] = field(default_factory=list)  # that run, until it has held


class StillMonitor:
    """Every still clause over time: seconds passed/failed/not visible, and its failures
    debounced (shown after ``show_after_s``, cleared after ``clear_after_s``) for live alerts
    and the timeline. A clause's frames count only once the scenario it belongs to has held
    ``scenario_hold_s`` (a flicker of the scenario reading is dropped, not judged)."""

    def __init__(self, rec: Recorder, show_after_s: float, clear_after_s: float, bow: BowMonitor | None,
                 scenario_hold_s: float = 0.0) -> None:
        self.rec = rec
        self.show_after_s, self.clear_after_s = show_after_s, clear_after_s
        self.scenario_hold_s = scenario_hold_s
        self.bow = bow
        self.tracks: dict[str, StillTrack] = {}

    def _state(self, v: Verdict, bowing: bool) -> bool | None:
        if v.outcome == "not_visible":
            return None
        if v.outcome == "fail" and bowing and all(
                c.measurement in BOW_POSTURE for c in v.checks if c.ok is False):
            return None
        return v.outcome == "pass"

    def update(self, s: Sample) -> None:
        bowing = self.bow is not None and self.bow.busy_since is not None
        for cid, v in s.still.items():
            if cid not in self.tracks:
                self.tracks[cid] = StillTrack(v.clause, StateTrack(), IntervalDetector(self.show_after_s,
                                                                                       self.clear_after_s))
        for cid, st in self.tracks.items():
            v = s.still.get(cid)
            state = None if v is None else self._state(v, bowing)
            # The live alert has its own delay (show_after_s); the time accounting waits for
            # the scenario to hold.
            self._mark(st, st.alert.update(s.t, None if state is None else not state))
            if v is None:  # the frame's scenario is not this clause's: what was pending is dropped
                st.present_since, st.pending = None, []
                st.track.add(s.t, None)
                continue
            st.present_since = s.t if st.present_since is None else st.present_since
            st.pending.append((s.t, state))
            if s.t - st.present_since >= self.scenario_hold_s:
                for t, held in st.pending:
                    st.track.add(t, held)
                st.pending = []

    def _mark(self, st: StillTrack, interval: Interval | None) -> None:
        if interval is None:
            return
        st.intervals += 1
        if st.clause.id not in OWNED_STILL:
            self.rec.marks.append(Mark(st.clause.id, interval.start, interval.end, "fail", st.clause.title))

    def finish(self, t: float) -> None:
        for st in self.tracks.values():
            self._mark(st, st.alert.close(t))

    def failing(self) -> frozenset[str]:
        """Still clauses failing long enough to be shown now."""
        return frozenset(cid for cid, st in self.tracks.items() if st.alert.on and cid not in OWNED_STILL)
