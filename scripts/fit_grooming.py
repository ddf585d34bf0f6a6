"""Fit the grooming models of posture/grooming/models.py on the labelled grooming photos.

    .venv/bin/python scripts/fit_grooming.py [--data ../shared/data] [--cache .cache] [--write]

Reads ``genki4k/grooming.csv`` and ``hagrid-512/grooming.csv`` (labels by eye, see the data's
README), finds the landmarks and the person mask of every photo (MediaPipe, or the opt-in
landmark cache), computes each model's features (posture/grooming/features.py) and fits one
small L2-regularised logistic regression per question on the ``fit`` split only, the penalty
chosen by 5-fold cross-validation inside it. The labels are unbalanced (few beards, few
fringes), and the targets are balanced accuracies, so the bias is then moved so that 0.5 is
the cross-validated threshold with the best balanced accuracy on the fit split. Prints both
splits' balanced accuracy; ``--write`` writes the weights.
"""

from __future__ import annotations

import argparse
import csv
import pprint
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from fitting import DEFAULT_DATA, ROOT, fit_logistic, out_of_fold_prob

from posture.evaluate import LandmarkCache, Sample, cache_path, observe, split_of
from posture.grooming import features as F

MODEL_FILE = ROOT / "posture" / "grooming" / "models.py"
FOLDERS = ("genki4k", "hagrid-512")
PENALTIES = (0.1, 1.0, 10.0, 100.0)
THRESHOLDS = np.linspace(0.05, 0.95, 91)
# A model whose cross-validated balanced accuracy stays under this tells little; its bias is
# then left as fitted (0.5 = even odds), so that on unbalanced labels it rarely says "yes"
# instead of raising a false alarm on every other photo.
MIN_USEFUL = 0.65


@dataclass(frozen=True)
class Question:
    """One model: its features and the label column's yes / no values (other rows left out)."""

    name: str
    features: Callable
    column: str
    yes: frozenset[str]
    no: frozenset[str]
    sex: str | None = None  # only rows of this apparent sex
    hair: bool = False  # a question about the hair: rows labelled with headwear left out
    # Where a "yes" hides other clauses (a hat hides the hair): the threshold is the lowest with
    # at least this precision (cross-validated on the fit half), not the balanced point.
    min_precision: float | None = None


QUESTIONS = (
    Question("facial_hair", F.facial_hair_features, "facial_hair", frozenset({"beard", "moustache"}),
             frozenset({"none"}), sex="m"),
    Question("hair_colour_other", F.hair_colour_features, "hair_colour",
             frozenset({"blond", "grey_white", "red", "dyed"}), frozenset({"black_brown"}), hair=True),
    Question("dangling_earring", F.earring_features, "earrings", frozenset({"dangling"}),
             frozenset({"stud", "none"})),
    Question("fringe", F.fringe_features, "fringe_eyebrows", frozenset({"yes"}), frozenset({"no"}), hair=True),
    Question("loose_long_hair", F.long_hair_features, "hair_loose_long", frozenset({"yes"}), frozenset({"no"}),
             hair=True),
    Question("necktie", F.tie_features, "necktie", frozenset({"yes"}), frozenset({"no"})),
    Question("lipstick", F.lip_features, "lipstick", frozenset({"strong"}), frozenset({"natural"})),
    Question("headwear", F.headwear_features, "headwear", frozenset({"yes"}), frozenset({"no"}), min_precision=0.8),
)


