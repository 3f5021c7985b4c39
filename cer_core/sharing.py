"""Hourly energy flows: per POD, per cabina primaria, and the attribution of shared energy to plants.

The engine is a pipeline of steps over hourly arrays (rows = hours, columns = members, cabine or
plants); each step is a pure function. Storage will be one more step between
:func:`member_balance` and :func:`cabina_flows`, taking and returning :class:`MemberFlows`.

Rules (docs/regulation.md §2, TIAD):

- per POD and hour: ``self = min(load, production)``, ``injected = production − self``,
  ``withdrawn = load − self``;
- per cabina and hour: ``shared = min(Σ injected, Σ withdrawn)`` over the PODs of that cabina only;
- shared energy is attributed to plants chronologically (oldest commissioning first, ties pro rata
  to injection) or pro rata to each plant's injection; optionally plants without the tariff in that
  hour come last (:func:`attribute_shared_priority`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MemberFlows:
    """Hourly flows per member POD [kWh], each array (hours, members)."""

    load_kwh: np.ndarray
    production_kwh: np.ndarray
    self_consumed_kwh: np.ndarray
    injected_kwh: np.ndarray
    withdrawn_kwh: np.ndarray


@dataclass(frozen=True)
class CabinaFlows:
    """Hourly flows per cabina primaria [kWh], each array (hours, cabine)."""

    injected_kwh: np.ndarray
    withdrawn_kwh: np.ndarray
    shared_kwh: np.ndarray


class MemberFlowsOnDemand:
    """The hourly flows of :class:`MemberFlows`, recomputed from the loads and the plants' production
    whenever they are read, instead of being kept (issue 16, docs/performance.md).

    At 10,000 members each (hours × members) float64 matrix is 700 MB; the engine keeps only the loads
    (which are its input) and the plants' production, and each attribute below is the same elementwise
    arithmetic as :func:`member_balance`, so what a reader gets is identical, bit for bit, to what the
    engine summed. Each read builds a new array: read an attribute once and keep it while needed.

    Parameters
    ----------
    load_kwh : ndarray (hours, members)
        Each POD's load [kWh].
    plant_production_kwh : ndarray (hours, plants)
        Each plant's production [kWh] (as the engine used it: in calendar mode, zero before commissioning).
    plant_member : ndarray (plants,) of int
        Member index of each plant's owner.
    """

    def __init__(self, load_kwh: np.ndarray, plant_production_kwh: np.ndarray, plant_member: np.ndarray):
        self.load_kwh = load_kwh
        self.plant_production_kwh = plant_production_kwh
        self.plant_member = np.asarray(plant_member, dtype=int)

    @property
    def shape(self) -> tuple[int, int]:
        """(hours, members)."""
        return self.load_kwh.shape

    def rows(self, start: int, stop: int) -> MemberFlows:
        """The flows of hours ``start`` to ``stop`` (excluded), every member, as arrays."""
        load = self.load_kwh[start:stop]
        return member_balance(load, member_production(self.plant_production_kwh[start:stop], self.plant_member,
                                                      load.shape[1]))

    def flows(self) -> MemberFlows:
        """Every flow of the year at once (five (hours × members) arrays)."""
        return self.rows(0, self.load_kwh.shape[0])

    def member_production_kwh(self, i: int) -> np.ndarray:
        """Member ``i``'s production [kWh], (hours,): the column ``i`` of :attr:`production_kwh` alone."""
        own = np.flatnonzero(self.plant_member == i)
        return member_production(self.plant_production_kwh[:, own], np.zeros(len(own), dtype=int), 1)[:, 0]

    @property
    def production_kwh(self) -> np.ndarray:
        return member_production(self.plant_production_kwh, self.plant_member, self.load_kwh.shape[1])

    @property
    def self_consumed_kwh(self) -> np.ndarray:
        return np.minimum(self.load_kwh, self.production_kwh)

    @property
    def injected_kwh(self) -> np.ndarray:
        prod = self.production_kwh
        return prod - np.minimum(self.load_kwh, prod)

    @property
    def withdrawn_kwh(self) -> np.ndarray:
        return self.load_kwh - np.minimum(self.load_kwh, self.production_kwh)


def member_production(plant_kwh: np.ndarray, plant_member: np.ndarray, n_members: int) -> np.ndarray:
    """Production behind each member's POD: the sum of its plants [kWh], (hours, members)."""
    out = np.zeros((plant_kwh.shape[0], n_members))
    if len(np.unique(plant_member)) == len(plant_member):  # one plant per owner: a column copy (8× quicker)
        out[:, plant_member] = plant_kwh
    else:
        np.add.at(out.T, plant_member, plant_kwh.T)  # sums plants into their owners' columns
    return out


def member_balance(load_kwh: np.ndarray, production_kwh: np.ndarray) -> MemberFlows:
    """Physical self-consumption, injection and withdrawal of each POD, hour by hour (no storage)."""
    self_kwh = np.minimum(load_kwh, production_kwh)
    return MemberFlows(load_kwh=load_kwh, production_kwh=production_kwh, self_consumed_kwh=self_kwh,
                       injected_kwh=production_kwh - self_kwh, withdrawn_kwh=load_kwh - self_kwh)


