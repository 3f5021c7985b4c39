"""Weather years: typical-year handling, embedded / PVGIS online (recorded) / uploaded sources, caches."""

from __future__ import annotations

import gzip
import io
import json
import re
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests

from cer_core.solar import pv, weather
from cer_core.errors import CerInputError
from cer_core.io import pvgis
from cer_core.io.pvgis import read_tmy
from cer_core.timeaxis import hours_local, hours_utc

ROOT = Path(__file__).resolve().parents[1]
TMY_45_8 = ROOT / "assets" / "weather" / "pvgis_tmy_45.000_8.000_2005_2023.csv"
FIXTURE = ROOT / "tests" / "data" / "pvgis" / "tmy_45.464_9.190_fixture.json.gz"
MILAN = (45.464, 9.190)


@pytest.fixture(autouse=True)
def fresh(tmp_path, monkeypatch):
    """Each test: an empty disk cache folder and empty memory caches; PVGIS unreachable unless a test says so."""
    monkeypatch.setenv("CER_STUDIO_CACHE", str(tmp_path / "cache"))
    # these tests drive the download path with a patched (never real) PVGIS call, so the suite-wide
    # offline switch set in conftest is lifted here
    monkeypatch.delenv("CER_STUDIO_OFFLINE", raising=False)

    def no_network(*args, **kwargs):
        raise requests.ConnectionError("tests run offline")

    monkeypatch.setattr("pvlib.iotools.get_pvgis_tmy", no_network)
    weather.clear_caches()
    pv.clear_caches()
    yield
    weather.clear_caches()


def recorded_pvgis(calls: list | None = None, release: threading.Event | None = None):
    """A stand-in for pvlib.iotools.get_pvgis_tmy answering with the recorded-format fixture.

    With ``release``, the download hangs until the test sets the event (a slow network, without timing).
    """
    from pvlib.iotools import read_pvgis_tmy

    def fake(latitude, longitude, **kwargs):
        if calls is not None:
            calls.append((latitude, longitude, kwargs))
        if release is not None:
            release.wait(30)
        assert kwargs.get("coerce_year", "unset") is None  # we want PVGIS's own stamps
        return read_pvgis_tmy(io.StringIO(gzip.decompress(FIXTURE.read_bytes()).decode()), pvgis_format="json",
                              map_variables=True)

    return fake


def raw_tmy():
    return read_tmy(TMY_45_8.read_bytes(), TMY_45_8.name).data


# --------------------------------------------------------------------------------------------------
# Typical year → simulated year
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("year", [2023, 2024])
def test_index_is_the_simulated_year_axis(year):
    w = weather.site_weather(45.0, 8.0, year, {"source": "embedded"})
    assert w.data.index.equals(hours_utc(year))
    assert len(w.data) == (8784 if year == 2024 else 8760)
    for col in ("ghi", "dni", "dhi", "temp_air", "wind_speed"):
        assert not w.data[col].isna().any()


def test_months_from_different_years_are_coerced_by_utc_month_day_hour():
    raw = raw_tmy()
    w = weather.site_weather(45.0, 8.0, 2023, {"source": "embedded"})
    key = lambda idx: idx.month * 10000 + idx.day * 100 + idx.hour  # noqa: E731
    expected = pd.Series(raw["ghi"].to_numpy(), index=key(raw.index))
    got = pd.Series(w.data["ghi"].to_numpy(), index=key(w.data.index))
    assert np.array_equal(got.sort_index().to_numpy(), expected.sort_index().to_numpy())
    # 1 March 12:00 UTC comes from 2009 (March's year in the file) and lands on 2023-03-01 12:00 UTC
    assert w.data.loc["2023-03-01 12:00+00:00", "ghi"] == raw.loc["2009-03-01 12:00+00:00", "ghi"]


def test_year_edge_is_wrapped():
    raw = raw_tmy()
    w = weather.site_weather(45.0, 8.0, 2023, {"source": "embedded"})
    # the local year starts at 23:00 UTC of 31 Dec 2022: it takes the file's 31 December 23:00 row (from 2016)
    assert w.data.index[0] == pd.Timestamp("2022-12-31 23:00", tz="UTC")
    assert w.data.iloc[0]["temp_air"] == raw.loc["2016-12-31 23:00+00:00", "temp_air"]
    # and ends at 22:00 UTC of 31 Dec 2023 (23:00 local)
    assert w.data.index[-1] == pd.Timestamp("2023-12-31 22:00", tz="UTC")
    assert w.fill["edge_wrapped_h"] == 1