def read_grooming(folder: Path) -> list[dict[str, str]]:
    with open(folder / "grooming.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def balanced_accuracy(y: np.ndarray, said: np.ndarray) -> float:
    return 0.5 * (np.mean(said[y == 1]) + np.mean(~said[y == 0]))


def main() -> None:
    from posture.pipeline import Checker

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=None, help="landmark cache folder (e.g. .cache)")
    parser.add_argument("--write", action="store_true", help=f"write the weights to {MODEL_FILE.name}")
    parser.add_argument("--only", action="append", choices=[q.name for q in QUESTIONS],
                        help="fit only this model (repeatable); --write keeps the others as they are")
    args = parser.parse_args()

    photos = []  # (row, landmarks)
    with Checker(count_faces=False) as checker:
        for name in FOLDERS:
            folder = args.data / name
            rows = read_grooming(folder)
            samples = [Sample(r["file"], frozenset(), split_of(r["file"])) for r in rows]
            cache = LandmarkCache(cache_path(args.cache, folder)) if args.cache else None
            obs = observe(folder, samples, checker, cache)
            photos += [(r, o.landmarks) for r, o in zip(rows, obs, strict=True) if o.landmarks is not None]

    from posture.grooming.models import MODELS

    models = dict(MODELS) if args.only else {}
    for q in [q for q in QUESTIONS if not args.only or q.name in args.only]:
        data = []
        for row, lm in photos:
            label = row[q.column]
            if (label not in q.yes and label not in q.no) or (q.sex and row["sex"] != q.sex) \
                    or (q.hair and row["headwear"] == "yes"):
                continue
            feats = q.features(lm)
            data.append((feats, label in q.yes, split_of(row["file"])))
        seen = [d for d in data if d[0] is not None]
        names = sorted(seen[0][0]) if seen else []
        x = np.array([[d[0][k] for k in names] for d in seen])
        y = np.array([d[1] for d in seen], dtype=float)
        fit = np.array([d[2] == "fit" for d in seen])
        best = max(PENALTIES, key=lambda l2: max(
            balanced_accuracy(y[fit], out_of_fold_prob(x[fit], y[fit], l2) >= t) for t in THRESHOLDS))
        oof = out_of_fold_prob(x[fit], y[fit], best)
        threshold = max(THRESHOLDS, key=lambda t: balanced_accuracy(y[fit], oof >= t))
        if q.min_precision is not None:
            sure = [t for t in THRESHOLDS if (oof >= t).any() and np.mean(y[fit][oof >= t]) >= q.min_precision]
            threshold = min(sure) if sure else 0.95
        cv_bal = balanced_accuracy(y[fit], oof >= threshold)
        model = fit_logistic(x[fit], y[fit], best)
        if cv_bal < MIN_USEFUL and q.min_precision is None:
            threshold = 0.5
        bias = model.bias - float(np.log(threshold / (1 - threshold)))  # 0.5 now means `threshold`
        prob = 1.0 / (1.0 + np.exp(-(bias + x @ model.weights)))
        said = prob >= 0.5
        nv = {s: sum(1 for d in data if d[2] == s and d[0] is None) / max(1, sum(d[2] == s for d in data))
              for s in ("fit", "test")}
        print(f"{q.name}: {len(data)} labelled, {len(seen)} with features ({int(y.sum())} yes); "
              f"l2 {best}, cv threshold {threshold:.2f}, cv balanced acc {cv_bal:.3f}")
        for split, sel in (("fit", fit), ("test", ~fit)):
            print(f"   {split}: n {sel.sum()}, balanced acc {balanced_accuracy(y[sel], said[sel]):.3f}, "
                  f"acc {np.mean(said[sel] == (y[sel] == 1)):.3f}, not visible {nv[split]:.1%}, "
                  f"precision {np.mean(y[sel][said[sel]]) if said[sel].any() else float('nan'):.3f}, "
                  f"said yes {np.mean(said[sel]):.1%}")
        for k, w in zip(names, model.weights, strict=True):
            col = x[:, names.index(k)]
            print(f"      {k:<18} yes {col[y == 1].mean():+8.3f}  no {col[y == 0].mean():+8.3f}  weight {w:+.4f}")
        models[q.name] = (tuple(names), round(bias, 6), tuple(round(float(w), 6) for w in model.weights))

    if args.write:
        lines = ['"""Weights of the grooming models, written by scripts/fit_grooming.py --write (do not edit).',
                 "", "Each model: (feature names, bias, weights); p = 1 / (1 + exp(-(bias + sum(w * feature)))).",
                 '"""', "", "MODELS: dict[str, tuple[tuple[str, ...], float, tuple[float, ...]]] = "
                 + pprint.pformat(models, width=100, sort_dicts=False)]
        MODEL_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}")


if __name__ == "__main__":
    main()
