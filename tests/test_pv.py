"""The PV model: agreement with PVGIS, timestamps (solar noon, DST, leap years), orientations, plants, caches."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cer_core.solar import pv, weather
from cer_core.errors import CerInputError
from cer_core.io.pvgis import read_tmy
from cer_core.scenario import Face, Plant
from cer_core.timeaxis import hours_local, hours_utc

ROOT = Path(__file__).resolve().parents[1]
TMY_45_8 = ROOT / "assets" / "weather" / "pvgis_tmy_45.000_8.000_2005_2023.csv"

#: PVGIS PVcalc for lat=45, lon=8, peakpower=1, loss=14 (the API's documented minimal example, which means a
#: horizontal plane, crystalline silicon, PVGIS-SARAH 2005-2016): E_y = 12 × 94.78 kWh, H(i)_y = 12 × 122.8 kWh/m².
#: Recorded PVGIS 5 output ("PVGIS (c) European Union, 2001-2021") found in a public repository.
PVGIS_PVCALC_HORIZONTAL_KWH_KWP = 12 * 94.78
PVGIS_PVCALC_HORIZONTAL_H_KWH_M2 = 12 * 122.8


@pytest.fixture(scope="module")
def w2023():
    return weather.site_weather(45.0, 8.0, 2023, {"source": "embedded"})


@pytest.fixture(scope="module")
def w2024():
    return weather.site_weather(45.0, 8.0, 2024, {"source": "embedded"})


def plant(kwp=10.0, faces=None, **kw) -> Plant:
    base = dict(id="p", name="p", member="m", kwp=kwp, commissioning=dt.date(2023, 1, 1), grant_pct=0.0,
                incentivised=True, tilt_deg=30.0, azimuth_deg=180.0, losses_pct=14.0, dc_ac_ratio=1.1,
                degradation_pct_per_year=0.0, faces=faces if faces is not None else (Face(kwp, 30.0, 180.0),))
    base.update(kw)
    return Plant(**base)


def clear_sky_weather(year: int, offset_h: float, lat: float = 45.0, lon: float = 8.0) -> weather.WeatherYear:
    """A cloudless year (Ineichen, Linke turbidity 3) sampled at ``hour start + offset_h``, 20 °C, 1 m/s."""
    from pvlib.location import Location

    index = hours_utc(year)
    cs = Location(lat, lon, altitude=250).get_clearsky(index + pd.Timedelta(hours=offset_h), model="ineichen",
                                                       linke_turbidity=3.0)
    data = pd.DataFrame({"ghi": cs["ghi"].to_numpy(), "dni": cs["dni"].to_numpy(), "dhi": cs["dhi"].to_numpy(),
                         "temp_air": 20.0, "wind_speed": 1.0}, index=index)
    return weather.WeatherYear(data=data, source="file", label="clear sky", lat=lat, lon=lon, elevation_m=250.0,
                               distance_km=0.0, year=year, irradiance_offset_h=offset_h, offset_origin="file",
                               digest=f"clearsky:{lat}:{lon}:{year}:{offset_h}")


# --------------------------------------------------------------------------------------------------
# Agreement with PVGIS
# --------------------------------------------------------------------------------------------------

def test_horizontal_matches_recorded_pvgis_pvcalc(w2023):
    """1 kWp flat, 14 % losses, embedded 45N 8E year vs the PVCALC figure PVGIS gives for 45N 8E: within ±5 %.

    The typical year has 1436 kWh/m² of global irradiation against 1474 in PVGIS-SARAH 2005-2016 used by that
    PVcalc run (-2.6 %), so the performance ratio (yield / irradiation) is compared too, within ±3 %.
    """
    ours = pv.specific_profile(w2023, 0.0, 180.0, losses_pct=14.0).sum()
    assert ours == pytest.approx(PVGIS_PVCALC_HORIZONTAL_KWH_KWP, rel=0.05)
    pr_ours = ours / (w2023.data["ghi"].sum() / 1000)
    pr_pvgis = PVGIS_PVCALC_HORIZONTAL_KWH_KWP / PVGIS_PVCALC_HORIZONTAL_H_KWH_M2
    assert pr_ours == pytest.approx(pr_pvgis, rel=0.03)


def _pvgis_method_yield(tilt: float) -> float:
    """PVGIS's own PV performance model, rebuilt from pvlib's implementations of its parts.

    Huld et al. (2011) c-Si power model with PVGIS 5 coefficients (``pvlib.pvarray.huld``), Faiman module
    temperature with PVGIS's free-standing coefficients, Martin-Ruiz angular losses, 14 % system losses, on the
    raw typical year with solar positions at the file's irradiance instants. PVGIS's spectral correction
    (about +1 % for c-Si here) is left out, and Perez replaces PVGIS's Muneer sky model, which pvlib lacks.
    """
    from pvlib import atmosphere, iam, irradiance, pvarray, solarposition, temperature

    raw = read_tmy(TMY_45_8.read_bytes(), TMY_45_8.name)
    inst = raw.data.index + pd.Timedelta(hours=raw.irradiance_offset_h)
    sp = solarposition.get_solarposition(inst, raw.lat, raw.lon, altitude=raw.elevation_m)
    col = {c: raw.data[c].to_numpy() for c in ("ghi", "dni", "dhi", "temp_air", "wind_speed")}
    tot = irradiance.get_total_irradiance(tilt, 180.0, sp["apparent_zenith"], sp["azimuth"], col["dni"], col["ghi"],
                                          col["dhi"], dni_extra=irradiance.get_extra_radiation(inst),
                                          airmass=atmosphere.get_relative_airmass(sp["apparent_zenith"]), model="perez",
                                          albedo=0.2).fillna(0.0)
    aoi = irradiance.aoi(tilt, 180.0, sp["apparent_zenith"], sp["azimuth"])
    diffuse = iam.martin_ruiz_diffuse(tilt, a_r=0.16)
    eff = (tot["poa_direct"] * iam.martin_ruiz(aoi, a_r=0.16) + tot["poa_sky_diffuse"] * diffuse["sky"]
           + tot["poa_ground_diffuse"] * np.nan_to_num(diffuse["ground"]))
    t_mod = temperature.faiman(tot["poa_global"], col["temp_air"], col["wind_speed"], u0=26.9, u1=6.2)
    p = pvarray.huld(eff.clip(lower=0.0), t_mod, 1.0, cell_type="cSi").clip(lower=0.0)
    return float(p.sum()) * (1 - 0.14)


def _modelchain_yield(tilt: float) -> float:
    """pvlib's reference ModelChain (PVWatts DC and inverter, Hay-Davies, physical IAM, Faiman defaults)."""
    from pvlib import location, modelchain, pvsystem

    raw = read_tmy(TMY_45_8.read_bytes(), TMY_45_8.name)
    system = pvsystem.PVSystem(surface_tilt=tilt, surface_azimuth=180.0,
                               module_parameters={"pdc0": 1000.0, "gamma_pdc": -0.0037},
                               inverter_parameters={"pdc0": 1000.0, "eta_inv_nom": 0.96},
                               temperature_model_parameters={"u0": 25.0, "u1": 6.84})
    mc = modelchain.ModelChain(system, location.Location(raw.lat, raw.lon, tz="UTC", altitude=raw.elevation_m),
                               aoi_model="physical", spectral_model="no_loss", temperature_model="faiman")
    wx = raw.data[["ghi", "dni", "dhi", "temp_air", "wind_speed"]].copy()
    wx.index = wx.index + pd.Timedelta(hours=raw.irradiance_offset_h)
    mc.run_model(wx)
    # 14 % total losses as PVGIS counts them (they include the inverter's nominal 4 %)
    return float(mc.results.ac.clip(lower=0.0).sum()) / 1000.0 * (1 - 0.14) / 0.96


