"""The annotated picture: skeleton, measured values where they are measured, failing
parts in red, and a panel with each failing clause's text and advice (zh or en).

Drawing only renders a :class:`~posture.pipeline.CheckResult`; it decides nothing.
"""

from __future__ import annotations

import cv2
import numpy as np

from posture.fonts import load_font, rendered_lines, text_block
from posture.grooming.regions import measurement_outlines
from posture.landmarks import HAND_BONES, POSE_BONES, FaceLM, Landmarks, PoseLM
from posture.pipeline import CheckResult
from posture.standards import Lang
from posture.verdicts import VIEW_TEXT, Verdict

GREEN = (40, 180, 90)
RED = (230, 40, 40)
GREY = (150, 150, 150)
AMBER = (240, 170, 0)
CYAN = (0, 190, 230)
P = PoseLM

# Body parts (pose indices) each measurement looks at: drawn red when its clause fails.
MEASUREMENT_PARTS: dict[str, tuple[int, ...]] = {
    "shoulder_tilt_deg": (P.LEFT_SHOULDER, P.RIGHT_SHOULDER),
    "hip_tilt_deg": (P.LEFT_HIP, P.RIGHT_HIP),
    "trunk_lateral_lean_deg": (P.LEFT_SHOULDER, P.RIGHT_SHOULDER, P.LEFT_HIP, P.RIGHT_HIP),
    "trunk_forward_lean_deg": (P.LEFT_SHOULDER, P.RIGHT_SHOULDER, P.LEFT_HIP, P.RIGHT_HIP),
    "upper_arm_hang_deg": (P.LEFT_SHOULDER, P.LEFT_ELBOW, P.RIGHT_SHOULDER, P.RIGHT_ELBOW),
    "elbow_angle_min_deg": (P.LEFT_ELBOW, P.RIGHT_ELBOW, P.LEFT_WRIST, P.RIGHT_WRIST),
    "wrist_gap_sw": (P.LEFT_WRIST, P.RIGHT_WRIST),
    "hands_height_on_trunk": (P.LEFT_WRIST, P.RIGHT_WRIST),
    "hands_centre_offset_sw": (P.LEFT_WRIST, P.RIGHT_WRIST),
    "right_hand_in_front_m": (P.LEFT_WRIST, P.RIGHT_WRIST),
    "hands_behind_back": (P.LEFT_ELBOW, P.RIGHT_ELBOW),
    "knee_gap_sw": (P.LEFT_KNEE, P.RIGHT_KNEE),
    "heel_gap_sw": (P.LEFT_HEEL, P.RIGHT_HEEL),
    "toe_gap_sw": (P.LEFT_FOOT_INDEX, P.RIGHT_FOOT_INDEX),
    "ankle_gap_sw": (P.LEFT_ANKLE, P.RIGHT_ANKLE),
    "weight_shift_sw": (P.LEFT_HIP, P.RIGHT_HIP, P.LEFT_ANKLE, P.RIGHT_ANKLE),
    "forearm_tilt_deg": (P.LEFT_ELBOW, P.RIGHT_ELBOW, P.LEFT_WRIST, P.RIGHT_WRIST),
    "elbow_height_diff_sw": (P.LEFT_ELBOW, P.RIGHT_ELBOW),
    "talk_hand_out_of_band": (P.LEFT_WRIST, P.RIGHT_WRIST),
    "hand_forward_of_trunk_m": (P.LEFT_WRIST, P.RIGHT_WRIST),
    "hands_forward_m": (P.LEFT_WRIST, P.RIGHT_WRIST),
    "wrist_across_chest_sw": (P.LEFT_ELBOW, P.RIGHT_ELBOW, P.LEFT_WRIST, P.RIGHT_WRIST),
    "hip_hand_elbow_deg": (P.LEFT_ELBOW, P.RIGHT_ELBOW, P.LEFT_WRIST, P.RIGHT_WRIST),
}
# Where a measurement's value is written: the mean of these pose points.
MEASUREMENT_ANCHORS: dict[str, tuple[int, ...]] = {
    **MEASUREMENT_PARTS,
    "trunk_lateral_lean_deg": (P.LEFT_HIP, P.RIGHT_HIP),
    "upper_arm_hang_deg": (P.LEFT_ELBOW,),
    "hip_hand_elbow_deg": (P.RIGHT_ELBOW,),
    "wrist_across_chest_sw": (P.RIGHT_WRIST,),
}
_FACE_MEASUREMENTS = {"head_yaw_deg", "head_pitch_deg", "head_roll_deg", "smile_score",
                      "mouth_open_ratio", "gaze_toward_pointing_deg", "hand_to_face_sw"}
