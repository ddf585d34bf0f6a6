"""The sequence engine: fed ``(t, CheckResult)`` frame by frame, by the live view and by the
video reader alike, it smooths the measurements, runs the monitors (bows, nods, smile,
gaze, gestures, touches, rest stance, walking, the still clauses over time) and returns
what a live view shows now; at the end it makes the :class:`VideoReport`.

Times are the frames' timestamps in seconds (any origin, increasing), never frame counts:
a slow machine sees fewer frames, not different verdicts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from posture.measure import measure_all
from posture.pipeline import CheckResult
from posture.report import Skipped
from posture.sequence.filters import OneEuroSettings, Smoother
from posture.sequence.monitors import (
    Alert,
    Bow,
    BowMonitor,
    FocusMonitor,
    GestureMonitor,
    Judgement,
    Monitor,
    NodMonitor,
    Recorder,
    RestMonitor,
    Sample,
    SmileMonitor,
    StillMonitor,
    TouchMonitor,
    WalkMonitor,
)
from posture.sequence.report import (
    EventOut,
    StillClauseSummary,
    TimeClauseResult,
    TimelineEntry,
    VideoInfo,
    VideoReport,
    VideoScore,
)
from posture.sequence.still_rule import still_verdict
from posture.standards import Standard
from posture.verdicts import Verdict

# Live alerts: a deviation is shown once it has held this long and cleared once it has
# been gone this long (the app's defaults, posture.settings).
ALERT_SHOW_S = 0.7
ALERT_CLEAR_S = 0.7

# One Euro settings per smoothed signal (min cutoff Hz, beta per unit/s). A still signal is
# cut at 1 Hz: landmark jitter is mostly faster, while a bow (1-3 s) or a nod (0.3-1 s)
# raises the cutoff through beta so it keeps its depth: a bow at ~30 deg/s lifts the lean's
# cutoff to ~2.5 Hz, a nod at ~40 deg/s the pitch's to ~5 Hz. The wrists (gestures of 1-2
# strokes a second), arm swing and stagger (about one swing per second while walking) start
# at 2 Hz.
SMOOTHING: dict[str, OneEuroSettings] = {
    "trunk_flexion_deg": OneEuroSettings(1.0, 0.05),
    "head_pitch_deg": OneEuroSettings(1.0, 0.1),
    "gaze_yaw_deg": OneEuroSettings(1.0, 0.05),
    "gaze_pitch_deg": OneEuroSettings(1.0, 0.05),
    "smile_score": OneEuroSettings(1.0, 2.0),
    **{f"{side}_wrist_{axis}_sw": OneEuroSettings(2.0, 0.5)
       for side in ("left", "right") for axis in ("across", "down")},
    "left_arm_swing_deg": OneEuroSettings(2.0, 0.05),
    "right_arm_swing_deg": OneEuroSettings(2.0, 0.05),
    "ankle_stagger_m": OneEuroSettings(2.0, 1.0),
}

# Measurements each monitor reads (hand_to_face_sw is used raw: a touch is a contact, which
# smoothing would only delay; the hands' bow positions are medians of raw values).
NEEDS: dict[type[Monitor], frozenset[str]] = {
    BowMonitor: frozenset({"trunk_flexion_deg", "smile_score", "wrist_gap_sw", "upper_arm_hang_deg",
                           "hands_centre_offset_sw"}),
    NodMonitor: frozenset({"head_pitch_deg"}),
    SmileMonitor: frozenset({"smile_score"}),
    FocusMonitor: frozenset({"gaze_yaw_deg", "gaze_pitch_deg"}),
    GestureMonitor: frozenset(f"{s}_wrist_{a}_sw" for s in ("left", "right") for a in ("across", "down")),
    TouchMonitor: frozenset({"hand_to_face_sw"}),
    RestMonitor: frozenset(),
    WalkMonitor: frozenset({"ankle_stagger_m", "left_arm_swing_deg", "right_arm_swing_deg", "head_pitch_deg",
                            "trunk_flexion_deg"}),
}


@dataclass(frozen=True)
class Observation:
    """One checked frame as the session uses it: whether a person could be judged, the raw
    measurements the monitors read, the scenarios, the still verdicts by clause id."""

    person: bool
    raw: dict[str, float | None]
    scenarios: tuple[str, ...]
    still: dict[str, Verdict]


@dataclass(frozen=True)
class SequenceState:
    """What a live view shows at time ``t`` (see posture.sequence.overlay). ``alerts`` are
    the time-based deviations going on now; ``failing_still`` the still clauses failing
    long enough to be shown (debounced by show_after_s and clear_after_s, but not
    the trunk and head during a bow)."""

    t: float
    person: bool
    bow_visible: bool  # the trunk's lean is measured in this frame (shoulders and hips in view)
    bow_depth_deg: float | None  # a bow under way: its depth so far
    bows: tuple[Bow, ...]
    nods: int
    smiling: bool | None
    smile_share: float | None
    looking: bool | None
    focus_share: float | None
    touching: bool
    walking: bool
    alerts: tuple[Alert, ...]
    failing_still: frozenset[str]


class SequenceTracker:
    """One session (a video, or a live view from start to stop). Feed frames with
    :meth:`update` in time order; call :meth:`report` at the end. ``show_after_s`` and
    ``clear_after_s``: the live debounce of the still clauses' failures. Not thread-safe."""

    def __init__(self, standard: Standard, *, profile: str = "any", scenario: str = "auto",
                 show_after_s: float = ALERT_SHOW_S, clear_after_s: float = ALERT_CLEAR_S) -> None:
        self.standard, self.profile, self.scenario = standard, profile, scenario
        by = standard.by_id
        self.rec = Recorder()
        self.bow = BowMonitor(self.rec, standard, profile) if {"BW-BOW", "BW-SMILE", "BW-HANDS"} <= by.keys() else None
        self.nod = NodMonitor(self.rec, by["LS-NOD"], self.bow) if "LS-NOD" in by else None
        self.smile = SmileMonitor(self.rec, by["EX-SMILE-ALWAYS"], standard) if "EX-SMILE-ALWAYS" in by else None
        self.focus = FocusMonitor(self.rec, by["EY-FOCUS"]) if "EY-FOCUS" in by else None
        self.gesture = GestureMonitor(self.rec, by["HD-TALK"]) if "HD-TALK" in by else None
        self.touch = TouchMonitor(self.rec, by["HD-TOUCH"], standard) if "HD-TOUCH" in by else None
        self.rest = RestMonitor(self.rec, by["ST-REST"]) if "ST-REST" in by else None
        self.walk = WalkMonitor(self.rec, by["WK-POSTURE"], standard) if "WK-POSTURE" in by else None
        self.monitors: list[Monitor] = [m for m in (self.bow, self.nod, self.smile, self.focus, self.gesture,
                                                    self.touch, self.rest, self.walk) if m is not None]
        self.still_rule = standard.settings.still_over_time
        self.still = StillMonitor(self.rec, show_after_s, clear_after_s, self.bow,
                                  scenario_hold_s=self.still_rule.scenario_hold_s)
        self.needs = frozenset().union(*(NEEDS[type(m)] for m in self.monitors))
        self.smoother = Smoother({k: v for k, v in SMOOTHING.items() if k in self.needs})
        self.scenarios_seen: set[str] = set()
        self.first_t: float | None = None
        self.last_t: float | None = None
        self.frames = 0
        self.person_frames = 0
        self.busy_s = 0.0  # time spent in update(), for the per-frame overhead
        self._finished = False
        self._state: SequenceState | None = None

    def observe(self, result: CheckResult) -> Observation:
        """What the session needs of one checked frame (a worker checking a time range of a
        video sends these back; see posture.batch.video_parts)."""
        person = result.report.person.judgeable  # found, and large enough to be judged
        raw: dict[str, float | None] = {n: None for n in self.needs}
        if person:
            measured = measure_all(result.landmarks, set(self.needs))
            raw.update({n: (m.value if m is not None else None) for n, m in measured.items()})
        return Observation(person, raw, tuple(result.report.scenarios) if person else (),
                           {v.clause.id: v for v in result.verdicts})

    def update(self, t: float, result: CheckResult) -> SequenceState:
        """Feed one checked frame taken at ``t`` seconds; returns the live state. A frame not
        later than the previous one is ignored (its state is returned again)."""
        if self.last_t is not None and t <= self.last_t and self._state is not None and not self._finished:
            return self._state
        return self.add(t, self.observe(result))

    def add(self, t: float, obs: Observation) -> SequenceState:
        """:meth:`update` with the frame already observed (:meth:`observe`)."""
        if self._finished:
            raise RuntimeError("the session is finished; start a new SequenceTracker")
        if self.last_t is not None and t <= self.last_t and self._state is not None:
            return self._state
        started = time.perf_counter()
        person, raw = obs.person, obs.raw
        if person:
            self.scenarios_seen.update(obs.scenarios)
            self.person_frames += 1
        sample = Sample(t, self.smoother(t, raw), raw, obs.still)
        for monitor in self.monitors:
            monitor.update(sample)
        self.still.update(sample)
        self.first_t = t if self.first_t is None else self.first_t
        self.last_t = t
        self.frames += 1
        self._state = self._live(t, person, raw)
        self.busy_s += time.perf_counter() - started
        return self._state

    def _live(self, t: float, person: bool, raw: dict[str, float | None]) -> SequenceState:
        going_on = {"HD-TOUCH": self.touch is not None and self.touch.touching,
                    "EY-FOCUS": self.focus is not None and self.focus.away.on,
                    "EX-SMILE-ALWAYS": self.smile is not None and self.smile.gap.on,
                    "ST-REST": self.rest is not None and self.rest.resting}
        alerts = [Alert(cid, self.standard.by_id[cid].advice) for cid, on in going_on.items() if on]
        return SequenceState(
            t=t, person=person,
            bow_visible=raw.get("trunk_flexion_deg") is not None,
            bow_depth_deg=self.bow.depth_now if self.bow else None,
            bows=tuple(self.bow.bows) if self.bow else (),
            nods=len(self.nod.nods) if self.nod else 0,
            smiling=self.smile.smiling if self.smile else None,
            smile_share=self.smile.track.share() if self.smile else None,
            looking=self.focus.looking if self.focus else None,
            focus_share=self.focus.track.share() if self.focus else None,
            touching=bool(self.touch and self.touch.touching),
            walking=bool(self.walk and self.walk.walking),
            alerts=tuple(alerts),
            failing_still=self.still.failing(),
        )

    @property
    def bows(self) -> list[Bow]:
        return list(self.bow.bows) if self.bow else []

    def finish(self) -> None:
        """End of the session: close open events (a touch still going on at the end counts)."""
        if self._finished:
            return
        self._finished = True
        if self.last_t is None:
            return
        for monitor in self.monitors:
            monitor.finish(self.last_t)
        self.still.finish(self.last_t)

    def judgements(self) -> list[Judgement]:
        """Each time-based clause's verdict so far (call :meth:`finish` first for the final one)."""
        return [j for m in self.monitors for j in m.judge()]

    def report(self, *, source: str | None = None, video: VideoInfo | None = None,
               timings_ms: dict[str, float] | None = None) -> VideoReport:
        """The session's report; finishes the session."""
        self.finish()
        scenarios = sorted(self.scenarios_seen) or ([self.scenario] if self.scenario != "auto" else ["standing"])
        clauses, skipped = [], []
        for j in self.judgements():
            c = self.standard.by_id[j.clause]
            if not c.applies(scenarios, self.profile):
                reason = f"profile {c.profile} only" if c.profile not in ("any", self.profile) \
                    else f"scenario {'/'.join(c.scenarios)}"
                skipped.append(Skipped(id=c.id, reason=reason))
                continue
            clauses.append(TimeClauseResult(
                id=c.id, verdict=j.verdict, severity=c.severity, title=c.title, original=c.original,
                english=c.english, source=c.source, advice=c.advice, note=j.note, metrics=j.metrics,
                parameters={p.name: p.value for p in c.parameters}))
        kept = {c.id for c in clauses}
        still = [self._still_summary(cid) for cid in self.still.tracks]
        timeline = sorted((TimelineEntry(clause=m.clause, start=round(m.start, 3), end=round(m.end, 3),
                                         verdict=m.verdict, label=m.label)
                           for m in self.rec.marks
                           if m.clause in kept or self.standard.by_id[m.clause].method == "still"),
                          key=lambda e: (e.start, e.clause))
        events = sorted((EventOut(kind=e.kind, start=round(e.start, 3), end=round(e.end, 3), value=e.value,
                                  unit=e.unit, details=e.details) for e in self.rec.events),
                        key=lambda e: e.start)
        counts = [c.verdict for c in clauses]
        timings = {"sequence_per_frame": round(1e3 * self.busy_s / max(self.frames, 1), 3), **(timings_ms or {})}
        return VideoReport(
            kind="video" if video else "live", source=source, video=video, profile=self.profile,
            scenario_requested=self.scenario, scenarios_seen=sorted(self.scenarios_seen),
            start_s=round(self.first_t or 0.0, 3), end_s=round(self.last_t or 0.0, 3),
            frames_with_person=self.person_frames,
            clauses=clauses, still=still, not_applicable=skipped, timeline=timeline, events=events,
            score=VideoScore(passed=counts.count("pass"), failed=counts.count("fail"),
                             not_visible=counts.count("not_visible"), not_observed=counts.count("not_observed")),
            timings_ms=timings)

    def _still_summary(self, cid: str) -> StillClauseSummary:
        st = self.still.tracks[cid]
        ok, bad, unseen = (st.track.seconds(True), st.track.seconds(False), st.track.seconds(None))
        longest = st.track.longest(False)[0]
        verdict, rule = still_verdict(st.clause.severity, ok, bad, longest, self.still_rule)
        return StillClauseSummary(id=cid, title=st.clause.title, severity=st.clause.severity, verdict=verdict,
                                  rule=rule, longest_fail_s=round(longest, 2),
                                  seconds_pass=round(ok, 2), seconds_fail=round(bad, 2),
                                  seconds_not_visible=round(unseen, 2), deviations=st.intervals)
