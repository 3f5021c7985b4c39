"""Open-Meteo's free weather forecast: the next days' hourly irradiance, temperature, wind and clouds.

One ``get_*`` / ``read_*`` pair, as pvlib keeps its clients in ``iotools``:

* :func:`get_forecast` asks ``api.open-meteo.com/v1/forecast`` (timeout, a few retries on network
  errors and on 429/5xx answers, an identifying User-Agent) and keeps the answer on disk for
  :data:`CACHE_TTL_S`, so a page rerun or the CLI run just after it does not ask again; it raises
  :class:`ForecastUnavailable` (reason in Italian and English) when the network is off or refuses.
  ``CER_STUDIO_OFFLINE=1`` switches the network off (the disk cache is still read).
* :func:`read_forecast` parses a saved answer (the JSON Open-Meteo returns), refusing anything else
  with a sentence naming the file and what was expected.

Time: the request asks for UTC stamps (``timezone=GMT``), so the local clock change is never
ambiguous; answers saved with a local ``timezone`` (e.g. ``Europe/Rome``) or with ``timeformat=unixtime``
are read too. Open-Meteo's radiation at stamp ``t`` is the mean over the preceding hour ``(t-1h, t]``,
temperature and wind are instantaneous: :class:`ForecastWeather` rows are hour *starts* (the studio's
axis, ``cer_core.timeaxis``) carrying the mean irradiance of that hour (the value stamped one hour
later) and the mean of the instantaneous values at its two ends. See ``docs/forecast.md``.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import error, render_pair
from .http import FailureMemory, ServiceUnavailable, cache_root, offline, write_atomic

BASE_URL = "https://api.open-meteo.com/v1/forecast"
#: Identifies the studio to Open-Meteo (its terms ask non-commercial users to be reasonable; a clear agent helps).
USER_AGENT = "cer-studio/0.1 (open-source CER design tool; 3-day PV forecast)"
#: Hourly variables asked for (Open-Meteo names).
HOURLY_VARIABLES = ("shortwave_radiation", "direct_normal_irradiance", "diffuse_radiation", "temperature_2m",
                    "wind_speed_10m", "cloud_cover")
#: Forecast days asked for: today plus three, so that 72 hours from the current hour are covered.
FORECAST_DAYS = 4
#: HTTP timeouts (connect, read) [s].
HTTP_TIMEOUT_S = (3.0, 10.0)
#: Extra attempts after a network error or a 429/5xx answer, and the pause before each [s].
RETRIES = 2
RETRY_PAUSE_S = 1.0
#: A cached answer is reused for this long [s] (Open-Meteo's models update every 1-3 hours).
CACHE_TTL_S = 3600.0
#: Largest answer accepted [bytes] (a 4-day hourly answer is about 10 kB).
MAX_BYTES = 2_000_000

_COLUMNS = {"shortwave_radiation": "ghi", "direct_normal_irradiance": "dni", "diffuse_radiation": "dhi",
            "temperature_2m": "temp_air", "wind_speed_10m": "wind_speed", "cloud_cover": "cloud_cover"}
#: After a network failure Open-Meteo is not asked again for this long [s] (pages answer at once meanwhile).
RETRY_AFTER_S = 300.0
_LOCK = threading.Lock()
_FAILURE = FailureMemory()


class ForecastUnavailable(ServiceUnavailable):
    """Open-Meteo could not be used; ``it`` and ``en`` say why in one sentence (reasons: ``notes.openmeteo.*`` of the catalogue)."""


@dataclass(frozen=True, eq=False)
class ForecastWeather:
    """A parsed forecast at one point.

    Attributes
    ----------
    data : pandas.DataFrame
        Indexed by UTC hour starts (tz-aware); columns ``ghi, dni, dhi`` [W/m²] (means over the hour),
        ``temp_air`` [°C], ``wind_speed`` [m/s] (10 m), ``cloud_cover`` [%] (means of the values at the
        hour's two ends). Missing values are NaN.
    lat, lon : float
        The model grid point Open-Meteo answered for [deg].
    elevation_m : float
        Its elevation [m] (NaN if not given).
    source : str
        ``"download"``, ``"disk"`` (cache) or ``"file"``.
    name : str
        Where the answer came from (URL or file name), for labels.
    """

    data: pd.DataFrame
    lat: float
    lon: float
    elevation_m: float
    source: str
    name: str

    def describe(self) -> dict:
        """JSON-ready summary."""
        idx = self.data.index
        return {"lat": round(self.lat, 4), "lon": round(self.lon, 4), "source": self.source, "name": self.name,
                "first_hour_utc": idx[0].isoformat() if len(idx) else None,
                "last_hour_utc": idx[-1].isoformat() if len(idx) else None, "hours": len(idx)}


# --------------------------------------------------------------------------------------------------
# Reading a saved answer
# --------------------------------------------------------------------------------------------------

def _times(raw, tz_name: str, name: str) -> pd.DatetimeIndex:
    """UTC instants of Open-Meteo's ``hourly.time``: unix seconds, or ISO stamps in the answer's time zone."""
    if not isinstance(raw, list) or not raw:
        raise error(f"{name}: hourly.time", "problems.forecast.time", "forecast.time")
    try:
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw):
            return pd.DatetimeIndex(pd.to_datetime(np.asarray(raw, dtype="int64"), unit="s", utc=True))
        stamps = pd.DatetimeIndex(pd.to_datetime(raw, format="%Y-%m-%dT%H:%M"))
    except (ValueError, TypeError, OverflowError):
        bad = next((v for v in raw if not isinstance(v, str)), raw[0])
        raise error(f"{name}: hourly.time", "problems.forecast.time.2", "forecast.time", bad=json.dumps(bad)[:40])
    tz = "UTC" if tz_name.upper() in ("GMT", "UTC", "") else tz_name
    try:
        return stamps.tz_localize(tz, ambiguous="infer", nonexistent="shift_forward").tz_convert("UTC")
    except Exception as exc:  # noqa: BLE001 - unknown zone names and ambiguous clock changes alike
        raise error(f"{name}: timezone", "problems.forecast.timezone", "forecast.timezone", tz_name=tz_name[:40],
                    exc_type=type(exc).__name__)


def _column(hourly: dict, key: str, n: int, name: str) -> np.ndarray:
    values = hourly.get(key)
    if not isinstance(values, list) or len(values) != n:
        raise error(f"{name}: hourly.{key}", "problems.forecast.column", "forecast.column", n=n)
    out = np.empty(n)
    for i, v in enumerate(values):
        if v is None:
            out[i] = np.nan
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            out[i] = float(v)
        else:
            raise error(f"{name}: hourly.{key}[{i}]", "problems.forecast.value", "forecast.value", v=json.dumps(v)[:40])
    return out


def read_forecast(data: bytes | str, name: str = "open-meteo.json", source: str = "file") -> ForecastWeather:
    """Parse an Open-Meteo forecast answer (JSON) into hour-start rows.

    Parameters
    ----------
    data : bytes or str
        The JSON text.
    name : str
        File name or URL, for messages.
    source : str
        Recorded in :attr:`ForecastWeather.source`.

    Returns
    -------
    ForecastWeather
        One row per hour start ``t`` for which the stamp ``t + 1 h`` exists (the last stamp is dropped).

    Raises
    ------
    CerInputError
        When the content is not an Open-Meteo hourly forecast with global irradiance, direct (normal) and
        diffuse irradiance, temperature and wind (the place, what was wrong and what was expected).
    """
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise error(name, "problems.forecast.size", "forecast.size", n_data=len(data))
        data = data.decode("utf-8-sig", errors="replace")
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise error(f"{name}:{exc.lineno}", "problems.forecast.json", "forecast.json", msg=exc.msg)
    except RecursionError:
        raise error(name, "problems.forecast.json.2", "forecast.json")
    except ValueError:  # a number of more than 4300 digits (Python's int conversion limit)
        raise error(name, "problems.forecast.json.3", "forecast.json")
    if not isinstance(doc, dict) or not isinstance(doc.get("hourly"), dict):
        if isinstance(doc, dict) and doc.get("error"):
            reason = str(doc.get("reason", ""))[:120]
            raise error(name, "problems.forecast.refused", "forecast.refused", reason=reason)
        raise error(name, "problems.forecast.shape", "forecast.shape")
    hourly = doc["hourly"]
    idx = _times(hourly.get("time"), str(doc.get("timezone") or "GMT"), name)
    n = len(idx)
    cols = {"ghi": _column(hourly, "shortwave_radiation", n, name)}
    if "direct_normal_irradiance" in hourly:
        cols["dni"] = _column(hourly, "direct_normal_irradiance", n, name)
    if "diffuse_radiation" in hourly:
        cols["dhi"] = _column(hourly, "diffuse_radiation", n, name)
    if "dni" not in cols and "direct_radiation" in hourly:
        cols["direct_h"] = _column(hourly, "direct_radiation", n, name)
    if "dhi" not in cols and "dni" not in cols and "direct_h" not in cols:
        raise error(f"{name}: hourly", "problems.forecast.column.2", "forecast.column")
    cols["temp_air"] = _column(hourly, "temperature_2m", n, name)
    wind = _column(hourly, "wind_speed_10m", n, name)
    unit = str((doc.get("hourly_units") or {}).get("wind_speed_10m", "m/s")).strip().lower()
    cols["wind_speed"] = wind / 3.6 if unit in ("km/h", "kmh") else wind
    cols["cloud_cover"] = (_column(hourly, "cloud_cover", n, name) if "cloud_cover" in hourly
                           else np.full(n, np.nan))
    if n < 2 or ((idx[1:] - idx[:-1]) != pd.Timedelta(hours=1)).any():
        raise error(f"{name}: hourly.time", "problems.forecast.time.3", "forecast.time")
    raw = pd.DataFrame(cols, index=idx)
    return ForecastWeather(data=_to_hour_starts(raw, float(doc.get("latitude", math.nan) or math.nan),
                                                float(doc.get("longitude", math.nan) or math.nan)),
                           lat=_num(doc.get("latitude")), lon=_num(doc.get("longitude")),
                           elevation_m=_num(doc.get("elevation")), source=source, name=name)


def _num(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


def _to_hour_starts(raw: pd.DataFrame, lat: float, lon: float) -> pd.DataFrame:
    """Rows at stamps (Open-Meteo) → rows at hour starts (the studio), see the module docstring.

    Irradiance stamped ``t + 1 h`` is the mean of the hour starting at ``t``; temperature, wind and
    cloud cover are the mean of the values stamped ``t`` and ``t + 1 h``. With only ``direct_radiation``
    (horizontal beam) or only one of DNI/DHI, the missing one follows from ``GHI = DNI·cos z + DHI`` at
    the middle of the hour.
    """
    start = raw.index[:-1]
    irr = {k: raw[k].to_numpy()[1:] for k in ("ghi", "dni", "dhi", "direct_h") if k in raw.columns}
    inst = {k: (raw[k].to_numpy()[:-1] + raw[k].to_numpy()[1:]) / 2.0 for k in ("temp_air", "wind_speed",
                                                                                 "cloud_cover")}
    if "dni" not in irr or "dhi" not in irr:
        cos_z = _cos_zenith(start + pd.Timedelta(minutes=30), lat, lon)
        if "direct_h" in irr:
            irr["dhi"] = np.maximum(irr["ghi"] - irr["direct_h"], 0.0)
            irr["dni"] = np.where(cos_z > 0.0087, irr["direct_h"] / np.maximum(cos_z, 0.0087), 0.0)
        elif "dni" in irr:
            irr["dhi"] = np.maximum(irr["ghi"] - irr["dni"] * np.maximum(cos_z, 0.0), 0.0)
        else:
            irr["dni"] = np.where(cos_z > 0.0087, np.maximum(irr["ghi"] - irr["dhi"], 0.0) / np.maximum(cos_z, 0.0087),
                                  0.0)
    frame = pd.DataFrame({"ghi": irr["ghi"], "dni": irr["dni"], "dhi": irr["dhi"], **inst}, index=start)
    frame.index.name = "timestamp"
    for k in ("ghi", "dni", "dhi"):
        frame[k] = frame[k].clip(lower=0.0)
    return frame


def _cos_zenith(instants: pd.DatetimeIndex, lat: float, lon: float) -> np.ndarray:
    from pvlib import solarposition

    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise error("latitude/longitude", "problems.forecast.location", "forecast.location")
    sp = solarposition.get_solarposition(instants, lat, lon, method="nrel_numpy")
    return np.cos(np.radians(sp["zenith"].to_numpy(dtype=float)))


# --------------------------------------------------------------------------------------------------
# Asking Open-Meteo
# --------------------------------------------------------------------------------------------------

def request_params(lat: float, lon: float, days: int = FORECAST_DAYS) -> dict:
    """Query parameters of the forecast request (UTC stamps, wind in m/s)."""
    return {"latitude": f"{float(lat):.4f}", "longitude": f"{float(lon):.4f}", "hourly": ",".join(HOURLY_VARIABLES),
            "timezone": "GMT", "forecast_days": int(days), "wind_speed_unit": "ms"}


def cache_dir() -> Path:
    """The studio's disk cache (``$CER_STUDIO_CACHE`` or ``~/.cache/cer-studio``) / ``openmeteo``."""
    return cache_root() / "openmeteo"


def _cache_path(lat: float, lon: float) -> Path:
    return cache_dir() / f"forecast_{float(lat):.3f}_{float(lon):.3f}.json"


def _http_get(url: str, params: dict, headers: dict, timeout) -> tuple[int, bytes]:
    """The transport (tests replace it): ``(status, body)``; raises ``requests.RequestException``."""
    import requests

    response = requests.get(url, params=params, headers=headers, timeout=timeout)
    return response.status_code, response.content[:MAX_BYTES + 1]


def fetch_forecast(lat: float, lon: float, *, days: int = FORECAST_DAYS, use_cache: bool = True,
                   retries: int = RETRIES, pause_s: float = RETRY_PAUSE_S, clock=time.time) -> tuple[bytes, str]:
    """The raw JSON answer for the point, from the disk cache when fresh, else from Open-Meteo.

    Returns
    -------
    (bytes, str)
        The answer and where it came from (``"disk"`` or ``"download"``).

    Raises
    ------
    ForecastUnavailable
        Offline mode, no network, timeouts, or an answer other than 200 after the retries.
    """
    path = _cache_path(lat, lon)
    if use_cache:
        try:
            if path.is_file() and clock() - path.stat().st_mtime < CACHE_TTL_S:
                return path.read_bytes(), "disk"
        except OSError:
            pass
    if offline():
        # the reason reaches the Previsioni page: no environment variable names in front of a mayor
        raise ForecastUnavailable.of("notes.openmeteo.offline")
    recent = _FAILURE.recent(RETRY_AFTER_S)
    if recent is not None:
        raise ForecastUnavailable(*recent)
    import requests

    last_it, last_en = render_pair("notes.openmeteo.unreachable")
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(pause_s * attempt)
        try:
            status, body = _http_get(BASE_URL, request_params(lat, lon, days), {"User-Agent": USER_AGENT},
                                     HTTP_TIMEOUT_S)
        except (requests.RequestException, OSError) as exc:
            last_it, last_en = render_pair("notes.openmeteo.unreachable_error", error=type(exc).__name__)
            continue
        if status == 200:
            _store(path, body)
            return body, "download"
        last_it, last_en = render_pair("notes.openmeteo.status", status=status)
        if not (status == 429 or status >= 500):
            raise ForecastUnavailable(last_it, last_en)  # a refusal of the request: asking again gives the same
    _FAILURE.record(last_it, last_en)  # the network or the service is down: do not ask again for a while
    raise ForecastUnavailable(last_it, last_en)


def forget_failures() -> None:
    """Forget a remembered network failure (tests; a "try again" button)."""
    _FAILURE.forget()


def _store(path: Path, body: bytes) -> None:
    """Write the answer to the cache atomically; the cache is a convenience, failures are ignored."""
    write_atomic(path, body, _LOCK)


def get_forecast(lat: float, lon: float, *, days: int = FORECAST_DAYS, use_cache: bool = True,
                 retries: int = RETRIES) -> ForecastWeather:
    """The forecast at the point, parsed (see :func:`fetch_forecast` and :func:`read_forecast`).

    Raises
    ------
    ForecastUnavailable
        For every failure, including an answer that cannot be read (never another exception).
    """
    from ..errors import CerInputError

    body, how = fetch_forecast(lat, lon, days=days, use_cache=use_cache, retries=retries)
    try:
        return read_forecast(body, BASE_URL, how)
    except CerInputError as exc:
        if how == "disk":  # a damaged cache file: ask again once
            try:
                _cache_path(lat, lon).unlink()
            except OSError:
                pass
            return get_forecast(lat, lon, days=days, use_cache=False, retries=retries)
        raise ForecastUnavailable.of("notes.openmeteo.unreadable",
                                     detail={"it": exc.message("it")[:160], "en": exc.message("en")[:160]})
