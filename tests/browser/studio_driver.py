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
from contextlib import contextmanager
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

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
    page = context.new_page()
    track_runs(page)
    return page


# --- state-based waits: the reruns the page asked for, seen on its websocket --------------------------------
#
# Every widget change, upload or navigation makes the page send a ``rerun_script`` message; the server
# answers each run with ``new_session`` (the run started) and ``script_finished`` (it ended). A wait is over
# when a run started after the page's last request and finished, however long the server takes: no fixed
# delay guesses when a rerun "should" have started (that lost the race on a loaded machine).

class RunLog:
    """Order of the rerun requests, run starts and run ends a page's websocket carried."""

    def __init__(self):
        self.seq = 0
        self.last_request = self.last_start = self.last_finish = 0

    def _tick(self) -> int:
        self.seq += 1
        return self.seq

    def sent(self, payload) -> None:
        if isinstance(payload, (bytes, bytearray)) and _message_type(BackMsg, payload) == "rerun_script":
            self.last_request = self._tick()

    def received(self, payload) -> None:
        if not isinstance(payload, (bytes, bytearray)):
            return
        msg = _parse(ForwardMsg, payload)
        kind = msg.WhichOneof("type") if msg is not None else None
        if kind == "new_session":
            self.last_start = self._tick()
        elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.last_finish = self._tick()

    def settled(self, since: int = 0) -> bool:
        """No request unanswered: every request was followed by a run that started and finished (and, with
        ``since``, a request was sent after that mark)."""
        if since and self.last_request <= since:
            return False
        return self.last_finish > self.last_start > self.last_request or (self.last_request == 0 and
                                                                         self.last_finish > self.last_start)


def _parse(cls, payload):
    try:
        return cls.FromString(bytes(payload))
    except Exception:  # noqa: BLE001 - not a protobuf frame
        return None


def _message_type(cls, payload) -> str | None:
    msg = _parse(cls, payload)
    return msg.WhichOneof("type") if msg is not None else None


def track_runs(page) -> RunLog:
    """Record the page's rerun requests and the server's run starts and ends (see :class:`RunLog`)."""
    log = RunLog()
    page._cer_runs = log

    def on_websocket(ws):
        ws.on("framesent", log.sent)
        ws.on("framereceived", log.received)

    page.on("websocket", on_websocket)
    return log


def mark(page) -> int:
    """A point in the page's run log: pass it to :func:`wait_idle` as ``since`` after an action that must rerun."""
    return page._cer_runs.seq


def wait_idle(page, timeout_ms: int = 60_000, since: int | None = None) -> None:
    """Wait until every rerun the page asked for has started and finished, and the app shows it is idle.

    ``since`` (from :func:`mark`, taken before the action) also waits for the action's own request to be
    sent: for widgets that send it a moment later (a map click, a component value).
    """
    log = getattr(page, "_cer_runs", None)
    deadline = time.monotonic() + timeout_ms / 1000
    while log is not None and not log.settled(since or 0):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the rerun did not finish in {timeout_ms / 1000:.0f} s (runs: {vars(log)})")
        page.wait_for_timeout(25)          # lets Playwright deliver the websocket events; not a guess
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def assert_no_exception(page) -> None:
    """Fail if Streamlit shows an exception box."""
    boxes = page.locator(EXCEPTION)
    if boxes.count():
        raise AssertionError(f"streamlit exception on the page: {boxes.first.inner_text()[:500]}")


def goto(page, url: str, timeout_ms: int = 60_000) -> None:
    before = mark(page) if hasattr(page, "_cer_runs") else None
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(APP, timeout=timeout_ms)
    wait_idle(page, timeout_ms, since=before)


def nav(page, label: str) -> None:
    """Click a page in the sidebar navigation and wait for that page's run."""
    before = mark(page)
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=label).first.click()
    wait_idle(page, since=before)


def metric_value(page, label: str) -> str:
    """The value shown by the ``st.metric`` whose label is ``label``."""
    metric = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label)).first
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def upload_in_sidebar(page, path: Path) -> None:
    """Open a scenario file through the sidebar's uploader."""
    before = mark(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    wait_idle(page, since=before)


@contextmanager
def fresh_server_page(browser, log_path: Path, failure_png: Path):
    """A new offline studio server (nothing has run ``app.py`` in it yet) and a page on it: ``(server, page)``.
    A failure inside leaves a full-page screenshot at ``failure_png``; the page and the server are closed."""
    server = StudioServer(log_path=log_path, env={"CER_STUDIO_OFFLINE": "1"})
    page = None
    try:
        server.wait_healthy(90)
        page = new_page(browser)
        yield server, page
    except Exception:
        if page is not None:
            page.screenshot(path=str(failure_png), full_page=True)
        raise
    finally:
        if page is not None:
            page.context.close()
        server.stop()
