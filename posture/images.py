"""Reading photos safely: every way a file can be wrong gets a clear message naming it.

Images are returned upright (EXIF orientation applied) as RGB uint8 arrays, whatever
their mode (grayscale, RGBA, palette, 16-bit, CMYK). Oversized images are refused from
their header, before the pixels are decoded; large ones are decoded reduced to about the
size the models look at (a JPEG at a fraction of its size, other formats shrunk right after
decoding), so a 48-megapixel photo does not cost a gigabyte.
"""

from __future__ import annotations

import io
import threading
import warnings
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

DEFAULT_MAX_PIXELS = 50_000_000
# The longest side the landmark models are given (posture.landmarks.LandmarkDetector.MAX_SIDE
# is this value): decoding more pixels than that only costs memory and time.
MODEL_MAX_SIDE = 1280
MIN_SIDE = 16

# Image.MAX_IMAGE_PIXELS is process-wide: it is lifted only while one decode_image call
# reads a header, under this lock, so two threads cannot leave it lifted (we enforce our
# own limit, from the header, right after).
_HEADER_LOCK = threading.Lock()

_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}


class BadInput(ValueError):
    """A file that cannot be checked; the message names the file and says why."""


def _to_rgb(img: Image.Image) -> np.ndarray:
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() if arr.max() > 255 else 255.0
        gray = np.clip(arr / top * 255.0, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.stack([gray] * 3, axis=-1))
    if img.mode == "F":
        arr = np.nan_to_num(np.asarray(img, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        span = max(arr.max() - arr.min(), 1e-9)
        gray = ((arr - arr.min()) / span * 255.0).astype(np.uint8)
        return np.ascontiguousarray(np.stack([gray] * 3, axis=-1))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        # Transparent pixels become white, as a photo editor would show them.
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return np.ascontiguousarray(np.asarray(img.convert("RGB"), dtype=np.uint8))


def _reduce_factor(size: tuple[int, int], max_side: int | None) -> int:
    """The integer shrink that keeps the longest side at least ``max_side`` (the models
    then resize the rest of the way) and the shortest at least :data:`MIN_SIDE`."""
    if not max_side:
        return 1
    return max(1, min(max(size) // max_side, min(size) // MIN_SIDE))


def _reduced(img: Image.Image, max_side: int | None) -> Image.Image:
    factor = _reduce_factor(img.size, max_side)
    if factor < 2:
        return img
    if img.mode in ("P", "PA", "1"):  # averaging palette indices would mix unrelated colours
        img = img.convert("RGBA" if img.mode == "PA" or "transparency" in img.info else "L" if img.mode == "1"
                          else "RGB")
    elif img.mode.startswith("I;16"):
        img = img.convert("I")
    return img.reduce(factor)


def _upright(img: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says. A broken EXIF block is skipped: the
    pixels are intact, and a photo is worth more checked as stored than refused for its
    metadata (a wrong turn shows on the annotated picture; a refusal helps nobody)."""
    try:
        orientation = img.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # noqa: BLE001 - any parse error of untrusted metadata
        orientation = 1
    method = _TRANSPOSE.get(orientation) if isinstance(orientation, int) else None
    return img.transpose(method) if method is not None else img


def _failure(label: str, exc: BaseException) -> BadInput:
    detail = str(exc).strip() or type(exc).__name__
    return BadInput(f"{label}: file is truncated or corrupt ({detail})")


def decode_image(data: bytes | Path | str, name: str | None = None,
                 max_pixels: int = DEFAULT_MAX_PIXELS, max_side: int | None = MODEL_MAX_SIDE) -> np.ndarray:
    """Decode an image file (path or bytes) into an upright RGB uint8 array.

    ``max_side``: an image larger than that is decoded reduced by an integer factor, down to
    no less than ``max_side`` on its longest side (None: full size). Raises
    :class:`BadInput` for a missing, empty, non-image, truncated or oversized file.
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
    with stream:
        try:
            with _HEADER_LOCK, warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
                try:
                    img = Image.open(stream)
                finally:
                    Image.MAX_IMAGE_PIXELS = previous
        except UnidentifiedImageError as exc:
            raise BadInput(f"{label}: not an image (or an unsupported format)") from exc
        except Exception as exc:  # noqa: BLE001 - a decoder on untrusted bytes fails in many ways
            raise _failure(label, exc) from exc
        width, height = img.size
        if width * height > max_pixels:
            raise BadInput(
                f"{label}: image is {width} x {height} = {width * height / 1e6:.0f} megapixels, "
                f"above the limit of {max_pixels / 1e6:.0f}; resize it first")
        if width < MIN_SIDE or height < MIN_SIDE:
            raise BadInput(f"{label}: image is only {width} x {height} pixels")
        try:
            if img.format == "JPEG" and max_side:  # decoded at 1/2, 1/4 or 1/8 straight away
                factor = _reduce_factor(img.size, max_side)
                img.draft("RGB", (width // factor, height // factor))
            img.load()
            img = _upright(_reduced(img, max_side))
            return _to_rgb(img)
        except Exception as exc:  # noqa: BLE001 - as above: truncated, bit-flipped, odd modes
            raise _failure(label, exc) from exc
