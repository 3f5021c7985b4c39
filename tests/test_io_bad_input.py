"""Refusals name the file, the line or day and what was expected, in Italian and in English."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cer_core.errors import CerInputError
from cer_core.io import read_hourly_series, read_meter_files, to_hourly_year
from cer_core.io import source as source_mod
from io_helpers import case, make_cases, sample


def refusal(files, **kw):
    with pytest.raises(CerInputError) as exc:
        read_meter_files(files, **kw)
    (p,) = exc.value.problems
    assert p.severity == "error" and p.it and p.en and p.it != p.en
    return p


@pytest.mark.parametrize("name,code,where,it_words,en_words", [
    ("male_vuoto.csv", "file.empty", "male_vuoto.csv", ["vuoto"], ["empty"]),
    ("male_binario.bin", "file.binary", "male_binario.bin", ["binario", "CSV"], ["binary", "CSV"]),
    ("male_bolletta.pdf", "file.pdf", "male_bolletta.pdf", ["PDF", "F1/F2/F3"], ["PDF", "F1/F2/F3"]),
    ("male_formato_sbagliato.csv", "file.format", "male_formato_sbagliato.csv:1", ["non riconosciuto", "nome"],
     ["unrecognised", "nome"]),
    ("male_testo_in_numero.csv", "file.number", "male_testo_in_numero.csv:418", ["ATTIVA_PRELEVATA", "12.5.3"],
     ["ATTIVA_PRELEVATA", "12.5.3", "not a number"]),
    ("male_giorno_94_valori.csv", "file.day_length", "male_giorno_94_valori.csv:6",
     ["giorno 05/02/2024", "trovati 94 valori", "attesi 96"], ["day 05/02/2024", "found 94 values", "expected 96"]),
    ("male_consumo_negativo.csv", "file.negative", "male_consumo_negativo.csv:11", ["negativo", "-0.5"],
     ["negative", "-0.5"]),
])
def test_bad_files(name, code, where, it_words, en_words):
    p = refusal([case(name)])
    assert p.code == code and p.where == where
    assert all(w in p.it for w in it_words), p.it
    assert all(w in p.en for w in en_words), p.en


def test_kw_mistaken_for_kwh_against_contract_power():
    p = refusal([case("male_kw_invece_di_kwh.csv")], contract_kw=3.0)
    assert p.code == "file.implausible" and p.where == "male_kw_invece_di_kwh.csv"
    assert "kW" in p.it and "3,3 kW disponibili" in p.it and "/02/2024" in p.it
    assert "average power in kW instead of kWh" in p.en
    # the same file is plausible for a 15 kW contract, and read as it is
    assert read_meter_files([case("male_kw_invece_di_kwh.csv")], contract_kw=15.0).series


def test_large_but_possible_values_are_kept():
    """40 MW for an hour: a large industrial POD, below the garbage ceiling (no contract power given)."""
    text = "timestamp,kwh\n2024-01-01T00:00:00+01:00,1.5\n2024-01-01T01:00:00+01:00,40000\n"
    assert read_meter_files([("grande.csv", text.encode())]).series


def test_wh_mistaken_for_kwh():
    text = make_cases.wide_csv("2024-02-01", "2024-02-03", "sum", scale=1000.0)
    p = refusal([("wh.csv", text.encode())], contract_kw=6.0)
    assert "Wh invece di kWh" in p.it and "Wh instead of kWh" in p.en


def test_200_mb_upload_refused_before_parsing(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("parsed a file that is too large")

    monkeypatch.setattr("cer_core.io.detect.read_document", boom)
    monkeypatch.setattr(source_mod, "decode_text", boom)
    p = refusal([("grande.csv", bytes(200 * 1024 * 1024))])
    assert p.code == "file.too_large" and p.where == "grande.csv"
    assert "200 MB" in p.it and "50 MB" in p.it and "200 MB" in p.en


def test_zip_bomb_guard(monkeypatch):
    monkeypatch.setattr(source_mod, "MAX_UNZIPPED_BYTES", 1000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.csv", "x" * 5000)
    p = refusal([("a.zip", buf.getvalue())])
    assert p.code == "file.too_large" and "ZIP" in p.it


def test_twenty_year_file_refused():
    # an hourly file with a day at the start of each month for 20 years
    days = pd.date_range("2004-01-01", "2023-12-01", freq="MS")
    rows = ["data_ora;kwh"]
    for d in days:
        rows += [f"{d:%d/%m/%Y} {h:02d}:00;0,5" for h in range(24)]
    p = refusal([("vent_anni.csv", "\n".join(rows).encode())])
    assert p.code == "file.too_long" and "vent_anni.csv" in p.where
    assert "coprono 19,9 anni" in p.it and "cover 19.9 years" in p.en  # a decimal comma in Italian
    assert "01/01/2004" in p.it and "01/12/2023" in p.it


def test_ambiguous_thousands_in_comma_file():
    text = "timestamp,kwh_import\n2024-01-01T00:00:00+01:00,1.250\n2024-01-01T01:00:00+01:00,2.500\n"
    p = refusal([("amb.csv", text.encode())])
    assert p.code == "file.ambiguous_number" and p.where == "amb.csv:2" and "1.250" in p.it


def test_nonexistent_march_hour_with_value():
    text = "data_ora;kwh\n31/03/2024 01:00;0,5\n31/03/2024 02:00;0,4\n31/03/2024 03:00;0,3\n"
    p = refusal([("marzo.csv", text.encode())])
    assert p.code == "file.nonexistent_hour" and p.where == "marzo.csv:3"
    assert "ora legale" in p.it and "clocks go forward" in p.en
    ok = "data_ora;kwh\n31/03/2024 01:00;0,5\n31/03/2024 02:00;0\n31/03/2024 03:00;0,3\n"
    (s,) = read_meter_files([("marzo.csv", ok.encode())]).series
    assert len(s.start_s) == 2 and np.diff(s.start_s)[0] == 3600


def test_xls_json_pvgis_bills_and_readings_are_named():
    assert refusal([("vecchio.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))]).code == "file.xls"
    assert refusal([("x.json", json.dumps({"a": 1}).encode())]).code == "file.format"
    assert refusal([sample("pvgis_seriescalc_orario_3giorni.json")]).code == "file.pvgis"
    assert refusal([sample("pvgis_seriescalc_orario_2020_1kWp_35deg.csv")]).code == "file.pvgis"
    p = refusal([sample("bollette_mensili_2024_piccola_impresa.csv")])
    assert p.code == "file.is_bills" and "bollette" in p.it
    readings = "Data lettura;Tipo lettura;Lettura;Tipologia Misura\n01/02/2024;SALDO;12345;Energia attiva F1\n"
    p = refusal([("letture.csv", readings.encode())])
    assert p.code == "file.readings" and "letture cumulative" in p.it


def test_chain2_line_that_is_not_json():
    text = case("chain2gate_2024-03-30_dst.jsonl")[1].decode().splitlines()
    text[5] = "garbage"
    p = refusal([("c2.jsonl", "\n".join(text).encode())])
    assert p.code == "file.json" and p.where == "c2.jsonl:6"


def test_dates_and_times_that_do_not_parse():
    p = refusal([("d.csv", b"data_ora;kwh\n01/01/2024 00:00;1\n31/02/2024 01:00;1\n")])
    assert p.code == "file.timestamp" and p.where == "d.csv:3" and "31/02/2024" in p.it
    pcf = case("pcf_2024-10_autunno.csv")[1].decode().split("\r\n")
    cells = pcf[20].split(";")
    cells[2] = "25:00"
    pcf[20] = ";".join(cells)
    p = refusal([("p.csv", "\r\n".join(pcf).encode())])
    assert p.code == "file.time" and p.where == "p.csv:21"


def test_interval_not_supported():
    text = "data_ora;kwh\n" + "\n".join(f"0{d}/01/2024 00:00;5" for d in range(1, 8)) + "\n"
    p = refusal([("giorni.csv", text.encode())])
    assert p.code == "file.interval" and "1440" in p.it


def test_several_pods_need_a_choice():
    result = read_meter_files([case("pcf_2024-03_due_pod.csv")])
    with pytest.raises(CerInputError) as exc:
        to_hourly_year(result, 2024)
    (p,) = exc.value.problems
    assert p.code == "file.several_pods" and "IT012E90000456" in p.it and "IT012E90000789" in p.en
    assert to_hourly_year(result, 2024, "IT012E90000789").kwh.shape == (8784,)


def test_read_hourly_series_keeps_the_strict_scenario_csv():
    from cer_core.io import write_hourly_csv

    good = write_hourly_csv(np.ones(8784), 2024)
    assert read_hourly_series(good, "a.csv", 2024).sum() == pytest.approx(8784)
    short = b"\n".join(good.splitlines()[:-24]) + b"\n"
    with pytest.raises(CerInputError) as exc:
        read_hourly_series(short, "a.csv", 2024)
    assert exc.value.problems[0].code == "file.length"


# --- review of issue 5: inputs that used to end in a traceback or a silent guess ----------------------

def test_damaged_zip_member_and_xlsx_sheet_are_refused():
    good = case("edis_mensili_2024_q1.zip")[1]
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        first = zf.infolist()[0]
    data = bytearray(good)
    start = first.header_offset + 30 + len(first.filename)  # the compressed bytes of the first member
    data[start:start + 40] = bytes(40)
    p = refusal([("mesi.zip", bytes(data))])
    assert p.code == "file.zip" and p.where.startswith("mesi.zip/") and "ZIP" in p.it
    xlsx = bytearray(case("pcf_2024-03_excel.xlsx")[1])
    with zipfile.ZipFile(io.BytesIO(bytes(xlsx))) as zf:
        sheet = next(i for i in zf.infolist() if i.filename.startswith("xl/worksheets/"))
    start = sheet.header_offset + 30 + len(sheet.filename) + sheet.compress_size // 2
    xlsx[start:start + 40] = bytes(40)
    p = refusal([("pcf.xlsx", bytes(xlsx))])
    assert p.code == "file.xlsx" and p.where == "pcf.xlsx" and "Excel" in p.it
    odd = bytearray(case("generico_seriali_excel_2024-03.xlsx")[1])
    i = odd.find(b"PK\x01\x02")  # first central-directory entry: "version needed to extract" 15.7
    odd[i + 6:i + 8] = (157).to_bytes(2, "little")
    assert refusal([("v.xlsx", bytes(odd))]).code == "file.zip"  # zipfile raised NotImplementedError


def test_xlsx_that_unpacks_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(source_mod, "MAX_UNZIPPED_BYTES", 1000)
    p = refusal([case("pcf_2024-03_excel.xlsx")])
    assert p.code == "file.too_large" and "XLSX" in p.it


@pytest.mark.parametrize("field,value,words", [
    ("MeasurePosixTimestamp", '"abc"', ["MeasurePosixTimestamp", "abc"]),
    ("MeasurePosixTimestamp", "[1]", ["MeasurePosixTimestamp"]),
    ("MeasurePosixTimestamp", "1711756800000", ["1711756800000", "1970"]),  # milliseconds
    ("MeasurePosixTimestamp", "-1000000000000", ["MeasurePosixTimestamp"]),
    ("TotalActEnergy", '"12,5 kWh"', ["TotalActEnergy", "12,5 kWh"]),
])
def test_chain2gate_frame_with_bad_fields(field, value, words):
    lines = case("chain2gate_2024-03-30_dst.jsonl")[1].decode().splitlines()
    k = next(i for i, ln in enumerate(lines) if '"CF1"' in ln)
    msg = json.loads(lines[k])
    msg["Chain2Data"]["Payload"][field] = json.loads(value)
    lines[k] = json.dumps(msg)
    p = refusal([("c2.jsonl", "\n".join(lines).encode())])
    assert p.code == "chain2.frame" and p.where == f"c2.jsonl:{k + 1}"
    assert all(w in p.it for w in words) and all(w in p.en for w in words)


def test_chain2gate_payload_that_is_not_an_object():
    lines = case("chain2gate_2024-03-30_dst.jsonl")[1].decode().splitlines()
    k = next(i for i, ln in enumerate(lines) if '"CF1"' in ln)
    lines[k] = '{"Chain2Data":{"Meter":"C2G","Type":"CF1","Payload":[1,2]}}'
    assert refusal([("c2.jsonl", "\n".join(lines).encode())]).where == f"c2.jsonl:{k + 1}"


def _wide_day(date: str) -> str:
    return ("Giorno;" + ";".join(make_cases.LABELS) + "\n" + f"{date};" + ";".join(["0,1"] * 96) + "\n"
            + "02/01/2024;" + ";".join(["0,1"] * 96) + "\n")


@pytest.mark.parametrize("name,text,where", [
    ("wide.csv", _wide_day("01/01/0024"), "wide.csv:2"),
    ("gen.csv", "data_ora;kwh\n01/01/2999 00:00;1\n01/01/2999 01:00;2\n", "gen.csv:2"),
    ("pcf.csv", "POD;DATA;ORA;FL_ORA_LEGALE;ATTIVA_PRELEVATA\nIT001E00000001;00240101;000000;1;1\n", "pcf.csv:2"),
    ("iso.csv", "t;kwh\n2024-01-01T00:00:00+01:00;1\n1024-01-01T01:00:00+01:00;1\n", "iso.csv:3"),
])
def test_dates_outside_plausible_years(name, text, where):
    p = refusal([(name, text.encode())])
    assert p.code == "file.date_range" and p.where == where and "1990–2100" in p.it


def test_home_assistant_instant_that_is_not_a_date():
    text = case("home_assistant_2024-10-26_dst.csv")[1].decode().splitlines()
    cells = text[912].split(",")
    text[912] = ",".join(cells[:2] + ["-0,5"])
    p = refusal([("ha.csv", "\n".join(text).encode())])
    assert p.where == "ha.csv:913" and p.code in ("file.timestamp", "file.date_range")


def test_garbage_values_refused_without_a_contract():
    p = refusal([("g.csv", b"data_ora;kwh\n01/01/2024 00:00;1e308\n01/01/2024 01:00;1e308\n")])
    assert p.code == "file.implausible" and "50 MW" in p.it and "01/01/2024 00:00" in p.en


def test_bad_cells_in_hour_and_excel_serial_columns_name_their_line():
    rows = [f"{d:02d}/01/2024;{h};1" for d in range(1, 5) for h in range(24)]
    rows[70] = "03/01/2024;x;1"  # past the rows that decide the column's kind
    p = refusal([("h.csv", ("data;ora;kwh\n" + "\n".join(rows)).encode())])
    assert p.code == "file.time" and p.where == "h.csv:72" and "«x»" in p.it
    lines = ["timestamp;kwh"] + [f"{45383 + k / 24:.6f};0,5" for k in range(48)]
    lines[10] = ";0,5"  # no date on line 11
    p = refusal([("s.csv", "\n".join(lines).encode())])
    assert p.code == "file.timestamp" and p.where == "s.csv:11" and "Excel" in p.en


def test_pcf_dst_flag_other_than_1_or_2():
    text = "POD;DATA;ORA;FL_ORA_LEGALE;ATTIVA_PRELEVATA\n" + "\n".join(
        f"IT001E00000001;20240101;{h:02d}0000;{7 if h == 3 else 1};1" for h in range(24))
    p = refusal([("p.csv", text.encode())])
    assert p.code == "file.dst_flag" and p.where == "p.csv:5" and "1" in p.it and "2" in p.it


def test_file_with_every_value_empty_is_refused_not_zero():
    text = "data_ora;kwh\n" + "\n".join(f"01/01/2024 {h:02d}:00;" for h in range(24))
    p = refusal([("vuoti.csv", text.encode())])
    assert p.code == "file.no_values" and "vuote" in p.it


def _mutations(data: bytes, rnd) -> list[bytes]:
    """Truncated and garbled versions of a file."""
    out = [data[: rnd.randrange(1, len(data))], data[: len(data) // 2] + data[len(data) // 2 + 137:]]
    b = bytearray(data)
    for _ in range(12):
        b[rnd.randrange(len(b))] = rnd.randrange(256)
    out.append(bytes(b))
    lines = data.split(b"\n")
    i = rnd.randrange(len(lines))
    cells = lines[i].split(b";") if b";" in lines[i] else lines[i].split(b",")
    cells[rnd.randrange(len(cells))] = rnd.choice([b"", b"abc", b"-0,5", b"1.234", b"1e308", b"25:00", b"31/02/2024",
                                                   b"0024-01-01", b"45000", b'"x'])
    lines[i] = (b";" if b";" in lines[i] else b",").join(cells)
    out.append(b"\n".join(lines))
    return out


def test_damaged_versions_of_every_case_raise_only_clear_refusals():
    """Fuzz the readers a little: whatever happens to a file, the user sees a CerInputError, not a traceback."""
    import random

    from io_helpers import CASES, SAMPLES

    rnd = random.Random(5)
    paths = [p for p in sorted(CASES.iterdir()) + sorted(SAMPLES.iterdir())
             if p.suffix != ".py" and 10 < p.stat().st_size < 400_000]
    for path in paths:
        for k, data in enumerate(_mutations(path.read_bytes(), rnd)):
            try:
                read_meter_files([(path.name, data)], contract_kw=rnd.choice([None, 6.0]))
            except CerInputError as exc:
                assert all(p.it and p.en for p in exc.problems)
            except Exception as exc:  # pragma: no cover - the failure message says which file and mutation
                raise AssertionError(f"{path.name} (mutation {k}): {type(exc).__name__}: {exc}") from exc


# --- found by tests/test_readers_properties.py ----------------------------------------------------------

CF1 = ('{"Chain2Data": {"Meter": "M1", "Type": "CF1", "Payload": {"MeasurePosixTimestamp": 1729901700, '
       '"TotalActEnergy": 8400180}}}')


@pytest.mark.parametrize("bad,line", [("9" * 4301, 2), ("[" * 100_000, 2)])
def test_chain2gate_line_the_json_decoder_cannot_hold_is_refused_by_line(bad, line):
    """A Chain2Gate log line of more than 4300 digits (or nested 100 000 deep) raised Python's ValueError
    (RecursionError) from json.loads instead of a refusal naming the line."""
    p = refusal([("c2g.jsonl", f"{CF1}\n{bad}\n{CF1}\n".encode())])
    assert p.code == "file.json" and p.where == f"c2g.jsonl:{line}"
    assert "4300" in p.it and "4300" in p.en


def test_chain2gate_array_with_a_huge_number_is_refused():
    p = refusal([("c2g.json", f"[{CF1}, {'9' * 5000}]".encode())])
    assert p.code == "file.json" and p.where == "c2g.json" and "4300" in p.en


def test_a_line_of_100_000_commas_in_a_wide_file_is_refused_at_once():
    """The date column's zero padding backtracked over a run of commas at every position (quadratic: a 100 000
    comma line inserted in an e-distribuzione file took over a minute); now refused at its line at once."""
    import time

    lines = make_cases.wide_csv("2024-02-01", "2024-02-29", "sum").split("\n")
    lines.insert(10, "," * 100_000)
    start = time.perf_counter()
    p = refusal([("wide.csv", "\n".join(lines).encode())])
    assert time.perf_counter() - start < 2.0
    assert p.code == "file.date" and p.where == "wide.csv:11"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="19/.-T ,:", max_size=16))
def test_zero_padding_of_dates_is_the_one_of_the_former_pattern(text):
    """The linear pattern pads exactly where the former ``([ T,]+)(\\d)([:.])`` did."""
    import re

    from cer_core.io.numbers import zero_pad_dates

    s = re.sub(r"^(\d)([/.\-])", r"0\1\2", text)
    s = re.sub(r"([/.\-])(\d)([/.\-])", r"\g<1>0\2\3", s)
    former = re.sub(r"([ T,]+)(\d)([:.])", r"\g<1>0\2\3", s)
    assert zero_pad_dates(pd.Series([text], dtype=object)).iloc[0] == former


def test_a_header_of_100_000_cells_is_answered_at_once():
    """Found by tests/test_readers_properties.py (a Home Assistant export with a huge first line): the generic
    reader looked at every row of each of the header's columns to guess its kind (columns × rows: seconds for a
    360 kB file), and even on 60 rows a column costs ≈ 0.5 ms (10 000 columns of "1": 5 s). Such a header is
    refused at once, and a header of many cells within the limit still costs its sample rows only."""
    import time

    from cer_core.limits import MAX_GENERIC_COLUMNS

    rows = [f"2024-03-01T{h % 24:02d}:00:00+01:00;0,5" for h in range(6000)]
    start = time.perf_counter()
    p = refusal([("largo.csv", "\n".join([";".join(["x"] * 100_000)] + rows).encode())])
    assert time.perf_counter() - start < 2.0
    assert p.code == "file.format" and p.where == "largo.csv:1" and "100,000" in p.en and "1,000" in p.it
    start = time.perf_counter()
    got = read_meter_files([("largo.csv", "\n".join([";".join(["x"] * MAX_GENERIC_COLUMNS)] + rows).encode())])
    assert time.perf_counter() - start < 3.0
    assert got.series[0].report["format"] == "generic"


@pytest.mark.parametrize("stray", [0, -1, 12, 10**12])
def test_one_stray_chain2_counter_reading_is_dropped_not_a_33_mw_quarter(stray):
    """Found by tests/test_readers_properties.py: ``TotalActEnergy: 0`` in one frame between two readings of
    ~8.4 MWh was a meter reset followed by a quarter of 8 400 kWh (a 33 MW peak in a household's year)."""
    text = make_cases.chain2gate_jsonl("2024-10-26 00:15", "2024-10-26 12:00", truncated=False)
    lines = text.split("\n")
    i = next(k for k, ln in enumerate(lines) if '"CF1"' in ln and k > len(lines) // 2)
    frame = json.loads(lines[i])
    frame["Chain2Data"]["Payload"]["TotalActEnergy"] = stray
    lines[i] = json.dumps(frame)
    clean = read_meter_files([("c2g.jsonl", text.encode())])
    got = read_meter_files([("c2g.jsonl", "\n".join(lines).encode())])
    (s,), (s0,) = got.series, clean.series
    assert s.kwh_import.sum() == pytest.approx(s0.kwh_import.sum(), abs=1e-9)
    assert s.kwh_import.max() < 2 * s0.kwh_import.max()
    assert "chain2.stray" in {w.code for w in got.warnings} and "chain2.reset" not in {w.code for w in got.warnings}


def test_a_counter_that_goes_back_and_stays_there_is_still_a_reset():
    from cer_core.io.chain2 import stray_readings

    np.testing.assert_array_equal(stray_readings(np.array([10.0, 20, 0, 30, 40])), [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(stray_readings(np.array([10.0, 20, 0, 5, 9])), [0, 0, 0, 0, 0])   # reset
    np.testing.assert_array_equal(stray_readings(np.array([10.0, 20, 99, 30, 40])), [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(stray_readings(np.array([10.0, 20, 20, 30])), [0, 0, 0, 0])       # flat


def _home_assistant_with_state(state: str) -> tuple[str, bytes]:
    """The March Home Assistant case with the import counter's middle reading replaced by ``state``."""
    name, data = case("home_assistant_2024-03-30_dst.csv")
    lines = data.decode().split("\n")
    i = next(k for k in range(len(lines) // 2, len(lines)) if "energia_prelevata" in lines[k])
    cells = lines[i].split(",")
    cells[1] = state
    lines[i] = ",".join(cells)
    return name, "\n".join(lines).encode()


@pytest.mark.parametrize("state", ["nan", "null", "-", "n.d."])
def test_an_empty_word_in_a_home_assistant_counter_is_an_unavailable_state(state):
    """Found by tests/test_readers_properties.py: a 'nan' state made every later quarter NaN, then filled with
    estimates: half the measured file was replaced without a warning."""
    (s,) = read_meter_files([_home_assistant_with_state(state)]).series
    (want,) = read_meter_files([_home_assistant_with_state("unavailable")]).series
    np.testing.assert_array_equal(s.kwh_import, want.kwh_import)
    assert (s.quality == want.quality).all() and s.report["filled"] == want.report["filled"] == 0


@pytest.mark.parametrize("state", ["0", "-1", "1e9"])
def test_one_stray_home_assistant_counter_reading_is_dropped_not_a_1234_kwh_quarter(state):
    """Found by tests/test_readers_properties.py: a state '0' of a 1 234 kWh import counter was a reset, stitched
    into a 1 234 kWh quarter (a 1e9 one into a refusal of the whole file); it now counts as a missing reading."""
    got = read_meter_files([_home_assistant_with_state(state)])
    (want,) = read_meter_files([_home_assistant_with_state("unavailable")]).series
    np.testing.assert_allclose(got.series[0].kwh_import, want.kwh_import, atol=1e-12)
    codes = {w.code for w in got.warnings}
    assert "ha.stray" in codes and "ha.reset" not in codes


def test_a_refusal_after_merging_a_pods_files_names_the_files_not_only_the_pod():
    """Found by tests/test_readers_properties.py: a Chain 2 CSV cut after its first reading was refused as
    'C2G-SYN-000042: no consumption value in the files…', which does not say which file."""
    text = ("interval_start_utc,interval_end_utc,meter_id,tariff_code,total_import_wh,quarter_import_wh\n"
            "2024-06-09T22:00:00Z,2024-06-09T22:15:00Z,C2G-SYN-000042,3,8,\n")
    p = refusal([("c2.csv", text.encode())])
    assert p.code == "file.no_values" and p.where == "c2.csv (C2G-SYN-000042)"


@pytest.mark.parametrize("column,bad,code", [("kwh", "#DIV/0!", "file.number"), ("kwh", "１２", "file.number"),
                                             ("data_ora", "abc", "file.timestamp")])
def test_a_garbled_cell_in_the_first_rows_is_named_not_the_whole_format(column, bad, code):
    """Found by tests/test_readers_properties.py: one '#DIV/0!' in the first 60 rows made the kWh column 'text',
    and the file was refused as 'unrecognised format (header: data_ora; kwh)' instead of naming the cell."""
    rows = [[f"{1 + h // 24:02d}/03/2024 {h % 24:02d}:00", "0,5"] for h in range(48)]
    rows[20][0 if column == "data_ora" else 1] = bad
    text = "data_ora;kwh\n" + "\n".join(";".join(r) for r in rows)
    p = refusal([("g.csv", text.encode())])
    assert p.code == code and p.where == "g.csv:22" and bad in p.it and bad in p.en and column in p.en


@pytest.mark.parametrize("name", ["edis_orario_2024-03.csv", "chain2_csv_2024-03-30_dst.csv", "pcf_2024-10_autunno.csv",
                                  "generico_data_e_ora_2024-10.csv", "home_assistant_solo_potenza.csv"])
def test_cr_only_line_ends_are_read_as_the_original(name):
    """Found by tests/test_readers_properties.py: a "CSV (Macintosh)" export (lines ending in CR only) was refused
    with Python's csv message 'new-line character seen in unquoted field - do you need to open the file in
    universal-newline mode?'."""
    _, data = case(name)
    mac = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    (got,), (want,) = read_meter_files([(name, mac)]).series, read_meter_files([(name, data)]).series
    np.testing.assert_array_equal(got.kwh_import, want.kwh_import)
    np.testing.assert_array_equal(got.start_s, want.start_s)


def test_full_width_digits_in_an_hour_column_are_refused_by_line():
    """Found while fuzzing the generic reader: '１２' matches the hour pattern (\\d is any Unicode digit) but pandas
    reads it as NaN, which was cast to int64 (a garbage hour, a RuntimeWarning) and the row silently misplaced."""
    name, data = case("generico_ora_1_25_2024-10.csv")
    lines = data.decode().split("\n")  # line 101: past the rows that decide the column's kind
    cells = lines[100].split(";")
    cells[1] = "１２"
    lines[100] = ";".join(cells)
    p = refusal([(name, "\n".join(lines).encode())])
    assert p.code == "file.time" and p.where == f"{name}:101" and "１２" in p.it and "１２" in p.en


def _comma_generic_file(extra_row: str | None = None, suffix: str = "") -> bytes:
    """The io_cases hourly generic file rewritten comma-separated with decimal points; row 6 replaced when asked."""
    lines = case("generico_orario_2024-10_senza_fuso.csv")[1].decode("utf-8").splitlines()
    out = [lines[0].replace(";", ",") + suffix]
    for line in lines[1:]:
        stamp, value = line.split(";")
        out.append(f"{stamp},{value.replace(',', '.')}{suffix}")
    if extra_row is not None:
        out[5] = extra_row
    return ("\n".join(out) + "\n").encode()


@pytest.mark.parametrize("row", ["20/10/2024 04:00,1.234,5", "20/10/2024 04:00,0,5", "20/10/2024 04:00,0.4,x"])
def test_a_number_split_by_its_comma_in_a_comma_separated_file_is_refused_at_its_line(row):
    """'1.234,5' among '0.440' values in a comma-separated file was read as 1.234 kWh, the '5' lost in silence."""
    p = refusal([("g.csv", _comma_generic_file(row))])
    assert p.where == "g.csv:6" and p.code == "file.extra_fields"
    assert "1234.5" in p.en and ";" in p.en and row in p.en


def test_empty_cells_past_the_header_are_not_a_split_number():
    clean = read_meter_files([("g.csv", _comma_generic_file())])
    trailing = read_meter_files([("g.csv", _comma_generic_file(suffix=","))])  # a trailing comma on every line
    assert np.array_equal(clean.series[0].kwh_import, trailing.series[0].kwh_import)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_like_utf8(encoding):
    """Some Windows tools write "Unicode" CSVs without a BOM: they were refused as binary files."""
    name, data = case("generico_orario_2024-10_senza_fuso.csv")
    text = data.decode("utf-8")
    plain = read_meter_files([(name, data)])
    wide = read_meter_files([(name, text.encode(encoding))])
    assert np.array_equal(plain.series[0].kwh_import, wide.series[0].kwh_import)
    assert np.array_equal(plain.series[0].start_s, wide.series[0].start_s)


def test_binary_data_with_a_nul_in_every_other_byte_is_still_refused():
    data = bytes(b for i in range(4000) for b in (i % 7 + 1, 0))  # control characters once read as UTF-16
    p = refusal([("dati.csv", data)])
    assert p.code == "file.binary"


def _october_rows() -> list[str]:
    return case("generico_orario_2024-10_senza_fuso.csv")[1].decode("utf-8").splitlines()


def test_one_row_with_a_mistyped_date_is_named_at_import():
    """One row of October's file dated January made a 274-day gap filled by estimate, with no word at import."""
    lines = _october_rows()
    lines[5] = lines[5].replace("20/10/2024", "20/01/2024")
    got = read_meter_files([("g.csv", ("\n".join(lines) + "\n").encode())])
    (w,) = [w for w in got.warnings if w.code == "merge.stray_edge"]
    assert w.where == "g.csv"
    assert "1 value from 20/01/2024 04:00" in w.en and "274 days" in w.en and "mistyped" in w.en
    assert "1 valore dal 20/01/2024 04:00" in w.it and "274 giorni" in w.it


def test_two_separate_periods_of_real_data_are_not_a_mistyped_date():
    lines = _october_rows()
    january = [lines[0]] + [row.replace("/10/2024", "/01/2024") for row in lines[1:]]
    got = read_meter_files([("ottobre.csv", ("\n".join(lines) + "\n").encode()),
                            ("gennaio.csv", ("\n".join(january) + "\n").encode())])
    assert got.report["longest_gap_h"] > 24 * 200  # a long gap, but each side holds days of readings
    assert not [w for w in got.warnings if w.code == "merge.stray_edge"]
