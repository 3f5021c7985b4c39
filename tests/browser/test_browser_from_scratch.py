"""The studio's promise, end to end in Italian: build a 10-member community from scratch on the map, draw a
roof, load a bill file and a meter export, and read the results."""

from __future__ import annotations

import pytest

from studio_driver import ROOT, assert_no_exception, metric_value, nav, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SAMPLES = ROOT / "tests" / "data" / "samples"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def choose(page, scope, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (typing filters the options)."""
    scope.locator("[data-testid='stSelectbox']").filter(has_text=label).first.click()
    page.keyboard.type(option)
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    wait_idle(page)


def new_community(page, name: str, comune: str, year: int) -> None:
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Nuova").click()
    dialog = page.locator("[role='dialog']")
    dialog.wait_for()
    dialog.get_by_label("Nome della comunità").fill(name)
    dialog.locator("[data-testid='stSelectbox']").filter(has_text="Comune").click()
    page.keyboard.type(comune)
    page.wait_for_timeout(400)
    page.keyboard.press("Enter")
    dialog.locator("[data-testid='stNumberInput'] input").fill(str(year))
    dialog.get_by_role("button", name="Crea la comunità").click()
    wait_idle(page)
    assert_no_exception(page)


def place_member(page, x: float, y: float, name: str, role: str | None = None, category: str | None = None,
                 annual_kwh: int | None = None) -> None:
    """The map's marker tool, a click on the map, the form, «Aggiungi membro»."""
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator("a.leaflet-draw-draw-marker").click()
    frame.locator(".leaflet-container").click(position={"x": x, "y": y})
    wait_idle(page)
    main = page.locator("[data-testid='stMain']")
    main.get_by_label("Nome", exact=True).first.fill(name)
    if role:
        choose(page, main, "Ruolo", role)
    if category:
        choose(page, main, "Categoria", category)
    if annual_kwh:
        main.get_by_role("textbox", name="Consumo annuo (kWh)").fill(f"{annual_kwh:,}".replace(",", "."))  # e.g. 60.000
    main.get_by_role("button", name="Aggiungi membro").click()
    wait_idle(page)
    assert_no_exception(page)


def draw_roof(page, points) -> None:
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator("a.leaflet-draw-draw-polygon").click()
    container = frame.locator(".leaflet-container")
    for x, y in points + [points[0]]:
        container.click(position={"x": x, "y": y})
        page.wait_for_timeout(150)
    wait_idle(page)


def member_source(page, member: str, source: str) -> None:
    """On «Membri e consumi»: select the member and the kind of consumption data."""
    main = page.locator("[data-testid='stMain']")
    choose(page, main, "Membro", member)
    main.get_by_role("radio", name=source, exact=True).click()  # a segmented control
    wait_idle(page)


def test_ten_members_from_scratch_with_a_roof_a_bill_and_a_meter_export(page):
    new_community(page, "CER Via Roma", "Rozzano", 2024)
    assert page.locator("h1").first.inner_text() == "CER Via Roma"

    nav(page, "Mappa")
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    box = frame.locator(".leaflet-container").bounding_box()
    cx, cy = box["width"] / 2, box["height"] / 2
    place_member(page, cx, cy, "Officina Rossi", role="Prosumer", category="PMI", annual_kwh=60000)
    place_member(page, cx + 140, cy - 70, "Studio Verdi", category="PMI")
    place_member(page, cx - 140, cy + 60, "Famiglia Bianchi")
    for k, (dx, dy) in enumerate([(-200, -120), (-90, -150), (60, -170), (200, 40), (120, 130), (-40, 160),
                                  (-210, 150)]):
        place_member(page, cx + dx, cy + dy, f"Famiglia {k + 4}")
    sidebar = page.locator("[data-testid='stSidebar']")
    assert "10 membri" in sidebar.inner_text()

    # a roof on the workshop: select it, zoom to building scale, draw, confirm the suggested plant
    choose(page, page.locator("[data-testid='stMain']"), "Membro selezionato", "Officina Rossi")
    frame = page.frame_locator(MAP_IFRAME)
    for _ in range(4):
        frame.locator("a.leaflet-control-zoom-in").click()
        page.wait_for_timeout(350)
    draw_roof(page, [(cx + 20, cy - 60), (cx + 110, cy - 60), (cx + 110, cy + 20), (cx + 20, cy + 20)])
    assert_no_exception(page)
    assert page.get_by_text("Nuovo impianto sul tetto").count() == 1
    page.get_by_role("button", name="Aggiungi impianto").click()
    wait_idle(page)
    assert_no_exception(page)
    assert "1 impianti" in sidebar.inner_text() or "1 impianto" in sidebar.inner_text()

    # consumption data: a distributor's meter export for the office, a bills file for a family
    nav(page, "Membri e consumi")
    member_source(page, "Studio Verdi", "Curve del contatore")
    uploader = page.locator("[data-testid='stMain'] [data-testid='stFileUploader'] input[type='file']").first
    uploader.set_input_files(str(SAMPLES / "edistribuzione_wide_quartorario_2024_piccola_impresa.csv"))
    wait_idle(page)
    assert_no_exception(page)
    assert page.get_by_text("In uso: Curve del contatore", exact=False).count() >= 1
    member_source(page, "Famiglia Bianchi", "Bollette")
    bills = page.locator("[data-testid='stMain'] [data-testid='stFileUploader']").filter(
        has_text="Oppure carica le bollette").locator("input[type='file']")
    bills.set_input_files(str(SAMPLES / "bollette_mensili_2024_piccola_impresa.csv"))
    wait_idle(page)
    assert_no_exception(page)
    assert page.get_by_text("In uso: Bollette", exact=False).count() >= 1

    # the results: energy shared among the ten, money for the CER
    nav(page, "Risultati")
    assert_no_exception(page)
    assert "Simulazione aggiornata" in sidebar.inner_text()
    shared = metric_value(page, "Energia condivisa")
    incentives = metric_value(page, "Incentivi CER")
    assert shared[0].isdigit() and not shared.startswith("0\u00a0"), shared
    assert incentives.endswith("€") and incentives[0] != "0", incentives
