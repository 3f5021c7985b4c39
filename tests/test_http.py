"""What the network clients share (cer_core/io/http.py): the offline switch, the cache folder, atomic cache
writes and the remembered failure; and that both clients (PVGIS, Open-Meteo) go through it."""

from __future__ import annotations

import pytest

from cer_core.io import http, openmeteo, pvgis


@pytest.mark.parametrize(("value", "off"), [("1", True), (" TRUE ", True), ("yes", True), ("0", False),
                                            ("", False), ("no", False)])
def test_offline_switch(monkeypatch, value, off):
    monkeypatch.setenv(http.OFFLINE_ENV, value)
    assert http.offline() is off


def test_both_clients_keep_their_cache_under_the_one_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(http.CACHE_ENV, str(tmp_path))
    assert http.cache_root() == tmp_path
    assert pvgis.tmy_cache_path(45.4642, 9.19) == tmp_path / "pvgis" / "tmy_45.464_9.190.json"
    assert openmeteo.cache_dir() == tmp_path / "openmeteo"
    monkeypatch.delenv(http.CACHE_ENV)
    assert http.cache_root() == http.Path.home() / ".cache" / "cer-studio"


def test_write_atomic_replaces_whole_files_and_reports_failure(tmp_path):
    path = tmp_path / "a" / "b.json"
    assert http.write_atomic(path, b"one") and path.read_bytes() == b"one"
    assert http.write_atomic(path, b"two") and path.read_bytes() == b"two"
    assert [p.name for p in path.parent.iterdir()] == ["b.json"]  # no temporary file left behind
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    assert http.write_atomic(blocker / "x.json", b"x") is False  # a file where a folder should be: ignored


def test_failure_memory_answers_within_its_window_only():
    now = [100.0]
    memory = http.FailureMemory(clock=lambda: now[0])
    assert memory.recent(60) is None and memory.last() == ("", "")
    memory.record("giù", "down")
    now[0] += 59.9
    assert memory.recent(60) == ("giù", "down")
    assert memory.recent(30) is None  # the window is the caller's, read when asking
    now[0] += 0.2
    assert memory.recent(60) is None and memory.last() == ("giù", "down")
    memory.record("giù", "down")
    memory.succeeded()
    assert memory.recent(60) is None and memory.last() == ("giù", "down")  # the reason stays for messages
    memory.forget()
    assert memory.last() == ("", "")


def test_the_pvgis_client_answers_offline_with_a_reason_and_never_raises_anything_else(monkeypatch, tmp_path):
    monkeypatch.setenv(http.CACHE_ENV, str(tmp_path))
    monkeypatch.setenv(http.OFFLINE_ENV, "1")
    pvgis.forget()

    def network(*args, **kwargs):  # pragma: no cover - must not be called
        raise AssertionError("the network was used offline")

    monkeypatch.setattr("pvlib.iotools.get_pvgis_tmy", network)
    with pytest.raises(pvgis.PvgisUnavailable) as exc:
        pvgis.get_tmy(45.0, 8.0, 0.1)
    assert "CER_STUDIO_OFFLINE" in exc.value.en and exc.value.it
