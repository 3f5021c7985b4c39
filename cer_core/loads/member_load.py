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

from ..errors import CerInputError, error, excerpt, located
from ..scenario import Member, Scenario
from ..timeaxis import n_hours
from ..workspace import Workspace


@dataclass(frozen=True)
class LoadSeries:
    """Hourly load of one member [kWh] and a report on where it came from."""

    kwh: np.ndarray
    meta: dict = field(default_factory=dict)


def _read(ws: Workspace, path: str, where: str) -> bytes:
    try:
        return ws.read_file(path)
    except (FileNotFoundError, ValueError, OSError):
        from ..workspace import _path_problem

        found = _path_problem(ws, path, where)
        if found:
            raise CerInputError(found) from None
        raise error(where, "problems.file.unreadable", "file.unreadable", path=excerpt(path, 60)) from None


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

    Returns
    -------
    LoadSeries
        ``kwh`` per local hour; ``meta`` (JSON-ready): ``source``, ``annual_kwh``, what the import or
        the bills report says, and ``warnings`` ``[{"it", "en", "code"}]`` — each sentence starts with
        its place inside the member's load (``curva.csv:302: …``, ``bills[3]: …``); :mod:`cer_core.api`
        adds the member's path (``members[8].load``).

    Raises
    ------
    CerInputError
        With problems located at ``where``.
    """
    spec = member.load or {}
    source = spec.get("source")
    year = scenario.year
    if source == "file":
        return _file_load(spec, member, scenario, ws, where)
    if source == "profile":
        from .profiles import profile_load

        return profile_load(spec, member, scenario, where, ws=ws)
    if source == "bills":
        from .bills import bills_load

        return bills_load(spec, member, scenario, ws, where)
    if source is None and member.kind == "producer":
        return LoadSeries(np.zeros(n_hours(year)), {"source": "none", "annual_kwh": 0.0, "warnings": []})
    raise error(f"{where}.source", "problems.load.source", "load.source", source=source)


def _file_load(spec: dict, member: Member, scenario: Scenario, ws: Workspace, where: str) -> LoadSeries:
    """A meter export (any supported format) or the scenario's own ``timestamp,kwh`` file."""
    from ..io import read_load_file
    from .profiles import default_profile, member_shape_args, monthly_factors, profile_shape

    path = spec["path"]
    data = _read(ws, path, f"{where}.path")
    args = member_shape_args(member, scenario, spec)
    base = default_profile(member)
    factors = monthly_factors(profile_shape(base, scenario.year, **args), scenario.year)
    try:
        kwh, meta = read_load_file(data, path, scenario.year, "load", contract_kw=args["contract_kw"],
                                   pod=spec.get("pod") or member.pod, monthly_factors=factors,
                                   include_4_october=args["include_4_october"])
    except CerInputError as exc:
        raise located(exc, f"{where}.path")
    warnings = [{"it": w["it"], "en": w["en"], "code": w["code"]} for w in meta.get("warnings", [])]
    out = {"source": "file", "path": path, **{k: v for k, v in meta.items() if k != "warnings"},
           "annual_kwh": float(kwh.sum()), "warnings": warnings}
    want = (spec.get("pod") or member.pod or "").replace(" ", "").upper()
    got = str(meta.get("pod") or "")
    if want and got.startswith("IT") and got != want:
        out["warnings"].append({"it": f"{path}: il file è del POD {got}, il membro ha il POD {want}",
                                "en": f"{path}: the file is for POD {got}, the member's POD is {want}",
                                "code": "load.pod_mismatch"})
    kwh = np.array(kwh, dtype=float)
    out["measured_kwh"] = float(kwh.sum())
    if spec.get("scale_factor") is not None:
        return LoadSeries(*_scaled_on_request(kwh, out, float(spec["scale_factor"]), path))
    target = None if spec.get("measured_kwh") is not None else spec.get("annual_kwh")
    if target is not None and kwh.sum() > 0:
        kwh *= float(target) / kwh.sum()
        out["scaled_to_annual_kwh"] = float(target)
        out["scale_factor"] = float(target) / out["measured_kwh"]
        out["annual_kwh"] = float(target)
        out["warnings"].append({"it": f"{path}: serie del file scalata a {float(target):,.0f} kWh/anno",
                                "en": f"{path}: the file's series scaled to {float(target):,.0f} kWh/year",
                                "code": "load.scaled"})
    elif target:
        out["warnings"].append({"it": f"{path}: il file ha consumo nullo nel {scenario.year}: impossibile scalarlo a "
                                f"{float(target):,.0f} kWh/anno", "en": f"{path}: the file has zero consumption in "
                                f"{scenario.year}: it cannot be scaled to {float(target):,.0f} kWh/year",
                                "code": "load.not_scaled"})
    return LoadSeries(kwh, out)


def _scaled_on_request(kwh: np.ndarray, meta: dict, factor: float, path: str) -> tuple[np.ndarray, dict]:
    """A measured curve multiplied by ``factor`` because the user asked for it (``load.scale_factor``).

    The meta keeps the measured total (``measured_kwh``) beside the scaled one (``annual_kwh``) and
    says the factor, so the preview, the import report and the results tell the same story.
    """
    meta["scale_factor"] = factor
    meta["annual_kwh"] = float(kwh.sum() * factor)
    if factor != 1.0:
        meta["warnings"].append({"it": f"{path}: curva misurata ({meta['measured_kwh']:,.0f} kWh/anno) scalata "
                                 f"×{factor:.3g} su richiesta", "en": f"{path}: measured curve "
                                 f"({meta['measured_kwh']:,.0f} kWh/year) scaled ×{factor:.3g} on request",
                                 "code": "load.scaled_on_request"})
    return kwh * factor, meta


def describe_load(kwh: np.ndarray, year: int, include_4_october: bool = True) -> dict:
    """What the studio previews for a load: annual and monthly kWh, F1/F2/F3 split, peak, typical days.

    Returns
    -------
    dict
        ``annual_kwh``, ``monthly_kwh`` (12), ``bands_kwh``/``bands_pct``, ``peak_kw``, ``peak_at`` and
        ``typical_days``: mean kWh per local hour (24 values) for ``{season}_{day type}`` with seasons
        winter (Dec–Feb), spring, summer, autumn and day types feriale/sabato/festivo.
    """
    from ..bands import DAY_TYPE_NAMES, day_type_of_hour, local_hour_of_day
    from ..io.hourly import hourly_report
    from ..timeaxis import local_month

    rep = hourly_report(year, np.asarray(kwh, dtype=float), None, include_4_october)
    month = local_month(year)
    season = np.array(["winter", "winter", "spring", "spring", "spring", "summer", "summer", "summer", "autumn",
                       "autumn", "autumn", "winter"])[month - 1]
    dtype = day_type_of_hour(year, include_4_october)
    hour = local_hour_of_day(year)
    typical = {}
    for s in ("winter", "spring", "summer", "autumn"):
        for d, dname in DAY_TYPE_NAMES.items():
            sel = (season == s) & (dtype == d)
            sums = np.bincount(hour[sel], weights=np.asarray(kwh)[sel], minlength=24)
            counts = np.bincount(hour[sel], minlength=24)
            typical[f"{s}_{dname}"] = [round(float(x), 4) for x in np.divide(sums, np.maximum(counts, 1))]
    rep["typical_days"] = typical
    return rep
