"""Impianti FV: the plants table, one plant's details and roof faces, production per plant and
month, and the site's weather."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from cer_core.results_view import summary_view
from cer_core.scenario import PLANT_DEFAULTS
from cer_core.vocabulary import PLANT_KWP_MAX, year_or_default
from studio.pure import charts
from studio.components import compute, state
from studio.pure.format import fmt_energy, fmt_eur, fmt_kwp, fmt_number, fmt_qty
from studio.pure.describe import weather_lines
from studio.components.i18n import current_lang, t
from studio.pure.mdsafe import md
from studio.pure.imports import store_production_file, store_weather_file
from studio.pure.tables import (PLANT_READ_ONLY, apply_editor_state, faces_frame, faces_refused, iso_date, merge_plants,
                           plants_frame, records, set_faces, set_plant_fields, set_production_source, set_weather_source, WEATHER_SOURCES)
from studio.components.ui import (chart, flash, flash_refused, note_messages, number_field, remembered_choice, show_problems,
                       styled, widget_key)
from studio.components.frame import ensure as ensure_frame

ensure_frame("impianti")  # a deep link on a fresh server goes through app.py first

SELECTED_KEY = "impianti_selected"
PRODUCTION_SOURCES = ("pvlib", "file")
MAX_PRODUCTION_MB = 20


# -------------------------------------------------------------------------------------------------
# callbacks
# -------------------------------------------------------------------------------------------------

def _on_plants(frame: pd.DataFrame, key: str) -> None:
    edited = apply_editor_state(frame, st.session_state.get(key), PLANT_READ_ONLY)
    doc, notes = merge_plants(state.get_workspace().doc, records(edited))
    state.set_doc(doc)
    note_messages(notes)


def _on_field(plant_id: str, field: str, key: str) -> None:
    value = st.session_state.get(key)
    if value is None:
        return
    _set_field(plant_id, field, value)


def _set_field(plant_id: str, field: str, value) -> None:
    doc, notes = set_plant_fields(state.get_workspace().doc, plant_id, {field: value})
    state.set_doc(doc)
    note_messages(notes)


def _on_faces(plant_id: str, frame: pd.DataFrame, key: str) -> None:
    rows = records(apply_editor_state(frame, st.session_state.get(key)))
    doc = state.get_workspace().doc
    refused = faces_refused(next((p for p in doc.get("plants", []) if p.get("id") == plant_id), {}), rows)
    if refused:
        note_messages(refused)
        return
    state.set_doc(set_faces(doc, plant_id, rows))


def _on_source(plant_id: str, source: str) -> None:
    """The production source radio: pvlib at once; a file only once the plant has one (the radio
    then just shows the uploader, so choosing it never leaves the community unsimulable)."""
    state.set_doc(set_production_source(state.get_workspace().doc, plant_id, source))


def _on_production_file(plant_id: str, key: str) -> None:
    upload = st.session_state.get(key)
    st.session_state[f"prod_n_{plant_id}"] = st.session_state.get(f"prod_n_{plant_id}", 0) + 1
    if upload is None:
        return
    new, problems, kwh = store_production_file(state.get_workspace(), plant_id, upload.name, upload.getvalue())
    if new is None:
        flash_refused(t("impianti.file.refused", name=md(upload.name)), problems)
        return
    state.set_workspace(new)
    flash("success", t("impianti.file.done", name=md(upload.name), kwh=fmt_energy(kwh, current_lang())))


def _on_weather_source(source: str) -> None:
    """The weather choice: written at once, except a file before one is uploaded (see :func:`_on_source`)."""
    state.set_doc(set_weather_source(state.get_workspace().doc, source))


def _on_weather_file(key: str) -> None:
    upload = st.session_state.get(key)
    st.session_state["weather_n"] = st.session_state.get("weather_n", 0) + 1
    if upload is None:
        return
    new, problems, label = store_weather_file(state.get_workspace(), upload.name, upload.getvalue())
    if new is None:
        flash_refused(t("impianti.weather.refused", name=md(upload.name)), problems)
        return
    state.set_workspace(new)
    flash("success", t("impianti.weather.done", name=md(upload.name), label=md(label)))


# -------------------------------------------------------------------------------------------------
# sections
# -------------------------------------------------------------------------------------------------

def plants_table(doc: dict) -> None:
    frame = plants_frame(doc)
    # the column says «Membro (POD)»: the name and the POD, so two members with the same name are told apart
    members = {m.get("id"): " · ".join(x for x in (str(m.get("name") or m.get("id")), m.get("pod")) if x)
               for m in doc.get("members", [])}
    key = widget_key("plants_editor", [doc.get("plants"), list(members), lang])
    year = year_or_default(doc)
    st.data_editor(
        frame, key=key, num_rows="dynamic", hide_index=True, width="stretch", on_change=_on_plants, args=(frame, key),
        disabled=list(PLANT_READ_ONLY),
        column_config={
            "id": st.column_config.TextColumn(t("impianti.col.id"), width="small"),
            "name": st.column_config.TextColumn(t("impianti.col.name"), max_chars=120, width="medium"),
            "member": st.column_config.SelectboxColumn(t("impianti.col.member"), options=list(members), required=True,
                                                       format_func=lambda i: members.get(i, i), width="medium"),
            "kwp": st.column_config.NumberColumn(t("impianti.col.kwp"), min_value=0.0, max_value=PLANT_KWP_MAX, step=0.1,
                                                 format="localized", required=True, help=t("impianti.col.kwp_help")),
            "faces": st.column_config.NumberColumn(t("impianti.col.faces"), format="%d",
                                                   help=t("impianti.col.faces_help")),
            "tilt_deg": st.column_config.NumberColumn(t("impianti.col.tilt"), min_value=0, max_value=90, step=1,
                                                      format="%.0f°"),
            "azimuth_deg": st.column_config.NumberColumn(t("impianti.col.azimuth"), min_value=0, max_value=360,
                                                         step=1, format="%.0f°", help=t("impianti.col.azimuth_help")),
            "losses_pct": st.column_config.NumberColumn(t("impianti.col.losses"), min_value=0, max_value=100, step=0.5,
                                                        format="localized"),
            "commissioning": st.column_config.DateColumn(t("impianti.col.commissioning"), format="DD/MM/YYYY",
                                                         min_value=dt.date(2000, 1, 1), required=True,
                                                         default=dt.date(year, 1, 1)),
            "grant_pct": st.column_config.NumberColumn(t("impianti.col.grant"), min_value=0, max_value=100, step=1,
                                                       format="%.0f %%", help=t("impianti.col.grant_help")),
            "incentivised": st.column_config.CheckboxColumn(t("impianti.col.incentivised"),
                                                            help=t("impianti.col.incentivised_help"), default=True),
            "source": st.column_config.TextColumn(t("impianti.col.source"), width="small"),
        },
    )
    st.caption(t("impianti.table_hint"))


def plant_panel(doc: dict, plant: dict) -> None:
    pid = plant["id"]
    get = lambda k: plant.get(k, PLANT_DEFAULTS.get(k))  # noqa: E731
    c = st.columns(3)
    number_field(c[0], t("impianti.col.kwp"), float(plant.get("kwp") or 0), key=f"kwp_{pid}", on_value=_set_field,
                 args=(pid, "kwp"), min_value=0.0, max_value=PLANT_KWP_MAX, decimals=2, help=t("impianti.col.kwp_help"))
    k = widget_key(f"tilt_{pid}", get("tilt_deg"))
    c[1].number_input(t("impianti.col.tilt"), min_value=0.0, max_value=90.0, value=float(get("tilt_deg")), step=1.0,
                      format="%.0f", key=k, on_change=_on_field, args=(pid, "tilt_deg", k))
    k = widget_key(f"az_{pid}", get("azimuth_deg"))
    c[2].number_input(t("impianti.col.azimuth"), min_value=0.0, max_value=360.0, value=float(get("azimuth_deg")),
                      step=5.0, format="%.0f", key=k, on_change=_on_field, args=(pid, "azimuth_deg", k),
                      help=t("impianti.col.azimuth_help"))
    c = st.columns(3)
    number_field(c[0], t("impianti.col.losses"), float(get("losses_pct")), key=f"loss_{pid}", on_value=_set_field,
                 args=(pid, "losses_pct"), min_value=0.0, max_value=100.0, decimals=1)
    number_field(c[1], t("impianti.col.grant"), float(get("grant_pct")), key=f"grant_{pid}", on_value=_set_field,
                 args=(pid, "grant_pct"), min_value=0.0, max_value=100.0, decimals=1, help=t("impianti.col.grant_help"))
    date = iso_date(plant.get("commissioning")) or dt.date(year_or_default(doc), 1, 1)
    k = widget_key(f"date_{pid}", plant.get("commissioning"))
    c[2].date_input(t("impianti.col.commissioning"), value=date, min_value=dt.date(2000, 1, 1),
                    max_value=dt.date(2100, 12, 31), format="DD/MM/YYYY", key=k, on_change=_on_field,
                    args=(pid, "commissioning", k))
    c = st.columns(3)
    k = widget_key(f"inc_{pid}", get("incentivised"))
    c[0].toggle(t("impianti.col.incentivised"), value=bool(get("incentivised")), key=k, on_change=_on_field,
                args=(pid, "incentivised", k), help=t("impianti.col.incentivised_help"))
    number_field(c[1], t("impianti.col.tariff_excluded"), float(get("tariff_excluded_kw")), key=f"excl_{pid}",
                 on_value=_set_field, args=(pid, "tariff_excluded_kw"), min_value=0.0, max_value=PLANT_KWP_MAX, decimals=2,
                 help=t("impianti.col.tariff_excluded_help"))

    st.markdown(f"###### {t('impianti.faces.title')}")
    st.caption(t("impianti.faces.help"))
    frame = faces_frame(plant)
    k = widget_key(f"faces_{pid}", [plant.get("faces"), plant.get("kwp"), get("tilt_deg"), get("azimuth_deg")])
    st.data_editor(frame, key=k, num_rows="dynamic", hide_index=True, width="stretch", on_change=_on_faces,
                   args=(pid, frame, k), column_config={
                       "name": st.column_config.TextColumn(t("impianti.faces.name")),
                       "kwp": st.column_config.NumberColumn("kWp", min_value=0.0, max_value=PLANT_KWP_MAX, format="localized",
                                                            required=True),
                       "tilt_deg": st.column_config.NumberColumn(t("impianti.col.tilt"), min_value=0, max_value=90,
                                                                 format="%.0f°"),
                       "azimuth_deg": st.column_config.NumberColumn(t("impianti.col.azimuth"), min_value=0,
                                                                    max_value=360, format="%.0f°")})

    st.markdown(f"###### {t('impianti.source.title')}")
    production = plant.get("production") or {}
    source = production.get("source", "pvlib")
    view = remembered_choice(st.radio, t("impianti.source.label"), PRODUCTION_SOURCES,
                             store=widget_key(f"prod_view_{pid}", production), default=source,
                             format_func=lambda s: t(f"impianti.source.{s}"), horizontal=True,
                             on_change=lambda value: _on_source(pid, value))
    if view == "file":
        n = st.session_state.get(f"prod_n_{pid}", 0)
        key = f"prod_{pid}_{n}"
        st.file_uploader(t("impianti.file.label"), type=["csv", "txt", "json"], key=key, on_change=_on_production_file,
                         args=(pid, key), help=t("impianti.file.help"), max_upload_size=MAX_PRODUCTION_MB)
    path = production.get("path")
    if source == "file":
        st.caption(t("impianti.file.current", path=md(str(path).rsplit("/", 1)[-1]) if path else "—"))
    elif view == "file":
        st.caption(t("impianti.file.still_pvlib"))


def production_section(run) -> None:
    st.subheader(t("impianti.production.title"), divider="green")
    if not run.ok:
        st.info(t("impianti.production.not_simulated"))
        show_problems(run.problems)
        return
    view = summary_view(run.summary)
    records_ = view.plants
    if not records_:
        st.info(t("impianti.production.none"))
        return
    names = [r.label for r in records_]
    chart(charts.plant_monthly_figure(names, view.plant_monthly_kwh("production_kwh"), t, lang), "plant_monthly")
    frame = pd.DataFrame({
        t("impianti.col.name"): names,
        "kWp": [r.kwp for r in records_],
        t("impianti.production.kwh"): [r.production_kwh for r in records_],
        t("impianti.production.yield"): [r.specific_yield_kwh_kwp for r in records_],
        t("impianti.production.injected"): [r.injected_kwh for r in records_],
        t("impianti.production.shared"): [r.shared_kwh for r in records_],
        t("impianti.production.tip"): [r.tip_eur for r in records_],
        t("impianti.production.admitted"): [t("common.yes") if r.admitted else
                                            (r.admission(lang) or t("common.no")) for r in records_],
    })
    energy = lambda v: fmt_number(v, 0, lang)  # noqa: E731
    st.dataframe(styled(frame, {"kWp": lambda v: fmt_number(v, 1, lang), t("impianti.production.kwh"): energy,
                                t("impianti.production.yield"): energy, t("impianti.production.injected"): energy,
                                t("impianti.production.shared"): energy,
                                t("impianti.production.tip"): lambda v: fmt_eur(v, lang)}),
                 hide_index=True, width="stretch")
    st.caption(t("impianti.production.units"))


def weather_section(ws) -> None:
    st.subheader(t("impianti.weather.title"), divider="green")
    spec = (ws.doc.get("site") or {}).get("weather") or {"source": "auto"}
    source = spec.get("source", "auto")
    c1, c2 = st.columns([2, 3])
    view = remembered_choice(c1.selectbox, t("impianti.weather.choice"), WEATHER_SOURCES,
                             store=widget_key("weather_view", spec), default=source,
                             format_func=lambda s: t(f"impianti.weather.src.{s}"), on_change=_on_weather_source,
                             help=t("impianti.weather.choice_help"))
    if view == "file":
        n = st.session_state.get("weather_n", 0)
        key = f"weather_file_{n}"
        c2.file_uploader(t("impianti.weather.file"), type=["csv", "json"], key=key, on_change=_on_weather_file,
                         args=(key,), help=t("impianti.weather.file_help"), max_upload_size=MAX_PRODUCTION_MB)
        if source != "file":
            c2.caption(t("impianti.weather.still", source=t(f"impianti.weather.src.{source}")
                         if source in WEATHER_SOURCES else source))
    summary = compute.weather_summary(ws)
    if summary.problems:
        show_problems(summary.problems)
        return
    left, right = st.columns([3, 2], gap="large")
    with left:
        chart(charts.weather_figure(summary.irradiation_kwh_m2, summary.temperature_c, t, lang), "weather")
    with right:
        st.metric(t("impianti.weather.annual_irradiation"),
                  fmt_qty(sum(summary.irradiation_kwh_m2), "kWh/m²", 0, lang), border=True)
        st.metric(t("impianti.weather.mean_temperature"),
                  fmt_qty(float(np.mean(summary.temperature_c)), "°C", 1, lang), border=True)
        for line in weather_lines(summary.source, t, lang):
            st.markdown(line)


# -------------------------------------------------------------------------------------------------
# the page
# -------------------------------------------------------------------------------------------------

lang = current_lang()
ws = state.get_workspace()
doc = ws.doc
run = compute.simulate(ws)

st.title(t("impianti.title"))
st.caption(t("impianti.intro"))
plants = doc.get("plants", [])
total = sum(float(p.get("kwp") or 0) for p in plants)
st.markdown(t("impianti.total", n=len(plants), kwp=fmt_kwp(total, lang)))
plants_table(doc)

if plants:
    st.subheader(t("impianti.detail.title"), divider="green")
    ids = [p.get("id") for p in plants]
    selected = remembered_choice(st.selectbox, t("impianti.detail.select"), ids, store=SELECTED_KEY,
                                 format_func=lambda i: next((p.get("name") or i for p in plants if p.get("id") == i), i))
    plant_panel(doc, next(p for p in plants if p.get("id") == selected))
elif doc.get("members"):
    st.info(t("impianti.empty"))
else:
    st.info(t("impianti.no_members"))

production_section(run)
weather_section(ws)
