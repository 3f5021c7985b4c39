"""AppTest of the «Mappa» page, with st_folium replaced (AppTest cannot render custom components).

The fake map records what the page passed to st_folium; the tests simulate the user by writing the
map's answer into session state (as streamlit-folium's on_change does) and rerunning.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import streamlit_folium
from cer_core.geocode import OFFLINE_ENV
from cer_core.paths import DEMO_SCENARIO
from cer_core.scenario import parse_scenario
from cer_core.vocabulary import DEFAULT_CABINA_ID
from cer_core.workspace import Workspace
from studio.components.frame import SEEN_KEY as FRAME_SEEN_KEY

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "mappa.py")
WS_KEY = "cer_workspace"
CALLS: list[dict] = []


@pytest.fixture(autouse=True)
def fake_map(monkeypatch):
    """st_folium → a recorder; Nominatim is never called."""
    CALLS.clear()

    def st_folium(fig, key=None, **kwargs):
        fig.get_root().render()                      # the real component renders the map: errors surface here
        CALLS.append({"key": key, "fig": fig, **kwargs})
        import streamlit as st

        return st.session_state.get(key) or {}

    monkeypatch.setattr(streamlit_folium, "st_folium", st_folium)  # the page imports it when it runs
    monkeypatch.setenv(OFFLINE_ENV, "1")
    st_cache_clear()


def st_cache_clear() -> None:
    """The page's geocoder is a cached resource: a fresh one per test."""
    st.cache_resource.clear()


def app(doc: dict | None = None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[FRAME_SEEN_KEY] = True  # the page alone, as if app.py had drawn the frame
    if doc is not None:
        at.session_state[WS_KEY] = Workspace(doc=doc, origin="test")
    if lang:
        at.session_state["lang"] = lang
    return at.run()


def demo() -> dict:
    return json.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))


def empty() -> dict:
    return {"schema": "cer-studio/scenario@1", "name": "Vuota", "year": 2024, "site": {"comune": "Rozzano"},
            "members": [], "plants": []}


def doc_of(at: AppTest) -> dict:
    return at.session_state[WS_KEY].doc


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def answer(at: AppTest, **values) -> AppTest:
    """Pretend the user did something on the map: its answer, as streamlit-folium stores it."""
    key = CALLS[-1]["key"]
    at.session_state[key] = {"all_drawings": None, "last_object_clicked": None,
                             "last_object_clicked_tooltip": None, **values}
    return at.run()


def feature(geometry: dict) -> dict:
    return {"type": "Feature", "properties": {}, "geometry": geometry}


def square(lon0: float, lat0: float, size: float = 0.0002) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon0, lat0], [lon0 + size, lat0], [lon0 + size, lat0 + size],
                                                [lon0, lat0 + size], [lon0, lat0]]]}


def drafts_token(call: dict) -> int:
    """The token of the script that clears Leaflet.draw's drafts, in the members' feature group."""
    import re

    import folium
    from streamlit_folium import _get_feature_group_string

    script = _get_feature_group_string(call["feature_group_to_add"][2], folium.Map(), 2)
    return int(re.search(r"var token = (\d+);", script).group(1))


def button(at: AppTest, label: str):
    hits = [b for b in list(at.button) + list(at.get("form_submit_button")) if b.label == label]
    assert hits, f"no button {label!r}: {[b.label for b in at.button]}"
    return hits[0]


def widget(collection, label: str):
    hits = [w for w in collection if w.label == label]
    assert hits, f"no widget {label!r}: {[w.label for w in collection]}"
    return hits[0]


def test_demo_renders_with_limited_returns_and_dynamic_layers():
    at = app()
    no_errors(at)
    assert at.title[0].value == "Mappa"
    call = CALLS[-1]
    assert call["key"] == "cer_map_0"
    assert call["returned_objects"] == ["all_drawings", "last_object_clicked", "last_object_clicked_tooltip"]
    assert len(call["feature_group_to_add"]) == 3               # areas, roofs, members (nothing pending)
    assert call["use_container_width"] and call["height"] == 620
    # nobody is outside the demo's areas, and the cabine are listed with their areas
    assert not at.warning
    assert "Cabina primaria Rozzano" in " ".join(m.value for m in at.markdown)


