"""Standard hourly load shapes for members who bring no meter data.

``household``
    ARERA's average hourly withdrawal of domestic customers by region, month, contract-power class
    and day type (working day, Saturday, Sunday/holiday): ``assets/load_profiles/
    arera_household_hourly_by_region_month_power.csv``. Gaps in that table are filled by documented
    fallbacks (neighbour region, nearest power class, nearest month; see :func:`household_table`).
Non-household categories
    Built from stated assumptions — opening hours, base load, closures, monthly seasonality — set out
    in :data:`ACTIVITIES` and explained in ``docs/consumption.md``. They are engineering assumptions,
    not measurements: replace them with a member's own data whenever there is some.
``public_lighting``
    Lamps on from dusk to dawn at the site (sun below -2°, from pvlib's ephemeris), with the usual
    30 % flux reduction from midnight to 05:00.

Every shape is an hourly array over the local hours of the year (``timeaxis.hours_utc``), summing to
1, cached on hashable arguments (read-only arrays). A load is ``annual_kwh × shape``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from dateutil.easter import easter

from ..bands import HOLIDAY, SATURDAY, WEEKDAY, day_type_of_hour, local_hour_of_day
from ..errors import CerInputError, Problem, error
from ..paths import ASSETS
from ..timeaxis import hours_local, hours_utc, local_month

ARERA_FILE = ASSETS / "load_profiles" / "arera_household_hourly_by_region_month_power.csv"
POWER_CLASSES = ("0<P<=1.5", "1.5<P<=3", "3<P<=4.5", "4.5<P<=6", "P>6")
_CLASS_UPPER_KW = (1.5, 3.0, 4.5, 6.0, float("inf"))
DEFAULT_CONTRACT_KW = 3.0
#: Regions missing from ARERA's table and the neighbour whose profile stands in.
REGION_FALLBACK = {"Valle d'Aosta": "Piemonte"}
#: Default site for public lighting when neither the member nor the site has coordinates (Milan).
DEFAULT_LAT_LON = (45.464, 9.190)
#: Default shape of each member category when bills or a partial file need one.
CATEGORY_DEFAULT_PROFILE = {"household": "household", "sme": "office", "large_enterprise": "industry_2_shifts",
                            "public_body": "municipal_building", "third_sector": "office", "other": "office",
                            "religious_body": "office", "research_body": "office"}


# --- non-household activities -------------------------------------------------------------------------

def _day(base: float, *spans: tuple[int, int, float]) -> tuple[float, ...]:
    """24 hourly levels: ``base`` everywhere, ``level`` for local hours ``h0 <= h < h1`` of each span."""
    levels = [base] * 24
    for h0, h1, level in spans:
        for h in range(h0, h1):
            levels[h] = level
    return tuple(levels)


@dataclass(frozen=True)
class Activity:
    """A non-household shape: relative power by local hour for each kind of day, closures, seasonality.

    Attributes
    ----------
    weekday, saturday, holiday : tuple of 24 floats
        Relative power (1 = the usual peak) on working days, Saturdays, Sundays and holidays.
    closed : tuple of 24 floats
        Relative power on closure days (base load only, or the summer office of a school).
    by_weekday : dict
        Day-of-week overrides (0 = Monday), e.g. the afternoon opening of a town hall on Tue/Thu.
    closures : tuple of ((month, day), (month, day))
        Inclusive date ranges of the year treated as closure days.
    school_closures : bool
        Also close for Easter (Thursday before to Tuesday after Easter).
    monthly : tuple of 12 floats
        Seasonal factor on every hour of each month (heating, cooling, lighting).
    rationale : str
        One line; the full reasoning is in docs/consumption.md.
    """

    weekday: tuple
    saturday: tuple
    holiday: tuple
    closed: tuple
    monthly: tuple
    closures: tuple = ()
    by_weekday: tuple = ()
    school_closures: bool = False
    rationale: str = ""


ACTIVITIES: dict[str, Activity] = {
    "office": Activity(
        weekday=_day(0.15, (7, 8, 0.45), (8, 12, 1.0), (12, 14, 0.85), (14, 18, 0.95), (18, 19, 0.55), (19, 20, 0.3)),
        saturday=_day(0.15), holiday=_day(0.15), closed=_day(0.15),
        closures=(((8, 10), (8, 21)),),
        monthly=(1.15, 1.10, 1.00, 0.90, 0.95, 1.10, 1.20, 1.10, 1.00, 0.95, 1.05, 1.15),
        rationale="open Mon–Fri 8–18, base 15 % (servers, standby), closed 10–21 Aug, heat pumps in winter and "
                  "cooling in summer"),
    "shop": Activity(
        weekday=_day(0.25, (8, 9, 0.5), (9, 13, 1.0), (13, 15, 0.75), (15, 20, 1.0), (20, 21, 0.45)),
        saturday=_day(0.25, (8, 9, 0.5), (9, 13, 1.0), (13, 15, 0.75), (15, 20, 1.0), (20, 21, 0.45)),
        holiday=_day(0.25), closed=_day(0.25),
        closures=(((8, 12), (8, 18)),),
        monthly=(1.00, 0.95, 0.95, 0.90, 0.95, 1.10, 1.20, 1.05, 1.00, 0.95, 1.00, 1.15),
        rationale="open Mon–Sat 9–20 with a lunch dip, base 25 % (refrigeration, lighting), closed Sundays and "
                  "12–18 Aug, summer cooling and December lights"),
    "school": Activity(
        weekday=_day(0.10, (7, 8, 0.4), (8, 13, 1.0), (13, 14, 0.8), (14, 17, 0.45), (17, 18, 0.25)),
        saturday=_day(0.10), holiday=_day(0.10), closed=_day(0.10, (8, 13, 0.25)),
        closures=(((6, 10), (9, 11)), ((12, 23), (12, 31)), ((1, 1), (1, 6))), school_closures=True,
        monthly=(1.20, 1.15, 1.05, 0.95, 0.90, 0.90, 1.00, 1.00, 0.95, 1.00, 1.10, 1.20),
        rationale="lessons Mon–Fri 8–13, afternoon activities, base 10 %; closed 10 Jun–11 Sep (office open "
                  "mornings), Christmas and Easter breaks; lighting and auxiliaries higher in winter"),
    "industry_1_shift": Activity(
        weekday=_day(0.12, (6, 7, 0.35), (7, 12, 1.0), (12, 13, 0.7), (13, 16, 1.0), (16, 17, 0.6), (17, 18, 0.3)),
        saturday=_day(0.12), holiday=_day(0.12), closed=_day(0.12),
        closures=(((8, 10), (8, 23)), ((12, 24), (12, 31))),
        monthly=(1.05, 1.00, 1.00, 0.95, 0.95, 1.00, 1.05, 1.00, 1.00, 1.00, 1.00, 1.00),
        rationale="one shift Mon–Fri 7–16 with lunch break, base 12 %; closed 10–23 Aug and 24–31 Dec"),
    "industry_2_shifts": Activity(
        weekday=_day(0.15, (5, 6, 0.4), (6, 14, 1.0), (14, 15, 0.9), (15, 22, 1.0), (22, 23, 0.4)),
        saturday=_day(0.15, (6, 14, 0.5)), holiday=_day(0.15), closed=_day(0.15),
        closures=(((8, 10), (8, 23)), ((12, 24), (12, 31))),
        monthly=(1.05, 1.00, 1.00, 0.95, 0.95, 1.00, 1.05, 1.00, 1.00, 1.00, 1.00, 1.00),
        rationale="two shifts Mon–Fri 6–22, Saturday morning at half load, base 15 %; closed 10–23 Aug and "
                  "24–31 Dec"),
    "industry_3_shifts": Activity(
        weekday=_day(1.0), saturday=_day(0.45, (0, 6, 1.0)), holiday=_day(0.35), closed=_day(0.30),
        by_weekday=((0, _day(1.0, (0, 6, 0.45))),),
        closures=(((8, 12), (8, 18)),),
        monthly=(1.00, 1.00, 1.00, 0.98, 0.98, 1.03, 1.06, 1.00, 1.00, 1.00, 1.00, 1.00),
        rationale="continuous from Monday 06:00 to Saturday 06:00, weekends at 35–45 % (processes kept warm); "
                  "one week closed around 15 Aug"),
    "wastewater_treatment": Activity(
        weekday=_day(0.80, (6, 7, 0.9), (7, 8, 1.0), (8, 13, 1.15), (13, 18, 1.05), (18, 22, 1.10), (22, 23, 0.95),
                     (23, 24, 0.85)),
        saturday=_day(0.78, (6, 7, 0.87), (7, 8, 0.97), (8, 13, 1.12), (13, 18, 1.02), (18, 22, 1.07), (22, 23, 0.92),
                      (23, 24, 0.82)),
        holiday=_day(0.78, (6, 7, 0.85), (7, 9, 0.95), (9, 13, 1.10), (13, 18, 1.02), (18, 22, 1.07), (22, 23, 0.92),
                     (23, 24, 0.82)),
        closed=_day(0.8),
        monthly=(0.95, 0.95, 0.97, 1.00, 1.03, 1.06, 1.08, 1.06, 1.03, 1.00, 0.97, 0.95),
        rationale="continuous; aeration follows the influent (night minimum, late-morning and evening peaks), "
                  "more aeration in warm months"),
    "municipal_building": Activity(
        weekday=_day(0.20, (7, 8, 0.5), (8, 13, 1.0), (13, 14, 0.6), (14, 17, 0.35)),
        saturday=_day(0.20, (8, 12, 0.35)), holiday=_day(0.20), closed=_day(0.20),
        by_weekday=((1, _day(0.20, (7, 8, 0.5), (8, 13, 1.0), (13, 14, 0.6), (14, 18, 0.85))),
                    (3, _day(0.20, (7, 8, 0.5), (8, 13, 1.0), (13, 14, 0.6), (14, 18, 0.85)))),
        monthly=(1.15, 1.10, 1.00, 0.90, 0.90, 1.05, 1.15, 0.95, 0.95, 0.95, 1.05, 1.15),
        rationale="offices open Mon–Fri 8–13 with Tue/Thu afternoons, Saturday-morning registry office, base "
                  "20 % (server room, emergency lighting)"),
}

PROFILE_NAMES = ("household", *ACTIVITIES, "public_lighting")


# --- calendar helpers ----------------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _local_calendar(year: int) -> tuple[np.ndarray, np.ndarray]:
    """Day of week (0 = Monday) and local date (``datetime64[D]``) of each hour of ``year``."""
    local = hours_local(year)
    weekday = local.day_of_week.to_numpy().astype(np.int8)
    dates = local.tz_localize(None).normalize().to_numpy().astype("datetime64[D]")
    for arr in (weekday, dates):
        arr.flags.writeable = False
    return weekday, dates


def _closure_mask(act: Activity, year: int) -> np.ndarray:
    _, dates = _local_calendar(year)
    mask = np.zeros(len(dates), dtype=bool)
    for (m0, d0), (m1, d1) in act.closures:
        mask |= (dates >= np.datetime64(dt.date(year, m0, d0))) & (dates <= np.datetime64(dt.date(year, m1, d1)))
    if act.school_closures:
        e = easter(year)
        mask |= (dates >= np.datetime64(e - dt.timedelta(days=3))) & (dates <= np.datetime64(e + dt.timedelta(days=2)))
    return mask


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.ascontiguousarray(arr, dtype=float)
    arr.flags.writeable = False
    return arr


def _normalise(levels: np.ndarray) -> np.ndarray:
    total = levels.sum()
    return _frozen(levels / total if total > 0 else np.full(len(levels), 1.0 / len(levels)))


@lru_cache(maxsize=64)
def activity_shape(name: str, year: int, include_4_october: bool = True) -> np.ndarray:
    """Hourly shape (sum 1) of a non-household activity for ``year``."""
    act = ACTIVITIES[name]
    dtype = day_type_of_hour(year, include_4_october)
    hour = local_hour_of_day(year)
    weekday, _ = _local_calendar(year)
    table = np.array([act.weekday, act.saturday, act.holiday])  # by day type
    levels = table[dtype, hour]
    for wd, day in act.by_weekday:
        sel = (weekday == wd) & (dtype == WEEKDAY)
        levels[sel] = np.asarray(day)[hour[sel]]
    closed = _closure_mask(act, year) & (dtype != HOLIDAY)
    levels[closed] = np.asarray(act.closed)[hour[closed]]
    levels = levels * np.asarray(act.monthly)[local_month(year) - 1]
    return _normalise(levels)


@lru_cache(maxsize=32)
def public_lighting_shape(year: int, lat: float, lon: float) -> np.ndarray:
    """Hourly shape (sum 1) of public lighting at (lat, lon): dark fraction of each hour, 70 % 00–05.

    The sun comes from pvlib, whose import (with SciPy) is most of a cold start's cost; the shape is kept
    in the disk cache of derived data (:mod:`cer_core.derived_cache`), keyed by the arguments, pvlib's
    version and this module's source, so later processes read it back without importing pvlib.
    """
    from .. import derived_cache

    def compute() -> dict[str, np.ndarray]:
        from pvlib.solarposition import ephemeris

        axis = hours_utc(year)
        step_min = 5
        times = pd.date_range(axis[0], axis[-1] + pd.Timedelta(hours=1), freq=f"{step_min}min", inclusive="left")
        elev = ephemeris(times, lat, lon)["apparent_elevation"].to_numpy()
        dark = (elev < -2.0).reshape(len(axis), 60 // step_min).mean(axis=1)
        hour = local_hour_of_day(year)
        level = np.where((hour >= 0) & (hour < 5), 0.7, 1.0)
        return {"shape": _normalise(dark * level)}

    key = derived_cache.entry_key("public_lighting", (int(year), float(lat), float(lon)),
                              code=("loads/profiles.py", "bands.py", "timeaxis.py"), libraries=("pvlib", "pandas"))
    return _frozen(derived_cache.cached(key, compute)["shape"])


# --- households (ARERA) --------------------------------------------------------------------------------

def power_class(contract_kw: float | None) -> str:
    """ARERA contract-power class of ``contract_kw`` (3 kW when unknown)."""
    kw = DEFAULT_CONTRACT_KW if contract_kw is None else float(contract_kw)
    for upper, name in zip(_CLASS_UPPER_KW, POWER_CLASSES):
        if kw <= upper + 1e-9:
            return name
    return POWER_CLASSES[-1]


def normalise_region(region: str | None) -> str | None:
    """ARERA's name of a region (``Trentino-Alto Adige/Südtirol`` → ``Trentino-Alto Adige``)."""
    if not region:
        return None
    name = str(region).split("/")[0].strip()
    return REGION_FALLBACK.get(name, name)


