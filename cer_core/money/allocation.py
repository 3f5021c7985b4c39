"""The split among members (the economic part of the CER's *regolamento*), over the engine's results.

The CER receives TIP + ARERA valorisation from GSE (the **pot**) and shares it by its own statute
(``docs/allocation.md``). This module never recomputes money: it reads the engine's monthly TIP and
valorisation (per plant, per cabina), its GSE fees and its 55 % / 45 % restricted amount, and the
hourly member withdrawals and cabina shared energy (for each member's contribution to shared
energy). Everything the statute decides is a named option of :class:`Regolamento`.

Per month (in this order):

1. ``pot_eur`` = TIP + valorisation of the month;
2. ``costs_eur`` = GSE fees (engine) + platform fee (€/member/year and % of the pot) + insurance +
   the referent's fee, paid by the community before any share;
3. the **restricted amount** of the 55 % / 45 % rule (yearly; a month gets the share of its TIP) goes
   to non-enterprise consumers (by the consumers' key) or to the social fund, never to an enterprise;
4. what remains is split by percent: producers (plant owners; third-party producers on a fixed €/MWh
   first), consumers, the social fund, the running-costs reserve.

A share with nobody to receive it in a month goes to the social fund. Every figure is rounded to the
cent by the largest-remainder method over all the month's items, so per month
``Σ members' net_eur + social_fund_eur + costs_eur + running_costs_eur = pot_eur`` exactly.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np

from .. import constants as C
from ..errors import Problem

CONSUMER_KEYS = ("contribution", "equal", "category")
PRODUCER_KEYS = ("incentivised", "injection")
RESTRICTED_TO = ("consumers", "social_fund")
SHARE_NAMES = ("producers", "consumers", "social_fund", "running_costs")
#: Member components of a statement, each a ``*_eur`` item of the rounding.
MEMBER_PARTS = ("producer_eur", "third_party_eur", "consumer_eur", "restricted_eur")
#: A member's net read as where it comes from: TIP part + valorisation part − its part of the costs.
GROSS_PARTS = ("from_tip_eur", "from_valorisation_eur", "costs_share_eur")
#: Community items of a month (besides members), each rounded to the cent.
COMMUNITY_PARTS = ("gse_fees_eur", "platform_eur", "insurance_eur", "referent_eur", "running_costs_eur",
                   "fund_share_eur", "fund_restricted_eur", "fund_unassigned_eur")


@dataclass(frozen=True)
class Regolamento:
    """The economic rules of the CER's statute (scenario field ``regolamento``, see ``docs/scenario.md``).

    Parameters
    ----------
    shares_pct : dict
        Percent of the pot (after costs and the restricted amount) to ``producers``, ``consumers``,
        ``social_fund`` and ``running_costs``; they add up to 100.
    consumers_key : str
        ``contribution`` (pro rata to each member's contribution to shared energy), ``equal`` or
        ``category`` (per-category weights).
    category_weights : dict
        Weight of each member category under ``consumers_key = "category"`` (missing: 1).
    producers_key : str
        ``incentivised`` (each plant's incentivised energy) or ``injection`` (its injected energy).
    third_party_eur_mwh : float or None
        Fixed €/MWh (of the producers' key energy) paid to plants of third-party producers instead of
        a share; None: they share like any producer.
    gse_fees : bool
        The community pays the engine's GSE fees out of the pot.
    platform_eur_per_member_year, platform_pct : float
        Management platform fee [€/member/year] and [% of the pot].
    insurance_eur_year, referent_eur_year : float
        Yearly insurance and referent's fee [€/year], one twelfth a month.
    restricted_to : str
        Where the 55 % / 45 % restricted amount goes: ``consumers`` (non-enterprise ones) or ``social_fund``.
    """

    shares_pct: dict = field(default_factory=lambda: dict(C.REGOLAMENTO_DEFAULT_SHARES_PCT))
    consumers_key: str = "contribution"
    category_weights: dict = field(default_factory=dict)
    producers_key: str = "incentivised"
    third_party_eur_mwh: float | None = None
    gse_fees: bool = True
    platform_eur_per_member_year: float = 0.0
    platform_pct: float = 0.0
    insurance_eur_year: float = 0.0
    referent_eur_year: float = 0.0
    restricted_to: str = "consumers"

    @classmethod
    def from_dict(cls, raw: dict | None) -> "Regolamento":
        """The rules of a scenario's ``regolamento`` object (None or missing keys: the defaults)."""
        raw = dict(raw or {})
        costs = dict(raw.pop("costs", None) or {})
        raw.pop("name", None)
        shares = {**C.REGOLAMENTO_DEFAULT_SHARES_PCT, **(raw.pop("shares_pct", None) or {})}
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in {**raw, **costs}.items() if k in known}
        return cls(shares_pct={k: float(shares.get(k, 0.0)) for k in SHARE_NAMES}, **kwargs)

    def to_dict(self) -> dict:
        """The scenario's ``regolamento`` object (JSON-ready)."""
        return {"shares_pct": dict(self.shares_pct), "consumers_key": self.consumers_key,
                "category_weights": dict(self.category_weights), "producers_key": self.producers_key,
                "third_party_eur_mwh": self.third_party_eur_mwh, "restricted_to": self.restricted_to,
                "costs": {"gse_fees": self.gse_fees, "platform_eur_per_member_year": self.platform_eur_per_member_year,
                          "platform_pct": self.platform_pct, "insurance_eur_year": self.insurance_eur_year,
                          "referent_eur_year": self.referent_eur_year}}

    def fraction(self, name: str) -> float:
        return float(self.shares_pct.get(name, 0.0)) / 100.0


#: Rule sets offered for the "who wins, who loses" comparison (name → changes to the defaults).
PRESETS: dict[str, dict] = {
    "contribution": {"consumers_key": "contribution"},
    "equal": {"consumers_key": "equal"},
    "producers": {"shares_pct": {"producers": 70.0, "consumers": 25.0, "social_fund": 5.0, "running_costs": 0.0}},
}


def preset(name: str, base: Regolamento | None = None) -> Regolamento:
    """A named rule set of :data:`PRESETS`, applied over ``base`` (default: the default rules)."""
    base = base or Regolamento()
    change = PRESETS[name]
    if "shares_pct" in change:
        base = replace(base, shares_pct=dict(change["shares_pct"]))
    return replace(base, **{k: v for k, v in change.items() if k != "shares_pct"})


def regolamento_problems(raw) -> list[Problem]:
    """Rules a schema cannot express, one :class:`~cer_core.errors.Problem` each."""
    if not isinstance(raw, dict):
        return []
    out = []
    shares = {**C.REGOLAMENTO_DEFAULT_SHARES_PCT, **(raw.get("shares_pct") or {})}
    total = sum(float(shares.get(k, 0.0)) for k in SHARE_NAMES)
    if abs(total - 100.0) > 1e-6:
        out.append(Problem("regolamento.shares_pct", "problems.regolamento.shares", code="regolamento.shares",
                           values={"total": total}))
    return out


def is_non_enterprise(category: str) -> bool:
    """Whether a member of ``category`` may receive the 55 % / 45 % restricted amount."""
    return category in C.RESTRICTED_ELIGIBLE_CATEGORIES


# -------------------------------------------------------------------------------------------------
# the base: what the split reads from the results (independent of the rules)
# -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AllocationBase:
    """Monthly figures the split needs, read once from the results (months = rows).

    Parameters
    ----------
    member_ids, member_names, member_categories, member_kinds : list of str
    third_party : ndarray (members,) bool
        Third-party producers (not consumers; may get a fixed €/MWh).
    active : ndarray (months, members) bool
        Months in which each member belongs to the CER (``joined``/``left``).
    withdrawn_kwh, injected_kwh, contribution_kwh : ndarray (months, members)
        Grid withdrawal, injection and contribution to shared energy (per cabina and hour:
        withdrawal × shared ÷ all withdrawal of the cabina's members) [kWh].
    bill_savings_eur, energy_sale_eur : ndarray (months, members)
        The member's own economics outside the pot [€].
    plant_owner : ndarray (plants,) int
        Member index of each plant.
    plant_incentivised_kwh, plant_injected_kwh : ndarray (months, plants) [kWh]
    tip_eur, valorisation_eur, gse_fees_eur : ndarray (months,)
        The engine's money of each month [€].
    restricted_year_eur : float
        The engine's yearly restricted amount (55 % / 45 % rule) [€].
    """

    member_ids: list
    member_names: list
    member_categories: list
    member_kinds: list
    third_party: np.ndarray
    active: np.ndarray
    withdrawn_kwh: np.ndarray
    injected_kwh: np.ndarray
    contribution_kwh: np.ndarray
    bill_savings_eur: np.ndarray
    energy_sale_eur: np.ndarray
    plant_owner: np.ndarray
    plant_incentivised_kwh: np.ndarray
    plant_injected_kwh: np.ndarray
    tip_eur: np.ndarray
    valorisation_eur: np.ndarray
    gse_fees_eur: np.ndarray
    restricted_year_eur: float

    @property
    def n_months(self) -> int:
        return len(self.tip_eur)


def contribution_kwh(withdrawn_kwh: np.ndarray, member_cabina: np.ndarray, cabina_shared_kwh: np.ndarray,
                     cabina_withdrawn_kwh: np.ndarray) -> np.ndarray:
    """Each member's hourly contribution to shared energy [kWh]: withdrawal × shared ÷ cabina withdrawal.

    Parameters
    ----------
    withdrawn_kwh : ndarray (hours, members)
    member_cabina : ndarray (members,) int
        Cabina index of each member.
    cabina_shared_kwh, cabina_withdrawn_kwh : ndarray (hours, cabine)
    """
    ratio = np.divide(cabina_shared_kwh, cabina_withdrawn_kwh, out=np.zeros_like(cabina_shared_kwh),
                      where=cabina_withdrawn_kwh > 0)
    return withdrawn_kwh * ratio[:, member_cabina]


def monthly_contribution_kwh(withdrawn_kwh: np.ndarray, member_cabina: np.ndarray, cabina_shared_kwh: np.ndarray,
                             cabina_withdrawn_kwh: np.ndarray, year: int) -> np.ndarray:
    """(12, members) monthly sums of :func:`contribution_kwh` [kWh], a month of hours at a time.

    Bit for bit ``engine.monthly_sum(contribution_kwh(...), year)``: the same products, each month's rows
    reduced by the same ``np.add.reduce``; but no (hours × members) product matrix is made (on 1,000
    members: 0.34 s → 0.1 s, docs/performance.md).
    """
    from ..engine import month_starts

    ratio = np.divide(cabina_shared_kwh, cabina_withdrawn_kwh, out=np.zeros_like(cabina_shared_kwh),
                      where=cabina_withdrawn_kwh > 0)
    bounds = np.r_[month_starts(year), withdrawn_kwh.shape[0]]
    out = np.empty((len(bounds) - 1, withdrawn_kwh.shape[1]))
    for m, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        out[m] = np.add.reduce(withdrawn_kwh[a:b] * ratio[a:b][:, member_cabina], axis=0)
    return out


def active_months(year: int, joined: dt.date | None, left: dt.date | None) -> np.ndarray:
    """(12,) bool: the months of ``year`` the member belongs to (a month counts if any of its days does)."""
    out = np.zeros(12, dtype=bool)
    for m in range(12):
        first = dt.date(year, m + 1, 1)
        last = dt.date(year, m + 1, calendar.monthrange(year, m + 1)[1])
        out[m] = (joined is None or joined <= last) and (left is None or left >= first)
    return out


def base_from_results(results, scenario) -> AllocationBase:
    """The :class:`AllocationBase` of a simulated year (``results``: engine Results; ``scenario``: typed)."""

    s = results.summary
    year = results.year
    cab_index = {c: i for i, c in enumerate(results.cabina_ids)}
    member_cabina = np.array([cab_index[c] for c in results.member_cabina], dtype=int)
    # the member flows are recomputed on each read (engine.Results): withdrawal once, for the hourly
    # contribution; the monthly withdrawal and injection are the member records' (the same sums)
    contrib_monthly = monthly_contribution_kwh(results.members.withdrawn_kwh, member_cabina, results.cabine.shared_kwh,
                                               results.cabine.withdrawn_kwh, year)
    n_m = len(results.member_ids)
    member_monthly = lambda key: np.array([m["monthly"][key] for m in s["members"]],  # noqa: E731
                                          dtype=float).T.reshape(12, n_m)
    m_index = {mid: i for i, mid in enumerate(results.member_ids)}
    plants = s.get("plants", [])
    plant_owner = np.array([m_index[p["member"]] for p in plants], dtype=int)
    plant_monthly = lambda key: np.array([p["monthly"][key] for p in plants], dtype=float).T.reshape(12, len(plants))  # noqa: E731
    sale = np.zeros((12, n_m))
    if plants:
        np.add.at(sale.T, plant_owner, plant_monthly("energy_sale_eur").T)
    savings = member_monthly("bill_savings_eur")
    monthly = s["monthly"]
    fee_key = "cer_costs_eur" if monthly and "cer_costs_eur" in monthly[0] else "gse_fee_eur"
    membership = getattr(scenario, "membership", None) or {}
    active = np.column_stack([active_months(year, *membership.get(m.id, (None, None))) for m in scenario.members]) \
        if n_m else np.zeros((12, 0), dtype=bool)
    return AllocationBase(
        member_ids=list(results.member_ids), member_names=[m.name for m in scenario.members],
        member_categories=[m.category for m in scenario.members], member_kinds=[m.kind for m in scenario.members],
        third_party=np.array([bool(m.third_party_producer) for m in scenario.members], dtype=bool),
        active=active,
        withdrawn_kwh=member_monthly("withdrawn_kwh"),
        injected_kwh=member_monthly("injected_kwh"),
        contribution_kwh=contrib_monthly, bill_savings_eur=savings, energy_sale_eur=sale,
        plant_owner=plant_owner, plant_incentivised_kwh=plant_monthly("incentivised_kwh"),
        plant_injected_kwh=plant_monthly("injected_kwh"),
        tip_eur=np.array([r["tip_eur"] for r in monthly], dtype=float),
        valorisation_eur=np.array([r["valorisation_eur"] for r in monthly], dtype=float),
        gse_fees_eur=np.array([r[fee_key] for r in monthly], dtype=float),
        restricted_year_eur=float(sum(r.get("restricted_eur", 0.0) for r in s.get("restricted_tip", []))),
    )


# -------------------------------------------------------------------------------------------------
# rounding
# -------------------------------------------------------------------------------------------------

def largest_remainder_cents(values_eur: np.ndarray, total_cents: int) -> np.ndarray:
    """Round ``values_eur`` to whole cents so that they add up to ``total_cents`` (largest remainder).

    Each value goes to its floor in cents; the cents missing to the total go one each to the values
    with the largest fractional parts (ties: a non-zero value before a zero one, then the first).
    Returns integer cents.
    """
    cents = np.asarray(values_eur, dtype=float) * 100.0
    if cents.size == 0:
        return np.zeros(0, dtype=np.int64)
    floor = np.floor(cents + 1e-9)
    out = floor.astype(np.int64)
    missing = int(total_cents - out.sum())
    # largest fraction first; among equal fractions, items that are not exactly zero first (an item
    # worth nothing, e.g. an inactive member's, never gets a cent of float noise); then the first
    order = np.lexsort((np.arange(cents.size), cents == 0.0, -(cents - floor)))
    whole, rest = divmod(missing, out.size)
    out += whole
    out[order[:rest]] += 1
    return out


# -------------------------------------------------------------------------------------------------
# the split
# -------------------------------------------------------------------------------------------------

def _share(pool: float, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """``pool`` split pro rata to ``weights``; (shares, unassigned) — all unassigned when no weight."""
    total = float(weights.sum())
    if not total > 0:
        return np.zeros_like(weights, dtype=float), pool
    return pool * (weights / total), 0.0  # normalise first: tiny weights must not underflow to 0


def consumer_weights(base: AllocationBase, rules: Regolamento, k: int) -> np.ndarray:
    """Weights of the consumers' key in month ``k`` (0 for non-consumers and inactive members)."""
    consumer = base.active[k] & ~base.third_party & (np.array(base.member_kinds) != "producer")
    if rules.consumers_key == "contribution":
        w = base.contribution_kwh[k].astype(float)
    elif rules.consumers_key == "equal":
        w = np.ones(len(base.member_ids))
    else:
        w = np.array([float(rules.category_weights.get(c, 1.0)) for c in base.member_categories])
    return np.where(consumer, w, 0.0)


def _month_exact(base: AllocationBase, rules: Regolamento, k: int) -> tuple[float, np.ndarray, dict]:
    """Exact (unrounded) figures of month ``k``: pot, member parts (members, parts), community parts."""
    n = len(base.member_ids)
    pot = float(base.tip_eur[k] + base.valorisation_eur[k])
    payers = int(np.sum(base.active[k] & ~base.third_party))
    comm = dict.fromkeys(COMMUNITY_PARTS, 0.0)
    comm["gse_fees_eur"] = float(base.gse_fees_eur[k]) if rules.gse_fees else 0.0
    comm["platform_eur"] = rules.platform_eur_per_member_year / 12.0 * payers + rules.platform_pct / 100.0 * pot
    comm["insurance_eur"] = rules.insurance_eur_year / 12.0
    comm["referent_eur"] = rules.referent_eur_year / 12.0
    costs = comm["gse_fees_eur"] + comm["platform_eur"] + comm["insurance_eur"] + comm["referent_eur"]
    parts = np.zeros((n, len(MEMBER_PARTS)))
    tip_year = float(base.tip_eur.sum())
    restricted = base.restricted_year_eur * float(base.tip_eur[k]) / tip_year if tip_year > 0 else 0.0
    cw = consumer_weights(base, rules, k)
    if rules.restricted_to == "consumers":
        eligible = np.array([is_non_enterprise(c) for c in base.member_categories], dtype=bool)
        parts[:, 3], comm["fund_restricted_eur"] = _share(restricted, np.where(eligible, cw, 0.0))
    else:
        comm["fund_restricted_eur"] = restricted
    rest = pot - costs - restricted
    comm["running_costs_eur"] = rest * rules.fraction("running_costs")
    comm["fund_share_eur"] = rest * rules.fraction("social_fund")
    parts[:, 2], unassigned_c = _share(rest * rules.fraction("consumers"), cw)
    producers_pool = rest * rules.fraction("producers")
    basis = base.plant_incentivised_kwh[k] if rules.producers_key == "incentivised" else base.plant_injected_kwh[k]
    owner_active = base.active[k][base.plant_owner] if len(base.plant_owner) else np.zeros(0, dtype=bool)
    fixed = (base.third_party[base.plant_owner] & owner_active) if rules.third_party_eur_mwh is not None \
        else np.zeros(len(base.plant_owner), dtype=bool)
    pay = np.where(fixed, basis * (rules.third_party_eur_mwh or 0.0) / 1000.0, 0.0)
    np.add.at(parts[:, 1], base.plant_owner, pay)
    plant_shares, unassigned_p = _share(producers_pool - float(pay.sum()),
                                        np.where(owner_active & ~fixed, basis, 0.0))
    np.add.at(parts[:, 0], base.plant_owner, plant_shares)
    comm["fund_unassigned_eur"] = unassigned_c + unassigned_p
    return pot, parts, comm


def split(base: AllocationBase, rules: Regolamento) -> dict:
    """The split of every month, rounded to the cent, and each member's year.

    Returns
    -------
    dict
        ``rules``, ``monthly`` (one entry per month: ``pot_eur``, ``costs_eur``, ``running_costs_eur``,
        ``social_fund_eur``, ``members_eur``, ``breakdown`` and ``members[]``), ``members[]`` (yearly)
        and ``categories[]``; every ``*_eur`` in cents-exact euros.
    """
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
        monthly.append(_month_record(base, k, member_cents[k], cc, pot, gross_cents[k]))
    return {"rules": rules.to_dict(), "monthly": monthly,
            "members": _member_years(base, member_cents, gross_cents),
            "categories": _categories(base, member_cents)}


def gross_parts_cents(net_cents: np.ndarray, tip_eur: float, valorisation_eur: float, costs_cents: int) -> np.ndarray:
    """Each member's net read as TIP part + valorisation part − its part of the costs [cents], exactly.

    The CER pays its costs before any share, so every euro it hands out (to members, the fund, the
    reserve) bears the same fraction of them: a member's cost part is ``costs × net ÷ (pot − costs)``
    (0 when the pot does not cover the costs); its gross ``net + cost part`` comes from TIP and
    valorisation in the month's proportion. Informational (the statement's lines); ``net`` is exact.

    Returns
    -------
    ndarray (members, 3) int
        ``tip``, ``valorisation`` and ``costs`` cents, with ``tip + valorisation − costs = net``.
    """
    pot_cents = int(round((tip_eur + valorisation_eur) * 100.0))
    out = np.zeros((len(net_cents), len(GROSS_PARTS)), dtype=np.int64)
    handed_out = pot_cents - costs_cents
    if handed_out > 0:
        out[:, 2] = np.rint(costs_cents * net_cents / handed_out).astype(np.int64)
    gross = net_cents + out[:, 2]
    tip_share = tip_eur / (tip_eur + valorisation_eur) if tip_eur + valorisation_eur > 0 else 1.0
    out[:, 0] = np.rint(gross * tip_share).astype(np.int64)
    out[:, 1] = gross - out[:, 0]
    return out


def _eur(cents) -> float:
    return round(int(cents) / 100.0, 2)


def _eur_list(cents: np.ndarray) -> list:
    """:func:`_eur` of every element (Python floats, same shape as nested lists).

    ``round(c / 100.0, 2)`` is ``c / 100.0`` for every whole number of cents below 2⁵³ (the quotient is
    already the double nearest to a two-decimal number), so the rounding is left out.
    """
    return (np.asarray(cents, dtype=np.int64) / 100.0).tolist()


def _member_records(base: AllocationBase, rows: slice | int, mc: np.ndarray, gc: np.ndarray,
                    lead: list[dict]) -> list[dict]:
    """Per-member dictionaries of a month (``rows`` = k) or of the year (``rows`` = slice of months).

    ``mc`` (members, parts) and ``gc`` (members, gross parts) are the member and statement cents;
    ``lead`` gives each member's first keys. Numbers are converted in bulk (numpy ``tolist``): the
    same Python floats as converting them one by one.
    """
    def col(a: np.ndarray) -> list:
        if isinstance(rows, int):
            return a[rows].tolist()
        return np.ascontiguousarray(a[rows].T).sum(axis=1).tolist()  # each column summed as a[:, i].sum()

    wd, inj, contrib = col(base.withdrawn_kwh), col(base.injected_kwh), col(base.contribution_kwh)
    sale, savings = col(base.energy_sale_eur), col(base.bill_savings_eur)
    parts, net, gross = _eur_list(mc), _eur_list(mc.sum(axis=1)), _eur_list(gc)
    p0, p1, p2, p3 = MEMBER_PARTS
    g0, g1, g2 = GROSS_PARTS
    return [{**first, "withdrawn_kwh": wd[i], "injected_kwh": inj[i], "contribution_kwh": contrib[i],
             p0: parts[i][0], p1: parts[i][1], p2: parts[i][2], p3: parts[i][3], "net_eur": net[i],
             "statement": {g0: gross[i][0], g1: gross[i][1], g2: gross[i][2]},
             "outside_pot": {"energy_sale_eur": sale[i], "bill_savings_eur": savings[i]}}
            for i, first in enumerate(lead)]


def _month_record(base: AllocationBase, k: int, mc: np.ndarray, cc: dict, pot: float, gc: np.ndarray) -> dict:
    costs = cc["gse_fees_eur"] + cc["platform_eur"] + cc["insurance_eur"] + cc["referent_eur"]
    fund = cc["fund_share_eur"] + cc["fund_restricted_eur"] + cc["fund_unassigned_eur"]
    lead = [{"id": mid, "active": a} for mid, a in zip(base.member_ids, base.active[k].tolist())]
    breakdown = {"tip_eur": float(base.tip_eur[k]), "valorisation_eur": float(base.valorisation_eur[k]),
                 **dict(zip(MEMBER_PARTS, _eur_list(mc.sum(axis=0)))),
                 **{p: _eur(v) for p, v in cc.items()}}
    return {"month": k + 1, "pot_eur": _eur(round(pot * 100.0)), "costs_eur": _eur(costs),
            "running_costs_eur": _eur(cc["running_costs_eur"]), "social_fund_eur": _eur(fund),
            "members_eur": _eur(mc.sum()), "restricted_approximate": True, "breakdown": breakdown,
            "members": _member_records(base, k, mc, gc, lead)}


def _member_years(base: AllocationBase, member_cents: np.ndarray, gross_cents: np.ndarray) -> list[dict]:
    months_active = base.active.sum(axis=0).tolist()
    third = base.third_party.tolist()
    lead = [{"id": mid, "name": base.member_names[i], "category": base.member_categories[i],
             "kind": base.member_kinds[i], "third_party_producer": bool(third[i]),
             "months_active": int(months_active[i])} for i, mid in enumerate(base.member_ids)]
    return _member_records(base, slice(None), member_cents.sum(axis=0), gross_cents.sum(axis=0), lead)


def _categories(base: AllocationBase, member_cents: np.ndarray) -> list[dict]:
    net = member_cents.sum(axis=(0, 2))
    out = {}
    for i, cat in enumerate(base.member_categories):
        row = out.setdefault(cat, {"category": cat, "members": 0, "cents": 0})
        row["members"] += 1
        row["cents"] += int(net[i])
    return [{"category": r["category"], "members": r["members"], "net_eur": _eur(r["cents"])} for r in out.values()]


# -------------------------------------------------------------------------------------------------
# who wins, who loses
# -------------------------------------------------------------------------------------------------

def compare(base: AllocationBase, rule_sets: dict[str, Regolamento]) -> dict:
    """Each member's and each category's yearly net under several rule sets, and the difference.

    The first rule set is the reference: ``diff_eur`` of another set = its net − the reference's net.

    Returns
    -------
    dict
        ``names`` (rule sets in order), ``members[]`` (``id``, ``category``, ``net_eur`` by name,
        ``diff_eur`` by name) and ``categories[]`` (the same per category).
    """
    names = list(rule_sets)
    splits = {name: split(base, rules) for name, rules in rule_sets.items()}
    ref = names[0]
    members = []
    for i, mid in enumerate(base.member_ids):
        nets = {name: splits[name]["members"][i]["net_eur"] for name in names}
        members.append({"id": mid, "category": base.member_categories[i], "net_eur": nets,
                        "diff_eur": {name: round(nets[name] - nets[ref], 2) for name in names[1:]}})
    cats = []
    for j, row in enumerate(splits[ref]["categories"]):
        nets = {name: splits[name]["categories"][j]["net_eur"] for name in names}
        cats.append({"category": row["category"], "members": row["members"], "net_eur": nets,
                     "diff_eur": {name: round(nets[name] - nets[ref], 2) for name in names[1:]}})
    return {"names": names, "members": members, "categories": cats}


# -------------------------------------------------------------------------------------------------
# the results' allocation
# -------------------------------------------------------------------------------------------------

def allocation_summary(results, scenario, rules: Regolamento | None = None, shapley: dict | bool | None = None,
                       base: AllocationBase | None = None) -> dict:
    """``summary["allocation"]``: the split with the scenario's rules (or ``rules``) and the Shapley values.

    ``shapley`` and ``base`` may be passed in when already computed (they do not depend on the rules);
    ``shapley=False`` leaves the Shapley values out (``shapley`` is then None; the studio computes them
    on demand).
    """
    base = base or base_from_results(results, scenario)
    rules = rules or Regolamento.from_dict(getattr(scenario, "regolamento", None))
    out = split(base, rules)
    members_total = sum(m["net_eur"] for m in out["members"])
    out["yearly"] = {"pot_eur": _eur(sum(round(r["pot_eur"] * 100) for r in out["monthly"])),
                     "members_eur": round(members_total, 2), "restricted_year_eur": base.restricted_year_eur}
    out["shapley"] = None
    if shapley is not False:
        add_shapley(out, shapley if isinstance(shapley, dict) else shapley_values(results))
    return out


def shapley_values(results) -> dict:
    """The Shapley values of a simulated year (see :mod:`cer_core.money.shapley`)."""
    from .shapley import shapley_of_results

    return shapley_of_results(results)


def add_shapley(allocation: dict, shap: dict) -> None:
    """Put the Shapley values beside each member's yearly net: ``shapley_eur``, its standard error, and
    ``shapley_scaled_eur`` (the same proportion of what the members get under the chosen rules)."""
    members_total = sum(m["net_eur"] for m in allocation["members"])
    pot_total = float(shap["total_eur"])
    for m, value, err in zip(allocation["members"], shap["values_eur"], shap["stderr_eur"]):
        m["shapley_eur"] = float(value)
        m["shapley_stderr_eur"] = float(err)
        m["shapley_scaled_eur"] = float(value) * members_total / pot_total if pot_total > 0 else 0.0
    allocation["shapley"] = {k: v for k, v in shap.items() if k not in ("values_eur", "stderr_eur")}
