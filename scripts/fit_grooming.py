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
from fitting import DEFAULT_DATA, ROOT, fit_logistic

from posture.evaluate import LandmarkCache, Sample, cache_path, observe, split_of
from posture.grooming import appearance as A
from posture.grooming import features as F
from posture.landmarks import Landmarks

MODEL_FILE = ROOT / "posture" / "grooming" / "models.py"
FOLDERS = ("genki4k", "hagrid-512")
PENALTIES = (0.1, 1.0, 10.0, 100.0)
# The models that also read the face's appearance (posture/grooming/appearance.py): hundreds
# of numbers, so a stronger penalty and a few principal components (chosen by cross-validation).
APPEARANCE_PENALTIES = (1.0, 10.0, 100.0, 1000.0)
COMPONENTS = (20, 50, 100)
# Rare answers (4% fringes, 4% strong lipstick) put the balanced point under 5%.
THRESHOLDS = np.concatenate([[0.01, 0.02, 0.03, 0.04], np.linspace(0.05, 0.95, 91)])
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

    @property
    def reads_appearance(self) -> bool:
        return self.name in A.WINDOWS

    def labelled(self, row: dict[str, str]) -> bool:
        label = row[self.column]
        return (label in self.yes or label in self.no) and not (self.sex and row["sex"] != self.sex) \
            and not (self.hair and row["headwear"] == "yes")


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


@dataclass
class Table:
    """One question's photos that have features: the hand-made features, the appearance
    descriptors of each crop and of its mirror image (None for a model without them)."""

    names: list[str]
    x: np.ndarray
    d: np.ndarray | None
    d_mirror: np.ndarray | None
    y: np.ndarray
    fit: np.ndarray
    not_visible: dict[str, float]


def table(q: Question, data: list[tuple[dict[str, str], Landmarks]]) -> Table:
    rows = []
    for row, lm in data:
        feats = q.features(lm)
        face = A.aligned_face(lm, A.WINDOWS[q.name].scale) if q.reads_appearance else None
        both = None if face is None else (A.descriptor(face, q.name), A.descriptor(face.mirrored(), q.name))
        seen = feats is not None and (not q.reads_appearance or (both is not None and both[0] is not None))
        rows.append((feats, both, row[q.column] in q.yes, split_of(row["file"]), seen))
    nv = {s: sum(1 for r in rows if r[3] == s and not r[4]) / max(1, sum(r[3] == s for r in rows))
          for s in ("fit", "test")}
    rows = [r for r in rows if r[4]]
    names = sorted(rows[0][0]) if rows else []
    x = np.array([[r[0][k] for k in names] for r in rows])
    d = np.array([r[1][0] for r in rows], np.float32) if q.reads_appearance else None
    d_mirror = np.array([r[1][1] for r in rows], np.float32) if q.reads_appearance else None
    return Table(names, x, d, d_mirror, np.array([r[2] for r in rows], dtype=float),
                 np.array([r[3] == "fit" for r in rows]), nv)


@dataclass(frozen=True)
class Linear:
    """A fitted model in raw units: logit = bias + x @ weights + d @ on_descriptor."""

    bias: float
    weights: np.ndarray
    on_descriptor: np.ndarray | None

    def logit(self, x: np.ndarray, d: np.ndarray | None) -> np.ndarray:
        z = self.bias + x @ self.weights
        return z if d is None else z + d @ self.on_descriptor


Projection = tuple[np.ndarray, np.ndarray, np.ndarray]  # mean, spread, principal axes


def projection(d: np.ndarray, d_mirror: np.ndarray) -> Projection:
    """The descriptors' standardisation and first principal axes (crops and mirrors alike)."""
    both = np.vstack([d, d_mirror]).astype(np.float64)
    mu, sd = both.mean(axis=0), both.std(axis=0) + 1e-6
    return mu, sd, np.linalg.svd((both - mu) / sd, full_matrices=False)[2][:max(COMPONENTS)]


def fit_linear(x: np.ndarray, d: np.ndarray | None, d_mirror: np.ndarray | None, y: np.ndarray,
               l2: float, components: int, proj: Projection | None = None) -> Linear:
    """The logistic model on the hand-made features and the descriptor's first principal
    components (fitted on the crops and their mirror images), folded back into one weight
    per descriptor number so that the app needs no projection."""
    if d is None:
        model = fit_logistic(x, y, l2)
        return Linear(model.bias, model.weights, None)
    mu, sd, axes = proj if proj is not None else projection(d, d_mirror)
    axes = axes[:components]
    scores = ((np.vstack([d, d_mirror]) - mu) / sd) @ axes.T
    model = fit_logistic(np.column_stack([np.vstack([x, x]), scores]), np.concatenate([y, y]), l2)
    w_x, w_p = model.weights[:x.shape[1]], model.weights[x.shape[1]:]
    on_descriptor = (axes.T @ w_p) / sd
    return Linear(model.bias - float(mu @ on_descriptor), w_x, on_descriptor)