@lru_cache(maxsize=1)
def _arera_raw() -> dict[tuple[str, str], np.ndarray]:
    frame = pd.read_csv(ARERA_FILE)
    frame.columns = ["month", "region", "power_class", "day_type", "hour", "kwh"]
    dt_index = {"Giorno feriale": WEEKDAY, "Sabato": SATURDAY, "Domenica": HOLIDAY}
    day_code, day_names = pd.factorize(frame["day_type"])
    day_type = np.array([dt_index[str(name)] for name in day_names], dtype=np.intp)[day_code]
    # one array for every (region, class) at once, filled in a single assignment in the file's row order
    # (a groupby over the two text columns took ~0.2 s of a cold start)
    region_code, regions = pd.factorize(frame["region"])
    class_code, classes = pd.factorize(frame["power_class"])
    cells = np.full((len(regions), len(classes), 12, 3, 24), np.nan)
    cells[region_code, class_code, frame["month"].to_numpy() - 1, day_type, frame["hour"].to_numpy()] = \
        frame["kwh"].to_numpy()
    present = np.zeros((len(regions), len(classes)), dtype=bool)
    present[region_code, class_code] = True
    return {(str(regions[r]), str(classes[c])): cells[r, c] for r, c in zip(*np.nonzero(present))}


def _fill_months(arr: np.ndarray) -> np.ndarray:
    """Months with no value take the nearest month that has one (e.g. a missing December ← November)."""
    have = [m for m in range(12) if not np.isnan(arr[m]).any()]
    out = arr.copy()
    for m in range(12):
        if m not in have and have:
            near = min(have, key=lambda k: (min(abs(k - m), 12 - abs(k - m)), (m - k) % 12))  # ties: the month before
            out[m] = arr[near]
    return out


