"""The results as an Excel workbook, and the ``simulate`` files as one zip (the studio's downloads).

:func:`results_workbook` writes one sheet per table of the summary (totals, months, members,
plants, cabine, checks, the 55 % / 45 % rule, the rules used) plus the community's hourly flows,
with headers in Italian or English, units in every header and Excel number formats (Excel shows
them with the reader's own separators). :func:`results_zip` packs the four files of
:func:`cer_core.export.files.write_results` (``summary.json`` and the hourly CSVs) into one zip.

Every word of the workbook (sheet names, headers, codes shown as words, labels of the rules) is in the
project's catalogue, namespace ``export`` (``locales/<lang>/export.json``, read through :mod:`cer_core.i18n`);
month names come from Babel (:func:`cer_core.i18n.month_name`). Only number formats and units stay here.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..engine import Results
from ..i18n import month_name, text, text_or
from .files import community_hourly, write_results
from ..textsafe import neutralise_formula

KWH, EUR, PCT, NUM1, INT, TEXT = "#,##0", "#,##0.00", "0.0%", "#,##0.0", "0", "@"

#: Excel number format of each column; the headers are the ``export.col.<key>`` texts of the catalogue
#: (``locales/<lang>/export.json``, :mod:`cer_core.i18n`).
FORMATS: dict[str, str] = {
    "month": INT, "id": TEXT, "name": TEXT, "kind": TEXT, "category": TEXT, "cabina": TEXT, "member": TEXT,
    "load_source": TEXT, "members": INT, "cabine": INT, "plants": INT, "kwp": NUM1, "commissioning": TEXT,
    "grant_pct": NUM1, "tip_class": TEXT, "admitted": TEXT, "tariff_end": TEXT, "production_kwh": KWH,
    "consumption_kwh": KWH, "self_consumed_kwh": KWH, "injected_kwh": KWH, "withdrawn_kwh": KWH, "shared_kwh": KWH,
    "incentivised_kwh": KWH, "specific_yield_kwh_kwp": KWH, "tip_eur": EUR, "tip_generated_eur": EUR,
    "mean_tip_rate_eur_mwh": EUR, "valorisation_eur": EUR, "energy_sale_eur": EUR, "rid_min_price_topup_eur": EUR,
    "bill_savings_eur": EUR, "rid_fee_eur": EUR, "gse_fee_eur": EUR, "fees_eur": EUR, "cer_incentives_eur": EUR,
    "net_benefit_eur": EUR, "co2_avoided_kg": KWH, "self_consumption_ratio": PCT, "self_sufficiency_ratio": PCT,
    "shared_over_injected": PCT, "timestamp": TEXT, "zonal_price_eur_mwh": EUR, "status": TEXT, "subject": TEXT,
    "text": TEXT, "set": TEXT, "ratio": PCT, "threshold": PCT, "restricted_share": PCT, "restricted_eur": EUR,
    "parameter": TEXT, "value": TEXT, "unit": TEXT, "plant": TEXT, "lat": "0.00000", "lon": "0.00000", "pod": TEXT,
    "profile": TEXT, "annual_kwh": KWH, "file": TEXT, "facility": TEXT, "tilt_deg": NUM1, "azimuth_deg": NUM1,
    "losses_pct": NUM1, "dc_ac_ratio": "0.00", "degradation_pct_per_year": "0.00", "incentivised": TEXT,
    "production_source": TEXT, "shared_by_withdrawal_kwh": KWH, "cer_costs_eur": EUR, "cer_money_eur": EUR,
    "energy_sale_net_eur": EUR, "self_consumption_savings_eur": EUR, "grant_cut_exemption_eur": EUR,
    "tariff_excluded_kw": NUM1, "tariff_fraction": PCT, "net_eur": EUR, "source": TEXT, "detail": TEXT,
    "cer_money_year1_eur": EUR, "cer_money_npv_eur": EUR, "capex_eur": EUR, "grant_eur": EUR, "npv_eur": EUR,
    "irr": PCT, "payback_years": NUM1, "discounted_payback_years": NUM1,
}
#: The sheets' names are ``export.sheet.<key>``; codes shown as words are ``export.<kind>.<code>``.
#: Units of the rules (language-neutral symbols; ``{year}`` is the word of ``export.unit.year``).
RULE_UNITS = {
    "valorisation_eur_mwh": "€/MWh", "tip_variable_reference_eur_mwh": "€/MWh",
    "pv_regional_correction_eur_mwh": "€/MWh", "restricted_threshold_no_grant": "%",
    "restricted_threshold_with_grant": "%", "avoided_price_eur_kwh": "€/kWh", "co2_kg_per_kwh": "kg/kWh",
    "rid_min_price_eur_mwh": "€/MWh", "gse_fee_plant_eur": "€/{year}", "gse_fee_per_kwp_eur": "€/kWp/{year}",
    "gse_fee_member_eur": "€/{year}",
}
SUMMARY_KEYS = ("members", "plants", "cabine", "kwp", "production_kwh", "consumption_kwh", "self_consumed_kwh",
                "injected_kwh", "withdrawn_kwh", "shared_kwh", "incentivised_kwh", "tip_eur", "valorisation_eur",
                "cer_incentives_eur", "energy_sale_eur", "rid_min_price_topup_eur", "bill_savings_eur",
                "rid_fee_eur", "gse_fee_eur", "fees_eur", "net_benefit_eur", "co2_avoided_kg",
                "self_consumption_ratio", "self_sufficiency_ratio", "shared_over_injected", "cer_costs_eur",
                "cer_money_eur", "energy_sale_net_eur", "self_consumption_savings_eur", "grant_cut_exemption_eur")
HEADER_FILL = PatternFill("solid", fgColor="1B7F5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def _text_lang(lang: str) -> str:
    """The summary's own two-language fields (``it``/``en``, ``note_it``/``note_en``): English or Italian."""
    return "en" if lang == "en" else "it"


