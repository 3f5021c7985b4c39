"""Unareti / Duereti / RetiPiù / RE.V.V. "PCF" curve export: one row per quarter-hour (``docs/formats.md`` §1.2).

``POD;DATA;ORA;FL_ORA_LEGALE;ATTIVA_PRELEVATA;ATTIVA_IMMESSA;…;TIPO_DATO;`` — ``DATA`` yyyymmdd and
``ORA`` hhmmss are the local start of the interval, ``FL_ORA_LEGALE`` the UTC offset in hours (1
winter, 2 summer): the UTC instant is local time minus the flag, which keeps the repeated October
hour apart (a flag other than 1, 2 or empty is refused; without the flag column, the first time a
POD's repeated hour appears is summer time). Rows whose local time does not exist (the March
placeholders, flag 2, value 0) are dropped; a non-zero one is dropped with a warning. ``ATTIVA_PRELEVATA`` (or the older
``CONSUMO_ATTIVA_PRELEVATA``) is the import, ``ATTIVA_IMMESSA`` the export; an empty import cell is
missing, an empty export cell is 0 only when the POD's whole export column is empty. ``TIPO_DATO``
other than ``E`` is ``estimated``. Excel damage (``ORA`` ``1500``, ``DATA`` ``20240301.0``) is repaired.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import error
from .localtime import from_local_naive, is_ambiguous
from .model import ESTIMATED, MEASURED, Chunk, warning
from .numbers import Where, parse_dates, parse_numbers
from .source import Table

IMPORT_NAMES = ("ATTIVA_PRELEVATA", "CONSUMO_ATTIVA_PRELEVATA", "ENERGIA_ATTIVA_PRELEVATA")
EXPORT_NAMES = ("ATTIVA_IMMESSA", "CONSUMO_ATTIVA_IMMESSA", "ENERGIA_ATTIVA_IMMESSA")


def is_pcf_header(header: list[str]) -> bool:
    """Header starts ``POD;DATA;ORA`` and names the active energy or the DST flag."""
    up = [h.strip().upper() for h in header]
    return up[:3] == ["POD", "DATA", "ORA"] and (
        "FL_ORA_LEGALE" in up or any(n in up for n in IMPORT_NAMES))


def _times_of_day(cells: list[str], where: Where) -> np.ndarray:
    """Seconds after local midnight from ``hhmmss`` (zero-padded back), ``hh:mm[:ss]`` or an Excel fraction."""
    s = pd.Series(cells, dtype=object).astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    colon = s.str.contains(":", regex=False)
    out = np.full(len(s), -1, dtype="int64")
    if colon.any():
        parts = s[colon].str.extract(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$").astype(float)
        secs = (parts[0] * 3600 + parts[1] * 60 + parts[2].fillna(0)).where((parts[0] < 24) & (parts[1] < 60), -1)
        out[colon.to_numpy()] = secs.fillna(-1).astype("int64").to_numpy()
    frac = ~colon & s.str.match(r"^0?[.,]\d+$")
    if frac.any():
        out[frac.to_numpy()] = np.round(pd.to_numeric(s[frac].str.replace(",", "."), errors="coerce") * 86400).astype(
            "int64").to_numpy()
    digits = ~colon & ~frac & s.str.match(r"^\d{1,6}$")
    if digits.any():
        padded = s[digits].str.zfill(6)
        h, m, sec = (padded.str[0:2].astype(int), padded.str[2:4].astype(int), padded.str[4:6].astype(int))
        secs = (h * 3600 + m * 60 + sec).where((h < 24) & (m < 60) & (sec < 60), -1)
        out[digits.to_numpy()] = secs.to_numpy()
    bad = out < 0
    if bad.any():
        i = int(np.argmax(bad))
        raise error(where.at(i), "problems.file.time.5", "file.time", column=where.column, cells=cells[i])
    return out


def read_pcf(table: Table) -> tuple[list[Chunk], list]:
    """Chunks (one per POD) and warnings of a PCF table."""
    name, lines = table.name, np.asarray(table.lines)
    if not table.rows:
        raise error(name, "problems.file.empty.7", "file.empty")
    col = {h.strip().upper(): j for j, h in enumerate(table.header) if h.strip()}
    imp_name = next((n for n in IMPORT_NAMES if n in col), None)
    if imp_name is None:
        raise error(f"{name}:{table.header_line}", "problems.file.header.4", "file.header")
    exp_name = next((n for n in EXPORT_NAMES if n in col), None)
    cellsof = table.column
    pods = np.array([p.replace(" ", "").upper() for p in cellsof(col["POD"])], dtype=object)
    days = parse_dates(cellsof(col["DATA"]), Where(name, lines, "DATA"))
    tod = _times_of_day(cellsof(col["ORA"]), Where(name, lines, "ORA"))
    naive = days.astype("datetime64[s]").astype("int64") + tod
    warnings: list = []
    imp = parse_numbers(cellsof(col[imp_name]), Where(name, lines, imp_name), table.delimiter, notes=warnings)
    exp = (parse_numbers(cellsof(col[exp_name]), Where(name, lines, exp_name), table.delimiter, notes=warnings)
           if exp_name else None)
    for arr, label in ((imp, imp_name), (exp, exp_name)):
        if arr is not None and (arr < 0).any():
            i = int(np.argmax(arr < 0))
            raise error(f"{name}:{lines[i]}", "problems.file.negative.4", "file.negative", label=label, arr=arr[i])
    utc, nonexistent, _once = from_local_naive(naive, pods)  # without the flag: file order, POD by POD
    if "FL_ORA_LEGALE" in col:
        flag = parse_numbers(cellsof(col["FL_ORA_LEGALE"]), Where(name, lines, "FL_ORA_LEGALE"), table.delimiter, ".")
        ok = np.isin(flag, (1, 2))
        bad = ~ok & ~np.isnan(flag)
        if bad.any():
            i = int(np.argmax(bad))
            raise error(f"{name}:{lines[i]}", "problems.file.dst_flag", "file.dst_flag",
                        fl_ora_legale=cellsof(col['FL_ORA_LEGALE'])[i])
        flag_h = np.where(ok, flag, 0).astype("int64")
        amb = is_ambiguous(naive)
        use_flag = ok & amb  # the flag decides only the repeated October hour
        utc = np.where(use_flag, naive - flag_h * 3600, utc)
        contradict = ok & ~amb & ~nonexistent & ((naive - utc) // 3600 != flag_h)
        if contradict.any():
            i = int(np.argmax(contradict))
            warnings.append(warning(f"{name}:{lines[i]}", "problems.file.dst_flag.2", "file.dst_flag",
                                    contradict_sum=int(contradict.sum())))
    placeholders = nonexistent & ((np.nan_to_num(imp) == 0) & (np.nan_to_num(exp) == 0 if exp is not None else True))
    dropped = nonexistent & ~placeholders
    if dropped.any():
        i = int(np.argmax(dropped))
        warnings.append(warning(f"{name}:{lines[i]}", "problems.file.nonexistent_hour.3", "file.nonexistent_hour",
                                dropped_sum=int(dropped.sum()), imp=np.nansum(imp[dropped])))
    keep = ~nonexistent
    quality = np.full(len(imp), MEASURED, dtype=np.int8)
    if "TIPO_DATO" in col:
        kind = np.array([c.upper() for c in cellsof(col["TIPO_DATO"])], dtype=object)
        quality[(kind != "E") & (kind != "")] = ESTIMATED
    chunks = []
    for pod in dict.fromkeys(pods[keep]):
        sel = keep & (pods == pod)
        e = None
        if exp is not None and np.any(~np.isnan(exp[sel])):
            e = exp[sel]
        chunks.append(Chunk(pod=pod, start_s=utc[sel], interval_s=_interval(utc[sel]), kwh_import=imp[sel],
                            kwh_export=e, quality=quality[sel], file=name, format="pcf",
                            info={"placeholders_dropped": int((placeholders & (pods == pod)).sum())}))
    return chunks, warnings


def _interval(start: np.ndarray) -> int:
    steps = np.diff(np.unique(start))
    return int(np.median(steps)) if len(steps) else 900
