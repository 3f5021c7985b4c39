"""The 2025 rules (issue 9, docs/regulation.md §2–§5), each on a case computed by hand here:
grant-cut exemption (vector J), the 55 % rule (vector I), excluded power, per-hour tariff status with
"non-incentivised plants last", reference vs calendar year, the two GSE fee readings, valorisation after
20 years; plus property tests of the exemption."""

import numpy as np
import pytest
from engine_helpers import inputs, member, plant, scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from cer_core import constants as C
from cer_core.money.economics import gse_fee_member_eur, gse_fee_plant_eur
from cer_core.engine import simulate
from cer_core.money.incentives import restricted_tip, tariff_fraction, tip_rates_with_exemption
from cer_core.timeaxis import hours_local, n_hours

H = 10  # 2025-01-01 10:00 local


def _vector_j(rules=None, grant_pct=40.0, categories=("household", "sme")):
    """Vector J: one hour, one cabina, 150 kW plant in Lombardia, Pz 100, 10 kWh shared; withdrawals 6 and 4."""
    members = [member("P", kind="producer", category="sme", load=None),
               member("H", category=categories[0]), member("S", category=categories[1])]
    sc = scenario(members, [plant("pv", "P", 150, "2024-01-01", grant_pct=grant_pct)], 2025, rules=rules)
    h = n_hours(2025)
    load, prod = np.zeros((h, 3)), np.zeros((h, 1))
    load[H] = [0, 6, 4]
    prod[H] = [10]
    return simulate(inputs(sc, load, prod))


def test_vector_j_exemption():
    r = _vector_j()
    # 6 kWh at the full 130 €/MWh + 4 kWh at 130 × (1 − 0.5) = 65 €/MWh
    assert r.summary["totals"]["tip_eur"] == pytest.approx(6 * 0.130 + 4 * 0.065)
    assert r.summary["totals"]["tip_eur"] == pytest.approx(1.04)
    assert r.summary["plants"][0]["grant_cut_exemption_eur"] == pytest.approx(1.04 - 0.65)
    assert r.plant_tip_rate_eur_mwh[H, 0] == pytest.approx(104.0)


def test_vector_j_without_exemption_and_all_exempt_categories():
    assert _vector_j({"grant_cut_exemption": False}).summary["totals"]["tip_eur"] == pytest.approx(0.65)
    # religious and third-sector bodies are exempt; a research body and "other" are not
    assert _vector_j(categories=("religious_body", "third_sector")).summary["totals"]["tip_eur"] == pytest.approx(1.30)
    assert _vector_j(categories=("public_body", "research_body")).summary["totals"]["tip_eur"] == pytest.approx(1.04)
    assert _vector_j(categories=("other", "sme")).summary["totals"]["tip_eur"] == pytest.approx(0.65)


def test_vector_i_restricted_formula():
    rec = restricted_tip(7000.0, 70_000.0, 100_000.0, C.RESTRICTED_THRESHOLD_NO_GRANT)
    assert rec["restricted_eur"] == pytest.approx(1050.0)
    # at r = 0.56 the old (r − t)/r reading gave 7000 × 0.01/0.56 = 125 €; GSE's formula gives 70 €
    assert restricted_tip(7000.0, 56_000.0, 100_000.0, 0.55)["restricted_eur"] == pytest.approx(70.0)
    assert restricted_tip(7000.0, 50_000.0, 100_000.0, 0.45)["restricted_eur"] == pytest.approx(350.0)


def test_excluded_power_earns_the_tariff_on_its_fraction_only():
    members = [member("P", kind="producer", category="sme", load=None), member("Q", category="sme")]
    p = plant("pv", "P", 100, "2024-01-01")
    from dataclasses import replace
    sc = scenario(members, [replace(p, tariff_excluded_kw=20.0)], 2025)
    h = n_hours(2025)
    load, prod = np.zeros((h, 2)), np.zeros((h, 1))
    load[H] = [0, 10]
    prod[H] = [10]
    r = simulate(inputs(sc, load, prod))
    rec = r.summary["plants"][0]
    assert rec["tariff_fraction"] == pytest.approx(0.8)
    assert rec["incentivised_kwh"] == pytest.approx(8.0)  # 10 kWh shared × (1 − 20/100)
    assert rec["tip_eur"] == pytest.approx(8 * 0.130)  # Pz 100, ≤ 200 kW, Nord: 130 €/MWh
    assert r.summary["totals"]["valorisation_eur"] == pytest.approx(10 * 10.57 / 1000)  # all 10 kWh
    assert tariff_fraction(100, 150) == 0.0 and tariff_fraction(0, 0) == 0.0


