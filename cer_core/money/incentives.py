"""The tariffa premio (TIP, DM 414/2023), the ARERA valorisation and the 55 % / 45 % rule.

``rate = (min(fixed + max(0, 180 − Pz), cap) + regional correction) × (1 − F)``, €/MWh, per plant and
hour, with the power class giving ``fixed`` and ``cap``, the PV regional correction added after the
cap, and ``F = 0.5 × g / 0.4`` for a capital grant of share g (no tariff above 40 %). The (1 − F) cut spares
the share of the energy attributable to exempt members' withdrawals (households, local authorities,
religious, third-sector and environmental bodies), see docs/regulation.md §3.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .. import constants as C
from ..constants import Parameters, TipClass


def tip_class(kw: float, classes: tuple[TipClass, ...] = C.TIP_CLASSES) -> TipClass:
    """The TIP power class of a plant of ``kw`` kW (P ≤ 200, ≤ 600, > 600)."""
    for cls in classes:
        if kw <= cls.max_kw:
            return cls
    return classes[-1]


def grant_factor(grant_pct: float) -> float:
    """``F = 0.5 × g / 0.4`` for a capital grant of ``grant_pct`` % (0 ≤ g ≤ 40 %)."""
    return C.GRANT_REDUCTION_AT_MAX * (grant_pct / 100.0) / (C.GRANT_MAX_PCT / 100.0)


def tip_rate_eur_mwh(kw: float, zonal_price_eur_mwh, macro_area: str, grant_pct: float = 0.0,
                     params: Parameters | None = None) -> np.ndarray:
    """TIP rate [€/MWh] of a PV plant for each hour's zonal price.

    Parameters
    ----------
    kw : float
        Plant power [kW] (kWp for PV).
    zonal_price_eur_mwh : float or ndarray
        Hourly zonal price Pz of the plant's market zone [€/MWh].
    macro_area : {"Nord", "Centro", "Sud"}
        For the PV regional correction.
    grant_pct : float
        Capital grant share of the eligible cost [%], 0–40.
    params : Parameters, optional

    Returns
    -------
    ndarray
        Rate in €/MWh, same shape as ``zonal_price_eur_mwh``.
    """
    p = params or Parameters()
    cls = tip_class(kw, p.tip_classes)
    pz = np.asarray(zonal_price_eur_mwh, dtype=float)
    variable = np.maximum(0.0, p.tip_variable_reference_eur_mwh - pz)
    capped = np.minimum(cls.fixed_eur_mwh + variable, cls.cap_eur_mwh)
    regional = p.pv_regional_correction_eur_mwh.get(macro_area, 0.0)
    factor = 1.0 - grant_factor(grant_pct)
    if p.grant_scales_regional_correction:
        return (capped + regional) * factor
    return capped * factor + regional


@dataclass(frozen=True)
class Admission:
    """Whether a plant is admitted to the tariff, and why not."""

    admitted: bool
    reason_code: str
    it: str
    en: str


def admission(kwp: float, commissioning: dt.date, grant_pct: float, incentivised_flag: bool) -> Admission:
    """The static admission of a plant to the TIP (the 20-year window is applied per hour)."""
    if not incentivised_flag:
        return Admission(False, "flag", "indicato come non incentivato", "marked as not incentivised")
    if commissioning < C.NEW_PLANT_FROM:
        return Admission(False, "old", "entrato in esercizio prima del 16/12/2021: solo valorizzazione ARERA",
                         "commissioned before 16/12/2021: ARERA valorisation only")
    if kwp > C.MAX_PLANT_KW:
        return Admission(False, "over_1mw", "potenza oltre 1 MW", "power over 1 MW")
    if grant_pct > C.GRANT_MAX_PCT:
        return Admission(False, "grant", f"contributo in conto capitale {grant_pct:g}% oltre il 40%",
                         f"capital grant {grant_pct:g}% over 40%")
    return Admission(True, "ok", "ammesso alla tariffa", "admitted to the tariff")


def tariff_end(commissioning: dt.date) -> dt.date:
    """First day after the 20-year tariff period (29 February maps to 1 March)."""
    try:
        return commissioning.replace(year=commissioning.year + C.TARIFF_YEARS)
    except ValueError:
        return dt.date(commissioning.year + C.TARIFF_YEARS, 3, 1)


def restricted_tip(tip_eur: float, incentivised_kwh: float, injected_kwh: float, threshold: float) -> dict:
    """The 55 % / 45 % rule for one set of plants and one year (docs/regulation.md §3).

    ``r = E_incentivised / E_injected``; the excess ``max(0, r − threshold)`` is a difference in percentage
    points applied to the set's tariff money: ``restricted_eur = max(0, r − threshold) × TIP`` (GSE's
    formula, Regole Operative 2025 p. 42), the part of the TIP that may go only to members that are not
    enterprises or to social purposes in the plants' territory. ``restricted_share`` is that amount over
    the TIP, i.e. ``max(0, r − threshold)``.
    """
    ratio = incentivised_kwh / injected_kwh if injected_kwh > 0 else 0.0
    share = max(0.0, ratio - threshold)
    return {"injected_kwh": injected_kwh, "incentivised_kwh": incentivised_kwh, "ratio": ratio,
            "threshold": threshold, "restricted_share": share, "tip_eur": tip_eur,
            "restricted_eur": tip_eur * share}


def tip_rates_with_exemption(rate_cut_eur_mwh, rate_full_eur_mwh, exempt_fraction):
    """Hourly TIP rate [€/MWh] of a plant whose grant cut spares the exempt members' share.

    ``rate = exempt × full + (1 − exempt) × cut`` where ``full`` is the rate without the (1 − F) cut,
    ``cut`` the rate with it and ``exempt`` the exempt members' share of the cabina's withdrawal in that
    hour (docs/regulation.md §3). With F = 0, ``full == cut`` and the rate is unchanged.
    """
    exempt = np.clip(np.asarray(exempt_fraction, dtype=float), 0.0, 1.0)
    return rate_cut_eur_mwh + exempt * (np.asarray(rate_full_eur_mwh) - rate_cut_eur_mwh)


def tariff_fraction(kwp: float, excluded_kw: float) -> float:
    """Share of a plant's incentivised energy that earns the tariff: ``1 − excluded_kw ÷ kWp`` in [0, 1]."""
    if kwp <= 0:
        return 0.0
    return float(min(1.0, max(0.0, 1.0 - excluded_kw / kwp)))


def valorisation_eur(shared_kwh, rate_eur_mwh: float):
    """ARERA valorisation ``shared [MWh] × TRAS_E [€/MWh]`` in € (element-wise)."""
    return np.asarray(shared_kwh) * rate_eur_mwh / 1000.0
