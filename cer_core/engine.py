"""The simulation engine: hourly loads and production in, energy and money per member, plant,
cabina and month out.

:func:`simulate` runs the pipeline on a :class:`SimulationInputs` (plain arrays plus the typed
scenario): member balance → cabina flows → attribution to plants → tariff rates → money → totals.
Everything is vectorised over hours; the only Python loops run over plants or attribution tiers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import wraps

import numpy as np

from . import constants as C
from .bands import band_of_hour
from .constants import Parameters
from .money.economics import (avoided_price_per_hour, co2_avoided_kg, energy_sale_eur, gse_fee_member_eur,
                        gse_fee_plant_eur, rid_fee_eur, rid_min_price_topup_eur)
from .money.incentives import (admission, restricted_tip, tariff_end, tariff_fraction, tip_class, tip_rate_eur_mwh,
                         tip_rates_with_exemption)
from .scenario import Scenario
from .sharing import (CabinaFlows, MemberFlows, attribute_shared, attribute_shared_priority, cabina_flows,
                      member_balance, member_production, plant_injection, sum_by_group)
from .timeaxis import hours_local, iso_local_labels, local_month


@dataclass(frozen=True)
class SimulationInputs:
    """Everything the engine needs, already resolved to hourly arrays.

    Parameters
    ----------
    scenario : Scenario
        The typed scenario (members, plants, site, rules).
    load_kwh : ndarray (hours, members)
        Hourly withdrawal need of each member's POD before self-consumption [kWh].
    plant_production_kwh : ndarray (hours, plants)
        Hourly AC production of each plant [kWh].
    zonal_price_eur_mwh : ndarray (hours,)
        Zonal day-ahead price of the site's market zone [€/MWh].
    sources : dict
        Where each input came from (weather, prices, loads), for the results.
    """

    scenario: Scenario
    load_kwh: np.ndarray
    plant_production_kwh: np.ndarray
    zonal_price_eur_mwh: np.ndarray
    sources: dict = field(default_factory=dict)


@dataclass
class Results:
    """The simulated year: hourly arrays and the summary (JSON-ready) computed from them."""

    year: int
    member_ids: list[str]
    member_cabina: list[str]
    cabina_ids: list[str]
    plant_ids: list[str]
    plant_cabina: list[str]
    members: MemberFlows
    cabine: CabinaFlows
    plant_production_kwh: np.ndarray
    plant_injected_kwh: np.ndarray
    plant_shared_kwh: np.ndarray
    plant_incentivised_kwh: np.ndarray
    plant_tip_rate_eur_mwh: np.ndarray
    zonal_price_eur_mwh: np.ndarray
    summary: dict

    @property
    def labels(self) -> np.ndarray:
        """ISO local hour-start labels of the year."""
        return iso_local_labels(self.year)


# -------------------------------------------------------------------------------------------------
# helpers
# -------------------------------------------------------------------------------------------------

def month_starts(year: int) -> np.ndarray:
    """Index of the first hour of each local month (12 entries)."""
    months = local_month(year)
    return np.flatnonzero(np.r_[True, months[1:] != months[:-1]])


def monthly_sum(values: np.ndarray, year: int) -> np.ndarray:
    """Sum over the hours of each local month: (hours, ...) → (12, ...).

    Without BLAS: the (12, hours) indicator product this replaced ran on BLAS threads that two cores
    under load slowed down by up to 10× (issue 16). A one-dimensional series goes through
    ``np.add.reduceat``; a (hours, items) matrix is summed month by month (``np.add.reduce`` over each
    month's contiguous rows), 8× quicker than ``reduceat`` along the hours and pairwise-summed.
    """
    values = np.asarray(values)
    starts = month_starts(year)
    if values.ndim < 2:
        return np.add.reduceat(values, starts, axis=0)
    bounds = np.r_[starts, values.shape[0]]
    return np.stack([np.add.reduce(values[a:b], axis=0) for a, b in zip(bounds[:-1], bounds[1:])])


def _hours_share_by_month(year: int) -> np.ndarray:
    counts = np.diff(np.r_[month_starts(year), len(local_month(year))])
    return counts / counts.sum()


def _local_days(year: int) -> np.ndarray:
    return hours_local(year).normalize().tz_localize(None).to_numpy().astype("datetime64[D]")


def plant_eligible_hours(plants, year: int, year_mode: str = "reference") -> tuple[np.ndarray, list]:
    """(hours, plants) mask of hours in which each plant may earn the TIP, and each plant's admission.

    The tariff stops at the end of the plant's 20 years; in ``calendar`` mode it also starts only at the
    plant's commissioning (in ``reference`` mode every plant runs the whole simulated year,
    docs/regulation.md §3).
    """
    local_dates = _local_days(year)
    mask = np.zeros((len(local_dates), len(plants)), dtype=bool)
    admissions = []
    for j, p in enumerate(plants):
        adm = admission(p.kwp, p.commissioning, p.grant_pct, p.incentivised)
        admissions.append(adm)
        if adm.admitted:
            mask[:, j] = local_dates < np.datetime64(tariff_end(p.commissioning))
            if year_mode == "calendar":
                mask[:, j] &= local_dates >= np.datetime64(p.commissioning)
    return mask, admissions


def in_service_hours(plants, year: int, year_mode: str = "reference") -> np.ndarray:
    """(hours, plants) mask of hours in which each plant produces: all of them in ``reference`` mode, from
    its commissioning day in ``calendar`` mode."""
    local_dates = _local_days(year)
    mask = np.ones((len(local_dates), len(plants)), dtype=bool)
    if year_mode == "calendar":
        for j, p in enumerate(plants):
            mask[:, j] = local_dates >= np.datetime64(p.commissioning)
    return mask


def plant_rank(plants, admitted: np.ndarray | None = None, non_incentivised_last: bool = False) -> np.ndarray:
    """Chronological attribution rank: the commissioning date.

    Whether non-incentivised plants come last is decided per hour by
    :func:`cer_core.sharing.attribute_shared_priority`; ``admitted`` and ``non_incentivised_last`` are kept
    for callers of the former static rank (admitted plants first when both are given).
    """
    days = np.array([p.commissioning.toordinal() for p in plants], dtype=float)
    if non_incentivised_last and admitted is not None:
        days = days + np.where(admitted, 0.0, 1e7)
    return days


def exempt_fraction(flows: MemberFlows, member_exempt: np.ndarray, member_cabina: np.ndarray,
                    n_cabine: int) -> np.ndarray:
    """Share of each cabina's withdrawal made by members exempt from the grant cut, (hours, cabine).

    ``exempt[c, h] = Σ withdrawal of exempt members' PODs ÷ Σ withdrawal of all PODs`` of cabina c in
    hour h (0 when nothing is withdrawn), docs/regulation.md §3.
    """
    wd_all = sum_by_group(flows.withdrawn_kwh, member_cabina, n_cabine)
    wd_exempt = sum_by_group(flows.withdrawn_kwh * member_exempt[None, :], member_cabina, n_cabine)
    out = np.zeros_like(wd_all)
    np.divide(wd_exempt, wd_all, out=out, where=wd_all > 0)
    return np.clip(out, 0.0, 1.0)


#: BLAS threads of the engine's few matrix products (members → cabine sums): one. The products are
#: memory-bound, and BLAS threads competing with the server's other work gave up to 10× outliers.
BLAS_THREADS = 1


def _blas_threads(func):
    """Run ``func`` with :data:`BLAS_THREADS` BLAS threads (threadpoolctl; unchanged when it is missing)."""
    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - pinned in requirements.txt
            return func(*args, **kwargs)
        with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper


ENERGY_KEYS = ("production_kwh", "consumption_kwh", "self_consumed_kwh", "injected_kwh", "withdrawn_kwh",
               "shared_kwh", "incentivised_kwh")
MONEY_KEYS = ("tip_eur", "valorisation_eur", "energy_sale_eur", "rid_min_price_topup_eur", "bill_savings_eur",
              "rid_fee_eur", "gse_fee_eur", "grant_cut_exemption_eur")


def _ratios(t: dict) -> dict:
    useful = t["self_consumed_kwh"] + t["shared_kwh"]
    return {
        "self_consumption_ratio": useful / t["production_kwh"] if t["production_kwh"] > 0 else 0.0,
        "self_sufficiency_ratio": useful / t["consumption_kwh"] if t["consumption_kwh"] > 0 else 0.0,
        "shared_over_injected": t["shared_kwh"] / t["injected_kwh"] if t["injected_kwh"] > 0 else 0.0,
    }


# -------------------------------------------------------------------------------------------------
# the pipeline
# -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Layout:
    """Who is where: index arrays of the scenario and the parameters in force."""

    params: Parameters
    member_cabina: np.ndarray  # (members,) cabina index of each member
    plant_member: np.ndarray  # (plants,) member index of each plant
    plant_cabina: np.ndarray  # (plants,) cabina index of each plant
    cabina_ids: list[str]
    member_exempt: np.ndarray  # (members,) float 1.0 for categories exempt from the grant cut

    @classmethod
    def of(cls, sc: Scenario) -> "_Layout":
        cabina_ids = list(sc.cabina_ids)
        c_index = {c: i for i, c in enumerate(cabina_ids)}
        m_index = sc.member_index()
        member_cabina = np.array([c_index[m.cabina] for m in sc.members], dtype=int)
        plant_member = np.array([m_index[p.member] for p in sc.plants], dtype=int)
        plant_cabina = member_cabina[plant_member] if len(sc.plants) else np.zeros(0, dtype=int)
        exempt = np.array([m.category in C.GRANT_CUT_EXEMPT_CATEGORIES for m in sc.members], dtype=float)
        return cls(Parameters.from_overrides(sc.rules, sc.economics), member_cabina, plant_member, plant_cabina,
                   cabina_ids, exempt)


@dataclass(frozen=True)
class _Energy:
    """Step 1 output: hourly flows per member, cabina and plant."""

    flows: MemberFlows
    cabine: CabinaFlows
    production_kwh: np.ndarray  # (hours, plants)
    injected_kwh: np.ndarray  # (hours, plants)
    shared_kwh: np.ndarray  # (hours, plants) attributed shared energy
    incentivised_kwh: np.ndarray  # (hours, plants) shared × eligible × tariff fraction
    eligible: np.ndarray  # (hours, plants) bool: the plant may earn the TIP in that hour
    admissions: list
    admitted: np.ndarray  # (plants,) bool
    tariff_fraction: np.ndarray  # (plants,) 1 − excluded kW ÷ kWp
    exempt_fraction: np.ndarray  # (hours, cabine) exempt members' share of the withdrawal


@dataclass(frozen=True)
class _Money:
    """Step 2 output: hourly money [€] and rates, and the yearly items."""

    tip_rate_eur_mwh: np.ndarray  # (hours, plants)
    tip_eur: np.ndarray  # (hours, plants)
    valorisation_eur: np.ndarray  # (hours, cabine)
    energy_sale_eur: np.ndarray  # (hours, plants)
    bill_savings_eur: np.ndarray  # (hours, members)
    co2_avoided_kg: np.ndarray  # (hours,)
    rid_fee_eur: np.ndarray  # (plants,) per year
    gse_fee_plant_eur: np.ndarray  # (plants,) per year
    gse_fee_members_eur: float  # per year
    rid_topup_eur: np.ndarray  # (plants,) per year
    grant_cut_exemption_eur: np.ndarray  # (hours, plants) TIP kept thanks to the exemption


def energy_step(sc: Scenario, layout: _Layout, load_kwh: np.ndarray, production_kwh: np.ndarray) -> _Energy:
    """Member balance → [storage, later] → cabina flows → plant injection → attribution → incentivised.

    In ``calendar`` year mode a plant produces only from its commissioning day.
    """
    params = layout.params
    if params.year_mode == "calendar":
        production_kwh = np.where(in_service_hours(sc.plants, sc.year, "calendar"), production_kwh, 0.0)
    flows = member_balance(load_kwh, member_production(production_kwh, layout.plant_member, len(sc.members)))
    cab = cabina_flows(flows, layout.member_cabina, len(layout.cabina_ids))
    p_inj = plant_injection(flows, production_kwh, layout.plant_member)
    eligible, admissions = plant_eligible_hours(sc.plants, sc.year, params.year_mode)
    admitted = np.array([a.admitted for a in admissions], dtype=bool)
    rank = plant_rank(sc.plants)
    if params.non_incentivised_last:
        p_shared = attribute_shared_priority(cab.shared_kwh, p_inj, layout.plant_cabina, eligible, rank,
                                             params.attribution)
    else:
        p_shared = attribute_shared(cab.shared_kwh, p_inj, layout.plant_cabina, rank, params.attribution)
    fraction = np.array([tariff_fraction(p.kwp, p.tariff_excluded_kw) for p in sc.plants], dtype=float)
    return _Energy(flows=flows, cabine=cab, production_kwh=production_kwh, injected_kwh=p_inj, shared_kwh=p_shared,
                   incentivised_kwh=np.where(eligible, p_shared, 0.0) * fraction, eligible=eligible,
                   admissions=admissions, admitted=admitted, tariff_fraction=fraction,
                   exempt_fraction=exempt_fraction(flows, layout.member_exempt, layout.member_cabina,
                                                   len(layout.cabina_ids)))


def money_step(sc: Scenario, layout: _Layout, energy: _Energy, pz: np.ndarray) -> _Money:
    """TIP rates and money per hour; yearly fees and the RID minimum-price top-up per plant.

    A grant plant's hourly rate spares the (1 − F) cut on the exempt members' share of its cabina's
    withdrawal (:func:`cer_core.money.incentives.tip_rates_with_exemption`).
    """
    params = layout.params
    rates = np.zeros_like(energy.shared_kwh)
    cut_rates = np.zeros_like(energy.shared_kwh)
    for j, p in enumerate(sc.plants):
        if energy.admitted[j]:
            cut = tip_rate_eur_mwh(p.kwp, pz, sc.site.macro_area, p.grant_pct, params)
            rate = cut
            if params.grant_cut_exemption and p.grant_pct > 0:
                full = tip_rate_eur_mwh(p.kwp, pz, sc.site.macro_area, 0.0, params)
                rate = tip_rates_with_exemption(cut, full, energy.exempt_fraction[:, layout.plant_cabina[j]])
            rates[:, j] = np.where(energy.eligible[:, j], rate, 0.0)
            cut_rates[:, j] = np.where(energy.eligible[:, j], cut, 0.0)
    band = band_of_hour(sc.year, bool(sc.rules.get("include_4_october", True)))
    self_kwh = energy.flows.self_consumed_kwh
    savings = _bill_savings(sc.members, self_kwh, band, params)
    return _Money(
        tip_rate_eur_mwh=rates,
        tip_eur=energy.incentivised_kwh * rates / 1000.0,
        valorisation_eur=energy.cabine.shared_kwh * params.valorisation_rate(sc.year) / 1000.0,
        energy_sale_eur=energy_sale_eur(energy.injected_kwh, pz),
        bill_savings_eur=savings,
        co2_avoided_kg=co2_avoided_kg(energy.cabine.shared_kwh.sum(axis=1), self_kwh.sum(axis=1),
                                      energy.production_kwh.sum(axis=1), params),
        rid_fee_eur=np.array([rid_fee_eur(p.kwp, params) for p in sc.plants]),
        gse_fee_plant_eur=np.array([gse_fee_plant_eur(p.kwp, params) for p in sc.plants]),
        gse_fee_members_eur=gse_fee_member_eur(params) * sum(1 for m in sc.members if not m.third_party_producer),
        rid_topup_eur=np.array([rid_min_price_topup_eur(energy.injected_kwh[:, j], pz, p.kwp, params)
                                for j, p in enumerate(sc.plants)]),
        grant_cut_exemption_eur=energy.incentivised_kwh * (rates - cut_rates) / 1000.0,
    )


def _bill_savings(members, self_kwh: np.ndarray, band: np.ndarray, params: Parameters) -> np.ndarray:
    """Each member's self-consumed energy × its avoided price [€], (hours, members).

    Members with one price go in a single row-wise pass (the column-by-column loop this replaced walked a
    (hours × members) matrix across its rows: seconds at 10,000 members); F1/F2/F3 prices column by column.
    Each product is the same as before, so the result is identical.
    """
    prices = [avoided_price_per_hour(m.avoided_price_eur_kwh, m.category, band, params) for m in members]
    scalar = np.array([p if np.ndim(p) == 0 else 0.0 for p in prices], dtype=float)
    savings = self_kwh * scalar
    for i, p in enumerate(prices):
        if np.ndim(p):
            savings[:, i] = self_kwh[:, i] * p
    return savings


def monthly_step(year: int, energy: _Energy, money: _Money) -> tuple[list[dict], dict]:
    """Community figures per local month, and the year's totals as the sum of the months."""
    hourly = {
        "production_kwh": energy.production_kwh.sum(axis=1),
        "consumption_kwh": energy.flows.load_kwh.sum(axis=1),
        "self_consumed_kwh": energy.flows.self_consumed_kwh.sum(axis=1),
        "injected_kwh": energy.flows.injected_kwh.sum(axis=1),
        "withdrawn_kwh": energy.flows.withdrawn_kwh.sum(axis=1),
        "shared_kwh": energy.cabine.shared_kwh.sum(axis=1),
        "incentivised_kwh": energy.incentivised_kwh.sum(axis=1),
        "tip_eur": money.tip_eur.sum(axis=1),
        "valorisation_eur": money.valorisation_eur.sum(axis=1),
        "energy_sale_eur": money.energy_sale_eur.sum(axis=1),
        "bill_savings_eur": money.bill_savings_eur.sum(axis=1),
        "co2_avoided_kg": money.co2_avoided_kg,
        "grant_cut_exemption_eur": money.grant_cut_exemption_eur.sum(axis=1),
    }
    by_month = {k: monthly_sum(v, year) for k, v in hourly.items()}
    # yearly items: the top-up follows each plant's injection, fees the hours of the month
    inj_month = monthly_sum(energy.injected_kwh, year)  # (12, plants)
    inj_year = inj_month.sum(axis=0)
    topup_share = np.divide(money.rid_topup_eur, inj_year, out=np.zeros(len(inj_year)), where=inj_year > 0)
    month_share = _hours_share_by_month(year)
    by_month["rid_min_price_topup_eur"] = (inj_month * topup_share).sum(axis=1)
    by_month["rid_fee_eur"] = money.rid_fee_eur.sum() * month_share
    by_month["gse_fee_eur"] = (money.gse_fee_plant_eur.sum() + money.gse_fee_members_eur) * month_share
    keys = ENERGY_KEYS + MONEY_KEYS + ("co2_avoided_kg",)
    monthly = [{"month": k + 1, **{key: float(by_month[key][k]) for key in keys}} for k in range(12)]
    totals = {key: float(sum(row[key] for row in monthly)) for key in keys}
    for row in [*monthly, totals]:
        _add_derived(row)
    totals.update(_ratios(totals))
    return monthly, totals


