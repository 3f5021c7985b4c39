"""PVGIS files: typical meteorological years (TMY) and hourly "seriescalc" series, CSV or JSON.

Parsing is delegated to :mod:`pvlib.iotools` (``read_pvgis_tmy`` / ``read_pvgis_hourly``); this module
recognises what the user brought, refuses what it cannot use with a sentence naming the file, line
and expected content, and returns the data with its UTC timestamps untouched (TMY rows keep the
year each month came from; seriescalc rows keep their minute offset, e.g. ``:10``). Turning them into
the hours of a simulated year is :func:`cer_core.weather.coerce_to_year`'s job.

Formats: ``docs/pv.md`` and ``../shared/docs/formats.md`` §5.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import error

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


def _json_for_pvlib(text: str, name: str) -> io.StringIO:
    """The JSON text with the ``meta.inputs`` block pvlib's parsers index (absent from trimmed exports)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{name}:{exc.lineno}", f"JSON non valido ({exc.msg})", f"invalid JSON ({exc.msg})", "pvgis.json")
    if not isinstance(doc, dict) or not isinstance(doc.get("outputs"), dict):
        raise error(name, "JSON senza «outputs»: atteso il JSON scaricato da PVGIS",
                    "JSON without 'outputs': expected the JSON downloaded from PVGIS", "pvgis.json")
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    meta.setdefault("inputs", {})
    doc["meta"] = meta
    doc.setdefault("inputs", {})
    return io.StringIO(json.dumps(doc))


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

_NOT_TMY = ("file non riconosciuto come anno tipico PVGIS: atteso il CSV o JSON scaricato da PVGIS "
            "(strumento «TMY», prima riga «Latitude (decimal degrees): …» o JSON con «outputs.tmy_hourly»)",
            "not a PVGIS typical-year file: expected the CSV or JSON downloaded from PVGIS ('TMY' tool, first "
            "line 'Latitude (decimal degrees): …' or JSON with 'outputs.tmy_hourly')")


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
        raise error(name, "file EPW (EnergyPlus): qui serve l'anno tipico PVGIS in CSV o JSON; riscaricalo da "
                    "PVGIS (strumento «TMY») scegliendo il formato «csv» o «json»",
                    "EPW (EnergyPlus) file: a PVGIS typical year in CSV or JSON is needed here; download it again "
                    "from PVGIS ('TMY' tool) choosing the 'csv' or 'json' format", "weather.epw")
    if kind in ("hourly_csv", "hourly_json"):
        raise error(name, "questo è un file PVGIS di dati orari («seriescalc»), non un anno tipico: usalo come "
                    "file di produzione di un impianto, oppure scarica da PVGIS il «TMY»",
                    "this is a PVGIS hourly-data ('seriescalc') file, not a typical year: use it as a plant's "
                    "production file, or download the 'TMY' from PVGIS", "weather.not_tmy")
    if kind not in ("tmy_csv", "tmy_json"):
        raise error(name, *_NOT_TMY, "weather.not_tmy")
    text = _text(data)
    if kind == "tmy_csv":
        _check_tmy_csv_layout(text, name)
    from pvlib.iotools import read_pvgis_tmy

    try:
        if kind == "tmy_json":
            frame, meta = read_pvgis_tmy(_json_for_pvlib(text, name), pvgis_format="json", map_variables=True)
        else:
            frame, meta = read_pvgis_tmy(io.BytesIO(text.encode("utf-8")), pvgis_format="csv", map_variables=True)
    except (KeyError, ValueError, IndexError, TypeError) as exc:
        raise error(name, f"anno tipico PVGIS illeggibile ({type(exc).__name__}: {exc})",
                    f"unreadable PVGIS typical year ({type(exc).__name__}: {exc})", "weather.unreadable")
    return _tmy_from_pvlib(frame, meta, name)


