"""The Streamlit app (``make run``): self-check for trainees, group sessions for trainers,
photo review for reviewers, and the history. Pages live in :mod:`posture.webapp`; the
engine decides, the pages render."""

from __future__ import annotations

import sqlite3

import streamlit as st

from posture.store import StoreError
from posture.webapp import group, history, resources, review, selfcheck
from posture.webapp.builtin_texts import page_css, style
from posture.webapp.i18n import t
from posture.webapp.state import choice_key, keep_choices

PAGES = {"self": selfcheck.page, "group": group.page, "review": review.page, "history": history.page}

st.set_page_config(page_title="服务礼仪自查 · Service etiquette", layout="wide")

with st.sidebar:
    choice = st.radio(t("language", "zh"), ("中文", "English"), horizontal=True, key="lang", on_change=keep_choices)
    lang = "en" if choice == "English" else "zh"
    st.title(t("app_title", lang))
    mode = st.radio(t("mode", lang), list(PAGES), key=choice_key("mode"), format_func=lambda m: t(f"mode_{m}", lang))
    keep_pictures = st.checkbox(t("keep_pictures", lang), key="keep-pictures", help=t("keep_pictures_help", lang))
    cfg = resources.settings()
    st.slider(t("show_after", lang), 0.2, 1.5, cfg.show_after_s, 0.1, key="show_after_s")
    st.slider(t("clear_after", lang), 0.2, 1.5, cfg.clear_after_s, 0.1, key="clear_after_s")
    st.caption(f"{t('db_path', lang)}: `{cfg.db_path}`")

style(page_css(lang))  # Streamlit's own button texts in the UI language
resources.stale_scratch_removed()
try:
    resources.store()
except (StoreError, OSError, sqlite3.Error) as exc:  # a bad POSTURE_DB path: say so, do not crash
    st.error(t("storage_error", lang, err=exc))
    st.stop()

PAGES[mode](lang, keep_pictures)
