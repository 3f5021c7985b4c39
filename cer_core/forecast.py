"""The community's next 72 hours: production, load, shared energy and surplus per cabina, and when each
member should move flexible consumption.

Method (``docs/forecast.md``):

1. **Weather.** Open-Meteo's hourly forecast at the site (:mod:`cer_core.io.openmeteo`). When it cannot be
   had (offline, a failure, an answer that does not cover the 72 hours) the *fallback*: pvlib's clear sky
   (Ineichen) scaled by the month's clearness in the site's typical year (the year the annual simulation
   uses), split into direct and diffuse by Erbs, with the typical year's temperature and wind. Clearly
   labelled; the forecast never raises.
2. **Production** per plant through the same pvlib chain as the annual simulation
   (:func:`cer_core.solar.pv.pv_production_kwh`, plants' faces, losses, inverter, age), on the forecast hours.
3. **Band.** Forecast: ±(10 % + 5 % per day ahead + 25 % × cloud cover) of production. Fallback: the
   production with the month's 10th and 90th percentile daily clearness instead of its mean.
4. **Load** of each member: the typical day of its simulated-year load (measured curve, bills or profile,
   whatever the simulation used) for the same month, day type (working day, Saturday, Sunday/holiday, with
   the national holidays of the forecast's own dates) and local hour.
5. **Sharing** hour by hour per cabina as in the engine (no storage): shared = min(injected, withdrawn);
   surplus = injected − shared, the energy members could still share by moving consumption.
6. **Advice.** Per cabina and local day, the best window of up to :data:`WINDOW_MAX_H` hours of surplus;
   each member of the cabina could move :data:`FLEXIBLE_SHARE` of its expected daily consumption into it,
   split pro rata when the members together could move more than the surplus. The money is the extra
   shared energy × (the TIP rate of the cabina's plants at that time of day in the simulated year, weighted
   by their injection, + ARERA's valorisation rate): CER money, never mixed with bill savings.

Times: hours are UTC hour starts; labels are local (Europe/Rome) with the UTC offset, so a forecast across a
clock change has 71 or 73 distinct local clock readings in its 72 hours.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from cachetools import LRUCache, cached

from .bands import HOLIDAY, SATURDAY, WEEKDAY, day_type_of_hour, local_hour_of_day, national_holidays
from .errors import render_pair
from .i18n import text
from .timeaxis import LOCAL_TZ, local_month

#: Hours forecast.
HOURS = 72
#: Forecast band: relative half-width at day 0 [-], added per day ahead [-] and at 100 % cloud cover [-].
#: A heuristic of this studio (deterministic forecasts carry no spread); see docs/forecast.md.
BAND_BASE, BAND_PER_DAY, BAND_CLOUD = 0.10, 0.05, 0.25
#: Fallback band: percentiles of the month's daily clearness in the typical year [%].
FALLBACK_PERCENTILES = (10.0, 90.0)
#: Share of a member's daily consumption taken to be movable (washing, dishwashing, EV charging, pumps):
#: an assumption of this studio, shown with the advice [-].
FLEXIBLE_SHARE = 0.15
#: Longest window advised [h].
WINDOW_MAX_H = 4
#: Smallest gain worth advising [kWh].
MIN_GAIN_KWH = 0.5
#: A forecast for a point farther than this from the site is flagged in the note [km] (Open-Meteo's grid
#: point is within a few km; a saved answer may be for another place).
FAR_KM = 25.0

_LOCK = threading.Lock()
#: Clearness per typical year (least recently used dropped first).
_CLEARNESS: LRUCache = LRUCache(maxsize=16)


# --------------------------------------------------------------------------------------------------
# Value types
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """Best hours of one local day for one member: move flexible consumption into ``[start, end)``.

    Attributes
    ----------
    member_id, cabina : str
    start_utc, end_utc : pandas.Timestamp
        First hour start and the end of the last hour (UTC).
    surplus_kwh : float
        The cabina's forecast surplus in the window [kWh].
    gain_kwh : float
        Extra shared energy if the member moves its flexible consumption there [kWh].
    gain_eur : float
        Extra CER money (TIP + valorisation) for ``gain_kwh`` [€].
    """

    member_id: str
    cabina: str
    start_utc: pd.Timestamp
    end_utc: pd.Timestamp
    surplus_kwh: float
    gain_kwh: float
    gain_eur: float

    @property
    def start_local(self) -> pd.Timestamp:
        return self.start_utc.tz_convert(LOCAL_TZ)

    @property
    def end_local(self) -> pd.Timestamp:
        return self.end_utc.tz_convert(LOCAL_TZ)


@dataclass(frozen=True, eq=False)
class CommunityForecast:
    """The next :data:`HOURS` hours of a community (arrays have one row per hour).

    Attributes
    ----------
    hours_utc : pandas.DatetimeIndex
        UTC hour starts.
    source : {"open-meteo", "fallback"}
    note_it, note_en : str
        What the weather is and, for the fallback, why: shown with every chart and export.
    plant_kwh, plant_low_kwh, plant_high_kwh : numpy.ndarray (hours, plants)
        Production, lower and upper bound [kWh].
    load_kwh : numpy.ndarray (hours, members)
        Expected consumption [kWh].
    cabina_production_kwh, cabina_load_kwh, cabina_shared_kwh, cabina_surplus_kwh : numpy.ndarray (hours, cabine)
        Production of the cabina's plants, its members' consumption, shared energy, injected but not shared [kWh].
    cabina_low_kwh, cabina_high_kwh : numpy.ndarray (hours, cabine)
        Production bounds of the cabina [kWh].
    cabina_rate_eur_mwh : numpy.ndarray (hours, cabine)
        CER money per MWh shared: TIP rate of the cabina's plants plus valorisation [€/MWh].
    windows : tuple of Window
    weather : pandas.DataFrame
        The weather used (ghi, dni, dhi [W/m²], temp_air [°C], wind_speed [m/s], cloud_cover [%]).
    """

    hours_utc: pd.DatetimeIndex
    source: str
    note_it: str
    note_en: str
    plant_ids: list[str]
    member_ids: list[str]
    member_names: list[str]
    member_cabina: list[str]
    cabina_ids: list[str]
    plant_kwh: np.ndarray
    plant_low_kwh: np.ndarray
    plant_high_kwh: np.ndarray
    load_kwh: np.ndarray
    cabina_production_kwh: np.ndarray
    cabina_low_kwh: np.ndarray
    cabina_high_kwh: np.ndarray
    cabina_load_kwh: np.ndarray
    cabina_shared_kwh: np.ndarray
    cabina_surplus_kwh: np.ndarray
    cabina_rate_eur_mwh: np.ndarray
    windows: tuple[Window, ...]
    weather: pd.DataFrame
    scenario_name: str = ""
    info: dict = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """ISO 8601 local hour starts with their offset, e.g. ``2026-10-25T02:00:00+01:00``."""
        return [_iso(ts) for ts in self.hours_utc.tz_convert(LOCAL_TZ)]

    def note(self, lang: str = "it") -> str:
        return self.note_en if lang == "en" else self.note_it

    @property
    def shared_eur(self) -> float:
        """CER money of the forecast shared energy [€]."""
        return float((self.cabina_shared_kwh * self.cabina_rate_eur_mwh).sum() / 1000.0)

    def totals_frame(self) -> pd.DataFrame:
        """One row per hour, the community's totals (what the CLI prints)."""
        return pd.DataFrame({
            "timestamp": self.labels,
            "production_kwh": self.cabina_production_kwh.sum(axis=1),
            "production_low_kwh": self.cabina_low_kwh.sum(axis=1),
            "production_high_kwh": self.cabina_high_kwh.sum(axis=1),
            "load_kwh": self.cabina_load_kwh.sum(axis=1),
            "shared_kwh": self.cabina_shared_kwh.sum(axis=1),
            "surplus_kwh": self.cabina_surplus_kwh.sum(axis=1),
        })

    def cabina_frame(self) -> pd.DataFrame:
        """Long table: one row per hour and cabina (the CSV export)."""
        labels = self.labels
        rows = []
        for c, cab in enumerate(self.cabina_ids):
            for h in range(len(self.hours_utc)):
                rows.append({"timestamp": labels[h], "timestamp_utc": _iso(self.hours_utc[h]), "cabina": cab,
                             "production_kwh": self.cabina_production_kwh[h, c],
                             "production_low_kwh": self.cabina_low_kwh[h, c],
                             "production_high_kwh": self.cabina_high_kwh[h, c],
                             "load_kwh": self.cabina_load_kwh[h, c], "shared_kwh": self.cabina_shared_kwh[h, c],
                             "surplus_kwh": self.cabina_surplus_kwh[h, c],
                             "cer_rate_eur_mwh": self.cabina_rate_eur_mwh[h, c]})
        return pd.DataFrame(rows)

    def csv_bytes(self) -> bytes:
        """The per-cabina hourly table as CSV (UTF-8, comma, dot decimals, 3 decimals), a source line first."""
        out = io.StringIO()
        out.write(f"# {self.note_it}\n")
        frame = self.cabina_frame()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(frame.columns)
        for row in frame.itertuples(index=False):
            writer.writerow([f"{v:.3f}" if isinstance(v, float) else v for v in row])
        return out.getvalue().encode("utf-8")

    def member_windows(self, member_id: str) -> list[Window]:
        return [w for w in self.windows if w.member_id == member_id]


