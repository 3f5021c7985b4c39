"""The results workbook and the results zip."""

import io
import json
import zipfile

import openpyxl
import pytest

from cer_core.api import run
from cer_core.export.files import summary_document
from cer_core.export.xlsx import header, results_workbook, results_zip
from cer_core.timeaxis import n_hours
from cer_core.vocabulary import MEMBER_KINDS
from studio_helpers import fixture_workspace


@pytest.fixture(scope="module")
def outcome():
    return run(fixture_workspace())


@pytest.mark.slow
def test_workbook_sheets_and_totals(outcome):
    wb = openpyxl.load_workbook(io.BytesIO(results_workbook(outcome.results, "it")))
    assert wb.sheetnames == ["Sintesi", "Mensile", "Membri", "Impianti", "Cabine", "Verifiche", "Regola 55-45",
                             "Parametri", "Ripartizione", "Orario comunità", "Membri mensile", "Impianti mensile",
                             "Investimento", "Fonti", "Consumo orario membri", "Produzione oraria impianti"]
    summary = {row[0]: row[1] for row in wb["Sintesi"].iter_rows(min_row=2, values_only=True)}
    totals = outcome.summary["totals"]
    assert summary["Comunità"] == "Piccola CER di prova"
    assert summary[header("shared_kwh", "it")] == pytest.approx(totals["shared_kwh"])
    assert summary[header("net_benefit_eur", "it")] == pytest.approx(totals["net_benefit_eur"])
    monthly = list(wb["Mensile"].iter_rows(values_only=True))
    assert monthly[0][0] == "Mese" and len(monthly) == 13
    assert sum(r[1] for r in monthly[1:]) == pytest.approx(totals["production_kwh"])
    members = list(wb["Membri"].iter_rows(values_only=True))
    assert len(members) == 6 and members[1][0] == "municipio"
    hourly = list(wb["Orario comunità"].iter_rows(values_only=True))
    assert len(hourly) == n_hours(2024) + 1
    assert hourly[1][0] == "2024-01-01T00:00:00+01:00"
    assert sum(r[6] for r in hourly[1:]) == pytest.approx(totals["shared_kwh"], rel=1e-6)


@pytest.mark.slow
def test_workbook_in_english_with_number_formats(outcome):
    wb = openpyxl.load_workbook(io.BytesIO(results_workbook(outcome.results, "en")))
    assert wb.sheetnames[0] == "Summary" and wb.sheetnames[8] == "Allocation" and wb.sheetnames[9] == "Community hourly"
    ws = wb["Plants"]
    head = [c.value for c in ws[1]]
    assert head[:3] == ["Id", "Name", "Member"]
    assert ws.cell(row=2, column=head.index("Power (kWp)") + 1).number_format == "#,##0.0"
    checks = list(wb["Checks"].iter_rows(min_row=2, values_only=True))
    assert checks and all(r[0] in ("passed", "warning", "failed") for r in checks)


def test_results_zip_holds_the_simulate_files(outcome):
    with zipfile.ZipFile(io.BytesIO(results_zip(outcome.results))) as zf:
        assert sorted(zf.namelist()) == ["allocation_members.csv", "allocation_monthly.csv", "hourly_cabine.csv",
                                         "hourly_members.csv", "hourly_plants.csv", "summary.json"]
        summary = json.loads(zf.read("summary.json"))
        members_csv = zf.read("hourly_members.csv").decode().splitlines()
    assert summary == json.loads(json.dumps(summary_document(outcome.results)))
    assert len(members_csv) == 1 + n_hours(2024) * 5


@pytest.mark.slow
def test_workbook_reads_as_words_not_codes(outcome):
    """A workbook put in front of a mayor: roles, categories, data sources and months in words, and
    the parameters as labelled values with units (no Python lists or dicts)."""
    wb = openpyxl.load_workbook(io.BytesIO(results_workbook(outcome.results, "it")))
    members = list(wb["Membri"].iter_rows(values_only=True))
    head = members[0]
    kinds = {r[head.index("Ruolo")] for r in members[1:]}
    categories = {r[head.index("Categoria")] for r in members[1:]}
    sources = {r[head.index("Dati di consumo")] for r in members[1:]}
    assert kinds <= {"consumatore", "prosumer", "produttore"} and "consumer" not in kinds
    assert categories <= {"famiglia", "PMI", "ente pubblico", "ente del terzo settore", "altro", "grande impresa"}
    assert sources <= {"curva oraria", "bollette", "profilo standard", "nessuno"}
    months = [r[0] for r in wb["Mensile"].iter_rows(min_row=2, values_only=True)]
    assert months[0] == "gennaio" and months[-1] == "dicembre"
    params = list(wb["Parametri"].iter_rows(min_row=2, values_only=True))
    text = " | ".join(f"{p} = {v}" for p, v, *_ in params)
    assert "{" not in text and "[" not in text and "max_kw" not in text and "attribution =" not in text
    assert any(p.startswith("Tariffa premio, impianti fino a 200 kW") for p, *_ in params)
    assert any(p.startswith("Valorizzazione ARERA") and v == pytest.approx(10.57) for p, v, *_ in params)
    en = openpyxl.load_workbook(io.BytesIO(results_workbook(outcome.results, "en")))
    assert [r[0] for r in en["Monthly"].iter_rows(min_row=2, values_only=True)][0] == "January"
    en_kinds = {r[2] for r in en["Members"].iter_rows(min_row=2, values_only=True)}
    assert en_kinds <= set(MEMBER_KINDS)