def test_leap_year_fills_29_february_with_28_february():
    w = weather.site_weather(45.0, 8.0, 2024, {"source": "embedded"})
    d28 = w.data.loc["2024-02-28 00:00+00:00":"2024-02-28 23:00+00:00"].to_numpy()
    d29 = w.data.loc["2024-02-29 00:00+00:00":"2024-02-29 23:00+00:00"].to_numpy()
    assert d29.shape == (24, d28.shape[1]) and np.array_equal(d28, d29)
    assert w.fill["feb29_filled_h"] == 24 and w.describe()["feb29_filled_h"] == 24
    # the rest of the year is the common-year data: 2024 has exactly one more day of irradiation
    common = weather.site_weather(45.0, 8.0, 2023, {"source": "embedded"})
    assert w.data["ghi"].sum() - common.data["ghi"].sum() == pytest.approx(d28[:, 0].sum())


def test_dst_days_keep_every_utc_hour_once():
    raw = raw_tmy()
    w = weather.site_weather(45.0, 8.0, 2024, {"source": "embedded"})
    local = hours_local(2024)
    for day, n in (("2024-03-31", 23), ("2024-10-27", 25)):
        rows = w.data[local.strftime("%Y-%m-%d") == day]
        assert len(rows) == n
        assert (np.diff(rows.index) == pd.Timedelta(hours=1)).all()  # consecutive UTC hours, no gap or repeat
        for t, value in rows["ghi"].items():
            src = raw[(raw.index.month == t.month) & (raw.index.day == t.day) & (raw.index.hour == t.hour)]
            assert value == src["ghi"].iloc[0]
    # the doubled local hour of 27 October (02:00 CEST then 02:00 CET) holds two different UTC hours
    twice = w.data[(local.strftime("%Y-%m-%d %H") == "2024-10-27 02")]
    assert list(twice.index.hour) == [0, 1]


def test_coerce_to_year_refuses_duplicates_and_gaps():
    raw = raw_tmy()
    with pytest.raises(ValueError, match="two rows"):
        weather.coerce_to_year(pd.concat([raw, raw.iloc[:1]]), 2023)
    with pytest.raises(ValueError, match="missing"):
        weather.coerce_to_year(raw.drop(raw.index[5000]), 2023)


# --------------------------------------------------------------------------------------------------
# Irradiance time offset
# --------------------------------------------------------------------------------------------------

def test_offset_read_from_the_file():
    w = weather.site_weather(45.0, 8.0, 2023, {"source": "embedded"})
    assert w.irradiance_offset_h == pytest.approx(0.1761) and w.offset_origin == "file"


def test_offset_recovered_from_the_closure_matches_the_header():
    """Known answer: PVGIS 5.3 wrote 0.1761 h (10.57 min) for 45N 8E; the closure must find it within 1 min."""
    found = weather.infer_irradiance_offset_h(raw_tmy(), 45.0, 8.0)
    assert found == pytest.approx(0.1761, abs=1 / 60)


def test_offset_inferred_for_files_without_the_header_line():
    w = weather.site_weather(46.49, 11.33, 2023, {"source": "embedded"})  # Bolzano, PVGIS 5.2 file
    assert w.offset_origin == "inferred"
    assert 0.12 <= w.irradiance_offset_h <= 0.25  # SARAH scans cross the Alps ~10-11 min past the hour


def test_offset_cannot_be_inferred_from_timeless_data():
    raw = raw_tmy().copy()
    raw["dni"] = 0.0
    assert weather.infer_irradiance_offset_h(raw, 45.0, 8.0) is None


def test_irradiance_is_symmetric_about_solar_noon_at_the_observation_instant():
    """No shifted noon in the data chain: GHI-weighted mean time of each UTC day vs the sun's transit."""
    from pvlib import solarposition

    w = weather.site_weather(45.0, 8.0, 2023, {"source": "embedded"})
    inst = w.data.index + pd.Timedelta(hours=w.irradiance_offset_h)
    frame = pd.DataFrame({"g": w.data["ghi"].to_numpy(), "t": (inst - inst.normalize()).total_seconds() / 3600,
                          "day": w.data.index.normalize()})
    frame["gt"] = frame["g"] * frame["t"]
    daily = frame.groupby("day")[["g", "gt"]].sum()
    daily = daily[daily["g"] > 1000]
    transit = solarposition.sun_rise_set_transit_spa(pd.DatetimeIndex(daily.index), w.lat, w.lon)["transit"]
    transit_h = ((transit - transit.dt.normalize()).dt.total_seconds() / 3600).to_numpy()
    shift_min = (daily["gt"] / daily["g"] - transit_h).to_numpy() * 60
    assert abs(np.median(shift_min)) < 10  # an hour's mistake would show as ±60 min


