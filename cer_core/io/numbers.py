"""Numbers and dates as Italian exports write them.

Numbers (``docs/formats.md`` §0.4): ``0,125`` (decimal comma), ``1.234,5`` (thousands dot after an Excel
round trip), ``0.125`` (decimal point), ``1,234.5`` (English thousands). The decimal mark is decided
once per column (all value columns of a wide file count as one): a comma anywhere means a decimal
comma, unless commas are followed by a dot (``1,234.5``). A column without commas whose dotted
values all look like thousands groups (``1.234``) is ambiguous: it is read as thousands in a
``;``/tab file (the Italian convention, said in a warning) and refused in a ``,`` file, where it
cannot be told apart from a decimal point. In an Excel sheet (delimiter :data:`EXCEL`) numbers
stored as numbers are written with a point (never thousands), while numbers stored as text keep
the way they were typed (``0,125``), so a comma still means a decimal comma there.

Dates are accepted between :data:`PLAUSIBLE_YEARS` (a year such as ``0024`` or ``2999`` is a typo,
and would overflow the time arithmetic).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import error

_THOUSANDS_DOT = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")
_COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d*)?$|^[+-]?,\d+$")
#: In an Excel sheet a thousands dot is only accepted next to a decimal comma (``1.234,5``): a cell
#: ``0.125`` there is a number stored as a number, not 125.
_COMMA_DECIMAL_EXCEL = re.compile(r"^[+-]?(\d+(,\d*)?|\d{1,3}(\.\d{3})+,\d*|,\d+)$")
_POINT_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d*)(\.\d*)?([eE][+-]?\d+)?$")


#: The delimiter of a :class:`cer_core.io.source.Table` read from an Excel sheet.
EXCEL = "xlsx"
#: Dates outside these years (inclusive) are refused as typos.
PLAUSIBLE_YEARS = (1990, 2100)


class Where:
    """How to name a cell in a message: file, line of each row, column label."""

    def __init__(self, name: str, lines: list[int] | np.ndarray, column: str):
        self.name, self.lines, self.column = name, lines, column

    def at(self, i: int) -> str:
        return f"{self.name}:{self.lines[i]}" if len(self.lines) > i else self.name


def _decimal_mark(series: pd.Series, where: Where, delimiter: str, hint: str | None,
                  notes: list | None) -> str:
    """``","`` or ``"."`` for the non-empty strings of ``series``."""
    if hint:
        return hint
    has_comma = series.str.contains(",", regex=False)
    if has_comma.any():
        comma_then_dot = series[has_comma].str.contains(r",\d{3}\.", regex=True)
        return "." if comma_then_dot.any() else ","
    dotted = series[series.str.contains(".", regex=False)]
    if dotted.empty or delimiter == EXCEL:  # Excel writes numbers stored as numbers with a point
        return "."
    if dotted.str.match(_THOUSANDS_DOT).all():
        i = int(dotted.index[0])
        if delimiter in (";", "\t"):
            if notes is not None:
                from .model import warning

                notes.append(warning(where.at(i), "problems.file.thousands_dot", "file.thousands_dot",
                                     column=where.column, dotted_0=dotted.iloc[0]))
            return ","
        raise error(where.at(i), "problems.file.ambiguous_number", "file.ambiguous_number", column=where.column,
                    dotted_0=dotted.iloc[0])
    return "."


def parse_numbers(cells, where: Where, delimiter: str = ";", decimal: str | None = None,
                  notes: list | None = None) -> np.ndarray:
    """Floats of ``cells`` (NaN where empty); refuses text naming the line and the value.

    Parameters
    ----------
    cells : sequence of str
        Raw cells (already stripped).
    where : Where
        For messages: file, line of each cell, column label.
    delimiter : str
        The file's delimiter (decides the ambiguous ``1.234`` case), :data:`EXCEL` for an Excel sheet.
    decimal : {",", "."} or None
        Force the decimal mark; None decides it from the cells.
    notes : list, optional
        Receives a warning when ``1.234`` is read as thousands (``;`` and tab files).

    Returns
    -------
    numpy.ndarray
        float64, NaN for empty cells.
    """
    s = pd.Series(cells, dtype=object).astype(str).str.strip()
    s = s.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    empty = (s == "") | s.str.lower().isin(["nan", "null", "none", "-", "n.d.", "nd"])
    values = s[~empty]
    out = np.full(len(s), np.nan)
    if values.empty:
        return out
    mark = _decimal_mark(values, where, delimiter, decimal, notes)
    if mark == ",":
        ok = values.str.match(_COMMA_DECIMAL_EXCEL if delimiter == EXCEL else _COMMA_DECIMAL)
        clean = values.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        ok = values.str.match(_POINT_DECIMAL) & values.str.contains(r"\d", regex=True)
        clean = values.str.replace(",", "", regex=False)
    num = pd.to_numeric(clean.where(ok), errors="coerce")
    bad = num.isna().to_numpy()
    if bad.any():
        i = int(values.index[int(np.argmax(bad))])
        raw = cells[i]
        raise error(where.at(i), "problems.file.number.2", "file.number", column=where.column, raw=raw)
    out[values.index.to_numpy()] = num.to_numpy(dtype=float)
    return out


# --- dates and times ---------------------------------------------------------------------------------

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d", "%d/%m/%y", "%Y/%m/%d")
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")


def excel_serial_to_naive(values: np.ndarray) -> np.ndarray:
    """Excel serial days (since 1899-12-30) → naive ``datetime64[s]``, rounded to the second."""
    secs = np.round(values * 86400.0).astype("int64")
    return _EXCEL_EPOCH + secs.astype("timedelta64[s]")


def excel_serials(cells, where: Where) -> np.ndarray:
    """Naive local ``datetime64[s]`` of Excel serial days; refuses the first cell that is not a serial of a
    plausible year (an empty or text cell in a column of serials), naming its line."""
    s = pd.Series(cells, dtype=object).astype(str).str.strip()
    num = pd.to_numeric(s.str.replace(",", ".", regex=False), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(num) | (num < 0) | (num > 2_958_465)  # 9999-12-31
    refuse_first_bad(bad, cells, where, "problems.file.timestamp.5", "file.timestamp")
    stamps = excel_serial_to_naive(num)
    refuse_implausible_years(stamps, cells, where)
    return stamps


def looks_like_excel_serial(s: pd.Series) -> bool:
    """True if every non-empty cell is a number between 1 Jan 1955 and 2119 as Excel serial days."""
    num = pd.to_numeric(s.str.replace(",", ".", regex=False), errors="coerce")
    return bool(num.notna().all() and num.between(20000, 80000).all())


def implausible_years(stamps) -> np.ndarray:
    """True where a ``datetime64`` / timestamp lies outside :data:`PLAUSIBLE_YEARS` (NaT counts as False)."""
    arr = np.asarray(stamps).astype("datetime64[s]")
    years = arr.astype("datetime64[Y]").astype("int64") + 1970
    return ~np.isnat(arr) & ((years < PLAUSIBLE_YEARS[0]) | (years > PLAUSIBLE_YEARS[1]))


def refuse_implausible_years(stamps, cells, where: Where) -> None:
    """Refuse the first date outside :data:`PLAUSIBLE_YEARS`, naming its line."""
    lo, hi = PLAUSIBLE_YEARS
    refuse_first_bad(implausible_years(stamps), cells, where, "problems.file.date_range", "file.date_range", lo=lo,
                     hi=hi)


def refuse_first_bad(bad: np.ndarray, cells, where: Where, key: str, code: str, **values) -> None:
    """Raise naming the first cell where ``bad`` is True; the sentence of catalogue ``key`` is filled with
    ``values``, the cell as ``{value}`` and its column as ``{column}``."""
    bad = np.asarray(bad, dtype=bool)
    if bad.any():
        i = int(np.argmax(bad))
        raise error(where.at(i), key, code, value=cells[i], column=where.column, **values)


def parse_with_formats(s: pd.Series, formats) -> pd.Series:
    """Timestamps of ``s`` with the one of ``formats`` that parses the most cells (NaT elsewhere)."""
    best, best_ok = None, -1
    for fmt in formats:
        parsed = pd.to_datetime(s, format=fmt, errors="coerce")
        ok = int(parsed.notna().sum())
        if ok > best_ok:
            best, best_ok = parsed, ok
        if ok == len(s):
            break
    return best


def zero_pad_dates(s: pd.Series) -> pd.Series:
    """``1/3/2024 9:15`` → ``01/03/2024 09:15`` (Excel drops leading zeros)."""
    s = s.str.replace(r"^(\d)([/.\-])", r"0\1\2", regex=True)
    s = s.str.replace(r"([/.\-])(\d)([/.\-])", r"\g<1>0\2\3", regex=True)
    return s.str.replace(r"([ T,]+)(\d)([:.])", r"\g<1>0\2\3", regex=True)


def _first_lines(inverse: np.ndarray, lines, n: int) -> np.ndarray:
    """Line of the first occurrence of each of ``n`` unique values (for messages)."""
    first = np.full(n, len(inverse), dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(len(inverse)))
    lines = np.asarray(lines)
    return lines[first] if len(lines) == len(inverse) else first + 1


def parse_dates(cells, where: Where) -> np.ndarray:
    """Local calendar dates of ``cells`` as ``datetime64[D]``: dd/mm/yyyy (also d/m/yy), ISO, yyyymmdd,
    an ISO date-time from Excel (time ignored), or Excel serial days. Refuses naming the first bad line."""
    uniq, inverse = np.unique(np.asarray(cells, dtype=object).astype(str), return_inverse=True)
    if len(uniq) < len(cells):  # long files repeat each day many times: parse each text once
        days = parse_dates(list(uniq), Where(where.name, _first_lines(inverse, where.lines, len(uniq)), where.column))
        return days[inverse]
    s = pd.Series(cells, dtype=object).astype(str).str.strip()
    s = s.str.replace(r"\.0$", "", regex=True)  # 20240301.0 from a spreadsheet
    s = s.str.replace(r"[ T]00:00(:00)?$", "", regex=True)
    if looks_like_excel_serial(s):
        num = pd.to_numeric(s.str.replace(",", ".", regex=False)).to_numpy(dtype=float)
        return excel_serial_to_naive(np.floor(num)).astype("datetime64[D]")
    parsed = parse_with_formats(zero_pad_dates(s), _DATE_FORMATS)
    refuse_first_bad(parsed.isna().to_numpy(), cells, where, "problems.file.date.2", "file.date")
    days = parsed.to_numpy().astype("datetime64[D]")
    refuse_implausible_years(days, cells, where)
    return days
