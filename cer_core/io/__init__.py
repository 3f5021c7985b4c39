"""Readers of the series users bring: one module per source format, auto-detected.

Entry points
------------
:func:`read_meter_files`
    Any number of uploads (CSV, XLSX, JSON lines, ZIP) → :class:`ImportResult`: one regular series
    per POD (UTC interval starts, kWh import/export, quality flags) and a report per series.
:func:`to_hourly_year`
    An import → the hourly year of the simulation (:class:`HourlyYear`).
:func:`read_load_file`
    One file → hourly kWh of a year plus a JSON-ready report (what :mod:`cer_core.loads.member_load` uses).
:func:`read_hourly_series`
    The same, values only (the interface production and loads call).

The scenario's own ``timestamp,kwh`` file keeps its strict reader (:mod:`.hourly_csv`): every hour of
the simulated year exactly once, nothing filled or extended.
"""

from __future__ import annotations

import copy
import hashlib
import threading

import numpy as np
from cachetools import LRUCache

from ..errors import error
from .combine import group_by_pod, merge_chunks
from .detect import read_document
from .hourly import HourlyYear, best_year, hourly_report, pick_series, to_hourly_year
from .hourly_csv import read_hourly_csv, write_hourly_csv
from .model import (ESTIMATED, EXTENDED, FILLED, MEASURED, QUALITY_NAMES, ImportResult, MeterSeries,
                    warning_dict)
from .source import MAX_UPLOAD_BYTES, open_documents
from .summary import check_plausible, series_report

__all__ = ["read_meter_files", "to_hourly_year", "read_load_file", "read_hourly_series", "read_hourly_csv",
           "write_hourly_csv", "ImportResult", "MeterSeries", "HourlyYear", "best_year", "hourly_report",
           "MAX_UPLOAD_BYTES", "MEASURED", "ESTIMATED", "FILLED", "EXTENDED", "QUALITY_NAMES",
           "is_scenario_hourly_csv"]


def read_meter_files(files: list[tuple[str, bytes]], *, contract_kw: float | None = None, fill: bool = True,
                     include_4_october: bool = True, options: dict | None = None, **generic_options) -> ImportResult:
    """Read meter exports of any supported format (several at once) into one series per POD.

    Parameters
    ----------
    files : list of (name, bytes)
        In upload order: on duplicate instants with different values the later file wins.
    contract_kw : float, optional
        Contracted power [kW] for the plausibility check (interval kWh ≤ 1.2 × available kW × h).
    fill : bool
        Fill gaps inside the covered period (flagged ``filled``); else leave NaN.
    include_4_october : bool
        Band calendar switch for the F1/F2/F3 split of the report.
    options : dict, optional
        For generic files: ``time_column``, ``value_column``, ``export_column``, ``unit``
        (kwh|kw|wh|w), ``stamp`` (start|end). They may also be given as keyword arguments.

    Returns
    -------
    ImportResult

    Raises
    ------
    CerInputError
        Naming the file, the line or day, and what was expected (it/en).
    """
    if not files:
        raise error("", "problems.file.none", "file.none")
    options = {**(options or {}), **generic_options}
    unknown = set(options) - {"time_column", "value_column", "export_column", "unit", "stamp"}
    if unknown:
        raise TypeError(f"unknown options: {', '.join(sorted(unknown))}")
    chunks, warnings, info = [], [], []
    for name, data in files:
        for doc in open_documents(data, name):
            got, w, fmt = read_document(doc, options)
            chunks.extend(got)
            warnings.extend(w)
            info.append({"name": doc.name, "format": fmt, "pods": list(dict.fromkeys(c.pod for c in got if c.pod))})
    if not chunks or all(len(c.start_s) == 0 for c in chunks):
        raise error(", ".join(f["name"] for f in info), "problems.file.empty", "file.empty")
    series = []
    for pod, group in group_by_pod([c for c in chunks if len(c.start_s)]).items():
        s, w, facts = merge_chunks(pod, group, fill)
        merged_info: dict = {}
        for c in group:
            merged_info.update(c.info)
        check_plausible(s, contract_kw)
        s.report = series_report(s, facts, merged_info, include_4_october)
        warnings.extend(w)
        series.append(s)
    return ImportResult(series=series, warnings=warnings, files=info)


