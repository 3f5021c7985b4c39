"""The engine's faster helpers (issue 16) give the same results as before: within 1e-9 relative, on the demo
and on synthetic communities. The previous helpers are kept here as the reference."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest
from conftest import ROOT

from cer_core import engine
from cer_core.api import demo_workspace, run


def old_monthly_sum(values, year):
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] > 8:
        months = engine.local_month(year)
        indicator = (months[None, :] == np.arange(1, 13)[:, None]).astype(float)
        return indicator @ values
    return np.add.reduceat(values, engine.month_starts(year), axis=0)


def old_member_records(sc, flows, savings, sale, tip, plant_member):
    """The member records as the engine built them from whole (hours, members) matrices."""
    sums = {k: getattr(flows, k).sum(axis=0) for k in
            ("load_kwh", "production_kwh", "self_consumed_kwh", "injected_kwh", "withdrawn_kwh")}
    monthly = engine._monthly_columns(sc.year, consumption_kwh=flows.load_kwh, production_kwh=flows.production_kwh,
                                      self_consumed_kwh=flows.self_consumed_kwh, injected_kwh=flows.injected_kwh,
                                      withdrawn_kwh=flows.withdrawn_kwh, bill_savings_eur=savings)
    sale_by_member = np.zeros(len(sc.members))
    tip_by_member = np.zeros(len(sc.members))
    np.add.at(sale_by_member, plant_member, sale.sum(axis=0))
    np.add.at(tip_by_member, plant_member, tip.sum(axis=0))
    out = []
    for i, m in enumerate(sc.members):
        out.append({
            "id": m.id, "name": m.name, "kind": m.kind, "category": m.category, "cabina": m.cabina,
            "load_source": (m.load or {}).get("source"),
            "consumption_kwh": float(sums["load_kwh"][i]), "production_kwh": float(sums["production_kwh"][i]),
            "self_consumed_kwh": float(sums["self_consumed_kwh"][i]), "injected_kwh": float(sums["injected_kwh"][i]),
            "withdrawn_kwh": float(sums["withdrawn_kwh"][i]), "bill_savings_eur": float(savings[:, i].sum()),
            "energy_sale_eur": float(sale_by_member[i]), "tip_generated_eur": float(tip_by_member[i]),
            "self_sufficiency_ratio": float(sums["self_consumed_kwh"][i] / sums["load_kwh"][i])
            if sums["load_kwh"][i] > 0 else 0.0,
            "monthly": engine._column(monthly, i),
        })
    return out


def whole_matrix_member_records(inputs, results):
    """:func:`old_member_records` on the whole year's member matrices of ``results`` (recomputed)."""
    from cer_core.bands import band_of_hour
    from cer_core.constants import Parameters
    from cer_core.money.economics import energy_sale_eur

    sc = inputs.scenario
    flows = results.members.flows()
    params = Parameters.from_overrides(sc.rules, sc.economics)
    savings = engine._bill_savings(sc.members, flows.self_consumed_kwh,
                                   band_of_hour(sc.year, bool(sc.rules.get("include_4_october", True))), params)
    sale = energy_sale_eur(results.plant_injected_kwh, results.zonal_price_eur_mwh)
    tip = results.plant_incentivised_kwh * results.plant_tip_rate_eur_mwh / 1000.0
    owner = np.array([results.member_ids.index(p) for p in (pl.member for pl in sc.plants)], dtype=int)
    return old_member_records(sc, flows, savings, sale, tip, owner)


