"""The «Mappa» page in headless Chromium with every request outside this machine blocked.

Uses the studio's Streamlit server (``streamlit run app.py`` on a free port), opens the map page
and checks that the map draws from the app's own assets (Leaflet and plugins from
``/app/static/vendor``, the comuni basemap under the unreachable OSM tiles), then draws a roof that
becomes a plant and places a member. Fails on any Streamlit exception; saves a screenshot into
``test-artifacts/`` when a test fails.

Playwright drives Debian's Chromium (``/usr/bin/chromium`` or ``$CHROMIUM``); without it the tests
are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
#: The studio's entry point and the map page's URL path (``CER_STUDIO_APP`` overrides for development).
APP_SCRIPT = os.environ.get("CER_STUDIO_APP", "app.py")
MAP_PATH = os.environ.get("CER_STUDIO_MAP_PATH", "mappa")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
RUNNING = "[data-testid='stApp'][data-test-script-state='running']"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")


try:
    # The studio's shared browser fixtures (``tests/browser/conftest.py`` puts ``studio_driver`` on the
    # path): one Streamlit server and one Chromium for every browser test of the session.
    import studio_driver  # noqa: F401
    SHARED_FIXTURES = True
except ImportError:
    SHARED_FIXTURES = False

if not SHARED_FIXTURES:
    # Standalone fallback with the same fixture names, for a tree without the shared conftest.
    import shutil
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from types import SimpleNamespace

    @pytest.fixture(scope="session")
    def browser():
        exe = next((c for c in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                                shutil.which("chromium")) if c and os.access(c, os.X_OK)), None)
        if exe is None:
            pytest.skip("no Chromium: set CHROMIUM or install Debian's chromium")
        sync_api = pytest.importorskip("playwright.sync_api")
        with sync_api.sync_playwright() as p:
            b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
            yield b
            b.close()

    @pytest.fixture(scope="session")
    def studio_server(browser, tmp_path_factory):
        """``streamlit run`` of the studio on a free port (Nominatim disabled)."""
        if not (ROOT / APP_SCRIPT).is_file():
            pytest.skip(f"{APP_SCRIPT} not found: the studio frame is needed to serve the map page")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        log = tmp_path_factory.mktemp("map-browser") / "streamlit.log"
        with open(log, "wb") as fh:
            proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", APP_SCRIPT, "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats",
                 "false", "--server.fileWatcherType", "none"],
                cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT,
                env={**os.environ, "CER_STUDIO_OFFLINE": "1", "PYTHONUNBUFFERED": "1"})
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, f"streamlit exited: {log.read_text(errors='replace')[-2000:]}"
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                        if resp.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "streamlit did not become healthy in 60 s"
                time.sleep(0.2)
            yield SimpleNamespace(url=url)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


class Offline:
    """A page whose requests outside this machine are aborted (and recorded)."""

    def __init__(self, browser):
        self.context = browser.new_context(locale="it-IT", viewport={"width": 1440, "height": 1000})
        self.page = self.context.new_page()
        if SHARED_FIXTURES:
            studio_driver.track_runs(self.page)
        self.blocked_by_map: list[str] = []     # requests of the map's iframe that tried to leave the machine
        self.failed_local: list[str] = []       # the map's own assets and component files that failed
        self.page_errors: list[str] = []
        self.blocked: list[str] = []            # every request of the page that tried to leave the machine
        self.page.route("**/*", self._route)
        self.page.on("response", lambda r: self.failed_local.append(f"{r.status} {r.url}")
                     if r.status >= 400 and ("/app/static/" in r.url or "/component/" in r.url) else None)
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def _route(self, route):
        url = route.request.url
        if url.startswith(LOCAL_PREFIXES):
            route.continue_()
            return
        try:
            frame_url = route.request.frame.url
        except Exception:  # noqa: BLE001 - service-worker or detached-frame requests have no frame
            frame_url = ""
        if "streamlit_folium" in frame_url:
            self.blocked_by_map.append(url)
        self.blocked.append(url)
        route.abort("internetdisconnected")


@pytest.fixture
def offline(browser, request):
    """An offline page; a full-page screenshot goes to test-artifacts/ when the test fails."""
    o = Offline(browser)
    failed_before = request.session.testsfailed
    yield o
    if request.session.testsfailed > failed_before:       # the call phase of this test failed
        ARTIFACTS.mkdir(exist_ok=True)
        o.page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    o.context.close()


def mark(page) -> int | None:
    """Where the page's run log is (before an action that must rerun), see ``studio_driver.mark``."""
    return studio_driver.mark(page) if SHARED_FIXTURES else None


