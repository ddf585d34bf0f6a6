"""Streamlit's own texts in the UI language: the camera's "Take Photo" and "Clear photo",
the uploader's "Upload" button and its "20MB per file • JPG, PNG" line.

Streamlit 1.60 has no setting for them (they are written into its front end), so in Chinese
the page's style sheet hides each text and writes the translation in its place
(``::after``). The uploader's line names its own limit, so it is styled through the
``st-key-<key>`` class Streamlit gives every widget with a key.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from posture.standards import Lang

CAMERA = '[data-testid="stCameraInput"]'
CAMERA_BUTTON = '[data-testid="stCameraInputButton"]'
DROPZONE_BUTTON = '[data-testid="stFileUploaderDropzone"] button'
INSTRUCTIONS = '[data-testid="stFileUploaderDropzoneInstructions"]'

ZH = {"take_photo": "拍照", "clear_photo": "清除照片", "upload": "上传"}


def _replaced(selector: str, text: str) -> str:
    """CSS that hides ``selector``'s own text and shows ``text`` instead (icons inside it,
    sized in their own units, stay)."""
    return (f"{selector}{{font-size:0 !important;}}"
            f"{selector}::after{{content:\"{text}\";font-size:1rem;line-height:1.6;}}")


def page_css(lang: Lang) -> str:
    """The style sheet for Streamlit's texts shared by every widget ('' in English)."""
    if lang == "en":
        return ""
    return "".join((
        _replaced(CAMERA_BUTTON, ZH["take_photo"]),
        # After a capture the snapshot replaces the webcam and the same button clears it.
        f'{CAMERA}:has(img[alt="Snapshot"]) {CAMERA_BUTTON}::after{{content:"{ZH["clear_photo"]}";}}',
        _replaced(f"{DROPZONE_BUTTON} p", ZH["upload"]),
    ))


def uploader_css(key: str, max_mb: float, types: Sequence[str], lang: Lang) -> str:
    """The uploader ``key``'s limit line in the UI language ('' in English)."""
    if lang == "en":
        return ""
    # As Streamlit lists them: one name for JPEG/JPG and TIFF/TIF.
    kinds = ", ".join(sorted({t.upper().replace("JPEG", "JPG").replace("TIFF", "TIF") for t in types}))
    return _replaced(f".st-key-{key} {INSTRUCTIONS} span", f"每个文件 ≤ {max_mb:.0f} MB · {kinds}")


def style(css: str) -> None:
    """Add ``css`` to the page (a style-only ``st.html`` takes no room on the page)."""
    if css:
        st.html(f"<style>{css}</style>")


def file_uploader(label: str, *, key: str, types: Sequence[str], max_mb: int, lang: Lang, **kwargs):
    """``st.file_uploader`` whose own texts speak the UI language."""
    style(uploader_css(key, max_mb, types, lang))
    return st.file_uploader(label, type=list(types), key=key, max_upload_size=max_mb, **kwargs)
