"""Ripartizione in a real browser: the page after Risultati, a rule change re-splits, screenshots at
1440×900 and 1280×720 (left in ``test-artifacts/`` for a look)."""

from __future__ import annotations

import pytest

from studio_driver import assert_no_exception, goto, metric_value, nav, new_page, wait_idle

from conftest import ARTIFACTS


@pytest.mark.parametrize("size", [(1440, 900), (1280, 720)])
def test_ripartizione_page_and_screenshots(browser, studio_server, size):
    page = new_page(browser, *size)
    page.set_default_timeout(60_000)
    goto(page, studio_server.url)
    labels = [x.strip().splitlines()[-1] for x in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]
    assert labels.index("Ripartizione") == labels.index("Risultati") + 1
    nav(page, "Ripartizione")
    page.get_by_text("Incassi della CER").first.wait_for()
    assert_no_exception(page)
    assert metric_value(page, "Incassi della CER").endswith("€")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ripartizione_rules_{size[0]}x{size[1]}.png"))
    page.get_by_role("tab", name="Membri").click()
    wait_idle(page)
    page.get_by_text("Riferimento Shapley", exact=False).first.wait_for()
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / f"ripartizione_members_{size[0]}x{size[1]}.png"))
    page.get_by_role("tab", name="Chi vince, chi perde").click()
    wait_idle(page)
    page.get_by_text("Per categoria").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / f"ripartizione_compare_{size[0]}x{size[1]}.png"))
    page.get_by_role("tab", name="Estratto conto").click()
    wait_idle(page)
    page.get_by_text("le cifre mensili sono approssimate", exact=False).first.wait_for()
    page.screenshot(path=str(ARTIFACTS / f"ripartizione_statement_{size[0]}x{size[1]}.png"))
    page.get_by_role("tab", name="Bozza di regolamento").click()
    wait_idle(page)
    page.get_by_text("Titolo V").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / f"ripartizione_draft_{size[0]}x{size[1]}.png"))
    # a rule change: equal shares among consumers, applied → the page re-splits (no exception)
    page.get_by_role("tab", name="Regole").click()
    wait_idle(page)
    page.get_by_text("in parti uguali", exact=True).first.click()
    page.get_by_role("button", name="Applica le regole").click()
    wait_idle(page)
    page.get_by_text("consumatori in parti uguali; quote", exact=False).first.wait_for()
    assert_no_exception(page)
    nav(page, "Panoramica")
    page.get_by_text("ogni membro riceve dalla CER", exact=False).first.wait_for()
    page.screenshot(path=str(ARTIFACTS / f"panoramica_range_{size[0]}x{size[1]}.png"))
    page.context.close()
