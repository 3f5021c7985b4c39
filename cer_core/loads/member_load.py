"""A member's hourly load for the simulated year, from whatever the member brought.

The scenario adapters of the loads family, in one place: the functions that take a ``Member``, the
``Scenario`` and the ``Workspace`` and give a :class:`~cer_core.loads.series.LoadSeries`, with the
cache of spread bills. The algorithms they call are pure (:mod:`.bills`, :mod:`.profiles`), the files
are read by :mod:`cer_core.io` (meter exports, :mod:`cer_core.io.bills`, :mod:`cer_core.io.shape`).

``load.source`` in the scenario:

``file``
    A meter export or the scenario's own ``timestamp,kwh`` CSV (see :mod:`cer_core.io`).
``bills``
    Monthly/bimonthly bills with F1/F2/F3 (or F1/F23, or a total), spread over the bands' hours with
    the shape of the member's category so that every bill's band totals come back exactly.
``profile``
    A standard shape (households: ARERA by region; others: documented assumptions) scaled to
    ``annual_kwh``.

Warnings are made as warning :class:`~cer_core.errors.Problem` objects located at the member's
``load`` (``LoadSeries.warnings``); ``LoadSeries.meta["warnings"]`` keeps their JSON records.
"""

from __future__ import annotations

import copy
import hashlib
import threading

import numpy as np
from cachetools import LRUCache, cached
from cachetools.keys import hashkey

from ..bands import DAY_TYPE_NAMES, day_type_of_hour, local_hour_of_day
from ..errors import CerInputError, Problem, error, excerpt, located
from ..io import read_load_file
from ..io.bills import read_bills
from ..io.hourly import hourly_report
from ..io.shape import measured_shape, measured_shape_from_bytes
from ..scenario import Member, Scenario
from ..timeaxis import local_month, n_hours
from ..workspace import Workspace, _path_problem
from .bills import BillsHourly, bills_to_hourly, parse_bills
from .profiles import (PROFILE_NAMES, default_profile, household_table, monthly_factors, normalise_region,
                       plausibility_warnings, power_class, profile_shape, unknown_profile)
from .series import LoadSeries, LoadWarnings

#: Spread bills kept in memory (each about 70 kB: the hourly year, its flags and the report).
BILLS_CACHE_SIZE = 256


def _read(ws: Workspace, path: str, where: str) -> bytes:
    try:
        return ws.read_file(path)
    except (FileNotFoundError, ValueError, OSError):
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
        the bills report says, and ``warnings`` ``[{"it", "en", "code"}]``; ``warnings``: the same as
        warning problems located at ``where`` (``members[8].load``), each sentence starting with its
        place inside the member's load (``curva.csv:302: …``, ``bills[3]: …``).

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
        return profile_load(spec, member, scenario, where, ws=ws)
    if source == "bills":
        return bills_load(spec, member, scenario, ws, where)
    if source is None and member.kind == "producer":
        return LoadSeries(np.zeros(n_hours(year)), {"source": "none", "annual_kwh": 0.0, "warnings": []})
    raise error(f"{where}.source", "problems.load.source", "load.source", source=source)


def _file_load(spec: dict, member: Member, scenario: Scenario, ws: Workspace, where: str) -> LoadSeries:
    """A meter export (any supported format) or the scenario's own ``timestamp,kwh`` file."""
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
    warns = LoadWarnings(where)
    for w in meta.get("warnings", []):
        warns.add_record({"it": w["it"], "en": w["en"], "code": w["code"]})
    out = {"source": "file", "path": path, **{k: v for k, v in meta.items() if k != "warnings"},
           "annual_kwh": float(kwh.sum()), "warnings": warns.records}
    want = (spec.get("pod") or member.pod or "").replace(" ", "").upper()
    got = str(meta.get("pod") or "")
    if want and got.startswith("IT") and got != want:
        warns.add("problems.load.pod_mismatch", "load.pod_mismatch", path=path, got=got, want=want)
    kwh = np.array(kwh, dtype=float)
    out["measured_kwh"] = float(kwh.sum())
    if spec.get("scale_factor") is not None:
        return LoadSeries(*_scaled_on_request(kwh, out, float(spec["scale_factor"]), path, warns),
                          tuple(warns.problems))
    target = None if spec.get("measured_kwh") is not None else spec.get("annual_kwh")
    if target is not None and kwh.sum() > 0:
        kwh *= float(target) / kwh.sum()
        out["scaled_to_annual_kwh"] = float(target)
        out["scale_factor"] = float(target) / out["measured_kwh"]
        out["annual_kwh"] = float(target)
        warns.add("problems.load.scaled", "load.scaled", path=path, target=float(target))
    elif target:
        warns.add("problems.load.not_scaled", "load.not_scaled", path=path, year=scenario.year, target=float(target))
    return LoadSeries(kwh, out, tuple(warns.problems))