def _price_statistics(pz: np.ndarray) -> dict:
    small = C.TIP_CLASSES[0]
    return {"mean_eur_mwh": float(pz.mean()), "min_eur_mwh": float(pz.min()), "max_eur_mwh": float(pz.max()),
            # hours in which a ≤ 200 kW plant's fixed + variable part reaches its 120 €/MWh cap
            "hours_small_plant_tip_capped": int(np.sum(
                small.fixed_eur_mwh + np.maximum(0.0, C.TIP_VARIABLE_REFERENCE_EUR_MWH - pz) >= small.cap_eur_mwh))}


@_blas_threads
def simulate(inputs: SimulationInputs) -> Results:
    """Run the engine on resolved inputs: energy step, money step, monthly step, records.

    Returns
    -------
    Results
        Hourly flows and the summary (``cer-studio/results@1`` content without the file header).
    """
    sc = inputs.scenario
    layout = _Layout.of(sc)
    n_hours = inputs.load_kwh.shape[0]
    prod = np.asarray(inputs.plant_production_kwh, dtype=float).reshape(n_hours, len(sc.plants))
    pz = np.asarray(inputs.zonal_price_eur_mwh, dtype=float)
    energy = energy_step(sc, layout, np.asarray(inputs.load_kwh, dtype=float), prod)
    money = money_step(sc, layout, energy, pz)
    monthly, totals = monthly_step(sc.year, energy, money)
    totals.update({"members": len(sc.members), "plants": len(sc.plants), "kwp": float(sum(p.kwp for p in sc.plants)),
                   "cabine": len(layout.cabina_ids)})
    summary = {
        "rules": {**layout.params.to_dict(sc.year), **_rules_labels(layout.params)},
        "totals": totals,
        "monthly": monthly,
        "members": _member_records(sc, energy.flows, money.bill_savings_eur, money.energy_sale_eur, money.tip_eur,
                                   layout.plant_member),
        "plants": _plant_records(sc, energy, money, layout),
        "cabine": _cabina_records(sc, energy, money, layout),
        "restricted_tip": _restricted(sc.plants, energy, money, layout.params),
        "sources": inputs.sources,
        "zonal_price": _price_statistics(pz),
        "wastewater": _wastewater_records(sc, energy.flows),
    }
    return Results(year=sc.year, member_ids=[m.id for m in sc.members], member_cabina=[m.cabina for m in sc.members],
                   cabina_ids=layout.cabina_ids, plant_ids=[p.id for p in sc.plants],
                   plant_cabina=[layout.cabina_ids[c] for c in layout.plant_cabina], members=energy.flows,
                   cabine=energy.cabine, plant_production_kwh=prod, plant_injected_kwh=energy.injected_kwh,
                   plant_shared_kwh=energy.shared_kwh, plant_incentivised_kwh=energy.incentivised_kwh,
                   plant_tip_rate_eur_mwh=money.tip_rate_eur_mwh, zonal_price_eur_mwh=pz, summary=summary)


