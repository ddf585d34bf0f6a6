"""Shared fixtures. MediaPipe models are loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GLOG_minloglevel", "2")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_images"


@pytest.fixture(scope="session")
def standard():
    from posture.standards import load_standard

    return load_standard()


@pytest.fixture(scope="session")
def checker(standard):
    from posture.pipeline import Checker

    with Checker(standard) as c:
        yield c


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture()
def db(tmp_path, monkeypatch) -> Path:
    """A fresh history file for the app, through its POSTURE_DB setting."""
    path = tmp_path / "history.sqlite"
    monkeypatch.setenv("POSTURE_DB", str(path))
    return path