# --------------------------------------------------------------------------------------------------
# Embedded source
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lat, lon, expected, km", [
    (45.464, 9.190, "45.000_8.000", (95, 120)),     # Milan → Piedmont point, about 107 km
    (46.50, 11.35, "46.491_11.332", (0, 5)),        # Bolzano
    (38.12, 13.36, "37.116_14.561", (140, 170)),    # Palermo → south-east Sicily
])
def test_embedded_is_the_nearest_and_says_how_far(lat, lon, expected, km):
    w = weather.site_weather(lat, lon, 2023, {"source": "embedded"})
    d = w.describe()
    assert d["source"] == "embedded" and expected.split("_")[0] in d["label"]
    assert km[0] <= d["distance_km"] <= km[1]
    said = float(re.search(r"(\d+) km", d["note_en"]).group(1))
    assert abs(said - d["distance_km"]) <= 1 and f"{said:.0f} km" in d["note_it"]
    json.dumps(d)


def test_describe_is_json_ready_and_complete():
    d = weather.site_weather(*MILAN, 2023, {"source": "embedded"}).describe()
    for key in ("source", "label", "lat", "lon", "elevation_m", "distance_km", "annual_ghi_kwh_m2", "mean_temp_c",
                "note_it", "note_en", "cache"):
        assert key in d
    assert d["label"] == "PVGIS TMY 45.000N 8.000E (2005-2023)"
    assert d["annual_ghi_kwh_m2"] == pytest.approx(1435.9, abs=0.2) and d["mean_temp_c"] == pytest.approx(13.56, abs=0.02)
    assert json.loads(json.dumps(d)) == d


def test_memory_cache_returns_the_same_object_quickly():
    first = weather.site_weather(*MILAN, 2023, {"source": "embedded"})
    again = weather.site_weather(*MILAN, 2023, {"source": "embedded"})
    assert again is first  # no re-read, no re-coercion: the same object


# --------------------------------------------------------------------------------------------------
# PVGIS online (recorded fixture), disk cache, offline fallback
# --------------------------------------------------------------------------------------------------