def wait_idle(page, timeout_ms: int = 60_000, since: int | None = None) -> None:
    if SHARED_FIXTURES:          # state-based: the rerun the action asked for started and finished
        studio_driver.wait_idle(page, timeout_ms, since=since)
        return
    try:
        page.wait_for_selector(RUNNING, timeout=600)
    except Exception:  # noqa: BLE001 - no rerun started, or it was already over
        pass
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_timeout(200)
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def no_exception(page) -> None:
    boxes = page.locator("[data-testid='stException']")
    assert boxes.count() == 0, boxes.first.inner_text()[:800]


def open_map(o: Offline, url: str):
    # the entry page first: right after the server starts, a deep link runs pages/mappa.py on its own
    # (Streamlit's pages/ folder discovery) until app.py has registered st.navigation once
    o.page.goto(url, wait_until="domcontentloaded")
    o.page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    wait_idle(o.page)
    before = mark(o.page)
    o.page.goto(f"{url}/{MAP_PATH}", wait_until="domcontentloaded")
    o.page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    wait_idle(o.page, since=before)
    frame = o.page.frame_locator(MAP_IFRAME)
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    no_exception(o.page)
    return frame


def members_on_map(frame):
    """Member markers: circles with a white ring (the selection halo and pending marks have none)."""
    return frame.locator('.leaflet-overlay-pane path[stroke="#ffffff"]')


def test_map_draws_with_the_network_blocked(studio_server, offline):
    from playwright.sync_api import expect

    frame = open_map(offline, studio_server.url)
    # the demo's 40 members and its two cabina areas
    expect(members_on_map(frame)).to_have_count(40, timeout=20_000)
    assert frame.locator('.leaflet-overlay-pane path[stroke-dasharray="8 5"]').count() == 2
    # the offline basemap: comuni boundaries and names
    assert frame.locator(".leaflet-cer-offline-pane path").count() > 20
    expect(frame.locator(".cer-label", has_text="Rozzano")).to_have_count(1)
    # Leaflet.draw's tools in Italian
    assert frame.locator("a.leaflet-draw-draw-polygon").get_attribute("title").startswith("Disegna un poligono")
    # every script and stylesheet of the map came from the app; offline (CER_STUDIO_OFFLINE) not even the OSM
    # tiles are asked for: the page requested nothing outside this machine
    assert offline.blocked_by_map == [] and offline.blocked == []
    assert offline.failed_local == [] and offline.page_errors == []
    scripts = frame.locator("script[src]").evaluate_all("els => els.map(e => e.src)")
    assert any("/app/static/vendor/leaflet-1.9.3/dist/leaflet.js" in s for s in scripts)
    assert any("/app/static/vendor/leaflet-draw-1.0.2/dist/leaflet.draw.js" in s for s in scripts)


#: Leaflet.draw ignores new vertices for 50 ms after one is added (a client-side debounce, not a rerun).
LEAFLET_DRAW_DEBOUNCE_MS = 80


def draw_polygon(page, frame, points):
    from playwright.sync_api import expect

    frame.locator("a.leaflet-draw-draw-polygon").click()
    container = frame.locator(".leaflet-container")
    vertices = frame.locator(".leaflet-editing-icon")
    for k, (x, y) in enumerate(points):
        container.click(position={"x": x, "y": y})
        expect(vertices).to_have_count(k + 1)
        page.wait_for_timeout(LEAFLET_DRAW_DEBOUNCE_MS)
    before = mark(page)
    container.click(position={"x": points[0][0], "y": points[0][1]})     # close on the first point
    wait_idle(page, since=before)


