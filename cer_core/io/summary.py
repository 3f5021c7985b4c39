"""The import report (``docs/formats.md`` §6, step 4) and the contract-power plausibility check (§0.6)."""

from __future__ import annotations

import numpy as np

from ..bands import BAND_NAMES, band_of_hour
from ..errors import error
from .localtime import fmt_local, per_local_hour
from .model import ESTIMATED, EXTENDED, FILLED, FORMAT_LABELS, MEASURED, MeterSeries

#: Quarter-hour kWh above ``PLAUSIBLE_FACTOR × available power × interval`` is physically impossible.
PLAUSIBLE_FACTOR = 1.2
#: No supply point of an energy community draws or feeds this much [kW]; a value above it is garbage.
MAX_PLAUSIBLE_KW = 50_000


def available_kw(contract_kw: float) -> float:
    """Potenza disponibile [kW]: contracted power + 10 % up to 30 kW, the contracted power above."""
    return contract_kw * 1.1 if contract_kw <= 30 else contract_kw


def bands_of_instants(start_s: np.ndarray, include_4_october: bool = True) -> np.ndarray:
    """F1/F2/F3 (1, 2, 3) of the local hour each UTC instant falls in."""
    return per_local_hour(start_s, lambda y: band_of_hour(y, include_4_october))


def band_split(start_s: np.ndarray, kwh: np.ndarray, include_4_october: bool = True) -> dict:
    """kWh and share [%] per band."""
    band = bands_of_instants(start_s, include_4_october)
    v = np.nan_to_num(kwh)
    sums = {BAND_NAMES[b]: float(v[band == b].sum()) for b in (1, 2, 3)}
    total = sum(sums.values())
    return {"bands_kwh": {k: round(x, 3) for k, x in sums.items()},
            "bands_pct": {k: round(100 * x / total, 1) if total else 0.0 for k, x in sums.items()}}


def series_report(series: MeterSeries, facts: dict, info: dict | None = None, include_4_october: bool = True) -> dict:
    """Report of one imported series: format, period, interval, counts, annual kWh, bands, peak."""
    step_h = series.interval_min / 60
    kwh = series.kwh_import
    days = (series.start_s[-1] + series.interval_min * 60 - series.start_s[0]) / 86400
    total = float(np.nansum(kwh))
    fmt = series.formats[0] if len(series.formats) == 1 else "+".join(series.formats)
    labels = [FORMAT_LABELS.get(f, (f, f)) for f in series.formats]
    peak_i = int(np.nanargmax(kwh)) if np.any(~np.isnan(kwh)) else 0
    q = series.quality
    rep = {
        "format": fmt, "format_it": " + ".join(lab[0] for lab in labels), "format_en": " + ".join(lab[1] for lab in labels),
        "pod": series.pod, "files": list(series.files),
        "period": {"from": fmt_local(series.start_s[0]), "to": fmt_local(series.start_s[-1] + series.interval_min * 60),
                   "days": round(days, 2)},
        "interval_min": series.interval_min,
        "intervals": int(len(kwh)),
        "measured": int((q == MEASURED).sum()), "estimated": int((q == ESTIMATED).sum()),
        "filled": int((q == FILLED).sum()), "extended": int((q == EXTENDED).sum()),
        "missing": int(facts.get("missing_intervals", 0)), "longest_gap_h": facts.get("longest_gap_h", 0.0),
        "gaps": facts.get("gaps", []),
        "duplicates_equal": facts.get("duplicates_equal", 0), "duplicates_different": facts.get("duplicates_different", 0),
        "missing_export": int(facts.get("missing_export_intervals", 0)),
        "total_kwh": round(total, 3),
        "annual_kwh": round(total * 365.0 / days, 1) if days > 0 else 0.0,
        "annualised": bool(abs(days - 365.5) > 1.0),
        "peak_kw": round(float(kwh[peak_i]) / step_h, 3) if len(kwh) else 0.0,
        "peak_at": fmt_local(series.start_s[peak_i]) if len(kwh) else "",
    }
    rep.update(band_split(series.start_s, kwh, include_4_october))
    if series.kwh_export is not None:
        rep["export_kwh"] = round(float(np.nansum(series.kwh_export)), 3)
    if info:
        rep.update({k: v for k, v in info.items() if k in ("unit", "unit_assumed", "value_column", "time_columns",
                                                          "end_stamped", "entities_used", "entities_ignored",
                                                          "cf1_frames", "other_frames", "placeholders_dropped",
                                                          "unavailable_states")})
    return rep


def check_plausible(series: MeterSeries, contract_kw: float | None) -> None:
    """Refuse interval energies no meter can record: above the contract's available power (kW or Wh
    read as kWh), or, without a contract, above :data:`MAX_PLAUSIBLE_KW` (garbage such as ``1e308``).

    Raises
    ------
    CerInputError
        Naming the file, the local time and the value, with the limit and the likely cause.
    """
    if not len(series.kwh_import):
        return
    step_h = series.interval_min / 60
    v = np.nan_to_num(series.kwh_import, posinf=np.finfo(float).max)
    if series.kwh_export is not None:
        v = np.maximum(v, np.nan_to_num(series.kwh_export, posinf=np.finfo(float).max))
    i = int(np.argmax(v))
    where = ", ".join(series.files)
    it = lambda x, d: f"{x:.{d}f}".replace(".", ",")  # noqa: E731
    if v[i] > MAX_PLAUSIBLE_KW * step_h:
        raise error(where, "problems.file.implausible", "file.implausible", start_s=fmt_local(series.start_s[i]),
                    v=v[i], interval_min=series.interval_min, max_plausible_kw=MAX_PLAUSIBLE_KW // 1000)
    if not contract_kw:
        return
    limit = PLAUSIBLE_FACTOR * available_kw(contract_kw) * step_h
    v = np.nan_to_num(series.kwh_import)
    if v.max() <= limit:
        return
    i = int(np.argmax(v))
    ratio = v[i] / limit
    # Wh read as kWh is 1000 times too much; average kW read as kWh 1/interval_h times (4 for quarter-hours)
    cause_it, cause_en = (("Wh invece di kWh", "Wh instead of kWh") if ratio > 50 else
                          ("potenza media in kW invece di kWh", "average power in kW instead of kWh"))
    # the numbers differ by language (a decimal comma in Italian): one value per language each
    kwh_it, max_kwh_it, kw_it, h_it = it(v[i], 3), it(limit, 3), it(available_kw(contract_kw), 1), it(step_h, 2)
    kwh_en, max_kwh_en, kw_en, h_en = f"{v[i]:.3f}", f"{limit:.3f}", f"{available_kw(contract_kw):.1f}", f"{step_h:g}"
    raise error(where, "problems.file.implausible.2", "file.implausible", start_s=fmt_local(series.start_s[i]),
                kwh={"it": kwh_it, "en": kwh_en}, interval_min=series.interval_min,
                max_kwh={"it": max_kwh_it, "en": max_kwh_en}, kw={"it": kw_it, "en": kw_en},
                h={"it": h_it, "en": h_en}, cause={"it": cause_it, "en": cause_en})
