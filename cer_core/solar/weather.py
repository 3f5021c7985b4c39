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
years shipped in ``assets/weather/``), ``pvgis`` / ``auto`` (memory → disk cache → PVGIS API with a
short deadline → the embedded year, saying why), ``file`` (a PVGIS TMY CSV or JSON the user brought).
See ``docs/pv.md``.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CerInputError, error, located
from ..io.pvgis import TmyFile, read_tmy, tmy_from_download, write_tmy_json
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
#: After a network failure, PVGIS is not tried again for this long [s] (each call answers at once).
RETRY_AFTER_S = 600.0
#: HTTP timeouts (connect, read) [s] of the download, which may finish in the background.
HTTP_TIMEOUT_S = (3.0, 30.0)
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


def _memo(cache: OrderedDict, key, compute, maxsize: int = 64):
    """``cache[key]``, computed (outside the lock) and stored on a miss; least recently used entries go first."""
    with _LOCK:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    value = compute()
    with _LOCK:
        cache[key] = value
        while len(cache) > maxsize:
            cache.popitem(last=False)
    return value


_OFFSETS: OrderedDict[str, tuple[float, str]] = OrderedDict()
_FRAMES: OrderedDict[tuple[str, int], tuple[pd.DataFrame, dict]] = OrderedDict()


def _offset_for(tmy_key: str, tmy: TmyFile) -> tuple[float, str]:
    """The irradiance time offset [h] of a registered TMY and where it comes from (file, inferred, default)."""
    def compute() -> tuple[float, str]:
        if tmy.irradiance_offset_h is not None:
            return float(tmy.irradiance_offset_h), "file"
        inferred = infer_irradiance_offset_h(tmy.data, tmy.lat, tmy.lon)
        return (DEFAULT_OFFSET_H, "default") if inferred is None else (inferred, "inferred")

    return _memo(_OFFSETS, tmy_key, compute)


def _year_frame(tmy_key: str, tmy: TmyFile, year: int) -> tuple[pd.DataFrame, dict]:
    """The TMY's rows on the hours of ``year`` (:func:`coerce_to_year`), shared by every caller."""
    return _memo(_FRAMES, (tmy_key, int(year)), lambda: coerce_to_year(tmy.data, year))


# --------------------------------------------------------------------------------------------------
# Registry of loaded typical years (content-keyed)
# --------------------------------------------------------------------------------------------------

_TMY: OrderedDict[str, TmyFile] = OrderedDict()
_TMY_MAX = 64
_LOCK = threading.RLock()


def _register(kind: str, tmy: TmyFile) -> str:
    """Store a parsed TMY under a key made of its content, so equal data share every cache.

    The key covers the values, their time stamps and column names, the data point and every field
    that the derived caches or :meth:`WeatherYear.describe` depend on: two files differing in any of
    them never share a cached frame. The registry is bounded: callers keep the :class:`TmyFile` they
    registered rather than reading it back (another session may have evicted it meanwhile).
    """
    digest = hashlib.sha1(np.ascontiguousarray(tmy.data.to_numpy(dtype=float)).tobytes())
    digest.update(np.ascontiguousarray(pd.DatetimeIndex(tmy.data.index).as_unit("s").asi8).tobytes())
    digest.update(repr((list(tmy.data.columns), round(tmy.lat, 4), round(tmy.lon, 4), tmy.elevation_m,
                        tmy.irradiance_offset_h, tmy.period, tmy.radiation_db, tmy.months_selected)).encode())
    key = f"{kind}:{digest.hexdigest()[:16]}"
    with _LOCK:
        _TMY[key] = tmy
        _TMY.move_to_end(key)
        while len(_TMY) > _TMY_MAX:
            _TMY.popitem(last=False)
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


_EMBEDDED_KEYS: dict[str, str] = {}


