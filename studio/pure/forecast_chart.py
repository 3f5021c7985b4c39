"""The 72-hour forecast chart: production with its band, consumption, shared energy and surplus, the best
windows shaded. A pure function over :class:`cer_core.forecast.CommunityForecast` (no Streamlit), in the
studio's style (:mod:`studio.pure.charts`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cer_core.forecast import CommunityForecast
from cer_core.timeaxis import LOCAL_TZ

from .charts import COLORS, Tr, _alpha, _list, empty_figure, figure, layout, xaxis, yaxis

_DAYS = {"it": ("lun", "mar", "mer", "gio", "ven", "sab", "dom"), "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def _columns(fc: CommunityForecast, cabina: str | None) -> list[int]:
    return list(range(len(fc.cabina_ids))) if cabina is None else [fc.cabina_ids.index(cabina)]


def series(fc: CommunityForecast, cabina: str | None = None) -> dict[str, np.ndarray]:
    """The hourly series the chart draws, for one cabina or the whole community [kWh per hour]."""
    cols = _columns(fc, cabina)
    pick = lambda a: a[:, cols].sum(axis=1)
    return {"production": pick(fc.cabina_production_kwh), "low": pick(fc.cabina_low_kwh),
            "high": pick(fc.cabina_high_kwh), "consumption": pick(fc.cabina_load_kwh),
            "shared": pick(fc.cabina_shared_kwh), "surplus": pick(fc.cabina_surplus_kwh)}


def hour_labels(fc: CommunityForecast, lang: str = "it") -> list[str]:
    """``sab 24/10 14:00`` per hour; the repeated October hour carries its offset (``02:00 +01``)."""
    local = fc.hours_utc.tz_convert(LOCAL_TZ)
    names = _DAYS["en" if lang == "en" else "it"]
    seen: set = set()
    out = []
    for ts in local:
        text = f"{names[ts.weekday()]} {ts.day:02d}/{ts.month:02d} {ts.hour:02d}:00"
        if text in seen:
            text += f" ({ts.strftime('%z')[:3]})"
        seen.add(text)
        out.append(text)
    return out


def forecast_figure(fc: CommunityForecast, tr: Tr, lang: str = "it", cabina: str | None = None) -> go.Figure:
    """Production (line) inside its band, consumption, shared energy (area) and surplus (bars) per hour."""
    title = tr("previsioni.chart.title")
    s = series(fc, cabina)
    if not (np.any(s["production"] > 0) or np.any(s["consumption"] > 0)):
        return empty_figure(tr("previsioni.chart.empty"), title, lang)
    labels = hour_labels(fc, lang)
    x = labels  # unique strings (the repeated October hour carries its offset): a category axis
    unit = "kWh"
    hover = lambda name: f"{name}: %{{y:,.1f}} {unit}<extra></extra>"
    band_name = tr("previsioni.chart.band")
    data = [
        {"type": "scatter", "x": x, "y": _list(s["high"]), "mode": "lines", "line": {"width": 0},
         "hoverinfo": "skip", "showlegend": False, "legendgroup": "band"},
        {"type": "scatter", "x": x, "y": _list(s["low"]), "mode": "lines", "line": {"width": 0}, "fill": "tonexty",
         "fillcolor": _alpha(COLORS["production"], 0.22), "name": band_name, "legendgroup": "band",
         "customdata": _list(s["high"]),
         "hovertemplate": f"{band_name}: %{{y:,.1f}}–%{{customdata:,.1f}} {unit}<extra></extra>"},
        {"type": "bar", "x": x, "y": _list(s["surplus"]), "name": tr("previsioni.chart.surplus"),
         "marker": {"color": _alpha(COLORS["injected_not_shared"], 0.75)},
         "hovertemplate": hover(tr("previsioni.chart.surplus"))},
        {"type": "scatter", "x": x, "y": _list(s["shared"]), "mode": "lines", "fill": "tozeroy",
         "fillcolor": _alpha(COLORS["shared"], 0.35), "line": {"color": COLORS["shared"], "width": 1.5},
         "name": tr("previsioni.chart.shared"), "hovertemplate": hover(tr("previsioni.chart.shared"))},
        {"type": "scatter", "x": x, "y": _list(s["production"]), "mode": "lines",
         "line": {"color": COLORS["production"], "width": 2.6}, "name": tr("previsioni.chart.production"),
         "hovertemplate": hover(tr("previsioni.chart.production"))},
        {"type": "scatter", "x": x, "y": _list(s["consumption"]), "mode": "lines",
         "line": {"color": COLORS["consumption"], "width": 2.0, "dash": "dot"},
         "name": tr("previsioni.chart.consumption"),
         "hovertemplate": hover(tr("previsioni.chart.consumption"))},
    ]
    local = fc.hours_utc.tz_convert(LOCAL_TZ)
    midnights = [i for i in range(1, len(local)) if local[i].date() != local[i - 1].date()]
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": i - 0.5, "x1": i - 0.5, "y0": 0, "y1": 1,
               "line": {"color": "#c7d0cb", "width": 1, "dash": "dash"}} for i in midnights]
    cols = set(_columns(fc, cabina))
    seen = set()
    for w in fc.windows:
        if fc.cabina_ids.index(w.cabina) not in cols or (w.cabina, w.start_utc) in seen:
            continue
        seen.add((w.cabina, w.start_utc))
        i0 = int(np.searchsorted(fc.hours_utc, w.start_utc))
        i1 = int(np.searchsorted(fc.hours_utc, w.end_utc))
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": i0 - 0.5, "x1": i1 - 0.5, "y0": 0, "y1": 1,
                       "fillcolor": _alpha(COLORS["self_consumed"], 0.10), "line": {"width": 0}, "layer": "below"})
    ticks = [i for i in range(len(labels)) if local[i].hour in (0, 6, 12, 18)]
    subtitle = tr("previsioni.chart.subtitle_fallback") if fc.source == "fallback" else tr("previsioni.chart.subtitle")
    return figure(data, layout(
        title, lang, height=460, subtitle=subtitle, barmode="overlay", hovermode="x unified", shapes=shapes,
        xaxis=xaxis(type="category", tickvals=[labels[i] for i in ticks], ticktext=[labels[i].replace(" ", "<br>", 1) if local[i].hour == 0 or i == ticks[0]
                                              else labels[i].split(" ")[-1] for i in ticks],
                    range=[-0.5, len(labels) - 0.5]),
        yaxis=yaxis(title={"text": tr("previsioni.chart.yaxis")}, rangemode="tozero")))
