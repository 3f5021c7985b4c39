"""Scenari e dimensionamento: investment economics over 20+ years, sizing sweeps and optimal sizes, who to
recruit among the candidates, and variants of the community side by side (docs/economics.md)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cer_core.errors import Problem
from cer_core.results_view import summary_view
from studio.components import compute, state
from studio.pure import variants as V
from studio.pure.decision_charts import cash_flow_figure, monthly_overlay_figure, sweep_figure
from studio.pure.format import fmt_eur, fmt_number, fmt_pct
from studio.components.frame import ensure as ensure_frame
from studio.components.i18n import current_lang, t
from studio.pure.mdsafe import md
from studio.components.ui import chart, number_field, remembered_choice, remembered_tabs, show_problems, styled, widget_key

ensure_frame("scenari")  # a deep link on a fresh server goes through app.py first

OPT_KEY = "scenari_optimal"
ALL = "__all__"


def _years(v) -> str:
    return "–" if v is None else t("scenari.years", n=fmt_number(v, 1, lang))


def _member_years(v) -> str:
    """A member's payback: 0 years means it invests nothing (a consumer), not an instant return."""
    return t("scenari.no_investment") if v is not None and v <= 0 else _years(v)


def _irr(v) -> str:
    return "–" if v is None else fmt_pct(v, 1, lang)


# -------------------------------------------------------------------------------------------------
# investment
# -------------------------------------------------------------------------------------------------

def _set_investment(path: tuple, value) -> None:
    """Write one parameter into ``economics.investment`` (``path`` inside it)."""
    def mutate(doc):
        inv = doc.setdefault("economics", {}).setdefault("investment", {})
        node = inv
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value

    state.edit_doc(mutate)


def _set_capex(index: int, value: float) -> None:
    table = [[20, 1500.0], [200, 1150.0], [None, 975.0]]
    current = {None if k is None else float(k): v for k, v in params_now().get("capex_eur_kwp", [])}
    for row in table:
        row[1] = float(current.get(None if row[0] is None else float(row[0]), row[1]))
    table[index][1] = float(value)
    _set_investment(("capex_eur_kwp",), table)


def _set_mode(key: str) -> None:
    _set_investment(("financing", "mode"), st.session_state[key])


def params_now() -> dict:
    return (compute.economics(run) or {}).get("parameters", {})


#: The typed parameters: (path in economics.investment, label key, low, high, decimals).
DECIMAL_FIELDS = (
    (("om_eur_kwp_year",), "om", 0.0, 1000.0, 2), (("insurance_pct_capex_year",), "insurance", 0.0, 20.0, 2),
    (("discount_rate_pct",), "discount", -5.0, 50.0, 2), (("inflation_pct_year",), "inflation", -10.0, 50.0, 2),
    (("price_escalation_pct_year",), "escalation", -20.0, 50.0, 2),
    (("financing", "loan_share_pct"), "loan_share", 0.0, 100.0, 1),
    (("financing", "loan_rate_pct"), "loan_rate", 0.0, 50.0, 2),
)


def investment_form(params: dict) -> None:
    fin = params.get("financing", {})
    capex = {None if k is None else float(k): v for k, v in params.get("capex_eur_kwp", [])}
    with st.expander(t("scenari.inv.parameters"), icon=":material/tune:"):
        c = st.columns(3)
        for i, (limit, name, default) in enumerate(((20.0, "capex_small", 1500.0), (200.0, "capex_medium", 1150.0),
                                                    (None, "capex_large", 975.0))):
            number_field(c[i], t(f"scenari.inv.{name}"), float(capex.get(limit, default)), key=f"scn_{name}",
                         on_value=_set_capex, args=(i,), min_value=0.0, max_value=20000.0, decimals=0)
        cols = st.columns(3)
        for i, (path, name, low, high, decimals) in enumerate(DECIMAL_FIELDS):
            value = fin.get(path[-1]) if path[0] == "financing" else params.get(path[0])
            number_field(cols[i % 3], t(f"scenari.inv.{name}"), float(value), key=f"scn_{name}",
                         on_value=_set_investment, args=(path,), min_value=low, max_value=high, decimals=decimals)
        c = st.columns(3)
        c[0].number_input(t("scenari.inv.horizon"), 1, 60, int(params["horizon_years"]), step=1,
                          key=widget_key("scn_horizon", params["horizon_years"]), on_change=lambda k: _set_investment(
                              ("horizon_years",), int(st.session_state[k])),
                          args=(widget_key("scn_horizon", params["horizon_years"]),))
        loan_key = widget_key("scn_loan_years", fin.get("loan_years", 10))
        c[1].number_input(t("scenari.inv.loan_years"), 1, 40, int(fin.get("loan_years", 10)), step=1, key=loan_key,
                          on_change=lambda k: _set_investment(("financing", "loan_years"), int(st.session_state[k])),
                          args=(loan_key,))
        modes = ("own", "loan", "third_party")
        mode_key = widget_key("scn_mode", [fin.get("mode", "own"), lang])
        st.radio(t("scenari.inv.financing"), modes, index=modes.index(fin.get("mode", "own")), horizontal=True,
                 format_func=lambda k: t(f"scenari.financing.{k}"), key=mode_key, on_change=_set_mode,
                 args=(mode_key,))
        st.caption(t("scenari.inv.parameters_help"))


