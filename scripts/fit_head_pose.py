"""Fit ``PITCH_OFFSET_DEG`` of posture/measure/face.py on GENKI-4K's head-pose labels.

    .venv/bin/python scripts/fit_head_pose.py [--data ../shared/data/genki4k] [--cache .cache]

The mesh's forehead-to-chin line is not square to the line of sight of a level head, so
the raw pitch of a level head is not 0. The offset is the median difference between the
raw pitch and the labelled pitch on the ``fit`` split (the median, not the mean: a few
labels and meshes are far off). Also prints, for both splits, the mean and 95th
percentile of the absolute error of each angle and the least-squares slope of measured
on labelled angle (a slope under 1 means the mesh under-reads large turns).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from fitting import DEFAULT_DATA, labelled_landmarks

from posture.evaluate import read_pose
from posture.measure import face as face_module

ANGLES = ("yaw", "pitch", "roll")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA / "genki4k")
    parser.add_argument("--cache", type=Path, default=None, help="landmark cache folder (e.g. .cache)")
    args = parser.parse_args()

    labels = read_pose(args.data)  # degrees, in the engine's convention
    measured, truth, fit = [], [], []
    for sample, lm in labelled_landmarks(args.data, args.cache):
        face = None if lm is None else face_module._face(lm)
        if face is None or sample.file not in labels:
            continue
        yaw, pitch, roll = face_module.head_angles_deg(face)
        measured.append((yaw, pitch + face_module.PITCH_OFFSET_DEG, roll))  # raw pitch, no offset
        truth.append(labels[sample.file])
        fit.append(sample.split == "fit")
    m, t, fit = np.array(measured), np.array(truth), np.array(fit)
    offset = float(np.median(m[fit, 1] - t[fit, 1]))
    m[:, 1] -= offset
    print(f"{len(m)} faces with pose labels: {fit.sum()} fit, {(~fit).sum()} test")
    print(f"PITCH_OFFSET_DEG = {offset:.1f}  # median raw pitch minus labelled pitch, fit split")
    for name, part in (("fit", fit), ("test", ~fit)):
        err = np.abs(m[part] - t[part])
        cells = []
        for i, angle in enumerate(ANGLES):
            slope = np.polyfit(t[part, i], m[part, i], 1)[0]
            cells.append(f"{angle} mean {err[:, i].mean():.1f} p95 {np.percentile(err[:, i], 95):.1f} "
                         f"slope {slope:.2f}")
        print(f"  {name:<4}: " + " | ".join(cells))


if __name__ == "__main__":
    main()
