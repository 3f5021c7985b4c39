"""The disk cache of derived data (cer_core/diskcache.py): keys cover every input, entries are bounded and
safe, and results read back are bit for bit the computed ones (holidays, public lighting, pvlib plants,
the demo's simulate files)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cer_core import api, diskcache
from cer_core.bands import _italian_holidays, national_holidays
from cer_core.loads import profiles as P
from cer_core.solar.production import plants_production
from conftest import ROOT


@pytest.fixture
def cache_on(tmp_path, monkeypatch):
    """The cache on, in a folder of this test's own."""
    monkeypatch.setenv("CER_STUDIO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CER_STUDIO_DISK_CACHE", "1")
    return tmp_path / "cache" / "derived"


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.npz")) if folder.exists() else []


def test_the_key_covers_inputs_versions_and_code(monkeypatch):
    base = diskcache.entry_key("x", (2024, 45.1, b"data"), code=("bands.py",), libraries=("holidays",))
    assert base == diskcache.entry_key("x", (2024, 45.1, b"data"), code=("bands.py",), libraries=("holidays",))
    others = {
        diskcache.entry_key("y", (2024, 45.1, b"data"), code=("bands.py",), libraries=("holidays",)),
        diskcache.entry_key("x", (2025, 45.1, b"data"), code=("bands.py",), libraries=("holidays",)),
        diskcache.entry_key("x", (2024, 45.1, b"datA"), code=("bands.py",), libraries=("holidays",)),
        diskcache.entry_key("x", (2024, 45.1, b"data"), code=("timeaxis.py",), libraries=("holidays",)),
        diskcache.entry_key("x", (2024, 45.1, b"data"), code=("bands.py",), libraries=("pvlib",)),
    }
    assert base not in others and len(others) == 5
    real = diskcache.library_version
    monkeypatch.setattr(diskcache, "library_version", lambda name: "9.9" if name == "holidays" else real(name))
    assert diskcache.entry_key("x", (2024, 45.1, b"data"), code=("bands.py",), libraries=("holidays",)) != base


def test_store_load_trim_and_a_corrupt_entry(cache_on, monkeypatch):
    value = {"a": np.arange(5.0), "t": diskcache.text_array("città ☀")}
    assert diskcache.load("k1") is None
    diskcache.store("k1", value)
    got = diskcache.load("k1")
    assert got["a"].tobytes() == value["a"].tobytes() and diskcache.array_text(got["t"]) == "città ☀"
    (cache_on / "k1.npz").write_bytes(b"not a zip")
    assert diskcache.load("k1") is None and not (cache_on / "k1.npz").exists()  # a miss, and removed
    for i in range(6):
        diskcache.store(f"k{i}", value)
        os.utime(cache_on / f"k{i}.npz", ns=(10**18 + i, 10**18 + i))  # k5 the most recent
    diskcache.trim(max_entries=4)
    assert entries(cache_on) == ["k2.npz", "k3.npz", "k4.npz", "k5.npz"]
    size = (cache_on / "k5.npz").stat().st_size
    diskcache.trim(max_bytes=2 * size)
    assert entries(cache_on) == ["k4.npz", "k5.npz"]
    monkeypatch.setattr(diskcache, "MAX_ENTRIES", 2)
    diskcache.store("k6", value)  # storing trims
    assert len(entries(cache_on)) == 2 and "k6.npz" in entries(cache_on)


def test_off_means_no_reads_and_no_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("CER_STUDIO_CACHE", str(tmp_path))
    monkeypatch.setenv("CER_STUDIO_DISK_CACHE", "0")
    assert diskcache.cached("k", lambda: {"a": np.ones(2)})["a"].sum() == 2
    assert not (tmp_path / "derived").exists()


def test_holidays_read_back_are_the_library_ones(cache_on):
    import holidays

    for year in (2024, 2026):
        expected = sorted(holidays.country_holidays("IT", years=[year], language="en_US"))
        assert _italian_holidays(year) == expected  # computed and stored
        assert _italian_holidays(year) == expected  # read back
    assert len(entries(cache_on)) == 2
    national_holidays.cache_clear()
    assert national_holidays(2026, False) == frozenset(d for d in expected if (d.month, d.day) != (10, 4))


def test_public_lighting_read_back_bit_for_bit(cache_on, monkeypatch):
    P.public_lighting_shape.cache_clear()
    computed = P.public_lighting_shape(2024, 45.4, 9.2)
    assert [n for n in entries(cache_on) if n.startswith("public_lighting-")]
    P.public_lighting_shape.cache_clear()
    read_back = P.public_lighting_shape(2024, 45.4, 9.2)
    assert read_back.tobytes() == computed.tobytes() and not read_back.flags.writeable
    monkeypatch.setenv("CER_STUDIO_DISK_CACHE", "0")
    P.public_lighting_shape.cache_clear()
    assert P.public_lighting_shape(2024, 45.4, 9.2).tobytes() == computed.tobytes()
    P.public_lighting_shape.cache_clear()


def test_pvlib_plants_read_back_and_keyed_by_every_plant(cache_on, monkeypatch):
    ws = api.demo_workspace()
    sc, _ = api.validate(ws)
    monkeypatch.setenv("CER_STUDIO_DISK_CACHE", "0")
    expected, expected_meta = plants_production(sc, ws)
    monkeypatch.setenv("CER_STUDIO_DISK_CACHE", "1")
    for _ in range(2):  # computed and stored, then read back
        out, meta = plants_production(sc, ws)
        assert out.tobytes() == expected.tobytes() and meta == expected_meta
    assert len(entries(cache_on)) == 1
    changed = dataclasses.replace(sc, plants=(dataclasses.replace(sc.plants[0], kwp=sc.plants[0].kwp + 1),
                                              *sc.plants[1:]))
    out, _ = plants_production(changed, ws)  # a larger inverter: another entry, another first column
    assert len(entries(cache_on)) == 2 and not np.array_equal(out[:, 0], expected[:, 0])
    assert out[:, 1:].tobytes() == expected[:, 1:].tobytes()
    auto = dataclasses.replace(sc, weather={"source": "auto"})  # depends on the network: never cached
    plants_production(auto, ws)
    assert len(entries(cache_on)) == 2


@pytest.mark.slow
def test_simulate_files_are_the_same_first_and_warm(tmp_path):
    """The demo's files with the cache off, on and empty (first ever), and on and filled (warm)."""
    env = {**os.environ, "CER_STUDIO_CACHE": str(tmp_path / "cache")}
    outs = []
    for name, flag in (("off", "0"), ("first", "1"), ("warm", "1")):
        out = tmp_path / name
        proc = subprocess.run([sys.executable, "-m", "cer_core", "simulate", "--out", str(out)], cwd=ROOT,
                              env={**env, "CER_STUDIO_DISK_CACHE": flag}, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert len(outs[0]) == 6 and outs[0] == outs[1] == outs[2]
    assert entries(tmp_path / "cache" / "derived")  # the first run filled it
