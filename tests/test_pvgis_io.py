"""PVGIS files: detection, TMY and seriescalc parsing, refusals, and production from seriescalc files."""

from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cer_core.errors import CerInputError, Problem
from cer_core.io.pvgis import read_hourly, read_tmy, sniff_pvgis, write_tmy_json
from cer_core.solar.production import _production_from_file, plants_production
from cer_core.scenario import Face, Plant, parse_scenario
from cer_core.timeaxis import hours_utc
from cer_core.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
TMY_45_8 = ROOT / "assets" / "weather" / "pvgis_tmy_45.000_8.000_2005_2023.csv"
TMY_BZ = ROOT / "assets" / "weather" / "pvgis_tmy_46.491_11.332_2005_2020.csv"
SERIES_CSV = ROOT / "tests" / "data" / "samples" / "pvgis_seriescalc_orario_2020_1kWp_35deg.csv"
SERIES_JSON = ROOT / "tests" / "data" / "samples" / "pvgis_seriescalc_orario_3giorni.json"
FIXTURE = ROOT / "tests" / "data" / "pvgis" / "tmy_45.464_9.190_fixture.json.gz"


def plant(kwp=10.0, **kw) -> Plant:
    import datetime as dt

    base = dict(id="p1", name="p1", member="m1", kwp=kwp, commissioning=dt.date(2020, 1, 1), grant_pct=0.0,
                incentivised=True, tilt_deg=35.0, azimuth_deg=180.0, losses_pct=14.0, dc_ac_ratio=1.1,
                degradation_pct_per_year=0.0, faces=(Face(kwp, 35.0, 180.0),))
    base.update(kw)
    return Plant(**base)


def series_csv_text() -> str:
    return SERIES_CSV.read_text(encoding="utf-8")


def drop_column(text: str, col: str) -> bytes:
    """The seriescalc CSV without one data column (e.g. P)."""
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("time,"))
    idx = lines[header].split(",").index(col)
    out = []
    for i, line in enumerate(lines):
        if i >= header and line and (line[0].isdigit() or line.startswith("time,")):
            parts = line.split(",")
            del parts[idx]
            line = ",".join(parts)
        out.append(line)
    return ("\n".join(out) + "\n").encode()


# --------------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------------

def test_sniff_recognises_each_pvgis_layout():
    assert sniff_pvgis(TMY_45_8.read_bytes()) == "tmy_csv"
    assert sniff_pvgis(gzip.decompress(FIXTURE.read_bytes())) == "tmy_json"
    assert sniff_pvgis(SERIES_CSV.read_bytes()) == "hourly_csv"
    assert sniff_pvgis(SERIES_JSON.read_bytes()) == "hourly_json"
    assert sniff_pvgis(b"LOCATION,Milano,-,ITA,IWEC,160660,45.43,9.28,1.0,103.0\n") == "epw"
    assert sniff_pvgis(b"timestamp,kwh\n2024-01-01T00:00:00+01:00,0\n") is None
    assert sniff_pvgis(b'{"some": "json"}') is None


# --------------------------------------------------------------------------------------------------
# Typical years
# --------------------------------------------------------------------------------------------------

def test_read_tmy_csv_known_values():
    tmy = read_tmy(TMY_45_8.read_bytes(), TMY_45_8.name)
    assert (tmy.lat, tmy.lon, tmy.elevation_m) == (45.0, 8.0, 250.0)
    assert tmy.irradiance_offset_h == pytest.approx(0.1761)
    assert len(tmy.data) == 8760 and str(tmy.data.index.tz) == "UTC"
    assert tmy.months_selected[0] == (1, 2018) and tmy.months_selected[11] == (12, 2016)
    # first row of the file: 20180101:0000, T2m 2.04, Gb(n) "-0.0" read as 0
    first = tmy.data.iloc[0]
    assert tmy.data.index[0] == pd.Timestamp("2018-01-01 00:00", tz="UTC")
    assert first["temp_air"] == pytest.approx(2.04) and first["dni"] == 0.0
    assert (tmy.data[["ghi", "dni", "dhi"]] >= 0).all().all()
    assert tmy.data["ghi"].sum() / 1000 == pytest.approx(1435.9, abs=0.1)  # SOURCES.md: 1436 kWh/m²


