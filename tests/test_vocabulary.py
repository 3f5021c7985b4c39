"""One vocabulary (``cer_core/vocabulary.py``): the words the studio offers are the scenario's, a fresh
document is valid, and no studio module or page writes the lists out again."""

from __future__ import annotations

import ast
import json

from conftest import ROOT

from cer_core import vocabulary as V
from cer_core.scenario import parse_scenario
from cer_core.workspace import SCENARIO_SCHEMA_ID, new_document

SCHEMA = json.loads((ROOT / "docs" / "scenario.schema.json").read_text(encoding="utf-8"))


def member_enum(key: str) -> list[str]:
    return SCHEMA["$defs"]["member"]["properties"][key]["enum"]


def test_the_choices_are_the_schemas_words_in_the_studios_order():
    assert sorted(V.KIND_CHOICES) == sorted(V.MEMBER_KINDS) == sorted(member_enum("kind"))
    assert len(set(V.KIND_CHOICES)) == len(V.KIND_CHOICES)
    assert sorted(V.CATEGORY_CHOICES) == sorted(V.MEMBER_CATEGORIES)
    assert list(V.MEMBER_CATEGORIES) == member_enum("category")[:len(V.MEMBER_CATEGORIES)]  # then old aliases
    assert V.DEFAULT_KIND in V.KIND_CHOICES and V.DEFAULT_CATEGORY in V.CATEGORY_CHOICES
    assert set(V.TYPICAL_ANNUAL_KWH) == set(V.MEMBER_CATEGORIES)


def test_the_kwp_limits_are_inside_the_schemas():
    plant_kwp = SCHEMA["$defs"]["plant"]["properties"]["kwp"]
    assert plant_kwp["minimum"] < V.DRAWN_PLANT_KWP_MIN < V.PLANT_KWP_MAX <= plant_kwp["maximum"]


def test_a_new_document_is_valid_fresh_and_uses_the_defaults():
    doc = new_document("  CER di prova ", "Rozzano")
    assert doc["schema"] == SCENARIO_SCHEMA_ID and doc["name"] == "CER di prova"
    assert doc["year"] == V.REFERENCE_YEAR
    assert doc["cabine"] == [{"id": V.DEFAULT_CABINA_ID, "name": V.DEFAULT_CABINA_NAME}]
    sc, problems = parse_scenario(doc)
    assert sc is not None and [p for p in problems if p.severity == "error"] == []
    doc["cabine"].append({"id": "CP-2"})
    assert new_document("x", "Rozzano", 2025)["cabine"] == [{"id": V.DEFAULT_CABINA_ID, "name": V.DEFAULT_CABINA_NAME}]
    assert new_document("x", "Rozzano", 2025)["year"] == 2025


def test_year_or_default():
    assert V.year_or_default({}) == V.REFERENCE_YEAR
    assert V.year_or_default({"year": 2023}) == 2023


def _tuples_of_words(path) -> list[tuple[int, tuple]]:
    """Every tuple/list literal of two or more strings in a file, with its line."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) >= 2 \
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            out.append((node.lineno, tuple(e.value for e in node.elts)))
    return out


def test_no_module_or_page_writes_the_kinds_or_the_categories_out_again():
    """Only ``constants.py`` (with the sources) and ``vocabulary.py`` (the forms' order) list them."""
    kinds, categories = set(V.MEMBER_KINDS), set(V.MEMBER_CATEGORIES)
    homes = {ROOT / "cer_core" / "constants.py", ROOT / "cer_core" / "vocabulary.py"}
    found = []
    for path in sorted([*(ROOT / "cer_core").rglob("*.py"), *(ROOT / "studio").rglob("*.py"),
                        *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]):
        if path in homes:
            continue
        for line, words in _tuples_of_words(path):
            if set(words) in (kinds, categories):
                found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == []
