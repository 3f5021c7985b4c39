"""Scheda socio: one A4 page per member, for the meeting with a prospective member.

Who they are; their consumption by month and F1/F2/F3 band; what the CER gives them (their share
from the regolamento when ``summary["allocation"]`` exists, otherwise what the community generates
with their contribution, labelled as such); their own bill savings and energy sale, labelled as
theirs and kept outside the CER's money; their avoided CO2; the assumptions in small print.
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np

from ...api import Outcome
from . import data
from .pdf import ReportPDF, rgb
from .text import Text


CHART_H_MM = 62.0
SMALL_PRINT_MM = 38.0  # height reserved at the foot of the page for the assumptions


class MemberFigures:
    """Per-member figures shared by every sheet of one community (computed once for all sheets)."""

    def __init__(self, outcome: Outcome):
        results = outcome.results
        self.results = results
        self.summary = results.summary
        self.shared_hourly = data.shared_by_withdrawal_kwh(results)
        self.shared_monthly = data.monthly_sum(results.year, self.shared_hourly)  # (12, members)
        self.co2_kg = data.member_co2_kg(results, self.shared_hourly)
        totals = self.summary.get("totals", {})
        shared = float(totals.get("shared_kwh") or 0.0)
        incentives = float(totals.get("cer_incentives_eur") or 0.0)
        #: The community's mean CER incentive per kWh shared [€/kWh] (TIP + valorisation over shared energy).
        self.mean_incentive_eur_kwh = incentives / shared if shared > 0 else 0.0
        self.records = {m["id"]: m for m in self.summary.get("members", [])}
        #: Shared energy attributed to each member's plants and the TIP it earns, by month: id → (12,) arrays.
        self.plant_shared_monthly: dict[str, np.ndarray] = {}
        self.plant_tip_monthly: dict[str, np.ndarray] = {}
        for p in self.summary.get("plants", []):
            monthly = p.get("monthly") or {}
            for target, key in ((self.plant_shared_monthly, "shared_kwh"), (self.plant_tip_monthly, "tip_eur")):
                values = np.asarray(monthly.get(key) or [0.0] * 12, dtype=float)
                target[p["member"]] = target.get(p["member"], np.zeros(12)) + values
        self.scenario_members = {m.id: m for m in outcome.scenario.members}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "socio"


def member_sheet_pdf(outcome: Outcome, member_id: str, lang: str = "it", figures: MemberFigures | None = None) -> bytes:
    """The member sheet of ``member_id`` as PDF bytes (one A4 page) in ``lang``.

    Raises
    ------
    KeyError
        When ``member_id`` is not a member of the simulated community.
    """
    figures = figures or MemberFigures(outcome)
    tx = Text(lang)
    rec = figures.records[member_id]
    i = data.member_index(figures.results, member_id)
    summary = figures.summary
    community = (summary.get("scenario") or {}).get("name", "")
    year = figures.results.year
    pdf = ReportPDF(header_text=f"{community} · {tx('member.doc', year=year)}",
                    footer_text=tx("footer", generator=(summary.get("scenario") or {}).get("generator", "CER Studio")))
    pdf.set_title(f"{tx('member.doc', year=year)} – {rec.get('name', member_id)}")
    pdf.add_page()
    _who(pdf, tx, rec, figures, community)
    _tiles(pdf, tx, rec, figures, i)
    _consumption(pdf, tx, figures, i, rec)
    _cer_part(pdf, tx, figures, rec, i)
    _own_economics(pdf, tx, rec)
    _small_print(pdf, tx, summary, rec)
    return bytes(pdf.output())


def member_sheets_zip(outcome: Outcome, lang: str = "it", member_ids: list[str] | None = None) -> bytes:
    """Every member's sheet (or those of ``member_ids``) as ``scheda_<nn>_<id>.pdf`` files in one zip."""
    figures = MemberFigures(outcome)
    ids = member_ids or [m["id"] for m in figures.summary.get("members", [])]
    prefix = "scheda" if lang == "it" else "sheet"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n, mid in enumerate(ids, start=1):
            zf.writestr(f"{prefix}_{n:02d}_{_slug(mid)}.pdf", member_sheet_pdf(outcome, mid, lang, figures))
    return buf.getvalue()


