"""The overview is the default page, served at "/": "/panoramica" (typed, bookmarked) opens it too,
without Streamlit's "Page not found" dialog, on a running server and as a fresh server's first request."""

import pytest

from conftest import ARTIFACTS
from studio_driver import assert_no_exception, fresh_server_page, goto, new_page, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _lands_on_the_overview(page, server_url: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("h1").first).to_have_text("CER Naviglio Sud (demo)", timeout=60_000)  # the overview's title
    expect(page).to_have_url(server_url.rstrip("/") + "/", timeout=30_000)  # the default page's own address
    wait_idle(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text("Panoramica")).to_have_count(1)  # the hidden alias adds no second entry
    assert_no_exception(page)


def test_panoramica_path_on_a_running_server_opens_the_overview(browser, studio_server):
    page = new_page(browser)
    try:
        goto(page, studio_server.url)  # the app has run: st.navigation knows the pages
        goto(page, f"{studio_server.url}/panoramica")
        _lands_on_the_overview(page, studio_server.url)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "default_page_failure.png"), full_page=True)
        raise
    finally:
        page.context.close()


def test_panoramica_path_as_a_fresh_servers_first_request(browser, chromium_path):
    ARTIFACTS.mkdir(exist_ok=True)
    with fresh_server_page(browser, ARTIFACTS / "streamlit_default_page.log",
                           ARTIFACTS / "default_page_fresh_failure.png") as (server, page):
        goto(page, f"{server.url}/panoramica")  # nothing has run app.py yet in this server
        _lands_on_the_overview(page, server.url)
