"""History and privacy: a trainee's pass rate over time, and deleting a trainee's data."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from posture.standards import Lang
from posture.webapp import resources
from posture.webapp.i18n import t
from posture.webapp.trainee_report import trainee_report_html


def _delete(lang: Lang) -> None:
    keep = st.session_state.get("history-keep", True)
    n = resources.store().delete_trainee(st.session_state["history-trainee"], keep_in_roster=keep)
    st.session_state["history-confirm"] = False
    st.session_state["history-message"] = t("deleted_n", lang, n=n)


def page(lang: Lang, keep_pictures: bool) -> None:
    st.header(t("mode_history", lang))
    store = resources.store()
    st.info(f"**{t('privacy', lang)}**: {t('privacy_text', lang)}  \n"
            + t("stored_counts", lang, **{k: v for k, v in store.counts().items()
                                          if k in ("trainees", "checks", "pictures")}))
    message = st.session_state.pop("history-message", None)
    if message:
        st.success(message)
    trainees = store.trainees()
    if not trainees:
        st.info(t("no_trainees", lang))
        return
    names = {tr.id: tr.name for tr in trainees}
    trainee_id = st.selectbox(t("history_for", lang), list(names), key="history-trainee", format_func=names.get)
    points = [p for p in store.progress(trainee_id) if p.share is not None]
    st.subheader(t("progress", lang))
    if points:
        chart = pd.DataFrame({t("date", lang): [datetime.fromtimestamp(p.created) for p in points],
                              t("pass_rate", lang): [round(100 * p.share, 1) for p in points]})
        st.line_chart(chart, x=t("date", lang), y=t("pass_rate", lang), y_label="%")
        st.table(pd.DataFrame([{t("session", lang): p.title,
                                t("date", lang): f"{datetime.fromtimestamp(p.created):%Y-%m-%d %H:%M}",
                                t("pass_rate", lang): f"{p.passed}/{p.judged} ({p.share:.0%})"} for p in points]))
        st.download_button(t("print_report", lang),
                           trainee_report_html(store, resources.standard(), trainee_id, lang),
                           f"trainee-{trainee_id}.html", "text/html", key="history-report",
                           help=t("print_report_help", lang))
    else:
        st.info(t("no_history", lang))
    cols = st.columns(3)
    cols[0].checkbox(t("keep_in_roster", lang), value=True, key="history-keep")
    confirm = cols[1].checkbox(t("confirm_remove", lang), key="history-confirm")
    cols[2].button(t("delete_data", lang), disabled=not confirm, key="history-delete", on_click=_delete,
                   args=(lang,), type="primary")
