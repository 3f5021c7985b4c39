"""The Open-Meteo forecast client: reading recorded (synthetic) answers, time zones, the transport's retries,
disk cache and offline switch; one live test, skipped without network."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pandas as pd
import pytest
import requests

from cer_core.errors import CerInputError
from cer_core.io import openmeteo as om

DATA = Path(__file__).resolve().parent / "data" / "openmeteo"
SUNNY = DATA / "sunny_bolzano_2026-10-24.json"
CLOUDY = DATA / "cloudy_bolzano_2027-03-27.json"


def _doc(path: Path = SUNNY) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_rows_are_hour_starts_carrying_the_next_stamps_irradiance():
    doc = _doc()
    fc = om.read_forecast(SUNNY.read_bytes(), SUNNY.name)
    assert len(fc.data) == 95 and fc.data.index[0] == pd.Timestamp("2026-10-24 00:00", tz="UTC")
    hourly = doc["hourly"]
    k = hourly["time"].index("2026-10-24T11:00")  # the mean over 10:00-11:00 UTC
    row = fc.data.loc[pd.Timestamp("2026-10-24 10:00", tz="UTC")]
    assert row["ghi"] == hourly["shortwave_radiation"][k]
    assert row["dni"] == hourly["direct_normal_irradiance"][k]
    assert row["dhi"] == hourly["diffuse_radiation"][k]
    # temperature: the mean of the instantaneous values at the two ends of the hour
    assert row["temp_air"] == pytest.approx((hourly["temperature_2m"][k - 1] + hourly["temperature_2m"][k]) / 2)
    assert (fc.lat, fc.lon, fc.elevation_m) == (46.4983, 11.3548, 262.0)


@pytest.mark.parametrize("path", [SUNNY, CLOUDY], ids=["october", "march"])
def test_an_answer_in_local_time_across_the_clock_change_gives_the_same_utc_hours(path):
    doc = _doc(path)
    utc = pd.to_datetime(doc["hourly"]["time"]).tz_localize("UTC")
    local = utc.tz_convert("Europe/Rome")
    # the October answer repeats 02:00 local; the March one skips it
    assert local.strftime("%H").tolist().count("02") == (5 if path == SUNNY else 3)
    doc["hourly"]["time"] = local.strftime("%Y-%m-%dT%H:%M").tolist()
    doc["timezone"], doc["utc_offset_seconds"] = "Europe/Rome", 3600
    from_local = om.read_forecast(json.dumps(doc), "local.json")
    from_utc = om.read_forecast(path.read_bytes(), path.name)
    pd.testing.assert_frame_equal(from_local.data, from_utc.data)
    doc["hourly"]["time"] = [int(ts.timestamp()) for ts in utc]
    doc["timezone"] = "GMT"
    pd.testing.assert_frame_equal(om.read_forecast(json.dumps(doc), "unix.json").data, from_utc.data)


def test_wind_in_kmh_is_converted_and_missing_dni_follows_from_ghi_and_diffuse():
    doc = _doc()
    doc["hourly_units"]["wind_speed_10m"] = "km/h"
    doc["hourly"]["wind_speed_10m"] = [7.2] * len(doc["hourly"]["time"])
    del doc["hourly"]["direct_normal_irradiance"]
    fc = om.read_forecast(json.dumps(doc), "kmh.json")
    full = om.read_forecast(SUNNY.read_bytes(), SUNNY.name)
    assert (fc.data["wind_speed"] == 2.0).all()
    noon = pd.Timestamp("2026-10-24 10:00", tz="UTC")
    assert fc.data.loc[noon, "dni"] == pytest.approx(full.data.loc[noon, "dni"], rel=0.01)


@pytest.mark.parametrize("mutate, where, words", [
    (lambda d: "not json", "bad.json:1", "JSON non valido"),
    (lambda d: {"error": True, "reason": "Latitude must be in range"}, "bad.json", "Latitude must be in range"),
    (lambda d: {"daily": {}}, "bad.json", "senza «hourly»"),
    (lambda d: {**d, "hourly": {**d["hourly"], "temperature_2m": [1.0]}}, "bad.json: hourly.temperature_2m",
     "attesa una lista di 96 valori"),
    (lambda d: {**d, "hourly": {**d["hourly"], "shortwave_radiation": ["x"] * 96}},
     "bad.json: hourly.shortwave_radiation[0]", "atteso un numero"),
    (lambda d: {**d, "hourly": {**d["hourly"], "time": ["ieri"] * 96}}, "bad.json: hourly.time", "orario"),
    (lambda d: {**d, "hourly": {**d["hourly"], "time": d["hourly"]["time"][:1] * 96}}, "bad.json: hourly.time",
     "consecutivi"),
])
def test_bad_answers_are_refused_with_a_located_sentence(mutate, where, words):
    doc = mutate(_doc())
    text = doc if isinstance(doc, str) else json.dumps(doc)
    with pytest.raises(CerInputError) as info:
        om.read_forecast(text, "bad.json")
    message = info.value.message("it")
    assert message.startswith(where) and words in message


class FakeTransport:
    """Answers in turn: an int status with the sunny body, or an exception to raise."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, url, params, headers, timeout):
        self.calls.append({"url": url, "params": params, "headers": headers, "timeout": timeout})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer, SUNNY.read_bytes()