def _expiring(rules):
    """Year 2041: plant X (2021-12-20) loses the tariff on 20 Dec; Y (2030) keeps it. One consumer of 10 kWh."""
    members = [member("X", kind="producer", category="sme", load=None),
               member("Y", kind="producer", category="sme", load=None), member("Q", category="sme")]
    sc = scenario(members, [plant("x", "X", 100, "2021-12-20"), plant("y", "Y", 100, "2030-01-01")], 2041,
                  rules=rules)
    h = n_hours(2041)
    load = np.zeros((h, 3))
    load[:, 2] = 10.0
    prod = np.full((h, 2), 10.0)
    r = simulate(inputs(sc, load, prod))
    local = hours_local(2041)
    jan = int(np.flatnonzero((local.month == 1) & (local.day == 2) & (local.hour == 12))[0])
    dec = int(np.flatnonzero((local.month == 12) & (local.day == 25) & (local.hour == 12))[0])
    return r, jan, dec


def test_non_incentivised_last_is_decided_per_hour():
    r, jan, dec = _expiring({"non_incentivised_last": True})
    np.testing.assert_allclose(r.plant_shared_kwh[jan], [10, 0])  # both have the tariff: X is older
    np.testing.assert_allclose(r.plant_shared_kwh[dec], [0, 10])  # X's 20 years are over: it comes last
    chrono, jan, dec = _expiring({})
    np.testing.assert_allclose(chrono.plant_shared_kwh[dec], [10, 0])  # GSE's reading: oldest first
    assert chrono.plant_incentivised_kwh[dec].sum() == 0.0


def test_non_incentivised_last_under_pro_rata():
    r, jan, dec = _expiring({"non_incentivised_last": True, "attribution": "pro_rata"})
    np.testing.assert_allclose(r.plant_shared_kwh[jan], [5, 5])
    np.testing.assert_allclose(r.plant_shared_kwh[dec], [0, 10])
    assert "last" in r.summary["rules"]["attribution_label"] and "pro rata" in r.summary["rules"]["attribution_label"]


@pytest.mark.parametrize("mode", ["reference", "calendar"])
def test_reference_and_calendar_year(mode):
    members = [member("P", kind="producer", category="sme", load=None), member("Q", category="sme")]
    sc = scenario(members, [plant("pv", "P", 100, "2025-07-01")], 2025, rules={"year_mode": mode})
    h = n_hours(2025)
    r = simulate(inputs(sc, np.column_stack([np.zeros(h), np.ones(h)]), np.ones((h, 1))))
    local = hours_local(2025)
    from_july = int((local.month >= 7).sum())
    expected = h if mode == "reference" else from_july
    assert r.summary["totals"]["production_kwh"] == pytest.approx(expected)
    assert r.summary["totals"]["incentivised_kwh"] == pytest.approx(expected)
    assert r.summary["totals"]["tip_eur"] == pytest.approx(expected * 0.130)
    assert r.summary["rules"]["year_mode"] == mode
    assert mode in r.summary["rules"]["year_mode_label"]


@pytest.mark.parametrize("kwp, decree, rse", [(2.0, 0, 0), (3.0, 0, 30), (10.0, 15, 30), (20.0, 15, 30),
                                              (50.0, 15 + 30, 30 + 50), (1200.0, 15 + 980, 30 + 1000)])
def test_gse_fee_readings(kwp, decree, rse):
    assert gse_fee_plant_eur(kwp, C.Parameters()) == pytest.approx(decree)
    assert gse_fee_plant_eur(kwp, C.Parameters(gse_fee_scheme="rse")) == pytest.approx(rse)


def test_gse_fees_editable_and_recorded():
    p = C.Parameters.from_overrides(economics={"gse_fee_plant_eur": 20.0})
    assert gse_fee_plant_eur(10.0, p) == 20.0 and gse_fee_member_eur(p) == 0.0
    assert gse_fee_member_eur(C.Parameters(gse_fee_scheme="rse")) == 4.0
    rec = C.Parameters(gse_fee_scheme="rse").to_dict(2025)
    assert (rec["gse_fee_plant_eur"], rec["gse_fee_member_eur"], rec["gse_fee_scheme"]) == (30.0, 4.0, "rse")


def test_valorisation_keeps_running_after_twenty_years():
    r, _, _ = _expiring({})
    h = n_hours(2041)
    assert r.summary["totals"]["valorisation_eur"] == pytest.approx(10 * h * 10.57 / 1000)


