"""The one caching adapter between the studio and the core.

Pages never call ``cer_core.api.run`` directly: they call :func:`simulate`, cached under the
workspace digest (document + referenced files). An edit produces a new workspace, hence a new
digest, hence a new simulation; going back to a previous state is a cache hit. Problems never
escape as exceptions: a scenario that does not simulate gives a :class:`RunState` holding its
problems, each a one-line sentence in Italian and English.

The simulation is cached with ``st.cache_resource``, not ``st.cache_data``: its hourly arrays are
≈ 20 MB for the demo, and ``cache_data`` pickles them on every store and read (≈ 35 ms per edit and
10 ms per read, twice a rerun). The outcome is read-only for every caller, so sharing one object is
safe. Small results (a member's load, the weather summary, downloads) use ``st.cache_data``.

Memory: the cache is shared by every session of the server and each simulated year holds its hourly
matrices (≈ 19 MB on the demo, ≈ 0.5 GB for 1,000 members), so only the last :data:`SIMULATIONS_KEPT`
simulations are kept (and the re-splits, allocation bases and Shapley values made from them); going
further back re-simulates. With ``app.py`` pruning stale widget metadata
(:func:`studio.components.state.prune_stale_widget_metadata`) the server's memory stays bounded however many edits
are made (``tests/test_studio_memory.py``).
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from dataclasses import dataclass, field, replace

import streamlit as st

from cer_core import api
from cer_core.errors import CerInputError, Problem
from cer_core.workspace import Workspace

log = logging.getLogger("cer_studio")

#: How many simulated years (full hourly results) the server keeps; see the module docstring.
SIMULATIONS_KEPT = 4
#: A community whose hourly results would exceed this (≈ 1,070 members) is large: only
#: :data:`LARGE_SIMULATIONS_KEPT` of its simulations are kept (the current one and the one before), in their
#: own cache, so a 5,000-member community (≈ 0.7 GB a year) does not fill the server with four of them.
LARGE_RESULTS_BYTES = 150 * 2**20
LARGE_SIMULATIONS_KEPT = 2


def results_bytes_estimate(ws: Workspace) -> int:
    """Rough size of ``ws``'s hourly results [bytes]: the members' loads and production, two (hours × members)
    float64 matrices (the other member flows are recomputed when read, ``engine.Results``)."""
    members = ws.doc.get("members")
    return (len(members) if isinstance(members, list) else 0) * 8784 * 8 * 2


def _is_large(ws: Workspace) -> bool:
    return results_bytes_estimate(ws) > LARGE_RESULTS_BYTES


@dataclass(frozen=True)
class RunState:
    """What a simulation attempt gave: the outcome, or the problems that stopped it."""

    digest: str
    outcome: api.Outcome | None = None
    problems: tuple[Problem, ...] = ()
    seconds: float = 0.0
    warnings: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.outcome is not None

    @property
    def summary(self) -> dict:
        return self.outcome.summary if self.outcome is not None else {}


def internal_problem(exc: BaseException, where: str = "") -> Problem:
    """An unexpected exception as a one-line problem (the traceback goes to the server log only)."""
    log.error("internal error in the core:\n%s", "".join(traceback.format_exception(exc)))
    text = f"{type(exc).__name__}: {exc}"
    return Problem(where, "problems.internal.error", code="internal.error", values={"text": text})


def run_workspace(ws: Workspace) -> RunState:
    """Simulate ``ws`` without caching: the outcome or the problems (never raises)."""
    digest = ws.digest()
    start = time.perf_counter()
    try:
        outcome = api.run(ws, shapley=False)  # the Ripartizione page computes them on demand
    except CerInputError as exc:
        return RunState(digest, None, tuple(exc.problems), time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - the studio must show a sentence, never a traceback
        return RunState(digest, None, (internal_problem(exc),), time.perf_counter() - start)
    return RunState(digest, outcome, (), time.perf_counter() - start, tuple(outcome.warnings))


@st.cache_resource(max_entries=SIMULATIONS_KEPT, show_spinner=False)
def _simulate_cached(digest: str, origin: str, _ws: Workspace) -> RunState:
    return run_workspace(_ws)


@st.cache_resource(max_entries=LARGE_SIMULATIONS_KEPT, show_spinner=False)
def _simulate_cached_large(digest: str, origin: str, _ws: Workspace) -> RunState:
    return run_workspace(_ws)


def simulate(ws: Workspace) -> RunState:
    """The simulated year of ``ws``, cached by its digest (every edit re-simulates by itself) and the name it
    was opened from (the results carry that name: two sessions opening the same bytes under two names never
    see each other's).

    The ``regolamento`` (the split among members) is not part of the simulation's key: a rule change
    re-splits the cached simulation in milliseconds (:func:`_resplit_cached`) instead of re-simulating.
    """
    engine_ws = engine_workspace(ws)
    large = _is_large(engine_ws)
    state = (_simulate_cached_large if large else _simulate_cached)(engine_ws.digest(), engine_ws.origin, engine_ws)
    if engine_ws is ws:
        return state
    if not state.ok:
        return replace(state, digest=ws.digest())
    return (_resplit_cached_large if large else _resplit_cached)(ws.digest(), ws.origin, ws, state)


# -------------------------------------------------------------------------------------------------
# the split among members (docs/allocation.md): rule changes never re-simulate
# -------------------------------------------------------------------------------------------------

def engine_workspace(ws: Workspace) -> Workspace:
    """``ws`` without its ``regolamento`` (the rules do not change the simulated energy and money), its
    ``variants`` and its ``economics.investment`` (re-projected with the split, in milliseconds)."""
    doc = ws.doc
    econ = doc.get("economics")
    invest = isinstance(econ, dict) and "investment" in econ
    if "regolamento" not in doc and "variants" not in doc and not invest:
        return ws
    out = {k: v for k, v in doc.items() if k not in ("regolamento", "variants")}
    if invest:
        rest = {k: v for k, v in econ.items() if k != "investment"}
        if rest:
            out["economics"] = rest
        else:
            del out["economics"]  # an empty section simulates like none
    return ws.with_doc(out)


@st.cache_resource(max_entries=SIMULATIONS_KEPT, show_spinner=False)
def _allocation_base_cached(engine_digest: str, _state: RunState):
    from cer_core.money.allocation import base_from_results

    return base_from_results(_state.outcome.results, _state.outcome.scenario)


def allocation_base(ws: Workspace, state: RunState):
    """The :class:`cer_core.money.allocation.AllocationBase` of the simulated year (cached per simulation)."""
    return _allocation_base_cached(engine_workspace(ws).digest(), state)


@st.cache_resource(max_entries=SIMULATIONS_KEPT, show_spinner=False)
def _resplit_cached(digest: str, origin: str, _ws: Workspace, _state: RunState) -> RunState:
    return _resplit(digest, _ws, _state)


@st.cache_resource(max_entries=LARGE_SIMULATIONS_KEPT, show_spinner=False)
def _resplit_cached_large(digest: str, origin: str, _ws: Workspace, _state: RunState) -> RunState:
    return _resplit(digest, _ws, _state)


def _resplit(digest: str, _ws: Workspace, _state: RunState) -> RunState:
    """The cached simulation split by ``_ws``'s regolamento (a re-split holds the simulation's arrays)."""
    from cer_core.money.allocation import allocation_summary
    from cer_core.investment import investment_economics
    from cer_core.scenario import parse_scenario

    try:
        sc, problems = parse_scenario(_ws.doc)
        if sc is None:
            return RunState(digest, None, tuple(p for p in problems if p.severity == "error"), _state.seconds)
        base = allocation_base(_ws, _state)
        allocation = allocation_summary(_state.outcome.results, sc, shapley=False, base=base)
    except Exception as exc:  # noqa: BLE001 - the studio must show a sentence, never a traceback
        return RunState(digest, None, (internal_problem(exc, "regolamento"),), _state.seconds)
    summary = {**_state.summary, "allocation": allocation,
               "scenario": {**_state.summary.get("scenario", {}), "digest": digest}}
    summary["economics"] = investment_economics(summary, sc)  # members' shares follow the regolamento
    outcome = replace(_state.outcome, scenario=sc, results=replace(_state.outcome.results, summary=summary))
    return RunState(digest, outcome, (), _state.seconds, _state.warnings)


@st.cache_resource(max_entries=SIMULATIONS_KEPT, show_spinner=False)
def _shapley_cached(engine_digest: str, _state: RunState) -> dict:
    from cer_core.money.allocation import shapley_values

    return shapley_values(_state.outcome.results)


def shapley(ws: Workspace, state: RunState) -> dict:
    """The members' Shapley values of the simulated year (computed once per simulation, ≈ 1 s on the demo)."""
    return _shapley_cached(engine_workspace(ws).digest(), state)


