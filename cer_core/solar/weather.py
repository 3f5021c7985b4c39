"""The site's weather for a simulated year: PVGIS typical years, embedded, downloaded or uploaded.

A PVGIS typical meteorological year (TMY) is 8760 UTC-stamped hours, each month taken from a
different real year. :func:`site_weather` turns one into the hours of the simulated year
(``cer_core.timeaxis.hours_utc(year)``):

* every row is re-stamped by its UTC (month, day, hour) onto the simulated year, so the months'
  different years disappear and the local (Europe/Rome) calendar, DST days included, follows from
  the UTC axis;
* the year edge is wrapped: the local year starts at 23:00 UTC of 31 December of the year before,
  which takes the TMY's own 31 December 23:00 row;
* in a leap year, 29 February repeats 28 February hour by hour;
* the irradiance time offset is kept: PVGIS irradiance stamped ``HH:00`` was observed at
  ``HH:00 + offset`` (SARAH satellite scans reach Italy about 10-11 minutes past the hour; ERA5 hourly
  means are centred on ``HH:30``). The value comes from the file (PVGIS 5.3 writes it) or, for older
  files, is recovered from the data themselves (see :func:`infer_irradiance_offset_h`). The PV model
  computes the sun's position at that instant and turns the resulting snapshots into means over
  each hour (:func:`cer_core.solar.pv.to_hour_means`); ``WeatherYear.data`` keeps the values as PVGIS gave
  them, on the hour they were observed in.

Sources, in the order ``site.weather.source`` asks for them: ``embedded`` (the nearest of the typical
years shipped in ``assets/weather/``, catalogued here), ``pvgis`` / ``auto`` (the PVGIS client
:func:`cer_core.io.pvgis.get_tmy`: memory → disk cache → PVGIS API with a short deadline; the embedded
year when it cannot answer, saying why), ``file`` (a PVGIS TMY CSV or JSON the user brought, read by
:func:`cer_core.io.pvgis.read_tmy`). This module makes no request and writes no file: it holds the
transforms, the catalogue and memory caches (``cachetools``, one lock). See ``docs/pv.md``.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from cachetools import LRUCache, cached

from ..errors import CerInputError, error, located, render_pair
from ..io import pvgis
from ..io.pvgis import TmyFile, read_tmy
from ..paths import ASSETS
from ..timeaxis import hours_utc, local_month

EMBEDDED_DIR = ASSETS / "weather"

#: Where the shipped typical years are, in words (file name → Italian, English).
EMBEDDED_PLACES = {
    "pvgis_tmy_45.000_8.000_2005_2023.csv": ("Piemonte, tra Asti e Alessandria", "Piedmont, between Asti and Alessandria"),
    "pvgis_tmy_46.491_11.332_2005_2020.csv": ("Bolzano", "Bolzano"),
    "pvgis_tmy_37.116_14.561_2005_2020.csv": ("Sicilia sud-orientale, tra Caltagirone e Gela",
                                              "south-east Sicily, between Caltagirone and Gela"),
}

#: Longest wait [s] for PVGIS when the source is ``auto`` (the studio re-simulates on every edit).
AUTO_DEADLINE_S = 3.0
#: Longest wait [s] for PVGIS when the scenario asks for ``pvgis`` explicitly.
PVGIS_DEADLINE_S = 12.0
#: Sunshine threshold: an hour counts as sunny when its direct normal irradiance exceeds it (WMO) [W/m²].
SUNSHINE_DNI_W_M2 = 120.0
#: Irradiance time offset assumed when neither the file nor the data tell [h] (hour-centred values).
DEFAULT_OFFSET_H = 0.5


@dataclass(frozen=True, eq=False)
class WeatherYear:
    """Hourly weather of one simulated year at one site.

    Attributes
    ----------
    data : pandas.DataFrame
        Indexed exactly by :func:`cer_core.timeaxis.hours_utc` ``(year)``; columns ``ghi, dni, dhi``
        [W/m²], ``temp_air`` [°C], ``wind_speed`` [m/s] (10 m), and ``relative_humidity`` [%],
        ``pressure`` [Pa] when the source has them. Do not modify it: it is shared by caches.
    source : {"embedded", "pvgis", "file"}
        Where the data come from (after any fallback).
    label : str
        Human description, e.g. ``"PVGIS TMY 45.000N 8.000E (2005-2023)"``.
    lat, lon : float
        Location of the data point [deg].
    elevation_m : float
        Elevation of the data point [m].
    distance_km : float
        Distance from the site to the data point [km].
    year : int
        Simulated year.
    irradiance_offset_h : float
        The irradiance of the hour starting at ``t`` was observed at ``t + irradiance_offset_h`` [h].
    offset_origin : {"file", "inferred", "default"}
        Where the offset comes from.
    site_lat, site_lon : float
        The site the weather was asked for [deg].
    period : str
        Years the typical year was chosen from (e.g. ``"2005-2023"``).
    note_it, note_en : str
        Caveats for the user: fallback reason, nearest embedded year and distance.
    cache : str
        How the data were obtained: ``"embedded"`` (asked for), ``"fallback"`` (embedded instead of PVGIS,
        reason in the notes), ``"file"``, ``"memory"``, ``"disk"``, ``"download"``.
    digest : str
        Content identity (data and year): equal digests mean equal weather. Used as a cache key.
    fill : dict
        What :func:`coerce_to_year` did (hours filled for 29 February, hours wrapped at the year edge).
    """

    data: pd.DataFrame
    source: str
    label: str
    lat: float
    lon: float
    elevation_m: float
    distance_km: float
    year: int
    irradiance_offset_h: float = DEFAULT_OFFSET_H
    offset_origin: str = "default"
    site_lat: float = float("nan")
    site_lon: float = float("nan")
    period: str = ""
    note_it: str = ""
    note_en: str = ""
    cache: str = ""
    digest: str = ""
    fill: dict = field(default_factory=dict)

    def describe(self) -> dict:
        """JSON-ready summary for results and the UI."""
        return {
            "source": self.source, "label": self.label, "lat": round(self.lat, 4), "lon": round(self.lon, 4),
            "elevation_m": None if math.isnan(self.elevation_m) else round(self.elevation_m, 1),
            "distance_km": round(self.distance_km, 1), "year": self.year, "period": self.period,
            "annual_ghi_kwh_m2": round(float(self.data["ghi"].sum()) / 1000.0, 1),
            "mean_temp_c": round(float(self.data["temp_air"].mean()), 2),
            "irradiance_offset_h": round(self.irradiance_offset_h, 4), "offset_origin": self.offset_origin,
            "cache": self.cache, "note_it": self.note_it, "note_en": self.note_en,
            "feb29_filled_h": int(self.fill.get("feb29_filled_h", 0)),
        }


# --------------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------------

def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance [km] between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


# --------------------------------------------------------------------------------------------------
# Typical year → simulated year
# --------------------------------------------------------------------------------------------------

def _keys(index: pd.DatetimeIndex) -> np.ndarray:
    return (index.month * 10000 + index.day * 100 + index.hour).to_numpy(dtype=np.int64)


def coerce_to_year(frame: pd.DataFrame, year: int) -> tuple[pd.DataFrame, dict]:
    """Re-stamp UTC-indexed hourly rows onto the local hours of ``year``.

    Each row is placed by its UTC (month, day, hour) after flooring its stamp to the hour (PVGIS
    series carry minute offsets such as ``:10``), whatever year it came from. The hour before
    1 January 00:00 UTC (local midnight) takes the source's 31 December 23:00 row (the year edge is
    wrapped); 29 February, when the source lacks it, repeats 28 February; a source's 29 February is
    dropped in a common year.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows indexed by tz-aware timestamps, at most one per UTC (month, day, hour).
    year : int
        Simulated year.

    Returns
    -------
    (pandas.DataFrame, dict)
        The rows in the order of :func:`cer_core.timeaxis.hours_utc` ``(year)`` (indexed by it), and
        ``{"feb29_filled_h", "edge_wrapped_h", "dropped_h"}``.

    Raises
    ------
    ValueError
        When two rows share a (month, day, hour) or some hours of the year are missing.
    """
    src_index = pd.DatetimeIndex(frame.index).tz_convert("UTC").floor("h")
    src_keys = _keys(src_index)
    lookup = pd.Index(src_keys)
    if lookup.has_duplicates:
        dup = src_index[lookup.duplicated()][0]
        raise ValueError(f"two rows for the UTC hour {dup:%m-%d %H}:00 (e.g. {dup:%Y-%m-%d %H:%M})")
    target = hours_utc(year)
    tgt_keys = _keys(target)
    pos = lookup.get_indexer(tgt_keys)
    feb29 = (pos < 0) & (target.month == 2) & (target.day == 29)
    filled = int(feb29.sum())
    if filled:
        pos[feb29] = lookup.get_indexer(tgt_keys[feb29] - 100)  # same hour of 28 February
    if (pos < 0).any():
        first = target[int(np.argmax(pos < 0))]
        raise ValueError(f"{int((pos < 0).sum())} hours missing, the first at {first:%m-%d %H}:00 UTC")
    out = frame.iloc[pos].copy()
    out.index = target
    info = {"feb29_filled_h": filled, "edge_wrapped_h": int((target.year != year).sum()),
            "dropped_h": int(len(frame) - len(np.unique(pos)))}
    return out, info


def infer_irradiance_offset_h(frame: pd.DataFrame, lat: float, lon: float) -> float | None:
    """Recover the irradiance time offset of PVGIS data from their own closure ``GHI = DNI·cos(z) + DHI``.

    PVGIS derives ``Gb(n)`` from horizontal beam and the sun's elevation at the observation instant,
    so the closure is exact only at that instant. The offset [h] minimising the mean closure error
    over clear hours is returned (1-minute resolution). On the PVGIS 5.3 file for 45N 8E this finds
    10.6 min against the header's 0.1761 h (10.57 min).

    Parameters
    ----------
    frame : pandas.DataFrame
        UTC-indexed rows with ``ghi, dni, dhi`` [W/m²] stamped on the hour.
    lat, lon : float
        Data point [deg].

    Returns
    -------
    float or None
        Offset in [0, 1) h, or None when there are too few clear hours to tell.
    """
    from pvlib import solarposition

    mask = ((frame["dni"] > 200) & (frame["ghi"] > 100)).to_numpy()
    if mask.sum() < 100:
        return None
    sub = frame.loc[mask]
    step = max(1, len(sub) // 1500)
    sub = sub.iloc[::step]
    stamps = pd.DatetimeIndex(sub.index).tz_convert("UTC")
    ghi, dni, dhi = (sub[c].to_numpy(dtype=float) for c in ("ghi", "dni", "dhi"))

    def closure(minutes: float) -> float:
        sp = solarposition.get_solarposition(stamps + pd.Timedelta(minutes=minutes), lat, lon, method="nrel_numpy")
        cz = np.cos(np.radians(sp["zenith"].to_numpy()))
        return float(np.mean(np.abs(dni * cz + dhi - ghi)))

    coarse = {m: closure(m) for m in range(0, 60, 5)}
    best = min(coarse, key=coarse.get)
    fine = {m: closure(m) for m in range(best - 4, best + 5) if 0 <= m < 60}
    fine.update(coarse)
    best = min(fine, key=fine.get)
    spread = max(coarse.values()) - min(coarse.values())
    if spread < 1.0:  # flat: the data carry no timing information (e.g. synthetic irradiance)
        return None
    return best / 60.0


# --------------------------------------------------------------------------------------------------
# Memory caches: bounded (least recently used dropped first), shared by the studio's sessions
# --------------------------------------------------------------------------------------------------

_LOCK = threading.RLock()
#: Typical year → its content key, by identity (each entry keeps its TmyFile, so the id is not reused).
_KEYS: LRUCache = LRUCache(maxsize=64)
#: Irradiance time offset per content key; a typical year on the hours of a year; the WeatherYears made.
_OFFSETS: LRUCache = LRUCache(maxsize=64)
_FRAMES: LRUCache = LRUCache(maxsize=64)
_MADE: LRUCache = LRUCache(maxsize=128)
#: Shipped typical years parsed (at most one per file of the catalogue); uploads parsed, by content.
_EMBEDDED: LRUCache = LRUCache(maxsize=16)
_FILES: LRUCache = LRUCache(maxsize=32)


@cached(_OFFSETS, key=lambda tmy_key, tmy: tmy_key, lock=_LOCK)
def _offset_for(tmy_key: str, tmy: TmyFile) -> tuple[float, str]:
    """The irradiance time offset [h] of a registered TMY and where it comes from (file, inferred, default)."""
    if tmy.irradiance_offset_h is not None:
        return float(tmy.irradiance_offset_h), "file"
    inferred = infer_irradiance_offset_h(tmy.data, tmy.lat, tmy.lon)
    return (DEFAULT_OFFSET_H, "default") if inferred is None else (inferred, "inferred")


@cached(_FRAMES, key=lambda tmy_key, tmy, year: (tmy_key, int(year)), lock=_LOCK)
def _year_frame(tmy_key: str, tmy: TmyFile, year: int) -> tuple[pd.DataFrame, dict]:
    """The TMY's rows on the hours of ``year`` (:func:`coerce_to_year`), shared by every caller."""
    return coerce_to_year(tmy.data, year)