def _add_derived(row: dict) -> None:
    """Community cash figures derived from the base ones, kept in three separate pockets (docs/results.md).

    ``cer_money_eur`` (TIP + valorisation − the CER's costs, the GSE CACER fees) is what the CER brings;
    ``energy_sale_net_eur`` (sale + RID top-up − RID fees) is the producers' own; ``self_consumption_savings_eur``
    is the prosumers' own bill saving, which they would have without the CER. ``net_benefit_eur`` is the sum of
    the three, kept for older readers: it is not what the CER brings.
    """
    row["cer_incentives_eur"] = row["tip_eur"] + row["valorisation_eur"]
    row["fees_eur"] = row["rid_fee_eur"] + row["gse_fee_eur"]
    row["cer_costs_eur"] = row["gse_fee_eur"]
    row["cer_money_eur"] = row["tip_eur"] + row["valorisation_eur"] - row["cer_costs_eur"]
    row["energy_sale_net_eur"] = row["energy_sale_eur"] + row["rid_min_price_topup_eur"] - row["rid_fee_eur"]
    row["self_consumption_savings_eur"] = row["bill_savings_eur"]
    row["net_benefit_eur"] = (row["tip_eur"] + row["valorisation_eur"] + row["energy_sale_eur"]
                              + row["rid_min_price_topup_eur"] + row["bill_savings_eur"] - row["fees_eur"])


