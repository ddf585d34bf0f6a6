"""Scratch files for an uploaded video that the decoders must read by path (OpenCV reads
files, not bytes): a trainee's video must not stay on disk, even if the app is killed.

On Linux the file lives in memory (``memfd_create``) and is reached by its
``/proc/self/fd`` path: nothing is written to disk, and the kernel frees it when the
process ends, however it ends. Elsewhere it goes into a private folder (mode 0700) under
the temporary directory, named with the app's process id; the folders of app processes
that no longer run are removed when the app starts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

PREFIX = "posture-video-"


@contextlib.contextmanager
def scratch_folder() -> Iterator[ScratchFolder]:
    """Scratch files deleted when the block ends (and, in memory, when the process ends)."""
    folder = ScratchFolder()
    try:
        yield folder
    finally:
        folder.close()


class ScratchFolder:
    def __init__(self) -> None:
        self._fds: list[int] = []
        self._dir: Path | None = None
        if not hasattr(os, "memfd_create") or not Path("/proc/self/fd").is_dir():
            self._dir = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))  # mode 0700

    def path(self, name: str, data: bytes = b"") -> Path:
        """A path to read or write ``name`` by, holding ``data``."""
        if self._dir is not None:
            path = self._dir / name
            path.write_bytes(data)
            return path
        fd = os.memfd_create(name, os.MFD_CLOEXEC)
        self._fds.append(fd)
        _write_all(fd, data)
        return Path(f"/proc/self/fd/{fd}")

    def close(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)  # one write may take only part of it
    while view:
        view = view[os.write(fd, view):]


def remove_stale(temp_dir: Path | str | None = None) -> list[Path]:
    """Remove the scratch folders left by app processes that no longer run (killed while
    checking a video); returns what was removed. Folders of running processes are kept."""
    removed = []
    for folder in Path(temp_dir or tempfile.gettempdir()).glob(f"{PREFIX}*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        if not folder.is_dir() or folder.is_symlink() or folder.stat().st_uid != os.getuid():
            continue
        if pid.isdigit() and _running(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
