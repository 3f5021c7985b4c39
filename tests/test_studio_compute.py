"""The caching adapter: outcomes or problems, never exceptions; cache keyed by the workspace digest."""

import numpy as np
import pytest

from cer_core.io import read_hourly_csv
from studio import compute
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
    kwh, problems = compute.member_load(ws, "casa-2")   # ...but casa-2's load can still be previewed
    assert problems == ()
    expected = read_hourly_csv(ws.read_file("series/load_casa-2.csv"), "x", 2024)
    np.testing.assert_allclose(kwh, expected)
    kwh, problems = compute.member_load(ws, "municipio")
    assert kwh is None and problems[0].code == "member.no_load"
    assert compute.member_load(ws, "nobody") == (None, ())


def test_weather_summary_never_raises():
    summary = compute.weather_summary(fixture_workspace())
    assert isinstance(summary, compute.WeatherSummary)
    assert summary.problems or (len(summary.irradiation_kwh_m2) == 12 and len(summary.temperature_c) == 12)


def test_downloads_through_the_adapter():
    state = compute.simulate(fixture_workspace())
    assert compute.results_zip(state)[:2] == b"PK"
    assert compute.results_xlsx(state, "en")[:2] == b"PK"


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