def _attribution_label(params: Parameters) -> str:
    text = ("chronological (oldest plant first, ties pro rata)" if params.attribution == "chronological"
            else "pro rata to injection")
    if params.non_incentivised_last:
        text += "; plants without the tariff in that hour last"
    return text


def _rules_labels(params: Parameters) -> dict:
    """What ran, in words (English; the studio translates the codes)."""
    fees = ("GSE fees: fees decree reading (DM 106/2024)" if params.gse_fee_scheme != "rse"
            else "GSE fees: RSE's configuration")
    year = ("reference year: every plant runs the whole year" if params.year_mode != "calendar"
            else "calendar year: each plant from its commissioning")
    return {"attribution_label": _attribution_label(params), "fees_label": fees, "year_mode_label": year,
            "grant_cut_exemption_label": ("grant cut spares exempt members' share" if params.grant_cut_exemption
                                          else "grant cut on all incentivised energy")}


def _monthly_columns(year: int, **arrays: np.ndarray) -> dict[str, np.ndarray]:
    """Each (hours, items) array summed by local month: name → (12, items)."""
    return {name: monthly_sum(values, year) for name, values in arrays.items()}


def _column(monthly: dict[str, np.ndarray], j: int) -> dict[str, list[float]]:
    return {name: [float(x) for x in values[:, j]] for name, values in monthly.items()}


