"""Group session: a trainer keeps a roster, runs the routine for each trainee in turn, and
sees the session's table with the group's weakest clauses on top; exports CSV and HTML."""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd
import streamlit as st

from posture.exports import Section, clause_row, jpeg_bytes, to_csv, to_html
from posture.routine import STEPS, StepResult, routine_steps, trainee_table, weakest_clauses
from posture.standards import Lang
from posture.store import PROFILES, ResultRow, StoreError, Trainee
from posture.webapp import resources
from posture.webapp.checking import live_routine, snapshot_routine
from posture.webapp.group_camera import group_camera
from posture.webapp.i18n import t
from posture.webapp.records import save_routine
from posture.webapp.render import MARKS, verdict_text
from posture.webapp.state import choice_key

STEP_BY_KEY = {s.key: s for s in STEPS}
MAX_NAME_CHARS = 60  # as the store allows


def _message() -> None:
    """Show (once) what the last roster action did."""
    kind, text = st.session_state.pop("group-message", (None, ""))
    if kind == "error":
        st.error(text)
    elif kind == "ok":
        st.success(text)


def _name_problem(name: str, lang: Lang, except_id: int | None = None) -> str | None:
    """Why a roster name cannot be used, in the page's language (the store checks it again)."""
    name = " ".join(name.split())
    if not name:
        return t("name_empty", lang)
    if len(name) > MAX_NAME_CHARS:
        return t("name_too_long", lang, n=MAX_NAME_CHARS)
    if any(tr.name == name and tr.id != except_id for tr in resources.store().trainees()):
        return t("name_exists", lang, name=name)
    return None


def _add(lang: Lang) -> None:
    """Add the trainee, then reset the whole form for the next one (name, profile, desk)."""
    problem = _name_problem(st.session_state["roster-name"], lang)
    if problem:
        st.session_state["group-message"] = ("error", problem)
        return
    try:
        resources.store().add_trainee(st.session_state["roster-name"], st.session_state["roster-profile"],
                                      st.session_state["roster-desk"])
    except StoreError as exc:
        st.session_state["group-message"] = ("error", t("error", lang, err=exc))
        return
    st.session_state["group-message"] = ("ok", t("added", lang, name=" ".join(st.session_state["roster-name"].split())))
    st.session_state["roster-name"] = ""
    st.session_state["roster-profile"] = "any"
    st.session_state["roster-desk"] = False


def _rename(lang: Lang) -> None:
    problem = _name_problem(st.session_state["roster-new-name"], lang, except_id=st.session_state["roster-edit"])
    if problem:
        st.session_state["group-message"] = ("error", problem)
        return
    try:
        resources.store().update_trainee(st.session_state["roster-edit"], name=st.session_state["roster-new-name"])
        st.session_state["roster-new-name"] = ""
    except StoreError as exc:
        st.session_state["group-message"] = ("error", t("error", lang, err=exc))


def _remove(lang: Lang) -> None:
    resources.store().delete_trainee(st.session_state["roster-edit"])
    st.session_state["roster-confirm"] = False
    st.session_state["group-message"] = ("ok", t("removed", lang))


def roster(lang: Lang, trainees: list[Trainee]) -> None:
    """Add, rename and remove trainees (removing deletes their data)."""
    with st.expander(t("roster", lang), expanded=True):
        _message()
        cols = st.columns([3, 2, 2, 1])
        cols[0].text_input(t("name", lang), key="roster-name")
        cols[1].selectbox(t("profile", lang), PROFILES, key=choice_key("roster-profile"),
                          format_func=lambda p: t(f"profile_{p}", lang))
        cols[2].toggle(t("has_desk", lang), key="roster-desk")
        cols[3].button(t("add", lang), key="roster-add", on_click=_add, args=(lang,))
        if not trainees:
            return
        st.dataframe(pd.DataFrame([{t("name", lang): tr.name, t("profile", lang): t(f"profile_{tr.profile}", lang),
                                    t("has_desk", lang): "✓" if tr.has_desk else ""} for tr in trainees]),
                     hide_index=True)
        names = {tr.id: tr.name for tr in trainees}
        cols = st.columns([2, 2, 1, 2])
        cols[0].selectbox(t("name", lang), list(names), key="roster-edit", format_func=names.get)
        cols[1].text_input(t("new_name", lang), key="roster-new-name")
        cols[2].button(t("rename", lang), key="roster-rename", on_click=_rename, args=(lang,))
        confirm = cols[3].checkbox(t("confirm_remove", lang), key="roster-confirm")
        cols[3].button(t("remove", lang), key="roster-remove", disabled=not confirm, on_click=_remove, args=(lang,))


