"""The batch's results on disk: a CSV (UTF-8 with a byte-order mark, for Excel) appended to
one file at a time, and an optional JSON-lines file of whole reports.

A file's rows are written in one write, the last of them carrying the file's row count
(:data:`MARK`): on resume, a file counts as done only when that last row is whole and the
count matches, so a write torn anywhere (power cut, full disk) is removed and the file is
checked again. A file that could not be checked (its one row an ``error``) is removed too,
so a rerun tries it again: a file missing on a worker, a share not mounted or a worker given
up are passing faults. The JSON lines are written just before the CSV rows, and on resume
only the lines of files the CSV holds are kept.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

from posture.batch.rows import COLUMNS
from posture.batch.sources import file_key
from posture.exports import csv_text

MARK = "rows_of_file"  # on a file's last row: how many rows the file has
FIELDS = [*COLUMNS, MARK]
BOM = "\ufeff"
VERDICT = FIELDS.index("verdict")


class StoreError(Exception):
    """An output file this command cannot append to (another program's CSV)."""


def _lines(text: str) -> Iterator[tuple[str, int]]:
    """The text's lines split on "\\n" only, each with the offset of its end."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end], end
        start = end


def complete_units(text: str, *, keep_errors: bool = True) -> tuple[str, set[str]]:
    """The part of a batch CSV's text (without its BOM) made of the header and the files
    written whole, and those files' keys; without ``keep_errors``, less the files that could
    not be checked. Raises StoreError when the header is another one."""
    ends: list[int] = []

    def feed() -> Iterator[str]:
        for line, end in _lines(text):
            ends.append(end)
            yield line

    reader = csv.reader(feed())
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header is None or text[ends[-1] - 1] != "\n":
        return "", set()  # empty, or torn inside the header: start again
    if header != FIELDS:
        raise StoreError(f"its columns ({', '.join(header)}) are not those of a batch CSV of this version")
    kept, done = [text[: ends[-1]]], set()
    group: list[int] = []  # start offsets of the rows read so far of the file being read
    group_key, prev_end = None, ends[-1]
    try:
        for fields in reader:
            start, end = prev_end, ends[-1]
            prev_end = end
            if text[end - 1] != "\n" or len(fields) != len(FIELDS):
                group = []  # a torn row: its file is checked again
                continue
            if group and fields[0] != group_key:
                group = []  # the previous file's last row never came
            if not group:
                group_key = fields[0]
            group.append(start)
            if fields[-1]:  # the file's last row
                retried = not keep_errors and len(group) == 1 and fields[VERDICT] == "error"
                if fields[-1] == str(len(group)) and group_key not in done and not retried:
                    kept.append(text[group[0]:end])
                    done.add(group_key)
                group = []
    except csv.Error:
        pass  # a quote left open by a torn write: nothing after it is whole
    return "".join(kept), done


class CsvStore:
    """The results CSV, opened for appending whole files; ``done`` holds the keys of the
    files already in it (after a torn end and the files that could not be checked were
    removed; ``retried`` counts the latter)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        text = ""
        if path.exists():
            data = path.read_bytes()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                if exc.end < len(data) - 3:
                    raise StoreError("it is not a batch CSV (not UTF-8 text)") from exc
                text = data[: exc.start].decode("utf-8")  # a write torn inside a character
        body = text[1:] if text.startswith(BOM) else text
        whole, done = complete_units(body)
        kept, checked = complete_units(whole, keep_errors=False)
        self.retried = len(done - checked)
        self.done = {file_key(k) for k in checked}
        # The verdicts already written, for the exit code of a resumed run.
        self.verdicts = {r["verdict"] for r in csv.DictReader(io.StringIO(kept))} if kept else set()
        self.repaired = bool(body) and whole != body
        if not kept:
            kept = csv_text([], FIELDS)
        if BOM + kept != text:
            _replace(path, (BOM + kept).encode("utf-8"), prefix=text.startswith(BOM + kept))
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)

    def write(self, rows: list[dict[str, object]]) -> None:
        """One file's rows, in one write, forced to disk."""
        rows = [dict(r) for r in rows]
        for r in rows:
            r[MARK] = ""
        rows[-1][MARK] = len(rows)
        _write_all(self._fd, csv_text(rows, FIELDS, header=False).encode("utf-8"))

    def close(self) -> None:
        os.close(self._fd)


class JsonlStore:
    """Whole reports, one JSON object a line (``{"file": key, ...}``); on opening, only the
    lines of ``done`` files are kept, once each."""

    def __init__(self, path: Path, done: set[str]) -> None:
        kept, seen = [], set()
        data = path.read_bytes() if path.exists() else b""
        for line in data.splitlines(keepends=True):
            try:
                key = file_key(json.loads(line)["file"]) if line.endswith(b"\n") else None
            except (ValueError, KeyError, TypeError):
                key = None
            if key in done and key not in seen:
                seen.add(key)
                kept.append(line)
        new = b"".join(kept)
        if new != data or not path.exists():
            _replace(path, new, prefix=data.startswith(new) and path.exists())
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)

    def write(self, record: dict[str, object]) -> None:
        _write_all(self._fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))

    def close(self) -> None:
        os.close(self._fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


def _replace(path: Path, data: bytes, *, prefix: bool) -> None:
    """Make ``path`` hold ``data``: cut in place when it is the file's beginning, else
    written beside and renamed over it, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if prefix:
        os.truncate(path, len(data))
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
