"""Clause verdicts: measurements compared with a clause's accepted ranges.

A clause passes when any of its variants has every condition in range, fails when every
variant has a condition measured out of range, and is "not_visible" otherwise: a verdict is
never given on a measurement whose landmarks were not seen.

A condition whose measurement the camera's view cannot show (a knee gap seen from the side,
see ``posture.measure.hidden_measurements``) or the body's state (a shoulder
dragged up by a raised arm) is left out of its variant while the variant keeps
another condition; a clause with nothing left to judge is "not visible" from that view, and
the verdict says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from posture.measure import REGISTRY, Measured
from posture.standards import Clause, Condition, Text, Variant

Outcome = Literal["pass", "fail", "not_visible"]


@dataclass(frozen=True)
class Check:
    """One condition of a clause with the value measured for it."""

    measurement: str
    unit: str
    value: float | None
    expected: str
    low: float
    high: float
    ok: bool | None  # None: not measured
    confidence: float
    why: str


@dataclass(frozen=True)
class Verdict:
    clause: Clause
    outcome: Outcome
    variant: Variant | None  # the passing variant, or the closest failing one
    checks: list[Check] = field(default_factory=list)
    confidence: float = 0.0
    missing: list[str] = field(default_factory=list)  # measurements that were not visible
    reason: Text | None = None  # why some measurements could not be judged (the view), if known


VIEW_TEXT = {"front": ("正面", "front"), "three_quarter": ("斜侧面", "three-quarter"),
             "side": ("侧面", "side"), "back": ("背面", "back")}
# Why a measurement cannot be read, by the key posture.measure.hidden_measurements gives.
REASON_TEXT = {**{k: (f"{zh}视角", f"{en} view") for k, (zh, en) in VIEW_TEXT.items()},
               "arm_raised": ("手臂抬起,带起了肩部", "an arm is raised and lifts its shoulder"),
               "headwear": ("戴着帽子或头巾", "headwear"),
               "no_hand_seen": ("看不到手", "no hand is seen"),
               "grayscale": ("黑白照片,看不出颜色", "a black-and-white picture: colours cannot be judged"),
               "chin_out_of_frame": ("下巴或上唇在画面外", "the chin or upper lip is out of the picture"),
               "collar_out_of_frame": ("衣领在画面外", "the collar is out of the picture"),
               "neck_sides_out_of_frame": ("颈部两侧在画面外", "the sides of the neck are out of the picture"),
               "hair_top_out_of_frame": ("额头上方的头发在画面外", "the hair above the forehead is out of the picture"),
               "lobes_hidden": ("看不到耳垂(被头发遮住、头部转开或在画面外)",
                                "the ear lobes are hidden by hair, the head's turn or the frame"),
               "chest_out_of_frame": ("胸前在画面外或看不到肩部",
                                      "the chest is out of the picture or the shoulders are not seen"),
               "shoulder_at_edge": ("肩部在画面边缘,可能被截掉",
                                    "a shoulder is at the picture's edge and may be cut off"),
               "hip_at_edge": ("髋部在画面边缘,可能被截掉", "a hip is at the picture's edge and may be cut off"),
               "face_in_profile": ("面部侧对镜头,看不出抬头低头",
                                   "the face is seen in profile: its nod cannot be read"),
               "no_company_uniform": ("company.yaml 未设定公司制服", "no company uniform set in company.yaml"),
               "no_tie_rule": ("company.yaml 未要求男士系领带", "no tie rule set in company.yaml"),
               "no_lipstick_rule": ("company.yaml 未要求口红", "no lipstick rule set in company.yaml")}


def hidden_reason(key: str, names: list[str], whole: bool) -> Text:
    """"not visible (side view)" for a whole clause, or which of its measurements are hidden and why."""
    zh, en = REASON_TEXT.get(key, (key, key))
    if whole:
        return Text(zh=f"看不到({zh})", en=f"not visible ({en})")
    return Text(zh=f"未判断({zh}):{', '.join(names)}", en=f"not judged ({en}): {', '.join(names)}")


def _check(cond: Condition, measured: Measured | None) -> Check:
    spec = REGISTRY[cond.measurement]
    if measured is None:
        return Check(cond.measurement, spec.unit, None, cond.expected(), cond.low, cond.high,
                     None, 0.0, cond.why)
    return Check(cond.measurement, spec.unit, measured.value, cond.expected(), cond.low,
                 cond.high, cond.accepts(measured.value), measured.confidence, cond.why)


def judge(clause: Clause, measured: dict[str, Measured | None],
          hidden: dict[str, str] | None = None) -> Verdict:
    """The verdict on one clause from the measurements of one frame; ``hidden``: the
    measurements that cannot be read, with why (``hidden_measurements``)."""
    hidden = hidden or {}
    results = [(v, [_check(c, measured.get(c.measurement)) for c in v.conditions])
               for v in clause.variants]
    # What each variant is judged on: its conditions less those the view hides, unless
    # nothing would be left.
    judged = []
    for variant, checks in results:
        shown = [c for c in checks if c.measurement not in hidden]
        judged.append((variant, shown or checks))
    hidden_here = sorted({c.measurement for _, cs in results for c in cs if c.measurement in hidden})
    view = hidden[hidden_here[0]] if hidden_here else None
    note = hidden_reason(view, hidden_here, whole=False) if view else None
    for (variant, checks), (_, shown) in zip(results, judged, strict=True):
        if all(c.ok for c in shown):
            return Verdict(clause, "pass", variant, checks, min(c.confidence for c in shown), reason=note)
    failing = [(v, cs) for v, cs in judged if any(c.ok is False for c in cs)]
    if len(failing) == len(judged):
        # Report the variant that came closest: the fewest conditions out of range.
        variant, shown = min(failing, key=lambda vc: sum(c.ok is False for c in vc[1]))
        checks = next(cs for v, cs in results if v is variant)
        return Verdict(clause, "fail", variant, checks, min(c.confidence for c in shown if c.ok is not None),
                       reason=note)
    missing = sorted({c.measurement for _, cs in judged for c in cs if c.ok is None})
    variant, checks = results[0]
    # Only a clause that nothing but the view (or the body's state) keeps from being judged
    # says so; one whose landmarks were not seen is plainly "not visible".
    whole = bool(missing) and all(m in hidden for m in missing)
    reason = hidden_reason(hidden[missing[0]], missing, whole=True) if whole else None
    return Verdict(clause, "not_visible", None, checks, 0.0, missing, reason)


def judge_all(clauses: list[Clause], measured: dict[str, Measured | None],
              hidden: dict[str, str] | None = None) -> list[Verdict]:
    return [judge(c, measured, hidden) for c in clauses]
