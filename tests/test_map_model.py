"""studio.pure.map_model: the map's edits keep the scenario valid (parse_scenario has no errors after each)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import types

import pytest

from cer_core.paths import DEMO_SCENARIO
from cer_core.scenario import parse_scenario
from cer_core.vocabulary import CATEGORY_CHOICES, DEFAULT_CABINA_ID, REFERENCE_YEAR
from studio.pure import map_model as mm


def demo() -> dict:
    return json.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))


def empty() -> dict:
    return {"schema": "cer-studio/scenario@1", "name": "Nuova", "year": REFERENCE_YEAR, "site": {"comune": "Rozzano"},
            "members": [], "plants": []}


def errors(doc: dict) -> list[str]:
    _, problems = parse_scenario(doc)
    return [p.message("en") for p in problems if p.severity == "error"]


def square(lon0: float, lat0: float, size: float = 0.0002) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon0, lat0], [lon0 + size, lat0], [lon0 + size, lat0 + size],
                                                [lon0, lat0 + size], [lon0, lat0]]]}


def test_new_load_is_the_studios_default_scaled_when_given():
    from studio.pure.tables import DEFAULT_ANNUAL_KWH, default_load

    assert mm.new_load("household") == default_load("household")
    assert mm.new_load("sme", 12345) == {**default_load("sme"), "annual_kwh": 12345.0}
    assert mm.new_load("sme", 0) == default_load("sme")
    assert mm.new_load("public_body")["annual_kwh"] == DEFAULT_ANNUAL_KWH["public_body"]


def test_build_a_community_from_scratch_stays_valid():
    doc = empty()
    a = mm.add_member(doc, name="Famiglia Rossi", kind="consumer", category="household", lat=45.38, lon=9.15)
    b = mm.add_member(doc, name="Famiglia Rossi", kind="prosumer", category="household", lat=45.381, lon=9.151,
                      annual_kwh=3500)
    c = mm.add_member(doc, name="Solare Srl", kind="producer", category="sme", lat=45.382, lon=9.152)
    assert (a, b, c) == ("famiglia-rossi", "famiglia-rossi-2", "solare-srl")
    assert doc["members"][0]["load"] == {"source": "profile", "profile": "household", "annual_kwh": 2700.0}
    assert doc["members"][1]["load"]["annual_kwh"] == 3500.0
    assert "load" not in doc["members"][2]
    assert {m["cabina"] for m in doc["members"]} == {DEFAULT_CABINA_ID}
    pid, became = mm.add_plant(doc, owner=a, roof=square(9.15, 45.38), kwp=6.0, tilt_deg=30, azimuth_deg=185,
                               commissioning=dt.date(2025, 3, 1))
    assert became and doc["members"][0]["kind"] == "prosumer"
    plant = doc["plants"][0]
    assert plant["id"] == pid == "fv-famiglia-rossi" and plant["member"] == a and plant["commissioning"] == "2025-03-01"
    assert plant["roof"]["type"] == "Polygon" and 45.38 < plant["lat"] < 45.3802
    assert errors(doc) == []


def test_first_area_declares_every_cabina_in_use_and_assigns_members_inside():
    doc = empty()
    inside = mm.add_member(doc, name="Dentro", kind="consumer", category="household", lat=45.385, lon=9.155)
    outside = mm.add_member(doc, name="Fuori", kind="consumer", category="household", lat=45.50, lon=9.40)
    res = mm.add_area(doc, cabina_id="CP-A", name="Cabina A", area=square(9.15, 45.38, 0.01))
    assert res.changes == {inside: (DEFAULT_CABINA_ID, "CP-A")} and res.outside == [outside]
    assert [c["id"] for c in doc["cabine"]] == ["CP-A", DEFAULT_CABINA_ID]
    assert doc["cabine"][0]["name"] == "Cabina A"
    assert errors(doc) == []
    # a new member inside the area is put in it, one outside gets the most common cabina
    assert mm.default_cabina(doc, 45.386, 9.156) == ("CP-A", True)
    assert mm.default_cabina(doc, 40.0, 9.0)[1] is False


def test_area_without_assignment_and_replacement_of_an_existing_area():
    doc = demo()
    before = {m["id"]: m["cabina"] for m in doc["members"]}
    mm.add_area(doc, cabina_id="CP-PIEVE", name=None, area=square(9.0, 45.0, 0.01), assign=False)
    assert {m["id"]: m["cabina"] for m in doc["members"]} == before
    pieve = next(c for c in doc["cabine"] if c["id"] == "CP-PIEVE")
    assert pieve["area"] == square(9.0, 45.0, 0.01) and pieve["name"] == "Cabina primaria Pieve Emanuele"
    with pytest.raises(ValueError):
        mm.add_area(doc, cabina_id="  ", name=None, area=square(9.0, 45.0))


def test_import_areas_reassigns_and_remove_area_keeps_cabina():
    doc = demo()
    rozzano = next(c for c in doc["cabine"] if c["id"] == "CP-ROZZANO")
    big = {"id": "CP-NUOVA", "name": "Nuova", "area": square(9.0, 45.3, 0.3)}
    # with the demo areas still drawn, the smaller (more specific) areas win: nobody moves
    assert mm.import_areas(doc, [big]).changes == {}
    mm.remove_area(doc, "CP-ROZZANO")
    mm.remove_area(doc, "CP-PIEVE")
    assert "area" not in next(c for c in doc["cabine"] if c["id"] == "CP-ROZZANO")
    assert rozzano["area"]        # the original dict was not touched
    # alone, the big imported area swallows every member
    res = mm.import_areas(doc, [big])
    assert len(res.changes) == len(doc["members"]) and res.outside == []
    assert {m["cabina"] for m in doc["members"]} == {"CP-NUOVA"}
    assert errors(doc) == []


def test_move_member_reassigns_to_the_area_of_the_new_point():
    doc = demo()
    pieve_point = next(m for m in doc["members"] if m["cabina"] == "CP-PIEVE")
    changed = mm.move_member(doc, "casa-01", pieve_point["lat"], pieve_point["lon"])
    m = next(x for x in doc["members"] if x["id"] == "casa-01")
    assert changed == "CP-PIEVE" and m["cabina"] == "CP-PIEVE" and m["lat"] == pieve_point["lat"]
    assert mm.move_member(doc, "casa-01", 10.0, 10.0) is None and m["cabina"] == "CP-PIEVE"


def test_update_and_delete_member():
    doc = demo()
    mm.update_member(doc, "solare-lombarda", kind="prosumer", category="sme", name="  Solare   Lombarda ",
                     cabina="CP-PIEVE")
    m = next(x for x in doc["members"] if x["id"] == "solare-lombarda")
    assert (m["name"], m["kind"], m["category"], m["cabina"]) == ("Solare Lombarda", "prosumer", "sme", "CP-PIEVE")
    assert m["load"]["source"] == "profile"          # a producer turned prosumer gets a load
    mm.update_member(doc, "casa-01", cabina="CP-NUOVA")     # an unknown cabina gets declared
    assert "CP-NUOVA" in {c["id"] for c in doc["cabine"]}
    assert errors(doc) == []
    with pytest.raises(ValueError):
        mm.update_member(doc, "casa-01", kind="boss")
    removed = mm.delete_member(doc, "depuratore")
    assert removed == ["fv-depuratore"]
    assert all(p["member"] != "depuratore" for p in doc["plants"])
    assert errors(doc) == []
    with pytest.raises(KeyError):
        mm.delete_member(doc, "depuratore")


def test_suggest_owner_inside_nearest_then_selected():
    doc = demo()
    m = next(x for x in doc["members"] if x["id"] == "scuola-pieve")
    around = square(m["lon"] - 0.0001, m["lat"] - 0.0001)
    assert mm.suggest_owner(doc, around) == "scuola-pieve"
    near = square(m["lon"] + 0.0005, m["lat"], 0.0002)            # about 40 m east of the school
    assert mm.suggest_owner(doc, near) == "scuola-pieve"
    far = square(10.0, 46.0)
    assert mm.suggest_owner(doc, far, selected="casa-01") == "casa-01"
    assert mm.suggest_owner(doc, far) is None


def test_add_plant_refuses_zero_kwp_and_unknown_owner():
    doc = demo()
    with pytest.raises(ValueError):
        mm.add_plant(doc, owner="casa-01", roof=square(9.15, 45.38), kwp=0, tilt_deg=30, azimuth_deg=180,
                     commissioning=dt.date(2025, 1, 1))
    with pytest.raises(KeyError):
        mm.add_plant(doc, owner="nessuno", roof=square(9.15, 45.38), kwp=3, tilt_deg=30, azimuth_deg=180,
                     commissioning=dt.date(2025, 1, 1))


def test_roof_suggestion_for_uses_cer_core_roof_when_present(monkeypatch):
    captured = {}

    def fake_suggestion(polygon, *, tilt_deg=0.0, **kw):
        captured.update(polygon=polygon, tilt=tilt_deg)
        return types.SimpleNamespace(kwp=12.3, azimuth_deg=170.0, area_m2=100.0, usable_area_m2=80.0)

    monkeypatch.setattr(mm, "roof_suggestion", fake_suggestion)
    sugg, reason = mm.roof_suggestion_for(square(9.15, 45.38), 25.0)
    assert reason is None and sugg.kwp == 12.3 and captured["tilt"] == 25.0


def test_roof_suggestion_for_a_bad_roof_gives_the_reason(monkeypatch):
    from cer_core.errors import CerInputError, Problem

    def refuse(polygon, **kw):
        raise CerInputError(Problem.verbatim("roof", "troppo grande", "too large", code="roof.too_large"))

    monkeypatch.setattr(mm, "roof_suggestion", refuse)
    sugg, reason = mm.roof_suggestion_for(square(9.15, 45.38), 30.0)
    assert sugg is None and "troppo grande" in reason and "too large" in reason


def test_edits_do_not_alias_the_input_roof():
    doc = demo()
    roof = square(9.15, 45.38)
    keep = copy.deepcopy(roof)
    mm.add_plant(doc, owner="casa-01", roof=roof, kwp=3, tilt_deg=30, azimuth_deg=180,
                 commissioning=dt.date(2025, 1, 1))
    assert roof == keep


def test_displayable_drops_what_cannot_be_drawn():
    doc = demo()
    doc["members"] += [{"name": "senza id"}, "garbage", {"id": "strano", "lat": "45", "lon": 9.1, "cabina": 3},
                       {"id": "lontano", "lat": 123.0, "lon": 9.0, "cabina": "CP-PIEVE"}]
    doc["plants"][0]["roof"] = {"type": "Polygon", "coordinates": [[[9, 45], [9, 45]]]}
    doc["plants"][1]["roof"] = {"type": "Point", "coordinates": [9, 45]}
    doc["cabine"].append({"id": "CP-X", "area": {"type": "Polygon", "coordinates": "boh"}})
    doc["cabine"].append({"area": {}})
    view = mm.displayable(doc)
    ids = [m["id"] for m in view["members"]]
    assert ids[-2:] == ["strano", "lontano"] and len(ids) == 42
    strano, lontano = view["members"][-2], view["members"][-1]
    assert "lat" not in strano and strano["cabina"] == "" and "lat" not in lontano
    assert "roof" not in view["plants"][0] and "roof" not in view["plants"][1]
    assert [c["id"] for c in view["cabine"]] == ["CP-ROZZANO", "CP-PIEVE", "CP-X"] and "area" not in view["cabine"][2]
    assert view["cabine"][0]["area"] == doc["cabine"][0]["area"]
    assert len(doc["members"]) == 44                       # the document itself is untouched
    from studio.pure.map_view import dynamic_layers
    assert len(dynamic_layers(view)) == 3                  # and the map builds from it



def test_a_community_built_on_the_map_simulates():
    """Members of every category and a roof plant, as the map creates them, run through the engine."""
    from cer_core.api import run
    from cer_core.workspace import Workspace

    doc = empty()
    ids = [mm.add_member(doc, name=f"Membro {c}", kind="consumer", category=c, lat=45.38 + i * 0.001, lon=9.15)
           for i, c in enumerate(CATEGORY_CHOICES) if c != "large_enterprise"]
    mm.add_member(doc, name="Produttore", kind="producer", category="sme", lat=45.39, lon=9.16)
    mm.add_plant(doc, owner=ids[0], roof=square(9.15, 45.38), kwp=20.0, tilt_deg=30, azimuth_deg=180,
                 commissioning=dt.date(2025, 1, 1))
    totals = run(Workspace(doc=doc, origin="map")).summary["totals"]
    assert totals["members"] == len(CATEGORY_CHOICES) and totals["plants"] == 1 and totals["kwp"] == 20.0
    # 20 kWp near Milan: 900–1500 kWh/kWp; the five consumers' default loads add up as declared
    assert 18_000 < totals["production_kwh"] < 30_000
    from studio.pure.tables import DEFAULT_ANNUAL_KWH

    expected_kwh = sum(DEFAULT_ANNUAL_KWH[c] for c in CATEGORY_CHOICES if c != "large_enterprise")
    assert totals["consumption_kwh"] == pytest.approx(expected_kwh, rel=1e-6)
    assert totals["shared_kwh"] > 0
