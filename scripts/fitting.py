"""Shared helpers of the fitting scripts (scripts/fit_*.py): labelled landmarks and a
small L2-regularised logistic regression in NumPy (the project has no scikit-learn).

Only the ``fit`` split (posture.evaluate.split_of) may be used to choose numbers; the
scripts print the ``test`` split's figures for the record.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GLOG_minloglevel", "2")

from posture.evaluate import LandmarkCache, Sample, cache_path, observe, read_labels  # noqa: E402
from posture.landmarks import Landmarks  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("POSTURE_DATA", ROOT.parent / "shared" / "data"))


def labelled_landmarks(folder: Path, cache_dir: Path | None) -> list[tuple[Sample, Landmarks | None]]:
    """Every labelled photo of ``folder`` with its landmarks (MediaPipe, or the cache)."""
    from posture.pipeline import Checker

    samples = read_labels(folder)
    cache = LandmarkCache(cache_path(cache_dir, folder)) if cache_dir else None
    with Checker(count_faces=False) as checker:
        obs = observe(folder, samples, checker, cache)
    return [(s, o.landmarks) for s, o in zip(samples, obs, strict=True)]


@dataclass(frozen=True)
class Logistic:
    """p = 1 / (1 + exp(-(bias + X @ weights))), weights in the features' own units."""

    bias: float
    weights: np.ndarray

    def prob(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.bias + x @ self.weights)))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float | np.ndarray = 1.0, iterations: int = 50) -> Logistic:
    """Newton's method on standardised features with an L2 penalty ``l2`` (not on the bias;
    one per feature where groups of features deserve different trust), returned in raw units
    so the model needs no scaler."""
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    z = np.column_stack([np.ones(len(x)), (x - mu) / sd])
    w = np.zeros(z.shape[1])
    penalty = np.diag(np.concatenate([[0.0], np.broadcast_to(l2, x.shape[1:])]))
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z * (p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    weights = w[1:] / sd
    return Logistic(float(w[0] - np.dot(weights, mu)), weights)


def out_of_fold_prob(x: np.ndarray, y: np.ndarray, l2: float | np.ndarray, folds: int = 5) -> np.ndarray:
    """Each sample's probability from the model fitted on the other ``folds - 1`` interleaved
    folds (of the fitting split only): honest scores for choosing a penalty or a threshold."""
    index = np.arange(len(y)) % folds
    prob = np.empty(len(y))
    for k in range(folds):
        prob[index == k] = fit_logistic(x[index != k], y[index != k], l2).prob(x[index == k])
    return prob


def cross_validated_accuracy(x: np.ndarray, y: np.ndarray, l2: float | np.ndarray, folds: int = 5) -> float:
    """Accuracy of the out-of-fold answers at even odds."""
    return float(np.mean((out_of_fold_prob(x, y, l2, folds) >= 0.5) == y))
