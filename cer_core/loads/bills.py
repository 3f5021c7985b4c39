"""Bills → an hourly year that gives every bill's band totals back (``docs/formats.md`` §4).

Pure: bills in (:class:`cer_core.io.bills.Bill`, read from a file by :func:`cer_core.io.bills.read_bills`
or from the scenario by :func:`parse_bills`), hours out. The scenario adapter is
:func:`cer_core.loads.member_load.bills_load`.

A bill covers a period (monthly, bimonthly or any other, from ``start`` to ``end`` inclusive, local
dates) with F1/F2/F3, F1/F23 or a single total [kWh]. For each bill *p* and band group *b*, the
energy is spread over the group's hours with the member's shape *s* (a standard profile or the
member's own measured shape)::

    E_h = E_pb · s_h / Σ_{h' ∈ (p, b)} s_h'

so the shape only redistributes energy inside a band and every bill's band totals come back to
rounding (checked to 0.001 kWh in the report). When the shape has no energy in a group that the bill
bills (say F1 for public lighting), the group's energy is spread evenly over its hours, with a
warning.

* Periods may not overlap (refused naming both bills); gaps are reported.
* Negative values (a *conguaglio*) only on bills flagged ``adjustment``: an adjustment bill's energy
  is added on top of the hours of its period in proportion to the values already there, and may not
  take any hour below zero.
* ``estimated`` bills flag their hours ``estimated``.
* Hours of the simulated year no bill covers: first bills of other years, 52 weeks apart (same
  weekday, see :mod:`cer_core.io.hourly`); then the shape calibrated on the bills (Σ billed energy /
  Σ shape over the billed hours) — flagged ``extended`` and said in a warning.
* Plausibility: the average power over a band's hours may not exceed the available power (refused);
  households outside 500–8000 kWh/yr or with F1 outside 25–45 % get a warning; band values and a
  stated total that differ by more than 1 % get a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..bands import band_of_hour
from ..errors import CerInputError, Problem, ProblemList, error
from ..io.bills import BANDS_1, BANDS_2, BANDS_3, Bill, parse_date
from ..io.hourly import hourly_report, place_in_year
from ..io.model import ESTIMATED, MEASURED
from ..io.summary import available_kw
from ..timeaxis import hours_utc, n_hours

_GROUP_LUT = {BANDS_3: np.array([0, 0, 1, 2]), BANDS_2: np.array([0, 0, 1, 1]), BANDS_1: np.array([0, 0, 0, 0])}
_GROUP_NAMES = {BANDS_3: ("F1", "F2", "F3"), BANDS_2: ("F1", "F23"), BANDS_1: ("totale",)}
TOTAL_MISMATCH_PCT = 1.0
#: A bill period longer than this [days] is probably a typo in a date (warning; adjustments exempt).
MAX_BILL_DAYS = 366
HOUSEHOLD_KWH_RANGE = (500.0, 8000.0)
HOUSEHOLD_F1_PCT_RANGE = (25.0, 45.0)


# --- the scenario's bills ----------------------------------------------------------------------------

def parse_bills(items: list[dict], where: str) -> list[Bill]:
    """Bills from the scenario's ``load.bills`` list (``{start, end, f1_kwh, …}``).

    Raises
    ------
    CerInputError
        Every bad bill, located at ``where[i].field``.
    """
    problems = ProblemList()
    bills = []
    for i, item in enumerate(items):
        w = f"{where}[{i}]"
        start = parse_date(item.get("start"), w, "start", problems)
        end = parse_date(item.get("end"), w, "end", problems)
        if start is None or end is None:
            continue
        nums = {k: (None if item.get(k) is None else float(item[k]))
                for k in ("f1_kwh", "f2_kwh", "f3_kwh", "f23_kwh", "total_kwh")}
        bills.append(Bill(start=start, end=end, estimated=bool(item.get("estimated", False)),
                          adjustment=bool(item.get("adjustment", False)), where=w, **nums))
    problems.raise_if_errors()
    return bills


def _blank(v) -> bool:
    return v is None or (isinstance(v, (float, np.floating)) and np.isnan(v))


def bills_from_grid(year: int, grid, kind: str = BANDS_3, estimated=None) -> list[dict]:
    """Scenario bills (``load.bills``) from the studio's 12-month grid.

    Parameters
    ----------
    year : int
    grid : sequence of 12 rows
        kWh per month: ``(F1, F2, F3)``, ``(F1, F23)`` or ``(total,)`` according to ``kind``; a row of
        None (or NaN) is a month without a bill; in a row with some values, a blank cell (None or
        NaN alike) is 0 kWh.
    kind : {"F1/F2/F3", "F1/F23", "F0"}
    estimated : sequence of 12 bool, optional

    Returns
    -------
    list of dict
        ``{start, end, f1_kwh, …}`` ready for the scenario JSON.
    """
    keys = {BANDS_3: ("f1_kwh", "f2_kwh", "f3_kwh"), BANDS_2: ("f1_kwh", "f23_kwh"), BANDS_1: ("total_kwh",)}[kind]
    out = []
    for m, row in enumerate(grid, start=1):
        vals = list(row) if isinstance(row, (list, tuple, np.ndarray)) else [row]
        if all(_blank(v) for v in vals):
            continue
        start = dt.date(year, m, 1)
        end = dt.date(year + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
        bill = {"start": start.isoformat(), "end": end.isoformat()}
        bill.update({k: 0.0 if _blank(v) else float(v) for k, v in zip(keys, vals)})
        if estimated is not None and estimated[m - 1]:
            bill["estimated"] = True
        out.append(bill)
    return out


# --- validation ---------------------------------------------------------------------------------------

def check_bills(bills: list[Bill], *, household: bool = False) -> tuple[list[Problem], list[Problem], list[dict]]:
    """Errors, warnings and gaps of a set of bills (see the module docstring)."""
    errors, warnings = ProblemList(), ProblemList()
    for b in bills:
        if b.end < b.start:
            errors.add(b.where, "problems.bills.period", code="bills.period", b_label=b.label())
        elif b.days > MAX_BILL_DAYS and not b.adjustment:
            warnings.add(b.where, "problems.bills.long_period", code="bills.long_period", b_label=b.label(),
                         days=b.days)
        if b.kind == BANDS_1 and b.total_kwh is None:
            errors.add(b.where, "problems.bills.energy", code="bills.energy")
            continue
        if not all(np.isfinite(e) for e in b.energies):
            errors.add(b.where, "problems.bills.energy.2", code="bills.energy", b_label=b.label(),
                       energies=', '.join(f'{e:g}' for e in b.energies))
            continue
        partial = [k for k in ("f1_kwh", "f2_kwh", "f3_kwh", "f23_kwh") if getattr(b, k) is not None]
        if b.kind == BANDS_1 and partial:
            warnings.add(b.where, "problems.bills.partial_bands", code="bills.partial_bands", b_label=b.label(),
                         partial=', '.join(partial), total_kwh=b.total_kwh)
        if not b.adjustment and any(e < 0 for e in b.energies):
            errors.add(b.where, "problems.bills.negative", code="bills.negative", b_label=b.label(),
                       min_energies=min(b.energies))
        if b.kind != BANDS_1 and b.total_kwh is not None and b.total_kwh:
            diff = abs(b.total - b.total_kwh) / abs(b.total_kwh) * 100
            if diff > TOTAL_MISMATCH_PCT:
                warnings.add(b.where, "problems.bills.total_mismatch", code="bills.total_mismatch", b_label=b.label(),
                             total=b.total, total_kwh=b.total_kwh, diff=diff)
    regular = sorted([b for b in bills if not b.adjustment and b.end >= b.start], key=lambda b: b.start)
    gaps = []
    for a, b in zip(regular, regular[1:]):
        if b.start <= a.end:
            errors.add(b.where, "problems.bills.overlap", code="bills.overlap", b_label=b.label(), a_label=a.label(),
                       where_=a.where)
        elif (b.start - a.end).days > 1:
            gap = {"from": (a.end + dt.timedelta(days=1)).isoformat(), "to": (b.start - dt.timedelta(days=1)).isoformat(),
                   "days": (b.start - a.end).days - 1}
            gaps.append(gap)
            warnings.add(b.where, "problems.bills.gap", code="bills.gap", end=a.end + dt.timedelta(days=1),
                         start=b.start - dt.timedelta(days=1), days=gap['days'])
    if household and regular:
        days = sum(b.days for b in regular)
        annual = sum(b.total for b in regular) * 365.0 / days
        lo, hi = HOUSEHOLD_KWH_RANGE
        if not lo <= annual <= hi:
            warnings.add(regular[0].where, "problems.bills.household_annual", code="bills.household_annual",
                         annual=annual, lo=lo, hi=hi)
        banded = [b for b in regular if b.kind != BANDS_1]
        tot = sum(b.total for b in banded)
        if banded and tot > 0:
            f1 = 100 * sum(b.f1_kwh for b in banded) / tot
            if not HOUSEHOLD_F1_PCT_RANGE[0] <= f1 <= HOUSEHOLD_F1_PCT_RANGE[1]:
                warnings.add(banded[0].where, "problems.bills.household_f1", code="bills.household_f1", f1=f1)
    return errors.items, warnings.items, gaps


# --- bills → hours ------------------------------------------------------------------------------------

@dataclass
class BillsHourly:
    """The hourly year from bills, with quality flags, report and warnings."""

    kwh: np.ndarray
    quality: np.ndarray
    report: dict
    warnings: list[Problem]


def _axis(years: range):
    starts = np.concatenate([hours_utc(y).as_unit("s").asi8 for y in years])
    return starts


def _midnight_s(day: dt.date) -> int:
    import pandas as pd

    return int(pd.Timestamp(day).tz_localize("Europe/Rome").tz_convert("UTC").value // 10**9)


def bills_to_hourly(bills: list[Bill], year: int, shape_for_year, *, include_4_october: bool = True,
                    contract_kw: float | None = None, household: bool = False) -> BillsHourly:
    """Spread bills over the hours of ``year`` (see the module docstring).

    Parameters
    ----------
    bills : list of Bill
    year : int
        Simulated year.
    shape_for_year : callable
        ``shape_for_year(y)`` → hourly shape of year ``y`` (any positive scale), for every year a bill
        touches.
    include_4_october : bool
    contract_kw : float, optional
        Refuse bills whose average power in a band exceeds the available power.
    household : bool
        Household plausibility warnings.

    Raises
    ------
    CerInputError
        Overlaps, negative values without adjustment, impossible energies, a band with energy but no
        hours in the period.
    """
    errors, warnings, gaps = check_bills(bills, household=household)
    if errors:
        raise CerInputError(errors)
    if not bills:
        raise error("", "problems.bills.empty.2", "bills.empty")
    y0 = min(year, min(b.start.year for b in bills))
    y1 = max(year, max(b.end.year for b in bills))
    years = range(y0, y1 + 1)
    axis = _axis(years)
    shape = np.concatenate([np.asarray(shape_for_year(y), dtype=float) for y in years])
    band = np.concatenate([band_of_hour(y, include_4_october) for y in years]).astype(np.int64)
    n_groups = 3 * len(bills)
    gid = np.full(len(axis), -1, dtype=np.int64)
    energy = np.zeros(n_groups)
    qual = np.full(len(axis), MEASURED, dtype=np.int8)
    spans = []
    for k, b in enumerate(bills):
        h0 = int(np.searchsorted(axis, _midnight_s(b.start)))
        h1 = int(np.searchsorted(axis, _midnight_s(b.end + dt.timedelta(days=1))))
        spans.append((h0, h1))
        for g, e in enumerate(b.energies):
            energy[3 * k + g] = e
        if not b.adjustment:
            gid[h0:h1] = 3 * k + _GROUP_LUT[b.kind][band[h0:h1]]
            if b.estimated:
                qual[h0:h1] = ESTIMATED
    values = np.full(len(axis), np.nan)
    _spread(values, gid, energy, shape, bills, band, spans, warnings, contract_kw)
    spread = values.copy()  # before adjustments: what each regular bill's bands got
    added = {}  # what each adjustment added to the hours of its period
    for k, b in enumerate(bills):
        if b.adjustment:
            before = np.nan_to_num(values)
            _apply_adjustment(values, k, b, band, spans[k], energy, shape)
            added[k] = np.nan_to_num(values) - before
    # the simulated year
    base = int(hours_utc(year)[0].value // 10**9)
    sel = ~np.isnan(values)
    year_shape = np.asarray(shape_for_year(year), dtype=float)
    billed_in_year = (axis >= base) & (axis < base + n_hours(year) * 3600) & sel

    def calibrated(out, missing):
        known = ~np.isnan(out) & ~missing
        s = year_shape[known].sum()
        factor = out[known].sum() / s if s > 0 else (values[sel].sum() / shape[sel].sum() if shape[sel].sum() else 0.0)
        return factor * year_shape[missing]

    kwh, q, facts = place_in_year(year, axis[sel], values[sel], qual[sel], include_4_october=include_4_october,
                                  fallback=calibrated)
    if facts["hours_other_years"]:
        warnings.append(Problem("", "problems.bills.other_year", "warning", "bills.other_year",
                                values={"hours_other_years": facts['hours_other_years'] / 24, "year": year}))
    if facts["hours_typical_week"]:
        warnings.append(Problem("", "problems.bills.extended", "warning", "bills.extended",
                                values={"hours_typical_week": facts['hours_typical_week'] / 24, "year": year}))
    report = hourly_report(year, kwh, q, include_4_october)
    report["bills"] = _bills_report(bills, spread, added, spans, band)
    report["gaps"] = gaps
    report["days_billed_in_year"] = round(int(billed_in_year.sum()) / 24, 1)
    report["hours_from_other_years"] = facts["hours_other_years"]
    report["hours_extended"] = facts["hours_typical_week"]
    return BillsHourly(kwh=kwh, quality=q, report=report, warnings=warnings)


def _spread(values, gid, energy, shape, bills, band, spans, warnings, contract_kw):
    """Fill ``values`` with each regular bill's group energy spread with the shape (exact totals)."""
    ok = gid >= 0
    n_groups = len(energy)
    s_sum = np.bincount(gid[ok], weights=shape[ok], minlength=n_groups)
    count = np.bincount(gid[ok], minlength=n_groups)
    flat_groups = (s_sum <= 0) & (count > 0) & (energy != 0)
    problems = ProblemList()
    for g in np.flatnonzero(energy != 0):
        k, j = divmod(int(g), 3)
        b = bills[k]
        if b.adjustment:
            continue
        name = _GROUP_NAMES[b.kind][j]
        if count[g] == 0:
            problems.add(b.where, "problems.bills.no_hours", code="bills.no_hours", b_label=b.label(),
                         energy=energy[g], name=name)
            continue
        if contract_kw and energy[g] / count[g] > available_kw(contract_kw):
            problems.add(b.where, "problems.bills.implausible", code="bills.implausible", b_label=b.label(),
                         energy=energy[g], name=name, count=count[g], energy_2=energy[g] / count[g],
                         available_kw=available_kw(contract_kw))
        if flat_groups[g]:
            warnings.append(Problem(b.where, "problems.bills.flat_band", "warning", "bills.flat_band",
                                    values={"b_label": b.label(), "name": name, "energy": energy[g]}))
    problems.raise_if_errors()
    weight = np.where(flat_groups[np.maximum(gid, 0)], 1.0, shape)
    w_sum = np.bincount(gid[ok], weights=weight[ok], minlength=n_groups)
    values[ok] = energy[gid[ok]] * weight[ok] / np.where(w_sum[gid[ok]] > 0, w_sum[gid[ok]], 1.0)


