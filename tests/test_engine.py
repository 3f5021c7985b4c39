"""The engine on hand-computed cases: 2 cabine, an old plant, a >600 kW plant, a 20 % grant, Pz above 180,
chronological vs pro rata attribution, the 20-year window, leap years and DST days."""

import numpy as np
import pytest

from cer_core.engine import monthly_sum, simulate
from cer_core.timeaxis import hours_local, n_hours

from engine_helpers import daylight_pv, inputs, member, plant, scenario

H0 = 10  # 2025-01-01 10:00 local; hours H0, H0+1, H0+2 carry the case


def hand_case(rules=None):
    members = [member("A", "CP1", "prosumer", "sme"), member("B", "CP1"),
               member("C", "CP2", "producer", "sme", load=None), member("D", "CP2", category="public_body")]
    plants = [plant("old", "A", 50, "2019-04-01"), plant("new", "A", 150, "2023-06-01", grant_pct=20),
              plant("big", "C", 800, "2024-02-01")]
    sc = scenario(members, plants, 2025, rules=rules)
    h = n_hours(2025)
    load = np.zeros((h, 4))
    prod = np.zeros((h, 3))
    pz = np.full(h, 100.0)
    #                       A   B    C   D            old new big
    load[H0:H0 + 3] = [[20, 40, 0, 150], [0, 100, 0, 20], [50, 0, 0, 10]]
    prod[H0:H0 + 3] = [[30, 60, 100], [10, 30, 50], [20, 20, 0]]
    pz[H0:H0 + 3] = [100, 200, 150]
    return simulate(inputs(sc, load, prod, pz))


def test_hand_case_energy():
    r = hand_case()
    t = r.summary["totals"]
    assert t["shared_kwh"] == pytest.approx(200.0)
    np.testing.assert_allclose(r.cabine.shared_kwh[H0:H0 + 3], [[40, 100], [40, 20], [0, 0]])
    # hour H0: A injects 70 (old 23.33, new 46.67); chronological: old absorbs first
    np.testing.assert_allclose(r.plant_shared_kwh[H0], [70 / 3, 40 - 70 / 3, 100])
    np.testing.assert_allclose(r.plant_incentivised_kwh[H0], [0, 40 - 70 / 3, 100])
    assert t["incentivised_kwh"] == pytest.approx(500 / 3)
    assert t["self_consumed_kwh"] == pytest.approx(60.0)


def test_hand_case_money():
    r = hand_case()
    t = r.summary["totals"]
    # new (150 kW, Nord, 20 % grant): 130 × 0.75 = 97.5 €/MWh at Pz 100, 90 × 0.75 = 67.5 at Pz 200, but in
    # hours H0 and H0+1 all of CP1's withdrawal is B's, a household: exempt from the grant cut, so 130 and 90;
    # in H0+2 only A (an SME) withdraws: 120 × 0.75 = 90. big (800 kW): 110 and 70.
    np.testing.assert_allclose(r.plant_tip_rate_eur_mwh[H0:H0 + 3], [[0, 130, 110], [0, 90, 70], [0, 90, 100]])
    new_tip = (40 - 70 / 3) * 0.130 + 30 * 0.090
    assert t["tip_eur"] == pytest.approx(new_tip + 11.0 + 1.4)
    assert t["grant_cut_exemption_eur"] == pytest.approx((40 - 70 / 3) * (0.130 - 0.0975) + 30 * (0.090 - 0.0675))
    assert t["valorisation_eur"] == pytest.approx(200 * 10.57 / 1000)
    assert t["energy_sale_eur"] == pytest.approx(170 * 0.100 + 90 * 0.200)
    assert t["bill_savings_eur"] == pytest.approx(60 * 0.265)
    plants = {p["id"]: p for p in r.summary["plants"]}
    assert plants["old"]["tip_eur"] == 0.0 and not plants["old"]["admitted"]
    assert plants["new"]["tip_eur"] == pytest.approx(new_tip)
    assert plants["new"]["grant_cut_exemption_eur"] == pytest.approx(t["grant_cut_exemption_eur"])
    assert plants["big"]["mean_tip_rate_eur_mwh"] == pytest.approx(12.4 / 120 * 1000)


def test_hand_case_fees_and_restricted_share():
    r = hand_case()
    t = r.summary["totals"]
    assert t["rid_fee_eur"] == pytest.approx(0.65 * 50 + 0.65 * 150 + 0.60 * 800)
    # fees decree reading: 15 € per plant over 3 kW + 1 €/kW above 20 kW, nothing per member
    assert t["gse_fee_eur"] == pytest.approx((15 + 30) + (15 + 130) + (15 + 780))
    assert t["cer_costs_eur"] == pytest.approx(t["gse_fee_eur"])
    rest = {x["set"]: x for x in r.summary["restricted_tip"]}
    assert rest["no_grant"]["ratio"] == pytest.approx(120 / 150)
    # GSE's formula: (r − threshold) percentage points × the set's TIP
    assert rest["no_grant"]["restricted_eur"] == pytest.approx(12.4 * (0.8 - 0.55))
    r_new = (40 - 70 / 3 + 30) / (140 / 3 + 30)
    new_tip = (40 - 70 / 3) * 0.130 + 30 * 0.090
    assert rest["with_grant"]["restricted_eur"] == pytest.approx(new_tip * (r_new - 0.45))


