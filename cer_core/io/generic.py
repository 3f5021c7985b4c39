"""Generic long file: a time column (or a date and a time column) and a value column (``docs/formats.md`` §1.5).

Anything that is not a known distributor or Chain 2 format: energy-management exports, hand-made
files, the scenario's own ``timestamp,kwh``, CSV or XLSX.

* Time: ISO 8601 with offset (unambiguous, ``Z`` too); ISO or ``dd/mm/yyyy HH:MM[:SS]`` without an
  offset (local time: the October hour that happens twice is summer time the first time it appears
  and winter time the second; if it appears once, its value is split 50/50 over both hours and
  flagged ``estimated``; a March time that does not exist is dropped when its value is 0 or empty and
  refused otherwise); a date column plus a time column (``HH:MM``, ``HH:MM-HH:MM``) or an hour column
  (0–23 clock hours, or 1–24/25 hours of the day in order); Excel serial days.
* Labels mark interval **starts**, unless the time column is named like an end (``fine``, ``end``,
  ``to``, ``alle``) or holds ``24:00``.
* Interval: the median step; 15, 30 or 60 minutes (1, 5 and 10 minutes are summed to quarter-hours,
  30 minutes to hours).
* Unit from the header (``kWh``, ``Wh``, ``kW`` = average power, ``W``; ``potenza``/``power`` = kW,
  ``energia``/``consumo`` = kWh) or the ``unit`` option; when nothing says, kWh is assumed and the
  report says so (the contract-power plausibility check catches kW read as kWh).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..errors import CerInputError, error, excerpt
from ..limits import MAX_GENERIC_COLUMNS
from .localtime import day_lengths_s, from_local_naive, midnights_utc
from .model import ESTIMATED, MEASURED, Chunk, warning
from .numbers import (Where, excel_serials, looks_like_excel_serial, parse_dates, parse_numbers, parse_with_formats,
                      refuse_first_bad, refuse_implausible_years, zero_pad_dates)
from .source import Table

_DATETIME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2}|^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}[ T,]+\d{1,2}[:.]\d{2}")
_DATE = re.compile(r"^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{8})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*[-–]\s*(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?)?$")
_POD = re.compile(r"^IT\d{3}E[0-9A-Z]{6,10}$", re.IGNORECASE)
_END_NAME = re.compile(r"(^|[_\s])(fine|end|alle|to|a|stop|ending)([_\s]|$)")
_START_WORDS = ("inizio", "start", "begin", "dalle", "from", "da_")
_TIME_WORDS = ("timestamp", "time", "data", "date", "ora", "hour", "giorno", "day", "istante", "inizio", "fine",
               "start", "end", "periodo", "orario", "quando")
_EXPORT_WORDS = ("immess", "export", "injection", "ceduta", "fed_in", "feed_in", "produz")
_IMPORT_WORDS = ("prelev", "import", "consum", "withdraw", "acquist", "carico", "load", "kwh", "energia", "energy")
_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M", "%d-%m-%Y %H:%M:%S",
            "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%d/%m/%Y, %H:%M:%S",
            "%d/%m/%Y, %H:%M", "%d/%m/%Y %H.%M", "%d/%m/%Y %H.%M.%S")
ALLOWED_STEPS_S = (60, 300, 600, 900, 1800, 3600)
UNITS = ("kwh", "kw", "wh", "w")


#: Rows whose cells decide a column's kind (:func:`_kind`).
KIND_SAMPLE_ROWS = 60


def _kind(cells: list[str], header: str) -> str:
    """Content kind of a column from its first cells: datetime, date, time, serial, hour, pod, number, text."""
    sample = [c for c in cells[:KIND_SAMPLE_ROWS] if c]
    if not sample:
        return "empty"
    h = header.lower()
    if all(_DATETIME.match(c) for c in sample):
        return "datetime"
    if all(_DATE.match(c) for c in sample):
        return "date"
    if all(_TIME.match(c) for c in sample):
        return "time"
    if all(_POD.match(c.replace(" ", "")) for c in sample):
        return "pod"
    s = pd.Series(sample)
    numeric = pd.to_numeric(s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False), errors="coerce")
    if numeric.notna().all():
        if any(w in h for w in _TIME_WORDS) and looks_like_excel_serial(s):
            return "serial"
        if any(w == h or h.startswith(w) for w in ("ora", "hour", "h", "ore")) and numeric.between(0, 25).all() \
                and s.str.fullmatch(r"\d{1,2}").all():
            return "hour"
        return "number"
    return "text"


_UNIT_PATTERNS = ((r"kwh|kilowatt-?or|kilowatt-?hour", "kwh"), (r"kilowatt", "kw"),
                  (r"(^|[^k])wh|wattor|watt-?hour", "wh"), (r"kw", "kw"), (r"\(w\)|\[w\]|_w$|^w$|watt", "w"),
                  (r"potenza|power", "kw"), (r"energia|energy|consum|prelie|immess", "kwh"))


def _unit_of(header: str) -> str | None:
    """Unit named by a column header (first matching pattern of :data:`_UNIT_PATTERNS`), or None."""
    h = header.lower().replace(" ", "")
    return next((unit for pattern, unit in _UNIT_PATTERNS if re.search(pattern, h)), None)


def _column_named(option: str, header: list[str], where: str) -> int:
    low = [h.strip().lower() for h in header]
    if option.lower() not in low:
        raise error(where, "problems.file.column", "file.column", option=option, header=', '.join(header))
    return low.index(option.lower())


def _pick_time(kinds: dict[int, str], header: list[str], option: str | None, where: str) -> tuple[list[int], bool]:
    """Time column(s) and whether they label interval ends."""
    low = [h.strip().lower() for h in header]
    if option is not None:
        j = _column_named(option, header, where)
        return [j], bool(_END_NAME.search(low[j]))

    def rank(j):  # starts first, then neutral names, ends last
        h = low[j]
        return (0 if any(w in h for w in _START_WORDS) else 2 if _END_NAME.search(h) else 1, j)

    dts = sorted([j for j, k in kinds.items() if k in ("datetime", "serial")], key=rank)
    if dts:
        j = dts[0]
        return [j], rank(j)[0] == 2
    dates = [j for j, k in kinds.items() if k == "date"]
    times = sorted([j for j, k in kinds.items() if k in ("time", "hour")], key=rank)
    if dates and times:
        return [dates[0], times[0]], rank(times[0])[0] == 2
    raise error(where, "problems.file.no_time_column", "file.no_time_column")


def _pick_values(kinds, header, time_cols, value_opt, export_opt, where: str) -> tuple[int, int | None]:
    low = [h.strip().lower() for h in header]

    def col(opt):
        return _column_named(opt, header, where)

    numeric = [j for j, k in kinds.items() if k in ("number", "empty") and j not in time_cols]
    exports = [j for j in numeric if any(w in low[j] for w in _EXPORT_WORDS)]
    imports = [j for j in numeric if j not in exports and any(w in low[j] for w in _IMPORT_WORDS)]
    value = col(value_opt) if value_opt else (imports or [j for j in numeric if j not in exports] or [None])[0]
    export = col(export_opt) if export_opt else (exports[0] if exports else None)
    if value is None:
        raise error(where, "problems.file.no_value_column", "file.no_value_column", header=', '.join(header))
    return value, export


def _datetimes(cells: list[str], where: Where) -> tuple[np.ndarray, bool]:
    """Seconds (UTC if the cells carry an offset, else naive local) and whether they are UTC."""
    s = pd.Series(cells, dtype=object).astype(str).str.strip()
    has_offset = s.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
    if has_offset.all():
        ts = pd.to_datetime(s, utc=True, errors="coerce", format="ISO8601")
        aware = True
    elif has_offset.any():
        i = int(np.argmax(~has_offset.to_numpy()))
        raise error(where.at(i), "problems.file.timestamp.2", "file.timestamp", column=where.column, cells=cells[i])
    else:
        aware = False
        ts = parse_with_formats(zero_pad_dates(s), _FORMATS)
    refuse_first_bad(ts.isna().to_numpy(), cells, where, "problems.file.timestamp.3", "file.timestamp")
    refuse_implausible_years(ts.dt.tz_localize(None) if aware else ts, cells, where)
    if aware:
        return ts.dt.tz_localize(None).dt.as_unit("s").astype("int64").to_numpy(), True
    return ts.dt.as_unit("s").astype("int64").to_numpy(), False


def _time_of_day(cells: list[str], where: Where) -> tuple[np.ndarray, bool]:
    """Seconds after midnight of ``HH:MM[:SS]`` (interval labels: their start) and whether ``24:00`` appears."""
    s = pd.Series(cells, dtype=object).astype(str).str.strip()
    parts = s.str.extract(_TIME.pattern)
    hh, mm = pd.to_numeric(parts[0], errors="coerce"), pd.to_numeric(parts[1], errors="coerce")
    bad = (parts[0].isna() | (hh > 24) | (mm > 59) | ((hh == 24) & (mm > 0))).to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise error(where.at(i), "problems.file.time", "file.time", column=where.column, cells=cells[i])
    h, m, sec = parts[0].astype(int), parts[1].astype(int), parts[2].fillna("0").astype(int)
    return (h * 3600 + m * 60 + sec).to_numpy().astype("int64"), bool((h == 24).any())


def read_generic(table: Table, options: dict | None = None) -> tuple[list[Chunk], list]:
    """Chunks (one per POD column value, or one) and warnings of a generic long table.

    Options (all optional): ``time_column``, ``value_column``, ``export_column`` (header names),
    ``unit`` (``kwh`` | ``kw`` | ``wh`` | ``w``), ``stamp`` (``start`` | ``end``).

    With a POD column, each POD's rows are read on their own (the clock-change rules, the interval
    and the unit apply POD by POD).
    """
    opts = options or {}
    name = table.name
    if not table.rows:
        raise error(name, "problems.file.empty.5", "file.empty")
    header = [h.strip() for h in table.header]
    if len(header) > MAX_GENERIC_COLUMNS:
        raise error(f"{name}:{table.header_line}", "problems.file.too_many_columns", "file.format",
                    n_columns=len(header), max_columns=MAX_GENERIC_COLUMNS)
    _refuse_split_numbers(table, header)
    # only the sampled rows of each column: a header of 160 000 cells over every row took seconds (columns × rows)
    kinds = {j: _kind(table.column(j, KIND_SAMPLE_ROWS), header[j] if j < len(header) else "")
             for j in range(len(header))}
    at_header = f"{name}:{table.header_line}"
    try:
        time_cols, end_label = _pick_time(kinds, header, opts.get("time_column"), at_header)
        value_col, export_col = _pick_values(kinds, header, time_cols, opts.get("value_column"),
                                             opts.get("export_column"), at_header)
    except CerInputError:
        _refuse_garbled_sample_cell(table, header, kinds)
        raise
    if opts.get("stamp") in ("start", "end"):
        end_label = opts["stamp"] == "end"
    cols = _Columns(header, kinds, time_cols, value_col, export_col, end_label,
                    (opts.get("unit") or _unit_of(header[value_col]) or "").lower() or None)
    if cols.unit not in (None, *UNITS):
        raise error(name, "problems.file.unit", "file.unit", unit=cols.unit)
    pod_cols = [j for j, k in kinds.items() if k == "pod"]
    pods = [c.replace(" ", "").upper() for c in table.column(pod_cols[0])] if pod_cols else [""] * len(table.rows)
    chunks, warnings = [], []
    for pod in dict.fromkeys(pods):
        idx = [i for i, p in enumerate(pods) if p == pod]
        part = table if len(idx) == len(pods) else replace(table, rows=[table.rows[i] for i in idx],
                                                            lines=[table.lines[i] for i in idx])
        chunks.append(_read_one(part, pod, cols, warnings))
    return chunks, warnings


def _refuse_split_numbers(table: Table, header: list[str]) -> None:
    """In a comma-separated file, refuse the first row with more filled cells than the header names.

    That is a number written with a comma (``1.234,5`` or ``0,5`` among ``0.440`` values): the comma split
    it into two cells, so the value column would read ``1.234`` and the ``5`` would be lost in silence.
    Empty cells past the header (a trailing comma on every row) are fine.
    """
    if table.delimiter != ",":
        return
    n_columns = len(header)
    lengths = np.fromiter((len(row) for row in table.rows), dtype=np.int64, count=len(table.rows))
    for i in np.flatnonzero(lengths > n_columns):
        row = table.rows[i]
        if any(cell.strip() for cell in row[n_columns:]):
            raise error(f"{table.name}:{table.lines[i]}", "problems.file.extra_fields", "file.extra_fields",
                        n_fields=len(row), n_columns=n_columns, row=excerpt(",".join(row), 80))


#: A cell that reads as a number in either decimal convention (``0,125``, ``1.234,5``, ``1e3``).
_NUMBERISH = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*(?:[eE][+-]?\d+)?$")
#: Columns searched for a garbled cell when no time or value column is found (a long table has a few).
GARBLED_SEARCH_COLUMNS = 100


def _refuse_garbled_sample_cell(table: Table, header: list[str], kinds: dict) -> None:
    """When no time or value column was found because one cell of a column's first rows is garbled (``#DIV/0!``
    among numbers, ``abc`` among date-times), refuse naming that cell and line instead of the whole format."""
    lines = table.lines[:KIND_SAMPLE_ROWS]
    for j in [j for j, k in kinds.items() if k == "text"][:GARBLED_SEARCH_COLUMNS]:
        cells = table.column(j, KIND_SAMPLE_ROWS)
        filled = [c for c in cells if c]
        where = Where(table.name, lines, header[j] if j < len(header) else str(j + 1))
        if 2 * sum(bool(_DATETIME.match(c)) for c in filled) > len(filled):
            _datetimes(cells, where)
        elif 2 * sum(bool(_NUMBERISH.match(c)) for c in filled) > len(filled):
            parse_numbers(cells, where, table.delimiter)


@dataclass(frozen=True)
class _Columns:
    """What :func:`read_generic` decided about the columns, shared by every POD of the file."""

    header: list
    kinds: dict
    time_cols: list
    value_col: int
    export_col: int | None
    end_label: bool
    unit: str | None


def _hours_column(cells: list[str], where: Where) -> np.ndarray:
    """Integers of an hour column; refuses the first cell that is not an hour 0–25."""
    s = pd.Series(cells, dtype=object).astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    ok = s.str.fullmatch(r"\d{1,2}")
    hours = pd.to_numeric(s.where(ok), errors="coerce")
    # isna: "１２" (full-width digits) matches \d but is no number for pandas, and NaN cast to int64 is garbage
    refuse_first_bad((~ok | hours.isna() | (hours > 25)).to_numpy(), cells, where, "problems.file.time.2", "file.time")
    return hours.to_numpy().astype("int64")


def _read_one(table: Table, pod: str, cols: _Columns, warnings: list) -> Chunk:
    """The chunk of one POD's rows (all the rows when the file names no POD)."""
    name, lines = table.name, np.asarray(table.lines)
    header, kinds, time_cols = cols.header, cols.kinds, cols.time_cols
    end_label = cols.end_label
    tcol = time_cols[0]
    tcells = table.column(tcol)
    hour_ordinal = False
    if kinds[tcol] == "serial":
        secs, aware = excel_serials(tcells, Where(name, lines, header[tcol])).astype("int64"), False
    elif len(time_cols) == 1:
        secs, aware = _datetimes(tcells, Where(name, lines, header[tcol]))
    else:
        days = parse_dates(tcells, Where(name, lines, header[tcol]))
        tc = table.column(time_cols[1])
        aware = False
        if kinds[time_cols[1]] == "hour":
            hours = _hours_column(tc, Where(name, lines, header[time_cols[1]]))
            if hours.max() >= 24 or not (hours == 0).any():
                # hours of the day counted 1..24 (25 in October): elapsed, so no ambiguity
                hour_ordinal = True
                if hours.min() == 0:
                    i = int(np.argmin(hours))
                    raise error(f"{name}:{lines[i]}", "problems.file.time.3", "file.time", header=header[time_cols[1]])
                if hours.max() < 24:
                    warnings.append(warning(f"{name}:{table.header_line}", "problems.file.hour_ordinal",
                                            "file.hour_ordinal", header=header[time_cols[1]], hours_min=hours.min(),
                                            hours_max=hours.max()))
                secs = midnights_utc(days) + (hours - 1) * 3600
                aware = True
                over = (hours - 1) * 3600 >= day_lengths_s(days)
                if over.any():
                    i = int(np.argmax(over))
                    raise error(f"{name}:{lines[i]}", "problems.file.time.4", "file.time", hours=hours[i])
            else:
                secs = days.astype("datetime64[s]").astype("int64") + hours * 3600
        else:
            tod, has24 = _time_of_day(tc, Where(name, lines, header[time_cols[1]]))
            secs = days.astype("datetime64[s]").astype("int64") + tod
            end_label = end_label or has24
    value_col, export_col = cols.value_col, cols.export_col
    values = parse_numbers(table.column(value_col), Where(name, lines, header[value_col]), table.delimiter,
                           notes=warnings)
    export = (parse_numbers(table.column(export_col), Where(name, lines, header[export_col]), table.delimiter,
                            notes=warnings) if export_col is not None else None)
    for arr, j in ((values, value_col), (export, export_col)):
        if arr is not None and (arr < 0).any():
            i = int(np.argmax(arr < 0))
            raise error(f"{name}:{lines[i]}", "problems.file.negative.2", "file.negative", header=header[j], arr=arr[i])
    quality = np.full(len(values), MEASURED, dtype=np.int8)
    if not aware:
        utc, nonexistent, once = from_local_naive(secs)
        if nonexistent.any():
            real = nonexistent & (np.nan_to_num(values) != 0)
            if real.any():
                i = int(np.argmax(real))
                raise error(f"{name}:{lines[i]}", "problems.file.nonexistent_hour.2", "file.nonexistent_hour",
                            tcells=tcells[i])
        keep = ~nonexistent
        secs, values, quality, lines = utc[keep], values[keep], quality[keep], lines[keep]
        export = export[keep] if export is not None else None
        once = once[keep]
        if once.any():
            secs, values, export, quality, lines = _split_single_repeat(secs, values, export, quality, lines, once)
            warnings.append(warning(name, "problems.file.repeated_hour_split.2", "file.repeated_hour_split"))
    step = _step(secs, name)
    if end_label and not hour_ordinal:
        secs = secs - step
    unit = cols.unit
    info = {"unit": unit or "kwh", "unit_assumed": unit is None, "value_column": header[value_col],
            "time_columns": [header[j] for j in time_cols], "end_stamped": bool(end_label)}
    values = values * _to_kwh(unit, step)
    if export is not None:
        export = export * _to_kwh(_unit_of(header[export_col]) or unit, step)
    secs, values, export, quality, step = _regularise(secs, values, export, quality, step)
    return Chunk(pod=pod, start_s=secs, interval_s=step, kwh_import=values, kwh_export=export, quality=quality,
                 file=name, format="generic", info=info)


