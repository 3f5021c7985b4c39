"""The community report's charts and map, drawn by matplotlib (Agg, no display, no tiles) as PNG bytes.

Colours are the studio's (``pdf.PALETTE``, the same as ``studio/pure/charts.py``); axis numbers use the
report's format (Italian decimal comma). The map draws the shipped comuni boundaries
(``assets/geo/*.geojson``, Openpolis / ISTAT, CC-BY 4.0), the cabine's areas, the members and the
plants: nothing is fetched, so it renders offline.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache

import numpy as np

from ...geo import boundary_features, polygon_rings
from ...vocabulary import KIND_CHOICES
from .pdf import PALETTE
from .text import Text

CABINA_COLORS = ("#1b7f5f", "#2f6fb0", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#c0392b", "#e0a100")
DPI = 200


def _figure(w_mm: float, h_mm: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w_mm / 25.4, h_mm / 25.4), dpi=DPI)
    fig.patch.set_facecolor("white")
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    return buf.getvalue()


def _style(ax, tx: Text, ylabel: str) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color("#9aa5a0")
    ax.grid(axis="y", color="#e6ebe8", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=7, colors="#5f6b66", length=2)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: tx.num(v)))
    ax.set_ylabel(ylabel, fontsize=7.5, color="#1d2a25")


def monthly_energy_png(monthly: list[dict], tx: Text, w_mm: float = 182, h_mm: float = 72) -> bytes:
    """Per month: consumption split into covered by own plants / shared / from the grid (bars), and
    production (line) [MWh]."""
    fig = _figure(w_mm, h_mm)
    ax = fig.add_axes((0.075, 0.2, 0.9, 0.72))
    x = np.arange(12)
    get = lambda k: np.array([float(r.get(k) or 0.0) for r in monthly]) / 1000  # noqa: E731
    self_c, shared, cons, prod = get("self_consumed_kwh"), get("shared_kwh"), get("consumption_kwh"), get("production_kwh")
    grid = np.maximum(cons - self_c - shared, 0.0)
    ax.bar(x, self_c, 0.62, color=PALETTE["self_consumed"], label=tx("chart.self_consumed"))
    ax.bar(x, shared, 0.62, bottom=self_c, color=PALETTE["shared"], label=tx("chart.shared"))
    ax.bar(x, grid, 0.62, bottom=self_c + shared, color=PALETTE["withdrawn_not_shared"], label=tx("chart.grid"))
    ax.plot(x, prod, color=PALETTE["production"], marker="o", markersize=3, linewidth=1.6, label=tx("chart.production"))
    ax.set_xticks(x, tx.months)
    _style(ax, tx, "MWh")
    ax.legend(fontsize=6.8, frameon=False, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    return _png(fig)


def monthly_money_png(monthly: list[dict], tx: Text, w_mm: float = 182, h_mm: float = 66) -> bytes:
    """Per month, side by side: what the CER receives (TIP + valorisation) and the members' own
    economics (energy sale + bill savings) [€] — two groups, never one stack."""
    fig = _figure(w_mm, h_mm)
    ax = fig.add_axes((0.075, 0.22, 0.9, 0.7))
    x = np.arange(12)
    get = lambda k: np.array([float(r.get(k) or 0.0) for r in monthly])  # noqa: E731
    w = 0.38
    tip, val = get("tip_eur"), get("valorisation_eur")
    sale, sav = get("energy_sale_eur") + get("rid_min_price_topup_eur"), get("bill_savings_eur")
    ax.bar(x - w / 2, tip, w, color=PALETTE["tip"], label=tx("chart.tip"))
    ax.bar(x - w / 2, val, w, bottom=tip, color=PALETTE["valorisation"], label=tx("chart.valorisation"))
    ax.bar(x + w / 2, sale, w, color=PALETTE["energy_sale"], label=tx("chart.sale"))
    ax.bar(x + w / 2, sav, w, bottom=sale, color=PALETTE["bill_savings"], label=tx("chart.savings"))
    ax.set_xticks(x, tx.months)
    _style(ax, tx, "€")
    ax.legend(fontsize=6.8, frameon=False, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return _png(fig)


# -------------------------------------------------------------------------------------------------
# the map
# -------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _boundaries() -> tuple[tuple[str, tuple, tuple[float, float, float, float]], ...]:
    """Every shipped comune boundary as (name, rings as arrays, bbox lon/lat)."""
    return tuple((f["properties"].get("name", ""),
                  tuple(np.asarray(r, dtype=float) for r in polygon_rings(f["geometry"]["coordinates"])), bbox)
                 for _, f, bbox in boundary_features())


def _extent(points: list[tuple[float, float]], areas: list, margin: float = 0.12) -> tuple[float, float, float, float]:
    xs = [p[0] for p in points] + [float(r[:, 0].min()) for a in areas for r in a] + \
         [float(r[:, 0].max()) for a in areas for r in a]
    ys = [p[1] for p in points] + [float(r[:, 1].min()) for a in areas for r in a] + \
         [float(r[:, 1].max()) for a in areas for r in a]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    dx, dy = max(x1 - x0, 0.01), max(y1 - y0, 0.01)
    return x0 - dx * margin, x1 + dx * margin, y0 - dy * margin, y1 + dy * margin


def map_png(scenario, summary: dict, tx: Text, w_mm: float = 182, h_mm: float = 120) -> bytes | None:
    """Members (dots by role), plants (triangles sized by kWp) and cabine areas over the comuni boundaries.

    Returns None when nothing has coordinates (no member located, no area drawn).
    """
    members = [m for m in scenario.members if m.lat is not None and m.lon is not None]
    areas = []
    for c in scenario.cabine:
        area = c.get("area")
        if isinstance(area, dict) and area.get("coordinates"):
            areas.append((c.get("id", ""), c.get("name") or c.get("id", ""),
                          [np.asarray(r, dtype=float) for r in polygon_rings(area["coordinates"])]))
    if not members and not areas:
        return None
    site = getattr(scenario, "site", None)
    points = [(m.lon, m.lat) for m in members]
    x0, x1, y0, y1 = _extent(points or [(site.lon, site.lat)], [a[2] for a in areas])
    fig = _figure(w_mm, h_mm)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    kx = math.cos(math.radians((y0 + y1) / 2))
    # fit the box to the figure's aspect without distorting distances
    aspect_fig = w_mm / h_mm
    span_x, span_y = (x1 - x0) * kx, y1 - y0
    if span_x / span_y < aspect_fig:
        extra = (span_y * aspect_fig / kx - (x1 - x0)) / 2
        x0, x1 = x0 - extra, x1 + extra
    else:
        extra = ((x1 - x0) * kx / aspect_fig - span_y) / 2
        y0, y1 = y0 - extra, y1 + extra
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / kx)
    ax.set_facecolor("#f7f9f8")
    for name, rings, (bx0, by0, bx1, by1) in _boundaries():
        if bx1 < x0 or bx0 > x1 or by1 < y0 or by0 > y1:
            continue
        for r in rings:
            ax.plot(r[:, 0], r[:, 1], color="#9aa5a0", linewidth=0.5, zorder=1)
        cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
        if x0 < cx < x1 and y0 < cy < y1:
            ax.text(cx, cy, name, fontsize=6, color="#7f8c8d", ha="center", va="center", zorder=2, style="italic")
    from matplotlib.patches import Polygon as MplPolygon

    cab_color = {}
    for k, (cid, cname, rings) in enumerate(areas):
        color = CABINA_COLORS[k % len(CABINA_COLORS)]
        cab_color[cid] = color
        for r in rings[:1] if len(rings) == 1 else rings:
            ax.add_patch(MplPolygon(r[:, :2], closed=True, facecolor=color, alpha=0.10, edgecolor=color,
                                    linewidth=1.2, zorder=2))
    kwp_by_member: dict[str, float] = {}
    for p in scenario.plants:
        kwp_by_member[p.member] = kwp_by_member.get(p.member, 0.0) + p.kwp
    for kind in KIND_CHOICES:
        sel = [m for m in members if m.kind == kind]
        if sel:
            ax.scatter([m.lon for m in sel], [m.lat for m in sel], s=16, color=PALETTE[kind], edgecolor="white",
                       linewidth=0.5, zorder=4, label=tx(f"kind.{kind}").split(" (")[0])
    plants = [(m.lon, m.lat, kwp_by_member[m.id]) for m in members if m.id in kwp_by_member]
    if plants:
        ax.scatter([p[0] for p in plants], [p[1] for p in plants], marker="^",
                   s=[20 + 80 * math.sqrt(p[2] / max(q[2] for q in plants)) for p in plants],
                   facecolor="none", edgecolor=PALETTE["production"], linewidth=1.2, zorder=5,
                   label=tx("map.plants"))
    for cid, cname, rings in areas:
        ring = max(rings, key=len)
        ax.text(float(ring[:, 0].mean()), float(ring[:, 1].max()), cname, fontsize=7, color=cab_color[cid],
                ha="center", va="bottom", fontweight="bold", zorder=6)
    _scale_bar(ax, x0, x1, y0, y1, kx, tx)
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_color("#c7d0cb")
    ax.legend(fontsize=7, loc="lower right", framealpha=0.9, edgecolor="#c7d0cb")
    return _png(fig)


def _scale_bar(ax, x0, x1, y0, y1, kx, tx: Text) -> None:
    width_km = (x1 - x0) * kx * 111.32
    target = width_km / 5
    nice = min((1, 2, 5, 10, 20, 50), key=lambda v: abs(v - target)) if target >= 0.5 else 0.5
    dx = nice / (111.32 * kx)
    bx, by = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + dx], [by, by], color="#1d2a25", linewidth=2, zorder=7)
    ax.text(bx + dx / 2, by + (y1 - y0) * 0.012, f"{tx.num(nice, 1 if nice < 1 else 0)} km", fontsize=6.5,
            ha="center", va="bottom", zorder=7)
