"""Browser tests: one Streamlit server per test session, one browser context (= one user session) per test.

Skipped cleanly when Playwright or a Chromium executable is missing. A failing test leaves a
screenshot in ``test-artifacts/`` (and the server log in ``test-artifacts/streamlit_browser.log``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from studio_driver import ROOT, StudioServer, find_chromium, goto, launch_browser, new_page  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed (requirements-dev.txt)")
    path = find_chromium()
    if path is None:
        pytest.skip("no Chromium found (install Debian's chromium or set CHROMIUM=/path/to/chromium)")
    return path


@pytest.fixture(scope="session")
def studio_server(chromium_path):
    ARTIFACTS.mkdir(exist_ok=True)
    # offline like CI: the weather is the embedded typical year, whatever the network does
    server = StudioServer(log_path=ARTIFACTS / "streamlit_browser.log", env={"CER_STUDIO_OFFLINE": "1"})
    try:
        server.wait_healthy(90)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    chromium = launch_browser(pw, chromium_path)
    yield chromium
    chromium.close()
    pw.stop()


@pytest.fixture
def page(request, browser, studio_server):
    """A fresh user session on the studio's first page (the demo)."""
    p = new_page(browser)
    p.set_default_timeout(30_000)
    goto(p, studio_server.url)
    yield p
    failed = any(getattr(request.node, f"rep_{when}", None) is not None and getattr(request.node, f"rep_{when}").failed
                 for when in ("setup", "call"))
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-120:]
        try:
            p.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - the screenshot must not hide the real failure
            pass
    p.context.close()
