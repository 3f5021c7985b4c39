"""Issue 12 (meeting-ready studio), the pure parts: coherent defaults, typical consumption by category,
the cabina to-do, roofs entered by area, presentation helpers."""

from __future__ import annotations

import datetime as dt


from cer_core.api import run
from cer_core.constants import default_commissioning
from cer_core.vocabulary import DEFAULT_CABINA_ID, DEFAULT_CABINA_NAME, REFERENCE_YEAR
from cer_core.workspace import Workspace, new_document
from studio.pure import map_model as mm

ROZZANO = (45.3800, 9.1550)


def _fresh_workshop() -> dict:
    """A new community as a facilitator builds it: defaults everywhere, two members on the map, a drawn roof."""
    doc = new_document("CER di quartiere", "Rozzano", REFERENCE_YEAR)
    a = mm.add_member(doc, name="Famiglia Rossi", kind="consumer", category="household", lat=ROZZANO[0],
                      lon=ROZZANO[1])
    mm.add_member(doc, name="Scuola media", kind="consumer", category="public_body", lat=ROZZANO[0] + 0.001,
                  lon=ROZZANO[1])
    lat, lon = ROZZANO
    roof = {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.0002, lat], [lon + 0.0002, lat + 0.0001],
                                                [lon, lat + 0.0001], [lon, lat]]]}
    mm.add_plant(doc, owner=a, roof=roof, kwp=6.0, tilt_deg=20.0, azimuth_deg=180.0,
                 commissioning=default_commissioning(doc["year"]))
    return doc


def test_the_reference_year_is_the_embedded_data_year_and_the_roof_runs_all_of_it():
    assert REFERENCE_YEAR == 2024
    assert default_commissioning(REFERENCE_YEAR) == dt.date(2024, 1, 1)
    assert new_document("x", "Rozzano", REFERENCE_YEAR)["year"] == 2024


def test_a_fresh_workshop_has_no_warning_the_user_did_not_cause():
    outcome = run(Workspace(doc=_fresh_workshop(), origin="test"), shapley=False)
    summary = outcome.results.summary
    warned = [(c.get("id"), c.get("it")) for c in summary["checks"] if c.get("status") == "warning"]
    assert not [w for w in warned if "anno" in str(w[1]) or "esercizio" in str(w[1])], warned
    assert not [w.code for w in outcome.warnings if "year" in str(w.code)], [w.code for w in outcome.warnings]


def test_after_confirming_the_cabine_a_fresh_workshop_warns_only_about_what_its_design_causes():
    from studio.pure.overview import confirm_cabine, missing_items

    doc = _fresh_workshop()
    assert ("panoramica.missing.area", {"ids": DEFAULT_CABINA_ID}, "pages/mappa.py") in missing_items(doc)
    doc = confirm_cabine(doc)
    assert doc["cabine"] == [{"id": DEFAULT_CABINA_ID, "name": DEFAULT_CABINA_NAME, "confirmed": True}]
    assert not [k for k, _, _ in missing_items(doc) if k == "panoramica.missing.area"]
    checks = run(Workspace(doc=doc, origin="test"), shapley=False).results.summary["checks"]
    cabina = [c for c in checks if c["id"] == "members_in_cabina"]
    assert [c["status"] for c in cabina] == ["pass"]
    # the only warning left is the 55 % rule, which the roof's size causes (the user's design)
    assert {c["id"] for c in checks if c["status"] != "pass"} <= {"restricted_tip"}


def test_wastewater_neutrality_is_a_progress_indicator_with_value_and_target():
    from cer_core.checks import wastewater_checks
    from studio.pure.overview import split_checks

    checks = wastewater_checks([{"member": "dep", "neutrality_ratio": 0.25}], {"dep": "Depuratore"})
    assert checks[0]["kind"] == "progress" and checks[0]["value"] == 0.25 and checks[0]["target"] == 1.0
    eligibility, progress = split_checks(checks + [{"id": "has_plants", "status": "fail"}])
    assert [c["id"] for c in eligibility] == ["has_plants"] and progress == checks


def test_problems_speak_of_members_and_plants_not_json_paths_or_exception_classes():
    from cer_core.errors import Problem
    from studio.pure.plain import user_message

    doc = {"members": [{"id": "rossi", "name": "Famiglia Rossi"}], "plants": [{"id": "p1", "name": "Tetto scuola"}]}
    p = Problem.verbatim("members[0].load.bills[2].f1_kwh", "valore negativo", "negative value")
    assert user_message(p, "it", doc) == "membro «Famiglia Rossi» · consumi · bolletta 3: valore negativo"
    assert user_message(p, "en", doc) == "member «Famiglia Rossi» · consumption · bill 3: negative value"
    p = Problem.verbatim("plants[0].production.path → members/casa-3/originali/pvgis.csv:12", "riga illeggibile", "bad row")
    assert user_message(p, "it", doc) == "impianto «Tetto scuola» · produzione → pvgis.csv:12: riga illeggibile"
    p = Problem.verbatim("site.weather", "PVGIS non raggiungibile (ConnectionError)", "PVGIS unreachable (ConnectionError)")
    assert user_message(p, "it", doc) == "sito · meteo: PVGIS non raggiungibile"
    p = Problem.verbatim("b.xlsx", "file Excel illeggibile (BadZipFile): attesa una cartella .xlsx valida", "x")
    assert user_message(p, "it") == "b.xlsx: file Excel illeggibile: attesa una cartella .xlsx valida"
    p = Problem.verbatim("members[7].cabina", "cabina «X» non dichiarata", "x")
    assert user_message(p, "it", doc) == "membro 8 · cabina: cabina «X» non dichiarata"   # no such member: its number
