"""Peak memory (RSS) of checking one photo in a fresh process, as `posture check` would.

    python scripts/peak_rss.py PHOTO [PHOTO ...]     # one fresh process per photo
    python scripts/peak_rss.py --make-large DIR      # write a ~48 MP JPEG and PNG into DIR

Prints the peak resident memory of the child (VmHWM) and, for comparison, of a child
that only loads the models. The suite's memory test (tests/test_hardening.py) uses
:func:`peak_rss_mb`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

CHILD = """
import sys
from pathlib import Path
from posture.pipeline import Checker
from posture.images import BadInput
with Checker() as checker:
    for photo in sys.argv[1:]:
        try:
            checker.check_file(photo)
        except BadInput as exc:
            print(exc, file=sys.stderr)
# VmHWM: this process's own peak, counted from its exec (ru_maxrss would include the
# memory of the parent it was forked from, e.g. a test run that had loaded the models).
status = Path("/proc/self/status").read_text()
print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
"""


def peak_rss_mb(*photos: str | Path) -> float:
    """Peak RSS in MB of a fresh Python process that loads the models and checks ``photos``."""
    done = subprocess.run([sys.executable, "-c", CHILD, *map(str, photos)], capture_output=True, text=True,
                          env={**os.environ, "GLOG_minloglevel": "2"})
    if done.returncode != 0:
        raise RuntimeError(f"the check failed ({done.returncode}): {done.stderr[-2000:]}")
    return int(done.stdout.split()[-1]) / 1024  # kB


def make_large(folder: Path, width: int = 8000, height: int = 6000) -> tuple[Path, Path]:
    """A ~48 MP JPEG and PNG: a sample photo scaled up, with noise so the PNG is realistic."""
    import numpy as np
    from PIL import Image

    root = Path(__file__).resolve().parent.parent
    img = Image.open(root / "sample_images" / "hagrid_one_neutral.jpg").convert("RGB").resize((width, height))
    arr = np.asarray(img).copy()
    arr[::7, ::5] ^= 7  # some texture: a flat upscale compresses unlike a photo
    img = Image.fromarray(arr)
    folder.mkdir(parents=True, exist_ok=True)
    jpeg, png = folder / "large48.jpg", folder / "large48.png"
    img.save(jpeg, quality=90)
    img.save(png, compress_level=1)
    return jpeg, png


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("photos", nargs="*", type=Path)
    parser.add_argument("--make-large", type=Path, metavar="DIR")
    args = parser.parse_args()
    if args.make_large:
        for p in make_large(args.make_large):
            print(p, f"{p.stat().st_size / 2**20:.1f} MB")
    if args.photos:
        print(f"models only: peak RSS {peak_rss_mb():.0f} MB")
    for photo in args.photos:
        print(f"{photo}: peak RSS {peak_rss_mb(photo):.0f} MB")


if __name__ == "__main__":
    main()
