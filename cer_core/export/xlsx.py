"""The results as an Excel workbook, and the ``simulate`` files as one zip (the studio's downloads).

:func:`results_workbook` writes one sheet per table of the summary (totals, months, members,
plants, cabine, checks, the 55 % / 45 % rule, the rules used) plus the community's hourly flows,
with headers in Italian or English, units in every header and Excel number formats (Excel shows
them with the reader's own separators). :func:`results_zip` packs the four files of
:func:`cer_core.export.files.write_results` (``summary.json`` and the hourly CSVs) into one zip.
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
from .files import community_hourly, write_results
from ..textsafe import neutralise_formula

LANGS = ("it", "en")
KWH, EUR, PCT, NUM1, INT, TEXT = "#,##0", "#,##0.00", "0.0%", "#,##0.0", "0", "@"

#: Column headers: key → (Italian, English, Excel number format).
COLUMNS: dict[str, tuple[str, str, str]] = {
    "month": ("Mese", "Month", INT),
    "id": ("Id", "Id", TEXT),
    "name": ("Nome", "Name", TEXT),
    "kind": ("Ruolo", "Role", TEXT),
    "category": ("Categoria", "Category", TEXT),
    "cabina": ("Cabina primaria", "Primary substation", TEXT),
    "member": ("Membro", "Member", TEXT),
    "load_source": ("Dati di consumo", "Consumption data", TEXT),
    "members": ("Membri", "Members", INT),
    "cabine": ("Cabine primarie", "Primary substations", INT),
    "plants": ("Impianti", "Plants", INT),
    "kwp": ("Potenza (kWp)", "Power (kWp)", NUM1),
    "commissioning": ("Entrata in esercizio", "Commissioning", TEXT),
    "grant_pct": ("Contributo (%)", "Grant (%)", NUM1),
    "tip_class": ("Classe tariffa", "Tariff class", TEXT),
    "admitted": ("Ammesso alla tariffa", "Admitted to the tariff", TEXT),
    "tariff_end": ("Fine tariffa", "Tariff end", TEXT),
    "production_kwh": ("Produzione (kWh)", "Production (kWh)", KWH),
    "consumption_kwh": ("Consumo (kWh)", "Consumption (kWh)", KWH),
    "self_consumed_kwh": ("Autoconsumo fisico (kWh)", "Physical self-consumption (kWh)", KWH),
    "injected_kwh": ("Immessa in rete (kWh)", "Injected (kWh)", KWH),
    "withdrawn_kwh": ("Prelevata dalla rete (kWh)", "Withdrawn (kWh)", KWH),
    "shared_kwh": ("Energia condivisa (kWh)", "Shared energy (kWh)", KWH),
    "incentivised_kwh": ("Energia incentivata (kWh)", "Incentivised energy (kWh)", KWH),
    "specific_yield_kwh_kwp": ("Producibilità (kWh/kWp)", "Specific yield (kWh/kWp)", KWH),
    "tip_eur": ("Tariffa premio TIP (€)", "Premium tariff TIP (€)", EUR),
    "tip_generated_eur": ("TIP generata dai suoi impianti (€)", "TIP earned by its plants (€)", EUR),
    "mean_tip_rate_eur_mwh": ("TIP media (€/MWh)", "Mean TIP (€/MWh)", EUR),
    "valorisation_eur": ("Valorizzazione ARERA (€)", "ARERA valorisation (€)", EUR),
    "energy_sale_eur": ("Vendita energia RID (€)", "Energy sale RID (€)", EUR),
    "rid_min_price_topup_eur": ("Integrazione prezzi minimi (€)", "Minimum price top-up (€)", EUR),
    "bill_savings_eur": ("Risparmio in bolletta (€)", "Bill savings (€)", EUR),
    "rid_fee_eur": ("Corrispettivo RID (€)", "RID fee (€)", EUR),
    "gse_fee_eur": ("Corrispettivi GSE (€)", "GSE fees (€)", EUR),
    "fees_eur": ("Corrispettivi totali (€)", "Total fees (€)", EUR),
    "cer_incentives_eur": ("Incentivi CER: TIP + valorizzazione (€)", "CER incentives: TIP + valorisation (€)", EUR),
    "net_benefit_eur": ("Somma CER + vendita + autoconsumo, non beneficio della CER (€)",
                        "Sum of CER + sale + self-consumption, not the CER's benefit (€)", EUR),
    "co2_avoided_kg": ("CO2 evitata (kg)", "Avoided CO2 (kg)", KWH),
    "self_consumption_ratio": ("Quota di produzione usata", "Share of production used", PCT),
    "self_sufficiency_ratio": ("Autosufficienza", "Self-sufficiency", PCT),
    "shared_over_injected": ("Condivisa / immessa", "Shared / injected", PCT),
    "timestamp": ("Ora locale (inizio)", "Local hour (start)", TEXT),
    "zonal_price_eur_mwh": ("Prezzo zonale (€/MWh)", "Zonal price (€/MWh)", EUR),
    "status": ("Esito", "Result", TEXT),
    "subject": ("Oggetto", "Subject", TEXT),
    "text": ("Verifica", "Check", TEXT),
    "set": ("Insieme di impianti", "Plant set", TEXT),
    "ratio": ("Incentivata / immessa", "Incentivised / injected", PCT),
    "threshold": ("Soglia", "Threshold", PCT),
    "restricted_share": ("Quota vincolata", "Restricted share", PCT),
    "restricted_eur": ("TIP vincolata (€)", "Restricted TIP (€)", EUR),
    "parameter": ("Parametro", "Parameter", TEXT),
    "value": ("Valore", "Value", TEXT),
    "unit": ("Unità", "Unit", TEXT),
    "plant": ("Impianto", "Plant", TEXT),
    "lat": ("Latitudine (°)", "Latitude (°)", "0.00000"),
    "lon": ("Longitudine (°)", "Longitude (°)", "0.00000"),
    "pod": ("POD", "POD", TEXT),
    "profile": ("Profilo di consumo", "Consumption profile", TEXT),
    "annual_kwh": ("Consumo annuo dichiarato (kWh)", "Declared yearly consumption (kWh)", KWH),
    "file": ("File dei dati", "Data file", TEXT),
    "facility": ("Impianto speciale", "Facility", TEXT),
    "tilt_deg": ("Inclinazione (°)", "Tilt (°)", NUM1),
    "azimuth_deg": ("Orientamento (°, 180 = sud)", "Azimuth (°, 180 = south)", NUM1),
    "losses_pct": ("Perdite (%)", "Losses (%)", NUM1),
    "dc_ac_ratio": ("Rapporto DC/AC", "DC/AC ratio", "0.00"),
    "degradation_pct_per_year": ("Degrado (%/anno)", "Degradation (%/year)", "0.00"),
    "incentivised": ("Chiede la tariffa", "Applies for the tariff", TEXT),
    "production_source": ("Produzione da", "Production from", TEXT),
    "shared_by_withdrawal_kwh": ("Condivisa con i suoi prelievi (kWh)", "Shared with its withdrawals (kWh)", KWH),
    "cer_costs_eur": ("Costi della CER (€)", "The CER's costs (€)", EUR),
    "cer_money_eur": ("Quanto porta la CER (€)", "What the CER brings (€)", EUR),
    "energy_sale_net_eur": ("Vendita energia netta, dei produttori (€)", "Net energy sale, producers' own (€)", EUR),
    "self_consumption_savings_eur": ("Risparmio da autoconsumo, dei prosumer (€)",
                                     "Self-consumption savings, prosumers' own (€)", EUR),
    "grant_cut_exemption_eur": ("TIP salvata dall'esenzione (€)", "TIP kept by the exemption (€)", EUR),
    "tariff_excluded_kw": ("Potenza esclusa dalla tariffa (kW)", "Power excluded from the tariff (kW)", NUM1),
    "tariff_fraction": ("Quota con tariffa", "Tariffed share", PCT),
    "net_eur": ("Quota netta (€)", "Net share (€)", EUR),
    "source": ("Fonte", "Source", TEXT),
    "detail": ("Dettaglio", "Detail", TEXT),
    # the investment sheet (summary["economics"], docs/economics.md)
    "cer_money_year1_eur": ("Soldi della CER, primo anno (€)", "CER money, year 1 (€)", EUR),
    "cer_money_npv_eur": ("Soldi della CER, valore attuale (€)", "CER money, present value (€)", EUR),
    "capex_eur": ("Investimento (€)", "Investment (€)", EUR),
    "grant_eur": ("Contributo in conto capitale (€)", "Capital grant (€)", EUR),
    "npv_eur": ("VAN della comunità (€)", "Community NPV (€)", EUR),
    "irr": ("TIR della comunità", "Community IRR", PCT),
    "payback_years": ("Tempo di ritorno (anni)", "Payback (years)", NUM1),
    "discounted_payback_years": ("Tempo di ritorno attualizzato (anni)", "Discounted payback (years)", NUM1),
}
SHEETS = {"summary": ("Sintesi", "Summary"), "monthly": ("Mensile", "Monthly"), "members": ("Membri", "Members"),
          "plants": ("Impianti", "Plants"), "cabine": ("Cabine", "Substations"), "checks": ("Verifiche", "Checks"),
          "restricted": ("Regola 55-45", "Rule 55-45"), "rules": ("Parametri", "Parameters"),
          "hourly": ("Orario comunità", "Community hourly"),
          "members_in": ("Dati membri", "Member inputs"), "plants_in": ("Dati impianti", "Plant inputs"),
          "members_monthly": ("Membri mensile", "Members monthly"), "plants_monthly": ("Impianti mensile", "Plants monthly"),
          "economics": ("Investimento", "Investment"),
          "sources": ("Fonti", "Sources"), "load_hourly": ("Consumo orario membri", "Members hourly load"),
          "prod_hourly": ("Produzione oraria impianti", "Plants hourly production")}
STATUS = {"pass": ("superata", "passed"), "warning": ("attenzione", "warning"), "fail": ("non superata", "failed")}
PLANT_SETS = {"no_grant": ("senza contributo (soglia 55%)", "without grant (55% threshold)"),
              "with_grant": ("con contributo (soglia 45%)", "with grant (45% threshold)")}
#: Codes of the summary shown as words: role, category, consumption data source.
KINDS = {"consumer": ("consumatore", "consumer"), "prosumer": ("prosumer", "prosumer"),
         "producer": ("produttore", "producer")}
CATEGORIES = {"household": ("famiglia", "household"), "sme": ("PMI", "SME"),
              "public_body": ("ente pubblico", "public body"),
              "third_sector": ("ente del terzo settore", "third-sector body"), "other": ("altro", "other"),
              "large_enterprise": ("grande impresa", "large enterprise"),
              "religious_body": ("ente religioso", "religious body"), "research_body": ("ente di ricerca", "research body")}
LOAD_SOURCES = {"file": ("curva oraria", "hourly curve"), "bills": ("bollette", "bills"),
                "profile": ("profilo standard", "standard profile"), None: ("nessuno", "none")}
MONTHS = (("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
           "novembre", "dicembre"),
          ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"))
YES_NO = (("sì", "no"), ("yes", "no"))
#: The rules of the summary as labelled values: key → (Italian, English, unit).
RULES = {
    "attribution": ("Attribuzione dell'energia condivisa agli impianti", "Attribution of shared energy to plants", ""),
    "non_incentivised_last": ("Impianti senza tariffa per ultimi", "Plants without tariff last", ""),
    "valorisation_eur_mwh": ("Valorizzazione ARERA", "ARERA valorisation", "€/MWh"),
    "grant_scales_regional_correction": ("Il contributo riduce anche la maggiorazione regionale",
                                         "The grant also reduces the regional correction", ""),
    "tip_variable_reference_eur_mwh": ("Prezzo di riferimento della parte variabile della tariffa",
                                       "Reference price of the tariff's variable part", "€/MWh"),
    "pv_regional_correction_eur_mwh": ("Maggiorazione regionale fotovoltaico", "PV regional correction", "€/MWh"),
    "restricted_threshold_no_grant": ("Soglia della regola 55% (impianti senza contributo)",
                                      "55% rule threshold (plants without grant)", "%"),
    "restricted_threshold_with_grant": ("Soglia della regola 45% (impianti con contributo)",
                                        "45% rule threshold (plants with grant)", "%"),
    "avoided_price_eur_kwh": ("Prezzo evitato in bolletta", "Avoided bill price", "€/kWh"),
    "co2_kg_per_kwh": ("CO2 evitata per kWh", "Avoided CO2 per kWh", "kg/kWh"),
    "co2_basis": ("Energia su cui si conta la CO2 evitata", "Energy counted for avoided CO2", ""),
    "rid_min_price": ("Prezzi minimi garantiti (RID)", "Guaranteed minimum prices (RID)", ""),
    "rid_min_price_eur_mwh": ("Prezzo minimo garantito", "Guaranteed minimum price", "€/MWh"),
    "rid_fee": ("Corrispettivo RID applicato", "RID fee applied", ""),
    "gse_fee_plant_eur": ("Corrispettivo GSE per impianto", "GSE fee per plant", "€/anno"),
    "gse_fee_per_kwp_eur": ("Corrispettivo GSE per kWp", "GSE fee per kWp", "€/kWp/anno"),
    "gse_fee_member_eur": ("Corrispettivo GSE per membro", "GSE fee per member", "€/anno"),
    "gse_fee_scheme": ("Corrispettivi GSE: lettura", "GSE fees: reading", ""),
    "year_mode": ("Anno simulato", "Simulated year", ""),
    "grant_cut_exemption": ("Esenzione dalla riduzione per contributo", "Exemption from the grant cut", ""),
    "fees_label": ("Corrispettivi GSE usati", "GSE fees used", ""),
    "year_mode_label": ("Modo dell'anno", "Year mode", ""),
    "grant_cut_exemption_label": ("Riduzione per contributo", "Grant cut", ""),
}
RULE_WORDS = {"chronological": ("cronologica: prima gli impianti più vecchi, a pari data in proporzione all'immissione",
                                "chronological: oldest plants first, ties in proportion to injection"),
              "pro_rata": ("in proporzione all'immissione di ogni impianto", "in proportion to each plant's injection"),
              "decree": ("decreto corrispettivi (DM 106/2024)", "fees decree (DM 106/2024)"),
              "rse": ("configurazione RSE", "RSE's configuration"),
              "reference": ("di riferimento: ogni impianto in funzione tutto l'anno",
                            "reference: every plant runs all year"),
              "calendar": ("solare: ogni impianto dalla sua entrata in esercizio",
                           "calendar: each plant from its commissioning"),
              "shared_and_self_consumed": ("energia condivisa e autoconsumata", "shared and self-consumed energy")}
SUMMARY_KEYS = ("members", "plants", "cabine", "kwp", "production_kwh", "consumption_kwh", "self_consumed_kwh",
                "injected_kwh", "withdrawn_kwh", "shared_kwh", "incentivised_kwh", "tip_eur", "valorisation_eur",
                "cer_incentives_eur", "energy_sale_eur", "rid_min_price_topup_eur", "bill_savings_eur",
                "rid_fee_eur", "gse_fee_eur", "fees_eur", "net_benefit_eur", "co2_avoided_kg",
                "self_consumption_ratio", "self_sufficiency_ratio", "shared_over_injected", "cer_costs_eur",
                "cer_money_eur", "energy_sale_net_eur", "self_consumption_savings_eur", "grant_cut_exemption_eur")
HEADER_FILL = PatternFill("solid", fgColor="1B7F5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def _lang_index(lang: str) -> int:
    return 1 if lang == "en" else 0


def header(key: str, lang: str = "it") -> str:
    """The column header of ``key`` in ``lang`` (the key itself when unknown)."""
    entry = COLUMNS.get(key)
    return entry[_lang_index(lang)] if entry else key


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
            values.append(_cell(ws, value, COLUMNS.get(key, ("", "", None))[2]))
        ws.append(values)


def results_workbook(results: Results, lang: str = "it", scenario=None) -> bytes:
    """The simulated year as an ``.xlsx`` workbook (bytes), headers in ``lang`` ("it" or "en").

    With the typed ``scenario`` (:class:`cer_core.scenario.Scenario`) the workbook also holds the
    inputs: members and plants as entered, and each member's and plant's hourly series.
    """
    li = _lang_index(lang)
    typed_scenario = scenario
    s = results.summary
    wb = Workbook(write_only=True)
    totals = s.get("totals", {})
    scenario = s.get("scenario", {})
    info = [{"parameter": ("Comunità", "Community")[li], "value": scenario.get("name", "")},
            {"parameter": ("Anno simulato", "Simulated year")[li], "value": results.year},
            {"parameter": ("Comune", "Comune")[li], "value": (scenario.get("site") or {}).get("comune", "")},
            {"parameter": ("Zona di mercato", "Market zone")[li],
             "value": (scenario.get("site") or {}).get("market_zone", "")},
            {"parameter": ("Generato da", "Generated by")[li], "value": scenario.get("generator", "CER Studio")}]
    summary_rows = info + [{"parameter": header(k, lang), "value": totals.get(k), "_fmt": COLUMNS.get(k, ("", "", INT))[2]}
                           for k in SUMMARY_KEYS if k in totals]
    ws = wb.create_sheet(SHEETS["summary"][li])
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 22
    ws.append([_cell(ws, header("parameter", lang), bold=True), _cell(ws, header("value", lang), bold=True)])
    for row in summary_rows:
        ws.append([_cell(ws, row["parameter"]), _cell(ws, row["value"], row.get("_fmt"))])

    months = [{**r, "month": MONTHS[li][int(r["month"]) - 1] if 1 <= int(r.get("month") or 0) <= 12 else r.get("month")}
              for r in s.get("monthly", [])]
    monthly_keys = ["month", "production_kwh", "consumption_kwh", "self_consumed_kwh", "injected_kwh",
                    "withdrawn_kwh", "shared_kwh", "incentivised_kwh", "tip_eur", "valorisation_eur",
                    "energy_sale_eur", "rid_min_price_topup_eur", "bill_savings_eur", "fees_eur", "net_benefit_eur",
                    "co2_avoided_kg", "cer_costs_eur", "cer_money_eur", "energy_sale_net_eur",
                    "self_consumption_savings_eur"]
    _table(wb, SHEETS["monthly"][li], monthly_keys, months, lang)
    _table(wb, SHEETS["members"][li], ["id", "name", "kind", "category", "cabina", "load_source", "consumption_kwh",
                                       "production_kwh", "self_consumed_kwh", "injected_kwh", "withdrawn_kwh",
                                       "bill_savings_eur", "energy_sale_eur", "tip_generated_eur"],
           s.get("members", []), lang, {"kind": _words(KINDS, li), "category": _words(CATEGORIES, li),
                                        "load_source": _words(LOAD_SOURCES, li)})
    yes_no = lambda v: YES_NO[li][0] if v else YES_NO[li][1]  # noqa: E731
    _table(wb, SHEETS["plants"][li], ["id", "name", "member", "cabina", "kwp", "commissioning", "grant_pct",
                                      "tip_class", "admitted", "tariff_end", "production_kwh",
                                      "specific_yield_kwh_kwp", "injected_kwh", "shared_kwh", "incentivised_kwh",
                                      "tip_eur", "mean_tip_rate_eur_mwh", "energy_sale_eur",
                                      "rid_min_price_topup_eur", "rid_fee_eur", "gse_fee_eur", "tariff_excluded_kw",
                                      "tariff_fraction", "grant_cut_exemption_eur"],
           s.get("plants", []), lang, {"admitted": yes_no})
    _table(wb, SHEETS["cabine"][li], ["id", "name", "members", "plants", "kwp", "injected_kwh", "withdrawn_kwh",
                                      "shared_kwh", "incentivised_kwh", "tip_eur", "valorisation_eur"],
           s.get("cabine", []), lang)
    checks = [{"status": STATUS.get(c.get("status"), (c.get("status"),) * 2)[li], "subject": c.get("subject", ""),
               "text": c.get(("it", "en")[li], "")} for c in s.get("checks", [])]
    _table(wb, SHEETS["checks"][li], ["status", "subject", "text"], checks, lang)
    restricted = [{**r, "set": PLANT_SETS.get(r.get("set"), (r.get("set"),) * 2)[li]} for r in s.get("restricted_tip", [])]
    _table(wb, SHEETS["restricted"][li], ["set", "plants", "injected_kwh", "incentivised_kwh", "ratio", "threshold",
                                          "restricted_share", "tip_eur", "restricted_eur"], restricted, lang)
    _table(wb, SHEETS["rules"][li], ["parameter", "value", "unit"], rule_rows(s.get("rules", {}), lang), lang)
    _allocation_sheet(wb, s.get("allocation"), lang)
    _hourly_sheet(wb, results, lang)
    _extended_sheets(wb, results, lang, typed_scenario)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _words(table: dict, li: int):
    """A code → its word in the language (the code itself when unknown)."""
    return lambda code: table[code][li] if code in table else code


def _number(value: float, li: int) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if li == 0 else text


def rule_rows(rules: dict, lang: str = "it") -> list[dict]:
    """The rules a simulation used as rows ``{parameter, value, unit}`` in words: tariff classes, per-zone and
    per-category values one row each, flags as yes/no, thresholds in %; unknown keys as they are."""
    li = _lang_index(lang)
    rows = []
    for key, value in rules.items():
        if key in ("attribution_label", "fees_label", "year_mode_label", "grant_cut_exemption_label"):
            continue  # the same as their codes, in English only
        label_it, label_en, unit = RULES.get(key, (key, key, ""))
        label = (label_it, label_en)[li]
        unit = unit.replace("anno", "year") if li == 1 else unit
        if key == "tip_classes":
            low = 0.0
            for c in value or []:
                top = c.get("max_kw")
                if top is None:
                    span = (f"oltre {_number(low, li)} kW", f"over {_number(low, li)} kW")[li]
                elif low > 0:
                    span = (f"da {_number(low, li)} a {_number(top, li)} kW", f"{_number(low, li)} to "
                            f"{_number(top, li)} kW")[li]
                else:
                    span = (f"fino a {_number(top, li)} kW", f"up to {_number(top, li)} kW")[li]
                text = (f"parte fissa {_number(c.get('fixed_eur_mwh', 0), li)}, massimo "
                        f"{_number(c.get('cap_eur_mwh', 0), li)}", f"fixed part {_number(c.get('fixed_eur_mwh', 0), li)}"
                        f", at most {_number(c.get('cap_eur_mwh', 0), li)}")[li]
                rows.append({"parameter": (f"Tariffa premio, impianti {span}", f"Premium tariff, plants {span}")[li],
                             "value": text, "unit": "€/MWh"})
                low = top if top is not None else low
        elif isinstance(value, dict):
            names = CATEGORIES if key == "avoided_price_eur_kwh" else {}
            for sub, v in value.items():
                rows.append({"parameter": f"{label} – {names[sub][li] if sub in names else sub}", "value": v,
                             "unit": unit})
        elif isinstance(value, bool):
            rows.append({"parameter": label, "value": YES_NO[li][0] if value else YES_NO[li][1], "unit": ""})
        elif unit == "%" and isinstance(value, (int, float)):
            rows.append({"parameter": label, "value": round(100 * value, 6), "unit": unit})
        elif isinstance(value, str):
            rows.append({"parameter": label, "value": RULE_WORDS[value][li] if value in RULE_WORDS else value,
                         "unit": unit})
        elif isinstance(value, (int, float)) or value is None:
            rows.append({"parameter": label, "value": value, "unit": unit})
        else:
            rows.append({"parameter": label, "value": ", ".join(map(str, value)) if isinstance(value, (list, tuple))
                         else str(value), "unit": unit})
    return rows


def _hourly_sheet(wb: Workbook, results: Results, lang: str) -> None:
    li = _lang_index(lang)
    columns = community_hourly(results)
    ws = wb.create_sheet(SHEETS["hourly"][li])
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
    li = _lang_index(lang)
    s = results.summary
    if scenario is not None:
        _table(wb, SHEETS["members_in"][li], ["id", "name", "kind", "category", "cabina", "lat", "lon", "pod",
                                              "load_source", "profile", "annual_kwh", "file", "facility"],
               member_input_rows(scenario), lang, {"kind": _words(KINDS, li), "category": _words(CATEGORIES, li),
                                                   "load_source": _words(LOAD_SOURCES, li)})
        yes_no = lambda v: YES_NO[li][0] if v else YES_NO[li][1]  # noqa: E731
        _table(wb, SHEETS["plants_in"][li], ["id", "name", "member", "kwp", "commissioning", "grant_pct",
                                             "incentivised", "tilt_deg", "azimuth_deg", "losses_pct", "dc_ac_ratio",
                                             "degradation_pct_per_year", "production_source"],
               plant_input_rows(scenario), lang, {"incentivised": yes_no})
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
    _table(wb, SHEETS["members_monthly"][li], ["member", "month", *member_keys, "shared_by_withdrawal_kwh"], rows, lang)
    plant_keys = ["production_kwh", "injected_kwh", "shared_kwh", "incentivised_kwh", "tip_eur", "energy_sale_eur"]
    rows = []
    for p in s.get("plants", []):
        monthly = p.get("monthly") or {}
        for k in range(12):
            rows.append({"plant": p["id"], "month": k + 1,
                         **{key: (monthly.get(key) or [None] * 12)[k] for key in plant_keys}})
    _table(wb, SHEETS["plants_monthly"][li], ["plant", "month", *plant_keys], rows, lang)
    # the split among members has its own sheet (_allocation_sheet)
    econ = s.get("economics")
    if isinstance(econ, dict):
        rows = [{"parameter": header(k, lang), "value": v} for k, v in econ.items()
                if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
        _table(wb, SHEETS["economics"][li], ["parameter", "value"], rows, lang)
    _table(wb, SHEETS["sources"][li], ["parameter", "source", "detail"], source_rows(s.get("sources", {}), lang), lang)
    _wide_hourly(wb, SHEETS["load_hourly"][li], results, results.member_ids, results.members.load_kwh, lang)
    _wide_hourly(wb, SHEETS["prod_hourly"][li], results, results.plant_ids, results.plant_production_kwh, lang)


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
    li = _lang_index(lang)
    weather = sources.get("weather") or {}
    prices = sources.get("prices") or {}
    rows = [{"parameter": ("Meteo", "Weather")[li], "source": weather.get("source", ""),
             "detail": " — ".join(x for x in (weather.get("label"), weather.get(("note_it", "note_en")[li])) if x)},
            {"parameter": ("Prezzi zonali", "Zonal prices")[li], "source": prices.get("source", ""),
             "detail": f"{prices.get('label', '')} ({prices.get('market_zone', '')})"}]
    for mid, meta in (sources.get("loads") or {}).items():
        text = meta.get("path") or meta.get("profile") or meta.get("arera") or ""
        rows.append({"parameter": f"{('Consumo', 'Load')[li]} {mid}", "source": meta.get("source", ""), "detail": text})
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


#: The allocation sheet's headers: key → (Italian, English, number format).
ALLOCATION_HEADERS = {
    "id": ("Membro", "Member", TEXT), "category": ("Categoria", "Category", TEXT),
    "months_active": ("Mesi nella CER", "Months in the CER", INT),
    "contribution_kwh": ("Contributo all'energia condivisa (kWh)", "Contribution to shared energy (kWh)", KWH),
    "producer_eur": ("Quota produttori (€)", "Producers' share (€)", EUR),
    "third_party_eur": ("Compenso produttore terzo (€)", "Third-party producer fee (€)", EUR),
    "consumer_eur": ("Quota consumatori (€)", "Consumers' share (€)", EUR),
    "restricted_eur": ("Quota vincolata regola 55% (€)", "55% rule restricted amount (€)", EUR),
    "net_eur": ("Totale dalla CER (€)", "Total from the CER (€)", EUR),
    "shapley_eur": ("Valore di Shapley (€)", "Shapley value (€)", EUR),
    "energy_sale_eur": ("Vendita energia, fuori dalla CER (€)", "Energy sale, outside the CER (€)", EUR),
    "bill_savings_eur": ("Risparmio in bolletta, fuori dalla CER (€)", "Bill savings, outside the CER (€)", EUR),
    "month": ("Mese", "Month", TEXT), "pot_eur": ("Incassi CER: TIP + valorizzazione (€)", "CER receipts: TIP + "
                                                  "valorisation (€)", EUR),
    "costs_eur": ("Costi (€)", "Costs (€)", EUR), "running_costs_eur": ("Riserva spese (€)", "Running-costs reserve (€)", EUR),
    "social_fund_eur": ("Fondo sociale (€)", "Social fund (€)", EUR), "members_eur": ("Ai membri (€)", "To members (€)", EUR),
}


def _allocation_sheet(wb: Workbook, allocation: dict | None, lang: str) -> None:
    """The split among members: each member's year, then the community's months (docs/allocation.md)."""
    if not allocation:
        return
    li = _lang_index(lang)
    ws = wb.create_sheet(("Ripartizione", "Allocation")[li])
    member_keys = ["id", "category", "months_active", "contribution_kwh", "producer_eur", "third_party_eur",
                   "consumer_eur", "restricted_eur", "net_eur", "shapley_eur", "energy_sale_eur", "bill_savings_eur"]
    for i in range(len(member_keys)):
        ws.column_dimensions[get_column_letter(i + 1)].width = 20

    def head(keys):
        cells = []
        for key in keys:
            c = WriteOnlyCell(ws, value=ALLOCATION_HEADERS[key][li])
            c.fill, c.font = HEADER_FILL, HEADER_FONT
            c.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(c)
        ws.append(cells)

    head(member_keys)
    for m in allocation.get("members", []):
        row = {**m, **m.get("outside_pot", {}), "category": _words(CATEGORIES, li)(m.get("category"))}
        ws.append([_cell(ws, row.get(k), ALLOCATION_HEADERS[k][2]) for k in member_keys])
    ws.append([])
    month_keys = ["month", "pot_eur", "costs_eur", "running_costs_eur", "social_fund_eur", "members_eur"]
    head(month_keys)
    for r in allocation.get("monthly", []):
        ws.append([_cell(ws, MONTHS[li][int(r["month"]) - 1]),
                   *(_cell(ws, r.get(k), EUR) for k in month_keys[1:])])
    ws.append([_cell(ws, ("Mensile: anticipi GSE; la regola 55% è annuale, la sua ripartizione mensile è "
                          "un'approssimazione.", "Monthly: GSE advances; the 55% rule is yearly, its monthly "
                          "split is an approximation.")[li])])


def results_zip(results: Results) -> bytes:
    """``summary.json``, ``hourly_members.csv``, ``hourly_cabine.csv``, ``hourly_plants.csv`` in a zip."""
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="cer_results_") as tmp:
        paths = write_results(results, Path(tmp))
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in paths:
                zf.write(path, arcname=path.name)
    return buf.getvalue()
