"""Panoramica: the community at a glance — headline figures, a small map, what is still missing."""

from __future__ import annotations

import streamlit as st

from cer_core.results_view import summary_view
from studio.pure import charts

from studio.components import compute, state
from studio.pure.format import fmt_co2, fmt_energy, fmt_eur, fmt_kwp, fmt_number, fmt_pct
from studio.components.i18n import current_lang, t
from studio.pure.mdsafe import md, md_fmt
from studio.pure.plain import user_message
from studio.pure.overview import cabine_count, confirm_cabine, kwp_by_member, missing_items, split_checks
from studio.pure.ripartizione import range_text
from studio.components.ui import chart, progress_bars, show_problems, tr
from studio.components.frame import ensure as ensure_frame
from studio.components.sidebar import comune_code, details_form

ensure_frame("panoramica")  # a deep link on a fresh server goes through app.py first


lang = current_lang()
ws = state.get_workspace()
doc = ws.doc
run = compute.simulate(ws)
summary = run.summary
totals = summary_view(summary).totals if run.ok else None  # typed: a missing key fails by its name

st.title(md(doc.get("name", "CER")))
site = doc.get("site") or {}
st.caption(t("panoramica.subtitle", comune=md(site.get("comune", "—")), year=doc.get("year", "—"),
             cabine=cabine_count(doc)))
if doc.get("description"):
    st.markdown(md(doc["description"], 2000))
site_known = comune_code(site.get("comune")) is not None
details = st.expander(t("panoramica.details"), icon=":material/edit:", expanded=not site_known,
                      key=f"details_open_{site_known}", on_change="rerun")
if details.open:  # drawn only when open: the comuni list is ~8,000 options to send to the browser
    with details:
        details_form(doc)

kwp = sum(float(p.get("kwp") or 0) for p in doc.get("plants", []))
st.markdown(f"##### {t('panoramica.figures', year=doc.get('year', '—'))}")
row1 = st.columns(4)
row1[0].metric(t("panoramica.metric.members"), fmt_number(len(doc.get("members", [])), 0, lang), border=True,
               help=t("panoramica.metric.members_help", plants=len(doc.get("plants", []))))
row1[1].metric(t("panoramica.metric.kwp"), fmt_kwp(kwp, lang), border=True)
row1[2].metric(t("panoramica.metric.production"), fmt_energy(totals.production_kwh, lang) if run.ok else "–", border=True)
row1[3].metric(t("panoramica.metric.shared"), fmt_energy(totals.shared_kwh, lang) if run.ok else "–", border=True,
               help=t("panoramica.metric.shared_help", pct=fmt_pct(totals.shared_over_injected if run.ok else None, 1,
                                                                   lang)))
row2 = st.columns(4)
# the headline is what the CER brings; energy sale and self-consumption savings are the plants' and
# prosumers' own economics, shown apart and labelled (docs/results.md)
money_help = (t("panoramica.metric.cer_money_help", tip=fmt_eur(totals.tip_eur, lang), val=fmt_eur(totals.valorisation_eur, lang),
                costs=fmt_eur(totals.cer_costs_eur, lang)) if run.ok else
              t("panoramica.metric.cer_money_help", tip=fmt_eur(None, lang), val=fmt_eur(None, lang),
                costs=fmt_eur(None, lang)))
row2[0].metric(t("panoramica.metric.cer_money"), fmt_eur(totals.cer_money_eur, lang) if run.ok else "–", border=True,
               help=money_help)
row2[1].metric(t("panoramica.metric.sale"), fmt_eur(totals.energy_sale_net_eur, lang) if run.ok else "–", border=True,
               help=t("panoramica.metric.sale_help"))
row2[2].metric(t("panoramica.metric.own_savings"), fmt_eur(totals.self_consumption_savings_eur, lang) if run.ok else "–",
               border=True, help=t("panoramica.metric.own_savings_help"))
row2[3].metric(t("panoramica.metric.co2"), fmt_co2(totals.co2_avoided_kg, lang) if run.ok else "–", border=True)
if run.ok:
    st.caption(t("panoramica.own_economics"))
split_range = range_text(summary.get("allocation")) if run.ok else None  # the chosen regolamento's range
if split_range:
    st.caption(t("ripartizione.range", low=fmt_eur(split_range[0], lang), median=fmt_eur(split_range[1], lang),
                 high=fmt_eur(split_range[2], lang)))

if not run.ok:
    st.subheader(t("panoramica.not_simulated"))
    show_problems(run.problems)

left, right = st.columns([3, 2], gap="large")
with left:
    chart(charts.mini_map_figure(doc.get("members", []), doc.get("cabine", []), kwp_by_member(doc), tr, lang),
          "overview_map")
    st.page_link("pages/mappa.py", label=t("panoramica.open_map"), icon=":material/map:")
with right:
    st.subheader(t("panoramica.todo"))
    items = missing_items(doc)
    for key, fmt, page in items:
        with st.container(border=True):
            st.markdown(t(key, **md_fmt(fmt)))
            if key == "panoramica.missing.area":     # a municipality can act on this only if told how
                st.caption(t("panoramica.cabina_howto"))
                st.button(t("panoramica.cabina_confirm"), key="cabina_confirm", icon=":material/task_alt:",
                          on_click=lambda: state.set_doc(confirm_cabine(state.get_workspace().doc)))
            st.page_link(page, label=t("panoramica.go_to", page=t("common.nav." + page.split("/")[-1][:-3])),
                         icon=":material/arrow_forward:")
    if run.ok and run.warnings:
        with st.expander(t("panoramica.warnings", n=len(run.warnings))):
            for p in run.warnings:
                st.markdown(f"- {md(user_message(p, lang, doc), 400)}")
    if not items and run.ok:
        st.success(t("panoramica.ready"), icon=":material/task_alt:")
    elif not items:
        st.warning(t("panoramica.fix_problems"), icon=":material/arrow_upward:")
    if run.ok:
        checks, progress = split_checks(summary.get("checks", []))
        counts = {s: sum(1 for c in checks if c.get("status") == s) for s in ("pass", "warning", "fail")}
        st.subheader(t("panoramica.checks"))
        st.markdown(t("panoramica.checks_line", ok=counts["pass"], warn=counts["warning"], fail=counts["fail"]))
        for c in checks:
            if c.get("status") == "fail":
                st.error(c.get(lang) or c.get("it", ""), icon=":material/cancel:")
        progress_bars(progress, lang)
        st.page_link("pages/risultati.py", label=t("panoramica.to_results"), icon=":material/bar_chart:")
        ratio_line = t("panoramica.ratios", self=fmt_pct(totals.self_consumption_ratio, 1, lang),
                       suff=fmt_pct(totals.self_sufficiency_ratio, 1, lang))
        st.caption(ratio_line)
