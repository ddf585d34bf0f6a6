"""Command line for reviewers: ``posture check``, ``posture batch``, ``posture standards``.

Exit codes: 0 every judged clause passed, 1 some clause failed, 2 some file could not be
checked (bad input, no person, or an error while checking it; the other files are checked).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

EXIT_PASS, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as shells report it
RESUME_HINT = "run the same command again to resume"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif"}


def _quiet_mediapipe() -> None:
    # MediaPipe's C++ logging floods stderr with informational lines.
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send what native code writes to file descriptor 2 (TFLite's and absl's lines, which
    the environment variables above do not stop) to /dev/null, while Python's own stderr
    (our messages, tracebacks, progress bars) still reaches the terminal."""
    sys.stderr.flush()
    saved = os.dup(2)
    python_stderr = sys.stderr
    try:
        on_fd2 = python_stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # already redirected in Python (a test's capture)
        on_fd2 = False
    if on_fd2:
        sys.stderr = open(os.dup(saved), "w", encoding=python_stderr.encoding or "utf-8",  # noqa: SIM115
                          errors="backslashreplace", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        if sys.stderr is not python_stderr:
            sys.stderr.close()
            sys.stderr = python_stderr


def _add_common(p: argparse.ArgumentParser) -> None:
    from posture.pipeline import PROFILES, SCENARIO_CHOICES

    p.add_argument("--scenario", default="auto", choices=SCENARIO_CHOICES,
                   help="which part of the standard to check (auto decides from the pose)")
    p.add_argument("--profile", default="any", choices=PROFILES,
                   help="the trainee's profile for the women's/men's clauses (never guessed from the image)")
    p.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of texts")
    p.add_argument("--standards", type=Path, default=None, help="a standards folder (default: the built-in one)")
    p.add_argument("--mirrored", action="store_true", help="the photos are selfie (mirrored) views")


def _print_report(report, lang: str, several: bool = False) -> None:
    marks = {"pass": "✓", "fail": "✗", "not_visible": "?"}
    s = report.score
    who = f" person {report.id} at {' '.join(f'{v:.0f}' for v in report.person.box or [])}" if several else ""
    view = f", {report.view.name.replace('_', '-')} view" if report.view else ""
    print(f"{report.source}{who}: {'/'.join(report.scenarios)} ({report.scenario_reason.get(lang)}){view}, "
          f"{s.text('en')}, pass {s.passed}, fail {s.failed}, not visible {s.not_visible}")
    for w in report.person.warnings:
        print(f"  ! {w.get(lang)}")
    for c in report.clauses:
        line = f"  {marks[c.verdict]} {c.id:<18} {c.title.get(lang)}: {c.values_text()}"
        if c.reason is not None:
            line += f"  [{c.reason.get(lang)}]"
        if c.verdict == "fail":
            line += f"  -> {c.advice.get(lang)}"
        print(line)


def cmd_check(args: argparse.Namespace) -> int:
    missing = [p for p in args.photos if not p.exists()]
    for p in missing:  # before the models load: a typo should not cost seconds
        print(f"error: {p}: file not found", file=sys.stderr)
    photos = [p for p in args.photos if p.exists()]
    to_stdout = args.json is not None and str(args.json) == "-"
    with contextlib.ExitStack() as stack:
        if not args.verbose:
            stack.enter_context(_native_stderr_silenced())
        if to_stdout:  # the JSON is then standard output's only content; the table goes to stderr
            stack.enter_context(contextlib.redirect_stdout(sys.stderr))
        checked, bad, failed = _check_all(args, photos) if photos else ([], [], False)
    # The reports in the order the files were given, a missing file's entry in its place.
    found = iter(checked)
    reports = [{"source": str(p), "error": "file not found"} if p in missing else next(found)
               for p in args.photos]
    bad += [f"{p}: file not found" for p in missing]
    if args.json is not None:
        payload = reports[0] if len(reports) == 1 and len(args.photos) == 1 else reports
        text = json.dumps(payload, ensure_ascii=False, indent=2)
        if to_stdout:
            print(text)
        else:
            Path(args.json).write_text(text, encoding="utf-8")
    if bad:
        return EXIT_BAD_INPUT
    return EXIT_FAIL if failed else EXIT_PASS


def _check_all(args: argparse.Namespace, photos: list[Path]) -> tuple[list[dict], list[str], bool]:
    """Check every file, each one's failure reported and the rest going on: the reports
    (an ``{"source", "error"}`` entry for a file that could not be checked), the problems,
    and whether some clause failed."""
    import cv2

    from posture.annotate import annotate
    from posture.images import BadInput
    from posture.pipeline import Checker
    from posture.standards import load_standard
    from posture.video import cli_check_video, is_video

    standard = load_standard(args.standards)
    reports: list[dict] = []
    bad: list[str] = []
    failed = False

    def refuse(photo: Path, problem: str) -> None:
        print(f"error: {problem}", file=sys.stderr)
        bad.append(problem)
        reports.append({"source": str(photo), "error": problem.removeprefix(f"{photo}: ")})

    if args.annotate:
        args.annotate.mkdir(parents=True, exist_ok=True)
    with Checker(standard) as checker:
        for photo in photos:
            try:
                if is_video(photo):
                    video = cli_check_video(
                        photo, standard=standard, scenario=args.scenario, profile=args.profile,
                        mirrored=args.mirrored, sample_fps=args.sample_fps, annotate_dir=args.annotate,
                        lang=args.lang)
                    if video.report.frames_with_person == 0:
                        print(f"error: {photo}: no person found", file=sys.stderr)
                        bad.append(f"{photo}: no person found")
                    failed |= any(r.score.failed > 0 or any(c.verdict == "fail" for c in r.still)
                                  for r in video.everyone())
                    reports.append(video.as_json())
                    continue
                result, rgb = checker.check_file(photo, scenario=args.scenario, profile=args.profile,
                                                 mirrored=args.mirrored)
            except BadInput as exc:
                refuse(photo, str(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the others
                if args.verbose:
                    traceback.print_exc()
                refuse(photo, f"{photo}: could not be checked ({type(exc).__name__}: {exc})")
                continue
            report = result.report  # the main person's: nobody judgeable means nobody is
            if not report.person.judgeable:
                problem = "; ".join(w.get(args.lang) for w in report.person.warnings)
                print(f"error: {photo}: {problem}", file=sys.stderr)
                bad.append(f"{photo}: {problem}")
            everyone = result.everyone
            if len(everyone) > 1:
                print(f"{photo}: {len(everyone)} people")
            for person in everyone:
                _print_report(person.report, args.lang, several=len(everyone) > 1)
                failed |= person.report.score.failed > 0
            reports.append(json.loads(result.frame.model_dump_json() if result.frame else report.model_dump_json()))
            if args.annotate:
                out = args.annotate / (Path(photo).stem + ".annotated.png")
                cv2.imwrite(str(out), annotate(rgb, result, lang=args.lang)[:, :, ::-1])
                print(f"  annotated picture: {out}")
    return reports, bad, failed


def cmd_batch(args: argparse.Namespace) -> int:
    if args.cluster and args.scheduler:
        print("error: choose --cluster or --scheduler, not both", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        from posture.batch import run_batch

        # Workers started inside inherit the silenced descriptor: no native log lines from them either.
        with contextlib.nullcontext() if args.verbose else _native_stderr_silenced():
            return run_batch(args.source, args.out, scenario=args.scenario, profile=args.profile, lang=args.lang,
                             standards=args.standards, workers=args.workers, mirrored=args.mirrored,
                             cluster=args.cluster, scheduler=args.scheduler, jsonl=args.jsonl,
                             sample_fps=args.sample_fps, range_s=args.range_s, progress=not args.quiet)
    except KeyboardInterrupt:  # before the checking started (run_batch handles it after)
        print(f"\ninterrupted; {RESUME_HINT}", file=sys.stderr)
        return EXIT_INTERRUPTED


def cmd_standards(args: argparse.Namespace) -> int:
    from posture.standards import load_standard

    standard = load_standard(args.standards)
    for c in standard.clauses:
        scen = ",".join(c.scenarios)
        print(f"{c.id:<18} {c.method:<8} {c.severity:<8} {c.profile:<6} {scen:<18} {c.title.get(args.lang)}")
        if args.verbose:
            print(f"    {c.original}\n    {c.english}\n    source: {c.source.file}:{c.source.lines}")
            for v in c.variants:
                for cond in v.conditions:
                    print(f"    [{v.name}] {cond.measurement} {cond.expected()}")
    return EXIT_PASS


def cmd_eval(args: argparse.Namespace) -> int:
    from posture.evaluate import default_progress, evaluate_folder, format_evaluation
    from posture.standards import load_standard

    if args.task and "people" in args.task:
        return _eval_people(args)
    figures = []
    for folder in args.folders:
        try:
            ev = evaluate_folder(folder, tasks=args.task, split=None if args.split == "all" else args.split,
                                 limit_per_label=args.limit, standard=load_standard(args.standards),
                                 cache_dir=args.cache, progress=None if args.quiet else default_progress)
        except (FileNotFoundError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(format_evaluation(ev) + "\n")
        figures.append(ev.as_dict())
    if args.json:
        payload = figures[0] if len(figures) == 1 else figures
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return EXIT_PASS


def _eval_people(args: argparse.Namespace) -> int:
    """``posture eval --task people``: people counted in each labelled folder."""
    from posture.evaluate import default_progress
    from posture.people_count import evaluate_people
    from posture.pipeline import Checker
    from posture.standards import load_standard

    figures = {}
    with Checker(load_standard(args.standards)) as checker:
        for folder in args.folders:
            try:
                score = evaluate_people(folder, checker, limit_single=args.limit,
                                        progress=None if args.quiet else default_progress)
            except (FileNotFoundError, ValueError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_BAD_INPUT
            print(score.format(str(folder)) + "\n")
            figures[str(folder)] = {"photos": score.photos, "right": score.right, "none_missed": score.none_missed,
                                    "labelled_people": score.labelled_people, "people_found": score.people_found}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return EXIT_PASS


def build_parser() -> argparse.ArgumentParser:
    from posture.video import DEFAULT_SAMPLE_FPS

    parser = argparse.ArgumentParser(prog="posture", description="Check service etiquette from photos.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="check photos or videos and print the verdicts")
    p.add_argument("photos", nargs="+", type=Path, help="photos, or videos (.mp4, .mov, .avi, .mkv, .webm ...)")
    _add_common(p)
    p.add_argument("--json", type=Path, metavar="FILE",
                   help="write the report(s) as JSON to FILE ('-': standard output, the table then goes to stderr)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show MediaPipe's and TensorFlow Lite's own log lines, and tracebacks")
    p.add_argument("--annotate", type=Path, metavar="DIR",
                   help="write annotated pictures (and annotated .mp4 videos) into DIR")
    p.add_argument("--sample-fps", type=float, default=DEFAULT_SAMPLE_FPS, metavar="N",
                   help=f"videos: check about N frames per second of video (0: every frame); "
                        f"default {DEFAULT_SAMPLE_FPS:g}")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("batch", help="check every photo and video of a folder into a CSV (resumable), "
                                     "on this machine or a Dask cluster")
    p.add_argument("source", type=Path, help="a folder, or a text file of paths (one a line)")
    p.add_argument("--out", type=Path, required=True, help="the results CSV (appended to when resuming)")
    p.add_argument("--jsonl", type=Path, metavar="FILE", help="also write each file's whole report as a JSON line")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="worker processes on this machine (one per core; see README)")
    p.add_argument("--cluster", metavar="local:N", help="run on a Dask LocalCluster of N single-threaded workers")
    p.add_argument("--scheduler", metavar="tcp://HOST:8786",
                   help="run on an existing Dask cluster (docs/CLUSTER.md); the workers must see the same paths")
    p.add_argument("--sample-fps", type=float, default=DEFAULT_SAMPLE_FPS, metavar="N",
                   help=f"videos: check about N frames per second (0: every frame); default {DEFAULT_SAMPLE_FPS:g}")
    p.add_argument("--range-s", type=float, default=60.0, metavar="S",
                   help="videos longer than S seconds are split into ranges of about S seconds (0: never)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("-v", "--verbose", action="store_true", help="show MediaPipe's and Dask's own log lines")
    _add_common(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("standards", help="list the clauses of the standard")
    p.add_argument("--lang", default="zh", choices=("zh", "en"))
    p.add_argument("--standards", type=Path, default=None)
    p.add_argument("-v", "--verbose", action="store_true", help="show texts, sources and thresholds")
    p.set_defaults(func=cmd_standards)

    p = sub.add_parser("eval", help="measure how often the verdicts are right on a labelled folder")
    p.add_argument("folders", nargs="+", type=Path, help="folders with labels.csv (file,label) and the photos")
    p.add_argument("--task", action="append",
                   help="a task to run (repeatable; default: every task the labels allow); 'people': people counted")
    p.add_argument("--split", default="all", choices=("all", "fit", "test"), help="only one half of the photos")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help="at most N photos per label (fixed choice); people: at most N photos of one person")
    p.add_argument("--standards", type=Path, default=None, help="a standards folder (default: the built-in one)")
    p.add_argument("--cache", type=Path, default=None, metavar="DIR",
                   help="opt-in: reuse landmarks found by earlier runs from DIR (times are then not measured)")
    p.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress counter")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    _quiet_mediapipe()
    from posture.standards import StandardsError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except StandardsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