def test_read_tmy_old_csv_without_offset_line():
    tmy = read_tmy(TMY_BZ.read_bytes(), TMY_BZ.name)
    assert tmy.irradiance_offset_h is None
    assert (tmy.lat, tmy.lon) == (46.491, 11.332)


def test_tmy_json_round_trip():
    tmy = read_tmy(TMY_45_8.read_bytes(), TMY_45_8.name)
    again = read_tmy(write_tmy_json(tmy), "again.json")
    assert again.irradiance_offset_h == tmy.irradiance_offset_h
    assert again.months_selected == tmy.months_selected
    assert (again.lat, again.lon, again.elevation_m) == (tmy.lat, tmy.lon, tmy.elevation_m)
    assert again.data.index.equals(tmy.data.index)
    np.testing.assert_allclose(again.data.to_numpy(), tmy.data.to_numpy(), atol=0.006)


def test_read_tmy_refuses_epw_with_a_clear_message():
    epw = b"LOCATION,Milano Linate,-,ITA,IWEC Data,160800,45.43,9.28,1.0,103.0\nDESIGN CONDITIONS,0\n"
    with pytest.raises(CerInputError) as exc:
        read_tmy(epw, "milano.epw")
    assert exc.value.problems[0].code == "weather.epw"
    assert "csv" in exc.value.message("it").lower() and "EPW" in exc.value.message("en")


@pytest.mark.parametrize("data, code", [
    (SERIES_CSV.read_bytes(), "weather.not_tmy"),
    (b"timestamp,kwh\n2024-01-01T00:00:00+01:00,0\n", "weather.not_tmy"),
    (b"\x00\x01binary", "weather.not_tmy"),
])
def test_read_tmy_refuses_other_files(data, code):
    with pytest.raises(CerInputError) as exc:
        read_tmy(data, "upload.csv")
    assert exc.value.problems[0].code == code
    assert exc.value.problems[0].where == "upload.csv"


def test_truncated_tmy_names_the_line_and_the_expected_count():
    lines = TMY_45_8.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("time(UTC)"))
    cut = lines[:header + 1 + 5000] + lines[header + 1 + 8760:]
    with pytest.raises(CerInputError) as exc:
        read_tmy("\n".join(cut).encode(), "cut.csv")
    problem = exc.value.problems[0]
    assert problem.code == "weather.rows" and problem.where == f"cut.csv:{header + 5000 + 2}"
    assert "5000" in problem.it and "8760" in problem.en


def test_empty_value_in_tmy_is_located_by_line():
    text = TMY_45_8.read_text(encoding="utf-8").replace("20180101:1000,4.27,95.75,165.0,", "20180101:1000,4.27,95.75,,")
    with pytest.raises(CerInputError) as exc:
        read_tmy(text.encode(), "hole.csv")
    lines = text.splitlines()
    line_no = next(i for i, line in enumerate(lines) if line.startswith("20180101:1000")) + 1
    assert exc.value.problems[0].where == f"hole.csv:{line_no}"
    assert exc.value.problems[0].code == "weather.value"
    assert "G(h)" in exc.value.message("en") and "empty" in exc.value.message("en")


# --------------------------------------------------------------------------------------------------
# Hourly series
# --------------------------------------------------------------------------------------------------