def test_headline_keys_keep_the_three_pockets_apart():
    r = _vector_j()
    t = r.summary["totals"]
    assert t["cer_money_eur"] == pytest.approx(t["tip_eur"] + t["valorisation_eur"] - t["cer_costs_eur"])
    assert t["energy_sale_net_eur"] == pytest.approx(t["energy_sale_eur"] + t["rid_min_price_topup_eur"]
                                                     - t["rid_fee_eur"])
    assert t["self_consumption_savings_eur"] == pytest.approx(t["bill_savings_eur"])
    assert t["net_benefit_eur"] == pytest.approx(t["cer_money_eur"] + t["energy_sale_net_eur"]
                                                 + t["self_consumption_savings_eur"])
    # one hour: 10 kWh shared at 10.57 €/MWh, a 150 kW plant's decree fee 15 + 130 €
    assert t["cer_money_eur"] == pytest.approx(1.04 + 0.1057 - 145.0)


# -- properties of the exemption ---------------------------------------------------------------------------

CATS = list(C.MEMBER_CATEGORIES)


@st.composite
def _hour_case(draw):
    n = draw(st.integers(1, 4))
    cats = draw(st.lists(st.sampled_from(CATS), min_size=n, max_size=n))
    loads = draw(st.lists(st.floats(0, 50), min_size=n, max_size=n))
    prod = draw(st.floats(0, 80))
    pz = draw(st.floats(-50, 400))
    grant = draw(st.sampled_from([0.0, 10.0, 20.0, 40.0]))
    return cats, loads, prod, pz, grant


def _tip(cats, loads, prod, pz, grant, exemption):
    members = [member("P", kind="producer", category="sme", load=None)]
    members += [member(f"m{i}", category=c) for i, c in enumerate(cats)]
    sc = scenario(members, [plant("pv", "P", 150, "2024-01-01", grant_pct=grant)], 2025,
                  rules={"grant_cut_exemption": exemption})
    h = n_hours(2025)
    load, p = np.zeros((h, len(members))), np.zeros((h, 1))
    load[H, 1:] = loads
    p[H] = [prod]
    pzs = np.full(h, 100.0)
    pzs[H] = pz
    return simulate(inputs(sc, load, p, pzs)).summary["totals"]["tip_eur"]


@settings(max_examples=25, deadline=None)
@given(_hour_case())
def test_exemption_never_lowers_tip_and_is_void_without_grant(case):
    grant = case[-1]
    with_ex, without = _tip(*case, True), _tip(*case, False)
    assert with_ex >= without - 1e-12
    if grant == 0.0:
        assert with_ex == without


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 300), st.floats(0, 300), st.floats(0, 1))
def test_rate_with_exemption_between_cut_and_full(cut, extra, frac):
    full = cut + extra
    rate = float(tip_rates_with_exemption(cut, full, frac))
    assert cut - 1e-9 <= rate <= full + 1e-9
    assert float(tip_rates_with_exemption(cut, cut, frac)) == pytest.approx(cut)


def test_vector_k_4_october_2027():
    from cer_core.bands import band_of_hour

    local = hours_local(2027)
    h = int(np.flatnonzero((local.month == 10) & (local.day == 4) & (local.hour == 10))[0])
    assert local[h].weekday() == 0  # a Monday
    assert band_of_hour(2027)[h] == 3  # F3 with the 4 October switch on
    assert band_of_hour(2027, include_4_october=False)[h] == 1  # F1 with it off


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.data())
def test_priority_attribution_conserves_shared_energy(n_hours_, n_plants, data):
    from cer_core.sharing import attribute_shared_priority, sum_by_group

    inj = np.array(data.draw(st.lists(st.lists(st.floats(0, 100), min_size=n_plants, max_size=n_plants),
                                      min_size=n_hours_, max_size=n_hours_)))
    cab = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n_plants, max_size=n_plants)))
    elig = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=n_plants, max_size=n_plants),
                                       min_size=n_hours_, max_size=n_hours_)))
    wd = np.array(data.draw(st.lists(st.lists(st.floats(0, 200), min_size=2, max_size=2),
                                     min_size=n_hours_, max_size=n_hours_)))
    shared = np.minimum(sum_by_group(inj, cab, 2), wd)
    rank = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n_plants, max_size=n_plants)), dtype=float)
    for method in ("chronological", "pro_rata"):
        out = attribute_shared_priority(shared, inj, cab, elig, rank, method)
        np.testing.assert_allclose(sum_by_group(out, cab, 2), shared, atol=1e-9)
        assert (out <= inj + 1e-9).all() and (out >= -1e-12).all()
        # plants with the tariff in the hour are served first: a non-incentivised plant gets energy only
        # when every incentivised plant of its cabina has all its injection attributed
        for h in range(n_hours_):
            for c in (0, 1):
                idx = cab == c
                if (out[h, idx & ~elig[h]] > 1e-9).any():
                    np.testing.assert_allclose(out[h, idx & elig[h]], inj[h, idx & elig[h]], atol=1e-9)
