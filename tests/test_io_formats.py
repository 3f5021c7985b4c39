"""Every supported format reads back the synthetic truth exactly, on both clock-change days."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cer_core.errors import CerInputError
from cer_core.io import ESTIMATED, FILLED, MEASURED, read_meter_files, to_hourly_year
from cer_core.io.localtime import fmt_local
from cer_core.timeaxis import hours_utc
from io_helpers import case, make_cases, sample, truth_for

OCT_2024_QUARTERS = 31 * 96 + 4  # 27/10 has 25 hours
MAR_2024_QUARTERS = 31 * 96 - 4  # 31/03 has 23 hours


def utc(text: str) -> int:
    return int(pd.Timestamp(text).tz_convert("UTC").value // 10**9)


# (file, format, interval [min], intervals, estimated, filled-by-the-reader)
CASES = [
    ("edis_wide_2024-10_100col.csv", "edistribuzione_15", 15, OCT_2024_QUARTERS, 0, 0),
    ("edis_wide_2024-10_extra_row.csv", "edistribuzione_15", 15, OCT_2024_QUARTERS, 0, 0),
    ("edis_wide_2024-10_excel.xlsx", "edistribuzione_15", 15, OCT_2024_QUARTERS, 0, 0),
    ("edis_wide_2024-03_zeros.csv", "edistribuzione_15", 15, MAR_2024_QUARTERS, 0, 0),
    ("edis_wide_2024-03_positional.csv", "edistribuzione_15", 15, MAR_2024_QUARTERS, 0, 0),
    ("edis_wide_2024-03_excel_resaved.csv", "edistribuzione_15", 15, MAR_2024_QUARTERS, 0, 0),
    ("edis_orario_2024-03.csv", "edistribuzione_60", 60, MAR_2024_QUARTERS // 4, 0, 0),
    ("pcf_2024-10_autunno.csv", "pcf", 15, OCT_2024_QUARTERS, 0, 0),
    ("pcf_2024-03_excel.xlsx", "pcf", 15, 6 * 96 - 4, 0, 0),
    ("chain2_csv_2024-03-30_dst.csv", "chain2_csv", 15, 192, 0, 0),
    ("home_assistant_2024-10-26_dst.csv", "home_assistant", 15, 192, 0, 0),
    ("home_assistant_2024-03-30_dst.csv", "home_assistant", 15, 192, 0, 0),
    ("generico_orario_2024-10_senza_fuso.csv", "generic", 60, 12 * 24 + 1, 0, 0),
    ("generico_quartorario_2024-03_kw.csv", "generic", 15, 9 * 96 - 4, 0, 0),
    ("generico_data_e_ora_2024-10.csv", "generic", 15, 5 * 96 + 4, 0, 0),
    ("generico_semiorario_2024-10.csv", "generic", 60, 5 * 24 + 1, 0, 0),
    ("generico_ora_1_25_2024-10.csv", "generic", 60, 5 * 24 + 1, 0, 0),
    ("generico_seriali_excel_2024-03.xlsx", "generic", 60, 5 * 24 - 1, 0, 0),
]


@pytest.mark.parametrize("name,fmt,interval,n,n_est,n_filled", CASES)
def test_reads_the_truth_exactly(name, fmt, interval, n, n_est, n_filled):
    result = read_meter_files([case(name)])
    (s,) = result.series
    assert s.formats == (fmt,) and s.interval_min == interval
    assert len(s.start_s) == n
    assert np.all(np.diff(s.start_s) == interval * 60)
    assert int((s.quality == ESTIMATED).sum()) == n_est and int((s.quality == FILLED).sum()) == n_filled
    np.testing.assert_allclose(s.kwh_import, truth_for(s.start_s, interval), atol=1e-9)
    # day-based files start at a local midnight (Chain 2 and HA logs at 00:00 UTC): nothing shifted by an hour
    if fmt in ("chain2_csv", "home_assistant"):
        assert s.start_s[0] % 86400 == 0
    else:
        assert fmt_local(s.start_s[0])[11:16] == "00:00"


@pytest.mark.parametrize("name", ["edis_wide_2024-10_100col.csv", "edis_wide_2024-10_extra_row.csv",
                                  "pcf_2024-10_autunno.csv", "generico_data_e_ora_2024-10.csv",
                                  "edis_wide_2024-10_excel.xlsx"])
def test_october_day_has_both_0200_hours(name):
    (s,) = read_meter_files([case(name)]).series
    first = utc("2024-10-27T02:00:00+02:00")  # 00:00 UTC
    second = utc("2024-10-27T02:00:00+01:00")  # 01:00 UTC
    assert second - first == 3600
    idx = {t: i for i, t in enumerate(s.start_s)}
    for t in (first, second, second + 2700):
        assert s.kwh_import[idx[t]] == pytest.approx(make_cases.truth_kwh(np.array([t]))[0])
    hourly = to_hourly_year(s, 2024)  # both 02:00 hours reach the year, each with its own energy
    axis = hours_utc(2024).as_unit("s").asi8
    for t in (first, second):
        k = int(np.searchsorted(axis, t))
        assert hourly.kwh[k] == pytest.approx(truth_for(np.array([t]), 60)[0], abs=1e-9)


def test_october_summed_hour_is_split_and_flagged():
    for name in ("edis_wide_2024-10_sum.csv", "edis_orario_2024-10.csv"):
        result = read_meter_files([case(name)])
        (s,) = result.series
        est = s.quality == ESTIMATED
        assert est.sum() == (8 if s.interval_min == 15 else 2)
        # the day total is kept, the two hours get half each
        truth = truth_for(s.start_s, s.interval_min)
        assert s.kwh_import[est].sum() == pytest.approx(truth[est].sum(), abs=1e-9)
        assert np.allclose(s.kwh_import[~est], truth[~est])
        assert [w.code for w in result.warnings] == ["file.repeated_hour_split"]
        assert "27/10/2024" in result.warnings[0].it and "27/10/2024" in result.warnings[0].en


def test_march_day_has_23_hours_everywhere():
    for name in ("edis_wide_2024-03_zeros.csv", "edis_wide_2024-03_positional.csv", "edis_orario_2024-03.csv",
                 "pcf_2024-03_excel.xlsx", "chain2_csv_2024-03-30_dst.csv", "home_assistant_2024-03-30_dst.csv"):
        (s,) = read_meter_files([case(name)]).series
        day = (s.start_s >= utc("2024-03-31T00:00:00+01:00")) & (s.start_s < utc("2024-04-01T00:00:00+02:00"))
        assert day.sum() * s.interval_min == 23 * 60, name


def test_edistribuzione_sample():
    result = read_meter_files([sample("edistribuzione_wide_quartorario_2024_piccola_impresa.csv")])
    rep = result.report
    assert rep["format"] == "edistribuzione_15" and rep["interval_min"] == 15
    assert rep["intervals"] == 35136 and rep["missing"] == 0 and rep["estimated"] == 8
    assert rep["period"]["from"] == "01/01/2024 00:00+01:00" and rep["period"]["to"] == "01/01/2025 00:00+01:00"
    assert rep["total_kwh"] == pytest.approx(21899.307, abs=1e-6)
    assert sum(rep["bands_kwh"].values()) == pytest.approx(rep["total_kwh"], abs=0.01)
    s = result.series[0]
    assert rep["peak_kw"] == pytest.approx(np.max(s.kwh_import) * 4, abs=1e-3)
    assert not rep["annualised"]


def test_pcf_sample_import_export_and_placeholders():
    result = read_meter_files([sample("pcf_unareti_duereti_curva_2024-03_cambio_ora_legale.csv")])
    (s,) = result.series
    assert s.pod == "IT012E90000456" and len(s.start_s) == MAR_2024_QUARTERS
    assert result.report["placeholders_dropped"] == 4
    assert np.nansum(s.kwh_import) == pytest.approx(235.804, abs=1e-9)
    assert np.nansum(s.kwh_export) == pytest.approx(163.928, abs=1e-9)
    assert result.warnings == []
    frame = s.to_frame()
    assert list(frame.columns) == ["interval_start_utc", "interval_minutes", "kwh_import", "kwh_export", "pod",
                                   "source_format", "quality"]
    assert str(frame["interval_start_utc"].dt.tz) == "UTC"


def test_chain2gate_and_normalised_csv_agree():
    a = read_meter_files([sample("chain2gate_websocket_1settimana_2024-06-10.jsonl")]).series[0]
    b = read_meter_files([sample("chain2_quartorario_normalizzato_2024-06-10.csv")]).series[0]
    assert a.pod == b.pod == "C2G-SYN-000042"
    np.testing.assert_array_equal(a.start_s, b.start_s)
    np.testing.assert_allclose(a.kwh_import, b.kwh_import)
    assert len(a.start_s) == 7 * 96 and int((a.quality == FILLED).sum()) == 8  # the 2 h outage on 12/06


def test_chain2gate_counter_loses_nothing_over_gaps_duplicates_and_resets():
    for name, n_filled, codes in (("chain2gate_2024-10-26_dst.jsonl", 3, {"chain2.gap", "chain2.truncated"}),
                                  ("chain2gate_2024-03-30_dst.jsonl", 1, {"chain2.gap", "chain2.reset"}),
                                  ("chain2_csv_2024-10-26_dst.csv", 2, {"chain2.gap"})):
        result = read_meter_files([case(name)])
        (s,) = result.series
        truth = truth_for(s.start_s, 15)
        assert s.kwh_import.sum() == pytest.approx(truth.sum(), abs=1e-9), name
        ok = s.quality == MEASURED
        np.testing.assert_allclose(s.kwh_import[ok], truth[ok], atol=1e-9)
        assert int((s.quality == FILLED).sum()) == n_filled
        assert {w.code for w in result.warnings} == codes


def test_home_assistant_power_only_is_integrated_not_summed():
    result = read_meter_files([case("home_assistant_solo_potenza.csv")])
    (s,) = result.series
    np.testing.assert_allclose(s.kwh_import, truth_for(s.start_s, 15), atol=1e-9)
    assert np.all(s.quality == ESTIMATED)
    assert [w.code for w in result.warnings] == ["ha.power_integrated"]


def test_home_assistant_report_names_entities():
    rep = read_meter_files([case("home_assistant_2024-10-26_dst.csv")]).report
    assert rep["entities_used"] == ["sensor.contatore_energia_prelevata", "sensor.contatore_energia_immessa"]
    assert "sensor.contatore_potenza_w" in rep["entities_ignored"] and rep["unavailable_states"] > 0


def test_generic_sample_with_offsets():
    (s,) = read_meter_files([sample("generico_lungo_orario_settimana_cambio_ora_2024-03.csv")]).series
    assert s.interval_min == 60 and len(s.start_s) == 167
    text = sample("generico_lungo_orario_settimana_cambio_ora_2024-03.csv")[1].decode().splitlines()[1:]
    values = [float(line.split(";")[1].replace(",", ".")) for line in text]
    np.testing.assert_allclose(s.kwh_import, values)


def test_kw_file_is_converted_and_reported():
    rep = read_meter_files([case("generico_quartorario_2024-03_kw.csv")]).report
    assert rep["unit"] == "kw" and not rep["unit_assumed"]


def test_zip_of_monthly_files_with_a_republished_month():
    result = read_meter_files([case("edis_mensili_2024_q1.zip")])
    (s,) = result.series
    assert [f["name"].split("/")[-1] for f in result.files] == ["curva_2024-01.csv", "curva_2024-02.csv",
                                                              "curva_2024-02_rettifica.csv", "curva_2024-03.csv"]
    assert len(s.start_s) == (31 + 29 + 31) * 96 - 4
    codes = {w.code: w for w in result.warnings}
    assert set(codes) == {"merge.duplicates_differ", "merge.duplicates"}
    assert "curva_2024-02_rettifica.csv" in codes["merge.duplicates_differ"].it
    assert result.report["duplicates_different"] == 1 and result.report["duplicates_equal"] == 29 * 96 - 1
    # the republished value (row of 05/02, 09:45-10:00 local) wins
    t = utc("2024-02-05T09:45:00+01:00")
    assert s.kwh_import[list(s.start_s).index(t)] == pytest.approx(9.999)
    truth = truth_for(s.start_s, 15)
    assert np.sum(np.abs(s.kwh_import - truth) > 1e-9) == 1


def test_same_files_uploaded_twice_and_in_pieces():
    jan = make_cases.wide_csv("2024-01-01", "2024-01-31", "sum").encode()
    feb = make_cases.wide_csv("2024-02-01", "2024-02-29", "sum").encode()
    result = read_meter_files([("gen.csv", jan), ("feb.csv", feb), ("gen_copia.csv", jan)])
    (s,) = result.series
    assert len(s.start_s) == 60 * 96
    np.testing.assert_allclose(s.kwh_import, truth_for(s.start_s, 15))
    assert [w.code for w in result.warnings] == ["merge.duplicates"]


def test_two_pods_are_split():
    result = read_meter_files([case("pcf_2024-03_due_pod.csv")])
    assert result.pods == ["IT012E90000456", "IT012E90000789"]
    b = result.get("IT012E90000789")
    np.testing.assert_allclose(b.kwh_import, truth_for(b.start_s, 15, scale=2.0))
    assert "pods" in result.report and len(result.report["pods"]) == 2


def test_pcf_excel_damage_and_estimated_rows():
    result = read_meter_files([case("pcf_2024-10_excel_resaved.csv")])
    (s,) = result.series
    assert int((s.quality == ESTIMATED).sum()) == 24  # TIPO_DATO other than E
    np.testing.assert_allclose(s.kwh_import, truth_for(s.start_s, 15))


def test_wide_file_with_pod_column_and_different_intervals_merge():
    text = make_cases.wide_csv("2024-01-01", "2024-01-02", "sum").replace("Giorno;", "POD;Giorno;")
    lines = text.split("\r\n")
    text = "\r\n".join([lines[0]] + ["IT001E12345678;" + ln for ln in lines[1:] if ln])
    hourly = make_cases.wide_hourly_csv("2024-01-03", "2024-01-04")
    result = read_meter_files([("q.csv", text.encode()), ("h.csv", hourly.encode())])
    (s,) = result.series
    assert s.pod == "IT001E12345678" and s.interval_min == 60 and len(s.start_s) == 96
    np.testing.assert_allclose(s.kwh_import, truth_for(s.start_s, 60))
    assert [w.code for w in result.warnings] == ["merge.interval"]


def test_gaps_are_filled_by_the_documented_rules():
    text = make_cases.wide_csv("2024-01-01", "2024-01-31", "sum")
    lines = text.split("\r\n")
    cells = lines[10].split(";")  # 10/01/2024 (a Wednesday)
    cells[41:45] = [""] * 4  # 10:00-11:00: one hour, linear
    cells[61:97] = [""] * 36  # 15:00-24:00: nine hours, same slot of the neighbouring weeks
    lines[10] = ";".join(cells)
    result = read_meter_files([("gaps.csv", "\r\n".join(lines).encode())])
    (s,) = result.series
    rep = result.report
    assert rep["missing"] == 40 and rep["filled"] == 40 and rep["longest_gap_h"] == 9.0
    t0 = utc("2024-01-10T10:00:00+01:00")
    i = list(s.start_s).index(t0)
    before, after = s.kwh_import[i - 1], s.kwh_import[i + 4]
    np.testing.assert_allclose(s.kwh_import[i:i + 4], before + (after - before) * np.arange(1, 5) / 5)
    j = list(s.start_s).index(utc("2024-01-10T15:00:00+01:00"))
    week = 7 * 96
    neighbours = np.array([s.kwh_import[j + k * week:j + k * week + 36] for k in (-1, 1, 2, 3)])
    np.testing.assert_allclose(s.kwh_import[j:j + 36], np.median(neighbours, axis=0))
    assert np.all(s.quality[j:j + 36] == FILLED)


def test_fill_false_keeps_nan():
    text = make_cases.wide_csv("2024-01-01", "2024-01-07", "sum").split("\r\n")
    cells = text[3].split(";")
    cells[5] = ""
    text[3] = ";".join(cells)
    (s,) = read_meter_files([("g.csv", "\r\n".join(text).encode())], fill=False).series
    assert np.isnan(s.kwh_import).sum() == 1


def test_rows_of_92_and_100_cells_in_time_order():
    """A clock-change day written as a row with as many cells as the day has quarter-hours."""
    for first, last, hours in (("2024-03-30", "2024-04-01", 23), ("2024-10-26", "2024-10-28", 25)):
        text = make_cases.wide_csv(first, last, "sum").split("\r\n")
        s = make_cases.quarters(first, last)
        day = make_cases.local_of(s).strftime("%d/%m/%Y") == text[2].split(";")[0]
        text[2] = ";".join([text[2].split(";")[0]] + [make_cases.it(v) for v in make_cases.truth_kwh(s[day])])
        assert len(text[2].split(";")) - 1 == hours * 4
        result = read_meter_files([("dst.csv", "\r\n".join(text).encode())])
        (series,) = result.series
        np.testing.assert_array_equal(series.start_s, s)
        np.testing.assert_allclose(series.kwh_import, make_cases.truth_kwh(s))
        assert result.warnings == []


def test_generic_options_override_detection():
    text = "quando;valore;altro\n" + "\n".join(f"01/01/2024 {h:02d}:00;{h};7" for h in range(24))
    (s,) = read_meter_files([("x.csv", text.encode())], value_column="valore", unit="kw").series
    np.testing.assert_allclose(s.kwh_import, np.arange(24.0))
    (e,) = read_meter_files([("x.csv", text.encode())], options={"stamp": "end"}).series
    assert e.start_s[0] == s.start_s[0] - 3600
    with pytest.raises(TypeError):
        read_meter_files([("x.csv", text.encode())], colour="red")


# --- review of issue 5: cases the readers got wrong ---------------------------------------------------

def _without_column(text: str, column: str) -> str:
    lines = text.splitlines()
    j = lines[0].split(";").index(column)
    return "\n".join(";".join(c for k, c in enumerate(ln.split(";")) if k != j) for ln in lines if ln)


def test_pcf_two_pods_without_dst_flag_keep_both_october_hours():
    """Without FL_ORA_LEGALE the repeated hour is told apart by order, POD by POD (not across the file)."""
    text = _without_column(make_cases.pcf_csv("2024-10-26", "2024-10-28", pods=("IT012E90000456", "IT012E90000789")),
                           "FL_ORA_LEGALE")
    result = read_meter_files([("due.csv", text.encode())])
    assert result.pods == ["IT012E90000456", "IT012E90000789"] and result.warnings == []
    for k, s in enumerate(result.series):
        assert len(s.start_s) == 3 * 96 + 4
        np.testing.assert_allclose(s.kwh_import, truth_for(s.start_s, 15, scale=1.0 + k), atol=1e-9)


def _generic_two_pods(step_min: int, first: str, periods: int) -> str:
    lines = ["pod;data_ora;kwh"]
    for k, pod in enumerate(("IT001E00000001", "IT001E00000002")):
        for t in pd.date_range(first, periods=periods, freq=f"{step_min}min", tz="Europe/Rome"):
            lines.append(f"{pod};{t:%d/%m/%Y %H:%M};{make_cases.it((k + 1) * (0.1 + t.hour / 100))}")
    return "\n".join(lines) + "\n"


def test_generic_pod_column_is_read_pod_by_pod():
    # half-hours are summed to hours within each POD (they used to be summed across PODs, then lost)
    result = read_meter_files([("g.csv", _generic_two_pods(30, "2024-01-10", 96).encode())])
    assert result.pods == ["IT001E00000001", "IT001E00000002"]
    for k, s in enumerate(result.series):
        assert s.interval_min == 60 and len(s.start_s) == 48 and (s.quality == MEASURED).all()
        hours = pd.DatetimeIndex(pd.to_datetime(s.start_s, unit="s", utc=True)).tz_convert("Europe/Rome").hour
        np.testing.assert_allclose(s.kwh_import, (k + 1) * 2 * (0.1 + hours.to_numpy() / 100))
    # the October day: each POD has its own two 02:00 hours
    result = read_meter_files([("g.csv", _generic_two_pods(60, "2024-10-27", 25).encode())])
    assert result.warnings == []
    for k, s in enumerate(result.series):
        assert len(s.start_s) == 25 and np.all(np.diff(s.start_s) == 3600)
        idx = {t: i for i, t in enumerate(s.start_s)}
        assert s.kwh_import[idx[utc("2024-10-27T02:00:00+01:00")]] == pytest.approx((k + 1) * 0.12)


def test_excel_numbers_stored_as_text_with_a_decimal_comma():
    """A CSV opened in Excel with an English locale keeps '0,125' as text: still 0.125 kWh, not 125."""
    rows = [["data_ora", "kwh"]] + [[f"01/01/2024 {h:02d}:00", "0,125"] for h in range(24)]
    (s,) = read_meter_files([("t.xlsx", make_cases.to_xlsx(rows))]).series
    np.testing.assert_allclose(s.kwh_import, 0.125)
    rows = [["data_ora", "kwh"]] + [[f"01/01/2024 {h:02d}:00", 1.234] for h in range(24)]  # real numbers
    (s,) = read_meter_files([("n.xlsx", make_cases.to_xlsx(rows))]).series
    np.testing.assert_allclose(s.kwh_import, 1.234)


@pytest.mark.parametrize("header,unit,factor", [("Potenza (kilowatt)", "kw", 1.0), ("Energia (kilowattora)", "kwh", 1.0),
                                                ("Energia (wattora)", "wh", 1e-3), ("Potenza (watt)", "w", 1e-3)])
def test_units_spelled_out(header, unit, factor):
    text = f"data_ora;{header}\n" + "\n".join(f"01/01/2024 {h:02d}:00;2" for h in range(24))
    result = read_meter_files([("u.csv", text.encode())])
    assert result.report["unit"] == unit
    np.testing.assert_allclose(result.series[0].kwh_import, 2 * factor)


def test_hour_column_without_0_or_24_is_read_as_counted_from_1_and_said():
    text = "data;ora;kwh\n" + "\n".join(f"01/01/2024;{h};{h}" for h in range(1, 24))
    result = read_meter_files([("h.csv", text.encode())])
    assert result.series[0].start_s[0] == utc("2024-01-01T00:00:00+01:00")
    assert [w.code for w in result.warnings] == ["file.hour_ordinal"]
    assert "1 = 00:00–01:00" in result.warnings[0].it


def test_home_assistant_entity_with_a_name_that_says_nothing():
    rows = [f"sensor.soggiorno,{20 + k % 5},2024-01-01T{k // 4:02d}:{k % 4 * 15:02d}:00Z" for k in range(96)]
    with pytest.raises(CerInputError) as exc:  # a temperature is not a counter
        read_meter_files([("ha.csv", ("entity_id,state,last_changed\n" + "\n".join(rows)).encode())])
    assert exc.value.problems[0].code == "ha.no_sensor"
    rows = [f"sensor.misura_1,{1000 + k * 0.25:.2f},2024-01-01T{k // 4:02d}:{k % 4 * 15:02d}:00Z" for k in range(96)]
    result = read_meter_files([("ha.csv", ("entity_id,state,last_changed\n" + "\n".join(rows)).encode())])
    np.testing.assert_allclose(result.series[0].kwh_import, 0.25)
    assert [w.code for w in result.warnings] == ["ha.entity_guessed"]


def test_wide_100_columns_with_the_repeated_columns_last_and_rows_that_stop_before_them():
    text = make_cases.wide_csv("2024-10-25", "2024-10-28", "cols100").splitlines()
    header = text[0].split(";")
    order = [k for k, h in enumerate(header) if not h.endswith("*")] + [k for k, h in enumerate(header) if h.endswith("*")]
    rows = []
    for line in text:
        cells = [line.split(";")[k] for k in order]
        while cells[-1] == "":
            cells.pop()
        rows.append(";".join(cells))
    (s,) = read_meter_files([("c.csv", "\n".join(rows).encode())]).series
    assert len(s.start_s) == 4 * 96 + 4
    np.testing.assert_allclose(s.kwh_import, truth_for(s.start_s, 15), atol=1e-9)


def test_wide_march_day_guesses_are_said():
    text = make_cases.wide_csv("2024-03-30", "2024-04-01", "positional")  # 02:xx filled, last hour empty
    result = read_meter_files([("p.csv", text.encode())])
    assert [w.code for w in result.warnings] == ["file.day_in_time_order"]
    assert "31/03/2024" in result.warnings[0].it
    cols = make_cases.wide_csv("2024-03-30", "2024-04-01", "cols100").splitlines()
    cells = cols[2].split(";")
    cells[13:17] = ["0,100"] * 4  # the October-only columns filled on 31/03
    cols[2] = ";".join(cells)
    result = read_meter_files([("c.csv", "\n".join(cols).encode())])
    assert [w.code for w in result.warnings] == ["file.repeated_hour"] and "0.400 kWh" in result.warnings[0].en


def test_thousands_dot_in_a_semicolon_file_is_said():
    text = "data_ora;kwh\n" + "\n".join(f"01/01/2024 {h:02d}:00;1.{h:03d}" for h in range(24))
    result = read_meter_files([("t.csv", text.encode())])
    np.testing.assert_allclose(result.series[0].kwh_import, 1000 + np.arange(24))
    assert [w.code for w in result.warnings] == ["file.thousands_dot"] and "«1.000»" in result.warnings[0].it


def test_injection_rebuilt_where_only_the_withdrawal_is_known_is_said():
    pcf = make_cases.pcf_csv("2024-01-08", "2024-01-09")
    other = make_cases.wide_csv("2024-01-10", "2024-01-11", "sum").replace("Giorno;", "POD;Giorno;")
    other = "\n".join([other.splitlines()[0]] + ["IT012E90000456;" + ln for ln in other.splitlines()[1:]])
    result = read_meter_files([("pcf.csv", pcf.encode()), ("wide.csv", other.encode())])
    (s,) = result.series
    assert "merge.export_filled" in [w.code for w in result.warnings]
    assert result.report["missing_export"] == 2 * 96 and (s.quality == MEASURED).all()
