"""Optimal sizes (LP, HiGHS): ≥ every sweep point, the engine reproduces its figures, bounds and economic sense."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from cer_core import api
from cer_core.optimal import objective_at, optimal_sizes, roof_limits_kwp
from cer_core.sizing import simulate_sizes, sweep
from tests.engine_helpers import daylight_pv, inputs, member, plant, scenario

H = 8760
HOUR = np.arange(H) % 24


def _producers_and_consumers():
    """Two producers without load (same class, no grant) and three consumers in one cabina."""
    sc = scenario([member("p1", kind="producer", load=None), member("p2", kind="producer", load=None),
                   member("ufficio", category="sme"), member("casa"), member("bar", category="sme")],
                  [plant("fv1", "p1", 20.0), plant("fv2", "p2", 10.0)])
    load = np.column_stack([np.zeros(H), np.zeros(H), np.where((HOUR >= 8) & (HOUR < 18), 12.0, 1.0),
                            np.where(HOUR >= 18, 2.0, 0.4), np.full(H, 3.0)])
    prod = np.column_stack([daylight_pv(2025, 20.0), daylight_pv(2025, 10.0) * 0.9])
    return inputs(sc, load=load, prod=prod)


def _with_prosumer():
    sc = scenario([member("casa", kind="prosumer"), member("scuola", category="public_body"),
                   member("p2", kind="producer", load=None, cabina="CP2"), member("negozio", cabina="CP2",
                                                                                    category="sme")],
                  [plant("fv1", "casa", 6.0), plant("fv2", "p2", 30.0)])
    load = np.column_stack([np.where(HOUR >= 17, 1.2, 0.3), np.where((HOUR >= 8) & (HOUR < 15), 9.0, 0.5),
                            np.zeros(H), np.full(H, 2.0)])
    prod = np.column_stack([daylight_pv(2025, 6.0), daylight_pv(2025, 30.0)])
    return inputs(sc, load=load, prod=prod)


BOUNDS = {"fv1": 60.0, "fv2": 40.0}


def test_cer_money_optimum_is_at_least_every_sweep_point_and_the_engine_reproduces_it():
    base = _producers_and_consumers()
    lp = optimal_sizes(base, "cer_money", max_kwp=BOUNDS)
    assert lp["status"] == "optimal"
    assert all(0 <= lp["kwp"][k] <= BOUNDS[k] + 1e-9 for k in BOUNDS)
    points = sweep(base, "fv1", sizes_kwp=np.linspace(1, 60, 8))["points"]
    points += sweep(base, factors=[0.5, 1.0, 1.5, 2.0])["points"]
    for p in points:  # the LP counts TIP + valorisation (fees do not depend on the hours)
        assert lp["objective_eur"] >= p["tip_eur"] + p["valorisation_eur"] - 1e-6
        assert lp["objective_eur"] >= p["cer_money_eur"]
    res = simulate_sizes(base, lp["kwp"])
    t = res.summary["totals"]
    assert t["shared_kwh"] == pytest.approx(lp["shared_kwh"], rel=1e-6)
    assert t["tip_eur"] + t["valorisation_eur"] == pytest.approx(lp["objective_eur"], rel=1e-6)
    assert lp["engine"]["shared_kwh"] == pytest.approx(t["shared_kwh"], rel=1e-9)


def test_npv_optimum_is_at_least_its_objective_at_every_sweep_size_and_self_consumption_is_physical():
    base = _with_prosumer()
    lp = optimal_sizes(base, "npv", max_kwp=BOUNDS)
    assert lp["status"] == "optimal" and lp["prosumers"]
    for kw1 in (1.0, 6.0, 20.0, 60.0):
        for kw2 in (5.0, 30.0):
            assert lp["objective_eur"] >= objective_at(base, {"fv1": kw1, "fv2": kw2}, "npv") - 1e-6
    res = simulate_sizes(base, lp["kwp"])
    t = res.summary["totals"]
    assert t["self_consumed_kwh"] == pytest.approx(lp["self_consumed_kwh"], rel=1e-6)
    assert t["shared_kwh"] == pytest.approx(lp["shared_kwh"], rel=1e-6)


def test_expensive_pv_is_not_built_and_cheap_pv_fills_the_roof():
    base = _producers_and_consumers()
    def priced(eur_kwp):
        return replace(base, scenario=replace(base.scenario, economics={"investment": {"capex_eur_kwp": eur_kwp}}))

    lp = optimal_sizes(priced(20000), "npv", max_kwp=BOUNDS)
    assert lp["kwp"] == {"fv1": 0.0, "fv2": 0.0}
    lp = optimal_sizes(priced(100), "npv", max_kwp=BOUNDS)
    assert lp["kwp"] == pytest.approx(BOUNDS)


def test_one_megawatt_limit_tariff_class_and_bad_objective():
    base = _producers_and_consumers()
    lp = optimal_sizes(base, "cer_money", max_kwp={"fv1": 5000.0}, check=False, keep_tip_class=False)
    assert lp["bounds_kwp"]["fv1"] == 1000.0 and lp["kwp"]["fv1"] <= 1000.0
    # by default a 20 kW plant stays in the ≤ 200 kW class whose rate the LP uses
    lp = optimal_sizes(base, "cer_money", max_kwp={"fv1": 5000.0}, check=False)
    assert lp["bounds_kwp"]["fv1"] == 200.0
    with pytest.raises(ValueError):
        optimal_sizes(base, "profit")


def test_roof_limits_of_the_demo():
    limits = roof_limits_kwp(api.demo_workspace().doc)
    assert limits and all(v > 0 for v in limits.values())
    assert roof_limits_kwp({"plants": [{"id": "x", "roof": {"type": "Point"}}]}) == {}
