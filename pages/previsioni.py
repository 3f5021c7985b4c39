"""Previsioni 3 giorni: the community's next 72 hours (Open-Meteo, or the labelled fallback), the chart with
its band, the best hours for each member and the messages a community manager can send (docs/forecast.md)."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import streamlit as st

from cer_core.forecast import FLEXIBLE_SHARE, member_text, window_label
from cer_core.timeaxis import LOCAL_TZ
from studio.components import compute, state
from studio.pure.forecast_chart import forecast_figure
from studio.pure.format import fmt_energy, fmt_eur, fmt_number
from studio.components.frame import ensure as ensure_frame
from studio.components.i18n import current_lang, t
from studio.pure.mdsafe import md
from studio.pure.tables import slug
from studio.components.ui import chart, show_problems, styled, tr

ensure_frame("previsioni")  # a deep link on a fresh server goes through app.py first


def metrics(fc, cols: list[int]) -> None:
    pick = lambda a: float(a[:, cols].sum())
    chosen = {fc.cabina_ids[c] for c in cols}
    extra = sum(w.gain_eur for w in fc.windows if w.cabina in chosen)
    c = st.columns(4)
    c[0].metric(t("previsioni.metric.production"), fmt_energy(pick(fc.cabina_production_kwh), lang), border=True,
                help=t("previsioni.metric.production_help"))
    c[0].caption(t("previsioni.metric.band", low=fmt_energy(pick(fc.cabina_low_kwh), lang),
                   high=fmt_energy(pick(fc.cabina_high_kwh), lang)))
    c[1].metric(t("previsioni.metric.shared"), fmt_energy(pick(fc.cabina_shared_kwh), lang), border=True)
    c[2].metric(t("previsioni.metric.surplus"), fmt_energy(pick(fc.cabina_surplus_kwh), lang), border=True,
                help=t("previsioni.metric.surplus_help"))
    c[3].metric(t("previsioni.metric.extra"), fmt_eur(extra, lang, 2 if extra < 100 else 0), border=True,
                help=t("previsioni.metric.extra_help"))


def advice(fc, chosen: set[str]) -> None:
    st.subheader(t("previsioni.advice.title"))
    st.caption(t("previsioni.advice.caption", share=fmt_number(FLEXIBLE_SHARE * 100, 0, lang)))
    today = fc.hours_utc[0].tz_convert(LOCAL_TZ).date()
    names = dict(zip(fc.member_ids, fc.member_names))
    rows = [{t("previsioni.col.member"): names[w.member_id], t("previsioni.col.cabina"): w.cabina,
             t("previsioni.col.window"): window_label(w, today, lang), t("previsioni.col.gain_kwh"): w.gain_kwh,
             t("previsioni.col.gain_eur"): w.gain_eur} for w in fc.windows if w.cabina in chosen]
    if not rows:
        st.info(t("previsioni.advice.none"), icon=":material/info:")
        return
    frame = pd.DataFrame(rows)
    st.dataframe(styled(frame, {t("previsioni.col.gain_kwh"): lambda v: fmt_number(v, 1, lang),
                                t("previsioni.col.gain_eur"): lambda v: fmt_number(v, 2, lang)}),
                 hide_index=True, width="stretch")


def texts_zip(fc) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, member_id in enumerate(fc.member_ids):
            zf.writestr(f"{i + 1:02d}_{slug(member_id)}.txt", member_text(fc, member_id, lang))
    return buf.getvalue()


def exports(fc) -> None:
    st.subheader(t("previsioni.export.title"))
    stamp = fc.hours_utc[0].tz_convert(LOCAL_TZ).strftime("%Y%m%d_%H")
    c1, c2 = st.columns(2)
    c1.download_button(t("previsioni.export.csv"), data=fc.csv_bytes(), file_name=f"previsioni_{stamp}.csv",
                       mime="text/csv", icon=":material/table:", width="stretch", key="fc_dl_csv")
    c2.download_button(t("previsioni.export.texts"), data=lambda: texts_zip(fc), file_name=f"messaggi_{stamp}.zip",
                       mime="application/zip", icon=":material/folder_zip:", width="stretch", key="fc_dl_zip")
    if not fc.member_ids:
        return
    names = dict(zip(fc.member_ids, fc.member_names))
    advised = {w.member_id for w in fc.windows}
    first = next((i for i, m in enumerate(fc.member_ids) if m in advised), 0)
    member = st.selectbox(t("previsioni.export.member"), fc.member_ids, index=first, format_func=lambda m: names[m],
                          key="fc_member")
    text = member_text(fc, member, lang)
    st.code(text, language=None, wrap_lines=True)
    st.download_button(t("previsioni.export.text"), data=text.encode("utf-8"),
                       file_name=f"{slug(member)}_{stamp}.txt", mime="text/plain", icon=":material/description:",
                       key="fc_dl_txt")


#: The hourly table's columns, in the order shown (headers from ``previsioni.table.col.*``).
TABLE_COLUMNS = ("timestamp", "cabina", "production_kwh", "production_low_kwh", "production_high_kwh", "load_kwh",
                 "shared_kwh", "surplus_kwh", "cer_rate_eur_mwh")


def hourly_table(fc, cols: list[int]) -> None:
    frame = fc.cabina_frame()
    frame = frame[frame["cabina"].isin([fc.cabina_ids[c] for c in cols])].drop(columns=["timestamp_utc"])
    numeric = [c for c in frame.columns if c.endswith(("_kwh", "_mwh"))]
    frame = frame[[c for c in TABLE_COLUMNS if c in frame.columns]]
    shown = {c: t(f"previsioni.table.col.{c}") for c in frame.columns}  # the CSV keeps its field names
    with st.expander(t("previsioni.table.title"), icon=":material/table:"):
        st.dataframe(styled(frame.rename(columns=shown), {shown[c]: (lambda v: fmt_number(v, 2, lang))
                                                          for c in numeric if c in shown}),
                     hide_index=True, width="stretch")


# -------------------------------------------------------------------------------------------------
# the page
# -------------------------------------------------------------------------------------------------

lang = current_lang()
ws = state.get_workspace()
run = compute.simulate(ws)
st.title(t("previsioni.title"))
if not run.ok:
    st.warning(t("previsioni.not_simulated"))
    show_problems(run.problems)
    st.stop()
st.caption(t("previsioni.subtitle", name=md(ws.doc.get("name", ""), 120)))
left, right = st.columns([2, 1], vertical_alignment="bottom")
offline = right.toggle(t("previsioni.offline"), key="fc_offline", help=t("previsioni.offline_help"))
fc, problems = compute.forecast(ws, run, offline=offline)
if fc is None:
    show_problems(problems)
    st.stop()
options = [None, *fc.cabina_ids]
cabina = left.selectbox(t("previsioni.cabina"), options, key="fc_cabina",
                        format_func=lambda c: t("previsioni.all_cabine") if c is None else c)
if fc.source == "fallback":
    st.warning(t("previsioni.source_fallback", note=md(fc.note(lang), 600)), icon=":material/cloud_off:")
else:
    st.info(t("previsioni.source_forecast", note=md(fc.note(lang), 600)), icon=":material/partly_cloudy_day:")
if not fc.plant_ids:
    st.info(t("previsioni.no_plants"), icon=":material/info:")
cols = list(range(len(fc.cabina_ids))) if cabina is None else [fc.cabina_ids.index(cabina)]
metrics(fc, cols)
chart(forecast_figure(fc, tr, lang, cabina), "forecast_chart")
advice(fc, {fc.cabina_ids[c] for c in cols})
hourly_table(fc, cols)
exports(fc)