def out_of_fold_logits(t: Table, sel: np.ndarray, grid: list[tuple[float, int]],
                       folds: int = 5) -> dict[tuple[float, int], np.ndarray]:
    """For each (penalty, components): each photo's logit from the model fitted on the other
    folds of ``sel``; a model reads the mean of a crop's and its mirror's descriptors, as the
    app does."""
    idx = np.flatnonzero(sel)
    fold = np.arange(len(idx)) % folds
    out = {g: np.empty(len(idx)) for g in grid}
    for k in range(folds):
        tr, te = idx[fold != k], idx[fold == k]
        d, dm = (None, None) if t.d is None else (t.d[tr], t.d_mirror[tr])
        proj = None if d is None else projection(d, dm)
        d_te = None if t.d is None else 0.5 * (t.d[te] + t.d_mirror[te])
        for g in grid:
            out[g][fold == k] = fit_linear(t.x[tr], d, dm, t.y[tr], *g, proj=proj).logit(t.x[te], d_te)
    return out


def fit_question(q: Question, data: list[tuple[dict[str, str], Landmarks]]) \
        -> tuple[tuple[str, ...], float, tuple[float, ...], np.ndarray | None]:
    """Fit one question on the fit half (penalty, components and threshold by 5-fold
    cross-validation inside it), print both halves' figures, return the model."""
    t = table(q, data)
    y, fit = t.y, t.fit
    grid = [(l2, k) for l2 in (APPEARANCE_PENALTIES if t.d is not None else PENALTIES)
            for k in (COMPONENTS if t.d is not None else (0,))]
    scored = [(max(balanced_accuracy(y[fit], oof >= logit(th)) for th in THRESHOLDS), *g, oof)
              for g, oof in out_of_fold_logits(t, fit, grid).items()]
    _, l2, k, oof = max(scored, key=lambda s: s[0])
    prob = 1.0 / (1.0 + np.exp(-oof))
    threshold = max(THRESHOLDS, key=lambda th: balanced_accuracy(y[fit], prob >= th))
    if q.min_precision is not None:
        sure = [th for th in THRESHOLDS if (prob >= th).any() and np.mean(y[fit][prob >= th]) >= q.min_precision]
        threshold = min(sure) if sure else 0.95
    cv_bal = balanced_accuracy(y[fit], prob >= threshold)
    if cv_bal < MIN_USEFUL and q.min_precision is None:
        threshold = 0.5
    model = fit_linear(t.x[fit], None if t.d is None else t.d[fit], None if t.d is None else t.d_mirror[fit],
                       y[fit], l2, k)
    bias = model.bias - logit(threshold)  # 0.5 now means `threshold`
    said = model.logit(t.x, None if t.d is None else 0.5 * (t.d + t.d_mirror)) - logit(threshold) >= 0
    print(f"{q.name}: {len(data)} labelled, {len(y)} with features ({int(y.sum())} yes); l2 {l2}"
          + (f", {k} components of {t.d.shape[1]} appearance numbers" if t.d is not None else "")
          + f", cv threshold {threshold:.2f}, cv balanced acc {cv_bal:.3f}")
    for split, sel in (("fit", fit), ("test", ~fit)):
        print(f"   {split}: n {sel.sum()}, balanced acc {balanced_accuracy(y[sel], said[sel]):.3f}, "
              f"acc {np.mean(said[sel] == (y[sel] == 1)):.3f}, not visible {t.not_visible[split]:.1%}, "
              f"precision {np.mean(y[sel][said[sel]]) if said[sel].any() else float('nan'):.3f}, "
              f"said yes {np.mean(said[sel]):.1%}")
    for i, (name, w) in enumerate(zip(t.names, model.weights, strict=True)):
        print(f"      {name:<18} yes {t.x[y == 1, i].mean():+8.3f}  no {t.x[y == 0, i].mean():+8.3f}  weight {w:+.4f}")
    return (tuple(t.names), round(float(bias), 6), tuple(round(float(w), 6) for w in model.weights),
            model.on_descriptor)


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


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
    appearance = dict(A.appearance_weights()) if args.only else {}
    for q in [q for q in QUESTIONS if not args.only or q.name in args.only]:
        data = [(row, lm) for row, lm in photos if q.labelled(row)]
        names, bias, weights, on_descriptor = fit_question(q, data)
        models[q.name] = (names, bias, weights)
        if on_descriptor is not None:
            appearance[q.name] = on_descriptor

    if args.write:
        lines = ['"""Weights of the grooming models, written by scripts/fit_grooming.py --write (do not edit).',
                 "", "Each model: (feature names, bias, weights); p = 1 / (1 + exp(-(bias + sum(w * feature)))).",
                 '"""', "", "MODELS: dict[str, tuple[tuple[str, ...], float, tuple[float, ...]]] = "
                 + pprint.pformat(models, width=100, sort_dicts=False)]
        MODEL_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
        np.savez_compressed(A.WEIGHTS_FILE, **{k: v.astype(np.float32) for k, v in appearance.items()})
        print(f"wrote {MODEL_FILE} and {A.WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
