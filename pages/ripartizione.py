"""Ripartizione: the community's rules for sharing its money, every member's statement, who wins and
who loses, and the rules written out as a regolamento draft (docs/allocation.md)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from cer_core.money.allocation import PRESETS, SHARE_NAMES, Regolamento, add_shapley, compare, preset
from cer_core.regolamento_text import draft
from cer_core.vocabulary import MEMBER_CATEGORIES
from studio.components import compute, state
from studio.pure.format import fmt_eur, fmt_number
from studio.components.frame import ensure as ensure_frame
from studio.components.i18n import current_lang, t
from studio.components.reports import report_downloads
from studio.pure.ripartizione import (compare_figure, compare_frames, members_figure, members_frame, names_by_id,
                                 pot_monthly_figure, rules_of_doc, shares_problem, statement_frame)
from studio.pure.tables import slug
from studio.components.ui import chart, remembered_choice, remembered_tabs, show_problems, styled, widget_key

ensure_frame("ripartizione")  # a deep link on a fresh server goes through app.py first

COSTS = ("platform_eur_per_member_year", "platform_pct", "insurance_eur_year", "referent_eur_year")


# -------------------------------------------------------------------------------------------------
# the rules form: widgets → Regolamento → the scenario's "regolamento" (edit_doc)
# -------------------------------------------------------------------------------------------------

def _form_rules(prefix: str) -> Regolamento:
    get = lambda name: st.session_state[f"{prefix}_{name}"]  # noqa: E731
    third = get("third_party_on")
    return Regolamento(
        shares_pct={k: float(get(f"share_{k}")) for k in SHARE_NAMES}, consumers_key=get("consumers_key"),
        category_weights={c: float(get(f"weight_{c}")) for c in MEMBER_CATEGORIES if float(get(f"weight_{c}")) != 1.0},
        producers_key=get("producers_key"), third_party_eur_mwh=float(get("third_party_eur_mwh")) if third else None,
        gse_fees=bool(get("gse_fees")), restricted_to=get("restricted_to"),
        **{k: float(get(k)) for k in COSTS})


def _apply(prefix: str) -> None:
    rules = _form_rules(prefix)
    total = shares_problem(rules.shares_pct)
    if total is not None:
        st.session_state["rip_error"] = t("ripartizione.rules.bad_total", total=fmt_number(total, 1, lang))
        return
    state.edit_doc(lambda doc: doc.__setitem__("regolamento", rules.to_dict()))


def _reset() -> None:
    state.edit_doc(lambda doc: doc.pop("regolamento", None))


def rules_tab(rules: Regolamento, categories_present: list[str]) -> None:
    prefix = widget_key("rip", rules.to_dict())
    if "rip_error" in st.session_state:
        st.error(st.session_state.pop("rip_error"), icon=":material/error:")
    with st.form(f"{prefix}_form", border=True):
        st.markdown(f"##### {t('ripartizione.rules.shares')}")
        st.caption(t("ripartizione.rules.shares_help"))
        cols = st.columns(4)
        # "%g": 40 rather than "40.0" (st.number_input formats with printf: no decimal comma is possible)
        for col, name in zip(cols, SHARE_NAMES):
            col.number_input(t(f"ripartizione.share.{name}"), 0.0, 100.0, float(rules.shares_pct.get(name, 0.0)),
                             step=5.0, format="%g", key=f"{prefix}_share_{name}")
        left, right = st.columns(2, gap="large")
        with left:
            st.markdown(f"##### {t('ripartizione.rules.consumers')}")
            st.radio(t("ripartizione.rules.consumers_key"), ("contribution", "equal", "category"),
                     index=("contribution", "equal", "category").index(rules.consumers_key),
                     format_func=lambda k: t(f"ripartizione.consumers_key.{k}"), key=f"{prefix}_consumers_key")
            with st.expander(t("ripartizione.rules.weights"), icon=":material/balance:"):
                st.caption(t("ripartizione.rules.weights_help"))
                wcols = st.columns(2)
                for i, c in enumerate(MEMBER_CATEGORIES):
                    wcols[i % 2].number_input(t(f"ripartizione.category.{c}"), 0.0, 10.0,
                                              float(rules.category_weights.get(c, 1.0)), step=0.5, format="%g",
                                              key=f"{prefix}_weight_{c}",
                                              disabled=c not in categories_present)
            st.radio(t("ripartizione.rules.restricted_to"), ("consumers", "social_fund"),
                     index=("consumers", "social_fund").index(rules.restricted_to),
                     format_func=lambda k: t(f"ripartizione.restricted_to.{k}"), key=f"{prefix}_restricted_to",
                     help=t("ripartizione.rules.restricted_help"))
        with right:
            st.markdown(f"##### {t('ripartizione.rules.producers')}")
            st.radio(t("ripartizione.rules.producers_key"), ("incentivised", "injection"),
                     index=("incentivised", "injection").index(rules.producers_key),
                     format_func=lambda k: t(f"ripartizione.producers_key.{k}"), key=f"{prefix}_producers_key")
            st.checkbox(t("ripartizione.rules.third_party_on"), value=rules.third_party_eur_mwh is not None,
                        key=f"{prefix}_third_party_on")
            st.number_input(t("ripartizione.rules.third_party_eur_mwh"), 0.0, 500.0,
                            float(rules.third_party_eur_mwh or 0.0), step=5.0, format="%g",
                            key=f"{prefix}_third_party_eur_mwh")
            st.markdown(f"##### {t('ripartizione.rules.costs')}")
            st.checkbox(t("ripartizione.rules.gse_fees"), value=rules.gse_fees, key=f"{prefix}_gse_fees")
            ccols = st.columns(2)
            for i, k in enumerate(COSTS):
                ccols[i % 2].number_input(t(f"ripartizione.rules.{k}"), 0.0, 100_000.0 if "pct" not in k else 100.0,
                                          float(getattr(rules, k)), step=1.0, format="%g", key=f"{prefix}_{k}")
        b1, b2 = st.columns([1, 1])
        b1.form_submit_button(t("ripartizione.rules.apply"), type="primary", on_click=_apply, args=(prefix,),
                              icon=":material/check:", width="stretch")
    st.button(t("ripartizione.rules.reset"), on_click=_reset, icon=":material/restart_alt:",
              disabled="regolamento" not in ws.doc)


# -------------------------------------------------------------------------------------------------
# members, statements, comparison, draft
# -------------------------------------------------------------------------------------------------

def with_shapley(allocation: dict) -> dict:
    """The allocation with the Shapley values (computed once per simulation)."""
    if allocation.get("shapley"):
        return allocation
    with st.spinner(t("ripartizione.shapley.computing")):
        shap = compute.shapley(ws, run)
    out = {**allocation, "members": [dict(m) for m in allocation["members"]]}
    add_shapley(out, shap)
    return out


def members_tab(allocation: dict, names: dict) -> None:
    allocation = with_shapley(allocation)
    chart(members_figure(allocation, names, t, lang), "rip_members")
    frame = members_frame(allocation, names, t)
    money_cols = [c for c in frame.columns if c.endswith("(€)")]
    st.dataframe(styled(frame, {**{c: (lambda v: fmt_eur(v, lang, 2)) for c in money_cols},
                                t("ripartizione.col.contribution_kwh"): lambda v: fmt_number(v, 0, lang)}),
                 hide_index=True, width="stretch")
    shap = allocation.get("shapley") or {}
    method = t(f"ripartizione.shapley.{shap.get('method', 'exact')}",
               err=fmt_eur(shap.get("max_stderr_eur", 0.0), lang))
    st.caption(t("ripartizione.shapley.note", method=method))


def statements_tab(allocation: dict, names: dict) -> None:
    ids = [m["id"] for m in allocation["members"]]
    if not ids:
        st.info(t("ripartizione.no_members"))
        return
    chosen = remembered_choice(st.selectbox, t("ripartizione.statement.member"), ids, store="rip_member",
                               format_func=lambda i: names.get(i, i))
    year = next(m for m in allocation["members"] if m["id"] == chosen)
    c = st.columns(4)
    c[0].metric(t("ripartizione.statement.net"), fmt_eur(year["net_eur"], lang, 2), border=True)
    c[1].metric(t("ripartizione.statement.restricted"), fmt_eur(year["restricted_eur"], lang, 2), border=True,
                help=t("ripartizione.statement.restricted_help"))
    c[2].metric(t("ripartizione.statement.sale"), fmt_eur(year["outside_pot"]["energy_sale_eur"], lang), border=True,
                help=t("ripartizione.statement.outside_help"))
    c[3].metric(t("ripartizione.statement.savings"), fmt_eur(year["outside_pot"]["bill_savings_eur"], lang),
                border=True, help=t("ripartizione.statement.outside_help"))
    frame = statement_frame(allocation, chosen, t, lang)
    kwh = [t(f"ripartizione.col.{k}") for k in ("withdrawn_kwh", "injected_kwh", "contribution_kwh")]
    eur = [c for c in frame.columns if c not in kwh and c != t("ripartizione.col.month")]
    st.dataframe(styled(frame, {**{c: (lambda v: fmt_number(v, 0, lang)) for c in kwh},
                                **{c: (lambda v: fmt_eur(v, lang, 2)) for c in eur}}),
                 hide_index=True, width="stretch")
    st.caption(t("ripartizione.statement.note"))
    st.divider()
    report_downloads(run, lang, ws.doc.get("name", ""), key="rip_reports")  # the sheets carry this split


def compare_tab(allocation: dict, rules: Regolamento, names: dict) -> None:
    base = compute.allocation_base(ws, run)
    options = [k for k in PRESETS]
    picked = st.multiselect(t("ripartizione.compare.pick"), options, default=["equal", "producers"],
                            format_func=lambda k: t(f"ripartizione.preset.{k}"), max_selections=2,
                            key=f"rip_compare__{lang}")
    sets = {"chosen": rules, **{k: preset(k, replace(rules)) for k in picked}}
    labels = {"chosen": t("ripartizione.compare.chosen"), **{k: t(f"ripartizione.preset.{k}") for k in picked}}
    st.caption(t("ripartizione.compare.help"))
    cmp = compare(base, sets)
    chart(compare_figure(cmp, labels, t, lang), "rip_compare")
    members, categories = compare_frames(cmp, names, labels, t)
    fmt = lambda frame: {c: (lambda v: fmt_eur(v, lang, 0)) for c in frame.columns[1:]}  # noqa: E731
    st.markdown(f"##### {t('ripartizione.compare.by_category')}")
    st.dataframe(styled(categories, fmt(categories)), hide_index=True, width="stretch")
    st.markdown(f"##### {t('ripartizione.compare.by_member')}")
    st.dataframe(styled(members, fmt(members)), hide_index=True, width="stretch")


def draft_tab(rules: Regolamento) -> None:
    langs = ("it", "en")
    text_lang = remembered_choice(st.segmented_control, t("ripartizione.draft.lang"), langs, store="rip_draft_lang",
                                  default=lang, format_func=lambda k: t(f"ripartizione.draft.lang_{k}"))
    text = draft(rules, text_lang)
    st.caption(t("ripartizione.draft.help"))
    with st.container(border=True):
        st.markdown(text)
    st.download_button(t("ripartizione.draft.download"), data=text.encode("utf-8"),
                       file_name=f"{slug(ws.doc.get('name', '')) or 'cer'}_regolamento_{text_lang}.md",
                       mime="text/markdown", icon=":material/download:", on_click="ignore")


# -------------------------------------------------------------------------------------------------
# the page
# -------------------------------------------------------------------------------------------------

lang = current_lang()
ws = state.get_workspace()
run = compute.simulate(ws)
st.title(t("ripartizione.title"))
if not run.ok:
    st.warning(t("ripartizione.not_simulated"))
    show_problems(run.problems)
    st.stop()

allocation = run.summary.get("allocation") or {}
rules = rules_of_doc(ws.doc)
names = names_by_id(run.summary)
st.caption(t("ripartizione.subtitle", name=ws.doc.get("name", ""), year=run.outcome.results.year))
yearly = allocation.get("monthly", [])
total = lambda key: sum(r[key] for r in yearly)  # noqa: E731
c = st.columns(4)
c[0].metric(t("ripartizione.metric.pot"), fmt_eur(total("pot_eur"), lang), border=True,
            help=t("ripartizione.metric.pot_help"))
c[1].metric(t("ripartizione.metric.costs"), fmt_eur(total("costs_eur"), lang), border=True)
c[2].metric(t("ripartizione.metric.members"), fmt_eur(total("members_eur"), lang), border=True)
c[3].metric(t("ripartizione.metric.fund"), fmt_eur(total("social_fund_eur") + total("running_costs_eur"), lang),
            border=True, help=t("ripartizione.metric.fund_help"))
st.caption(t("ripartizione.rules_line", text=t(f"ripartizione.consumers_key.{rules.consumers_key}"),
             producers=fmt_number(rules.shares_pct.get("producers"), 0, lang),
             consumers=fmt_number(rules.shares_pct.get("consumers"), 0, lang),
             fund=fmt_number(rules.shares_pct.get("social_fund"), 0, lang),
             restricted=fmt_eur(allocation.get("yearly", {}).get("restricted_year_eur"), lang)))

labels = [t(f"ripartizione.tab.{k}") for k in ("rules", "members", "statements", "compare", "draft")]
tabs = remembered_tabs(labels, "rip_tab")
present = sorted({m.get("category") for m in ws.doc.get("members", [])})
renderers = (lambda: (rules_tab(rules, present), chart(pot_monthly_figure(yearly, t, lang), "rip_pot")),
             lambda: members_tab(allocation, names), lambda: statements_tab(allocation, names),
             lambda: compare_tab(allocation, rules, names), lambda: draft_tab(rules))
for tab, render in zip(tabs, renderers):
    with tab:
        if tab.open is not False:
            render()