def _register(kind: str, tmy: TmyFile) -> str:
    """The content key of a parsed TMY, so that equal data share every cache (memoised by identity).

    The key covers the values, their time stamps and column names, the data point and every field
    that the derived caches or :meth:`WeatherYear.describe` depend on: two files differing in any of
    them never share a cached frame. Callers keep the :class:`TmyFile` itself (the PVGIS client's memory,
    :data:`_EMBEDDED`, :data:`_FILES`), so an entry dropped here only costs one more hash.
    """
    with _LOCK:
        hit = _KEYS.get(id(tmy))
    if hit is not None and hit[0] is tmy:
        return hit[1]
    digest = hashlib.sha1(np.ascontiguousarray(tmy.data.to_numpy(dtype=float)).tobytes())
    digest.update(np.ascontiguousarray(pd.DatetimeIndex(tmy.data.index).as_unit("s").asi8).tobytes())
    digest.update(repr((list(tmy.data.columns), round(tmy.lat, 4), round(tmy.lon, 4), tmy.elevation_m,
                        tmy.irradiance_offset_h, tmy.period, tmy.radiation_db, tmy.months_selected)).encode())
    key = f"{kind}:{digest.hexdigest()[:16]}"
    with _LOCK:
        _KEYS[id(tmy)] = (tmy, key)
    return key