def _scaled_on_request(kwh: np.ndarray, meta: dict, factor: float, path: str,
                       warns: LoadWarnings) -> tuple[np.ndarray, dict]:
    """A measured curve multiplied by ``factor`` because the user asked for it (``load.scale_factor``).

    The meta keeps the measured total (``measured_kwh``) beside the scaled one (``annual_kwh``) and
    says the factor, so the preview, the import report and the results tell the same story.
    """
    meta["scale_factor"] = factor
    meta["annual_kwh"] = float(kwh.sum() * factor)
    if factor != 1.0:
        warns.add("problems.load.scaled_on_request", "load.scaled_on_request", path=path,
                  measured_kwh=meta['measured_kwh'], factor=factor)
    return kwh * factor, meta


# --- profiles -----------------------------------------------------------------------------------------

def member_shape_args(member: Member, scenario: Scenario, spec: dict | None = None) -> dict:
    """Keyword arguments of :func:`profile_shape` for a member: site region, contract power, position."""
    spec = spec or {}
    contract = spec.get("contract_kw", member.contract_kw)
    lat = member.lat if member.lat is not None else scenario.site.lat
    lon = member.lon if member.lon is not None else scenario.site.lon
    return {"region": scenario.site.region, "contract_kw": contract, "lat": lat, "lon": lon,
            "include_4_october": bool(scenario.rules.get("include_4_october", True))}


def profile_load(spec: dict, member: Member, scenario: Scenario, where: str,
                 ws: Workspace | None = None) -> LoadSeries:
    """A member's load from ``{source: "profile", profile, annual_kwh, contract_kw?, shape?}``.

    ``shape`` (optional) is a measured file (e.g. a Chain 2 week) in the workspace — its typical week,
    with the named profile's seasonality, replaces the standard shape — or another profile's name;
    ``annual_kwh`` still sets the total.

    Returns
    -------
    LoadSeries
    """
    name = spec.get("profile")
    if name not in PROFILE_NAMES:
        raise unknown_profile(f"{where}.profile", name)
    annual = float(spec.get("annual_kwh", 0.0))
    args = member_shape_args(member, scenario, spec)
    year = scenario.year
    shape = profile_shape(name, year, **args)
    warns = LoadWarnings(where)
    meta = {"source": "profile", "profile": name, "annual_kwh": annual, "warnings": warns.records}
    if (spec.get("shape") or name) == "household":  # the ARERA table the shape comes from
        pclass = power_class(args["contract_kw"])
        meta["arera"] = household_table(normalise_region(args["region"]), pclass)[1]
    if spec.get("shape") in PROFILE_NAMES:
        shape = profile_shape(spec["shape"], year, **args)
        meta["shape"] = spec["shape"]
    elif spec.get("shape"):
        if ws is None:
            raise error(f"{where}.shape", "problems.load.shape", "load.shape")
        try:
            shape, smeta = measured_shape(ws, spec["shape"], year, monthly_factors(shape, year),
                                          args["include_4_october"], args["contract_kw"])
        except CerInputError as exc:
            raise located(exc, f"{where}.shape")
        meta["shape"] = smeta
        for record in smeta.pop("warnings", []):
            warns.add_record(record)
    kwh = annual * np.asarray(shape)
    for problem in plausibility_warnings(member.category, kwh, annual, args["contract_kw"], where):
        warns.add_located(problem)
    return LoadSeries(kwh, meta, tuple(warns.problems))


# --- bills --------------------------------------------------------------------------------------------

def _shape_function(spec: dict, member, scenario, ws, where: str, args: dict):
    """``(key, shape_for_year, meta, warnings)`` for a member's bills: a named profile or a measured file."""
    shape_spec = spec.get("shape") or default_profile(member)
    geo = (args["region"], args["contract_kw"], None if args["lat"] is None else round(args["lat"], 1),
           None if args["lon"] is None else round(args["lon"], 1), args["include_4_october"])
    if shape_spec in PROFILE_NAMES:
        return (shape_spec, *geo), (lambda y: profile_shape(shape_spec, y, **args)), {"shape": shape_spec}, []
    if not isinstance(shape_spec, str) or ws is None or not ws.has_file(shape_spec):
        if isinstance(shape_spec, str) and ("." in shape_spec or "/" in shape_spec):
            raise error(f"{where}.shape", "problems.file.missing.3", "file.missing", shape_spec=shape_spec)
        raise unknown_profile(f"{where}.shape", shape_spec)
    data = ws.read_file(shape_spec)
    base = default_profile(member)

    def fn(y):
        factors = monthly_factors(profile_shape(base, y, **args), y)
        return measured_shape_from_bytes(data, shape_spec, y, factors, args["include_4_october"],
                                         args["contract_kw"])

    try:
        _s, meta = fn(scenario.year)
    except CerInputError as exc:
        raise located(exc, f"{where}.shape")
    warnings = meta.pop("warnings", [])
    key = (hashlib.blake2b(data, digest_size=16).digest(), base, *geo)
    return key, (lambda y: fn(y)[0]), {"shape": meta}, warnings