def test_read_hourly_csv_sample():
    s = read_hourly(SERIES_CSV.read_bytes(), SERIES_CSV.name)
    assert s.has_power and len(s.data) == 8784  # 2020 is a leap year
    assert (s.kwp, s.losses_pct, s.tilt_deg) == (1.0, 14.0, 35.0)
    assert s.azimuth_deg == 180.0  # PVGIS aspect 0 (south) → studio 180
    assert set(s.data.index.minute) == {10}
    assert s.radiation_db == "PVGIS-SARAH2"


@pytest.mark.parametrize("aspect, azimuth", [("-90", 90.0), ("90", 270.0), ("45", 225.0), ("180", 0.0)])
def test_pvgis_aspect_becomes_the_studios_azimuth(aspect, azimuth):
    """PVGIS: 0 = south, -90 = east, 90 = west; the studio (pvlib): 180 = south, 90 = east, 270 = west."""
    text = series_csv_text().replace("Azimuth: 0 deg.", f"Azimuth: {aspect} deg.")
    assert read_hourly(text.encode(), "s.csv").azimuth_deg == azimuth


def test_read_hourly_json_sample():
    s = read_hourly(SERIES_JSON.read_bytes(), SERIES_JSON.name)
    assert len(s.data) == 72 and s.kwp == 1.0 and s.azimuth_deg == 180.0
    assert s.data.loc["2020-06-19 11:10+00:00", "P"] == pytest.approx(509.17)


def test_read_hourly_refuses_a_tmy():
    with pytest.raises(CerInputError) as exc:
        read_hourly(TMY_45_8.read_bytes(), "tmy.csv")
    assert exc.value.problems[0].code == "pvgis.tmy_as_series"
    assert "site.weather" in exc.value.message("en")


# --------------------------------------------------------------------------------------------------
# Production from seriescalc files
# --------------------------------------------------------------------------------------------------

def test_seriescalc_p_scaled_and_floored_to_the_hour():
    raw = read_hourly(SERIES_CSV.read_bytes(), "s.csv").data
    values, info = _production_from_file(SERIES_CSV.read_bytes(), "s.csv", 2020, plant(kwp=20.0))
    axis = hours_utc(2020)
    assert len(values) == len(axis) == 8784
    assert info["method"] == "P" and info["scale"] == 20.0 and info["minute_offsets"] == [10]
    # 21 June 2020 11:10 UTC → the hour starting 11:00 UTC (13:00 local)
    i = axis.get_loc(pd.Timestamp("2020-06-21 11:00", tz="UTC"))
    assert values[i] == pytest.approx(raw.loc["2020-06-21 11:10+00:00", "P"] / 1000 * 20.0)
    # the local year starts at 23:00 UTC of 31/12/2019, which the file lacks: wrapped from 31/12/2020 23:10
    assert values[0] == pytest.approx(raw["P"].iloc[-1] / 1000 * 20.0)
    # every row used once: the year's energy equals the file's (the wrapped and the dropped hour are night)
    assert values.sum() == pytest.approx(raw["P"].sum() / 1000 * 20.0)


def test_seriescalc_multi_year_picks_the_simulated_year_or_says_which():
    text = series_csv_text()
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("time,"))
    data_rows = [line for line in lines[header + 1:] if line[:1].isdigit()]
    # a second year: 2021 made of 2020's rows without 29 February, P × 1.1 to tell them apart
    rows_2021 = []
    for line in data_rows:
        if line.startswith("202002 29".replace(" ", "")):
            continue
        parts = line.split(",")
        parts[0] = "2021" + parts[0][4:]
        parts[1] = f"{float(parts[1]) * 1.1:.2f}"
        rows_2021.append(",".join(parts))
    tail_at = header + 1 + len(data_rows)
    two_years = "\n".join(lines[:tail_at] + rows_2021 + lines[tail_at:]).encode()
    v2020, _ = _production_from_file(two_years, "two.csv", 2020, plant(kwp=1.0))
    v2021, info21 = _production_from_file(two_years, "two.csv", 2021, plant(kwp=1.0))
    assert info21["file_year"] == 2021 and "note_en" not in info21
    assert v2021.sum() == pytest.approx(1.1 * v2020.sum(), rel=0.01)
    v2023, info23 = _production_from_file(two_years, "two.csv", 2023, plant(kwp=1.0))
    assert info23["file_year"] == 2021 and "2023" in info23["note_en"] and "2021" in info23["note_it"]
    assert v2023.sum() == pytest.approx(v2021.sum(), rel=1e-9)