@pytest.fixture
def online(monkeypatch, tmp_path):
    monkeypatch.setenv("CER_STUDIO_CACHE", str(tmp_path))
    monkeypatch.delenv("CER_STUDIO_OFFLINE", raising=False)
    om.forget_failures()
    yield tmp_path
    om.forget_failures()


def test_download_identifies_itself_asks_utc_and_is_cached_on_disk(monkeypatch, online):
    fake = FakeTransport(200)
    monkeypatch.setattr(om, "_http_get", fake)
    fc = om.get_forecast(46.5, 11.35)
    assert fc.source == "download" and len(fc.data) == 95
    call = fake.calls[0]
    assert call["headers"]["User-Agent"] == om.USER_AGENT and "cer-studio" in om.USER_AGENT
    assert call["params"]["timezone"] == "GMT" and call["params"]["wind_speed_unit"] == "ms"
    assert set(call["params"]["hourly"].split(",")) >= {"shortwave_radiation", "direct_normal_irradiance",
                                                       "diffuse_radiation", "temperature_2m", "wind_speed_10m",
                                                       "cloud_cover"}
    assert call["timeout"] == om.HTTP_TIMEOUT_S
    again = om.get_forecast(46.5, 11.35)  # the transport has no answers left: the disk answers
    assert again.source == "disk" and len(fake.calls) == 1
    # an old cache file is not used
    fake.answers.append(200)
    _, how = om.fetch_forecast(46.5, 11.35, clock=lambda: 4e9)
    assert how == "download" and len(fake.calls) == 2


def test_retries_after_a_server_error_and_a_timeout(monkeypatch, online):
    fake = FakeTransport(503, requests.Timeout("slow"), 200)
    monkeypatch.setattr(om, "_http_get", fake)
    monkeypatch.setattr(om.time, "sleep", lambda s: None)
    assert om.get_forecast(46.5, 11.35).source == "download"
    assert len(fake.calls) == 3


def test_network_failures_become_forecast_unavailable_never_another_exception(monkeypatch, online):
    monkeypatch.setattr(om.time, "sleep", lambda s: None)
    fake = FakeTransport(*[requests.ConnectionError("no route")] * 3)
    monkeypatch.setattr(om, "_http_get", fake)
    with pytest.raises(om.ForecastUnavailable) as info:
        om.get_forecast(46.5, 11.35)
    assert info.value.it == "Open-Meteo non raggiungibile (ConnectionError)" and len(fake.calls) == 3
    # remembered: the next call answers at once, without the transport
    with pytest.raises(om.ForecastUnavailable, match="ConnectionError"):
        om.get_forecast(46.5, 11.35)
    assert len(fake.calls) == 3
    om.forget_failures()
    refused = FakeTransport(400)
    monkeypatch.setattr(om, "_http_get", refused)
    with pytest.raises(om.ForecastUnavailable, match="answered 400"):
        om.get_forecast(46.5, 11.35)
    assert len(refused.calls) == 1  # a refusal is not retried


def test_offline_switch_never_calls_the_transport(monkeypatch, online):
    monkeypatch.setenv("CER_STUDIO_OFFLINE", "1")
    monkeypatch.setattr(om, "_http_get", FakeTransport())
    with pytest.raises(om.ForecastUnavailable, match="started offline"):
        om.get_forecast(46.5, 11.35)


def _reachable(host: str = "api.open-meteo.com") -> bool:
    try:
        socket.create_connection((host, 443), timeout=3).close()
        return True
    except OSError:
        return False


@pytest.mark.network
def test_live_forecast_for_bolzano(monkeypatch, tmp_path):
    if not _reachable():
        pytest.skip("no network: api.open-meteo.com unreachable")
    monkeypatch.setenv("CER_STUDIO_CACHE", str(tmp_path))
    monkeypatch.delenv("CER_STUDIO_OFFLINE", raising=False)
    fc = om.get_forecast(46.4983, 11.3548)
    assert fc.source == "download" and len(fc.data) >= 72
    assert fc.data.index.tz is not None and str(fc.data.index.tz) == "UTC"
    assert abs(fc.lat - 46.5) < 0.2 and fc.data["ghi"].max() > 0


def test_a_json_number_of_more_than_4300_digits_is_refused():
    """The same defect the readers' property tests found in PVGIS JSON: json.loads raised Python's ValueError
    (integer string conversion limit) through read_forecast instead of a refusal naming the file."""
    with pytest.raises(CerInputError) as exc:
        om.read_forecast(b'{"hourly": {"x": ' + b"9" * 5000 + b"}}", "previsione.json")
    (p,) = exc.value.problems
    assert p.code == "forecast.json" and p.where == "previsione.json" and "4300" in p.it and "4300" in p.en
