"""Merging what the readers got into one regular series per POD, and filling its gaps.

Rules (documented in ``docs/consumption.md``):

* **PODs.** Chunks are grouped by POD (or Chain 2 meter id). Files that do not name a POD join the
  only POD named by the others; with several PODs they form a series of their own.
* **Interval.** Files at different intervals are summed to the coarsest one (a warning says so).
* **Duplicates** (the same month uploaded twice, overlapping exports): one value per instant is kept.
  Equal values (within 0.0005 kWh) are merged with a note; different values keep the **newest** file
  — the later one in the upload order (distributors republish corrected data) — with a warning.
* **Span.** More than :data:`MAX_SPAN_DAYS` between the first and the last interval is refused.
* **Gaps** inside the covered period: up to :data:`LINEAR_GAP_S` (2 h) by linear interpolation;
  longer ones with the median of the same local clock slot on the same weekday over the neighbouring
  ±3 weeks (values read from the files, never filled ones), else the mean of the same day type and
  slot over the whole series, else the mean of the slot; all flagged ``filled``. A series without any
  value is refused. The injection is filled by the same rules; where only it is missing, a warning
  says so (the flags stay those of the withdrawal).
"""

from __future__ import annotations

from warnings import catch_warnings, simplefilter

import numpy as np
import pandas as pd

from ..bands import day_type_of_hour
from ..errors import error
from .localtime import fmt_local, per_local_hour, to_local_naive
from .model import FILLED, MEASURED, Chunk, MeterSeries, warning

MAX_SPAN_DAYS = 6 * 366
LINEAR_GAP_S = 2 * 3600
SAME_VALUE_KWH = 0.0005
_WEEK_S = 7 * 86400