@dataclass(frozen=True)
class Clearness:
    """Monthly clearness of a typical year: ratio of its GHI to clear-sky GHI (index 0 = January) [-]."""

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    temp_c: np.ndarray   # (12, 24) mean temperature by local month and UTC hour [°C]
    wind_m_s: np.ndarray  # (12,) mean wind speed [m/s]


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------

def _iso(ts: pd.Timestamp) -> str:
    text = ts.strftime("%Y-%m-%dT%H:%M:%S%z")
    return text[:-2] + ":" + text[-2:]


def forecast_hours(start_utc) -> pd.DatetimeIndex:
    """:data:`HOURS` UTC hour starts from ``start_utc`` (floored to the hour)."""
    start = pd.Timestamp(start_utc)
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    return pd.date_range(start.floor("h"), periods=HOURS, freq="h", name="timestamp")


def calendar_of(hours_utc: pd.DatetimeIndex, include_4_october: bool = True) -> tuple[np.ndarray, ...]:
    """Local month (1-12), day type (0 working, 1 Saturday, 2 Sunday/holiday) and local clock hour of each hour."""
    local = hours_utc.tz_convert(LOCAL_TZ)
    dates = local.date
    hol = set()
    for year in {d.year for d in dates}:
        hol |= national_holidays(year, include_4_october)
    weekday = local.day_of_week.to_numpy()
    is_holiday = np.array([d in hol for d in dates], dtype=bool)
    day_type = np.where(is_holiday | (weekday == 6), HOLIDAY, np.where(weekday == 5, SATURDAY, WEEKDAY))
    return local.month.to_numpy(), day_type, local.hour.to_numpy()


