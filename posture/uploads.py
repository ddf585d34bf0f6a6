"""Uploaded files and zips turned into lists of photos and videos to check, every refused
file listed with its reason, never stopping the rest.

Zips are read in memory, never extracted: a member whose name would land outside an
extraction folder (absolute, ``..``, a drive letter) is refused all the same, and so are
symlinks, encrypted members, nested zips and anything that inflates beyond the limits
(declared sizes are checked first, then reading stops at the limit, so a lying header
does not help a bomb). The bytes unpacked are bounded per upload, across all its zips.

Two files that end with one name (``a.jpg`` and ``./a.jpg`` in a zip, two uploads both
called ``a.jpg``) stay two photos: the second is named ``a (2).jpg``.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import PurePosixPath

from posture.cli import IMAGE_SUFFIXES
from posture.settings import UploadLimits
from posture.standards import Text
from posture.video import VIDEO_SUFFIXES


@dataclass(frozen=True)
class Photo:
    name: str  # as the user knows it: "batch.zip/day1/a.jpg" for a zip member
    data: bytes


@dataclass(frozen=True)
class Video:
    name: str
    data: bytes


@dataclass(frozen=True)
class Refused:
    name: str
    reason: Text


@dataclass
class Collected:
    photos: list[Photo] = field(default_factory=list)
    videos: list[Video] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    unpacked_bytes: int = 0  # read from zips so far, in this whole upload
    _names: set[str] = field(default_factory=set, repr=False)

    def unique(self, name: str) -> str:
        """``name``, or ``name (2)``, ``name (3)`` ... if a photo or video has it already."""
        path = PurePosixPath(name)
        candidate, n = name, 1
        while candidate in self._names:
            n += 1
            candidate = str(path.with_name(f"{path.stem} ({n}){path.suffix}"))
        self._names.add(candidate)
        return candidate


def _mb(n: float) -> str:
    return f"{n / 2**20:.1f} MB"


def safe_member_name(name: str) -> str | None:
    """The member's path if extracting it would stay inside the extraction folder, else None."""
    cleaned = name.replace("\\", "/")
    if not cleaned or cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        return None
    parts = PurePosixPath(cleaned).parts
    if any(p == ".." for p in parts) or "\x00" in cleaned:
        return None
    return "/".join(p for p in parts if p != ".")


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _ignored(path: str) -> bool:
    """Folders and the metadata archivers add (macOS resource forks, Finder files)."""
    name = PurePosixPath(path).name
    return path.endswith("/") or path.startswith("__MACOSX/") or name.startswith(".") or name == "Thumbs.db"


def _refuse(out: Collected, name: str, zh: str, en: str) -> None:
    out.refused.append(Refused(name, Text(zh=zh, en=en)))


def _add_photo(out: Collected, name: str, data: bytes, limits: UploadLimits) -> None:
    if len(out.photos) + len(out.videos) >= limits.max_files:
        _refuse(out, name, f"超过一次最多 {limits.max_files} 张照片的限制,未检查",
                f"not checked: more than {limits.max_files} photos in one batch")
    else:
        out.photos.append(Photo(out.unique(name), data))


