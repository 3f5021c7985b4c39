"""The 72-hour community forecast: production computed by hand from the recorded (synthetic) answers,
time zones across both clock changes, the labelled fallback when the network is absent, typical loads,
windows and their money."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests
from studio_helpers import fixture_workspace

from cer_core import forecast as F
from cer_core.api import run
from cer_core.io import openmeteo as om
from cer_core.scenario import Face, Plant

DATA = Path(__file__).resolve().parent / "data" / "openmeteo"
SUNNY = DATA / "sunny_bolzano_2026-10-24.json"
CLOUDY = DATA / "cloudy_bolzano_2027-03-27.json"
LAT, LON = 46.4983, 11.3548


@pytest.fixture(scope="module")
def community():
    ws = fixture_workspace()
    return ws, run(ws, shapley=False)


def _forecast(community, path=SUNNY, **kw):
    ws, outcome = community
    fc = om.read_forecast(path.read_bytes(), path.name) if path else None
    return F.community_forecast(outcome.scenario, outcome.results, forecast=fc, read_file=ws.read_file, **kw)


# -------------------------------------------------------------------------------------------------
# production by hand
# -------------------------------------------------------------------------------------------------

def _flat_plant(kwp=10.0, year=2026):
    return Plant(id="flat", name="flat", member="m", kwp=kwp, commissioning=dt.date(year, 1, 1), grant_pct=0.0,
                 incentivised=True, tilt_deg=0.0, azimuth_deg=180.0, losses_pct=14.0, dc_ac_ratio=1.1,
                 degradation_pct_per_year=0.5, faces=(Face(kwp=kwp, tilt_deg=0.0, azimuth_deg=180.0),))


def _by_hand(raw: dict, hour_start: pd.Timestamp, kwp: float) -> float:
    """AC kWh of a horizontal crystalline plant (14 % losses, DC/AC 1.1) in the hour, from the raw answer.

    The hour starting at t takes Open-Meteo's irradiance stamped t + 1 h (mean of the preceding hour) and the
    mean of the temperatures stamped t and t + 1 h; the sun is taken at t + 30 min.
    """
    from pvlib import solarposition

    times = raw["hourly"]["time"]
    k = times.index((hour_start + pd.Timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    h = raw["hourly"]
    ghi, dni, dhi = h["shortwave_radiation"][k], h["direct_normal_irradiance"][k], h["diffuse_radiation"][k]
    t_air = (h["temperature_2m"][k - 1] + h["temperature_2m"][k]) / 2
    wind = (h["wind_speed_10m"][k - 1] + h["wind_speed_10m"][k]) / 2
    z = float(solarposition.get_solarposition(pd.DatetimeIndex([hour_start + pd.Timedelta(minutes=30)]), LAT, LON,
                                              method="nrel_numpy")["zenith"].iloc[0])
    assert z < 85 and ghi > 0
    cos_z = math.cos(math.radians(z))
    beam, sky = dni * cos_z, dhi                 # horizontal: Perez gives the diffuse itself, no ground part
    a_r = 0.16                                   # Martin-Ruiz, as PVGIS
    iam_beam = (1 - math.exp(-cos_z / a_r)) / (1 - math.exp(-1 / a_r))
    c1, c2, trig = 4 / (3 * math.pi), 0.5 * a_r - 0.154, math.pi / 2
    iam_sky = 1 - math.exp(-(c1 + c2 * trig) * trig / a_r)
    effective = beam * iam_beam + sky * iam_sky
    t_cell = t_air + (beam + sky) / (26.9 + 6.2 * wind)                        # Faiman
    pdc = effective / 1000 * (1 - 0.0037 * (t_cell - 25))                      # PVWatts per kWp
    err = 0.01 * (1 - (1 - effective / 200) ** 4) if effective <= 200 else 0.01 * (1000 - effective) / 800
    pdc = max(pdc - err, 0.0) * kwp * (1 - 0.14)                               # Marion, then system losses
    pac0 = kwp / 1.1
    zeta = pdc / pac0
    eta = 0.96 / 0.9637 * (-0.0162 * zeta - 0.0059 / zeta + 0.9858)           # PVWatts inverter
    return min(eta * pdc, 0.96 * pac0) / 0.96


@pytest.mark.parametrize("path", [SUNNY, CLOUDY], ids=["sunny", "cloudy"])
def test_production_from_recorded_answers_matches_the_hand_computation(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    fc = om.read_forecast(path.read_bytes(), path.name)
    hours = F.forecast_hours(fc.data.index[0])
    year = hours[0].year
    got = F.plants_forecast_kwh([_flat_plant(year=year)], fc.data.reindex(hours), LAT, LON, fc.elevation_m)[:, 0]
    checked = 0
    for i, ts in enumerate(hours):
        mid = pd.DatetimeIndex([ts + pd.Timedelta(minutes=30)])
        from pvlib import solarposition

        if solarposition.get_solarposition(mid, LAT, LON)["zenith"].iloc[0] >= 80:
            assert got[i] < 0.5  # night and sun just over the horizon: (almost) nothing
            continue
        assert got[i] == pytest.approx(_by_hand(raw, ts, 10.0), rel=2e-4), ts
        checked += 1
    assert checked >= 20
    if path == SUNNY:
        assert 3.0 < got.max() < 10.0 / 1.1 + 1e-9      # a clear October noon, below the inverter limit
    else:
        assert got.max() < 3.0                            # 35 % of clear sky in late March


# -------------------------------------------------------------------------------------------------
# time zones
# -------------------------------------------------------------------------------------------------

def test_october_clock_change_repeats_the_local_hour_and_keeps_72_utc_hours(community):
    fc = _forecast(community, SUNNY)
    assert fc.source == "open-meteo" and len(fc.hours_utc) == 72 == len(set(fc.hours_utc))
    labels = fc.labels
    assert labels[0] == "2026-10-24T02:00:00+02:00"
    assert "2026-10-25T02:00:00+02:00" in labels and "2026-10-25T02:00:00+01:00" in labels
    assert sum(lab.startswith("2026-10-25") for lab in labels) == 25
    # the sun's peak moves one clock hour earlier after the change
    prod = fc.totals_frame().set_index("timestamp")["production_kwh"]
    peak = {d: max((lab for lab in prod.index if lab.startswith(d)), key=lambda lab: prod[lab])[11:13]
            for d in ("2026-10-24", "2026-10-26")}
    assert int(peak["2026-10-24"]) == int(peak["2026-10-26"]) + 1


def test_march_clock_change_skips_the_local_hour(community):
    fc = _forecast(community, CLOUDY)
    labels = fc.labels
    assert labels[0] == "2027-03-27T01:00:00+01:00"
    assert not any(lab.startswith("2027-03-28T02:") for lab in labels)
    assert sum(lab.startswith("2027-03-28") for lab in labels) == 23
    assert fc.totals_frame()["production_kwh"].sum() < _forecast(community, SUNNY).totals_frame()[
        "production_kwh"].sum()


def test_typical_loads_follow_the_forecast_days_calendar():
    year = 2024
    from cer_core.bands import day_type_of_hour, local_hour_of_day

    values = day_type_of_hour(year).astype(float) * 100 + local_hour_of_day(year)
    hours = F.forecast_hours("2026-12-06T23:00Z")  # local Mon 7, Tue 8 (Immacolata), Wed 9 December 2026
    got = F.typical_values(values[:, None], year, hours)[:, 0]
    local = hours.tz_convert("Europe/Rome")
    expected = np.where(local.day == 8, 200, 0) + local.hour
    np.testing.assert_array_equal(got, expected)


# -------------------------------------------------------------------------------------------------
# the fallback
# -------------------------------------------------------------------------------------------------

def test_no_network_gives_the_labelled_fallback(community, monkeypatch, tmp_path):
    monkeypatch.setenv("CER_STUDIO_CACHE", str(tmp_path))
    monkeypatch.delenv("CER_STUDIO_OFFLINE", raising=False)
    monkeypatch.setattr(om.time, "sleep", lambda s: None)
    calls = []

    def no_network(*args, **kwargs):
        calls.append(args)
        raise requests.ConnectionError("no route to host")

    monkeypatch.setattr(om, "_http_get", no_network)
    om.forget_failures()
    fc = _forecast(community, None, now="2026-10-24T08:17:00Z")
    om.forget_failures()
    assert calls and fc.source == "fallback"
    assert fc.note_it.startswith("STIMA DI RISERVA, non una previsione meteo")
    assert "Open-Meteo non raggiungibile (ConnectionError)" in fc.note_it
    assert fc.note_en.startswith("FALLBACK ESTIMATE") and "ottobre" in fc.note_it
    assert fc.labels[0] == "2026-10-24T10:00:00+02:00"
    assert (fc.cabina_low_kwh <= fc.cabina_production_kwh + 1e-9).all()
    assert (fc.cabina_production_kwh <= fc.cabina_high_kwh + 1e-9).all()
    assert fc.cabina_high_kwh.sum() > fc.cabina_production_kwh.sum() > fc.cabina_low_kwh.sum() > 0


def test_fallback_irradiance_is_clear_sky_times_the_months_clearness(community):
    ws, outcome = community
    from cer_core.solar.weather import site_weather

    typical = site_weather(outcome.scenario.site.lat, outcome.scenario.site.lon, outcome.scenario.year,
                           outcome.scenario.weather, ws.read_file)
    clear = F.clearness(typical)
    # by hand from the typical year: October's GHI over October's clear-sky GHI
    cs, _ = F._clear_sky(typical.data.index, typical.lat, typical.lon, typical.elevation_m,
                         typical.irradiance_offset_h)
    october = typical.data.index.tz_convert("Europe/Rome").month == 10
    assert clear.mean[9] == pytest.approx(typical.data["ghi"][october].sum() / cs["ghi"][october].sum())
    assert clear.low[9] < clear.mean[9] < clear.high[9] <= 1.2
    fc = _forecast(community, None, offline=True, start_utc="2026-10-24T00:00Z")
    cs_fc, _ = F._clear_sky(fc.hours_utc, outcome.scenario.site.lat, outcome.scenario.site.lon, typical.elevation_m)
    day = cs_fc["ghi"].to_numpy() > 0
    np.testing.assert_allclose(fc.weather["ghi"].to_numpy()[day], clear.mean[9] * cs_fc["ghi"].to_numpy()[day])
    assert "senza rete (scelto)" in fc.note_it


def test_an_answer_not_covering_the_hours_or_a_failing_client_falls_back(community, monkeypatch):
    fc = _forecast(community, SUNNY, start_utc="2026-10-26T00:00Z")  # only 47 hours left in the answer
    assert fc.source == "fallback" and "non le 72 ore" in fc.note_it

    def broken(*a, **k):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(om, "get_forecast", broken)
    fc = _forecast(community, None, now="2026-10-24T00:00Z")
    assert fc.source == "fallback" and "RuntimeError: unexpected" in fc.note_en


# -------------------------------------------------------------------------------------------------
# sharing, windows, money, words
# -------------------------------------------------------------------------------------------------

def test_cabina_balance_and_windows_are_consistent(community):
    fc = _forecast(community, SUNNY)
    assert (fc.cabina_shared_kwh <= np.minimum(fc.cabina_production_kwh, fc.cabina_load_kwh) + 1e-9).all()
    assert (fc.cabina_surplus_kwh >= -1e-9).all()
    np.testing.assert_allclose(fc.cabina_load_kwh.sum(), fc.load_kwh.sum())
    np.testing.assert_allclose(fc.cabina_production_kwh.sum(), fc.plant_kwh.sum())
    assert fc.windows
    by_window: dict = {}
    for w in fc.windows:
        assert w.end_utc - w.start_utc <= pd.Timedelta(hours=F.WINDOW_MAX_H)
        hours = (fc.hours_utc >= w.start_utc) & (fc.hours_utc < w.end_utc)
        c = fc.cabina_ids.index(w.cabina)
        assert w.surplus_kwh == pytest.approx(fc.cabina_surplus_kwh[hours, c].sum())
        rate = (fc.cabina_surplus_kwh[hours, c] * fc.cabina_rate_eur_mwh[hours, c]).sum() / w.surplus_kwh
        assert w.gain_eur == pytest.approx(w.gain_kwh * rate / 1000)
        by_window.setdefault((w.cabina, w.start_utc), []).append(w)
    for ws in by_window.values():
        assert sum(w.gain_kwh for w in ws) <= ws[0].surplus_kwh + 1e-9


def test_best_window_known_answers():
    assert F.best_window(np.array([0, 1, 5, 5, 5, 5, 1, 0.0])) == (2, 6)
    assert F.best_window(np.array([0, 2, 0, 3, 0.0])) == (3, 4)
    assert F.best_window(np.zeros(5)) is None
    assert F.best_window(np.array([1, 1, 1, 1, 1, 1.0]), max_hours=4) == (0, 4)


def test_member_text_csv_and_table(community):
    fc = _forecast(community, SUNNY)
    text = F.member_text(fc, "municipio")
    assert text.splitlines()[0] == "Piccola CER di prova — previsione di 3 giorni per Comune - Municipio (cabina CP-NORD)"
    assert "domani 10–14: +" in text and "kWh di energia condivisa se sposti i carichi" in text
    assert "Fonte: Previsione Open-Meteo" in text
    assert "tomorrow" in F.member_text(fc, "municipio", "en")
    csv_text = fc.csv_bytes().decode("utf-8")
    lines = csv_text.splitlines()
    assert lines[0].startswith("# Previsione Open-Meteo")
    assert lines[1] == ("timestamp,timestamp_utc,cabina,production_kwh,production_low_kwh,production_high_kwh,load_kwh,"
                        "shared_kwh,surplus_kwh,cer_rate_eur_mwh")
    assert len(lines) == 2 + 72 * len(fc.cabina_ids)
    table = F.table_text(fc).splitlines()
    assert len(table) == 73 and table[1].startswith("2026-10-24T02:00:00+02:00")
    assert F.fmt_num(1234.5, 1) == "1.234,5" and F.fmt_num(1234.5, 1, "en") == "1,234.5"
    assert F.day_label(dt.date(2026, 10, 29), dt.date(2026, 10, 24)) == "giovedì 29/10"


# -------------------------------------------------------------------------------------------------
# the command line prints the same numbers
# -------------------------------------------------------------------------------------------------

def _cli(*args):
    import subprocess
    import sys

    from studio_helpers import ROOT

    return subprocess.run([sys.executable, "-m", "cer_core", *args], capture_output=True, text=True, cwd=ROOT,
                          check=False)


def test_cli_forecast_from_file_prints_the_same_table(community):
    from studio_helpers import FIXTURE

    proc = _cli("forecast", str(FIXTURE), "--from-file", str(SUNNY))
    assert proc.returncode == 0, proc.stderr
    fc = _forecast(community, SUNNY)
    lines = proc.stdout.splitlines()
    assert lines[0] == "# fonte: " + fc.note_it
    assert "\n".join(lines[1:74]) == F.table_text(fc)
    assert any(line.startswith("Comune - Municipio: domani 10–14: +") for line in lines[74:])


def test_cli_forecast_offline_and_bad_file():
    proc = _cli("--lang", "en", "forecast", "--offline")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# source: FALLBACK ESTIMATE") and len(proc.stdout.splitlines()) >= 74
    bad = _cli("forecast", "--from-file", str(DATA / "README.md"))
    assert bad.returncode == 2 and bad.stderr.startswith("README.md:1: JSON non valido")


def test_a_forecast_for_a_far_point_is_flagged():
    from cer_core.api import demo_workspace

    ws = demo_workspace()
    outcome = run(ws, shapley=False)   # Rozzano, about 200 km from the Bolzano answer
    fc = F.community_forecast(outcome.scenario, outcome.results, forecast=om.read_forecast(SUNNY.read_bytes()),
                              read_file=ws.read_file)
    assert fc.source == "open-meteo" and "ATTENZIONE: la previsione è per un punto a" in fc.note_it


@pytest.mark.network
def test_live_community_forecast(community, monkeypatch, tmp_path):
    import socket

    try:
        socket.create_connection(("api.open-meteo.com", 443), timeout=3).close()
    except OSError:
        pytest.skip("no network: api.open-meteo.com unreachable")
    monkeypatch.setenv("CER_STUDIO_CACHE", str(tmp_path))
    monkeypatch.delenv("CER_STUDIO_OFFLINE", raising=False)
    om.forget_failures()
    fc = _forecast(community, None)
    assert fc.source == "open-meteo", fc.note_en
    assert len(fc.hours_utc) == 72
    assert abs(fc.hours_utc[0] - pd.Timestamp.now(tz="UTC").floor("h")) <= pd.Timedelta(hours=1)