def _columns(monthly: dict[str, np.ndarray]) -> list[dict[str, list[float]]]:
    """:func:`_column` of every item at once (one conversion of each (12, items) array to Python floats)."""
    as_lists = {name: values.T.tolist() for name, values in monthly.items()}
    n_items = next(iter(monthly.values())).shape[1] if monthly else 0
    return [{name: rows[j] for name, rows in as_lists.items()} for j in range(n_items)]


def _member_records(sc: Scenario, flows: MemberFlows, savings, sale, tip, plant_member) -> list[dict]:
    monthly = _monthly_columns(sc.year, consumption_kwh=flows.load_kwh, production_kwh=flows.production_kwh,
                               self_consumed_kwh=flows.self_consumed_kwh, injected_kwh=flows.injected_kwh,
                               withdrawn_kwh=flows.withdrawn_kwh, bill_savings_eur=savings)
    # one pass over the (hours, members) matrices: the year is the sum of the months
    sums = {k: monthly[name].sum(axis=0) for k, name in
            (("load_kwh", "consumption_kwh"), ("production_kwh", "production_kwh"),
             ("self_consumed_kwh", "self_consumed_kwh"), ("injected_kwh", "injected_kwh"),
             ("withdrawn_kwh", "withdrawn_kwh"), ("bill_savings_eur", "bill_savings_eur"))}
    sums = {k: v.tolist() for k, v in sums.items()}
    sale_by_member = np.zeros(len(sc.members))
    tip_by_member = np.zeros(len(sc.members))
    np.add.at(sale_by_member, plant_member, sale.sum(axis=0))
    np.add.at(tip_by_member, plant_member, tip.sum(axis=0))
    sale_by_member, tip_by_member = sale_by_member.tolist(), tip_by_member.tolist()
    columns = _columns(monthly)
    out = []
    for i, m in enumerate(sc.members):
        load = sums["load_kwh"][i]
        out.append({
            "id": m.id, "name": m.name, "kind": m.kind, "category": m.category, "cabina": m.cabina,
            "load_source": (m.load or {}).get("source"),
            "consumption_kwh": load, "production_kwh": sums["production_kwh"][i],
            "self_consumed_kwh": sums["self_consumed_kwh"][i], "injected_kwh": sums["injected_kwh"][i],
            "withdrawn_kwh": sums["withdrawn_kwh"][i], "bill_savings_eur": sums["bill_savings_eur"][i],
            "energy_sale_eur": sale_by_member[i], "tip_generated_eur": tip_by_member[i],
            "self_sufficiency_ratio": sums["self_consumed_kwh"][i] / load if load > 0 else 0.0,
            "monthly": columns[i],
        })
    return out