def old_plant_records(sc, energy, money, layout):
    prod, inj, incent, tip = energy.production_kwh, energy.injected_kwh, energy.incentivised_kwh, money.tip_eur
    monthly = engine._monthly_columns(sc.year, production_kwh=prod, injected_kwh=inj, shared_kwh=energy.shared_kwh,
                                      incentivised_kwh=incent, tip_eur=tip, energy_sale_eur=money.energy_sale_eur)
    out = []
    for j, p in enumerate(sc.plants):
        adm = energy.admissions[j]
        produced = float(prod[:, j].sum())
        inc = float(incent[:, j].sum())
        out.append({
            "id": p.id, "name": p.name, "member": p.member,
            "cabina": layout.cabina_ids[layout.plant_cabina[j]], "kwp": p.kwp,
            "commissioning": p.commissioning.isoformat(), "grant_pct": p.grant_pct,
            "tariff_excluded_kw": p.tariff_excluded_kw, "tariff_fraction": float(energy.tariff_fraction[j]),
            "grant_cut_exemption_eur": float(money.grant_cut_exemption_eur[:, j].sum()),
            "tip_class": f"≤{engine.tip_class(p.kwp).max_kw:g} kW" if p.kwp <= 600 else ">600 kW",
            "admitted": adm.admitted, "admission_code": adm.reason_code, "admission_it": adm.it,
            "admission_en": adm.en, "tariff_end": engine._tariff_end_iso(p.commissioning),
            "eligible_hours": int(energy.eligible[:, j].sum()),
            "production_kwh": produced, "specific_yield_kwh_kwp": produced / p.kwp if p.kwp > 0 else 0.0,
            "injected_kwh": float(inj[:, j].sum()), "shared_kwh": float(energy.shared_kwh[:, j].sum()),
            "incentivised_kwh": inc, "tip_eur": float(tip[:, j].sum()),
            "mean_tip_rate_eur_mwh": float(tip[:, j].sum() * 1000.0 / inc) if inc > 0 else 0.0,
            "energy_sale_eur": float(money.energy_sale_eur[:, j].sum()),
            "rid_min_price_topup_eur": float(money.rid_topup_eur[j]),
            "rid_fee_eur": float(money.rid_fee_eur[j]), "gse_fee_eur": float(money.gse_fee_plant_eur[j]),
            "monthly": engine._column(monthly, j),
        })
    return out


def assert_close(new, old, path="summary"):
    """Same structure, same texts, numbers within 1e-9 relative (1e-9 absolute near zero)."""
    if isinstance(old, dict):
        assert isinstance(new, dict) and list(new) == list(old), path
        for k in old:
            assert_close(new[k], old[k], f"{path}.{k}")
    elif isinstance(old, (list, tuple)):
        assert len(new) == len(old), path
        for i, (a, b) in enumerate(zip(new, old)):
            assert_close(a, b, f"{path}[{i}]")
    elif isinstance(old, (float, np.floating)) and not isinstance(old, bool):
        assert math.isclose(float(new), float(old), rel_tol=1e-9, abs_tol=1e-9), f"{path}: {new} != {old}"
    else:
        assert new == old, f"{path}: {new!r} != {old!r}"


def _old_engine(monkeypatch):
    monkeypatch.setattr(engine, "monthly_sum", old_monthly_sum)
    monkeypatch.setattr(engine, "_plant_records", old_plant_records)


