"""A member's hourly load for the simulated year, from whatever the member brought.

``load.source`` in the scenario:

``file``
    A meter export or the scenario's own ``timestamp,kwh`` CSV (see :mod:`cer_core.io`).
``bills``
    Monthly/bimonthly bills with F1/F2/F3 (or F1/F23, or a total), spread over the bands' hours with
    the shape of the member's category so that every bill's band totals come back exactly.
``profile``
    A standard shape (households: ARERA by region; others: documented assumptions) scaled to
    ``annual_kwh``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import CerInputError, error, located
from .scenario import Member, Scenario
from .timeaxis import n_hours
from .workspace import Workspace


@dataclass(frozen=True)
class LoadSeries:
    """Hourly load of one member [kWh] and a report on where it came from."""

    kwh: np.ndarray
    meta: dict = field(default_factory=dict)


def _read(ws: Workspace, path: str, where: str) -> bytes:
    try:
        return ws.read_file(path)
    except (FileNotFoundError, ValueError, OSError):
        raise error(where, f"file «{path}» non trovato (percorso relativo al file dello scenario)",
                    f"file '{path}' not found (paths are relative to the scenario file)", "file.missing")


def member_load(member: Member, scenario: Scenario, ws: Workspace, where: str) -> LoadSeries:
    """The hourly load of ``member`` for ``scenario.year``.

    Parameters
    ----------
    member : Member
    scenario : Scenario
    ws : Workspace
        Resolves the files the load refers to.
    where : str
        JSON path of the member's ``load`` section, for messages.

    Raises
    ------
    CerInputError
        With problems located at ``where``.
    """
    spec = member.load or {}
    source = spec.get("source")
    year = scenario.year
    if source == "file":
        from .io import read_hourly_series

        data = _read(ws, spec["path"], f"{where}.path")
        try:
            kwh = read_hourly_series(data, spec["path"], year, kind="load")
        except CerInputError as exc:
            raise located(exc, f"{where}.path")
        return LoadSeries(kwh, {"source": "file", "path": spec["path"], "annual_kwh": float(kwh.sum())})
    if source == "profile":
        from .profiles import profile_load

        return profile_load(spec, member, scenario, where)
    if source == "bills":
        from .bills import bills_load

        return bills_load(spec, member, scenario, ws, where)
    if source is None and member.kind == "producer":
        return LoadSeries(np.zeros(n_hours(year)), {"source": "none", "annual_kwh": 0.0})
    raise error(f"{where}.source", f"fonte «{source}» non riconosciuta; attese file, bills, profile",
                f"unknown source '{source}'; expected file, bills, profile", "load.source")

