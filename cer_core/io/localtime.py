"""Local (Europe/Rome) civil time ↔ UTC for the readers, with the clock changes done right.

Times are int64 seconds: UTC epoch seconds, or "naive local" seconds (the wall clock read as if it
were UTC). A local day has 23, 24 or 25 hours; the October hour 02:00–03:00 happens twice (first in
summer time, UTC+2, then in winter time, UTC+1) and the March hour 02:00–03:00 does not exist.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..timeaxis import LOCAL_TZ, hours_utc

DAY_S = 86400
HOUR_S = 3600


def _index(seconds: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(seconds, dtype="int64").astype("datetime64[s]"))


def _seconds(index: pd.DatetimeIndex) -> np.ndarray:
    return index.as_unit("s").asi8.copy()


def midnights_utc(days: np.ndarray) -> np.ndarray:
    """UTC epoch seconds of local midnight of each date (``datetime64[D]``); midnight is never ambiguous."""
    idx = pd.DatetimeIndex(np.asarray(days).astype("datetime64[s]")).tz_localize(LOCAL_TZ)
    return _seconds(idx.tz_convert("UTC").tz_localize(None))


def day_lengths_s(days: np.ndarray) -> np.ndarray:
    """Length of each local date in seconds (82800, 86400 or 90000)."""
    days = np.asarray(days).astype("datetime64[D]")
    return midnights_utc(days + 1) - midnights_utc(days)


def to_local_naive(utc_s: np.ndarray) -> np.ndarray:
    """Local wall-clock seconds of UTC instants (the repeated October hour maps twice onto the same values)."""
    idx = _index(utc_s).tz_localize("UTC").tz_convert(LOCAL_TZ).tz_localize(None)
    return _seconds(idx)


def from_local_naive(naive_s: np.ndarray, groups=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """UTC of local wall-clock times given in file order.

    The October hour that happens twice is resolved by order: the first occurrence of a wall-clock
    time is summer time (UTC+2), a later one winter time (UTC+1). With ``groups`` (e.g. the POD of
    each row of a file holding several meters) the order is counted within each group.

    Returns
    -------
    (utc_s, nonexistent, ambiguous_once)
        ``utc_s`` int64 (undefined where ``nonexistent``); ``nonexistent`` marks March times that do
        not exist; ``ambiguous_once`` marks October times that appear only once in the input.
    """
    naive_s = np.asarray(naive_s, dtype="int64")
    idx = _index(naive_s)
    frame = pd.DataFrame({"g": 0 if groups is None else np.asarray(groups, dtype=object), "t": naive_s})
    dup = frame.duplicated(keep="first").to_numpy()
    counts = frame.groupby(["g", "t"])["t"].transform("size").to_numpy()
    strict = idx.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="NaT")
    loose = idx.tz_localize(LOCAL_TZ, ambiguous=~dup, nonexistent="NaT")
    nonexistent = np.asarray(loose.isna())
    ambiguous = np.asarray(strict.isna()) & ~nonexistent
    utc = np.where(nonexistent, naive_s, _seconds(loose.tz_convert("UTC").tz_localize(None)) if len(naive_s) else naive_s)
    return utc.astype("int64"), nonexistent, ambiguous & (counts == 1)


def is_ambiguous(naive_s: np.ndarray) -> np.ndarray:
    """True for local wall-clock times of the October hour that happens twice."""
    idx = _index(naive_s)
    strict = idx.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="NaT")
    loose = idx.tz_localize(LOCAL_TZ, ambiguous=True, nonexistent="NaT")
    return np.asarray(strict.isna()) & ~np.asarray(loose.isna())


def local_date_strings(utc_s: np.ndarray) -> np.ndarray:
    """``dd/mm/yyyy`` local date of UTC instants (for messages)."""
    return np.asarray(_index(to_local_naive(utc_s)).strftime("%d/%m/%Y"), dtype=object)


def fmt_local(utc_s: int) -> str:
    """``dd/mm/yyyy HH:MM`` local time with the UTC offset, e.g. ``27/10/2024 02:15+01:00``."""
    ts = pd.Timestamp(int(utc_s), unit="s", tz="UTC").tz_convert(LOCAL_TZ)
    off = ts.strftime("%z")
    return ts.strftime("%d/%m/%Y %H:%M") + off[:3] + ":" + off[3:]


def per_local_hour(utc_s: np.ndarray, table_of_year) -> np.ndarray:
    """``table_of_year(y)[i]`` for each UTC instant, ``i`` its local hour in ``timeaxis.hours_utc(y)``.

    For calendars of the simulated-year kind (``cer_core.bands.band_of_hour``, ``day_type_of_hour``)
    looked up at arbitrary instants (quarter-hours of any year).
    """
    hour_s = np.asarray(utc_s, dtype="int64") // 3600 * 3600
    local_year = to_local_naive(hour_s).astype("datetime64[s]").astype("datetime64[Y]").astype(int) + 1970
    out = None
    for y in np.unique(local_year):
        sel = local_year == y
        table = np.asarray(table_of_year(int(y)))
        if out is None:
            out = np.zeros(len(hour_s), dtype=table.dtype)
        base = int(hours_utc(int(y))[0].value // 10**9)
        out[sel] = table[(hour_s[sel] - base) // 3600]
    return out if out is not None else np.zeros(0, dtype=np.int8)