def _new_session(lang: Lang) -> None:
    title = st.session_state.get("session-title", "").strip() or time.strftime("培训课 Session %Y-%m-%d %H:%M")
    st.session_state["group-session"] = resources.store().new_session("group", title)
    st.session_state["session-title"] = ""


def _next_trainee(ids: list[int]) -> None:
    current = st.session_state.get("group-trainee")
    if ids:
        st.session_state["group-trainee"] = ids[(ids.index(current) + 1) % len(ids)] if current in ids else ids[0]


def session_frames(rows: list[ResultRow], lang: Lang) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The weakest-clauses table, the clause x trainee table (a row per clause with its title,
    a column per trainee: ✓ ✗ ?, or "skipped" for a clause only in steps the trainee
    skipped) and the clauses nobody could be judged on (left out of the tables)."""
    standard = resources.standard()
    table = trainee_table((r.trainee or "-", r.clause, r.verdict, r.skipped) for r in rows)
    skipped: dict[str, set[str]] = {}
    for r in rows:
        if r.skipped:
            skipped.setdefault(r.trainee or "-", set()).add(r.clause)
    stats = weakest_clauses(table)
    judged = [s for s in stats if s.judged]
    weakest = pd.DataFrame([{t("clause", lang): s.clause, t("title", lang): standard.by_id[s.clause].title.get(lang),
                             t("failed_by", lang): s.failed, t("judged", lang): s.judged,
                             t("fail_share", lang): f"{s.fail_share:.0%}",
                             t("advice", lang): standard.by_id[s.clause].advice.get(lang)}
                            for s in judged])
    names = sorted(set(table) | set(skipped))

    def cell(name: str, clause: str) -> str:
        verdict = table.get(name, {}).get(clause)
        if verdict is None:
            return t("skipped", lang) if clause in skipped.get(name, set()) else ""
        return MARKS[verdict]

    grid = pd.DataFrame([{t("clause", lang): f"{s.clause} {standard.by_id[s.clause].title.get(lang)}",
                          **{name: cell(name, s.clause) for name in names}} for s in judged])
    never = [s.clause for s in stats if not s.judged]
    return weakest, grid, never


def export_rows(rows: list[ResultRow], lang: Lang) -> list[dict[str, str]]:
    standard = resources.standard()
    return [clause_row(r.trainee or "-", standard.by_id[r.clause], r.verdict, lang,
                       step=STEP_BY_KEY[r.label].name.get(lang) if r.label in STEP_BY_KEY else r.label,
                       override=r.override, note=r.note) for r in rows]


def session_html(title: str, session_id: int, rows: list[ResultRow], lang: Lang, weakest: pd.DataFrame,
                 pictures: dict[tuple[int, int | None, str], bytes], with_pictures: bool = True) -> bytes:
    """The HTML report: per trainee and step, the picture (``pictures`` kept in this browser
    session, or from the history when pictures are kept; none with ``with_pictures`` off)
    and the clause rows."""
    store = resources.store()
    by_check: dict[int, list[ResultRow]] = {}
    for r in rows:
        by_check.setdefault(r.check_id, []).append(r)
    trainee_ids = {tr.name: tr.id for tr in store.trainees()}
    sections = []
    for check_id, check_rows in by_check.items():
        first = check_rows[0]
        step = STEP_BY_KEY[first.label].name.get(lang) if first.label in STEP_BY_KEY else first.label
        picture = ((pictures.get((session_id, trainee_ids.get(first.trainee or ""), first.label))
                    or store.picture(check_id)) if with_pictures else None)
        sections.append(Section(f"{first.trainee} · {step}", export_rows(check_rows, lang), picture))
    made = time.strftime("%Y-%m-%d %H:%M")
    return to_html(title, sections, lang, dated=t("report_dated", lang, when=made),
                   summaries=[(t("per_trainee", lang), trainee_summary(session_id, lang)),
                              (t("weakest", lang), weakest.astype(str).to_dict("records"))])


def trainee_summary(session_id: int, lang: Lang) -> list[dict[str, str]]:
    """Per trainee of the session: their result as History counts it (posture.results)."""
    store = resources.store()
    standard = resources.standard()
    severities = {c.id: c.severity for c in standard.clauses}
    out = []
    with_checks = {r.trainee for r in store.results(session_id)}
    for tr in store.trainees():
        if tr.name not in with_checks:
            continue
        r = store.session_result(session_id, tr.id, severities, standard.settings.severity_weights)
        out.append({t("who", lang): tr.name, t("pass_rate", lang): f"{r.passed}/{r.judged}",
                    t("summary", lang): t("summary_counts", lang, p=r.passed, f=r.failed, n=r.not_visible),
                    t("score", lang): "–" if r.score is None else f"{r.score:.0f}/100"})
    return out


def _in_turn(lang: Lang, trainees: list[Trainee], session_id: int, how: str,
             done: Callable[[int, list[StepResult]], None]) -> None:
    """The routine for one trainee at a time (snapshots or live video), then the next."""
    ids = [tr.id for tr in trainees]
    names = {tr.id: tr.name for tr in trainees}
    if st.session_state.get("group-trainee") not in ids:
        st.session_state["group-trainee"] = ids[0]
    cols = st.columns([3, 1])
    trainee_id = cols[0].selectbox(t("current_trainee", lang), ids, key="group-trainee", format_func=names.get)
    cols[1].button(t("next_trainee", lang), key="group-next", on_click=_next_trainee, args=(ids,))
    trainee = next(tr for tr in trainees if tr.id == trainee_id)
    steps = routine_steps(trainee.has_desk)
    state_key = f"group-{session_id}-{trainee_id}"
    if how == "routine_snap":
        snapshot_routine(lang, trainee.profile, steps, state_key=state_key + "-snap",
                         on_done=lambda results: done(trainee_id, results))
    else:
        live_routine(lang, trainee.profile, steps, state_key=state_key + "-live",
                     on_done=lambda results: done(trainee_id, results))


def page(lang: Lang, keep_pictures: bool) -> None:
    st.header(t("mode_group", lang))
    store = resources.store()
    trainees = store.trainees()
    roster(lang, trainees)
    sessions = store.sessions("group")
    cols = st.columns([3, 3, 1])
    cols[1].text_input(t("session_title", lang), key="session-title")
    cols[2].button(t("new_session", lang), key="session-new", on_click=_new_session, args=(lang,))
    if not sessions:
        st.info(t("no_session", lang))
        return
    titles = {s.id: s.title for s in sessions}
    if st.session_state.get("group-session") not in titles:
        st.session_state["group-session"] = sessions[0].id
    session_id = cols[0].selectbox(t("session", lang), list(titles), key="group-session", format_func=titles.get)
    if not trainees:
        st.info(t("no_trainees", lang))
    else:
        how = st.radio(t("how", lang), ("routine_snap", "routine_live", "group_live"), key=choice_key("group-how"),
                       horizontal=True, format_func=lambda h: t(f"how_{h}", lang))

        def done(trainee_id: int, results: list[StepResult]) -> None:
            save_routine(store, session_id, trainee_id, results, keep_pictures)
            pictures = st.session_state.setdefault("group-pictures", {})
            for r in results:
                if r.picture is not None:
                    pictures[(session_id, trainee_id, r.step.key)] = jpeg_bytes(r.picture)
            st.toast(t("saved", lang))

        if how == "group_live":
            group_camera(lang, trainees, state_key=f"group-{session_id}-together", on_done=done)
        else:
            _in_turn(lang, trainees, session_id, how, done)
    st.divider()
    st.subheader(t("session_table", lang))
    rows = store.results(session_id, latest_only=True)  # a trainee's routine done again replaces the earlier try
    if not rows:
        st.info(t("empty_session", lang))
        return
    weakest, grid, never = session_frames(rows, lang)
    st.markdown(f"**{t('weakest', lang)}**")
    if not weakest.empty:
        st.table(weakest.set_index(t("clause", lang)))
        # The trainees compared clause by clause: the share who failed each, weakest first.
        chart = pd.DataFrame({t("title", lang): weakest[t("title", lang)],
                              t("fail_share", lang): [round(100 * f / j) for f, j in
                                                      zip(weakest[t("failed_by", lang)], weakest[t("judged", lang)],
                                                          strict=True)]})
        st.bar_chart(chart, x=t("title", lang), y=t("fail_share", lang), y_label="%", horizontal=True,
                     sort=False)
        st.table(grid.set_index(t("clause", lang)))
    st.caption(" · ".join(verdict_text(v, lang) for v in MARKS) + f" · {t('skipped', lang)}")
    if never:
        st.caption(t("never_judged", lang, ids=", ".join(never)))
    cols = st.columns(3)
    cols[0].download_button(t("export_csv", lang), to_csv(export_rows(rows, lang)), f"session-{session_id}.csv",
                            "text/csv", key="group-csv")
    pictures = st.session_state.get("group-pictures", {})
    cols[1].download_button(t("export_html_photos", lang),
                            session_html(titles[session_id], session_id, rows, lang, weakest, pictures),
                            f"session-{session_id}.html", "text/html", key="group-html",
                            help=t("export_photos_help", lang))
    cols[2].download_button(t("export_html_no_photos", lang),
                            session_html(titles[session_id], session_id, rows, lang, weakest, pictures,
                                         with_pictures=False),
                            f"session-{session_id}-no-photos.html", "text/html", key="group-html-plain")
