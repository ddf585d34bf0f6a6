"""A larger fuzz run than the suite's (not in CI): seeded malformed images through the
decoder, and every Nth one that decodes through the whole checker. Prints the table
issue 8 asks for: tried / refused / judged / crashed / hung / leaked.

    python scripts/fuzz.py --n 10000 --seed 1 --check-every 10

"hung": an input that took longer than --timeout seconds (stopped by an alarm).
"leaked": growth of resident memory and of open file descriptors between the first tenth
of the run (once warm) and the end, and files left in the temporary directory.
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from posture.images import BadInput, decode_image  # noqa: E402
from posture.pipeline import Checker  # noqa: E402
from tests.fuzzing import fuzz_inputs, named_crashers  # noqa: E402


class Hung(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hung


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check-every", type=int, default=10, help="every Nth decodable input through the checker")
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _alarm)
    tmp_before = set(Path(tempfile.gettempdir()).iterdir())
    counts = collections.Counter()
    crashes: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    inputs = [*named_crashers().items(), *fuzz_inputs(args.seed, args.n)]
    started, warm = time.perf_counter(), None
    decodable = 0
    with Checker() as checker:
        for i, (name, data) in enumerate(inputs):
            if i == len(inputs) // 10:
                warm = (_rss_mb(), _fds())
            counts["tried"] += 1
            signal.setitimer(signal.ITIMER_REAL, args.timeout)
            try:
                rgb = decode_image(data, name)
                decodable += 1
                if decodable % args.check_every == 0 or name in named_crashers():
                    checker.check_rgb(rgb, source=name)
                    counts["judged (whole checker)"] += 1
                counts["decoded"] += 1
            except BadInput:
                counts["refused (BadInput)"] += 1
            except Hung:
                counts["hung"] += 1
                examples.setdefault("hung", name)
            except Exception as exc:  # noqa: BLE001 - what this script counts
                counts["crashed"] += 1
                crashes[type(exc).__name__] += 1
                examples.setdefault(type(exc).__name__, f"{name}: {exc}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    end = (_rss_mb(), _fds())
    left = set(Path(tempfile.gettempdir()).iterdir()) - tmp_before
    wall = time.perf_counter() - started
    print(f"fuzz run: seed {args.seed}, {len(inputs)} inputs ({len(named_crashers())} named crashers), "
          f"{wall:.0f} s")
    for key in ("tried", "refused (BadInput)", "decoded", "judged (whole checker)", "crashed", "hung"):
        print(f"  {key:<24} {counts[key]}")
    assert warm is not None
    print(f"  {'leaked':<24} RSS {end[0] - warm[0]:+.0f} MB (from {warm[0]:.0f} once warm), "
          f"open files {end[1] - warm[1]:+d}, temporary files left {len(left)}")
    for kind, n in crashes.items():
        print(f"  crash {kind}: {n}, e.g. {examples[kind]}")
    if counts["hung"]:
        print(f"  hung e.g. {examples['hung']}")


if __name__ == "__main__":
    main()
