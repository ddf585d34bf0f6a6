"""Which scenarios a frame is checked against; ``auto`` decides from the pose and says why."""

from __future__ import annotations

from dataclasses import dataclass

from posture.landmarks import Landmarks
from posture.measure import Measured
from posture.measure.body import POINTING_MIN_ARM_ANGLE_DEG, raised_sideways
from posture.standards import SCENARIOS, Text

# A thigh this far from vertical (world pose) means the person sits: standing thighs stay
# within ~20 degrees, seated ones are near 90; 50 splits the two with room for error.
SEATED_THIGH_DEG = 50.0


@dataclass(frozen=True)
class ScenarioChoice:
    requested: str
    applied: list[str]
    reason: Text


def choose_scenarios(requested: str, lm: Landmarks,
                     measured: dict[str, Measured | None]) -> ScenarioChoice:
    """The scenarios to judge: the requested one, or for ``auto`` sitting/standing from the
    thighs and pointing when an arm is raised sideways."""
    if requested != "auto":
        if requested not in SCENARIOS:
            raise ValueError(f"unknown scenario {requested!r}; choose auto or one of {SCENARIOS}")
        return ScenarioChoice(requested, [requested],
                              Text(zh=f"按指定场景检查:{requested}", en=f"scenario chosen by the user: {requested}"))
    side = raised_sideways(lm)
    if side is not None:
        arm = measured.get("pointing_arm_angle_deg")
        angle = f"{arm.value:.0f}" if arm else "?"
        side_zh = "左" if side == "left" else "右"
        return ScenarioChoice("auto", ["pointing"], Text(
            zh=f"{side_zh}臂侧抬 {angle}°(≥{POINTING_MIN_ARM_ANGLE_DEG:.0f}°)且伸展,判定为指示方向",
            en=f"{side} arm raised {angle}° (>= {POINTING_MIN_ARM_ANGLE_DEG:.0f}°) and extended: pointing the way"))
    thigh = measured.get("thigh_from_vertical_deg")
    if thigh is None:
        return ScenarioChoice("auto", ["standing"], Text(
            zh="看不到大腿,按站姿检查", en="thighs not visible: assumed standing"))
    if thigh.value >= SEATED_THIGH_DEG:
        return ScenarioChoice("auto", ["sitting"], Text(
            zh=f"大腿与竖直方向成 {thigh.value:.0f}°,判定为坐姿",
            en=f"thighs {thigh.value:.0f}° from vertical (>= {SEATED_THIGH_DEG:.0f}°): sitting"))
    return ScenarioChoice("auto", ["standing"], Text(
        zh=f"大腿与竖直方向成 {thigh.value:.0f}°,判定为站姿",
        en=f"thighs {thigh.value:.0f}° from vertical (< {SEATED_THIGH_DEG:.0f}°): standing"))
