"""Optimal plant sizes for the given members: a linear programme over the year's hours (``docs/economics.md``).

Variables: ``k_j`` the kWp of each plant (0 ≤ k_j ≤ its roof's kWp and the 1 MW limit), ``s_{i,h}`` the
self-consumption of each plant owner, ``x_{c,h}`` the shared energy of each cabina primaria, for every hour
in which some plant produces (at night nothing can be shared). Production is linear in kWp
(``u_{j,h}`` = the simulated kWh per kWp). Constraints, per hour:

- ``s_{i,h} ≤ load_{i,h}`` and ``s_{i,h} ≤ Σ_{j of i} u_{j,h} k_j`` (self-consumption ≤ load and ≤ production);
- ``x_{c,h} ≤ Σ_{i in c} (production − s)`` (≤ injection) and ``x_{c,h} ≤ Σ_{i in c} (load − s)`` (≤ withdrawal).

Objective, one of:

- ``cer_money``: Σ x × (TIP rate + valorisation). The TIP rate of a cabina-hour is the highest rate of its
  plants in that hour (each plant's class at its current size, its grant, its tariff window): with plants of
  different rates in one cabina the LP's money is an upper bound of the engine's chronological attribution.
  Without costs, more kWp never lowers this figure in a community of consumers, so the optimum is usually
  the largest sizes allowed.
- ``npv``: the community's NPV linearised: every €/kWh of year 1 is multiplied by its discounted 20- or
  25-year factor (degradation, escalation), capex (class of the plant's current size, less the grant),
  O&M, insurance, inverter and RID fee per kWp, plus bill savings ``s × avoided price`` and the sale of the
  injection at the zonal price. Financing is left out (it moves money between actors).

**Prosumers.** Physics sets ``s = min(load, production)``; an LP left free would keep ``s`` lower wherever a
shared kWh is worth more than a self-consumed one (an upper bound, not a design). A bonus on ``s`` just above
that difference makes ``s`` physical, so the LP's energy figures are the engine's at the optimal sizes; the
bonus also nudges prosumer plants towards more self-consumption, so with prosumers the sizes are a very good
feasible design rather than a proven optimum (exact for communities whose plants have no load behind them).
The bonus is not in the reported objective.

Each plant stays by default within the TIP power class of its current size (the rate the LP uses), capped
by its roof and 1 MW. Solved with HiGHS (``scipy.optimize.linprog(method="highs")``, SciPy's bundled HiGHS). The engine then
simulates the optimal sizes (:func:`cer_core.sizing.size_point`) so the page shows the engine's figures.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from . import constants as C
from .bands import band_of_hour
from .constants import Parameters
from .money.economics import avoided_price_per_hour
from .engine import SimulationInputs, plant_eligible_hours
from .money.incentives import tip_class, tip_rate_eur_mwh
from .investment import InvestmentParams, _growth, by_class, grant_eur
from .sizing import reduce, size_point

OBJECTIVES = ("cer_money", "npv")
#: Margin of the self-consumption bonus over the value of sharing the same kWh [D], €/kWh.
SELF_BONUS_EUR_KWH = 1e-3


def roof_limits_kwp(doc: dict) -> dict[str, float]:
    """Plant id → kWp that fits on the roof drawn for it (``plants[].roof``), for the plants that have one."""
    from .errors import CerInputError
    from .solar.roof import roof_suggestion

    out = {}
    for p in doc.get("plants", []) if isinstance(doc, dict) else []:
        roof = p.get("roof")
        if not isinstance(roof, dict):
            continue
        try:
            out[p["id"]] = float(roof_suggestion(roof, tilt_deg=float(p.get("tilt_deg", 0.0))).kwp)
        except (CerInputError, KeyError, TypeError, ValueError):
            continue
    return out


def annuity_factors(p: InvestmentParams, degradation_pct: float) -> dict[str, float]:
    """Discounted sums of the year-1 → year-y factors: tariff window, whole horizon, escalated, inflated."""
    n = int(p.horizon_years)
    disc = 1.0 / (1.0 + p.discount_rate_pct / 100.0) ** np.arange(n + 1)
    deg = _growth(-degradation_pct, n)
    window = (np.arange(n + 1) >= 1) & (np.arange(n + 1) <= int(p.tariff_years))
    return {"tip": float(np.sum(deg * window * disc)), "valorisation": float(np.sum(deg * disc)),
            "energy": float(np.sum(deg * _growth(p.price_escalation_pct_year, n) * disc)),
            "cost": float(np.sum(_growth(p.inflation_pct_year, n) * disc)), "disc": disc}


def _plant_rates(sc, pz: np.ndarray) -> np.ndarray:
    """(hours, plants) TIP rate [€/MWh] of each plant at its current class, 0 outside its window or if not admitted."""
    params = Parameters.from_overrides(sc.rules, sc.economics)
    eligible, admissions = plant_eligible_hours(sc.plants, sc.year)
    rates = np.zeros((len(pz), len(sc.plants)))
    for j, pl in enumerate(sc.plants):
        if admissions[j].admitted:
            rates[:, j] = np.where(eligible[:, j], tip_rate_eur_mwh(pl.kwp, pz, sc.site.macro_area, pl.grant_pct,
                                                                     params), 0.0)
    return rates


def optimal_sizes(base: SimulationInputs, objective: str = "npv", max_kwp: dict[str, float] | None = None,
                  check: bool = True, min_kwp: dict[str, float] | None = None, keep_tip_class: bool = True) -> dict:
    """The kWp of every plant that maximises ``objective`` for the given members.

    Parameters
    ----------
    base : SimulationInputs
        The simulated community (its production gives each plant's kWh per kWp).
    objective : {"npv", "cer_money"}
    max_kwp : dict, optional
        Plant id → upper bound [kWp] (e.g. :func:`roof_limits_kwp`); always capped at 1 MW.
    check : bool
        Simulate the optimal sizes with the engine and report its figures under ``engine``.
    min_kwp : dict, optional
        Plant id → lower bound [kWp] (equal to ``max_kwp`` to evaluate fixed sizes).
    keep_tip_class : bool
        Keep each plant within the TIP power class of its current size (≤ 200, ≤ 600 kW): the LP prices
        its shared energy at that class's rate, which a larger plant would not get (the sweep shows the jump).

    Returns
    -------
    dict
        ``kwp`` (plant id → kWp), ``bounds_kwp``, ``objective``, ``objective_eur`` (the LP's value),
        ``shared_kwh`` and ``self_consumed_kwh`` (the LP's), ``status``, ``seconds``, ``upper_bound`` (True
        when prosumers make the LP's figure an upper bound), ``engine`` (the engine's figures at those sizes).
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective {objective!r}; expected one of {OBJECTIVES}")
    t0 = time.perf_counter()
    sc = base.scenario
    params = Parameters.from_overrides(sc.rules, sc.economics)
    inv = InvestmentParams.from_economics(sc.economics)
    plants = list(sc.plants)
    if not plants:
        return {"kwp": {}, "status": "no_plants", "objective": objective, "objective_eur": 0.0}
    prod = np.asarray(base.plant_production_kwh, dtype=float)
    load = np.asarray(base.load_kwh, dtype=float)
    pz = np.asarray(base.zonal_price_eur_mwh, dtype=float)
    kwp_now = np.array([p.kwp for p in plants], dtype=float)
    unit = np.divide(prod, kwp_now, out=np.zeros_like(prod), where=kwp_now > 0)
    hours = np.flatnonzero(unit.sum(axis=1) > 0)
    T = len(hours)
    u = unit[hours]  # (T, P)
    m_index = {m.id: i for i, m in enumerate(sc.members)}
    owners = sorted({m_index[p.member] for p in plants})
    o_index = {i: k for k, i in enumerate(owners)}
    cabine = list(sc.cabina_ids)
    c_index = {c: k for k, c in enumerate(cabine)}
    member_cab = np.array([c_index[m.cabina] for m in sc.members])
    P, O, CN = len(plants), len(owners), len(cabine)
    n_k, n_s = P, O * T
    n_var = n_k + n_s + CN * T
    s_of = lambda o: n_k + o * T + np.arange(T)  # noqa: E731
    x_of = lambda c: n_k + n_s + c * T + np.arange(T)  # noqa: E731

    bounds_kwp = {p.id: min(C.MAX_PLANT_KW, float((max_kwp or {}).get(p.id, C.MAX_PLANT_KW)),
                            tip_class(p.kwp, params.tip_classes).max_kw if keep_tip_class else math.inf)
                  for p in plants}
    lb = np.zeros(n_var)
    ub = np.full(n_var, np.inf)
    ub[:P] = [bounds_kwp[p.id] for p in plants]
    lb[:P] = [min(float((min_kwp or {}).get(p.id, 0.0)), bounds_kwp[p.id]) for p in plants]
    for o, i in enumerate(owners):
        ub[s_of(o)] = load[hours, i]

    rows, cols, vals, rhs = [], [], [], []
    r = 0
    plant_owner = np.array([o_index[m_index[p.member]] for p in plants])
    plant_cab = np.array([member_cab[m_index[p.member]] for p in plants])
    owner_cab = np.array([member_cab[i] for i in owners])
    t_rows = np.arange(T)
    # (1) s_o,t − Σ_{j of o} u_j,t k_j ≤ 0
    for o in range(O):
        rows.append(r + t_rows), cols.append(s_of(o)), vals.append(np.ones(T))
        for j in np.flatnonzero(plant_owner == o):
            rows.append(r + t_rows), cols.append(np.full(T, j)), vals.append(-u[:, j])
        rhs.append(np.zeros(T))
        r += T
    cab_load = np.zeros((T, CN))
    np.add.at(cab_load.T, member_cab, load[hours].T)
    for c in range(CN):
        # (2) x_c,t − Σ_{j in c} u_j,t k_j + Σ_{o in c} s_o,t ≤ 0   (shared ≤ injection)
        rows.append(r + t_rows), cols.append(x_of(c)), vals.append(np.ones(T))
        for j in np.flatnonzero(plant_cab == c):
            rows.append(r + t_rows), cols.append(np.full(T, j)), vals.append(-u[:, j])
        for o in np.flatnonzero(owner_cab == c):
            rows.append(r + t_rows), cols.append(s_of(o)), vals.append(np.ones(T))
        rhs.append(np.zeros(T))
        r += T
        # (3) x_c,t + Σ_{o in c} s_o,t ≤ load_c,t   (shared ≤ withdrawal)
        rows.append(r + t_rows), cols.append(x_of(c)), vals.append(np.ones(T))
        for o in np.flatnonzero(owner_cab == c):
            rows.append(r + t_rows), cols.append(s_of(o)), vals.append(np.ones(T))
        rhs.append(cab_load[:, c])
        r += T
    A = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, n_var))
    b = np.concatenate(rhs)

    rates = _plant_rates(sc, pz)[hours]  # (T, P) €/MWh
    cab_rate = np.zeros((T, CN))
    for c in range(CN):
        js = np.flatnonzero(plant_cab == c)
        if len(js):
            cab_rate[:, c] = rates[:, js].max(axis=1)
    val_rate = params.valorisation_rate(sc.year)
    gain = np.zeros(n_var)  # € (or discounted €) per unit of each variable, to maximise
    if objective == "cer_money":
        for c in range(CN):
            gain[x_of(c)] = (cab_rate[:, c] + val_rate) / 1000.0
    else:
        deg = float(np.mean([p.degradation_pct_per_year for p in plants]))
        f = annuity_factors(inv, deg if inv.degradation_pct_year is None else inv.degradation_pct_year)
        for c in range(CN):
            gain[x_of(c)] = (f["tip"] * cab_rate[:, c] + f["valorisation"] * val_rate) / 1000.0
        band = band_of_hour(sc.year, bool(sc.rules.get("include_4_october", True)))
        for o, i in enumerate(owners):
            m = sc.members[i]
            avoided = np.broadcast_to(avoided_price_per_hour(m.avoided_price_eur_kwh, m.category, band, params),
                                      (len(pz),))[hours]
            # self-consumption saves the bill and is not sold
            gain[s_of(o)] = f["energy"] * (avoided - pz[hours] / 1000.0)
        for j, p in enumerate(plants):
            capex_kwp = inv.plant_capex_eur_kwp(p.id, p.kwp)
            grant_kwp = grant_eur(1.0, capex_kwp, p.grant_pct, inv)
            rid = by_class(C.RID_FEE_EUR_KWP, p.kwp) if params.rid_fee else 0.0
            inverter = (inv.inverter_replacement_eur_kwp * _growth(inv.inflation_pct_year, int(inv.horizon_years))
                        [inv.inverter_replacement_year] * f["disc"][inv.inverter_replacement_year]
                        if 1 <= inv.inverter_replacement_year <= inv.horizon_years else 0.0)
            gain[j] = (f["energy"] * float(np.sum(u[:, j] * pz[hours])) / 1000.0 - capex_kwp + grant_kwp
                       - f["cost"] * (inv.om_eur_kwp_year + inv.insurance_pct_capex_year / 100.0 * capex_kwp + rid)
                       - inverter)
    # physical self-consumption: s = min(load, production). The LP alone would keep s lower wherever a shared
    # kWh is worth more than a self-consumed one (non-convex otherwise); a bonus just above that difference
    # makes s take its physical value. The bonus is left out of the reported objective.
    bonus = np.zeros(n_var)
    for o in range(O):
        share_value = gain[x_of(owner_cab[o])]
        bonus[s_of(o)] = np.maximum(0.0, share_value - gain[s_of(o)]) + SELF_BONUS_EUR_KWH
    res = linprog(-(gain + bonus), A_ub=A, b_ub=b, bounds=np.column_stack([lb, ub]), method="highs")
    out = {"objective": objective, "status": "optimal" if res.status == 0 else res.message,
           "bounds_kwp": bounds_kwp, "seconds": 0.0, "hours": int(T),
           "prosumers": any(load[:, i].sum() > 0 for i in owners)}
    if res.status != 0:
        out.update({"kwp": {p.id: p.kwp for p in plants}, "objective_eur": None})
        return out
    xs = res.x
    out["kwp"] = {p.id: float(round(xs[j], 3)) for j, p in enumerate(plants)}
    out["objective_eur"] = float(gain @ xs)
    out["shared_kwh"] = float(xs[n_k + n_s:].sum())
    out["self_consumed_kwh"] = float(xs[n_k:n_k + n_s].sum())
    if check:
        out["engine"] = size_point(reduce(base), out["kwp"])
    out["seconds"] = time.perf_counter() - t0
    return out


def objective_at(base: SimulationInputs, kwp: dict[str, float], objective: str = "npv") -> float | None:
    """The LP's objective with every plant fixed at ``kwp`` (the best operation at those sizes): the same
    linear function the optimum maximises, so the optimum is ≥ it for every feasible size (exactly so when no
    plant has load behind it; with prosumers the self-consumption bonus may trade a little of it, see above)."""
    result = optimal_sizes(base, objective, max_kwp=kwp, min_kwp=kwp, check=False, keep_tip_class=False)
    return result["objective_eur"]