def test_empty_community_renders():
    at = app(empty())
    no_errors(at)
    assert any("Nessun membro ancora" in i.value for i in at.info)
    assert len(CALLS[-1]["feature_group_to_add"]) == 3


def test_english():
    at = app(lang="en")
    no_errors(at)
    assert at.title[0].value == "Map"
    assert widget(at.segmented_control, "The polygon you draw is").value == "roof"


def test_draw_a_roof_confirm_and_a_plant_appears():
    at = app()
    school = next(m for m in doc_of(at)["members"] if m["id"] == "scuola-pieve")
    plant_ids = {p["id"] for p in doc_of(at)["plants"]}
    roof = square(school["lon"] - 0.0001, school["lat"] - 0.0001)
    at = answer(at, all_drawings=[feature(roof)])
    no_errors(at)
    assert any("Nuovo impianto sul tetto" in m.value for m in at.markdown)
    assert len(CALLS[-1]["feature_group_to_add"]) == 4          # the drawn roof waits, dashed
    assert widget(at.selectbox, "Proprietario (membro)").value == "scuola-pieve"
    from cer_core.solar.roof import roof_suggestion

    sugg = roof_suggestion(roof, tilt_deg=30.0)
    assert any("Suggeriti" in c.value for c in at.caption)
    assert widget(at.text_input, "Potenza (kWp)").value == str(round(sugg.kwp, 1)).replace(".", ",").rstrip("0").rstrip(",")
    assert widget(at.number_input, "Azimut (°)").value == round(sugg.azimuth_deg)
    widget(at.text_input, "Potenza (kWp)").set_value("8,5")    # typed the Italian way
    at = button(at, "Aggiungi impianto").click().run()
    no_errors(at)
    plants = [p for p in doc_of(at)["plants"] if p["id"] not in plant_ids]
    assert len(plants) == 1 and plants[0]["member"] == "scuola-pieve" and plants[0]["kwp"] == 8.5
    assert plants[0]["roof"] == roof
    assert any("8,5\u00a0kWp aggiunto" in x.value for x in at.toast)        # a toast: nothing shifts the map
    assert CALLS[-1]["key"] == "cer_map_0"                      # same map (zoom kept)...
    assert drafts_token(CALLS[-1]) == 1                         # ...told to clear Leaflet.draw's draft
    assert len(CALLS[-1]["feature_group_to_add"]) == 3
    sc, problems = parse_scenario(doc_of(at))
    assert sc is not None and not [p for p in problems if p.severity == "error"]


def test_cancel_a_drawn_roof_changes_nothing():
    at = app()
    before = json.dumps(doc_of(at), sort_keys=True)
    at = answer(at, all_drawings=[feature(square(9.15, 45.38))])
    at = button(at, "Annulla").click().run()
    no_errors(at)
    assert json.dumps(doc_of(at), sort_keys=True) == before
    assert CALLS[-1]["key"] == "cer_map_0" and len(CALLS[-1]["feature_group_to_add"]) == 3
    assert drafts_token(CALLS[-1]) == 1
    # the cancelled drawing is still in the map's last answer until the next event: it must not come back
    at = at.run()
    assert len(CALLS[-1]["feature_group_to_add"]) == 3


def test_place_a_member_with_the_marker_and_it_joins_the_area_it_lies_in():
    at = app()
    pieve = next(m for m in doc_of(at)["members"] if m["cabina"] == "CP-PIEVE")
    point = {"type": "Point", "coordinates": [pieve["lon"] + 0.0003, pieve["lat"]]}
    at = answer(at, all_drawings=[feature(point)])
    no_errors(at)
    assert widget(at.selectbox, "Cabina primaria").value == "CP-PIEVE"
    widget(at.text_input, "Nome").input("Famiglia Verdi")
    at = button(at, "Aggiungi membro").click().run()
    no_errors(at)
    new = doc_of(at)["members"][-1]
    assert (new["id"], new["name"], new["cabina"], new["kind"]) == ("famiglia-verdi", "Famiglia Verdi", "CP-PIEVE",
                                                                    "consumer")
    assert new["load"]["source"] == "profile"


