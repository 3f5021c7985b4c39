"""The caching adapter: outcomes or problems, never exceptions; cache keyed by the workspace digest."""

import io
import json
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cer_core.io import read_hourly_csv
from studio.components import compute
from studio_helpers import empty_workspace, fixture_workspace


def test_fixture_simulates():
    state = compute.run_workspace(fixture_workspace())
    assert state.ok and not state.problems
    totals = state.summary["totals"]
    assert totals["members"] == 5 and totals["plants"] == 2 and totals["kwp"] == pytest.approx(80.0)
    assert totals["production_kwh"] == pytest.approx(92_000, rel=1e-3)
    assert 0 < totals["shared_kwh"] < totals["injected_kwh"]


def test_empty_community_simulates_to_zero():
    state = compute.run_workspace(empty_workspace())
    assert state.ok
    assert state.summary["totals"]["production_kwh"] == 0.0
    assert {c["id"] for c in state.summary["checks"] if c["status"] == "fail"} == {"has_plants", "has_members"}


def test_problems_are_returned_not_raised():
    ws = fixture_workspace()
    ws.doc["members"][0]["cabina"] = "CP-INESISTENTE"
    del ws.doc["members"][1]["load"]
    state = compute.run_workspace(ws)
    assert not state.ok and state.summary == {}
    codes = {p.code for p in state.problems}
    assert {"member.unknown_cabina", "member.no_load"} <= codes
    assert all(p.it and p.en for p in state.problems)


def test_missing_series_file_is_a_problem():
    ws = fixture_workspace()
    ws.files.pop("series/load_casa-1.csv")
    state = compute.run_workspace(ws)
    assert not state.ok
    assert any("load_casa-1.csv" in p.message("it") and p.where.startswith("members[1]") for p in state.problems)


def test_an_internal_error_becomes_one_sentence(monkeypatch):
    def boom(ws, **_):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(compute.api, "run", boom)
    state = compute.run_workspace(fixture_workspace())
    assert not state.ok and len(state.problems) == 1
    p = state.problems[0]
    assert p.code == "internal.error" and "ZeroDivisionError" in p.message("en")


def test_simulate_is_cached_by_digest(monkeypatch):
    ws = fixture_workspace()
    first = compute.simulate(ws)
    calls = []
    monkeypatch.setattr(compute, "run_workspace", lambda w: calls.append(w) or first)
    again = compute.simulate(ws.copy())          # same content, another object: a cache hit
    assert calls == [] and again.digest == first.digest
    edited = ws.copy()
    edited.doc["plants"][0]["kwp"] = 61.0
    compute.simulate(edited)                     # an edit: a new simulation
    assert len(calls) == 1


def test_member_load_alone_even_when_the_community_does_not_simulate():
    ws = fixture_workspace()
    del ws.doc["members"][0]["load"]             # the community cannot simulate any more...
    assert not compute.run_workspace(ws).ok
    preview = compute.member_load_preview(ws, "casa-2")   # ...but casa-2's load can still be previewed
    assert preview.problems == () and preview.year == 2024
    expected = read_hourly_csv(ws.read_file("series/load_casa-2.csv"), "x", 2024)
    np.testing.assert_allclose(preview.kwh, expected)
    assert preview.monthly_by_band_kwh.shape == (12, 3)
    assert preview.monthly_by_band_kwh.sum() == pytest.approx(expected.sum())
    preview = compute.member_load_preview(ws, "municipio")
    assert preview.kwh is None and preview.problems[0].code == "member.no_load"
    assert compute.member_load_preview(ws, "nobody") is None


def test_weather_summary_of_the_fixture_is_bolzanos_typical_year():
    """Offline (as in every test run) the Bolzano site gets the embedded Bolzano typical year, 1 km away."""
    summary = compute.weather_summary(fixture_workspace())
    assert summary.problems == ()
    assert summary.source["source"] == "embedded" and summary.source["distance_km"] < 5
    ghi, temp = summary.irradiation_kwh_m2, summary.temperature_c
    assert len(ghi) == 12 and len(temp) == 12
    assert sum(ghi) == pytest.approx(summary.source["annual_ghi_kwh_m2"], rel=0.01)
    assert 1200 < sum(ghi) < 1900                   # an Italian site's yearly horizontal irradiation [kWh/m²]
    assert min(ghi[5], ghi[6]) > 3 * max(ghi[0], ghi[11])   # June/July against December/January
    assert temp[6] - temp[0] > 15                   # an alpine valley: cold January, warm July [°C]


@pytest.mark.parametrize("files, code", [({}, "file.missing"),
                                         ({"meteo/tmy.csv": b"not,a,pvgis\n1,2,3\n"}, "weather.not_tmy")])