def _to_kwh(unit: str | None, step_s: int) -> float:
    """Factor from the file's unit to kWh per interval of ``step_s`` seconds."""
    hours = step_s / 3600.0
    return {"kwh": 1.0, None: 1.0, "wh": 1e-3, "kw": hours, "w": hours * 1e-3}[unit]


def _split_single_repeat(secs, values, export, quality, lines, once):
    """Duplicate the rows of an October hour that appears once: half in summer time, half in winter time."""
    half = values[once] / 2.0
    values = values.copy()
    values[once] = half
    quality = quality.copy()
    quality[once] = ESTIMATED
    secs = np.concatenate([secs, secs[once] + 3600])
    values = np.concatenate([values, half])
    quality = np.concatenate([quality, np.full(int(once.sum()), ESTIMATED, dtype=np.int8)])
    lines = np.concatenate([lines, lines[once]])
    if export is not None:
        export = export.copy()
        export[once] = export[once] / 2.0
        export = np.concatenate([export, export[once]])
    order = np.argsort(secs, kind="stable")
    return secs[order], values[order], export[order] if export is not None else None, quality[order], lines[order]


def _step(secs: np.ndarray, name: str) -> int:
    u = np.unique(secs)
    if len(u) < 2:
        raise error(name, "problems.file.too_short", "file.too_short")
    step = int(np.median(np.diff(u)))
    if step not in ALLOWED_STEPS_S:
        raise error(name, "problems.file.interval", "file.interval", step=step / 60)
    return step


def _regularise(secs, values, export, quality, step):
    """Sum 1/5/10-minute data to quarter-hours and 30-minute data to hours (incomplete intervals: missing)."""
    target = 900 if step < 900 else 3600 if step == 1800 else step
    if target == step:
        return secs, values, export, quality, step
    key = secs // target * target
    frame = pd.DataFrame({"k": key, "v": values, "q": quality})
    if export is not None:
        frame["e"] = export
    g = frame.groupby("k", sort=True)
    n = g["v"].count()
    full = (n == target // step).to_numpy()
    v = np.where(full, g["v"].sum().to_numpy(), np.nan)
    e = np.where(full, g["e"].sum().to_numpy(), np.nan) if export is not None else None
    return n.index.to_numpy().astype("int64"), v, e, g["q"].max().to_numpy().astype(np.int8), target
