"""Saving what a page checked into the history: numbers and verdicts always, the picture
only when the user ticked the box."""

from __future__ import annotations

import json

import numpy as np

from posture.exports import jpeg_bytes
from posture.pipeline import CheckResult
from posture.results import weighted_score
from posture.routine import StepResult
from posture.standards import Standard
from posture.store import Store
from posture.webapp import resources


def step_score(result: StepResult, standard: Standard) -> float | None:
    """The step's score, weighted by severity like a photo's (posture.results)."""
    return weighted_score(((standard.by_id[o.clause].severity, o.verdict) for o in result.outcomes),
                          standard.settings.severity_weights)


def save_routine(store: Store, session_id: int, trainee_id: int | None, results: list[StepResult],
                 keep_pictures: bool) -> list[int]:
    """One check per step, with the frame counts behind each clause's verdict."""
    ids = []
    standard = resources.standard()
    for r in results:
        detail = {"step": r.step.key, "frames": r.frames, "skipped": r.skipped,
                  "note": r.note.model_dump() if r.note else None,
                  "outcomes": [{"clause": o.clause, "verdict": o.verdict, "passed": o.passed, "failed": o.failed,
                                "frames": o.frames} for o in r.outcomes]}
        picture = jpeg_bytes(r.picture) if keep_pictures and r.picture is not None else None
        ids.append(store.add_check(session_id, r.step.key, r.step.scenario, [(o.clause, o.verdict) for o in r.outcomes],
                                   trainee_id=trainee_id, score=step_score(r, standard), detail=detail,
                                   picture_jpeg=picture))
    return ids


def save_report(store: Store, session_id: int, label: str, result: CheckResult, *, trainee_id: int | None,
                picture: np.ndarray | None, keep_pictures: bool) -> int:
    """One checked photo: the report's JSON (numbers and verdicts, no pixels)."""
    report = result.report
    return store.add_check(
        session_id, label, "/".join(report.scenarios), [(c.id, c.verdict) for c in report.clauses],
        trainee_id=trainee_id, score=report.score.overall, detail=json.loads(report.model_dump_json()),
        picture_jpeg=jpeg_bytes(picture) if keep_pictures and picture is not None else None)
