"""Drive CER Studio in headless Chromium: start ``streamlit run app.py``, wait for reruns, find widgets.

Shared by the browser tests (``tests/browser``) and the speed benchmark (``benchmarks/bench_studio.py``).
Playwright drives Debian's Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``): ``playwright install``
cannot download a browser here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
APP = "[data-testid='stApp']"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
RUNNING = "[data-testid='stApp'][data-test-script-state='running']"
EXCEPTION = "[data-testid='stException']"


def find_chromium() -> str | None:
    """Path of a Chromium executable, or None."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      shutil.which("chromium") or "", shutil.which("chromium-browser") or ""):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StudioServer:
    """``streamlit run app.py`` on a free port, stopped by :meth:`stop`."""

    def __init__(self, root: Path = ROOT, port: int | None = None, log_path: Path | None = None,
                 env: dict | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        log = open(log_path, "wb") if log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
            cwd=root, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})

    def wait_healthy(self, timeout_s: float = 60.0) -> float:
        """Poll ``/_stcore/health`` until it answers ``ok``; returns the seconds waited."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.read().strip() == b"ok":
                        return time.perf_counter() - start
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"streamlit did not become healthy in {timeout_s:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def launch_browser(playwright, executable: str):
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)


def new_page(browser, width: int = 1440, height: int = 1000):
    context = browser.new_context(locale="it-IT", viewport={"width": width, "height": height},
                                  accept_downloads=True)
    return context.new_page()


def wait_idle(page, timeout_ms: int = 60_000, settle_ms: int = 150) -> None:
    """Wait until the script has finished rerunning (and a rerun that is about to start has started)."""
    try:
        page.wait_for_selector(RUNNING, timeout=settle_ms * 4)
    except Exception:  # noqa: BLE001 - no rerun was triggered, or it was already over
        pass
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_timeout(settle_ms)
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def assert_no_exception(page) -> None:
    """Fail if Streamlit shows an exception box."""
    boxes = page.locator(EXCEPTION)
    if boxes.count():
        raise AssertionError(f"streamlit exception on the page: {boxes.first.inner_text()[:500]}")


def goto(page, url: str, timeout_ms: int = 60_000) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(APP, timeout=timeout_ms)
    wait_idle(page, timeout_ms)


def nav(page, label: str) -> None:
    """Click a page in the sidebar navigation."""
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=label).first.click()
    wait_idle(page)


def metric_value(page, label: str) -> str:
    """The value shown by the ``st.metric`` whose label is ``label``."""
    metric = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label)).first
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def upload_in_sidebar(page, path: Path) -> None:
    """Open a scenario file through the sidebar's uploader."""
    page.locator("[data-testid='stSidebar'] [data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    wait_idle(page)
