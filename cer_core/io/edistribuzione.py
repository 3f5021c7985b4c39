"""e-distribuzione customer-area curve: one row per local day, one column per quarter-hour (or hour).

Layout (``docs/formats.md`` §1.1): first column the day (``dd/mm/yyyy``), then 96 columns labelled
``00:00-00:15`` … ``23:45-24:00`` (or 24 hourly columns ``00:00-01:00`` …), kWh per interval, labelled
by clock time. An optional POD column (cells like ``IT001E…``) is recognised anywhere.

Clock-change days (how real files show them is not documented, so every plausible way is accepted):

* March (23 h): the four ``02:xx`` cells empty or zero (dropped, they do not exist); or the 92 values
  written in time order in the first 92 columns with the last four empty (said in a warning); or a
  row of 92 cells. Non-zero values in the non-existent hour, or in repeated-hour columns, are
  dropped with a warning.
* October (25 h): 100 columns (the repeated ``02:xx`` columns marked ``*``/``bis``/``(2)`` or simply
  repeated), a second row for the day holding only the repeated hour, a row of 100 cells in time
  order, or 96 values where ``02:xx`` holds both hours: then the day total is kept and the value is
  split 50/50 over the two UTC hours (``estimated``).

A text row may stop before trailing repeated-hour columns (``02:00-02:15*`` … at the end of a
100-column header): those cells are empty. Any other row length is refused naming the day.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import error
from .localtime import day_lengths_s, midnights_utc
from .model import ESTIMATED, MEASURED, Chunk, warning
from .numbers import Where, parse_dates, parse_numbers
from .source import Table

_LABEL = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?(?:\s*[-–/]\s*(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?)?\s*(.*)$")
_POD = re.compile(r"^IT\d{3}E[0-9A-Z]{6,10}$", re.IGNORECASE)


def _label_start(cell: str) -> tuple[int, bool] | None:
    """(clock start in minutes, marked as repeated) of a header label, or None."""
    m = _LABEL.match(cell.strip())
    if not m:
        return None
    h, mi = int(m.group(1)), int(m.group(2))
    if h > 23 or mi > 59:
        return None
    suffix = m.group(5).strip().lower()
    if suffix and not re.fullmatch(r"[*'’]+|\(?(bis|2|ii|b|r|rip)\)?|\(?2[a°]?\)?", suffix):
        return None
    return h * 60 + mi, bool(suffix)


def time_columns(header: list[str]) -> list[tuple[int, int, bool]]:
    """(column index, clock start [min], repeated) of every time-label cell of a header row."""
    out, seen = [], set()
    for j, cell in enumerate(header):
        lab = _label_start(cell)
        if lab is None:
            continue
        start, marked = lab
        out.append((j, start, marked or start in seen))
        seen.add(start)
    return out


def is_wide_header(header: list[str]) -> bool:
    """At least 90 quarter-hour labels, or 23–25 hourly ones (``docs/formats.md`` §6)."""
    n = len(time_columns(header))
    return n >= 90 or 23 <= n <= 25


def read_wide(table: Table) -> tuple[list[Chunk], list]:
    """Chunks (one per POD) and warnings of an e-distribuzione wide table."""
    name = table.name
    cols = time_columns(table.header)
    step_min = 15 if len(cols) >= 90 else 60
    fmt = "edistribuzione_15" if step_min == 15 else "edistribuzione_60"
    clock = np.array([c[1] for c in cols])
    repeat = np.array([c[2] for c in cols])
    if np.any(clock % step_min):
        raise error(f"{name}:{table.header_line}", "problems.file.header", "file.header", step_min=step_min)
    slots_per_day = 1440 // step_min
    if int((~repeat).sum()) != slots_per_day:
        raise error(f"{name}:{table.header_line}", "problems.file.header.2", "file.header",
                    repeat_sum=int((~repeat).sum()), slots_per_day=slots_per_day)
    rows, lines = table.rows, np.asarray(table.lines)
    if not rows:
        raise error(name, "problems.file.empty.4", "file.empty")
    first_tc, n_cols = cols[0][0], len(table.header)
    date_col = _date_column(table, first_tc)
    pod_col = _pod_column(table)
    days = parse_dates([r[date_col] if date_col < len(r) else "" for r in rows],
                       Where(name, lines, table.header[date_col] or "data"))
    day_len_h = day_lengths_s(days) // 3600
    # value cells: the header's time columns, then any cells beyond the header (rows of 100 in a 96 file)
    width = max(n_cols, max(len(r) for r in rows))
    value_cols = [c[0] for c in cols] + list(range(n_cols, width))
    flat = [r[j] if j < len(r) else "" for r in rows for j in value_cols]
    flat_lines = np.repeat(lines, len(value_cols))
    warnings: list = []
    values = parse_numbers(flat, Where(name, flat_lines, "valori"), table.delimiter, notes=warnings)
    values = values.reshape(len(rows), len(value_cols))
    if (values < 0).any():
        i, j = np.argwhere(values < 0)[0]
        raise error(f"{name}:{lines[i]}", "problems.file.negative", "file.negative", days=_d(days[i]),
                    values_=values[i, j])
    positional = _check_row_lengths(table, rows, lines, days, day_len_h, values, cols, step_min)
    pods = [(r[pod_col].replace(" ", "").upper() if pod_col is not None and pod_col < len(r) else "") for r in rows]
    days, values, pods, lines, day_len_h, positional, clock, repeat = _merge_autumn_rows(
        days, values, pods, lines, day_len_h, positional, clock, repeat)
    start, kwh, qual, row_of = _map_days(name, days, values, day_len_h, positional, clock, repeat, step_min,
                                         lines, warnings)
    pods_arr = np.asarray(pods, dtype=object)[row_of]
    chunks = []
    for pod in dict.fromkeys(pods_arr):
        sel = pods_arr == pod
        chunks.append(Chunk(pod=pod, start_s=start[sel], interval_s=step_min * 60, kwh_import=kwh[sel],
                            kwh_export=None, quality=qual[sel], file=name, format=fmt))
    return chunks, warnings


def _check_row_lengths(table, rows, lines, days, day_len_h, values, cols, step_min) -> np.ndarray:
    """Refuse rows with a wrong number of values; mark rows of 92/100 cells written in time order."""
    n_time = len(cols)
    n_cols = len(table.header)
    slots_per_day = 1440 // step_min
    positional = np.zeros(len(rows), dtype=bool)
    for i, r in enumerate(rows):
        absent = [rep for j, _c, rep in cols if j >= len(r)]  # time columns the row stops before
        if table.excel:
            got = n_time + int(np.sum(~np.isnan(values[i, n_time:])))
        elif absent and all(absent):  # only the repeated-hour columns (at the end) are absent: empty cells
            got = n_time
        elif len(r) < n_cols:
            got = n_time - len(absent)
        else:
            extra = values[i, n_time:]
            got = n_time + (int(np.flatnonzero(~np.isnan(extra))[-1]) + 1 if np.any(~np.isnan(extra)) else 0)
        slots = int(day_len_h[i]) * 60 // step_min
        if got == n_time:
            continue
        if got == slots and slots != slots_per_day:
            positional[i] = True
            continue
        allowed = sorted({n_time, slots})
        raise error(f"{table.name}:{lines[i]}", "problems.file.day_length", "file.day_length", days=_d(days[i]),
                    got=got, allowed={"it": ' o '.join(map(str, allowed)), "en": ' or '.join(map(str, allowed))})
    return positional


def _d(day) -> str:
    s = str(np.datetime64(day, "D"))
    return f"{s[8:10]}/{s[5:7]}/{s[:4]}"


def _date_column(table: Table, first_tc: int) -> int:
    for j in range(first_tc):
        sample = [r[j] for r in table.rows[:5] if j < len(r)]
        if sample and all(re.match(r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}|^\d{8}$|^\d{5}([.,]\d+)?$", c) for c in sample):
            return j
    raise error(f"{table.name}:{table.lines[0]}", "problems.file.date", "file.date")


def _pod_column(table: Table) -> int | None:
    for j, cell in enumerate(table.rows[0]):
        if _POD.match(cell.replace(" ", "")):
            return j
    return None


def _merge_autumn_rows(days, values, pods, lines, day_len_h, positional, clock, repeat):
    """Fold a second row of the October day that holds only the repeated hour into repeat columns."""
    keep = np.ones(len(days), dtype=bool)
    n_time = len(clock)
    hour2 = np.flatnonzero(~repeat & (clock >= 120) & (clock < 180))
    for i in np.flatnonzero(day_len_h == 25):
        for k in np.flatnonzero((days == days[i]) & keep):
            if k <= i or pods[k] != pods[i] or positional[k]:
                continue
            filled = np.flatnonzero(~np.isnan(values[k, :n_time]))
            if not len(filled) or not set(filled) <= set(hour2):
                continue
            rep_cols = np.flatnonzero(repeat)
            if len(rep_cols) != len(hour2):
                values = np.insert(values, [n_time] * len(hour2), np.nan, axis=1)
                clock = np.concatenate([clock, clock[hour2]])
                repeat = np.concatenate([repeat, np.ones(len(hour2), dtype=bool)])
                n_time += len(hour2)
                rep_cols = np.flatnonzero(repeat)
            values[i, rep_cols] = values[k, hour2]
            keep[k] = False
    return (days[keep], values[keep], [p for p, k in zip(pods, keep) if k], lines[keep], day_len_h[keep],
            positional[keep], clock, repeat)


def _map_days(name, days, values, day_len_h, positional, clock, repeat, step_min, lines, warnings):
    """UTC starts, kWh, quality and source row of every value."""
    midnight = midnights_utc(days)
    prim = np.flatnonzero(~repeat)
    prim = prim[np.argsort(clock[prim])]
    rep = np.flatnonzero(repeat)
    starts, kwhs, quals, rows = [], [], [], []
    normal = (day_len_h == 24) & ~positional
    idx = np.flatnonzero(normal)
    if len(idx):
        bad = np.nan_to_num(values[np.ix_(idx, rep)]) != 0 if len(rep) else np.zeros((len(idx), 0), dtype=bool)
        if bad.any():
            i = idx[np.argwhere(bad)[0][0]]
            raise error(f"{name}:{lines[i]}", "problems.file.repeated_hour", "file.repeated_hour", days=_d(days[i]))
        s = midnight[idx, None] + clock[prim][None, :] * 60
        starts.append(s.ravel())
        kwhs.append(values[np.ix_(idx, prim)].ravel())
        quals.append(np.full(s.size, MEASURED, dtype=np.int8))
        rows.append(np.repeat(idx, len(prim)))
    for i in np.flatnonzero(~normal):
        s, v, q = _special_day(name, days[i], lines[i], midnight[i], int(day_len_h[i]), values[i], positional[i],
                               clock, prim, rep, step_min, warnings)
        starts.append(s)
        kwhs.append(v)
        quals.append(q)
        rows.append(np.full(len(s), i))
    start = np.concatenate(starts).astype("int64")
    order = np.argsort(start, kind="stable")
    return (start[order], np.concatenate(kwhs)[order], np.concatenate(quals)[order],
            np.concatenate(rows)[order])


def _special_day(name, day, line, midnight, hours, row, positional, clock, prim, rep, step_min, warnings):
    """Starts, kWh and quality of a 23- or 25-hour day (or of a row written in time order)."""
    step_s = step_min * 60
    n = hours * 60 // step_min
    if positional:  # the row's first n cells, in time order
        return midnight + np.arange(n) * step_s, row[:n].copy(), np.full(n, MEASURED, dtype=np.int8)
    c, v = clock[prim], row[prim]
    in_hour2 = (c >= 120) & (c < 180)
    if hours == 23:
        h2_kwh = float(np.nansum(np.abs(v[in_hour2])))
        rep_kwh = float(np.nansum(np.abs(row[rep]))) if len(rep) else 0.0
        if rep_kwh > 0:
            warnings.append(warning(f"{name}:{line}", "problems.file.repeated_hour.2", "file.repeated_hour",
                                    day=_d(day), rep_kwh=rep_kwh))
        if h2_kwh > 0 and np.all(np.isnan(v[c >= 1380])):
            # the 23 hours written in time order in the first 92 cells, the last hour left empty
            warnings.append(warning(f"{name}:{line}", "problems.file.day_in_time_order", "file.day_in_time_order",
                                    day=_d(day)))
            return midnight + np.arange(n) * step_s, v[:n].copy(), np.full(n, MEASURED, dtype=np.int8)
        if h2_kwh > 0:
            warnings.append(warning(f"{name}:{line}", "problems.file.nonexistent_hour", "file.nonexistent_hour",
                                    day=_d(day), h2_kwh=h2_kwh))
        keep = ~in_hour2
        elapsed = np.where(c < 120, c, c - 60)[keep]
        return midnight + elapsed * 60, v[keep], np.full(int(keep.sum()), MEASURED, dtype=np.int8)
    # 25 hours: 02:xx summer time, then 02:xx winter time, then 03:00 onwards one hour later
    elapsed = np.where(c < 180, c, c + 60)
    q = np.full(len(c), MEASURED, dtype=np.int8)
    rep_vals = row[rep]
    if len(rep) and np.any(~np.isnan(rep_vals)):
        return (np.concatenate([midnight + elapsed * 60, midnight + (clock[rep] + 60) * 60]),
                np.concatenate([v, rep_vals]), np.concatenate([q, np.full(len(rep), MEASURED, dtype=np.int8)]))
    v = v.copy()
    half = v[in_hour2] / 2.0
    v[in_hour2] = half
    q[in_hour2] = ESTIMATED
    if np.any(~np.isnan(half)):
        warnings.append(warning(f"{name}:{line}", "problems.file.repeated_hour_split", "file.repeated_hour_split",
                                day=_d(day)))
    c2 = c[in_hour2]
    return (np.concatenate([midnight + elapsed * 60, midnight + (c2 + 60) * 60]),
            np.concatenate([v, half]), np.concatenate([q, np.full(len(c2), ESTIMATED, dtype=np.int8)]))
