"""Chain 2 (the 2G meter's in-home channel): Chain2Gate JSON logs, our normalised CSV, Home Assistant history.

Energy always comes from the **cumulative counter** (``docs/formats.md`` §2), so dropped frames lose no
energy:

* Chain2Gate ``CF1`` frames: the quarter ending at ``MeasurePosixTimestamp`` holds
  ``ΔTotalActEnergy`` since the previous frame. Over a gap of *k* quarters, the last quarter takes the
  frame's ``PrevQuartActEnergy`` and the rest of Δ is spread over the other quarters with the
  meter's own mean time-of-day shape (``filled``); the total stays exact. Duplicate frames are
  dropped; a single reading outside the range of its two neighbours (``0`` between two readings of
  8 MWh) is dropped with a warning, its quarters filled like a gap; a counter going backwards and
  staying there (meter replaced, register reset) starts a new segment with a warning;
  ``PrevQuartActEnergy`` is a cross-check (warning above 2 Wh). Wh → kWh.
* The normalised CSV (``interval_start_utc,interval_end_utc,meter_id,tariff_code,total_import_wh,
  quarter_import_wh[,total_export_wh,quarter_export_wh]``) is read through the same algorithm.
* Home Assistant ``entity_id,state,last_changed``: the cumulative kWh sensor is interpolated linearly
  at each quarter boundary and differenced (resets re-based; a single reading outside the range of its
  two neighbours is dropped with a warning); quarters inside a gap of more than one hour between
  samples are ``filled``. With only a power sensor (W or kW) the step-wise power is
  integrated over time (``estimated``); a power series is never summed.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd

from ..errors import error
from .localtime import fmt_local, to_local_naive
from .model import ESTIMATED, FILLED, MEASURED, Chunk, warning
from .combine import refuse_long_span
from .columns import (PY_ASCII_WHITESPACE, as_arrow, cell_list, filled_lines, line_spans, lower_like_python,
                      strip_like_python)
from .numbers import (PLAUSIBLE_YEARS, Where, implausible_years, iso_utc_seconds, parse_numbers, refuse_first_bad,
                      refuse_implausible_years)
from .source import Table

QUARTER_S = 900
#: Plausible epoch seconds of a measurement (the years of :data:`cer_core.io.numbers.PLAUSIBLE_YEARS`).
EPOCH_RANGE_S = tuple(int((np.datetime64(f"{y + k}-01-01") - np.datetime64("1970-01-01")) / np.timedelta64(1, "s"))
                      for y, k in zip(PLAUSIBLE_YEARS, (0, 1)))


def is_chain2_json(text: str) -> bool:
    head = text.lstrip()[:2000]
    return '"Chain2Data"' in head or '"Chain2Info"' in head


def is_chain2_csv_header(header: list[str]) -> bool:
    low = [h.strip().lower() for h in header]
    return "interval_start_utc" in low and "total_import_wh" in low


def is_home_assistant_header(header: list[str]) -> bool:
    low = [h.strip().lower() for h in header[:3]]
    return low == ["entity_id", "state", "last_changed"]


# --- counter → quarters --------------------------------------------------------------------------------

def _slot_shape(start_s: np.ndarray, kwh: np.ndarray) -> np.ndarray:
    """Mean energy per local quarter-hour slot of the day (96 values, uniform where unknown)."""
    ok = ~np.isnan(kwh)
    shape = np.ones(96)
    if ok.any():
        slot = (to_local_naive(start_s[ok]) % 86400) // QUARTER_S
        sums = np.bincount(slot, weights=kwh[ok], minlength=96)
        counts = np.bincount(slot, minlength=96)
        mean = np.divide(sums, counts, out=np.full(96, np.nan), where=counts > 0)
        fallback = np.nanmean(mean) if np.any(~np.isnan(mean)) else 1.0
        shape = np.where(np.isnan(mean), fallback, mean)
        shape = np.maximum(shape, 1e-6 * max(shape.max(), 1e-9))
    return shape


def stray_readings(total_wh: np.ndarray) -> np.ndarray:
    """True at a single counter reading outside the range of its two neighbours when these agree (the counter
    goes on from where it was): a reading garbled in transmission (``0``, ``-1``, a spike), not a meter reset.

    Without this, one ``TotalActEnergy: 0`` between two readings of 8 400 000 Wh was a reset followed by a
    quarter of 8 400 kWh (33 MW).
    """
    stray = np.zeros(len(total_wh), dtype=bool)
    if len(total_wh) >= 3:
        before, reading, after = total_wh[:-2], total_wh[1:-1], total_wh[2:]
        stray[1:-1] = (after >= before) & ((reading < before) | (reading > after))
    return stray


def counter_quarters(end_s: np.ndarray, total_wh: np.ndarray, prev_wh: np.ndarray | None, where: str,
                     label: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Quarter starts, kWh and quality from a cumulative Wh counter read at quarter ends.

    Parameters
    ----------
    end_s : numpy.ndarray
        UTC epoch seconds of the readings (quarter ends), any order, duplicates allowed.
    total_wh : numpy.ndarray
        Counter [Wh] at each reading.
    prev_wh : numpy.ndarray or None
        Energy of the quarter just closed [Wh] as the frame states it (cross-check, and the energy of
        the first quarter and of the last quarter of a gap).
    """
    warnings = []
    end = np.round(np.asarray(end_s, dtype=float) / QUARTER_S).astype("int64") * QUARTER_S
    total = np.asarray(total_wh, dtype=float)
    prev = np.full(len(end), np.nan) if prev_wh is None else np.asarray(prev_wh, dtype=float)
    ok = ~np.isnan(total)
    end, total, prev = end[ok], total[ok], prev[ok]
    order = np.argsort(end, kind="stable")
    end, total, prev = end[order], total[order], prev[order]
    dup = np.r_[False, end[1:] == end[:-1]]
    if dup.any():
        differ = dup & (np.abs(total - np.r_[np.nan, total[:-1]]) > 0.5)
        if differ.any():
            warnings.append(warning(where, "problems.chain2.duplicate_differs", "chain2.duplicate_differs",
                                    label=label, differ_sum=int(differ.sum())))
        end, total, prev = end[~dup], total[~dup], prev[~dup]
    stray = stray_readings(total)
    if stray.any():  # dropped: their quarters become a gap, filled below with the counter's exact energy
        k = int(np.argmax(stray))
        warnings.append(warning(where, "problems.chain2.stray", "chain2.stray", label=label, n=int(stray.sum()),
                                end=fmt_local(end[k]), total=total[k]))
        end, total, prev = end[~stray], total[~stray], prev[~stray]
    if len(end) == 0:
        return np.zeros(0, dtype="int64"), np.zeros(0), np.zeros(0, dtype=np.int8), warnings
    refuse_long_span(int(end[0]), int(end[-1]), where)
    first_q = end[0] - QUARTER_S
    n = int((end[-1] - first_q) // QUARTER_S)
    starts = first_q + np.arange(n, dtype="int64") * QUARTER_S
    wh = np.full(n, np.nan)
    qual = np.full(n, MEASURED, dtype=np.int8)
    pos = ((end - QUARTER_S - first_q) // QUARTER_S).astype("int64")  # index of the quarter each reading closes
    wh[pos[0]] = prev[0]
    delta = np.diff(total)
    gap = np.diff(pos)
    single = (gap == 1) & (delta >= 0)
    wh[pos[1:][single]] = delta[single]
    mismatch = single & ~np.isnan(prev[1:]) & (np.abs(prev[1:] - delta) > 2)
    if mismatch.any():
        k = int(np.argmax(mismatch)) + 1
        warnings.append(warning(where, "problems.chain2.prev_mismatch", "chain2.prev_mismatch", label=label,
                                mismatch_sum=int(mismatch.sum()), end=fmt_local(end[k])))
    resets = np.flatnonzero(delta < 0)
    for r in resets:
        wh[pos[r + 1]] = prev[r + 1]
        warnings.append(warning(where, "problems.chain2.reset", "chain2.reset", label=label, end=fmt_local(end[r + 1]),
                                total=total[r], total_2=total[r + 1]))
    gaps = np.flatnonzero((gap > 1) & (delta >= 0))
    if len(gaps):
        shape = _slot_shape(starts, wh)
        for g in gaps:
            a, b = pos[g] + 1, pos[g + 1]  # quarters a..b, b closed by the reading after the gap
            total_gap = delta[g]
            last = prev[g + 1]
            if np.isnan(last) or last < 0 or last > total_gap:
                last = None
            idx = np.arange(a, b + 1) if last is None else np.arange(a, b)
            rest = total_gap if last is None else total_gap - last
            slots = (to_local_naive(starts[idx]) % 86400) // QUARTER_S
            w = shape[slots]
            wh[idx] = rest * w / w.sum()
            qual[idx] = FILLED
            if last is not None:
                wh[b] = last
        lost_q = int(sum(pos[g + 1] - pos[g] - 1 for g in gaps))
        warnings.append(warning(where, "problems.chain2.gap", "chain2.gap", label=label, lost_q=lost_q,
                                n_gaps=len(gaps)))
    return starts, wh / 1000.0, qual, warnings


# --- Chain2Gate JSON -----------------------------------------------------------------------------------

def _lowered(payload: dict) -> dict:
    """The payload with lower-case keys (made once per frame, not once per field)."""
    return {str(k).lower(): v for k, v in payload.items()}


def _payload_get(low: dict, *keys):
    """The first of ``keys`` (any case) in a :func:`_lowered` payload, or None."""
    for k in keys:
        if k.lower() in low:
            return low[k.lower()]
    return None


def read_chain2gate(text: str, name: str) -> tuple[list[Chunk], list]:
    """Chunks (one per meter) and warnings of a Chain2Gate JSON-lines log (or a JSON array of messages).

    A JSON-lines log is read in one pass by Arrow's JSON reader (:func:`_read_chain2gate_arrow`) when it
    is plain and every CF1 frame is valid; anything else (a bad line, a bad frame, keys differing only in
    case, non-finite numbers, text where a number is expected, …) goes through the message-by-message
    reader below, which refuses with the file, the line and what was expected. Both give the same chunks
    and warnings (``tests/test_io_fast_readers.py``).
    """
    if not text.lstrip().startswith("["):
        fast = _read_chain2gate_arrow(text, name)
        if fast is not None:
            return fast
    return _read_chain2gate_messages(text, name)


#: Characters ``str.splitlines`` breaks lines at, besides ``\n`` and ``\r`` (ASCII ones only: the Arrow
#: path takes ASCII text).
_EXTRA_LINE_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
#: A non-finite number where a JSON value starts: Python's decoder takes ``NaN``, ``Infinity`` and
#: ``-Infinity`` but refuses ``Inf`` and ``-NaN``, which Arrow's reader takes; such files use the message path.
_NONFINITE_VALUE = re.compile(r"[:,\[][ \t\r\n]*-?(?:Inf|NaN)")


def _maybe_nonfinite(text: str) -> bool:
    """False when ``text`` holds no ``NaN`` and no ``Inf`` but that of ``Chain2Info`` (a quick scan first)."""
    if "NaN" in text:
        return True
    i = text.find("Inf")
    while i != -1:
        if text[i - 6:i] != "Chain2":
            return True
        i = text.find("Inf", i + 3)
    return False


def _truncated_last_line(name: str, line: int):
    return warning(f"{name}:{line}", "problems.chain2.truncated", "chain2.truncated")


def _arrow_numbers(arr) -> np.ndarray | None:
    """Float64 of a numeric Arrow array, NaN where null; None for other types (text, booleans, objects)."""
    import pyarrow as pa

    if pa.types.is_null(arr.type):
        return np.full(len(arr), np.nan)
    if not (pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type)):
        return None
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    out = arr.fill_null(0).to_numpy(zero_copy_only=False).astype(float)  # int64 → float64 rounds as float(int)
    out[~valid] = np.nan
    return out


def _read_chain2gate_arrow(text: str, name: str) -> tuple[list[Chunk], list] | None:
    """The chunks and warnings of a plain JSON-lines log read by Arrow, or None to use the message path.

    None whenever the message path could decide differently or would refuse: text that is not ASCII,
    line breaks other than ``\\n``/``\\r\\n``, non-finite numbers, a line Arrow cannot read or reads as
    several messages, a CF1 frame without a valid timestamp or counter, payload keys differing only in
    case, values of another type than the reader expects.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

    if not text.isascii() or any(c in text for c in _EXTRA_LINE_BREAKS) or (
            "\r" in text and text.count("\r") != text.count("\r\n")):
        return None
    if _maybe_nonfinite(text) and _NONFINITE_VALUE.search(text):
        return None
    data = text.encode("ascii")
    buf = np.frombuffer(data, dtype=np.uint8)
    starts, ends = line_spans(buf)  # the lines of str.splitlines here (no other line breaks)
    filled = np.flatnonzero(filled_lines(text, buf, starts, ends, PY_ASCII_WHITESPACE))
    if not len(filled):
        return None
    warnings: list = []
    last = int(filled[-1])
    cut = len(data)
    try:
        json.loads(text[starts[last]:ends[last]])
    except json.JSONDecodeError:  # a log cut while writing its last line
        warnings.append(_truncated_last_line(name, last + 1))
        cut, filled = int(starts[last]), filled[:-1]
    except Exception:
        return None
    if not len(filled):
        return None
    try:
        table = pj.read_json(pa.BufferReader(pa.py_buffer(data).slice(0, cut)),
                             read_options=pj.ReadOptions(use_threads=False))
    except (pa.ArrowException, ValueError):
        return None
    if table.num_rows != len(filled) or "Chain2Data" not in table.column_names:
        return None
    frames = table.column("Chain2Data").combine_chunks()
    if not pa.types.is_struct(frames.type):
        return None
    fields = {frames.type.field(k).name for k in range(frames.type.num_fields)}
    if "Type" not in fields or not pa.types.is_string(frames.field("Type").type):
        return None
    present = frames.is_valid().to_numpy(zero_copy_only=False)
    cf1 = present & pc.equal(pc.utf8_upper(frames.field("Type")), "CF1").fill_null(False).to_numpy(zero_copy_only=False)
    if not cf1.any() or "Payload" not in fields or not pa.types.is_struct(frames.field("Payload").type):
        return None
    other = int(np.sum(present & ~cf1))
    payload = frames.field("Payload")
    keys = [payload.type.field(k).name for k in range(payload.type.num_fields)]
    low = {k.lower(): k for k in keys}
    if len(low) != len(keys):  # keys differing only in case: the message path keeps the last of each frame
        return None
    payload_ok = payload.is_valid().to_numpy(zero_copy_only=False)

    def number(key: str) -> np.ndarray | None:
        if key.lower() not in low:
            return np.full(len(payload), np.nan)
        out = _arrow_numbers(payload.field(low[key.lower()]))
        if out is not None:
            out[~payload_ok] = np.nan
        return out

    columns = [number(k) for k in ("MeasurePosixTimestamp", "MessagePosixTimestamp", "TotalActEnergy",
                                   "PrevQuartActEnergy", "TotalProdActEnergy", "PrevQuartProdActEnergy")]
    if any(c is None for c in columns):
        return None
    measure, message, total, prev, total_prod, prev_prod = (c[cf1] for c in columns)
    ts = np.where(np.isnan(measure), message, measure)  # NaN is null here: non-finite numbers took the other path
    if not (np.all((ts >= EPOCH_RANGE_S[0]) & (ts <= EPOCH_RANGE_S[1])) and np.all(np.isfinite(total))):
        return None
    for optional in (prev, total_prod, prev_prod):
        optional[~np.isfinite(optional)] = np.nan  # as _num
    if "Meter" in fields:
        meter_col = frames.field("Meter")
        if not pa.types.is_string(meter_col.type):
            return None
        meter_col = meter_col.filter(pa.array(cf1))
        if meter_col.null_count:  # str(None) in the message path
            return None
        meters = np.asarray(meter_col.to_pylist(), dtype=object)
    else:
        meters = np.full(int(cf1.sum()), "", dtype=object)
    chunks = []
    for meter in dict.fromkeys(meters.tolist()):
        s = meters == meter
        chunks.append(_counter_chunk(meter, ts[s], total[s], prev[s], total_prod[s], prev_prod[s], name, "chain2gate",
                                     warnings, {"cf1_frames": int(s.sum()), "other_frames": other}))
    return chunks, warnings


def _read_chain2gate_messages(text: str, name: str) -> tuple[list[Chunk], list]:
    """:func:`read_chain2gate` message by message (Python's JSON decoder): every refusal names its line."""
    stripped = text.strip()
    messages: list[tuple[int, object]] = []
    warnings = []
    if stripped.startswith("["):
        try:
            arr = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise error(f"{name}:{exc.lineno}", "problems.file.json", "file.json", msg=exc.msg)
        except (ValueError, RecursionError):  # a number of > 4300 digits, or nesting deeper than the decoder's stack
            raise error(name, "problems.file.json.3", "file.json")
        messages = [(i + 1, m) for i, m in enumerate(arr)]
    else:
        lines = text.splitlines()
        last = max((i for i, ln in enumerate(lines) if ln.strip()), default=-1)
        for i, ln in enumerate(lines):
            if not ln.strip():
                continue
            try:
                messages.append((i + 1, json.loads(ln)))
            except json.JSONDecodeError:
                if i == last:  # a log cut while writing its last line
                    warnings.append(_truncated_last_line(name, i + 1))
                    continue
                raise error(f"{name}:{i + 1}", "problems.file.json.2", "file.json", ln=ln[:40])
            except (ValueError, RecursionError):  # valid JSON the decoder will not hold: > 4300 digits, deep nesting
                raise error(f"{name}:{i + 1}", "problems.file.json.3", "file.json")
    frames: dict[str, list] = {}
    counts = {"CF1": 0, "other": 0}
    for line, msg in messages:
        data = msg.get("Chain2Data") if isinstance(msg, dict) else None
        if not isinstance(data, dict):
            continue
        if str(data.get("Type", "")).upper() != "CF1":
            counts["other"] += 1
            continue
        p = data.get("Payload")
        p = _lowered(p) if isinstance(p, dict) else {}
        ts = _payload_get(p, "MeasurePosixTimestamp")
        if ts is None:
            ts = _payload_get(p, "MessagePosixTimestamp")
        tot = _payload_get(p, "TotalActEnergy")
        if ts is None or tot is None:
            raise error(f"{name}:{line}", "problems.chain2.frame", "chain2.frame")
        ts_s, tot_wh = _num(ts), _num(tot)
        if not EPOCH_RANGE_S[0] <= ts_s <= EPOCH_RANGE_S[1]:
            raise error(f"{name}:{line}", "problems.chain2.frame.2", "chain2.frame", ts=ts,
                        plausible_years_0=PLAUSIBLE_YEARS[0], plausible_years_1=PLAUSIBLE_YEARS[1])
        if not np.isfinite(tot_wh):
            raise error(f"{name}:{line}", "problems.chain2.frame.3", "chain2.frame", tot=tot)
        counts["CF1"] += 1
        frames.setdefault(str(data.get("Meter", "")), []).append(
            (ts_s, tot_wh, _num(_payload_get(p, "PrevQuartActEnergy")),
             _num(_payload_get(p, "TotalProdActEnergy")), _num(_payload_get(p, "PrevQuartProdActEnergy"))))
    if not frames:
        raise error(name, "problems.chain2.no_cf1", "chain2.no_cf1")
    chunks = []
    for meter, rows in frames.items():
        arr = np.array(rows, dtype=float)
        chunks.append(_counter_chunk(meter, arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4], name, "chain2gate",
                                     warnings, {"cf1_frames": len(rows), "other_frames": counts["other"]}))
    return chunks, warnings


def _num(v) -> float:
    """A JSON value as a finite float, or NaN (text, lists, booleans, infinities)."""
    if isinstance(v, bool):
        return np.nan
    try:
        x = float(v)
    except (TypeError, ValueError, OverflowError):
        return np.nan
    return x if math.isfinite(x) else np.nan


def _counter_chunk(meter, end_s, tot_imp, prev_imp, tot_exp, prev_exp, name, fmt, warnings, info) -> Chunk:
    starts, kwh, qual, w = counter_quarters(end_s, tot_imp, prev_imp, name, f"contatore {meter}")
    warnings.extend(w)
    kwh_exp = None
    if np.any(~np.isnan(tot_exp)):
        s2, e2, q2, w2 = counter_quarters(end_s, tot_exp, prev_exp, name, f"immissione {meter}")
        warnings.extend(w2)
        kwh_exp = pd.Series(e2, index=s2).reindex(starts).to_numpy()
    return Chunk(pod=meter, start_s=starts, interval_s=QUARTER_S, kwh_import=kwh, kwh_export=kwh_exp, quality=qual,
                 file=name, format=fmt, info=info)


# --- normalised Chain 2 CSV ----------------------------------------------------------------------------

def _utc_seconds(cells, where: Where) -> np.ndarray:
    """UTC epoch seconds of ISO 8601 instants (a list of cells or an Arrow string array); refuses the first
    that is not an instant or not of a plausible year, naming its line."""
    fast = iso_utc_seconds(cells)
    if fast is not None and not implausible_years(fast.astype("datetime64[s]")).any():
        return fast
    cells = cell_list(cells)
    ts = pd.to_datetime(pd.Series(cells, dtype=object), utc=True, errors="coerce", format="ISO8601")
    refuse_first_bad(ts.isna().to_numpy(), cells, where, "problems.file.timestamp", "file.timestamp")
    refuse_implausible_years(ts.dt.tz_localize(None), cells, where)
    return ts.dt.as_unit("s").astype("int64").to_numpy()


def read_chain2_csv(table: Table) -> tuple[list[Chunk], list]:
    """Chunks and warnings of the normalised Chain 2 CSV."""
    name, lines = table.name, table.lines
    if not table.rows:
        raise error(name, "problems.file.empty.2", "file.empty")
    j = {h.strip().lower(): k for k, h in enumerate(table.header)}
    col = table.column
    warnings: list = []

    def nums(key):
        if key not in j:
            return np.full(len(table.rows), np.nan)
        return parse_numbers(col(j[key]), Where(name, lines, key), table.delimiter, notes=warnings)

    if "interval_end_utc" in j:
        end = _utc_seconds(col(j["interval_end_utc"]), Where(name, lines, "interval_end_utc"))
    else:
        end = _utc_seconds(col(j["interval_start_utc"]), Where(name, lines, "interval_start_utc")) + QUARTER_S
    meters = np.array(col(j["meter_id"]) if "meter_id" in j else [""] * len(end), dtype=object)
    tot, prev, tot_e, prev_e = nums("total_import_wh"), nums("quarter_import_wh"), nums("total_export_wh"), \
        nums("quarter_export_wh")
    chunks = []
    for meter in dict.fromkeys(meters):
        s = meters == meter
        chunks.append(_counter_chunk(meter, end[s], tot[s], prev[s], tot_e[s], prev_e[s], name, "chain2_csv", warnings,
                                     {"rows": int(s.sum())}))
    return chunks, warnings


# --- Home Assistant history -----------------------------------------------------------------------------

_EXPORT_WORDS = ("immess", "export", "injection", "ceduta", "fed_in", "feed_in", "feedin", "returned", "return")
_IMPORT_WORDS = ("prelev", "import", "consum", "withdraw", "acquist", "drawn", "grid_in", "assorbit")
_PRODUCTION_WORDS = ("prodott", "produz", "production", "solar", "solare", "pv_", "fotovolt", "inverter")
_ENERGY_WORDS = ("energ", "kwh", "_wh", "total", "counter", "contatore", "lettura", "consumo")
_POWER_WORDS = ("potenza", "power", "_kw", "_w", "watt")


def _classify(entity: str) -> tuple[str, str]:
    """(direction, kind) of an entity id: direction import/export/production, kind energy/power."""
    e = entity.lower()
    direction = ("export" if any(w in e for w in _EXPORT_WORDS) else
                 "production" if any(w in e for w in _PRODUCTION_WORDS) else
                 "import" if any(w in e for w in _IMPORT_WORDS) else "import")
    is_power = any(w in e for w in _POWER_WORDS) and not re.search(r"kwh|_wh|energ", e)
    kind = "power" if is_power else "energy" if any(w in e for w in _ENERGY_WORDS) else "unknown"
    return direction, kind


def _counter_like(v: np.ndarray, t: np.ndarray) -> bool:
    """True when a series in time order looks like a cumulative counter: it mostly never goes down."""
    v = v[np.argsort(t, kind="stable")]
    steps = np.diff(v)
    return len(steps) > 0 and float(np.mean(steps < 0)) <= 0.01 and float(np.sum(steps > 0)) > 0


def _boundaries(t: np.ndarray, where: str) -> np.ndarray:
    refuse_long_span(int(t[0]), int(t[-1]), where)
    first = int(np.ceil(t[0] / QUARTER_S)) * QUARTER_S
    last = int(np.floor(t[-1] / QUARTER_S)) * QUARTER_S
    return np.arange(first, last + 1, QUARTER_S, dtype="int64")


def _without_strays(t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Readings of a kWh sensor in time order without the single ones outside the range of their neighbours by
    more than a reset's tolerance (a ``0`` between two readings of 1 234 kWh was a reset plus a 1 234 kWh quarter)."""
    stray = stray_readings(v)
    i = np.flatnonzero(stray)
    tol = 0.01 * np.maximum(np.abs(v[i - 1]), 1.0)  # the rounding noise :func:`_resample_counter` tolerates
    stray[i] = (v[i] < v[i - 1] - tol) | (v[i] > v[i + 1] + tol)
    return t[~stray], v[~stray], int(stray.sum())


def _resample_counter(t: np.ndarray, v: np.ndarray, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Quarter starts, kWh, quality from a cumulative kWh sensor (linear at boundaries, then differences)."""
    drops = np.diff(v) < -0.01 * np.maximum(np.abs(v[:-1]), 1.0)  # a reset, not rounding noise
    resets = int(drops.sum())
    if resets:
        step = np.where(drops, v[:-1] - v[1:], 0.0)
        v = v + np.r_[0.0, np.cumsum(step)]
    v = np.maximum.accumulate(v)
    b = _boundaries(t, where)
    if len(b) < 2:
        return np.zeros(0, dtype="int64"), np.zeros(0), np.zeros(0, dtype=np.int8), resets
    counter = np.interp(b, t, v)
    kwh = np.diff(counter)
    idx = np.clip(np.searchsorted(t, b), 1, len(t) - 1)
    span = t[idx] - t[idx - 1]
    qual = np.where(np.maximum(span[:-1], span[1:]) > 3600, FILLED, MEASURED).astype(np.int8)
    return b[:-1], kwh, qual, resets


def _integrate_power(t: np.ndarray, p_kw: np.ndarray, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quarter starts, kWh, quality from a step-wise power sensor [kW] (each state holds until the next)."""
    energy = np.r_[0.0, np.cumsum(p_kw[:-1] * np.diff(t) / 3600.0)]
    b = _boundaries(t, where)
    if len(b) < 2:
        return np.zeros(0, dtype="int64"), np.zeros(0), np.zeros(0, dtype=np.int8)
    kwh = np.diff(np.interp(b, t, energy))
    idx = np.clip(np.searchsorted(t, b), 1, len(t) - 1)
    span = t[idx] - t[idx - 1]
    qual = np.where(np.maximum(span[:-1], span[1:]) > 3600, FILLED, ESTIMATED).astype(np.int8)
    return b[:-1], kwh, qual


def read_home_assistant(table: Table) -> tuple[list[Chunk], list]:
    """One chunk from the cumulative import sensor (or the power sensor) of a Home Assistant history export."""
    import pyarrow as pa

    columns = [pa.array(table.column(j), type=pa.string()) for j in range(3)]
    return read_home_assistant_columns(table.name, *columns, np.asarray(table.lines), table.delimiter)


def read_home_assistant_columns(name: str, entity, state, changed, lines: np.ndarray,
                                delimiter: str) -> tuple[list[Chunk], list]:
    """:func:`read_home_assistant` on whole columns (Arrow string arrays of stripped cells, one per data row).

    Parameters
    ----------
    name : str
        File name, for messages.
    entity, state, changed : pyarrow.StringArray
        The ``entity_id``, ``state`` and ``last_changed`` cells.
    lines : numpy.ndarray
        The file's line of each row (1-based), for messages.
    delimiter : str
        The file's delimiter (decides how an ambiguous number such as ``1.234`` is read).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    entity, state, changed, lines = as_arrow(entity), as_arrow(state), as_arrow(changed), np.asarray(lines)
    if len(entity) == 0:
        raise error(name, "problems.file.empty.2", "file.empty")
    codes = pc.dictionary_encode(entity)  # entities numbered by first appearance, as dict.fromkeys
    ent = codes.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    names = codes.dictionary.to_pylist()
    state = strip_like_python(state)
    unavailable = pc.is_in(lower_like_python(state), value_set=pa.array(["unavailable", "unknown", "none", ""]))
    unavailable = unavailable.to_numpy(zero_copy_only=False)
    t_all = _utc_seconds(changed, Where(name, lines, "last_changed"))
    vals = np.full(len(state), np.nan)
    warnings: list = []
    if (~unavailable).any():
        vals[~unavailable] = parse_numbers(state.filter(pa.array(~unavailable)), Where(name, lines[~unavailable], "state"),
                                           delimiter, notes=warnings)
        # "nan", "null", "-", "n.d." read as empty: unavailable too (a NaN in a counter made every later quarter NaN,
        # then filled: the measured rest of the file was lost without a word)
        unavailable = np.isnan(vals)
    entities = {e: _classify(e) for e in names}
    usable = np.bincount(ent[~unavailable], minlength=len(names))
    valid = {e: int(usable[k]) for k, e in enumerate(names)}
    code_of = {e: k for k, e in enumerate(names)}

    def rows_of(e):
        return (ent == code_of[e]) & ~unavailable

    def pick(direction, kind):
        cands = [e for e, c in entities.items() if c == (direction, kind) and valid[e] >= 2]
        return max(cands, key=lambda e: valid[e]) if cands else None

    imp = pick("import", "energy")
    if imp is None:  # an entity whose name says nothing: only a counter (never decreasing but at resets) will do
        unknown = pick("import", "unknown")
        if unknown is not None and _counter_like(vals[rows_of(unknown)], t_all[rows_of(unknown)]):
            imp = unknown
            warnings.append(warning(name, "problems.ha.entity_guessed", "ha.entity_guessed", unknown=unknown))
    power = pick("import", "power") if imp is None else None
    exp_e = pick("export", "energy")
    if imp is None and power is None:
        raise error(name, "problems.ha.no_sensor", "ha.no_sensor", entities=', '.join(entities))

    def series(e):
        s = rows_of(e)
        t, v = t_all[s].astype(float), vals[s]
        order = np.argsort(t, kind="stable")
        return t[order], v[order]

    info = {"entities_used": [], "entities_ignored": [], "unavailable_states": int(unavailable.sum())}
    if imp is not None:
        t, v = series(imp)
        unit_wh = bool(re.search(r"_wh$|_wh_", imp.lower()))
        if unit_wh:
            v = v / 1000.0
        t, v, strays = _without_strays(t, v)
        if strays:
            warnings.append(warning(name, "problems.ha.stray", "ha.stray", imp=imp, strays=strays))
        starts, kwh, qual, resets = _resample_counter(t, v, name)
        info["entities_used"].append(imp)
        if resets:
            warnings.append(warning(name, "problems.ha.reset", "ha.reset", imp=imp, resets=resets))
    else:
        t, p = series(power)
        in_w = bool(re.search(r"_w$|_w_|watt", power.lower())) or (
            not re.search(r"_kw", power.lower()) and np.nanmedian(np.abs(p)) > 30)
        starts, kwh, qual = _integrate_power(t, p / 1000.0 if in_w else p, name)
        info["entities_used"].append(power)
        warnings.append(warning(name, "problems.ha.power_integrated", "ha.power_integrated", power=power,
                                w='W' if in_w else 'kW'))
    kwh_exp = None
    if exp_e is not None:
        t2, v2 = series(exp_e)
        t2, v2, strays = _without_strays(t2, v2)
        if strays:
            warnings.append(warning(name, "problems.ha.stray", "ha.stray", imp=exp_e, strays=strays))
        s2, e2, _q2, _r2 = _resample_counter(t2, v2, name)
        kwh_exp = pd.Series(e2, index=s2).reindex(starts).to_numpy()
        info["entities_used"].append(exp_e)
    info["entities_ignored"] = [e for e in entities if e not in info["entities_used"]]
    if len(starts) == 0:
        raise error(name, "problems.ha.too_short", "ha.too_short")
    return [Chunk(pod="", start_s=starts, interval_s=QUARTER_S, kwh_import=kwh, kwh_export=kwh_exp,
                  quality=qual, file=name, format="home_assistant", info=info)], warnings
