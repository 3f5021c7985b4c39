"""The simulation engine: hourly loads and production in, energy and money per member, plant,
cabina and month out.

:func:`simulate` runs the pipeline on a :class:`SimulationInputs` (plain arrays plus the typed
scenario): member balance → cabina flows → attribution to plants → tariff rates → money → totals.
Everything is vectorised over hours; the only Python loops run over plants, attribution tiers and
blocks of hours.

The (hours × members) flows are never held whole (issue 16, docs/performance.md): the member pass
(:func:`member_pass`) walks the year in blocks of hours of about :data:`BLOCK_BYTES` per matrix, and from
each block keeps only what the later steps and the records need (sums per cabina and per hour, each plant's
injection, each member's monthly sums). The results keep the loads and the plants' production, from which
:class:`cer_core.sharing.MemberFlowsOnDemand` recomputes any member flow, identical, when a reader asks.
"""

from __future__ import annotations

import datetime as dt
import math
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
from .sharing import (CabinaFlows, MemberFlows, MemberFlowsOnDemand, attribute_shared, attribute_shared_priority,
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
    """The simulated year: hourly arrays and the summary (JSON-ready) computed from them.

    ``members`` recomputes each member flow from the loads and the plants' production when it is read
    (:class:`cer_core.sharing.MemberFlowsOnDemand`): read an attribute once and keep it while needed.
    """

    year: int
    member_ids: list[str]
    member_cabina: list[str]
    cabina_ids: list[str]
    plant_ids: list[str]
    plant_cabina: list[str]
    members: MemberFlowsOnDemand
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
    return _exempt_share(wd_exempt, wd_all)


def _in_place(x: np.ndarray, times=None, divide=None) -> np.ndarray:
    """``x * times / divide`` written into ``x`` (an array of the caller's own): the same arithmetic as the
    expression, without a new (hours × plants) array for each operation."""
    if times is not None:
        np.multiply(x, times, out=x)
    if divide is not None:
        np.divide(x, divide, out=x)
    return x


def _exempt_share(wd_exempt: np.ndarray, wd_all: np.ndarray) -> np.ndarray:
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
# the member pass: the (hours × members) flows, block by block
# -------------------------------------------------------------------------------------------------

#: Size of one (hours × members) float64 array of a block of the member pass [bytes]. A block holds about
#: ten such arrays at once; 4 MiB keeps them near the processor's caches and the engine's peak memory at
#: the inputs plus the (hours × plants) arrays (docs/performance.md). A community whose whole year fits
#: (under ≈ 60 members) goes in one block, with the very arithmetic of an unblocked pass.
BLOCK_BYTES = 4 * 2**20

#: Member sums the pass keeps, in the order of the member records' ``monthly`` (key in the records).
MEMBER_SUMS = (("load_kwh", "consumption_kwh"), ("production_kwh", "production_kwh"),
               ("self_consumed_kwh", "self_consumed_kwh"), ("injected_kwh", "injected_kwh"),
               ("withdrawn_kwh", "withdrawn_kwh"), ("bill_savings_eur", "bill_savings_eur"))


def hour_blocks(year: int, n_members: int, block_bytes: float | None = None) -> list[tuple[int, int]]:
    """The member pass's blocks of hours, ``[(start, stop), ...]`` in order, covering the year.

    One block for the whole year when it fits in ``block_bytes`` (default :data:`BLOCK_BYTES`;
    ``math.inf``: always one block, the unblocked pass); otherwise each local month is cut into equal
    blocks of at most ``block_bytes`` per (hours × members) float64 array, so no block crosses a month.
    """
    block_bytes = BLOCK_BYTES if block_bytes is None else block_bytes
    bounds = np.r_[month_starts(year), len(local_month(year))]
    n_hours = int(bounds[-1])
    if block_bytes == math.inf or block_bytes >= n_hours * 8 * max(n_members, 1):
        return [(0, n_hours)]
    rows = max(1, int(block_bytes // (8 * max(n_members, 1))))
    blocks = []
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        pieces = -(-(b - a) // rows)
        edges = [a + (b - a) * k // pieces for k in range(pieces + 1)]
        blocks += list(zip(edges[:-1], edges[1:]))
    return blocks


@dataclass(frozen=True)
class _SavingsPrices:
    """Each member's avoided price of self-consumed energy [€/kWh]: one price, or F1/F2/F3 by hour."""

    single: np.ndarray  # (members,) the price of members with one price, 0 for the others
    banded: np.ndarray  # (k,) members priced by band
    table: np.ndarray  # (4, k) price by band (row 0 unused)
    band: np.ndarray  # (hours,) band of each hour

    @classmethod
    def of(cls, sc: Scenario, params: Parameters) -> "_SavingsPrices":
        return cls.of_members(sc.members, band_of_hour(sc.year, bool(sc.rules.get("include_4_october", True))),
                              params)

    @classmethod
    def of_members(cls, members, band: np.ndarray, params: Parameters) -> "_SavingsPrices":
        # avoided_price_per_hour of bands 0-3: a member's price in an hour is table[band of the hour]
        prices = [avoided_price_per_hour(m.avoided_price_eur_kwh, m.category, np.arange(4), params)
                  for m in members]
        single = np.array([p if np.ndim(p) == 0 else 0.0 for p in prices], dtype=float)
        banded = np.array([i for i, p in enumerate(prices) if np.ndim(p)], dtype=int)
        table = np.array([prices[i] for i in banded], dtype=float).reshape(len(banded), 4).T
        return cls(single, banded, table, band)

    def subset(self, members: np.ndarray) -> "_SavingsPrices":
        """The prices of ``members`` (sorted member indices) only."""
        keep = np.isin(self.banded, members)
        return _SavingsPrices(self.single[members], np.searchsorted(members, self.banded[keep]),
                              self.table[:, keep], self.band)

    def savings(self, self_kwh: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Bill savings [€] of hours ``start`` to ``stop``: ``self_kwh`` (those hours, members) × price."""
        out = self_kwh * self.single
        if len(self.banded):
            out[:, self.banded] = self_kwh[:, self.banded] * self.table[self.band[start:stop]]
        return out


@dataclass(frozen=True)
class MemberSums:
    """What the member pass keeps of the (hours × members) flows.

    Attributes
    ----------
    cabine : CabinaFlows
        Injection, withdrawal and shared energy per cabina and hour.
    plant_injected_kwh : ndarray (hours, plants)
        Each plant's share of its owner's injection.
    exempt_withdrawn_kwh : ndarray (hours, cabine)
        Withdrawal of the members exempt from the grant cut.
    hourly : dict of ndarray (hours,)
        Sum over the members of each flow of :data:`MEMBER_SUMS` (first names), and of the bill savings.
    monthly : dict of ndarray (12, members)
        Each member's sums over the hours of each local month, same names.
    """

    cabine: CabinaFlows
    plant_injected_kwh: np.ndarray
    exempt_withdrawn_kwh: np.ndarray
    hourly: dict
    monthly: dict


def member_pass(flows: MemberFlowsOnDemand, year: int, member_cabina: np.ndarray, n_cabine: int,
                member_exempt: np.ndarray, prices: _SavingsPrices, block_bytes: float | None = None) -> MemberSums:
    """The member balance and everything the engine needs of it, in one pass over blocks of hours.

    Each block's flows (member balance; storage, later, is one more step on a block's :class:`MemberFlows`)
    go into sums per cabina (the ``sum_by_group`` product), each plant's injection, sums per hour, and each
    member's sums per month (the reductions of :func:`monthly_sum`).

    When the year fits in one block the pass is the unblocked one, bit for bit. Otherwise the members
    without a plant are taken as they are: with no production, a POD withdraws its load and nothing else
    (``self = min(load, 0) = 0`` for a load ≥ 0), so only the owners' columns go through the balance and
    the others' load is summed once (a block with a negative or missing load goes the whole way instead).
    Sums over members then group their terms differently: within 1e-9 relative of the unblocked pass
    (``block_bytes=math.inf``; tests/test_engine_scale.py).
    """
    n_hours, n_members = flows.shape
    plants = flows.plant_production_kwh
    blocks = hour_blocks(year, n_members, block_bytes)
    indicator = np.zeros((n_members, n_cabine))
    indicator[np.arange(n_members), member_cabina] = 1.0
    owners = np.unique(flows.plant_member)
    shortcut = len(blocks) > 1 and len(owners) < n_members
    if shortcut:
        plant_owner = np.searchsorted(owners, flows.plant_member)  # position of each plant's owner in ``owners``
        others = np.ones(n_members, dtype=bool)
        others[owners] = False
        # one product of the load gives the others' withdrawal per cabina, its exempt part, and per hour
        load_weights = np.column_stack([indicator * others[:, None], indicator * (others * member_exempt)[:, None],
                                        others.astype(float)])
        owner_prices = prices.subset(owners)
        owner_indicator, owner_exempt = indicator[owners], member_exempt[owners]
    inj_c, wd_c, exempt_c = (np.empty((n_hours, n_cabine)) for _ in range(3))
    p_inj = np.empty((n_hours, plants.shape[1]))
    hourly = {name: np.empty(n_hours) for name, _ in MEMBER_SUMS}
    monthly = {name: np.zeros((12, n_members)) for name, _ in MEMBER_SUMS}
    bounds = np.r_[month_starts(year), n_hours]
    for a, b in blocks:
        first = int(np.searchsorted(bounds, a, side="right")) - 1
        cuts = [a, *bounds[(bounds > a) & (bounds < b)].tolist(), b]
        segments = [(k, s - a, e - a, s == bounds[k]) for k, (s, e) in enumerate(zip(cuts[:-1], cuts[1:]), start=first)]
        load = flows.load_kwh[a:b]
        if shortcut and load.min() >= 0:
            f = member_balance(load[:, owners], member_production(plants[a:b], plant_owner, len(owners)))
            by_load = load @ load_weights
            inj_c[a:b] = f.injected_kwh @ owner_indicator
            wd_c[a:b] = by_load[:, :n_cabine] + f.withdrawn_kwh @ owner_indicator
            exempt_c[a:b] = by_load[:, n_cabine:-1] + (f.withdrawn_kwh * owner_exempt) @ owner_indicator
            p_inj[a:b] = plant_injection(f, plants[a:b], plant_owner)
            load_parts = _month_parts(load, segments)
            _store(monthly["load_kwh"], slice(None), load_parts, segments)
            _store(monthly["withdrawn_kwh"], others, [part[others] for part in load_parts], segments)
            hourly["load_kwh"][a:b] = load.sum(axis=1)
            own = {"production_kwh": f.production_kwh, "self_consumed_kwh": f.self_consumed_kwh,
                   "injected_kwh": f.injected_kwh, "withdrawn_kwh": f.withdrawn_kwh,
                   "bill_savings_eur": owner_prices.savings(f.self_consumed_kwh, a, b)}
            for name, x in own.items():
                hourly[name][a:b] = x.sum(axis=1)
                _store(monthly[name], owners, _month_parts(x, segments), segments)
            hourly["withdrawn_kwh"][a:b] += by_load[:, -1]
            continue
        f = member_balance(load, member_production(plants[a:b], flows.plant_member, n_members))
        inj_c[a:b] = f.injected_kwh @ indicator
        wd_c[a:b] = f.withdrawn_kwh @ indicator
        exempt_c[a:b] = (f.withdrawn_kwh * member_exempt[None, :]) @ indicator
        p_inj[a:b] = plant_injection(f, plants[a:b], flows.plant_member)
        values = {"load_kwh": f.load_kwh, "production_kwh": f.production_kwh, "self_consumed_kwh": f.self_consumed_kwh,
                  "injected_kwh": f.injected_kwh, "withdrawn_kwh": f.withdrawn_kwh,
                  "bill_savings_eur": prices.savings(f.self_consumed_kwh, a, b)}
        for name, x in values.items():
            hourly[name][a:b] = x.sum(axis=1)
            _store(monthly[name], slice(None), _month_parts(x, segments), segments)
    return MemberSums(CabinaFlows(inj_c, wd_c, np.minimum(inj_c, wd_c)), p_inj, exempt_c, hourly, monthly)


def _month_parts(x: np.ndarray, segments: list) -> list[np.ndarray]:
    """Column sums of a block's rows in each of its months (``segments``: month, start, stop, first block)."""
    return [np.add.reduce(x[s:e], axis=0) for _, s, e, _ in segments]


def _store(out: np.ndarray, cols, parts: list[np.ndarray], segments: list) -> None:
    """Put a block's month parts into ``out`` (12, members): set on a month's first block, added after."""
    for (k, _, _, first), part in zip(segments, parts):
        if first:
            out[k, cols] = part
        else:
            out[k, cols] += part


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
    """Step 1 output: hourly flows per cabina and plant, and the member sums (the member flows on demand)."""

    flows: MemberFlowsOnDemand
    members: MemberSums
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
    bill_savings_hourly_eur: np.ndarray  # (hours,) sum over the members
    bill_savings_monthly_eur: np.ndarray  # (12, members)
    co2_avoided_kg: np.ndarray  # (hours,)
    rid_fee_eur: np.ndarray  # (plants,) per year
    gse_fee_plant_eur: np.ndarray  # (plants,) per year
    gse_fee_members_eur: float  # per year
    rid_topup_eur: np.ndarray  # (plants,) per year
    grant_cut_exemption_eur: np.ndarray  # (hours, plants) TIP kept thanks to the exemption


def energy_step(sc: Scenario, layout: _Layout, load_kwh: np.ndarray, production_kwh: np.ndarray,
                block_bytes: float | None = None) -> _Energy:
    """Member balance → [storage, later] → cabina flows → plant injection → attribution → incentivised.

    The member flows go through :func:`member_pass` in blocks of hours (``block_bytes``, default
    :data:`BLOCK_BYTES`); the bill savings (self-consumption × avoided price) ride along in the same pass.
    In ``calendar`` year mode a plant produces only from its commissioning day.
    """
    params = layout.params
    if params.year_mode == "calendar":
        production_kwh = np.where(in_service_hours(sc.plants, sc.year, "calendar"), production_kwh, 0.0)
    flows = MemberFlowsOnDemand(load_kwh, production_kwh, layout.plant_member)
    sums = member_pass(flows, sc.year, layout.member_cabina, len(layout.cabina_ids), layout.member_exempt,
                       _SavingsPrices.of(sc, params), block_bytes)
    cab = sums.cabine
    p_inj = sums.plant_injected_kwh
    eligible, admissions = plant_eligible_hours(sc.plants, sc.year, params.year_mode)
    admitted = np.array([a.admitted for a in admissions], dtype=bool)
    rank = plant_rank(sc.plants)
    if params.non_incentivised_last:
        p_shared = attribute_shared_priority(cab.shared_kwh, p_inj, layout.plant_cabina, eligible, rank,
                                             params.attribution)
    else:
        p_shared = attribute_shared(cab.shared_kwh, p_inj, layout.plant_cabina, rank, params.attribution)
    fraction = np.array([tariff_fraction(p.kwp, p.tariff_excluded_kw) for p in sc.plants], dtype=float)
    return _Energy(flows=flows, members=sums, cabine=cab, production_kwh=production_kwh, injected_kwh=p_inj,
                   shared_kwh=p_shared, incentivised_kwh=_in_place(np.where(eligible, p_shared, 0.0), fraction),
                   eligible=eligible, admissions=admissions, admitted=admitted, tariff_fraction=fraction,
                   exempt_fraction=_exempt_share(sums.exempt_withdrawn_kwh, cab.withdrawn_kwh))


def money_step(sc: Scenario, layout: _Layout, energy: _Energy, pz: np.ndarray) -> _Money:
    """TIP rates and money per hour; yearly fees and the RID minimum-price top-up per plant.

    A grant plant's hourly rate spares the (1 − F) cut on the exempt members' share of its cabina's
    withdrawal (:func:`cer_core.money.incentives.tip_rates_with_exemption`).
    """
    params = layout.params
    # each distinct hourly rate once, in the columns of a (hours, rates) table; column 0 is no tariff
    table, columns = [np.zeros(len(pz))], {}
    rate_col = np.zeros(len(sc.plants), dtype=int)
    cut_col = np.zeros(len(sc.plants), dtype=int)
    for j, p in enumerate(sc.plants):
        if not energy.admitted[j]:
            continue
        key = (p.kwp, p.grant_pct)
        if key not in columns:
            columns[key] = len(table)
            table.append(tip_rate_eur_mwh(p.kwp, pz, sc.site.macro_area, p.grant_pct, params))
        rate_col[j] = cut_col[j] = columns[key]
        if params.grant_cut_exemption and p.grant_pct > 0:
            c = int(layout.plant_cabina[j])
            if key + (c,) not in columns:
                columns[key + (c,)] = len(table)
                full = tip_rate_eur_mwh(p.kwp, pz, sc.site.macro_area, 0.0, params)
                table.append(tip_rates_with_exemption(table[cut_col[j]], full, energy.exempt_fraction[:, c]))
            rate_col[j] = columns[key + (c,)]
    table = np.column_stack(table)
    # (hours, plants) arrays: each product and quotient in place, as few new arrays as the results keep
    not_eligible = ~energy.eligible
    rates = table[:, rate_col]
    np.putmask(rates, not_eligible, 0.0)
    if np.array_equal(rate_col, cut_col):  # no plant spares the grant cut: the exemption is worth nothing
        exemption = np.zeros_like(rates)
    else:
        exemption = table[:, cut_col]
        np.putmask(exemption, not_eligible, 0.0)
        np.subtract(rates, exemption, out=exemption)
        _in_place(np.multiply(energy.incentivised_kwh, exemption, out=exemption), divide=1000.0)
    sums = energy.members
    return _Money(
        tip_rate_eur_mwh=rates,
        tip_eur=_in_place(energy.incentivised_kwh * rates, divide=1000.0),
        valorisation_eur=energy.cabine.shared_kwh * params.valorisation_rate(sc.year) / 1000.0,
        energy_sale_eur=energy_sale_eur(energy.injected_kwh, pz),
        bill_savings_hourly_eur=sums.hourly["bill_savings_eur"],
        bill_savings_monthly_eur=sums.monthly["bill_savings_eur"],
        co2_avoided_kg=co2_avoided_kg(energy.cabine.shared_kwh.sum(axis=1), sums.hourly["self_consumed_kwh"],
                                      energy.production_kwh.sum(axis=1), params),
        rid_fee_eur=np.array([rid_fee_eur(p.kwp, params) for p in sc.plants]),
        gse_fee_plant_eur=np.array([gse_fee_plant_eur(p.kwp, params) for p in sc.plants]),
        gse_fee_members_eur=gse_fee_member_eur(params) * sum(1 for m in sc.members if not m.third_party_producer),
        rid_topup_eur=np.array([rid_min_price_topup_eur(energy.injected_kwh[:, j], pz, p.kwp, params)
                                for j, p in enumerate(sc.plants)]),
        grant_cut_exemption_eur=exemption,
    )


def _bill_savings(members, self_kwh: np.ndarray, band: np.ndarray, params: Parameters) -> np.ndarray:
    """Each member's self-consumed energy × its avoided price [€], (hours, members) of the whole year.

    What :func:`member_pass` computes block by block (:class:`_SavingsPrices`): members with one price in a
    single row-wise pass, F1/F2/F3 prices by the band of each hour; each product is the same as a member by
    member loop's.
    """
    prices = _SavingsPrices.of_members(members, band, params)
    return prices.savings(self_kwh, 0, self_kwh.shape[0])


def monthly_step(year: int, energy: _Energy, money: _Money) -> tuple[list[dict], dict]:
    """Community figures per local month, and the year's totals as the sum of the months."""
    member = energy.members.hourly
    hourly = {
        "production_kwh": energy.production_kwh.sum(axis=1),
        "consumption_kwh": member["load_kwh"],
        "self_consumed_kwh": member["self_consumed_kwh"],
        "injected_kwh": member["injected_kwh"],
        "withdrawn_kwh": member["withdrawn_kwh"],
        "shared_kwh": energy.cabine.shared_kwh.sum(axis=1),
        "incentivised_kwh": energy.incentivised_kwh.sum(axis=1),
        "tip_eur": money.tip_eur.sum(axis=1),
        "valorisation_eur": money.valorisation_eur.sum(axis=1),
        "energy_sale_eur": money.energy_sale_eur.sum(axis=1),
        "bill_savings_eur": money.bill_savings_hourly_eur,
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
def simulate(inputs: SimulationInputs, *, block_bytes: float | None = None) -> Results:
    """Run the engine on resolved inputs: energy step, money step, monthly step, records.

    Parameters
    ----------
    inputs : SimulationInputs
    block_bytes : float, optional
        Size of the member pass's blocks (:func:`hour_blocks`; default :data:`BLOCK_BYTES`, ``math.inf`` for
        one block: the unblocked pass the tests compare with).

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
    energy = energy_step(sc, layout, np.asarray(inputs.load_kwh, dtype=float), prod, block_bytes)
    money = money_step(sc, layout, energy, pz)
    monthly, totals = monthly_step(sc.year, energy, money)
    totals.update({"members": len(sc.members), "plants": len(sc.plants), "kwp": float(sum(p.kwp for p in sc.plants)),
                   "cabine": len(layout.cabina_ids)})
    summary = {
        "rules": {**layout.params.to_dict(sc.year), **_rules_labels(layout.params)},
        "totals": totals,
        "monthly": monthly,
        "members": _member_records(sc, energy.members.monthly, money.energy_sale_eur, money.tip_eur,
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


def _member_records(sc: Scenario, member_monthly: dict, sale, tip, plant_member) -> list[dict]:
    """Each member's year and months, from the member pass's monthly sums (:class:`MemberSums`)."""
    monthly = {key: member_monthly[name] for name, key in MEMBER_SUMS}
    # the year is the sum of the months
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


def _wastewater_records(sc: Scenario, flows: MemberFlowsOnDemand) -> list[dict]:
    out = []
    for i, m in enumerate(sc.members):
        if m.facility != "wastewater_treatment":
            continue
        use = float(flows.load_kwh[:, i].sum())
        own = float(flows.member_production_kwh(i).sum())
        ratio = own / use if use > 0 else 0.0
        out.append({"member": m.id, "production_kwh": own, "consumption_kwh": use, "neutrality_ratio": ratio,
                    "target_2045": C.WWTP_NEUTRALITY_TARGET_2045,
                    "min_own_share": C.WWTP_NEUTRALITY_MIN_OWN_SHARE,
                    "max_external_share": C.WWTP_MAX_EXTERNAL_SHARE,
                    "milestones": [{"year": y, "target": t, "met": ratio >= t} for y, t in C.WWTP_MILESTONES],
                    "gap_kwh": max(0.0, use * C.WWTP_NEUTRALITY_TARGET_2045 - own)})
    return out
