"""The hourly axis of a simulated year.

A simulated year is the calendar year ``Y`` in local civil time (Europe/Rome): from local
``Y-01-01 00:00`` to local ``Y+1-01-01 00:00``. Every hourly array in the core has one row per
*local hour*, hour-beginning, stored as the UTC instant of that hour's start. The year therefore has
8760 hours (8784 in a leap year): the March clock-change day has 23 hours and the October one 25,
and the two cancel out.

Work happens in UTC; local time is only used for calendars (F1/F2/F3 bands, months, day types) and
for labels.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

LOCAL_TZ = "Europe/Rome"


@lru_cache(maxsize=16)
def hours_utc(year: int) -> pd.DatetimeIndex:
    """UTC start instants of the local hours of ``year``.

    Parameters
    ----------
    year : int
        Calendar year in local time (Europe/Rome).

    Returns
    -------
    pandas.DatetimeIndex
        Hourly, tz-aware (UTC), 8760 or 8784 entries.
    """
    start = pd.Timestamp(year=year, month=1, day=1, tz=LOCAL_TZ).tz_convert("UTC")
    end = pd.Timestamp(year=year + 1, month=1, day=1, tz=LOCAL_TZ).tz_convert("UTC")
    return pd.date_range(start, end, freq="h", inclusive="left", name="timestamp")


def hours_local(year: int) -> pd.DatetimeIndex:
    """The same instants as :func:`hours_utc`, expressed in Europe/Rome."""
    return hours_utc(year).tz_convert(LOCAL_TZ)


def n_hours(year: int) -> int:
    """Number of local hours in ``year`` (8760 or 8784)."""
    return len(hours_utc(year))


@lru_cache(maxsize=16)
def _iso_labels(year: int) -> tuple[str, ...]:
    # ISO 8601 with a colon in the offset (+01:00), as the scenario files write it. Built from numpy's
    # datetime text and the offset in minutes: 15× quicker than pandas' strftime, same text.
    naive = hours_local(year).tz_localize(None).to_numpy()
    offset_min = ((naive - hours_utc(year).tz_localize(None).to_numpy()) // np.timedelta64(1, "m")).astype(int)
    stamps = np.datetime_as_string(naive, unit="s").tolist()
    return tuple(f"{s}{'+' if o >= 0 else '-'}{abs(o) // 60:02d}:{abs(o) % 60:02d}"
                 for s, o in zip(stamps, offset_min.tolist()))


def iso_local_labels(year: int) -> np.ndarray:
    """ISO 8601 labels of the local hour starts with their UTC offset.

    Returns
    -------
    numpy.ndarray of str
        e.g. ``"2024-03-31T03:00:00+02:00"``; one per hour of the year.
    """
    return np.array(_iso_labels(year), dtype=object)


@lru_cache(maxsize=16)
def _local_month(year: int) -> np.ndarray:
    months = hours_local(year).month.to_numpy().astype(np.int8)
    months.flags.writeable = False
    return months


def local_month(year: int) -> np.ndarray:
    """Local calendar month (1-12) of each hour of ``year``; read-only int8 array."""
    return _local_month(year)


def local_date_strings(year: int) -> np.ndarray:
    """Local calendar date ``YYYY-MM-DD`` of each hour of ``year``."""
    return np.asarray(hours_local(year).strftime("%Y-%m-%d"), dtype=object)
