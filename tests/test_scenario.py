"""Scenario files: valid ones simulate; each bad case gets one clear line (JSON path, what, expected)."""

import copy
import subprocess
import sys

import numpy as np
import pytest

from cer_core.api import run, validate
from cer_core.errors import CerInputError
from cer_core.io import write_hourly_csv
from cer_core.scenario import json_path, parse_scenario
from cer_core.timeaxis import hours_local, n_hours
from cer_core.workspace import Workspace, open_workspace, workspace_from_bytes

from conftest import ROOT

YEAR = 2025


def base_files(year: int = YEAR) -> dict[str, bytes]:
    hour = hours_local(year).hour.to_numpy()
    pv = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None) * 30.0
    return {"series/pv.csv": write_hourly_csv(pv, year), "series/a.csv": write_hourly_csv(np.full(len(hour), 8.0), year),
            "series/b.csv": write_hourly_csv(np.full(len(hour), 4.0), year)}


def base_doc(year: int = YEAR) -> dict:
    return {
        "schema": "cer-studio/scenario@1", "name": "Piccola CER", "year": year,
        "site": {"comune": "Rozzano"},
        "members": [
            {"id": "a", "name": "Officina", "kind": "prosumer", "category": "sme", "cabina": "CP1",
             "load": {"source": "file", "path": "series/a.csv"}},
            {"id": "b", "name": "Famiglia", "kind": "consumer", "category": "household", "cabina": "CP1",
             "load": {"source": "file", "path": "series/b.csv"}},
        ],
        "plants": [{"id": "p1", "member": "a", "kwp": 50, "commissioning": "2023-05-01",
                    "production": {"source": "file", "path": "series/pv.csv"}}],
        "prices": {"source": "flat", "eur_mwh": 100},
    }


def mem_ws(doc=None, files=None) -> Workspace:
    return Workspace(doc=doc or base_doc(), files=base_files() if files is None else files, origin="test")


def problems_of(doc=None, files=None):
    with pytest.raises(CerInputError) as exc:
        run(mem_ws(doc, files))
    return exc.value.problems


def test_valid_scenario_runs_and_derives_site():
    outcome = run(mem_ws())
    site = outcome.summary["scenario"]["site"]
    assert (site["region"], site["market_zone"], site["macro_area"]) == ("Lombardia", "NORD", "Nord")
    assert outcome.summary["totals"]["production_kwh"] > 0
    assert outcome.warnings == []


def test_site_overrides_and_istat_code():
    doc = base_doc()
    doc["site"] = {"comune": "015189", "market_zone": "CNOR", "region": "Lazio"}
    sc, problems = parse_scenario(doc)
    assert problems == [] and sc.site.comune == "Rozzano"
    assert (sc.site.market_zone, sc.site.macro_area) == ("CNOR", "Centro")


def test_missing_file():
    doc = base_doc()
    doc["members"][1]["load"]["path"] = "series/nope.csv"
    (p,) = problems_of(doc)
    assert p.where == "members[1].load.path" and "series/nope.csv" in p.it and "not found" in p.en


def test_unknown_member_in_plant():
    doc = base_doc()
    doc["plants"][0]["member"] = "zzz"
    (p,) = problems_of(doc)
    assert p.where == "plants[0].member" and "zzz" in p.en and "a, b" in p.en


def test_plant_over_1mw_is_allowed_but_flagged():
    doc = base_doc()
    doc["plants"][0]["kwp"] = 1200
    files = base_files()
    outcome = run(mem_ws(doc, files))
    (w,) = outcome.warnings
    assert w.where == "plants[0].kwp" and w.severity == "warning" and "1 MW" in w.it
    assert outcome.summary["totals"]["tip_eur"] == 0.0


def test_duplicate_ids():
    doc = base_doc()
    doc["members"][1]["id"] = "a"
    doc["plants"].append(copy.deepcopy(doc["plants"][0]))
    problems = problems_of(doc)
    wheres = {p.where for p in problems}
    assert {"members[1].id", "plants[1].id"} <= wheres
    assert all("duplicate" in p.en for p in problems if p.where.endswith(".id"))


def test_series_of_wrong_length():
    files = base_files()
    lines = files["series/b.csv"].decode().splitlines()
    files["series/b.csv"] = ("\n".join(lines[:-24]) + "\n").encode()  # drop the last day
    (p,) = problems_of(files=files)
    assert p.where.startswith("members[1].load.path") and "8736" in p.en and "8760" in p.en
    assert "2025-12-31T00:00:00+01:00" in p.en


