"""The studio's promise, end to end in Italian: build a 10-member community from scratch on the map, draw a
roof, load a bill file and a meter export, and read the results."""

from __future__ import annotations

import re

import pytest

from studio_driver import ROOT, assert_no_exception, mark, metric_value, nav, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SAMPLES = ROOT / "tests" / "data" / "samples"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: Leaflet.draw (L.Draw.Polyline._endPoint) ignores new vertices for 50 ms after one is added: a client-side
#: debounce, unrelated to the server's reruns (those are waited for by state, see studio_driver.wait_idle).
LEAFLET_DRAW_DEBOUNCE_MS = 80


def pick_option(page, option: str) -> None:
    """Type ``option`` into an open selectbox, wait until the filtered list shows it, choose it."""
    from playwright.sync_api import expect

    page.keyboard.type(option)
    expect(page.locator("[role='option']").first).to_contain_text(option)
    page.keyboard.press("Enter")


def choose(page, scope, label: str, option: str, reruns: bool = False) -> None:
    """Pick ``option`` in the selectbox labelled ``label``; ``reruns``: outside a form, wait for its rerun."""
    from playwright.sync_api import expect

    box = scope.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    before = mark(page)
    box.click()
    pick_option(page, option)
    expect(box.get_by_role("combobox")).to_have_value(re.compile(re.escape(option)))   # the widget shows it
    wait_idle(page, since=before if reruns else None)


def zoom_in(frame, steps: int) -> None:
    """Zoom the map in ``steps`` times, each time until the scale bar shows the new zoom (the animation ended)."""
    from playwright.sync_api import expect

    scale = frame.locator(".leaflet-control-scale-line").first
    for _ in range(steps):
        before = scale.inner_text()
        frame.locator("a.leaflet-control-zoom-in").click()
        expect(scale).not_to_have_text(before)
        expect(frame.locator(".leaflet-zoom-anim")).to_have_count(0)


def new_community(page, name: str, comune: str, year: int) -> None:
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Nuova").click()
    dialog = page.locator("[role='dialog']")
    dialog.wait_for()
    dialog.get_by_label("Nome della comunità").fill(name)
    dialog.locator("[data-testid='stSelectbox']").filter(has_text="Comune").click()
    pick_option(page, comune)
    dialog.locator("[data-testid='stNumberInput'] input").fill(str(year))
    before = mark(page)
    dialog.get_by_role("button", name="Crea la comunità").click()
    wait_idle(page, since=before)                     # the rerun the click started, however slow the server
    assert_no_exception(page)


def place_member(page, x: float, y: float, name: str, role: str | None = None, category: str | None = None,
                 annual_kwh: int | None = None) -> None:
    """The map's marker tool, a click on the map, the form, «Aggiungi membro»."""
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator("a.leaflet-draw-draw-marker").click()
    before = mark(page)
    frame.locator(".leaflet-container").click(position={"x": x, "y": y})
    wait_idle(page, since=before)                     # the map sends the point, the page reruns
    main = page.locator("[data-testid='stMain']")
    main.get_by_label("Nome", exact=True).first.fill(name)
    if role:
        choose(page, main, "Ruolo", role)
    if category:
        choose(page, main, "Categoria", category)
    if annual_kwh:
        main.get_by_role("textbox", name="Consumo annuo (kWh)").fill(f"{annual_kwh:,}".replace(",", "."))  # e.g. 60.000
    before = mark(page)
    main.get_by_role("button", name="Aggiungi membro").click()
    wait_idle(page, since=before)
    assert_no_exception(page)


def draw_roof(page, points) -> None:
    from playwright.sync_api import expect

    frame = page.frame_locator(MAP_IFRAME)
    frame.locator("a.leaflet-draw-draw-polygon").click()
    container = frame.locator(".leaflet-container")
    vertices = frame.locator(".leaflet-editing-icon")
    for k, (x, y) in enumerate(points):
        container.click(position={"x": x, "y": y})
        expect(vertices).to_have_count(k + 1)          # Leaflet.draw took the vertex
        page.wait_for_timeout(LEAFLET_DRAW_DEBOUNCE_MS)  # it ignores clicks for 50 ms after each vertex
    before = mark(page)
    container.click(position={"x": points[0][0], "y": points[0][1]})     # close on the first point
    wait_idle(page, since=before)


def member_source(page, member: str, source: str) -> None:
    """On «Membri e consumi»: select the member and the kind of consumption data."""
    main = page.locator("[data-testid='stMain']")
    choose(page, main, "Membro", member, reruns=True)   # another member: the page reruns for it
    before = mark(page)
    main.get_by_role("radio", name=source, exact=True).click()  # a segmented control
    wait_idle(page, since=before)


def test_ten_members_from_scratch_with_a_roof_a_bill_and_a_meter_export(page):
    from playwright.sync_api import expect

    new_community(page, "CER Via Roma", "Rozzano", 2024)
    expect(page.locator("h1").first).to_have_text("CER Via Roma")    # retried until the rerun has drawn it

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
    expect(sidebar).to_contain_text("10 membri")

    # a roof on the workshop: select it, zoom to building scale, draw, confirm the suggested plant
    choose(page, page.locator("[data-testid='stMain']"), "Membro selezionato", "Officina Rossi", reruns=True)
    frame = page.frame_locator(MAP_IFRAME)
    zoom_in(frame, 4)
    draw_roof(page, [(cx + 20, cy - 60), (cx + 110, cy - 60), (cx + 110, cy + 20), (cx + 20, cy + 20)])
    assert_no_exception(page)
    expect(page.get_by_text("Nuovo impianto sul tetto")).to_have_count(1)
    before = mark(page)
    page.get_by_role("button", name="Aggiungi impianto").click()
    wait_idle(page, since=before)
    assert_no_exception(page)
    expect(sidebar).to_contain_text(re.compile(r"· 1 impiant[oi]"))

    # consumption data: a distributor's meter export for the office, a bills file for a family
    nav(page, "Membri e consumi")
    member_source(page, "Studio Verdi", "Curve del contatore")
    uploader = page.locator("[data-testid='stMain'] [data-testid='stFileUploader'] input[type='file']").first
    before = mark(page)
    uploader.set_input_files(str(SAMPLES / "edistribuzione_wide_quartorario_2024_piccola_impresa.csv"))
    wait_idle(page, since=before)
    assert_no_exception(page)
    expect(page.get_by_text("In uso: Curve del contatore", exact=False).first).to_be_visible()
    member_source(page, "Famiglia Bianchi", "Bollette")
    bills = page.locator("[data-testid='stMain'] [data-testid='stFileUploader']").filter(
        has_text="Oppure carica le bollette").locator("input[type='file']")
    before = mark(page)
    bills.set_input_files(str(SAMPLES / "bollette_mensili_2024_piccola_impresa.csv"))
    wait_idle(page, since=before)
    assert_no_exception(page)
    expect(page.get_by_text("In uso: Bollette", exact=False).first).to_be_visible()

    # the results: energy shared among the ten, money for the CER
    nav(page, "Risultati")
    assert_no_exception(page)
    expect(sidebar).to_contain_text("Simulazione aggiornata")
    shared = metric_value(page, "Energia condivisa")
    incentives = metric_value(page, "Incentivi CER")
    assert shared[0].isdigit() and not shared.startswith("0\u00a0"), shared
    assert incentives.endswith("€") and incentives[0] != "0", incentives