# --------------------------------------------------------------------------------------------------
# Embedded typical years
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EmbeddedTmy:
    """One typical year shipped in ``assets/weather/``."""

    filename: str
    lat: float
    lon: float
    period: str
    place_it: str
    place_en: str


@lru_cache(maxsize=1)
def embedded_catalog() -> tuple[EmbeddedTmy, ...]:
    """The shipped typical years, from their file names ``pvgis_tmy_<lat>_<lon>_<y0>_<y1>.csv``."""
    out = []
    for path in sorted(EMBEDDED_DIR.glob("pvgis_tmy_*.csv")):
        m = re.match(r"pvgis_tmy_(-?\d+\.\d+)_(-?\d+\.\d+)_(\d{4})_(\d{4})\.csv$", path.name)
        if not m:
            continue
        place_it, place_en = EMBEDDED_PLACES.get(path.name, (path.stem, path.stem))
        out.append(EmbeddedTmy(path.name, float(m.group(1)), float(m.group(2)), f"{m.group(3)}-{m.group(4)}",
                               place_it, place_en))
    return tuple(out)


def nearest_embedded(lat: float, lon: float) -> tuple[EmbeddedTmy, float]:
    """The shipped typical year closest to ``(lat, lon)`` and its distance [km]."""
    catalog = embedded_catalog()
    if not catalog:  # pragma: no cover - the assets ship with the code
        raise error("assets/weather", "problems.weather.no_embedded", "weather.no_embedded")
    dists = [haversine_km(lat, lon, e.lat, e.lon) for e in catalog]
    i = int(np.argmin(dists))
    return catalog[i], dists[i]


