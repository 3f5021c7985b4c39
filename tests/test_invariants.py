"""Property-based invariants of the energy steps (hypothesis): balance, non-negativity, attribution."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cer_core.sharing import attribute_shared, cabina_flows, member_balance, member_production, plant_injection

energy = st.floats(min_value=0.0, max_value=1e4, allow_nan=False, allow_infinity=False)


@st.composite
def communities(draw):
    hours = draw(st.integers(1, 24))
    n_members = draw(st.integers(1, 6))
    n_plants = draw(st.integers(0, 5))
    n_cabine = draw(st.integers(1, 3))
    load = draw(arrays(float, (hours, n_members), elements=energy))
    prod = draw(arrays(float, (hours, n_plants), elements=energy))
    owner = np.array(draw(st.lists(st.integers(0, n_members - 1), min_size=n_plants, max_size=n_plants)), dtype=int)
    cabina = np.array(draw(st.lists(st.integers(0, n_cabine - 1), min_size=n_members, max_size=n_members)), dtype=int)
    rank = np.array(draw(st.lists(st.integers(0, 3), min_size=n_plants, max_size=n_plants)), dtype=float)
    return load, prod, owner, cabina, n_cabine, rank


@settings(max_examples=200, deadline=None)
@given(communities(), st.sampled_from(["chronological", "pro_rata"]))
def test_energy_invariants(community, method):
    load, prod, owner, cabina, n_cabine, rank = community
    flows = member_balance(load, member_production(prod, owner, load.shape[1]))
    np.testing.assert_allclose(flows.load_kwh, flows.self_consumed_kwh + flows.withdrawn_kwh)
    np.testing.assert_allclose(flows.production_kwh, flows.self_consumed_kwh + flows.injected_kwh, atol=1e-9)
    for arr in (flows.self_consumed_kwh, flows.injected_kwh, flows.withdrawn_kwh):
        assert (arr >= 0).all()
    cab = cabina_flows(flows, cabina, n_cabine)
    assert (cab.shared_kwh <= cab.injected_kwh + 1e-9).all()
    assert (cab.shared_kwh <= cab.withdrawn_kwh + 1e-9).all()
    p_inj = plant_injection(flows, prod, owner)
    assert (p_inj >= 0).all() and (p_inj <= prod + 1e-9).all()
    p_cab = cabina[owner] if len(owner) else np.zeros(0, int)
    got = attribute_shared(cab.shared_kwh, p_inj, p_cab, rank, method)
    assert (got >= -1e-12).all() and (got <= p_inj + 1e-9).all()
    for c in range(n_cabine):
        # everything shared in a cabina-hour is attributed to that cabina's plants (all incentivised here)
        np.testing.assert_allclose(got[:, p_cab == c].sum(axis=1), cab.shared_kwh[:, c], rtol=1e-9, atol=1e-6)