# -------------------------------------------------------------------------------------------------
# one member's load, independently of the rest of the community (cer_core.api.member_load_preview)
# -------------------------------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _member_load_cached(digest: str, _ws: Workspace, member_id: str) -> api.MemberLoadPreview | None:
    try:
        return api.member_load_preview(_ws, member_id)
    except Exception as exc:  # noqa: BLE001 - the studio must show a sentence, never a traceback
        return api.MemberLoadPreview(problems=(internal_problem(exc, "load"),))


def member_load_preview(ws: Workspace, member_id: str) -> api.MemberLoadPreview | None:
    """One member's hourly load and monthly sums by band for the scenario's year, or the problems that
    prevent it (None when there is no such member); cached by the one-member community's digest."""
    mini = api.member_workspace(ws, member_id)
    if mini is None:
        return None
    return _member_load_cached(mini.digest(), mini, member_id)


# -------------------------------------------------------------------------------------------------
# the site's weather (cer_core.api.weather_summary)
# -------------------------------------------------------------------------------------------------

@st.cache_data(max_entries=16, show_spinner=False)
def _weather_cached(key: str, _ws: Workspace) -> api.WeatherSummary:
    try:
        return api.weather_summary(_ws)
    except Exception as exc:  # noqa: BLE001 - the studio must show a sentence, never a traceback
        return api.WeatherSummary(problems=(internal_problem(exc, "site.weather"),))


