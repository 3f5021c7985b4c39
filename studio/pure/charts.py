"""Plotly figures of the studio, built from the core's results by pure functions.

Every function takes the data (summary rows or hourly arrays), a translation function ``tr``
(``tr("charts.key") -> text``; the pages pass :func:`studio.components.i18n.t`) and the language for number
formats, and returns a :class:`plotly.graph_objects.Figure` with a title, units on the axes and
hover texts, in the studio's colours. No Streamlit here: the figures are tested directly.

Figures are assembled as plain dicts and built once (``go.Figure(data=..., layout=...)``): plotly's
incremental API (``add_bar``, ``update_layout``...) validates on every call and costs 20–60 ms a
figure, the single construction 1–3 ms — the difference between an edit that feels instant and one
that does not.
"""

from __future__ import annotations

import html
import math
import textwrap
from typing import Callable, Sequence

import numpy as np
import plotly.graph_objects as go

from cer_core.bands import F1, F2, F3, HOLIDAY, SATURDAY, WEEKDAY, band_of_hour, day_type_of_hour, local_hour_of_day
from cer_core.timeaxis import hours_local, local_month
from cer_core.results_view import Month, Totals
from cer_core.vocabulary import KIND_CHOICES

from .format import fmt_energy, fmt_eur, month_names, plotly_separators

Tr = Callable[..., str]

#: The studio's palette: one colour per concept, the same in every chart.
COLORS = {
    "production": "#e0a100",
    "consumption": "#34495e",
    "self_consumed": "#1b7f5f",
    "shared": "#f2b705",
    "injected_not_shared": "#8fb8de",
    "withdrawn_not_shared": "#b8c2c8",
    "tip": "#1b7f5f",
    "valorisation": "#57b98b",
    "energy_sale": "#2f6fb0",
    "rid_topup": "#7fa7d4",
    "bill_savings": "#f2b705",
    "fees": "#c0392b",
    "net": "#1d2a25",
    "F1": "#c0392b",
    "F2": "#f39c12",
    "F3": "#2f6fb0",
    "consumer": "#2f6fb0",
    "prosumer": "#1b7f5f",
    "producer": "#e0a100",
    "irradiation": "#f2b705",
    "temperature": "#c0392b",
}
PLANT_COLORS = ("#1b7f5f", "#e0a100", "#2f6fb0", "#c0392b", "#8e44ad", "#16a085", "#d35400", "#7f8c8d",
                "#2c3e50", "#f2b705", "#57b98b", "#8fb8de")
#: Colour of a Sankey link: the colour of the flow it carries.
LINK_COLOR = {"injected": "injected_not_shared", "grid_withdrawal": "withdrawn_not_shared"}
SEASONS = (("winter", (12, 1, 2)), ("spring", (3, 4, 5)), ("summer", (6, 7, 8)), ("autumn", (9, 10, 11)))
FONT = '"Source Sans", "Source Sans Pro", "Source Sans 3", sans-serif'  # Streamlit's own font


# -------------------------------------------------------------------------------------------------
# shared styling and small helpers
# -------------------------------------------------------------------------------------------------

X_AXIS = {"showgrid": False, "automargin": True, "linecolor": "#9aa5a0", "ticks": "outside", "tickcolor": "#c7d0cb",
          "zeroline": False}
Y_AXIS = {"showgrid": True, "gridcolor": "#e6ebe8", "zeroline": True, "zerolinecolor": "#9aa5a0", "automargin": True}


def xaxis(**kw) -> dict:
    """An x axis in the studio's style, with ``kw`` on top."""
    return {**X_AXIS, **kw}


def yaxis(**kw) -> dict:
    """A y axis in the studio's style, with ``kw`` on top."""
    return {**Y_AXIS, **kw}


