"""Investment economics over the plants' life: capex, grants, running costs, financing, NPV, IRR, payback.

The simulated (reference) year gives each plant's and member's yearly energy and money; this module
projects them over ``horizon_years`` (``docs/economics.md``):

- every plant is built in year 0 and produces from year 1, losing ``degradation`` a year;
- the tariff (TIP) lasts the 20-year window (years 1–20), the valorisation and the energy sale go on;
- energy prices (sale at the zonal price, avoided bill price) grow by ``price_escalation``, costs
  (O&M, insurance, inverter, fees) by ``inflation``; the TIP and the valorisation are kept flat [D];
- capex by size class (€/kWp), a capital grant of the plant's ``grant_pct`` of the eligible cost
  (capped by the PNRR €/kW caps; the scenario's default is no grant), financing with own capital, a loan
  (annuity) or a third-party producer (an ESCO pays the capex and charges the host a yearly fee).

Three kinds of actor get a cash flow and ``npv_eur``, ``irr``, ``payback_years``,
``discounted_payback_years``: the community as a whole (its lines kept apart: the CER's money, the
producers' sale, the prosumers' savings, the costs), each plant (its owner's investment) and each member
(its plants, its bill savings, its share of the CER's money from the regolamento when the results have
one). Money flows are nominal euros; the discount rate is nominal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

import numpy as np

from . import constants as C

FINANCING_MODES = ("own", "loan", "third_party")


@dataclass(frozen=True)
class Financing:
    """How a plant is paid for: ``own`` capital, a ``loan`` (annuity) or a ``third_party`` producer."""

    mode: str = "own"
    loan_share_pct: float = C.LOAN_SHARE_PCT
    loan_rate_pct: float = C.LOAN_RATE_PCT
    loan_years: int = C.LOAN_YEARS
    third_party_rate_pct: float = C.THIRD_PARTY_RATE_PCT
    third_party_years: int = C.THIRD_PARTY_YEARS


@dataclass(frozen=True)
class InvestmentParams:
    """Every editable number of the projection (defaults and sources in :mod:`cer_core.constants`)."""

    capex_eur_kwp: tuple[tuple[float, float], ...] = C.CAPEX_EUR_KWP
    grant_cap_eur_kw: tuple[tuple[float, float], ...] = C.PNRR_ELIGIBLE_CAP_EUR_KW
    om_eur_kwp_year: float = C.OM_EUR_KWP_YEAR
    insurance_pct_capex_year: float = C.INSURANCE_PCT_CAPEX_YEAR
    inverter_replacement_year: int = C.INVERTER_REPLACEMENT_YEAR
    inverter_replacement_eur_kwp: float = C.INVERTER_REPLACEMENT_EUR_KWP
    inflation_pct_year: float = C.INFLATION_PCT_YEAR
    price_escalation_pct_year: float = C.PRICE_ESCALATION_PCT_YEAR
    discount_rate_pct: float = C.DISCOUNT_RATE_PCT
    horizon_years: int = C.INVESTMENT_HORIZON_YEARS
    tariff_years: int = C.TARIFF_YEARS
    degradation_pct_year: float | None = None  # None: each plant's own degradation_pct_per_year
    financing: Financing = field(default_factory=Financing)
    plants: dict = field(default_factory=dict)  # plant id → {"capex_eur_kwp", "financing": {...}}

    @classmethod
    def from_economics(cls, economics: dict | None) -> "InvestmentParams":
        """Defaults updated with the scenario's ``economics.investment`` (unknown keys ignored)."""
        raw = dict((economics or {}).get("investment") or {})
        names = {f.name for f in fields(cls)}
        updates = {k: v for k, v in raw.items() if k in names and k not in ("financing", "capex_eur_kwp", "plants")}
        if "capex_eur_kwp" in raw:
            updates["capex_eur_kwp"] = _classes(raw["capex_eur_kwp"])
        if isinstance(raw.get("financing"), dict):
            updates["financing"] = financing_of(raw["financing"])
        if isinstance(raw.get("plants"), dict):
            updates["plants"] = dict(raw["plants"])
        return replace(cls(), **updates)

    def plant_financing(self, plant_id: str) -> Financing:
        own = (self.plants.get(plant_id) or {}).get("financing")
        return financing_of(own, self.financing) if isinstance(own, dict) else self.financing

    def plant_capex_eur_kwp(self, plant_id: str, kwp: float) -> float:
        own = (self.plants.get(plant_id) or {}).get("capex_eur_kwp")
        return float(own) if isinstance(own, (int, float)) else by_class(self.capex_eur_kwp, kwp)

    def to_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("financing", "plants")}
        for key in ("capex_eur_kwp", "grant_cap_eur_kw"):
            out[key] = [[None if math.isinf(k) else k, v] for k, v in out[key]]
        out["financing"] = {f.name: getattr(self.financing, f.name) for f in fields(Financing)}
        return out