def weather_summary(ws: Workspace) -> api.WeatherSummary:
    """The site's monthly climate, cached by site, year, weather choice and weather file."""
    doc = ws.doc
    site = doc.get("site") or {}
    spec = site.get("weather") or {"source": "auto"}
    key_doc = {"site": site, "year": doc.get("year")}
    files = ws.with_doc({"weather": spec}).digest()
    return _weather_cached(json.dumps(key_doc, sort_keys=True, default=str) + files, ws)


# -------------------------------------------------------------------------------------------------
# downloads, built only when the user clicks
# -------------------------------------------------------------------------------------------------

@st.cache_data(max_entries=4, show_spinner=False)
def _results_zip_cached(digest: str, origin: str, _state: RunState) -> bytes:
    from cer_core.export.xlsx import results_zip

    return results_zip(_state.outcome.results)


@st.cache_data(max_entries=8, show_spinner=False)
def _results_xlsx_cached(digest: str, origin: str, lang: str, _state: RunState) -> bytes:
    from cer_core.export.xlsx import results_workbook

    return results_workbook(_state.outcome.results, lang=lang, scenario=_state.outcome.scenario)


@st.cache_data(max_entries=8, show_spinner=False)
def _results_lean_zip_cached(digest: str, origin: str, _state: RunState) -> bytes:
    return lean_results_zip(_state.outcome.results)


def lean_results_zip(results) -> bytes:
    """``summary.json`` and the split's CSVs in a deflated zip, without the hourly series (tens of MB
    uncompressed, seconds to write): what a meeting needs, in a blink."""
    import io
    import json
    import tempfile
    import zipfile
    from pathlib import Path

    from cer_core.export.files import summary_document, write_allocation_csv

    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="cer_results_") as tmp, \
            zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("summary.json", json.dumps(summary_document(results), indent=1, ensure_ascii=False))
        for path in write_allocation_csv(results.summary.get("allocation"), Path(tmp)):
            zf.write(path, arcname=path.name)
    return buf.getvalue()


def results_zip(state: RunState, hourly: bool = True) -> bytes:
    """The ``simulate`` files (summary.json and the hourly CSVs) in one zip; ``hourly=False``: without the
    hourly CSVs (:func:`lean_results_zip`)."""
    if not hourly:
        return _results_lean_zip_cached(state.digest, _origin(state), state)
    return _results_zip_cached(state.digest, _origin(state), state)


def results_xlsx(state: RunState, lang: str) -> bytes:
    """The results as an Excel workbook in ``lang``."""
    return _results_xlsx_cached(state.digest, _origin(state), lang, state)


def _origin(state: RunState) -> str:
    """The file name the results carry: part of every download's cache key (the cache is shared by sessions,
    and two sessions may open the same bytes under two names)."""
    return str(state.outcome.summary.get("scenario", {}).get("origin", "")) if state.outcome else ""


# -------------------------------------------------------------------------------------------------
# the 3-day forecast (cer_core.forecast), cached per simulation, hour and offline choice
# -------------------------------------------------------------------------------------------------

@st.cache_data(max_entries=16, ttl=1800, show_spinner=False)
def _forecast_cached(digest: str, origin: str, hour_utc: str, offline: bool, _state: RunState, _ws: Workspace):
    from cer_core.forecast import community_forecast

    try:
        fc = community_forecast(_state.outcome.scenario, _state.outcome.results, offline=offline, now=hour_utc,
                                read_file=_ws.read_file)
    except Exception as exc:  # noqa: BLE001 - a sentence, never a traceback
        return None, (internal_problem(exc, "forecast"),)
    return fc, ()