def _bench_build():
    spec = importlib.util.spec_from_file_location("bench_engine", ROOT / "benchmarks" / "bench_engine.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build


def test_demo_results_as_before(monkeypatch):
    from cer_core.api import build_inputs, validate

    new = run(demo_workspace(), shapley=False)
    with monkeypatch.context() as m:
        _old_engine(m)
        old = run(demo_workspace(), shapley=False).summary
    assert_close(new.summary, old)
    ws = demo_workspace()
    inputs, _ = build_inputs(validate(ws)[0], ws)
    assert_close(new.summary["members"], whole_matrix_member_records(inputs, new.results))


def engine_blas_threads():
    """The engine's BLAS threads, for products compared bit for bit with the engine's."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=engine.BLAS_THREADS, user_api="blas")


def _arrays(r):
    return {"cabine.injected_kwh": r.cabine.injected_kwh, "cabine.withdrawn_kwh": r.cabine.withdrawn_kwh,
            "cabine.shared_kwh": r.cabine.shared_kwh, "plant_injected_kwh": r.plant_injected_kwh,
            "plant_shared_kwh": r.plant_shared_kwh, "plant_incentivised_kwh": r.plant_incentivised_kwh,
            "plant_tip_rate_eur_mwh": r.plant_tip_rate_eur_mwh}


def assert_same_year(new, old, exact=False):
    """Two simulated years agree: summary within 1e-9 relative, hourly arrays too (or bit for bit)."""
    if exact:
        assert new.summary == old.summary
    else:
        assert_close(new.summary, old.summary)
    for name, a in _arrays(old).items():
        if exact:
            np.testing.assert_array_equal(_arrays(new)[name], a, err_msg=name)
        else:
            np.testing.assert_allclose(_arrays(new)[name], a, rtol=1e-9, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("n_members", [40, 400, 1000])
@pytest.mark.parametrize("block_bytes", [None, 64 * 2**10])
def test_blocked_pass_agrees_with_the_unblocked_one(monkeypatch, n_members, block_bytes):
    """Blocks of hours (default size, and 64 KiB: several blocks a month even at 40 members) against one
    block for the whole year, which is the whole-matrix arithmetic (compared with the previous member
    records built from whole matrices)."""
    inputs = _bench_build()(n_members, n_cabine=4)
    assert len(engine.hour_blocks(2024, n_members, 64 * 2**10)) > 12
    blocked = engine.simulate(inputs, block_bytes=block_bytes)
    whole = engine.simulate(inputs, block_bytes=math.inf)
    assert_same_year(blocked, whole, exact=n_members == 40 and block_bytes is None)
    assert_close(whole.summary["members"], whole_matrix_member_records(inputs, whole))
    np.testing.assert_array_equal(blocked.members.withdrawn_kwh, whole.members.withdrawn_kwh)


def test_unblocked_pass_is_the_whole_matrix_arithmetic():
    """One block: cabina flows, plant injection and hourly sums are those of whole (hours, members) matrices,
    bit for bit (the previous engine's, so the demo's files stay byte-identical)."""
    from cer_core.sharing import cabina_flows, plant_injection

    inputs = _bench_build()(400, n_cabine=4)
    r = engine.simulate(inputs, block_bytes=math.inf)
    flows = r.members.flows()
    cab_index = [r.cabina_ids.index(c) for c in r.member_cabina]
    with engine_blas_threads():
        cab = cabina_flows(flows, np.array(cab_index), len(r.cabina_ids))
    for name in ("injected_kwh", "withdrawn_kwh", "shared_kwh"):
        np.testing.assert_array_equal(getattr(r.cabine, name), getattr(cab, name))
    owner = np.array([r.member_ids.index(p.member) for p in inputs.scenario.plants])
    np.testing.assert_array_equal(r.plant_injected_kwh, plant_injection(flows, r.plant_production_kwh, owner))
    monthly = r.summary["monthly"]
    for key, name in (("consumption_kwh", "load_kwh"), ("withdrawn_kwh", "withdrawn_kwh"),
                      ("self_consumed_kwh", "self_consumed_kwh")):
        expected = old_monthly_sum(getattr(flows, name).sum(axis=1), 2024)
        assert [row[key] for row in monthly] == expected.tolist()


def test_blocked_pass_with_band_prices_and_negative_loads():
    """Members priced by band (owners and not), a consumer's negative load in some hours (its blocks go the
    whole way) and two plants of one owner: blocked and unblocked passes agree."""
    import dataclasses

    inputs = _bench_build()(400, n_cabine=3)
    sc = inputs.scenario
    members = list(sc.members)
    bands = {"F1": 0.31, "F2": 0.24, "F3": 0.17}
    for i in (0, 3, 5, 10, 399):  # 0, 5 and 10 own plants
        members[i] = dataclasses.replace(members[i], avoided_price_eur_kwh=bands)
    plants = list(sc.plants) + [dataclasses.replace(sc.plants[1], id="extra")]
    load = inputs.load_kwh.copy()
    load[2000:2100, 7] = -0.2
    prod = np.column_stack([inputs.plant_production_kwh, inputs.plant_production_kwh[:, 1] * 0.5])
    inputs = dataclasses.replace(inputs, scenario=dataclasses.replace(sc, members=tuple(members), plants=tuple(plants)),
                                 load_kwh=load, plant_production_kwh=prod)
    whole = engine.simulate(inputs, block_bytes=math.inf)
    assert_same_year(engine.simulate(inputs), whole)
    assert_same_year(engine.simulate(inputs, block_bytes=64 * 2**10), whole)
    assert_close(whole.summary["members"], whole_matrix_member_records(inputs, whole))
    seven = whole.summary["members"][7]  # a consumer: with a negative load, it withdraws only the positive part
    assert seven["withdrawn_kwh"] == pytest.approx(seven["consumption_kwh"] + 0.2 * 100)
    assert engine.simulate(inputs).summary["members"][7]["withdrawn_kwh"] == pytest.approx(seven["withdrawn_kwh"])


def test_hour_blocks_cover_the_year_month_by_month():
    starts = set(engine.month_starts(2024).tolist())
    assert engine.hour_blocks(2024, 40) == [(0, 8784)]
    assert engine.hour_blocks(2024, 10_000, math.inf) == [(0, 8784)]
    for n, budget in ((400, None), (10_000, None), (1000, 2**16), (10**6, 1.0)):
        blocks = engine.hour_blocks(2024, n, budget)
        assert blocks[0][0] == 0 and blocks[-1][1] == 8784
        assert all(b0[1] == b1[0] for b0, b1 in zip(blocks[:-1], blocks[1:]))
        rows = max(1, int((budget or engine.BLOCK_BYTES) // (8 * n)))
        assert all(0 < b - a <= rows for a, b in blocks)
        # no block crosses the start of a month
        assert not any(s for a, b in blocks for s in starts if a < s < b)


def test_member_flows_on_demand_are_the_member_balance():
    import pickle

    from cer_core.sharing import MemberFlowsOnDemand, member_balance, member_production

    rng = np.random.default_rng(5)
    load = rng.random((100, 6))
    plants = rng.random((100, 4)) * 2
    owner = np.array([1, 3, 1, 4])  # member 1 has two plants
    lazy = MemberFlowsOnDemand(load, plants, owner)
    whole = member_balance(load, member_production(plants, owner, 6))
    for name in ("load_kwh", "production_kwh", "self_consumed_kwh", "injected_kwh", "withdrawn_kwh"):
        np.testing.assert_array_equal(getattr(lazy, name), getattr(whole, name))
        np.testing.assert_array_equal(getattr(lazy.rows(10, 30), name), getattr(whole, name)[10:30])
        np.testing.assert_array_equal(getattr(pickle.loads(pickle.dumps(lazy)), name), getattr(whole, name))
    for i in range(6):
        np.testing.assert_array_equal(lazy.member_production_kwh(i), whole.production_kwh[:, i])
    assert lazy.shape == (100, 6)


def test_tip_rates_as_the_plant_by_plant_loop():
    """The table of distinct rates gives each plant the rate of the previous plant-by-plant loop."""
    from cer_core.money.incentives import tip_rate_eur_mwh, tip_rates_with_exemption

    import dataclasses

    inputs = _bench_build()(400, n_cabine=4)
    # pro rata: the (younger) grant plants get shared energy, so the exemption is worth something
    inputs = dataclasses.replace(inputs, scenario=dataclasses.replace(inputs.scenario, rules={"attribution": "pro_rata"}))
    r = engine.simulate(inputs)
    sc = inputs.scenario
    layout = engine._Layout.of(sc)
    with engine_blas_threads():
        energy = engine.energy_step(sc, layout, inputs.load_kwh, inputs.plant_production_kwh)
    pz = inputs.zonal_price_eur_mwh
    expected = np.zeros_like(energy.shared_kwh)
    for j, p in enumerate(sc.plants):
        if energy.admitted[j]:
            rate = cut = tip_rate_eur_mwh(p.kwp, pz, sc.site.macro_area, p.grant_pct, layout.params)
            if p.grant_pct > 0:
                full = tip_rate_eur_mwh(p.kwp, pz, sc.site.macro_area, 0.0, layout.params)
                rate = tip_rates_with_exemption(cut, full, energy.exempt_fraction[:, layout.plant_cabina[j]])
            expected[:, j] = np.where(energy.eligible[:, j], rate, 0.0)
    assert any(p.grant_pct > 0 for p in sc.plants)
    np.testing.assert_array_equal(r.plant_tip_rate_eur_mwh, expected)
    assert r.summary["totals"]["grant_cut_exemption_eur"] > 0


def test_monthly_sum_matches_the_indicator_product():
    rng = np.random.default_rng(3)
    values = rng.random((8784, 50))
    np.testing.assert_allclose(engine.monthly_sum(values, 2024), old_monthly_sum(values, 2024), rtol=1e-12)
    assert engine.monthly_sum(values[:, 0], 2024).shape == (12,)


def test_blas_threads_are_set_during_the_engine(monkeypatch):
    from threadpoolctl import threadpool_info

    seen = []
    real = engine.energy_step

    def spy(*args, **kwargs):
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "energy_step", spy)
    engine.simulate(_bench_build()(10))
    assert seen and set(seen) == {engine.BLAS_THREADS}


def test_bill_savings_identical_to_the_member_by_member_loop():
    import dataclasses

    from cer_core.bands import band_of_hour
    from cer_core.constants import Parameters

    inputs = _bench_build()(30)
    members = list(inputs.scenario.members)
    members[3] = dataclasses.replace(members[3], avoided_price_eur_kwh={"F1": 0.3, "F2": 0.25, "F3": 0.2})
    members[4] = dataclasses.replace(members[4], avoided_price_eur_kwh=0.27)
    params = Parameters.from_overrides({}, {})
    band = band_of_hour(2024, True)
    self_kwh = np.random.default_rng(1).random((len(band), len(members)))
    expected = np.empty_like(self_kwh)
    for i, m in enumerate(members):
        expected[:, i] = self_kwh[:, i] * engine.avoided_price_per_hour(m.avoided_price_eur_kwh, m.category, band,
                                                                         params)
    np.testing.assert_array_equal(engine._bill_savings(members, self_kwh, band, params), expected)
    assert engine._bill_savings([], self_kwh[:, :0], band, params).shape == (len(band), 0)