def test_negative_kwh_names_the_line():
    files = base_files()
    lines = files["series/a.csv"].decode().splitlines()
    lines[101] = lines[101].split(",")[0] + ",-3.5"
    files["series/a.csv"] = ("\n".join(lines) + "\n").encode()
    (p,) = problems_of(files=files)
    assert p.where == "members[0].load.path → series/a.csv:102" and "-3.5" in p.en


def test_unknown_comune_with_suggestion():
    doc = base_doc()
    doc["site"]["comune"] = "Rozano"
    (p,) = problems_of(doc)
    assert p.where == "site.comune" and "Rozzano (MI)" in p.it


def test_schema_errors_have_paths_and_both_languages():
    doc = base_doc()
    doc["members"][0]["kind"] = "seller"
    doc["plants"][0]["grant_pct"] = 140
    doc["plants"][0]["commissioning"] = "01/05/2023"
    del doc["members"][1]["cabina"]
    problems = problems_of(doc)
    by_where = {p.where: p for p in problems}
    assert "consumer, producer, prosumer" in by_where["members[0].kind"].en
    assert "≤ 100" in by_where["plants[0].grant_pct"].it
    assert "AAAA-MM-GG" in by_where["plants[0].commissioning"].it
    assert "cabina" in by_where["members[1]"].en


@pytest.mark.parametrize("field, value, code", [("tilt_deg", float("nan"), "schema.non_finite"),
                                                ("losses_pct", float("nan"), "schema.non_finite"),
                                                ("azimuth_deg", float("inf"), "schema.range")])
def test_nan_and_infinity_are_refused_with_their_path(field, value, code):
    """Python's json reads NaN and Infinity, and JSON Schema's range checks let NaN through: a plant's NaN tilt
    reached pvlib and the user saw ``ValueError: cannot convert float NaN to integer``."""
    doc = base_doc()
    doc["plants"][0][field] = value
    (p,) = problems_of(doc)
    assert p.where == f"plants[0].{field}" and p.code == code
    assert code != "schema.non_finite" or "NaN" in p.en


def test_absurd_sizes_are_refused():
    doc = base_doc()
    doc["plants"][0]["kwp"] = 1e300
    (p,) = problems_of(doc)
    assert p.where == "plants[0].kwp" and "≤ 100000" in p.it


def test_non_producer_without_load_and_bad_version():
    doc = base_doc()
    del doc["members"][1]["load"]
    (p,) = problems_of(doc)
    assert p.where == "members[1].load"
    doc = base_doc()
    doc["schema"] = "cer-studio/scenario@9"
    (p,) = problems_of(doc)
    assert p.where == "schema"


def test_every_problem_reported_at_once():
    doc = base_doc()
    doc["members"][0]["load"]["path"] = "x.csv"
    doc["members"][1]["load"]["path"] = "y.csv"
    assert len(problems_of(doc)) == 2


def test_json_path():
    assert json_path(["members", 3, "load", "path"]) == "members[3].load.path"
    assert json_path([]) == "(scenario)"


def test_bundle_round_trip_reopens_identical_results():
    ws = mem_ws()
    again = workspace_from_bytes(ws.to_bundle(), "saved.zip")
    assert again.doc == ws.doc and again.digest() == ws.digest()
    a, b = run(ws).summary["totals"], run(again).summary["totals"]
    assert a == b


def test_bad_json_file_has_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"schema": "cer-studio/scenario@1",\n "name": }')
    with pytest.raises(CerInputError) as exc:
        open_workspace(path)
    assert exc.value.problems[0].where.endswith("bad.json:2")


def test_demo_document_is_valid():
    sc, problems = validate(open_workspace(ROOT / "assets" / "demo" / "scenario.json"))
    assert sc is not None, [p.message("en") for p in problems]
    assert [p for p in problems if p.severity == "error"] == []
    assert 20 <= sum(m.category == "household" for m in sc.members) <= 40
    assert len(sc.cabina_ids) == 2 and max(p.kwp for p in sc.plants) <= 1000
    assert 900 <= sum(p.kwp for p in sc.plants) <= 1100


