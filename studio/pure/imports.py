"""Uploads (meter curves, production series, weather years) turned into workspace files (no Streamlit).

Meter exports (any format ``cer_core.io`` reads, several files at once) become the scenario's own
hourly ``timestamp,kwh`` file for the simulated year, stored in the workspace next to the original
files so that the saved bundle keeps both and reopens the identical community. Production and
weather files are checked exactly as the simulation will read them before they are used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from cer_core.errors import CerInputError, Problem
from cer_core.io import MAX_UPLOAD_BYTES, write_hourly_csv
from cer_core.workspace import Workspace

#: Largest meter upload per file [MB]: the core's own limit (a year of quarter-hours of one POD is ≈ 3 MB).
MAX_METER_MB = max(1, MAX_UPLOAD_BYTES // (1024 * 1024))


@dataclass
class MeterImport:
    """The result of importing a member's meter files."""

    kwh: np.ndarray | None
    report: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.kwh is not None


def import_meter_files(files: list[tuple[str, bytes]], year: int, lang: str = "it", *, pod: str | None = None,
                       contract_kw: float | None = None, monthly_factors=None) -> MeterImport:
    """Read meter exports (any format ``cer_core.io`` reads, several at once) into the hourly load
    [kWh] of ``year``, with the import report in ``lang``.

    Parameters
    ----------
    files : list of (name, bytes)
        In upload order (a later file wins on the same instant).
    year : int
        Simulated year.
    pod : str, optional
        The member's POD, chosen when the files hold several.
    contract_kw : float, optional
        For the plausibility check.
    monthly_factors : sequence of 12 floats, optional
        Seasonality used to complete a partial year (the member category's profile).
    """
    from cer_core.io import read_meter_files, to_hourly_year
    from cer_core.io.report import format_import_report, format_year_report

    try:
        result = read_meter_files(files, contract_kw=contract_kw)
        hourly = to_hourly_year(result, year, pod=pod if len(result.series) > 1 else None,
                                monthly_factors=None if monthly_factors is None else np.asarray(monthly_factors))
    except CerInputError as exc:
        return MeterImport(None, [], list(exc.problems))
    source = hourly.report.get("source") or {}
    lines = format_import_report(source, lang) if source.get("period") else []
    lines += format_year_report(hourly.report, lang)
    return MeterImport(np.asarray(hourly.kwh, dtype=float), lines, [], list(hourly.warnings))


def category_monthly_factors(doc: dict, member: dict):
    """Monthly seasonality of the member category's standard profile (to complete a partial year), or None."""
    from cer_core.errors import ProblemList
    from cer_core.loads.profiles import CATEGORY_DEFAULT_PROFILE, monthly_factors, profile_shape
    from cer_core.scenario import resolve_site

    site = resolve_site(doc.get("site") or {}, ProblemList())
    if site is None:
        return None
    name = CATEGORY_DEFAULT_PROFILE.get(member.get("category"), "office")
    try:
        shape = profile_shape(name, int(doc.get("year")), region=site.region, contract_kw=member.get("contract_kw"),
                              lat=member.get("lat") or site.lat, lon=member.get("lon") or site.lon)
    except (CerInputError, TypeError, ValueError):
        return None
    return tuple(monthly_factors(shape, int(doc.get("year"))))


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


def measured_load(old: dict | None, imported: dict, measured_kwh: float) -> dict:
    """A member's ``load`` after a curve is imported: real data wins.

    The other sources' fields stay (switching back loses nothing), but the typed yearly figure is
    replaced by the measured one and any earlier scaling is dropped: the curve is used as measured
    (``measured_kwh`` tells the core not to scale it) until the user asks for a ``scale_factor``.
    """
    load = {k: v for k, v in (old or {}).items() if k not in ("scale_factor", "measured_kwh")}
    load.update(imported)
    load["measured_kwh"] = float(measured_kwh)
    load["annual_kwh"] = float(measured_kwh)
    return load


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
    from cer_core.solar.production import plants_production
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
    from cer_core.solar.weather import weather_from_bytes

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
