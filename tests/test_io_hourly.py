"""From an import to the simulated hourly year: placement, other years, extension; the CLI."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

from cer_core.bands import day_type_of_hour, local_hour_of_day
from cer_core.errors import CerInputError
from cer_core.io import (EXTENDED, MEASURED, read_hourly_csv, read_hourly_series, read_load_file, read_meter_files,
                         to_hourly_year, write_hourly_csv)
from cer_core.io.hourly import hourly_sums
from cer_core.io.report import load_command
from cer_core.timeaxis import hours_utc, local_month
from io_helpers import CASES, SAMPLES, case, make_cases, sample, truth_for


def test_full_year_file_is_the_year():
    name, data = sample("edistribuzione_wide_quartorario_2024_piccola_impresa.csv")
    result = read_meter_files([(name, data)])
    hourly = to_hourly_year(result, 2024)
    s = result.series[0]
    h, kwh, _q = hourly_sums(s.start_s, s.kwh_import, s.quality, 15)
    axis = hours_utc(2024).as_unit("s").asi8
    np.testing.assert_array_equal(h, axis)
    np.testing.assert_allclose(hourly.kwh, kwh)
    assert hourly.report["annual_kwh"] == pytest.approx(21899.307, abs=1e-6)
    assert hourly.report["hours_from_year"] == 8784 and hourly.report["extended_hours"] == 0
    # the 25-hour October day keeps its total
    day = (axis >= pd.Timestamp("2024-10-27T00:00+02:00").value // 10**9) & (
        axis < pd.Timestamp("2024-10-28T00:00+01:00").value // 10**9)
    assert day.sum() == 25
    text = data.decode().splitlines()
    row = next(r for r in text if r.startswith("27/10/2024")).split(";")[1:]
    assert hourly.kwh[day].sum() == pytest.approx(sum(float(c.replace(",", ".")) for c in row), abs=1e-9)


def test_previous_year_file_is_shifted_by_52_weeks():
    name, data = sample("edistribuzione_wide_quartorario_2024_piccola_impresa.csv")
    result = read_meter_files([(name, data)])
    h25 = to_hourly_year(result, 2025)
    h24 = to_hourly_year(result, 2024)
    assert h25.kwh.shape == (8760,)
    codes = [w.code for w in h25.warnings]
    assert "year.shifted" in codes and "year.extended" not in codes
    assert np.all(h25.quality == EXTENDED)
    # 6 Jan 2025 (Monday) gets 8 Jan 2024 (Monday, 52 weeks earlier), hour by hour
    a = hours_utc(2025).get_loc(pd.Timestamp("2025-01-06T10:00+01:00"))
    b = hours_utc(2024).get_loc(pd.Timestamp("2024-01-08T10:00+01:00"))
    assert h25.kwh[a:a + 8] == pytest.approx(h24.kwh[b:b + 8])
    # weekdays stay weekdays: working-day hours are the busy ones in both years
    wd25 = day_type_of_hour(2025) == 0
    assert h25.kwh[wd25].mean() > 2 * h25.kwh[~wd25].mean()


def test_one_week_is_extended_with_typical_week_and_seasonality():
    result = read_meter_files([sample("chain2gate_websocket_1settimana_2024-06-10.jsonl")])
    flat = to_hourly_year(result, 2024)
    factors = np.array([1.2, 1.1, 1.0, 0.9, 0.9, 1.0, 1.0, 0.9, 0.9, 1.0, 1.1, 1.2])
    seasonal = to_hourly_year(result, 2024, monthly_factors=factors)
    measured = flat.quality != EXTENDED
    assert measured.sum() == 7 * 24
    np.testing.assert_allclose(flat.kwh[measured], seasonal.kwh[measured])
    codes = {w.code for w in flat.warnings}
    assert {"year.extended", "year.short_data", "chain2.gap"} <= codes
    # extension = typical (day type, hour) of the week × month factor / June's factor
    ext = ~measured
    dt, hr, m = day_type_of_hour(2024)[ext], local_hour_of_day(2024)[ext], local_month(2024)[ext]
    jan_wd_10 = (dt == 0) & (hr == 10) & (m == 1)
    ratio = seasonal.kwh[ext][jan_wd_10] / flat.kwh[ext][jan_wd_10]
    np.testing.assert_allclose(ratio, 1.2 / 1.0)


def test_read_load_file_meta_is_json_ready():
    import json

    name, data = case("pcf_2024-10_autunno.csv")
    kwh, meta = read_load_file(data, name, 2024)
    assert not kwh.flags.writeable
    json.dumps(meta)
    assert meta["format"] == "pcf" and meta["pod"] == "IT012E90000456" and meta["direction"] == "import"
    assert meta["import"]["intervals"] == 31 * 96 + 4
    assert {w["code"] for w in meta["warnings"]} == {"year.extended"}
    assert all(set(w) >= {"it", "en", "code"} for w in meta["warnings"])
    # a production series from a producer's meter takes the injections
    prod = read_hourly_series(data, name, 2024, kind="production")
    assert prod.flags.writeable and prod.sum() < kwh.sum()


def test_read_hourly_series_reads_every_format():
    for name in ("edis_wide_2024-10_100col.csv", "pcf_2024-03_excel.xlsx", "edis_mensili_2024_q1.zip",
                 "home_assistant_2024-10-26_dst.csv", "generico_semiorario_2024-10.csv"):
        kwh = read_hourly_series((CASES / name).read_bytes(), name, 2024)
        assert kwh.shape == (8784,) and np.all(np.isfinite(kwh)) and kwh.min() >= 0


def test_hourly_values_equal_the_truth_on_both_dst_days():
    for name in ("edis_wide_2024-10_extra_row.csv", "edis_wide_2024-03_positional.csv"):
        result = read_meter_files([case(name)])
        hourly = to_hourly_year(result, 2024)
        axis = hours_utc(2024).as_unit("s").asi8
        sel = hourly.quality == MEASURED
        np.testing.assert_allclose(hourly.kwh[sel], truth_for(axis[sel], 60), atol=1e-9)


def _args(**kw):
    return types.SimpleNamespace(**{"year": None, "out": None, **kw})


def test_cli_load_writes_the_scenario_csv(tmp_path, capsys):
    out = tmp_path / "serie.csv"
    rc = load_command(_args(file=str(SAMPLES / "edistribuzione_wide_quartorario_2024_piccola_impresa.csv"),
                            out=str(out)), "it")
    assert rc == 0
    printed = capsys.readouterr().out
    assert "e-distribuzione" in printed and "21.899,3" in printed and "F1 78,7%" in printed
    kwh = read_hourly_csv(out.read_bytes(), "serie.csv", 2024)
    assert kwh.sum() == pytest.approx(21899.307, abs=0.01)


def test_cli_load_bills_and_year(tmp_path, capsys):
    out = tmp_path / "b.csv"
    rc = load_command(_args(file=str(SAMPLES / "bollette_mensili_2024_piccola_impresa.csv"), out=str(out),
                            year=2024), "en")
    assert rc == 0
    printed = capsys.readouterr().out
    assert "Bills: 12" in printed and "reproduced within 0.0000 kWh" in printed
    assert read_hourly_csv(out.read_bytes(), "b.csv", 2024).sum() == pytest.approx(21896, abs=8784 * 5e-5)


def test_cli_load_bad_input_exit_2(tmp_path, capsys):
    rc = load_command(_args(file=str(CASES / "male_giorno_94_valori.csv")), "it")
    assert rc == 2
    err = capsys.readouterr().err
    assert "male_giorno_94_valori.csv:6" in err and "trovati 94 valori" in err
    big = tmp_path / "enorme.csv"
    with open(big, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: nothing is read
    assert load_command(_args(file=str(big)), "en") == 2
    assert "200 MB" in capsys.readouterr().err
    assert load_command(_args(file=str(tmp_path / "nope.csv")), "en") == 2


def test_cli_entry_point(tmp_path):
    from cer_core.cli import main

    assert main(["load", str(CASES / "male_vuoto.csv")]) == 2
    assert main(["--lang", "en", "load", str(CASES / "generico_orario_2024-10_senza_fuso.csv"), "--year", "2024",
                 "--out", str(tmp_path / "x.csv")]) == 0
    assert write_hourly_csv(read_hourly_csv((tmp_path / "x.csv").read_bytes(), "x", 2024), 2024) == (
        tmp_path / "x.csv").read_bytes()


def test_truth_helper_is_hour_sensitive():
    """The synthetic truth changes from one hour to the next, so a one-hour shift would be caught."""
    s = make_cases.quarters("2024-10-27", "2024-10-27")
    v = make_cases.truth_kwh(s)
    assert np.mean(np.abs(v[4:] - v[:-4]) > 1e-9) > 0.9


def test_cli_load_several_pods_names_the_pod_of_the_year(capsys):
    assert load_command(_args(file=str(CASES / "pcf_2024-03_due_pod.csv")), "it") == 0
    out = capsys.readouterr().out
    assert "POD IT012E90000456:" in out and out.index("POD IT012E90000456:") < out.index("Anno 2024")


def test_cli_load_unwritable_output_exits_2(tmp_path, capsys):
    rc = load_command(_args(file=str(CASES / "generico_orario_2024-10_senza_fuso.csv"),
                            out=str(tmp_path / "manca" / "serie.csv")), "en")
    assert rc == 2 and "cannot write the file" in capsys.readouterr().err


def test_scenario_csv_messages_count_blank_lines():
    text = write_hourly_csv(np.ones(8784), 2024).decode().splitlines()
    text.insert(3, "")
    text[10] = text[10].split(",")[0] + ",abc"  # line 11 of the file
    with pytest.raises(CerInputError) as exc:
        read_hourly_csv("\n".join(text).encode(), "a.csv", 2024)
    assert exc.value.problems[0].where == "a.csv:11"


def test_measured_shape_names_the_file_it_was_given():
    from cer_core.io.shape import measured_shape_from_bytes

    data = (SAMPLES / "chain2gate_websocket_1settimana_2024-06-10.jsonl").read_bytes()
    a, meta_a = measured_shape_from_bytes(data, "anna.jsonl", 2024)
    b, meta_b = measured_shape_from_bytes(data, "bruno.jsonl", 2024)  # same bytes, another member's file
    assert meta_a["path"] == "anna.jsonl" and meta_b["path"] == "bruno.jsonl"
    assert all(w["it"].startswith("bruno.jsonl") for w in meta_b["warnings"])
    np.testing.assert_array_equal(a, b)
    assert a.sum() == pytest.approx(1.0) and meta_a["method"] == "typical_week"