def header(key: str, lang: str = "it") -> str:
    """The column header of ``key`` in ``lang`` (the key itself when unknown)."""
    return text_or(f"export.col.{key}", lang, key)


def sheet_name(key: str, lang: str = "it") -> str:
    """The name of the sheet ``key`` in ``lang`` (``export.sheet.<key>``)."""
    return text(f"export.sheet.{key}", lang)


def _cell(ws, value, fmt: str | None = None, bold: bool = False):
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        value = None
    if isinstance(value, (list, tuple, dict)):
        value = ", ".join(map(str, value)) if not isinstance(value, dict) else str(value)
    if isinstance(value, str):
        # every string is text, never a formula: neutralised (docs/limits.md) and typed as a string cell
        cell = WriteOnlyCell(ws, value=None)
        cell.value, cell.data_type = neutralise_formula(value), "s"
        if bold:
            cell.font = Font(bold=True)
        return cell
    cell = WriteOnlyCell(ws, value=value)
    if fmt and fmt != TEXT and isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.number_format = fmt
    if bold:
        cell.font = Font(bold=True)
    return cell


def _table(wb: Workbook, title: str, keys: list[str], rows: list[dict], lang: str,
           text_values: dict | None = None) -> None:
    """A sheet with a header row (green, frozen) and one row per record."""
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, key in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(42, len(header(key, lang)) + 2))
    head = []
    for key in keys:
        c = WriteOnlyCell(ws, value=header(key, lang))
        c.fill, c.font = HEADER_FILL, HEADER_FONT
        c.alignment = Alignment(wrap_text=True, vertical="top")
        head.append(c)
    ws.append(head)
    for row in rows:
        values = []
        for key in keys:
            value = row.get(key)
            if text_values and key in text_values:
                value = text_values[key](value)
            values.append(_cell(ws, value, FORMATS.get(key)))
        ws.append(values)


