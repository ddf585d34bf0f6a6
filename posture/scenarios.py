"""Which scenarios a frame is checked against; ``auto`` decides from the pose and says why.

The posture (sitting or standing) comes from the thighs in the body's own frame, so it holds
from the side too; with the thighs hidden, from a desk hiding the body under forearms resting
level on it. An action may apply with it: pointing (an arm raised away from the body and
held straight, not resting on a knee or a desk) or handing over (a hand held out forward).
Standing gives way to the action (its clauses on hanging arms would fail on a gesture); a
seated person is judged seated and on the action together.
"""

from __future__ import annotations

from dataclasses import dataclass

from posture.landmarks import Landmarks
from posture.measure import Measured
from posture.measure.body import (
    DESK_MAX_PERSON_SHARE,
    HANDOVER_MIN_FORWARD_M,
    POINTING_MIN_ARM_ANGLE_DEG,
    arm_rests,
    hands_held_forward,
    pointing_side,
    raised_sideways,
)
from posture.standards import SCENARIO_NAMES, SCENARIOS, Text

# A thigh this far from vertical (world pose) means the person sits: standing thighs stay
# within ~20 degrees, seated ones are near 90; 50 splits the two with room for error.
SEATED_THIGH_DEG = 50.0
_SIDE_ZH = {"left": "左", "right": "右"}
_REST_ZH = {"on a knee": "搭在膝上", "on a desk or the lap": "放在桌上或腿上"}


@dataclass(frozen=True)
class ScenarioChoice:
    requested: str
    applied: list[str]
    reason: Text


def _posture(measured: dict[str, Measured | None]) -> tuple[str, Text]:
    thigh = measured.get("thigh_from_vertical_deg")
    if thigh is None:
        desk = measured.get("person_below_forearms_share")
        if desk is not None and desk.value <= DESK_MAX_PERSON_SHARE:
            return "sitting", Text(
                zh=f"看不到大腿;前臂放在桌上,其下方只有 {desk.value * 100:.0f}% 是人体(桌面挡住了身体),判定为坐在桌前",
                en=f"thighs not visible; the forearms rest on a surface and only {desk.value * 100:.0f}% of the "
                   f"picture under them is the person (<= {DESK_MAX_PERSON_SHARE * 100:.0f}%: a desk hides the body): "
                   f"seated at a desk")
        return "standing", Text(zh="看不到大腿,按站姿检查", en="thighs not visible: assumed standing")
    if thigh.value >= SEATED_THIGH_DEG:
        return "sitting", Text(
            zh=f"大腿与竖直方向成 {thigh.value:.0f}°,判定为坐姿",
            en=f"thighs {thigh.value:.0f}° from vertical (>= {SEATED_THIGH_DEG:.0f}°): sitting")
    return "standing", Text(
        zh=f"大腿与竖直方向成 {thigh.value:.0f}°,判定为站姿",
        en=f"thighs {thigh.value:.0f}° from vertical (< {SEATED_THIGH_DEG:.0f}°): standing")


def _actions(lm: Landmarks, measured: dict[str, Measured | None]) -> list[tuple[str, Text]]:
    out = []
    side = raised_sideways(lm)
    if side is not None:
        arm = measured.get("pointing_arm_angle_deg")
        angle = f"{arm.value:.0f}" if arm else "?"
        out.append(("pointing", Text(
            zh=f"{_SIDE_ZH[side]}臂侧抬 {angle}°(≥{POINTING_MIN_ARM_ANGLE_DEG:.0f}°)且伸展,判定为指示方向",
            en=f"{side} arm raised {angle}° (>= {POINTING_MIN_ARM_ANGLE_DEG:.0f}°) and extended: pointing the way")))
    forward = [s for s in hands_held_forward(lm) if s != side]
    if forward:
        hands_zh = "双手" if len(forward) == 2 else f"{_SIDE_ZH[forward[0]]}手"
        hands_en = "both hands" if len(forward) == 2 else f"{forward[0]} hand"
        out.append(("handover", Text(
            zh=f"{hands_zh}前伸(≥{HANDOVER_MIN_FORWARD_M * 100:.0f} 厘米),判定为递送",
            en=f"{hands_en} held out forward (>= {HANDOVER_MIN_FORWARD_M * 100:.0f} cm): handing over")))
    return out


def choose_scenarios(requested: str, lm: Landmarks,
                     measured: dict[str, Measured | None]) -> ScenarioChoice:
    """The scenarios to judge: the requested one, or for ``auto`` the posture (sitting or
    standing, from the thighs) and any action seen (pointing, handing over)."""
    if requested != "auto":
        if requested not in SCENARIOS:
            raise ValueError(f"unknown scenario {requested!r}; choose auto or one of {SCENARIOS}")
        return ScenarioChoice(requested, [requested], Text(zh=f"按指定场景检查:{SCENARIO_NAMES[requested][0]}",
                                                           en=f"chosen by the user: {requested}"))
    posture, why = _posture(measured)
    raised = pointing_side(lm)
    rests = arm_rests(lm, raised) if raised is not None and raised_sideways(lm) is None else None
    if rests is not None:  # say why a raised arm was not taken for pointing
        why = Text(zh=f"{why.zh};{_SIDE_ZH[raised]}臂{_REST_ZH[rests]},不是指示方向",
                   en=f"{why.en}; {raised} arm rests {rests}: not pointing")
    actions = _actions(lm, measured)
    if not actions:
        return ScenarioChoice("auto", [posture], why)
    kept = [(posture, why)] if posture == "sitting" else []
    chosen = kept + actions
    return ScenarioChoice("auto", [name for name, _ in chosen], Text(
        zh=";".join(t.zh for _, t in chosen), en="; ".join(t.en for _, t in chosen)))
