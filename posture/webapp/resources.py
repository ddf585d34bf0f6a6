"""What the pages share: settings, the standard (with the company's badge and uniform
pictures kept in the history), the history store, and one photo checker (MediaPipe graphs
are not thread-safe, and Streamlit runs each browser tab in its own thread, so checks go
through a lock)."""

from __future__ import annotations

import os
import threading

import numpy as np
import streamlit as st

from posture.images import decode_image
from posture.pipeline import Checker, CheckResult
from posture.settings import AppSettings
from posture.standards import Standard, load_standard
from posture.store import Store
from posture.webapp.scratch import remove_stale

os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's C++ logging


def settings() -> AppSettings:
    """Read on every run (cheap), so a changed environment is seen after a restart."""
    return AppSettings.from_env()


@st.cache_resource(show_spinner=False)
def _loaded_standard() -> Standard:
    return load_standard()


@st.cache_resource(show_spinner=False, max_entries=8)
def _standard_with(db_path: str, digests: tuple[str, ...]) -> Standard:
    base = _loaded_standard()
    if not digests:
        return base
    stored = [p.picture for p in _store(db_path).company_pictures()]
    return base.model_copy(update={"company": base.company.with_stored(stored)})


def standard() -> Standard:
    """The standard with the company pictures the history keeps now: every check started
    after a trainer added or removed one uses the new set (only their digests are read on
    each run; the pictures themselves once per change)."""
    path = str(settings().db_path)
    return _standard_with(path, _store(path).company_picture_digests())


@st.cache_resource(show_spinner=False)
def stale_scratch_removed() -> int:
    """Once per app process: remove the video scratch folders of app processes that were
    killed while checking a video (a trainee's video must not stay on disk)."""
    return len(remove_stale())


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(path)


def store() -> Store:
    return _store(str(settings().db_path))


@st.cache_resource(show_spinner=False)
def _photo_checker() -> tuple[Checker, threading.Lock]:
    return Checker(standard(), static_image_mode=True), threading.Lock()


def check_photo(data: bytes, name: str, *, scenario: str = "auto",
                profile: str = "any") -> tuple[CheckResult, np.ndarray]:
    """Decode and check one uploaded or snapshot photo; raises BadInput for a bad file."""
    rgb = decode_image(data, name, max_pixels=settings().limits.max_pixels)
    checker, lock = _photo_checker()
    with lock:
        checker.standard = standard()  # the company's pictures as kept now
        result = checker.check_rgb(rgb, scenario=scenario, profile=profile, source=name)
    return result, rgb