@cached(_EMBEDDED, lock=_LOCK)
def _embedded_tmy(filename: str) -> TmyFile:
    """A shipped typical year, parsed once (its period taken from the catalogue's file name)."""
    tmy = read_tmy((EMBEDDED_DIR / filename).read_bytes(), f"assets/weather/{filename}")
    entry = next(e for e in embedded_catalog() if e.filename == filename)
    return TmyFile(tmy.data, tmy.lat, tmy.lon, tmy.elevation_m, tmy.irradiance_offset_h, tmy.months_selected,
                   entry.period, tmy.radiation_db)


def _label(tmy: TmyFile) -> str:
    ns = "N" if tmy.lat >= 0 else "S"
    ew = "E" if tmy.lon >= 0 else "W"
    period = f" ({tmy.period})" if tmy.period else ""
    return f"PVGIS TMY {abs(tmy.lat):.3f}{ns} {abs(tmy.lon):.3f}{ew}{period}"


def _embedded_weather(lat: float, lon: float, year: int, note_it: str = "", note_en: str = "") -> WeatherYear:
    """The nearest shipped year; a non-empty note means it stands in for PVGIS (``cache="fallback"``)."""
    entry, dist = nearest_embedded(lat, lon)
    tmy = _embedded_tmy(entry.filename)
    key = _register("embedded", tmy)
    it, en = render_pair("notes.weather.embedded_nearest", place={"it": entry.place_it, "en": entry.place_en},
                         distance_km=dist)
    return _make(key, tmy, year, lat, lon, "embedded", "fallback" if note_en else "embedded", _join(note_it, it),
                 _join(note_en, en))