def typical_values(values: np.ndarray, year: int, hours_utc: pd.DatetimeIndex,
                   include_4_october: bool = True) -> np.ndarray:
    """Each column of a simulated-year array averaged by (local month, day type, local hour), at the forecast hours.

    Parameters
    ----------
    values : numpy.ndarray (hours of ``year``, n)
    year : int
        The simulated year ``values`` is on.
    hours_utc : pandas.DatetimeIndex
        The forecast hours (any year).

    Returns
    -------
    numpy.ndarray (len(hours_utc), n)
        Means over the simulated year's hours with the same month, day type and clock hour (the same month
        and clock hour when that combination is absent).
    """
    values = np.asarray(values, dtype=float).reshape(len(local_month(year)), -1)
    month_y = local_month(year).astype(np.int64) - 1
    hour_y = local_hour_of_day(year).astype(np.int64)
    key_year = (month_y * 3 + day_type_of_hour(year, include_4_october).astype(np.int64)) * 24 + hour_y
    frame = pd.DataFrame(values)
    by_key = frame.groupby(key_year).mean()                 # (keys present, n)
    by_month_hour = frame.groupby(month_y * 24 + hour_y).mean()
    month, day_type, hour = calendar_of(hours_utc, include_4_october)
    key = ((month.astype(np.int64) - 1) * 3 + day_type) * 24 + hour
    month_hour = (month.astype(np.int64) - 1) * 24 + hour
    out = by_key.reindex(key).to_numpy()
    missing = np.isnan(out).any(axis=1)
    if missing.any():
        out[missing] = by_month_hour.reindex(month_hour[missing]).to_numpy()
    return np.nan_to_num(out)


