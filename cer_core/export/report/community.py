"""The community report: a multi-page A4 PDF for boards, mayors and the GSE file.

Configuration (map of members, plants and cabine areas; cabine, members, plants), the simulated year
(energy, monthly charts and table), the money — what the CER brings kept apart from the members' own
energy sale and bill savings — and its split or economics when the summary has them, the eligibility
checklist, and the weather, prices and regulatory assumptions with their dates and sources.
"""

from __future__ import annotations

import datetime as dt
import io

from ...api import Outcome
from ..xlsx import rule_rows
from .charts import map_png, monthly_energy_png, monthly_money_png
from .pdf import ReportPDF
from .text import Text

#: The rules the simulation follows, with their dates (the legal basis of ``cer_core/constants.py``).
REGULATORY_SOURCES = (
    ("D.Lgs. 8 novembre 2021 n. 199, art. 31", "2021-11-08", "reg.dlgs199"),
    ("ARERA, delibera 727/2022/R/eel (TIAD)", "2022-12-27", "reg.tiad"),
    ("DM MASE 7 dicembre 2023 n. 414 (Decreto CER)", "2023-12-07", "reg.dm414"),
    ("GSE, Regole operative CACER", "2024-02-23", "reg.gse_rules"),
    ("DD MASE 17 luglio 2025 n. 228", "2025-07-17", "reg.dd228"),
)
STATUS_MARK = {"pass": ("✓", "pass"), "warning": ("!", "warning"), "fail": ("✗", "fail")}


def community_report_pdf(outcome: Outcome, lang: str = "it", today: dt.date | None = None) -> bytes:
    """The community report of a finished simulation as PDF bytes in ``lang`` ("it" or "en")."""
    tx = Text(lang)
    summary = outcome.summary
    head = summary.get("scenario") or {}
    name = head.get("name") or outcome.scenario.name
    year = outcome.results.year
    pdf = ReportPDF(header_text=f"{name} · {tx('community.doc', year=year)}",
                    footer_text=tx("footer", generator=head.get("generator", "CER Studio")))
    pdf.set_title(f"{tx('community.doc', year=year)} – {name}")
    pdf.add_page()
    _cover(pdf, tx, outcome, name, today or dt.date.today())
    _configuration(pdf, tx, summary)
    _year(pdf, tx, summary)
    _money(pdf, tx, summary)
    if isinstance(summary.get("allocation"), dict):
        _allocation(pdf, tx, summary["allocation"], summary)
    if isinstance(summary.get("economics"), dict):
        _economics(pdf, tx, summary["economics"])
    _checks(pdf, tx, summary.get("checks", []))
    _sources(pdf, tx, summary)
    return bytes(pdf.output())


# -------------------------------------------------------------------------------------------------

def _image(pdf: ReportPDF, png: bytes, h_mm: float) -> None:
    if pdf.get_y() + h_mm > pdf.h - 18:
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=pdf.l_margin, y=pdf.get_y(), w=pdf.content_w, h=h_mm)
    pdf.set_y(pdf.get_y() + h_mm + 2)


def _cover(pdf: ReportPDF, tx: Text, outcome: Outcome, name: str, today: dt.date) -> None:
    s = outcome.summary
    t = s.get("totals", {})
    site = (s.get("scenario") or {}).get("site") or {}
    pdf.title_block(name, tx("community.subtitle", comune=site.get("comune", "–"), region=site.get("region", "–"),
                             year=outcome.results.year, date=tx.date(today.isoformat())))
    pdf.tiles([(tx("tile.members"), tx.num(t.get("members")), "consumer"),
               (tx("tile.plants"), f"{tx.num(t.get('plants'))} · {tx.kwp(t.get('kwp'))}", "production"),
               (tx("tile.cabine"), tx.num(t.get("cabine")), "net")])
    pdf.tiles([(tx("tile.production"), tx.mwh(t.get("production_kwh")), "production"),
               (tx("tile.shared"), tx.mwh(t.get("shared_kwh")), "shared"),
               (tx("tile.cer_money"), tx.eur(cer_money_rows(t)[-1][1]), "tip")])
    png = map_png(outcome.scenario, s, tx, 182, 150)
    pdf.section(tx("community.map.title"), 60)
    if png is None:
        pdf.para(tx("community.map.none"), size=8.5, color="muted")
    else:
        _image(pdf, png, 150 * pdf.content_w / 182)
        pdf.para(tx("community.map.caption"), size=6.8, color="muted")


