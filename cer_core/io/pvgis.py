"""PVGIS: typical meteorological years (TMY) and hourly "seriescalc" series, read from files or asked online.

One module per service, as pvlib keeps its clients in ``iotools``:

* ``read_*`` (:func:`read_tmy`, :func:`read_hourly`): parsing is delegated to :mod:`pvlib.iotools`
  (``read_pvgis_tmy`` / ``read_pvgis_hourly``); this module recognises what the user brought, refuses
  what it cannot use with a sentence naming the file, line and expected content, and returns the data
  with its UTC timestamps untouched (TMY rows keep the year each month came from; seriescalc rows keep
  their minute offset, e.g. ``:10``).
* ``get_*`` (:func:`get_tmy`): the site's typical year from memory, the disk cache or a download in a
  background thread with a deadline, remembering a network failure and a refused point
  (:class:`PvgisUnavailable` says why). What it shares with the Open-Meteo client is in :mod:`.http`.

Turning a typical year into the hours of a simulated year is :func:`cer_core.solar.weather.coerce_to_year`'s
job. Formats: ``docs/pv.md`` and ``docs/formats.md`` §5.
"""

from __future__ import annotations

import io
import json
import math
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from cachetools import LRUCache

from ..errors import CerInputError, error, excerpt, render_pair
from .http import FailureMemory, ServiceUnavailable, cache_root, offline, write_atomic

#: Columns a typical year must provide (pvlib names) [W/m², °C, m/s].
TMY_COLUMNS = ("ghi", "dni", "dhi", "temp_air", "wind_speed")
#: Optional TMY columns kept when present.
TMY_OPTIONAL = ("relative_humidity", "pressure")

_PVGIS_NAMES = {"ghi": "G(h)", "dni": "Gb(n)", "dhi": "Gd(h)", "temp_air": "T2m", "wind_speed": "WS10m",
                "relative_humidity": "RH", "pressure": "SP"}


@dataclass(frozen=True)
class TmyFile:
    """A parsed PVGIS typical year.

    Attributes
    ----------
    data : pandas.DataFrame
        UTC-indexed hourly rows (the original stamps, each month from its own year) with columns
        ``ghi, dni, dhi`` [W/m²], ``temp_air`` [°C], ``wind_speed`` [m/s] and, when present,
        ``relative_humidity`` [%] and ``pressure`` [Pa].
    lat, lon : float
        Location of the data point [deg].
    elevation_m : float
        Elevation of the data point [m].
    irradiance_offset_h : float or None
        PVGIS "irradiance time offset" [h]: the irradiance stamped ``HH:00`` was observed at
        ``HH:00 + offset`` (UTC). None when the file does not say (PVGIS before 5.3).
    months_selected : tuple of (month, year)
        Which year each month was taken from.
    period : str
        The years the typical year was chosen from, e.g. ``"2005-2023"`` (empty if unknown).
    radiation_db : str
        Radiation database named in the file (JSON only), e.g. ``"PVGIS-SARAH3"``.
    """

    data: pd.DataFrame
    lat: float
    lon: float
    elevation_m: float
    irradiance_offset_h: float | None
    months_selected: tuple[tuple[int, int], ...]
    period: str = ""
    radiation_db: str = ""


@dataclass(frozen=True)
class HourlyFile:
    """A parsed PVGIS hourly ("seriescalc") file.

    Attributes
    ----------
    data : pandas.DataFrame
        UTC-indexed rows with the file's own stamps (e.g. ``HH:10``). Columns (pvlib names): ``P`` [W]
        when PV output was requested, ``poa_global`` [W/m²] or the components ``poa_direct``,
        ``poa_sky_diffuse``, ``poa_ground_diffuse``, ``solar_elevation`` [deg], ``temp_air`` [°C],
        ``wind_speed`` [m/s].
    lat, lon : float
        Location [deg].
    kwp : float or None
        "Nominal power of the PV system" the ``P`` column refers to [kWp].
    losses_pct : float or None
        System losses PVGIS applied to ``P`` [%].
    tilt_deg, azimuth_deg : float or None
        Plane orientation; azimuth converted to the studio's convention (180 = south) [deg].
    radiation_db : str
        Radiation database, e.g. ``"PVGIS-SARAH2"``.
    """

    data: pd.DataFrame
    lat: float
    lon: float
    kwp: float | None
    losses_pct: float | None
    tilt_deg: float | None
    azimuth_deg: float | None
    radiation_db: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def has_power(self) -> bool:
        """True if the file carries the PV power column ``P``."""
        return "P" in self.data.columns

    @property
    def poa_global(self) -> pd.Series | None:
        """Plane-of-array irradiance [W/m²]: ``G(i)`` or the sum of its components; None if absent."""
        if "poa_global" in self.data.columns:
            return self.data["poa_global"]
        parts = [c for c in ("poa_direct", "poa_sky_diffuse", "poa_ground_diffuse") if c in self.data.columns]
        return self.data[parts].sum(axis=1) if parts else None