def sum_by_group(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the columns of ``values`` (hours, items) into ``n_groups`` columns by ``group[item]``."""
    indicator = np.zeros((values.shape[1], n_groups))
    indicator[np.arange(values.shape[1]), group] = 1.0
    return values @ indicator


def cabina_flows(flows: MemberFlows, member_cabina: np.ndarray, n_cabine: int) -> CabinaFlows:
    """Injection, withdrawal and shared energy per cabina primaria and hour.

    Energy injected under one cabina and withdrawn under another in the same hour is never shared.
    """
    inj = sum_by_group(flows.injected_kwh, member_cabina, n_cabine)
    wd = sum_by_group(flows.withdrawn_kwh, member_cabina, n_cabine)
    return CabinaFlows(injected_kwh=inj, withdrawn_kwh=wd, shared_kwh=np.minimum(inj, wd))


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den > 0)
    return out


def plant_injection(flows: MemberFlows, plant_kwh: np.ndarray, plant_member: np.ndarray) -> np.ndarray:
    """Each plant's share of its owner's injection [kWh], (hours, plants).

    When one POD has several plants, its injection is split in proportion to their production in that
    hour (self-consumption reduces them alike).
    """
    owner_inj = flows.injected_kwh[:, plant_member]
    owner_prod = flows.production_kwh[:, plant_member]
    return owner_inj * _safe_ratio(plant_kwh, owner_prod)


def attribution_tiers(plant_cabina: np.ndarray, plant_rank: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Plants grouped by cabina and rank, in attribution order: ``[(cabina, plant indices), ...]``."""
    tiers = []
    for c in np.unique(plant_cabina):
        in_c = np.flatnonzero(plant_cabina == c)
        for rank in np.unique(plant_rank[in_c]):
            tiers.append((int(c), in_c[plant_rank[in_c] == rank]))
    return tiers


def attribute_shared(shared_kwh: np.ndarray, plant_inj_kwh: np.ndarray, plant_cabina: np.ndarray,
                     plant_rank: np.ndarray | None = None, method: str = "chronological") -> np.ndarray:
    """Attribute each cabina-hour's shared energy to the plants that injected in it [kWh].

    Parameters
    ----------
    shared_kwh : ndarray (hours, cabine)
        Shared energy per cabina and hour.
    plant_inj_kwh : ndarray (hours, plants)
        Each plant's injection per hour.
    plant_cabina : ndarray (plants,) of int
        Cabina of each plant.
    plant_rank : ndarray (plants,), optional
        Order of attribution for ``chronological``: lower first (e.g. commissioning date ordinal);
        equal ranks share pro rata to injection.
    method : {"chronological", "pro_rata"}

    Returns
    -------
    ndarray (hours, plants)
        Attributed shared energy; per cabina-hour it sums to the shared energy, and no plant gets more
        than it injected.
    """
    out = np.zeros_like(plant_inj_kwh)
    if plant_inj_kwh.shape[1] == 0:
        return out
    if method == "pro_rata" or plant_rank is None:
        plant_rank = np.zeros(plant_inj_kwh.shape[1])
    elif method != "chronological":
        raise ValueError(f"unknown attribution method {method!r}")
    filled = np.zeros_like(shared_kwh)  # shared energy already attributed per cabina-hour
    for c, idx in attribution_tiers(plant_cabina, plant_rank):
        inj = plant_inj_kwh[:, idx]  # gathered once: at 1,000 plants each gather walks a 70 MB array
        tier_inj = inj.sum(axis=1)
        tier_alloc = np.clip(shared_kwh[:, c] - filled[:, c], 0.0, tier_inj)
        out[:, idx] = inj * _safe_ratio(tier_alloc, tier_inj)[:, None]
        filled[:, c] += tier_alloc
    return out


def attribute_shared_priority(shared_kwh: np.ndarray, plant_inj_kwh: np.ndarray, plant_cabina: np.ndarray,
                              incentivised_hour: np.ndarray, plant_rank: np.ndarray | None = None,
                              method: str = "chronological") -> np.ndarray:
    """Attribution with "non-incentivised plants last", decided per hour [kWh], (hours, plants).

    In each hour the plants that have the tariff in that hour (``incentivised_hour[h, p]``) take the
    shared energy first, by ``method`` among themselves (chronological or pro rata); what is left goes to
    the others, by the same method. A plant before its commissioning or past its 20-year window counts as
    non-incentivised in that hour (docs/regulation.md §2).

    Parameters
    ----------
    shared_kwh : ndarray (hours, cabine)
    plant_inj_kwh : ndarray (hours, plants)
    plant_cabina : ndarray (plants,) of int
    incentivised_hour : ndarray (hours, plants) of bool
    plant_rank : ndarray (plants,), optional
    method : {"chronological", "pro_rata"}
    """
    first_inj = np.where(incentivised_hour, plant_inj_kwh, 0.0)
    first = attribute_shared(shared_kwh, first_inj, plant_cabina, plant_rank, method)
    n_cab = shared_kwh.shape[1]
    taken = sum_by_group(first, plant_cabina, n_cab) if first.shape[1] else np.zeros_like(shared_kwh)
    rest = attribute_shared(np.maximum(shared_kwh - taken, 0.0), plant_inj_kwh - first_inj, plant_cabina,
                            plant_rank, method)
    return first + rest