def test_optimal_tilt_south_agrees_with_pvgis_method_and_pvlib_modelchain(w2023):
    """1 kWp at the optimal tilt facing south, 14 % losses, embedded 45N 8E year: within ±5 % of PVGIS.

    No PVcalc run at the optimal tilt for 45N 8E could be found in PVGIS's documentation or pvlib's test data
    (the only recorded PVcalc for this point is the horizontal one above). So the optimal-tilt figure PVGIS would
    compute is rebuilt with PVGIS's published model (see ``_pvgis_method_yield``) on the same typical year, and
    cross-checked against pvlib's reference ModelChain. Both must agree within ±5 %.
    """
    tilt, _ = pv.optimal_tilt_deg(w2023, 180.0)
    assert 33 <= tilt <= 42  # PVGIS's optimum in northern Italy is 35-39°; the yield is flat within ±3°
    ours = pv.specific_profile(w2023, tilt, 180.0, losses_pct=14.0).sum()
    assert ours == pytest.approx(_pvgis_method_yield(tilt), rel=0.05)
    assert ours == pytest.approx(_modelchain_yield(tilt), rel=0.05)
    # the tilt gain over horizontal is in PVGIS's range for this latitude (about +15 to +25 %)
    assert 1.15 <= ours / pv.specific_profile(w2023, 0.0, 180.0).sum() <= 1.27