# -------------------------------------------------------------------------------------------------
# the parts of the page
# -------------------------------------------------------------------------------------------------

def _plants_co2_kg(figures: MemberFigures, rec: dict, plant_shared_kwh: float) -> float:
    """A member without load: CO2 avoided by its production used in the community (its plants' shared
    energy, or all its production on the ``production`` basis) × factor [kg]."""
    rules = figures.summary.get("rules", {})
    factor = float(rules.get("co2_kg_per_kwh") or 0.0)
    if rules.get("co2_basis") == "production":
        return float(rec.get("production_kwh") or 0.0) * factor
    return (plant_shared_kwh + float(rec.get("self_consumed_kwh") or 0.0)) * factor


def _who(pdf: ReportPDF, tx: Text, rec: dict, figures: MemberFigures, community: str) -> None:
    sm = figures.scenario_members.get(rec["id"])
    parts = [tx(f"kind.{rec.get('kind')}"), tx(f"category.{rec.get('category')}"),
             tx("member.cabina", cabina=rec.get("cabina", "–"))]
    if sm is not None and sm.pod:
        parts.append(f"POD {sm.pod}")
    pdf.title_block(rec.get("name") or rec["id"], " · ".join(parts))
    pdf.para(tx("member.intro", community=community, year=figures.results.year), size=8.3, color="muted")
    pdf.ln(2)


def _consumes(rec: dict) -> bool:
    return (rec.get("consumption_kwh") or 0) > 0


def _produces(rec: dict) -> bool:
    return (rec.get("production_kwh") or 0) > 0


def _tiles(pdf: ReportPDF, tx: Text, rec: dict, figures: MemberFigures, i: int) -> None:
    items = []
    if _consumes(rec):
        items.append((tx("member.tile.consumption"), tx.kwh(rec.get("consumption_kwh")), "consumption"))
    if _produces(rec):
        items.append((tx("member.tile.production"), tx.kwh(rec.get("production_kwh")), "production"))
    if _consumes(rec):
        items.append((tx("member.tile.shared"), tx.kwh(float(figures.shared_hourly[:, i].sum())), "shared"))
        items.append((tx("member.tile.co2"), tx.co2(float(figures.co2_kg[i])), "self_consumed"))
    else:
        shared = float(figures.plant_shared_monthly.get(rec["id"], np.zeros(12)).sum())
        items.append((tx("member.tile.plant_shared"), tx.kwh(shared), "shared"))
        items.append((tx("member.tile.tip"), tx.eur(rec.get("tip_generated_eur")), "tip"))
        items.append((tx("member.tile.co2_plants"), tx.co2(_plants_co2_kg(figures, rec, shared)), "self_consumed"))
    pdf.tiles(items)