def test_member_without_a_name_is_refused():
    at = app()
    at = answer(at, all_drawings=[feature({"type": "Point", "coordinates": [9.16, 45.38]})])
    n = len(doc_of(at)["members"])
    at = button(at, "Aggiungi membro").click().run()
    assert [e.value for e in at.error] == ["Scrivi un nome."]
    assert len(doc_of(at)["members"]) == n


def test_yearly_kwh_typed_the_italian_way_and_nonsense_refused():
    at = app()
    at = answer(at, all_drawings=[feature({"type": "Point", "coordinates": [9.16, 45.38]})])
    n = len(doc_of(at)["members"])
    widget(at.text_input, "Nome").input("Famiglia Neri")
    widget(at.text_input, "Consumo annuo (kWh)").input("tanti")
    at = button(at, "Aggiungi membro").click().run()
    assert len(doc_of(at)["members"]) == n and "non è un numero" in at.error[0].value
    widget(at.text_input, "Consumo annuo (kWh)").input("3.500")       # Italian thousands, not 3.5 kWh
    at = button(at, "Aggiungi membro").click().run()
    no_errors(at)
    assert doc_of(at)["members"][-1]["load"]["annual_kwh"] == 3500


def test_roof_kwp_out_of_range_is_refused():
    at = app()
    school = next(m for m in doc_of(at)["members"] if m["id"] == "scuola-pieve")
    n = len(doc_of(at)["plants"])
    at = answer(at, all_drawings=[feature(square(school["lon"] - 0.0001, school["lat"] - 0.0001))])
    widget(at.text_input, "Potenza (kWp)").set_value("0")
    at = button(at, "Aggiungi impianto").click().run()
    assert len(doc_of(at)["plants"]) == n and "fuori dall'intervallo" in at.error[0].value


def test_draw_a_cabina_area_assigns_the_members_inside():
    at = app(empty())
    at = answer(at, all_drawings=[feature({"type": "Point", "coordinates": [9.155, 45.385]})])
    widget(at.text_input, "Nome").input("Casa Uno")
    at = button(at, "Aggiungi membro").click().run()
    assert doc_of(at)["members"][0]["cabina"] == DEFAULT_CABINA_ID
    widget(at.segmented_control, "Il poligono che disegni è").set_value("area")
    at = at.run()
    at = answer(at, all_drawings=[feature(square(9.15, 45.38, 0.01))])
    no_errors(at)
    assert any("Nuova area di cabina primaria" in m.value for m in at.markdown)
    widget(at.text_input, "Codice della cabina").input("CP-TEST")
    at = button(at, "Salva l'area").click().run()
    no_errors(at)
    doc = doc_of(at)
    assert [c["id"] for c in doc["cabine"]] == ["CP-TEST", DEFAULT_CABINA_ID]
    assert doc["members"][0]["cabina"] == "CP-TEST"
    assert parse_scenario(doc)[0] is not None


def test_member_outside_every_area_is_flagged():
    doc = demo()
    doc["members"][0]["lat"], doc["members"][0]["lon"] = 45.60, 9.60
    at = app(doc)
    no_errors(at)
    assert any("fuori da ogni area" in w.value and doc["members"][0]["name"] in w.value for w in at.warning)
    for m in doc["members"][1:15]:
        m["lat"], m["lon"] = 45.60, 9.60
    at = app(doc)
    (warning,) = [w.value for w in at.warning if "fuori da ogni area" in w.value]
    assert warning.startswith("15 membri") and "(+5)" in warning