def results_workbook(results: Results, lang: str = "it", scenario=None) -> bytes:
    """The simulated year as an ``.xlsx`` workbook (bytes), headers in ``lang`` ("it" or "en").

    With the typed ``scenario`` (:class:`cer_core.scenario.Scenario`) the workbook also holds the
    inputs: members and plants as entered, and each member's and plant's hourly series.
    """
    typed_scenario = scenario
    s = results.summary
    wb = Workbook(write_only=True)
    totals = s.get("totals", {})
    scenario = s.get("scenario", {})
    info = [{"parameter": text("export.info.community", lang), "value": scenario.get("name", "")},
            {"parameter": text("export.info.year", lang), "value": results.year},
            {"parameter": text("export.info.comune", lang), "value": (scenario.get("site") or {}).get("comune", "")},
            {"parameter": text("export.info.market_zone", lang),
             "value": (scenario.get("site") or {}).get("market_zone", "")},
            {"parameter": text("export.info.generator", lang), "value": scenario.get("generator", "CER Studio")}]
    summary_rows = info + [{"parameter": header(k, lang), "value": totals.get(k), "_fmt": FORMATS.get(k, INT)}
                           for k in SUMMARY_KEYS if k in totals]
    ws = wb.create_sheet(sheet_name("summary", lang))
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 22
    ws.append([_cell(ws, header("parameter", lang), bold=True), _cell(ws, header("value", lang), bold=True)])
    for row in summary_rows:
        ws.append([_cell(ws, row["parameter"]), _cell(ws, row["value"], row.get("_fmt"))])

    months = [{**r, "month": month_name(int(r["month"]), lang) if 1 <= int(r.get("month") or 0) <= 12
               else r.get("month")} for r in s.get("monthly", [])]
    monthly_keys = ["month", "production_kwh", "consumption_kwh", "self_consumed_kwh", "injected_kwh",
                    "withdrawn_kwh", "shared_kwh", "incentivised_kwh", "tip_eur", "valorisation_eur",
                    "energy_sale_eur", "rid_min_price_topup_eur", "bill_savings_eur", "fees_eur", "net_benefit_eur",
                    "co2_avoided_kg", "cer_costs_eur", "cer_money_eur", "energy_sale_net_eur",
                    "self_consumption_savings_eur"]
    _table(wb, sheet_name("monthly", lang), monthly_keys, months, lang)
    member_keys = ["id", "name", "kind", "category", "cabina", "load_source", "consumption_kwh", "production_kwh",
                   "self_consumed_kwh", "injected_kwh", "withdrawn_kwh", "bill_savings_eur", "energy_sale_eur",
                   "tip_generated_eur"]
    _table(wb, sheet_name("members", lang), member_keys, s.get("members", []), lang,
           {"kind": _words("kind", lang), "category": _words("category", lang), "load_source": _load_source_word(lang)})
    plant_keys = ["id", "name", "member", "cabina", "kwp", "commissioning", "grant_pct", "tip_class", "admitted",
                  "tariff_end", "production_kwh", "specific_yield_kwh_kwp", "injected_kwh", "shared_kwh",
                  "incentivised_kwh", "tip_eur", "mean_tip_rate_eur_mwh", "energy_sale_eur", "rid_min_price_topup_eur",
                  "rid_fee_eur", "gse_fee_eur", "tariff_excluded_kw", "tariff_fraction", "grant_cut_exemption_eur"]
    _table(wb, sheet_name("plants", lang), plant_keys, s.get("plants", []), lang, {"admitted": _yes_no(lang)})
    _table(wb, sheet_name("cabine", lang), ["id", "name", "members", "plants", "kwp", "injected_kwh", "withdrawn_kwh",
                                            "shared_kwh", "incentivised_kwh", "tip_eur", "valorisation_eur"],
           s.get("cabine", []), lang)
    status = _words("status", lang)
    checks = [{"status": status(c.get("status")), "subject": c.get("subject", ""),
               "text": c.get(_text_lang(lang), "")} for c in s.get("checks", [])]
    _table(wb, sheet_name("checks", lang), ["status", "subject", "text"], checks, lang)
    plant_set = _words("plant_set", lang)
    restricted = [{**r, "set": plant_set(r.get("set"))} for r in s.get("restricted_tip", [])]
    _table(wb, sheet_name("restricted", lang), ["set", "plants", "injected_kwh", "incentivised_kwh", "ratio",
                                                "threshold", "restricted_share", "tip_eur", "restricted_eur"],
           restricted, lang)
    _table(wb, sheet_name("rules", lang), ["parameter", "value", "unit"], rule_rows(s.get("rules", {}), lang), lang)
    _allocation_sheet(wb, s.get("allocation"), lang)
    _hourly_sheet(wb, results, lang)
    _extended_sheets(wb, results, lang, typed_scenario)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _words(kind: str, lang: str):
    """A code → its word in the language, ``export.<kind>.<code>`` (the code itself when unknown)."""
    return lambda code: text_or(f"export.{kind}.{code}", lang, code)