def _registered(key: str | None) -> TmyFile | None:
    """The registered TMY under ``key`` (marked recently used), or None."""
    with _LOCK:
        tmy = _TMY.get(key) if key is not None else None
        if tmy is not None:
            _TMY.move_to_end(key)
        return tmy


def _embedded_key(filename: str) -> tuple[str, TmyFile]:
    """Registry key and data of a shipped typical year, parsing the file the first time (or after eviction)."""
    with _LOCK:
        key = _EMBEDDED_KEYS.get(filename)
    tmy = _registered(key)
    if tmy is not None:
        return key, tmy
    tmy = read_tmy((EMBEDDED_DIR / filename).read_bytes(), f"assets/weather/{filename}")
    entry = next(e for e in embedded_catalog() if e.filename == filename)
    tmy = TmyFile(tmy.data, tmy.lat, tmy.lon, tmy.elevation_m, tmy.irradiance_offset_h, tmy.months_selected,
                  entry.period, tmy.radiation_db)
    key = _register("embedded", tmy)
    with _LOCK:
        _EMBEDDED_KEYS[filename] = key
    return key, tmy


def _label(tmy: TmyFile) -> str:
    ns = "N" if tmy.lat >= 0 else "S"
    ew = "E" if tmy.lon >= 0 else "W"
    period = f" ({tmy.period})" if tmy.period else ""
    return f"PVGIS TMY {abs(tmy.lat):.3f}{ns} {abs(tmy.lon):.3f}{ew}{period}"


def _embedded_weather(lat: float, lon: float, year: int, note_it: str = "", note_en: str = "") -> WeatherYear:
    """The nearest shipped year; a non-empty note means it stands in for PVGIS (``cache="fallback"``)."""
    entry, dist = nearest_embedded(lat, lon)
    key, tmy = _embedded_key(entry.filename)
    it = f"anno tipico incorporato più vicino: {entry.place_it}, a {dist:.0f} km dal sito"
    en = f"nearest embedded typical year: {entry.place_en}, {dist:.0f} km from the site"
    return _make(key, tmy, year, lat, lon, "embedded", "fallback" if note_en else "embedded", _join(note_it, it),
                 _join(note_en, en))


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first and second else (first or second)


_MADE: OrderedDict[tuple, WeatherYear] = OrderedDict()


def _make(tmy_key: str, tmy: TmyFile, year: int, site_lat: float, site_lon: float, source: str, cache: str,
          note_it: str = "", note_en: str = "") -> WeatherYear:
    """The WeatherYear for a registered TMY (memoised: the same request returns the same object)."""
    ident = (tmy_key, int(year), round(site_lat, 5), round(site_lon, 5), source, cache, note_it, note_en)
    with _LOCK:
        hit = _MADE.get(ident)
        if hit is not None:
            _MADE.move_to_end(ident)
            return hit
    frame, info = _year_frame(tmy_key, tmy, int(year))
    offset, origin = _offset_for(tmy_key, tmy)
    weather = WeatherYear(
        data=frame, source=source, label=_label(tmy), lat=tmy.lat, lon=tmy.lon, elevation_m=tmy.elevation_m,
        distance_km=haversine_km(site_lat, site_lon, tmy.lat, tmy.lon), year=int(year),
        irradiance_offset_h=offset, offset_origin=origin, site_lat=site_lat, site_lon=site_lon, period=tmy.period,
        note_it=note_it, note_en=note_en, cache=cache, digest=f"{tmy_key}@{int(year)}", fill=info)
    with _LOCK:
        _MADE[ident] = weather
        while len(_MADE) > 128:
            _MADE.popitem(last=False)
    return weather


# --------------------------------------------------------------------------------------------------
# Uploaded files
# --------------------------------------------------------------------------------------------------

