"""Sizing sweeps: one plant's kWp (or every plant scaled together) against shared energy, self-sufficiency,
the CER's money and NPV, with the knee and the NPV-best size marked (``docs/economics.md``).

Nothing is recomputed with pvlib: a plant's production scales linearly with its kWp for a given
orientation, so each size multiplies the simulated year's production column. Each size then goes
through the engine's own energy, money and monthly steps on a *reduced* community — every plant owner as
it is, plus one aggregate consumer per cabina standing for the members without plants. Consumers have no
production, so the cabina flows, the shared energy, its attribution to plants, the TIP and the valorisation
are exactly the full community's; the GSE member fees are counted for every member (the test checks the
figures against a full simulation). That is what makes 20 sizes take about a second on the demo.

**Knee** [D]: the largest size before which each step of extra kWp still got at least
``KNEE_MARGINAL_SHARED`` of its extra injection shared; past it, most extra energy goes to the grid unshared.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import constants as C
from .money.economics import gse_fee_member_eur
from .engine import Results, SimulationInputs, _Layout, _ratios, energy_step, money_step, simulate
from .investment import cer_money_eur, investment_economics
from .scenario import Face, Member, Scenario

#: Knee threshold [D]: marginal shared energy ÷ marginal injection below which extra kWp "goes mostly unshared".
KNEE_MARGINAL_SHARED = 0.5
#: Default sweep: 20 sizes from 10 % to 300 % of the current size (one plant) or of every plant (scale all).
SWEEP_POINTS = 20
SWEEP_MIN_FACTOR = 0.1
SWEEP_MAX_FACTOR = 3.0
AGGREGATE_ID = "__consumers_{cabina}"


def inputs_from_results(sc: Scenario, results: Results) -> SimulationInputs:
    """The engine's inputs again, from a simulated year (loads, production, prices)."""
    return SimulationInputs(scenario=sc, load_kwh=results.members.load_kwh,
                            plant_production_kwh=results.plant_production_kwh,
                            zonal_price_eur_mwh=results.zonal_price_eur_mwh)


def resized(sc: Scenario, kwp_by_plant: dict[str, float]) -> Scenario:
    """``sc`` with some plants' power changed (roof faces scaled in proportion)."""
    plants = []
    for p in sc.plants:
        if p.id in kwp_by_plant:
            k = float(kwp_by_plant[p.id])
            f = k / p.kwp if p.kwp > 0 else 0.0
            faces = tuple(Face(face.kwp * f, face.tilt_deg, face.azimuth_deg) for face in p.faces)
            p = replace(p, kwp=k, faces=faces)
        plants.append(p)
    return replace(sc, plants=tuple(plants))


def scaled_production(sc: Scenario, production_kwh: np.ndarray, kwp_by_plant: dict[str, float]) -> np.ndarray:
    """Production columns multiplied by new kWp ÷ old kWp (linear in kWp for a fixed orientation)."""
    out = np.array(production_kwh, dtype=float, copy=True)
    for j, p in enumerate(sc.plants):
        if p.id in kwp_by_plant and p.kwp > 0:
            out[:, j] *= kwp_by_plant[p.id] / p.kwp
    return out


def simulate_sizes(base: SimulationInputs, kwp_by_plant: dict[str, float]) -> Results:
    """A full engine run with some plants resized (what the sweep's fast path must reproduce)."""
    sc = resized(base.scenario, kwp_by_plant)
    return simulate(replace(base, scenario=sc, plant_production_kwh=scaled_production(
        base.scenario, base.plant_production_kwh, kwp_by_plant)))


@dataclass(frozen=True)
class Reduced:
    """The community reduced to its plant owners plus one aggregate consumer per cabina."""

    scenario: Scenario
    load_kwh: np.ndarray
    production_kwh: np.ndarray
    zonal_price_eur_mwh: np.ndarray
    extra_member_fees_eur: float  # GSE member fees of the aggregated members beyond the aggregates'
    member_count: int