# --------------------------------------------------------------------------------------------------
# Timestamps: solar noon, DST days, leap years
# --------------------------------------------------------------------------------------------------

def _daily_centroid_minus_transit_min(values: np.ndarray, w: weather.WeatherYear) -> np.ndarray:
    from pvlib import solarposition

    idx = w.data.index
    mid_h = (idx - idx.normalize()).total_seconds().to_numpy() / 3600 + 0.5  # hour means: centre of the hour
    frame = pd.DataFrame({"p": values, "pt": values * mid_h, "day": idx.normalize()}).groupby("day")[["p", "pt"]].sum()
    frame = frame[frame["p"] > 0.5]
    transit = solarposition.sun_rise_set_transit_spa(pd.DatetimeIndex(frame.index), w.lat, w.lon)["transit"]
    transit_h = ((transit - transit.dt.normalize()).dt.total_seconds() / 3600).to_numpy()
    return (frame["pt"] / frame["p"] - transit_h).to_numpy() * 60


@pytest.mark.parametrize("offset_h", [0.1761, 0.5])
def test_south_roof_is_centred_on_solar_noon_under_clear_sky(offset_h):
    """Known answer: under a cloudless sky a south roof's day is symmetric about the sun's transit."""
    w = clear_sky_weather(2023, offset_h)
    south = pv.specific_profile(w, 30.0, 180.0)
    shift = _daily_centroid_minus_transit_min(south, w)
    assert np.abs(shift).max() < 6  # minutes; a one-hour mistake shows as 60, raw SARAH snapshots as ~20
    # and the best hour of every day is the one containing the transit
    from pvlib import solarposition

    days = pd.date_range("2023-01-01", periods=365, freq="D", tz="UTC")
    transit = solarposition.sun_rise_set_transit_spa(days, w.lat, w.lon)["transit"]
    frame = pd.DataFrame({"p": south, "day": w.data.index.normalize()})
    best = frame.groupby("day")["p"].idxmax()
    peak_hours = w.data.index[best.reindex(days).to_numpy()]
    assert (peak_hours == transit.dt.floor("h").to_numpy()).mean() > 0.97


def test_real_weather_production_not_shifted(w2023):
    south = pv.specific_profile(w2023, 30.0, 180.0)
    shift = _daily_centroid_minus_transit_min(south, w2023)
    assert abs(np.median(shift)) < 10


def test_local_peak_hour_moves_with_dst_and_dst_days_have_23_and_25_hours():
    w = clear_sky_weather(2024, 0.1761)
    south = pv.specific_profile(w, 30.0, 180.0)
    local = hours_local(2024)
    frame = pd.DataFrame({"p": south, "day": local.strftime("%Y-%m-%d"), "hour": local.hour})

    def peak(day):
        d = frame[frame["day"] == day]
        return int(d.loc[d["p"].idxmax(), "hour"])

    assert (peak("2024-03-30"), peak("2024-04-01")) == (12, 13)  # CET → CEST: solar noon 12:32 → 13:32 local
    assert (peak("2024-10-26"), peak("2024-10-28")) == (13, 12)  # CEST → CET
    daily = frame.groupby("day")["p"]
    assert daily.size()["2024-03-31"] == 23 and daily.size()["2024-10-27"] == 25
    sums = daily.sum()
    for day, before, after in (("2024-03-31", "2024-03-30", "2024-04-01"), ("2024-10-27", "2024-10-26", "2024-10-28")):
        assert sums[day] == pytest.approx((sums[before] + sums[after]) / 2, rel=0.02)  # no hour lost or doubled