def investment_tab(econ: dict, names: dict) -> None:
    if not econ:
        st.info(t("scenari.inv.none"))
        return
    c = st.columns([1.1, 1.1, 1.1, 0.8, 0.9])
    c[0].metric(t("scenari.inv.capex"), fmt_eur(econ["capex_eur"], lang), border=True,
                help=t("scenari.inv.grant_line", grant=fmt_eur(econ["grant_eur"], lang)))
    c[1].metric(t("scenari.inv.cer_money_npv"), fmt_eur(econ["cer_money_npv_eur"], lang), border=True,
                help=t("scenari.inv.cer_money_help", year1=fmt_eur(econ["cer_money_year1_eur"], lang)))
    c[2].metric(t("scenari.inv.npv"), fmt_eur(econ["npv_eur"], lang), border=True, help=t("scenari.inv.npv_help"))
    c[3].metric(t("scenari.inv.irr"), _irr(econ["irr"]), border=True)
    c[4].metric(t("scenari.inv.payback"), _years(econ["payback_years"]), border=True,
                help=t("scenari.inv.discounted", years=_years(econ["discounted_payback_years"])))
    st.caption(t("scenari.inv.honest"))
    actors = ["cer"] + [f"plant:{p['id']}" for p in econ["plants"]] + [f"member:{m['id']}" for m in econ["members"]]

    def label(a: str) -> str:
        if a == "cer":
            return t("scenari.actor.cer")
        kind, ident = a.split(":", 1)
        return t(f"scenari.actor.{kind}", name=names.get(ident, ident))

    chosen = remembered_choice(st.selectbox, t("scenari.inv.actor"), actors, store="scn_actor", format_func=label)
    if chosen == "cer":
        actor = econ["cer"]
    else:
        kind, ident = chosen.split(":", 1)
        actor = next(x for x in econ["plants" if kind == "plant" else "members"] if x["id"] == ident)
    chart(cash_flow_figure(actor, t("scenari.chart.cash_title", name=label(chosen)), t, lang), "scn_cash")
    if chosen.startswith("member:") and not actor.get("has_allocation", True):
        st.caption(t("scenari.inv.no_allocation"))
    plants = pd.DataFrame([{t("scenari.col.plant"): names.get(p["id"], p["id"]), t("scenari.col.kwp"): p["kwp"],
                            t("scenari.col.capex"): p["capex_eur"], t("scenari.col.grant"): p["grant_eur"],
                            t("scenari.col.financing"): t(f"scenari.financing.{p['financing']}"),
                            t("scenari.col.npv"): p["npv_eur"], t("scenari.col.irr"): p["irr"],
                            t("scenari.col.payback"): p["payback_years"],
                            t("scenari.col.dpayback"): p["discounted_payback_years"]} for p in econ["plants"]])
    money = {t(f"scenari.col.{k}"): (lambda v: fmt_eur(v, lang)) for k in ("capex", "grant", "npv")}
    years = {t(f"scenari.col.{k}"): _years for k in ("payback", "dpayback")}
    st.markdown(f"##### {t('scenari.inv.plants')}")
    st.dataframe(styled(plants, {**money, **years, t("scenari.col.irr"): _irr,
                                 t("scenari.col.kwp"): lambda v: fmt_number(v, 1, lang)}),
                 hide_index=True, width="stretch")
    members = pd.DataFrame([{t("scenari.col.member"): m["name"], t("scenari.col.npv"): m["npv_eur"],
                             t("scenari.col.irr"): m["irr"], t("scenari.col.payback"): m["payback_years"]}
                            for m in econ["members"]])
    st.markdown(f"##### {t('scenari.inv.members')}")
    st.dataframe(styled(members, {**money, t("scenari.col.payback"): _member_years, t("scenari.col.irr"): _irr}),
                 hide_index=True, width="stretch")
    investment_form(econ["parameters"])


