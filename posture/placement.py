"""Camera placement check before a routine: is the body in frame, is the camera level, is
there enough light. Each problem comes with what to change, in Chinese and English.

It reads the same :class:`~posture.landmarks.Landmarks` the checker found, plus the
frame's pixels for the light, so it costs almost nothing per frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from posture.landmarks import Landmarks, PoseLM
from posture.measure.body import shoulder_tilt_deg, trunk_lateral_lean_deg
from posture.standards import Text

Framing = Literal["full", "waist", "upper", "face"]
P = PoseLM

# The points that must be seen for each framing. A seated trainee at a counter has the
# hips and legs hidden by the desk, so "upper" stops at the elbows and wrists; "face" is
# for the expression clauses, which need only the head and the shoulders' level.
REQUIRED: dict[Framing, dict[str, tuple[int, ...]]] = {
    "full": {"head": (P.NOSE,), "shoulders": (P.LEFT_SHOULDER, P.RIGHT_SHOULDER),
             "hips": (P.LEFT_HIP, P.RIGHT_HIP), "knees": (P.LEFT_KNEE, P.RIGHT_KNEE),
             "feet": (P.LEFT_ANKLE, P.RIGHT_ANKLE)},
    # A bow needs the trunk's lean (shoulders and hips) and the hands' position, not the feet,
    # which a counter webcam rarely shows.
    "waist": {"head": (P.NOSE,), "shoulders": (P.LEFT_SHOULDER, P.RIGHT_SHOULDER),
              "hips": (P.LEFT_HIP, P.RIGHT_HIP), "hands": (P.LEFT_WRIST, P.RIGHT_WRIST)},
    "upper": {"head": (P.NOSE,), "shoulders": (P.LEFT_SHOULDER, P.RIGHT_SHOULDER),
              "elbows": (P.LEFT_ELBOW, P.RIGHT_ELBOW), "hands": (P.LEFT_WRIST, P.RIGHT_WRIST)},
    "face": {"head": (P.NOSE,), "shoulders": (P.LEFT_SHOULDER, P.RIGHT_SHOULDER)},
}
PART_NAMES = {"head": ("头部", "head"), "shoulders": ("双肩", "shoulders"), "hips": ("臀部", "hips"),
              "knees": ("膝盖", "knees"), "feet": ("双脚", "feet"), "elbows": ("手肘", "elbows"),
              "hands": ("双手", "hands")}

# Roll of an upright person's trunk axis in the picture = roll of the camera. Within 5
# degrees the shoulder and trunk clauses (tolerances 4-5 degrees plus 2 for the camera)
# still read right; beyond, the camera itself would fail them.
MAX_CAMERA_ROLL_DEG = 5.0
# A person filling less than this share of the frame height is small for hand and face
# landmarks (full body) or too far for the face mesh (upper body).
MIN_PERSON_HEIGHT_SHARE: dict[Framing, float] = {"full": 0.45, "waist": 0.4, "upper": 0.35, "face": 0.25}
# Mean luma (0-255, BT.601) of the person's box. Below 60 MediaPipe's hand and face
# landmarks degrade visibly; above 215 faces wash out and the smile features flatten.
MIN_LUMA, MAX_LUMA = 60.0, 215.0
# Person much darker than the whole frame: a window or lamp behind them (backlight).
BACKLIGHT_RATIO = 0.6


@dataclass(frozen=True)
class Placement:
    """The verdict on the camera set-up and what to change (empty when all is well)."""

    framing: Framing
    body_in_frame: bool
    camera_roll_deg: float | None
    brightness: float
    problems: list[Text] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def luma(rgb: np.ndarray) -> np.ndarray:
    """Brightness of each pixel (BT.601 weights), 0-255."""
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _where_missing(lm: Landmarks, indices: tuple[int, ...]) -> str | None:
    """Which edge a part left the picture by ("top", "bottom", "left", "right"), from the
    positions MediaPipe extrapolates for joints outside the frame; None if just hidden."""
    if lm.pose is None:
        return None
    for i in indices:
        x, y = lm.pose[i, :2]
        if y >= lm.height:
            return "bottom"
        if y < 0:
            return "top"
        if x < 0 or x >= lm.width:
            # Sides of the picture as the user sees it (a selfie view is mirrored).
            right = x >= lm.width
            return "left" if right == lm.mirrored else "right"
    return None


_EDGE_ADVICE = {
    "bottom": ("{part}超出画面下方:请后退一步,或把摄像头放低、向下倾斜",
               "{part} below the picture: step back, or lower the camera and tilt it down"),
    "top": ("{part}超出画面上方:请后退一步,或把摄像头抬高",
            "{part} above the picture: step back, or raise the camera"),
    "left": ("{part}超出画面左侧:请向右移动", "{part} off the left edge: move to your right in the picture"),
    "right": ("{part}超出画面右侧:请向左移动", "{part} off the right edge: move to your left in the picture"),
}


def _body_problems(lm: Landmarks, framing: Framing) -> list[Text]:
    if lm.pose is None:
        return [Text(zh="画面中没有找到人:请站到摄像头正前方", en="no person found: stand in front of the camera")]
    problems = []
    for part, indices in REQUIRED[framing].items():
        if all(lm.seen(i) for i in indices):
            continue
        zh_part, en_part = PART_NAMES[part]
        edge = _where_missing(lm, indices)
        if edge is not None:
            zh, en = _EDGE_ADVICE[edge]
            problems.append(Text(zh=zh.format(part=zh_part), en=en.format(part=en_part.capitalize())))
        else:
            problems.append(Text(zh=f"看不清{zh_part}:请勿遮挡,并正对摄像头",
                                 en=f"{en_part} not visible: do not cover them and face the camera"))
    box = lm.person_box()
    if box is not None and not problems:
        share = (box[3] - box[1]) / lm.height
        if share < MIN_PERSON_HEIGHT_SHARE[framing]:
            problems.append(Text(zh=f"人物只占画面高度的 {share:.0%}:请靠近摄像头",
                                 en=f"you fill only {share:.0%} of the picture's height: come closer"))
    return problems


def camera_roll_deg(lm: Landmarks) -> float | None:
    """Tilt of the camera around its axis, read from an upright person: the angle of the
    hip-to-shoulder line from the picture's vertical (or, without hips, of the shoulder
    line from the horizontal). Positive: the person leans to the right of the picture as
    the user sees it (the picture is turned clockwise)."""
    # The same readings as ST-TORSO's sideways lean and ST-SHOULDERS' tilt.
    reading = trunk_lateral_lean_deg(lm) or shoulder_tilt_deg(lm)
    if reading is None:
        return None
    return -reading.value if lm.mirrored else reading.value


# Brightness is read on every 4th pixel each way: a mean over a camera frame does not
# change, and the live view reads it on every checked frame.
LUMA_STEP = 4


def _light_problems(rgb: np.ndarray, lm: Landmarks) -> tuple[float, list[Text]]:
    y = luma(rgb[::LUMA_STEP, ::LUMA_STEP].astype(np.float32))
    whole = float(y.mean())
    box = lm.person_box()
    person = whole
    if box is not None:
        x0, y0, x1, y1 = (int(round(v)) for v in box)
        if lm.mirrored:  # the box is in unmirrored coordinates, rgb is the selfie view
            x0, x1 = lm.width - 1 - x1, lm.width - 1 - x0
        s = LUMA_STEP
        crop = y[max(0, y0) // s:y1 // s + 1, max(0, x0) // s:x1 // s + 1]
        if crop.size:
            person = float(crop.mean())
    problems = []
    if person < MIN_LUMA:
        problems.append(Text(zh=f"光线太暗(亮度 {person:.0f}/255):请打开灯或面向窗户",
                             en=f"too dark (brightness {person:.0f}/255): turn on a light or face a window"))
    elif person > MAX_LUMA:
        problems.append(Text(zh=f"光线太亮(亮度 {person:.0f}/255):请避开直射的强光",
                             en=f"too bright (brightness {person:.0f}/255): move out of direct strong light"))
    elif whole > 0 and person < BACKLIGHT_RATIO * whole:
        problems.append(Text(zh="背后光线太强:请背对墙壁、面向光源",
                             en="strong light behind you: turn so the light falls on your face"))
    return person, problems


def check_placement(rgb: np.ndarray, lm: Landmarks, framing: Framing = "full") -> Placement:
    """Whether the camera set-up lets the clauses of a step be judged; ``rgb`` is the
    frame as the user sees it (the same one given to the checker)."""
    body = _body_problems(lm, framing)
    roll = camera_roll_deg(lm)
    problems = list(body)
    if roll is not None and abs(roll) > MAX_CAMERA_ROLL_DEG:
        side_zh, side_en = ("右", "right") if roll > 0 else ("左", "left")
        problems.append(Text(zh=f"画面向{side_zh}倾斜 {abs(roll):.0f}°:请把摄像头摆正(并站直)",
                             en=f"the picture leans {abs(roll):.0f}° to the {side_en}: level the camera "
                                "(and stand straight)"))
    brightness, light = _light_problems(rgb, lm)
    problems.extend(light)
    return Placement(framing=framing, body_in_frame=not body, camera_roll_deg=roll,
                     brightness=brightness, problems=problems)