def test_leap_year_has_8784_hours_and_29_february_produces(w2023, w2024):
    p2024 = pv.specific_profile(w2024, 30.0, 180.0)
    p2023 = pv.specific_profile(w2023, 30.0, 180.0)
    assert len(p2024) == 8784 and len(p2023) == 8760
    idx = w2024.data.index
    feb28 = p2024[(idx.month == 2) & (idx.day == 28)].sum()
    feb29 = p2024[(idx.month == 2) & (idx.day == 29)].sum()
    assert feb29 == pytest.approx(feb28, rel=0.03)  # same weather, the sun one day higher
    # one more day of production; the other dates see the sun of 2024 instead of 2023 (a fraction of a day apart)
    assert abs((p2024.sum() - p2023.sum()) - feb29) < 0.001 * p2023.sum()


# --------------------------------------------------------------------------------------------------
# Orientations
# --------------------------------------------------------------------------------------------------

def _peak_local_hour(values: np.ndarray, year: int) -> int:
    local = hours_local(year)
    return int(pd.Series(values).groupby(local.hour).mean().idxmax())


def test_east_roof_peaks_in_the_morning_west_in_the_afternoon(w2023):
    east = pv.specific_profile(w2023, 30.0, 90.0)
    west = pv.specific_profile(w2023, 30.0, 270.0)
    south = pv.specific_profile(w2023, 30.0, 180.0)
    assert _peak_local_hour(east, 2023) <= 11 < _peak_local_hour(south, 2023) < 14 <= _peak_local_hour(west, 2023)
    utc_hour = w2023.data.index.hour  # the sun crosses the meridian of 8°E at about 11:30 UTC
    before, after = utc_hour <= 10, utc_hour >= 12
    assert east[before].sum() > 2 * east[after].sum()
    assert west[after].sum() > 2 * west[before].sum()
    assert 0.70 < east.sum() / south.sum() < 0.85 and 0.70 < west.sum() / south.sum() < 0.85


def test_vertical_walls(w2023):
    south_wall = pv.specific_profile(w2023, 90.0, 180.0)
    north_wall = pv.specific_profile(w2023, 90.0, 0.0)
    best = pv.specific_profile(w2023, 38.0, 180.0)
    assert 0.6 < south_wall.sum() / best.sum() < 0.8
    month = pd.Series(south_wall).groupby(hours_local(2023).month).sum()
    assert month[12] > month[6]  # a south wall catches the low winter sun better than the high summer one
    assert 0 < north_wall.sum() < 0.3 * best.sum()  # diffuse light only (plus summer mornings and evenings)


def test_azimuth_convention_and_symmetry(w2023):
    # 180 = south; orientations are taken modulo 360 and rounded to 1°
    assert np.array_equal(pv.specific_profile(w2023, 30, 180.4), pv.specific_profile(w2023, 30, 180.0))
    assert np.array_equal(pv.specific_profile(w2023, 30, -90), pv.specific_profile(w2023, 30, 270))
    flat_a = pv.specific_profile(w2023, 0, 90)
    flat_b = pv.specific_profile(w2023, 0, 270)
    assert np.array_equal(flat_a, flat_b)  # a flat plane has no azimuth


# --------------------------------------------------------------------------------------------------
# Plants
# --------------------------------------------------------------------------------------------------

