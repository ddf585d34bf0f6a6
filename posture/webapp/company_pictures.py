"""Company dress (trainer): the company's badge and uniform pictures, uploaded here and kept in
the history database, used by every check in the app from then on (GR-BADGE, GR-UNIFORM);
the company's other dress rules (company.yaml in the standards folder) shown as they are."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from posture.grooming.references import KINDS, MAX_BYTES, Kind, PictureError, read_picture
from posture.standards import Lang
from posture.store import MAX_PICTURES_PER_KIND, StoreError
from posture.webapp import resources
from posture.webapp.checking import PHOTO_TYPES
from posture.webapp.i18n import t
from posture.webapp.state import upload_cap_mb


def _message(kind: Kind, level: str, text: str) -> None:
    st.session_state[f"company-message-{kind}"] = (level, text)


def _remove(kind: Kind, picture_id: int, name: str, lang: Lang) -> None:
    try:
        resources.store().delete_company_picture(picture_id)
        _message(kind, "success", t("company_removed", lang, name=name))
    except StoreError as exc:
        _message(kind, "error", str(exc))


def _take_upload(kind: Kind, lang: Lang) -> None:
    """Validate and keep a newly uploaded picture (once per uploaded file, not on every rerun)."""
    source = st.session_state.get(f"company-upload-{kind}")
    seen: set[str] = st.session_state.setdefault("company-seen", set())
    if source is None or source.file_id in seen:
        return
    seen.add(source.file_id)
    limits = resources.settings().limits
    try:
        picture = read_picture(kind, source.name, source.getvalue(), max_pixels=limits.max_pixels)
        resources.store().add_company_picture(picture)
    except (PictureError, StoreError) as exc:
        _message(kind, "error", t("company_refused", lang, err=exc))
        return
    _message(kind, "success", t("company_added", lang, name=source.name))


def _kind_section(kind: Kind, lang: Lang) -> None:
    st.subheader(t(f"company_{kind}", lang))
    st.caption(t(f"company_{kind}_help", lang, n=MAX_PICTURES_PER_KIND, mb=MAX_BYTES / 2**20))
    _take_upload(kind, lang)
    message = st.session_state.get(f"company-message-{kind}")
    if message is not None:
        level, text = message
        (st.success if level == "success" else st.error)(text)
    kept = [p for p in resources.store().company_pictures() if p.picture.kind == kind]
    if not kept:
        st.info(t("company_none", lang))
    for stored in kept:
        cols = st.columns([1, 3, 1])
        cols[0].image(stored.picture.rgb(), width=120)
        cols[1].markdown(f"**{stored.picture.name}**  \n{datetime.fromtimestamp(stored.created):%Y-%m-%d %H:%M}")
        cols[2].button(t("company_remove", lang), key=f"company-remove-{stored.id}", on_click=_remove,
                       args=(kind, stored.id, stored.picture.name, lang))
    st.file_uploader(t("company_upload", lang), type=PHOTO_TYPES, key=f"company-upload-{kind}",
                     max_upload_size=upload_cap_mb(MAX_BYTES))


def page(lang: Lang, keep_pictures: bool) -> None:
    st.header(t("mode_company", lang))
    st.info(t("company_intro", lang))
    for kind in KINDS:
        _kind_section(kind, lang)
    company = resources.standard().company
    files = [*company.badge.pictures, *company.uniform.photos]
    if files:
        st.caption(t("company_from_file", lang, names=", ".join(files)))
    yes_no = {True: t("company_yes", lang), False: t("company_no", lang)}
    st.caption(t("company_rules", lang, tie=yes_no[company.men_wear_tie],
                 hair=t(f"company_hair_{company.hair_colours}", lang), lipstick=yes_no[company.makeup.require_lipstick],
                 colours=", ".join(company.uniform.colours) or "-"))
