"""Every kind of bad or unusual file gets a clear message naming it, or is read upright."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from posture.images import BadInput, decode_image


def png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG whose header claims ``width`` x ``height`` but holds almost no data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))


def test_missing_empty_and_not_an_image(tmp_path):
    with pytest.raises(BadInput, match="nope.jpg: file not found"):
        decode_image(tmp_path / "nope.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(BadInput, match=r"empty.jpg: empty file \(0 bytes\)"):
        decode_image(tmp_path / "empty.jpg")
    (tmp_path / "notes.jpg").write_text("hello, this is text")
    with pytest.raises(BadInput, match="notes.jpg: not an image"):
        decode_image(tmp_path / "notes.jpg")
    with pytest.raises(BadInput, match="upload.png: empty"):
        decode_image(b"", name="upload.png")


def test_truncated_file(tmp_path, samples):
    data = (samples / "hagrid_palm.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 3])
    with pytest.raises(BadInput, match="cut.jpg: file is truncated or corrupt"):
        decode_image(tmp_path / "cut.jpg")
    with pytest.raises(BadInput, match="head.jpg: file is truncated or corrupt"):
        decode_image(b"\xff\xd8\xff\xe0 truncated", name="head.jpg")  # cut inside the JPEG header


def test_huge_image_refused_from_its_header(tmp_path):
    png_header_only(tmp_path / "huge.png", 20_000, 20_000)
    with pytest.raises(BadInput, match="huge.png: image is 20000 x 20000 = 400 megapixels, above the limit of 50"):
        decode_image(tmp_path / "huge.png")


def test_modes_become_rgb_uint8(tmp_path):
    gray = Image.fromarray(np.tile(np.arange(64, dtype=np.uint8) * 4, (48, 1)), mode="L")
    rgba = Image.new("RGBA", (64, 48), (10, 20, 30, 0))
    deep = Image.fromarray(np.full((48, 64), 65535, dtype=np.uint16))  # 16-bit
    palette = gray.convert("P")
    for name, img in (("g.png", gray), ("a.png", rgba), ("d.png", deep), ("p.png", palette)):
        img.save(tmp_path / name)
        arr = decode_image(tmp_path / name)
        assert arr.dtype == np.uint8 and arr.shape == (48, 64, 3), name
    assert decode_image(tmp_path / "a.png")[0, 0].tolist() == [255, 255, 255]  # transparent -> white
    assert decode_image(tmp_path / "d.png")[0, 0].tolist() == [255, 255, 255]  # full scale stays full


def test_exif_rotated_phone_photo_is_turned_upright(tmp_path):
    # A landscape sensor image (wide) with orientation 6 ("rotate 90° clockwise to view").
    img = Image.new("RGB", (80, 40), (0, 0, 0))
    img.paste((255, 0, 0), (0, 0, 10, 40))  # red stripe on the sensor's left edge
    exif = Image.Exif()
    exif[0x0112] = 6
    img.save(tmp_path / "phone.jpg", exif=exif.tobytes(), quality=95)
    arr = decode_image(tmp_path / "phone.jpg")
    assert arr.shape[:2] == (80, 40)  # upright: portrait
    assert arr[2, 20, 0] > 200 and arr[2, 20, 1] < 60  # the left edge became the top


def test_bytes_and_tiny_images(samples):
    arr = decode_image((samples / "hagrid_palm.jpg").read_bytes(), name="palm.jpg")
    assert arr.shape[2] == 3
    tiny = Image.new("RGB", (8, 8))
    import io
    buf = io.BytesIO()
    tiny.save(buf, format="PNG")
    with pytest.raises(BadInput, match="only 8 x 8"):
        decode_image(buf.getvalue(), name="tiny.png")