def _plant_records(sc: Scenario, energy: _Energy, money: _Money, layout: _Layout) -> list[dict]:
    prod, inj, incent, tip = energy.production_kwh, energy.injected_kwh, energy.incentivised_kwh, money.tip_eur
    monthly = _monthly_columns(sc.year, production_kwh=prod, injected_kwh=inj, shared_kwh=energy.shared_kwh,
                               incentivised_kwh=incent, tip_eur=tip, energy_sale_eur=money.energy_sale_eur)
    year = {name: values.sum(axis=0).tolist() for name, values in monthly.items()}  # one pass: the sum of the months
    eligible_hours = energy.eligible.sum(axis=0).tolist()
    columns = _columns(monthly)
    out = []
    for j, p in enumerate(sc.plants):
        adm = energy.admissions[j]
        produced = year["production_kwh"][j]
        inc = year["incentivised_kwh"][j]
        tip_j = year["tip_eur"][j]
        out.append({
            "id": p.id, "name": p.name, "member": p.member, "cabina": layout.cabina_ids[layout.plant_cabina[j]],
            "kwp": p.kwp, "commissioning": p.commissioning.isoformat(), "grant_pct": p.grant_pct,
            "tariff_excluded_kw": p.tariff_excluded_kw, "tariff_fraction": float(energy.tariff_fraction[j]),
            "grant_cut_exemption_eur": float(money.grant_cut_exemption_eur[:, j].sum()),
            "tip_class": f"≤{tip_class(p.kwp).max_kw:g} kW" if p.kwp <= 600 else ">600 kW",
            "admitted": adm.admitted, "admission_code": adm.reason_code, "admission_it": adm.it,
            "admission_en": adm.en, "tariff_end": _tariff_end_iso(p.commissioning),
            "eligible_hours": int(eligible_hours[j]),
            "production_kwh": produced, "specific_yield_kwh_kwp": produced / p.kwp if p.kwp > 0 else 0.0,
            "injected_kwh": year["injected_kwh"][j], "shared_kwh": year["shared_kwh"][j],
            "incentivised_kwh": inc, "tip_eur": tip_j,
            "mean_tip_rate_eur_mwh": tip_j * 1000.0 / inc if inc > 0 else 0.0,
            "energy_sale_eur": year["energy_sale_eur"][j],
            "rid_min_price_topup_eur": float(money.rid_topup_eur[j]),
            "rid_fee_eur": float(money.rid_fee_eur[j]), "gse_fee_eur": float(money.gse_fee_plant_eur[j]),
            "monthly": columns[j],
        })
    return out


