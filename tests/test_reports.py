"""The reports (issue 14): member sheets, community report, workbook, ``report`` CLI.

Rendered for the embedded demo (40 members, two cabine, map), a 1-member community and a 40-member
community without coordinates but with a split (``allocation``) and an ``economics`` section; the
PDFs are read back with pypdf (pages, figures in the text layer formatted the Italian way) and the
workbook with openpyxl (sheets, totals equal to ``summary.json``).
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile

import numpy as np
import openpyxl
import pytest
from pypdf import PdfReader

from cer_core.api import Outcome, demo_workspace, run
from cer_core.cli import main
from cer_core.engine import simulate
from cer_core.export.xlsx import results_workbook
from cer_core.export.report import community_report_pdf, member_sheet_pdf, member_sheets_zip, write_reports
from cer_core.export.report import data
from cer_core.export.report.community import cer_money_rows
from cer_core.export.report.text import Text, catalogue, fmt_number
from engine_helpers import inputs, member, plant, scenario


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text.replace("\u00a0", " "))


@pytest.fixture(scope="module")
def demo() -> Outcome:
    return run(demo_workspace())


@pytest.fixture(scope="module")
def one_member() -> Outcome:
    ws = demo_workspace()
    doc = copy.deepcopy(ws.doc)
    doc["name"] = "CER di una scuola"
    doc["members"] = [m for m in doc["members"] if m["id"] == "scuola-pieve"]
    doc["plants"] = [p for p in doc["plants"] if p["member"] == "scuola-pieve"]
    return run(ws.with_doc(doc))


@pytest.fixture(scope="module")
def forty() -> Outcome:
    """40 households and 4 producers' roofs under one cabina, no coordinates, no areas; a split and economics
    are added to the summary as the allocation (issue 11) and investment (issue 13) steps would."""
    ws = demo_workspace()
    doc = copy.deepcopy(ws.doc)
    doc["name"] = "Quaranta famiglie"
    doc.pop("cabine", None)
    members = []
    for k in range(40):
        members.append({"id": f"fam-{k:02d}", "name": f"Famiglia numero {k + 1}", "kind": "prosumer" if k < 4 else
                        "consumer", "category": "household", "cabina": "CP-UNICA",
                        "load": {"source": "profile", "profile": "household", "annual_kwh": 2000 + 50 * k}})
    doc["members"] = members
    doc["plants"] = [{"id": f"fv-{k}", "name": f"Tetto {k}", "member": f"fam-{k:02d}", "kwp": 6.0,
                      "commissioning": "2024-01-15", "tilt_deg": 30, "azimuth_deg": 180} for k in range(4)]
    outcome = run(ws.with_doc(doc))
    s = outcome.summary
    pool = s["totals"]["cer_incentives_eur"] - s["totals"]["gse_fee_eur"]
    s["allocation"] = {"members": [{"id": m["id"], "net_eur": pool / 40,
                                    "monthly": [pool / 480] * 12} for m in s["members"]]}
    s["economics"] = {"capex_eur": 48000.0, "npv_eur": 12345.6, "payback_years": 7.25}
    return outcome


# -------------------------------------------------------------------------------------------------
# formats and catalogue
# -------------------------------------------------------------------------------------------------

def test_number_formats_italian_and_english():
    it, en = Text("it"), Text("en")
    assert fmt_number(1225550.36) == "1.225.550"
    assert fmt_number(-0.2) == "0"
    assert it.kwh(1234.5, 1) == "1.234,5 kWh" and en.kwh(1234.5, 1) == "1,234.5 kWh"
    assert it.eur(30360.19) == "30.360 €" and en.eur(30360.19) == "€30,360" and en.eur(-5) == "-€5"
    assert it.pct(0.838408) == "83,8%" and it.co2(256877.9) == "256,9 t CO₂" and it.co2(412) == "412 kg CO₂"
    assert it.date("2024-03-15") == "15/03/2024" and en.date("2024-03-15") == "15 Mar 2024"
    assert it.eur(None) == "–" and it.num(float("nan")) == "–"


def test_report_catalogue_same_keys_and_placeholders():
    it, en = catalogue("it"), catalogue("en")
    assert it.keys() == en.keys()
    for key in it:
        assert set(re.findall(r"{(\w+)}", it[key])) == set(re.findall(r"{(\w+)}", en[key])), key


# -------------------------------------------------------------------------------------------------
# derived figures, computed by hand
# -------------------------------------------------------------------------------------------------

def _tiny():
    sc = scenario([member("prod", kind="producer"), member("a"), member("b"), member("c", cabina="CP2")],
                  [plant("p1", "prod", 10.0)], year=2025)
    h = 8760
    load = np.zeros((h, 4))
    prod = np.zeros((h, 1))
    # hour 12 of 5 Jan (a Sunday): injection 10, a withdraws 6, b 2, c (other cabina) 5 → shared 8 = 6 + 2
    load[4 * 24 + 12, 1:] = [6.0, 2.0, 5.0]
    prod[4 * 24 + 12, 0] = 10.0
    # hour 10 of 7 Jan (a Tuesday): injection 3, a 6, b 2 → shared 3: a 2.25, b 0.75
    load[6 * 24 + 10, 1:3] = [6.0, 2.0]
    prod[6 * 24 + 10, 0] = 3.0
    return simulate(inputs(sc, load, prod))


def test_shared_by_withdrawal_known_answer():
    results = _tiny()
    shared = data.shared_by_withdrawal_kwh(results).sum(axis=0)
    np.testing.assert_allclose(shared, [0.0, 8.25, 2.75, 0.0])
    assert shared.sum() == pytest.approx(results.summary["totals"]["shared_kwh"])
    co2 = data.member_co2_kg(results, data.shared_by_withdrawal_kwh(results))
    assert co2.sum() == pytest.approx(results.summary["totals"]["co2_avoided_kg"])


def test_bands_known_answer():
    results = _tiny()
    bands = data.bands_monthly_kwh(results, 1)  # member a: 6 kWh on a Sunday (F3), 6 kWh Tuesday 10:00 (F1)
    np.testing.assert_allclose(bands[0], [6.0, 0.0, 6.0])
    assert bands[1:].sum() == 0.0


def test_allocation_line_reads_the_split_in_its_shapes():
    s = {"allocation": {"members": [{"id": "a", "net_eur": 12.5, "monthly": {"net_eur": [1.0] * 12}},
                                    {"member": "b", "net_eur": 3}],
                        "monthly": [{"members": {"b": {"net_eur": 0.25}}} for _ in range(12)]}}
    assert data.allocation_line(s, "a") == {"net_eur": 12.5, "monthly_eur": [1.0] * 12, "record": s["allocation"]["members"][0]}
    assert data.allocation_line(s, "b")["monthly_eur"] == [0.25] * 12
    assert data.allocation_line(s, "zz") is None and data.allocation_line({}, "a") is None


def test_cer_money_lines_add_up_and_prefer_the_engine_figure():
    rows = cer_money_rows({"tip_eur": 100.0, "valorisation_eur": 10.0, "gse_fee_eur": 4.0})
    assert [k for k, _ in rows] == ["money.tip", "money.valorisation", "money.gse_fees", "money.cer_money"]
    assert sum(v for _, v in rows[:-1]) == pytest.approx(rows[-1][1]) == 106.0
    rows = cer_money_rows({"tip_eur": 100.0, "valorisation_eur": 10.0, "cer_costs_eur": 7.0, "cer_money_eur": 103.0})
    assert rows[2] == ("money.cer_costs", -7.0) and rows[-1] == ("money.cer_money", 103.0)


# -------------------------------------------------------------------------------------------------
# member sheets
# -------------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("lang", ["it", "en"])
def test_demo_member_sheet_figures_in_text_layer(demo, lang):
    tx = Text(lang)
    rec = next(m for m in demo.summary["members"] if m["id"] == "scuola-pieve")
    pages, text = _text(member_sheet_pdf(demo, "scuola-pieve", lang))
    assert pages == 1
    i = data.member_index(demo.results, "scuola-pieve")
    shared = data.shared_by_withdrawal_kwh(demo.results)[:, i].sum()
    line = next(m for m in demo.summary["allocation"]["members"] if m["id"] == "scuola-pieve")
    for figure in (tx.kwh(rec["consumption_kwh"]), tx.kwh(rec["production_kwh"]), tx.eur(rec["bill_savings_eur"]),
                   tx.eur(rec["energy_sale_eur"]), tx.kwh(shared)):
        assert figure in text
    assert rec["name"] in text
    # the demo's regolamento splits the money: the CER part is the member's share, not what it generates
    assert tx("member.cer.alloc_text", eur=tx.eur(line["net_eur"])) in text
    assert tx("member.cer.title_generated") not in text and tx("member.own.title") in text
    if lang == "it":
        assert "110.000 kWh" in text


@pytest.mark.slow
def test_demo_all_sheets_zip_one_page_each(demo):
    with zipfile.ZipFile(io.BytesIO(member_sheets_zip(demo, "it"))) as zf:
        names = zf.namelist()
        assert len(names) == 40 and names[0] == "scheda_01_depuratore.pdf"
        for name, rec in zip(names, demo.summary["members"]):
            pages, text = _text(zf.read(name))
            assert pages == 1
            key = "consumption_kwh" if rec["consumption_kwh"] > 0 else "production_kwh"  # a producer has no load
            assert Text("it").kwh(rec[key]) in text


def test_consumer_sheet_without_own_plant_says_so(demo):
    pages, text = _text(member_sheet_pdf(demo, "casa-01", "it"))
    assert pages == 1 and Text("it")("member.own.none") in text


def test_producer_sheet_shows_its_plants_not_an_empty_consumption(demo):
    tx = Text("it")
    rec = next(m for m in demo.summary["members"] if m["id"] == "solare-lombarda")
    plants = [p for p in demo.summary["plants"] if p["member"] == "solare-lombarda"]
    pages, text = _text(member_sheet_pdf(demo, "solare-lombarda", "it"))
    assert pages == 1 and rec["consumption_kwh"] == 0
    assert tx("member.consumption.title") not in text and tx("member.production.title") in text
    assert tx.kwh(sum(p["shared_kwh"] for p in plants)) in text and tx.eur(rec["tip_generated_eur"]) in text
    assert tx.eur(rec["energy_sale_eur"]) in text
    co2 = sum(p["shared_kwh"] for p in plants) * demo.summary["rules"]["co2_kg_per_kwh"]
    assert tx.co2(co2) in text


def test_split_when_present_replaces_the_generated_estimate(forty):
    tx = Text("it")
    line = forty.summary["allocation"]["members"][7]
    pages, text = _text(member_sheet_pdf(forty, line["id"], "it"))
    assert pages == 1
    assert tx("member.cer.alloc_text", eur=tx.eur(line["net_eur"])) in text
    assert tx("member.cer.title_generated") not in text


def test_unknown_member_is_a_key_error(demo):
    with pytest.raises(KeyError):
        member_sheet_pdf(demo, "nessuno", "it")


# -------------------------------------------------------------------------------------------------
# community report
# -------------------------------------------------------------------------------------------------

def _totals_in(text: str, t: dict, tx: Text) -> None:
    for key in ("production_kwh", "consumption_kwh", "self_consumed_kwh", "shared_kwh", "incentivised_kwh"):
        assert tx.num(t[key]) in text, key
    for key in ("tip_eur", "valorisation_eur", "energy_sale_eur", "bill_savings_eur"):
        assert tx.eur(t[key]) in text, key
    assert tx.eur(t["tip_eur"] + t["valorisation_eur"] - t["gse_fee_eur"]) in text


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["it", "en"])
def test_demo_community_report(demo, lang):
    tx = Text(lang)
    pages, text = _text(community_report_pdf(demo, lang))
    assert 6 <= pages <= 10
    _totals_in(text, demo.summary["totals"], tx)
    for m in demo.summary["members"]:
        assert m["name"] in text
    for c in demo.summary["checks"]:
        assert c[lang] in text
    for key in ("community.map.title", "community.checks.title", "community.regulation.title",
                "community.money.own", "reg.dm414"):
        assert tx(key) in text
    assert demo.summary["sources"]["weather"]["label"] in text
    assert tx("community.allocation.title") in text  # the demo's regolamento splits the money
    for m in demo.summary["allocation"]["members"][:5]:
        assert tx.eur(m["net_eur"], 0) in text


def test_one_member_community(one_member):
    assert len(one_member.summary["members"]) == 1
    pages, text = _text(community_report_pdf(one_member, "it"))
    assert 5 <= pages <= 8
    _totals_in(text, one_member.summary["totals"], Text("it"))
    pages, text = _text(member_sheet_pdf(one_member, "scuola-pieve", "it"))
    assert pages == 1
    # alone under its cabina, the school shares nothing with anyone
    assert "0 kWh" in text


def test_forty_member_community_with_split_and_economics(forty):
    tx = Text("it")
    pages, text = _text(community_report_pdf(forty, "it"))
    assert 6 <= pages <= 11
    _totals_in(text, forty.summary["totals"], tx)
    assert tx("community.map.none") in text  # nobody located, no area: said, not drawn
    assert tx("community.allocation.title") in text and tx("community.economics.title") in text
    assert tx.eur(48000.0) in text and tx.eur(12345.6) in text
    total = sum(m["net_eur"] for m in forty.summary["allocation"]["members"])
    assert tx.eur(total) in text


# -------------------------------------------------------------------------------------------------
# workbook and CLI
# -------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_workbook_inputs_and_per_member_sheets(demo):
    wb = openpyxl.load_workbook(io.BytesIO(results_workbook(demo.results, "it", demo.scenario)), read_only=True)
    assert wb.sheetnames[-8:] == ["Dati membri", "Dati impianti", "Membri mensile", "Impianti mensile", "Investimento",
                                  "Fonti", "Consumo orario membri", "Produzione oraria impianti"]
    s = demo.summary
    inputs_rows = list(wb["Dati membri"].iter_rows(values_only=True))
    assert inputs_rows[0][:2] == ("Id", "Nome") and len(inputs_rows) == 41
    assert [r[0] for r in inputs_rows[1:]] == [m["id"] for m in s["members"]]
    monthly = list(wb["Membri mensile"].iter_rows(values_only=True))
    assert monthly[0][2] == "Consumo (kWh)" and len(monthly) == 1 + 40 * 12
    for rec in s["members"][:5]:
        rows = [r for r in monthly[1:] if r[0] == rec["id"]]
        assert sum(r[2] for r in rows) == pytest.approx(rec["consumption_kwh"])
        assert sum(r[7] for r in rows) == pytest.approx(rec["bill_savings_eur"])
    shared = sum(r[8] for r in monthly[1:])
    assert shared == pytest.approx(s["totals"]["shared_kwh"])
    plants = list(wb["Impianti mensile"].iter_rows(values_only=True))
    assert sum(r[6] for r in plants[1:]) == pytest.approx(s["totals"]["tip_eur"])
    hourly = list(wb["Consumo orario membri"].iter_rows(values_only=True))
    assert hourly[0][1] == "depuratore (kWh)" and len(hourly) == 8784 + 1
    assert sum(r[4] for r in hourly[1:]) == pytest.approx(s["members"][3]["consumption_kwh"], rel=1e-6)
    prod = list(wb["Produzione oraria impianti"].iter_rows(values_only=True))
    assert sum(sum(r[1:]) for r in prod[1:]) == pytest.approx(s["totals"]["production_kwh"], rel=1e-6)


@pytest.mark.slow
def test_workbook_split_and_economics_sheets_when_present(forty):
    wb = openpyxl.load_workbook(io.BytesIO(results_workbook(forty.results, "en", forty.scenario)), read_only=True)
    assert "Allocation" in wb.sheetnames and "Investment" in wb.sheetnames
    rows = list(wb["Allocation"].iter_rows(values_only=True))
    net_col = rows[0].index("Total from the CER (€)")
    members = forty.summary["allocation"]["members"]
    assert [r[0] for r in rows[1:41]] == [m["id"] for m in members]
    assert sum(r[net_col] for r in rows[1:41]) == pytest.approx(sum(m["net_eur"] for m in members), abs=0.005)


def test_cli_report_writes_everything(tmp_path, one_member, capsys):
    doc = copy.deepcopy(demo_workspace().doc)
    doc["members"] = [m for m in doc["members"] if m["id"] == "scuola-pieve"]
    doc["plants"] = [p for p in doc["plants"] if p["member"] == "scuola-pieve"]
    doc["name"] = "CER di una scuola"
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["report", str(path), "--out", str(tmp_path / "out"), "--lang", "en"]) == 0
    out = capsys.readouterr().out.split()
    names = sorted(p.rsplit("/", 1)[-1] for p in out)
    assert names == ["cer_di_una_scuola_report.pdf", "cer_di_una_scuola_results.xlsx", "cer_di_una_scuola_sheets.zip",
                     "sheet_01_scuola_pieve.pdf"]
    pages, text = _text((tmp_path / "out" / "cer_di_una_scuola_report.pdf").read_bytes())
    assert Text("en")("community.checks.title") in text
    wb = openpyxl.load_workbook(tmp_path / "out" / "cer_di_una_scuola_results.xlsx", read_only=True)
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Production (kWh)"] == pytest.approx(one_member.summary["totals"]["production_kwh"])


def test_cli_report_bad_scenario_is_a_clear_message(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    assert main(["report", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "broken.json" in err and "Traceback" not in err


def test_write_reports_default_italian_names(tmp_path, one_member):
    paths = write_reports(one_member, tmp_path, "it")
    assert [p.name for p in paths] == ["cer_di_una_scuola_relazione.pdf", "cer_di_una_scuola_risultati.xlsx",
                                       "scheda_01_scuola_pieve.pdf", "cer_di_una_scuola_schede.zip"]


def test_year_mode_in_words_or_as_given(demo):
    s = demo.summary
    saved = s["rules"].get("year_mode")
    try:
        s["rules"]["year_mode"] = "typical"
        assert "Anno 2024: anno tipico" in _text(member_sheet_pdf(demo, "casa-01", "it"))[1]
        s["rules"]["year_mode"] = "rolling_2023"
        assert "Anno 2024: rolling_2023" in _text(member_sheet_pdf(demo, "casa-01", "it"))[1]
    finally:
        s["rules"].pop("year_mode")
        if saved is not None:
            s["rules"]["year_mode"] = saved


def test_font_subset_rebuilt_when_its_temporary_folder_is_gone(demo):
    import shutil

    from cer_core.export.report.pdf import font_files

    member_sheet_pdf(demo, "casa-01", "it")
    shutil.rmtree(next(iter(font_files().values())).parent)
    pages, text = _text(member_sheet_pdf(demo, "casa-01", "it"))
    assert pages == 1 and "Famiglia Brambilla" in text and all(p.is_file() for p in font_files().values())


def test_the_community_report_lists_wastewater_neutrality_as_progress_not_as_a_failed_check():
    """Issue 12: progress towards the 2045 target is not an eligibility failure, in the PDF either."""
    from cer_core.export.report import community as C

    calls = []

    class Pdf:
        def add_page(self):
            pass

        def section(self, *a, **k):
            pass

        def ln(self, *a):
            pass

        def para(self, text, **k):
            calls.append(("para", text))

        def grid_table(self, header, rows, *a, **k):
            calls.append(("rows", rows))

    from cer_core.export.report.text import Text

    checks = [{"id": "has_plants", "status": "pass", "it": "ok", "en": "ok"},
              {"id": "wastewater_neutrality", "status": "fail", "kind": "progress", "value": 0.2, "target": 1.0,
               "it": "Depuratore: 20%", "en": "WWTP: 20%"}]
    C._checks(Pdf(), Text("it"), checks)
    counts = next(t for k, t in calls if k == "para")
    rows = next(t for k, t in calls if k == "rows")
    assert counts == Text("it")("community.checks.counts", passed=1, warnings=0, failed=0)   # not 1 failed
    assert rows[-1] == ["verso l'obiettivo", "Depuratore: 20%"]