_HAND_MEASUREMENTS = {"one_finger_point_score", "pointing_fingers_extended_min",
                      "pointing_finger_spread_deg", "pointing_palm_up", "hand_finger_spread_max_deg"}
_POINTING_ARM = {"pointing_arm_angle_deg", "pointing_elbow_angle_deg"}

# Short names for the labels on the picture, (zh, en) (the panel and the report use the full titles).
SHORT_NAMES: dict[str, tuple[str, str]] = {
    "head_yaw_deg": ("左右转头", "yaw"), "head_pitch_deg": ("俯仰", "pitch"), "head_roll_deg": ("歪头", "roll"),
    "facial_hair_score": ("胡须", "beard"), "hair_over_ears_share": ("头发盖耳", "hair/ears"),
    "loose_long_hair_score": ("长发散开", "loose hair"), "fringe_score": ("刘海", "fringe"),
    "hair_colour_other_score": ("发色", "hair colour"), "hair_colour_not_allowed": ("发色", "hair colour"),
    "lipstick_score": ("口红", "lipstick"), "lipstick_missing": ("未涂口红", "no lipstick"),
    "eyelid_saturation": ("眼影", "eyelid"), "dangling_earring_score": ("耳坠", "earring"),
    "necktie_score": ("领带", "tie"), "tie_as_required": ("领带", "tie"),
    "uniform_colour_delta_e": ("制服色差", "uniform dE"), "badge_left_chest": ("工牌", "badge"),
    "smile_score": ("微笑", "smile"), "mouth_open_ratio": ("张嘴", "open"), "hand_to_face_sw": ("手近脸", "hand-face"),
    "shoulder_tilt_deg": ("肩斜", "shoulders"), "hip_tilt_deg": ("髋斜", "hips"),
    "trunk_lateral_lean_deg": ("侧倾", "lean"), "trunk_forward_lean_deg": ("前倾", "fwd lean"),
    "upper_arm_hang_deg": ("上臂外张", "arms"), "pointing_arm_angle_deg": ("手臂", "arm"),
    "pointing_elbow_angle_deg": ("肘", "elbow"), "one_finger_point_score": ("单指", "1-finger"),
    "gaze_toward_pointing_deg": ("目光", "gaze"), "pointing_palm_up": ("掌心向上", "palm up"),
    "pointing_fingers_extended_min": ("手指伸直", "fingers"), "pointing_finger_spread_deg": ("手指张开", "spread"),
    "elbow_angle_min_deg": ("肘", "elbow"), "wrist_gap_sw": ("腕距", "wrist gap"),
    "hands_height_on_trunk": ("手高", "hands height"), "hands_centre_offset_sw": ("手偏中线", "hands offset"),
    "right_hand_in_front_m": ("右手在前", "right over left"), "hands_behind_back": ("手在身后", "behind back"),
    "knee_gap_sw": ("膝距", "knees"), "heel_gap_sw": ("跟距", "heels"), "toe_gap_sw": ("尖距", "toes"),
    "ankle_gap_sw": ("踝距", "ankles"), "weight_shift_sw": ("重心", "weight shift"),
    "forearm_tilt_deg": ("前臂", "forearms"), "elbow_height_diff_sw": ("肘高差", "elbow height"),
    "talk_hand_out_of_band": ("手势范围", "hand zone"), "hand_forward_of_trunk_m": ("手前伸", "hand forward"),
    "hands_forward_m": ("双手前伸", "hands forward"), "hand_finger_spread_max_deg": ("手指张开", "spread"),
    "thigh_from_vertical_deg": ("大腿", "thighs"), "wrist_across_chest_sw": ("抱臂", "arms crossed"),
    "hip_hand_elbow_deg": ("叉腰", "hand on hip"),
}
TOO_SMALL = ("太小", "too small")