def _load_source_word(lang: str):
    """Where a member's consumption comes from, in words (``export.load_source_none`` when it has none)."""
    words = _words("load_source", lang)
    return lambda code: text("export.load_source_none", lang) if code is None else words(code)


def _yes_no(lang: str):
    yes, no = text("export.yes", lang), text("export.no", lang)
    return lambda value: yes if value else no


def _number(value: float, lang: str) -> str:
    out = f"{value:,.2f}".rstrip("0").rstrip(".")
    return out if lang == "en" else out.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def rule_rows(rules: dict, lang: str = "it") -> list[dict]:
    """The rules a simulation used as rows ``{parameter, value, unit}`` in words: tariff classes, per-zone and
    per-category values one row each, flags as yes/no, thresholds in %; unknown keys as they are."""
    lang = _text_lang(lang)
    yes_no, rule_word, category = _yes_no(lang), _words("rule_word", lang), _words("category", lang)
    rows = []
    for key, value in rules.items():
        if key in ("attribution_label", "fees_label", "year_mode_label", "grant_cut_exemption_label"):
            continue  # the same as their codes, in English only
        label = text_or(f"export.rule.{key}", lang, key)
        unit = RULE_UNITS.get(key, "").format(year=text("export.unit.year", lang))
        if key == "tip_classes":
            low = 0.0
            for c in value or []:
                top = c.get("max_kw")
                if top is None:
                    span = text("export.tip_class.over", lang, low=_number(low, lang))
                elif low > 0:
                    span = text("export.tip_class.between", lang, low=_number(low, lang), top=_number(top, lang))
                else:
                    span = text("export.tip_class.up_to", lang, top=_number(top, lang))
                rows.append({"parameter": text("export.tip_class.parameter", lang, span=span),
                             "value": text("export.tip_class.value", lang,
                                           fixed=_number(c.get("fixed_eur_mwh", 0), lang),
                                           cap=_number(c.get("cap_eur_mwh", 0), lang)),
                             "unit": "€/MWh"})
                low = top if top is not None else low
        elif isinstance(value, dict):
            names = category if key == "avoided_price_eur_kwh" else (lambda sub: sub)
            for sub, v in value.items():
                rows.append({"parameter": f"{label} – {names(sub)}", "value": v, "unit": unit})
        elif isinstance(value, bool):
            rows.append({"parameter": label, "value": yes_no(value), "unit": ""})
        elif unit == "%" and isinstance(value, (int, float)):
            rows.append({"parameter": label, "value": round(100 * value, 6), "unit": unit})
        elif isinstance(value, str):
            rows.append({"parameter": label, "value": rule_word(value), "unit": unit})
        elif isinstance(value, (int, float)) or value is None:
            rows.append({"parameter": label, "value": value, "unit": unit})
        else:
            rows.append({"parameter": label, "value": ", ".join(map(str, value)) if isinstance(value, (list, tuple))
                         else str(value), "unit": unit})
    return rows


