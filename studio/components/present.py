"""Presentation mode: one clean page per topic (the community, the money, one member) for a projector or
the browser's print to A4. Nothing here edits the scenario; the only controls choose what is shown.

Honest numbers: what the CER brings (tariff + valorisation, shared among the members by the regolamento)
is shown apart from what producers and prosumers get outside the CER (energy sale, self-consumption).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cer_core.results_view import summary_view

from ..pure import charts

from . import compute, look, state
from ..pure.format import fmt_co2, fmt_energy, fmt_eur, fmt_kwp, fmt_number, fmt_pct, month_names
from .i18n import current_lang, t
from ..pure.mdsafe import md
from ..pure.overview import cabine_count, kwp_by_member
from ..pure.ripartizione import range_text
from .ui import chart, remembered_choice, show_problems, tr

TOPICS = ("community", "money", "member")
TOPIC_KEY = "present_topic"
MEMBER_KEY = "present_member"
#: Charts are drawn taller than in the editing pages: they are read from the back of a room.
CHART_HEIGHT_PX = 460


def _big(fig):
    fig.update_layout(height=CHART_HEIGHT_PX)
    return fig


def _legend_below(fig):
    """The legend under the months: in a half-width column it wraps to two rows, and above the plot it
    climbed over the chart's subtitle."""
    fig.update_layout(legend={"yanchor": "top", "y": -0.1}, margin={"t": 84})
    return fig


def _category(category) -> str:
    text = t(f"common.category.{category}")
    return str(category) if text == f"common.category.{category}" else text


def _exit() -> None:
    look.set_presenting(False)


def render() -> None:
    """The presentation page of the current community."""
    lang = current_lang()
    ws = state.get_workspace()
    doc = ws.doc
    run = compute.simulate(ws)
    head, switch, leave = st.columns([5, 4, 1.3], vertical_alignment="center")
    head.title(md(doc.get("name", "CER")))
    with switch:
        topic = remembered_choice(st.segmented_control, t("present.topic"), TOPICS, store=TOPIC_KEY,
                                  format_func=lambda k: t(f"present.topic_{k}"), label_visibility="collapsed")
    leave.button(t("present.exit"), icon=":material/close_fullscreen:", on_click=_exit, key="present_exit",
                 width="stretch")
    site = doc.get("site") or {}
    st.caption(t("present.subtitle", comune=md(site.get("comune", "—")), year=doc.get("year", "—"),
                 members=len(doc.get("members", [])), cabine=cabine_count(doc)))
    if not run.ok:
        st.warning(t("present.not_simulated"))
        show_problems(run.problems)
        return
    {"community": _community, "money": _money, "member": _member}[topic](doc, run, lang)


def _community(doc: dict, run, lang: str) -> None:
    view = summary_view(run.summary)
    totals = view.totals
    c = st.columns(4)
    c[0].metric(t("present.members"), fmt_number(len(doc.get("members", [])), 0, lang))
    c[1].metric(t("present.kwp"), fmt_kwp(sum(float(p.get("kwp") or 0) for p in doc.get("plants", [])), lang))
    c[2].metric(t("present.production"), fmt_energy(totals.production_kwh, lang))
    c[3].metric(t("present.shared"), fmt_energy(totals.shared_kwh, lang),
                help=t("present.shared_help", pct=fmt_pct(totals.shared_over_injected, 0, lang)))
    left, right = st.columns([2, 3], gap="large")
    with left:
        chart(_big(charts.mini_map_figure(doc.get("members", []), doc.get("cabine", []), kwp_by_member(doc), tr, lang)),
              "present_map")
    with right:
        chart(_legend_below(_big(charts.monthly_energy_figure(view.monthly, tr, lang))),
              "present_monthly")
    st.caption(t("present.community_note", co2=fmt_co2(totals.co2_avoided_kg, lang),
                 suff=fmt_pct(totals.self_sufficiency_ratio, 0, lang)))


def _money(doc: dict, run, lang: str) -> None:
    view = summary_view(run.summary)
    totals = view.totals
    yearly = (run.summary.get("allocation") or {}).get("yearly") or {}
    st.markdown(f"#### {t('present.cer_money')}")
    c = st.columns(4)
    c[0].metric(t("present.tip"), fmt_eur(totals.tip_eur, lang))
    c[1].metric(t("present.valorisation"), fmt_eur(totals.valorisation_eur, lang))
    c[2].metric(t("present.cer_total"), fmt_eur(totals.cer_incentives_eur, lang))
    c[3].metric(t("present.to_members"), fmt_eur(yearly.get("members_eur"), lang) if yearly else "–")
    spread = range_text(run.summary.get("allocation"))
    if spread:
        st.caption(t("ripartizione.range", low=fmt_eur(spread[0], lang), median=fmt_eur(spread[1], lang),
                     high=fmt_eur(spread[2], lang)))
    st.markdown(f"#### {t('present.outside_cer')}")
    c = st.columns(4)
    c[0].metric(t("present.savings"), fmt_eur(totals.bill_savings_eur, lang))
    # net of the RID fees, the figure the Panoramica shows under the same name
    c[1].metric(t("present.sale"), fmt_eur(totals.energy_sale_net_eur, lang),
                help=t("panoramica.metric.sale_help"))
    left, right = st.columns(2, gap="large")
    with left:
        chart(_big(charts.money_year_figure(totals, tr, lang)), "present_money_year")
    with right:
        chart(_big(charts.money_monthly_figure(view.monthly, tr, lang)), "present_money_monthly")


def _member(doc: dict, run, lang: str) -> None:
    rows = summary_view(run.summary).members
    if not rows:
        st.info(t("present.no_members"))
        return
    names = {r.id: r.label for r in rows}
    mid = remembered_choice(st.selectbox, t("present.member"), list(names), store=MEMBER_KEY,
                            format_func=lambda i: names.get(i, i))
    row = next(r for r in rows if r.id == mid)
    split = next((m for m in (run.summary.get("allocation") or {}).get("members", []) if m.get("id") == mid), {})
    st.markdown(f"## {md(names[mid])}")
    st.caption(t("present.member_line", kind=t(f"common.kind.{row.kind}"),
                 category=_category(row.category), cabina=md(str(row.cabina))))
    c = st.columns(4)
    c[0].metric(t("present.consumption"), fmt_energy(row.consumption_kwh, lang))
    c[1].metric(t("present.production"), fmt_energy(row.production_kwh, lang))
    c[2].metric(t("present.self_sufficiency"), fmt_pct(row.self_sufficiency_ratio, 0, lang))
    c[3].metric(t("present.from_cer"), fmt_eur(split.get("net_eur"), lang) if split else "–",
                help=t("present.from_cer_help"))
    c = st.columns(4)
    c[0].metric(t("present.savings"), fmt_eur(row.bill_savings_eur, lang))
    c[1].metric(t("present.sale"), fmt_eur(row.energy_sale_eur, lang))
    monthly = row.monthly  # 12 values each, required by docs/results.schema.json
    if monthly["consumption_kwh"]:
        fig = charts.figure(
            [{"type": "bar", "name": t("present.consumption"), "x": list(month_names(lang)),
              "y": list(np.asarray(monthly["consumption_kwh"]) / 1000), "marker": {"color": "#7f8c8d"}},
             {"type": "bar", "name": t("present.production"), "x": list(month_names(lang)),
              "y": list(np.asarray(monthly["production_kwh"]) / 1000), "marker": {"color": "#f2b705"}}],
            charts.layout(t("present.member_chart"), lang, height=CHART_HEIGHT_PX))
        fig.update_yaxes(title_text="MWh")
        chart(fig, "present_member_monthly")
