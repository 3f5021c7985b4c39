"""The split among members (cer_core.money.allocation): known answers computed by hand, invariants, Shapley.

The hand case: three members over two months.
- A: household consumer; B: SME prosumer (plant P2); C: producer, category other (plant P1).
- Month 1: TIP 100 €, valorisation 20 € (pot 120 €), GSE fees 10 €; contributions A 30, B 10 kWh;
  P1 incentivised 100 / injected 200 kWh, P2 incentivised 60 / injected 100 kWh.
- Month 2: TIP 50 €, valorisation 10 € (pot 60 €), GSE fees 10 €; contributions A 10, B 10 kWh;
  P1 incentivised 50 / injected 100 kWh, P2 incentivised 0 / injected 50 kWh.
- Restricted amount (55 % rule) of the year 30 €: month 1 gets 30 × 100/150 = 20 €, month 2 10 €.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cer_core.money.allocation import (AllocationBase, Regolamento, active_months, compare, contribution_kwh,
                                 monthly_contribution_kwh,
                                 largest_remainder_cents, preset, regolamento_problems, split)
from cer_core.money.shapley import shapley_exact, shapley_game, shapley_sampled
from cer_core.vocabulary import MEMBER_CATEGORIES, MEMBER_KINDS


def hand_base(**changes) -> AllocationBase:
    base = AllocationBase(
        member_ids=["A", "B", "C"], member_names=["A", "B", "C"],
        member_categories=["household", "sme", "other"], member_kinds=["consumer", "prosumer", "producer"],
        third_party=np.array([False, False, False]), active=np.ones((2, 3), dtype=bool),
        withdrawn_kwh=np.array([[60.0, 20.0, 0.0], [20.0, 20.0, 0.0]]),
        injected_kwh=np.array([[0.0, 100.0, 200.0], [0.0, 50.0, 100.0]]),
        contribution_kwh=np.array([[30.0, 10.0, 0.0], [10.0, 10.0, 0.0]]),
        bill_savings_eur=np.array([[0.0, 5.0, 0.0], [0.0, 4.0, 0.0]]),
        energy_sale_eur=np.array([[0.0, 8.0, 16.0], [0.0, 4.0, 8.0]]),
        plant_owner=np.array([2, 1]),
        plant_incentivised_kwh=np.array([[100.0, 60.0], [50.0, 0.0]]),
        plant_injected_kwh=np.array([[200.0, 100.0], [100.0, 50.0]]),
        tip_eur=np.array([100.0, 50.0]), valorisation_eur=np.array([20.0, 10.0]), gse_fees_eur=np.array([10.0, 10.0]),
        restricted_year_eur=30.0)
    return replace(base, **changes)


def member(out: dict, month: int, mid: str) -> dict:
    return next(m for m in out["monthly"][month]["members"] if m["id"] == mid)


def assert_sums_to_pot(out: dict) -> None:
    for row in out["monthly"]:
        total = sum(round(m["net_eur"] * 100) for m in row["members"])
        total += round(row["social_fund_eur"] * 100) + round(row["costs_eur"] * 100) + round(row["running_costs_eur"] * 100)
        assert total == round(row["pot_eur"] * 100), row


def test_default_rules_contribution_and_incentivised_by_hand():
    out = split(hand_base(), Regolamento())
    m1, m2 = out["monthly"]
    # month 1: 120 − 10 costs − 20 restricted (all to A, the only non-enterprise consumer) = 90 to split
    assert m1["pot_eur"] == 120.0 and m1["costs_eur"] == 10.0
    assert m1["social_fund_eur"] == 4.5  # 5 % of 90
    # consumers 55 % of 90 = 49.5: A 49.5 × 30/40 = 37.125, B 12.375 (the tie of half cents goes to A, first)
    assert member(out, 0, "A")["consumer_eur"] == 37.13 and member(out, 0, "B")["consumer_eur"] == 12.37
    assert member(out, 0, "A")["restricted_eur"] == 20.0 and member(out, 0, "B")["restricted_eur"] == 0.0
    # producers 40 % of 90 = 36 by incentivised energy: P1 (C) 36 × 100/160 = 22.5, P2 (B) 13.5
    assert member(out, 0, "C")["producer_eur"] == 22.5 and member(out, 0, "B")["producer_eur"] == 13.5
    assert member(out, 0, "A")["net_eur"] == 57.13 and member(out, 0, "B")["net_eur"] == 25.87
    # month 2: 60 − 10 − 10 = 40; consumers 22 → A 11, B 11; producers 16 → all to P1 (P2 has 0 incentivised)
    assert m2["social_fund_eur"] == 2.0
    assert member(out, 1, "A")["net_eur"] == 21.0 and member(out, 1, "B")["net_eur"] == 11.0
    assert member(out, 1, "C")["net_eur"] == 16.0
    yearly = {m["id"]: m for m in out["members"]}
    assert yearly["A"]["net_eur"] == 78.13 and yearly["A"]["restricted_eur"] == 30.0
    assert yearly["B"]["outside_pot"] == {"energy_sale_eur": 12.0, "bill_savings_eur": 9.0}
    assert_sums_to_pot(out)


def test_equal_consumer_key_by_hand():
    out = split(hand_base(), Regolamento(consumers_key="equal"))
    # consumers A and B (C is a producer): 49.5 / 2 = 24.75 each; restricted 20 to A (B is an SME)
    assert member(out, 0, "A")["consumer_eur"] == 24.75 and member(out, 0, "B")["consumer_eur"] == 24.75
    assert member(out, 0, "C")["consumer_eur"] == 0.0
    assert member(out, 0, "A")["restricted_eur"] == 20.0
    assert_sums_to_pot(out)


def test_category_weights_by_hand():
    out = split(hand_base(), Regolamento(consumers_key="category", category_weights={"household": 2.0, "sme": 1.0}))
    # 49.5 × 2/3 = 33 to A, 16.5 to B; month 2: 22 × 2/3 = 14.666… → 14.67 and 7.33
    assert member(out, 0, "A")["consumer_eur"] == 33.0 and member(out, 0, "B")["consumer_eur"] == 16.5
    assert member(out, 1, "A")["consumer_eur"] == 14.67 and member(out, 1, "B")["consumer_eur"] == 7.33
    assert_sums_to_pot(out)


def test_injection_producer_key_by_hand():
    out = split(hand_base(), Regolamento(producers_key="injection"))
    # month 1: 36 × 200/300 = 24 to C, 12 to B; month 2: 16 × 100/150 = 10.666… and 5.333…
    assert member(out, 0, "C")["producer_eur"] == 24.0 and member(out, 0, "B")["producer_eur"] == 12.0
    assert member(out, 1, "C")["producer_eur"] == 10.67 and member(out, 1, "B")["producer_eur"] == 5.33
    assert_sums_to_pot(out)


def test_third_party_fixed_price_by_hand():
    base = hand_base(third_party=np.array([False, False, True]))
    out = split(base, Regolamento(third_party_eur_mwh=100.0))
    # C (third party) gets 100 €/MWh × 100 kWh = 10 € in month 1 and 5 € in month 2, out of the producers' share
    assert member(out, 0, "C")["third_party_eur"] == 10.0 and member(out, 0, "C")["producer_eur"] == 0.0
    assert member(out, 0, "B")["producer_eur"] == 26.0  # 36 − 10, P2 is the only other plant
    # month 2: producers 16 − 5 = 11, but P2 has no incentivised energy: to the social fund (2 + 11)
    assert member(out, 1, "C")["third_party_eur"] == 5.0 and member(out, 1, "B")["producer_eur"] == 0.0
    assert out["monthly"][1]["social_fund_eur"] == 13.0
    assert_sums_to_pot(out)


def test_costs_by_hand():
    rules = Regolamento(platform_eur_per_member_year=12.0, platform_pct=10.0, insurance_eur_year=24.0,
                        referent_eur_year=12.0)
    out = split(hand_base(), rules)
    # month 1: GSE 10 + platform 3 members × 1 € + 10 % × 120 + insurance 2 + referent 1 = 28
    m1 = out["monthly"][0]
    assert m1["costs_eur"] == 28.0
    assert m1["breakdown"]["platform_eur"] == 15.0 and m1["breakdown"]["insurance_eur"] == 2.0
    # what remains: 120 − 28 − 20 = 72; fund 5 % = 3.6
    assert m1["social_fund_eur"] == 3.6
    assert_sums_to_pot(out)
    no_gse = split(hand_base(), Regolamento(gse_fees=False))
    assert no_gse["monthly"][0]["costs_eur"] == 0.0 and no_gse["monthly"][0]["social_fund_eur"] == 5.0


def test_restricted_to_social_fund_and_shares_by_hand():
    rules = Regolamento(restricted_to="social_fund",
                        shares_pct={"producers": 30.0, "consumers": 50.0, "social_fund": 10.0, "running_costs": 10.0})
    out = split(hand_base(), rules)
    m1 = out["monthly"][0]
    # 120 − 10 costs − 20 restricted = 90 to split; the fund gets 10 % of 90 + the restricted 20 = 29;
    # running costs 10 % of 90 = 9
    assert m1["social_fund_eur"] == 29.0 and m1["running_costs_eur"] == 9.0
    assert m1["breakdown"]["fund_restricted_eur"] == 20.0
    assert all(m["restricted_eur"] == 0.0 for m in m1["members"])
    assert member(out, 0, "A")["consumer_eur"] == 33.75  # 50 % of 90 = 45, × 30/40
    assert_sums_to_pot(out)


def test_left_member_months_do_not_count():
    active = np.array([[True, True, True], [True, False, True]])  # B left during month 1
    out = split(hand_base(active=active), Regolamento())
    assert member(out, 1, "B")["net_eur"] == 0.0 and not member(out, 1, "B")["active"]
    # month 2: consumers 22 all to A; the restricted 10 too
    assert member(out, 1, "A")["net_eur"] == 32.0
    assert {m["id"]: m["months_active"] for m in out["members"]} == {"A": 2, "B": 1, "C": 2}
    assert_sums_to_pot(out)


def test_active_months_from_dates():
    assert active_months(2024, dt.date(2024, 3, 10), None).tolist() == [False, False] + [True] * 10
    assert active_months(2024, None, dt.date(2024, 2, 1)).tolist() == [True, True] + [False] * 10
    assert active_months(2024, dt.date(2023, 5, 1), dt.date(2025, 1, 1)).all()
    assert not active_months(2024, dt.date(2025, 1, 1), None).any()


def test_member_without_withdrawal_in_sharing_hours_gets_no_consumer_share():
    # one hour shared, one hour not: D withdraws only when nothing is shared
    withdrawn = np.array([[5.0, 0.0], [0.0, 7.0]])  # hours × members (E, D)
    shared = np.array([[3.0], [0.0]])
    contrib = contribution_kwh(withdrawn, np.array([0, 0]), shared, withdrawn.sum(axis=1, keepdims=True))
    assert contrib.tolist() == [[3.0, 0.0], [0.0, 0.0]]
    base = hand_base(contribution_kwh=np.array([[30.0, 0.0, 0.0], [10.0, 0.0, 0.0]]))
    out = split(base, Regolamento())
    assert all(member(out, k, "B")["consumer_eur"] == 0.0 for k in (0, 1))
    assert member(out, 0, "A")["consumer_eur"] == 49.5


@pytest.mark.parametrize("year", [2024, 2025])
def test_monthly_contribution_is_bit_for_bit_the_monthly_sum_of_the_hourly_one(year):
    """The month-at-a-time path makes no (hours × members) product, and gives exactly the same sums."""
    from cer_core.engine import monthly_sum
    from cer_core.timeaxis import n_hours

    rng = np.random.default_rng(year)
    hours, members, cabine = n_hours(year), 37, 3
    withdrawn = rng.gamma(0.6, 0.9, (hours, members)) * (rng.random((hours, members)) > 0.2)
    member_cabina = rng.integers(0, cabine, members)
    cab_withdrawn = np.stack([withdrawn[:, member_cabina == c].sum(axis=1) for c in range(cabine)], axis=1)
    shared = cab_withdrawn * rng.random((hours, cabine)) * (rng.random((hours, cabine)) > 0.5)
    expected = monthly_sum(contribution_kwh(withdrawn, member_cabina, shared, cab_withdrawn), year)
    got = monthly_contribution_kwh(withdrawn, member_cabina, shared, cab_withdrawn, year)
    assert got.shape == (12, members)
    assert np.array_equal(got, expected)
    assert got.sum() > 0


def test_largest_remainder():
    assert largest_remainder_cents(np.array([1 / 3, 1 / 3, 1 / 3]), 100).tolist() == [34, 33, 33]
    assert largest_remainder_cents(np.array([0.125, 0.375, 0.5]), 100).tolist() == [13, 37, 50]  # tie: the first
    assert largest_remainder_cents(np.array([-0.005, 1.005]), 100).sum() == 100


def test_regolamento_round_trip_and_problems():
    rules = Regolamento(consumers_key="category", category_weights={"household": 2.0}, third_party_eur_mwh=25.0,
                        platform_pct=3.0)
    assert Regolamento.from_dict(rules.to_dict()) == rules
    assert Regolamento.from_dict(None) == Regolamento()
    problems = regolamento_problems({"shares_pct": {"producers": 50, "consumers": 60, "social_fund": 0}})
    assert problems and problems[0].where == "regolamento.shares_pct" and "110" in problems[0].en


def test_compare_rule_sets():
    base = hand_base()
    cmp = compare(base, {"contribution": Regolamento(), "equal": Regolamento(consumers_key="equal")})
    a = next(m for m in cmp["members"] if m["id"] == "A")
    # A: contribution 57.13 + 21 = 78.13; equal: month 1 24.75 + 20, month 2 11 + 10 = 65.75
    assert a["net_eur"] == {"contribution": 78.13, "equal": 65.75} and a["diff_eur"] == {"equal": -12.38}
    hh = next(c for c in cmp["categories"] if c["category"] == "household")
    assert hh["net_eur"]["equal"] == 65.75


# ---------------------------------------------------------------------------------------------------
# invariants
# ---------------------------------------------------------------------------------------------------

CATEGORIES = list(MEMBER_CATEGORIES)
money = st.floats(0.0, 5000.0, allow_nan=False)


@st.composite
def bases(draw):
    n = draw(st.integers(1, 6))
    months = draw(st.integers(1, 3))
    plants = draw(st.integers(0, 3))
    arr = lambda shape: np.array(draw(st.lists(money, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))).reshape(shape)  # noqa: E731
    tip = arr((months,))
    return hand_base(
        member_ids=[f"m{i}" for i in range(n)], member_names=[f"m{i}" for i in range(n)],
        member_categories=draw(st.lists(st.sampled_from(CATEGORIES), min_size=n, max_size=n)),
        member_kinds=draw(st.lists(st.sampled_from(MEMBER_KINDS), min_size=n, max_size=n)),
        third_party=np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))),
        active=np.array(draw(st.lists(st.booleans(), min_size=n * months, max_size=n * months))).reshape(months, n),
        withdrawn_kwh=arr((months, n)), injected_kwh=arr((months, n)), contribution_kwh=arr((months, n)),
        bill_savings_eur=arr((months, n)), energy_sale_eur=arr((months, n)),
        plant_owner=np.array(draw(st.lists(st.integers(0, n - 1), min_size=plants, max_size=plants)), dtype=int),
        plant_incentivised_kwh=arr((months, plants)), plant_injected_kwh=arr((months, plants)),
        tip_eur=tip, valorisation_eur=arr((months,)), gse_fees_eur=arr((months,)) / 10,
        restricted_year_eur=float(tip.sum()) * draw(st.floats(0.0, 0.5)))


@st.composite
def rule_sets(draw):
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=3, max_size=3)))
    shares = dict(zip(("producers", "consumers", "social_fund", "running_costs"),
                      map(float, (cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 100 - cuts[2]))))
    return Regolamento(shares_pct=shares, consumers_key=draw(st.sampled_from(["contribution", "equal", "category"])),
                       category_weights={c: draw(st.floats(0, 3)) for c in CATEGORIES[:3]},
                       producers_key=draw(st.sampled_from(["incentivised", "injection"])),
                       third_party_eur_mwh=draw(st.one_of(st.none(), st.floats(0, 200))),
                       gse_fees=draw(st.booleans()), platform_eur_per_member_year=draw(st.floats(0, 50)),
                       platform_pct=draw(st.floats(0, 20)), insurance_eur_year=draw(st.floats(0, 500)),
                       referent_eur_year=draw(st.floats(0, 500)),
                       restricted_to=draw(st.sampled_from(["consumers", "social_fund"])))


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(bases(), rule_sets())
def test_split_invariants(base, rules):
    out = split(base, rules)
    assert_sums_to_pot(out)
    for k, row in enumerate(out["monthly"]):
        for i, m in enumerate(row["members"]):
            if base.member_categories[i] in ("sme", "large_enterprise", "other"):
                assert m["restricted_eur"] == 0.0  # never to an enterprise
            if not base.active[k, i]:
                assert m["net_eur"] == 0.0
            parts = sum(round(m[p] * 100) for p in ("producer_eur", "third_party_eur", "consumer_eur", "restricted_eur"))
            assert parts == round(m["net_eur"] * 100)
            lines = m["statement"]
            assert round(lines["from_tip_eur"] * 100) + round(lines["from_valorisation_eur"] * 100) \
                - round(lines["costs_share_eur"] * 100) == round(m["net_eur"] * 100)
    yearly_cents = sum(round(m["net_eur"] * 100) for m in out["members"])
    assert yearly_cents == sum(round(r["members_eur"] * 100) for r in out["monthly"])


# ---------------------------------------------------------------------------------------------------
# Shapley
# ---------------------------------------------------------------------------------------------------

def test_shapley_exact_three_members_by_hand():
    # one hour, 1 €/kWh: A injects 10, B and C withdraw 6 each.
    # v(AB) = v(AC) = 6, v(ABC) = 10, every other coalition 0. Over the 6 orders A's marginals are
    # 0, 0, 6, 10, 6, 10 → 32/6; B's are 6, 4, 0, 0, 4, 0 → 14/6; C the same as B.
    inj = np.array([[10.0, 0.0, 0.0]])
    wd = np.array([[0.0, 6.0, 6.0]])
    phi = shapley_exact(inj, wd, np.array([1.0]))
    np.testing.assert_allclose(phi, [32 / 6, 14 / 6, 14 / 6])
    assert phi.sum() == pytest.approx(10.0)


def test_shapley_two_hours_weights_and_null_player():
    # hour 1 (2 €/kWh): A injects 4, B withdraws 4 → 8 € split 4/4; hour 2 (1 €/kWh): B injects 3, A withdraws 5
    # → 3 € split 1.5/1.5. D never injects nor withdraws: 0.
    inj = np.array([[4.0, 0.0, 0.0], [0.0, 3.0, 0.0]])
    wd = np.array([[0.0, 4.0, 0.0], [5.0, 0.0, 0.0]])
    values, errors, method = shapley_game(inj, wd, np.array([2.0, 1.0]))
    assert method == "exact"
    np.testing.assert_allclose(values, [5.5, 5.5, 0.0])
    assert errors.tolist() == [0.0, 0.0, 0.0]


def test_shapley_sampled_close_to_exact_and_efficient():
    rng = np.random.default_rng(7)
    inj = rng.random((200, 7)) * (rng.random((200, 7)) > 0.6)
    wd = rng.random((200, 7))
    w = rng.random(200)
    exact = shapley_exact(inj, wd, w)
    sampled, stderr = shapley_sampled(inj, wd, w, 400)
    assert sampled.sum() == pytest.approx(exact.sum())
    assert np.all(np.abs(sampled - exact) <= 5 * stderr + 1e-9)
    values, errors, method = shapley_game(inj, wd, w, exact_max=5, permutations=100)
    assert method == "sampled" and (errors > 0).all()


def _sampled_by_cumulative_sums(inj, wd, w, permutations, seed=0):
    """The sampled Shapley values as first written (issue 16's reference): each order and its reverse
    gathered into (players, orders, hours) arrays and summed cumulatively, the same random orders."""
    n = inj.shape[1]
    rng = np.random.default_rng(seed)
    inj_t, wd_t = inj.T, wd.T
    pairs = max(2, permutations // 2)
    pair_means = np.zeros((pairs, n))
    batch = max(1, 2_000_000 // max(1, inj.shape[0] * n))
    for start in range(0, pairs, batch):
        count = min(batch, pairs - start)
        orders = np.array([rng.permutation(n) for _ in range(count)])
        for o in (orders, orders[:, ::-1]):
            prefix = (np.minimum(np.cumsum(inj_t[o.T], axis=0), np.cumsum(wd_t[o.T], axis=0)) @ w).T
            back = np.empty_like(prefix)
            np.put_along_axis(back, o, np.diff(prefix, axis=1, prepend=0.0), axis=1)
            pair_means[start:start + count] += back / 2.0
    return pair_means.mean(axis=0), pair_means.std(axis=0, ddof=1) / np.sqrt(pairs)


@pytest.mark.parametrize("players, hours, block", [(7, 200, 65_536), (23, 300, 600), (40, 50, 1)])
def test_shapley_sampled_walk_matches_the_cumulative_sums(players, hours, block, monkeypatch):
    # the walk (running sums, reversed orders as complements) draws the same orders from the same seed
    # as the cumulative sums it replaced: same estimates and errors to rounding (far inside the error),
    # whatever the block of orders walked together.
    import cer_core.money.shapley as shapley

    monkeypatch.setattr(shapley, "CACHE_VALUES", block)
    rng = np.random.default_rng(players)
    inj = rng.random((hours, players)) * (rng.random((hours, players)) > 0.7)
    wd = rng.random((hours, players))
    w = rng.random(hours)
    ref, ref_err = _sampled_by_cumulative_sums(inj, wd, w, 60, seed=3)
    got, err = shapley.shapley_sampled(inj, wd, w, 60, seed=3)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(err, ref_err, rtol=1e-9, atol=1e-9)
    assert got.sum() == pytest.approx(float(np.minimum(inj.sum(axis=1), wd.sum(axis=1)) @ w), rel=1e-12)


# ---------------------------------------------------------------------------------------------------
# on a simulated community: the summary, the files, the scenario field, the draft
# ---------------------------------------------------------------------------------------------------

def test_summary_allocation_on_a_simulated_community(write_scenario, tmp_path):
    from test_scenario import base_doc, base_files

    from cer_core.api import run
    from cer_core.export.files import write_results
    from cer_core.workspace import open_workspace

    doc = base_doc()
    doc["regolamento"] = {"consumers_key": "equal", "costs": {"insurance_eur_year": 120.0}}
    outcome = run(open_workspace(write_scenario(doc, base_files())))
    alloc = outcome.summary["allocation"]
    assert alloc["rules"]["consumers_key"] == "equal" and alloc["rules"]["costs"]["insurance_eur_year"] == 120.0
    assert len(alloc["monthly"]) == 12
    totals = outcome.summary["totals"]
    assert sum(r["pot_eur"] for r in alloc["monthly"]) == pytest.approx(totals["tip_eur"] + totals["valorisation_eur"],
                                                                         abs=0.06)
    for row in alloc["monthly"]:
        assert row["breakdown"]["insurance_eur"] == 10.0
        cents = sum(round(m["net_eur"] * 100) for m in row["members"]) + sum(
            round(row[k] * 100) for k in ("social_fund_eur", "costs_eur", "running_costs_eur"))
        assert cents == round(row["pot_eur"] * 100)
    shap = sum(m["shapley_eur"] for m in alloc["members"])
    assert shap == pytest.approx(totals["tip_eur"] + totals["valorisation_eur"], rel=1e-9)
    paths = write_results(outcome.results, tmp_path / "out")
    names = [p.name for p in paths]
    assert "allocation_monthly.csv" in names and "allocation_members.csv" in names
    import pandas as pd

    members_csv = pd.read_csv(tmp_path / "out" / "allocation_members.csv")
    assert len(members_csv) == 12 * len(doc["members"])
    assert members_csv["net_eur"].sum() == pytest.approx(sum(m["net_eur"] for m in alloc["members"]), abs=1e-6)


def test_scenario_regolamento_and_dates_validated():
    from test_scenario import base_doc

    from cer_core.scenario import parse_scenario

    doc = base_doc()
    doc["regolamento"] = {"consumers_key": "by_size", "shares_pct": {"producers": 80}}
    doc["members"][0]["joined"] = "2024-05-01"
    doc["members"][0]["left"] = "2024-02-01"
    sc, problems = parse_scenario(doc)
    assert sc is None
    assert any(p.where == "regolamento.consumers_key" for p in problems)
    doc["regolamento"] = {"shares_pct": {"producers": 80}}
    sc, problems = parse_scenario(doc)
    wheres = {p.where for p in problems if p.severity == "error"}
    assert {"regolamento.shares_pct", "members[0].left"} <= wheres
    doc["regolamento"] = {"shares_pct": {"producers": 45, "consumers": 50}}
    del doc["members"][0]["left"]
    sc, problems = parse_scenario(doc)
    assert sc is not None and sc.membership[doc["members"][0]["id"]][0] == dt.date(2024, 5, 1)
    assert Regolamento.from_dict(sc.regolamento).fraction("producers") == 0.45


@pytest.mark.parametrize("lang", ["it", "en"])
def test_draft_text_says_the_rules(lang):
    from cer_core.regolamento_text import draft

    text = draft(Regolamento(third_party_eur_mwh=20.0, platform_eur_per_member_year=12.0), lang)
    assert ("40 % ai produttori" if lang == "it" else "40 % to producers") in text
    assert ("20 €/MWh" in text) and ("12 €" in text)
    assert ("mai" in text or "In nessun caso" in text) if lang == "it" else "never goes to an enterprise" in text
    other = draft(Regolamento(consumers_key="equal", restricted_to="social_fund"), lang)
    assert ("parti uguali" if lang == "it" else "equal parts") in other and other != text


@pytest.mark.slow
def test_allocation_sheet_in_the_workbook(write_scenario):
    import io

    from openpyxl import load_workbook
    from test_scenario import base_doc, base_files

    from cer_core.api import run
    from cer_core.export.xlsx import results_workbook
    from cer_core.workspace import open_workspace

    outcome = run(open_workspace(write_scenario(base_doc(), base_files())))
    for lang, title in (("it", "Ripartizione"), ("en", "Allocation")):
        wb = load_workbook(io.BytesIO(results_workbook(outcome.results, lang)), read_only=True)
        rows = list(wb[title].iter_rows(values_only=True))
        members = outcome.summary["allocation"]["members"]
        assert rows[0][0] == ("Membro" if lang == "it" else "Member")
        assert [r[0] for r in rows[1:1 + len(members)]] == [m["id"] for m in members]
        assert sum(r[8] for r in rows[1:1 + len(members)]) == pytest.approx(sum(m["net_eur"] for m in members))


def test_cli_simulate_writes_the_allocation(write_scenario, tmp_path):
    import json

    from test_scenario import base_doc, base_files

    from cer_core.cli import main

    out = tmp_path / "out"
    assert main(["simulate", str(write_scenario(base_doc(), base_files())), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    alloc = summary["allocation"]
    assert len(alloc["monthly"]) == 12 and alloc["rules"]["consumers_key"] == "contribution"
    assert all({"id", "net_eur", "restricted_eur"} <= set(m) for m in alloc["monthly"][0]["members"])
    assert all("shapley_eur" in m for m in alloc["members"]) and alloc["shapley"]["method"] == "exact"
    assert (out / "allocation_monthly.csv").read_text(encoding="utf-8").startswith("month,pot_eur,costs_eur")


def test_statement_lines_tip_valorisation_costs_by_hand():
    out = split(hand_base(), Regolamento())
    a = member(out, 0, "A")["statement"]
    # month 1: costs 10 € out of a pot of 120 €, 110 € handed out; A's net 57.13 € bears 10 × 57.13/110 = 5.19 €;
    # gross 62.32 € = TIP 100/120 → 51.93 € + valorisation 10.39 €
    assert a == {"from_tip_eur": 51.93, "from_valorisation_eur": 10.39, "costs_share_eur": 5.19}
    for k in (0, 1):
        for m in out["monthly"][k]["members"]:
            st_ = m["statement"]
            assert round((st_["from_tip_eur"] + st_["from_valorisation_eur"] - st_["costs_share_eur"]) * 100) == \
                round(m["net_eur"] * 100)
    year = {m["id"]: m for m in out["members"]}["A"]["statement"]
    assert year["costs_share_eur"] == pytest.approx(5.19 + 4.20)  # month 2: 10 × 21 (A's net) / 50 handed out


def test_tiny_weights_keep_their_pool_and_zero_items_get_no_cent():
    # a subnormal weight (found by hypothesis): the producers' pool must not vanish in an underflow,
    # and the rounding must never hand a cent of float noise to an item worth nothing
    base = hand_base(active=np.array([[True, True, True], [False, False, True]]),
                     plant_injected_kwh=np.array([[0.0, 0.0], [5e-324, 0.0]]), plant_owner=np.array([2, 0]))
    out = split(base, Regolamento(producers_key="injection", restricted_to="social_fund"))
    assert member(out, 1, "C")["producer_eur"] == 16.0
    assert member(out, 1, "A")["net_eur"] == 0.0 and member(out, 1, "B")["net_eur"] == 0.0
    assert largest_remainder_cents(np.array([0.0, 0.0, 0.999999999]), 100).tolist() == [0, 0, 100]


# ---------------------------------------------------------------------------------------------------
# the split's records built in bulk: identical to the per-member builders they replaced (issue 16)
# ---------------------------------------------------------------------------------------------------

def _reference_split(base: AllocationBase, rules: Regolamento) -> dict:
    """The split as first written: member records built one member and one number at a time."""
    from cer_core.money.allocation import (GROSS_PARTS, MEMBER_PARTS, _categories, _month_exact, gross_parts_cents,
                                     largest_remainder_cents)

    def eur(c):
        return round(int(c) / 100.0, 2)

    def record(k, mc, cc, pot, gc):
        costs = cc["gse_fees_eur"] + cc["platform_eur"] + cc["insurance_eur"] + cc["referent_eur"]
        fund = cc["fund_share_eur"] + cc["fund_restricted_eur"] + cc["fund_unassigned_eur"]
        members = [{"id": mid, "active": bool(base.active[k, i]),
                    "withdrawn_kwh": float(base.withdrawn_kwh[k, i]), "injected_kwh": float(base.injected_kwh[k, i]),
                    "contribution_kwh": float(base.contribution_kwh[k, i]),
                    **{p: eur(mc[i, j]) for j, p in enumerate(MEMBER_PARTS)}, "net_eur": eur(mc[i].sum()),
                    "statement": {p: eur(gc[i, j]) for j, p in enumerate(GROSS_PARTS)},
                    "outside_pot": {"energy_sale_eur": float(base.energy_sale_eur[k, i]),
                                    "bill_savings_eur": float(base.bill_savings_eur[k, i])}}
                   for i, mid in enumerate(base.member_ids)]
        breakdown = {"tip_eur": float(base.tip_eur[k]), "valorisation_eur": float(base.valorisation_eur[k]),
                     **{p: eur(mc[:, j].sum()) for j, p in enumerate(MEMBER_PARTS)},
                     **{p: eur(v) for p, v in cc.items()}}
        return {"month": k + 1, "pot_eur": eur(round(pot * 100.0)), "costs_eur": eur(costs),
                "running_costs_eur": eur(cc["running_costs_eur"]), "social_fund_eur": eur(fund),
                "members_eur": eur(mc.sum()), "restricted_approximate": True, "breakdown": breakdown,
                "members": members}

    from cer_core.money.allocation import COMMUNITY_PARTS

    n = len(base.member_ids)
    monthly, member_cents = [], np.zeros((base.n_months, n, len(MEMBER_PARTS)), dtype=np.int64)
    gross_cents = np.zeros((base.n_months, n, len(GROSS_PARTS)), dtype=np.int64)
    for k in range(base.n_months):
        pot, parts, comm = _month_exact(base, rules, k)
        values = np.concatenate([parts.ravel(), [comm[c] for c in COMMUNITY_PARTS]])
        cents = largest_remainder_cents(values, int(round(pot * 100.0)))
        member_cents[k] = cents[:parts.size].reshape(parts.shape)
        cc = dict(zip(COMMUNITY_PARTS, (int(x) for x in cents[parts.size:])))
        gross_cents[k] = gross_parts_cents(member_cents[k].sum(axis=1), base.tip_eur[k], base.valorisation_eur[k],
                                           cc["gse_fees_eur"] + cc["platform_eur"] + cc["insurance_eur"]
                                           + cc["referent_eur"])
        monthly.append(record(k, member_cents[k], cc, pot, gross_cents[k]))
    years = []
    for i, mid in enumerate(base.member_ids):
        year, gross = member_cents[:, i, :].sum(axis=0), gross_cents[:, i, :].sum(axis=0)
        years.append({
            "id": mid, "name": base.member_names[i], "category": base.member_categories[i],
            "kind": base.member_kinds[i], "third_party_producer": bool(base.third_party[i]),
            "months_active": int(base.active[:, i].sum()),
            "withdrawn_kwh": float(base.withdrawn_kwh[:, i].sum()), "injected_kwh": float(base.injected_kwh[:, i].sum()),
            "contribution_kwh": float(base.contribution_kwh[:, i].sum()),
            **{p: eur(year[j]) for j, p in enumerate(MEMBER_PARTS)}, "net_eur": eur(year.sum()),
            "statement": {p: eur(gross[j]) for j, p in enumerate(GROSS_PARTS)},
            "outside_pot": {"energy_sale_eur": float(base.energy_sale_eur[:, i].sum()),
                            "bill_savings_eur": float(base.bill_savings_eur[:, i].sum())}})
    return {"rules": rules.to_dict(), "monthly": monthly, "members": years,
            "categories": _categories(base, member_cents)}


def _synthetic_base(n: int, plants: int, seed: int) -> AllocationBase:
    rng = np.random.default_rng(seed)
    kinds = rng.choice(["consumer", "prosumer", "producer"], n, p=[0.7, 0.25, 0.05])
    active = np.ones((12, n), dtype=bool)
    active[:3, ::17] = False
    wd = rng.random((12, n)) * 300
    return AllocationBase(
        member_ids=[f"m{i}" for i in range(n)], member_names=[f"M {i}" for i in range(n)],
        member_categories=list(rng.choice(["domestico", "pmi", "ente_pubblico", "terzo_settore"], n)),
        member_kinds=list(kinds), third_party=rng.random(n) < 0.02, active=active, withdrawn_kwh=wd,
        injected_kwh=rng.random((12, n)) * 100 * (kinds != "consumer"), contribution_kwh=wd * rng.random((12, n)),
        bill_savings_eur=rng.random((12, n)) * 20, energy_sale_eur=rng.random((12, n)) * 10,
        plant_owner=rng.choice(np.flatnonzero(kinds != "consumer"), plants),
        plant_incentivised_kwh=rng.random((12, plants)) * 5000, plant_injected_kwh=rng.random((12, plants)) * 6000,
        tip_eur=rng.random(12) * 4000, valorisation_eur=rng.random(12) * 400, gse_fees_eur=rng.random(12) * 30,
        restricted_year_eur=1234.5)


SPLIT_RULES = [Regolamento(), preset("equal"),
               Regolamento(consumers_key="category", category_weights={"pmi": 2.0}, third_party_eur_mwh=12.0,
                           restricted_to="social_fund", platform_pct=1.5, insurance_eur_year=300.0)]


@pytest.mark.parametrize("rules", SPLIT_RULES)
def test_split_identical_to_per_member_records_on_400_members(rules):
    import json

    base = _synthetic_base(400, 40, seed=400)
    new, ref = split(base, rules), _reference_split(base, rules)
    assert new == ref
    assert json.dumps(new) == json.dumps(ref)  # same keys in the same order, same floats


def test_split_identical_to_per_member_records_on_the_demo():
    import json

    from cer_core.money.allocation import base_from_results
    from cer_core.api import demo_workspace, run

    outcome = run(demo_workspace(), shapley=False)
    base = base_from_results(outcome.results, outcome.scenario)
    for rules in SPLIT_RULES:
        assert json.dumps(split(base, rules)) == json.dumps(_reference_split(base, rules))
