"""From an imported series to the hourly year the simulation uses.

1. **Hours.** Intervals are summed to UTC hours (every Italian local hour is a UTC hour); an hour
   with an interval missing is missing.
2. **The simulated year.** Hours of the year covered by the data are used as they are (their quality
   — measured, estimated, filled — is kept).
3. **Other years, same weekday.** A missing hour takes the value of the same local clock hour 52
   weeks (364 days) earlier or later, then 104 weeks, … — so a Monday stays a Monday (``extended``).
   Only data outside the simulated year are used here.
   This is how a 2023 export serves a 2024 simulation, and how a file from July to June completes
   a calendar year.
4. **Typical week × season.** Hours still missing (a file shorter than a year) get the mean of the
   data at the same day type (working day, Saturday, Sunday/holiday) and local hour, times a monthly
   factor: the month's factor of a reference profile (the member's category, when known) divided by
   its mean over the months the data cover; flat when there is no reference (``extended``).

Every step is counted in the report and said in a warning when it changes more than nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..bands import BAND_NAMES, band_of_hour, day_type_of_hour, local_hour_of_day
from ..errors import Problem, error
from ..timeaxis import hours_utc, local_month
from .combine import day_types_of_instants
from .localtime import to_local_naive
from .model import ESTIMATED, EXTENDED, FILLED, MEASURED, ImportResult, MeterSeries, warning

#: More than this share of gap-filled hours in the year is worth a warning (docs/formats.md §0.8).
REBUILT_WARN_SHARE = 0.10
#: With less than this many days of data, the annual total is only an estimate.
SHORT_DATA_DAYS = 28
_YEAR_SHIFT_S = 364 * 86400


@dataclass
class HourlyYear:
    """The hourly year of one POD: kWh per local hour in the order of ``timeaxis.hours_utc(year)``."""

    year: int
    kwh: np.ndarray
    kwh_export: np.ndarray | None
    quality: np.ndarray
    report: dict = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def year_start_s(year: int) -> int:
    return int(hours_utc(year)[0].value // 10**9)


def hourly_sums(start_s: np.ndarray, kwh: np.ndarray, quality: np.ndarray,
                interval_min: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """UTC hour starts, kWh and worst quality of the complete hours of a regular series."""
    hour = start_s // 3600 * 3600
    uniq, inv = np.unique(hour, return_inverse=True)
    ok = ~np.isnan(kwh)
    sums = np.bincount(inv, weights=np.where(ok, kwh, 0.0), minlength=len(uniq))
    counts = np.bincount(inv, weights=ok.astype(float), minlength=len(uniq))
    worst = np.zeros(len(uniq), dtype=np.int8)
    np.maximum.at(worst, inv, quality)
    complete = counts == 60 // interval_min
    return uniq[complete], sums[complete], worst[complete]


def best_year(series: MeterSeries) -> int:
    """The local calendar year the series covers most."""
    years = to_local_naive(series.start_s).astype("datetime64[s]").astype("datetime64[Y]").astype(int) + 1970
    vals, counts = np.unique(years, return_counts=True)
    return int(vals[np.argmax(counts)])


def _typical_week(hours_s: np.ndarray, kwh: np.ndarray,
                  include_4_october: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Mean kWh by (day type, local hour) of the data (3 × 24) and the months the data cover (hours per month)."""
    local = to_local_naive(hours_s)
    dt = day_types_of_instants(hours_s, include_4_october)
    hr = (local % 86400) // 3600
    sums = np.zeros((3, 24))
    counts = np.zeros((3, 24))
    np.add.at(sums, (dt, hr), kwh)
    np.add.at(counts, (dt, hr), 1)
    mean = np.divide(sums, counts, out=np.full((3, 24), np.nan), where=counts > 0)
    by_hour = np.divide(sums.sum(0), counts.sum(0), out=np.full(24, np.nan), where=counts.sum(0) > 0)
    mean = np.where(np.isnan(mean), by_hour[None, :], mean)
    mean = np.where(np.isnan(mean), np.nanmean(kwh) if len(kwh) else 0.0, mean)
    months = pd.DatetimeIndex(local.astype("datetime64[s]")).month.to_numpy()
    return mean, np.bincount(months, minlength=13)[1:]