def test_seriescalc_partial_period_is_refused():
    with pytest.raises(CerInputError) as exc:
        _production_from_file(SERIES_JSON.read_bytes(), "tre_giorni.json", 2020, plant())
    assert exc.value.problems[0].code == "pvgis.partial"
    assert "19/06/2020" in exc.value.message("it") and "72" in exc.value.message("en")


def test_seriescalc_without_p_goes_through_the_model():
    with_p, _ = _production_from_file(SERIES_CSV.read_bytes(), "s.csv", 2020, plant(kwp=1.0))
    no_p, info = _production_from_file(drop_column(series_csv_text(), "P"), "g.csv", 2020, plant(kwp=1.0))
    assert info["method"] == "G(i)" and info["tilt_deg"] == 35.0
    # same plane irradiance, same 14 % losses: the studio's model and PVGIS's agree within a few %
    assert no_p.sum() == pytest.approx(with_p.sum(), rel=0.05)
    assert no_p.max() <= 1.0 / 1.1 + 1e-9  # inverter rating kWp / DC-AC ratio
    assert np.corrcoef(no_p, with_p)[0, 1] > 0.98


def test_seriescalc_without_p_nor_irradiance_is_refused():
    data = drop_column(drop_column(series_csv_text(), "P").decode(), "G(i)")
    with pytest.raises(CerInputError) as exc:
        _production_from_file(data, "t.csv", 2020, plant())
    assert exc.value.problems[0].code == "pvgis.no_power"


def test_tmy_given_as_production_is_refused():
    with pytest.raises(CerInputError) as exc:
        _production_from_file(TMY_45_8.read_bytes(), "tmy.csv", 2023, plant())
    assert exc.value.problems[0].code == "pvgis.tmy_as_series"


# --------------------------------------------------------------------------------------------------
# Through the scenario
# --------------------------------------------------------------------------------------------------

def scenario_doc(plants: list[dict], weather: dict | None = None, year: int = 2020) -> dict:
    site = {"comune": "Milano"}
    if weather:
        site["weather"] = weather
    return {"schema": "cer-studio/scenario@1", "name": "t", "year": year, "site": site,
            "members": [{"id": "m1", "kind": "prosumer", "category": "household", "cabina": "CP1",
                         "load": {"source": "file", "path": "load.csv"}}],
            "plants": plants}


def test_plants_production_mixes_pvlib_and_pvgis_file():
    doc = scenario_doc([
        {"id": "roof", "member": "m1", "kwp": 6.0, "commissioning": "2020-01-01", "tilt_deg": 30},
        {"id": "pvgis", "member": "m1", "kwp": 3.0, "commissioning": "2020-01-01",
         "production": {"source": "file", "path": "serie.csv"}},
    ], weather={"source": "embedded"})
    sc, problems = parse_scenario(doc)
    assert sc is not None, [p.message("en") for p in problems]
    ws = Workspace(doc=doc, files={"serie.csv": SERIES_CSV.read_bytes()})
    out, meta = plants_production(sc, ws)
    assert out.shape == (8784, 2)
    assert meta["weather"]["source"] == "embedded" and meta["weather"]["distance_km"] > 50
    assert meta["plants"]["roof"]["source"] == "pvlib"
    assert 1100 < meta["plants"]["roof"]["yield_kwh_kwp"] < 1450
    assert meta["plants"]["pvgis"]["method"] == "P"
    assert meta["plants"]["pvgis"]["annual_kwh"] == pytest.approx(out[:, 1].sum(), abs=1e-3)
    json.dumps(meta)  # JSON-ready