def _hourly_sheet(wb: Workbook, results: Results, lang: str) -> None:
    columns = community_hourly(results)
    ws = wb.create_sheet(sheet_name("hourly", lang))
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 27
    keys = ["timestamp", *columns]
    for i in range(2, len(keys) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 18
    head = []
    for key in keys:
        c = WriteOnlyCell(ws, value=header(key, lang))
        c.fill, c.font = HEADER_FILL, HEADER_FONT
        head.append(c)
    ws.append(head)
    labels = results.labels
    values = np.column_stack([np.round(v.astype(float), 4) for v in columns.values()])
    # plain values (no per-cell style) keep 8,784 rows fast to write
    for label, row in zip(labels, values.tolist()):
        ws.append([label, *row])


def _extended_sheets(wb: Workbook, results: Results, lang: str, scenario) -> None:
    """The sheets added for the reports (issue 14): inputs, per-member and per-plant months, the split and
    the investment when the summary has them, the data sources, and the hourly series per member/plant."""
    s = results.summary
    if scenario is not None:
        _table(wb, sheet_name("members_in", lang), ["id", "name", "kind", "category", "cabina", "lat", "lon", "pod",
                                                    "load_source", "profile", "annual_kwh", "file", "facility"],
               member_input_rows(scenario), lang, {"kind": _words("kind", lang), "category": _words("category", lang),
                                                   "load_source": _load_source_word(lang)})
        _table(wb, sheet_name("plants_in", lang), ["id", "name", "member", "kwp", "commissioning", "grant_pct",
                                                   "incentivised", "tilt_deg", "azimuth_deg", "losses_pct",
                                                   "dc_ac_ratio", "degradation_pct_per_year", "production_source"],
               plant_input_rows(scenario), lang, {"incentivised": _yes_no(lang)})
    from .report.data import monthly_sum, shared_by_withdrawal_kwh

    shared_m = monthly_sum(results.year, shared_by_withdrawal_kwh(results))
    index = {mid: i for i, mid in enumerate(results.member_ids)}
    member_keys = ["consumption_kwh", "production_kwh", "self_consumed_kwh", "injected_kwh", "withdrawn_kwh",
                   "bill_savings_eur"]
    rows = []
    for m in s.get("members", []):
        monthly = m.get("monthly") or {}
        for k in range(12):
            row = {"member": m["id"], "month": k + 1}
            row.update({key: (monthly.get(key) or [None] * 12)[k] for key in member_keys})
            row["shared_by_withdrawal_kwh"] = float(shared_m[k, index[m["id"]]]) if m["id"] in index else None
            rows.append(row)
    _table(wb, sheet_name("members_monthly", lang), ["member", "month", *member_keys, "shared_by_withdrawal_kwh"],
           rows, lang)
    plant_keys = ["production_kwh", "injected_kwh", "shared_kwh", "incentivised_kwh", "tip_eur", "energy_sale_eur"]
    rows = []
    for p in s.get("plants", []):
        monthly = p.get("monthly") or {}
        for k in range(12):
            rows.append({"plant": p["id"], "month": k + 1,
                         **{key: (monthly.get(key) or [None] * 12)[k] for key in plant_keys}})
    _table(wb, sheet_name("plants_monthly", lang), ["plant", "month", *plant_keys], rows, lang)
    # the split among members has its own sheet (_allocation_sheet)
    econ = s.get("economics")
    if isinstance(econ, dict):
        rows = [{"parameter": header(k, lang), "value": v} for k, v in econ.items()
                if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
        _table(wb, sheet_name("economics", lang), ["parameter", "value"], rows, lang)
    _table(wb, sheet_name("sources", lang), ["parameter", "source", "detail"], source_rows(s.get("sources", {}), lang),
           lang)
    _wide_hourly(wb, sheet_name("load_hourly", lang), results, results.member_ids, results.members.load_kwh, lang)
    _wide_hourly(wb, sheet_name("prod_hourly", lang), results, results.plant_ids, results.plant_production_kwh, lang)


def member_input_rows(scenario) -> list[dict]:
    """The members as entered: identity, place, POD and where the consumption comes from."""
    rows = []
    for m in scenario.members:
        load = m.load or {}
        source = load.get("source") if load else None
        rows.append({"id": m.id, "name": m.name, "kind": m.kind, "category": m.category, "cabina": m.cabina,
                     "lat": m.lat, "lon": m.lon, "pod": m.pod or "", "load_source": source,
                     "profile": load.get("profile") or "", "annual_kwh": load.get("annual_kwh"),
                     "file": load.get("path") or load.get("file") or "", "facility": m.facility or ""})
    return rows


def plant_input_rows(scenario) -> list[dict]:
    """The plants as entered: power, dates, grant, geometry and losses."""
    return [{"id": p.id, "name": p.name, "member": p.member, "kwp": p.kwp, "commissioning": p.commissioning.isoformat(),
             "grant_pct": p.grant_pct, "incentivised": p.incentivised, "tilt_deg": p.tilt_deg,
             "azimuth_deg": p.azimuth_deg, "losses_pct": p.losses_pct, "dc_ac_ratio": p.dc_ac_ratio,
             "degradation_pct_per_year": p.degradation_pct_per_year,
             "production_source": (p.production or {}).get("source", "")} for p in scenario.plants]


def source_rows(sources: dict, lang: str = "it") -> list[dict]:
    """Where the weather, the prices and each member's consumption came from, one row each."""
    weather = sources.get("weather") or {}
    prices = sources.get("prices") or {}
    rows = [{"parameter": text("export.source.weather", lang), "source": weather.get("source", ""),
             "detail": " — ".join(x for x in (weather.get("label"), weather.get(f"note_{_text_lang(lang)}")) if x)},
            {"parameter": text("export.source.prices", lang), "source": prices.get("source", ""),
             "detail": f"{prices.get('label', '')} ({prices.get('market_zone', '')})"}]
    for mid, meta in (sources.get("loads") or {}).items():
        detail = meta.get("path") or meta.get("profile") or meta.get("arera") or ""
        rows.append({"parameter": text("export.source.load", lang, member=mid), "source": meta.get("source", ""),
                     "detail": detail})
    return rows


def _wide_hourly(wb: Workbook, title: str, results: Results, ids: list[str], values: np.ndarray, lang: str) -> None:
    """One column per member or plant [kWh], one row per local hour (plain values: fast to write)."""
    ws = wb.create_sheet(title)
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 27
    head = []
    for key in ["timestamp", *[f"{i} (kWh)" for i in ids]]:
        c = _cell(ws, header(key, lang))  # ids are user strings: text, never a formula
        c.fill, c.font = HEADER_FILL, HEADER_FONT
        head.append(c)
    ws.append(head)
    rounded = np.round(np.asarray(values, dtype=float), 4).tolist() if len(ids) else [[] for _ in results.labels]
    for label, row in zip(results.labels, rounded):
        ws.append([label, *row])


#: The allocation sheet's number formats (headers: ``export.allocation.<key>``).
ALLOCATION_FORMATS = {
    "id": TEXT, "category": TEXT, "months_active": INT, "contribution_kwh": KWH, "producer_eur": EUR,
    "third_party_eur": EUR, "consumer_eur": EUR, "restricted_eur": EUR, "net_eur": EUR, "shapley_eur": EUR,
    "energy_sale_eur": EUR, "bill_savings_eur": EUR, "month": TEXT, "pot_eur": EUR, "costs_eur": EUR,
    "running_costs_eur": EUR, "social_fund_eur": EUR, "members_eur": EUR,
}


def _allocation_sheet(wb: Workbook, allocation: dict | None, lang: str) -> None:
    """The split among members: each member's year, then the community's months (docs/allocation.md)."""
    if not allocation:
        return
    ws = wb.create_sheet(sheet_name("allocation", lang))
    member_keys = ["id", "category", "months_active", "contribution_kwh", "producer_eur", "third_party_eur",
                   "consumer_eur", "restricted_eur", "net_eur", "shapley_eur", "energy_sale_eur", "bill_savings_eur"]
    for i in range(len(member_keys)):
        ws.column_dimensions[get_column_letter(i + 1)].width = 20

    def head(keys):
        cells = []
        for key in keys:
            c = WriteOnlyCell(ws, value=text(f"export.allocation.{key}", lang))
            c.fill, c.font = HEADER_FILL, HEADER_FONT
            c.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(c)
        ws.append(cells)

    head(member_keys)
    category = _words("category", lang)
    for m in allocation.get("members", []):
        row = {**m, **m.get("outside_pot", {}), "category": category(m.get("category"))}
        ws.append([_cell(ws, row.get(k), ALLOCATION_FORMATS[k]) for k in member_keys])
    ws.append([])
    month_keys = ["month", "pot_eur", "costs_eur", "running_costs_eur", "social_fund_eur", "members_eur"]
    head(month_keys)
    for r in allocation.get("monthly", []):
        ws.append([_cell(ws, month_name(int(r["month"]), lang)),
                   *(_cell(ws, r.get(k), EUR) for k in month_keys[1:])])
    ws.append([_cell(ws, text("export.allocation.note", lang))])


def results_zip(results: Results) -> bytes:
    """``summary.json``, ``hourly_members.csv``, ``hourly_cabine.csv``, ``hourly_plants.csv`` in a zip."""
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="cer_results_") as tmp:
        paths = write_results(results, Path(tmp))
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in paths:
                zf.write(path, arcname=path.name)
    return buf.getvalue()