# --------------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------------

def _text(data: bytes) -> str:
    """PVGIS writes ASCII/UTF-8; only called once :func:`sniff_pvgis` has recognised the content."""
    return data.decode("utf-8-sig", errors="replace")


#: A PVGIS time stamp, ``YYYYMMDD:HHMM`` (UTC), with plausible month, day, hour and minute.
_STAMP = re.compile(r"^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]):([01]\d|2[0-3])[0-5]\d$")

#: ``locate(i, stamp)`` → where the data row ``i`` (stamped ``stamp``) is, for messages.
Locator = Callable[[int, str], str]


def _dict(value) -> dict:
    """``value`` when it is a JSON object, else an empty one (metadata of an unexpected shape counts as absent)."""
    return value if isinstance(value, dict) else {}


def _json_for_pvlib(text: str, name: str, rows_key: str, time_key: str, code: str) -> tuple[io.StringIO, Locator]:
    """The JSON text with the ``meta.inputs`` block pvlib's parsers index (absent from trimmed exports).

    Also checks ``outputs.<rows_key>`` row by row (an object with a ``YYYYMMDD:HHMM`` stamp under
    ``time_key`` and a number in every other field, the fields of the first row), so that a defect is
    reported with its JSON path rather than as pvlib's or pandas' exception. Returns the text for
    pvlib and the locator of a data row.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{name}:{exc.lineno}", "problems.pvgis.json", "pvgis.json", msg=exc.msg)
    except RecursionError:
        raise error(name, "problems.pvgis.json.2", "pvgis.json")
    except ValueError:  # a number of more than 4300 digits (Python's int conversion limit)
        raise error(name, "problems.pvgis.json.4", "pvgis.json")
    if not isinstance(doc, dict) or not isinstance(doc.get("outputs"), dict):
        raise error(name, "problems.pvgis.json.3", "pvgis.json")
    rows = doc["outputs"].get(rows_key)
    if not isinstance(rows, list) or not rows:
        raise error(f"{name}: outputs.{rows_key}", "problems.io.pvgis.json_for_pvlib", code)
    fields = list(_dict(rows[0]))
    for i, row in enumerate(rows):
        where = f"{name}: outputs.{rows_key}[{i}]"
        if not isinstance(row, dict):
            raise error(where, "problems.io.pvgis.json_for_pvlib.2", code, row=json.dumps(row)[:40], time_key=time_key)
        missing = [k for k in fields if k not in row]
        if missing:
            raise error(where, "problems.io.pvgis.json_for_pvlib.3", code, missing=', '.join(missing))
        stamp = row.get(time_key)
        if not isinstance(stamp, str) or not _STAMP.match(stamp):
            raise error(f"{where}.{time_key}", "problems.io.pvgis.json_for_pvlib.4", code.split(".")[0] + ".stamp",
                        stamp=json.dumps(stamp))
        for key, value in row.items():
            if key != time_key and (not isinstance(value, (int, float)) or _finite(value) is None):
                raise error(f"{where}.{key}", "problems.io.pvgis.json_for_pvlib.5", code, key_=key,
                            value=json.dumps(value))
    meta = _dict(doc.get("meta"))
    meta["inputs"] = _dict(meta.get("inputs"))
    doc["meta"] = meta
    doc["inputs"] = _dict(doc.get("inputs"))
    return io.StringIO(json.dumps(doc)), lambda i, stamp: f"{name}: outputs.{rows_key}[{i}]"


def _csv_locator(name: str, header_at: int) -> Locator:
    """Data row ``i`` of a CSV whose header is at 0-based line ``header_at`` sits on line ``header_at + 2 + i``."""
    return lambda i, stamp: f"{name}:{header_at + 2 + i}"


def _check_csv_rows(lines: list[str], header_at: int, name: str, code: str, *, until_blank: bool = False) -> int:
    """The data rows after the header ``lines[header_at]``: stamp, field count, a number in each field.

    Rows run up to the first line that does not start with a ``YYYYMMDD:`` stamp (TMY: the legend
    follows) or, with ``until_blank``, up to the first blank line (seriescalc), every line before it
    being a data row. Returns how many there are.
    """
    columns = [c.strip() for c in lines[header_at].split(",")]
    start = re.compile(r"^\d{8}:")
    plain_row = _plain_row_pattern(len(columns) - 1)
    rows = 0
    for line in lines[header_at + 1:]:
        if plain_row.match(line):  # the common case, in one C-level match: a valid row for sure
            rows += 1
            continue
        if (not line.strip()) if until_blank else not start.match(line):
            break
        rows += 1
        _check_row(line, columns, f"{name}:{header_at + rows + 1}", code)
    return rows


#: A plain decimal number (what PVGIS writes), optionally signed, with an optional exponent; at most 15
#: digits before the point and a two-digit exponent, so it is always finite (``1E400`` is not).
_PLAIN_NUMBER = r"[+-]?(?:\d{1,15}(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,2})?"


@lru_cache(maxsize=8)
def _plain_row_pattern(n_values: int) -> re.Pattern:
    """A row that :func:`_check_row` accepts for sure: the stamp, then ``n_values`` plain numbers.

    A subset of what the check accepts (``float`` also reads e.g. ``1_0``), so a row it does not match
    goes through :func:`_check_row`, which passes it or names the defect. Matching 8,760 rows this way
    takes a few milliseconds instead of ~40 ms of ``split`` and ``float`` per field."""
    stamp = _STAMP.pattern[1:-1]
    return re.compile(rf"{stamp}(?:,[ \t]*{_PLAIN_NUMBER}[ \t]*){{{n_values}}}[ \t]*\Z")


def sniff_pvgis(data: bytes) -> str | None:
    """What kind of PVGIS file ``data`` is.

    Returns
    -------
    {"tmy_csv", "tmy_json", "hourly_csv", "hourly_json", "epw"} or None
        None when the content is not recognisably PVGIS (nor EPW).
    """
    text = data[:65536].decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith("LOCATION,"):
        return "epw"
    if stripped.startswith("{"):
        # the keys sit near the top of PVGIS answers ("inputs" is a few hundred bytes long)
        if '"tmy_hourly"' in text:
            return "tmy_json"
        if '"outputs"' in text and '"hourly"' in text:
            return "hourly_json"
        return None
    first = stripped.splitlines()[0] if stripped else ""
    if first.startswith("Latitude (decimal degrees)"):
        lines = text.splitlines()[:40]
        if any(line.strip().startswith("month,year") for line in lines) or \
                any(line.startswith("time(UTC)") for line in lines):
            return "tmy_csv"
        return "hourly_csv"
    return None


# --------------------------------------------------------------------------------------------------
# Typical meteorological year
# --------------------------------------------------------------------------------------------------

def read_tmy(data: bytes, name: str) -> TmyFile:
    """Parse a PVGIS TMY file (CSV or JSON) given as bytes.

    Parameters
    ----------
    data : bytes
        File content.
    name : str
        File name, for messages.

    Returns
    -------
    TmyFile

    Raises
    ------
    CerInputError
        For EPW files, PVGIS hourly series, anything else, and TMYs with missing or implausible values.
    """
    kind = sniff_pvgis(data)
    if kind == "epw":
        raise error(name, "problems.weather.epw", "weather.epw")
    if kind in ("hourly_csv", "hourly_json"):
        raise error(name, "problems.weather.not_tmy", "weather.not_tmy")
    if kind not in ("tmy_csv", "tmy_json"):
        raise error(name, "problems.weather.not_tmy.2", "weather.not_tmy")
    text = _text(data)
    from pvlib.iotools import read_pvgis_tmy

    if kind == "tmy_csv":
        canonical, locate = _tmy_csv_for_pvlib(text, name)
        source, fmt = io.BytesIO(canonical.encode("utf-8")), "csv"
    else:
        source, locate = _json_for_pvlib(text, name, "tmy_hourly", "time(UTC)", "weather.value")
        fmt = "json"
    try:
        frame, meta = read_pvgis_tmy(source, pvgis_format=fmt, map_variables=True)
    except (KeyError, ValueError, IndexError, TypeError, AttributeError) as exc:
        raise error(name, "problems.weather.unreadable", "weather.unreadable", exc_type=type(exc).__name__, exc=exc)
    return _tmy_from_pvlib(frame, meta, name, locate)


def _header_value(lines: list[str], header_at: int, prefix: str, name: str, required: bool = True,
                  code: str = "weather.location") -> str | None:
    """The text after the colon of the header line starting with ``prefix`` (None if absent and optional)."""
    for i, line in enumerate(lines[:header_at]):
        if line.startswith(prefix):
            value = line.split(":", 1)[1].strip() if ":" in line else ""
            try:
                if not math.isfinite(float(value)):
                    raise ValueError(value)
            except ValueError:
                raise error(f"{name}:{i + 1}", "problems.io.pvgis.header_value", code, prefix=prefix, value=value)
            return value
    if required:
        raise error(name, "problems.io.pvgis.header_value.2", code, prefix=prefix)
    return None


def _tmy_csv_for_pvlib(text: str, name: str) -> tuple[str, Locator]:
    """Check a TMY CSV and rebuild it in the exact layout pvlib's parser counts lines in.

    PVGIS files are located by content, not by line numbers (docs/formats.md §5.1: newer versions may add
    header lines): the coordinates, the optional irradiance time offset, the ``month,year`` table,
    the ``time(UTC)`` header and its 8760 rows. Every data row is checked (field count, numbers) and a
    defect is reported with its line.
    """
    lines = text.splitlines()
    header_at = next((i for i, line in enumerate(lines) if line.startswith("time(UTC)")), None)
    if header_at is None:
        raise error(name, "problems.weather.header", "weather.header")
    rows = _check_csv_rows(lines, header_at, name, "weather.value")
    if rows != 8760:
        where = f"{name}:{header_at + rows + 2}"
        raise error(where, "problems.weather.rows", "weather.rows", rows=rows)
    if not any(line.strip().startswith("month,year") for line in lines[:header_at]):
        raise error(name, "problems.weather.months", "weather.months")
    month_rows = [line.strip() for line in lines[:header_at] if re.match(r"^\d{1,2},\d{4}\s*$", line)]
    if len(month_rows) != 12:
        raise error(name, "problems.weather.months.2", "weather.months", n_month_rows=len(month_rows))
    lat = _header_value(lines, header_at, "Latitude", name)
    lon = _header_value(lines, header_at, "Longitude", name)
    elevation = _header_value(lines, header_at, "Elevation", name, required=False) or "nan"
    offset = _header_value(lines, header_at, "Irradiance Time Offset", name, required=False)
    canonical = [f"Latitude (decimal degrees): {lat}", f"Longitude (decimal degrees): {lon}",
                 f"Elevation (m): {elevation}"]
    if offset is not None:
        canonical.append(f"Irradiance Time Offset (h): {offset}")
    canonical += ["month,year", *month_rows, *lines[header_at:header_at + 1 + rows]]
    return "\n".join(canonical) + "\n", _csv_locator(name, header_at)


def _check_row(line: str, columns: list[str], where: str, code: str) -> None:
    """One data row: a ``YYYYMMDD:HHMM`` stamp, as many fields as the header, each a finite number."""
    fields = line.split(",")
    if len(fields) != len(columns):
        raise error(where, "problems.io.pvgis.check_row", code.split(".")[0] + ".fields", n_fields=len(fields),
                    n_columns=len(columns), columns=','.join(columns))
    if not _STAMP.match(fields[0].strip()):
        raise error(where, "problems.io.pvgis.check_row.2", code.split(".")[0] + ".stamp",
                    fields_0_strip=fields[0].strip())
    for col, value in zip(columns[1:], fields[1:]):
        try:
            ok = math.isfinite(float(value))
        except ValueError:
            ok = False
        if not ok:
            raise error(where, "problems.io.pvgis.check_row.3", code, col=col,
                        value_strip={"it": value.strip() or 'vuoto', "en": value.strip() or 'empty'})


def _tmy_from_pvlib(frame: pd.DataFrame, meta: dict, name: str, locate: Locator) -> TmyFile:
    inputs = _dict(meta.get("inputs")) if isinstance(meta, dict) else {}
    loc = _dict(inputs.get("location", inputs))
    lat, lon = _finite(loc.get("latitude")), _finite(loc.get("longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise error(f"{name}: inputs.location" if "location" in inputs else name, "problems.weather.location",
                    "weather.location", latitude=loc.get('latitude'), longitude=loc.get('longitude'))
    elevation = _finite(loc.get("elevation"))
    elevation = float("nan") if elevation is None else elevation
    raw_offset = loc.get("irradiance_time_offset", inputs.get("irradiance time offset"))
    offset = None if raw_offset is None else _finite(raw_offset)
    if raw_offset is not None and (offset is None or not 0 <= offset < 1):
        # cer_core.solar.pv.to_hour_means assigns the snapshot observed at HH:00 + offset to the hour HH: 0 <= offset < 1
        raise error(f"{name}: inputs.location.irradiance_time_offset", "problems.weather.offset", "weather.offset",
                    raw_offset=raw_offset)
    missing = [c for c in TMY_COLUMNS if c not in frame.columns]
    if missing:
        cols = ", ".join(_PVGIS_NAMES[c] for c in missing)
        raise error(name, "problems.weather.columns", "weather.columns", cols=cols)
    keep = [c for c in TMY_COLUMNS + TMY_OPTIONAL if c in frame.columns]
    out = frame[keep].apply(pd.to_numeric, errors="coerce").astype(float)
    if len(out) != 8760:
        raise error(name, "problems.weather.rows.2", "weather.rows", n_out=len(out))
    out.index = pd.DatetimeIndex(out.index).tz_convert("UTC")
    out.index.name = "time_utc"
    _check_values(out, locate)
    _check_hours(out.index, name, locate)
    out[["ghi", "dni", "dhi"]] = out[["ghi", "dni", "dhi"]].clip(lower=0.0)  # PVGIS writes "-0.0"
    months = _months_selected(meta.get("months_selected", []), name)
    md = _dict(inputs.get("meteo_data"))
    y0, y1 = _finite(md.get("year_min")), _finite(md.get("year_max"))
    if y0 is not None and y1 is not None and y0 > 0 and y1 > 0:
        period = f"{int(y0)}-{int(y1)}"
    elif months:
        years = [y for _, y in months]
        period = f"{min(years)}-{max(years)}"
    else:
        period = ""
    return TmyFile(data=out, lat=lat, lon=lon, elevation_m=elevation, irradiance_offset_h=offset,
                   months_selected=months, period=period, radiation_db=str(md.get("radiation_db", "")))


def _finite(value) -> float | None:
    """``value`` as a finite float, or None (absent, not a number, NaN, infinite)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _months_selected(items, name: str) -> tuple[tuple[int, int], ...]:
    """PVGIS's ``months_selected`` table as ``((month, year), ...)``."""
    try:
        months = tuple((int(m["month"]), int(m["year"])) for m in items)
    except (TypeError, KeyError, ValueError):
        months = None
    if months is None or any(not 1 <= m <= 12 for m, _ in months):
        raise error(f"{name}: outputs.months_selected", "problems.weather.months.3", "weather.months")
    return months