def forecast(ws: Workspace, state: RunState, offline: bool = False):
    """The next 72 hours of the simulated community (:func:`cer_core.forecast.community_forecast`) and the
    problems met, ``(CommunityForecast | None, tuple[Problem, ...])``; recomputed each hour."""
    import pandas as pd

    hour = pd.Timestamp.now(tz="UTC").floor("h").isoformat()
    return _forecast_cached(state.digest, _origin(state), hour, bool(offline), state, ws)


# Scenari e dimensionamento (issue 13): sweeps, optimal sizes, candidates, variants
# -------------------------------------------------------------------------------------------------

def economics(state: RunState) -> dict:
    """The investment economics of the simulated year: ``summary["economics"]`` as ``simulate`` writes it
    (recomputed with the regolamento's split when the rules change, see :func:`_resplit_cached`)."""
    return state.summary.get("economics") or {}


def _design_key(ws: Workspace) -> str:
    """Cache key of the sizing results: the simulation and the investment parameters (NPV per size)."""
    invest = (ws.doc.get("economics") or {}).get("investment") if isinstance(ws.doc.get("economics"), dict) else None
    return engine_workspace(ws).digest() + json.dumps(invest, sort_keys=True, default=str)


def _base_inputs(state: RunState):
    from cer_core.sizing import inputs_from_results

    return inputs_from_results(state.outcome.scenario, state.outcome.results)


@st.cache_data(max_entries=16, show_spinner=False)
def _sweep_cached(digest: str, plant_id: str | None, _state: RunState) -> dict:
    from cer_core.sizing import sweep

    return sweep(_base_inputs(_state), plant_id)


def sizing_sweep(ws: Workspace, state: RunState, plant_id: str | None) -> dict:
    """20 sizes of one plant (or of every plant scaled together), cached per simulation and plant."""
    return _sweep_cached(_design_key(ws), plant_id, state)


@st.cache_data(max_entries=8, show_spinner=False)
def _optimal_cached(digest: str, objective: str, _ws: Workspace, _state: RunState) -> dict:
    from cer_core.optimal import optimal_sizes, roof_limits_kwp

    try:
        return optimal_sizes(_base_inputs(_state), objective, max_kwp=roof_limits_kwp(_ws.doc))
    except Exception as exc:  # noqa: BLE001 - the studio must show a sentence, never a traceback
        return {"status": "error", "problem": internal_problem(exc, "optimal").to_dict()}


def optimal_sizes(ws: Workspace, state: RunState, objective: str) -> dict:
    """The LP's optimal kWp per plant (bounded by the roofs drawn and 1 MW), cached per simulation."""
    return _optimal_cached(_design_key(ws), objective, ws, state)


@st.cache_data(max_entries=8, show_spinner=False)
def _ranking_cached(digest: str, key: str, _ws: Workspace, _state: RunState) -> dict:
    from cer_core.selection import Pool, greedy, pool_scenario

    sc = _state.outcome.scenario
    try:
        inputs, _ = api.build_inputs(pool_scenario(sc), _ws)
    except CerInputError as exc:
        return {"problems": [p.to_dict() for p in exc.problems]}
    except Exception as exc:  # noqa: BLE001
        return {"problems": [internal_problem(exc, "candidates").to_dict()]}
    return greedy(Pool(inputs, tuple(m.id for m in sc.candidates)), key=key)


def candidate_ranking(ws: Workspace, state: RunState, key: str) -> dict:
    """The candidates ranked by greedy selection (their loads read like the members'), cached."""
    return _ranking_cached(ws.digest(), key, ws, state)


@st.cache_data(max_entries=16, show_spinner=False)
def _needed_cached(digest: str, plant_id: str, target: float, _state: RunState) -> dict:
    return api.consumers_needed(_state.outcome, plant_id, target)


def consumers_needed(ws: Workspace, state: RunState, plant_id: str, target: float) -> dict:
    """How many typical consumers of each category the plant's injection needs to share ``target`` of it."""
    return _needed_cached(engine_workspace(ws).digest(), plant_id, target, state)


def variant_workspace(ws: Workspace, scenario_doc: dict) -> Workspace:
    """A variant as a workspace of its own (same files)."""
    return ws.with_doc({k: v for k, v in scenario_doc.items() if k != "variants"})


def current_without_variants(ws: Workspace) -> Workspace:
    """The current community without its variants (the simulation does not depend on them)."""
    return ws if "variants" not in ws.doc else ws.with_doc({k: v for k, v in ws.doc.items() if k != "variants"})