# -------------------------------------------------------------------------------------------------
# sizing
# -------------------------------------------------------------------------------------------------

def _new_variant(doc: dict, name: str) -> None:
    try:
        state.set_doc(V.duplicate(doc, name))
        st.session_state["scn_flash"] = ("success", t("scenari.variants.created", name=name))
    except ValueError:
        st.session_state["scn_flash"] = ("error", t("scenari.variants.full", n=V.MAX_VARIANTS))


def _sizes_variant(kwp: dict, name: str) -> None:
    doc = ws.doc
    _new_variant({**V.with_sizes(doc, kwp), **({"variants": doc["variants"]} if "variants" in doc else {})}, name)


def sizing_tab(names: dict) -> None:
    plants = [p.id for p in run.outcome.scenario.plants]
    if not plants:
        st.info(t("scenari.sizing.no_plants"))
        return
    options = [ALL, *plants]
    chosen = remembered_choice(st.selectbox, t("scenari.sizing.which"), options, store="scn_sweep_plant",
                               format_func=lambda k: t("scenari.sizing.all") if k == ALL else names.get(k, k))
    with st.spinner(t("scenari.sizing.computing")):
        sweep = compute.sizing_sweep(ws, run, None if chosen == ALL else chosen)
    opt = st.session_state.get(OPT_KEY)
    opt = opt if isinstance(opt, dict) and opt.get("digest") == run.digest else None
    optimum = None
    if opt and opt["result"].get("kwp"):
        kwp = opt["result"]["kwp"]
        optimum = sum(kwp.values()) if chosen == ALL else kwp.get(chosen)
    chart(sweep_figure(sweep, t, lang, optimum), "scn_sweep")
    pts = sweep["points"]
    knee, best = pts[sweep["knee"]], pts[sweep["npv_best"]]
    x = "plant_kwp" if sweep["mode"] == "plant" else "kwp"
    st.markdown(t("scenari.sizing.reading", knee=fmt_number(knee[x], 1, lang), best=fmt_number(best[x], 1, lang),
                  npv=fmt_eur(best["npv_eur"], lang), pct=fmt_number(sweep["knee_threshold"] * 100, 0, lang)))
    with st.expander(t("scenari.sizing.table"), icon=":material/table:"):
        frame = pd.DataFrame([{t("scenari.col.kwp"): p[x], t("scenari.sweep.shared") + " (MWh)": p["shared_kwh"] / 1000,
                               t("scenari.sweep.injected") + " (MWh)": p["injected_kwh"] / 1000,
                               t("scenari.sweep.self_sufficiency"): p["self_sufficiency_ratio"],
                               t("scenari.sweep.cer_money") + " (€)": p["cer_money_eur"],
                               t("scenari.sweep.npv") + " (€)": p["npv_eur"]} for p in pts])
        fmts = {c: (lambda v: fmt_number(v, 1, lang)) for c in frame.columns[:3]}
        fmts[t("scenari.sweep.self_sufficiency")] = lambda v: fmt_pct(v, 1, lang)
        fmts.update({c: (lambda v: fmt_eur(v, lang)) for c in frame.columns[4:]})
        st.dataframe(styled(frame, fmts), hide_index=True, width="stretch")
    optimal_section(names)


def _run_optimal(objective: str) -> None:
    """Solve before the page redraws, so the sweep chart above already marks the optimum."""
    st.session_state[OPT_KEY] = {"digest": run.digest, "objective": objective,
                                 "result": compute.optimal_sizes(ws, run, objective)}


