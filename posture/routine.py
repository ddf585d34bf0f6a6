"""The guided pre-shift routine: steps as data, a timed run over live frames, a pass/fail per
clause for each step, and the group view (per-trainee verdicts, the weakest clauses).

A step is one entry of :data:`STEPS`: its name, the scenario the frames are checked as,
the clauses it is about, how the camera must frame the trainee, how long to hold, and
the function that turns the frames of the hold into verdicts (per-frame majority by
default; the greeting, a bow over time, is judged by the sequence engine).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

import numpy as np

from posture.measure.body import pointing_side
from posture.pipeline import CheckResult
from posture.placement import Framing, Placement
from posture.results import session_result
from posture.sequence.greeting import GREETING_CLAUSES, GREETING_HOLD_S, judge_greeting
from posture.standards import Standard, Text, load_standard
from posture.verdicts import Outcome

Phase = Literal["place", "prepare", "hold", "done"]

# A clause passes a step when it passed in at least this share of the frames where it
# was judged: a held pose wobbles, and one bad frame out of forty is not a deviation.
PASS_SHARE = 0.5
# ... and it is judged at all only when seen in this share of the step's frames; below
# that the verdict would rest on a few frames caught while the trainee moved.
MIN_JUDGED_SHARE = 0.25
PREPARE_S = 3.0  # countdown before each step: time to take the pose
PLACEMENT_HOLD_S = 1.0  # the camera set-up must stay right this long before a step starts


@dataclass(frozen=True)
class Frame:
    """One checked frame of a step, with its time (seconds) for time-based judges."""

    t: float
    result: CheckResult


@dataclass(frozen=True)
class ClauseOutcome:
    """A step's verdict on one clause and the frame counts behind it."""

    clause: str
    verdict: Outcome
    passed: int = 0
    failed: int = 0
    frames: int = 0


StepJudge = Callable[["Step", list[Frame]], tuple[list[ClauseOutcome], Text | None]]


def judge_by_majority(step: Step, frames: list[Frame]) -> tuple[list[ClauseOutcome], Text | None]:
    """Per clause: pass when it passed in most frames where it was judged. For a pointing
    step, only frames pointing to the step's side count, except for the ``always`` clauses
    (a forbidden gesture is forbidden whichever arm is up). Returns the outcomes and a note
    for the trainee when the frames did not show the step."""
    note = None
    used = frames
    if step.side is not None:
        sides = [pointing_side(f.result.landmarks) for f in frames]
        used = [f for f, s in zip(frames, sides, strict=True) if s == step.side]
        other = sum(s is not None and s != step.side for s in sides)
        if other > len(used):
            zh_side, en_side = ("左", "left") if step.side == "left" else ("右", "right")
            note = Text(zh=f"指错了方向:请用{zh_side}手指向{zh_side}侧",
                        en=f"pointed the other way: point to your {en_side} with your {en_side} arm")
        elif not used:
            note = Text(zh="没有看到指示方向的手势:请抬起手臂指向一侧",
                        en="no pointing seen: raise the arm to the side")
    if not frames:
        note = Text(zh="这一步没有收到画面", en="no frames were received during this step")
    outcomes = []
    for clause, judged_on in [(c, used) for c in step.clauses] + [(c, frames) for c in step.always]:
        verdicts = [c.verdict for f in judged_on for c in f.result.report.clauses if c.id == clause]
        applies = any(c.id == clause for f in frames for c in f.result.report.clauses)
        if not applies and frames:
            continue  # not part of the standard for this profile
        passed, failed = verdicts.count("pass"), verdicts.count("fail")
        judged = passed + failed
        if judged == 0 or judged < MIN_JUDGED_SHARE * len(judged_on):
            verdict: Outcome = "not_visible"
        else:
            verdict = "pass" if passed >= PASS_SHARE * judged else "fail"
        outcomes.append(ClauseOutcome(clause, verdict, passed, failed, len(judged_on)))
    return outcomes, note


