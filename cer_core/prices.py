"""Hourly zonal day-ahead prices Pz [€/MWh] for the simulated year.

Three sources (scenario ``prices.source``):

``embedded``
    RSE's composite reference year of hourly zonal prices (``assets/prices``, GME data; BSD-3 from
    RSE's CACER simulator). It is a *reference shape*: its January–October monthly means track 2024
    within about 1.5 €/MWh, November–December do not. It is laid onto the simulated year by local
    calendar position with the weekdays aligned (the reference day used is the one of the same
    weekday nearest to the same day of the year), the missing March hour dropped, the repeated October
    hour given the same price twice, and 29 February taking 28 February's prices.
``file``
    An hourly CSV ``timestamp,eur_mwh`` for the site's market zone (see ``docs/scenario.md``).
``flat``
    One price for every hour (``eur_mwh``): for what-ifs and hand checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .constants import MARKET_ZONES
from .errors import CerInputError, error, located
from .io.hourly_csv import read_hourly_csv
from .paths import ASSETS
from .timeaxis import hours_local, n_hours

EMBEDDED_PRICES = ASSETS / "prices" / "rse_hourly_zonal_prices_composite_year.csv"
EMBEDDED_REFERENCE_YEAR = 2023
EMBEDDED_LABEL = "RSE composite reference year of GME hourly zonal prices (shape, not a real year)"


@dataclass(frozen=True)
class PriceSeries:
    """Hourly zonal price of the simulated year and where it came from."""

    eur_mwh: np.ndarray
    source: str
    label: str
    zone: str

    def describe(self) -> dict:
        return {"source": self.source, "label": self.label, "market_zone": self.zone,
                "mean_eur_mwh": round(float(self.eur_mwh.mean()), 3)}


@lru_cache(maxsize=1)
def _embedded_table() -> pd.DataFrame:
    table = pd.read_csv(EMBEDDED_PRICES, encoding="utf-8-sig")
    stamps = pd.to_datetime(table["Date"], format="%d/%m/%Y %H:%M")
    table["doy"] = stamps.dt.day_of_year
    table["hour"] = stamps.dt.hour
    return table


def _reference_day(date: dt.date) -> int:
    """Day of the reference year (1..365) of the same weekday nearest to ``date``'s day of year."""
    doy = min(date.timetuple().tm_yday, 365) if not (date.month == 2 and date.day == 29) else 59
    ref = dt.date(EMBEDDED_REFERENCE_YEAR, 1, 1) + dt.timedelta(days=doy - 1)
    shift = (date.weekday() - ref.weekday()) % 7
    if shift > 3:
        shift -= 7
    return (doy - 1 + shift) % 365 + 1


@lru_cache(maxsize=32)
def embedded_prices(year: int, zone: str) -> np.ndarray:
    """The embedded reference prices of ``zone`` laid onto the local hours of ``year`` [€/MWh]."""
    if zone not in MARKET_ZONES:
        raise ValueError(zone)
    table = _embedded_table()
    grid = np.full((366, 24), np.nan)
    grid[table["doy"].to_numpy() - 1, table["hour"].to_numpy()] = table[zone].to_numpy(dtype=float)
    local = hours_local(year)
    dates = pd.Index(local.date)
    ref_doy = np.array([_reference_day(d) for d in dates.unique()])
    day_pos = dates.map(dict(zip(dates.unique(), ref_doy))).to_numpy(dtype=int)
    out = grid[day_pos - 1, local.hour.to_numpy()]
    out.flags.writeable = False
    return out


def zonal_prices(spec: dict, year: int, zone: str, read_file=None, where: str = "prices") -> PriceSeries:
    """Hourly zonal prices for the scenario.

    Parameters
    ----------
    spec : dict
        The scenario's ``prices`` section.
    year : int
        Simulated year.
    zone : str
        Market zone of the site (NORD, CNOR, CSUD, SUD, CALA, SICI, SARD).
    read_file : callable, optional
        ``read_file(path) -> bytes`` for ``source: file``.
    where : str
        JSON path of the section, for messages.
    """
    source = spec.get("source", "embedded")
    if source == "flat":
        value = float(spec["eur_mwh"])
        return PriceSeries(np.full(n_hours(year), value), "flat", f"flat {value:g} €/MWh", zone)
    if source == "file":
        path = spec["path"]
        try:
            data = read_file(path)
        except (FileNotFoundError, ValueError):
            raise error(f"{where}.path", "problems.file.missing.4", "file.missing", path=path)
        try:
            values = read_hourly_csv(data, path, year, "eur_mwh", allow_negative=True)
        except CerInputError as exc:
            raise located(exc, f"{where}.path")
        return PriceSeries(values, "file", f"file {path}", zone)
    return PriceSeries(np.array(embedded_prices(year, zone)), "embedded", EMBEDDED_LABEL, zone)
