"""Fit the smile models of posture/measure/face.py on GENKI-4K.

    .venv/bin/python scripts/fit_smile.py [--data ../shared/data/genki4k] [--cache .cache] [--write]

Reads every labelled face (MediaPipe on each photo, or the opt-in landmark cache) and fits two
logistic regressions with L2 penalties on the ``fit`` split only (penalties chosen by 5-fold
cross-validation inside that split), printing their accuracy on both splits:

- ``SMILE_MODEL`` (printed, to paste into face.py): the features of ``mouth_features`` listed
  in ``FEATURES``; the measurement uses it when there is no mouth patch.
- the patch model (posture/measure/smile_model.py, written with ``--write``): the same features
  plus the mouth patch's HOG (``mouth_hog``), with its own, stronger penalty on the HOG values:
  they are many and each says little, the mesh features are few and strong.

Photos without a judgeable face are left out of the fit; the evaluation (posture eval) counts
them as errors.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np
from fitting import DEFAULT_DATA, ROOT, cross_validated_accuracy, fit_logistic, labelled_landmarks, out_of_fold_prob

from posture.measure.face import _expression_face, mouth_features, mouth_hog

FEATURES = ("corner_lift", "corners_vs_lip_top", "upper_lip_share", "upper_lip_thickness")
PENALTIES = (0.1, 0.3, 1.0, 3.0, 10.0)
MESH_PENALTIES = (0.1, 1.0)  # with the patch: on the mesh features ...
HOG_PENALTIES = (30.0, 100.0, 300.0, 1000.0, 3000.0)  # ... and on the HOG values
THRESHOLDS = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)  # EX-SMILE's 0.5 checked against its neighbours
MODEL_FILE = ROOT / "posture" / "measure" / "smile_model.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA / "genki4k")
    parser.add_argument("--cache", type=Path, default=None, help="landmark cache folder (e.g. .cache)")
    parser.add_argument("--write", action="store_true", help=f"write the patch model to {MODEL_FILE.name}")
    args = parser.parse_args()

    rows = []
    for sample, lm in labelled_landmarks(args.data, args.cache):
        face = None if lm is None else _expression_face(lm)
        if face is None or not ({"smile", "non_smile"} & sample.tags):
            continue
        feats = mouth_features(face)
        hog = None if lm.mouth_patch is None else mouth_hog(lm.mouth_patch)
        rows.append(([feats[f] for f in FEATURES], hog, "smile" in sample.tags, sample.split))
    x = np.array([r[0] for r in rows])
    y = np.array([r[2] for r in rows], dtype=float)
    fit = np.array([r[3] == "fit" for r in rows])
    print(f"{len(rows)} judgeable faces: {fit.sum()} fit, {(~fit).sum()} test")
    for name, col in zip(FEATURES, x.T, strict=True):
        print(f"  {name:<20} mean smile {col[y == 1].mean():+.3f}  no smile {col[y == 0].mean():+.3f}")

    print("\nMesh features only (SMILE_MODEL):")
    cv = {l2: cross_validated_accuracy(x[fit], y[fit], l2) for l2 in PENALTIES}
    l2 = max(cv, key=lambda k: (round(cv[k], 3), k))  # ties: the stronger penalty
    print("  5-fold CV accuracy on the fit split: " + ", ".join(f"l2={k:g}: {v:.4f}" for k, v in cv.items()))
    model = fit_logistic(x[fit], y[fit], l2)
    _print_accuracy(model.prob(x) >= 0.5, y, fit)
    weights = ", ".join(f'"{f}": {w:.3f}' for f, w in zip(FEATURES, model.weights, strict=True))
    print(f"  SMILE_MODEL = {{\"bias\": {model.bias:.3f}, {weights}}}  # l2={l2:g}")

    has = np.array([r[1] is not None for r in rows])
    print(f"\nMesh features and mouth patch ({has.sum()} faces with a patch, {(~has).sum()} without):")
    xp = np.column_stack([x[has], np.array([r[1] for r in rows if r[1] is not None])])
    yp, fp = y[has], fit[has]
    cv_patch = {}
    for mesh_l2, hog_l2 in itertools.product(MESH_PENALTIES, HOG_PENALTIES):
        penalty = np.concatenate([np.full(len(FEATURES), mesh_l2), np.full(xp.shape[1] - len(FEATURES), hog_l2)])
        cv_patch[mesh_l2, hog_l2] = (cross_validated_accuracy(xp[fp], yp[fp], penalty), penalty)
    best = max(cv_patch, key=lambda k: (round(cv_patch[k][0], 3), k[1], k[0]))  # ties: the stronger penalties
    print("  5-fold CV accuracy on the fit split: "
          + ", ".join(f"l2={m:g}/{h:g}: {v[0]:.4f}" for (m, h), v in cv_patch.items()))
    oof = out_of_fold_prob(xp[fp], yp[fp], cv_patch[best][1])
    print("  out-of-fold accuracy on the fit split by threshold: "
          + ", ".join(f"{t:g}: {np.mean((oof >= t) == yp[fp]):.4f}" for t in THRESHOLDS))
    patch_model = fit_logistic(xp[fp], yp[fp], cv_patch[best][1])
    _print_accuracy(patch_model.prob(xp) >= 0.5, yp, fp)
    said = model.prob(x) >= 0.5
    said[has] = patch_model.prob(xp) >= 0.5
    print("  with the mesh-only model where there is no patch:")
    _print_accuracy(said, y, fit)
    text = _model_module(patch_model.bias, patch_model.weights, best, cv_patch[best][0], int(fp.sum()))
    if args.write:
        MODEL_FILE.write_text(text, encoding="utf-8")
        print(f"  written to {MODEL_FILE.relative_to(ROOT)}")
    else:
        print(f"  (--write writes it to {MODEL_FILE.relative_to(ROOT)})")


def _print_accuracy(said: np.ndarray, y: np.ndarray, fit: np.ndarray) -> None:
    for name, part in (("fit", fit), ("test", ~fit)):
        print(f"  accuracy on the {name} split's judgeable faces: {np.mean(said[part] == y[part]):.4f}")


def _model_module(bias: float, weights: np.ndarray, penalties: tuple[float, float], cv: float, n: int) -> str:
    """The source of posture/measure/smile_model.py."""
    geometry = ", ".join(f"{w:.6g}" for w in weights[:len(FEATURES)])
    hog = [f"{w:.6g}" for w in weights[len(FEATURES):]]
    lines = [", ".join(hog[i:i + 9]) + "," for i in range(0, len(hog), 9)]
    return (
        '"""The smile model with the mouth patch: written by scripts/fit_smile.py --write, do not edit.\n\n'
        "A logistic regression (weights in raw units, no scaler) on the mesh features FEATURES of\n"
        "posture.measure.face.mouth_features and the HOG of the mouth patch (posture.measure.face.mouth_hog:\n"
        "per cell of the patch, row by row, one weight per orientation bin). Fitted on the fit split of\n"
        f"GENKI-4K ({n} faces) with L2 penalties {penalties[0]:g} on the standardised mesh features and "
        f"{penalties[1]:g} on\nthe HOG values, chosen by 5-fold cross-validation inside that split "
        f"({100 * cv:.1f}% accurate).\n"
        '"""\n\n'
        f"FEATURES = {FEATURES!r}\n"
        f"BIAS = {bias:.6g}\n"
        f"GEOMETRY_WEIGHTS = ({geometry})\n"
        "HOG_WEIGHTS = (\n" + "".join(f"    {line}\n" for line in lines) + ")\n"
    )


if __name__ == "__main__":
    main()