def test_plants_production_locates_every_problem():
    doc = scenario_doc([
        {"id": "a", "member": "m1", "kwp": 6.0, "commissioning": "2020-01-01", "technology": "perovskite"},
        {"id": "b", "member": "m1", "kwp": 3.0, "commissioning": "2020-01-01",
         "production": {"source": "file", "path": "tmy.csv"}},
        {"id": "c", "member": "m1", "kwp": 3.0, "commissioning": "2020-01-01",
         "production": {"source": "file", "path": "missing.csv"}},
    ], weather={"source": "embedded"})
    sc, _ = parse_scenario(doc)
    ws = Workspace(doc=doc, files={"tmy.csv": TMY_45_8.read_bytes()})
    with pytest.raises(CerInputError) as exc:
        plants_production(sc, ws)
    wheres = [p.where for p in exc.value.problems]
    assert wheres[0] == "plants[0].technology"
    assert wheres[1].startswith("plants[1].production.path → tmy.csv")
    assert wheres[2] == "plants[2].production.path"


def test_weather_file_errors_are_located_at_site_weather_path():
    doc = scenario_doc([{"id": "a", "member": "m1", "kwp": 6.0, "commissioning": "2020-01-01"}],
                       weather={"source": "file", "path": "meteo.epw"})
    sc, _ = parse_scenario(doc)
    ws = Workspace(doc=doc, files={"meteo.epw": b"LOCATION,Milano,-,ITA,IWEC,160660,45.43,9.28,1.0,103.0\n"})
    with pytest.raises(CerInputError) as exc:
        plants_production(sc, ws)
    assert exc.value.problems[0].where == "site.weather.path → meteo.epw"
    assert exc.value.problems[0].code == "weather.epw"


def test_plant_with_zero_kwp_gets_zeros():
    p = dataclasses.replace(plant(kwp=0.0), faces=(Face(0.0, 30.0, 180.0),))
    values, _ = _production_from_file(SERIES_CSV.read_bytes(), "s.csv", 2020, p)
    assert not values.any()


# --------------------------------------------------------------------------------------------------
# Bad uploads: every defect is a CerInputError naming the file, the line (CSV) or JSON path, and what
# was expected -- never a traceback from pvlib, pandas or the typical-year handling
# --------------------------------------------------------------------------------------------------

def tmy_json_doc() -> dict:
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


def tmy_csv_lines() -> tuple[list[str], int]:
    lines = TMY_45_8.read_text(encoding="utf-8").splitlines()
    return lines, next(i for i, line in enumerate(lines) if line.startswith("time(UTC)"))


def refused(reader, data: bytes, name: str) -> Problem:
    with pytest.raises(CerInputError) as exc:
        reader(data, name)
    problem = exc.value.problems[0]
    assert problem.it and problem.en and problem.it != problem.en
    return problem


def test_tmy_csv_with_a_repeated_hour_names_both_lines():
    lines, header = tmy_csv_lines()
    lines[header + 1 + 5] = lines[header + 1 + 4]          # 04:00 twice, 05:00 missing
    p = refused(read_tmy, "\n".join(lines).encode(), "doppia.csv")
    assert p.code == "weather.hours" and p.where == f"doppia.csv:{header + 1 + 5 + 1}"
    assert f"doppia.csv:{header + 1 + 4 + 1}" in p.en and "01/01 04:00" in p.it


def test_tmy_json_with_29_february_instead_of_a_day_is_refused():
    doc = tmy_json_doc()
    rows = doc["outputs"]["tmy_hourly"]
    feb28 = [i for i, r in enumerate(rows) if r["time(UTC)"][4:8] == "0228"]
    for i in feb28:  # the file's 28 February restamped as 29 February (a leap year's day)
        rows[i]["time(UTC)"] = "2016" + "0229" + rows[i]["time(UTC)"][8:]
    p = refused(read_tmy, json.dumps(doc).encode(), "bisestile.json")
    assert p.code == "weather.hours" and "28/02 00:00" in p.en and "8760" in p.it


