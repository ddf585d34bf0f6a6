"""Finding a font that can draw Chinese, and drawing text with it. OpenCV's putText cannot;
Pillow can, with a CJK font installed by `make` (Debian's fonts-wqy-microhei) or any of the
usual system ones. Rendered lines are cached: the same texts recur in every frame of a live
view and across a batch, and rendering them is what costs."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


def find_cjk_font() -> Path | None:
    """Path of a CJK-capable font: $POSTURE_FONT first, then the usual locations."""
    override = os.environ.get("POSTURE_FONT")
    for candidate in ((override,) if override else ()) + CJK_FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@lru_cache(maxsize=32)
def load_font(size: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, bool]:
    """(font, can_draw_chinese) at ``size`` pixels."""
    path = find_cjk_font()
    if path is not None:
        return ImageFont.truetype(str(path), size), True
    return ImageFont.load_default(size=size), False


@lru_cache(maxsize=4096)
def rendered_lines(text: str, size: int, width: int) -> tuple[np.ndarray, ...]:
    """``text`` wrapped to ``width`` pixels (character by character, which also suits Chinese)
    and rendered as one coverage mask (0..1) per line. Cached: clause texts recur in every
    frame of a live view and across a batch."""
    font, _ = load_font(size)
    lines, line, line_w = [], "", 0.0
    for ch in text:
        w = char_width(ch, size)
        if line_w + w > width and line:
            lines.append(line)
            line, line_w = ch.lstrip(), (w if ch.strip() else 0.0)
        else:
            line, line_w = line + ch, line_w + w
    if line:
        lines.append(line)
    height = int(size * 1.25)
    masks = []
    for text_line in lines:
        canvas = Image.new("L", (max(1, int(font.getlength(text_line)) + 2), height), 0)
        ImageDraw.Draw(canvas).text((0, 0), text_line, fill=255, font=font)
        masks.append(np.asarray(canvas, dtype=np.float32)[..., None] / 255.0)
    return tuple(masks)


@lru_cache(maxsize=8192)
def char_width(ch: str, size: int) -> float:
    return float(load_font(size)[0].getlength(ch))


def text_block(canvas: np.ndarray, x: int, y: int, text: str, size: int, color: tuple[int, int, int],
               width: int) -> int:
    """Blend ``text`` (wrapped) into ``canvas`` at (x, y) in ``color``; returns the y below it."""
    fill = np.array(color, dtype=np.float32)
    for mask in rendered_lines(text, size, width):
        h = min(mask.shape[0], canvas.shape[0] - y)
        w = min(mask.shape[1], canvas.shape[1] - x)
        if h <= 0 or w <= 0:
            break
        region = canvas[y:y + h, x:x + w].astype(np.float32)
        m = mask[:h, :w]
        canvas[y:y + h, x:x + w] = (region * (1 - m) + fill * m).astype(np.uint8)
        y += mask.shape[0]
    return y


def text_width(text: str, size: int) -> int:
    """Width in pixels of ``text`` on one line."""
    return int(sum(char_width(ch, size) for ch in text)) + 2


def shaded_lines(img: np.ndarray, x: int, y: int, lines: list[tuple[str, tuple[int, int, int]]], size: int,
                 line_step: int, pad: int, keep: float) -> tuple[int, int]:
    """``lines`` of (text, colour) written on a darkened box (``keep`` of the picture's
    brightness) whose top-left corner is (x, y), in place; returns the box's (width, height).
    Only the box is touched, so a frame is not converted whole for a few lines of text."""
    width = min(img.shape[1] - x, max(text_width(text, size) for text, _ in lines) + 2 * pad)
    height = min(img.shape[0] - y, len(lines) * line_step + pad)
    if width <= 0 or height <= 0:
        return 0, 0
    box = img[y:y + height, x:x + width]
    box[:] = (box.astype(np.float32) * keep).astype(np.uint8)
    for i, (text, colour) in enumerate(lines):
        text_block(box, pad, pad // 2 + i * line_step, text, size, colour, 10 * img.shape[1])
    return width, height
