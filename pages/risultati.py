"""Risultati: the simulated year — energy, money, members, cabine, checks, downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cer_core.api import community_hourly
from cer_core.results_view import summary_view
from studio.pure import charts
from studio.components import compute, state
from studio.pure.describe import attribution_text, weather_lines
from studio.pure.format import fmt_energy, fmt_eur, fmt_number, fmt_pct
from studio.components.i18n import current_lang, t
from studio.pure.mdsafe import md
from studio.components.reports import report_downloads
from studio.components.rules_form import rules_form
from studio.pure.tables import slug
from studio.pure.overview import split_checks
from studio.components.ui import chart, progress_bars, remembered_tabs, show_problems, styled, tr
from studio.components.frame import ensure as ensure_frame

ensure_frame("risultati")  # a deep link on a fresh server goes through app.py first

STATUS_ICON = {"pass": ":material/check_circle:", "warning": ":material/warning:", "fail": ":material/cancel:"}


def energy_tab(run) -> None:
    results = run.outcome.results
    chart(charts.monthly_energy_figure(view.monthly, tr, lang), "monthly_energy")
    hourly = community_hourly(results)
    chart(charts.typical_day_figure(hourly["production_kwh"], hourly["consumption_kwh"], hourly["shared_kwh"],
                                    results.year, tr, lang), "typical_day")
    left, right = st.columns(2, gap="medium")
    with left:
        chart(charts.sankey_figure(view.totals, tr, lang), "sankey")
    with right:
        chart(charts.shared_heatmap_figure(hourly["shared_kwh"], results.year, tr, lang), "heatmap")
    monthly_table(view.monthly)


def monthly_table(monthly) -> None:
    months = charts.month_names(lang)
    keys = ("production_kwh", "consumption_kwh", "self_consumed_kwh", "shared_kwh", "injected_kwh", "withdrawn_kwh")
    frame = pd.DataFrame({t("risultati.col.month"): [months[r.month - 1] for r in monthly],
                          **{t(f"risultati.col.{k}"): [getattr(r, k) for r in monthly] for k in keys}})
    with st.expander(t("risultati.monthly_table"), icon=":material/table:"):
        st.dataframe(styled(frame, {t(f"risultati.col.{k}"): lambda v: fmt_number(v, 0, lang) for k in keys}),
                     hide_index=True, width="stretch")
        st.caption(t("risultati.units_kwh"))


def money_tab(run) -> None:
    summary, totals = run.summary, view.totals
    c = st.columns(4)
    c[0].metric(t("risultati.money.tip"), fmt_eur(totals.tip_eur, lang), border=True)
    c[1].metric(t("risultati.money.valorisation"), fmt_eur(totals.valorisation_eur, lang), border=True)
    c[2].metric(t("risultati.money.cer_costs"), fmt_eur(-float(totals.cer_costs_eur or 0.0), lang), border=True)
    c[3].metric(t("risultati.metric.cer_money"), fmt_eur(totals.cer_money_eur, lang), border=True)
    own = st.columns(2)
    own[0].metric(t("risultati.money.sale_own"), fmt_eur(totals.energy_sale_eur, lang), border=True)
    own[1].metric(t("risultati.money.savings_own"), fmt_eur(totals.self_consumption_savings_eur, lang), border=True)
    st.caption(t("risultati.money.own_caption", sale=fmt_eur(totals.energy_sale_eur, lang),
                 sale_net=fmt_eur(totals.energy_sale_net_eur, lang),
                 savings=fmt_eur(totals.self_consumption_savings_eur, lang)))
    left, right = st.columns(2, gap="medium")
    with left:
        chart(charts.money_year_figure(totals, tr, lang), "money_year")
    with right:
        chart(charts.money_monthly_figure(view.monthly, tr, lang), "money_monthly")
    rules = summary.get("rules", {})
    st.caption(t("risultati.money.rules", attribution=attribution_text(rules, t),
                 tras=fmt_number(rules.get("valorisation_eur_mwh"), 2, lang),
                 pz=fmt_number(summary.get("zonal_price", {}).get("mean_eur_mwh"), 1, lang)))
    st.caption(t("risultati.money.rules_2025",
                 year_mode=t(f"risultati.year_mode.{rules.get('year_mode', 'reference')}"),
                 fees=t(f"risultati.fees.{rules.get('gse_fee_scheme', 'decree')}"),
                 exemption=t("risultati.exemption." + ("on" if rules.get("grant_cut_exemption", True) else "off")),
                 exempt_eur=fmt_eur(totals.grant_cut_exemption_eur, lang)))
    rules_form(ws.doc)


def members_tab(run) -> None:
    rows = view.members
    if not rows:
        st.info(t("risultati.no_members"))
        return
    cols = ("consumption_kwh", "production_kwh", "self_consumed_kwh", "injected_kwh", "withdrawn_kwh")
    money = ("bill_savings_eur", "energy_sale_eur", "tip_generated_eur")
    frame = pd.DataFrame({
        t("risultati.col.member"): [r.label for r in rows],
        t("risultati.col.kind"): [t(f"common.kind.{r.kind}") for r in rows],
        t("risultati.col.cabina"): [r.cabina for r in rows],
        **{t(f"risultati.col.{k}"): [getattr(r, k) for r in rows] for k in cols},
        t("risultati.col.self_sufficiency"): [r.self_sufficiency_ratio for r in rows],
        **{t(f"risultati.col.{k}"): [getattr(r, k) for r in rows] for k in money},
    })
    fmts = {t(f"risultati.col.{k}"): (lambda v: fmt_number(v, 0, lang)) for k in cols}
    fmts[t("risultati.col.self_sufficiency")] = lambda v: fmt_pct(v, 1, lang)
    fmts.update({t(f"risultati.col.{k}"): (lambda v: fmt_eur(v, lang)) for k in money})
    st.dataframe(styled(frame, fmts), hide_index=True, width="stretch")
    st.caption(t("risultati.members_note"))


def cabine_tab(run) -> None:
    rows = view.cabine
    energy = ("injected_kwh", "withdrawn_kwh", "shared_kwh", "incentivised_kwh")
    frame = pd.DataFrame({
        t("risultati.col.cabina"): [r.label for r in rows],
        t("risultati.col.members"): [r.members for r in rows],
        t("risultati.col.plants"): [r.plants for r in rows],
        "kWp": [r.kwp for r in rows],
        **{t(f"risultati.col.{k}"): [getattr(r, k) for r in rows] for k in energy},
        t("risultati.col.tip_eur"): [r.tip_eur for r in rows],
        t("risultati.col.valorisation_eur"): [r.valorisation_eur for r in rows],
    })
    fmts = {t(f"risultati.col.{k}"): (lambda v: fmt_number(v, 0, lang)) for k in energy}
    fmts.update({"kWp": lambda v: fmt_number(v, 1, lang), t("risultati.col.tip_eur"): lambda v: fmt_eur(v, lang),
                 t("risultati.col.valorisation_eur"): lambda v: fmt_eur(v, lang)})
    st.dataframe(styled(frame, fmts), hide_index=True, width="stretch")
    st.caption(t("risultati.cabine_note"))


def checks_tab(run) -> None:
    summary = run.summary
    st.markdown(f"##### {t('risultati.restricted.title')}")
    st.caption(t("risultati.restricted.intro"))
    for r in summary.get("restricted_tip", []):
        if not r.get("plants"):
            continue
        label = t(f"risultati.restricted.{r.get('set')}")
        ratio, threshold = r.get("ratio", 0.0), r.get("threshold", 0.0)
        over = r.get("restricted_eur", 0.0) > 0
        text = t("risultati.restricted.line", set=label, ratio=fmt_pct(ratio, 1, lang),
                 threshold=fmt_pct(threshold, 0, lang), n=len(r.get("plants", [])),
                 tip=fmt_eur(r.get("tip_eur"), lang), restricted=fmt_eur(r.get("restricted_eur"), lang))
        (st.warning if over else st.success)(text, icon=STATUS_ICON["warning" if over else "pass"])
        st.progress(min(ratio, 1.0), text=t("risultati.restricted.bar", ratio=fmt_pct(ratio, 1, lang),
                                            threshold=fmt_pct(threshold, 0, lang)))
    st.markdown(f"##### {t('risultati.checks.title')}")
    checks, progress = split_checks(summary.get("checks", []))
    progress_bars(progress, lang)
    for c in checks:
        if c.get("status") in ("fail", "warning"):
            (st.error if c["status"] == "fail" else st.warning)(md(c.get(lang) or c.get("it", ""), 400),
                                                                icon=STATUS_ICON[c["status"]])
    passed = [c for c in checks if c.get("status") == "pass"]
    if passed:
        with st.expander(t("risultati.checks.passed", n=len(passed)), icon=":material/check_circle:",
                         expanded=len(passed) <= 6):
            st.markdown("\n".join(f"- {md(c.get(lang) or c.get('it', ''), 400)}" for c in passed))
    with st.expander(t("risultati.sources.title"), icon=":material/info:"):
        sources = summary.get("sources", {})
        prices = sources.get("prices") or {}
        st.markdown(t("risultati.sources.prices", label=md(prices.get("label", "—")), zone=prices.get("market_zone", "—")))
        weather = weather_lines(sources.get("weather"), t, lang)
        st.markdown(t("risultati.sources.weather", text=" · ".join(weather) if weather else "—"))
        st.markdown(t("risultati.sources.rules", text=attribution_text(summary.get("rules"), t)))


def downloads_tab(run, name: str) -> None:
    st.caption(t("risultati.download.intro"))
    base = slug(name) or "cer"
    c1, c2 = st.columns(2)
    hourly = c1.toggle(t("risultati.download.hourly"), value=False, key="dl_zip_hourly",
                       help=t("risultati.download.hourly_help"))
    c1.download_button(t("risultati.download.zip"), data=lambda: compute.results_zip(run, hourly=hourly),
                       file_name=f"{base}_risultati{'_orari' if hourly else ''}.zip", mime="application/zip",
                       on_click="ignore", icon=":material/folder_zip:", width="stretch",
                       key=f"dl_zip_{'hourly' if hourly else 'lean'}")
    c1.caption(t("risultati.download.zip_help"))
    c2.download_button(t("risultati.download.xlsx"), data=lambda: compute.results_xlsx(run, lang),
                       file_name=f"{base}_risultati.xlsx", on_click="ignore", icon=":material/table_view:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", width="stretch",
                       key="dl_xlsx")
    c2.caption(t("risultati.download.xlsx_help"))
    report_downloads(run, lang, name)


# -------------------------------------------------------------------------------------------------
# the page
# -------------------------------------------------------------------------------------------------

lang = current_lang()
ws = state.get_workspace()
run = compute.simulate(ws)
st.title(t("risultati.title"))
if not run.ok:
    st.warning(t("risultati.not_simulated"))
    show_problems(run.problems)
    st.stop()

view = summary_view(run.summary)  # typed: a key missing from the results fails here, by its name
totals = view.totals
st.caption(t("risultati.subtitle", name=md(ws.doc.get("name", "")), year=run.outcome.results.year,
             seconds=fmt_number(run.seconds, 2, lang)))
c = st.columns(5)
c[0].metric(t("risultati.metric.production"), fmt_energy(totals.production_kwh, lang), border=True)
c[1].metric(t("risultati.metric.consumption"), fmt_energy(totals.consumption_kwh, lang), border=True)
c[2].metric(t("risultati.metric.shared"), fmt_energy(totals.shared_kwh, lang), border=True,
            help=t("risultati.metric.shared_help"))
c[3].metric(t("risultati.metric.incentives"), fmt_eur(totals.cer_incentives_eur, lang), border=True)
c[4].metric(t("risultati.metric.cer_money"), fmt_eur(totals.cer_money_eur, lang), border=True,
            help=t("risultati.metric.cer_money_help"))

labels = [t(f"risultati.tab.{k}") for k in ("energy", "money", "members", "cabine", "checks", "downloads")]
tabs = remembered_tabs(labels, "results_tab")
renderers = (energy_tab, money_tab, members_tab, cabine_tab, checks_tab, lambda r: downloads_tab(r, ws.doc.get("name", "")))
for tab, render in zip(tabs, renderers):
    with tab:
        if tab.open is not False:
            render(run)