# --------------------------------------------------------------------------------------------------
# Weather: Open-Meteo or the fallback
# --------------------------------------------------------------------------------------------------

def _clear_sky(hours_utc: pd.DatetimeIndex, lat: float, lon: float, elevation_m: float,
               offset_h: float = 0.5) -> tuple[pd.DataFrame, np.ndarray]:
    """Ineichen clear sky at ``hour start + offset_h`` and the sun's zenith there [deg]."""
    from pvlib import location

    alt = 0.0 if not np.isfinite(elevation_m) else float(elevation_m)
    site = location.Location(lat, lon, "UTC", alt)
    instants = hours_utc + pd.Timedelta(hours=offset_h)
    solpos = site.get_solarposition(instants)
    cs = site.get_clearsky(instants, model="ineichen", solar_position=solpos)
    return cs, solpos["zenith"].to_numpy(dtype=float)


def _clearness_key(weather) -> str:
    return f"{weather.digest or id(weather)}@{weather.lat:.4f},{weather.lon:.4f}"


@cached(_CLEARNESS, key=_clearness_key, lock=_LOCK)
def clearness(weather) -> Clearness:
    """Monthly clearness (mean and the 10th/90th percentile of days), temperature and wind of a typical year.

    Parameters
    ----------
    weather : cer_core.solar.weather.WeatherYear
    """
    df = weather.data
    cs, _ = _clear_sky(df.index, weather.lat, weather.lon, weather.elevation_m, weather.irradiance_offset_h)
    local = df.index.tz_convert(LOCAL_TZ)
    frame = pd.DataFrame({"ghi": df["ghi"].to_numpy(), "cs": cs["ghi"].to_numpy(), "month": local.month,
                          "date": local.date})
    daily = frame.groupby("date").agg(ghi=("ghi", "sum"), cs=("cs", "sum"), month=("month", "first"))
    daily["kt"] = np.where(daily["cs"] > 0, daily["ghi"] / daily["cs"].where(daily["cs"] > 0, 1.0), np.nan)
    monthly = frame.groupby("month")[["ghi", "cs"]].sum().reindex(range(1, 13))
    mean = (monthly["ghi"] / monthly["cs"]).to_numpy(dtype=float)
    lo, hi = FALLBACK_PERCENTILES
    low = daily.groupby("month")["kt"].quantile(lo / 100).reindex(range(1, 13)).to_numpy(dtype=float)
    high = daily.groupby("month")["kt"].quantile(hi / 100).reindex(range(1, 13)).to_numpy(dtype=float)
    temp = pd.DataFrame({"t": df["temp_air"].to_numpy(), "m": local.month, "h": df.index.hour})
    temp_c = temp.groupby(["m", "h"])["t"].mean().unstack().reindex(index=range(1, 13), columns=range(24))
    wind = pd.Series(df["wind_speed"].to_numpy()).groupby(np.asarray(local.month)).mean().reindex(range(1, 13))
    return Clearness(mean=np.nan_to_num(mean, nan=0.5), low=np.nan_to_num(low, nan=0.2),
                     high=np.nan_to_num(high, nan=0.8),
                     temp_c=np.nan_to_num(temp_c.to_numpy(dtype=float), nan=float(df["temp_air"].mean())),
                     wind_m_s=np.nan_to_num(wind.to_numpy(dtype=float), nan=float(df["wind_speed"].mean())))


def fallback_weather(hours_utc: pd.DatetimeIndex, lat: float, lon: float, elevation_m: float, clear: Clearness,
                     which: str = "mean") -> pd.DataFrame:
    """Clear sky scaled by the month's clearness (``which``: ``mean``, ``low`` or ``high``), split by Erbs."""
    from pvlib import irradiance

    cs, zenith = _clear_sky(hours_utc, lat, lon, elevation_m)
    month = hours_utc.tz_convert(LOCAL_TZ).month.to_numpy()
    k = getattr(clear, which)[month - 1]
    ghi = cs["ghi"].to_numpy() * k
    instants = hours_utc + pd.Timedelta(minutes=30)
    split = irradiance.erbs(ghi, zenith, instants)
    return pd.DataFrame({"ghi": ghi, "dni": np.nan_to_num(np.asarray(split["dni"], dtype=float)),
                         "dhi": np.nan_to_num(np.asarray(split["dhi"], dtype=float)),
                         "temp_air": clear.temp_c[month - 1, hours_utc.hour.to_numpy()],
                         "wind_speed": clear.wind_m_s[month - 1], "cloud_cover": np.nan}, index=hours_utc)