def test_draw_a_roof_becomes_a_plant_and_place_a_member(studio_server, offline):
    from playwright.sync_api import expect

    page = offline.page
    frame = open_map(offline, studio_server.url)
    expect(members_on_map(frame)).to_have_count(40, timeout=20_000)
    roofs = frame.locator('.leaflet-overlay-pane path[fill="#fbbf24"]')
    expect(roofs).to_have_count(12, timeout=20_000)                # the demo's plants have their roofs drawn
    # select a member by clicking it: it owns the roof drawn next
    before = mark(page)
    members_on_map(frame).last.click()
    wait_idle(page, since=before)
    no_exception(page)
    selected = page.locator("[data-testid='stSelectbox']").filter(has_text="Membro selezionato")
    expect(selected).not_to_contain_text("nessuno")
    owner_name = selected.inner_text().replace("Membro selezionato", "").strip()
    frame = page.frame_locator(MAP_IFRAME)
    container = frame.locator(".leaflet-container")
    box = container.bounding_box()
    cx, cy = box["width"] / 2, box["height"] / 2
    scale = frame.locator(".leaflet-control-scale-line").first
    for _ in range(4):                                   # zoom in towards building scale
        shown = scale.inner_text()
        frame.locator("a.leaflet-control-zoom-in").click()
        expect(scale).not_to_have_text(shown)             # the zoom happened
        expect(frame.locator(".leaflet-zoom-anim")).to_have_count(0)
    # a roof of about 60 × 45 px
    draw_polygon(page, frame, [(cx - 30, cy - 20), (cx + 30, cy - 20), (cx + 30, cy + 25), (cx - 30, cy + 25)])
    no_exception(page)
    expect(page.get_by_text("Nuovo impianto sul tetto")).to_be_visible()
    owner = page.locator("[data-testid='stSelectbox']").filter(has_text="Proprietario (membro)")
    expect(owner).to_contain_text(owner_name[:20])
    scale_before = frame.locator(".leaflet-control-scale-line").inner_text()
    before = mark(page)
    page.get_by_role("button", name="Aggiungi impianto").click()
    wait_idle(page, since=before)
    no_exception(page)
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    expect(frame.locator('.leaflet-overlay-pane path[fill="#fbbf24"]')).to_have_count(13, timeout=20_000)
    # the draft is gone (no dashed red shape left) and the map kept its zoom
    expect(frame.locator('.leaflet-overlay-pane path[stroke="#e11d48"]')).to_have_count(0, timeout=10_000)
    assert frame.locator(".leaflet-control-scale-line").inner_text() == scale_before
    expect(page.get_by_text("Impianti", exact=True)).to_be_visible()       # the owner's plants, with the new one
    # place a member with the marker tool
    frame.locator("a.leaflet-draw-draw-marker").click()
    before = mark(page)
    frame.locator(".leaflet-container").click(position={"x": cx + 120, "y": cy + 80})
    wait_idle(page, since=before)
    no_exception(page)
    page.get_by_label("Nome", exact=True).first.fill("Famiglia Browser")
    before = mark(page)
    page.get_by_role("button", name="Aggiungi membro").click()
    wait_idle(page, since=before)
    no_exception(page)
    frame = page.frame_locator(MAP_IFRAME)
    expect(members_on_map(frame)).to_have_count(41, timeout=20_000)
    expect(frame.locator(".leaflet-marker-pane .leaflet-marker-icon")).to_have_count(0)   # the drawn pin is gone
    frame.locator(".leaflet-overlay-pane path[stroke='#ffffff']").last.hover()
    expect(frame.locator(".leaflet-tooltip", has_text="Famiglia Browser")).to_be_visible()
    assert offline.blocked_by_map == [] and offline.blocked == []      # offline: no request left the machine
    assert offline.page_errors == []
