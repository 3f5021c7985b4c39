"""Investment economics: metrics against hand-computed cash flows, cost lines, the projection, the api."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cer_core import constants as C
from cer_core.engine import simulate
from cer_core.investment import (Financing, InvestmentParams, annuity_eur, cer_money_eur, grant_eur,
                                 investment_economics, irr, npv_eur, payback_years, plant_costs)
from tests.engine_helpers import daylight_pv, inputs, member, plant, scenario

ACTOR_KEYS = {"npv_eur", "irr", "payback_years", "discounted_payback_years"}


def test_npv_irr_payback_of_a_hand_computed_cash_flow():
    cash = [-100.0, 60.0, 60.0]
    # NPV at 10 %: −100 + 60/1.1 + 60/1.21 = 4.1322...
    assert npv_eur(0.10, cash) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21, abs=1e-9)
    # IRR: 60x + 60x² = 100 with x = 1/(1+r) → x = (−3 + √69)/6 → r = 13.066 %
    x = (-3 + math.sqrt(69)) / 6
    assert irr(cash) == pytest.approx(1 / x - 1, abs=1e-8)
    assert npv_eur(irr(cash), cash) == pytest.approx(0.0, abs=1e-6)
    # payback: −40 after year 1, +20 after year 2 → 1 + 40/60 years
    assert payback_years(cash) == pytest.approx(1 + 40 / 60)
    # discounted at 10 %: 54.545 and 49.587 → 1 + 45.455/49.587
    assert payback_years(cash, 0.10) == pytest.approx(1 + (100 - 60 / 1.1) / (60 / 1.21))


def test_irr_of_one_period_and_no_investment():
    assert irr([-100.0, 110.0]) == pytest.approx(0.10, abs=1e-9)
    assert irr([0.0, 10.0, 10.0]) is None  # nothing invested
    assert irr([-10.0, -10.0]) is None  # never paid back
    assert payback_years([0.0, 5.0]) == 0.0
    assert payback_years([-100.0, 10.0, 10.0]) is None


def test_annuity_known_answer():
    # 10,000 € at 5 % over 2 years: 10,000 × 0.05 / (1 − 1.05⁻²) = 5,378.05 €
    assert annuity_eur(10_000.0, 5.0, 2) == pytest.approx(5378.0488, abs=1e-3)
    assert annuity_eur(1200.0, 0.0, 12) == pytest.approx(100.0)


def test_grant_capped_by_the_pnrr_eligible_cost():
    p = InvestmentParams()
    assert grant_eur(100.0, 100 * 1150.0, 40.0, p) == pytest.approx(0.40 * 115_000)  # capex under the 1,200 cap
    assert grant_eur(100.0, 100 * 1300.0, 40.0, p) == pytest.approx(0.40 * 120_000)  # capped at 1,200 €/kW
    assert grant_eur(100.0, 100 * 1300.0, 60.0, p) == pytest.approx(0.40 * 120_000)  # at most 40 %
    assert grant_eur(100.0, 100 * 1300.0, 0.0, p) == 0.0


def test_plant_cost_lines_by_hand():
    p = InvestmentParams()
    lines = plant_costs(10.0, 1500.0, 0.0, Financing(), p)
    assert lines["capex_eur"][0] == -15_000.0
    assert lines["om_eur"][1] == pytest.approx(-C.OM_EUR_KWP_YEAR * 10)
    assert lines["om_eur"][3] == pytest.approx(-C.OM_EUR_KWP_YEAR * 10 * 1.02 ** 2)
    assert lines["insurance_eur"][1] == pytest.approx(-15_000 * C.INSURANCE_PCT_CAPEX_YEAR / 100)
    y = C.INVERTER_REPLACEMENT_YEAR
    assert lines["inverter_eur"][y] == pytest.approx(-C.INVERTER_REPLACEMENT_EUR_KWP * 10 * 1.02 ** (y - 1))
    assert np.count_nonzero(lines["inverter_eur"]) == 1
    loan = plant_costs(10.0, 1500.0, 0.0, Financing(mode="loan", loan_share_pct=50, loan_rate_pct=5, loan_years=2), p)
    assert loan["loan_eur"][0] == 7500.0
    assert loan["debt_service_eur"][1] == pytest.approx(-annuity_eur(7500.0, 5.0, 2))
    assert loan["debt_service_eur"][3] == 0.0
    esco_fin = Financing(mode="third_party", third_party_rate_pct=7, third_party_years=15)
    esco = plant_costs(10.0, 1500.0, 0.0, esco_fin, p)
    assert esco["capex_eur"][0] == 0.0  # the investor pays
    assert esco["third_party_fee_eur"][1] == pytest.approx(-annuity_eur(15_000.0, 7.0, 15) - 175.0 - 60.0)
    assert esco["om_eur"][16] == pytest.approx(-175.0 * 1.02 ** 15)  # the host's after the contract


def test_cer_money_from_totals_or_the_engines_figure():
    assert cer_money_eur({"tip_eur": 100.0, "valorisation_eur": 10.0, "gse_fee_eur": 5.0}) == 105.0
    assert cer_money_eur({"cer_money_eur": 77.0, "tip_eur": 100.0}) == 77.0


def _one_prosumer():
    sc = scenario([member("casa", kind="prosumer"), member("vicino")], [plant("fv", "casa", 6.0)],
                  economics={"investment": {"inflation_pct_year": 0.0, "price_escalation_pct_year": 0.0,
                                            "horizon_years": 22, "discount_rate_pct": 4.0}})
    h = 8760
    load = np.column_stack([np.full(h, 0.3), np.full(h, 0.5)])
    return sc, simulate(inputs(sc, load=load, prod=daylight_pv(2025, 6.0)[:, None]))


def test_projection_of_a_prosumer_plant_by_hand():
    sc, res = _one_prosumer()
    e = investment_economics(res.summary, sc)
    rec = res.summary["plants"][0]
    mem = res.summary["members"][0]
    pl = e["plants"][0]
    assert ACTOR_KEYS <= set(pl) and ACTOR_KEYS <= set(e["cer"]) and all(ACTOR_KEYS <= set(m) for m in e["members"])
    capex = 6.0 * 1500.0
    assert pl["cash_flow_eur"][0] == pytest.approx(-capex)
    year1 = (rec["energy_sale_eur"] - rec["rid_fee_eur"] + mem["bill_savings_eur"] - 6.0 * C.OM_EUR_KWP_YEAR
             - capex * C.INSURANCE_PCT_CAPEX_YEAR / 100)
    assert pl["cash_flow_eur"][1] == pytest.approx(year1, abs=0.01)  # no degradation, no inflation
    cash = np.array(pl["cash_flow_eur"])
    assert pl["npv_eur"] == pytest.approx(float(np.sum(cash / 1.04 ** np.arange(23))), abs=0.05)
    # the CER's money stops with the tariff after year 20, the valorisation and fees go on
    money = e["cer"]["lines"]["cer_money_eur"]
    assert money[1] == pytest.approx(cer_money_eur(res.summary["totals"]), abs=0.01)
    assert money[21] == pytest.approx(res.summary["totals"]["valorisation_eur"] - res.summary["totals"]["gse_fee_eur"],
                                      abs=0.01)
    # the neighbour invests nothing: no IRR, no payback to wait for
    neighbour = e["members"][1]
    assert neighbour["irr"] is None and neighbour["payback_years"] == 0.0
    assert not e["allocation_used"]


def test_community_lines_keep_the_cers_money_apart():
    sc, res = _one_prosumer()
    e = investment_economics(res.summary, sc)
    lines = e["cer"]["lines"]
    assert {"cer_money_eur", "energy_sale_eur", "bill_savings_eur", "capex_eur"} <= set(lines)
    total = np.sum([np.array(v) for v in lines.values()], axis=0)
    assert np.allclose(total, e["cer"]["cash_flow_eur"], atol=0.05)
    assert e["cer_money_npv_eur"] == pytest.approx(npv_eur(0.04, lines["cer_money_eur"]), abs=0.5)  # cents


def test_overrides_from_the_scenario():
    p = InvestmentParams.from_economics({"investment": {"capex_eur_kwp": [[20, 1400], [None, 900]],
                                                        "financing": {"mode": "loan", "loan_years": 8},
                                                        "plants": {"fv": {"capex_eur_kwp": 1000}}}})
    assert p.plant_capex_eur_kwp("x", 10) == 1400 and p.plant_capex_eur_kwp("x", 300) == 900
    assert p.plant_capex_eur_kwp("fv", 10) == 1000
    assert p.plant_financing("x").mode == "loan" and p.plant_financing("x").loan_years == 8
    assert InvestmentParams.from_economics(None).capex_eur_kwp == C.CAPEX_EUR_KWP


def test_demo_simulate_writes_economics():
    from cer_core import api

    out = api.run(api.demo_workspace(), shapley=False)
    econ = out.summary["economics"]
    assert ACTOR_KEYS <= set(econ["cer"])
    assert len(econ["plants"]) == len(out.summary["plants"]) and len(econ["members"]) == len(out.summary["members"])
    assert econ["allocation_used"]
    # each member's share of the CER's money in year 1 is the regolamento's split
    alloc = {m["id"]: m["net_eur"] for m in out.summary["allocation"]["members"]}
    for m in econ["members"]:
        assert m["lines"].get("cer_share_eur", [0, 0])[1] == pytest.approx(alloc[m["id"]], abs=0.01)
    assert econ["capex_eur"] > 0 and econ["cer_money_year1_eur"] == pytest.approx(
        cer_money_eur(out.summary["totals"]), abs=0.01)


def test_cli_simulate_writes_economics_for_the_demo(tmp_path):
    import json

    from cer_core.cli import main

    assert main(["simulate", "--out", str(tmp_path)]) == 0
    econ = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["economics"]
    for actor in [econ["cer"], *econ["plants"], *econ["members"]]:
        assert ACTOR_KEYS <= set(actor)
    assert econ["npv_eur"] == econ["cer"]["npv_eur"]


def test_loan_and_third_party_financing_move_the_owners_cash_not_the_energy():
    sc, res = _one_prosumer()
    own = investment_economics(res.summary, sc)["plants"][0]
    loan_econ = {"investment": {**sc.economics["investment"],
                                "financing": {"mode": "loan", "loan_share_pct": 50, "loan_rate_pct": 0, "loan_years": 5}}}
    loan = investment_economics(res.summary, sc, loan_econ)["plants"][0]
    # a 0 % loan of half the capex over 5 years: year 0 pays half, years 1-5 repay 900 € each
    assert loan["cash_flow_eur"][0] == pytest.approx(own["cash_flow_eur"][0] / 2)
    assert loan["cash_flow_eur"][1] == pytest.approx(own["cash_flow_eur"][1] - 4500 / 5)
    assert sum(loan["cash_flow_eur"]) == pytest.approx(sum(own["cash_flow_eur"]), abs=0.05)
    esco = investment_economics(res.summary, sc, {"investment": {**sc.economics["investment"],
                                                                "financing": {"mode": "third_party"}}})["plants"][0]
    assert esco["cash_flow_eur"][0] == 0.0 and esco["irr"] is None
    assert esco["lines"]["energy_sale_eur"] == own["lines"]["energy_sale_eur"]
