"""Sizing sweeps: the fast path reproduces full engine runs, physical sense, knee and NPV-best."""

from __future__ import annotations

import numpy as np
import pytest

from cer_core.engine import simulate
from cer_core.investment import cer_money_eur, investment_economics
from cer_core.sizing import (inputs_from_results, knee_index, reduce, resized, simulate_sizes, size_point,
                             sweep)
from tests.engine_helpers import daylight_pv, inputs, member, plant, scenario

H = 8760


def _consumers_only(kwp: float = 20.0):
    """A producer without load and three consumers (office hours, evenings, flat) in one cabina."""
    hour = np.arange(H) % 24
    office = np.where((hour >= 8) & (hour < 18), 4.0, 0.5)
    evening = np.where((hour >= 18) | (hour < 7), 2.0, 0.3)
    flat = np.full(H, 1.0)
    sc = scenario([member("prod", kind="producer", load=None), member("ufficio", category="sme"),
                   member("casa"), member("negozio", category="sme")], [plant("fv", "prod", kwp)])
    load = np.column_stack([np.zeros(H), office, evening, flat])
    return inputs(sc, load=load, prod=daylight_pv(2025, kwp)[:, None])


def _two_cabine_with_prosumer():
    sc = scenario([member("p1", kind="prosumer", cabina="A"), member("c1", cabina="A"),
                   member("p2", kind="prosumer", cabina="B", category="sme"), member("c2", cabina="B")],
                  [plant("fv1", "p1", 6.0), plant("fv2", "p2", 60.0, grant_pct=20.0)])
    hour = np.arange(H) % 24
    load = np.column_stack([np.full(H, 0.4), np.where(hour >= 18, 1.5, 0.3), np.where((hour > 7) & (hour < 19), 8, 1),
                            np.full(H, 2.0)])
    prod = np.column_stack([daylight_pv(2025, 6.0), daylight_pv(2025, 60.0)])
    return inputs(sc, load=load, prod=prod)


@pytest.mark.parametrize("kwp_by_plant", [{"fv1": 12.0}, {"fv2": 15.0}, {"fv1": 3.0, "fv2": 200.0}, {}])
def test_fast_path_reproduces_the_full_engine(kwp_by_plant):
    base = _two_cabine_with_prosumer()
    point = size_point(reduce(base), kwp_by_plant)
    full = simulate_sizes(base, kwp_by_plant)
    t = full.summary["totals"]
    econ = investment_economics(full.summary, resized(base.scenario, kwp_by_plant))
    assert point["shared_kwh"] == pytest.approx(t["shared_kwh"], rel=1e-12, abs=1e-9)
    assert point["tip_eur"] == pytest.approx(t["tip_eur"], rel=1e-12, abs=1e-9)
    assert point["cer_money_eur"] == pytest.approx(cer_money_eur(t), rel=1e-12, abs=1e-9)
    assert point["self_sufficiency_ratio"] == pytest.approx(t["self_sufficiency_ratio"], rel=1e-12)
    assert point["npv_eur"] == pytest.approx(econ["npv_eur"], rel=1e-9, abs=1e-6)


def test_resized_simulation_equals_a_scenario_built_at_that_size():
    base = _consumers_only(20.0)
    again = simulate_sizes(base, {"fv": 35.0})
    direct = simulate(inputs(resized(base.scenario, {"fv": 35.0}), load=base.load_kwh,
                             prod=daylight_pv(2025, 35.0)[:, None]))
    assert again.summary["totals"]["shared_kwh"] == pytest.approx(direct.summary["totals"]["shared_kwh"], rel=1e-12)
    assert again.summary["totals"]["tip_eur"] == pytest.approx(direct.summary["totals"]["tip_eur"], rel=1e-12)


def test_shared_energy_never_decreases_when_pv_grows_with_loads_fixed():
    # consumers-only community (the producer has no load): shared = min(injection, withdrawal) per hour,
    # injection grows with kWp and withdrawal is fixed, so shared cannot fall
    base = _consumers_only()
    result = sweep(base, "fv", sizes_kwp=np.linspace(1, 200, 25))
    shared = [p["shared_kwh"] for p in result["points"]]
    assert all(b >= a - 1e-9 for a, b in zip(shared, shared[1:]))
    assert shared[-1] > shared[0]
    money = [p["cer_money_eur"] for p in result["points"]]
    assert money[-1] > money[0]


def test_scale_all_keeps_ratios_between_plants():
    base = _two_cabine_with_prosumer()
    result = sweep(base, factors=[0.5, 1.0, 2.0])
    assert [p["kwp"] for p in result["points"]] == pytest.approx([33.0, 66.0, 132.0])
    assert result["points"][1]["shared_kwh"] == pytest.approx(simulate(base).summary["totals"]["shared_kwh"])


def test_knee_by_hand():
    # extra injection shared: 100 %, 80 %, 30 % (below 50 %) → the knee is the second size
    pts = [{"injected_kwh": i, "shared_kwh": s} for i, s in ((0, 0), (10, 10), (20, 18), (30, 21), (40, 22))]
    assert knee_index(pts) == 2
    assert knee_index(pts, threshold=0.9) == 1
    assert knee_index(pts[:3]) == 2  # never falls below: the largest size


def test_sweep_marks_knee_and_npv_best():
    result = sweep(_consumers_only(), "fv", sizes_kwp=np.linspace(2, 400, 20))
    npv = [p["npv_eur"] for p in result["points"]]
    assert result["npv_best"] == int(np.argmax(npv))
    k = result["knee"]
    assert 0 <= k < len(result["points"]) - 1  # 400 kWp for ~9 kW of load: the knee comes before the end
    assert all("plant_npv_eur" in p and "plant_kwp" in p for p in result["points"])


def test_inputs_from_results_round_trip():
    base = _two_cabine_with_prosumer()
    res = simulate(base)
    again = simulate(inputs_from_results(base.scenario, res))
    assert again.summary["totals"] == pytest.approx(res.summary["totals"])
