"""Membri e consumi: the members table, the cabine primarie, and each member's consumption data
(meter files, bills, or a standard profile) with a preview."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cer_core.io.bills import bills_template_csv
from cer_core.vocabulary import CATEGORY_CHOICES, DEFAULT_CATEGORY, DEFAULT_KIND, KIND_CHOICES, year_or_default
from studio.pure import charts
from studio.components import compute, state
from studio.pure.format import fmt_energy, fmt_number, fmt_pct, fmt_qty
from studio.components.i18n import current_lang, t
from studio.pure.mdsafe import md
from studio.pure.imports import (MAX_METER_MB, category_monthly_factors, import_meter_files, measured_load,
                            store_meter_import)
from studio.pure.tables import (MEMBER_READ_ONLY, apply_editor_state, bill_dicts, bills_frame, bills_from_rows,
                           bills_refused, cabina_options, cabine_frame, default_load, members_frame, merge_cabine, merge_members, profile_names,
                           records, set_member_load, tr_profile)
from studio.components.ui import (chart, flash, flash_refused, lang_key, note_messages, number_field, number_in_field,
                        remembered_choice, remembered_tabs, show_problems, widget_key)
from studio.components.frame import ensure as ensure_frame

ensure_frame("membri")  # a deep link on a fresh server goes through app.py first

REPORTS_KEY = state.METER_REPORTS_KEY
SELECTED_KEY = "membri_selected"
POD_REGEX = r"^$|^IT\d{3}E\d{8,9}[A-Z]?$"


# -------------------------------------------------------------------------------------------------
# callbacks: merge what the user did into the scenario document
# -------------------------------------------------------------------------------------------------

def _on_members(frame: pd.DataFrame, key: str) -> None:
    edited = apply_editor_state(frame, st.session_state.get(key), MEMBER_READ_ONLY)
    doc, notes = merge_members(state.get_workspace().doc, records(edited))
    state.set_doc(doc)
    note_messages(notes)


def _on_cabine(frame: pd.DataFrame, key: str) -> None:
    edited = apply_editor_state(frame, st.session_state.get(key))
    doc, notes = merge_cabine(state.get_workspace().doc, records(edited))
    state.set_doc(doc)
    note_messages(notes)


def _on_load(member_id: str, changes: dict) -> None:
    state.set_doc(set_member_load(state.get_workspace().doc, member_id, changes))


def _set_profile(member_id: str, profile, annual_kwh: float) -> None:
    if profile not in profile_names():
        return  # a stale label, not a profile: never written into the scenario
    _on_load(member_id, {"source": "profile", "profile": profile, "annual_kwh": float(annual_kwh)})


def _on_profile(member_id: str, profile_key: str, kwh_key: str, kwh: float) -> None:
    """The profile chosen (or «use the standard profile»), with the yearly kWh the field holds."""
    _set_profile(member_id, st.session_state.get(profile_key), number_in_field(kwh_key, kwh))


def _on_annual(member_id: str, profile_key: str, annual_kwh: float) -> None:
    _set_profile(member_id, st.session_state.get(profile_key), annual_kwh)


def _on_bills(member_id: str, frame: pd.DataFrame, key: str) -> None:
    rows = records(apply_editor_state(frame, st.session_state.get(key)))
    member = next((m for m in state.get_workspace().doc.get("members", []) if m.get("id") == member_id), {})
    refused = bills_refused(member, rows)
    if refused:
        note_messages(refused)
        return
    bills = bills_from_rows(rows)
    changes: dict = {"bills": bills or None}
    if bills:
        changes["source"] = "bills"
    _on_load(member_id, changes)


def _on_bills_file(member_id: str, key: str) -> None:
    upload = st.session_state.get(key)
    st.session_state[f"bills_n_{member_id}"] = st.session_state.get(f"bills_n_{member_id}", 0) + 1
    if upload is None:
        return
    from cer_core.io.bills import read_bills
    from cer_core.errors import CerInputError

    try:
        found = read_bills(upload.getvalue(), upload.name)
    except CerInputError as exc:
        flash_refused(t("membri.bills.refused", name=md(upload.name)), exc.problems)
        return
    member = next((m for m in state.get_workspace().doc.get("members", []) if m.get("id") == member_id), {})
    bills = bill_dicts(found.bills, member.get("pod"))
    # real data wins: a typed annual figure (the profile's) must not linger beside the bills
    changes = {"source": "bills", "bills": bills, "path": None, "annual_kwh": None}
    if found.contract_kw:
        changes["contract_kw"] = float(found.contract_kw)
    _on_load(member_id, changes)
    flash("success", t("membri.bills.imported", n=len(bills), name=md(upload.name)))


def _on_meter(member_id: str, key: str) -> None:
    uploads = st.session_state.get(key) or []
    st.session_state[f"meter_n_{member_id}"] = st.session_state.get(f"meter_n_{member_id}", 0) + 1
    if not uploads:
        return
    ws = state.get_workspace()
    year = int(ws.doc.get("year"))
    member = next((m for m in ws.doc.get("members", []) if m.get("id") == member_id), {})
    files = [(u.name, u.getvalue()) for u in uploads]
    result = import_meter_files(files, year, current_lang(), pod=member.get("pod"),
                                contract_kw=(member.get("load") or {}).get("contract_kw", member.get("contract_kw")),
                                monthly_factors=category_monthly_factors(ws.doc, member))
    reports = st.session_state.setdefault(REPORTS_KEY, {})
    reports[member_id] = {"files": [n for n, _ in files], "lines": result.report,
                          "problems": result.problems + result.warnings,
                          "ok": result.ok, "annual_kwh": float(result.kwh.sum()) if result.ok else None}
    if not result.ok:
        return
    new_ws, load = store_meter_import(ws, member_id, files, result.kwh, year)
    for m in new_ws.doc.get("members", []):
        if m.get("id") == member_id:
            m["load"] = measured_load(m.get("load"), load, float(result.kwh.sum()))
    state.set_workspace(new_ws)
    flash("success", t("membri.file.imported", n=len(files), kwh=fmt_energy(result.kwh.sum(), current_lang())))


def _on_scale(member_id: str, measured_kwh: float, kwh: float) -> None:
    """Scale the measured curve to ``kwh`` a year: only because the user asked (the factor is stored)."""
    if measured_kwh > 0 and kwh > 0:
        _on_load(member_id, {"scale_factor": kwh / measured_kwh})


def _on_unscale(member_id: str) -> None:
    _on_load(member_id, {"scale_factor": None})


# -------------------------------------------------------------------------------------------------
# page sections
# -------------------------------------------------------------------------------------------------

def members_table(doc: dict) -> None:
    frame = members_frame(doc, t, lang)
    cabine = cabina_options(doc)
    key = widget_key("members_editor", [doc.get("members"), cabine, lang])
    st.data_editor(
        frame, key=key, num_rows="dynamic", hide_index=True, width="stretch", on_change=_on_members, args=(frame, key),
        disabled=list(MEMBER_READ_ONLY),
        column_config={
            "id": st.column_config.TextColumn(t("membri.col.id"), width="small", help=t("membri.col.id_help")),
            "name": st.column_config.TextColumn(t("membri.col.name"), max_chars=120, width="medium"),
            "kind": st.column_config.SelectboxColumn(t("membri.col.kind"), options=KIND_CHOICES, required=True, width=110,
                                                     default=DEFAULT_KIND, format_func=lambda k: t(f"common.kind.{k}")),
            "category": st.column_config.SelectboxColumn(t("membri.col.category"), options=CATEGORY_CHOICES, required=True,
                                                         default=DEFAULT_CATEGORY,
                                                         format_func=lambda c: t(f"common.category.{c}")),
            "cabina": st.column_config.SelectboxColumn(t("membri.col.cabina"), options=cabine, required=True,
                                                       default=cabine[0]),
            "pod": st.column_config.TextColumn(t("membri.col.pod"), validate=POD_REGEX, max_chars=16,
                                               help=t("membri.col.pod_help")),
            "load": st.column_config.TextColumn(t("membri.col.load"), width="medium", help=t("membri.col.load_help")),
        },
    )
    st.caption(t("membri.table_hint"))


def cabine_table(doc: dict) -> None:
    frame = cabine_frame(doc)
    key = widget_key("cabine_editor", [doc.get("cabine"), [m.get("cabina") for m in doc.get("members", [])], lang])
    with st.expander(t("membri.cabine.title", n=len(frame)), icon=":material/hub:"):
        st.caption(t("membri.cabine.intro"))
        st.data_editor(
            frame, key=key, num_rows="dynamic", hide_index=True, width="stretch", on_change=_on_cabine,
            args=(frame, key), disabled=["members", "area"], column_order=["id", "name", "members", "area"],
            column_config={
                "id": st.column_config.TextColumn(t("membri.cabine.id"), required=True, max_chars=64),
                "name": st.column_config.TextColumn(t("membri.cabine.name"), max_chars=120),
                "members": st.column_config.NumberColumn(t("membri.cabine.members"), format="%d"),
                "area": st.column_config.CheckboxColumn(t("membri.cabine.area")),
            },
        )


def source_editor(doc: dict, member: dict) -> None:
    mid = member["id"]
    load = member.get("load") or {}
    current = load.get("source")
    options = ["profile", "bills", "file"] + (["none"] if member.get("kind") == "producer" else [])
    st.markdown(t("membri.source.in_use", source=t(f"membri.source.{current or 'none'}")))
    view = remembered_choice(st.segmented_control, t("membri.source.label"), options, store=f"load_view_{mid}",
                             default=current if current in options else ("none" if "none" in options else "profile"),
                             format_func=lambda s: t(f"membri.source.{s}"))
    year = year_or_default(doc)
    if view == "profile":
        profiles = profile_names()
        prof = load.get("profile") or default_load(member.get("category", DEFAULT_CATEGORY))["profile"]
        if prof not in profiles:
            profiles = [prof] + profiles
        kwh = float(load.get("annual_kwh") if load.get("annual_kwh") is not None
                    else load.get("measured_kwh") if load.get("measured_kwh") is not None
                    else default_load(member.get("category", DEFAULT_CATEGORY))["annual_kwh"])
        pkey = lang_key(f"profile_{mid}", [prof])
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")  # a wrapped label keeps the fields level
        kkey = number_field(c2, t("membri.profile.annual"), kwh, key=f"annual_{mid}", on_value=_on_annual,
                            args=(mid, pkey), min_value=0.0, max_value=1e8, decimals=0)
        c1.selectbox(t("membri.profile.label"), profiles, index=profiles.index(prof), key=pkey,
                     format_func=lambda p: tr_profile(p, t), on_change=_on_profile, args=(mid, pkey, kkey, kwh))
        if current != "profile":
            st.button(t("membri.profile.use"), key=f"use_profile_{mid}", on_click=_on_profile,
                      args=(mid, pkey, kkey, kwh), type="primary")
        st.caption(t("membri.profile.help"))
    elif view == "bills":
        frame = bills_frame(load.get("bills"), year)
        key = widget_key(f"bills_{mid}", [load.get("bills"), year])
        st.caption(t("membri.bills.help"))
        kcfg = {"min_value": 0.0, "max_value": 1e7, "format": "localized"}
        st.data_editor(
            frame, key=key, num_rows="dynamic", hide_index=True, width="stretch", on_change=_on_bills,
            args=(mid, frame, key),
            column_config={
                "start": st.column_config.DateColumn(t("membri.bills.start"), format="DD/MM/YYYY", required=True),
                "end": st.column_config.DateColumn(t("membri.bills.end"), format="DD/MM/YYYY", required=True),
                "f1_kwh": st.column_config.NumberColumn("F1 (kWh)", **kcfg),
                "f2_kwh": st.column_config.NumberColumn("F2 (kWh)", **kcfg),
                "f3_kwh": st.column_config.NumberColumn("F3 (kWh)", **kcfg),
                "f23_kwh": st.column_config.NumberColumn("F2+F3 (kWh)", **kcfg),
                "total_kwh": st.column_config.NumberColumn(t("membri.bills.total"), **kcfg),
                "estimated": st.column_config.CheckboxColumn(t("membri.bills.estimated"),
                                                             help=t("membri.bills.estimated_help")),
                "adjustment": st.column_config.CheckboxColumn(t("membri.bills.adjustment"),
                                                              help=t("membri.bills.adjustment_help")),
            },
        )
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        n = st.session_state.get(f"bills_n_{mid}", 0)
        bkey = f"bills_file_{mid}_{n}"
        c1.file_uploader(t("membri.bills.file"), type=["csv", "txt", "xlsx"], key=bkey, on_change=_on_bills_file,
                         args=(mid, bkey), help=t("membri.bills.file_help"), max_upload_size=MAX_METER_MB)
        c2.download_button(t("membri.bills.template"), data=bills_template_csv(), file_name="modello_bollette.csv",
                           mime="text/csv", on_click="ignore", icon=":material/download:", key=f"bills_tpl_{mid}")
    elif view == "file":
        n = st.session_state.get(f"meter_n_{mid}", 0)
        key = f"meter_{mid}_{n}"
        st.file_uploader(t("membri.file.label"), accept_multiple_files=True, key=key, on_change=_on_meter,
                         args=(mid, key), type=["csv", "txt", "json", "jsonl", "zip", "xlsx"],
                         help=t("membri.file.help"), max_upload_size=MAX_METER_MB)
        if current == "file":
            names = [o.get("path", "").rsplit("/", 1)[-1] for o in load.get("originals", [])]
            if names:      # the user's own files, not the studio's internal hourly copy
                st.caption(t("membri.file.current_originals", originals=md(", ".join(names), 600)))
            else:
                st.caption(t("membri.file.current", path=md(str(load.get("path", "")).rsplit("/", 1)[-1]),
                             originals="—"))
            scale_control(mid, load)
        report = st.session_state.get(REPORTS_KEY, {}).get(mid)
        if report:
            st.markdown(t("membri.file.report", files=md(", ".join(report["files"]), 600)))
            if report["ok"]:
                st.success(t("membri.file.report_ok", kwh=fmt_energy(report["annual_kwh"], lang)),
                           icon=":material/check_circle:")
            for line in report["lines"]:
                st.markdown(f"- {md(line, 400)}")
            show_problems(report["problems"])
    else:
        st.caption(t("membri.source.none_help"))
        if current:
            st.button(t("membri.source.set_none"), key=f"set_none_{mid}", on_click=_on_load,
                      args=(mid, {"source": None}))


def scale_control(mid: str, load: dict) -> None:
    """The measured total, and scaling it to another yearly figure only on explicit request (with the factor)."""
    measured = load.get("measured_kwh")
    if measured is None:
        return
    factor = load.get("scale_factor")
    if factor is not None and factor != 1.0:
        st.warning(t("membri.file.scaled", measured=fmt_energy(measured, lang), factor=fmt_number(factor, 3, lang).rstrip("0").rstrip(",."),
                     kwh=fmt_energy(measured * factor, lang)), icon=":material/straighten:")
        st.button(t("membri.file.unscale"), key=f"unscale_{mid}", on_click=_on_unscale, args=(mid,))
        return
    st.caption(t("membri.file.measured", measured=fmt_energy(measured, lang)))
    with st.expander(t("membri.file.scale_title"), icon=":material/straighten:"):
        st.caption(t("membri.file.scale_help"))
        number_field(st, t("membri.file.scale_to"), None, key=f"scale_to_{mid}", on_value=_on_scale,
                     args=(mid, float(measured)), min_value=1.0, max_value=1e8, decimals=0)


def preview(ws, doc: dict, member: dict) -> None:
    load = compute.member_load_preview(ws, member["id"])
    if load is not None and load.problems:
        show_problems(load.problems)
        return
    if load is None or load.kwh is None or not len(load.kwh):
        st.info(t("membri.preview.none"))
        return
    kwh, year, total = load.kwh, load.year, load.total_kwh
    band = load.band_kwh
    st.markdown(t("membri.preview.figures", kwh=fmt_energy(total, lang), peak=fmt_qty(load.peak_kw, "kW", 1, lang),
                  f1=fmt_pct(band[0] / total if total > 0 else None, 1, lang)), help=t("membri.preview.peak_help"))
    tabs = remembered_tabs([t("membri.preview.monthly"), t("membri.preview.days"), t("membri.preview.bands")],
                           "member_tab")
    with tabs[0]:
        if tabs[0].open is not False:
            chart(charts.member_monthly_figure(load.monthly_by_band_kwh, t, lang), "member_monthly")
    with tabs[1]:
        if tabs[1].open:
            chart(charts.member_typical_days_figure(kwh, year, t, lang), "member_days")
    with tabs[2]:
        if tabs[2].open:
            chart(charts.band_split_figure(kwh, year, t, lang), "member_bands")


# -------------------------------------------------------------------------------------------------
# the page
# -------------------------------------------------------------------------------------------------

lang = current_lang()
ws = state.get_workspace()
doc = ws.doc

st.title(t("membri.title"))
st.caption(t("membri.intro"))
members_table(doc)
cabine_table(doc)

members = doc.get("members", [])
st.subheader(t("membri.detail.title"), divider="green")
if not members:
    st.info(t("membri.empty"))
    st.stop()

ids = [m.get("id") for m in members]
names = {m.get("id"): f"{m.get('name') or m.get('id')} · {t('common.kind.' + str(m.get('kind')))}" for m in members}
selected = remembered_choice(st.selectbox, t("membri.detail.select"), ids, store=SELECTED_KEY,
                             format_func=lambda i: names.get(i, i))
member = next(m for m in members if m.get("id") == selected)
left, right = st.columns([2, 3], gap="large")
with left:
    st.markdown(f"##### {t('membri.detail.data')}")
    source_editor(doc, member)
with right:
    st.markdown(f"##### {t('membri.detail.preview')}")
    preview(ws, doc, member)
