"""Page state that survives a change of language.

A radio or select box keeps, in the browser, the displayed text of its option; after the
language changes that text is no longer among the options, so the widget showed empty
(and fell back to its default on the way back). Each such widget's key is registered with
:func:`choice_key`; when the language changes, :func:`keep_choices` sets each registered
key again from its language-independent value (an option id such as ``upload`` or
``any``), which makes Streamlit send the value to the browser in the new words."""

from __future__ import annotations

import streamlit as st

_REGISTERED = "_choice-keys"


def choice_key(key: str) -> str:
    """``key`` of a radio, select box or multiselect whose options are shown translated."""
    st.session_state.setdefault(_REGISTERED, set()).add(key)
    return key


def keep_choices() -> None:
    """The language radio's ``on_change``: keep every registered choice as it was."""
    for key in st.session_state.get(_REGISTERED, set()):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def upload_cap_mb(limit_bytes: int) -> int:
    """A byte limit as the whole megabytes Streamlit's uploader takes (rounded up, so the
    app's own check, with its clear message, is the one that refuses a file)."""
    return max(1, -(-int(limit_bytes) // 2**20))
