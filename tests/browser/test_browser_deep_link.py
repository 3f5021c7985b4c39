"""A deep link is the first request of a fresh server: the page still opens inside the studio's frame."""

import pytest

from conftest import ARTIFACTS
from studio_driver import assert_no_exception, fresh_server_page, goto

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.parametrize("path, title", [("mappa", "Mappa")])
def test_deep_link_on_a_fresh_server_opens_inside_the_frame(browser, chromium_path, path, title):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    with fresh_server_page(browser, ARTIFACTS / "streamlit_deep_link.log",
                           ARTIFACTS / "deep_link_failure.png") as (server, page):
        goto(page, f"{server.url}/{path}")  # nothing has run app.py yet in this server
        # the request goes through app.py and back to the page (two reruns): wait with retrying assertions
        expect(page.locator("h1").first).to_have_text(title, timeout=60_000)
        sidebar = page.locator("[data-testid='stSidebar']")
        expect(sidebar.get_by_text("Lingua")).to_have_count(1, timeout=30_000)      # the frame's language switch
        expect(sidebar.get_by_text("Panoramica")).to_have_count(1)                  # titled navigation...
        expect(sidebar.get_by_text("panoramica", exact=True)).to_have_count(0)     # ...not file names
        assert page.url.rstrip("/").endswith(f"/{path}")
        assert_no_exception(page)