def _check_hours(index: pd.DatetimeIndex, name: str, locate: Locator) -> None:
    """Every UTC (month, day, hour) of a common year exactly once, as in every PVGIS typical year."""
    hours = index.floor("h")
    keys = pd.Index(hours.month * 10000 + hours.day * 100 + hours.hour)
    repeated = keys.duplicated()
    if repeated.any():
        i = int(np.argmax(repeated))
        first = int(np.argmax(keys == keys[i]))
        stamp = index[i].strftime("%Y%m%d:%H%M")
        raise error(locate(i, stamp), "problems.weather.hours", "weather.hours", hours=hours[i],
                    first=locate(first, ''))
    common = pd.date_range("2001-01-01", periods=8760, freq="h", tz="UTC")
    absent = np.setdiff1d(common.month * 10000 + common.day * 100 + common.hour, keys.to_numpy())
    if absent.size:
        k = int(absent[0])
        when = f"{k // 100 % 100:02d}/{k // 10000:02d} {k % 100:02d}:00"
        raise error(name, "problems.weather.hours.2", "weather.hours", when=when)


#: Plausible ranges per column (pvlib name): (low, high, unit) — outside means a broken file.
_RANGES = {"ghi": (0, 1500, "W/m²"), "dni": (0, 1400, "W/m²"), "dhi": (0, 1000, "W/m²"),
           "temp_air": (-60, 60, "°C"), "wind_speed": (0, 80, "m/s")}


