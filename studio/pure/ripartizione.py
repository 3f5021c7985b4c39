"""The Ripartizione page's pure parts: rules ↔ form values, tables and figures of the split.

No Streamlit here (tested directly). ``tr`` translates ``ripartizione.*`` keys; numbers follow ``lang``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cer_core.results_view import summary_view
from cer_core.money.allocation import GROSS_PARTS, MEMBER_PARTS, SHARE_NAMES, Regolamento

from .charts import COLORS, _list, empty_figure, figure, layout, money_scale, xaxis, yaxis
from .format import month_names

Tr = Callable[..., str]

PART_COLORS = {"consumer_eur": COLORS["consumer"], "producer_eur": COLORS["producer"],
               "third_party_eur": "#d35400", "restricted_eur": "#8e44ad"}
POT_COLORS = {"members_eur": COLORS["self_consumed"], "social_fund_eur": "#8e44ad",
              "running_costs_eur": "#7f8c8d", "costs_eur": COLORS["fees"]}
SET_COLORS = ("#1b7f5f", "#2f6fb0", "#e0a100")


def shares_problem(shares: dict) -> float | None:
    """The shares' total [%] when it is not 100 (None when it is)."""
    total = sum(float(shares.get(k, 0.0)) for k in SHARE_NAMES)
    return None if abs(total - 100.0) < 1e-6 else total


def rules_of_doc(doc: dict) -> Regolamento:
    """The scenario's rules (its ``regolamento`` or the defaults), tolerant of a half-edited document."""
    try:
        return Regolamento.from_dict(doc.get("regolamento"))
    except (TypeError, ValueError):
        return Regolamento()


def names_by_id(summary: dict) -> dict[str, str]:
    """Member id → the name shown (the id when unnamed), from a simulated year's summary."""
    return {m.id: m.label for m in summary_view(summary).members}


def range_text(allocation: dict | None) -> tuple[float, float, float] | None:
    """(lowest, median, highest) yearly net [€] among members with any month in the CER."""
    if not allocation:
        return None
    nets = [m["net_eur"] for m in allocation.get("members", []) if m.get("months_active", 12) > 0]
    if not nets:
        return None
    return float(min(nets)), float(np.median(nets)), float(max(nets))


def statement_frame(allocation: dict, member_id: str, tr: Tr, lang: str) -> pd.DataFrame:
    """One member's monthly statement: energy, its shares, net, and its own economics outside the pot.

    The producer and third-party columns are left out for a member that never gets them."""
    months = month_names(lang)
    year = next(x for x in allocation["members"] if x["id"] == member_id)
    parts = [p for p in MEMBER_PARTS if year[p] or p in ("consumer_eur", "restricted_eur")]
    rows = []
    for r in allocation["monthly"]:
        m = next(x for x in r["members"] if x["id"] == member_id)
        rows.append({
            tr("ripartizione.col.month"): months[r["month"] - 1],
            tr("ripartizione.col.withdrawn_kwh"): m["withdrawn_kwh"],
            tr("ripartizione.col.injected_kwh"): m["injected_kwh"],
            tr("ripartizione.col.contribution_kwh"): m["contribution_kwh"],
            **{tr(f"ripartizione.col.{p}"): m[p] for p in parts},
            **{tr(f"ripartizione.col.{p}"): m.get("statement", {}).get(p, 0.0) for p in GROSS_PARTS},
            tr("ripartizione.col.net_eur"): m["net_eur"],
            tr("ripartizione.col.energy_sale_eur"): m["outside_pot"]["energy_sale_eur"],
            tr("ripartizione.col.bill_savings_eur"): m["outside_pot"]["bill_savings_eur"],
        })
    return pd.DataFrame(rows)


def members_frame(allocation: dict, names: dict, tr: Tr) -> pd.DataFrame:
    """Every member's year: category, months, contribution, shares, net, Shapley (if computed)."""
    rows = []
    for m in allocation["members"]:
        row = {tr("ripartizione.col.member"): names.get(m["id"], m["id"]),
               tr("ripartizione.col.category"): tr(f"ripartizione.category.{m['category']}"),
               tr("ripartizione.col.months"): m["months_active"],
               tr("ripartizione.col.contribution_kwh"): m["contribution_kwh"],
               **{tr(f"ripartizione.col.{p}"): m[p] for p in MEMBER_PARTS},
               tr("ripartizione.col.net_eur"): m["net_eur"]}
        if "shapley_eur" in m:
            row[tr("ripartizione.col.shapley_eur")] = m["shapley_scaled_eur"]
        rows.append(row)
    return pd.DataFrame(rows)


