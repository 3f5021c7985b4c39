"""End to end in headless Chromium: demo, every page, a kWp edit, a meter upload, save and reopen."""

from __future__ import annotations

import pytest

from studio_driver import (ROOT, assert_no_exception, goto, mark, metric_value, nav, track_runs, upload_in_sidebar,
                           wait_idle)
from studio_helpers import demo_problems

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FIXTURE = ROOT / "tests" / "data" / "studio" / "piccola_cer.zip"
SAMPLES = ROOT / "tests" / "data" / "samples"
PAGES = ("Panoramica", "Mappa", "Membri e consumi", "Impianti FV", "Risultati")
TITLES = {"Membri e consumi": "Membri e consumi", "Impianti FV": "Impianti fotovoltaici", "Risultati": "Risultati",
          "Mappa": "Mappa"}


def set_number(page, label: str, value: float) -> None:
    """Type ``value`` in the number field labelled ``label`` (a number input, or a text field read the
    Italian way: studio.components.ui.number_field)."""
    box = page.locator("[data-testid='stNumberInput'], [data-testid='stTextInput']").filter(has_text=label).first \
        .locator("input")
    before = mark(page)
    box.fill(str(value))
    box.press("Enter")
    wait_idle(page, since=before)


def test_demo_goes_through_every_page(page):
    assert page.locator("h1").first.inner_text() == "CER Naviglio Sud (demo)"
    assert_no_exception(page)
    for label in PAGES:
        nav(page, label)
        assert_no_exception(page)
        assert page.locator("h1").first.inner_text() == TITLES.get(label, "CER Naviglio Sud (demo)")
    assert not demo_problems()
    assert page.locator("[data-testid='stTab']").count() == 6


def test_open_fixture_change_kwp_and_see_results_change(page):
    upload_in_sidebar(page, FIXTURE)
    assert page.locator("h1").first.inner_text() == "Piccola CER di prova"
    nav(page, "Risultati")
    before = metric_value(page, "Quanto porta la CER")
    nav(page, "Impianti FV")
    set_number(page, "Potenza (kWp)", 100)                  # fv-municipio: 60 → 100 kWp (GSE and RID fees)
    assert_no_exception(page)
    assert "**100,0" not in page.content()
    nav(page, "Risultati")
    after = metric_value(page, "Quanto porta la CER")
    assert before != after
    nav(page, "Panoramica")
    assert metric_value(page, "Potenza fotovoltaica") == "120,0\u00a0kWp"


def test_upload_a_meter_file(page):
    upload_in_sidebar(page, FIXTURE)
    nav(page, "Membri e consumi")
    uploader = page.locator("[data-testid='stMain'] [data-testid='stFileUploader'] input[type='file']").first
    before = mark(page)
    uploader.set_input_files(str(SAMPLES / "edistribuzione_wide_quartorario_2024_piccola_impresa.csv"))
    wait_idle(page, since=before)
    assert_no_exception(page)
    assert page.get_by_text("Esito dell'importazione di: edistribuzione_wide_quartorario_2024_piccola_impresa.csv")\
        .count() == 1
    assert page.get_by_text("Formato: ", exact=False).count() >= 1
    assert page.get_by_text("Importati 1 file:", exact=False).count() >= 1
    assert page.get_by_text("In uso: Curve del contatore", exact=False).count() >= 1


def test_save_and_reopen(page, tmp_path, studio_server):
    upload_in_sidebar(page, FIXTURE)
    nav(page, "Impianti FV")
    set_number(page, "Potenza (kWp)", 75)
    with page.expect_download() as info:
        page.locator("[data-testid='stSidebar']").get_by_role("button", name="Salva la comunità (.zip)").click()
    saved = tmp_path / "salvata.cerstudio.zip"
    info.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    fresh = page.context.new_page()                          # same browser, a new studio session
    track_runs(fresh)
    goto(fresh, studio_server.url)
    assert fresh.locator("h1").first.inner_text() == "CER Naviglio Sud (demo)"
    upload_in_sidebar(fresh, saved)
    assert_no_exception(fresh)
    assert fresh.locator("h1").first.inner_text() == "Piccola CER di prova"
    assert metric_value(fresh, "Potenza fotovoltaica") == "95,0\u00a0kWp"
    fresh.close()


def test_bad_file_is_refused_with_a_message(page, tmp_path):
    bad = tmp_path / "rotto.json"
    bad.write_text('{"schema": "cer-studio/scenario@1", "name": ')
    upload_in_sidebar(page, bad)
    assert_no_exception(page)
    assert page.get_by_text("Il file «rotto.json» non è stato aperto:").count() == 1
    assert page.locator("h1").first.inner_text() == "CER Naviglio Sud (demo)"


def test_language_switch(page):
    before = mark(page)
    page.locator("[data-testid='stSidebar'] label").filter(has_text="English").click()
    wait_idle(page, since=before)
    assert_no_exception(page)
    assert page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Results").count() == 1
    nav(page, "Members and consumption")
    assert page.locator("h1").first.inner_text() == "Members and consumption"
