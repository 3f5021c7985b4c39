"""The typed views over ``summary`` (``cer_core/results_view.py``): built from real summaries, every field
they read is a required key of ``docs/results.schema.json``, and a missing key fails loudly by its name."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest
from conftest import ROOT
from test_results_schema import engine_case_consumers_only, engine_case_mixed

from cer_core.results_view import VIEWS, Month, SummaryView, Totals, summary_view

SCHEMA = json.loads((ROOT / "docs" / "results.schema.json").read_text(encoding="utf-8"))


def required(def_name: str) -> set[str]:
    return set(SCHEMA["$defs"][def_name]["required"])


@pytest.mark.parametrize("section, cls", list(VIEWS.items()))
def test_every_key_a_view_reads_is_required_by_the_schema(section, cls):
    assert section in SCHEMA["required"]
    ref = SCHEMA["properties"][section]
    ref = ref["items"]["$ref"] if ref.get("type") == "array" else ref["$ref"]
    assert ref == f"#/$defs/{cls.SCHEMA_DEF}"
    read = {f.name for f in dataclasses.fields(cls)}
    assert read - required(cls.SCHEMA_DEF) == set()


def test_the_monthly_keys_the_studio_reads_are_required():
    monthly = lambda d: set(SCHEMA["$defs"][d]["properties"]["monthly"]["required"])  # noqa: E731
    assert "production_kwh" in monthly("plant")


@pytest.fixture(scope="module")
def mixed() -> dict:
    return engine_case_mixed()


def test_a_view_of_a_summary_holds_its_figures(mixed):
    view = summary_view(mixed)
    assert isinstance(view, SummaryView) and isinstance(view.totals, Totals)
    assert view.totals.shared_kwh == mixed["totals"]["shared_kwh"] > 0
    assert view.totals.cer_money_eur == mixed["totals"]["cer_money_eur"]
    assert [m.month for m in view.monthly] == list(range(1, 13)) and isinstance(view.monthly[0], Month)
    assert sum(m.shared_kwh for m in view.monthly) == pytest.approx(view.totals.shared_kwh)
    assert [m.id for m in view.members] == [m["id"] for m in mixed["members"]]
    assert [p.id for p in view.plants] == ["pw", "old", "big"]
    assert [c.id for c in view.cabine] == ["CP1", "CP2"]
    rows = view.plant_monthly_kwh()
    assert len(rows) == 12 and len(rows[0]) == 3
    assert sum(r[2] for r in rows) == pytest.approx(view.plants[2].production_kwh)
    assert view.plants[1].admission("en") == mixed["plants"][1]["admission_en"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.totals.shared_kwh = 0.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        view.plants[0].monthly["production_kwh"] = []  # type: ignore[index]


def test_a_summary_without_plants_gives_empty_records():
    view = summary_view(engine_case_consumers_only())
    assert view.plants == () and view.totals.production_kwh == 0.0


@pytest.mark.parametrize("path", [("totals", "shared_kwh"), ("monthly", 4, "cer_money_eur"),
                                  ("members", 1, "withdrawn_kwh"), ("plants", 0, "admitted"),
                                  ("cabine", 1, "kwp"), ("totals",)])
def test_a_missing_key_fails_loudly_with_its_name(mixed, path):
    doc = copy.deepcopy(mixed)
    holder = doc
    for step in path[:-1]:
        holder = holder[step]
    del holder[path[-1]]
    with pytest.raises(KeyError, match=repr(path[-1])):
        view = summary_view(doc)
        view.members, view.plants, view.cabine  # noqa: B018 - built when first used
