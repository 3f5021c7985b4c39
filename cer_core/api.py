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
from .workspace import SCENARIO_SCHEMA_ID, Workspace, open_workspace, path_problems

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


# -------------------------------------------------------------------------------------------------
# what the studio shows beside the simulation: one member's load, the site's weather, the community's
# hourly flows. Pure (no Streamlit); the studio caches them (studio/components/compute.py).
# -------------------------------------------------------------------------------------------------

def member_workspace(ws: Workspace, member_id: str) -> Workspace | None:
    """A one-member community holding only ``member_id`` (same site, year, cabine, rules and files; flat
    prices, no plant): its load reads like the member's in the whole community. None if no such member."""
    doc = ws.doc
    member = next((m for m in doc.get("members", []) if m.get("id") == member_id), None)
    if member is None:
        return None
    mini = {"schema": SCENARIO_SCHEMA_ID, "name": str(doc.get("name") or "-"), "year": doc.get("year"),
            "site": doc.get("site"), "cabine": doc.get("cabine", []), "members": [member], "plants": [],
            "prices": {"source": "flat", "eur_mwh": 100.0}, "rules": doc.get("rules", {}),
            "economics": doc.get("economics", {})}
    return ws.with_doc(mini)


@dataclass(frozen=True)
class MemberLoadPreview:
    """One member's hourly load for the scenario's year, and its monthly sums by band; or the problems
    that prevent it (``kwh`` None)."""

    year: int | None = None
    #: (hours,) kWh per local hour of ``year``
    kwh: np.ndarray | None = None
    #: (12 months, 3 bands F1/F2/F3) kWh
    monthly_by_band_kwh: np.ndarray | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def total_kwh(self) -> float:
        return float(np.sum(self.kwh)) if self.kwh is not None else 0.0

    @property
    def peak_kw(self) -> float:
        """The highest hourly consumption [kWh in one hour = kW average]."""
        return float(np.max(self.kwh)) if self.kwh is not None and len(self.kwh) else 0.0

    @property
    def band_kwh(self) -> np.ndarray:
        """The year's consumption by band F1/F2/F3 [kWh]."""
        return self.monthly_by_band_kwh.sum(axis=0) if self.monthly_by_band_kwh is not None else np.zeros(3)


def member_load_preview(ws: Workspace, member_id: str) -> MemberLoadPreview | None:
    """One member's load read alone (:func:`member_workspace`), as the simulation would read it.

    Returns None when the document has no such member; the problems of the document or of the member's
    data (an unreadable file, bills that do not add up...) in ``problems``. Unexpected errors propagate.
    """
    from .bands import monthly_by_band

    mini = member_workspace(ws, member_id)
    if mini is None:
        return None
    sc, problems = parse_scenario(mini.doc)
    if sc is None:
        return MemberLoadPreview(problems=tuple(p for p in problems if p.severity == "error"))
    try:
        series = member_load(sc.members[0], sc, mini, "load")
    except CerInputError as exc:
        return MemberLoadPreview(year=sc.year, problems=tuple(exc.problems))
    kwh = np.asarray(series.kwh, dtype=float)
    return MemberLoadPreview(year=sc.year, kwh=kwh, monthly_by_band_kwh=monthly_by_band(kwh, sc.year))


@dataclass(frozen=True)
class WeatherSummary:
    """Monthly climate of the site (local months) and where the weather comes from."""

    #: global horizontal irradiation per month [kWh/m²]
    irradiation_kwh_m2: tuple[float, ...] = ()
    #: mean air temperature per month [°C]
    temperature_c: tuple[float, ...] = ()
    #: the weather year's description (``WeatherYear.describe()``: source, label, distance, ...)
    source: dict = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


def weather_summary(ws: Workspace) -> WeatherSummary:
    """The site's monthly climate for the scenario's year and weather choice (``site.weather``), through the
    weather module's public entry points; the problems (unknown comune, unreadable weather file) in
    ``problems``. Unexpected errors propagate."""
    from .errors import ProblemList
    from .scenario import resolve_site
    from .solar.weather import monthly_climate, site_weather

    doc = ws.doc
    problems = ProblemList()
    site = resolve_site(doc.get("site") or {}, problems)
    if site is None:
        return WeatherSummary(problems=tuple(problems.items))
    try:
        spec = (doc.get("site") or {}).get("weather") or {"source": "auto"}
        weather = site_weather(site.lat, site.lon, int(doc.get("year")), spec, ws.read_file)
        climate = monthly_climate(weather)
    except CerInputError as exc:
        return WeatherSummary(problems=tuple(exc.problems))
    return WeatherSummary(tuple(float(v) for v in climate["irradiation_kwh_m2"]),
                          tuple(float(v) for v in climate["temp_mean_c"]), dict(weather.describe()), ())


def community_hourly(results: Results) -> dict[str, np.ndarray]:
    """The community's hourly flows [kWh] (production, consumption, self-consumed, injected, withdrawn,
    shared) and the zonal price [€/MWh], one value per local hour: the one reader of the results' hourly
    matrices for the studio (:func:`cer_core.export.files.community_hourly`, which the exports use too)."""
    from .export.files import community_hourly as hourly

    return hourly(results)


def consumers_needed(outcome: Outcome, plant_id: str, target: float) -> dict:
    """How many typical consumers of each category the injection of ``plant_id`` needs so that ``target``
    of it is shared (:func:`cer_core.selection.consumers_needed` over the simulated year's injection)."""
    from .selection import consumers_needed as needed

    res = outcome.results
    j = res.plant_ids.index(plant_id)
    return needed(res.plant_injected_kwh[:, j], outcome.scenario, target=target)
