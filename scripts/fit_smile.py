"""Fit the smile model ``SMILE_MODEL`` of posture/measure/face.py on GENKI-4K.

    .venv/bin/python scripts/fit_smile.py [--data ../shared/data/genki4k] [--cache .cache]

Reads every labelled face (MediaPipe on each photo, or the opt-in landmark cache), takes
the features of ``mouth_features`` listed in ``FEATURES``, fits a standardised logistic
regression with an L2 penalty on the ``fit`` split only (penalty chosen by 5-fold
cross-validation inside that split) and prints the model to paste into face.py with its
accuracy on both splits. Photos without a judgeable face are left out of the fit; the
evaluation (posture eval) counts them as errors.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from fitting import DEFAULT_DATA, cross_validated_accuracy, fit_logistic, labelled_landmarks

from posture.measure.face import _expression_face, mouth_features

FEATURES = ("corner_lift", "corners_vs_lip_top", "upper_lip_share", "upper_lip_thickness")
PENALTIES = (0.1, 0.3, 1.0, 3.0, 10.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA / "genki4k")
    parser.add_argument("--cache", type=Path, default=None, help="landmark cache folder (e.g. .cache)")
    args = parser.parse_args()

    rows = []
    for sample, lm in labelled_landmarks(args.data, args.cache):
        face = None if lm is None else _expression_face(lm)
        if face is None or not ({"smile", "non_smile"} & sample.tags):
            continue
        feats = mouth_features(face)
        rows.append(([feats[f] for f in FEATURES], "smile" in sample.tags, sample.split))
    x = np.array([r[0] for r in rows])
    y = np.array([r[1] for r in rows], dtype=float)
    fit = np.array([r[2] == "fit" for r in rows])
    print(f"{len(rows)} judgeable faces: {fit.sum()} fit, {(~fit).sum()} test")
    for name, col in zip(FEATURES, x.T, strict=True):
        print(f"  {name:<20} mean smile {col[y == 1].mean():+.3f}  no smile {col[y == 0].mean():+.3f}")

    cv = {l2: cross_validated_accuracy(x[fit], y[fit], l2) for l2 in PENALTIES}
    l2 = max(cv, key=lambda k: (round(cv[k], 3), k))  # ties: the stronger penalty
    print("5-fold CV accuracy on the fit split: " + ", ".join(f"l2={k:g}: {v:.3f}" for k, v in cv.items()))
    model = fit_logistic(x[fit], y[fit], l2)
    said = model.prob(x) >= 0.5
    for name, part in (("fit", fit), ("test", ~fit)):
        print(f"accuracy on the {name} split's judgeable faces: {np.mean(said[part] == y[part]):.4f}")
    weights = ", ".join(f'"{f}": {w:.3f}' for f, w in zip(FEATURES, model.weights, strict=True))
    print(f"\nSMILE_MODEL = {{\"bias\": {model.bias:.3f}, {weights}}}  # l2={l2:g}")


if __name__ == "__main__":
    main()