def _configuration(pdf: ReportPDF, tx: Text, s: dict) -> None:
    pdf.add_page()
    pdf.section(tx("community.cabine.title"))
    rows = [[c.get("name") or c.get("id", ""), c.get("id", ""), tx.num(c.get("members")), tx.num(c.get("plants")),
             tx.num(c.get("kwp"), 1), tx.num(c.get("shared_kwh"))] for c in s.get("cabine", [])]
    pdf.grid_table([tx("col.name"), tx("col.id"), tx("col.members"), tx("col.plants"), tx("col.kwp"),
                    tx("col.shared_kwh")], rows, [62, 38, 18, 18, 22, 24], ["L", "L", "R", "R", "R", "R"])
    pdf.section(tx("community.members.title"))
    rows = [[m.get("name") or m["id"], tx(f"kind.{m.get('kind')}").split(" (")[0], tx(f"category.{m.get('category')}"),
             m.get("cabina", ""), tx.num(m.get("consumption_kwh")), tx.num(m.get("production_kwh")),
             tx.num(m.get("self_consumed_kwh"))] for m in s.get("members", [])]
    pdf.grid_table([tx("col.name"), tx("col.kind"), tx("col.category"), tx("col.cabina"), tx("col.consumption_kwh"),
                    tx("col.production_kwh"), tx("col.self_consumed_kwh")], rows, [46, 19, 24, 23, 23, 23, 24],
                   ["L", "L", "L", "L", "R", "R", "R"], size=6.8)
    pdf.section(tx("community.plants.title"))
    rows = [[p.get("name") or p["id"], p.get("member", ""), tx.num(p.get("kwp"), 1), tx.date(p.get("commissioning")),
             tx.num(p.get("grant_pct"), 0), tx("yes") if p.get("admitted") else tx("no"),
             tx.num(p.get("production_kwh")), tx.num(p.get("specific_yield_kwh_kwp"))] for p in s.get("plants", [])]
    if rows:
        pdf.grid_table([tx("col.name"), tx("col.member"), tx("col.kwp"), tx("col.commissioning"), tx("col.grant_pct"),
                        tx("col.admitted"), tx("col.production_kwh"), tx("col.yield")], rows,
                       [44, 32, 15, 20, 14, 15, 21, 21], ["L", "L", "R", "R", "R", "C", "R", "R"], size=6.8)
    else:
        pdf.para(tx("community.plants.none"), size=8.5)


def _year(pdf: ReportPDF, tx: Text, s: dict) -> None:
    t = s.get("totals", {})
    pdf.add_page()
    pdf.section(tx("community.year.title"))
    pdf.tiles([(tx("tile.production"), tx.kwh(t.get("production_kwh")), "production"),
               (tx("tile.consumption"), tx.kwh(t.get("consumption_kwh")), "consumption"),
               (tx("tile.self_consumed"), tx.kwh(t.get("self_consumed_kwh")), "self_consumed"),
               (tx("tile.shared"), tx.kwh(t.get("shared_kwh")), "shared")])
    pdf.para(tx("community.year.ratios", used=tx.pct(t.get("self_consumption_ratio")),
                sufficiency=tx.pct(t.get("self_sufficiency_ratio")), shared=tx.pct(t.get("shared_over_injected")),
                co2=tx.co2(t.get("co2_avoided_kg"))), size=8.5)
    pdf.ln(1)
    pdf.set_font("DejaVu", "B", 8.5)
    pdf.cell(pdf.content_w, 5, tx("community.year.chart"), new_x="LMARGIN", new_y="NEXT")
    _image(pdf, monthly_energy_png(s.get("monthly", []), tx), 72 * pdf.content_w / 182)
    keys = ["production_kwh", "consumption_kwh", "self_consumed_kwh", "injected_kwh", "withdrawn_kwh", "shared_kwh",
            "incentivised_kwh"]
    rows = [[tx.months[int(r["month"]) - 1]] + [tx.num(r.get(k)) for k in keys] for r in s.get("monthly", [])]
    rows.append([tx("total")] + [tx.num(t.get(k)) for k in keys])
    pdf.grid_table([tx("col.month")] + [tx(f"col.{k}") for k in keys], rows, [19] + [163 / 7] * 7, size=6.8,
                   bold_last=True)