_FILE_KEYS: OrderedDict[str, str] = OrderedDict()


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
        key = _FILE_KEYS.get(sha)
    tmy = _registered(key)
    if tmy is None:
        tmy = read_tmy(data, name)
        key = _register("file", tmy)
        with _LOCK:
            _FILE_KEYS[sha] = key
            while len(_FILE_KEYS) > 32:
                _FILE_KEYS.popitem(last=False)
    lat = tmy.lat if site_lat is None else float(site_lat)
    lon = tmy.lon if site_lon is None else float(site_lon)
    dist = haversine_km(lat, lon, tmy.lat, tmy.lon)
    it = en = ""
    if dist > 50:
        it = f"il file meteo «{name}» è per un punto a {dist:.0f} km dal sito"
        en = f"the weather file '{name}' is for a point {dist:.0f} km from the site"
    return _make(key, tmy, year, lat, lon, "file", "file", it, en)


# --------------------------------------------------------------------------------------------------
# PVGIS online, with disk cache and a hard deadline
# --------------------------------------------------------------------------------------------------

class _Unavailable(Exception):
    """PVGIS could not answer in time; carries the reason in Italian and English."""

    def __init__(self, it: str, en: str):
        super().__init__(en)
        self.it, self.en = it, en


_DOWNLOADED: dict[str, str] = {}          # site key → registered TMY key
_INFLIGHT: dict[str, threading.Thread] = {}
_SITE_FAILED: dict[str, tuple[str, str]] = {}
_NET = {"failed_at": None, "it": "", "en": ""}