@dataclass(frozen=True)
class Step:
    """One step of the routine (data; see :data:`STEPS`)."""

    key: str
    name: Text
    instruction: Text
    scenario: str
    clauses: tuple[str, ...]
    framing: Framing
    hold_s: float = 4.0
    side: Literal["left", "right"] | None = None
    always: tuple[str, ...] = ()  # judged on every frame of the step, not only those showing its pose
    needs_desk: bool = False
    needs_video: bool = False  # judged over time (a bow): not possible from one snapshot
    judge: StepJudge = judge_by_majority


@cache
def _standard() -> Standard:
    """The standard the app checks against, read once: the greeting's judge needs the bow
    clauses' parameters, which the frames' reports do not carry."""
    return load_standard()


def judge_greeting_step(step: Step, frames: list[Frame]) -> tuple[list[ClauseOutcome], Text | None]:
    """The greeting from the frames of the hold, through the sequence engine: the deepest
    bow's depth, the smile during it and the hands' position."""
    if not frames:
        return ([ClauseOutcome(c, "not_visible") for c in step.clauses],
                Text(zh="这一步没有收到画面", en="no frames were received during this step"))
    greeting = judge_greeting([(f.t, f.result) for f in frames], _standard(), frames[0].result.report.profile)
    return [ClauseOutcome(c, greeting.verdicts[c], frames=len(frames)) for c in step.clauses], greeting.note


_POINTING = ("PT-LEAN", "PT-ANGLE", "PT-STRAIGHT", "PT-FINGERS", "PT-PALM", "PT-GAZE")

GROOMING_CLAUSES = ("GR-BEARD", "GR-HAIR-M", "GR-HAIR-COLOUR", "GR-HAIR-F", "GR-MAKEUP", "GR-UNIFORM", "GR-BADGE",
                    "GR-JEWELLERY")

STEPS: tuple[Step, ...] = (
    Step("grooming", Text(zh="仪容仪表", en="Grooming and dress"),
         Text(zh="面向摄像头站好,露出面部、双耳和胸前,像照镜子一样", en="Face the camera as in a mirror, with the "
              "face, both ears and the chest in view"),
         "grooming", GROOMING_CLAUSES, "upper", hold_s=3.0),
    Step("stand", Text(zh="站姿与叠手", en="Stand with hands folded"),
         Text(zh="面向摄像头站直,双手叠放在小腹前,双脚并拢", en="Stand straight facing the camera, hands folded in "
              "front of the lower abdomen, feet together"),
         "standing", ("ST-HEAD", "ST-SHOULDERS", "ST-TORSO", "ST-ARMS", "HD-FOLD", "HD-FOLD-F", "HD-FOLD-M",
                      "ST-FEET-F", "ST-FEET-M", "ST-REST"), "full"),
    Step("smile", Text(zh="微笑", en="Smile"),
         Text(zh="看着摄像头,面带微笑,嘴角微微上扬", en="Look at the camera and smile, mouth corners slightly raised"),
         "standing", ("EX-SMILE", "EX-SMILE-MODERATE"), "face", hold_s=3.0),
    Step("point-left", Text(zh="向左指示方向", en="Point the way to the left"),
         Text(zh="左臂伸直,与身体约成45°,五指并拢,掌心向上,目光看向左侧",
              en="Left arm straight at about 45° to the body, fingers together, palm up, eyes to the left"),
         "pointing", _POINTING, "upper", side="left", always=("PT-ONE-FINGER",)),
    Step("point-right", Text(zh="向右指示方向", en="Point the way to the right"),
         Text(zh="右臂伸直,与身体约成45°,五指并拢,掌心向上,目光看向右侧",
              en="Right arm straight at about 45° to the body, fingers together, palm up, eyes to the right"),
         "pointing", _POINTING, "upper", side="right", always=("PT-ONE-FINGER",)),
    Step("greet", Text(zh="问候鞠躬", en="Greet the customer"),
         Text(zh="面向摄像头站直,面带微笑说“您好”,行欠身礼后站直",
              en="Stand straight facing the camera, smile, say 您好 and bow slightly, then stand up straight"),
         "standing", GREETING_CLAUSES, "waist", hold_s=GREETING_HOLD_S, needs_video=True, judge=judge_greeting_step),
    Step("sit-desk", Text(zh="柜台坐姿", en="Sit at the counter"),
         Text(zh="坐直,身体略前倾,前臂三分之二搭在桌面,双手叠放",
              en="Sit upright leaning slightly forward, two thirds of the forearms on the desk, hands folded"),
         "sitting", ("SI-HEAD", "SI-UPRIGHT", "SI-LEAN", "HD-DESK", "SI-LEGS-F", "SI-LEGS-M"), "upper",
         needs_desk=True),
)