def _apply_adjustment(values, k, b, band, span, energy, shape):
    h0, h1 = span
    lut = _GROUP_LUT[b.kind]
    for j, e in enumerate(b.energies):
        hours = np.arange(h0, h1)[lut[band[h0:h1]] == j]
        if e == 0:
            continue
        if not len(hours):
            name = _GROUP_NAMES[b.kind][j]
            raise error(b.where, "problems.bills.no_hours.2", "bills.no_hours", b_label=b.label(), e=e, name=name)
        current = np.nan_to_num(values[hours])
        w = current if current.sum() > 0 else shape[hours]
        w_sum = w.sum() if w.sum() > 0 else len(hours)
        w = w if w.sum() > 0 else np.ones(len(hours))
        new = current + e * w / w_sum
        if new.min() < -1e-9:
            raise error(b.where, "problems.bills.adjustment_too_large", "bills.adjustment_too_large",
                        b_label=b.label(), e=e, group_names=_GROUP_NAMES[b.kind][j], current_sum=current.sum())
        values[hours] = np.maximum(new, 0.0)


def _bills_report(bills, spread, added, spans, band) -> list[dict]:
    """Each bill's band energies and what the hours got: a regular bill from its own spread (before any
    adjustment), an adjustment bill what it added to the hours of its period."""
    out = []
    for k, b in enumerate(bills):
        names = _GROUP_NAMES[b.kind]
        got = {}
        h0, h1 = spans[k]
        lut = _GROUP_LUT[b.kind]
        for j, name in enumerate(names):
            hours = np.arange(h0, h1)[lut[band[h0:h1]] == j]
            if b.adjustment:
                got[name] = round(float(added[k][hours].sum()), 4)
            else:
                got[name] = round(float(np.nansum(spread[hours])), 4)
        out.append({"where": b.where, "from": b.start.isoformat(), "to": b.end.isoformat(), "kind": b.kind,
                    "kwh": dict(zip(names, (float(e) for e in b.energies))), "spread_kwh": got,
                    "estimated": b.estimated, "adjustment": b.adjustment})
    return out
