"""Scenari e dimensionamento in a real browser on the demo: investment, the sizing sweep, optimal sizes,
a variant compared; screenshots at 1440×900 (left in ``test-artifacts/`` for a look)."""

from __future__ import annotations

from studio_driver import assert_no_exception, goto, metric_value, nav, new_page, wait_idle

from conftest import ARTIFACTS


def test_scenari_page_and_screenshots(browser, studio_server):
    page = new_page(browser, 1440, 900)
    page.set_default_timeout(90_000)
    goto(page, studio_server.url)
    labels = [x.strip().splitlines()[-1] for x in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]
    assert "Scenari e dimensionamento" in labels
    nav(page, "Scenari e dimensionamento")
    page.get_by_text("VAN della comunità").first.wait_for()
    assert_no_exception(page)
    assert metric_value(page, "VAN della comunità").endswith("€")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "scenari_investment_1440x900.png"), full_page=True)
    page.get_by_role("tab", name="Dimensionamento").click()
    wait_idle(page)
    page.get_by_text("Ginocchio", exact=False).first.wait_for()
    page.get_by_role("button", name="Calcola le taglie ottimali").click()
    wait_idle(page)
    page.get_by_text("Condivisa alle taglie ottimali", exact=False).first.wait_for()
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "scenari_sizing_1440x900.png"), full_page=True)
    page.get_by_role("tab", name="Varianti").click()
    wait_idle(page)
    page.get_by_role("button", name="Duplica come variante").click()
    wait_idle(page)
    page.get_by_role("button", name="Rendi corrente").first.wait_for()
    page.get_by_text("Energia condivisa per mese", exact=False).first.wait_for()
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "scenari_variants_1440x900.png"), full_page=True)
    page.context.close()