def routine_steps(has_desk: bool) -> list[Step]:
    """The steps for a trainee: the seated step only when they work at a desk."""
    return [s for s in STEPS if has_desk or not s.needs_desk]


@dataclass(frozen=True)
class StepResult:
    step: Step
    outcomes: list[ClauseOutcome]
    frames: int
    note: Text | None = None
    skipped: bool = False
    picture: np.ndarray | None = field(default=None, repr=False)  # a frame of the hold, as shown


def judge_step(step: Step, frames: list[Frame], picture: np.ndarray | None = None) -> StepResult:
    """The step's verdicts from the frames of its hold (one frame for a snapshot)."""
    outcomes, note = step.judge(step, frames)
    return StepResult(step, outcomes, len(frames), note, picture=picture)


def skipped_step(step: Step, profile: str = "any") -> StepResult:
    """A step the trainee could not do now: its clauses for the trainee's profile (a woman's
    skipped step lists the women's clauses), not judged, marked skipped."""
    by_id = _standard().by_id
    clauses = [c for c in step.clauses + step.always
               if c not in by_id or by_id[c].applies(by_id[c].scenarios, profile)]
    return StepResult(step, [ClauseOutcome(c, "not_visible") for c in clauses], 0,
                      Text(zh="已跳过", en="skipped"), skipped=True)


@dataclass(frozen=True)
class RunStatus:
    """What the live view shows: which step, which phase, seconds left, what to fix."""

    index: int
    total: int
    step: Step | None
    phase: Phase
    remaining_s: float
    problems: list[Text]


class RoutineRun:
    """A timed run of the steps over live frames: for each step, wait until the camera
    set-up is right, count down, then collect the frames of the hold and judge them.

    Times are the frames' timestamps, so the run advances with the video, not with the
    page. Not thread-safe: the caller holds a lock when feeding from a video thread.
    """

    def __init__(self, steps: Iterable[Step], prepare_s: float = PREPARE_S,
                 placement_hold_s: float = PLACEMENT_HOLD_S, profile: str = "any") -> None:
        self.steps = list(steps)
        self.profile = profile
        if not self.steps:
            raise ValueError("a routine needs at least one step")
        self.prepare_s, self.placement_hold_s = prepare_s, placement_hold_s
        self.results: list[StepResult] = []
        self._phase: Phase = "place"
        self._since: float | None = None  # start of the phase (or of good placement)
        self._frames: list[Frame] = []
        self._picture: np.ndarray | None = None
        self._problems: list[Text] = []

    @property
    def index(self) -> int:
        return len(self.results)

    @property
    def done(self) -> bool:
        return self._phase == "done"

    def _next(self, result: StepResult) -> None:
        self.results.append(result)
        self._frames, self._picture, self._since, self._problems = [], None, None, []
        self._phase = "done" if self.index >= len(self.steps) else "place"

    def feed(self, t: float, result: CheckResult, placement: Placement | None = None,
             picture: np.ndarray | None = None) -> RunStatus:
        """Advance with one checked frame at time ``t``; ``placement`` is the set-up check
        of this frame (None: not checked), ``picture`` the frame as shown (kept for the
        step's report)."""
        if self.done:
            return self.status(t)
        step = self.steps[self.index]
        if self._phase == "place":
            self._problems = [] if placement is None else placement.problems
            if self._problems:
                self._since = None
            elif self._since is None:
                self._since = t
            if self._since is not None and t - self._since >= self.placement_hold_s:
                self._phase, self._since = "prepare", t
        elif self._phase == "prepare":
            assert self._since is not None
            if t - self._since >= self.prepare_s:
                self._phase, self._since, self._frames = "hold", t, []
        if self._phase == "hold":
            assert self._since is not None
            self._hold(t, result)
            if picture is not None:
                self._picture = picture
            if t - self._since >= step.hold_s:
                self._next(self._judged(step))
        return self.status(t)

    def _hold(self, t: float, result: CheckResult) -> None:
        """Keep a frame of the step's hold."""
        self._frames.append(Frame(t, result))

    def _judged(self, step: Step) -> StepResult:
        """The step's result from the frames of its hold."""
        return judge_step(step, self._frames, self._picture)

    def skip(self) -> None:
        """Skip the current step (the trainee cannot do it now); it is reported as skipped."""
        if not self.done:
            self._next(skipped_step(self.steps[self.index], self.profile))

    def status(self, t: float) -> RunStatus:
        if self.done:
            return RunStatus(len(self.steps), len(self.steps), None, "done", 0.0, [])
        step = self.steps[self.index]
        remaining = 0.0
        if self._since is not None and self._phase == "prepare":
            remaining = max(0.0, self.prepare_s - (t - self._since))
        elif self._since is not None and self._phase == "hold":
            remaining = max(0.0, step.hold_s - (t - self._since))
        return RunStatus(self.index, len(self.steps), step, self._phase, remaining, list(self._problems))