def compare_frames(cmp: dict, names: dict, labels: dict, tr: Tr) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per member and per category: the net under each rule set and the difference from the first."""
    def rows(items, first_col):
        out = []
        for it in items:
            row = {first_col: it["label"]}
            for j, name in enumerate(cmp["names"]):
                row[labels[name]] = it["net_eur"][name]
                if j:
                    row[tr("ripartizione.compare.diff", name=labels[name])] = it["diff_eur"][name]
            out.append(row)
        return pd.DataFrame(out)

    members = [{**m, "label": names.get(m["id"], m["id"])} for m in cmp["members"]]
    cats = [{**c, "label": "{} ({})".format(tr("ripartizione.category." + c["category"]), c["members"])}
            for c in cmp["categories"]]
    return rows(members, tr("ripartizione.col.member")), rows(cats, tr("ripartizione.col.category"))


# -------------------------------------------------------------------------------------------------
# figures
# -------------------------------------------------------------------------------------------------

def members_figure(allocation: dict, names: dict, tr: Tr, lang: str = "it") -> go.Figure:
    """Each member's year from the CER: its shares stacked (horizontal bars), the Shapley reference as dots."""
    title = tr("ripartizione.fig.members")
    members = sorted(allocation.get("members", []), key=lambda m: m["net_eur"])
    if not members or all(m["net_eur"] == 0 for m in members):
        return empty_figure(tr("ripartizione.fig.no_money"), title, lang)
    y = [names.get(m["id"], m["id"]) for m in members]
    data = [{"type": "bar", "orientation": "h", "y": y, "x": [m[p] for m in members],
             "name": tr(f"ripartizione.col.{p}"), "marker": {"color": PART_COLORS[p]},
             "hovertemplate": f"%{{y}} · {tr(f'ripartizione.col.{p}')}: %{{x:,.0f}} €<extra></extra>"}
            for p in MEMBER_PARTS if any(m[p] for m in members)]
    if all("shapley_eur" in m for m in members):
        data.append({"type": "scatter", "mode": "markers", "y": y, "x": [m["shapley_scaled_eur"] for m in members],
                     "name": tr("ripartizione.fig.shapley"), "marker": {"color": "#1d2a25", "symbol": "diamond",
                                                                        "size": 8},
                     "hovertemplate": f"%{{y}} · {tr('ripartizione.fig.shapley')}: %{{x:,.0f}} €<extra></extra>"})
    height = max(360, 90 + 19 * len(members))
    return figure(data, layout(title, lang, height=height, barmode="relative", bargap=0.25,
                               subtitle=tr("ripartizione.fig.members_sub"),
                               # four legend entries wrap to two rows at 1280 px: room for both above the plot
                               margin={"l": 10, "r": 10, "t": 140, "b": 10},
                               xaxis=yaxis(title={"text": tr("ripartizione.fig.eur_year")}, tickformat=",~f"),
                               yaxis=xaxis(automargin=True, tickfont={"size": 11})))


def pot_monthly_figure(monthly: Sequence[dict], tr: Tr, lang: str = "it") -> go.Figure:
    """Where each month's pot goes: members, social fund, running-costs reserve, costs (stacked bars)."""
    title = tr("ripartizione.fig.pot")
    if not monthly or all(r["pot_eur"] == 0 for r in monthly):
        return empty_figure(tr("ripartizione.fig.no_money"), title, lang)
    months = list(month_names(lang))[: len(monthly)]
    div, unit = money_scale(max(abs(r["pot_eur"]) for r in monthly))
    data = [{"type": "bar", "x": months, "y": _list(np.array([r[k] for r in monthly]) / div),
             "name": tr(f"ripartizione.pot.{k}"), "marker": {"color": color},
             "hovertemplate": f"%{{x}} · {tr(f'ripartizione.pot.{k}')}: %{{y:,.0f}} {unit}<extra></extra>"}
            for k, color in POT_COLORS.items() if any(r[k] for r in monthly)]
    return figure(data, layout(title, lang, height=400, barmode="relative", bargap=0.3,
                               subtitle=tr("ripartizione.fig.pot_sub"),
                               yaxis=yaxis(title={"text": f"{unit} / {tr('ripartizione.fig.month')}"},
                                           tickformat=",~f")))


def compare_figure(cmp: dict, labels: dict, tr: Tr, lang: str = "it") -> go.Figure:
    """Each category's yearly total under each rule set (grouped bars)."""
    title = tr("ripartizione.fig.compare")
    cats = cmp.get("categories", [])
    if not cats:
        return empty_figure(tr("ripartizione.fig.no_money"), title, lang)
    x = [tr(f"ripartizione.category.{c['category']}") for c in cats]
    data = [{"type": "bar", "x": x, "y": [c["net_eur"][name] for c in cats], "name": labels[name],
             "marker": {"color": SET_COLORS[j % len(SET_COLORS)]},
             "hovertemplate": f"%{{x}} · {labels[name]}: %{{y:,.0f}} €<extra></extra>"}
            for j, name in enumerate(cmp["names"])]
    return figure(data, layout(title, lang, height=400, barmode="group", bargap=0.25,
                               yaxis=yaxis(title={"text": tr("ripartizione.fig.eur_year")}, tickformat=",~f")))