def _join(first: str, second: str) -> str:
    """Two notes of one language as one (``"; "`` between them when both are there)."""
    return f"{first}; {second}" if first and second else (first or second)


def _made_key(tmy_key: str, tmy: TmyFile, year: int, site_lat: float, site_lon: float, source: str, cache: str,
              note_it: str = "", note_en: str = "") -> tuple:
    return (tmy_key, int(year), round(site_lat, 5), round(site_lon, 5), source, cache, note_it, note_en)


@cached(_MADE, key=_made_key, lock=_LOCK)
def _make(tmy_key: str, tmy: TmyFile, year: int, site_lat: float, site_lon: float, source: str, cache: str,
          note_it: str = "", note_en: str = "") -> WeatherYear:
    """The WeatherYear for a registered TMY (memoised: the same request returns the same object)."""
    frame, info = _year_frame(tmy_key, tmy, int(year))
    offset, origin = _offset_for(tmy_key, tmy)
    return WeatherYear(
        data=frame, source=source, label=_label(tmy), lat=tmy.lat, lon=tmy.lon, elevation_m=tmy.elevation_m,
        distance_km=haversine_km(site_lat, site_lon, tmy.lat, tmy.lon), year=int(year),
        irradiance_offset_h=offset, offset_origin=origin, site_lat=site_lat, site_lon=site_lon, period=tmy.period,
        note_it=note_it, note_en=note_en, cache=cache, digest=f"{tmy_key}@{int(year)}", fill=info)


# --------------------------------------------------------------------------------------------------
# Uploaded files
# --------------------------------------------------------------------------------------------------

def weather_from_bytes(data: bytes, name: str, year: int, site_lat: float | None = None,
                       site_lon: float | None = None) -> WeatherYear:
    """A WeatherYear from a PVGIS TMY file (CSV or JSON) the user brought.

    Parameters
    ----------
    data : bytes
        File content.
    name : str
        File name (for messages).
    year : int
        Simulated year.
    site_lat, site_lon : float, optional
        The site, to report the distance to the file's data point (0 when omitted).

    Raises
    ------
    CerInputError
        EPW files, PVGIS hourly series and anything that is not a usable PVGIS TMY, with the reason.
    """
    sha = hashlib.sha1(data).hexdigest()
    with _LOCK:
        tmy = _FILES.get(sha)
    if tmy is None:
        tmy = read_tmy(data, name)
        with _LOCK:
            tmy = _FILES.setdefault(sha, tmy)
    key = _register("file", tmy)
    lat = tmy.lat if site_lat is None else float(site_lat)
    lon = tmy.lon if site_lon is None else float(site_lon)
    dist = haversine_km(lat, lon, tmy.lat, tmy.lon)
    it = en = ""
    if dist > 50:
        it, en = render_pair("notes.weather.file_far", name=name, distance_km=dist)
    return _make(key, tmy, year, lat, lon, "file", "file", it, en)


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------