def reduce(base: SimulationInputs) -> Reduced:
    """Aggregate every member without plants into one consumer per cabina (exact for the CER's flows)."""
    sc = base.scenario
    owners = {p.member for p in sc.plants}
    keep = [i for i, m in enumerate(sc.members) if m.id in owners]
    members, loads = [sc.members[i] for i in keep], [base.load_kwh[:, i] for i in keep]
    aggregated = 0
    # one aggregate per cabina and grant-cut status: the exempt members' share of the withdrawal
    # (docs/regulation.md §3) stays what it is in the full community
    for cab in sc.cabina_ids:
        for exempt, category in ((False, "other"), (True, "household")):
            idx = [i for i, m in enumerate(sc.members) if m.id not in owners and m.cabina == cab
                   and (m.category in C.GRANT_CUT_EXEMPT_CATEGORIES) == exempt]
            if not idx:
                continue
            aggregated += sum(1 for i in idx if not sc.members[i].third_party_producer)
            members.append(Member(id=AGGREGATE_ID.format(cabina=cab) + ("_exempt" if exempt else ""), name=cab,
                                  kind="consumer", category=category, cabina=cab, lat=None, lon=None,
                                  load={"source": "aggregate"}))
            loads.append(base.load_kwh[:, idx].sum(axis=1))
    n_aggregates = len(members) - len(keep)
    params_fee = gse_fee_member_eur(_Layout.of(sc).params)  # the scheme's value when not typed
    extra = params_fee * (aggregated - n_aggregates)
    h = base.load_kwh.shape[0]
    return Reduced(replace(sc, members=tuple(members)), np.column_stack(loads) if loads else np.zeros((h, 0)),
                   np.asarray(base.plant_production_kwh, dtype=float), np.asarray(base.zonal_price_eur_mwh, float),
                   extra, len(sc.members))


def year_totals(energy, money) -> dict:
    """The year's community totals (what ``monthly_step`` adds up month by month, summed at once)."""
    member = energy.members.hourly  # sums over the members, hour by hour
    t = {"production_kwh": float(energy.production_kwh.sum()), "consumption_kwh": float(member["load_kwh"].sum()),
         "self_consumed_kwh": float(member["self_consumed_kwh"].sum()),
         "injected_kwh": float(member["injected_kwh"].sum()),
         "withdrawn_kwh": float(member["withdrawn_kwh"].sum()),
         "shared_kwh": float(energy.cabine.shared_kwh.sum()), "incentivised_kwh": float(energy.incentivised_kwh.sum()),
         "tip_eur": float(money.tip_eur.sum()), "valorisation_eur": float(money.valorisation_eur.sum()),
         "energy_sale_eur": float(money.energy_sale_eur.sum()), "bill_savings_eur": float(money.bill_savings_hourly_eur.sum()),
         "rid_min_price_topup_eur": float(money.rid_topup_eur.sum()), "rid_fee_eur": float(money.rid_fee_eur.sum()),
         "gse_fee_eur": float(money.gse_fee_plant_eur.sum() + money.gse_fee_members_eur)}
    t.update(_ratios(t))
    return t


def quick_summary(red: Reduced, kwp_by_plant: dict[str, float]) -> tuple[dict, Scenario]:
    """Totals, plant and member records enough for :func:`investment_economics`, for some plants resized,
    and the resized (reduced) scenario."""
    sc = resized(red.scenario, kwp_by_plant)
    prod = scaled_production(red.scenario, red.production_kwh, kwp_by_plant)
    layout = _Layout.of(sc)
    energy = energy_step(sc, layout, red.load_kwh, prod)
    money = money_step(sc, layout, energy, red.zonal_price_eur_mwh)
    totals = year_totals(energy, money)
    totals["gse_fee_eur"] += red.extra_member_fees_eur
    totals["kwp"] = float(sum(p.kwp for p in sc.plants))
    plants = [{"id": p.id, "member": p.member, "kwp": p.kwp,
               "production_kwh": float(prod[:, j].sum()), "injected_kwh": float(energy.injected_kwh[:, j].sum()),
               "shared_kwh": float(energy.shared_kwh[:, j].sum()),
               "incentivised_kwh": float(energy.incentivised_kwh[:, j].sum()),
               "tip_eur": float(money.tip_eur[:, j].sum()), "energy_sale_eur": float(money.energy_sale_eur[:, j].sum()),
               "rid_min_price_topup_eur": float(money.rid_topup_eur[j]), "rid_fee_eur": float(money.rid_fee_eur[j])}
              for j, p in enumerate(sc.plants)]
    production = energy.members.monthly["production_kwh"].sum(axis=0).tolist()  # the year as the sum of the months
    savings = money.bill_savings_monthly_eur.sum(axis=0).tolist()
    members = [{"id": m.id, "name": m.name, "category": m.category, "production_kwh": production[i],
                "bill_savings_eur": savings[i]} for i, m in enumerate(sc.members)]
    return {"totals": totals, "plants": plants, "members": members}, sc


