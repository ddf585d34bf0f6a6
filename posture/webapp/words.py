"""What the pages show instead of ids: measurement titles with units, severities and
sources in the page's language (the exports keep the ids)."""

from __future__ import annotations

import re

from posture.report import ClauseResult
from posture.standards import Clause, Lang

MEASUREMENT_TITLES: dict[str, tuple[str, str]] = {
    "shoulder_tilt_deg": ("双肩倾斜", "shoulder tilt"), "hip_tilt_deg": ("髋部倾斜", "hip tilt"),
    "trunk_lateral_lean_deg": ("身体侧倾", "sideways lean"), "trunk_forward_lean_deg": ("身体前倾", "forward lean"),
    "upper_arm_hang_deg": ("上臂外张", "upper arms out"), "elbow_angle_min_deg": ("肘部角度", "elbow angle"),
    "wrist_gap_sw": ("两腕间距", "gap between the wrists"), "hands_height_on_trunk": ("双手高度", "hands' height"),
    "hands_centre_offset_sw": ("双手偏离中线", "hands off the centre line"),
    "right_hand_in_front_m": ("右手在前", "right hand in front"), "hands_behind_back": ("双手在身后", "hands behind"),
    "pointing_arm_angle_deg": ("手臂角度", "arm angle"), "pointing_elbow_angle_deg": ("肘部伸直", "elbow straightness"),
    "knee_gap_sw": ("双膝间距", "gap between the knees"), "heel_gap_sw": ("脚跟间距", "gap between the heels"),
    "toe_gap_sw": ("脚尖间距", "gap between the toes"), "ankle_gap_sw": ("脚踝间距", "gap between the ankles"),
    "weight_shift_sw": ("重心偏移", "weight shift"), "thigh_from_vertical_deg": ("大腿角度", "thigh angle"),
    "person_below_forearms_share": ("前臂下方的人体比例", "body under the forearms"),
    "forearm_tilt_deg": ("前臂倾斜", "forearm tilt"), "elbow_height_diff_sw": ("两肘高差", "elbow height difference"),
    "talk_hand_out_of_band": ("手势超出范围", "hands outside the zone"),
    "hand_forward_of_trunk_m": ("手离身体", "hand in front of the body"),
    "hands_forward_m": ("双手前伸", "hands forward"),
    "wrist_across_chest_sw": ("手腕越过胸前中线(抱臂)", "wrist across the chest (crossed arms)"),
    "hip_hand_elbow_deg": ("手在髋部时的肘角(叉腰)", "elbow angle with a hand at the hip"),
    "head_yaw_deg": ("头部左右转", "head turned"), "head_pitch_deg": ("头部俯仰", "head raised/lowered"),
    "head_roll_deg": ("头部歪斜", "head tilted"), "smile_score": ("微笑程度", "smile"),
    "mouth_open_ratio": ("张嘴程度", "mouth open"),
    "gaze_toward_pointing_deg": ("目光与手势方向之差", "gaze off the pointing"),
    "one_finger_point_score": ("单指指点", "one-finger point"),
    "pointing_fingers_extended_min": ("手指伸直", "fingers straight"),
    "pointing_finger_spread_deg": ("手指张开", "fingers spread"), "pointing_palm_up": ("掌心向上", "palm up"),
    "hand_finger_spread_max_deg": ("手指张开", "fingers spread"), "hand_to_face_sw": ("手与脸的距离", "hand to face"),
    "face_seen_without_hands": ("脸部无手遮挡", "face in view, no hand"),
    "head_above_hands_deg": ("低头看对方的手", "head bowed toward the hands"),
    # Grooming: the models' probabilities (0-1) and the colour differences.
    "facial_hair_score": ("胡须可能性", "beard or moustache likelihood"),
    "hair_colour_not_allowed": ("发色不合要求的可能性", "likelihood of a hair colour not allowed"),
    "hair_over_ears_share": ("头发盖住耳朵的比例", "share of the ear under hair"),
    "loose_long_hair_score": ("长发披散的可能性", "loose long hair likelihood"),
    "fringe_score": ("刘海遮眉的可能性", "fringe over the eyebrows likelihood"),
    "lipstick_missing": ("未涂口红的可能性", "likelihood of no lipstick"),
    "eyelid_saturation": ("眼影鲜艳程度", "eye shadow colourfulness"),
    "dangling_earring_score": ("垂吊耳环的可能性", "dangling earring likelihood"),
    "tie_as_required": ("按要求系领带", "tie worn as required"),
    "uniform_colour_delta_e": ("与制服颜色之差", "colour difference from the uniform"),
    "badge_left_chest": ("工牌位置(1 左胸,-1 右胸,0 未见)", "badge (1 left chest, -1 right, 0 none)"),
}
UNITS: dict[str, tuple[str, str]] = {
    "deg": ("°", "°"),
    "shoulder widths": (" 倍肩宽", " shoulder widths"), "trunk lengths": (" 倍躯干长", " trunk lengths"),
    "m": (" 米", " m"), "trunk fractions": (" 倍躯干长", " trunk lengths"),
}
SEVERITY: dict[str, tuple[str, str]] = {"minor": ("一般", "minor"), "major": ("重要", "major"),
                                        "critical": ("严重", "critical")}


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "zh" else pair[1]


def measurement_title(name: str, lang: Lang) -> str:
    return _pick(MEASUREMENT_TITLES[name], lang) if name in MEASUREMENT_TITLES else name


def with_unit(value: float | None, unit: str, lang: Lang) -> str:
    if value is None:
        return "看不到" if lang == "zh" else "not seen"
    number = f"{value:.0f}" if unit == "deg" else f"{value:.2g}" if abs(value) < 1 else f"{value:.3g}"
    return number + (_pick(UNITS[unit], lang) if unit in UNITS else "")


def values_words(result: ClauseResult, lang: Lang) -> str:
    """The numbers behind a verdict for people: each measurement's title, value with its unit
    and the accepted range; the ones out of range marked ✗ (first) so the failing value is
    the one read, e.g. "✗ 微笑程度 0.02(应 ≥ 0.5)"."""
    ordered = sorted(result.measurements, key=lambda m: m.ok is not False)
    parts = []
    for m in ordered:
        expected = f"应 {m.expected}" if lang == "zh" else f"needs {m.expected}"
        mark = "✗ " if m.ok is False else ""
        body = f"{measurement_title(m.name, lang)} {with_unit(m.value, m.unit, lang)}"
        parts.append(f"{mark}{body}({expected})" if lang == "zh" else f"{mark}{body} ({expected})")
    return ";".join(parts) if lang == "zh" else "; ".join(parts)


def severity_word(severity: str, lang: Lang) -> str:
    return _pick(SEVERITY[severity], lang) if severity in SEVERITY else severity


def source_words(clause: Clause | ClauseResult, lang: Lang) -> str:
    """A clause's source for people: which document of the standard and where in it (the
    seed file's number, not its hashed name)."""
    doc = clause.source.file.split("_", 1)[0]
    found = re.match(r"\s*([\d,\s–-]*\d)\s*(.*)", clause.source.lines)
    lines, note = (found.group(1), found.group(2)) if found else ("", clause.source.lines)
    if lang == "zh":
        return f"标准文件 {doc}" + (f" 第 {lines} 行" if lines else "") + (f" {note}" if note else "")
    return f"standard document {doc}" + (f", line {lines}" if lines else "") + (f" {note}" if note else "")
