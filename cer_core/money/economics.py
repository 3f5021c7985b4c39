"""Money and emissions besides the incentives: energy sale (RID), bill savings, CO2, GSE fees.

- Injected energy stays the producer's and is sold at the hourly zonal price (GSE Ritiro Dedicato),
  paying the RID fee; plants up to 100 kW may get the minimum guaranteed price on their first
  1,500 MWh of the year (an option; GSE settles it as a yearly top-up).
- Physical self-consumption saves the variable part of the prosumer's bill at its avoided price
  (category default, one price per member, or F1/F2/F3 prices).
- Avoided CO2 counts shared plus physically self-consumed energy (default) or all production.
- GSE charges the configuration a yearly fee per plant and per member.
"""

from __future__ import annotations

import numpy as np

from .. import constants as C
from ..constants import Parameters


def energy_sale_eur(injected_kwh: np.ndarray, zonal_price_eur_mwh: np.ndarray) -> np.ndarray:
    """Value of injected energy at the hourly zonal price [€], element-wise over (hours, plants)."""
    out = injected_kwh * zonal_price_eur_mwh[:, None]
    out /= 1000.0  # in place: one (hours, plants) array, not two
    return out


def rid_fee_eur(kwp: float, params: Parameters | None = None) -> float:
    """GSE yearly RID fee of a plant [€]: €/kWp by power class, capped [S]."""
    p = params or Parameters()
    if not p.rid_fee or kwp < C.RID_FEE_MIN_KW:
        return 0.0
    rate = next(r for limit, r in C.RID_FEE_EUR_KWP if kwp <= limit)
    return min(rate * kwp, C.RID_FEE_CAP_EUR)


def rid_min_price_topup_eur(injected_kwh: np.ndarray, zonal_price_eur_mwh: np.ndarray, kwp: float,
                            params: Parameters | None = None) -> float:
    """Yearly top-up of the RID minimum guaranteed price for one plant [€].

    For plants up to 100 kW, GSE pays at year end ``max(0, Σ e_h × (PMG − Pz_h))`` over the first
    1,500 MWh of the year (``e_h`` the injected energy counted towards that amount).
    """
    p = params or Parameters()
    if not p.rid_min_price or kwp > C.RID_MIN_PRICE_MAX_KW:
        return 0.0
    cap_kwh = C.RID_MIN_PRICE_MAX_MWH * 1000.0
    before = np.cumsum(injected_kwh) - injected_kwh
    counted = np.clip(cap_kwh - before, 0.0, injected_kwh)
    return max(0.0, float(np.sum(counted * (p.rid_min_price_eur_mwh - zonal_price_eur_mwh))) / 1000.0)


def gse_fee_plant_eur(kwp: float, params: Parameters | None = None) -> float:
    """GSE yearly CACER fee of a plant [€] under the selected reading [S] (docs/regulation.md §5).

    ``decree`` (default, DM MASE 106/2024): 0 up to 3 kW, the fixed part (15 €) for 3–20 kW, the fixed
    part + €/kW for each kW above 20 kW. ``rse``: 0 below 3 kW, the fixed part (30 €), + €/kWp on the
    whole power above 20 kW (power counted up to 1 MW in both).
    """
    p = params or Parameters()
    fixed, per_kw = p.fee("gse_fee_plant_eur"), p.fee("gse_fee_per_kwp_eur")
    counted_kw = min(kwp, C.MAX_PLANT_KW)
    if p.gse_fee_scheme == "rse":
        if kwp < C.GSE_FEE_PLANT_MIN_KW:
            return 0.0
        return fixed + (per_kw * counted_kw if kwp > C.GSE_FEE_PER_KWP_FROM_KW else 0.0)
    if kwp <= C.GSE_FEE_PLANT_MIN_KW:
        return 0.0
    return fixed + per_kw * max(0.0, counted_kw - C.GSE_FEE_PER_KWP_FROM_KW)


def gse_fee_member_eur(params: Parameters | None = None) -> float:
    """GSE yearly CACER fee per member [€]: 0 in the decree reading, 4 € in RSE's [S]."""
    return (params or Parameters()).fee("gse_fee_member_eur")


def avoided_price_per_hour(price: float | dict | None, category: str, band: np.ndarray,
                           params: Parameters) -> np.ndarray | float:
    """Avoided price of self-consumed energy [€/kWh]: a scalar, or per hour from F1/F2/F3 prices."""
    if isinstance(price, dict):
        table = np.array([0.0, price["F1"], price["F2"], price["F3"]])
        return table[band]
    if price is not None:
        return float(price)
    return float(params.avoided_price_eur_kwh.get(category, params.avoided_price_eur_kwh["other"]))


def co2_avoided_kg(shared_kwh: np.ndarray, self_consumed_kwh: np.ndarray, production_kwh: np.ndarray,
                   params: Parameters) -> np.ndarray:
    """Hourly avoided CO2 [kg] of the community on the chosen basis."""
    if params.co2_basis == "production":
        return production_kwh * params.co2_kg_per_kwh
    return (shared_kwh + self_consumed_kwh) * params.co2_kg_per_kwh
