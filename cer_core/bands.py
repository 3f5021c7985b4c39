"""Time-of-use bands F1/F2/F3 (ARERA 181/06) and day types, in local time.

| band | Mon–Fri | Saturday | Sunday and national holidays |
|------|---------|----------|------------------------------|
| F1 | 08–19 | — | — |
| F2 | 07–08, 19–23 | 07–23 | — |
| F3 | 00–07, 23–24 | 00–07, 23–24 | all day |

Italian national holidays come from the maintained ``holidays`` package (Easter Monday and all); its
answer for a year is kept in the disk cache of derived data (:mod:`cer_core.derived_cache`), and its
Italy calendar is loaded without the other 249 countries (:func:`italy_calendar_class`).
San Francesco (4 October) is a national holiday from 2026 (Law 151/2025); whether meter calendars
follow it is not certain, so it is switchable (``include_4_october``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

from .timeaxis import hours_local, local_month

F1, F2, F3 = 1, 2, 3
BAND_NAMES = {F1: "F1", F2: "F2", F3: "F3"}
#: Day types as in ARERA's statistics: working day, Saturday, Sunday/holiday.
WEEKDAY, SATURDAY, HOLIDAY = 0, 1, 2
DAY_TYPE_NAMES = {WEEKDAY: "feriale", SATURDAY: "sabato", HOLIDAY: "festivo"}
_SAN_FRANCESCO = (10, 4)


@lru_cache(maxsize=64)
def national_holidays(year: int, include_4_october: bool = True) -> frozenset:
    """National holidays (``datetime.date``) of ``year`` that count as Sundays for the bands."""
    out = set(_italian_holidays(int(year)))
    if not include_4_october:
        out = {d for d in out if (d.month, d.day) != _SAN_FRANCESCO}
    return frozenset(out)


def _italian_holidays(year: int) -> list[dt.date]:
    """``holidays.country_holidays("IT", years=[year])``'s dates, from the disk cache when an earlier
    process asked (keyed by the year, the package's version and this module's source)."""
    from . import derived_cache

    def compute() -> dict[str, np.ndarray]:
        days = italy_calendar_class()(years=[year], language="en_US")
        return {"ordinal": np.array(sorted(d.toordinal() for d in days.keys()), dtype=np.int64)}

    key = derived_cache.entry_key("holidays_it", (year, "en_US"), code=("bands.py",), libraries=("holidays",))
    return [dt.date.fromordinal(int(o)) for o in derived_cache.cached(key, compute)["ordinal"]]


@lru_cache(maxsize=1)
def italy_calendar_class() -> type:
    """``holidays``' Italy calendar class, without importing every other country's module.

    ``holidays.country_holidays("IT")`` imports ``holidays.countries``, whose ``__init__`` imports the
    modules of all 250 countries first: ≈ 0.07 s, a twentieth of a first-ever ``simulate``. The Italy
    module alone loads in ≈ 3 ms, so it is loaded from the package's own file under a private name
    (it imports only ``holidays``' shared base classes). Should that fail (a future layout), the
    registry's class is used. ``tests/test_calendar.py`` checks that both give the same dates, 1990–2060.
    """
    import importlib.util
    from pathlib import Path

    import holidays

    try:
        path = Path(holidays.__file__).parent / "countries" / "italy.py"
        spec = importlib.util.spec_from_file_location("cer_core._holidays_italy", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        calendar = module.Italy
        if calendar.country != "IT":
            raise ImportError(calendar.country)
        return calendar
    except Exception:  # noqa: BLE001 - any failure of the shortcut: the package's own way
        return holidays.country_holidays("IT").__class__


@lru_cache(maxsize=32)
def _calendar(year: int, include_4_october: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    local = hours_local(year)
    hour = local.hour.to_numpy()
    weekday = local.day_of_week.to_numpy()  # Monday = 0
    dates = local.date
    hol = national_holidays(year, include_4_october)
    is_holiday = np.fromiter((d in hol for d in dates), dtype=bool, count=len(dates))
    day_type = np.where(is_holiday | (weekday == 6), HOLIDAY, np.where(weekday == 5, SATURDAY, WEEKDAY))
    band = np.full(len(hour), F3, dtype=np.int8)
    working = day_type == WEEKDAY
    band[(day_type == SATURDAY) & (hour >= 7) & (hour < 23)] = F2
    band[working & (((hour == 7)) | ((hour >= 19) & (hour < 23)))] = F2
    band[working & (hour >= 8) & (hour < 19)] = F1
    for arr in (band, day_type, hour):
        arr.flags.writeable = False
    return band, day_type.astype(np.int8), hour


def band_of_hour(year: int, include_4_october: bool = True) -> np.ndarray:
    """F1/F2/F3 (1, 2, 3) of each local hour of ``year``; read-only int8 array of 8760/8784."""
    return _calendar(year, include_4_october)[0]


def day_type_of_hour(year: int, include_4_october: bool = True) -> np.ndarray:
    """Day type (0 feriale, 1 sabato, 2 festivo) of each local hour of ``year``."""
    return _calendar(year, include_4_october)[1]


def local_hour_of_day(year: int) -> np.ndarray:
    """Local clock hour (0–23) of each hour of ``year`` (the repeated October hour appears twice)."""
    return _calendar(year, True)[2]


def monthly_by_band(values: np.ndarray, year: int) -> np.ndarray:
    """Monthly sums of hourly ``values`` split by band: (12 months, 3 bands F1/F2/F3) [kWh].

    ``values`` has one value per local hour of ``year`` (:func:`cer_core.timeaxis.hours_utc` order).
    """
    months = local_month(year).astype(int) - 1
    bands = band_of_hour(year).astype(int) - 1
    out = np.zeros((12, 3))
    np.add.at(out, (months, bands), np.asarray(values, dtype=float))
    return out
