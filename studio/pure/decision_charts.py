"""Figures of the Scenari page: an actor's cash flows, the sizing sweep, variants' months overlaid.

Pure functions like :mod:`studio.pure.charts` (data in, :class:`plotly.graph_objects.Figure` out, the studio's
look); translations through ``tr`` with keys in ``locales/*/scenari.json``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .charts import COLORS, PLANT_COLORS, Tr, figure, layout, money_scale, xaxis, yaxis
from .format import fmt_eur, fmt_number, month_names

#: Colour of each cash-flow line (the studio's palette where the concept exists).
LINE_COLORS = {
    "cer_money_eur": COLORS["tip"], "cer_share_eur": COLORS["tip"], "cer_producer_share_eur": COLORS["valorisation"],
    "energy_sale_eur": COLORS["energy_sale"], "bill_savings_eur": COLORS["bill_savings"],
    "grant_eur": "#57b98b", "loan_eur": "#7fa7d4", "capex_eur": "#34495e", "om_eur": "#c0392b",
    "insurance_eur": "#e67e22", "inverter_eur": "#8e44ad", "rid_fee_eur": "#d35400", "debt_service_eur": "#7f8c8d",
    "third_party_fee_eur": "#95a5a6",
}
VARIANT_COLORS = ("#1d2a25", "#2f6fb0", "#e0a100", "#c0392b")


def cash_flow_figure(actor: dict, title: str, tr: Tr, lang: str) -> go.Figure:
    """Stacked yearly lines (in above zero, out below) and the cumulative cash flow, payback marked."""
    lines = actor.get("lines") or {}
    cash = np.asarray(actor.get("cash_flow_eur") or [0.0], dtype=float)
    years = list(range(len(cash)))
    cum = np.cumsum(cash)
    div, unit = money_scale(float(max(np.abs(cum).max(initial=0), np.abs(cash).max(initial=0))))
    data = []
    for key, values in lines.items():
        v = np.asarray(values, dtype=float) / div
        label = tr(f"scenari.line.{key}")
        data.append({"type": "bar", "x": years, "y": v.tolist(), "name": label,
                     "marker": {"color": LINE_COLORS.get(key, PLANT_COLORS[len(data) % len(PLANT_COLORS)])},
                     "hovertemplate": f"{label}<br>" + tr("scenari.chart.year") + " %{x}: %{y:,.1f} " + unit
                     + "<extra></extra>"})
    data.append({"type": "scatter", "mode": "lines+markers", "x": years, "y": (cum / div).tolist(),
                 "name": tr("scenari.chart.cumulative"), "line": {"color": COLORS["net"], "width": 3},
                 "marker": {"size": 5}, "hovertemplate": tr("scenari.chart.cumulative") + " %{x}: %{y:,.1f} " + unit
                 + "<extra></extra>"})
    shapes, notes = [], []
    pb = actor.get("payback_years")
    if pb is not None and pb > 0:
        shapes.append({"type": "line", "x0": pb, "x1": pb, "y0": 0, "y1": 1, "yref": "paper",
                       "line": {"color": COLORS["tip"], "dash": "dash", "width": 2}})
        notes.append({"x": pb, "y": 1, "yref": "paper", "text": tr("scenari.chart.payback",
                                                                  years=fmt_number(pb, 1, lang)),
                      "showarrow": False, "xanchor": "left", "yanchor": "bottom", "font": {"color": COLORS["tip"]}})
    subtitle = tr("scenari.chart.cash_subtitle", npv=fmt_eur(actor.get("npv_eur"), lang),
                  irr=fmt_number((actor.get("irr") or 0) * 100, 1, lang) + " %" if actor.get("irr") is not None
                  else "—")
    lay = layout(title, lang, height=460, subtitle=subtitle, legend="bottom", barmode="relative",
                 xaxis=xaxis(title={"text": tr("scenari.chart.year")}, dtick=1 if len(years) <= 26 else 5,
                             range=[-0.6, len(years) - 0.4]),
                 yaxis=yaxis(title={"text": unit}, tickformat=",.1~f"), shapes=shapes, annotations=notes,
                 hovermode="x unified")
    # eleven lines: a column right of the plot. Below it, the legend covered the year axis title ("Anno") at
    # any width where it wraps to more rows than the margin holds
    lay["legend"] = {**lay["legend"], "orientation": "v", "x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top"}
    return figure(data, lay)


def sweep_figure(sweep: dict, tr: Tr, lang: str, optimum_kwp: float | None = None) -> go.Figure:
    """Four panels against kWp: energy (shared and injected), self-sufficiency, the CER's money a year, NPV;
    the knee, the NPV-best size, the current size (and the LP's optimum when given) marked."""
    pts = sweep.get("points") or []
    plant_mode = sweep.get("mode") == "plant"
    x = [p["plant_kwp"] if plant_mode else p["kwp"] for p in pts]
    mwh = lambda key: [p[key] / 1000.0 for p in pts]  # noqa: E731
    npv = [p["npv_eur"] for p in pts]
    money = [p["cer_money_eur"] for p in pts]
    div, unit = money_scale(max([abs(v) for v in npv] or [0.0]))
    mdiv, munit = money_scale(max([abs(v) for v in money] or [0.0]))
    xs = {"x": x}
    data = [
        {**xs, "type": "scatter", "mode": "lines+markers", "y": mwh("shared_kwh"), "name": tr("scenari.sweep.shared"),
         "line": {"color": COLORS["shared"], "width": 3}, "yaxis": "y",
         "hovertemplate": "%{x:,.1f} kWp: %{y:,.1f} MWh<extra></extra>"},
        {**xs, "type": "scatter", "mode": "lines", "y": mwh("injected_kwh"), "name": tr("scenari.sweep.injected"),
         "line": {"color": COLORS["injected_not_shared"], "width": 2, "dash": "dot"}, "yaxis": "y",
         "hovertemplate": "%{x:,.1f} kWp: %{y:,.1f} MWh<extra></extra>"},
        {**xs, "type": "scatter", "mode": "lines+markers", "y": [p["self_sufficiency_ratio"] * 100 for p in pts],
         "name": tr("scenari.sweep.self_sufficiency"), "line": {"color": COLORS["consumption"], "width": 2},
         "yaxis": "y2", "hovertemplate": "%{x:,.1f} kWp: %{y:,.1f} %<extra></extra>"},
        {**xs, "type": "scatter", "mode": "lines+markers", "y": [v / mdiv for v in money],
         "name": tr("scenari.sweep.cer_money"), "line": {"color": COLORS["tip"], "width": 2}, "yaxis": "y3",
         "hovertemplate": "%{x:,.1f} kWp: %{y:,.1f} " + munit + "<extra></extra>"},
        {**xs, "type": "scatter", "mode": "lines+markers", "y": [v / div for v in npv], "name": tr("scenari.sweep.npv"),
         "line": {"color": COLORS["energy_sale"], "width": 3}, "yaxis": "y4",
         "hovertemplate": "%{x:,.1f} kWp: %{y:,.1f} " + unit + "<extra></extra>"},
    ]
    shapes, notes = [], []

    def vline(xv, color, dash, text, y_note):
        shapes.append({"type": "line", "x0": xv, "x1": xv, "y0": 0, "y1": 1, "yref": "paper",
                       "line": {"color": color, "dash": dash, "width": 2}})
        notes.append({"x": xv, "y": y_note, "yref": "paper", "text": text, "showarrow": False, "xanchor": "left",
                      "font": {"color": color, "size": 12}, "bgcolor": "rgba(255,255,255,0.85)"})

    if pts:
        k, b = sweep.get("knee", 0), sweep.get("npv_best", 0)
        vline(x[k], "#c0392b", "dash", tr("scenari.sweep.knee", kwp=fmt_number(x[k], 1, lang)), 0.99)
        data.append({"type": "scatter", "mode": "markers", "x": [x[b]], "y": [npv[b] / div], "yaxis": "y4",
                     "name": tr("scenari.sweep.npv_best", kwp=fmt_number(x[b], 1, lang)),
                     "marker": {"symbol": "star", "size": 16, "color": "#e0a100", "line": {"color": "#1d2a25",
                                                                                            "width": 1}},
                     "hovertemplate": tr("scenari.sweep.npv_best", kwp="%{x:,.1f}") + "<extra></extra>"})
        current = sweep.get("current_plant_kwp") if plant_mode else sweep.get("current_kwp")
        if current:
            vline(current, "#5c6b64", "dot", tr("scenari.sweep.current", kwp=fmt_number(current, 1, lang)), 0.92)
        if optimum_kwp is not None:
            vline(optimum_kwp, "#8e44ad", "dashdot", tr("scenari.sweep.optimum", kwp=fmt_number(optimum_kwp, 1, lang)),
                  0.85)
    lay = layout(tr("scenari.sweep.title"), lang, height=760, legend="bottom",
                 subtitle=tr("scenari.sweep.subtitle", pct=fmt_number(sweep.get("knee_threshold", 0.5) * 100, 0, lang)),
                 xaxis=xaxis(title={"text": tr("scenari.sweep.x_plant" if plant_mode else "scenari.sweep.x_all")},
                             anchor="y4", tickformat=",~f"),
                 yaxis=yaxis(title={"text": "MWh"}, domain=[0.78, 1.0], tickformat=",~f"),
                 yaxis2=yaxis(title={"text": "%"}, domain=[0.53, 0.72], tickformat=",~f"),
                 yaxis3=yaxis(title={"text": munit + tr("scenari.sweep.per_year")}, domain=[0.27, 0.47],
                              tickformat=",~f"),  # 30.000 €, not "30k"
                 yaxis4=yaxis(title={"text": unit}, domain=[0.0, 0.21], tickformat=",~f"),
                 shapes=shapes, annotations=notes, hovermode="x unified")
    return figure(data, lay)


def monthly_overlay_figure(series: list[tuple[str, list[dict]]], key: str, tr: Tr, lang: str) -> go.Figure:
    """One line per variant of a monthly figure (``key`` of the summary's ``monthly`` rows)."""
    months = list(month_names(lang))
    energy = key.endswith("_kwh")
    top = max([abs(r.get(key, 0.0)) for _, rows in series for r in rows] or [0.0])
    div, unit = (1000.0, "MWh") if energy and top >= 10_000 else ((1.0, "kWh") if energy else money_scale(top))
    data = []
    for i, (label, rows) in enumerate(series):
        data.append({"type": "scatter", "mode": "lines+markers", "x": months,
                     "y": [r.get(key, 0.0) / div for r in rows], "name": label,
                     "line": {"color": VARIANT_COLORS[i % len(VARIANT_COLORS)], "width": 3 if i == 0 else 2,
                              "dash": "solid" if i == 0 else ("dash", "dot", "dashdot")[(i - 1) % 3]},
                     "hovertemplate": f"{label}<br>%{{x}}: %{{y:,.1f}} {unit}<extra></extra>"})
    lay = layout(tr(f"scenari.compare.monthly_{key}"), lang, height=380, xaxis=xaxis(),
                 yaxis=yaxis(title={"text": unit}, tickformat=",~f"), hovermode="x unified")
    return figure(data, lay)