def optimal_section(names: dict) -> None:
    st.markdown(f"#### {t('scenari.opt.title')}")
    st.caption(t("scenari.opt.help"))
    objectives = ("npv", "cer_money")
    objective = remembered_choice(st.radio, t("scenari.opt.objective"), objectives, store="scn_opt_objective",
                                  format_func=lambda k: t(f"scenari.opt.objective_{k}"), horizontal=True)
    st.button(t("scenari.opt.run"), icon=":material/calculate:", type="primary", on_click=_run_optimal,
              args=(objective,))
    opt = st.session_state.get(OPT_KEY)
    if not (isinstance(opt, dict) and opt.get("digest") == run.digest):
        return
    res = opt["result"]
    if res.get("status") != "optimal":
        if res.get("problem"):
            show_problems([Problem.from_dict(res["problem"])])
        else:
            st.warning(t("scenari.opt.failed", status=str(res.get("status"))))
        return
    current = {p.id: p.kwp for p in run.outcome.scenario.plants}
    frame = pd.DataFrame([{t("scenari.col.plant"): names.get(pid, pid), t("scenari.opt.current"): current[pid],
                           t("scenari.opt.bound"): res["bounds_kwp"][pid], t("scenari.opt.optimal"): kwp}
                          for pid, kwp in res["kwp"].items()])
    st.dataframe(styled(frame, {c: (lambda v: fmt_number(v, 1, lang)) for c in frame.columns[1:]}), hide_index=True,
                 width="stretch")
    eng, totals = res.get("engine") or {}, run.summary["totals"]
    econ = compute.economics(run)
    from cer_core.investment import cer_money_eur

    c = st.columns(3)
    c[0].metric(t("scenari.opt.shared"), fmt_number(eng.get("shared_kwh", 0) / 1000, 1, lang) + " MWh",
                delta=fmt_number((eng.get("shared_kwh", 0) - view.totals.shared_kwh) / 1000, 1, lang) + " MWh",
                border=True)
    c[1].metric(t("scenari.opt.money"), fmt_eur(eng.get("cer_money_eur"), lang),
                delta=fmt_eur(eng.get("cer_money_eur", 0) - cer_money_eur(totals), lang), border=True)
    c[2].metric(t("scenari.opt.npv"), fmt_eur(eng.get("npv_eur"), lang),
                delta=fmt_eur(eng.get("npv_eur", 0) - econ.get("npv_eur", 0), lang), border=True)
    st.caption(t("scenari.opt.check", objective=fmt_eur(res["objective_eur"], lang),
                 seconds=fmt_number(res.get("seconds", 0), 1, lang)))
    if res.get("prosumers"):
        st.caption(t("scenari.opt.prosumers"))
    st.button(t("scenari.opt.as_variant"), icon=":material/library_add:", on_click=_sizes_variant,
              args=(res["kwp"], t("scenari.opt.variant_name")), disabled=len(V.variants(ws.doc)) >= V.MAX_VARIANTS)


# -------------------------------------------------------------------------------------------------
# candidates
# -------------------------------------------------------------------------------------------------

def _add_candidate(prefix: str) -> None:
    from cer_core.constants import TYPICAL_ANNUAL_KWH
    from cer_core.loads.profiles import CATEGORY_DEFAULT_PROFILE

    get = lambda name: st.session_state[f"{prefix}_{name}"]  # noqa: E731
    category = get("category")
    existing = {m.get("id") for m in ws.doc.get("members", [])}
    n = 1
    while f"candidato-{n}" in existing:
        n += 1
    annual = float(get("annual_kwh")) or TYPICAL_ANNUAL_KWH.get(category, 10000.0)
    member = {"id": f"candidato-{n}", "name": (get("name") or "").strip() or t("scenari.cand.default_name", n=n), "kind": "consumer",
              "category": category, "cabina": get("cabina"), "candidate": True,
              "load": {"source": "profile", "profile": CATEGORY_DEFAULT_PROFILE.get(category, "office"),
                       "annual_kwh": annual}}
    state.edit_doc(lambda doc: doc.setdefault("members", []).append(member))


def _remove_candidates() -> None:
    state.edit_doc(lambda doc: doc.__setitem__("members", [m for m in doc.get("members", [])
                                                           if not m.get("candidate")]))


def candidate_form() -> None:
    from cer_core.vocabulary import MEMBER_CATEGORIES, TYPICAL_ANNUAL_KWH

    prefix = widget_key("scn_cand", [len(ws.doc.get("members", [])), lang])
    categories = [c for c in MEMBER_CATEGORIES if c != "large_enterprise"]
    with st.expander(t("scenari.cand.add_title"), icon=":material/person_add:"):
        with st.form(f"{prefix}_form", border=False):
            c = st.columns(4)
            c[0].text_input(t("scenari.cand.name"), key=f"{prefix}_name", max_chars=200)
            c[1].selectbox(t("scenari.cand.category"), categories, key=f"{prefix}_category",
                           format_func=lambda k: t(f"common.category.{k}"))
            c[2].selectbox(t("scenari.cand.cabina"), list(run.outcome.scenario.cabina_ids), key=f"{prefix}_cabina")
            c[3].number_input(t("scenari.cand.annual_kwh"), 0.0, 100_000_000.0, 0.0, step=1000.0,
                              key=f"{prefix}_annual_kwh", help=t("scenari.cand.annual_help", household=fmt_number(
                                  TYPICAL_ANNUAL_KWH["household"], 0, lang)))
            st.form_submit_button(t("scenari.cand.add"), on_click=_add_candidate, args=(prefix,),
                                  icon=":material/person_add:")