def test_hand_case_fees_rse_reading():
    r = hand_case({"gse_fee_scheme": "rse"})
    assert r.summary["totals"]["gse_fee_eur"] == pytest.approx((30 + 50) + (30 + 150) + (30 + 800) + 4 * 4)
    assert "RSE" in r.summary["rules"]["fees_label"]


def test_pro_rata_and_non_incentivised_last():
    pro = hand_case({"attribution": "pro_rata"})
    np.testing.assert_allclose(pro.plant_shared_kwh[H0], [40 / 3, 80 / 3, 100])
    # exempt household withdrawal in H0 and H0+1: the full 130 and 90 €/MWh (see test_hand_case_money)
    assert {p["id"]: p for p in pro.summary["plants"]}["new"]["tip_eur"] == pytest.approx(80 / 3 * 0.130 + 2.7)
    last = hand_case({"non_incentivised_last": True})
    np.testing.assert_allclose(last.plant_shared_kwh[H0], [0, 40, 100])
    assert {p["id"]: p for p in last.summary["plants"]}["new"]["tip_eur"] == pytest.approx(40 * 0.130 + 2.7)
    # the community's shared energy and valorisation do not depend on the attribution
    assert pro.summary["totals"]["shared_kwh"] == pytest.approx(200.0)
    assert last.summary["totals"]["valorisation_eur"] == pytest.approx(2.114)


def test_tariff_window_ends_after_twenty_years():
    sc = scenario([member("P", kind="prosumer", category="sme"), member("Q")],
                  [plant("p", "P", 100, "2021-12-20")], year=2041)
    h = n_hours(2041)
    prod = np.full((h, 1), 10.0)
    load = np.column_stack([np.zeros(h), np.full(h, 10.0)])
    r = simulate(inputs(sc, load, prod))
    local = hours_local(2041)
    ended = (local.month == 12) & (local.day >= 20)
    assert r.plant_incentivised_kwh[ended].sum() == 0.0
    assert r.plant_incentivised_kwh[~ended].sum() == pytest.approx(10.0 * (~ended).sum())
    assert r.summary["plants"][0]["eligible_hours"] == int((~ended).sum())
    assert r.summary["totals"]["shared_kwh"] == pytest.approx(10.0 * h)  # valorisation keeps counting


@pytest.mark.parametrize("year, hours, march, october", [(2024, 8784, 743, 745), (2025, 8760, 743, 745)])
def test_year_length_leap_and_dst_months(year, hours, march, october):
    sc = scenario([member("P", kind="prosumer", category="sme"), member("Q")], [plant("p", "P", 10)], year=year)
    r = simulate(inputs(sc, np.ones((hours, 2)), np.ones((hours, 1))))
    assert r.members.load_kwh.shape == (hours, 2)
    monthly = r.summary["monthly"]
    assert monthly[2]["consumption_kwh"] == pytest.approx(2 * march)
    assert monthly[9]["consumption_kwh"] == pytest.approx(2 * october)
    assert monthly[1]["consumption_kwh"] == pytest.approx(2 * 24 * (29 if year == 2024 else 28))
    assert len([x for x in r.labels if x.startswith(f"{year}-03-")]) == march


def test_plant_over_1mw_not_admitted_but_shares():
    sc = scenario([member("P", kind="prosumer", category="sme"), member("Q")], [plant("p", "P", 1200)])
    h = n_hours(2025)
    r = simulate(inputs(sc, np.column_stack([np.zeros(h), np.full(h, 5.0)]), np.full((h, 1), 10.0)))
    assert r.summary["totals"]["shared_kwh"] == pytest.approx(5.0 * h)
    assert r.summary["totals"]["tip_eur"] == 0.0
    assert r.summary["plants"][0]["admission_code"] == "over_1mw"


def test_grant_over_40_pct_no_tariff_and_sicily_no_correction():
    sc = scenario([member("P", kind="prosumer", category="sme"), member("Q")],
                  [plant("p", "P", 100, grant_pct=45), plant("q", "P", 100)], region="Sicilia")
    h = n_hours(2025)
    r = simulate(inputs(sc, np.column_stack([np.zeros(h), np.full(h, 100.0)]), np.full((h, 2), 10.0)))
    plants = {p["id"]: p for p in r.summary["plants"]}
    assert plants["p"]["tip_eur"] == 0.0
    assert plants["q"]["mean_tip_rate_eur_mwh"] == pytest.approx(120.0)  # Pz 100 → cap 120, no correction


def test_band_prices_for_bill_savings():
    prices = {"F1": 0.30, "F2": 0.20, "F3": 0.10}
    sc = scenario([member("P", kind="prosumer", category="sme", avoided_price_eur_kwh=prices)],
                  [plant("p", "P", 10)], year=2025)
    h = n_hours(2025)
    r = simulate(inputs(sc, np.ones((h, 1)), np.ones((h, 1))))
    from cer_core.bands import band_of_hour

    counts = np.bincount(band_of_hour(2025), minlength=4)
    assert r.summary["totals"]["bill_savings_eur"] == pytest.approx(0.3 * counts[1] + 0.2 * counts[2] + 0.1 * counts[3])