@pytest.mark.parametrize("mutate, code", [
    (lambda d: d["plants"][0].update(member="ghost"), "plants[0].member"),
    (lambda d: d["site"].update(comune="Atlantide"), "site.comune"),
])
def test_cli_exit_2_with_message_and_no_traceback(write_scenario, mutate, code):
    doc = base_doc()
    mutate(doc)
    path = write_scenario(doc, base_files())
    proc = subprocess.run([sys.executable, "-m", "cer_core", "simulate", str(path), "--out", str(path.parent / "o")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert code in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_cli_validate_ok_and_missing_scenario(write_scenario, tmp_path):
    path = write_scenario(base_doc(), base_files())
    ok = subprocess.run([sys.executable, "-m", "cer_core", "validate", str(path)], capture_output=True, text=True,
                        cwd=ROOT)
    assert ok.returncode == 0
    missing = subprocess.run([sys.executable, "-m", "cer_core", "--lang", "en", "simulate", str(tmp_path / "no.json"),
                              "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and "scenario file not found" in missing.stderr


def test_paths_relative_to_scenario_file(write_scenario):
    # the scenario in a sub-folder, its series next to it
    files = {f"cer/{k}": v for k, v in base_files().items()}
    scen = write_scenario(base_doc(), files, name="cer/scenario.json")
    assert run(open_workspace(scen)).summary["totals"]["consumption_kwh"] == pytest.approx(12.0 * n_hours(YEAR))


def test_digest_follows_file_contents_across_copies():
    ws = mem_ws()
    first = ws.digest()
    assert ws.digest() == first and ws.copy().digest() == first
    edited = ws.copy()
    edited.add_file("series/b.csv", base_files()["series/b.csv"].replace(b",4.0000", b",5.0000"))
    assert edited.digest() != first and ws.digest() == first    # the original keeps its own contents


@pytest.mark.parametrize("typed, expected, area", [("lombardia", "Lombardia", "Nord"),
                                                   ("EMILIA ROMAGNA", "Emilia-Romagna", "Nord"),
                                                   ("Valle d’Aosta", "Valle d'Aosta/Vallée d'Aoste", "Nord"),
                                                   ("friuli venezia-giulia", "Friuli-Venezia Giulia", "Nord"),
                                                   ("lazio", "Lazio", "Centro")])
def test_region_names_matched_ignoring_case_hyphens_and_apostrophes(typed, expected, area):
    doc = base_doc()
    doc["site"] = {"comune": "Rozzano", "region": typed}
    sc, problems = parse_scenario(doc)
    assert problems == [] and (sc.site.region, sc.site.macro_area) == (expected, area)


def test_unknown_region_refused_with_suggestions():
    doc = base_doc()
    doc["site"] = {"comune": "Rozzano", "region": "Lombardya"}
    sc, problems = parse_scenario(doc)
    assert sc is None and len(problems) == 1
    p = problems[0]
    assert p.where == "site.region" and "Lombardya" in p.en and "did you mean: Lombardia" in p.en


def test_2025_categories_and_older_spellings():
    doc = base_doc()
    doc["members"][1]["category"] = "religious_body"
    doc["members"].append({"id": "c", "kind": "consumer", "category": "nonprofit", "cabina": "CP1",
                           "load": {"source": "file", "path": "series/b.csv"}})
    sc, problems = parse_scenario(doc)
    assert problems == []
    assert [m.category for m in sc.members] == ["sme", "religious_body", "third_sector"]


def test_tariff_excluded_kw_is_read_and_defaults_to_zero():
    doc = base_doc()
    sc, _ = parse_scenario(doc)
    assert sc.plants[0].tariff_excluded_kw == 0.0
    doc["plants"][0]["tariff_excluded_kw"] = 20
    sc, problems = parse_scenario(doc)
    assert problems == [] and sc.plants[0].tariff_excluded_kw == 20.0
    out = run(mem_ws(doc))
    assert out.summary["plants"][0]["tariff_fraction"] == pytest.approx(1 - 20 / 50)


def test_year_mode_and_fee_scheme_in_the_schema():
    doc = base_doc()
    doc["rules"] = {"year_mode": "calendar"}
    doc["economics"] = {"gse_fee_scheme": "rse", "gse_fee_plant_eur": None}
    assert parse_scenario(doc)[1] == []
    doc["rules"] = {"year_mode": "solar"}
    sc, problems = parse_scenario(doc)
    assert sc is None and problems[0].where == "rules.year_mode"