def test_pvgis_download_is_used_and_cached_on_disk(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr("pvlib.iotools.get_pvgis_tmy", recorded_pvgis(calls))
    w = weather.site_weather(*MILAN, 2023, {"source": "pvgis"})
    assert len(calls) == 1 and calls[0][:2] == MILAN
    d = w.describe()
    assert d["source"] == "pvgis" and d["cache"] == "download" and d["distance_km"] < 0.1
    assert d["label"] == "PVGIS TMY 45.464N 9.190E (2005-2023)"
    assert w.irradiance_offset_h == pytest.approx(0.1761)
    cached = tmp_path / "cache" / "pvgis" / "tmy_45.464_9.190.json"
    assert cached.is_file()
    # a new process (memory cleared) reads the disk cache and does not call PVGIS
    weather.clear_caches()
    w2 = weather.site_weather(*MILAN, 2023, {"source": "auto"})
    assert len(calls) == 1 and w2.cache == "disk" and w2.source == "pvgis"
    np.testing.assert_allclose(w2.data.to_numpy(), w.data.to_numpy(), atol=0.006)
    # and the same process answers from memory
    assert weather.site_weather(*MILAN, 2023, {"source": "auto"}).cache == "memory"


def test_offline_auto_falls_back_fast_says_why_and_remembers(monkeypatch):
    calls = []

    def offline(*args, **kwargs):
        calls.append(1)
        raise requests.ConnectionError("Name or service not known")

    monkeypatch.setattr("pvlib.iotools.get_pvgis_tmy", offline)
    w = weather.site_weather(*MILAN, 2023, {"source": "auto"})
    assert w.source == "embedded" and w.cache == "fallback" and "PVGIS" in w.note_en and "PVGIS" in w.note_it
    assert "unreachable" in w.note_en and re.search(r"10\d km", w.note_en)
    w2 = weather.site_weather(45.1, 9.0, 2023, {"source": "pvgis"})  # another site: the failure is remembered
    assert len(calls) == 1 and w2.source == "embedded"


def test_slow_pvgis_does_not_block_and_finishes_in_the_background(monkeypatch):
    calls = []
    release = threading.Event()
    monkeypatch.setattr("pvlib.iotools.get_pvgis_tmy", recorded_pvgis(calls, release=release))
    monkeypatch.setattr(weather, "AUTO_DEADLINE_S", 0.1)
    # the download hangs until released: an answer now proves the call did not wait for it
    w = weather.site_weather(*MILAN, 2023, {"source": "auto"})
    assert w.source == "embedded" and "0.1 s" in w.note_en and not release.is_set()
    # while the download is running, further calls answer at once (no second wait) and start no second download
    monkeypatch.setattr(weather, "AUTO_DEADLINE_S", 30.0)
    meanwhile = weather.site_weather(*MILAN, 2023, {"source": "auto"})
    assert meanwhile.source == "embedded" and "in progress" in meanwhile.note_en and len(calls) == 1
    release.set()
    for thread in threading.enumerate():
        if thread.name.startswith("pvgis-"):
            thread.join(5)
    assert weather.site_weather(*MILAN, 2023, {"source": "auto"}).source == "pvgis"
    assert len(calls) == 1


def test_pvgis_refusal_is_per_site_not_a_network_failure(monkeypatch):
    calls = []

    def refuse_sea(latitude, longitude, **kwargs):
        calls.append((latitude, longitude))
        if latitude < 44:
            raise requests.HTTPError("Location over the sea. Please, select another location")
        return recorded_pvgis()(latitude, longitude, **kwargs)

    monkeypatch.setattr("pvlib.iotools.get_pvgis_tmy", refuse_sea)
    sea = weather.site_weather(40.0, 12.0, 2023, {"source": "auto"})
    assert sea.source == "embedded" and "over the sea" in sea.note_en
    land = weather.site_weather(*MILAN, 2023, {"source": "auto"})
    assert land.source == "pvgis"
    assert weather.site_weather(40.0, 12.0, 2023, {"source": "auto"}).source == "embedded"
    assert len(calls) == 2  # the refused point is not asked again


def _server_error() -> requests.HTTPError:
    response = requests.Response()
    response.status_code = 503
    return requests.HTTPError("503 Server Error: Service Unavailable", response=response)


@pytest.mark.parametrize("failure", [_server_error, lambda: requests.JSONDecodeError("Expecting value", "<html>", 0)],
                         ids=["http-503", "html-instead-of-json"])
def test_a_pvgis_outage_is_a_network_failure_not_a_refusal_of_the_site(monkeypatch, failure):
    """A 5xx answer (or a proxy's HTML page) says nothing about the point: the site is tried again later."""
    calls = []

    def outage_then_up(latitude, longitude, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise failure()
        return recorded_pvgis()(latitude, longitude, **kwargs)

    monkeypatch.setattr("pvlib.iotools.get_pvgis_tmy", outage_then_up)
    monkeypatch.setattr(pvgis, "RETRY_AFTER_S", 0.0)
    down = weather.site_weather(*MILAN, 2023, {"source": "auto"})
    assert down.source == "embedded" and "refused" not in down.note_en
    assert weather.site_weather(*MILAN, 2023, {"source": "auto"}).source == "pvgis"
    assert len(calls) == 2


def test_offline_switch_uses_caches_but_never_the_network(monkeypatch):
    calls = []
    monkeypatch.setattr("pvlib.iotools.get_pvgis_tmy", recorded_pvgis(calls))
    monkeypatch.setenv("CER_STUDIO_OFFLINE", "1")
    w = weather.site_weather(*MILAN, 2023, {"source": "auto"})
    assert w.source == "embedded" and "CER_STUDIO_OFFLINE" in w.note_en and not calls
    monkeypatch.delenv("CER_STUDIO_OFFLINE")
    assert weather.site_weather(*MILAN, 2023, {"source": "auto"}).source == "pvgis"  # downloads and caches
    weather.clear_caches()
    monkeypatch.setenv("CER_STUDIO_OFFLINE", "1")
    assert weather.site_weather(*MILAN, 2023, {"source": "auto"}).cache == "disk"
    assert len(calls) == 1


def test_broken_disk_cache_is_ignored(monkeypatch, tmp_path):
    path = tmp_path / "cache" / "pvgis" / "tmy_45.464_9.190.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    monkeypatch.setattr("pvlib.iotools.get_pvgis_tmy", recorded_pvgis())
    w = weather.site_weather(*MILAN, 2023, {"source": "pvgis"})
    assert w.source == "pvgis" and w.cache == "download"
    assert json.loads(path.read_text())["inputs"]["location"]["latitude"] == 45.464


# --------------------------------------------------------------------------------------------------
# Uploaded files
# --------------------------------------------------------------------------------------------------

def test_file_source_reads_a_pvgis_tmy_through_read_file():
    files = {"meteo/milano.json": gzip.decompress(FIXTURE.read_bytes())}
    w = weather.site_weather(45.46, 9.19, 2024, {"source": "file", "path": "meteo/milano.json"}, files.__getitem__)
    assert w.source == "file" and w.cache == "file" and len(w.data) == 8784
    assert w.distance_km < 1 and w.note_en == ""


def test_uploads_with_equal_values_but_other_hours_do_not_share_a_cache_entry():
    """The registry key covers the time stamps too: the same numbers one hour later are another weather year."""
    import dataclasses

    from cer_core.io.pvgis import write_tmy_json

    tmy = read_tmy(TMY_45_8.read_bytes(), TMY_45_8.name)
    later = tmy.data.copy()
    later.index = pd.DatetimeIndex(np.roll(tmy.data.index.to_numpy(), -1), tz="UTC")  # every value one hour later
    a = weather.weather_from_bytes(write_tmy_json(tmy), "a.json", 2023)
    b = weather.weather_from_bytes(write_tmy_json(dataclasses.replace(tmy, data=later)), "b.json", 2023)
    assert a.digest != b.digest
    noon = pd.Timestamp("2023-06-21 11:00", tz="UTC")
    assert b.data.loc[noon, "ghi"] == a.data.loc[noon - pd.Timedelta(hours=1), "ghi"] != a.data.loc[noon, "ghi"]


def test_a_year_whose_key_was_dropped_by_another_session_is_still_served(monkeypatch):
    """The content keys are bounded and shared: a key dropped between two uses is computed again, the same."""
    from cachetools import LRUCache

    monkeypatch.setattr(weather, "_KEYS", LRUCache(maxsize=1))
    first = weather.site_weather(45.0, 8.0, 2023, {"source": "embedded"})
    other = weather.weather_from_bytes(gzip.decompress(FIXTURE.read_bytes()), "altro.json", 2023)  # drops it
    assert first.digest.split("@")[0] not in {key for _, key in weather._KEYS.values()} and other.digest != first.digest
    again = weather.site_weather(45.0, 8.0, 2023, {"source": "embedded"})
    assert again.digest == first.digest and again.label == "PVGIS TMY 45.000N 8.000E (2005-2023)"
    assert again is first  # the same key finds the same memoised object
    assert len(weather._KEYS) == 1


def test_file_far_from_the_site_is_flagged():
    files = {"m.csv": TMY_45_8.read_bytes()}
    w = weather.site_weather(38.12, 13.36, 2023, {"source": "file", "path": "m.csv"}, files.__getitem__)
    assert w.distance_km > 700 and "km" in w.note_it


def test_missing_weather_file_is_located():
    with pytest.raises(CerInputError) as exc:
        weather.site_weather(45.0, 8.0, 2023, {"source": "file", "path": "nope.csv"}, {}.__getitem__)
    assert exc.value.problems[0].where == "site.weather.path" and exc.value.problems[0].code == "file.missing"


def test_upload_refuses_epw():
    with pytest.raises(CerInputError) as exc:
        weather.weather_from_bytes(b"LOCATION,Milano,-,ITA,IWEC,160660,45.43,9.28,1.0,103.0\n", "m.epw", 2023)
    assert "EPW" in exc.value.message("it") and "CSV" in exc.value.message("it")


def test_unknown_source_is_refused():
    with pytest.raises(CerInputError) as exc:
        weather.site_weather(45.0, 8.0, 2023, {"source": "meteonorm"})
    assert exc.value.problems[0].where == "site.weather.source"


# --------------------------------------------------------------------------------------------------
# Climate summary
# --------------------------------------------------------------------------------------------------

def test_monthly_climate():
    w = weather.site_weather(45.0, 8.0, 2023, {"source": "embedded"})
    clim = weather.monthly_climate(w)
    assert list(clim["month"]) == list(range(1, 13))
    assert clim["irradiation_kwh_m2"].sum() == pytest.approx(w.data["ghi"].sum() / 1000)
    assert clim.loc[6, "irradiation_kwh_m2"] > 3 * clim.loc[11, "irradiation_kwh_m2"]  # July vs December
    assert (clim["temp_min_c"] <= clim["temp_mean_c"]).all() and (clim["temp_mean_c"] <= clim["temp_max_c"]).all()
    assert clim.loc[6, "temp_mean_c"] > 20 > clim.loc[0, "temp_mean_c"]
    hours = pd.Series(1, index=hours_local(2023)).groupby(hours_local(2023).month).sum().to_numpy()
    assert ((clim["sun_hours"] >= 0) & (clim["sun_hours"] <= hours)).all()
    assert clim["sun_hours"].sum() == int((w.data["dni"] > weather.SUNSHINE_DNI_W_M2).sum())
    assert 1800 < clim["sun_hours"].sum() < 3200  # northern Italy: roughly 2000-2600 h of sunshine a year