def _check_tmy_csv_layout(text: str, name: str) -> None:
    """Header, 12 month rows and 8760 data rows, located precisely before pvlib reads fixed counts."""
    lines = text.splitlines()
    header_at = next((i for i, line in enumerate(lines) if line.startswith("time(UTC)")), None)
    if header_at is None:
        raise error(name, "riga di intestazione «time(UTC),T2m,…» non trovata",
                    "header line 'time(UTC),T2m,…' not found", "weather.header")
    stamp = re.compile(r"^\d{8}:\d{4},")
    columns = [c.strip() for c in lines[header_at].split(",")]
    rows = 0
    for line in lines[header_at + 1:]:
        if not stamp.match(line):
            break
        rows += 1
        _check_row(line, columns, f"{name}:{header_at + rows + 1}")
    if rows != 8760:
        where = f"{name}:{header_at + rows + 2}"
        raise error(where, f"{rows} righe orarie dopo «time(UTC)»; un anno tipico PVGIS ne ha 8760",
                    f"{rows} hourly rows after 'time(UTC)'; a PVGIS typical year has 8760", "weather.rows")
    month_rows = [line for line in lines[:header_at] if re.match(r"^\d{1,2},\d{4}\s*$", line)]
    if len(month_rows) != 12:
        raise error(name, f"tabella «month,year» con {len(month_rows)} righe; attese 12",
                    f"'month,year' table with {len(month_rows)} rows; expected 12", "weather.months")
    # pvlib expects the month table right after the location lines (and the optional offset line)
    text_head = "\n".join(lines[:header_at])
    if "month,year" not in text_head:
        raise error(name, "riga «month,year» non trovata prima dei dati", "'month,year' line not found before the data",
                    "weather.months")


def _check_row(line: str, columns: list[str], where: str) -> None:
    """One data row: as many fields as the header, each a number."""
    fields = line.split(",")
    if len(fields) != len(columns):
        raise error(where, f"{len(fields)} campi invece di {len(columns)} ({','.join(columns)})",
                    f"{len(fields)} fields instead of {len(columns)} ({','.join(columns)})", "weather.fields")
    for col, value in zip(columns[1:], fields[1:]):
        try:
            float(value)
        except ValueError:
            shown = value.strip() or "vuoto"
            raise error(where, f"{col} = «{shown}»: atteso un numero", f"{col} = '{value.strip() or 'empty'}': "
                        "expected a number", "weather.value")


def _tmy_from_pvlib(frame: pd.DataFrame, meta: dict, name: str) -> TmyFile:
    inputs = meta.get("inputs", {}) if isinstance(meta, dict) else {}
    loc = inputs.get("location", inputs)
    try:
        lat, lon = float(loc["latitude"]), float(loc["longitude"])
        elevation = float(loc.get("elevation", float("nan")))
    except (KeyError, TypeError, ValueError):
        raise error(name, "coordinate del punto (latitudine/longitudine) mancanti nell'intestazione",
                    "the data point's coordinates (latitude/longitude) are missing from the header", "weather.location")
    offset = loc.get("irradiance_time_offset", inputs.get("irradiance time offset"))
    offset = float(offset) if offset is not None else None
    missing = [c for c in TMY_COLUMNS if c not in frame.columns]
    if missing:
        cols = ", ".join(_PVGIS_NAMES[c] for c in missing)
        raise error(name, f"colonne mancanti: {cols}; attese G(h), Gb(n), Gd(h), T2m, WS10m",
                    f"missing columns: {cols}; expected G(h), Gb(n), Gd(h), T2m, WS10m", "weather.columns")
    keep = [c for c in TMY_COLUMNS + TMY_OPTIONAL if c in frame.columns]
    out = frame[keep].apply(pd.to_numeric, errors="coerce").astype(float)
    if len(out) != 8760:
        raise error(name, f"{len(out)} ore; un anno tipico PVGIS ne ha 8760",
                    f"{len(out)} hours; a PVGIS typical year has 8760", "weather.rows")
    _check_values(out, name)
    out[["ghi", "dni", "dhi"]] = out[["ghi", "dni", "dhi"]].clip(lower=0.0)  # PVGIS writes "-0.0"
    out.index = pd.DatetimeIndex(out.index).tz_convert("UTC")
    out.index.name = "time_utc"
    months = tuple((int(m["month"]), int(m["year"])) for m in meta.get("months_selected", []))
    md = inputs.get("meteo_data", {}) if isinstance(inputs.get("meteo_data"), dict) else {}
    if md.get("year_min") and md.get("year_max"):
        period = f"{int(md['year_min'])}-{int(md['year_max'])}"
    elif months:
        years = [y for _, y in months]
        period = f"{min(years)}-{max(years)}"
    else:
        period = ""
    return TmyFile(data=out, lat=lat, lon=lon, elevation_m=elevation, irradiance_offset_h=offset,
                   months_selected=months, period=period, radiation_db=str(md.get("radiation_db", "")))


#: Plausible ranges per column (pvlib name): (low, high, unit) — outside means a broken file.
_RANGES = {"ghi": (0, 1500, "W/m²"), "dni": (0, 1400, "W/m²"), "dhi": (0, 1000, "W/m²"),
           "temp_air": (-60, 60, "°C"), "wind_speed": (0, 80, "m/s")}