def _tariff_end_iso(commissioning: dt.date) -> str:
    return tariff_end(commissioning).isoformat()


def _cabina_records(sc: Scenario, energy: _Energy, money: _Money, layout: _Layout) -> list[dict]:
    cab = energy.cabine
    n_cab = len(layout.cabina_ids)
    incent_c = sum_by_group(energy.incentivised_kwh, layout.plant_cabina, n_cab)
    tip_c = sum_by_group(money.tip_eur, layout.plant_cabina, n_cab)
    monthly = _monthly_columns(sc.year, injected_kwh=cab.injected_kwh, withdrawn_kwh=cab.withdrawn_kwh,
                               shared_kwh=cab.shared_kwh, incentivised_kwh=incent_c, tip_eur=tip_c,
                               valorisation_eur=money.valorisation_eur)
    out = []
    for c, cid in enumerate(layout.cabina_ids):
        declared = next((x for x in sc.cabine if x.get("id") == cid), {})
        out.append({
            "id": cid, "name": declared.get("name", cid), "members": int(np.sum(layout.member_cabina == c)),
            "plants": int(np.sum(layout.plant_cabina == c)),
            "kwp": float(sum(p.kwp for p, pc in zip(sc.plants, layout.plant_cabina) if pc == c)),
            "injected_kwh": float(cab.injected_kwh[:, c].sum()), "withdrawn_kwh": float(cab.withdrawn_kwh[:, c].sum()),
            "shared_kwh": float(cab.shared_kwh[:, c].sum()), "incentivised_kwh": float(incent_c[:, c].sum()),
            "tip_eur": float(tip_c[:, c].sum()), "valorisation_eur": float(money.valorisation_eur[:, c].sum()),
            "monthly": _column(monthly, c),
        })
    return out