def _consumption(pdf: ReportPDF, tx: Text, figures: MemberFigures, i: int, rec: dict) -> None:
    production = np.asarray((rec.get("monthly") or {}).get("production_kwh") or [0.0] * 12, dtype=float)
    if not _consumes(rec):
        pdf.section(tx("member.production.title"), 60)
        y = pdf.get_y()
        pdf.bar_chart(pdf.l_margin, y, pdf.content_w, CHART_H_MM, list(tx.months),
                      [(tx("member.series.production"), list(production), "production")], fmt=lambda v: tx.num(v),
                      title=tx("member.production.chart"))
        pdf.set_xy(pdf.l_margin, y + CHART_H_MM + 2)
        return
    bands = data.bands_monthly_kwh(figures.results, i)
    pdf.section(tx("member.consumption.title"), 60)
    y = pdf.get_y()
    chart_w = pdf.content_w * 0.66
    line = (tx("member.series.production"), list(production), "production") if production.sum() > 0 else None
    pdf.bar_chart(pdf.l_margin, y, chart_w, CHART_H_MM, list(tx.months),
                  [(f"F{b + 1}", list(bands[:, b]), f"F{b + 1}") for b in range(3)], line=line,
                  fmt=lambda v: tx.num(v), title=tx("member.consumption.chart"))
    # band totals at the right
    total = bands.sum()
    x = pdf.l_margin + chart_w + 4
    w = pdf.content_w - chart_w - 4
    pdf.set_xy(x, y)
    pdf.set_font("DejaVu", "B", 8)
    pdf.cell(w, 4, tx("member.bands.title"))
    yy = y + 6
    for b in range(3):
        v = float(bands[:, b].sum())
        pdf.set_fill_color(*rgb(f"F{b + 1}"))
        pdf.rect(x, yy + 0.8, 2.6, 2.6, style="F")
        pdf.set_xy(x + 4, yy)
        pdf.set_font("DejaVu", "B", 8)
        pdf.cell(10, 4, f"F{b + 1}")
        pdf.set_font("DejaVu", "", 8)
        pdf.cell(w - 14, 4, f"{tx.kwh(v)} · {tx.pct(v / total if total > 0 else None, 0)}", align="R")
        pdf.set_xy(x + 4, yy + 4)
        pdf.set_font("DejaVu", "", 6.5)
        pdf.set_text_color(*rgb("muted"))
        pdf.cell(w - 4, 3, tx(f"member.bands.F{b + 1}"))
        pdf.set_text_color(*rgb("ink"))
        yy += 10
    pdf.set_xy(x, yy + 1)
    pdf.set_font("DejaVu", "", 7)
    sufficiency = rec.get("self_sufficiency_ratio")
    if (rec.get("production_kwh") or 0) > 0:
        pdf.multi_cell(w, 3.4, align="L", text=tx("member.self_sufficiency", ratio=tx.pct(sufficiency, 0),
                                  kwh=tx.kwh(rec.get("self_consumed_kwh"))))
    pdf.set_xy(pdf.l_margin, y + CHART_H_MM + 2)


def _cer_part(pdf: ReportPDF, tx: Text, figures: MemberFigures, rec: dict, i: int) -> None:
    alloc = data.allocation_line(figures.summary, rec["id"])
    shared_m = figures.shared_monthly[:, i]
    heads = [""] + list(tx.months) + [tx("member.year")]
    widths = [44.0] + [(pdf.content_w - 44.0 - 16.0) / 12] * 12 + [16.0]
    if alloc is not None and alloc["net_eur"] is not None:
        pdf.section(tx("member.cer.title_alloc"), 40)
        pdf.para(tx("member.cer.alloc_text", eur=tx.eur(alloc["net_eur"])), size=9, style="B")
        pdf.para(tx("member.cer.alloc_note"), size=7.3, color="muted")
        pdf.ln(1)
        rows = [[tx("member.row.shared_kwh")] + [tx.num(v) for v in shared_m] + [tx.num(shared_m.sum())]]
        if alloc["monthly_eur"]:
            rows.append([tx("member.row.alloc_eur")] + [tx.num(v) for v in alloc["monthly_eur"]]
                        + [tx.num(sum(alloc["monthly_eur"]))])
        pdf.grid_table(heads, rows, widths, size=6.6)
        return
    pdf.section(tx("member.cer.title_generated"), 40)
    shared_kwh = float(shared_m.sum())
    value = shared_kwh * figures.mean_incentive_eur_kwh
    plant_shared = figures.plant_shared_monthly.get(rec["id"])
    plant_tip = figures.plant_tip_monthly.get(rec["id"])
    rows = []
    if _consumes(rec):
        pdf.para(tx("member.cer.generated_text", kwh=tx.kwh(shared_kwh), eur=tx.eur(value),
                    rate=tx.num(figures.mean_incentive_eur_kwh * 1000, 1)), size=8.5)
        rows += [[tx("member.row.shared_kwh")] + [tx.num(v) for v in shared_m] + [tx.num(shared_kwh)],
                 [tx("member.row.generated_eur")] + [tx.num(v * figures.mean_incentive_eur_kwh) for v in shared_m]
                 + [tx.num(value)]]
    if plant_shared is not None:
        pdf.para(tx("member.cer.tip_own", kwh=tx.kwh(plant_shared.sum()), eur=tx.eur(rec.get("tip_generated_eur"))),
                 size=8.5)
        rows += [[tx("member.row.plant_shared_kwh")] + [tx.num(v) for v in plant_shared] + [tx.num(plant_shared.sum())],
                 [tx("member.row.tip_eur")] + [tx.num(v) for v in plant_tip] + [tx.num(plant_tip.sum())]]
    pdf.para(tx("member.cer.generated_note"), size=7.3, color="muted")
    pdf.ln(1)
    if rows:
        pdf.grid_table(heads, rows, widths, size=6.6)