def _check_values(frame: pd.DataFrame, name: str) -> None:
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
            raise error(f"{name} ({stamp})", f"{_PVGIS_NAMES[col]} = {shown}; atteso un valore tra {lo} e {hi} {unit}",
                        f"{_PVGIS_NAMES[col]} = {shown_en}; expected a value between {lo} and {hi} {unit}",
                        "weather.value")


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
    return _tmy_from_pvlib(frame, meta, name)


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


def read_hourly(data: bytes, name: str) -> HourlyFile:
    """Parse a PVGIS hourly series ("seriescalc", CSV or JSON) given as bytes.

    Raises
    ------
    CerInputError
        When the file is a TMY, an EPW, something else, or has no usable rows.
    """
    kind = sniff_pvgis(data)
    if kind in ("tmy_csv", "tmy_json"):
        raise error(name, "questo è un anno tipico PVGIS (dati meteo), non una serie di produzione: caricalo come "
                    "file meteo del sito (site.weather), oppure scarica da PVGIS i «dati orari» con «potenza FV»",
                    "this is a PVGIS typical year (weather), not a production series: load it as the site's weather "
                    "file (site.weather), or download 'hourly data' with 'PV power' from PVGIS", "pvgis.tmy_as_series")
    if kind == "epw":
        raise error(name, "file EPW (EnergyPlus): non è una serie di produzione", "EPW (EnergyPlus) file: not a "
                    "production series", "pvgis.epw")
    if kind not in ("hourly_csv", "hourly_json"):
        raise error(name, "file non riconosciuto come serie oraria PVGIS", "not a PVGIS hourly series", "pvgis.unknown")
    text = _text(data)
    from pvlib.iotools import read_pvgis_hourly

    try:
        if kind == "hourly_json":
            frame, meta = read_pvgis_hourly(_json_for_pvlib(text, name), pvgis_format="json", map_variables=True)
        else:
            frame, meta = read_pvgis_hourly(io.StringIO(text), pvgis_format="csv", map_variables=True)
    except (KeyError, ValueError, IndexError, TypeError) as exc:
        raise error(name, f"serie oraria PVGIS illeggibile ({type(exc).__name__}: {exc})",
                    f"unreadable PVGIS hourly series ({type(exc).__name__}: {exc})", "pvgis.unreadable")
    if frame.empty:
        raise error(name, "nessuna riga di dati", "no data rows", "pvgis.empty")
    inputs = meta.get("inputs", {})
    if kind == "hourly_json":
        loc = inputs.get("location", {})
        fixed = inputs.get("mounting_system", {}).get("fixed", {})
        module = inputs.get("pv_module", {})
        lat, lon = _number_in(loc.get("latitude")), _number_in(loc.get("longitude"))
        kwp, losses = _number_in(module.get("peak_power")), _number_in(module.get("system_loss"))
        slope = _number_in((fixed.get("slope") or {}).get("value"))
        aspect = _number_in((fixed.get("azimuth") or {}).get("value"))
        raddb = str(inputs.get("meteo_data", {}).get("radiation_db", ""))
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
            raise error(f"{name} ({frame.index[i].strftime('%Y%m%d:%H%M')})", f"colonna {col}: valore non numerico",
                        f"column {col}: not a number", "pvgis.number")
    if "P" in numeric.columns and (numeric["P"] < 0).any():
        i = int(np.argmax((numeric["P"] < 0).to_numpy()))
        raise error(f"{name} ({frame.index[i].strftime('%Y%m%d:%H%M')})",
                    f"potenza P negativa ({numeric['P'].iloc[i]:g} W); attesi W ≥ 0",
                    f"negative power P ({numeric['P'].iloc[i]:g} W); expected W ≥ 0", "pvgis.negative")
    numeric.index = pd.DatetimeIndex(frame.index).tz_convert("UTC")
    numeric.index.name = "time_utc"
    azimuth = None if aspect is None else (aspect + 180.0) % 360.0  # PVGIS aspect: 0 = south, 90 = west
    return HourlyFile(data=numeric, lat=lat if lat is not None else float("nan"),
                      lon=lon if lon is not None else float("nan"), kwp=kwp, losses_pct=losses, tilt_deg=slope,
                      azimuth_deg=azimuth, radiation_db=raddb)


__all__ = ["TmyFile", "HourlyFile", "sniff_pvgis", "read_tmy", "read_hourly", "write_tmy_json", "tmy_from_download"]
