"""AppTest of the Panoramica page."""


import pytest

from studio.components.state import WORKSPACE_KEY
from studio_helpers import app_on, assert_clean, empty_workspace, fixture_workspace, assert_demo_simulates, texts


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_fixture_headline_figures_in_italian_format():
    at = app_on("pages/panoramica.py", fixture_workspace())
    assert_clean(at)
    assert at.title[0].value == "Piccola CER di prova"
    assert metric(at, "Membri") == "5"
    assert metric(at, "Potenza fotovoltaica") == "80,0\u00a0kWp"
    assert metric(at, "Produzione") == "92,0\u00a0MWh"
    for label in ("Energia condivisa", "Quanto porta la CER", "Vendita energia (produttori)", "Autoconsumo (prosumer)",
                  "CO₂ evitata"):
        assert metric(at, label) != "–", label
    assert "€" in metric(at, "Quanto porta la CER") and "t CO₂" in metric(at, "CO₂ evitata")
    # the headline is the CER's money only: no "net benefit" mixing in sale and self-consumption
    assert not any(m.label == "Beneficio netto" for m in at.metric)
    assert any("non sono benefici della CER" in c.value for c in at.caption)
    body = texts(at)
    assert "Area non disegnata per le cabine CP-NORD, CP-SUD" in body
    assert "superate" in body
    assert not at.error


def test_empty_community_lists_what_is_missing():
    at = app_on("pages/panoramica.py", empty_workspace())
    assert_clean(at)
    assert metric(at, "Membri") == "0"
    body = texts(at)
    assert "Una CER richiede almeno due membri (ora 0)" in body
    assert "Nessun impianto: aggiungi un impianto fotovoltaico" in body
    assert any(c.value.startswith("nessun impianto") for c in at.error)   # the failed eligibility check


def test_a_community_that_does_not_simulate_shows_its_problems():
    ws = fixture_workspace()
    del ws.doc["members"][2]["load"]
    at = app_on("pages/panoramica.py", ws)
    assert_clean(at)
    assert metric(at, "Produzione") == "–"
    assert "La comunità non si può ancora simulare" in texts(at)
    assert any(e.value.startswith("membro «Famiglia Rossi» · consumi: dati di consumo mancanti") for e in at.error), \
        [e.value for e in at.error]
    assert "Membri senza dati di consumo (1): Famiglia Rossi." in texts(at)


def test_english():
    at = app_on("pages/panoramica.py", fixture_workspace(), lang="en")
    assert_clean(at)
    assert metric(at, "PV power") == "80.0\u00a0kWp"
    assert "Yearly figures" in texts(at)


@pytest.mark.slow
def test_demo():
    assert_demo_simulates()
    at = app_on("pages/panoramica.py")
    assert_clean(at)
    assert metric(at, "Membri") == "40"
    assert metric(at, "Potenza fotovoltaica") == "982,5\u00a0kWp"
    assert metric(at, "Produzione") != "–"


def test_the_to_do_list_is_never_an_empty_heading():
    """Nothing missing but the community does not simulate (a wrong value): the list says where to look."""
    ws = fixture_workspace()
    for c in ws.doc["cabine"]:
        c["area"] = {"type": "Polygon", "coordinates": [[[11.0, 46.0], [11.6, 46.0], [11.6, 46.7], [11.0, 46.0]]]}
    ws.doc["plants"][0]["faces"] = [{"kwp": 1.0, "tilt_deg": 30, "azimuth_deg": 180}]   # faces ≠ kWp: an error
    at = app_on("pages/panoramica.py", ws)
    assert_clean(at)
    assert "La comunità non si può ancora simulare" in texts(at)
    assert "Risolvi i problemi elencati qui sopra" in texts(at)


def test_an_unknown_comune_or_a_wrong_year_is_fixed_in_the_studio():
    """A scenario opened with a comune the gazetteer does not know must be fixable without editing JSON."""
    ws = fixture_workspace()
    ws.doc["site"]["comune"] = "Atlantide"
    at = app_on("pages/panoramica.py", ws)
    assert_clean(at)
    assert any("Atlantide" in e.value for e in at.error)
    comune = next(s for s in at.selectbox if s.label == "Comune")
    assert comune.value is None                                   # not a known comune: nothing pre-selected
    comune.set_value("021008")                                    # Bolzano
    next(n for n in at.number_input if n.label == "Anno da simulare").set_value(2024)
    next(b for b in at.button if b.label == "Applica").click().run()
    assert_clean(at)
    doc = at.session_state[WORKSPACE_KEY].doc
    assert doc["site"]["comune"] == "Bolzano/Bozen" and doc["year"] == 2024
    assert metric(at, "Produzione") != "–"


def test_community_details_can_be_renamed():
    at = app_on("pages/panoramica.py", fixture_workspace())
    assert not any(s.label == "Comune" for s in at.selectbox)     # closed: the comuni list is not sent
    at.session_state["details_open_True"] = True                  # the user opens «Nome, comune e anno»
    at.run()
    assert next(s for s in at.selectbox if s.label == "Comune").value == "021008"
    next(t for t in at.text_input if t.label == "Nome della comunità").set_value("CER di Bolzano")
    next(b for b in at.button if b.label == "Applica").click().run()
    assert_clean(at)
    assert at.title[0].value == "CER di Bolzano"


def test_the_cabina_to_do_explains_how_to_find_it_and_can_be_confirmed():
    at = app_on("pages/panoramica.py", fixture_workspace())
    body = texts(at)
    assert "Area non disegnata per le cabine CP-NORD, CP-SUD" in body and "mappa interattiva" in body
    at.button(key="cabina_confirm").click().run()
    assert_clean(at)
    assert [c.get("confirmed") for c in at.session_state[WORKSPACE_KEY].doc["cabine"]] == [True, True]
    assert "Area non disegnata" not in texts(at)                      # the to-do is closed, and saved with the community


def test_the_demo_shows_wastewater_neutrality_as_progress_not_as_a_failed_check():
    from cer_core.api import demo_workspace

    at = app_on("pages/panoramica.py", demo_workspace())
    assert_clean(at)
    assert not [e.value for e in at.error if "depuratore" in e.value]
    bars = [p for p in at.get("progress") if "depuratore" in str(p.proto.text)]
    assert len(bars) == 1 and 0 < bars[0].proto.value < 100