def _forecast_frame(fc, hours_utc: pd.DatetimeIndex) -> pd.DataFrame | None:
    """The forecast's rows for the hours, or None when it does not cover them all with numbers."""
    frame = fc.data.reindex(hours_utc)
    needed = frame[["ghi", "dni", "dhi", "temp_air", "wind_speed"]]
    return None if needed.isna().to_numpy().any() else frame


# --------------------------------------------------------------------------------------------------
# Production
# --------------------------------------------------------------------------------------------------

def plants_forecast_kwh(plants, frame: pd.DataFrame, lat: float, lon: float, elevation_m: float) -> np.ndarray:
    """Hourly AC production [kWh] of the plants under the weather ``frame`` (hour-mean irradiance), via pvlib.

    The same chain as the annual simulation (:func:`cer_core.solar.pv.pv_production_kwh`), the sun's position at
    the middle of each hour (``irradiance_offset_h = 0.5``).
    """
    from .solar.pv import pv_production_kwh
    from .solar.weather import WeatherYear

    data = frame[["ghi", "dni", "dhi", "temp_air", "wind_speed"]].astype(float)
    digest = hashlib.sha1(np.ascontiguousarray(data.to_numpy()).tobytes())
    digest.update(f"{lat:.5f},{lon:.5f},{elevation_m},{data.index[0]}".encode())
    year = int(data.index[0].tz_convert(LOCAL_TZ).year)
    wy = WeatherYear(data=data, source="forecast", label="forecast", lat=float(lat), lon=float(lon),
                     elevation_m=float(elevation_m) if np.isfinite(elevation_m) else float("nan"), distance_km=0.0,
                     year=year, irradiance_offset_h=0.5, offset_origin="default", digest="forecast:" +
                     digest.hexdigest()[:20])
    if not plants:
        return np.zeros((len(data), 0))
    return pv_production_kwh(list(plants), wy, year)


# --------------------------------------------------------------------------------------------------
# The community forecast
# --------------------------------------------------------------------------------------------------