def _own_economics(pdf: ReportPDF, tx: Text, rec: dict) -> None:
    savings = float(rec.get("bill_savings_eur") or 0.0)
    sale = float(rec.get("energy_sale_eur") or 0.0)
    pdf.section(tx("member.own.title"), 30)
    if savings <= 0 and sale <= 0:
        pdf.para(tx("member.own.none"), size=8.3)
    else:
        items = []
        if savings > 0:
            items.append((tx("member.own.savings"), tx.eur(savings), "bill_savings"))
        if sale > 0:
            items.append((tx("member.own.sale"), tx.eur(sale), "energy_sale"))
        pdf.tiles(items, h=14)
    pdf.para(tx("member.own.note"), size=7.3, color="muted")


def _year_mode(tx: Text, mode) -> str:
    """The year mode in words (``rules.year_mode``), the code itself when the catalogue does not know it."""
    if not mode:
        return tx("assume.year_mode.simulated")
    key = f"assume.year_mode.{mode}"
    return tx(key) if tx.has(key) else str(mode)


def _small_print(pdf: ReportPDF, tx: Text, summary: dict, rec: dict) -> None:
    rules = summary.get("rules", {})
    sources = summary.get("sources", {})
    weather = sources.get("weather") or {}
    prices = sources.get("prices") or {}
    avoided = rules.get("avoided_price_eur_kwh") or {}
    price = avoided.get(rec.get("category")) if isinstance(avoided, dict) else avoided
    year_mode = rules.get("year_mode")
    lines = [
        tx("assume.year", year=summary.get("scenario", {}).get("year", ""),
           mode=_year_mode(tx, year_mode)),
        tx("assume.weather", text=weather.get(f"note_{tx.lang}") or weather.get("label") or "–"),
        tx("assume.prices", label=prices.get("label", "–"), zone=prices.get("market_zone", "–"),
           mean=tx.num(prices.get("mean_eur_mwh"), 1)),
        tx("assume.avoided", price=tx.num(price, 4) if isinstance(price, (int, float)) else "–"),
        tx("assume.rules", tras=tx.num(rules.get("valorisation_eur_mwh"), 2),
           co2=tx.num(rules.get("co2_kg_per_kwh"), 2)),
    ]
    pdf.set_y(max(pdf.get_y() + 1, pdf.h - SMALL_PRINT_MM))  # at the foot of the page, never over the content
    pdf.set_draw_color(*rgb("rule"))
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.content_w, pdf.get_y())
    pdf.ln(1)
    pdf.para(tx("assume.title"), size=6.8, style="B", color="muted")
    pdf.para("  ·  ".join(lines), size=6.2, color="muted", h=2.9)
