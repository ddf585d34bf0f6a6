"""Finding a font that can draw Chinese. OpenCV's putText cannot; Pillow can, with a CJK
font installed by `make` (Debian's fonts-wqy-microhei) or any of the usual system ones."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

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
