"""AppTest of the Previsioni page: offline (the labelled fallback), with a forecast in the disk cache, the
offline switch, per-member advice and messages, English."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
from studio_helpers import app_on, assert_clean, fixture_workspace, texts

from cer_core.api import validate
from studio.components import compute

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fresh_forecast_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("CER_STUDIO_CACHE", str(tmp_path))
    monkeypatch.setenv("CER_STUDIO_OFFLINE", "1")
    compute._forecast_cached.clear()
    yield tmp_path
    compute._forecast_cached.clear()


def _open(lang=None):
    at = app_on("pages/previsioni.py", fixture_workspace(), lang=lang)
    assert_clean(at)
    return at


def test_offline_page_shows_the_labelled_fallback_advice_and_messages():
    at = _open()
    assert at.title[0].value == "Previsioni 3 giorni"
    body = texts(at)
    assert "**Previsione meteo non disponibile.** STIMA DI RISERVA" in body
    assert "STIMA DI RISERVA, non una previsione meteo" in body
    labels = [m.label for m in at.metric]
    assert labels == ["Produzione prevista", "Energia condivisa prevista", "Eccedenza non condivisa",
                      "In più per la CER con i consigli"]
    assert all(m.value.endswith(("kWh", "MWh", "€")) for m in at.metric)
    assert "fascia" in body
    advice = at.dataframe[0].value
    assert list(advice.columns) == ["Membro", "Cabina", "Quando", "Condivisa in più (kWh)", "In più per la CER (€)"]
    assert len(advice) > 0 and (advice["Condivisa in più (kWh)"] > 0).all()
    assert at.code[0].value.startswith("Piccola CER di prova — previsione di 3 giorni per Comune - Municipio")
    assert "Fonte: STIMA DI RISERVA" in at.code[0].value
    # another member's message
    at.selectbox(key="fc_member").set_value("forno")
    at.run()
    assert_clean(at)
    assert "Panificio Bolzano (cabina CP-SUD)" in at.code[0].value


def test_one_cabina_narrows_the_figures():
    at = _open()
    whole = {m.label: m.value for m in at.metric}
    at.selectbox(key="fc_cabina").set_value("CP-SUD")
    at.run()
    assert_clean(at)
    assert {m.label: m.value for m in at.metric}["Produzione prevista"] != whole["Produzione prevista"]
    assert set(at.dataframe[0].value["Cabina"]) == {"CP-SUD"}


def _answer_for_today(site) -> bytes:
    spec = importlib.util.spec_from_file_location("make_fixtures", ROOT / "tests/data/openmeteo/make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    today = pd.Timestamp.now(tz="UTC").floor("D").tz_localize(None)
    doc = module.answer(str(today.date()), 1.0, 1.0, 5.0, 12.0)
    doc["latitude"], doc["longitude"] = site.lat, site.lon
    return json.dumps(doc).encode()


def test_a_forecast_in_the_disk_cache_is_used_and_the_switch_forces_the_fallback(fresh_forecast_cache):
    sc, _ = validate(fixture_workspace())
    path = fresh_forecast_cache / "openmeteo" / f"forecast_{sc.site.lat:.3f}_{sc.site.lon:.3f}.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(_answer_for_today(sc.site))
    at = _open()
    body = texts(at)
    assert "Fonte: Previsione Open-Meteo (disk" in body and "STIMA DI RISERVA" not in body
    at.toggle(key="fc_offline").set_value(True)
    at.run()
    assert_clean(at)
    assert "STIMA DI RISERVA" in texts(at) and "senza rete (scelto)" in texts(at)


def test_english_page():
    at = _open(lang="en")
    assert at.title[0].value == "3-day forecast"
    assert "FALLBACK ESTIMATE, not a weather forecast" in texts(at)
    assert at.code[0].value.startswith("Piccola CER di prova — 3-day forecast for")


def test_the_page_and_the_forecast_command_give_the_same_numbers():
    import subprocess
    import sys

    from studio_helpers import FIXTURE

    from studio.pure.format import fmt_energy

    hour = pd.Timestamp.now(tz="UTC").floor("h")
    at = _open()
    shown = {m.label: m.value for m in at.metric}
    proc = subprocess.run([sys.executable, "-m", "cer_core", "forecast", str(FIXTURE), "--offline"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    if pd.Timestamp.now(tz="UTC").floor("h") != hour:
        pytest.skip("the hour turned between the page and the command")
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines()[2:74]]
    production = sum(float(r[1]) for r in rows)
    shared = sum(float(r[5]) for r in rows)
    assert shown["Produzione prevista"] == fmt_energy(production, "it")
    assert shown["Energia condivisa prevista"] == fmt_energy(shared, "it")


def test_an_empty_community_renders_without_advice():
    from studio_helpers import empty_workspace

    at = app_on("pages/previsioni.py", empty_workspace())
    assert_clean(at)
    body = texts(at)
    assert "La comunità non ha impianti: nessuna produzione da prevedere." in body
    assert not at.code  # no members, no messages


def test_hourly_table_has_readable_headers_not_field_names():
    at = _open()
    table = at.dataframe[-1].value
    assert list(table.columns)[:3] == ["Ora", "Cabina", "Produzione (kWh)"]
    assert not [c for c in table.columns if "_" in c], list(table.columns)
    assert "Tariffa + valorizzazione (€/MWh)" in table.columns
    en = _open("en")
    assert "Unshared surplus (kWh)" in en.dataframe[-1].value.columns


def test_offline_note_names_no_environment_variable():
    # the offline reason is read in front of a mayor: not "(CER_STUDIO_OFFLINE)"
    body = texts(_open())
    assert "senza rete" in body
    assert "CER_STUDIO" not in body