def test_zero_kwp_plant_and_zero_kwp_face_give_zeros(w2023):
    plants = [plant(kwp=0.0, faces=(Face(0.0, 30, 180),)), plant(kwp=5.0, faces=(Face(5.0, 30, 180), Face(0.0, 30, 90)))]
    out = pv.pv_production_kwh(plants, w2023, 2023)
    assert out.shape == (8760, 2)
    assert not out[:, 0].any()
    assert np.allclose(out[:, 1], pv.pv_production_kwh([plant(kwp=5.0, faces=(Face(5.0, 30, 180),))], w2023, 2023)[:, 0])


def test_production_scales_with_kwp_and_respects_the_inverter(w2023):
    small = pv.pv_production_kwh([plant(kwp=3.0, faces=(Face(3.0, 30, 180),))], w2023, 2023)[:, 0]
    big = pv.pv_production_kwh([plant(kwp=300.0, faces=(Face(300.0, 30, 180),))], w2023, 2023)[:, 0]
    np.testing.assert_allclose(big, 100 * small, rtol=1e-9)
    clipped = pv.pv_production_kwh([plant(kwp=10.0, dc_ac_ratio=1.6)], w2023, 2023)[:, 0]
    assert clipped.max() <= 10.0 / 1.6 + 1e-9
    assert clipped.max() == pytest.approx(10.0 / 1.6)  # some summer hours clip
    roomy = pv.pv_production_kwh([plant(kwp=10.0, dc_ac_ratio=1.0)], w2023, 2023)[:, 0]
    assert 0.93 < clipped.sum() / roomy.sum() < 0.995  # DC/AC 1.6 clips a few per cent of the year's energy


def test_losses_and_degradation(w2023):
    base = pv.pv_production_kwh([plant(kwp=10.0, losses_pct=14.0)], w2023, 2023)[:, 0].sum()
    lossy = pv.pv_production_kwh([plant(kwp=10.0, losses_pct=24.0)], w2023, 2023)[:, 0].sum()
    assert lossy / base == pytest.approx(0.76 / 0.86, rel=0.01)
    old = plant(kwp=10.0, commissioning=dt.date(2019, 6, 1), degradation_pct_per_year=0.5)
    future = plant(kwp=10.0, commissioning=dt.date(2026, 6, 1), degradation_pct_per_year=0.5)
    assert pv.degradation_factor(old, 2023) == pytest.approx(0.98)  # 4 years × 0.5 %
    assert pv.degradation_factor(future, 2023) == 1.0  # a planned plant is simulated new
    out = pv.pv_production_kwh([old, future], w2023, 2023)
    assert out[:, 0].sum() / out[:, 1].sum() == pytest.approx(0.98, rel=0.002)


def test_east_west_plant(w2023):
    ew = plant(kwp=20.0, faces=(Face(10.0, 10, 90), Face(10.0, 10, 270)))
    east = plant(kwp=10.0, faces=(Face(10.0, 10, 90),))
    west = plant(kwp=10.0, faces=(Face(10.0, 10, 270),))
    south = plant(kwp=20.0, faces=(Face(20.0, 10, 180),))
    out = pv.pv_production_kwh([ew, east, west, south], w2023, 2023)
    # one inverter for both faces: the same energy as two separate plants (no clipping at 10° east-west)
    assert out[:, 0].sum() == pytest.approx(out[:, 1].sum() + out[:, 2].sum(), rel=0.005)
    assert 0.85 < out[:, 0].sum() / out[:, 3].sum() < 0.97
    # flatter, wider day: lower peak than the same kWp facing south
    assert out[:, 0].max() < 0.95 * out[:, 3].max()
    assert 1050 < out[:, 0].sum() / 20.0 < 1250


def _production_whole_matrix(plants, w, year):
    """``pv_production_kwh`` as it was before the block-wise inverter: one (hours × plants) DC matrix."""
    dc_kw = np.zeros((len(w.data), len(plants)))
    for j, p in enumerate(plants):
        for face in p.faces:
            if face.kwp > 0 and p.kwp > 0:
                prof = pv._dc_profiles(w, [(face.tilt_deg, face.azimuth_deg)], p.technology or "crystSi")[0]
                dc_kw[:, j] += face.kwp * prof.astype(float)
    return pv.ac_from_dc(dc_kw, np.array([p.kwp for p in plants]), np.array([p.losses_pct for p in plants]),
                         np.array([p.dc_ac_ratio for p in plants]),
                         np.array([pv.degradation_factor(p, year) for p in plants]))


