"""``summary.json`` follows its published JSON Schema (``docs/results.schema.json``).

The schema is what the pages, the exports and outside readers rely on: every summary the tests make
(the demo's file as ``simulate`` writes it, the scenario files of the tests, engine-level cases
finished like ``api.run`` does) must validate, and a renamed or missing key must not.
"""

from __future__ import annotations

import copy
import dataclasses
import json

import jsonschema
import numpy as np
import pytest
from conftest import ROOT
from engine_helpers import daylight_pv, inputs, member, plant, scenario
from studio_helpers import fixture_workspace
from test_scenario import mem_ws

from cer_core.money.allocation import allocation_summary
from cer_core.api import demo_workspace, run, scenario_header
from cer_core.checks import all_checks
from cer_core.engine import simulate
from cer_core.export.files import summary_document, write_results
from cer_core.timeaxis import n_hours
from cer_core.workspace import Workspace

SCHEMA = json.loads((ROOT / "docs" / "results.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def errors_of(doc: dict) -> list[str]:
    """Every schema violation as ``path: message`` (empty when the document is valid)."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in VALIDATOR.iter_errors(doc)]


def engine_inputs(sc, load, prod=None):
    """The engine's inputs with the ``sources`` record ``api.build_inputs`` would give them."""
    return dataclasses.replace(inputs(sc, load, prod), sources={
        "weather": None, "prices": {"source": "flat", "label": "flat", "market_zone": "NORD", "mean_eur_mwh": 100.0},
        "loads": {m.id: {"source": "profile"} for m in sc.members},
        "production": {p.id: {"source": "file"} for p in sc.plants}})


def finished(sc, results) -> dict:
    """An engine-level result completed as ``api.run`` completes it, as ``summary.json`` content."""
    summary = results.summary
    summary["checks"] = all_checks(sc, summary)
    summary["warnings"] = []
    summary["scenario"] = scenario_header(sc, Workspace(doc={}, origin="engine-case"))
    summary["allocation"] = allocation_summary(results, sc)
    return json.loads(json.dumps(summary_document(results)))


def engine_case_mixed() -> dict:
    """Two cabine; a plant with a grant, a pre-2021 plant, one over 1 MW; a wastewater treatment plant."""
    members = [member("W", "CP1", kind="prosumer", category="public_body", facility="wastewater_treatment"),
               member("H", "CP1"), member("S", "CP2", kind="prosumer", category="sme"), member("T", "CP2")]
    plants = [plant("pw", "W", 300, grant_pct=20.0), plant("old", "S", 20, commissioning="2019-06-01"),
              plant("big", "S", 1200)]
    sc = scenario(members, plants, year=2024)
    h = n_hours(2024)
    load = np.column_stack([np.full(h, 60.0), np.full(h, 0.5), np.full(h, 30.0), np.full(h, 2.0)])
    prod = np.column_stack([daylight_pv(2024, 300), daylight_pv(2024, 20), daylight_pv(2024, 1200)])
    return finished(sc, simulate(engine_inputs(sc, load, prod)))


def engine_case_consumers_only() -> dict:
    """No plant at all: every figure is zero, the records are still there and typed."""
    sc = scenario([member("A"), member("B", category="sme")], [])
    return finished(sc, simulate(engine_inputs(sc, np.ones((n_hours(2025), 2)))))


@pytest.mark.slow
def test_demo_summary_file_validates(tmp_path):
    outcome = run(demo_workspace())
    write_results(outcome.results, tmp_path)
    doc = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert doc["allocation"]["shapley"] is not None  # the branch with the Shapley values
    assert errors_of(doc) == []


@pytest.mark.parametrize("make", [
    pytest.param(lambda: run(mem_ws()), id="test_scenario-base_doc"),
    pytest.param(lambda: run(fixture_workspace(), shapley=False), id="studio-fixture-without-shapley"),
])
def test_scenario_file_summaries_validate(make):
    doc = json.loads(json.dumps(summary_document(make().results)))
    assert errors_of(doc) == []


@pytest.mark.parametrize("make", [engine_case_mixed, engine_case_consumers_only])
def test_engine_case_summaries_validate(make):
    doc = make()
    assert errors_of(doc) == []


@pytest.fixture(scope="module")
def valid_doc() -> dict:
    doc = engine_case_mixed()
    assert errors_of(doc) == []
    return doc


@pytest.mark.parametrize("path, typo", [
    (("totals",), "total"),
    (("totals", "shared_kwh"), "shared_kWh"),
    (("members", 0, "consumption_kwh"), "consumption"),
    (("plants", 0, "tip_eur"), "tip_euro"),
    (("cabine", 1, "monthly", "shared_kwh"), "shared"),
    (("allocation", "monthly", 3, "members", 0, "net_eur"), "net"),
    (("checks", 0, "status"), "state"),
])
def test_a_renamed_key_fails_validation(valid_doc, path, typo):
    doc = copy.deepcopy(valid_doc)
    *parents, key = path
    holder = doc
    for step in parents:
        holder = holder[step]
    holder[typo] = holder.pop(key)
    errors = errors_of(doc)
    assert any(f"'{key}' is a required property" in e for e in errors), errors


@pytest.mark.parametrize("path, value, expected", [
    (("totals", "tip_eur"), "30360.19", "is not of type 'number'"),
    (("monthly",), [], "is too short"),
    (("checks", 0, "status"), "ok", "is not one of"),
    (("schema",), "cer-studio/results@2", "was expected"),
])
def test_a_wrong_value_fails_validation(valid_doc, path, value, expected):
    doc = copy.deepcopy(valid_doc)
    *parents, key = path
    holder = doc
    for step in parents:
        holder = holder[step]
    holder[key] = value
    assert any(expected in e for e in errors_of(doc)), errors_of(doc)


def test_added_keys_are_allowed(valid_doc):
    """Records are open: a later version may add keys without breaking the readers of this one."""
    doc = copy.deepcopy(valid_doc)
    doc["new_section"] = {"x": 1}
    doc["totals"]["new_figure_kwh"] = 1.0
    doc["members"][0]["new_key"] = "x"
    assert errors_of(doc) == []
