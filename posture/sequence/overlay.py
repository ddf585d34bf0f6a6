"""The live overlay: the running events of a session drawn over a frame (a bow counted, its
depth, smile during it or not; nods, smile and eye-contact shares; current alerts).

Drawing only renders a :class:`~posture.sequence.tracker.SequenceState`; it decides nothing.
Text is drawn with Pillow so Chinese shows (OpenCV's putText cannot draw it).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from posture.fonts import load_font, shaded_lines
from posture.sequence.monitors import Bow
from posture.sequence.tracker import SequenceState
from posture.standards import Lang

GREEN = (40, 180, 90)
RED = (230, 40, 40)
AMBER = (240, 170, 0)
WHITE = (255, 255, 255)
GREY = (190, 190, 190)
# A finished bow stays highlighted this long after it ends, so the trainee sees its verdict.
RECENT_BOW_S = 4.0

_MARK = {"zh": {"pass": "√", "fail": "×", "not_visible": "?"},
         "en": {"pass": "ok", "fail": "NO", "not_visible": "?"}}
_COLOUR = {"pass": GREEN, "fail": RED, "not_visible": AMBER}


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def _bow_line(bow: Bow, lang: Lang) -> str:
    m = _MARK[lang]
    if lang == "zh":
        return (f"鞠躬 {bow.depth_deg:.0f}° {m[bow.depth]} · {bow.duration_s:.1f} 秒 · "
                f"微笑 {m[bow.smile]} · 手位 {m[bow.hands]}")
    return (f"bow {bow.depth_deg:.0f}° {m[bow.depth]} · {bow.duration_s:.1f} s · "
            f"smile {m[bow.smile]} · hands {m[bow.hands]}")


def overlay_lines(state: SequenceState, lang: Lang = "zh") -> list[tuple[str, tuple[int, int, int]]]:
    """The overlay's text lines with their colours (also usable by a non-image UI)."""
    zh = lang == "zh"
    lines: list[tuple[str, tuple[int, int, int]]] = []
    n = len(state.bows)
    if state.bow_depth_deg is not None:
        lines.append((f"鞠躬中… {state.bow_depth_deg:.0f}°" if zh else f"bowing… {state.bow_depth_deg:.0f}°", AMBER))
    elif not state.bow_visible and state.person:
        lines.append(("鞠躬:需肩和髋入镜" if zh else "bow: shoulders and hips must be in view", GREY))
    if n:
        last = state.bows[-1]
        recent = state.t - last.end <= RECENT_BOW_S
        head = f"鞠躬 {n} 次 · 上次:" if zh else f"{n} bow(s) · last: "
        lines.append((head + _bow_line(last, lang), _COLOUR[last.greeting] if recent else WHITE))
        if recent and last.smile == "fail":
            lines.append(("没有微笑就是失败的问候" if zh else "no smile: a failed greeting", RED))
    # Shares of the session's time, with the state now in words: "微笑 × 80%" read as
    # "the smile fails 80%".
    smile_now = {True: ("在笑", "smiling"), False: ("没笑", "not smiling"), None: ("看不到", "not seen")}
    look_now = {True: ("在看", "looking"), False: ("没看", "looking away"), None: ("看不到", "not seen")}
    i = 0 if zh else 1
    stats = (f"微笑占时 {_pct(state.smile_share)}(此刻{smile_now[state.smiling][i]})· "
             f"注视占时 {_pct(state.focus_share)}(此刻{look_now[state.looking][i]})· 点头 {state.nods} 次" if zh else
             f"smiling {_pct(state.smile_share)} of the time (now {smile_now[state.smiling][i]}) · "
             f"eyes on camera {_pct(state.focus_share)} (now {look_now[state.looking][i]}) · nods {state.nods}")
    lines.append((stats, WHITE))
    if state.walking:
        lines.append(("行走中" if zh else "walking", WHITE))
    for alert in state.alerts:
        lines.append(("× " + alert.text.get(lang), RED))
    if not state.person:
        lines.append(("画面中没有人" if zh else "no person in view", AMBER))
    return lines


def draw_overlay(rgb: np.ndarray, state: SequenceState, lang: Lang = "zh", max_lines: int = 8,
                 at: Literal["top", "bottom"] = "top") -> np.ndarray:
    """``rgb`` (RGB uint8, as displayed) with the session's running state in its top-left (or
    bottom-left) corner, on a dark translucent box so it reads over any background."""
    h = rgb.shape[0]
    size = max(14, h // 32)
    if not load_font(size)[1]:
        lang = "en"  # no CJK font installed: English rather than empty boxes
    lines = overlay_lines(state, lang)[:max_lines]
    pad, step = size // 2, int(size * 1.3)
    height = len(lines) * step + pad
    top = pad // 2 if at == "top" else max(0, h - height - pad // 2)
    out = np.array(rgb, dtype=np.uint8, copy=True)
    shaded_lines(out, pad // 2, top, lines, size, step, pad, keep=1 - 150 / 255)
    return out