class GroupRoutineRun(RoutineRun):
    """The routine for several trainees in front of one camera at once: one timing for all
    (the caller's placement covers everyone, one countdown, one hold) and each trainee's
    own frames, their person in each frame by :attr:`assignment` (person id -> trainee id,
    kept up to date by the caller), judged into their own results (:attr:`by_trainee`).
    :attr:`results` holds the group's steps with the picture of the hold, no verdicts.
    A person not assigned to one of the run's trainees is not recorded."""

    def __init__(self, steps: Iterable[Step], profiles: Mapping[int, str], prepare_s: float = PREPARE_S,
                 placement_hold_s: float = PLACEMENT_HOLD_S) -> None:
        super().__init__(steps, prepare_s, placement_hold_s)
        self.profiles = dict(profiles)  # trainee id -> their profile
        self.by_trainee: dict[int, list[StepResult]] = {tid: [] for tid in self.profiles}
        self.assignment: dict[int, int] = {}
        self._theirs: dict[int, list[Frame]] = {}

    def _hold(self, t: float, result: CheckResult) -> None:
        super()._hold(t, result)
        for person in result.people:
            trainee = self.assignment.get(person.report.id)
            if trainee in self.by_trainee:
                self._theirs.setdefault(trainee, []).append(Frame(t, person))

    def _judged(self, step: Step) -> StepResult:
        for trainee, results in self.by_trainee.items():
            results.append(judge_step(step, self._theirs.get(trainee, []), self._picture))
        self._theirs = {}
        return StepResult(step, [], len(self._frames), picture=self._picture)

    def skip(self) -> None:
        if not self.done:
            step = self.steps[self.index]
            for trainee, results in self.by_trainee.items():
                results.append(skipped_step(step, self.profiles[trainee]))
            self._theirs = {}
        super().skip()


@dataclass(frozen=True)
class ClauseStat:
    """How a group did on one clause."""

    clause: str
    failed: int
    judged: int

    @property
    def fail_share(self) -> float:
        return self.failed / self.judged if self.judged else 0.0


def trainee_table(rows: Iterable[tuple[str, str, str, bool]]) -> dict[str, dict[str, Outcome]]:
    """``{trainee: {clause: verdict}}`` from (trainee, clause, verdict, skipped) rows of a
    session: each trainee's session result (posture.results)."""
    collected: dict[str, list[tuple[str, str, bool]]] = {}
    for trainee, clause, verdict, skipped in rows:
        collected.setdefault(trainee, []).append((clause, verdict, skipped))
    return {t: session_result(r).verdicts for t, r in collected.items()}


def weakest_clauses(table: dict[str, dict[str, Outcome]]) -> list[ClauseStat]:
    """Clauses by the share of judged trainees who failed them, worst first; clauses
    nobody could be judged on come last."""
    stats: dict[str, list[int]] = {}
    for verdicts in table.values():
        for clause, verdict in verdicts.items():
            counts = stats.setdefault(clause, [0, 0])
            counts[0] += verdict == "fail"
            counts[1] += verdict in ("pass", "fail")
    out = [ClauseStat(c, f, j) for c, (f, j) in stats.items()]
    return sorted(out, key=lambda s: (-s.fail_share, -s.failed, s.judged == 0, s.clause))