@pytest.mark.parametrize("edit, where, code", [
    (lambda d: d["inputs"]["location"].update(irradiance_time_offset="abc"), "inputs.location.irradiance_time_offset",
     "weather.offset"),
    (lambda d: d["inputs"]["location"].update(irradiance_time_offset=-0.25), "inputs.location.irradiance_time_offset",
     "weather.offset"),
    (lambda d: d["outputs"].update(months_selected=[1, 2]), "outputs.months_selected", "weather.months"),
    (lambda d: d["inputs"]["location"].update(latitude=999), "inputs.location", "weather.location"),
    (lambda d: d["outputs"]["tmy_hourly"][7].update(T2m="x"), "outputs.tmy_hourly[7].T2m", "weather.value"),
    (lambda d: d["outputs"]["tmy_hourly"][7].pop("T2m"), "outputs.tmy_hourly[7]", "weather.value"),
    (lambda d: d["outputs"]["tmy_hourly"][7].update({"time(UTC)": "2018-01-01 07:00"}),
     "outputs.tmy_hourly[7].time(UTC)", "weather.stamp"),
    (lambda d: d["outputs"]["tmy_hourly"].__setitem__(7, 42), "outputs.tmy_hourly[7]", "weather.value"),
])
def test_tmy_json_defects_are_located_by_json_path(edit, where, code):
    doc = tmy_json_doc()
    edit(doc)
    p = refused(read_tmy, json.dumps(doc).encode(), "tmy.json")
    assert p.code == code and p.where == f"tmy.json: {where}"


def test_tmy_value_out_of_range_is_located_by_line_in_csv():
    lines, header = tmy_csv_lines()
    fields = lines[header + 1 + 12].split(",")
    fields[1] = "85.0"   # T2m
    lines[header + 1 + 12] = ",".join(fields)
    p = refused(read_tmy, "\n".join(lines).encode(), "caldo.csv")
    assert p.code == "weather.value" and p.where == f"caldo.csv:{header + 1 + 12 + 1}" and "T2m" in p.en


def test_tmy_csv_with_an_extra_header_line_is_read():
    """docs/formats.md §5.1: find ``time(UTC)`` instead of counting lines (newer PVGIS versions add header lines)."""
    lines, _ = tmy_csv_lines()
    lines.insert(3, "Radiation database: PVGIS-SARAH3")
    tmy = read_tmy("\n".join(lines).encode(), "nuovo.csv")
    ref = read_tmy(TMY_45_8.read_bytes(), "ref.csv")
    assert tmy.irradiance_offset_h == ref.irradiance_offset_h and tmy.months_selected == ref.months_selected
    pd.testing.assert_frame_equal(tmy.data, ref.data)


def test_tmy_csv_bad_latitude_names_its_line():
    lines, _ = tmy_csv_lines()
    lines[0] = "Latitude (decimal degrees): abc"
    p = refused(read_tmy, "\n".join(lines).encode(), "lat.csv")
    assert p.where == "lat.csv:1" and p.code == "weather.location"


def test_deeply_nested_json_is_refused_not_a_recursion_error():
    deep = b'{"outputs": {"tmy_hourly": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    assert refused(read_tmy, deep, "deep.json").code == "pvgis.json"
    deep_hourly = b'{"outputs": {"hourly": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    assert refused(read_hourly, deep_hourly, "deep.json").code == "pvgis.json"


def series_lines() -> tuple[list[str], int]:
    lines = series_csv_text().splitlines()
    return lines, next(i for i, line in enumerate(lines) if line.startswith("time,"))


