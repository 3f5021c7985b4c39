"""Uploads of members' consumption, turned into workspace files and ``load`` sections (no Streamlit).

Meter exports (any format ``cer_core.io`` reads, several files at once) become the scenario's own
hourly ``timestamp,kwh`` file for the simulated year, stored in the workspace next to the original
files so that the saved bundle keeps both and reopens the identical community.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from cer_core.errors import CerInputError, Problem
from cer_core.io import write_hourly_csv
from cer_core.workspace import Workspace

#: Largest meter upload per file [MB] (a year of quarter-hours of one POD is ≈ 3 MB).
MAX_METER_MB = 50


@dataclass
class MeterImport:
    """The result of importing a member's meter files."""

    kwh: np.ndarray | None
    report: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.kwh is not None


def import_meter_files(files: list[tuple[str, bytes]], year: int, lang: str = "it") -> MeterImport:
    """Read meter exports into the hourly load [kWh] of ``year``, with an import report.

    Uses ``cer_core.io.read_meter_files`` / ``to_hourly_year`` (every supported format) when the
    core has them, else the scenario's own hourly CSV format.
    """
    try:
        from cer_core.io import read_meter_files, to_hourly_year  # type: ignore[attr-defined]
    except ImportError:
        read_meter_files = None
    try:
        if read_meter_files is not None:
            result = read_meter_files(files)
            kwh = np.asarray(to_hourly_year(result, year), dtype=float)
            return MeterImport(kwh, report_lines(getattr(result, "report", None), lang))
        from cer_core.io import read_hourly_series

        if len(files) != 1:
            return MeterImport(None, [], [Problem(", ".join(n for n, _ in files),
                                                  "si può caricare un solo file orario «timestamp,kwh» alla volta",
                                                  "only one hourly 'timestamp,kwh' file can be loaded at a time",
                                                  code="import.one_file")])
        name, data = files[0]
        kwh = read_hourly_series(data, name, year, kind="load")
        return MeterImport(kwh, [f"{name}: {len(kwh)} h, {kwh.sum():.0f} kWh"])
    except CerInputError as exc:
        return MeterImport(None, [], list(exc.problems))


def report_lines(report, lang: str = "it") -> list[str]:
    """The import report as lines of text, whatever shape the reader gives it."""
    if report is None:
        return []
    if isinstance(report, str):
        return [report]
    for attr in ("lines", "to_lines"):
        if hasattr(report, attr):
            value = getattr(report, attr)
            value = value(lang) if callable(value) else value
            return [str(v) for v in value]
    if hasattr(report, "message"):
        return [report.message(lang)]
    if isinstance(report, dict):
        return [f"{k}: {v}" for k, v in report.items()]
    if isinstance(report, (list, tuple)):
        out = []
        for item in report:
            out.extend(report_lines(item, lang))
        return out
    return [str(report)]


def store_meter_import(ws: Workspace, member_id: str, files: list[tuple[str, bytes]], kwh: np.ndarray,
                       year: int) -> tuple[Workspace, dict]:
    """A new workspace holding the hourly series (and the original files) of ``member_id``.

    Returns the workspace and the member's new ``load`` section (``source: file``), which lists the
    originals so that they travel in the saved bundle.
    """
    new = ws.copy()
    tag = hashlib.sha256(b"".join(d for _, d in files)).hexdigest()[:8]
    folder = f"members/{member_id}"
    path = new.add_file(f"{folder}/consumi_orari_{year}_{tag}.csv", write_hourly_csv(kwh, year))
    originals = [{"path": new.add_file(f"{folder}/originali/{_safe_name(name)}", data)} for name, data in files]
    return new, {"source": "file", "path": path, "originals": originals}


def _safe_name(name: str) -> str:
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in base) or "file"



def _with_file(ws: Workspace, path: str, data: bytes) -> tuple[Workspace, str]:
    new = ws.copy()
    return new, new.add_file(path, data)


def store_production_file(ws: Workspace, plant_id: str, name: str, data: bytes) -> tuple[Workspace | None, list[Problem],
                                                                                           float | None]:
    """A new workspace where ``plant_id`` produces from the uploaded file, or the file's problems.

    The file is checked exactly as the simulation will read it (the scenario's ``timestamp,kwh`` CSV
    or a PVGIS hourly series, scaled to the plant's kWp): the plant alone is simulated on a
    one-plant copy of the scenario. Returns the workspace, the problems and the yearly kWh.
    """
    from cer_core.production import plants_production
    from cer_core.scenario import parse_scenario

    new, path = _with_file(ws, f"plants/{plant_id}/{_safe_name(name)}", data)
    plant = next((p for p in new.doc.get("plants", []) if p.get("id") == plant_id), None)
    if plant is None:
        return None, [], None
    plant["production"] = {"source": "file", "path": path}
    doc = new.doc
    mini = {"schema": doc.get("schema"), "name": str(doc.get("name") or "-"), "year": doc.get("year"),
            "site": doc.get("site"), "members": [{"id": plant.get("member"), "kind": "producer", "category": "other",
                                                  "cabina": "CP"}],
            "plants": [plant], "prices": {"source": "flat", "eur_mwh": 100.0}}
    sc, problems = parse_scenario(mini)
    if sc is None:
        return None, [p for p in problems if p.severity == "error"], None
    try:
        production, _ = plants_production(sc, Workspace(doc=mini, files=new.files, base_dir=new.base_dir))
    except CerInputError as exc:
        return None, list(exc.problems), None
    return new, [], float(production.sum())


def store_weather_file(ws: Workspace, name: str, data: bytes) -> tuple[Workspace | None, list[Problem], str]:
    """A new workspace whose site uses the uploaded PVGIS typical year, or the file's problems.

    Returns the workspace, the problems and the weather's label.
    """
    from cer_core.errors import ProblemList
    from cer_core.scenario import resolve_site
    from cer_core.weather import weather_from_bytes

    problems = ProblemList()
    site = resolve_site(ws.doc.get("site") or {}, problems)
    if site is None:
        return None, problems.items, ""
    try:
        weather = weather_from_bytes(data, name, int(ws.doc.get("year")), site.lat, site.lon)
    except CerInputError as exc:
        return None, list(exc.problems), ""
    new, path = _with_file(ws, f"weather/{_safe_name(name)}", data)
    new.doc.setdefault("site", {})["weather"] = {"source": "file", "path": path}
    return new, [], weather.label
