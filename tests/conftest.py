"""Shared fixtures: small synthetic scenarios written to a temporary folder."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Tests never download (PVGIS, geocoding) and never read the user's disk cache: results must not depend
# on the network or on what an earlier session cached. Subprocesses (CLI, streamlit) inherit this.
os.environ.setdefault("CER_STUDIO_OFFLINE", "1")
os.environ.setdefault("CER_STUDIO_CACHE", tempfile.mkdtemp(prefix="cer-studio-test-cache-"))
# The disk cache of derived data (cer_core/diskcache.py) is off unless a test turns it on: a test's result
# never depends on what an earlier test computed (tests/test_diskcache.py checks the cache itself).
os.environ.setdefault("CER_STUDIO_DISK_CACHE", "0")

SAMPLES = ROOT / "tests" / "data" / "samples"


@pytest.fixture
def write_scenario(tmp_path):
    """Write a scenario dict (and extra files) to tmp_path; returns the scenario's path."""

    def _write(doc: dict, files: dict[str, bytes] | None = None, name: str = "scenario.json") -> Path:
        for rel, data in (files or {}).items():
            target = tmp_path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc), encoding="utf-8")
        return path

    return _write
