"""Hourly production of every plant of a scenario: pvlib on the site's weather, or a file."""

from __future__ import annotations

import numpy as np

from .errors import CerInputError, ProblemList, error, located
from .scenario import Scenario
from .timeaxis import n_hours
from .workspace import Workspace


def plants_production(sc: Scenario, ws: Workspace) -> tuple[np.ndarray, dict]:
    """Hourly AC production [kWh] of each plant, shape (hours, plants), and where it came from.

    Raises
    ------
    CerInputError
        With every plant's problem, located at ``plants[j].production``.
    """
    out = np.zeros((n_hours(sc.year), len(sc.plants)))
    meta: dict = {"plants": {}}
    problems = ProblemList()
    pv_idx = [j for j, p in enumerate(sc.plants) if p.production.get("source", "pvlib") == "pvlib"]
    if pv_idx:
        from .pv import pv_production_kwh
        from .weather import site_weather

        weather = site_weather(sc.site.lat, sc.site.lon, sc.year, sc.weather, ws.read_file)
        meta["weather"] = weather.describe()
        out[:, pv_idx] = pv_production_kwh([sc.plants[j] for j in pv_idx], weather, sc.year)
        for j in pv_idx:
            meta["plants"][sc.plants[j].id] = {"source": "pvlib"}
    for j, p in enumerate(sc.plants):
        if j in pv_idx:
            continue
        where = f"plants[{j}].production.path"
        path = p.production.get("path", "")
        try:
            data = ws.read_file(path)
        except (FileNotFoundError, ValueError, OSError):
            problems.add(where, f"file «{path}» non trovato (percorso relativo al file dello scenario)",
                         f"file '{path}' not found (paths are relative to the scenario file)", code="file.missing")
            continue
        try:
            out[:, j] = _production_from_file(data, path, sc.year, p.kwp)
        except CerInputError as exc:
            problems.extend(located(exc, where).problems)
            continue
        meta["plants"][p.id] = {"source": "file", "path": path}
    problems.raise_if_errors()
    return out, meta


def _production_from_file(data: bytes, path: str, year: int, kwp: float) -> np.ndarray:
    from .io import read_hourly_series

    values = read_hourly_series(data, path, year, kind="production")
    if values.max(initial=0.0) > 1.2 * max(kwp, 1e-9) and kwp > 0:
        raise error(path, f"produzione oraria massima {values.max():.1f} kWh oltre la potenza dell'impianto "
                    f"({kwp:g} kWp): attesi kWh per ora, non W", f"hourly production peaks at {values.max():.1f} kWh, "
                    f"above the plant's {kwp:g} kWp: expected kWh per hour, not W", "production.implausible")
    return values