def _check_values(frame: pd.DataFrame, locate: Locator) -> None:
    for col, (lo, hi, unit) in _RANGES.items():
        if col not in frame.columns:
            continue
        values = frame[col].to_numpy()
        bad = np.isnan(values) | (values < lo - 0.5) | (values > hi)
        if bad.any():
            i = int(np.argmax(bad))
            stamp = frame.index[i].strftime("%Y%m%d:%H%M")
            shown = "vuoto" if np.isnan(values[i]) else f"{values[i]:g}"
            shown_en = "empty" if np.isnan(values[i]) else f"{values[i]:g}"
            raise error(locate(i, stamp), "problems.weather.value", "weather.value", pvgis_names=_PVGIS_NAMES[col],
                        shown={"it": shown, "en": shown_en}, stamp=stamp, lo=lo, hi=hi, unit=unit)


def write_tmy_json(tmy: TmyFile) -> bytes:
    """A PVGIS-format TMY JSON (as the ``/api/tmy?outputformat=json`` answer) readable by :func:`read_tmy`.

    Used for the disk cache of downloaded typical years and to build recorded test fixtures.
    """
    frame = tmy.data
    stamps = frame.index.tz_convert("UTC").strftime("%Y%m%d:%H%M")
    cols = [c for c in TMY_COLUMNS + TMY_OPTIONAL if c in frame.columns]
    rounded = {c: np.round(frame[c].to_numpy(dtype=float), 2) for c in cols}
    rows = []
    for i, stamp in enumerate(stamps):
        row = {"time(UTC)": stamp}
        for c in cols:
            row[_PVGIS_NAMES[c]] = float(rounded[c][i])
        rows.append(row)
    location = {"latitude": tmy.lat, "longitude": tmy.lon,
                "elevation": None if math.isnan(tmy.elevation_m) else tmy.elevation_m}
    if tmy.irradiance_offset_h is not None:
        location["irradiance_time_offset"] = tmy.irradiance_offset_h
    meteo = {"radiation_db": tmy.radiation_db}
    if tmy.period and "-" in tmy.period:
        y0, y1 = tmy.period.split("-", 1)
        meteo.update({"year_min": int(y0), "year_max": int(y1)})
    doc = {
        "inputs": {"location": location, "meteo_data": meteo},
        "outputs": {"months_selected": [{"month": m, "year": y} for m, y in tmy.months_selected],
                    "tmy_hourly": rows},
        "meta": {"inputs": {"location": {"description": "Selected location"}},
                 "outputs": {"tmy_hourly": {"description": "Typical Meteorological Year"}}},
    }
    return json.dumps(doc, separators=(",", ":")).encode("utf-8")


