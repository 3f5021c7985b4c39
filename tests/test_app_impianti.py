"""AppTest of Impianti FV: the plants table, a plant's panel, production per plant, the weather."""

import datetime as dt

import numpy as np
import pytest

from cer_core.io import write_hourly_csv
from cer_core.timeaxis import n_hours
from studio.components import compute
from studio.components.state import WORKSPACE_KEY
from studio_helpers import app_on, assert_clean, empty_workspace, fixture_workspace, assert_demo_simulates, texts

PAGE = "pages/impianti.py"


def plant(at, pid):
    return next(p for p in at.session_state[WORKSPACE_KEY].doc["plants"] if p["id"] == pid)


def summary(at):
    return compute.run_workspace(at.session_state[WORKSPACE_KEY]).summary


def number(at, label):
    return next(n for n in at.number_input if n.label == label)


def field(at, label):
    """A number typed as text (kWp, losses, grant: see studio.components.ui.number_field)."""
    return next(n for n in at.text_input if n.label == label)


def test_fixture_tables_and_production():
    at = app_on(PAGE, fixture_workspace())
    assert_clean(at)
    assert at.title[0].value == "Impianti fotovoltaici"
    assert "**2** impianti, **80,0\u00a0kWp** in totale." in texts(at)
    plants = at.dataframe[0].value
    assert list(plants["id"]) == ["fv-municipio", "fv-forno"]
    production = at.dataframe[-1].value
    assert list(production["kWp"]) == [60.0, 20.0]
    assert production["Producibilità (kWh/kWp)"].iloc[0] == pytest.approx(1150, rel=1e-3)


def test_changing_kwp_in_the_panel_updates_the_results():
    at = app_on(PAGE, fixture_workspace())
    assert field(at, "Potenza (kWp)").value == "60"
    field(at, "Potenza (kWp)").set_value("66").run()
    assert_clean(at)
    assert plant(at, "fv-municipio")["kwp"] == 66.0
    assert summary(at)["totals"]["kwp"] == pytest.approx(86.0)
    production = at.dataframe[-1].value
    assert production["kWp"].iloc[0] == 66.0
    assert production["Producibilità (kWh/kWp)"].iloc[0] == pytest.approx(1150 * 60 / 66, rel=1e-3)
    assert "**86,0\u00a0kWp** in totale" in texts(at)


def test_panel_fields_write_back():
    at = app_on(PAGE, fixture_workspace())
    at.selectbox(key="impianti_selected__it").set_value("fv-forno").run()
    field(at, "Contributo (%)").set_value("30").run()
    number(at, "Inclinazione (°)").set_value(35.0).run()
    next(d for d in at.date_input if d.label == "Entrata in esercizio").set_value(dt.date(2024, 6, 1)).run()
    next(t for t in at.toggle if t.label == "Ammesso alla tariffa").set_value(False).run()
    assert_clean(at)
    p = plant(at, "fv-forno")
    assert p["grant_pct"] == 30.0 and p["tilt_deg"] == 35.0 and p["commissioning"] == "2024-06-01"
    assert p["incentivised"] is False
    forno = next(r for r in summary(at)["plants"] if r["id"] == "fv-forno")
    assert forno["tip_eur"] == 0.0 and not forno["admitted"]


def test_production_file_upload():
    at = app_on(PAGE, fixture_workspace())
    data = write_hourly_csv(np.full(n_hours(2024), 5.0), 2024)
    at.file_uploader(key="prod_fv-municipio_0").set_value(("misure.csv", data, "text/csv")).run()
    assert_clean(at)
    assert plant(at, "fv-municipio")["production"] == {"source": "file", "path": "plants/fv-municipio/misure.csv"}
    assert "Produzione caricata da «misure.csv»: 43,9\u00a0MWh nell'anno." in texts(at)


def test_implausible_production_file_is_refused():
    at = app_on(PAGE, fixture_workspace())
    data = b"timestamp,kwh\n2024-01-01T00:00:00+01:00,1\n"
    at.file_uploader(key="prod_fv-municipio_0").set_value(("corto.csv", data, "text/csv")).run()
    assert_clean(at)
    assert plant(at, "fv-municipio")["production"]["path"] == "series/prod_fv-municipio.csv"
    assert any("corto.csv" in e.value for e in at.error)


def test_switching_to_pvlib():
    at = app_on(PAGE, fixture_workspace())
    source = next(r for r in at.radio if r.label == "Produzione da")
    source.set_value("pvlib").run()
    assert_clean(at)                       # pvlib may not be merged yet: problems, never a traceback
    assert plant(at, "fv-municipio")["production"]["source"] == "pvlib"


def test_empty_community():
    at = app_on(PAGE, empty_workspace())
    assert_clean(at)
    assert "Prima di aggiungere impianti servono i membri" in texts(at)


def test_english():
    at = app_on(PAGE, fixture_workspace(), lang="en")
    assert_clean(at)
    assert at.title[0].value == "PV plants"
    assert any(n.label == "Power (kWp)" for n in at.text_input)


@pytest.mark.slow
def test_demo():
    assert_demo_simulates()
    at = app_on(PAGE)
    assert_clean(at)
    before = summary(at)["totals"]["production_kwh"]
    field(at, "Potenza (kWp)").set_value("500").run()      # the depuratore's field: 420 → 500 kWp
    assert_clean(at)
    assert summary(at)["totals"]["production_kwh"] > before


def test_weather_section_shows_the_site_climate_and_its_source():
    at = app_on(PAGE, fixture_workspace())
    assert_clean(at)
    irr = next(m for m in at.metric if m.label == "Irraggiamento orizzontale annuo")
    assert irr.value.endswith("kWh/m²") and irr.value != "–"
    body = texts(at)
    assert "PVGIS TMY" in body and "dal sito" in body
    at.selectbox(key=next(s.key for s in at.selectbox if s.label == "Dati meteo")).set_value("embedded").run()
    assert_clean(at)
    assert at.session_state[WORKSPACE_KEY].doc["site"]["weather"] == {"source": "embedded"}
    assert "Anno tipico PVGIS incluso nello studio" in texts(at)


def test_numbers_are_typed_the_italian_way_and_nonsense_changes_nothing():
    """In a browser not set to Italian an HTML number field drops the comma: 4,5 kWp became 45 kWp."""
    at = app_on(PAGE, fixture_workspace())
    field(at, "Potenza (kWp)").set_value("4,5").run()
    assert_clean(at)
    assert plant(at, "fv-municipio")["kwp"] == 4.5
    assert field(at, "Potenza (kWp)").value == "4,5"
    field(at, "Potenza (kWp)").set_value("1.234,5").run()
    assert plant(at, "fv-municipio")["kwp"] == 1234.5
    field(at, "Perdite (%)").set_value("14,5").run()
    assert plant(at, "fv-municipio")["losses_pct"] == 14.5
    field(at, "Potenza (kWp)").set_value("tanti").run()
    assert_clean(at)
    assert plant(at, "fv-municipio")["kwp"] == 1234.5
    assert any("«tanti» non è un numero" in e.value for e in at.error)
    assert field(at, "Potenza (kWp)").value == "1.234,5"            # the field shows the kept value again
    field(at, "Contributo (%)").set_value("140").run()
    assert any("140 è fuori dall'intervallo ammesso (0–100)" in e.value for e in at.error)
    assert plant(at, "fv-municipio").get("grant_pct", 0) == 0
