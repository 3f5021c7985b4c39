"""Previsioni in a real browser, offline: the page after Ripartizione, the fallback labelled, the chart, the
advice and the downloads; a screenshot in ``test-artifacts/``."""

from __future__ import annotations

from conftest import ARTIFACTS
from studio_driver import assert_no_exception, metric_value, nav, wait_idle


def test_previsioni_page_offline(page):
    labels = [x.strip().splitlines()[-1] for x in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]
    assert labels.index("Previsioni 3 giorni") == labels.index("Ripartizione") + 1
    nav(page, "Previsioni 3 giorni")
    page.get_by_text("Previsione meteo non disponibile", exact=False).first.wait_for()
    wait_idle(page)
    assert_no_exception(page)
    assert page.get_by_text("STIMA DI RISERVA, non una previsione meteo", exact=False).count() >= 1
    assert metric_value(page, "Produzione prevista").endswith(("kWh", "MWh"))
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    page.get_by_text("Le ore migliori per ogni membro").first.wait_for()
    page.get_by_role("button", name="Tabella oraria (CSV)").wait_for()
    page.get_by_role("button", name="Messaggi di tutti i membri (ZIP)").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "previsioni_offline_1440.png"))
    page.get_by_text("Da inviare ai membri").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "previsioni_offline_advice_1440.png"))
    assert_no_exception(page)