def tmy_from_download(frame: pd.DataFrame, meta: dict, name: str = "PVGIS") -> TmyFile:
    """Normalise what :func:`pvlib.iotools.get_pvgis_tmy` returns (``coerce_year=None``) into a :class:`TmyFile`."""
    return _tmy_from_pvlib(frame, meta, name, lambda i, stamp: f"{name} ({stamp})")


# --------------------------------------------------------------------------------------------------
# Hourly series ("seriescalc")
# --------------------------------------------------------------------------------------------------

def _number_in(text) -> float | None:
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text)
    match = re.search(r"-?\d+(?:\.\d+)?", str(text))
    return float(match.group()) if match else None


def _check_hourly_csv(text: str, name: str) -> Locator:
    """A seriescalc CSV's coordinates and data rows (up to the first blank line), checked line by line."""
    lines = text.splitlines()
    header_at = next((i for i, line in enumerate(lines) if line.startswith("time,")), None)
    if header_at is None:
        raise error(name, "problems.pvgis.header", "pvgis.header")
    _check_hourly_csv_head(lines, header_at, name)
    for prefix in ("Latitude", "Longitude", "Elevation"):
        _header_value(lines, header_at, prefix, name, code="pvgis.location")
    _check_csv_rows(lines, header_at, name, "pvgis.number", until_blank=True)
    return _csv_locator(name, header_at)