def _fmt(value: float, unit: str) -> str:
    """Degrees as whole numbers with the degree sign, other values with two decimals."""
    return f"{round(value) + 0:d}°" if unit == "deg" else f"{value:.2f}"


class _Canvas:
    """Maps landmark coordinates (unmirrored frame) to the displayed, scaled picture."""

    def __init__(self, lm: Landmarks, scale: float) -> None:
        self.lm, self.scale = lm, scale

    def xy(self, point: np.ndarray) -> tuple[int, int]:
        x = self.lm.width - 1 - point[0] if self.lm.mirrored else point[0]
        return int(round(x * self.scale)), int(round(point[1] * self.scale))


def _pointing_arm_parts(lm: Landmarks) -> tuple[int, ...]:
    from posture.measure.body import pointing_side

    side = pointing_side(lm)
    if side == "left":
        return (P.LEFT_SHOULDER, P.LEFT_ELBOW, P.LEFT_WRIST)
    if side == "right":
        return (P.RIGHT_SHOULDER, P.RIGHT_ELBOW, P.RIGHT_WRIST)
    return ()


def _failing(verdicts: list[Verdict]) -> tuple[set[int], bool, bool]:
    """Pose points, face and hands belonging to failing measurements."""
    points: set[int] = set()
    face = hands = False
    for v in verdicts:
        if v.outcome != "fail":
            continue
        for check in v.checks:
            if check.ok is not False:
                continue
            points.update(MEASUREMENT_PARTS.get(check.measurement, ()))
            face |= check.measurement in _FACE_MEASUREMENTS
            hands |= check.measurement in _HAND_MEASUREMENTS
    return points, face, hands


def _draw_skeleton(img: np.ndarray, cv: _Canvas, red: set[int], thickness: int) -> None:
    lm = cv.lm
    if lm.pose is None:
        return
    for a, b in POSE_BONES:
        if lm.seen(a) and lm.seen(b):
            color = RED if (a in red and b in red) else GREEN
            cv2.line(img, cv.xy(lm.pose[a]), cv.xy(lm.pose[b]), color, thickness, cv2.LINE_AA)
    for i in range(33):
        if i > 10 and lm.seen(i):
            cv2.circle(img, cv.xy(lm.pose[i]), thickness + 2, RED if i in red else GREEN, -1, cv2.LINE_AA)


def _draw_hands(img: np.ndarray, cv: _Canvas, red: bool, thickness: int) -> None:
    for hand in (cv.lm.left_hand, cv.lm.right_hand):
        if hand is None:
            continue
        for a, b in HAND_BONES:
            cv2.line(img, cv.xy(hand[a]), cv.xy(hand[b]), RED if red else AMBER, max(1, thickness - 1),
                     cv2.LINE_AA)


def _draw_reference_lines(img: np.ndarray, cv: _Canvas, thickness: int) -> None:
    """The lines angles are measured against: the trunk axis and the shoulder line."""
    lm = cv.lm
    shoulders = lm.pose_points(P.LEFT_SHOULDER, P.RIGHT_SHOULDER)
    hips = lm.pose_points(P.LEFT_HIP, P.RIGHT_HIP)
    if shoulders is not None and hips is not None:
        cv2.line(img, cv.xy(shoulders.mean(axis=0)), cv.xy(hips.mean(axis=0)), GREY, max(1, thickness - 1),
                 cv2.LINE_AA)