def extend_with_typical_week(year: int, hours_s: np.ndarray, kwh: np.ndarray, missing: np.ndarray,
                             monthly_factors: np.ndarray | None, include_4_october: bool = True) -> np.ndarray:
    """Values for the ``missing`` hours of ``year`` from the data's typical week times a monthly factor."""
    week, data_months = _typical_week(hours_s, kwh, include_4_october)
    f = np.ones(12) if monthly_factors is None else np.asarray(monthly_factors, dtype=float)
    f_data = float(np.average(f, weights=data_months)) if data_months.sum() else 1.0
    dt = day_type_of_hour(year, include_4_october)[missing]
    hr = local_hour_of_day(year)[missing]
    m = local_month(year)[missing] - 1
    return week[dt, hr] * f[m] / (f_data or 1.0)


def place_in_year(year: int, hours_s: np.ndarray, kwh: np.ndarray, quality: np.ndarray,
                  monthly_factors: np.ndarray | None = None, include_4_october: bool = True,
                  extend: bool = True, fallback=None) -> tuple[np.ndarray, np.ndarray, dict]:
    """The hourly year from hourly data anywhere in time (steps 2–4 of the module docstring).

    ``fallback(out, missing)``, when given, replaces step 4: it returns the values of the ``missing``
    hours given the year's values so far (bills use their category shape calibrated on the bills).

    Returns
    -------
    (kwh, quality, facts)
        ``facts``: hours from the year itself, from other years (and which), from the typical week.
    """
    axis = hours_utc(year)
    n = len(axis)
    base = year_start_s(year)
    out = np.full(n, np.nan)
    q = np.full(n, EXTENDED, dtype=np.int8)
    pos = (hours_s - base) // 3600
    inside = (pos >= 0) & (pos < n)
    out[pos[inside]] = kwh[inside]
    q[pos[inside]] = quality[inside]
    facts = {"hours_in_year": int(inside.sum()), "hours_other_years": 0, "hours_typical_week": 0,
             "shifted_weeks": []}
    missing = np.isnan(out)
    outside = ~inside
    if missing.any() and outside.any() and extend:
        known = pd.Series(kwh[outside], index=to_local_naive(hours_s[outside]))
        known = known[~known.index.duplicated(keep="first")]
        local_axis = to_local_naive(axis.as_unit("s").asi8)
        span_years = int(np.ceil(max(abs(hours_s[0] - base), abs(hours_s[-1] - base)) / _YEAR_SHIFT_S)) + 1
        for k in [s * j for j in range(1, span_years + 1) for s in (-1, 1)]:
            idx = np.flatnonzero(missing)
            if not len(idx):
                break
            got = known.reindex(local_axis[idx] + k * _YEAR_SHIFT_S).to_numpy()
            ok = ~np.isnan(got)
            if ok.any():
                out[idx[ok]] = got[ok]
                missing[idx[ok]] = False
                facts["hours_other_years"] += int(ok.sum())
                facts["shifted_weeks"].append(k * 52)
    if missing.any() and len(hours_s) and extend:
        out[missing] = (fallback(out, missing) if fallback is not None else
                        extend_with_typical_week(year, hours_s, kwh, missing, monthly_factors, include_4_october))
        facts["hours_typical_week"] = int(missing.sum())
    elif missing.any() and not extend:
        raise error("", "problems.file.length", "file.length", missing_sum=int(missing.sum()), year=year)
    return out, q, facts


