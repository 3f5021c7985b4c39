"""The normalised meter series every reader returns (``docs/formats.md`` §0.1).

Times are UTC instants of interval *starts*, held as int64 seconds since the epoch; energies are kWh
per interval (NaN where missing); quality codes are :data:`MEASURED`, :data:`ESTIMATED`,
:data:`FILLED` (a gap rebuilt by a documented rule) and :data:`EXTENDED` (an hour of the simulated
year made from another period, see :mod:`cer_core.io.hourly`). Placeholder rows (the non-existent
March hour some exports carry) are dropped by the readers and counted in the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import Problem

MEASURED, ESTIMATED, FILLED, EXTENDED = 0, 1, 2, 3
QUALITY_NAMES = {MEASURED: "measured", ESTIMATED: "estimated", FILLED: "filled", EXTENDED: "extended"}

#: Formats, with their names in Italian and English (for the report).
FORMAT_LABELS = {
    "edistribuzione_15": ("e-distribuzione, curva quartoraria (CSV largo)", "e-distribuzione quarter-hour curve (wide CSV)"),
    "edistribuzione_60": ("e-distribuzione, curva oraria (CSV largo)", "e-distribuzione hourly curve (wide CSV)"),
    "pcf": ("Unareti/Duereti/RetiPiù, curva PCF", "Unareti/Duereti/RetiPiù PCF curve"),
    "chain2gate": ("Chain2Gate, registro JSON (Chain 2)", "Chain2Gate JSON log (Chain 2)"),
    "chain2_csv": ("Chain 2, CSV normalizzato", "Chain 2 normalised CSV"),
    "home_assistant": ("Home Assistant, storico dei sensori", "Home Assistant sensor history"),
    "generic": ("file generico (data/ora e valore)", "generic file (timestamp and value)"),
    "hourly_csv": ("serie oraria dello scenario (timestamp,kwh)", "scenario hourly series (timestamp,kwh)"),
}


@dataclass
class Chunk:
    """What one reader got from one file for one POD, before merging (not necessarily regular)."""

    pod: str
    start_s: np.ndarray
    interval_s: int
    kwh_import: np.ndarray
    kwh_export: np.ndarray | None
    quality: np.ndarray
    file: str
    format: str
    info: dict = field(default_factory=dict)


@dataclass
class MeterSeries:
    """One POD's regular series from ``start_s[0]`` to ``start_s[-1]`` (step ``interval_min``).

    Attributes
    ----------
    pod : str
        POD or meter id ("" when the files do not say).
    interval_min : int
        15, 30 or 60 [min].
    start_s : numpy.ndarray
        int64 UTC epoch seconds of interval starts, regular.
    kwh_import, kwh_export : numpy.ndarray
        kWh per interval drawn from / fed into the grid; ``kwh_export`` is None for files without it.
        NaN only where a gap could not be filled (``fill=False``).
    quality : numpy.ndarray
        int8 codes (:data:`MEASURED` …).
    formats : tuple of str
        Detected formats of the files merged into this series.
    files : tuple of str
    report : dict
        See :func:`cer_core.io.summary.series_report`.
    """

    pod: str
    interval_min: int
    start_s: np.ndarray
    kwh_import: np.ndarray
    kwh_export: np.ndarray | None
    quality: np.ndarray
    formats: tuple[str, ...]
    files: tuple[str, ...]
    report: dict = field(default_factory=dict)

    @property
    def start_utc(self) -> pd.DatetimeIndex:
        """Interval starts as tz-aware UTC timestamps."""
        return pd.DatetimeIndex(pd.to_datetime(self.start_s, unit="s", utc=True), name="interval_start_utc")

    def to_frame(self) -> pd.DataFrame:
        """The internal table of ``docs/formats.md`` §0.1 (one row per interval)."""
        frame = pd.DataFrame({
            "interval_start_utc": self.start_utc,
            "interval_minutes": self.interval_min,
            "kwh_import": self.kwh_import,
            "kwh_export": self.kwh_export if self.kwh_export is not None else np.nan,
            "pod": self.pod,
            "source_format": "+".join(self.formats),
            "quality": pd.Categorical.from_codes(self.quality, categories=list(QUALITY_NAMES.values())),
        })
        return frame


@dataclass
class ImportResult:
    """Everything read from a set of uploaded files: one series per POD, reports and warnings."""

    series: list[MeterSeries]
    warnings: list[Problem] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)

    @property
    def pods(self) -> list[str]:
        return [s.pod for s in self.series]

    @property
    def report(self) -> dict:
        """The report of the only series, or ``{"pods": [...]}`` with one report per POD."""
        out = {"files": self.files, "warnings": [warning_dict(w) for w in self.warnings]}
        if len(self.series) == 1:
            out.update(self.series[0].report)
        else:
            out["pods"] = [s.report for s in self.series]
        return out

    def get(self, pod: str | None = None) -> MeterSeries:
        """The series of ``pod`` (the only one when None); raises ``KeyError``."""
        if pod is None:
            if len(self.series) != 1:
                raise KeyError(pod)
            return self.series[0]
        for s in self.series:
            if s.pod == pod or (pod and s.pod.endswith(pod[-8:]) and len(pod) >= 8):
                return s
        raise KeyError(pod)


def warning(where: str, key: str, code: str, **values) -> Problem:
    """A warning-level :class:`Problem`: the sentence of catalogue ``key`` filled with ``values``."""
    return Problem(where, key, "warning", code, values)


def warning_dict(p: Problem) -> dict:
    """JSON-ready form of a warning for ``LoadSeries.meta``: ``{"it", "en", "code", "where"}``."""
    it = f"{p.where}: {p.it}" if p.where else p.it
    en = f"{p.where}: {p.en}" if p.where else p.en
    return {"it": it, "en": en, "code": p.code, "where": p.where}