def _face_box(lm: Landmarks) -> tuple[np.ndarray, np.ndarray] | None:
    if lm.face is None:
        return None
    return lm.face[:, :2].min(axis=0), lm.face[:, :2].max(axis=0)


def _labels(result: CheckResult, lang: Lang) -> list[tuple[np.ndarray, str]]:
    """(position, text) for each value that fails its clause, placed where it is measured.
    Passing values are left to the panel and the table: a label per value piled up over the
    body and hid the one that mattered."""
    lm = result.landmarks
    out: list[tuple[np.ndarray, str]] = []
    arm = _pointing_arm_parts(lm)
    taken: set[str] = set()
    for v in result.verdicts:
        if v.outcome != "fail":
            continue
        for check in v.checks:
            if check.value is None or check.ok is not False or check.measurement in taken:
                continue
            taken.add(check.measurement)
            anchor: np.ndarray | None = None
            if v.clause.method == "grooming":
                outlines = measurement_outlines(lm, check.measurement)
                anchor = outlines[0][np.argmin(outlines[0][:, 1])] if outlines else None
            elif check.measurement in _POINTING_ARM and arm:
                joint = arm[0] if check.measurement == "pointing_arm_angle_deg" else arm[1]
                anchor = lm.pose[joint, :2] if lm.seen(joint) else None
            elif check.measurement in MEASUREMENT_ANCHORS and lm.pose is not None:
                ids = [i for i in MEASUREMENT_ANCHORS[check.measurement] if lm.seen(i)]
                anchor = lm.pose[ids, :2].mean(axis=0) if ids else None
            elif check.measurement in _FACE_MEASUREMENTS and lm.face is not None:
                idx = FaceLM.CHIN if check.measurement in ("smile_score", "mouth_open_ratio") else FaceLM.FOREHEAD
                anchor = lm.face[idx, :2]
            elif check.measurement in _HAND_MEASUREMENTS:
                hand = lm.right_hand if lm.right_hand is not None else lm.left_hand
                anchor = None if hand is None else hand[:, :2].mean(axis=0)
            if anchor is not None:
                names = SHORT_NAMES.get(check.measurement, (check.measurement,) * 2)
                out.append((anchor, f"{names[0 if lang == 'zh' else 1]} {_fmt(check.value, check.unit)}"))
    return out