def test_click_a_member_select_and_edit_it():
    at = app()
    m = next(x for x in doc_of(at)["members"] if x["id"] == "panificio")
    at = answer(at, last_object_clicked={"lat": m["lat"], "lng": m["lon"]},
                last_object_clicked_tooltip=f"{m['name']}Consumatore · PMI · CP-ROZZANO")
    no_errors(at)
    assert widget(at.selectbox, "Membro selezionato").value == "panificio"
    widget(at.text_input, "Nome").input("Panificio Rossi")
    widget(at.selectbox, "Ruolo").set_value("prosumer")
    at = button(at, "Salva le modifiche").click().run()
    no_errors(at)
    edited = next(x for x in doc_of(at)["members"] if x["id"] == "panificio")
    assert (edited["name"], edited["kind"]) == ("Panificio Rossi", "prosumer")


def test_search_offline_and_add_a_member_there():
    at = app(empty())
    widget(at.text_input, "Cerca un indirizzo").input("Via Roma 10, Rozzano")
    at = button(at, "Cerca").click().run()
    no_errors(at)
    assert any("Senza connessione" in c.value for c in at.caption)
    at = button(at, "Nuovo membro qui").click().run()
    assert any("Nuovo membro" in m.value for m in at.markdown)
    assert len(CALLS[-1]["feature_group_to_add"]) == 4
    assert CALLS[-1]["zoom"] == 14
    widget(at.text_input, "Nome").input("Municipio")
    widget(at.selectbox, "Categoria").set_value("public_body")
    at = button(at, "Aggiungi membro").click().run()
    no_errors(at)
    m = doc_of(at)["members"][0]
    assert (m["name"], m["category"], m["address"]) == ("Municipio", "public_body", "Rozzano (MI)")
    assert m["load"] == {"source": "profile", "profile": "municipal_building", "annual_kwh": 50000.0}


def test_import_areas_geojson_and_bad_file_message():
    at = app()
    at.expander[0]                      # the cabine section is there
    bad = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": null}]}'
    at.file_uploader[0].set_value(("aree.geojson", bad, "application/geo+json"))
    at = at.run()
    assert [e.value for e in at.error] == ["aree.geojson: features[0]: geometria mancante: atteso un poligono"]
    good = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "CP-ROZZANO", "name": "Rozzano (GSE)"},
         "geometry": square(9.0, 45.3, 0.3)}]}
    at.file_uploader[0].set_value(("aree.geojson", json.dumps(good).encode(), "application/geo+json"))
    at = at.run()
    no_errors(at)
    at = button(at, "Importa 1 aree").click().run()
    no_errors(at)
    assert len(at.file_uploader) == 1 and not at.success       # the uploader is empty again
    cab = next(c for c in doc_of(at)["cabine"] if c["id"] == "CP-ROZZANO")
    ring = cab["area"]["coordinates"][0]
    assert cab["name"] == "Rozzano (GSE)" and ring[2] == [9.3, 45.6] and len(ring) == 5


def test_opening_another_community_resets_the_map():
    at = app()
    at = answer(at, all_drawings=[feature(square(9.15, 45.38))])
    assert len(CALLS[-1]["feature_group_to_add"]) == 4
    at.session_state[WS_KEY] = Workspace(doc=empty(), origin="other")
    at = at.run()
    no_errors(at)
    assert len(CALLS[-1]["feature_group_to_add"]) == 3 and CALLS[-1]["key"] != "cer_map_0"


def test_page_survives_a_broken_scenario():
    doc = demo()
    doc["members"].append({"name": "senza id", "lat": "x"})
    doc["cabine"].append({"id": "CP-X", "area": {"type": "Polygon", "coordinates": [[1, 2]]}})
    doc["plants"][0]["roof"] = {"type": "Polygon"}
    at = app(doc)
    assert not at.exception
    assert len(CALLS[-1]["feature_group_to_add"]) == 3


