"""How often the company's badge is found on the correct chest (docs/EVALUATION.md "Badge").

    .venv/bin/python scripts/badge_composites.py [--data ../shared/data] [--bodies 33] [--per-side 6]

The shared photos show no badge, so a badge picture is composited onto real HaGRID upper
bodies of the test half labelled ``badge=none`` (enlarged to 1,270 px, as a phone photo),
with the tests' own compositing (tests/grooming_pictures.py: scale, perspective, rotation,
blur, light). Prints the share found on the correct side, by the badge's width in pixels,
and how many of the bare chests were reported as wearing one.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
from fitting import DEFAULT_DATA, ROOT

sys.path.insert(0, str(ROOT / "tests"))  # the compositing the badge tests use, not a copy of it
from grooming_pictures import as_phone_photo, badge_picture, composite, with_image  # noqa: E402

from posture.evaluate import split_of  # noqa: E402
from posture.grooming.company import Badge, Company, GroomingContext  # noqa: E402
from posture.images import decode_image  # noqa: E402
from posture.measure.grooming import badge_left_chest  # noqa: E402
from posture.pipeline import Checker  # noqa: E402

SIDE_VALUE = {"left": 1.0, "right": -1.0}


def bare_chests(folder: Path, count: int, checker: Checker) -> list:
    """Landmarks of up to ``count`` test-half bodies without a badge whose shoulders are seen."""
    out = []
    with open(folder / "grooming.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["badge"] != "none" or split_of(row["file"]) != "test":
                continue
            lm = checker.detector.detect(as_phone_photo(decode_image(folder / row["file"])))
            if lm.shoulder_width() is not None:
                out.append(lm)
            if len(out) == count:
                break
    return out


# A composite counts as "wholly in the frame" with this share of the badge's area inside it.
WHOLE_BADGE = 0.95


def in_frame(lm, side: str, state: dict) -> float:
    """The share of the composite's badge inside the frame: the same composite (the random
    state it was drawn with) pinned on a canvas twice the frame's size."""
    h, w = lm.image.shape[:2]
    white = np.full_like(badge_picture(), 255)
    again = np.random.default_rng()
    again.bit_generator.state = state
    # Landmarks are in the frame's pixels, so the frame is the canvas's top left quarter.
    canvas = composite(np.zeros((2 * h, 2 * w, 3), np.uint8), lm, white, side, again)[..., 0] > 127
    return float(canvas[:h, :w].sum()) / max(1, int(canvas.sum()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--bodies", type=int, default=33)
    parser.add_argument("--per-side", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Checker() as checker:
        cv2.imwrite(str(Path(tmp) / "badge.png"), cv2.cvtColor(badge_picture(), cv2.COLOR_RGB2BGR))
        company = GroomingContext(Company(folder=Path(tmp), badge=Badge(pictures=["badge.png"])))
        bodies = bare_chests(args.data / "hagrid-512", args.bodies, checker)
        rng = np.random.default_rng(3)
        # (badge width px, share of the badge inside the frame, found / not found / other side / not visible)
        hits = {"left": [], "right": []}
        for lm in bodies:
            width = 0.24 * lm.shoulder_width()  # the composite's mean width
            for _ in range(args.per_side):
                for side, value in SIDE_VALUE.items():
                    state = rng.bit_generator.state
                    found = badge_left_chest(with_image(lm, composite(lm.image, lm, badge_picture(), side, rng)),
                                             company)
                    outcome = "not visible" if found is None else {value: "found", 0.0: "not found"}.get(
                        found.value, "other side")
                    hits[side].append((width, in_frame(lm, side, state), outcome))
        bare = [badge_left_chest(lm, company) for lm in bodies]
        false = sum(found is not None and found.value != 0.0 for found in bare)
    print(f"{len(bodies)} bodies, {args.per_side} composites per side each")
    for side, rows in hits.items():
        found = np.array([o == "found" for _, _, o in rows])
        whole = np.array([o == "found" for _, share, o in rows if share >= WHOLE_BADGE])
        wide = np.array([o == "found" for w, _, o in rows if w >= 50])
        misses = Counter(o for _, _, o in rows if o != "found")
        seen = len(rows) - misses["not visible"]
        print(f"  {side:5s}: found on that side {found.mean():6.1%} of {len(found)}, "
              f"{whole.mean() if len(whole) else float('nan'):6.1%} of the {len(whole)} wholly in the frame, "
              f"{found.sum() / max(1, seen):6.1%} of the {seen} on a chest in view "
              f"(badge >= 50 px wide: {wide.mean() if len(wide) else float('nan'):6.1%} of {len(wide)}); "
              f"missed: {dict(misses)}")
    print(f"  chests without a badge reported wearing one: {false} of {len(bodies)}")


if __name__ == "__main__":
    main()