def _money(pdf: ReportPDF, tx: Text, s: dict) -> None:
    t = s.get("totals", {})
    pdf.add_page()
    pdf.section(tx("community.money.title"))
    pdf.para(tx("community.money.intro"), size=8.3)
    pdf.ln(1)
    cer = cer_money_rows(t)
    cer = [[tx(key), tx.eur(value)] for key, value in cer]
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(pdf.content_w, 5, tx("community.money.cer"), new_x="LMARGIN", new_y="NEXT")
    pdf.grid_table([tx("col.item"), tx("col.eur_year")], cer, [130, 52], bold_last=True, size=8)
    own = [[tx("money.sale"), tx.eur(t.get("energy_sale_eur"))]]
    if t.get("rid_min_price_topup_eur"):
        own.append([tx("money.topup"), tx.eur(t.get("rid_min_price_topup_eur"))])
    own += [[tx("money.savings"), tx.eur(t.get("bill_savings_eur"))],
            [tx("money.rid_fee"), tx.eur(-float(t.get("rid_fee_eur") or 0.0))]]
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(pdf.content_w, 5, tx("community.money.own"), new_x="LMARGIN", new_y="NEXT")
    pdf.grid_table([tx("col.item"), tx("col.eur_year")], own, [130, 52], size=8)
    pdf.para(tx("community.money.own_note"), size=7.3, color="muted")
    pdf.ln(1)
    pdf.set_font("DejaVu", "B", 8.5)
    pdf.cell(pdf.content_w, 5, tx("community.money.chart"), new_x="LMARGIN", new_y="NEXT")
    _image(pdf, monthly_money_png(s.get("monthly", []), tx), 66 * pdf.content_w / 182)
    restricted = s.get("restricted_tip") or []
    if restricted:
        pdf.section(tx("community.restricted.title"), 30)
        pdf.para(tx("community.restricted.intro"), size=7.8)
        pdf.ln(1)
        rows = [[tx(f"restricted.{r.get('set')}"), tx.num(r.get("injected_kwh")), tx.num(r.get("incentivised_kwh")),
                 tx.pct(r.get("ratio")), tx.pct(r.get("threshold"), 0), tx.eur(r.get("tip_eur")),
                 tx.eur(r.get("restricted_eur"))] for r in restricted]
        pdf.grid_table([tx("col.set"), tx("col.injected_kwh"), tx("col.incentivised_kwh"), tx("col.ratio"),
                        tx("col.threshold"), tx("col.tip_eur"), tx("col.restricted_eur")], rows,
                       [42, 24, 24, 22, 18, 26, 26], size=7)


def cer_money_rows(totals: dict) -> list[tuple[str, float]]:
    """What the CER brings, as (label key, €) lines that add up to the last one: TIP, valorisation, minus the
    CER's own costs, then the net. The net is ``cer_money_eur`` when the summary has it; otherwise
    TIP + valorisation − the GSE fees the CER pays (``gse_fee_eur``)."""
    tip = float(totals.get("tip_eur") or 0.0)
    val = float(totals.get("valorisation_eur") or 0.0)
    if "cer_costs_eur" in totals:
        costs, cost_key = float(totals.get("cer_costs_eur") or 0.0), "money.cer_costs"
    else:
        costs, cost_key = float(totals.get("gse_fee_eur") or 0.0), "money.gse_fees"
    net = float(totals["cer_money_eur"]) if "cer_money_eur" in totals else tip + val - costs
    return [("money.tip", tip), ("money.valorisation", val), (cost_key, -costs), ("money.cer_money", net)]


def _allocation(pdf: ReportPDF, tx: Text, alloc: dict, s: dict) -> None:
    members = [m for m in alloc.get("members") or [] if isinstance(m, dict)]
    if not members:
        return
    names = {m["id"]: m.get("name") or m["id"] for m in s.get("members", [])}
    pdf.section(tx("community.allocation.title"), 40)
    pdf.para(tx("community.allocation.intro"), size=8)
    pdf.ln(1)
    rows = []
    total = 0.0
    for m in members:
        mid = m.get("id") or m.get("member") or ""
        net = m.get("net_eur")
        total += float(net) if isinstance(net, (int, float)) else 0.0
        rows.append([names.get(mid, mid), tx.eur(net, 0)])
    rows.append([tx("total"), tx.eur(total)])
    pdf.grid_table([tx("col.member"), tx("col.net_eur")], rows, [130, 52], size=7.2, bold_last=True)


