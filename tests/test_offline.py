"""Offline means offline (issue 17): no outbound request from the server on start, none from the map page."""

import json
import re
import subprocess
import sys
import tomllib

from conftest import ROOT

PROBE = r"""
import json, socket, sys
from streamlit import config, net_util
from streamlit.web import bootstrap

calls = []
def refuse(*args, **kwargs):
    calls.append(repr(args[:1]))
    raise OSError("network disabled by the test")
socket.create_connection = refuse                      # any HTTP client goes through this
net_util._make_blocking_http_get = lambda url, timeout: calls.append(url)
config.get_config_options(force_reparse=True)           # reads ./.streamlit/config.toml
bootstrap._print_url(False)
print(json.dumps({"calls": calls, "external_ip": net_util._external_ip}))
"""


def test_the_shipped_config_never_calls_the_ip_check_service():
    conf = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert conf["browser"]["gatherUsageStats"] is False and conf["server"]["headless"] is True
    assert conf["browser"]["serverAddress"] == "localhost"
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out == {"calls": [], "external_ip": None}
    assert "External URL" not in proc.stdout


def test_the_probe_would_see_the_call_without_the_setting(tmp_path):
    """Without ``browser.serverAddress`` a headless start does ask checkip.amazonaws.com (what the setting avoids)."""
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text('[server]\nheadless = true\n[browser]\ngatherUsageStats = false\n')
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert any("checkip" in c for c in json.loads(proc.stdout.strip().splitlines()[-1])["calls"])


def test_the_offline_map_requests_no_remote_url(monkeypatch):
    from studio.components import map_view

    monkeypatch.setenv("CER_STUDIO_OFFLINE", "1")
    page = map_view.base_map(map_view.MapView(45.38, 9.15, 13)).get_root().render()
    assert re.findall(r"https?://[^\"' )<>]+", page) == []
    monkeypatch.setenv("CER_STUDIO_OFFLINE", "0")
    online = map_view.base_map(map_view.MapView(45.38, 9.15, 13)).get_root().render()
    assert "tile.openstreetmap.org" in online                 # online, the tiles are there
