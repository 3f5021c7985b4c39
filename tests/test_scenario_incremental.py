"""Schema validation re-checks only the members and plants that changed, with the same problems (issue 16)."""

from __future__ import annotations

import copy

import pytest

from cer_core import scenario as S
from cer_core.api import demo_workspace


def _full(doc):
    """The problems of validating the whole document at once (the behaviour before the cache)."""
    saved = S._schema_errors
    S._schema_errors = lambda d: list(S._validator().iter_errors(d))
    try:
        return S.schema_problems(doc)
    finally:
        S._schema_errors = saved


def _key(problems):
    return [(p.where, p.it, p.en, p.code, p.severity) for p in problems]


def _broken(mutate):
    doc = copy.deepcopy(demo_workspace().doc)
    mutate(doc)
    return doc


CASES = {
    "valid": lambda d: None,
    "member kind": lambda d: d["members"][3].update(kind="alien"),
    "member missing id": lambda d: d["members"][0].pop("id"),
    "member load type": lambda d: d["members"][5].update(load=[1, 2]),
    "member not an object": lambda d: d["members"].__setitem__(2, "x"),
    "plant kwp negative": lambda d: d["plants"][1].update(kwp=-3),
    "plant date": lambda d: d["plants"][0].update(commissioning="2024/01/01"),
    "plant and member and top level": lambda d: (d["plants"][2].update(tilt_deg="steep"),
                                                 d["members"][7].update(category=3), d.update(year="x")),
    "members not a list": lambda d: d.update(members={"a": 1}),
    "top-level name": lambda d: d.update(name=5),
    "nan in a member": lambda d: d["members"][1].update(lat=float("nan")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_problems_as_validating_the_whole_document(case):
    doc = _broken(CASES[case])
    expected = _key(_full(doc))
    assert _key(S.schema_problems(doc)) == expected  # cold
    assert _key(S.schema_problems(doc)) == expected  # warm (valid items from the cache)
    if case != "valid":
        assert expected, "the broken document has problems"


def test_only_changed_items_are_validated(monkeypatch):
    doc = copy.deepcopy(demo_workspace().doc)
    assert S.schema_problems(doc) == []
    validated = []
    real = S._item_validator

    class Counting:
        def __init__(self, name):
            self.inner = real(name)

        def iter_errors(self, item):
            validated.append(item.get("id"))
            return self.inner.iter_errors(item)

    monkeypatch.setattr(S, "_item_validator", Counting)
    assert S.schema_problems(doc) == []
    assert validated == []  # nothing changed: nothing validated again
    doc["members"][4]["name"] = "Renamed"
    doc["plants"][0]["losses_pct"] = 12.5
    assert S.schema_problems(doc) == []
    assert validated == [doc["members"][4]["id"], doc["plants"][0]["id"]]