def financing_of(raw: dict, base: Financing | None = None) -> Financing:
    names = {f.name for f in fields(Financing)}
    return replace(base or Financing(), **{k: v for k, v in raw.items() if k in names})


def _classes(value) -> tuple[tuple[float, float], ...]:
    """A single €/kWp for every size, or ``[[max_kw or null, eur_kwp], ...]``."""
    if isinstance(value, (int, float)):
        return ((math.inf, float(value)),)
    return tuple((math.inf if k is None else float(k), float(v)) for k, v in value)


def by_class(table: tuple[tuple[float, float], ...], kw: float) -> float:
    """The value of the first class whose upper limit ``kw`` does not exceed."""
    return next((v for limit, v in table if kw <= limit), table[-1][1])


# -------------------------------------------------------------------------------------------------
# the metrics (hand-coded; tests compare them with hand-computed cash flows)
# -------------------------------------------------------------------------------------------------

def npv_eur(rate: float, cash_eur) -> float:
    """Net present value of yearly cash flows (index 0 = year 0, undiscounted) at ``rate`` (0.05 = 5 %)."""
    cash = np.asarray(cash_eur, dtype=float)
    return float(np.sum(cash / (1.0 + rate) ** np.arange(len(cash))))


def irr(cash_eur) -> float | None:
    """Internal rate of return (0.07 = 7 %), or None when it does not exist or is not unique.

    Bisection on NPV(r) between −99 % and 1,000 %: the cash flows of an investment (outflows first) have
    one sign change, so NPV is monotonic in r and the root is unique.
    """
    cash = np.asarray(cash_eur, dtype=float)
    nz = cash[np.abs(cash) > 1e-9]
    if len(nz) < 2 or nz[0] > 0 or np.all(nz < 0):
        return None  # nothing invested first: no rate of return
    if np.count_nonzero(np.diff(np.sign(nz))) != 1:
        return None
    lo, hi = -0.99, 10.0
    years = np.arange(len(cash))
    for _ in range(6):  # each round: NPV on a 64-point grid, keep the bracket of the sign change
        rates = np.linspace(lo, hi, 64)
        values = (cash[None, :] / (1.0 + rates[:, None]) ** years[None, :]).sum(axis=1)
        change = np.flatnonzero(np.sign(values[:-1]) != np.sign(values[1:]))
        if len(change) == 0:
            return None
        k = change[0]
        lo, hi = rates[k], rates[k + 1]
        if hi - lo < 1e-11:
            break
    return float(0.5 * (lo + hi))


def payback_years(cash_eur, rate: float = 0.0) -> float | None:
    """Years until the (discounted at ``rate``) cumulative cash flow turns non-negative, interpolated
    linearly within the year; 0 when nothing is invested; None when it never does within the horizon."""
    cash = np.asarray(cash_eur, dtype=float) / (1.0 + rate) ** np.arange(len(cash_eur))
    cum = np.cumsum(cash)
    if cum[0] >= 0:
        return 0.0
    for y in range(1, len(cum)):
        if cum[y] >= 0:
            return float(y - 1 + (-cum[y - 1]) / cash[y]) if cash[y] > 0 else float(y)
    return None


def metrics(cash_eur, discount_rate: float) -> dict:
    """The four figures every actor gets."""
    return {"npv_eur": npv_eur(discount_rate, cash_eur), "irr": irr(cash_eur), "payback_years": payback_years(cash_eur),
            "discounted_payback_years": payback_years(cash_eur, discount_rate)}


def annuity_eur(principal_eur: float, rate_pct: float, years: int) -> float:
    """Constant yearly payment repaying ``principal_eur`` in ``years`` at ``rate_pct``."""
    if principal_eur <= 0 or years <= 0:
        return 0.0
    r = rate_pct / 100.0
    if r == 0:
        return principal_eur / years
    return principal_eur * r / (1.0 - (1.0 + r) ** -years)


# -------------------------------------------------------------------------------------------------
# the projection
# -------------------------------------------------------------------------------------------------

def cer_money_eur(totals: dict) -> float:
    """The CER's own yearly money (TIP + valorisation − the configuration's GSE fees) [€]: the engine's
    ``cer_money_eur`` when it writes one, else rebuilt from the totals (docs/results.md)."""
    if isinstance(totals.get("cer_money_eur"), (int, float)):
        return float(totals["cer_money_eur"])
    return float(totals.get("tip_eur", 0.0) + totals.get("valorisation_eur", 0.0) - totals.get("gse_fee_eur", 0.0))


def _growth(pct: float, n: int) -> np.ndarray:
    """Year 0..n factors: 0 in year 0, (1 + pct)^(y − 1) from year 1."""
    out = np.zeros(n + 1)
    out[1:] = (1.0 + pct / 100.0) ** np.arange(n)
    return out


def grant_eur(kwp: float, capex_eur: float, grant_pct: float, p: InvestmentParams) -> float:
    """Capital grant [€]: ``grant_pct`` (at most 40 %) of the eligible cost, capped at the PNRR €/kW of the class."""
    eligible = min(capex_eur, kwp * by_class(p.grant_cap_eur_kw, kwp))
    return min(grant_pct, C.GRANT_MAX_PCT) / 100.0 * eligible


def plant_costs(kwp: float, capex_eur_kwp: float, grant_pct: float, fin: Financing,
                p: InvestmentParams) -> dict[str, np.ndarray]:
    """One plant's cost lines (negative) and grant/loan lines over years 0..horizon [€]."""
    n = int(p.horizon_years)
    infl = _growth(p.inflation_pct_year, n)
    capex = kwp * capex_eur_kwp
    grant = grant_eur(kwp, capex, grant_pct, p)
    lines = {k: np.zeros(n + 1) for k in ("capex_eur", "grant_eur", "loan_eur", "debt_service_eur", "om_eur",
                                          "insurance_eur", "inverter_eur", "third_party_fee_eur")}
    om = -p.om_eur_kwp_year * kwp * infl
    insurance = -p.insurance_pct_capex_year / 100.0 * capex * infl
    if fin.mode == "third_party":
        # the investor pays the capex and bears O&M, insurance and the inverter; the host pays a fee
        fee = annuity_eur(capex - grant, fin.third_party_rate_pct, fin.third_party_years)
        years = min(int(fin.third_party_years), n)
        lines["third_party_fee_eur"][1:years + 1] = -fee
        lines["third_party_fee_eur"] += np.where(np.arange(n + 1) <= years, om + insurance, 0.0)
        lines["om_eur"] = np.where(np.arange(n + 1) > years, om, 0.0)
        lines["insurance_eur"] = np.where(np.arange(n + 1) > years, insurance, 0.0)
        return lines
    lines["capex_eur"][0] = -capex
    lines["grant_eur"][0] = grant
    lines["om_eur"], lines["insurance_eur"] = om, insurance
    y_inv = int(p.inverter_replacement_year)
    if 1 <= y_inv <= n:
        lines["inverter_eur"][y_inv] = -p.inverter_replacement_eur_kwp * kwp * infl[y_inv]
    if fin.mode == "loan":
        principal = fin.loan_share_pct / 100.0 * (capex - grant)
        years = min(int(fin.loan_years), n)
        lines["loan_eur"][0] = principal
        lines["debt_service_eur"][1:years + 1] = -annuity_eur(principal, fin.loan_rate_pct, int(fin.loan_years))
    return lines


