"""The core's front door: open a scenario, check it, simulate it, export the results.

The CLI and the studio both go through these functions, so a figure in the studio is the figure in
``simulate``'s files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import __version__
from .money.allocation import allocation_summary
from .checks import all_checks
from .engine import Results, SimulationInputs, simulate
from .errors import CerInputError, Problem, ProblemList
from .investment import investment_economics
from .loads.member_load import member_load
from .paths import DEMO_SCENARIO
from .prices import zonal_prices
from .solar.production import plants_production
from .scenario import Scenario, parse_scenario
from .workspace import Workspace, open_workspace, path_problems

RESULTS_SCHEMA_ID = "cer-studio/results@1"


@dataclass
class Outcome:
    """A finished simulation: the typed scenario, its results and the warnings met on the way."""

    scenario: Scenario
    results: Results
    warnings: list[Problem] = field(default_factory=list)

    @property
    def summary(self) -> dict:
        return self.results.summary


def demo_workspace() -> Workspace:
    """The embedded demo community (``assets/demo``), runnable offline."""
    return open_workspace(DEMO_SCENARIO)


def validate(ws: Workspace) -> tuple[Scenario | None, list[Problem]]:
    """Schema and semantic checks of the document, its size limits and every file path it refers to
    (refused for what it is: leaving the folder, a symlink pointing outside, missing; no series read)."""
    sc, problems = parse_scenario(ws.doc)
    extra = size_problems(ws.doc) + path_problems(ws)
    if any(p.severity == "error" for p in extra):
        return None, problems + extra
    return sc, problems + extra


def size_problems(doc: dict) -> list[Problem]:
    """Communities larger than one request may simulate (``docs/limits.md``), one sentence each."""
    from .limits import MAX_MEMBERS, MAX_PLANTS

    out = []
    for key, limit, it, en in (("members", MAX_MEMBERS, "membri", "members"),
                               ("plants", MAX_PLANTS, "impianti", "plants")):
        items = doc.get(key) if isinstance(doc, dict) else None
        if isinstance(items, list) and len(items) > limit:
            out.append(Problem(key, "problems.scenario.too_big", code="scenario.too_big",
                               values={"n_items": len(items), "word": {"it": it, "en": en}, "limit": limit}))
    return out


def build_inputs(sc: Scenario, ws: Workspace) -> tuple[SimulationInputs, list[Problem]]:
    """Resolve every member's load, every plant's production and the prices into hourly arrays.

    Raises
    ------
    CerInputError
        With every problem found (all members and plants are read before raising).
    """
    problems = ProblemList()
    loads = []
    load_meta = {}
    for i, m in enumerate(sc.members):
        try:
            series = member_load(m, sc, ws, f"members[{i}].load")
        except CerInputError as exc:
            problems.extend(exc.problems)
            continue
        loads.append(series.kwh)
        load_meta[m.id] = series.meta
        problems.extend(series.warnings)  # made as warnings located at members[i].load
    production, prod_meta = np.zeros((0, 0)), {}
    try:
        production, prod_meta = plants_production(sc, ws)
    except CerInputError as exc:
        problems.extend(exc.problems)
    price = None
    try:
        price = zonal_prices(sc.prices, sc.year, sc.site.market_zone, ws.read_file)
    except CerInputError as exc:
        problems.extend(exc.problems)
    problems.raise_if_errors()
    inputs = SimulationInputs(scenario=sc, load_kwh=np.column_stack(loads) if loads else np.zeros((len(price.eur_mwh), 0)),
                              plant_production_kwh=production, zonal_price_eur_mwh=price.eur_mwh,
                              sources={"weather": prod_meta.get("weather"), "prices": price.describe(),
                                       "loads": load_meta, "production": prod_meta.get("plants", {})})
    return inputs, problems.warnings


def run(ws: Workspace, shapley: bool = True) -> Outcome:
    """Validate, resolve and simulate a workspace (``shapley=False``: the allocation without Shapley values).

    Raises
    ------
    CerInputError
        Every error found in the document and its files, each in one clear line.
    """
    sc, problems = validate(ws)
    if sc is None:
        raise CerInputError([p for p in problems if p.severity == "error"])
    inputs, input_warnings = build_inputs(sc, ws)
    results = simulate(inputs)
    summary = results.summary
    summary["checks"] = all_checks(sc, summary)
    warnings = [p for p in problems if p.severity != "error"] + input_warnings
    summary["warnings"] = [p.to_dict() for p in warnings]
    summary["scenario"] = scenario_header(sc, ws)
    summary["allocation"] = allocation_summary(results, sc, shapley=None if shapley else False)
    summary["economics"] = investment_economics(summary, sc)
    return Outcome(scenario=sc, results=results, warnings=warnings)


def scenario_header(sc: Scenario, ws: Workspace) -> dict:
    """What was simulated: name, year, site and the document's digest."""
    site = sc.site
    # the file's name only: no local folder in the results (docs/limits.md)
    origin = ws.origin.replace("\\", "/").rsplit("/", 1)[-1] if ws.origin else ""
    return {"name": sc.name, "year": sc.year, "digest": ws.digest(), "origin": origin,
            "site": {"comune": site.comune, "istat_code": site.istat_code, "lat": site.lat, "lon": site.lon,
                     "region": site.region, "market_zone": site.market_zone, "macro_area": site.macro_area},
            "generator": f"CER Studio {__version__}"}
