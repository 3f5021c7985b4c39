"""Hourly energy flows: hand-computed cases and the domain vectors F and G."""

import numpy as np
import pytest

from cer_core.sharing import (attribute_shared, cabina_flows, member_balance, member_production,
                              plant_injection, sum_by_group)


def test_vector_f_hourly_not_annual_netting():
    # one CP, 3 hours: producer injects [10, 50, 30], consumer withdraws [40, 20, 30]
    load = np.array([[0.0, 40.0], [0.0, 20.0], [0.0, 30.0]])
    prod = np.array([[10.0, 0.0], [50.0, 0.0], [30.0, 0.0]])
    cab = cabina_flows(member_balance(load, prod), np.array([0, 0]), 1)
    np.testing.assert_allclose(cab.shared_kwh[:, 0], [10, 20, 30])
    assert cab.shared_kwh.sum() == 60.0  # annual netting would give 90


def test_vector_g_energy_across_cabine_never_counts():
    # CP1: inj 50 / wd 10 ; CP2: inj 0 / wd 40
    load = np.array([[0.0, 10.0, 40.0]])
    prod = np.array([[50.0, 0.0, 0.0]])
    cab = cabina_flows(member_balance(load, prod), np.array([0, 0, 1]), 2)
    np.testing.assert_allclose(cab.shared_kwh, [[10.0, 0.0]])
    assert cab.shared_kwh.sum() == 10.0


def test_member_balance_prosumer():
    flows = member_balance(np.array([[5.0], [8.0], [0.0]]), np.array([[3.0], [10.0], [4.0]]))
    np.testing.assert_allclose(flows.self_consumed_kwh[:, 0], [3, 8, 0])
    np.testing.assert_allclose(flows.injected_kwh[:, 0], [0, 2, 4])
    np.testing.assert_allclose(flows.withdrawn_kwh[:, 0], [2, 0, 0])


def test_member_production_sums_plants_of_same_owner():
    plant_kwh = np.array([[1.0, 2.0, 4.0]])
    out = member_production(plant_kwh, np.array([1, 1, 0]), 3)
    np.testing.assert_allclose(out, [[4.0, 3.0, 0.0]])


def test_plant_injection_split_by_production_share():
    load = np.array([[6.0]])
    prod_plants = np.array([[3.0, 9.0]])  # two plants behind the same POD
    flows = member_balance(load, member_production(prod_plants, np.array([0, 0]), 1))
    inj = plant_injection(flows, prod_plants, np.array([0, 0]))
    np.testing.assert_allclose(inj, [[1.5, 4.5]])  # 6 kWh injected, split 1:3
    np.testing.assert_allclose(inj.sum(), flows.injected_kwh.sum())


def test_chronological_oldest_first_ties_pro_rata():
    shared = np.array([[50.0], [10.0], [0.0]])
    inj = np.array([[30.0, 20.0, 40.0],
                    [30.0, 20.0, 40.0],
                    [30.0, 20.0, 40.0]])
    rank = np.array([2.0, 2.0, 1.0])  # plant 2 is the oldest; plants 0 and 1 tie
    out = attribute_shared(shared, inj, np.array([0, 0, 0]), rank, "chronological")
    # hour 0: oldest takes 40, the remaining 10 split 30:20 → 6, 4
    np.testing.assert_allclose(out[0], [6.0, 4.0, 40.0])
    np.testing.assert_allclose(out[1], [0.0, 0.0, 10.0])
    np.testing.assert_allclose(out[2], [0.0, 0.0, 0.0])


def test_pro_rata_attribution():
    shared = np.array([[45.0]])
    inj = np.array([[30.0, 20.0, 40.0]])
    out = attribute_shared(shared, inj, np.array([0, 0, 0]), np.array([3.0, 2.0, 1.0]), "pro_rata")
    np.testing.assert_allclose(out, [[15.0, 10.0, 20.0]])


def test_attribution_stays_within_each_cabina():
    shared = np.array([[10.0, 5.0]])
    inj = np.array([[20.0, 20.0, 8.0]])
    out = attribute_shared(shared, inj, np.array([0, 0, 1]), np.array([1.0, 2.0, 0.0]), "chronological")
    np.testing.assert_allclose(out, [[10.0, 0.0, 5.0]])


def test_attribution_without_plants_and_bad_method():
    assert attribute_shared(np.zeros((3, 1)), np.zeros((3, 0)), np.zeros(0, int)).shape == (3, 0)
    with pytest.raises(ValueError):
        attribute_shared(np.zeros((1, 1)), np.ones((1, 1)), np.array([0]), np.array([0.0]), "random")


def test_sum_by_group():
    values = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_allclose(sum_by_group(values, np.array([1, 0, 1]), 2), [[2.0, 4.0], [5.0, 10.0]])