@lru_cache(maxsize=128)
def household_table(region: str | None, pclass: str) -> tuple[np.ndarray, str]:
    """ARERA kWh per hour [12 months × 3 day types × 24 h] for a region and class, and how it was found.

    Fallbacks, in order: the region's nearest power class that exists; for an unknown or missing
    region, the mean over all regions of the class; a month missing for a class takes the nearest
    month.
    """
    raw = _arera_raw()
    region = normalise_region(region)
    regions = sorted({r for r, _ in raw})
    if region in regions:
        classes = [c for c in POWER_CLASSES if (region, c) in raw]
        i = POWER_CLASSES.index(pclass)
        best = min(classes, key=lambda c: (abs(POWER_CLASSES.index(c) - i), POWER_CLASSES.index(c)))
        note = f"{region}, {best}" + ("" if best == pclass else f" (classe {pclass} assente)")
        arr = raw[(region, best)]
    else:
        stack = np.array([_fill_months(raw[(r, pclass)]) for r in regions if (r, pclass) in raw])
        arr = np.nanmean(stack, axis=0)
        note = f"media nazionale, {pclass}"
    arr = _fill_months(arr)
    arr.flags.writeable = False
    return arr, note


@lru_cache(maxsize=128)
def household_shape(year: int, region: str | None, contract_kw: float | None,
                    include_4_october: bool = True) -> np.ndarray:
    """Hourly shape (sum 1) of an ARERA household for ``year``."""
    arr, _ = household_table(region, power_class(contract_kw))
    m = local_month(year) - 1
    return _normalise(arr[m, day_type_of_hour(year, include_4_october), local_hour_of_day(year)])