def is_scenario_hourly_csv(data: bytes) -> bool:
    """True for the scenario's own ``timestamp,kwh`` (or ``timestamp,eur_mwh``) file."""
    head = data[:200].lstrip(b"\xef\xbb\xbf").lstrip().split(b"\n", 1)[0].strip().lower().replace(b" ", b"")
    return head in (b"timestamp,kwh", b"timestamp,eur_mwh")


#: Files read, by content and options (least recently used dropped first); shared by the studio's sessions.
_CACHE_SIZE = 64
_CACHE: LRUCache = LRUCache(maxsize=_CACHE_SIZE)
_CACHE_LOCK = threading.Lock()


def read_load_file(data: bytes, name: str, year: int, kind: str = "load", *, contract_kw: float | None = None,
                   pod: str | None = None, monthly_factors: tuple | None = None,
                   include_4_october: bool = True) -> tuple[np.ndarray, dict]:
    """Hourly kWh of ``year`` from one file of any supported format, and a JSON-ready report.

    Parameters
    ----------
    data, name : bytes, str
        The file and its name (messages, format detection).
    year : int
        Simulated year.
    kind : {"load", "production"}
        A load takes the withdrawals; a production series takes the injections when the file has them
        (a producer's meter), else its only value column.
    contract_kw : float, optional
        For the plausibility check.
    pod : str, optional
        Which POD when the file holds several.
    monthly_factors : tuple of 12 floats, optional
        Seasonality used to extend a partial year (see :mod:`cer_core.io.hourly`).
    include_4_october : bool

    Returns
    -------
    (numpy.ndarray, dict)
        kWh per local hour of ``year`` (read-only, cached by content) and the report with
        ``format``, ``warnings`` ([{it, en, code, where}]) and the import essentials.
    """
    key = (hashlib.blake2b(data, digest_size=16).digest(), name, year, kind, contract_kw, pod, monthly_factors,
           include_4_october)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        kwh, meta = hit
        return kwh, copy.deepcopy(meta)
    if is_scenario_hourly_csv(data):
        kwh = read_hourly_csv(data, name, year, "kwh")
        meta = {"format": "hourly_csv", "warnings": [], **hourly_report(year, kwh)}
    else:
        result = read_meter_files([(name, data)], contract_kw=contract_kw, include_4_october=include_4_october)
        chosen = pick_series(result, pod)
        direction = "import"
        if kind == "production" and chosen.kwh_export is not None and np.nansum(chosen.kwh_export) > 0:
            direction = "export"
        hourly = to_hourly_year(chosen, year, direction=direction,
                                monthly_factors=None if monthly_factors is None else np.asarray(monthly_factors),
                                include_4_october=include_4_october)
        warnings = list(result.warnings) + list(hourly.warnings)
        kwh = hourly.kwh
        src = chosen.report
        meta = {"format": src.get("format"), "format_it": src.get("format_it"), "format_en": src.get("format_en"),
                "pod": chosen.pod, "direction": direction,
                "import": {k: src.get(k) for k in ("period", "interval_min", "intervals", "measured", "estimated",
                                                   "filled", "missing", "longest_gap_h", "duplicates_equal",
                                                   "duplicates_different", "total_kwh", "annual_kwh", "peak_kw",
                                                   "unit", "unit_assumed") if k in src},
                **{k: v for k, v in hourly.report.items() if k not in ("source", "pod")},
                "warnings": [warning_dict(w) for w in warnings]}
    kwh = np.asarray(kwh, dtype=float)
    kwh.flags.writeable = False
    with _CACHE_LOCK:
        _CACHE[key] = (kwh, meta)
    return kwh, copy.deepcopy(meta)


def read_hourly_series(data: bytes, name: str, year: int, kind: str = "load") -> np.ndarray:
    """Hourly kWh of ``year`` from a series file of any supported format.

    Parameters
    ----------
    data : bytes
        File content.
    name : str
        File name (for messages and format detection).
    year : int
        Simulated year.
    kind : {"load", "production"}
        What the series is (a load uses withdrawals, a production series the plant's output).

    Returns
    -------
    numpy.ndarray
        kWh per local hour of ``year`` (8760/8784 values), a fresh writable array.
    """
    return read_load_file(data, name, year, kind)[0].copy()
