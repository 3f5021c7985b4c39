"""What every page shares, drawn by ``app.py`` in the sidebar: language, the current scenario and
its state, open / save / new community / load demo."""

from __future__ import annotations

import copy

import streamlit as st

from cer_core.api import demo_workspace, validate
from cer_core.errors import CerInputError
from cer_core.geo import comuni_table
from cer_core.scenario import schema_problems
from cer_core.vocabulary import REFERENCE_YEAR
from cer_core.workspace import SCENARIO_SCHEMA_ID, Workspace, new_document, workspace_from_bytes

from . import compute, look, state
from .i18n import LANG_KEY, LANGS, current_lang, t
from ..pure.mdsafe import md
from ..pure.tables import slug
from .ui import flash, flash_refused

LANG_WIDGET = "lang_widget"
OPEN_COUNTER = "open_uploader_n"
#: Largest scenario or bundle accepted by "open" [MB].
MAX_OPEN_MB = 50
LANG_NAMES = {"it": "Italiano", "en": "English"}


# -------------------------------------------------------------------------------------------------
# callbacks (they run before the script, so they only change state and queue messages)
# -------------------------------------------------------------------------------------------------

def _on_lang() -> None:
    st.session_state[LANG_KEY] = st.session_state.get(LANG_WIDGET) or current_lang()


def open_bytes(data: bytes, name: str) -> tuple[Workspace | None, list]:
    """Open an uploaded scenario: the workspace, or the problems that make it unusable.

    A file that is not a scenario (bad zip, bad JSON, wrong schema, fields of the wrong shape) is
    refused with every problem; a well-formed scenario with other problems (unknown comune, a
    member without data, a missing series) is opened so that the user can fix it in the studio.
    """
    try:
        ws = workspace_from_bytes(data, name)
    except CerInputError as exc:
        return None, exc.problems
    except Exception as exc:  # noqa: BLE001 - a sentence, never an exception box that takes the sidebar away
        return None, [compute.internal_problem(exc)]
    if ws.doc.get("schema") != SCENARIO_SCHEMA_ID:
        _, problems = validate(ws)
        return None, problems
    problems = schema_problems(ws.doc)
    if problems:
        return None, problems
    ws.origin = name
    return ws, []


def _on_open(key: str) -> None:
    upload = st.session_state.get(key)
    st.session_state[OPEN_COUNTER] = st.session_state.get(OPEN_COUNTER, 0) + 1  # a fresh, empty uploader
    if upload is None:
        return
    ws, problems = open_bytes(upload.getvalue(), upload.name)
    if ws is None:
        flash_refused(t("common.open.refused", name=md(upload.name)), problems)
        return
    state.replace_community(ws)
    flash("success", t("common.open.done", name=md(ws.doc.get("name", upload.name)),
                       members=len(ws.doc.get("members", [])), plants=len(ws.doc.get("plants", []))))


def _on_demo() -> None:
    state.replace_community(demo_workspace())
    flash("success", t("common.demo.done"))


@st.cache_resource(show_spinner=False)
def _comuni_labels() -> dict[str, str]:
    """ISTAT code → ``"Name (PR)"`` for every comune, largest first (read-only, shared by sessions)."""
    table = comuni_table().sort_values("population", ascending=False)
    return {code: f"{name} ({prov})" for code, name, prov in
            zip(table["istat_code"], table["name"], table["province_short"])}


def comune_label(istat: str) -> str:
    """``"015189"`` → ``"Rozzano (MI)"``."""
    return _comuni_labels().get(istat, istat)


def comune_value(istat: str) -> str:
    """What the scenario stores for a comune: its name, with the province when the name is shared."""
    table = comuni_table()
    r = table[table["istat_code"] == istat].iloc[0]
    same = table[table["folded"] == r["folded"]]
    return r["name"] if len(same) == 1 else f"{r['name']} ({r['province_short']})"


def comune_code(text) -> str | None:
    """The ISTAT code of the comune a scenario names (None when the gazetteer does not know it)."""
    from cer_core.geo import find_comune

    found = find_comune(str(text or "")) if text else None
    return found.istat_code if found else None


def with_details(doc: dict, name: str, istat: str | None, year: int) -> dict:
    """A copy of ``doc`` with the community's name, comune (by ISTAT code; kept when None) and year."""
    out = copy.deepcopy(doc)
    if name.strip():
        out["name"] = name.strip()
    if istat:
        out.setdefault("site", {})["comune"] = comune_value(istat)
    out["year"] = int(year)
    return out


