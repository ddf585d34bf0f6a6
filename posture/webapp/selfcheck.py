"""Self-check: a trainee before a shift, with the live view, the guided routine, or a
snapshot or photo when live video does not work."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from posture.pipeline import SCENARIO_CHOICES, CheckResult
from posture.routine import StepResult, routine_steps
from posture.standards import Lang
from posture.store import PROFILES, Trainee
from posture.webapp import resources
from posture.webapp.checking import live_check, live_routine, photo_check, snapshot_routine
from posture.webapp.i18n import t
from posture.webapp.records import save_report, save_routine
from posture.webapp.state import choice_key

GUEST = 0  # SQLite row ids start at 1
HOW = ("live", "routine_live", "routine_snap", "snapshot", "upload")


def choose_trainee(lang: Lang, key: str) -> tuple[Trainee | None, str, bool]:
    """Who is checking (or a guest, not saved), their profile and whether they have a desk."""
    trainees = resources.store().trainees()
    # The guest is id 0, not None: a select box holding None shows as empty.
    ids = [GUEST, *(tr.id for tr in trainees)]
    names = {tr.id: tr.name for tr in trainees}
    chosen = st.selectbox(t("who", lang), ids, key=choice_key(key),
                          format_func=lambda i: t("guest", lang) if i == GUEST else names[i])
    trainee = next((tr for tr in trainees if tr.id == chosen), None)
    if trainee is not None:
        return trainee, trainee.profile, trainee.has_desk
    cols = st.columns(2)
    profile = cols[0].selectbox(t("profile", lang), PROFILES, key=choice_key(f"{key}-profile"),
                                format_func=lambda p: t(f"profile_{p}", lang))
    desk = cols[1].toggle(t("has_desk", lang), key=f"{key}-desk")
    return None, profile, desk


def _self_session() -> int:
    """One history session per browser session of self-checks."""
    if "self-session" not in st.session_state:
        st.session_state["self-session"] = resources.store().new_session(
            "self", time.strftime("自查 Self-check %Y-%m-%d %H:%M"))
    return st.session_state["self-session"]


def page(lang: Lang, keep_pictures: bool) -> None:
    st.header(t("mode_self", lang))
    trainee, profile, desk = choose_trainee(lang, "self-who")
    trainee_id = trainee.id if trainee else None
    if trainee is None:
        st.caption(t("not_saved_guest", lang))
    how = st.radio(t("how", lang), HOW, horizontal=True, key=choice_key("self-how"),
                   format_func=lambda h: t(f"how_{h}", lang))

    def routine_done(results: list[StepResult]) -> None:
        if trainee_id is not None:
            save_routine(resources.store(), _self_session(), trainee_id, results, keep_pictures)
            st.toast(t("saved", lang))

    def photo_done(name: str, result: CheckResult, picture: np.ndarray) -> None:
        if trainee_id is not None:
            save_report(resources.store(), _self_session(), name, result, trainee_id=trainee_id, picture=picture,
                        keep_pictures=keep_pictures)
            st.toast(t("saved", lang))

    steps = routine_steps(desk)
    state_key = f"self-routine-{trainee_id}-{profile}-{desk}"
    if how in ("live", "snapshot", "upload"):
        scenario = st.selectbox(t("scenario", lang), SCENARIO_CHOICES, key=choice_key("self-scenario"),
                                format_func=lambda s: t(f"scenario_{s}", lang))
    if how == "live":
        live_check(lang, scenario, profile)
    elif how == "routine_live":
        live_routine(lang, profile, steps, state_key=state_key + "-live", on_done=routine_done)
    elif how == "routine_snap":
        snapshot_routine(lang, profile, steps, state_key=state_key + "-snap", on_done=routine_done)
    else:
        photo_check(lang, scenario, profile, camera=how == "snapshot", on_checked=photo_done)
