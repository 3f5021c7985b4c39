"""Builders of typed scenarios and engine inputs for tests (no files, no weather)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from cer_core import constants as C
from cer_core.engine import SimulationInputs
from cer_core.scenario import Face, Member, Plant, Scenario, Site
from cer_core.timeaxis import hours_local, n_hours


def site(region: str = "Lombardia", zone: str = "NORD") -> Site:
    return Site(comune="Test", istat_code="000000", lat=45.4, lon=9.2, region=region, market_zone=zone,
                macro_area=C.macro_area(region))


def member(mid: str, cabina: str = "CP1", kind: str = "consumer", category: str = "household", **kw) -> Member:
    defaults = dict(name=mid, lat=None, lon=None, load={"source": "profile"})
    defaults.update(kw)
    return Member(id=mid, kind=kind, category=category, cabina=cabina, **defaults)


def plant(pid: str, owner: str, kwp: float, commissioning: str = "2023-01-01", grant_pct: float = 0.0,
          incentivised: bool = True) -> Plant:
    return Plant(id=pid, name=pid, member=owner, kwp=kwp, commissioning=dt.date.fromisoformat(commissioning),
                 grant_pct=grant_pct, incentivised=incentivised, tilt_deg=30.0, azimuth_deg=180.0, losses_pct=14.0,
                 dc_ac_ratio=1.1, degradation_pct_per_year=0.0, faces=(Face(kwp, 30.0, 180.0),))


def scenario(members, plants, year: int = 2025, region: str = "Lombardia", rules=None, economics=None,
             cabine=()) -> Scenario:
    return Scenario(name="test", year=year, site=site(region), members=tuple(members), plants=tuple(plants),
                    prices={"source": "flat", "eur_mwh": 100.0}, rules=rules or {}, economics=economics or {},
                    cabine=tuple(cabine))


def inputs(sc: Scenario, load=None, prod=None, pz=None) -> SimulationInputs:
    h = n_hours(sc.year)
    load = np.zeros((h, len(sc.members))) if load is None else np.asarray(load, dtype=float)
    prod = np.zeros((h, len(sc.plants))) if prod is None else np.asarray(prod, dtype=float)
    pz = np.full(h, 100.0) if pz is None else np.asarray(pz, dtype=float)
    return SimulationInputs(scenario=sc, load_kwh=load, plant_production_kwh=prod, zonal_price_eur_mwh=pz)


def daylight_pv(year: int, kwp: float) -> np.ndarray:
    """A crude hourly PV shape [kWh] (a sine between 6 and 18 local time), for invariants only."""
    hour = hours_local(year).hour.to_numpy()
    return np.clip(np.sin((hour - 6) / 12 * np.pi), 0.0, None) * kwp * 0.6
