"""The scenario's own hourly series file: ``timestamp,<value>`` with ISO 8601 local timestamps.

One row per local hour of the simulated year, each timestamp carrying its UTC offset
(``2024-03-31T03:00:00+02:00``), so the March day has 23 rows and the October day 25 with no
ambiguity. The value column is ``kwh`` for energy series and ``eur_mwh`` for price series.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ..errors import error, excerpt
from ..limits import MAX_HOURLY_CSV_BYTES, MAX_HOURLY_KWH, MAX_PRICE_EUR_MWH
from ..timeaxis import hours_utc, iso_local_labels

#: Largest absolute value of each value column (units: kWh per hour, €/MWh), see docs/limits.md.
VALUE_BOUNDS = {"kwh": MAX_HOURLY_KWH, "eur_mwh": MAX_PRICE_EUR_MWH}


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise error(name, "problems.file.binary", "file.binary")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise error(name, "problems.file.encoding", "file.encoding")


def read_hourly_csv(data: bytes, name: str, year: int, value_column: str = "kwh",
                    allow_negative: bool = False) -> np.ndarray:
    """Read an hourly ``timestamp,<value_column>`` CSV covering exactly the local hours of ``year``.

    Parameters
    ----------
    data : bytes
        File content.
    name : str
        File name for messages.
    year : int
        Simulated year; the file must hold each of its 8760/8784 local hours once.
    value_column : str
        ``"kwh"`` [kWh per hour] or ``"eur_mwh"`` [€/MWh].
    allow_negative : bool
        Prices may be negative; energies may not.

    Returns
    -------
    numpy.ndarray
        float64, one value per hour of the year, in the order of :func:`cer_core.timeaxis.hours_utc`.

    Raises
    ------
    CerInputError
        Naming the file, the line and what was expected.
    """
    if len(data) > MAX_HOURLY_CSV_BYTES:  # before decoding or parsing anything
        raise error(name, "problems.file.too_large", "file.too_large", n_data=len(data) / 2**20,
                    max_hourly_csv_bytes=MAX_HOURLY_CSV_BYTES / 2**20)
    text = _decode(data, name)
    if not text.strip():
        raise error(name, "problems.file.empty.6", "file.empty")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise error(name, "problems.file.csv", "file.csv", exc=excerpt(exc))
    # the file's line of each data row (pandas skips blank lines, so the row index alone is not the line)
    numbers = [k + 1 for k, ln in enumerate(text.splitlines()) if ln.strip()][1:]

    def at(i: int) -> str:
        return f"{name}:{numbers[i] if i < len(numbers) else i + 2}"

    cols = [c.strip().lower() for c in frame.columns]
    frame.columns = cols
    if "timestamp" not in cols or value_column not in cols:
        raise error(f"{name}:1", "problems.file.header.3", "file.header", cols=','.join(cols),
                    value_column=value_column)
    expected = hours_utc(year)
    stamps = pd.to_datetime(frame["timestamp"].str.strip(), errors="coerce", utc=True, format="ISO8601")
    bad = stamps.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        shown = excerpt(frame['timestamp'].iloc[i], 40)
        raise error(at(i), "problems.file.timestamp.4", "file.timestamp", shown=shown, year_0=iso_local_labels(year)[0])
    raw = frame[value_column].str.strip().str.replace(",", ".", regex=False)
    values = pd.to_numeric(raw, errors="coerce")
    nan = values.isna().to_numpy()
    if nan.any():
        i = int(np.argmax(nan))
        shown = excerpt(frame[value_column].iloc[i], 40)
        raise error(at(i), "problems.file.number", "file.number", value_column=value_column, shown=shown)
    bound = VALUE_BOUNDS.get(value_column, MAX_HOURLY_KWH)
    huge = ~(values.abs() <= bound).to_numpy()  # also 1e309 (read as inf) and 400-digit numbers
    if huge.any():
        i = int(np.argmax(huge))
        shown = excerpt(frame[value_column].iloc[i], 40)
        raise error(at(i), "problems.file.out_of_range", "file.out_of_range", value_column=value_column, shown=shown,
                    bound=bound)
    if not allow_negative and (values < 0).any():
        i = int(np.argmax((values < 0).to_numpy()))
        raise error(at(i), "problems.file.negative.3", "file.negative", values_=values.iloc[i])
    dup = stamps.duplicated().to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        raise error(at(i), "problems.file.duplicate", "file.duplicate", timestamp=frame['timestamp'].iloc[i])
    series = pd.Series(values.to_numpy(dtype=float), index=pd.DatetimeIndex(stamps))
    outside = ~series.index.isin(expected)
    if outside.any():
        i = int(np.argmax(outside))
        raise error(at(i), "problems.file.outside_year", "file.outside_year", timestamp=frame['timestamp'].iloc[i],
                    year=year, n_expected=len(expected))
    if len(series) != len(expected):
        missing = expected.difference(series.index)
        first = iso_local_labels(year)[expected.get_loc(missing[0])] if len(missing) else "?"
        raise error(name, "problems.file.length.2", "file.length", n_series=len(series), n_expected=len(expected),
                    n_missing=len(missing), first=first, year=year)
    return series.reindex(expected).to_numpy(dtype=float)


def write_hourly_csv(values: np.ndarray, year: int, value_column: str = "kwh", decimals: int = 4) -> bytes:
    """The inverse of :func:`read_hourly_csv`: ``timestamp,<value_column>`` for the hours of ``year``."""
    labels = iso_local_labels(year)
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} values for {len(labels)} hours")
    fmt = f"{{:.{decimals}f}}"
    lines = [f"timestamp,{value_column}"] + [f"{t},{fmt.format(v)}" for t, v in zip(labels, values)]
    return ("\n".join(lines) + "\n").encode()
