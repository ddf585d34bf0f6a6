"""The guided "greet the customer" step of the self-check routine: the trainee is asked to
greet the camera with a smile and a bow; the frames of the step go through the sequence
engine and its bow is judged on BW-BOW, BW-SMILE and BW-HANDS.

The routine (posture.routine) only has to hold the step long enough for a bow and hand
its frames to :func:`judge_greeting`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from posture.pipeline import CheckResult
from posture.sequence.monitors import Bow
from posture.sequence.tracker import SequenceTracker
from posture.standards import Standard, Text
from posture.verdicts import Outcome

GREETING_CLAUSES = ("BW-BOW", "BW-SMILE", "BW-HANDS")
# Long enough to stand still for the baseline (a second), bow (1-3 s) and straighten up,
# with time to react to the instruction: 8 s.
GREETING_HOLD_S = 8.0


@dataclass(frozen=True)
class GreetingResult:
    """The step's verdict per clause, the bow judged (the deepest, if several) and a note."""

    verdicts: dict[str, Outcome]
    bow: Bow | None
    note: Text


def judge_greeting(frames: Iterable[tuple[float, CheckResult]], standard: Standard,
                   profile: str = "any") -> GreetingResult:
    """Judge a greeting from the step's frames ``(t, CheckResult)`` in time order."""
    tracker = SequenceTracker(standard, profile=profile, scenario="standing")
    for t, result in frames:
        tracker.update(t, result)
    tracker.finish()
    if tracker.bow is None:
        raise KeyError("the standard has no BW-BOW/BW-SMILE/BW-HANDS clauses")
    if not tracker.bows:
        if not tracker.bow.lean_seen:
            return GreetingResult(dict.fromkeys(GREETING_CLAUSES, "not_visible"), None, Text(
                zh="看不到躯干:请后退,让肩和髋都入镜",
                en="trunk not seen: step back so the shoulders and hips are in view"))
        return GreetingResult({"BW-BOW": "fail", "BW-SMILE": "not_visible", "BW-HANDS": "not_visible"}, None, Text(
            zh="没有看到鞠躬:请面带微笑行欠身礼", en="no bow seen: greet with a smile and a slight bow"))
    bow = max(tracker.bows, key=lambda b: b.depth_deg)
    verdicts = {"BW-BOW": bow.depth, "BW-SMILE": bow.smile, "BW-HANDS": bow.hands}
    zh = [f"欠身 {bow.depth_deg:.0f}°,{bow.duration_s:.1f} 秒"]
    en = [f"bow {bow.depth_deg:.0f}°, {bow.duration_s:.1f} s"]
    if bow.depth == "fail":
        zh.append("太浅")
        en.append("too shallow")
    if bow.smile == "fail":
        zh.append("没有微笑就是失败的问候")
        en.append("no smile: a failed greeting")
    if bow.hands == "fail":
        zh.append("手位不对")
        en.append("hands in the wrong place")
    return GreetingResult(verdicts, bow, Text(zh=",".join(zh), en="; ".join(en)))
