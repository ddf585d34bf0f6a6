"""Seeded generators of malformed image files for the fuzz test and scripts/fuzz.py: valid
small images in every format Pillow writes here, then bit flips, cuts, splices, lying
headers and broken metadata; and the named crashers found before (issue 8)."""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Iterator

import numpy as np
from PIL import Image

FORMATS = ("JPEG", "PNG", "TIFF", "GIF", "BMP", "WEBP")
MUTATIONS = ("flip", "cut", "splice", "header", "exif", "repeat")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_exif_chunk(exif: bytes, size: tuple[int, int] = (32, 32)) -> bytes:
    """A valid PNG carrying an eXIf chunk of the given bytes (``II*\\0`` alone crashed
    ImageOps.exif_transpose with struct.error)."""
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(buf, "PNG")
    data = buf.getvalue()
    end = data.rindex(b"IEND") - 4
    return data[:end] + _png_chunk(b"eXIf", exif) + data[end:]


def strip_png(width: int = 16, height: int = 50_000) -> bytes:
    """A 7 KB PNG of extreme proportions (its resize to the models' size rounded to 0)."""
    buf = io.BytesIO()
    Image.fromarray(np.zeros((height, width, 3), np.uint8)).save(buf, "PNG", optimize=True)
    return buf.getvalue()


def jpeg_with_exif(exif: bytes, size: tuple[int, int] = (48, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (90, 120, 150)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def valid_image(rng: random.Random, fmt: str) -> bytes:
    """A small valid image in ``fmt``, in one of the modes that format can hold, sometimes
    with an EXIF orientation."""
    w, h = rng.randint(16, 96), rng.randint(16, 96)
    arr = np.asarray(np.random.default_rng(rng.randrange(2**32)).integers(0, 256, (h, w, 3)), dtype=np.uint8)
    img = Image.fromarray(arr)
    modes = {"JPEG": ("RGB", "L", "CMYK"), "PNG": ("RGB", "RGBA", "L", "P", "I;16", "LA", "1"),
             "TIFF": ("RGB", "RGBA", "L", "CMYK", "I;16", "F", "1", "P"), "GIF": ("P", "L"),
             "BMP": ("RGB", "L", "P", "1"), "WEBP": ("RGB", "RGBA")}[fmt]
    mode = rng.choice(modes)
    img = img.convert("I").convert(mode) if mode == "I;16" else img.convert(mode)
    kwargs: dict[str, object] = {}
    if fmt in ("JPEG", "PNG", "TIFF", "WEBP") and rng.random() < 0.5:
        exif = Image.Exif()
        exif[0x0112] = rng.randint(1, 8)
        kwargs["exif"] = exif.tobytes()
    if fmt == "TIFF":
        kwargs["compression"] = rng.choice(("raw", "tiff_lzw", "tiff_adobe_deflate", "packbits"))
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def mutate(rng: random.Random, data: bytes, how: str) -> bytes:
    b = bytearray(data)
    if how == "flip":  # a few flipped bits, more of them near the header
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(min(len(b), 512)) if rng.random() < 0.6 else rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif how == "cut":
        b = b[: rng.randrange(1, len(b))]
    elif how == "splice":  # random bytes over a stretch
        i = rng.randrange(len(b))
        n = rng.randint(1, 64)
        b[i:i + n] = bytes(rng.randrange(256) for _ in range(n))
    elif how == "header":  # a size field made large or zero (where it is for these formats)
        i = rng.randrange(min(len(b), 64))
        b[i:i + 4] = rng.choice((b"\xff\xff\xff\x7f", b"\x00\x00\x00\x00", b"\x00\x01\x00\x00", b"\x7f\xff"))
    elif how == "exif":  # a JPEG or PNG with a random EXIF block, sometimes almost empty
        blob = bytes(rng.randrange(256) for _ in range(rng.randint(0, 80)))
        blob = rng.choice((b"II*\x00", b"MM\x00*", b"")) + blob
        return png_with_exif_chunk(blob) if rng.random() < 0.5 else jpeg_with_exif(b"Exif\x00\x00" + blob)
    elif how == "repeat":  # a stretch doubled (chunk lengths then lie)
        i = rng.randrange(len(b))
        b[i:i] = b[i:i + rng.randint(1, 256)]
    return bytes(b)


# A phone-like EXIF block (orientation, maker, date) with two flipped bits: the date's
# type became SHORT with a count of 0x14 ("required argument is not an integer").
FLIPPED_JPEG_EXIF = (b'Exif\x00\x00Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x03\x01\x0f\x00\x02\x00\x00'
                     b'\x00\x06\x00\x00\x002\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x01"\x00\x02'
                     b'\x00\x00\x00\x14\x00\x00\x008\x00\x00\x00\x00Pho~e\x0020\x124:01: 1 10:00:00\x00')


def named_crashers() -> dict[str, bytes]:
    """Each input that crashed with something other than BadInput before issue 8."""
    return {
        "strip_16x50000.png": strip_png(),                       # cv2.error in the resize
        "exif_IIstar.png": png_with_exif_chunk(b"II*\x00"),      # struct.error in exif_transpose
        "exif_bitflip.jpg": jpeg_with_exif(FLIPPED_JPEG_EXIF),     # struct.error in exif_transpose
        "bitflip.tif": bitflipped_tiff(),                        # TypeError from Pillow's load()
    }


def bitflipped_tiff() -> bytes:
    """A TIFF whose strip tags were flipped into the wrong type (Pillow's load() then
    raised TypeError): a valid TIFF with its StripOffsets tag re-typed as RATIONAL."""
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 30)).save(buf, "TIFF")
    b = bytearray(buf.getvalue())
    order = "<" if b[:2] == b"II" else ">"
    ifd = struct.unpack(order + "I", b[4:8])[0]
    (count,) = struct.unpack(order + "H", b[ifd:ifd + 2])
    for k in range(count):
        at = ifd + 2 + 12 * k
        tag = struct.unpack(order + "H", b[at:at + 2])[0]
        if tag == 273:  # StripOffsets
            b[at + 2:at + 4] = struct.pack(order + "H", 5)  # RATIONAL
    return bytes(b)


def fuzz_inputs(seed: int, n: int) -> Iterator[tuple[str, bytes]]:
    """``n`` named inputs from ``seed``: one in ten valid as written, the rest mutated."""
    rng = random.Random(seed)
    for i in range(n):
        fmt = FORMATS[i % len(FORMATS)]
        data = valid_image(rng, fmt)
        how = "valid" if rng.random() < 0.1 else rng.choice(MUTATIONS)
        if how != "valid":
            data = mutate(rng, data, how)
        if how == "exif":  # written as a PNG or a JPEG whatever the base was
            fmt = "PNG" if data.startswith(b"\x89PNG") else "JPEG"
        yield f"{i:05d}-{how}.{fmt.lower()}", data