@dataclass(frozen=True)
class _Curves:
    """Year 0..n factors shared by every actor."""

    infl: np.ndarray
    esc: np.ndarray
    years: np.ndarray

    def energy(self, degradation_pct: float) -> np.ndarray:
        """Production factor: 1 in year 1, minus degradation each year after; 0 in year 0."""
        return _growth(-degradation_pct, len(self.years) - 1)

    def tariff(self, tariff_years: int) -> np.ndarray:
        return ((self.years >= 1) & (self.years <= tariff_years)).astype(float)


def _actor(lines: dict[str, np.ndarray], rate: float, detail: bool = True) -> dict:
    cash = sum(lines.values())
    if not detail:
        return {"npv_eur": npv_eur(rate, cash)}
    return {**metrics(cash, rate), "cash_flow_eur": np.round(cash, 2).tolist(),
            "lines": {k: np.round(v, 2).tolist() for k, v in lines.items() if np.any(np.abs(v) > 0.005)}}


def investment_economics(summary: dict, scenario, economics: dict | None = None, detail: bool = True) -> dict:
    """Cash flows and figures of the community, every plant and every member (``summary["economics"]``).

    Parameters
    ----------
    summary : dict
        The simulated year's summary (totals, plants, members and, when present, the allocation).
    scenario : Scenario
        The typed scenario (plants' power, owner, grant, degradation).
    economics : dict, optional
        The scenario's ``economics`` section (its ``investment`` part); default ``scenario.economics``.
    detail : bool
        False: no per-member actors and only the plants' NPV (what the sizing sweeps need, faster).
    """
    p = InvestmentParams.from_economics(scenario.economics if economics is None else economics)
    n = int(p.horizon_years)
    rate = p.discount_rate_pct / 100.0
    years = np.arange(n + 1)
    curves = _Curves(_growth(p.inflation_pct_year, n), _growth(p.price_escalation_pct_year, n), years)
    tariff = curves.tariff(int(p.tariff_years))
    member_recs = {m["id"]: m for m in summary.get("members", [])}
    alloc = {m["id"]: m for m in (summary.get("allocation") or {}).get("members", [])}
    plant_recs = {r["id"]: r for r in summary.get("plants", [])}
    totals = summary.get("totals", {})

    # the CER's money year by year: each plant's TIP in its window, the valorisation, the fees (inflated)
    cer_tip = np.zeros(n + 1)
    cer_val = np.zeros(n + 1)
    energy_of = {}
    for pl in scenario.plants:
        deg = p.degradation_pct_year if p.degradation_pct_year is not None else pl.degradation_pct_per_year
        energy_of[pl.id] = curves.energy(deg)
        cer_tip += plant_recs.get(pl.id, {}).get("tip_eur", 0.0) * energy_of[pl.id] * tariff
    mean_energy = (np.mean([e for e in energy_of.values()], axis=0) if energy_of
                   else (years >= 1).astype(float))
    cer_val += totals.get("valorisation_eur", 0.0) * mean_energy
    fees_year1 = cer_money_eur(totals) - totals.get("tip_eur", 0.0) - totals.get("valorisation_eur", 0.0)
    cer_fees = fees_year1 * curves.infl
    cer_money = cer_tip + cer_val + cer_fees
    base = cer_money[1] if n >= 1 else 0.0
    money_factor = np.divide(cer_money, base, out=np.zeros(n + 1), where=abs(base) > 1e-9)

    plants_out, owned_lines = [], {}
    community = {k: np.zeros(n + 1) for k in ("cer_money_eur", "energy_sale_eur", "bill_savings_eur")}
    community["cer_money_eur"] = cer_money
    for pl in scenario.plants:
        rec = plant_recs.get(pl.id, {})
        owner = member_recs.get(pl.member, {})
        e = energy_of[pl.id]
        capex_kwp = p.plant_capex_eur_kwp(pl.id, pl.kwp)
        fin = p.plant_financing(pl.id)
        lines = plant_costs(pl.kwp, capex_kwp, pl.grant_pct, fin, p)
        sale = (rec.get("energy_sale_eur", 0.0) + rec.get("rid_min_price_topup_eur", 0.0)) * e * curves.esc
        rid_fee = -rec.get("rid_fee_eur", 0.0) * curves.infl
        share = rec.get("production_kwh", 0.0) / owner["production_kwh"] if owner.get("production_kwh") else 0.0
        savings = owner.get("bill_savings_eur", 0.0) * share * e * curves.esc
        lines.update({"energy_sale_eur": sale, "rid_fee_eur": rid_fee, "bill_savings_eur": savings})
        a = alloc.get(pl.member)
        if a is not None:
            inc_owner = sum(r.get("incentivised_kwh", 0.0) for r in plant_recs.values() if r.get("member") == pl.member)
            part = rec.get("incentivised_kwh", 0.0) / inc_owner if inc_owner > 0 else 0.0
            lines["cer_producer_share_eur"] = ((a.get("producer_eur", 0.0) + a.get("third_party_eur", 0.0)) * part
                                               * money_factor)
        capex = pl.kwp * capex_kwp
        plants_out.append({"id": pl.id, "member": pl.member, "kwp": pl.kwp, "capex_eur_kwp": capex_kwp,
                           "capex_eur": capex, "grant_eur": grant_eur(pl.kwp, capex, pl.grant_pct, p),
                           "financing": fin.mode, **_actor(lines, rate, detail)})
        costs = {k: v for k, v in lines.items() if k not in ("bill_savings_eur", "cer_producer_share_eur")}
        acc = owned_lines.setdefault(pl.member, {})
        for k, v in costs.items():
            acc[k] = acc.get(k, 0.0) + v
        for k, v in costs.items():
            community[k] = community.get(k, np.zeros(n + 1)) + v

    # bill savings of every member (prosumers' self-consumption), escalated, degraded like the plants
    members_out = []
    for m in summary.get("members", []):
        lines = dict(owned_lines.get(m["id"], {}))
        own = [energy_of[pl.id] for pl in scenario.plants if pl.member == m["id"]]
        lines["bill_savings_eur"] = (m.get("bill_savings_eur", 0.0) * (np.mean(own, axis=0) if own else mean_energy)
                                     * curves.esc)
        community["bill_savings_eur"] = community["bill_savings_eur"] + lines["bill_savings_eur"]
        a = alloc.get(m["id"])
        if a is not None:
            lines["cer_share_eur"] = a.get("net_eur", 0.0) * money_factor
        if not detail:
            continue
        members_out.append({"id": m["id"], "name": m.get("name", m["id"]), "category": m.get("category"),
                            "has_allocation": a is not None, **_actor(lines, rate)})

    cer = _actor(community, rate)
    cer["cer_money_npv_eur"] = npv_eur(rate, cer_money)
    return {
        "parameters": p.to_dict(),
        "years": [int(y) for y in years],
        "cer_money_year1_eur": float(cer_money[1]) if n >= 1 else 0.0,
        "cer_money_npv_eur": cer["cer_money_npv_eur"],
        "capex_eur": float(sum(x["capex_eur"] for x in plants_out)),
        "grant_eur": float(sum(x["grant_eur"] for x in plants_out)),
        "npv_eur": cer["npv_eur"], "irr": cer["irr"], "payback_years": cer["payback_years"],
        "discounted_payback_years": cer["discounted_payback_years"],
        "cer": cer, "plants": plants_out, "members": members_out,
        "allocation_used": bool(alloc),
    }