# --- public API ----------------------------------------------------------------------------------------

def profile_shape(name: str, year: int, *, region: str | None = None, contract_kw: float | None = None,
                  lat: float | None = None, lon: float | None = None, include_4_october: bool = True) -> np.ndarray:
    """Hourly shape (sum 1, read-only) of a standard profile for ``year``.

    Parameters
    ----------
    name : str
        One of :data:`PROFILE_NAMES`.
    year : int
    region : str, optional
        Site region (households).
    contract_kw : float, optional
        Contracted power [kW] (households: the ARERA power class).
    lat, lon : float, optional
        Site [deg] (public lighting).
    include_4_october : bool
        Holiday calendar switch.

    Raises
    ------
    KeyError
        Unknown name.
    """
    if name == "household":
        return household_shape(year, normalise_region(region), None if contract_kw is None else float(contract_kw),
                               include_4_october)
    if name == "public_lighting":
        la, lo = (lat, lon) if lat is not None and lon is not None else DEFAULT_LAT_LON
        return public_lighting_shape(year, round(float(la), 1), round(float(lo), 1))
    if name in ACTIVITIES:
        return activity_shape(name, year, include_4_october)
    raise KeyError(name)


def monthly_factors(shape: np.ndarray, year: int) -> tuple[float, ...]:
    """Mean power of each local month relative to the year's mean (12 floats, mean 1)."""
    months = local_month(year)
    energy = np.bincount(months - 1, weights=shape, minlength=12)
    hours = np.bincount(months - 1, minlength=12)
    power = energy / hours
    return tuple(float(x) for x in power / power.mean())