def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance [km]; 0 when a coordinate is unknown."""
    from .solar.weather import haversine_km

    if not all(np.isfinite(v) for v in (lat1, lon1, lat2, lon2)):
        return 0.0
    return float(haversine_km(lat1, lon1, lat2, lon2))


def _typical_weather(sc, read_file):
    from .solar.weather import site_weather

    try:
        return site_weather(sc.site.lat, sc.site.lon, sc.year, sc.weather, read_file)
    except Exception:  # noqa: BLE001 - the fallback must not fail on the scenario's own weather file
        return site_weather(sc.site.lat, sc.site.lon, sc.year, {"source": "embedded"})


def community_forecast(scenario, results, *, forecast=None, offline: bool = False, start_utc=None,
                       read_file=None, now=None) -> CommunityForecast:
    """Forecast the community's next :data:`HOURS` hours.

    Parameters
    ----------
    scenario : cer_core.scenario.Scenario
    results : cer_core.engine.Results
        The simulated year (typical loads and TIP rates come from it).
    forecast : cer_core.io.openmeteo.ForecastWeather, optional
        A forecast already read (``--from-file``); None asks Open-Meteo unless ``offline``.
    offline : bool
        Do not ask Open-Meteo: the fallback (labelled).
    start_utc : datetime-like, optional
        First hour. Default: the first hour of ``forecast`` when given, else the current hour.
    read_file : callable, optional
        Reads the scenario's files (a weather file for the fallback's typical year).
    now : datetime-like, optional
        The current time (tests); default now.

    Returns
    -------
    CommunityForecast
        Never raises for weather problems: they select the fallback and say why in the note.
    """
    from .io import openmeteo

    sc = scenario
    lat, lon = float(sc.site.lat), float(sc.site.lon)
    if start_utc is None:
        if forecast is not None and len(forecast.data):
            start_utc = forecast.data.index[0]
        else:
            start_utc = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    hours = forecast_hours(start_utc)
    why_it = why_en = ""
    if forecast is None and not offline:
        try:
            forecast = openmeteo.get_forecast(lat, lon)
        except openmeteo.ForecastUnavailable as exc:
            why_it, why_en = exc.it, exc.en
        except Exception as exc:  # noqa: BLE001 - never an exception: the fallback says why
            why_it = why_en = f"{type(exc).__name__}: {str(exc)[:120]}"
    elif offline and forecast is None:
        why_it, why_en = render_pair("notes.forecast.offline")
    frame = None
    elevation = float("nan")
    if forecast is not None:
        frame = _forecast_frame(forecast, hours)
        elevation = forecast.elevation_m
        if frame is None:
            first, last = (forecast.data.index[0], forecast.data.index[-1]) if len(forecast.data) else (None, None)
            why_it, why_en = render_pair("notes.forecast.not_covering", name=forecast.name, first=first, last=last,
                                         start=hours[0])
    plants = list(sc.plants)
    source = "open-meteo"
    prod = None
    if frame is not None:
        try:
            prod = plants_forecast_kwh(plants, frame, lat, lon, elevation)
        except Exception as exc:  # noqa: BLE001
            why_it = why_en = f"{type(exc).__name__}: {str(exc)[:120]}"
            prod = None
    typical = _typical_weather(sc, read_file)
    month = int(hours[len(hours) // 2].tz_convert(LOCAL_TZ).month)
    if prod is not None:
        day = ((hours.tz_convert(LOCAL_TZ).normalize() - hours[0].tz_convert(LOCAL_TZ).normalize()).days
               .to_numpy(dtype=float))
        cloud = np.nan_to_num(frame["cloud_cover"].to_numpy(dtype=float), nan=50.0) / 100.0
        u = (BAND_BASE + BAND_PER_DAY * day + BAND_CLOUD * cloud)[:, None]
        low, high = prod * np.maximum(0.0, 1.0 - u), prod * (1.0 + u)
        note_it, note_en = render_pair("notes.forecast.openmeteo", model=forecast.source, lat=forecast.lat,
                                       lon=forecast.lon, band_base=BAND_BASE, band_per_day=BAND_PER_DAY,
                                       band_cloud=BAND_CLOUD)
        far = _distance_km(lat, lon, forecast.lat, forecast.lon)
        if far > FAR_KM:
            far_it, far_en = render_pair("notes.forecast.far_point", far_km=far)
            note_it, note_en = f"{note_it}; {far_it}", f"{note_en}; {far_en}"
        weather_frame = frame
    else:
        source = "fallback"
        clear = clearness(typical)
        elevation = typical.elevation_m
        weather_frame = fallback_weather(hours, lat, lon, elevation, clear, "mean")
        prod = plants_forecast_kwh(plants, weather_frame, lat, lon, elevation)
        low = plants_forecast_kwh(plants, fallback_weather(hours, lat, lon, elevation, clear, "low"), lat, lon,
                                  elevation)
        high = plants_forecast_kwh(plants, fallback_weather(hours, lat, lon, elevation, clear, "high"), lat, lon,
                                   elevation)
        from .i18n import month_name

        m_it, m_en = month_name(month, "it"), month_name(month, "en")
        note_it, note_en = render_pair("notes.forecast.fallback", why={"it": why_it, "en": why_en},
                                       month={"it": m_it, "en": m_en}, clearness=clear.mean[month - 1],
                                       label=typical.label)
    return _assemble(sc, results, hours, source, note_it, note_en, prod, low, high, weather_frame)


def _assemble(sc, results, hours, source, note_it, note_en, prod, low, high, weather_frame) -> CommunityForecast:
    """Loads, sharing, rates and windows for the production forecast."""
    from .engine import _Layout
    from .sharing import cabina_flows, member_balance, member_production, plant_injection, sum_by_group

    include_4 = bool(sc.rules.get("include_4_october", True))
    layout = _Layout.of(sc)  # the engine's index arrays: who is under which cabina
    cabina_ids = layout.cabina_ids
    member_cabina, plant_member, plant_cabina = layout.member_cabina, layout.plant_member, layout.plant_cabina
    n_c = len(cabina_ids)
    load = typical_values(results.members.load_kwh, results.year, hours, include_4)
    flows = member_balance(load, member_production(prod, plant_member, len(sc.members)))
    cab = cabina_flows(flows, member_cabina, n_c)
    surplus = cab.injected_kwh - cab.shared_kwh
    # CER money per shared MWh: the plants' typical TIP rate weighted by their injection, plus valorisation
    tip = typical_values(results.plant_tip_rate_eur_mwh, results.year, hours, include_4) if len(sc.plants) \
        else np.zeros((len(hours), 0))
    inj = plant_injection(flows, prod, plant_member) if len(sc.plants) else np.zeros((len(hours), 0))
    weighted = sum_by_group(inj * tip, plant_cabina, n_c) if len(sc.plants) else np.zeros((len(hours), n_c))
    inj_c = sum_by_group(inj, plant_cabina, n_c) if len(sc.plants) else np.zeros((len(hours), n_c))
    plain = sum_by_group(tip, plant_cabina, n_c) / np.maximum(
        np.bincount(plant_cabina, minlength=n_c), 1) if len(sc.plants) else np.zeros((len(hours), n_c))
    tip_c = np.where(inj_c > 0, weighted / np.where(inj_c > 0, inj_c, 1.0), plain)
    rate = tip_c + layout.params.valorisation_rate(sc.year)

    def cabina(a: np.ndarray) -> np.ndarray:
        return sum_by_group(a, plant_cabina, n_c) if len(sc.plants) else np.zeros((len(hours), n_c))

    windows = best_windows(hours, load, member_cabina, surplus, rate, [m.id for m in sc.members], cabina_ids)
    return CommunityForecast(
        hours_utc=hours, source=source, note_it=note_it, note_en=note_en, plant_ids=[p.id for p in sc.plants],
        member_ids=[m.id for m in sc.members], member_names=[m.name for m in sc.members],
        member_cabina=[m.cabina for m in sc.members], cabina_ids=cabina_ids, plant_kwh=prod, plant_low_kwh=low,
        plant_high_kwh=high, load_kwh=load, cabina_production_kwh=cabina(prod), cabina_low_kwh=cabina(low),
        cabina_high_kwh=cabina(high), cabina_load_kwh=sum_by_group(load, member_cabina, n_c),
        cabina_shared_kwh=cab.shared_kwh, cabina_surplus_kwh=surplus, cabina_rate_eur_mwh=rate,
        windows=tuple(windows), weather=weather_frame, scenario_name=sc.name,
        info={"flexible_share": FLEXIBLE_SHARE, "window_max_h": WINDOW_MAX_H})


def best_window(surplus_kwh: np.ndarray, max_hours: int = WINDOW_MAX_H) -> tuple[int, int] | None:
    """``(first, end)`` indices of the contiguous run of at most ``max_hours`` positive-surplus hours with the
    largest total (the earliest on ties); None when no hour has a surplus."""
    s = np.asarray(surplus_kwh, dtype=float)
    best, best_sum = None, 0.0
    for i in range(len(s)):
        if s[i] <= 0:
            continue
        total = 0.0
        for j in range(i, min(i + max_hours, len(s))):
            if s[j] <= 0:
                break
            total += s[j]
            if total > best_sum + 1e-12:
                best, best_sum = (i, j + 1), total
    return best


def best_windows(hours_utc: pd.DatetimeIndex, load_kwh: np.ndarray, member_cabina: np.ndarray,
                 surplus_kwh: np.ndarray, rate_eur_mwh: np.ndarray, member_ids: list[str],
                 cabina_ids: list[str]) -> list[Window]:
    """Per cabina and local day, the best window and each member's share of it (see the module docstring)."""
    local_dates = np.asarray(hours_utc.tz_convert(LOCAL_TZ).date)
    out: list[Window] = []
    for day in sorted(set(local_dates)):
        rows = np.flatnonzero(local_dates == day)
        for c, cab in enumerate(cabina_ids):
            found = best_window(surplus_kwh[rows, c])
            if found is None:
                continue
            sel = rows[found[0]:found[1]]
            window_surplus = float(surplus_kwh[sel, c].sum())
            rate = float((surplus_kwh[sel, c] * rate_eur_mwh[sel, c]).sum() / window_surplus)
            members = np.flatnonzero(member_cabina == c)
            movable = FLEXIBLE_SHARE * load_kwh[np.ix_(rows, members)].sum(axis=0)
            total = float(movable.sum())
            if total <= 0:
                continue
            factor = min(1.0, window_surplus / total)
            for i, m in enumerate(members):
                gain = float(movable[i] * factor)
                if gain >= MIN_GAIN_KWH:
                    out.append(Window(member_id=member_ids[m], cabina=cab, start_utc=hours_utc[sel[0]],
                                      end_utc=hours_utc[sel[-1]] + pd.Timedelta(hours=1), surplus_kwh=window_surplus,
                                      gain_kwh=gain, gain_eur=gain * rate / 1000.0))
    return out