def size_point(red: Reduced, kwp_by_plant: dict[str, float], plant_id: str | None = None) -> dict:
    """One size's figures: kWp, shared and injected energy, self-sufficiency, CER money, NPV."""
    summary, sc = quick_summary(red, kwp_by_plant)
    econ = investment_economics(summary, sc, detail=False)
    t = summary["totals"]
    point = {"kwp": t["kwp"], "shared_kwh": t["shared_kwh"], "injected_kwh": t["injected_kwh"],
             "production_kwh": t["production_kwh"], "self_consumed_kwh": t["self_consumed_kwh"],
             "self_sufficiency_ratio": t["self_sufficiency_ratio"], "cer_money_eur": cer_money_eur(t),
             "tip_eur": t["tip_eur"], "valorisation_eur": t["valorisation_eur"],
             "npv_eur": econ["npv_eur"], "cer_money_npv_eur": econ["cer_money_npv_eur"],
             "irr": econ["irr"]}
    if plant_id is not None:
        point["plant_kwp"] = float(kwp_by_plant[plant_id])
        plant = next(x for x in econ["plants"] if x["id"] == plant_id)
        point["plant_npv_eur"] = plant["npv_eur"]
    return point


def knee_index(points: list[dict], threshold: float = KNEE_MARGINAL_SHARED) -> int:
    """Index of the knee: the last size before extra injection is shared less than ``threshold``."""
    for i in range(1, len(points)):
        d_inj = points[i]["injected_kwh"] - points[i - 1]["injected_kwh"]
        d_shared = points[i]["shared_kwh"] - points[i - 1]["shared_kwh"]
        if d_inj > 1e-9 and d_shared / d_inj < threshold:
            return i - 1
    return len(points) - 1


def sweep(base: SimulationInputs, plant_id: str | None = None, sizes_kwp=None, factors=None,
          points: int = SWEEP_POINTS, threshold: float = KNEE_MARGINAL_SHARED) -> dict:
    """Sweep one plant's kWp (``plant_id``) or scale every plant together (``plant_id=None``).

    Parameters
    ----------
    base : SimulationInputs
        The simulated community (see :func:`inputs_from_results`).
    plant_id : str, optional
        The plant to resize; None scales all plants by the same factor.
    sizes_kwp : sequence of float, optional
        The plant's sizes [kWp] (one plant only); default ``points`` sizes from 10 % to 300 % of its kWp,
        at most 1 MW.
    factors : sequence of float, optional
        Scale factors of every plant (scale all); default ``points`` from 0.1 to 3.

    Returns
    -------
    dict
        ``points`` (one dict per size), ``knee`` and ``npv_best`` (indices), the threshold and the mode.
    """
    sc = base.scenario
    red = reduce(base)
    out: list[dict] = []
    if plant_id is not None:
        plant = next((p for p in sc.plants if p.id == plant_id), None)
        if plant is None:
            raise KeyError(plant_id)
        if sizes_kwp is None:
            top = min(plant.kwp * SWEEP_MAX_FACTOR, C.MAX_PLANT_KW)
            sizes_kwp = np.linspace(max(plant.kwp * SWEEP_MIN_FACTOR, 0.5), max(top, 1.0), points)
        for k in sizes_kwp:
            out.append(size_point(red, {plant_id: float(k)}, plant_id))
    else:
        factors = np.linspace(SWEEP_MIN_FACTOR, SWEEP_MAX_FACTOR, points) if factors is None else factors
        for f in factors:
            p = size_point(red, {pl.id: pl.kwp * float(f) for pl in sc.plants})
            p["factor"] = float(f)
            out.append(p)
    best = int(np.argmax([p["npv_eur"] for p in out])) if out else 0
    return {"mode": "plant" if plant_id else "scale_all", "plant_id": plant_id, "points": out,
            "knee": knee_index(out, threshold) if out else 0, "npv_best": best, "knee_threshold": threshold,
            "current_kwp": float(sum(p.kwp for p in sc.plants)),
            "current_plant_kwp": next((p.kwp for p in sc.plants if p.id == plant_id), None)}