def _coarsen(c: Chunk, target: int) -> Chunk:
    if c.interval_s == target:
        return c
    key = c.start_s // target * target
    frame = pd.DataFrame({"k": key, "v": c.kwh_import, "q": c.quality})
    if c.kwh_export is not None:
        frame["e"] = c.kwh_export
    g = frame.groupby("k", sort=True)
    full = (g["v"].count() == target // c.interval_s).to_numpy()
    e = np.where(full, g["e"].sum().to_numpy(), np.nan) if c.kwh_export is not None else None
    return Chunk(pod=c.pod, start_s=g["v"].sum().index.to_numpy().astype("int64"), interval_s=target,
                 kwh_import=np.where(full, g["v"].sum().to_numpy(), np.nan), kwh_export=e,
                 quality=g["q"].max().to_numpy().astype(np.int8), file=c.file, format=c.format, info=c.info)


def _it_num(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def refuse_long_span(first_s: int, last_s: int, label: str) -> None:
    """Refuse data whose first and last instants [UTC s] are more than :data:`MAX_SPAN_DAYS` apart.

    Readers that build a regular grid from the instants they find (the Chain 2 counter) call it
    before allocating anything, so a garbled timestamp cannot ask for gigabytes.
    """
    span_days = (last_s - first_s) / 86400
    if span_days <= MAX_SPAN_DAYS:
        return
    first, last = fmt_local(first_s)[:10], fmt_local(last_s)[:10]
    raise error(label, "problems.file.too_long", "file.too_long",
                span_days={"it": _it_num(span_days / 365.25), "en": span_days / 365.25}, first=first, last=last,
                max_span_days=MAX_SPAN_DAYS // 366)


def group_by_pod(chunks: list[Chunk]) -> dict[str, list[Chunk]]:
    """Chunks by POD; POD-less chunks join the only named POD, if there is exactly one."""
    named = list(dict.fromkeys(c.pod for c in chunks if c.pod))
    groups: dict[str, list[Chunk]] = {}
    for c in chunks:
        key = c.pod or (named[0] if len(named) == 1 else "")
        groups.setdefault(key, []).append(c)
    return groups


def merge_chunks(pod: str, chunks: list[Chunk], fill: bool = True) -> tuple[MeterSeries, list, dict]:
    """One regular series from the chunks of one POD (in upload order), its warnings and merge facts."""
    warnings = []
    files = tuple(dict.fromkeys(c.file for c in chunks))
    label = pod or ", ".join(files)
    at = f"{', '.join(files)} ({pod})" if pod else label  # a refusal names the files, not only the POD
    target = max(c.interval_s for c in chunks)
    if any(c.interval_s != target for c in chunks):
        warnings.append(warning(label, "problems.merge.interval", "merge.interval", target=target // 60))
        chunks = [_coarsen(c, target) for c in chunks]
    start = np.concatenate([c.start_s for c in chunks])
    imp = np.concatenate([c.kwh_import for c in chunks])
    has_export = any(c.kwh_export is not None for c in chunks)
    exp = np.concatenate([c.kwh_export if c.kwh_export is not None else np.full(len(c.start_s), np.nan)
                          for c in chunks]) if has_export else None
    qual = np.concatenate([c.quality for c in chunks])
    order_of = np.concatenate([np.full(len(c.start_s), k) for k, c in enumerate(chunks)])
    present = ~np.isnan(imp)
    # within an instant: empty values first, then by upload order, so the last one is the newest value
    srt = np.lexsort((order_of, present, start))
    start, imp, qual, order_of, present = start[srt], imp[srt], qual[srt], order_of[srt], present[srt]
    exp = exp[srt] if exp is not None else None
    facts = {"duplicates_equal": 0, "duplicates_different": 0}
    repeated = np.r_[start[1:] == start[:-1], False]
    if repeated.any():
        stats = pd.DataFrame({"s": start[present], "v": imp[present]}).groupby("s")["v"].agg(["min", "max", "count"])
        multi = stats[stats["count"] > 1]
        differ_inst = multi.index[(multi["max"] - multi["min"]) > SAME_VALUE_KWH].to_numpy()
        facts["duplicates_equal"] = int(len(multi) - len(differ_inst))
        facts["duplicates_different"] = int(len(differ_inst))
        keep = ~repeated
        if len(differ_inst):
            newest = list(dict.fromkeys(chunks[i].file for i in order_of[keep & np.isin(start, differ_inst)]))
            warnings.append(warning(label, "problems.merge.duplicates_differ", "merge.duplicates_differ",
                                    n_differ_inst=len(differ_inst), differ_inst_0=fmt_local(differ_inst[0]),
                                    newest={"it": ', '.join(f'«{n}»' for n in newest[:3]),
                                            "en": ', '.join(repr(n) for n in newest[:3])}))
        if facts["duplicates_equal"]:
            warnings.append(warning(label, "problems.merge.duplicates", "merge.duplicates",
                                    duplicates_equal=facts['duplicates_equal']))
        start, imp, qual = start[keep], imp[keep], qual[keep]
        exp = exp[keep] if exp is not None else None
    refuse_long_span(int(start[0]), int(start[-1]), at)
    n = int((start[-1] - start[0]) // target) + 1
    grid = start[0] + np.arange(n, dtype="int64") * target
    pos = ((start - start[0]) // target).astype("int64")
    off_grid = (start - start[0]) % target != 0
    if off_grid.any():
        raise error(at, "problems.file.alignment", "file.alignment", start=fmt_local(start[np.argmax(off_grid)]),
                    target=target // 60)
    g_imp = np.full(n, np.nan)
    g_imp[pos] = imp
    g_exp = None
    if exp is not None:
        g_exp = np.full(n, np.nan)
        g_exp[pos] = exp
    g_q = np.full(n, MEASURED, dtype=np.int8)
    g_q[pos] = qual
    missing = np.isnan(g_imp)
    if missing.all():
        raise error(at, "problems.file.no_values", "file.no_values")
    facts.update(gap_facts(grid, missing, target))
    for first, n_values, gap in stray_edge_blocks(missing, target):
        count = {"it": "1 valore" if n_values == 1 else f"{n_values} valori",
                 "en": "1 value" if n_values == 1 else f"{n_values} values"}
        warnings.append(warning(at, "problems.merge.stray_edge", "merge.stray_edge", count=count,
                                when=fmt_local(grid[first]), gap_days=round(gap * target / 86400)))
    missing_exp = np.isnan(g_exp) & ~missing if g_exp is not None else np.zeros(n, dtype=bool)
    facts["missing_export_intervals"] = int(missing_exp.sum())
    if fill and missing.any():
        g_imp = fill_gaps(grid, g_imp, target)
        g_q[missing] = FILLED
    if g_exp is not None and fill:
        g_exp = fill_gaps(grid, g_exp, target)
        if missing_exp.any():  # the quality flags stay those of the withdrawal; the count is in the report
            warnings.append(warning(label, "problems.merge.export_filled", "merge.export_filled",
                                    missing_exp_sum=int(missing_exp.sum())))
    series = MeterSeries(pod=pod, interval_min=target // 60, start_s=grid, kwh_import=g_imp, kwh_export=g_exp,
                         quality=g_q, formats=tuple(dict.fromkeys(c.format for c in chunks)), files=files)
    return series, warnings, facts


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of runs of True."""
    d = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


#: An edge block of readings at most this long [s] ...
STRAY_BLOCK_S = 24 * 3600
#: ... and at most this share of the measured intervals ...
STRAY_BLOCK_SHARE = 0.05
#: ... this far from the rest of the data [s] is probably a mistyped date.
STRAY_GAP_S = 7 * 86400


def stray_edge_blocks(missing: np.ndarray, step_s: int) -> list[tuple[int, int, int]]:
    """Blocks of readings at the start or the end of a series that look like a mistyped date: a day or less
    of values, a small share of the measured ones, a week or more from the rest (one row of October's
    file dated January made a nine-month gap filled by estimate, with no word at import).

    Returns
    -------
    list of (first index, number of values, intervals of the gap that follows or precedes it)
    """
    a, b = _runs(~missing)
    if len(a) < 2:
        return []
    measured = int((~missing).sum())
    out = []
    for k, gap in ((0, int(a[1] - b[0])), (len(a) - 1, int(a[-1] - b[-2]))):
        size = int(b[k] - a[k])
        if size * step_s <= STRAY_BLOCK_S and size <= STRAY_BLOCK_SHARE * measured and gap * step_s >= STRAY_GAP_S:
            out.append((int(a[k]), size, gap))
    return out


def gap_facts(grid: np.ndarray, missing: np.ndarray, step_s: int) -> dict:
    """Count of missing intervals, the longest gap [h] and the five longest gaps (local start–end)."""
    a, b = _runs(missing)
    lengths = b - a
    top = np.argsort(-lengths, kind="stable")[:5]
    return {"missing_intervals": int(missing.sum()),
            "longest_gap_h": float(lengths.max() * step_s / 3600) if len(lengths) else 0.0,
            "gaps": [{"from": fmt_local(grid[a[k]]), "to": fmt_local(grid[b[k] - 1] + step_s),
                      "hours": float(lengths[k] * step_s / 3600)} for k in top]}


def day_types_of_instants(utc_s: np.ndarray, include_4_october: bool = True) -> np.ndarray:
    """0 working day, 1 Saturday, 2 Sunday/holiday (``cer_core.bands``) of the local day of UTC instants."""
    return per_local_hour(utc_s, lambda y: day_type_of_hour(y, include_4_october))


def fill_gaps(grid: np.ndarray, values: np.ndarray, step_s: int) -> np.ndarray:
    """Values with NaN gaps filled by the rules of this module (see the module docstring)."""
    out = values.copy()
    missing = np.isnan(values)
    if not missing.any() or missing.all():
        return np.nan_to_num(out) if missing.all() else out
    a, b = _runs(missing)
    short = (b - a) * step_s <= LINEAR_GAP_S
    idx = np.arange(len(values))
    ok = ~missing
    for s, e in zip(a[short], b[short]):
        left = out[s - 1] if s > 0 else out[e]
        right = out[e] if e < len(out) else left
        out[s:e] = left + (right - left) * (idx[s:e] - s + 1) / (e - s + 1)
    long_mask = np.zeros(len(values), dtype=bool)
    for s, e in zip(a[~short], b[~short]):
        long_mask[s:e] = True
    if not long_mask.any():
        return out
    local = to_local_naive(grid)
    known = pd.Series(values[ok], index=local[ok])
    known = known[~known.index.duplicated(keep="first")]
    targets = local[long_mask]
    cands = []
    for k in (-3, -2, -1, 1, 2, 3):
        cands.append(known.reindex(targets + k * _WEEK_S).to_numpy())
    with catch_warnings():  # a slot none of the six weeks has is NaN here, and handled below
        simplefilter("ignore", RuntimeWarning)
        fill = np.nanmedian(np.vstack(cands), axis=0) if len(targets) else np.zeros(0)
    still = np.isnan(fill)
    if still.any():
        slot = (local % 86400) // step_s
        dtype = day_types_of_instants(grid)
        frame = pd.DataFrame({"slot": slot[ok], "dt": dtype[ok], "v": values[ok]})
        by_dt = frame.groupby(["dt", "slot"])["v"].mean()
        by_slot = frame.groupby("slot")["v"].mean()
        t_slot, t_dt = slot[long_mask][still], dtype[long_mask][still]
        v = by_dt.reindex(pd.MultiIndex.from_arrays([t_dt, t_slot])).to_numpy()
        v = np.where(np.isnan(v), by_slot.reindex(t_slot).to_numpy(), v)
        fill[still] = np.where(np.isnan(v), np.nanmean(values), v)
    out[long_mask] = fill
    return out