@pytest.mark.parametrize("row, code, said", [
    (lambda f: f[:1] + ["abc"] + f[2:], "pvgis.number", "P"),
    (lambda f: f[:2], "pvgis.fields", "7"),
    (lambda f: f + ["5"], "pvgis.fields", "7"),
    (lambda f: ["2020-01-01 00:10"] + f[1:], "pvgis.stamp", "YYYYMMDD:HHMM"),
    (lambda f: ["20201301:0010"] + f[1:], "pvgis.stamp", "20201301:0010"),
    (lambda f: f[:-1] + [""], "pvgis.number", "Int"),
])
def test_seriescalc_csv_defects_are_located_by_line(row, code, said):
    lines, header = series_lines()
    lines[header + 1 + 3] = ",".join(row(lines[header + 1 + 3].split(",")))
    p = refused(read_hourly, "\n".join(lines).encode(), "serie.csv")
    assert p.code == code and p.where == f"serie.csv:{header + 1 + 3 + 1}" and said in p.en


@pytest.mark.parametrize("edit", [
    lambda d: d["inputs"].update(mounting_system="fixed"),
    lambda d: d["inputs"]["mounting_system"]["fixed"].update(slope=35),
    lambda d: d["inputs"].update(location=[45.0, 8.0]),
    lambda d: d["inputs"].update(pv_module="c-Si"),
    lambda d: d["inputs"].update(meteo_data=["SARAH"]),
])
def test_seriescalc_json_with_odd_metadata_is_read(edit):
    """Metadata blocks of an unexpected shape count as absent (they only describe the series)."""
    doc = json.loads(SERIES_JSON.read_bytes())
    edit(doc)
    s = read_hourly(json.dumps(doc).encode(), "serie.json")
    assert len(s.data) == 72 and s.data["P"].sum() == pytest.approx(read_hourly(SERIES_JSON.read_bytes(), "s").data["P"].sum())


def test_seriescalc_json_row_defects_are_located_by_json_path():
    doc = json.loads(SERIES_JSON.read_bytes())
    doc["outputs"]["hourly"][3].pop("Int")
    p = refused(read_hourly, json.dumps(doc).encode(), "serie.json")
    assert p.where == "serie.json: outputs.hourly[3]" and "Int" in p.en


def test_seriescalc_without_p_needs_the_location():
    doc = json.loads(SERIES_JSON.read_bytes())
    for row in doc["outputs"]["hourly"]:
        row.pop("P")
    del doc["inputs"]["location"]["latitude"]
    from cer_core.solar.production import _kwh_from_plane

    s = read_hourly(json.dumps(doc).encode(), "g.json")
    with pytest.raises(CerInputError) as exc:
        _kwh_from_plane(s, s.data, plant(kwp=1.0), "g.json", 2020)
    assert exc.value.problems[0].code == "pvgis.location"


def test_seriescalc_p_is_degraded_with_the_plants_age_like_a_pvlib_plant():
    """PVGIS's P is a new plant's output (PVGIS models no ageing): the plant's degradation applies as for pvlib."""
    import datetime as dt

    new, _ = _production_from_file(SERIES_CSV.read_bytes(), "s.csv", 2020, plant(kwp=1.0))
    old = plant(kwp=1.0, commissioning=dt.date(2010, 5, 1), degradation_pct_per_year=0.5)
    aged, info = _production_from_file(SERIES_CSV.read_bytes(), "s.csv", 2020, old)
    assert info["degradation_factor"] == pytest.approx(0.95)
    np.testing.assert_allclose(aged, 0.95 * new)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                          st.sampled_from(["", " ", "-0.0", "+.5", "5.", "1e3", "1E-3", "1_0", " 2.5 ", "\t3",
                                           "nan", "inf", "-inf", "1E400", "9" * 400, "0x10", "1.2.3", "e5", "+", "1e", "٣"]),
                          st.text(alphabet="0123456789.+-eE_ ", max_size=6)),
                min_size=3, max_size=3))
