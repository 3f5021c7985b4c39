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
from .columns import all_ascii, as_arrow, cell_list, is_arrow, strip_like_python

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
    cells : sequence of str, or pyarrow.StringArray
        Raw cells (already stripped). An Arrow array of plain decimal-point numbers is read column-wise
        (:func:`_plain_point_numbers`); anything else, and every refusal, cell by cell as below.
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
    if is_arrow(cells):
        fast = _plain_point_numbers(as_arrow(cells), delimiter, decimal)
        if fast is not None:
            return fast
        cells = cell_list(cells)
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


_EMPTY_WORDS = ["nan", "null", "none", "-", "n.d.", "nd"]


#: A plain decimal-point number (a subset of what :data:`_POINT_DECIMAL` takes, with a digit).
_PLAIN_POINT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def _plain_point_numbers(arr, delimiter: str, decimal: str | None) -> np.ndarray | None:
    """:func:`parse_numbers` of an Arrow string array of ASCII decimal-point numbers without thousands
    separators (``1234.5``, ``-0.25``, ``12``, ``1e3``), or None to take the cell-by-cell path (a comma
    anywhere, only ``1.234``-like values, text that is not a number, non-ASCII text: every warning and
    refusal).

    The numbers themselves are converted by the same pandas function (``to_numeric``) on the same
    strings, so they are the same doubles.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if decimal == "," or arr.null_count or not all_ascii(arr):
        return None
    s = pc.replace_substring(strip_like_python(arr), " ", "")
    empty = pc.or_(pc.equal(s, ""), pc.is_in(pc.ascii_lower(s), value_set=pa.array(_EMPTY_WORDS)))
    empty = empty.to_numpy(zero_copy_only=False)
    out = np.full(len(arr), np.nan)
    values = s.filter(pa.array(~empty))
    if len(values) == 0:
        return out
    if pc.any(pc.match_substring(values, ",")).as_py():
        return None
    if decimal is None and delimiter != EXCEL:
        has_dot = pc.match_substring(values, ".")
        first = pc.index(has_dot, True).as_py()
        if first >= 0 and _THOUSANDS_DOT.match(values[first].as_py()):  # the first dotted value looks like 1.234
            if pc.all(pc.match_substring_regex(values.filter(has_dot), _THOUSANDS_DOT.pattern)).as_py():
                return None  # all do: warned or refused cell by cell
    if not pc.all(pc.match_substring_regex(values, _PLAIN_POINT)).as_py():
        return None
    num = np.asarray(pd.to_numeric(values.to_numpy(zero_copy_only=False), errors="coerce"), dtype=float)
    if np.isnan(num).any():
        return None
    out[~empty] = num
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


#: What :func:`iso_utc_seconds` reads column-wise: an ISO 8601 UTC instant to the second or finer.
_ISO_UTC = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)?$"


def iso_utc_seconds(cells) -> np.ndarray | None:
    """UTC epoch seconds (int64, fractions dropped) of ISO 8601 instants ``YYYY-MM-DDTHH:MM:SS[.f][Z|+00:00]``
    (``T`` or a space) of the years 1970–2200, read column-wise; None when any cell is written
    otherwise or is not a real date and time (the caller then parses cell by cell with pandas, as before).

    The same seconds as ``pd.to_datetime(cells, utc=True, format="ISO8601")`` truncated to the second.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not is_arrow(cells) and len(cells) < 1000:
        return None  # small columns: not worth the conversion
    arr = as_arrow(cells)
    if len(arr) == 0 or arr.null_count or not pc.all(pc.match_substring_regex(arr, _ISO_UTC)).as_py():
        return None
    head = pc.utf8_slice_codeunits(arr, 0, 19).cast(pa.large_string())
    offsets = np.frombuffer(head.buffers()[1], dtype=np.int64)[head.offset:head.offset + len(head) + 1]
    if not np.all(np.diff(offsets) == 19):
        return None
    raw = np.frombuffer(head.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]].reshape(-1, 19)
    digits = (raw - 48).T.copy()  # one row per character position (the pattern put digits where they are read)

    def field(a: int, b: int) -> np.ndarray:
        out = digits[a].astype(np.int64)
        for k in range(a + 1, b):
            out = out * 10 + digits[k]
        return out

    year, month, day = field(0, 4), field(5, 7), field(8, 10)
    hour, minute, second = field(11, 13), field(14, 16), field(17, 19)
    if not (np.all((year >= 1970) & (year <= 2200) & (month >= 1) & (month <= 12) & (day >= 1))
            and np.all((hour <= 23) & (minute <= 59) & (second <= 59))):
        return None
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    first_day = months.astype("datetime64[D]").astype(np.int64)
    month_days = (months + 1).astype("datetime64[D]").astype(np.int64) - first_day
    if not np.all(day <= month_days):
        return None
    return (first_day + day - 1) * 86400 + hour * 3600 + minute * 60 + second


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
    # one separator before the hour, not a run of them: "([ T,]+)" backtracks over a long run of commas at
    # every position of it (quadratic: 20 000 commas took 3 s) and puts the zero in the same place
    return s.str.replace(r"([ T,])(\d)([:.])", r"\g<1>0\2\3", regex=True)


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