def test_block_wise_production_is_bit_for_bit_the_whole_matrix_one(w2023, monkeypatch):
    rng = np.random.default_rng(3)
    plants = []
    for i in range(130):  # several blocks, the last one partial
        n_faces = 1 + i % 3
        faces = tuple(Face(float(rng.choice([0.0, 2.5, 7.0, 40.0])), float(rng.integers(0, 70)),
                           float(rng.integers(60, 300))) for _ in range(n_faces))
        plants.append(plant(kwp=float(rng.choice([0.0, 5.0, 12.0, 90.0])), faces=faces,
                            technology=["crystSi", "CdTe", "CIS"][i % 3], dc_ac_ratio=float(rng.uniform(0.9, 1.6)),
                            losses_pct=float(rng.uniform(8, 20)), degradation_pct_per_year=0.5,
                            commissioning=dt.date(2015 + i % 9, 3, 1)))
    monkeypatch.setattr(pv, "_AC_BLOCK", 16)
    out = pv.pv_production_kwh(plants, w2023, 2023)
    expected = _production_whole_matrix(plants, w2023, 2023)
    assert out.tobytes() == expected.tobytes()  # same bits, signed zeros included
    assert (out[:, [p.kwp == 0 for p in plants]] == 0).all() and out.any()
    assert pv.pv_production_kwh([], w2023, 2023).shape == (8760, 0)


def test_unknown_technology_is_refused_and_thin_film_runs_cooler(w2023):
    with pytest.raises(CerInputError) as exc:
        pv.pv_production_kwh([plant(technology="perovskite")], w2023, 2023)
    assert exc.value.problems[0].code == "plant.technology" and "crystSi" in exc.value.message("en")
    assert exc.value.problems[0].where == "plants[0].technology"  # a JSON path, like every other message
    si, cdte = pv.pv_production_kwh([plant(), plant(technology="CdTe")], w2023, 2023).sum(axis=0)
    assert 1.0 < cdte / si < 1.03  # smaller temperature coefficient


def test_weather_of_another_year_is_a_programming_error(w2023):
    with pytest.raises(ValueError):
        pv.pv_production_kwh([plant()], w2023, 2024)


def test_specific_yields_of_the_demo_plants_are_plausible():
    import json

    from cer_core.scenario import parse_scenario

    sc, _ = parse_scenario(json.loads((ROOT / "assets" / "demo" / "scenario.json").read_text()))
    w = weather.site_weather(sc.site.lat, sc.site.lon, sc.year, {"source": "embedded"})
    out = pv.pv_production_kwh(sc.plants, w, sc.year)
    yields = {p.id: out[:, j].sum() / p.kwp for j, p in enumerate(sc.plants)}
    assert all(1050 < y < 1400 for y in yields.values()), yields
    assert yields["fv-logistica"] < yields["fv-depuratore"]  # east-west 10° below south 20°


def test_monthly_production(w2023):
    values = pv.pv_production_kwh([plant(kwp=2.0), plant(kwp=3.0)], w2023, 2023)
    monthly = pv.monthly_production(values, 2023, ["a", "b"])
    assert list(monthly.index) == list(range(1, 13)) and list(monthly.columns) == ["a", "b"]
    np.testing.assert_allclose(monthly.sum().to_numpy(), values.sum(axis=0))
    assert monthly.loc[7, "a"] > 2 * monthly.loc[12, "a"]
    single = pv.monthly_production(values[:, 0], 2023)
    assert list(single.columns) == ["kwh"]