def candidates_tab(names: dict) -> None:
    sc = run.outcome.scenario
    candidate_form()
    if not sc.candidates:
        st.info(t("scenari.cand.none"))
    else:
        keys = ("shared_kwh", "cer_money_eur")
        key = remembered_choice(st.radio, t("scenari.cand.key"), keys, store="scn_cand_key", horizontal=True,
                                format_func=lambda k: t(f"scenari.cand.key_{k}"))
        with st.spinner(t("scenari.cand.computing")):
            ranking = compute.candidate_ranking(ws, run, key)
        if ranking.get("problems"):
            show_problems([Problem.from_dict(p) for p in ranking["problems"]])
        else:
            picks = ranking["picks"]
            if picks:
                frame = pd.DataFrame([{
                    t("scenari.cand.rank"): i + 1, t("scenari.col.member"): p["name"],
                    t("scenari.cand.category"): t(f"common.category.{p['category']}"),
                    t("scenari.cand.shared"): p["added_shared_kwh"] / 1000,
                    t("scenari.cand.money"): p["added_cer_money_eur"],
                    t("scenari.cand.restricted"): p["restricted_after_eur"] - p["restricted_before_eur"],
                    t("scenari.cand.exempt"): t("scenari.yes") if p["grant_cut_exempt"] else t("scenari.no")}
                    for i, p in enumerate(picks)])
                st.dataframe(styled(frame, {t("scenari.cand.shared"): lambda v: fmt_number(v, 1, lang),
                                            t("scenari.cand.money"): lambda v: fmt_eur(v, lang),
                                            t("scenari.cand.restricted"): lambda v: fmt_eur(v, lang)}),
                             hide_index=True, width="stretch")
                st.markdown("\n".join(f"{i + 1}. {md(p['reason'][lang], 400)}" for i, p in enumerate(picks)))
            for x in ranking["left"]:
                st.caption(md(x["reason"][lang], 400))
            st.caption(t("scenari.cand.rule_help"))
        st.button(t("scenari.cand.remove"), on_click=_remove_candidates, icon=":material/person_remove:")
    plants = [p.id for p in sc.plants]
    if plants:
        st.markdown(f"#### {t('scenari.need.title')}")
        plant = remembered_choice(st.selectbox, t("scenari.need.plant"), plants, store="scn_need_plant",
                                  format_func=lambda k: names.get(k, k))
        need = compute.consumers_needed(ws, run, plant, 0.8)
        frame = pd.DataFrame([{t("scenari.cand.category"): t(f"common.category.{cat}"),
                               t("scenari.need.count"): "–" if n is None else str(n)} for cat, n in need.items()])
        st.dataframe(frame, hide_index=True, width="stretch")
        st.caption(t("scenari.need.help", pct="80"))


# -------------------------------------------------------------------------------------------------
# variants
# -------------------------------------------------------------------------------------------------

def _make_current(index: int) -> None:
    doc = ws.doc
    state.set_doc(V.make_current(doc, index, t("scenari.variants.previous", name=doc.get("name", ""))))
    st.session_state.pop(OPT_KEY, None)


def _delete(index: int) -> None:
    state.set_doc(V.delete(ws.doc, index))


