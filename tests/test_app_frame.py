"""The frame every page shares: language switch, scenario state, open / save / new community / demo."""

import json

import pytest

from studio.components.state import WORKSPACE_KEY
from studio_helpers import app_on, assert_clean, empty_workspace, fixture_workspace, texts


def sidebar_texts(at):
    return "\n".join(str(e.value) for group in (at.sidebar.markdown, at.sidebar.caption, at.sidebar.success,
                                                at.sidebar.error) for e in group)


def test_italian_by_default_and_english_on_switch():
    at = app_on(None, fixture_workspace())
    assert_clean(at)
    assert at.radio(key="lang_widget").value == "it"
    assert "Simulazione aggiornata" in sidebar_texts(at)
    assert any(m.label == "Energia condivisa" for m in at.metric)
    at.radio(key="lang_widget").set_value("en").run()
    assert_clean(at)
    assert at.session_state["lang"] == "en"
    assert "Simulation up to date" in sidebar_texts(at)
    assert any(m.label == "Shared energy" for m in at.metric)
    assert any("MWh" in m.value and "." in m.value for m in at.metric if m.label == "Production")  # 92.0 MWh
    at.switch_page("pages/risultati.py").run()                      # the language stays when changing page
    assert_clean(at)
    assert at.title[0].value == "Results"


def test_scenario_name_and_problem_count_in_the_sidebar():
    ws = fixture_workspace()
    del ws.doc["members"][0]["load"]
    ws.doc["members"][1]["cabina"] = "CP-X"
    at = app_on(None, ws)
    assert_clean(at)
    assert "Piccola CER di prova" in sidebar_texts(at)
    assert "problemi da risolvere: 2" in sidebar_texts(at)


def open_file(at, name, data, mime="application/octet-stream"):
    uploader = next(u for u in at.sidebar.file_uploader if u.key.startswith("open_uploader_"))
    uploader.set_value((name, data, mime)).run()
    return at


def test_save_then_open_reopens_the_identical_community():
    original = fixture_workspace()
    original.doc["plants"][0]["kwp"] = 72.5                 # an edit, so the bundle is not just the fixture
    at = app_on(None, empty_workspace())
    assert at.sidebar.download_button(key="save_bundle").label == "Salva la comunità (.zip)"
    bundle = original.to_bundle()                            # what the save button serves (data=ws.to_bundle)
    open_file(at, "mia_cer.cerstudio.zip", bundle, "application/zip")
    assert_clean(at)
    opened = at.session_state[WORKSPACE_KEY]
    assert opened.digest() == original.digest()
    assert opened.doc == original.doc and opened.files.keys() >= {"series/load_casa-1.csv"}
    assert "Aperta «Piccola CER di prova»: 5 membri, 2 impianti." in texts(at)
    assert any(m.label == "Potenza fotovoltaica" and m.value.startswith("92,5") for m in at.metric)
    # and the uploader is fresh again (a new key), so the same file can be opened twice
    assert all(u.value in (None, []) for u in at.sidebar.file_uploader)


def test_open_plain_scenario_json_with_missing_series_shows_the_problems():
    doc = fixture_workspace().doc
    at = app_on(None, empty_workspace())
    open_file(at, "scenario.json", json.dumps(doc).encode(), "application/json")
    assert_clean(at)
    assert at.session_state[WORKSPACE_KEY].doc == doc
    errors = [e.value for e in at.error]
    assert any("series/load_municipio.csv" in e for e in errors)
    assert "problemi da risolvere: 7" in sidebar_texts(at)


@pytest.mark.parametrize("name, data, expected", [
    ("rotto.json", b"{\"schema\": ", "rotto.json:1: JSON non valido"),
    ("pacchetto.zip", b"PK\x03\x04 not really a zip", "archivio zip danneggiato"),
    ("altro.json", b'{"name": "x"}', "versione «None» non riconosciuta"),
    ("campi.json", json.dumps({"schema": "cer-studio/scenario@1", "name": "x", "year": 1800,
                               "site": {"comune": "Rozzano"}, "members": [], "plants": [{"id": "p"}]}).encode(),
     "anno: valore 1800 fuori intervallo"),
])
def test_bad_files_are_refused_with_one_line_per_problem(name, data, expected):
    ws = fixture_workspace()
    at = app_on(None, ws)
    open_file(at, name, data)
    assert_clean(at)
    errors = [e.value for e in at.error]
    assert errors[0] == f"Il file «{name}» non è stato aperto:"
    assert any(expected in e for e in errors[1:]), errors
    assert at.session_state[WORKSPACE_KEY] is ws              # the community in use is kept


def test_refused_file_with_several_problems_lists_them_all():
    doc = {"schema": "cer-studio/scenario@1", "name": "x", "year": 2024, "site": {"comune": "Rozzano"},
           "members": [{"id": "a"}], "plants": [{"id": "p", "member": "a", "kwp": -1, "commissioning": "2024-01-01"}]}
    at = app_on(None, fixture_workspace())
    open_file(at, "molti.json", json.dumps(doc).encode())
    errors = [e.value for e in at.error]
    assert sum("membro 1" in e for e in errors) >= 3            # kind, category, cabina missing
    assert any(e.startswith("impianto 1 · potenza") for e in errors), errors


def test_load_demo_button():
    at = app_on(None, fixture_workspace())
    at.sidebar.button(key="load_demo").click().run()
    assert_clean(at)
    assert at.session_state[WORKSPACE_KEY].doc["name"] == "CER Naviglio Sud (demo)"


def test_new_community_dialog_creates_an_empty_scenario():
    at = app_on(None, fixture_workspace())
    at.sidebar.button(key="new_community").click().run()
    assert_clean(at)
    at.text_input(key="new_name").set_value("CER di Peglio")
    at.selectbox(key="new_comune").set_value("013178")          # Peglio (CO), a name two comuni share
    at.number_input(key="new_year").set_value(2025)
    at.button(key="new_create").click().run()
    assert_clean(at)
    doc = at.session_state[WORKSPACE_KEY].doc
    assert doc["name"] == "CER di Peglio" and doc["year"] == 2025
    assert doc["site"]["comune"] == "Peglio (CO)"
    assert doc["members"] == [] and doc["plants"] == []
    assert at.title[0].value == "CER di Peglio"
    assert "Una CER richiede almeno due membri (ora 0): aggiungili" in texts(at)


def test_new_community_needs_a_comune():
    at = app_on(None, fixture_workspace())
    at.sidebar.button(key="new_community").click().run()
    at.button(key="new_create").click().run()
    assert_clean(at)
    assert any("Scegli il comune" in e.value for e in at.error)
    assert at.session_state[WORKSPACE_KEY].doc["name"] == "Piccola CER di prova"