def _read_zip(out: Collected, zip_name: str, data: bytes, limits: UploadLimits) -> None:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        _refuse(out, zip_name, f"压缩包损坏,无法打开({exc})", f"broken zip, cannot be opened ({exc})")
        return
    if len(members) > limits.max_zip_entries:
        _refuse(out, zip_name, f"压缩包内有 {len(members)} 个文件,超过 {limits.max_zip_entries} 个的限制",
                f"{len(members)} entries, above the limit of {limits.max_zip_entries}")
        return
    with archive:
        for info in members:
            label = f"{zip_name}/{info.filename}"
            path = safe_member_name(info.filename)
            if path is None:
                _refuse(out, label, "路径不安全(会解压到目标文件夹之外),已拒绝",
                        "unsafe path (would land outside the extraction folder); refused")
                continue
            if _ignored(info.filename):
                continue
            label = f"{zip_name}/{path}"
            if _is_symlink(info):
                _refuse(out, label, "符号链接,已拒绝", "a symbolic link; refused")
                continue
            if info.flag_bits & 0x1:
                _refuse(out, label, "加密文件,无法读取", "encrypted; cannot be read")
                continue
            suffix = PurePosixPath(path).suffix.lower()
            if suffix == ".zip":
                _refuse(out, label, "压缩包内的压缩包不会被打开,请先解压",
                        "a zip inside a zip is not opened; unpack it first")
                continue
            if suffix in VIDEO_SUFFIXES:
                _refuse(out, label, "压缩包内的视频不会被打开,请单独上传视频",
                        "a video inside a zip is not opened; upload the video on its own")
                continue
            if suffix not in IMAGE_SUFFIXES:
                _refuse(out, label, "不是照片(不支持的文件类型)", "not a photo (unsupported file type)")
                continue
            if info.file_size > limits.max_file_bytes:
                _refuse(out, label, f"文件 {_mb(info.file_size)},超过 {_mb(limits.max_file_bytes)} 的限制",
                        f"{_mb(info.file_size)}, above the limit of {_mb(limits.max_file_bytes)}")
                continue
            if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio:
                _refuse(out, label, "压缩比异常(疑似压缩炸弹),已拒绝",
                        "suspicious compression ratio (a zip bomb?); refused")
                continue
            if out.unpacked_bytes + info.file_size > limits.max_zip_total_bytes:
                _refuse(out, label, f"本次上传的压缩包解压后超过 {_mb(limits.max_zip_total_bytes)},其余文件未读取",
                        f"the upload unpacks to more than {_mb(limits.max_zip_total_bytes)} "
                        "(all its zips together); the rest was not read")
                break
            try:
                with archive.open(info) as member:
                    content = member.read(limits.max_file_bytes + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                _refuse(out, label, f"压缩包中的文件已损坏({exc})", f"damaged inside the zip ({exc})")
                continue
            if len(content) > limits.max_file_bytes:
                _refuse(out, label, "解压后的大小与压缩包记录不符,已拒绝", "inflates beyond its declared size; refused")
                continue
            out.unpacked_bytes += len(content)
            _add_photo(out, label, content, limits)


def collect(files: Iterable[tuple[str, bytes]], limits: UploadLimits) -> Collected:
    """Photos and videos from uploaded ``(name, bytes)`` files, zips opened; refused files
    with reasons. Videos count toward ``max_files`` and have their own size limit.

    Only the container is checked here; each photo is decoded (and refused if broken or
    too many pixels) when it is checked, by :func:`posture.images.decode_image`, and each
    video by :class:`posture.video.VideoReader`.
    """
    out = Collected()
    for name, data in files:
        suffix = PurePosixPath(name).suffix.lower()
        if len(data) == 0:
            _refuse(out, name, "空文件(0 字节)", "empty file (0 bytes)")
        elif suffix == ".zip":
            if len(data) > limits.max_zip_total_bytes:
                _refuse(out, name, f"压缩包 {_mb(len(data))},超过 {_mb(limits.max_zip_total_bytes)} 的限制",
                        f"zip of {_mb(len(data))}, above the limit of {_mb(limits.max_zip_total_bytes)}")
            else:
                _read_zip(out, name, data, limits)
        elif suffix in VIDEO_SUFFIXES:
            if len(data) > limits.max_video_bytes:
                _refuse(out, name, f"视频 {_mb(len(data))},超过 {_mb(limits.max_video_bytes)} 的限制",
                        f"video of {_mb(len(data))}, above the limit of {_mb(limits.max_video_bytes)}")
            elif len(out.photos) + len(out.videos) >= limits.max_files:
                _refuse(out, name, f"超过一次最多 {limits.max_files} 个文件的限制,未检查",
                        f"not checked: more than {limits.max_files} files in one batch")
            else:
                out.videos.append(Video(out.unique(name), data))
        elif suffix not in IMAGE_SUFFIXES:
            _refuse(out, name, "不是照片或视频(不支持的文件类型)", "not a photo or video (unsupported file type)")
        elif len(data) > limits.max_file_bytes:
            _refuse(out, name, f"文件 {_mb(len(data))},超过 {_mb(limits.max_file_bytes)} 的限制",
                    f"{_mb(len(data))}, above the limit of {_mb(limits.max_file_bytes)}")
        else:
            _add_photo(out, name, data, limits)
    return out
