"""A member's own measurements as a load *shape* (e.g. one week of Chain 2), to be scaled to bills or a total.

* Data covering at least :data:`FULL_YEAR_DAYS` days: the hourly year itself (completed as in
  :mod:`cer_core.io.hourly`) is the shape.
* Shorter data: the measured typical week — mean of each day type (working day, Saturday,
  Sunday/holiday) and local hour — repeated over the year, times the monthly factors of the member's
  category profile (a week says nothing about seasons).

The shape sums to 1 over the year; the caller scales it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

from ..errors import error, render_pair
from ..timeaxis import n_hours
from .hourly import extend_with_typical_week, hourly_sums, place_in_year
from .model import warning_dict

FULL_YEAR_DAYS = 300
#: The content behind each digest the cache below is keyed on (bounded: at most the cache's size).
_FILES: dict[bytes, bytes] = {}
_MAX_FILES = 64


def _read_workspace_file(ws, path: str, where: str) -> bytes:
    try:
        return ws.read_file(path)
    except (FileNotFoundError, ValueError, OSError):
        raise error(where, "problems.file.missing.2", "file.missing", path=path)


@lru_cache(maxsize=64)
def _shape_cached(digest: bytes, name: str, year: int, factors: tuple | None, include_4_october: bool,
                  contract_kw: float | None) -> tuple[np.ndarray, dict]:
    from . import read_meter_files

    data = _FILES[digest]
    result = read_meter_files([(name, data)], contract_kw=contract_kw, include_4_october=include_4_october)
    if len(result.series) != 1:
        raise error(name, "problems.file.several_pods.3", "file.several_pods", n_series=len(result.series))
    series = result.series[0]
    hours, kwh, q = hourly_sums(series.start_s, series.kwh_import, series.quality, series.interval_min)
    days = len(hours) / 24
    if days >= FULL_YEAR_DAYS:
        values, _q, _f = place_in_year(year, hours, kwh, q, None if factors is None else np.asarray(factors),
                                       include_4_october)
        method = "measured_year"
    else:
        values = extend_with_typical_week(year, hours, kwh, np.ones(n_hours(year), dtype=bool),
                                          None if factors is None else np.asarray(factors), include_4_october)
        method = "typical_week"
    total = values.sum()
    if total <= 0:
        raise error(name, "problems.load.shape_zero", "load.shape_zero")
    shape = values / total
    shape.flags.writeable = False
    warnings = [warning_dict(w) for w in result.warnings]
    if method == "typical_week":
        it, en = render_pair("problems.load.shape_typical_week", days=days)
        warnings.append({"it": f"{name}: {it}", "en": f"{name}: {en}", "code": "load.shape_typical_week"})
    meta = {"path": name, "format": series.report.get("format"), "days": round(days, 1), "method": method,
            "warnings": warnings}
    return shape, meta


def measured_shape_from_bytes(data: bytes, name: str, year: int, factors: tuple | None = None,
                              include_4_october: bool = True, contract_kw: float | None = None) -> tuple[np.ndarray, dict]:
    """Hourly shape (sum 1, read-only) of ``year`` from a measured file's bytes, and a report.

    Parameters
    ----------
    data, name : bytes, str
        A meter file of any supported format.
    year : int
    factors : tuple of 12 floats, optional
        Monthly factors of the category profile (used when the data are shorter than a year).
    include_4_october : bool
    contract_kw : float, optional
        For the plausibility check of the file.
    """
    digest = hashlib.blake2b(data, digest_size=16).digest()
    _FILES.pop(digest, None)
    _FILES[digest] = data
    while len(_FILES) > _MAX_FILES:
        _FILES.pop(next(iter(_FILES)))
    shape, meta = _shape_cached(digest, name, year, None if factors is None else tuple(round(f, 9) for f in factors),
                                include_4_october, None if contract_kw is None else float(contract_kw))
    return shape, {**meta, "warnings": list(meta["warnings"])}


def measured_shape(ws, path: str, year: int, factors: tuple | None = None, include_4_october: bool = True,
                   contract_kw: float | None = None) -> tuple[np.ndarray, dict]:
    """:func:`measured_shape_from_bytes` for a file of the workspace ``ws``."""
    return measured_shape_from_bytes(_read_workspace_file(ws, path, path), path, year, factors, include_4_october,
                                     contract_kw)