def _restricted(plants, energy: _Energy, money: _Money, params: Parameters) -> list[dict]:
    """The 55 % / 45 % rule per plant set (plants with the tariff only)."""
    grant = np.array([p.grant_pct > 0 for p in plants], dtype=bool)
    out = []
    for name, mask, threshold in (("no_grant", energy.admitted & ~grant, params.restricted_threshold_no_grant),
                                  ("with_grant", energy.admitted & grant, params.restricted_threshold_with_grant)):
        rec = restricted_tip(float(money.tip_eur[:, mask].sum()), float(energy.incentivised_kwh[:, mask].sum()),
                             float(energy.injected_kwh[:, mask].sum()), threshold)
        rec.update({"set": name, "plants": [p.id for p, ok in zip(plants, mask) if ok]})
        out.append(rec)
    return out


def _wastewater_records(sc: Scenario, flows: MemberFlows) -> list[dict]:
    out = []
    for i, m in enumerate(sc.members):
        if m.facility != "wastewater_treatment":
            continue
        use = float(flows.load_kwh[:, i].sum())
        own = float(flows.production_kwh[:, i].sum())
        ratio = own / use if use > 0 else 0.0
        out.append({"member": m.id, "production_kwh": own, "consumption_kwh": use, "neutrality_ratio": ratio,
                    "target_2045": C.WWTP_NEUTRALITY_TARGET_2045,
                    "min_own_share": C.WWTP_NEUTRALITY_MIN_OWN_SHARE,
                    "max_external_share": C.WWTP_MAX_EXTERNAL_SHARE,
                    "milestones": [{"year": y, "target": t, "met": ratio >= t} for y, t in C.WWTP_MILESTONES],
                    "gap_kwh": max(0.0, use * C.WWTP_NEUTRALITY_TARGET_2045 - own)})
    return out
