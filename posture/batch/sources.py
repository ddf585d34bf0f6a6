"""What a batch checks: the photos and videos of a folder (or of a text file of paths), each
under a normalised key, and what was left out with the reason."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from posture.cli import IMAGE_SUFFIXES
from posture.video import VIDEO_SUFFIXES

Kind = Literal["photo", "video"]
# Photo formats people have that the decoder cannot read: said so, never silently dropped.
UNSUPPORTED_PHOTOS = {".heic": "HEIC", ".heif": "HEIF", ".avif": "AVIF", ".cr2": "RAW", ".nef": "RAW",
                      ".arw": "RAW", ".dng": "RAW", ".raf": "RAW", ".orf": "RAW", ".rw2": "RAW"}


def file_key(path: Path | str) -> str:
    """The key of a file's rows in the CSV: its absolute path with links and ``..`` resolved,
    so a run by relative path and one by absolute path name a file the same way."""
    return os.path.normcase(os.path.realpath(path))


@dataclass(frozen=True)
class Item:
    key: str
    kind: Kind


@dataclass
class Listing:
    items: list[Item] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def kind_of(path: Path) -> Kind | None:
    suffix = path.suffix.lower()
    return "photo" if suffix in IMAGE_SUFFIXES else "video" if suffix in VIDEO_SUFFIXES else None


def _why_not(path: Path) -> str | None:
    """Why a file is not checked, or None for a photo or video to check."""
    name = path.name
    if name.startswith("."):
        return "hidden file"
    if name != name.rstrip() or name != name.lstrip():
        return "the name starts or ends with a space (often a copying mistake, and Windows cannot open it): rename it"
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED_PHOTOS:
        return f"{UNSUPPORTED_PHOTOS[suffix]} photos cannot be read: convert them to JPEG"
    if kind_of(path) is None:
        return "not a photo or a video (by its name's ending)"
    return None


def _add(listing: Listing, seen: set[str], path: Path) -> None:
    if not path.is_file():
        listing.skipped.append((str(path), "not found" if not path.exists() else "not a file"))
        return
    reason = _why_not(path)
    if reason:
        listing.skipped.append((str(path), reason))
        return
    key = file_key(path)
    if key not in seen:  # the same file listed twice, or by two links, is checked once
        seen.add(key)
        listing.items.append(Item(key, kind_of(path)))  # type: ignore[arg-type]


def list_source(source: Path) -> Listing:
    """The files of ``source``: a folder (searched recursively; hidden folders left out), a
    text file of paths (one a line, relative to the file's folder; ``#`` starts a comment),
    or one photo or video. Raises FileNotFoundError for a missing source."""
    listing, seen = Listing(), set()
    if source.is_dir():
        for root, dirs, files in os.walk(source):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                _add(listing, seen, Path(root) / name)
    elif source.is_file() and kind_of(source) is not None:
        _add(listing, seen, source)
    elif source.is_file():
        for line in source.read_text(encoding="utf-8-sig").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                path = Path(line)
                _add(listing, seen, path if path.is_absolute() else source.parent / path)
    else:
        raise FileNotFoundError(f"{source}: no such folder or file")
    return listing