def annotate(rgb: np.ndarray, result: CheckResult, lang: Lang = "zh", max_clauses: int = 10,
             panel: bool = True) -> np.ndarray:
    """The picture with the skeleton, values and a panel of failing clauses (RGB uint8).

    ``rgb`` is the frame as the user sees it (mirrored for a selfie view). Without the
    ``panel`` (a live view lists the clauses itself) only the drawn picture is returned, at
    the drawing's scale.
    """
    h, w = rgb.shape[:2]
    # Small photos are enlarged so the labels stay readable, large ones reduced to 720 px
    # high; in between (webcam and phone-preview sizes) the frame is drawn on as it is.
    scale = 1.0 if 480 <= h <= 1080 else float(np.clip(720.0 / h, 0.25, 3.0))
    if scale == 1.0:
        img = rgb.copy()
    else:
        img = cv2.resize(rgb, (round(w * scale), round(h * scale)),
                         interpolation=cv2.INTER_LINEAR if scale > 1 else cv2.INTER_AREA)
    thickness = max(2, round(img.shape[0] / 300))
    font_size = max(14, img.shape[0] // 40)
    small = max(12, font_size - 4)
    if not load_font(font_size)[1]:
        lang = "en"  # no CJK font installed: English rather than empty boxes
    everyone = result.everyone
    placed: list[tuple[int, int, int, int]] = []  # the labels drawn so far, of everyone
    for person in everyone:
        _draw_person(img, person, scale, thickness)
    for person in everyone:
        _draw_person_texts(img, person, scale, small, len(everyone) > 1, lang, placed)
    return _with_panel(img, result, lang, max_clauses, font_size, small) if panel else img


def _draw_person(img: np.ndarray, result: CheckResult, scale: float, thickness: int) -> None:
    """One person's skeleton, hands, face box and grooming regions (a person too small to
    judge: a grey box)."""
    cv = _Canvas(result.landmarks, scale)
    red, face_red, hands_red = _failing(result.verdicts)
    _draw_reference_lines(img, cv, thickness)
    _draw_skeleton(img, cv, red, thickness)
    _draw_hands(img, cv, hands_red, thickness)
    box = _face_box(result.landmarks)
    if box is not None:
        (x0, y0), (x1, y1) = cv.xy(box[0]), cv.xy(box[1])
        cv2.rectangle(img, (min(x0, x1), y0), (max(x0, x1), y1), RED if face_red else GREEN, thickness)
    who = result.person
    if who is not None and who.too_small and who.face_box is not None:
        (x0, y0), (x1, y1) = cv.xy(np.array(who.face_box[:2])), cv.xy(np.array(who.face_box[2:]))
        cv2.rectangle(img, (min(x0, x1), y0), (max(x0, x1), y1), GREY, max(1, thickness - 1))
    _draw_grooming_regions(img, result, cv, max(1, thickness - 1))


def _draw_person_texts(img: np.ndarray, result: CheckResult, scale: float, size: int, numbered: bool, lang: Lang,
                       placed: list[tuple[int, int, int, int]]) -> None:
    """One person's failing values and, with several people, their number above them; drawn
    after everyone's skeleton, so no one's lines cross another's labels."""
    cv = _Canvas(result.landmarks, scale)
    _draw_labels(img, result, cv, size, lang, placed)
    who = result.person
    if numbered and who is not None:
        anchor = who.face_box or who.box
        x, y = cv.xy(np.array([(anchor[0] + anchor[2]) / 2, anchor[1]]))
        text = f"#{who.id}" + (f" {TOO_SMALL[0 if lang == 'zh' else 1]}" if who.too_small else "")
        color = GREY if who.too_small else (RED if result.report.score.failed else GREEN)
        _tag(img, x - size, y - size - 8, text, size + 2, color, [])


def _draw_grooming_regions(img: np.ndarray, result: CheckResult, cv: _Canvas, thickness: int) -> None:
    """The outline of each region a grooming clause judged (chin, lips, ears, badge ...), red
    where its condition failed."""
    drawn: set[str] = set()
    for v in result.verdicts:
        if v.clause.method != "grooming":
            continue
        for check in v.checks:
            if check.value is None or check.measurement in drawn:
                continue
            drawn.add(check.measurement)
            for outline in measurement_outlines(cv.lm, check.measurement):
                pts = np.array([cv.xy(p) for p in outline], dtype=np.int32)
                cv2.polylines(img, [pts], True, RED if check.ok is False else CYAN, thickness, cv2.LINE_AA)


def _with_panel(img: np.ndarray, result: CheckResult, lang: Lang, max_clauses: int, font_size: int,
                small: int) -> np.ndarray:
    if not load_font(font_size)[1]:
        lang = "en"  # no CJK font installed: draw English rather than empty boxes
    panel_w = max(380, img.shape[1] // 2)
    panel = np.full((img.shape[0], panel_w, 3), 250, dtype=np.uint8)
    everyone = result.everyone
    y = 10
    for person in everyone:
        if y > img.shape[0] - font_size:
            break
        y = _person_panel(panel, person.report, lang, max(1, max_clauses // len(everyone)), font_size, small, y,
                          img.shape[0], numbered=len(everyone) > 1) + 8
    return np.hstack([img, panel])


def _person_panel(panel: np.ndarray, report, lang: Lang, max_clauses: int, font_size: int, small: int, y: int,
                  bottom: int, numbered: bool) -> int:
    """One person's part of the panel from ``y`` down: score, warnings, failing clauses."""
    panel_w = panel.shape[1]
    score = report.score
    head = score.text(lang)
    counts = (f"通过 {score.passed} · 未通过 {score.failed} · 看不到 {score.not_visible}" if lang == "zh"
              else f"pass {score.passed} · fail {score.failed} · not visible {score.not_visible}")
    if numbered:
        head = f"#{report.id} {head}"
    y = text_block(panel, 10, y, head, font_size, (20, 20, 20), panel_w - 20)
    y = text_block(panel, 10, y + 2, counts, small, (80, 80, 80), panel_w - 20) + 4
    for warning in report.person.warnings:
        y = text_block(panel, 10, y, "! " + warning.get(lang), small, AMBER, panel_w - 20) + 4
    if report.view is not None:
        view = VIEW_TEXT.get(report.view.name, (report.view.name,) * 2)[0 if lang == "zh" else 1]
        label = f"视角:{view}" if lang == "zh" else f"view: {view}"
        y = text_block(panel, 10, y, label, small, GREY, panel_w - 20) + 2
    # Not-visible clauses grouped by their reason (the view), so "not visible (side view)" reads once.
    hidden: dict[str, list[str]] = {}
    for c in report.clauses:
        if c.verdict == "not_visible":
            why = c.reason.get(lang) if c.reason else ("看不到" if lang == "zh" else "not visible")
            hidden.setdefault(why, []).append(c.id)
    for why, ids in hidden.items():
        label = f"{why}:" + ", ".join(ids) if lang == "zh" else f"{why}: " + ", ".join(ids)
        y = text_block(panel, 10, y, label, small, GREY, panel_w - 20) + 2
    for clause in report.failed()[:max_clauses]:
        if y > bottom - font_size:
            break
        y = text_block(panel, 10, y + 4, f"× {clause.id} {clause.title.get(lang)}", font_size, RED, panel_w - 20)
        if numbered:  # several people: the clause's title and advice, not its full text
            y = text_block(panel, 24, y, "→ " + clause.advice.get(lang), small, (20, 20, 120), panel_w - 34)
            continue
        text = clause.original if lang == "zh" else clause.english
        y = text_block(panel, 24, y, text, small, (60, 60, 60), panel_w - 34)
        y = text_block(panel, 24, y, "→ " + clause.advice.get(lang), small, (20, 20, 120), panel_w - 34)
    return y


def _draw_labels(img: np.ndarray, result: CheckResult, cv: _Canvas, size: int, lang: Lang,
                 placed: list[tuple[int, int, int, int]]) -> None:
    """Failing values next to where they are measured, in red on a dark box, moved down where
    they would overlap a label already ``placed`` (this person's or another's)."""
    for pos, text in _labels(result, lang):
        x, y = cv.xy(pos)
        placed.append(_tag(img, x + 6, y - size, text, size, (255, 90, 90), placed))


def _tag(img: np.ndarray, x: int, y: int, text: str, size: int, color: tuple[int, int, int],
         placed: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    """``text`` on a dark box with its top-left near (x, y), below the boxes already
    ``placed`` that it would overlap; returns its box. Drawn with the CJK font (the masks are
    cached, so a live view pays for each text once)."""
    masks = rendered_lines(text, size, 10 * img.shape[1])
    mask = masks[0]
    tw, th = mask.shape[1], mask.shape[0]
    x0, y0 = int(np.clip(x, 2, max(2, img.shape[1] - tw - 2))), max(2, y)
    while any(x0 < b[2] and b[0] < x0 + tw and y0 < b[3] and b[1] < y0 + th for b in placed):
        y0 += th + 2
    cv2.rectangle(img, (x0 - 2, y0 - 1), (x0 + tw + 2, y0 + th + 1), (30, 30, 30), -1)
    text_block(img, x0, y0, text, size, color, 10 * img.shape[1])
    return x0 - 2, y0 - 1, x0 + tw + 2, y0 + th + 1