def _economics(pdf: ReportPDF, tx: Text, econ: dict) -> None:
    rows = [[tx(f"econ.{k}") if tx.has(f"econ.{k}") else k.replace("_", " "), _value(tx, k, v)]
            for k, v in econ.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
    if not rows:
        return
    pdf.section(tx("community.economics.title"), 40)
    pdf.grid_table([tx("col.item"), tx("col.value")], rows, [130, 52], size=7.5)


def _value(tx: Text, key: str, v) -> str:
    if isinstance(v, str):
        return v
    if key.endswith("_eur"):
        return tx.eur(v)
    if (key.endswith(("_ratio", "_pct")) or key == "irr") and abs(v) <= 1.5:
        return tx.pct(v)
    if key.endswith("_years"):
        return tx.num(v, 1)
    return tx.num(v, 2)


def _checks(pdf: ReportPDF, tx: Text, checks: list[dict]) -> None:
    pdf.add_page()
    pdf.section(tx("community.checks.title"))
    progress = [c for c in checks if c.get("kind") == "progress"]      # towards a target, not eligibility
    checks = [c for c in checks if c.get("kind") != "progress"]
    counts = {k: sum(1 for c in checks if c.get("status") == k) for k in STATUS_MARK}
    pdf.para(tx("community.checks.counts", passed=counts["pass"], warnings=counts["warning"], failed=counts["fail"]),
             size=8.5)
    pdf.ln(1)
    order = {"fail": 0, "warning": 1, "pass": 2}
    ordered = sorted(checks, key=lambda c: order.get(c.get("status"), 3))
    rows = [[STATUS_MARK.get(c.get("status"), ("?", ""))[0] + " " + tx(f"status.{c.get('status')}"),
             c.get(tx.lang) or c.get("it", "")] for c in ordered]
    colors = [STATUS_MARK.get(c.get("status"), ("", "muted"))[1] for c in ordered]
    rows += [[tx("status.progress"), c.get(tx.lang) or c.get("it", "")] for c in progress]
    colors += ["muted"] * len(progress)
    pdf.grid_table([tx("col.status"), tx("col.check")], rows, [30, 152], ["L", "L"], size=7.2, row_colors=colors)


def _sources(pdf: ReportPDF, tx: Text, s: dict) -> None:
    sources = s.get("sources", {})
    pdf.section(tx("community.sources.title"), 50)
    weather = sources.get("weather") or {}
    prices = sources.get("prices") or {}
    lines = [tx("community.sources.weather", label=weather.get("label", "–"),
                note=(weather.get(f"note_{tx.lang}") or "").rstrip(".") + "." if weather.get(f"note_{tx.lang}") else "", ghi=tx.num(weather.get("annual_ghi_kwh_m2"), 0),
                temp=tx.num(weather.get("mean_temp_c"), 1)),
             tx("community.sources.prices", label=prices.get("label", "–"), zone=prices.get("market_zone", "–"),
                mean=tx.num(prices.get("mean_eur_mwh"), 1))]
    loads = sources.get("loads") or {}
    by_source: dict[str, int] = {}
    for meta in loads.values():
        by_source[meta.get("source", "none")] = by_source.get(meta.get("source", "none"), 0) + 1
    lines.append(tx("community.sources.loads", text=", ".join(f"{tx(f'load.{k}')}: {n}" for k, n in by_source.items())))
    for line in lines:
        pdf.para("• " + line, size=8)
        pdf.ln(0.5)
    warnings = s.get("warnings") or []
    if warnings:
        pdf.ln(1)
        pdf.para(tx("community.sources.warnings", n=len(warnings)), size=8, style="B")
        for w in warnings[:12]:
            pdf.para("• " + (w.get(tx.lang) or w.get("it", "")), size=7, color="muted")
    pdf.section(tx("community.rules.title"), 50)
    rows = [[r["parameter"], r["value"] if isinstance(r["value"], str) else tx.num(r["value"], 4).rstrip("0").rstrip(",.")
             if isinstance(r["value"], float) else tx.num(r["value"]) if r["value"] is not None else "–", r["unit"]]
            for r in rule_rows(s.get("rules", {}), tx.lang)]
    pdf.grid_table([tx("col.parameter"), tx("col.value"), tx("col.unit")], rows, [100, 60, 22], ["L", "L", "L"],
                   size=7)
    pdf.section(tx("community.regulation.title"), 40)
    rows = [[title, tx.date(date), tx(key)] for title, date, key in REGULATORY_SOURCES]
    pdf.grid_table([tx("col.act"), tx("col.date"), tx("col.about")], rows, [70, 22, 90], ["L", "L", "L"], size=7.2)
    pdf.para(tx("community.regulation.note"), size=7, color="muted")
