"""``posture eval --task people``: how many people the engine finds in labelled photos.

The labelled count of a photo comes, in this order, from a ``people`` column (the grooming
label files: ``grooming.csv``), a ``people_count:N`` or ``people_count:N+`` tag
(``N+``: at least N), ``two_people``, ``multiple_people`` (at least 2) or
``single_person``; a photo of ``labels.csv`` without any of these shows one person.
A count is right when it is exact for up to 4 people and within one above (a crowd's
fifth face is often half hidden); for "at least N" it must reach N (N - 1 above 4).

Beside the photos counted right, the labelled people found: each photo's count up to its
label, over all labelled people ("at least N" counts as N). The labels give no face sizes,
so the share of faces of 40 px or more that are found is not measured as such; the people
missed include every faceless and small one, so this share is its estimate from below
(unless a false "face" stands in for a missed person, which the list of wrong photos shows).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from posture.pipeline import Checker

GROOMING_FILE = "grooming.csv"
# Counts stated in the issue for photos whose labels only say "a group" (pypi-samples).
STATED_COUNTS: dict[str, str] = {"t1.jpg": "6"}
_COUNT_TAG = re.compile(r"^people_count:(\d+)(\+?)$")


@dataclass(frozen=True)
class Truth:
    """A labelled number of people: exactly ``n``, or at least ``n`` (``at_least``)."""

    n: int
    at_least: bool = False

    def accepts(self, counted: int) -> bool:
        slack = 1 if self.n > 4 else 0
        if self.at_least:
            return counted >= self.n - slack
        return abs(counted - self.n) <= slack

    def __str__(self) -> str:
        return f"{self.n}{'+' if self.at_least else ''}"


def _parse(text: str) -> Truth | None:
    match = re.fullmatch(r"(\d+)(\+?)", text.strip())
    return Truth(int(match[1]), bool(match[2])) if match else None


def truth_from_tags(tags: set[str] | frozenset[str]) -> Truth:
    for tag in tags:
        match = _COUNT_TAG.match(tag)
        if match:
            return Truth(int(match[1]), bool(match[2]))
    if "two_people" in tags:
        return Truth(2)
    if tags & {"multiple_people", "group_photo"}:
        return Truth(2, at_least=True)
    return Truth(1)


def labelled_counts(folder: Path) -> dict[str, Truth]:
    """Labelled people per photo of ``folder`` (file relative to the folder)."""
    out: dict[str, Truth] = {}
    grooming = folder / GROOMING_FILE
    labels = folder / "labels.csv"
    if grooming.exists():
        with open(grooming, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                truth = _parse(row.get("people") or "")
                if truth is not None:  # "?": not labelled
                    out[row["file"]] = truth
    elif labels.exists():
        with open(labels, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                tags = {t.strip() for t in row["label"].split(";") if t.strip()}
                stated = STATED_COUNTS.get(row["file"])
                out[row["file"]] = _parse(stated) if stated else truth_from_tags(tags)
    else:
        raise FileNotFoundError(f"{folder}: needs labels.csv (file,label) or {GROOMING_FILE} (a people column)")
    return out


@dataclass
class PeopleScore:
    photos: int = 0
    right: int = 0
    none_missed: int = 0  # found at least the labelled number
    labelled_people: int = 0
    people_found: int = 0  # each photo's count up to its label
    wrong: list[tuple[str, str, int]] = field(default_factory=list)  # file, labelled, counted

    def add(self, file: str, truth: Truth, counted: int) -> None:
        self.photos += 1
        self.labelled_people += truth.n
        self.people_found += min(counted, truth.n)
        self.right += truth.accepts(counted)
        self.none_missed += counted >= truth.n - (1 if truth.n > 4 else 0)
        if not truth.accepts(counted):
            self.wrong.append((file, str(truth), counted))

    def format(self, folder: str) -> str:
        pct = (lambda k: f"{100 * k / self.photos:.1f}%") if self.photos else (lambda k: "-")
        lines = [f"{folder}: people counted right in {self.right}/{self.photos} photos ({pct(self.right)}); "
                 f"nobody missed in {self.none_missed}/{self.photos} ({pct(self.none_missed)}); "
                 f"labelled people found {self.people_found}/{self.labelled_people} "
                 f"({100 * self.people_found / max(1, self.labelled_people):.1f}%)"]
        lines += [f"  {f}: labelled {t}, counted {c}" for f, t, c in self.wrong[:20]]
        return "\n".join(lines)


def people_in(checker: Checker, path: Path) -> int:
    """How many people the engine lists in a photo (judged or too small to judge)."""
    result, _ = checker.check_file(path)
    return len(result.people)


def evaluate_people(folder: Path | str, checker: Checker, *, limit_single: int | None = None,
                    count: Callable[[Checker, Path], int] = people_in,
                    progress: Callable[[int, int], None] | None = None) -> PeopleScore:
    """Score the people count on every labelled photo of ``folder``. ``limit_single``: keep
    every photo of several people but only that many (a fixed choice) of one person."""
    from posture.evaluate import _rank
    from posture.images import BadInput

    folder = Path(folder)
    truths = labelled_counts(folder)
    files = sorted(f for f, t in truths.items() if t.n > 1 or t.at_least)
    singles = sorted((f for f, t in truths.items() if t.n == 1 and not t.at_least), key=_rank)
    files += singles[:limit_single] if limit_single is not None else singles
    score = PeopleScore()
    for i, file in enumerate(files):
        try:
            counted = count(checker, folder / file)
        except BadInput:
            counted = 0
        score.add(file, truths[file], counted)
        if progress is not None:
            progress(i + 1, len(files))
    return score