def test_a_roof_far_from_every_member_needs_an_owner():
    at = app()
    at = answer(at, all_drawings=[feature(square(9.30, 45.50))])        # nobody within 150 m, nobody selected
    owner = widget(at.selectbox, "Proprietario (membro)")
    assert owner.value is None
    n = len(doc_of(at)["plants"])
    at = button(at, "Aggiungi impianto").click().run()
    assert [e.value for e in at.error] == ["Scegli il proprietario del tetto."]
    assert len(doc_of(at)["plants"]) == n
    widget(at.selectbox, "Proprietario (membro)").set_value("municipio")
    at = at.run()
    at = button(at, "Aggiungi impianto").click().run()
    no_errors(at)
    assert doc_of(at)["plants"][-1]["member"] == "municipio"
    assert doc_of(at)["plants"][-1]["name"] == "FV Comune di Rozzano - Municipio"


def test_category_first_proposes_its_profile_and_typical_consumption():
    """A school (public body) or a bakery (SME) does not get a household profile and 2,700 kWh silently."""
    from cer_core.constants import TYPICAL_ANNUAL_KWH

    at = app()
    at = answer(at, all_drawings=[feature({"type": "Point", "coordinates": [9.16, 45.38]})])
    assert widget(at.text_input, "Consumo annuo (kWh)").value == "2700"          # household first
    assert widget(at.selectbox, "Profilo di consumo").value == "household"
    widget(at.selectbox, "Categoria").set_value("public_body").run()
    no_errors(at)
    assert widget(at.text_input, "Consumo annuo (kWh)").value == "50000"
    widget(at.selectbox, "Profilo di consumo").set_value("school")
    widget(at.text_input, "Nome").input("Scuola Collodi")
    at = button(at, "Aggiungi membro").click().run()
    no_errors(at)
    new = doc_of(at)["members"][-1]
    assert new["category"] == "public_body"
    assert new["load"] == {"source": "profile", "profile": "school", "annual_kwh": TYPICAL_ANNUAL_KWH["public_body"]}
    assert TYPICAL_ANNUAL_KWH["public_body"] == 50000.0


def test_offline_the_map_says_it_shows_only_boundaries_and_takes_a_roof_by_area():
    at = app()
    assert any("solo i confini dei comuni" in i.value for i in at.info)
    owner = doc_of(at)["members"][0]
    n = len(doc_of(at)["plants"])
    widget(at.selectbox, "Membro che ha il tetto").set_value(owner["id"])
    widget(at.text_input, "Superficie utile del tetto (m²)").input("90")       # 90 m² at 6 m²/kWp: 15 kWp
    widget(at.number_input, "Pendenza (°)").set_value(15.0)
    at = button(at, "Aggiungi il tetto").click().run()
    no_errors(at)
    plant = doc_of(at)["plants"][-1]
    assert len(doc_of(at)["plants"]) == n + 1
    assert (plant["member"], plant["kwp"], plant["tilt_deg"], plant["azimuth_deg"]) == (owner["id"], 15.0, 15.0, 180.0)
    assert plant["commissioning"] == "2024-01-01" and "roof" not in plant


def test_switching_language_keeps_what_was_typed_in_the_new_member_form():
    """A form's typed text lives in the browser until submitted: it survives a rerun only if each field keeps
    its identity. The fields are keyed without the language, so a language switch changes only their labels;
    the category (outside the form) is remembered in the session."""
    at = app()
    at = answer(at, all_drawings=[feature({"type": "Point", "coordinates": [9.16, 45.38]})])
    widget(at.selectbox, "Categoria").set_value("sme").run()
    ids = {label: widget(at.text_input, label).id for label in ("Nome", "Consumo annuo (kWh)")}
    at.session_state["lang"] = "en"
    at.run()
    no_errors(at)
    assert widget(at.text_input, "Name").id == ids["Nome"]
    assert widget(at.text_input, "Annual consumption (kWh)").id == ids["Consumo annuo (kWh)"]
    assert widget(at.selectbox, "Category").value == "sme"