def test_the_fast_row_match_only_accepts_rows_the_full_check_accepts(values):
    """``_plain_row_pattern`` is a shortcut for the common row: whatever it matches, ``_check_row`` passes."""
    from cer_core.io.pvgis import _check_row, _plain_row_pattern

    columns = ["time(UTC)", "a", "b", "c"]
    line = ",".join(["20200101:0000", *values])
    if _plain_row_pattern(3).match(line):
        _check_row(line, columns, "x:1", "weather.value")  # raises if the shortcut let a bad row through


def test_a_row_the_fast_match_skips_is_still_checked_and_located():
    from cer_core.io.pvgis import _check_csv_rows

    rows = ["time(UTC),a,b", "20200101:0000,1.0,2.0", "20200101:0100,1_0,2.0", "20200101:0200,nan,2.0"]
    with pytest.raises(CerInputError) as exc:
        _check_csv_rows(rows, 0, "tmy.csv", "weather.value")
    assert exc.value.problems[0].where == "tmy.csv:4"


def test_pvgis_json_with_a_number_of_more_than_4300_digits_is_refused():
    """Found by tests/test_readers_properties.py: json.loads raised Python's ValueError (integer string
    conversion limit) through read_hourly instead of a refusal naming the file."""
    data = (ROOT / "tests" / "data" / "samples" / "pvgis_seriescalc_orario_3giorni.json").read_bytes()
    bad = data.replace(b'"outputs"', b'"x": ' + b"9" * 5000 + b', "outputs"', 1)
    assert bad != data
    with pytest.raises(CerInputError) as exc:
        read_hourly(bad, "serie.json")
    (p,) = exc.value.problems
    assert p.code == "pvgis.json" and p.where == "serie.json" and "4300" in p.it and "4300" in p.en


SERIES_CSV = ROOT / "tests" / "data" / "samples" / "pvgis_seriescalc_orario_2020_1kWp_35deg.csv"


def _lines_swapped(i: int, j: int) -> bytes:
    lines = SERIES_CSV.read_bytes().split(b"\n")
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


@pytest.mark.parametrize("data,where,prefix", [
    (_lines_swapped(1, 2), "serie.csv:2", "Longitude"),        # was read with longitude = the elevation, 122°
    (_lines_swapped(2, 3), "serie.csv:3", "Elevation"),        # was pvlib's ValueError as the message
])
def test_seriescalc_head_lines_out_of_place_are_refused_by_line(data, where, prefix):
    """Found by tests/test_readers_properties.py: pvlib reads the first four lines by position."""
    with pytest.raises(CerInputError) as exc:
        read_hourly(data, "serie.csv")
    (p,) = exc.value.problems
    assert p.code == "pvgis.header" and p.where == where
    assert f"«{prefix} …: valore»" in p.it and f"'{prefix} …: value'" in p.en


def test_seriescalc_head_line_without_colon_is_refused_by_line():
    """A header line 'NaN' (no colon) was pvlib's 'IndexError: list index out of range'."""
    lines = SERIES_CSV.read_bytes().split(b"\n")
    lines[5] = b"NaN"
    with pytest.raises(CerInputError) as exc:
        read_hourly(b"\n".join(lines), "serie.csv")
    (p,) = exc.value.problems
    assert p.where == "serie.csv:6" and "NaN" in p.en and "':'" in p.en and "«:»" in p.it


def test_seriescalc_with_cr_only_line_ends_is_read_as_the_original():
    """Old Mac / some spreadsheet exports end lines with CR only: refused with pvlib's ValueError before."""
    data = SERIES_CSV.read_bytes()
    got = read_hourly(data.replace(b"\r\n", b"\r"), "serie.csv")
    want = read_hourly(data, "serie.csv")
    pd.testing.assert_frame_equal(got.data, want.data)
    assert (got.lat, got.lon, got.kwp, got.tilt_deg) == (want.lat, want.lon, want.kwp, want.tilt_deg)