def site_weather(lat: float, lon: float, year: int, spec: dict | None, read_file=None) -> WeatherYear:
    """Hourly weather of the simulated year at the site, from the scenario's ``site.weather`` section.

    Parameters
    ----------
    lat, lon : float
        Site [deg].
    year : int
        Simulated year.
    spec : dict
        ``{"source": "auto" | "embedded" | "pvgis" | "file", "path": ...}`` (``path`` for ``file``).
    read_file : callable, optional
        ``read_file(path) -> bytes`` resolving scenario-relative paths (for ``file``).

    Returns
    -------
    WeatherYear
        ``pvgis`` and ``auto`` fall back to the nearest embedded year, with the reason in
        :meth:`WeatherYear.describe`; ``auto`` waits at most :data:`AUTO_DEADLINE_S`.

    Raises
    ------
    CerInputError
        For ``file`` when the file is missing or is not a usable PVGIS typical year (located at
        ``site.weather.path``), and for an unknown source.
    """
    spec = spec or {"source": "auto"}
    source = spec.get("source", "auto")
    lat, lon, year = float(lat), float(lon), int(year)
    if source == "embedded":
        return _embedded_weather(lat, lon, year)
    if source == "file":
        path = spec.get("path", "")
        if read_file is None:
            raise error("site.weather.path", "problems.weather.no_reader", "weather.no_reader")
        try:
            data = read_file(path)
        except (FileNotFoundError, KeyError, ValueError, OSError):
            raise error("site.weather.path", "problems.file.missing.5", "file.missing", path=path)
        try:
            return weather_from_bytes(data, Path(str(path)).name, year, lat, lon)
        except CerInputError as exc:
            raise located(exc, "site.weather.path")
    if source in ("pvgis", "auto"):
        deadline = AUTO_DEADLINE_S if source == "auto" else PVGIS_DEADLINE_S
        try:
            tmy, how = pvgis.get_tmy(lat, lon, deadline)
        except pvgis.PvgisUnavailable as why:
            return _embedded_weather(lat, lon, year, why.it, why.en)
        return _make(_register("pvgis", tmy), tmy, year, lat, lon, "pvgis", how)
    raise error("site.weather.source", "problems.weather.source", "weather.source", source=source)


def clear_caches() -> None:
    """Forget everything cached in memory, the PVGIS client's included (tests; a new disk cache folder)."""
    with _LOCK:
        for cache in (_KEYS, _OFFSETS, _FRAMES, _MADE, _EMBEDDED, _FILES):
            cache.clear()
    pvgis.forget()


# --------------------------------------------------------------------------------------------------
# Climate summary for the UI
# --------------------------------------------------------------------------------------------------

def monthly_climate(weather: WeatherYear) -> pd.DataFrame:
    """Monthly climate of the weather year, in local (Europe/Rome) months, as the UI charts it.

    Returns
    -------
    pandas.DataFrame
        One row per month 1..12: ``month``, ``irradiation_kwh_m2`` (global horizontal),
        ``diffuse_kwh_m2``, ``temp_mean_c``, ``temp_min_c``, ``temp_max_c`` [°C], and ``sun_hours``:
        hours whose direct normal irradiance exceeds :data:`SUNSHINE_DNI_W_M2` (the WMO definition of
        sunshine, counted on hourly values).
    """
    df = weather.data
    months = local_month(weather.year)
    frame = pd.DataFrame({"month": months, "ghi": df["ghi"].to_numpy(), "dhi": df["dhi"].to_numpy(),
                          "t": df["temp_air"].to_numpy(), "sun": (df["dni"].to_numpy() > SUNSHINE_DNI_W_M2)})
    g = frame.groupby("month")
    out = pd.DataFrame({
        "month": np.arange(1, 13),
        "irradiation_kwh_m2": (g["ghi"].sum() / 1000.0).reindex(range(1, 13)).to_numpy(),
        "diffuse_kwh_m2": (g["dhi"].sum() / 1000.0).reindex(range(1, 13)).to_numpy(),
        "temp_mean_c": g["t"].mean().reindex(range(1, 13)).to_numpy(),
        "temp_min_c": g["t"].min().reindex(range(1, 13)).to_numpy(),
        "temp_max_c": g["t"].max().reindex(range(1, 13)).to_numpy(),
        "sun_hours": g["sun"].sum().reindex(range(1, 13)).to_numpy(dtype=int),
    })
    return out