def unknown_profile(where: str, name) -> CerInputError:
    return error(where, "problems.load.unknown_profile", "load.unknown_profile", name=name,
                 profile_names=', '.join(PROFILE_NAMES))


def default_profile(member) -> str:
    """The standard profile standing for a member's category (a wastewater plant has its own)."""
    if getattr(member, "facility", None) == "wastewater_treatment":
        return "wastewater_treatment"
    return CATEGORY_DEFAULT_PROFILE.get(member.category, "office")


def plausibility_warnings(category: str, kwh: np.ndarray, annual: float, contract_kw: float | None,
                          where: str = "") -> list[Problem]:
    """Warnings for a household outside 500–8000 kWh/yr and for hours above the available power.

    Parameters
    ----------
    category : str
        The member's category (``household`` gets the annual check).
    kwh : numpy.ndarray
        The hourly load [kWh].
    annual : float
        Its annual total [kWh].
    contract_kw : float, optional
        Contracted power [kW]; no power check without it.
    where : str
        Where the warnings are located (the member's ``load``).
    """
    out = []
    if category == "household" and not 500 <= annual <= 8000:
        out.append(Problem(where, "problems.load.household_annual", "warning", "load.household_annual",
                           values={"annual": annual}))
    if contract_kw:
        from ..io.summary import available_kw

        peak = float(np.max(kwh)) if len(kwh) else 0.0
        if peak > available_kw(float(contract_kw)):
            out.append(Problem(where, "problems.load.above_contract", "warning", "load.above_contract",
                               values={"peak": peak, "available_kw": available_kw(float(contract_kw))}))
    return out