# --------------------------------------------------------------------------------------------------
# Hour means and caches
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("offset", [0.0, 0.1761, 0.3, 0.5, 0.9])
def test_hour_mean_weights_conserve_energy_and_are_exact_on_lines(offset):
    a, b, c = pv.hour_mean_weights(offset)
    assert a + b + c == pytest.approx(1.0) and min(a, b, c) >= 0
    # a straight line sampled at k + offset: the hour mean is its value at the hour's centre
    k = np.arange(24, dtype=float)
    samples = 3.0 + 2.0 * (k + offset)
    means = pv.to_hour_means(samples, offset)
    if offset != 0.5:
        np.testing.assert_allclose(means[1:-1], 3.0 + 2.0 * (k[1:-1] + 0.5))
    assert pv.to_hour_means(samples, offset).sum() == pytest.approx(samples.sum())


def test_profiles_are_cached_per_rounded_orientation(w2023):
    pv.clear_caches()
    first = pv._dc_profiles(w2023, [(30.2, 181.0)], "crystSi")[0]
    again = pv._dc_profiles(w2023, [(29.8, 180.6)], "crystSi")[0]
    assert again is first and not first.flags.writeable
    many = [(t, a) for t in range(0, 40, 5) for a in range(90, 271, 30)]
    profiles = pv._dc_profiles(w2023, many, "crystSi")
    assert len({id(p) for p in profiles}) == len(many) - 6  # the 7 flat ones are one profile
    assert all(p is q for p, q in zip(profiles, pv._dc_profiles(w2023, many, "crystSi")))
    # batch results equal one-by-one results
    one = pv.dc_per_kwp(w2023, [25.0], [150.0], -0.0037)[:, 0]
    np.testing.assert_allclose(pv._dc_profiles(w2023, [(25.0, 150.0)], "crystSi")[0], one, rtol=1e-6, atol=1e-7)


def test_more_orientations_than_the_cache_holds_are_computed_once(w2023, monkeypatch):
    """A request larger than the profile cache must not recompute evicted profiles one by one (under the lock)."""
    from cachetools import LRUCache

    pv.clear_caches()
    monkeypatch.setattr(pv, "_PROFILES", LRUCache(maxsize=4))
    real, batches = pv.dc_per_kwp, []

    def counting(weather, tilt_deg, azimuth_deg, gamma_pdc):
        batches.append(len(np.atleast_1d(tilt_deg)))
        return real(weather, tilt_deg, azimuth_deg, gamma_pdc)

    monkeypatch.setattr(pv, "dc_per_kwp", counting)
    many = [(float(t), 180.0) for t in range(10, 20)]
    profiles = pv._dc_profiles(w2023, many, "crystSi")
    assert batches == [10]
    np.testing.assert_allclose(profiles[5], real(w2023, [15.0], [180.0], -0.0037)[:, 0], rtol=1e-6, atol=1e-7)
    assert len(pv._PROFILES) <= 4


def test_hand_built_weather_without_digest_is_cached_by_content():
    a = dataclasses.replace(clear_sky_weather(2023, 0.5), digest="")
    b = dataclasses.replace(clear_sky_weather(2023, 0.5, lat=40.0), digest="")
    pa, pb = pv.specific_profile(a, 30, 180), pv.specific_profile(b, 30, 180)
    assert not np.array_equal(pa, pb)  # two different skies do not share a cache entry
    np.testing.assert_array_equal(pv.specific_profile(a, 30, 180), pa)


def test_plant_order_and_duplicates_do_not_change_results(w2023):
    plants = [plant(kwp=k, faces=(Face(k, t, a),)) for k, t, a in [(4, 30, 150), (6, 10, 90), (4, 30, 150), (9, 60, 200)]]
    out = pv.pv_production_kwh(plants, w2023, 2023)
    rev = pv.pv_production_kwh(plants[::-1], w2023, 2023)
    np.testing.assert_allclose(out, rev[:, ::-1])
    np.testing.assert_allclose(out[:, 0], out[:, 2])


def test_face_dataclass_replace_keeps_working(w2023):
    p = plant(kwp=8.0)
    q = dataclasses.replace(p, faces=(Face(4.0, 30, 180), Face(4.0, 30, 180)))
    np.testing.assert_allclose(pv.pv_production_kwh([p], w2023, 2023), pv.pv_production_kwh([q], w2023, 2023))
