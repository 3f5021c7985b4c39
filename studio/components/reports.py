"""Download buttons for the reports (community report, member sheets), for any page that has a run.

The PDFs are built by the core (``cer_core.export.report``) only when the user clicks, and cached by the
run's digest and the language, like the other downloads in ``studio/components/compute.py``.
"""

from __future__ import annotations

import streamlit as st

from cer_core.results_view import summary_view

from .compute import RunState
from .i18n import t
from ..pure.tables import slug


@st.cache_data(max_entries=4, show_spinner=False)
def _community_pdf(digest: str, lang: str, _state: RunState) -> bytes:
    from cer_core.export.report import community_report_pdf

    return community_report_pdf(_state.outcome, lang)


@st.cache_data(max_entries=4, show_spinner=False)
def _sheets_zip(digest: str, lang: str, _state: RunState) -> bytes:
    from cer_core.export.report import member_sheets_zip

    return member_sheets_zip(_state.outcome, lang)


@st.cache_data(max_entries=16, show_spinner=False)
def _member_pdf(digest: str, lang: str, member_id: str, _state: RunState) -> bytes:
    from cer_core.export.report import member_sheet_pdf

    return member_sheet_pdf(_state.outcome, member_id, lang)


def report_downloads(run: RunState, lang: str, name: str, key: str = "reports") -> None:
    """The three report downloads: community report, one member's sheet (chosen in a select box), all sheets."""
    if not run.ok:
        return
    base = slug(name) or "cer"
    members = summary_view(run.summary).members
    st.markdown(f"##### {t('report.download.title')}")
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("report.download.community"), data=lambda: _community_pdf(run.digest, lang, run),
                       file_name=f"{base}_{t('report.download.community_file')}.pdf", mime="application/pdf",
                       on_click="ignore", icon=":material/picture_as_pdf:", width="stretch", key=f"{key}_community")
    c1.caption(t("report.download.community_help"))
    if members:
        names = {m.id: m.label for m in members}
        chosen = c2.selectbox(t("report.download.member_pick"), list(names), format_func=names.get,
                              key=f"{key}_member", label_visibility="collapsed")
        c2.download_button(t("report.download.member"), data=lambda: _member_pdf(run.digest, lang, chosen, run),
                           file_name=f"{base}_{slug(chosen) or 'socio'}.pdf", mime="application/pdf",
                           on_click="ignore", icon=":material/badge:", width="stretch", key=f"{key}_one")
        c3.download_button(t("report.download.sheets", n=len(members)),
                           data=lambda: _sheets_zip(run.digest, lang, run),
                           file_name=f"{base}_{t('report.download.sheets_file')}.zip", mime="application/zip",
                           on_click="ignore", icon=":material/folder_zip:", width="stretch", key=f"{key}_all")
        c3.caption(t("report.download.sheets_help"))