def variants_tab() -> None:
    items = V.variants(ws.doc)
    c = st.columns([3, 2])
    name = c[0].text_input(t("scenari.variants.name"), value=t("scenari.variants.default_name", n=len(items) + 1),
                           key=widget_key("scn_vname", len(items)), max_chars=200)
    c[1].button(t("scenari.variants.duplicate"), icon=":material/content_copy:", on_click=_new_variant,
                args=(ws.doc, name), disabled=len(items) >= V.MAX_VARIANTS, width="stretch")
    if not items:
        st.info(t("scenari.variants.none"))
        return
    for i, v in enumerate(items):
        with st.container(border=True):
            cols = st.columns([4, 2, 1])
            cols[0].markdown(f"**{md(v.get('name', ''), 200)}**")
            cols[1].button(t("scenari.variants.make_current"), key=f"scn_current_{i}", on_click=_make_current,
                           args=(i,), icon=":material/swap_horiz:", width="stretch")
            cols[2].button(t("scenari.variants.delete"), key=f"scn_delete_{i}", on_click=_delete, args=(i,),
                           icon=":material/delete:", width="stretch")
    labels = [v.get("name", "") for v in items]
    picked = st.multiselect(t("scenari.variants.compare"), list(range(len(items))), default=list(range(len(items)))[:2],
                            format_func=lambda i: labels[i], max_selections=2, key=widget_key("scn_cmp", labels))
    states = [(t("scenari.variants.current"), run)]
    for i in picked:
        with st.spinner(t("scenari.variants.simulating", name=labels[i])):
            states.append((labels[i], compute.simulate(compute.variant_workspace(ws, items[i]["scenario"]))))
    for label, s in states[1:]:
        if not s.ok:
            st.warning(t("scenari.variants.not_simulated", name=label))
            show_problems(s.problems)
    states = [(label, s) for label, s in states if s.ok]
    summaries = [s.summary for _, s in states]
    heads = [label for label, _ in states]
    rows = V.compare_headline(summaries)
    fmt = {"eur": lambda v: fmt_eur(v, lang), "kwh": lambda v: fmt_number(v / 1000, 1, lang) + " MWh",
           "kwp": lambda v: fmt_number(v, 1, lang) + " kWp", "ratio": lambda v: fmt_pct(v, 1, lang),
           "count": lambda v: fmt_number(v, 0, lang), "years": _years}
    table = []
    for r in rows:
        f = fmt[r["kind"]]
        row = {t("scenari.compare.figure"): t(f"scenari.figure.{r['key']}")}
        for j, (h, v, d) in enumerate(zip(heads, r["values"], r["diffs"])):
            row[h] = "–" if v is None else f(v)
            if j > 0:
                sign = "+" if d is not None and d > 0 else ""
                row[t("scenari.compare.diff", name=h)] = "–" if d is None else sign + (
                    fmt_number(d * 100, 1, lang) + " pp" if r["kind"] == "ratio" else f(d))
        table.append(row)
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    c = st.columns(2)
    with c[0]:
        chart(monthly_overlay_figure([(h, s["monthly"]) for h, s in zip(heads, summaries)], "shared_kwh", t, lang),
              "scn_cmp_shared")
    with c[1]:
        chart(monthly_overlay_figure([(h, s["monthly"]) for h, s in zip(heads, summaries)], "tip_eur", t, lang),
              "scn_cmp_tip")
    members = V.member_differences(summaries)
    mframe = pd.DataFrame([{t("scenari.col.member"): m["name"],
                            **{f"{h} (€)": v for h, v in zip(heads, m["net_eur"])},
                            **{t("scenari.compare.diff", name=h): d for h, d in zip(heads[1:], m["net_diff_eur"][1:])}}
                           for m in members])
    st.markdown(f"##### {t('scenari.compare.members')}")
    st.dataframe(styled(mframe, {c: (lambda v: fmt_eur(v, lang, 2)) for c in mframe.columns[1:]}), hide_index=True,
                 width="stretch")
    st.caption(t("scenari.compare.members_help"))


# -------------------------------------------------------------------------------------------------
# the page
# -------------------------------------------------------------------------------------------------

lang = current_lang()
ws = state.get_workspace()
run = compute.simulate(ws)
st.title(t("scenari.title"))
if "scn_flash" in st.session_state:
    kind, text = st.session_state.pop("scn_flash")
    (st.success if kind == "success" else st.error)(text)
if not run.ok:
    st.warning(t("scenari.not_simulated"))
    show_problems(run.problems)
    st.stop()
st.caption(t("scenari.subtitle", name=ws.doc.get("name", ""), year=run.outcome.results.year))
view = summary_view(run.summary)  # typed: a key missing from the results fails here, by its name
names = {**{m.id: m.name for m in view.members}, **{p.id: p.name for p in view.plants}}
labels = [t(f"scenari.tab.{k}") for k in ("investment", "sizing", "candidates", "variants")]
tabs = remembered_tabs(labels, "scn_tab")
renderers = (lambda: investment_tab(compute.economics(run), names), lambda: sizing_tab(names),
             lambda: candidates_tab(names), variants_tab)
for tab, render in zip(tabs, renderers):
    with tab:
        if tab.open is not False:
            render()
