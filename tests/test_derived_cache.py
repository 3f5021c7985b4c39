"""The disk cache of derived data (cer_core/derived_cache.py, stored by python-diskcache): keys cover every input, entries are bounded and
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

import diskcache

from cer_core import api, derived_cache
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
    """The keys stored in a cache folder (read through python-diskcache, as another process would)."""
    if not folder.exists():
        return []
    with diskcache.Cache(str(folder)) as cache:
        return sorted(cache.iterkeys())


def test_the_key_covers_inputs_versions_and_code(monkeypatch):
    base = derived_cache.entry_key("x", (2024, 45.1, b"data"), code=("bands.py",), libraries=("holidays",))
    assert base == derived_cache.entry_key("x", (2024, 45.1, b"data"), code=("bands.py",), libraries=("holidays",))
    others = {
        derived_cache.entry_key("y", (2024, 45.1, b"data"), code=("bands.py",), libraries=("holidays",)),
        derived_cache.entry_key("x", (2025, 45.1, b"data"), code=("bands.py",), libraries=("holidays",)),
        derived_cache.entry_key("x", (2024, 45.1, b"datA"), code=("bands.py",), libraries=("holidays",)),
        derived_cache.entry_key("x", (2024, 45.1, b"data"), code=("timeaxis.py",), libraries=("holidays",)),
        derived_cache.entry_key("x", (2024, 45.1, b"data"), code=("bands.py",), libraries=("pvlib",)),
    }
    assert base not in others and len(others) == 5
    real = derived_cache.library_version
    monkeypatch.setattr(derived_cache, "library_version", lambda name: "9.9" if name == "holidays" else real(name))
    assert derived_cache.entry_key("x", (2024, 45.1, b"data"), code=("bands.py",), libraries=("holidays",)) != base


def test_store_load_and_unreadable_entries(cache_on):
    value = {"a": np.arange(5.0), "t": derived_cache.text_array("città ☀")}
    assert derived_cache.load("k1") is None
    derived_cache.store("k1", value)
    got = derived_cache.load("k1")
    assert got["a"].tobytes() == value["a"].tobytes() and derived_cache.array_text(got["t"]) == "città ☀"
    assert entries(cache_on) == derived_cache.keys() == ["k1"]
    with diskcache.Cache(str(cache_on)) as other:  # another writer: bytes that are not an .npz
        other.set("k1", b"not a zip")
    assert derived_cache.load("k1") is None and entries(cache_on) == []  # a miss, and removed
    big = {"a": np.arange(20_000.0)}  # beyond python-diskcache's 32 KB: a file of its own
    derived_cache.store("k2", big)
    files = [p for p in cache_on.rglob("*.val")]
    assert len(files) == 1
    files[0].write_bytes(files[0].read_bytes()[:1000])  # truncated
    assert derived_cache.load("k2") is None and entries(cache_on) == []


class Boom:
    unpickled = False

    def __reduce__(self):
        return (_mark_unpickled, ())


def _mark_unpickled():
    Boom.unpickled = True
    return {"a": np.ones(2)}


def test_nothing_read_from_the_folder_is_unpickled(cache_on):
    derived_cache.store("k0", {"a": np.ones(2)})  # creates the folder
    with diskcache.Cache(str(cache_on)) as other:  # a pickled value, small (in SQLite) and large (a file)
        other.set("small", Boom())
        other.set("large", [Boom(), "x" * 100_000])
    assert derived_cache.load("small") is None and derived_cache.load("large") is None
    assert not Boom.unpickled and entries(cache_on) == ["k0"]  # refused and removed


def test_bounded_by_size_least_recently_used_first(cache_on, monkeypatch):
    value = {"a": np.arange(10_000.0)}  # an 80 KB file each
    monkeypatch.setattr(derived_cache, "CULL_LIMIT", 1)
    monkeypatch.setattr(derived_cache, "MAX_BYTES", 560_000)  # six entries and the SQLite index
    for i in range(3):
        derived_cache.store(f"k{i}", value)
    assert derived_cache.load("k0") is not None  # k0 used: k1 is now the least recently used
    for i in range(3, 8):
        derived_cache.store(f"k{i}", value)
    recency = ["k1", "k2", "k0", "k3", "k4", "k5", "k6", "k7"]  # least recently used first
    kept = entries(cache_on)
    assert 3 <= len(kept) < 8 and kept == sorted(recency[-len(kept):])  # the most recently used kept
    assert "k0" in kept and "k1" not in kept
    assert derived_cache._open().volume() <= 560_000


def test_a_folder_that_cannot_be_used_never_breaks_a_computation(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("a file where the cache folder would be")
    monkeypatch.setenv("CER_STUDIO_CACHE", str(tmp_path / "file"))
    monkeypatch.setenv("CER_STUDIO_DISK_CACHE", "1")
    assert derived_cache.cached("k", lambda: {"a": np.ones(2)})["a"].sum() == 2
    assert derived_cache.load("k") is None and derived_cache.keys() == []
    monkeypatch.setenv("CER_STUDIO_CACHE", str(tmp_path / "corrupt"))
    (tmp_path / "corrupt" / "derived").mkdir(parents=True)
    (tmp_path / "corrupt" / "derived" / "cache.db").write_bytes(b"not an SQLite database" * 100)
    assert derived_cache.cached("k", lambda: {"a": np.ones(3)})["a"].sum() == 3


def test_off_means_no_reads_and_no_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("CER_STUDIO_CACHE", str(tmp_path))
    monkeypatch.setenv("CER_STUDIO_DISK_CACHE", "0")
    assert derived_cache.cached("k", lambda: {"a": np.ones(2)})["a"].sum() == 2
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