#: The first lines of a seriescalc CSV, in the order pvlib's parser reads them (by position, not by name).
_HOURLY_CSV_HEAD = ("Latitude", "Longitude", "Elevation", "Radiation database")


def _check_hourly_csv_head(lines: list[str], header_at: int, name: str) -> None:
    """The lines before ``time,…`` as pvlib reads them: the four of :data:`_HOURLY_CSV_HEAD` in that order, then
    ``name: value`` lines or blank ones (else pvlib reads the elevation as the longitude, or raises IndexError)."""
    for k, prefix in enumerate(_HOURLY_CSV_HEAD):
        line = lines[k] if k < header_at else ""
        if not line.startswith(prefix) or ":" not in line:
            raise error(f"{name}:{k + 1}", "problems.pvgis.head_line", "pvgis.header", prefix=prefix,
                        found=excerpt(line.strip(), 40))
    for k in range(len(_HOURLY_CSV_HEAD), header_at):
        if lines[k].strip() and ":" not in lines[k]:
            raise error(f"{name}:{k + 1}", "problems.pvgis.head_line.2", "pvgis.header",
                        found=excerpt(lines[k].strip(), 40))


def read_hourly(data: bytes, name: str) -> HourlyFile:
    """Parse a PVGIS hourly series ("seriescalc", CSV or JSON) given as bytes.

    Raises
    ------
    CerInputError
        When the file is a TMY, an EPW, something else, or has no usable rows.
    """
    kind = sniff_pvgis(data)
    if kind in ("tmy_csv", "tmy_json"):
        raise error(name, "problems.pvgis.tmy_as_series", "pvgis.tmy_as_series")
    if kind == "epw":
        raise error(name, "problems.pvgis.epw", "pvgis.epw")
    if kind not in ("hourly_csv", "hourly_json"):
        raise error(name, "problems.pvgis.unknown", "pvgis.unknown")
    text = _text(data)
    from pvlib.iotools import read_pvgis_hourly

    if kind == "hourly_json":
        source, locate = _json_for_pvlib(text, name, "hourly", "time", "pvgis.number")
    else:
        # universal newlines: pvlib reads lines ending in "\n" only, the checks above any line end (CR-only too)
        source, locate = io.StringIO(text, newline=None), _check_hourly_csv(text, name)
    try:
        frame, meta = read_pvgis_hourly(source, pvgis_format="json" if kind == "hourly_json" else "csv",
                                        map_variables=True)
    except (KeyError, ValueError, IndexError, TypeError, AttributeError) as exc:
        raise error(name, "problems.pvgis.unreadable", "pvgis.unreadable", exc_type=type(exc).__name__, exc=exc)
    if frame.empty:
        raise error(name, "problems.pvgis.empty", "pvgis.empty")
    inputs = _dict(meta.get("inputs"))
    if kind == "hourly_json":
        loc = _dict(inputs.get("location"))
        fixed = _dict(_dict(inputs.get("mounting_system")).get("fixed"))
        module = _dict(inputs.get("pv_module"))
        lat, lon = _number_in(loc.get("latitude")), _number_in(loc.get("longitude"))
        kwp, losses = _number_in(module.get("peak_power")), _number_in(module.get("system_loss"))
        slope = _number_in(_dict(fixed.get("slope")).get("value"))
        aspect = _number_in(_dict(fixed.get("azimuth")).get("value"))
        raddb = str(_dict(inputs.get("meteo_data")).get("radiation_db", ""))
    else:
        lat, lon = _number_in(inputs.get("latitude")), _number_in(inputs.get("longitude"))
        kwp = next((_number_in(v) for k, v in inputs.items() if k.startswith("Nominal power")), None)
        losses = next((_number_in(v) for k, v in inputs.items() if k.startswith("System losses")), None)
        slope = next((_number_in(v) for k, v in inputs.items() if k.strip().startswith("Slope")), None)
        aspect = next((_number_in(v) for k, v in inputs.items() if k.strip().startswith("Azimuth")), None)
        raddb = str(inputs.get("radiation_database", ""))
    numeric = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    for col in numeric.columns:
        bad = numeric[col].isna().to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            raise error(locate(i, frame.index[i].strftime("%Y%m%d:%H%M")), "problems.pvgis.number", "pvgis.number",
                        col=col)
    if "P" in numeric.columns and (numeric["P"] < 0).any():
        i = int(np.argmax((numeric["P"] < 0).to_numpy()))
        raise error(locate(i, frame.index[i].strftime("%Y%m%d:%H%M")), "problems.pvgis.negative", "pvgis.negative",
                    p=numeric['P'].iloc[i])
    numeric.index = pd.DatetimeIndex(frame.index).tz_convert("UTC")
    numeric.index.name = "time_utc"
    azimuth = None if aspect is None else (aspect + 180.0) % 360.0  # PVGIS aspect: 0 = south, 90 = west
    return HourlyFile(data=numeric, lat=lat if lat is not None else float("nan"),
                      lon=lon if lon is not None else float("nan"), kwp=kwp, losses_pct=losses, tilt_deg=slope,
                      azimuth_deg=azimuth, radiation_db=raddb)