def details_form(doc: dict) -> None:
    """Name, comune and simulated year of the community, editable after creation (a scenario opened
    with an unknown comune or the wrong year is fixed here, not in the JSON)."""
    site = doc.get("site") or {}
    current = comune_code(site.get("comune"))
    options = list(_comuni_labels())
    year = doc.get("year") if isinstance(doc.get("year"), int) else REFERENCE_YEAR
    with st.form("community_details", border=False):
        name = st.text_input(t("common.new.name"), value=str(doc.get("name") or ""), max_chars=120)
        c1, c2 = st.columns([3, 1])
        istat = c1.selectbox(t("common.new.comune"), options, index=options.index(current) if current in options
                             else None, format_func=comune_label, placeholder=t("common.new.comune_placeholder"))
        new_year = c2.number_input(t("common.new.year"), min_value=2000, max_value=2100,
                                   value=min(max(year, 2000), 2100), step=1)
        submitted = st.form_submit_button(t("common.details.apply"), type="primary")
    if submitted:
        if not name.strip():
            st.error(t("common.new.need_name"))
        elif not istat and not current:
            st.error(t("common.new.need_comune"))
        else:
            state.set_doc(with_details(state.get_workspace().doc, name, istat, int(new_year)))
            flash("success", t("common.details.done"))
            st.rerun()


NEW_DIALOG_KEY = "new_community_open"


def _open_new_dialog() -> None:
    st.session_state[NEW_DIALOG_KEY] = True


def _close_new_dialog() -> None:
    st.session_state[NEW_DIALOG_KEY] = False


def _new_community_dialog() -> None:
    """The "new community" form, shown while ``NEW_DIALOG_KEY`` is set (so a full rerun keeps it open)."""
    @st.dialog(t("common.new.title"), on_dismiss=_close_new_dialog)
    def dialog() -> None:
        with st.form("new_community_form", border=False):
            name = st.text_input(t("common.new.name"), value=t("common.new.default_name"), max_chars=120,
                                 key="new_name")
            options = list(_comuni_labels())
            istat = st.selectbox(t("common.new.comune"), options, index=None, format_func=comune_label,
                                 placeholder=t("common.new.comune_placeholder"), key="new_comune")
            year = st.number_input(t("common.new.year"), min_value=2000, max_value=2100,
                                   value=REFERENCE_YEAR, step=1, key="new_year", help=t("common.new.year_help"))
            submitted = st.form_submit_button(t("common.new.create"), type="primary", key="new_create")
        if submitted:
            if not name.strip():
                st.error(t("common.new.need_name"))
            elif not istat:
                st.error(t("common.new.need_comune"))
            else:
                doc = new_document(name, comune_value(istat), int(year))
                state.replace_community(Workspace(doc=doc, origin=t("common.new.origin")))
                flash("success", t("common.new.done", name=md(doc["name"])))
                _close_new_dialog()
                st.rerun()

    dialog()


# -------------------------------------------------------------------------------------------------
# the sidebar
# -------------------------------------------------------------------------------------------------

def render() -> compute.RunState:
    """Draw the sidebar and return the current simulation state."""
    ws = state.get_workspace()
    run = compute.simulate(ws)
    lang = current_lang()
    sb = st.sidebar
    if LANG_WIDGET not in st.session_state:
        st.session_state[LANG_WIDGET] = lang
    sb.radio(t("common.language"), LANGS, format_func=LANG_NAMES.get, key=LANG_WIDGET, horizontal=True,
             on_change=_on_lang)

    sb.subheader(t("common.scenario"), divider="green")
    doc = ws.doc
    site = doc.get("site") or {}
    sb.markdown(f"**{md(doc.get('name', '—'))}**")
    sb.caption(t("common.scenario_line", comune=md(site.get("comune", "—")), year=doc.get("year", "—"),
                 members=len(doc.get("members", [])), plants=len(doc.get("plants", []))))
    if run.ok:
        n_warn = len(run.warnings)
        sb.success(t("common.state.ok") + (t("common.state.warnings", n=n_warn) if n_warn else ""),
                   icon=":material/check_circle:")
    else:
        sb.error(t("common.state.problems", n=len(run.problems)), icon=":material/error:")

    sb.button(t("present.toggle"), icon=":material/slideshow:", on_click=look.set_presenting, args=(True,),
              help=t("present.toggle_help"), width="stretch", key="present_on")

    sb.subheader(t("common.file"), divider="green")
    key = f"open_uploader_{st.session_state.get(OPEN_COUNTER, 0)}"
    sb.file_uploader(t("common.open.label"), type=["zip", "json"], key=key, on_change=_on_open, args=(key,),
                     help=t("common.open.help"), max_upload_size=MAX_OPEN_MB)
    sb.download_button(t("common.save.label"), data=ws.to_bundle, file_name=f"{slug(doc.get('name', '')) or 'cer'}"
                       ".cerstudio.zip", mime="application/zip", on_click="ignore", icon=":material/download:",
                       help=t("common.save.help"), width="stretch", key="save_bundle")
    col1, col2 = sb.columns(2)
    col1.button(t("common.new.button"), icon=":material/add:", width="stretch", key="new_community",
                on_click=_open_new_dialog)
    col2.button(t("common.demo.button"), icon=":material/science:", width="stretch", on_click=_on_demo,
                key="load_demo")
    sb.caption(t("common.footer"))
    if st.session_state.get(NEW_DIALOG_KEY):
        _new_community_dialog()
    return run
