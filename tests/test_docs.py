"""The documentation stays true: its examples validate and run, the names it lists exist."""

import json
import re

import pytest

from cer_core.api import run
from cer_core.loads.profiles import PROFILE_NAMES
from cer_core.scenario import parse_scenario
from cer_core.workspace import Workspace

from conftest import ROOT

SCENARIO_MD = (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8")


def test_minimal_example_of_scenario_md_validates_and_runs():
    block = re.search(r"## A minimal example\s+```json\n(.*?)```", SCENARIO_MD, re.S).group(1)
    doc = json.loads(block)
    sc, problems = parse_scenario(doc)
    assert sc is not None and not [p for p in problems if p.severity == "error"]
    doc["site"]["weather"] = {"source": "embedded"}
    outcome = run(Workspace(doc=doc))
    assert outcome.summary["totals"]["shared_kwh"] > 0


def test_documented_profiles_exist():
    documented = re.findall(r"`(\w+)`", SCENARIO_MD.split("Profiles:")[1].split("|")[0])
    assert set(documented) == set(PROFILE_NAMES)


@pytest.mark.parametrize("doc", ["README.md", "docs/architecture.md", "docs/scenario.md", "docs/results.md",
                                 "docs/regulation.md", "docs/limits.md", "docs/economics.md"])
def test_relative_links_resolve(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+)\)", text):
        assert (ROOT / doc).parent.joinpath(target).exists(), f"{doc}: broken link {target}"