def layout(title: str, lang: str, *, height: int = 420, legend: bool | str = True, subtitle: str | None = None,
           legend_y: float = 1.02, **extra) -> dict:
    """The studio's look: bold title top-left (optional subtitle), legend in a row above the plot (or
    below it with ``legend="bottom"``, for charts with many series in a narrow column), white
    background, light grid, decimal comma in Italian. ``extra`` adds or replaces layout keys
    (axes given here replace the default ``xaxis``/``yaxis``)."""
    bottom_legend = legend == "bottom"
    top = 58 + (22 if subtitle else 0) + (26 if legend and not bottom_legend else 0)
    title_spec = {"text": f"<b>{title}</b>", "x": 0.0, "xanchor": "left", "xref": "paper", "y": 1.0, "yref": "container",
                  "yanchor": "top", "pad": {"t": 10}, "font": {"size": 18, "color": "#1d2a25"}}
    if subtitle:
        title_spec["subtitle"] = {"text": subtitle, "font": {"size": 13, "color": "#5c6b64"}}
    out = {
        # no template: assigning one deep-copies it (≈ 80 ms a figure); the look is set explicitly
        "title": title_spec, "template": "none", "separators": plotly_separators(lang), "height": height,
        "paper_bgcolor": "white", "plot_bgcolor": "white", "colorway": list(PLANT_COLORS), "hovermode": "closest",
        "font": {"family": FONT, "size": 13, "color": "#1d2a25"},
        "margin": {"l": 10, "r": 10, "t": top, "b": 10},
        "hoverlabel": {"font": {"family": FONT}},
        "showlegend": bool(legend),
        "legend": {"orientation": "h", "yanchor": "top" if bottom_legend else "bottom",
                   "y": -0.12 if bottom_legend else legend_y, "xanchor": "left", "x": 0.0,
                   "traceorder": "normal", "font": {"size": 13}},
        "xaxis": xaxis(), "yaxis": yaxis(),
    }
    out.update(extra)
    return out


def figure(data: list[dict], lay: dict) -> go.Figure:
    """Build the figure once from plain dicts."""
    return go.Figure(data=data, layout=lay)


def energy_scale(max_kwh: float) -> tuple[float, str]:
    """Divisor and unit so that the largest value reads well: kWh below 10 MWh, then MWh."""
    return (1000.0, "MWh") if max_kwh >= 10_000 else (1.0, "kWh")


def money_scale(max_eur: float) -> tuple[float, str]:
    """Divisor and unit for money axes: € below 100 k€, then k€."""
    return (1000.0, "k€") if max_eur >= 100_000 else (1.0, "€")