def to_hourly_year(result: ImportResult | MeterSeries, year: int, pod: str | None = None, *,
                   direction: str = "import", monthly_factors: np.ndarray | None = None,
                   include_4_october: bool = True, extend: bool = True) -> HourlyYear:
    """The hourly year of one POD of an import.

    Parameters
    ----------
    result : ImportResult or MeterSeries
    year : int
        Simulated year.
    pod : str, optional
        Needed when the import holds several PODs.
    direction : {"import", "export"}
        Withdrawals (a load) or injections.
    monthly_factors : array of 12 floats, optional
        Relative monthly level of a reference profile for extending a partial year (flat if None).
    include_4_october : bool
        Band calendar switch (docs/regulation.md §6).
    extend : bool
        Complete a partial year (else a missing hour is an error).

    Returns
    -------
    HourlyYear
    """
    series = pick_series(result, pod)
    warnings: list[Problem] = list(result.warnings) if isinstance(result, ImportResult) else []
    values = series.kwh_import if direction == "import" else series.kwh_export
    if values is None:
        raise error(", ".join(series.files), "problems.file.no_export", "file.no_export")
    hours_s, kwh, qual = hourly_sums(series.start_s, values, series.quality, series.interval_min)
    if not len(hours_s):
        raise error(", ".join(series.files), "problems.file.too_short.2", "file.too_short")
    out, q, facts = place_in_year(year, hours_s, kwh, qual, monthly_factors, include_4_october, extend)
    export = None
    if direction == "import" and series.kwh_export is not None:
        h2, e2, q2 = hourly_sums(series.start_s, series.kwh_export, series.quality, series.interval_min)
        export, _q, _f = place_in_year(year, h2, e2, q2, monthly_factors, include_4_october, extend)
    where = ", ".join(series.files)
    n = len(out)
    days_data = len(hours_s) / 24
    if facts["hours_other_years"]:
        weeks = sorted(set(facts["shifted_weeks"]), key=abs)
        warnings.append(warning(where, "problems.year.shifted", "year.shifted",
                                hours_other_years=facts['hours_other_years'] / 24, year=year,
                                weeks=', '.join(f'{w:+d}' for w in weeks)))
    if facts["hours_typical_week"]:
        basis_it = "stagionalità del profilo della categoria" if monthly_factors is not None else "senza stagionalità"
        basis_en = "the category profile's seasonality" if monthly_factors is not None else "no seasonality"
        warnings.append(warning(where, "problems.year.extended", "year.extended",
                                hours_typical_week=facts['hours_typical_week'] / 24, year=year,
                                basis={"it": basis_it, "en": basis_en}))
    if days_data < SHORT_DATA_DAYS:
        warnings.append(warning(where, "problems.year.short_data", "year.short_data", days_data=days_data))
    filled = int((q == FILLED).sum())
    if filled > REBUILT_WARN_SHARE * n:
        warnings.append(warning(where, "problems.year.filled", "year.filled", filled=100 * filled / n, year=year))
    report = hourly_report(year, out, q, include_4_october)
    report.update({"pod": series.pod, "source": series.report or {}, "hours_from_year": facts["hours_in_year"],
                   "hours_from_other_years": facts["hours_other_years"],
                   "hours_from_typical_week": facts["hours_typical_week"]})
    return HourlyYear(year=year, kwh=out, kwh_export=export, quality=q, report=report, warnings=warnings)


def hourly_report(year: int, kwh: np.ndarray, quality: np.ndarray | None = None, include_4_october: bool = True) -> dict:
    """Annual kWh, F1/F2/F3 split, monthly kWh, peak, and hour counts per quality of an hourly year."""
    band = band_of_hour(year, include_4_october)
    total = float(kwh.sum())
    bands = {BAND_NAMES[b]: float(kwh[band == b].sum()) for b in (1, 2, 3)}
    months = local_month(year)
    peak = int(np.argmax(kwh)) if len(kwh) else 0
    rep = {"year": year, "hours": int(len(kwh)), "annual_kwh": round(total, 3),
           "bands_kwh": {k: round(v, 3) for k, v in bands.items()},
           "bands_pct": {k: round(100 * v / total, 1) if total else 0.0 for k, v in bands.items()},
           "monthly_kwh": [round(float(kwh[months == m].sum()), 3) for m in range(1, 13)],
           "peak_kw": round(float(kwh[peak]), 3), "peak_at": str(hours_utc(year)[peak].tz_convert("Europe/Rome"))}
    if quality is not None:
        rep.update({"measured_hours": int((quality == MEASURED).sum()), "estimated_hours": int((quality == ESTIMATED).sum()),
                    "filled_hours": int((quality == FILLED).sum()), "extended_hours": int((quality == EXTENDED).sum())})
    return rep


def pick_series(result: ImportResult | MeterSeries, pod: str | None) -> MeterSeries:
    """The series of ``pod`` (the only one when the import holds one POD); refuses naming the PODs present."""
    if isinstance(result, MeterSeries):
        return result
    try:
        return result.get(pod if len(result.series) > 1 else None)
    except KeyError:
        pods = ", ".join(result.pods)
        files = ", ".join(f["name"] for f in result.files)
        if pod is None:
            raise error(files, "problems.file.several_pods", "file.several_pods", n_series=len(result.series),
                        pods=pods)
        raise error(files, "problems.file.pod_not_found", "file.pod_not_found", pod=pod, pods=pods)