def _bills_key(bills: tuple, year: int, shape_key, _shape_for_year, include_4_october: bool, contract_kw,
               household: bool):
    """The cache key: everything but the shape function, which ``shape_key`` stands for."""
    return hashkey(bills, year, shape_key, include_4_october, contract_kw, household)


@cached(LRUCache(maxsize=BILLS_CACHE_SIZE), key=_bills_key, lock=threading.Lock())
def _cached_bills_hourly(bills: tuple, year: int, shape_key, shape_for_year, include_4_october: bool, contract_kw,
                         household: bool) -> BillsHourly:
    """:func:`~cer_core.loads.bills.bills_to_hourly`, shared between calls: callers copy what they change."""
    return bills_to_hourly(list(bills), year, shape_for_year, include_4_october=include_4_october,
                           contract_kw=contract_kw, household=household)


def bills_load(spec: dict, member: Member, scenario: Scenario, ws: Workspace, where: str) -> LoadSeries:
    """A member's load from ``{source: "bills", bills: [...] | path, shape?, contract_kw?}``.

    Returns
    -------
    LoadSeries
        ``meta``: source, annual_kwh, bills report (each bill's band totals and their reproduction),
        gaps, warnings.
    """
    contract = spec.get("contract_kw", member.contract_kw)
    file_warnings: list[Problem] = []
    if spec.get("bills") is not None:
        bills = parse_bills(spec["bills"], f"{where}.bills")
        source_where = f"{where}.bills"
    else:
        try:
            data = ws.read_file(spec["path"])
        except (FileNotFoundError, ValueError, OSError):
            raise error(f"{where}.path", "problems.file.missing.2", "file.missing", path=spec['path'])
        try:
            bf = read_bills(data, spec["path"])
        except CerInputError as exc:
            raise located(exc, f"{where}.path")
        bills = bf.bills
        file_warnings = list(bf.warnings)
        if len(bf.pods) > 1:
            want = (spec.get("pod") or member.pod or "").replace(" ", "").upper()
            if want not in bf.pods:
                raise error(f"{where}.path", "problems.bills.several_pods.2", "bills.several_pods",
                            n_pods=len(bf.pods), pods=', '.join(bf.pods))
            bills = [b for b in bills if b.pod == want]
        contract = contract or bf.contract_kw
        source_where = f"{where}.path"
    args = member_shape_args(member, scenario, {**spec, "contract_kw": contract})
    shape_key, shape_fn, shape_meta, shape_warnings = _shape_function(spec, member, scenario, ws, where, args)
    try:
        result = _cached_bills_hourly(tuple(bills), scenario.year, shape_key, shape_fn, args["include_4_october"],
                                      None if contract is None else float(contract), member.category == "household")
    except CerInputError as exc:
        raise exc if spec.get("bills") is not None else located(exc, source_where)

    warns = LoadWarnings(where)
    for problem in file_warnings + list(result.warnings):  # placed inside the load: bills[3], file.csv:4
        warns.add_located(problem)
    for record in shape_warnings:
        warns.add_record(record)
    meta = copy.deepcopy({"source": "bills", "annual_kwh": result.report["annual_kwh"], "n_bills": len(bills),
                          **shape_meta, **{k: v for k, v in result.report.items() if k != "annual_kwh"}})
    meta["warnings"] = warns.records
    return LoadSeries(result.kwh.copy(), meta, tuple(warns.problems))


# --- the studio's preview -------------------------------------------------------------------------------

def describe_load(kwh: np.ndarray, year: int, include_4_october: bool = True) -> dict:
    """What the studio previews for a load: annual and monthly kWh, F1/F2/F3 split, peak, typical days.

    Returns
    -------
    dict
        ``annual_kwh``, ``monthly_kwh`` (12), ``bands_kwh``/``bands_pct``, ``peak_kw``, ``peak_at`` and
        ``typical_days``: mean kWh per local hour (24 values) for ``{season}_{day type}`` with seasons
        winter (Dec–Feb), spring, summer, autumn and day types feriale/sabato/festivo.
    """
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