def cache_dir() -> Path:
    """Disk cache folder: ``$CER_STUDIO_CACHE`` or ``~/.cache/cer-studio``."""
    env = os.environ.get("CER_STUDIO_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "cer-studio"


def _site_key(lat: float, lon: float) -> str:
    return f"{lat:.3f}_{lon:.3f}"


def _disk_path(site_key: str) -> Path:
    return cache_dir() / "pvgis" / f"tmy_{site_key}.json"


def _download(site_key: str, lat: float, lon: float) -> None:
    """Fetch the PVGIS TMY (run in a daemon thread); store it in memory and on disk, or record why not."""
    import requests
    from pvlib import iotools

    try:
        frame, meta = iotools.get_pvgis_tmy(lat, lon, outputformat="json", usehorizon=True, map_variables=True,
                                            timeout=HTTP_TIMEOUT_S, coerce_year=None)
        tmy = tmy_from_download(frame, meta, "PVGIS")
        key = _register("pvgis", tmy)
        with _LOCK:
            _DOWNLOADED[site_key] = key
            _NET["failed_at"] = None
        try:
            path = _disk_path(site_key)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{threading.get_ident()}")
            tmp.write_bytes(write_tmy_json(tmy))
            os.replace(tmp, path)
        except OSError:
            pass  # the cache is a convenience: memory still has the data
    except requests.HTTPError as exc:
        # pvlib raises PVGIS's own message (e.g. "Location over the sea") without a response: a refusal of this
        # point; a server error (5xx), a timeout or throttling (408, 429) says nothing about the point
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status is None or (400 <= status < 500 and status not in (408, 429)):
            _site_refused(site_key, exc)
        else:
            _network_failed(exc)
    except (requests.RequestException, OSError) as exc:
        # no route, DNS, timeouts, and a proxy's or captive portal's HTML page where JSON was expected
        _network_failed(exc)
    except (CerInputError, ValueError, KeyError, TypeError) as exc:
        _site_refused(site_key, exc)  # PVGIS answered, but not with a usable typical year for this point
    except Exception as exc:  # noqa: BLE001 - a background thread must never die silently mid-way
        _network_failed(exc, "errore nello scaricare da PVGIS", "error downloading from PVGIS")
    finally:
        with _LOCK:
            _INFLIGHT.pop(site_key, None)


def _site_refused(site_key: str, exc: Exception) -> None:
    """Remember that PVGIS refused this point (for the life of the process)."""
    text = str(exc)[:160]
    with _LOCK:
        _SITE_FAILED[site_key] = (f"PVGIS ha rifiutato la richiesta per questo punto ({text})",
                                  f"PVGIS refused the request for this point ({text})")


def _network_failed(exc: Exception, it: str = "PVGIS non raggiungibile", en: str = "PVGIS unreachable") -> None:
    """Remember a network failure: no call tries PVGIS again for :data:`RETRY_AFTER_S`."""
    with _LOCK:
        _NET.update(failed_at=time.monotonic(), it=f"{it} ({type(exc).__name__})", en=f"{en} ({type(exc).__name__})")


def _pvgis_key(lat: float, lon: float, deadline_s: float) -> tuple[str, TmyFile, str]:
    """Registered TMY key and data for the site, and how they were obtained (memory, disk, download).

    Raises
    ------
    _Unavailable
        Offline (remembered for :data:`RETRY_AFTER_S`), refused by PVGIS, slower than ``deadline_s``
        (the download then goes on in the background and a later call finds it), or network use
        switched off with the environment variable ``CER_STUDIO_OFFLINE=1`` (caches are still read).
    """
    site = _site_key(lat, lon)
    with _LOCK:
        key = _DOWNLOADED.get(site)
    tmy = _registered(key)
    if tmy is not None:
        return key, tmy, "memory"
    path = _disk_path(site)
    if path.is_file():
        try:
            tmy = read_tmy(path.read_bytes(), str(path))
            key = _register("pvgis", tmy)
            with _LOCK:
                _DOWNLOADED[site] = key
            return key, tmy, "disk"
        except (CerInputError, OSError):
            pass  # a broken cache file is ignored and replaced by the next download
    if os.environ.get("CER_STUDIO_OFFLINE", "").strip().lower() in ("1", "true", "yes"):
        raise _Unavailable("modalità senza rete (CER_STUDIO_OFFLINE)", "offline mode (CER_STUDIO_OFFLINE)")
    with _LOCK:
        if site in _SITE_FAILED:
            raise _Unavailable(*_SITE_FAILED[site])
        failed_at = _NET["failed_at"]
        if failed_at is not None and time.monotonic() - failed_at < RETRY_AFTER_S:
            raise _Unavailable(_NET["it"], _NET["en"])
        if site in _INFLIGHT:  # started by an earlier call that already waited: do not wait again
            raise _Unavailable("scaricamento da PVGIS in corso", "PVGIS download in progress")
        thread = threading.Thread(target=_download, args=(site, lat, lon), name=f"pvgis-{site}", daemon=True)
        _INFLIGHT[site] = thread
        thread.start()
    thread.join(deadline_s)
    tmy = _registered(_DOWNLOADED.get(site))
    if tmy is not None:
        return _DOWNLOADED[site], tmy, "download"
    with _LOCK:
        if thread.is_alive():
            raise _Unavailable(f"PVGIS non ha risposto entro {deadline_s:g} s (lo scaricamento prosegue)",
                               f"PVGIS did not answer within {deadline_s:g} s (the download goes on)")
        if site in _SITE_FAILED:
            raise _Unavailable(*_SITE_FAILED[site])
        raise _Unavailable(_NET["it"] or "PVGIS non disponibile", _NET["en"] or "PVGIS unavailable")


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
            key, tmy, how = _pvgis_key(lat, lon, deadline)
        except _Unavailable as why:
            return _embedded_weather(lat, lon, year, why.it, why.en)
        return _make(key, tmy, year, lat, lon, "pvgis", how)
    raise error("site.weather.source", "problems.weather.source", "weather.source", source=source)


def clear_caches() -> None:
    """Forget everything cached in memory (tests; a new disk cache folder)."""
    with _LOCK:
        _TMY.clear()
        _MADE.clear()
        _FILE_KEYS.clear()
        _DOWNLOADED.clear()
        _SITE_FAILED.clear()
        _NET.update(failed_at=None, it="", en="")
        _EMBEDDED_KEYS.clear()
        _OFFSETS.clear()
        _FRAMES.clear()


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