# --------------------------------------------------------------------------------------------------
# Asking PVGIS for a typical year: memory, disk cache, then a download with a deadline
# --------------------------------------------------------------------------------------------------

#: HTTP timeouts (connect, read) [s] of the download, which may finish in the background.
HTTP_TIMEOUT_S = (3.0, 30.0)
#: After a network failure, PVGIS is not asked again for this long [s] (each call answers at once).
RETRY_AFTER_S = 600.0
#: Downloaded typical years kept in memory (one per site), least recently used dropped first.
MEMORY_SIZE = 64

_LOCK = threading.RLock()
_MEMORY: LRUCache = LRUCache(maxsize=MEMORY_SIZE)   # site key → TmyFile
_INFLIGHT: dict[str, threading.Thread] = {}         # site key → the download running for it
_REFUSED: dict[str, tuple[str, str]] = {}           # site key → PVGIS's refusal of that point (it, en)
_FAILURE = FailureMemory()


class PvgisUnavailable(ServiceUnavailable):
    """PVGIS could not answer in time; ``it`` and ``en`` say why in one sentence (reasons: ``notes.pvgis.*`` of the catalogue)."""


def site_key(lat: float, lon: float) -> str:
    """The point a download is for, to 0.001° (about 100 m): the memory and disk cache key."""
    return f"{lat:.3f}_{lon:.3f}"


def cache_dir() -> Path:
    """Disk cache folder of downloaded typical years: ``$CER_STUDIO_CACHE/pvgis`` (``~/.cache/cer-studio/pvgis``)."""
    return cache_root() / "pvgis"


def tmy_cache_path(lat: float, lon: float) -> Path:
    """Disk cache file of the site's typical year (PVGIS's own JSON layout, so also a valid upload)."""
    return cache_dir() / f"tmy_{site_key(lat, lon)}.json"


def _download(site: str, lat: float, lon: float) -> None:
    """Fetch the PVGIS TMY (run in a daemon thread); keep it in memory and on disk, or remember why not."""
    import requests
    from pvlib import iotools

    try:
        frame, meta = iotools.get_pvgis_tmy(lat, lon, outputformat="json", usehorizon=True, map_variables=True,
                                            timeout=HTTP_TIMEOUT_S, coerce_year=None)
        tmy = tmy_from_download(frame, meta, "PVGIS")
        with _LOCK:
            _MEMORY[site] = tmy
        _FAILURE.succeeded()
        write_atomic(tmy_cache_path(lat, lon), write_tmy_json(tmy))  # memory still has it if this fails
    except requests.HTTPError as exc:
        # pvlib raises PVGIS's own message (e.g. "Location over the sea") without a response: a refusal of this
        # point; a server error (5xx), a timeout or throttling (408, 429) says nothing about the point
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status is None or (400 <= status < 500 and status not in (408, 429)):
            _site_refused(site, exc)
        else:
            _network_failed(exc)
    except (requests.RequestException, OSError) as exc:
        # no route, DNS, timeouts, and a proxy's or captive portal's HTML page where JSON was expected
        _network_failed(exc)
    except (CerInputError, ValueError, KeyError, TypeError) as exc:
        _site_refused(site, exc)  # PVGIS answered, but not with a usable typical year for this point
    except Exception as exc:  # noqa: BLE001 - a background thread must never die silently mid-way
        _network_failed(exc, "notes.pvgis.download_error")
    finally:
        with _LOCK:
            _INFLIGHT.pop(site, None)


