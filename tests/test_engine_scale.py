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
    monkeypatch.setattr(engine, "_member_records", old_member_records)
    monkeypatch.setattr(engine, "_plant_records", old_plant_records)


def _bench_build():
    spec = importlib.util.spec_from_file_location("bench_engine", ROOT / "benchmarks" / "bench_engine.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build


def test_demo_results_as_before(monkeypatch):
    new = run(demo_workspace(), shapley=False).summary
    with monkeypatch.context() as m:
        _old_engine(m)
        old = run(demo_workspace(), shapley=False).summary
    assert_close(new, old)


@pytest.mark.parametrize("n_members", [40, 400, 1000])
def test_synthetic_results_as_before(monkeypatch, n_members):
    inputs = _bench_build()(n_members, n_cabine=4)
    new = engine.simulate(inputs)
    with monkeypatch.context() as m:
        _old_engine(m)
        old = engine.simulate(inputs)
    assert_close(new.summary, old.summary)
    np.testing.assert_array_equal(new.members.withdrawn_kwh, old.members.withdrawn_kwh)


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
