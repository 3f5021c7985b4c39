"""What a user does in a meeting must never break the community: switching the language on any page,
choosing a file source before having the file, wiping the members table."""

from __future__ import annotations

import pytest

from studio_driver import assert_no_exception, mark, nav, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SIDEBAR = "[data-testid='stSidebar']"


def sidebar_state(page) -> str:
    """The scenario's state line in the sidebar (simulated / problems)."""
    return page.locator(f"{SIDEBAR} [data-testid='stAlert']").first.inner_text()


def switch_language(page, name: str) -> None:
    before = mark(page)
    page.locator(SIDEBAR).get_by_text(name, exact=True).click()
    wait_idle(page, since=before)
    assert_no_exception(page)


def selected_option(page, label: str) -> str:
    """The text shown by the selectbox labelled ``label`` in the page."""
    box = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text=label).first
    return box.locator("input").input_value()


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (typing filters the options)."""
    page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text=label).first \
        .locator("input").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(option)
    before = mark(page)
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_idle(page, since=before)                          # a new choice reruns the page


def test_switching_language_on_every_editing_page_keeps_the_community(page):
    """Widgets with translated options must never write a label back into the scenario (a switch to English
    and back on Membri made the demo unsimulable: «profilo "impresa su 1 turno" sconosciuto»)."""
    nav(page, "Membri e consumi")
    choose(page, "Membro", "Panificio Bianchi")
    for page_it in ("Membri e consumi", "Impianti FV", "Mappa"):
        nav(page, page_it)
        switch_language(page, "English")
        assert "Simulation up to date" in sidebar_state(page), page_it
        switch_language(page, "Italiano")
        assert "Simulazione aggiornata" in sidebar_state(page), page_it
        if page_it == "Membri e consumi":      # the member being edited stays selected
            assert selected_option(page, "Membro").startswith("Panificio Bianchi")


def test_results_reopen_on_the_tab_being_read(page):
    nav(page, "Risultati")
    before = mark(page)
    page.locator("[data-testid='stMain'] [data-testid='stTab']").filter(has_text="Economia").click()
    wait_idle(page, since=before)                          # remembered tabs rerun (on_change)
    selected = "[data-testid='stMain'] [data-testid='stTab'][aria-selected='true']"
    switch_language(page, "English")
    assert page.locator(selected).inner_text() == "Money"
    nav(page, "Overview")
    nav(page, "Results")
    assert page.locator(selected).inner_text() == "Money"
    assert page.locator("[data-testid='stMetric']").filter(has_text="Self-consumption savings (prosumers')").count() == 1


def test_choosing_a_file_source_before_the_file_keeps_the_simulation(page):
    nav(page, "Impianti FV")
    main = page.locator("[data-testid='stMain']")
    before = mark(page)
    main.locator("[data-testid='stRadio']").filter(has_text="Produzione da").get_by_text("file orario").click()
    wait_idle(page, since=before)
    assert main.locator("[data-testid='stFileUploader']").filter(has_text="produzione oraria").count() == 1
    assert "Simulazione aggiornata" in sidebar_state(page)
    choose(page, "Dati meteo", "File PVGIS caricato")
    assert main.locator("[data-testid='stFileUploader']").filter(has_text="anno tipico PVGIS").count() == 1
    assert "Simulazione aggiornata" in sidebar_state(page)
    assert_no_exception(page)