# --------------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------------

def _lang(lang: str) -> str:
    """The catalogue language of the forecast's words: English for ``"en"``, Italian otherwise."""
    return "en" if lang == "en" else "it"


def fmt_num(value: float, decimals: int = 0, lang: str = "it") -> str:
    """``1234.5`` → ``1.234,5`` (Italian) or ``1,234.5`` (English)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".") if lang == "it" else text


def day_label(date: dt.date, today: dt.date, lang: str = "it") -> str:
    """``oggi``/``domani``/``dopodomani`` or ``sabato 24/10`` (English: today/tomorrow/…)."""
    delta = (date - today).days
    words = "it" if lang == "it" else "en"  # English for any other language, as before
    if 0 <= delta < 3:
        return text(f"notes.forecast.day.{delta}", words)
    from .i18n import day_names

    names = day_names(words, "wide")
    return f"{names[date.weekday()]} {date.day:02d}/{date.month:02d}"


def window_label(w: Window, today: dt.date, lang: str = "it") -> str:
    """``domani 11–15`` (local clock hours; the end is the hour the window closes)."""
    start, end = w.start_local, w.end_local
    return f"{day_label(start.date(), today, lang)} {start.hour}–{end.hour}"


def window_text(w: Window, today: dt.date, lang: str = "it") -> str:
    """``domani 11–15: +40 kWh di energia condivisa se sposti i carichi (circa 4 € in più per la CER)``."""
    kwh = fmt_num(w.gain_kwh, 0 if w.gain_kwh >= 10 else 1, lang)
    eur = fmt_num(w.gain_eur, 2 if w.gain_eur < 10 else 0, lang)
    return text("notes.forecast.window", _lang(lang), when=window_label(w, today, lang), kwh=kwh, eur=eur)


def member_text(fc: CommunityForecast, member_id: str, lang: str = "it", today: dt.date | None = None) -> str:
    """A short message for one member: the best windows of the next three days and what they bring."""
    today = today or fc.hours_utc[0].tz_convert(LOCAL_TZ).date()
    i = fc.member_ids.index(member_id)
    name, cab = fc.member_names[i], fc.member_cabina[i]
    windows = fc.member_windows(member_id)
    share = fmt_num(FLEXIBLE_SHARE * 100, 0, lang)
    words = _lang(lang)
    head = [text("notes.forecast.member_head", words, scenario=fc.scenario_name, name=name, cabina=cab), ""]
    body = ([f"- {window_text(w, today, lang)}" for w in windows] or
            [f"- {text('notes.forecast.no_surplus', words)}"])
    tail = ["", text("notes.forecast.advice", words, share=share),
            text("notes.forecast.source", words, note=fc.note(words))]
    return "\n".join(head + body + tail)


def table_text(fc: CommunityForecast, lang: str = "it") -> str:
    """The 72-hour community table as fixed-width text (ISO timestamps), the CLI's output."""
    frame = fc.totals_frame()
    cols = ["production_kwh", "production_low_kwh", "production_high_kwh", "load_kwh", "shared_kwh", "surplus_kwh"]
    lines = ["timestamp                  " + " ".join(f"{c:>19s}" for c in cols)]
    for row in frame.itertuples(index=False):
        lines.append(f"{row.timestamp:26s} " + " ".join(f"{getattr(row, c):19.3f}" for c in cols))
    return "\n".join(lines)