def _site_refused(site: str, exc: Exception) -> None:
    """Remember that PVGIS refused this point (for the life of the process)."""
    text = str(exc)[:160]
    with _LOCK:
        _REFUSED[site] = render_pair("notes.pvgis.refused", detail=text)


def _network_failed(exc: Exception, key: str = "notes.pvgis.unreachable") -> None:
    """Remember a network failure (the reason ``key``, naming the exception's type): no call asks PVGIS again for
    :data:`RETRY_AFTER_S`."""
    _FAILURE.record(*render_pair(key, error=type(exc).__name__))


def get_tmy(lat: float, lon: float, deadline_s: float) -> tuple[TmyFile, str]:
    """The PVGIS typical year of the site, and how it was obtained (``"memory"``, ``"disk"``, ``"download"``).

    In this order: memory (this process), the disk cache (:func:`tmy_cache_path`), then
    :func:`pvlib.iotools.get_pvgis_tmy` (``coerce_year=None``: PVGIS's own stamps) in a daemon thread,
    waited for at most ``deadline_s``. A slower download goes on in the background and a later call
    finds it in memory; it is written to the disk cache too.

    Parameters
    ----------
    lat, lon : float
        Site [deg] (the caches are keyed to 0.001°).
    deadline_s : float
        Longest wait for the download [s].

    Returns
    -------
    (TmyFile, str)

    Raises
    ------
    PvgisUnavailable
        Offline (a network failure is remembered for :data:`RETRY_AFTER_S`), a point PVGIS refused (remembered
        for the life of the process), slower than ``deadline_s``, a download already running for the site, or
        network use switched off with ``CER_STUDIO_OFFLINE=1`` (the caches are still read).
    """
    site = site_key(lat, lon)
    with _LOCK:
        tmy = _MEMORY.get(site)
    if tmy is not None:
        return tmy, "memory"
    path = tmy_cache_path(lat, lon)
    if path.is_file():
        try:
            tmy = read_tmy(path.read_bytes(), str(path))
            with _LOCK:
                _MEMORY[site] = tmy
            return tmy, "disk"
        except (CerInputError, OSError):
            pass  # a broken cache file is ignored and replaced by the next download
    if offline():
        # the switch's name is a value, not catalogue text (tests/test_locales.py keeps names of environment
        # variables out of the catalogue); the Open-Meteo reason does not name it at all
        raise PvgisUnavailable.of("notes.pvgis.offline", switch="CER_STUDIO_OFFLINE")
    with _LOCK:
        if site in _REFUSED:
            raise PvgisUnavailable(*_REFUSED[site])
        recent = _FAILURE.recent(RETRY_AFTER_S)
        if recent is not None:
            raise PvgisUnavailable(*recent)
        if site in _INFLIGHT:  # started by an earlier call that already waited: do not wait again
            raise PvgisUnavailable.of("notes.pvgis.in_progress")
        thread = threading.Thread(target=_download, args=(site, lat, lon), name=f"pvgis-{site}", daemon=True)
        _INFLIGHT[site] = thread
        thread.start()
    thread.join(deadline_s)
    with _LOCK:
        tmy = _MEMORY.get(site)
        if tmy is not None:
            return tmy, "download"
        if thread.is_alive():
            raise PvgisUnavailable.of("notes.pvgis.slow", deadline_s=deadline_s)
        if site in _REFUSED:
            raise PvgisUnavailable(*_REFUSED[site])
    it, en = _FAILURE.last()
    none_it, none_en = render_pair("notes.pvgis.unavailable")
    raise PvgisUnavailable(it or none_it, en or none_en)


def forget() -> None:
    """Forget the typical years kept in memory, the refused points and a remembered failure (tests)."""
    with _LOCK:
        _MEMORY.clear()
        _REFUSED.clear()
    _FAILURE.forget()


__all__ = ["TmyFile", "HourlyFile", "sniff_pvgis", "read_tmy", "read_hourly", "write_tmy_json", "tmy_from_download",
           "get_tmy", "PvgisUnavailable", "tmy_cache_path"]