def test_co2_basis_options():
    members = [member("P", kind="prosumer", category="sme"), member("Q")]
    h = n_hours(2025)
    load = np.column_stack([np.full(h, 1.0), np.full(h, 2.0)])
    prod = np.full((h, 1), 5.0)
    default = simulate(inputs(scenario(members, [plant("p", "P", 10)]), load, prod))
    # self 1 + shared 2 per hour
    assert default.summary["totals"]["co2_avoided_kg"] == pytest.approx(3.0 * h * 0.25)
    alt = simulate(inputs(scenario(members, [plant("p", "P", 10)], economics={"co2_basis": "production"}), load, prod))
    assert alt.summary["totals"]["co2_avoided_kg"] == pytest.approx(5.0 * h * 0.25)


def test_rid_minimum_price_topup():
    sc = scenario([member("P", kind="producer", category="sme", load=None), member("Q")], [plant("p", "P", 50)],
                  economics={"rid_min_price": True})
    h = n_hours(2025)
    prod = np.full((h, 1), 1.0)
    pz = np.full(h, 40.0)
    r = simulate(inputs(sc, np.zeros((h, 2)), prod, pz))
    assert r.summary["totals"]["rid_min_price_topup_eur"] == pytest.approx(h * (47.5 - 40.0) / 1000)
    assert sum(m["rid_min_price_topup_eur"] for m in r.summary["monthly"]) == pytest.approx(h * 7.5 / 1000)


def test_wastewater_neutrality_ratio():
    sc = scenario([member("W", kind="prosumer", category="public_body", facility="wastewater_treatment"),
                   member("Q")], [plant("p", "W", 100)])
    h = n_hours(2025)
    r = simulate(inputs(sc, np.column_stack([np.full(h, 4.0), np.zeros(h)]), np.full((h, 1), 3.0)))
    rec = r.summary["wastewater"][0]
    assert rec["neutrality_ratio"] == pytest.approx(0.75)
    assert rec["gap_kwh"] == pytest.approx(1.0 * h)


def test_monthly_sum_equals_total():
    values = np.arange(n_hours(2024), dtype=float)
    assert monthly_sum(values, 2024).sum() == values.sum()
    assert monthly_sum(values, 2024).shape == (12,)


def test_daylight_invariants_full_year():
    members = [member(f"m{i}", "CP1" if i < 3 else "CP2", "prosumer" if i in (0, 3) else "consumer", "household")
               for i in range(6)]
    plants = [plant("a", "m0", 20, "2022-01-01"), plant("b", "m3", 30, "2020-01-01"), plant("c", "m0", 5, "2024-01-01")]
    sc = scenario(members, plants, 2024)
    h = n_hours(2024)
    rng = np.random.default_rng(1)
    load = rng.uniform(0, 3, (h, 6))
    prod = np.column_stack([daylight_pv(2024, 20), daylight_pv(2024, 30), daylight_pv(2024, 5)])
    pz = rng.uniform(0, 300, h)
    r = simulate(inputs(sc, load, prod, pz))
    f = r.members
    np.testing.assert_allclose(f.load_kwh, f.self_consumed_kwh + f.withdrawn_kwh)
    np.testing.assert_allclose(f.production_kwh, f.self_consumed_kwh + f.injected_kwh)
    for arr in (f.self_consumed_kwh, f.injected_kwh, f.withdrawn_kwh, r.plant_shared_kwh):
        assert (arr >= 0).all()
    c = r.cabine
    assert (c.shared_kwh <= np.minimum(c.injected_kwh, c.withdrawn_kwh) + 1e-12).all()
    t = r.summary["totals"]
    for key in ("production_kwh", "shared_kwh", "tip_eur", "valorisation_eur", "energy_sale_eur", "gse_fee_eur"):
        assert t[key] == pytest.approx(sum(m[key] for m in r.summary["monthly"]), rel=1e-12)
    assert t["tip_eur"] == pytest.approx((r.plant_incentivised_kwh * r.plant_tip_rate_eur_mwh).sum() / 1000, abs=0.005)
    assert t["production_kwh"] == pytest.approx(prod.sum())


def test_per_entity_monthly_adds_up_to_annual():
    r = hand_case()
    s = r.summary
    for rec, keys in ((s["members"], ("consumption_kwh", "self_consumed_kwh", "bill_savings_eur")),
                      (s["plants"], ("production_kwh", "incentivised_kwh", "tip_eur")),
                      (s["cabine"], ("shared_kwh", "valorisation_eur", "tip_eur"))):
        for item in rec:
            for key in keys:
                assert len(item["monthly"][key]) == 12
                assert sum(item["monthly"][key]) == pytest.approx(item[key], abs=1e-9), (item["id"], key)
    cab = {c["id"]: c for c in s["cabine"]}
    assert cab["CP2"]["monthly"]["incentivised_kwh"][0] == pytest.approx(120.0)