def test_weather_summary_of_a_bad_weather_file_is_a_problem(files, code):
    ws = fixture_workspace()
    ws.doc["site"]["weather"] = {"source": "file", "path": "meteo/tmy.csv"}
    ws.files.update(files)
    summary = compute.weather_summary(ws)
    assert summary.irradiation_kwh_m2 == () and [p.code for p in summary.problems] == [code]
    assert summary.problems[0].where.startswith("site.weather.path") and "tmy.csv" in summary.problems[0].message("en")


@pytest.mark.slow
def test_downloads_through_the_adapter_hold_the_results():
    state = compute.simulate(fixture_workspace())
    with zipfile.ZipFile(io.BytesIO(compute.results_zip(state))) as zf:
        assert {"summary.json", "hourly_members.csv", "hourly_cabine.csv", "hourly_plants.csv"} <= set(zf.namelist())
        summary = json.loads(zf.read("summary.json"))
        hourly = pd.read_csv(io.BytesIO(zf.read("hourly_members.csv")))
    assert summary["schema"] == "cer-studio/results@1"
    assert summary["totals"]["shared_kwh"] == pytest.approx(state.summary["totals"]["shared_kwh"], abs=1e-6)
    assert len(hourly) == 5 * 8784                    # five members, every hour of 2024
    # the summary's totals come back from the hourly file (energies written with 4 decimals)
    assert hourly["self_consumed_kwh"].sum() == pytest.approx(summary["totals"]["self_consumed_kwh"], abs=0.5)
    assert hourly["load_kwh"].sum() == pytest.approx(summary["totals"]["consumption_kwh"], abs=0.5)
    workbook = openpyxl.load_workbook(io.BytesIO(compute.results_xlsx(state, "en")), read_only=True)
    assert {"Summary", "Monthly", "Members", "Plants", "Checks"} <= set(workbook.sheetnames), workbook.sheetnames


def test_a_rule_change_re_splits_without_re_simulating():
    ws = fixture_workspace()
    first = compute.simulate(ws)
    edited = ws.copy()
    edited.doc["regolamento"] = {"consumers_key": "equal"}
    second = compute.simulate(edited)
    assert second.ok and second.digest == edited.digest() != first.digest
    # the same simulated arrays (no new simulation), a new split
    assert second.outcome.results.members is first.outcome.results.members
    assert second.summary["allocation"]["rules"]["consumers_key"] == "equal"
    assert first.summary["allocation"]["rules"]["consumers_key"] == "contribution"
    assert second.summary["totals"] == first.summary["totals"]
    bad = ws.copy()
    bad.doc["regolamento"] = {"shares_pct": {"producers": 90}}
    state = compute.simulate(bad)
    assert not state.ok and any(p.where == "regolamento.shares_pct" for p in state.problems)


@pytest.mark.parametrize("large, kept", [(False, compute.SIMULATIONS_KEPT), (True, compute.LARGE_SIMULATIONS_KEPT)])
def test_cache_keeps_fewer_large_simulations(monkeypatch, large, kept):
    """Large communities keep only the last LARGE_SIMULATIONS_KEPT simulations (bounded server memory)."""
    monkeypatch.setattr(compute, "LARGE_RESULTS_BYTES", 0 if large else 10**15)
    calls = []
    monkeypatch.setattr(compute, "run_workspace", lambda ws: calls.append(ws.digest()) or compute.RunState(ws.digest()))
    compute._simulate_cached.clear()
    compute._simulate_cached_large.clear()
    base = fixture_workspace()
    variants = []
    for i in range(kept + 1):
        ws = base.copy()
        ws.doc["name"] = f"variante {i}"
        variants.append(ws)
        compute.simulate(ws)
    compute.simulate(variants[-1])  # the last one: a hit
    assert len(calls) == kept + 1
    compute.simulate(variants[0])  # the oldest was dropped: simulated again
    assert len(calls) == kept + 2
    compute._simulate_cached.clear()
    compute._simulate_cached_large.clear()


def test_the_lean_results_zip_leaves_out_the_hourly_series():
    import io
    import json
    import zipfile

    state = compute.simulate(fixture_workspace())
    lean = compute.results_zip(state, hourly=False)
    with zipfile.ZipFile(io.BytesIO(lean)) as zf:
        names = zf.namelist()
        summary = json.loads(zf.read("summary.json"))
    assert "summary.json" in names and not [n for n in names if n.startswith("hourly_")]
    assert summary["totals"]["production_kwh"] == state.summary["totals"]["production_kwh"]
    full = compute.results_zip(state)
    with zipfile.ZipFile(io.BytesIO(full)) as zf:
        assert {"hourly_members.csv", "hourly_cabine.csv", "hourly_plants.csv"} <= set(zf.namelist())
    assert len(lean) * 5 < len(full)
