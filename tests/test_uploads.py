"""Uploads: limits, zip safety (no path escapes, no bombs), every refused file with a reason."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from posture.settings import UploadLimits
from posture.uploads import collect, safe_member_name

LIMITS = UploadLimits(max_file_bytes=1000, max_files=3, max_zip_entries=20, max_zip_total_bytes=5000,
                      max_zip_ratio=20.0)


def make_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def reasons(collected) -> dict[str, str]:
    return {r.name: r.reason.en for r in collected.refused}


@pytest.mark.parametrize("name,safe", [
    ("a.jpg", "a.jpg"), ("day1/./a.jpg", "day1/a.jpg"), ("../a.jpg", None), ("day1/../../a.jpg", None),
    ("/etc/passwd", None), ("C:/x.jpg", None), ("..\\..\\x.jpg", None), ("", None),
])
def test_member_names(name, safe):
    assert safe_member_name(name) == safe


def test_plain_files_and_limits():
    files = [("a.jpg", b"x" * 10), ("empty.png", b""), ("notes.txt", b"hello"), ("big.jpg", b"x" * 1001),
             ("b.png", b"y"), ("c.JPG", b"z"), ("d.jpg", b"w")]
    out = collect(files, LIMITS)
    assert [p.name for p in out.photos] == ["a.jpg", "b.png", "c.JPG"]
    assert reasons(out) == {
        "empty.png": "empty file (0 bytes)", "notes.txt": "not a photo or video (unsupported file type)",
        "big.jpg": "0.0 MB, above the limit of 0.0 MB", "d.jpg": "not checked: more than 3 photos in one batch"}
    assert out.refused[0].reason.zh == "空文件(0 字节)"


def test_videos_are_kept_apart_with_their_own_size_limit():
    limits = UploadLimits(max_file_bytes=10, max_files=3, max_video_bytes=100)
    files = [("clip.mp4", b"v" * 50), ("a.jpg", b"x"), ("long.MOV", b"v" * 101), ("b.webm", b"w"), ("c.mp4", b"c")]
    out = collect(files, limits)
    assert [v.name for v in out.videos] == ["clip.mp4", "b.webm"]  # above the photo limit, within the video one
    assert [p.name for p in out.photos] == ["a.jpg"]
    assert reasons(out) == {"long.MOV": "video of 0.0 MB, above the limit of 0.0 MB",
                            "c.mp4": "not checked: more than 3 files in one batch"}
    zipped = collect([("v.zip", make_zip({"day1/clip.mp4": b"v"}))], limits)
    assert reasons(zipped) == {"v.zip/day1/clip.mp4": "a video inside a zip is not opened; upload the video on its own"}


def test_zip_members_are_read_safely():
    data = make_zip({"day1/a.jpg": b"a" * 10, "../escape.jpg": b"e", "/abs.jpg": b"e", "__MACOSX/._a.jpg": b"m",
                     "day1/": b"", "inner.zip": make_zip({"x.jpg": b"x"}), "readme.md": b"#", "day1/b.png": b"b"})
    out = collect([("batch.zip", data)], LIMITS)
    assert [(p.name, p.data) for p in out.photos] == [("batch.zip/day1/a.jpg", b"a" * 10),
                                                      ("batch.zip/day1/b.png", b"b")]
    got = reasons(out)
    assert got["batch.zip/../escape.jpg"].startswith("unsafe path")
    assert got["batch.zip//abs.jpg"].startswith("unsafe path")
    assert got["batch.zip/inner.zip"] == "a zip inside a zip is not opened; unpack it first"
    assert got["batch.zip/readme.md"] == "not a photo (unsupported file type)"
    assert len(got) == 4


def test_zip_bombs_and_broken_zips():
    bomb = make_zip({"bomb.jpg": b"\0" * 900}, zipfile.ZIP_DEFLATED)  # ~100:1
    assert reasons(collect([("bomb.zip", bomb)], LIMITS)) == {
        "bomb.zip/bomb.jpg": "suspicious compression ratio (a zip bomb?); refused"}
    too_big = make_zip({"huge.jpg": b"h" * 2000})
    assert "above the limit" in reasons(collect([("big.zip", too_big)], LIMITS))["big.zip/huge.jpg"]
    total = make_zip({f"{i}.jpg": b"t" * 900 for i in range(8)}, zipfile.ZIP_DEFLATED)
    out = collect([("total.zip", total)], UploadLimits(max_file_bytes=1000, max_zip_total_bytes=3000))
    assert len(out.photos) == 3 and "unpacks to more than" in out.refused[0].reason.en
    many = make_zip({f"{i}.jpg": b"m" for i in range(25)})
    assert "25 entries" in reasons(collect([("many.zip", many)], LIMITS))["many.zip"]
    assert reasons(collect([("broken.zip", b"PK\x03\x04 not really")], LIMITS))["broken.zip"].startswith("broken zip")


def test_a_member_that_lies_about_its_size_is_caught():
    data = bytearray(make_zip({"liar.jpg": b"L" * 900}))
    # Patch the declared uncompressed size (local header and central directory) to 10 bytes.
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(sig)
        data[at + offset:at + offset + 4] = (10).to_bytes(4, "little")
    out = collect([("liar.zip", bytes(data))], UploadLimits(max_file_bytes=100))
    assert out.photos == [] and len(out.refused) == 1


def test_symlinks_and_encrypted_members_are_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        link = zipfile.ZipInfo("link.jpg")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("ok.jpg", b"ok")
    data = bytearray(buf.getvalue())
    out = collect([("s.zip", bytes(data))], LIMITS)
    assert reasons(out) == {"s.zip/link.jpg": "a symbolic link; refused"}
    # Mark the second member as encrypted (general purpose flag bit 0) in both headers.
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig, data.find(sig) + 1)
        data[at + offset] |= 0x1
    assert reasons(collect([("e.zip", bytes(data))], LIMITS))["e.zip/ok.jpg"] == "encrypted; cannot be read"
