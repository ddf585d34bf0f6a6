"""Reading photos safely: every way a file can be wrong gets a clear message naming it.

Images are returned upright (EXIF orientation applied) as RGB uint8 arrays, whatever
their mode (grayscale, RGBA, palette, 16-bit, CMYK). Oversized images are refused from
their header, before the pixels are decoded.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_PIXELS = 50_000_000


class BadInput(ValueError):
    """A file that cannot be checked; the message names the file and says why."""


def _to_rgb(img: Image.Image) -> np.ndarray:
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() if arr.max() > 255 else 255.0
        gray = np.clip(arr / top * 255.0, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.stack([gray] * 3, axis=-1))
    if img.mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        span = max(arr.max() - arr.min(), 1e-9)
        gray = ((arr - arr.min()) / span * 255.0).astype(np.uint8)
        return np.ascontiguousarray(np.stack([gray] * 3, axis=-1))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        # Transparent pixels become white, as a photo editor would show them.
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return np.ascontiguousarray(np.asarray(img.convert("RGB"), dtype=np.uint8))


def decode_image(data: bytes | Path | str, name: str | None = None,
                 max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode an image file (path or bytes) into an upright RGB uint8 array.

    Raises :class:`BadInput` for a missing, empty, non-image, truncated or oversized file.
    """
    label = name or (str(data) if isinstance(data, Path | str) else "upload")
    if isinstance(data, Path | str):
        path = Path(data)
        if not path.exists():
            raise BadInput(f"{label}: file not found")
        if path.is_dir():
            raise BadInput(f"{label}: is a folder, not an image")
        if path.stat().st_size == 0:
            raise BadInput(f"{label}: empty file (0 bytes)")
        stream: io.BufferedIOBase | io.BytesIO = open(path, "rb")  # noqa: SIM115 (closed below)
    else:
        if len(data) == 0:
            raise BadInput(f"{label}: empty file (0 bytes)")
        stream = io.BytesIO(data)
    try:
        with warnings.catch_warnings():
            # We enforce our own pixel limit below, from the header.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
            try:
                img = Image.open(stream)
            finally:
                Image.MAX_IMAGE_PIXELS = previous
        width, height = img.size
        if width * height > max_pixels:
            raise BadInput(
                f"{label}: image is {width} x {height} = {width * height / 1e6:.0f} megapixels, "
                f"above the limit of {max_pixels / 1e6:.0f}; resize it first")
        if width < 16 or height < 16:
            raise BadInput(f"{label}: image is only {width} x {height} pixels")
        try:
            img.load()
            img = ImageOps.exif_transpose(img)
        except (OSError, SyntaxError, ValueError) as exc:
            raise BadInput(f"{label}: file is truncated or corrupt ({exc})") from exc
        return _to_rgb(img)
    except UnidentifiedImageError as exc:
        raise BadInput(f"{label}: not an image (or an unsupported format)") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # cut off inside the header
        raise BadInput(f"{label}: file is truncated or corrupt ({exc})") from exc
    finally:
        stream.close()