def wrap_label(text: str, width: int = 16) -> str:
    """``text`` broken at spaces into balanced lines of about ``width`` characters (``<br>``), for category
    ticks: a line ends once it reaches its share of the text (``Quanto porta<br>la CER``)."""
    text = str(text)
    target = math.ceil(len(text) / max(1, math.ceil(len(text) / width)))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) < target:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _num(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return 0.0
    return v if math.isfinite(v) else 0.0


def _list(values) -> list:
    """Numbers for a figure dict (plain floats: faster to validate than numpy scalars)."""
    return np.asarray(values, dtype=float).tolist()


def _alpha(hex_color: str, a: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{a})"


def _nothing(*values) -> bool:
    """True when every value is zero or missing (a year without energy, a member with 0 kWh)."""
    return not any(np.any(np.nan_to_num(np.asarray(v, dtype=float)) != 0) for v in values)


def empty_figure(message: str, title: str, lang: str, height: int = 300) -> go.Figure:
    """A figure with a centred message, for a chart without data (no simulation, no members...)."""
    return figure([], layout(title, lang, height=height, legend=False, xaxis={"visible": False},
                             yaxis={"visible": False},
                             annotations=[{"text": "<br>".join(textwrap.wrap(message, 48)), "x": 0.5, "y": 0.5,
                                           "xref": "paper", "yref": "paper",
                                           "showarrow": False, "font": {"size": 15, "color": "#5c6b64"}}]))


# -------------------------------------------------------------------------------------------------
# aggregations (pure, over hourly arrays in the core's hour order)
# -------------------------------------------------------------------------------------------------

def season_of_hour(year: int) -> np.ndarray:
    """Season index (0 winter, 1 spring, 2 summer, 3 autumn) of each local hour of ``year``."""
    months = local_month(year)
    out = np.zeros(len(months), dtype=np.int8)
    for k, (_, ms) in enumerate(SEASONS):
        out[np.isin(months, ms)] = k
    return out


def mean_by_hour_of_day(values: np.ndarray, year: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Mean of hourly ``values`` [kWh] for each local clock hour 0–23 → (24,) [kWh/h = kW average].

    Hours outside ``mask`` are ignored; an hour of day with no data gives 0.
    """
    hod = local_hour_of_day(year)
    keep = np.ones(len(hod), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    sums = np.bincount(hod[keep], weights=np.asarray(values, dtype=float)[keep], minlength=24)
    counts = np.bincount(hod[keep], minlength=24)
    return np.divide(sums, counts, out=np.zeros(24), where=counts > 0)


def typical_days(series: dict[str, np.ndarray], year: int) -> dict[str, dict[str, np.ndarray]]:
    """Average day per season: ``{season: {name: (24,) kW}}`` for each hourly series [kWh]."""
    seasons = season_of_hour(year)
    return {name: {key: mean_by_hour_of_day(values, year, seasons == k) for key, values in series.items()}
            for k, (name, _) in enumerate(SEASONS)}


def day_hour_matrix(values: np.ndarray, year: int) -> tuple[np.ndarray, list[str]]:
    """Hourly ``values`` as a (24 hours, days) matrix by local date and clock hour, and the ISO dates.

    The October clock-change day adds its repeated hour into the same cell; the missing March hour
    is NaN.
    """
    local = hours_local(year)
    day_index = (local.normalize().tz_localize(None) - np.datetime64(f"{year}-01-01")).days.to_numpy()
    n_days = int(day_index.max()) + 1
    hod = local_hour_of_day(year)
    out = np.zeros((24, n_days))
    np.add.at(out, (hod, day_index), np.asarray(values, dtype=float))
    seen = np.zeros((24, n_days), dtype=bool)
    seen[hod, day_index] = True
    out[~seen] = np.nan
    dates = [str(np.datetime64(f"{year}-01-01") + np.timedelta64(int(d), "D")) for d in range(n_days)]
    return out, dates


# -------------------------------------------------------------------------------------------------
# community energy
# -------------------------------------------------------------------------------------------------

def monthly_energy_figure(monthly: Sequence[Month], tr: Tr, lang: str = "it") -> go.Figure:
    """Per month, two stacked columns: production (self-consumed + shared + injected not shared) and
    consumption (self-consumed + shared + withdrawn not shared). Shared energy is the overlap."""
    title = tr("charts.monthly_energy.title")
    if not monthly:
        return empty_figure(tr("charts.no_data"), title, lang)
    self_c = np.array([_num(r.self_consumed_kwh) for r in monthly])
    shared = np.array([_num(r.shared_kwh) for r in monthly])
    inj_ns = np.maximum(np.array([_num(r.injected_kwh) for r in monthly]) - shared, 0)
    wd_ns = np.maximum(np.array([_num(r.withdrawn_kwh) for r in monthly]) - shared, 0)
    if _nothing(self_c, shared, inj_ns, wd_ns):
        return empty_figure(tr("charts.no_energy"), title, lang)
    div, unit = energy_scale(max((self_c + shared + np.maximum(inj_ns, wd_ns)).max(initial=0), 1))
    months = list(month_names(lang))[: len(monthly)]
    data = []
    groups = (("prod", tr("charts.production"), inj_ns, "injected_not_shared"),
              ("cons", tr("charts.consumption"), wd_ns, "withdrawn_not_shared"))
    for g, (group, group_label, top, top_key) in enumerate(groups):
        base = np.zeros(len(months))
        for key, values in (("self_consumed", self_c), ("shared", shared), (top_key, top)):
            data.append({"type": "bar", "x": months, "y": _list(values / div), "base": _list(base / div),
                         "offsetgroup": group, "name": tr(f"charts.{key}"), "legendgroup": key,
                         "showlegend": g == 0 or key == top_key,
                         "marker": {"color": COLORS[key], "line": {"width": 0}},
                         "customdata": [group_label] * len(months),
                         "hovertemplate": f"%{{customdata}} · %{{x}}<br>{tr(f'charts.{key}')}: "
                                          f"%{{y:,.1f}} {unit}<extra></extra>"})
            base = base + values
    return figure(data, layout(title, lang, subtitle=tr("charts.monthly_energy.note"), barmode="group", bargap=0.25,
                               bargroupgap=0.08, yaxis=yaxis(title={"text": unit}, tickformat=",~f")))


def typical_day_figure(production_kwh: np.ndarray, consumption_kwh: np.ndarray, shared_kwh: np.ndarray,
                       year: int, tr: Tr, lang: str = "it") -> go.Figure:
    """Average day per season (four panels): production, consumption and shared energy [kW average]."""
    title = tr("charts.typical_day.title")
    if _nothing(production_kwh, consumption_kwh):
        return empty_figure(tr("charts.no_energy"), title, lang)
    days = typical_days({"production": production_kwh, "consumption": consumption_kwh, "shared": shared_kwh}, year)
    peak = max((v.max() for d in days.values() for v in d.values()), default=0.0)
    div, unit = (1000.0, "MW") if peak >= 10_000 else (1.0, "kW")
    hours = list(range(24))
    gap, width = 0.025, (1 - 3 * 0.025) / 4
    data, axes, notes = [], {}, []
    for col, (season, _) in enumerate(SEASONS):
        suffix = "" if col == 0 else str(col + 1)
        x0 = col * (width + gap)
        axes[f"xaxis{suffix}"] = xaxis(domain=[x0, x0 + width], anchor=f"y{suffix}", tickvals=[0, 6, 12, 18, 23],
                                       range=[0, 23], title={"text": tr("charts.hour_of_day")})
        axes[f"yaxis{suffix}"] = yaxis(anchor=f"x{suffix}", rangemode="tozero",
                                       **({"title": {"text": f"{tr('charts.mean_power')} ({unit})"}} if col == 0 else
                                          {"matches": "y", "showticklabels": False}))
        notes.append({"text": tr(f"charts.season.{season}"), "x": x0 + width / 2, "y": 1.0, "xref": "paper",
                      "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False, "yshift": 4,
                      "font": {"size": 14, "color": "#1d2a25"}})
        for key, dash, fill in (("production", "solid", "tozeroy"), ("consumption", "solid", None),
                                ("shared", "dot", "tozeroy")):
            trace = {"type": "scatter", "x": hours, "y": _list(days[season][key] / div), "name": tr(f"charts.{key}"),
                     "legendgroup": key, "showlegend": col == 0, "mode": "lines",
                     "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
                     "line": {"color": COLORS[key], "width": 2.4, "dash": dash, "shape": "spline"},
                     "hovertemplate": f"{tr('charts.hour')} %{{x}}:00<br>{tr(f'charts.{key}')}: "
                                      f"%{{y:,.1f}} {unit}<extra></extra>"}
            if fill:
                trace.update(fill=fill, fillcolor=_alpha(COLORS[key], 0.18))
            data.append(trace)
    return figure(data, layout(title, lang, height=430, legend_y=1.09, annotations=notes, **axes))


def shared_heatmap_figure(shared_kwh: np.ndarray, year: int, tr: Tr, lang: str = "it") -> go.Figure:
    """Shared energy by day of the year (x) and local hour (y) [kWh]."""
    title = tr("charts.heatmap.title")
    if _nothing(shared_kwh):  # a heatmap of zeros is one flat colour that reads as "a lot"
        return empty_figure(tr("charts.no_shared"), title, lang, height=400)
    matrix, dates = day_hour_matrix(shared_kwh, year)
    peak = np.nanmax(matrix) if np.isfinite(matrix).any() else 0.0
    div, unit = energy_scale(peak * 10)  # MWh only when an hour exceeds 1 MWh
    day_labels = [f"{d[8:10]}/{d[5:7]}/{d[:4]}" if lang != "en" else d for d in dates]
    month_starts = [i for i, d in enumerate(dates) if d.endswith("-01")]
    z = (matrix / div).astype(np.float32)  # half the bytes of float64, ample for kWh
    trace = {"type": "heatmap", "z": z,  # a float array: NaN (the missing March hour) is a gap
             "x": day_labels, "y": list(range(24)),
             "colorscale": [[0, "#f7fbf9"], [0.15, "#c9e7d8"], [0.5, "#f2b705"], [1, "#b45309"]], "zmin": 0,
             "colorbar": {"title": {"text": unit, "side": "right"}, "thickness": 12},
             "hovertemplate": f"%{{x}} {tr('charts.hour')} %{{y}}:00<br>{tr('charts.shared')}: "
                              f"%{{z:,.1f}} {unit}<extra></extra>"}
    return figure([trace], layout(
        title, lang, height=400, legend=False,
        xaxis=xaxis(title={"text": tr("charts.day_of_year")}, type="category", ticks="",
                    tickvals=[day_labels[min(i + 14, len(day_labels) - 1)] for i in month_starts],
                    ticktext=list(month_names(lang))[: len(month_starts)]),
        yaxis=yaxis(title={"text": tr("charts.hour_of_day")}, tickvals=[0, 6, 12, 18, 23], autorange="reversed",
                    showgrid=False, zeroline=False)))


def sankey_figure(totals: Totals, tr: Tr, lang: str = "it") -> go.Figure:
    """The year's energy flows: production → self-consumed / shared / injected not shared;
    grid withdrawals → consumption."""
    title = tr("charts.sankey.title")
    prod = _num(totals.production_kwh)
    cons = _num(totals.consumption_kwh)
    if prod <= 0 and cons <= 0:
        return empty_figure(tr("charts.no_energy"), title, lang)
    self_c = _num(totals.self_consumed_kwh)
    shared = _num(totals.shared_kwh)
    injected = _num(totals.injected_kwh)
    withdrawn = _num(totals.withdrawn_kwh)
    inj_ns = max(injected - shared, 0.0)
    wd_ns = max(withdrawn - shared, 0.0)
    nodes = [("production", prod, COLORS["production"]), ("injected", injected, COLORS["injected_not_shared"]),
             ("self_consumed", self_c, COLORS["self_consumed"]), ("shared", shared, COLORS["shared"]),
             ("injected_not_shared", inj_ns, COLORS["injected_not_shared"]),
             ("grid_withdrawal", wd_ns, COLORS["withdrawn_not_shared"]), ("consumption", cons, COLORS["consumption"])]
    idx = {key: i for i, (key, _, _) in enumerate(nodes)}
    links = [("production", "self_consumed", self_c), ("production", "injected", injected),
             ("injected", "shared", shared), ("injected", "injected_not_shared", inj_ns),
             ("self_consumed", "consumption", self_c), ("shared", "consumption", shared),
             ("grid_withdrawal", "consumption", wd_ns)]
    links = [(a, b, v) for a, b, v in links if v > 0]
    trace = {"type": "sankey", "arrangement": "snap", "valueformat": ",.0f", "valuesuffix": " kWh",
             "node": {"label": [f"{tr(f'charts.node.{k}')}<br>{fmt_energy(v, lang)}" for k, v, _ in nodes],
                      "color": [c for _, _, c in nodes], "pad": 22, "thickness": 18, "line": {"width": 0},
                      "hovertemplate": "%{label}<extra></extra>"},
             "link": {"source": [idx[a] for a, _, _ in links], "target": [idx[b] for _, b, _ in links],
                      "value": [v for _, _, v in links],
                      "color": [_alpha(COLORS[LINK_COLOR.get(b, b) if b != "consumption" else LINK_COLOR.get(a, a)], 0.35)
                                for a, b, _ in links]}}
    return figure([trace], layout(title, lang, height=420, legend=False))


# -------------------------------------------------------------------------------------------------
# money
# -------------------------------------------------------------------------------------------------

MONEY_ITEMS = (("tip", "tip_eur", 1), ("valorisation", "valorisation_eur", 1), ("energy_sale", "energy_sale_eur", 1),
               ("rid_topup", "rid_min_price_topup_eur", 1), ("bill_savings", "bill_savings_eur", 1),
               ("fees", "fees_eur", -1))
#: What the CER brings (docs/results.md): TIP + valorisation − the CER's costs.
CER_ITEMS = (("tip", "tip_eur", 1), ("valorisation", "valorisation_eur", 1), ("cer_costs", "cer_costs_eur", -1))
#: The plants' and prosumers' own economics, never part of the CER's money.
OWN_ITEMS = (("energy_sale", "energy_sale_eur", 1), ("rid_topup", "rid_min_price_topup_eur", 1),
             ("rid_fee", "rid_fee_eur", -1), ("bill_savings", "bill_savings_eur", 1))


def _money_value(row: Totals | Month, field: str) -> float:
    """A money figure of the year or of a month, by its field name (``MONEY_ITEMS``...)."""
    return _num(getattr(row, field))


def money_year_figure(totals: Totals, tr: Tr, lang: str = "it") -> go.Figure:
    """Waterfall of what the CER brings [€]: TIP + valorisation − the CER's costs.

    Energy sale and self-consumption savings are the plants' and prosumers' own and stay out of it.
    """
    title = tr("charts.money_year.title")
    items = [(key, sign * _money_value(totals, field)) for key, field, sign in CER_ITEMS]
    if _nothing([v for _, v in items]):
        return empty_figure(tr("charts.no_money"), title, lang)
    items = [(k, v) for k, v in items if abs(v) > 0.005 or k == "tip"]
    net = sum(v for _, v in items)
    div, unit = money_scale(max([abs(v) for _, v in items] + [abs(net), 1]))
    # short lines under the bars: one long line each was drawn slanted at 30° on a half-width chart
    x = [wrap_label(tr(f"charts.money.{k}")) for k, _ in items] + [wrap_label(tr("charts.money.cer_money"))]
    y = [v / div for _, v in items] + [net / div]
    trace = {"type": "waterfall", "x": x, "y": y, "measure": ["relative"] * len(items) + ["total"],
             "text": [fmt_eur(v * div, lang) for v in y], "textposition": "outside",
             "increasing": {"marker": {"color": COLORS["tip"]}}, "decreasing": {"marker": {"color": COLORS["fees"]}},
             "totals": {"marker": {"color": COLORS["net"]}}, "connector": {"line": {"color": "#9aa5a0", "width": 1}},
             "hovertemplate": f"%{{x}}: %{{y:,.0f}} {unit}<extra></extra>", "cliponaxis": False}
    return figure([trace], layout(title, lang, height=440, legend=False, xaxis=xaxis(tickangle=0),
                                  yaxis=yaxis(title={"text": f"{unit} / {tr('charts.year')}"}, tickformat=",~f")))


def money_monthly_figure(monthly: Sequence[Month], tr: Tr, lang: str = "it") -> go.Figure:
    """Money per month [€]: the CER's items and the plants' and prosumers' own, stacked (costs below zero);
    the line is what the CER brings (TIP + valorisation − the CER's costs)."""
    title = tr("charts.money_monthly.title")
    if not monthly:
        return empty_figure(tr("charts.no_data"), title, lang)
    months = list(month_names(lang))[: len(monthly)]
    series = {key: np.array([sign * _money_value(r, field) for r in monthly])
              for key, field, sign in CER_ITEMS + OWN_ITEMS}
    if _nothing(*series.values()):
        return empty_figure(tr("charts.no_money"), title, lang)
    net = sum(series[key] for key, _, _ in CER_ITEMS)
    div, unit = money_scale(np.abs(np.column_stack(list(series.values()))).sum(axis=1).max(initial=0))
    colors = {**COLORS, "cer_costs": COLORS["fees"], "rid_fee": "#e08e83"}
    data = [{"type": "bar", "x": months, "y": _list(values / div), "name": tr(f"charts.money.{key}"),
             "marker": {"color": colors[key]},
             "hovertemplate": f"%{{x}} · {tr(f'charts.money.{key}')}: %{{y:,.0f}} {unit}<extra></extra>"}
            for key, values in series.items() if values.any() or key in ("tip", "bill_savings")]
    data.append({"type": "scatter", "x": months, "y": _list(net / div), "name": tr("charts.money.cer_money"),
                 "mode": "lines+markers", "line": {"color": COLORS["net"], "width": 2.5}, "marker": {"size": 7},
                 "hovertemplate": f"%{{x}} · {tr('charts.money.cer_money')}: %{{y:,.0f}} {unit}<extra></extra>"})
    return figure(data, layout(title, lang, height=470, legend="bottom", barmode="relative", bargap=0.3,
                               subtitle=tr("charts.money_monthly.subtitle"),
                               yaxis=yaxis(title={"text": f"{unit} / {tr('charts.month')}"}, tickformat=",~f")))


# -------------------------------------------------------------------------------------------------
# plants and weather
# -------------------------------------------------------------------------------------------------

def plant_monthly_figure(names: Sequence[str], monthly_kwh: np.ndarray, tr: Tr, lang: str = "it") -> go.Figure:
    """Monthly production stacked by plant; ``monthly_kwh`` is (12, plants) [kWh]."""
    title = tr("charts.plant_monthly.title")
    monthly_kwh = np.asarray(monthly_kwh, dtype=float).reshape(12, -1) if len(names) else np.zeros((12, 0))
    if not len(names) or monthly_kwh.sum() <= 0:
        return empty_figure(tr("charts.no_plants"), title, lang)
    div, unit = energy_scale(monthly_kwh.sum(axis=1).max())
    months = list(month_names(lang))
    names = [_plain(n) for n in names]  # user names: plotly renders a subset of HTML (links) in labels
    data = [{"type": "bar", "x": months, "y": _list(monthly_kwh[:, j] / div), "name": name,
             "marker": {"color": PLANT_COLORS[j % len(PLANT_COLORS)]},
             "hovertemplate": f"{name} · %{{x}}: %{{y:,.1f}} {unit}<extra></extra>"} for j, name in enumerate(names)]
    return figure(data, layout(title, lang, barmode="stack", bargap=0.25, height=430 + 24 * ((len(names) - 1) // 4),
                               legend="bottom" if len(names) > 4 else True,
                               yaxis=yaxis(title={"text": unit}, tickformat=",~f")))


def weather_figure(irradiation_kwh_m2: Sequence[float], temperature_c: Sequence[float], tr: Tr,
                   lang: str = "it") -> go.Figure:
    """Monthly global horizontal irradiation [kWh/m²] as bars and mean air temperature [°C] as a line."""
    title = tr("charts.weather.title")
    months = list(month_names(lang))
    data = [{"type": "bar", "x": months, "y": _list(irradiation_kwh_m2), "name": tr("charts.irradiation"),
             "marker": {"color": COLORS["irradiation"]},
             "hovertemplate": f"%{{x}}: %{{y:,.0f}} kWh/m²<extra>{tr('charts.irradiation')}</extra>"},
            {"type": "scatter", "x": months, "y": _list(temperature_c), "name": tr("charts.temperature"),
             "mode": "lines+markers", "line": {"color": COLORS["temperature"], "width": 2.5}, "yaxis": "y2",
             "hovertemplate": f"%{{x}}: %{{y:,.1f}} °C<extra>{tr('charts.temperature')}</extra>"}]
    return figure(data, layout(
        title, lang, height=360,
        yaxis=yaxis(title={"text": f"{tr('charts.irradiation')} (kWh/m²)"}, tickformat=",.0f"),
        yaxis2=yaxis(title={"text": f"{tr('charts.temperature')} (°C)"}, overlaying="y", side="right",
                     showgrid=False, zeroline=False, tickmode="auto", tickformat=",~f")))


# -------------------------------------------------------------------------------------------------
# one member's load
# -------------------------------------------------------------------------------------------------

def member_monthly_figure(monthly_by_band_kwh: np.ndarray, tr: Tr, lang: str = "it") -> go.Figure:
    """A member's monthly consumption stacked by band F1/F2/F3 [kWh]; ``monthly_by_band_kwh`` is (12, 3)
    (``cer_core.api.MemberLoadPreview.monthly_by_band_kwh``)."""
    title = tr("charts.member_monthly.title")
    table = np.asarray(monthly_by_band_kwh, dtype=float).reshape(12, 3)
    if _nothing(table):
        return empty_figure(tr("charts.no_consumption"), title, lang, height=340)
    div, unit = energy_scale(table.sum(axis=1).max(initial=0))
    months = list(month_names(lang))
    data = [{"type": "bar", "x": months, "y": _list(table[:, b] / div), "name": band, "marker": {"color": COLORS[band]},
             "hovertemplate": f"%{{x}} · {band}: %{{y:,.1f}} {unit}<extra></extra>"}
            for b, band in enumerate(("F1", "F2", "F3"))]
    return figure(data, layout(title, lang, height=340, barmode="stack", bargap=0.25,
                               yaxis=yaxis(title={"text": unit}, tickformat=",~f")))


def member_typical_days_figure(load_kwh: np.ndarray, year: int, tr: Tr, lang: str = "it") -> go.Figure:
    """A member's average day on working days, Saturdays and Sundays/holidays [kW average]."""
    title = tr("charts.member_days.title")
    if _nothing(load_kwh):
        return empty_figure(tr("charts.no_consumption"), title, lang, height=340)
    day_type = day_type_of_hour(year)
    curves = {key: mean_by_hour_of_day(load_kwh, year, day_type == code)
              for key, code in (("weekday", WEEKDAY), ("saturday", SATURDAY), ("holiday", HOLIDAY))}
    peak = max(c.max() for c in curves.values())
    div, unit = (1000.0, "MW") if peak >= 10_000 else (1.0, "kW")
    data = [{"type": "scatter", "x": list(range(24)), "y": _list(curves[key] / div), "name": tr(f"charts.day.{key}"),
             "mode": "lines", "line": {"color": color, "width": 2.4, "shape": "spline"},
             "hovertemplate": f"{tr('charts.hour')} %{{x}}:00 · %{{y:,.2f}} {unit}<extra>{tr(f'charts.day.{key}')}</extra>"}
            for key, color in (("weekday", COLORS["consumption"]), ("saturday", COLORS["F2"]),
                               ("holiday", COLORS["F3"]))]
    return figure(data, layout(title, lang, height=340,
                               xaxis=xaxis(title={"text": tr("charts.hour_of_day")}, tickvals=[0, 6, 12, 18, 23],
                                           range=[0, 23]),
                               yaxis=yaxis(title={"text": f"{tr('charts.mean_power')} ({unit})"}, rangemode="tozero")))


def band_split_figure(load_kwh: np.ndarray, year: int, tr: Tr, lang: str = "it") -> go.Figure:
    """A member's yearly consumption by band F1/F2/F3 (donut) [kWh, %]."""
    title = tr("charts.bands.title")
    if _nothing(load_kwh):
        return empty_figure(tr("charts.no_consumption"), title, lang, height=340)
    band = band_of_hour(year)
    load = np.asarray(load_kwh, dtype=float)
    values = [float(load[band == b].sum()) for b in (F1, F2, F3)]
    trace = {"type": "pie", "labels": ["F1", "F2", "F3"], "values": values, "hole": 0.55, "sort": False,
             "marker": {"colors": [COLORS["F1"], COLORS["F2"], COLORS["F3"]]},
             "texttemplate": "%{label}<br>%{percent:.0%}",
             "hovertemplate": "%{label}: %{value:,.0f} kWh (%{percent:.1%})<extra></extra>"}
    return figure([trace], layout(title, lang, height=340, annotations=[
        {"text": fmt_energy(sum(values), lang), "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
         "showarrow": False, "font": {"size": 15}}]))


# -------------------------------------------------------------------------------------------------
# the small map (offline: plain lon/lat axes, no tiles)
# -------------------------------------------------------------------------------------------------

def _rings(area: dict | None) -> list[list]:
    """Exterior rings ``[[lon, lat], ...]`` of a GeoJSON Polygon/MultiPolygon (holes are not drawn)."""
    if not area:
        return []
    coords = area.get("coordinates") or []
    if area.get("type") == "Polygon":
        return [coords[0]] if coords else []
    if area.get("type") == "MultiPolygon":
        return [poly[0] for poly in coords if poly]
    return []


def mini_map_figure(members: Sequence[dict], cabine: Sequence[dict], plant_kwp: dict[str, float], tr: Tr,
                    lang: str = "it") -> go.Figure:
    """Members (coloured by role, sized by kWp) and cabina areas on equal-distance lon/lat axes.

    Works offline: no basemap tiles, only the scenario's own geometry.
    """
    title = tr("charts.map.title")
    located = [m for m in members if isinstance(m.get("lat"), (int, float)) and isinstance(m.get("lon"), (int, float))]
    if not located:
        return empty_figure(tr("charts.map.empty"), title, lang, height=360)
    data = []
    area_colors = ("#1b7f5f", "#2f6fb0", "#8e44ad", "#d35400", "#16a085")
    for c, cab in enumerate(cabine):
        color = area_colors[c % len(area_colors)]
        for ring in _rings(cab.get("area")):
            data.append({"type": "scatter", "x": [p[0] for p in ring], "y": [p[1] for p in ring], "mode": "lines",
                         "fill": "toself", "fillcolor": _alpha(color, 0.07),
                         "line": {"color": _alpha(color, 0.6), "width": 1.5}, "name": _plain(cab.get("name") or cab.get("id")),
                         "hoverinfo": "name", "legendgroup": f"cab{c}", "showlegend": False})
    for kind in KIND_CHOICES:
        group = [m for m in located if m.get("kind") == kind]
        if not group:
            continue
        kwp = np.array([plant_kwp.get(m.get("id"), 0.0) for m in group])
        size = 9 + 14 * np.sqrt(kwp / max(kwp.max(initial=0), 1)) if kwp.any() else np.full(len(group), 9.0)
        data.append({"type": "scatter", "x": [m["lon"] for m in group], "y": [m["lat"] for m in group],
                     "mode": "markers", "name": tr(f"common.kind.{kind}"),
                     "marker": {"color": COLORS[kind], "size": _list(size), "line": {"color": "white", "width": 1}},
                     "customdata": [[_plain(m.get("name") or m.get("id")), _plain(m.get("cabina", "")),
                                     plant_kwp.get(m.get("id"), 0.0)] for m in group],
                     "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]:,.1f} kWp"
                                      "<extra></extra>"})
    lats = [m["lat"] for m in located] + [p[1] for c in cabine for ring in _rings(c.get("area")) for p in ring]
    lons = [m["lon"] for m in located] + [p[0] for c in cabine for ring in _rings(c.get("area")) for p in ring]
    pad_lat = max((max(lats) - min(lats)) * 0.08, 0.002)
    pad_lon = max((max(lons) - min(lons)) * 0.08, 0.002)
    mean_lat = float(np.mean(lats))
    return figure(data, layout(
        title, lang, height=400, plot_bgcolor="#f7faf8",
        xaxis={"visible": False, "range": [min(lons) - pad_lon, max(lons) + pad_lon]},
        yaxis={"visible": False, "range": [min(lats) - pad_lat, max(lats) + pad_lat], "scaleanchor": "x",
               "scaleratio": 1 / max(math.cos(math.radians(mean_lat)), 0.1)}))


def _plain(value) -> str:
    """A user string as plain text in a plotly label: HTML tags escaped, ``%{...}`` templates defused, cut short."""
    return html.escape(str(value)[:120]).replace("%{", "%\u200b{")
