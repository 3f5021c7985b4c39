"""The column-wise fast paths of the meter readers give what the row-by-row paths give (issue 16).

Chain2Gate JSON lines (Arrow's JSON reader), Home Assistant histories (plain text cut into columns with
numpy), plain decimal-point numbers and plain UTC ISO instants are read column-wise; every other input
and every refusal goes through the previous row-by-row code. Each test reads the same bytes with the
fast paths on and off (the reference) and wants the same series, warnings and refusals, checks that the
fast path was really taken where it should be, and compares the building blocks with pandas and the
``csv`` module on random inputs.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cer_core.errors import CerInputError
from cer_core.io import chain2, columns, detect, numbers, read_meter_files, to_hourly_year
from cer_core.io.source import Document, split_text
from io_helpers import case, make_cases, sample

mc = make_cases


def _slow(monkeypatch) -> None:
    """Turn every fast path off: the readers then run the row-by-row code of before issue 16."""
    monkeypatch.setattr(chain2, "_read_chain2gate_arrow", lambda text, name: None)
    monkeypatch.setattr(detect, "_read_columnwise", lambda doc: None)
    monkeypatch.setattr(numbers, "_plain_point_numbers", lambda arr, delimiter, decimal: None)
    monkeypatch.setattr(chain2, "iso_utc_seconds", lambda cells: None)


def _outcome(name: str, data: bytes):
    """Everything a caller sees of an import: series, warnings, report, hourly year; or the refusal."""
    try:
        result = read_meter_files([(name, data)])
    except CerInputError as exc:
        return ("refused", [(p.where, p.it, p.en, p.code) for p in exc.problems])
    series = [(s.pod, s.interval_min, s.start_s.tobytes(), s.kwh_import.tobytes(),
               None if s.kwh_export is None else s.kwh_export.tobytes(), s.quality.tobytes(),
               json.dumps(s.report, sort_keys=True, default=str)) for s in result.series]
    warnings = [(p.where, p.it, p.en, p.code) for p in result.warnings]
    hourly = []
    for s in result.series:
        year = to_hourly_year(s, 2024)
        hourly.append((year.kwh.tobytes(), [(p.where, p.code) for p in year.warnings]))
    return ("read", series, warnings, result.files, hourly)


def _same_both_ways(monkeypatch, name: str, data: bytes):
    fast = _outcome(name, data)
    with monkeypatch.context() as m:
        _slow(m)
        slow = _outcome(name, data)
    assert fast == slow
    return fast


def _chain2_lines(first="2024-10-26 00:15", last="2024-10-28 00:00", **kw) -> list[str]:
    return mc.chain2gate_jsonl(first, last, truncated=False, **kw).splitlines()


def _ha_lines(first="2024-10-26 00:00", last="2024-10-28 00:00", **kw) -> list[str]:
    return mc.home_assistant_csv(first, last, **kw).splitlines()


# --- Chain2Gate -----------------------------------------------------------------------------------------

def _chain2_cases() -> dict[str, str]:
    oct_ = _chain2_lines()
    mar = _chain2_lines("2024-03-30 00:15", "2024-04-01 00:00")
    return {
        "october_dst_gaps_duplicates_reset_truncated": mc.chain2gate_jsonl(
            "2024-10-26 00:15", "2024-10-28 00:00", drop=(5, 6, 7, 60), duplicate=(10, 11), reset_at=100),
        "march_dst": "\n".join(mar),
        "crlf_and_blank_lines": "\r\n\r\n".join(oct_) + "\r\n  \r\n",
        "lower_case_payload_keys": "\n".join(ln.replace("TotalActEnergy", "totalactenergy") for ln in oct_),
        "message_timestamp_only": "\n".join(ln.replace('"MeasurePosixTimestamp"', '"Other"') for ln in oct_),
        "null_measure_timestamp": "\n".join(ln.replace('"MeasurePosixTimestamp":', '"MeasurePosixTimestamp":null,"X":')
                                            for ln in oct_),
        "two_meters": "\n".join(ln.replace("C2G-TEST-000001", "C2G-B") if i % 3 == 0 else ln for i, ln in enumerate(oct_)),
        "export_counter": "\n".join(ln.replace('"TariffCode":3', f'"TariffCode":3,"TotalProdActEnergy":{1000 + 7 * i},'
                                               '"PrevQuartProdActEnergy":7') for i, ln in enumerate(oct_)),
        "no_meter_key": "\n".join(ln.replace('"Meter":"C2G-TEST-000001",', "") for ln in oct_),
        "type_in_lower_case": "\n".join(ln.replace('"CF1"', '"cf1"') for ln in oct_),
        "float_counters": "\n".join(ln.replace('"PrevQuartActEnergy":', '"PrevQuartActEnergy":0.5,"Y":') for ln in oct_),
        "unicode_escape_meter": "\n".join(ln.replace("C2G-TEST-000001", "contatore-\\u00e8") for ln in oct_),
        "null_and_other_lines": "\n".join(oct_[:5] + ["null", "{}", '{"Chain2Data":null}', '{"Chain2Data":{}}']
                                          + oct_[5:]),
        # the message path decides these (and refuses most): same outcome either way
        "mixed_case_keys": "\n".join(ln.replace("TotalActEnergy", "totalactenergy") if i % 2 else ln
                                     for i, ln in enumerate(oct_)),
        "two_messages_on_a_line": "\n".join(oct_[:5] + [oct_[5] + " " + oct_[6]] + oct_[7:]),
        "bad_line": "\n".join(oct_[:5] + ["{oops"] + oct_[6:]),
        "nan_counter": "\n".join(oct_[:5] + [oct_[5].replace('"PrevQuartActEnergy":', '"PrevQuartActEnergy":NaN,"W":')]
                                 + oct_[6:]),
        "inf_counter": "\n".join(oct_[:5] + [oct_[5].replace('"TotalActEnergy":', '"TotalActEnergy":Inf,"W":')]
                                 + oct_[6:]),
        "missing_counter": "\n".join(oct_[:5] + [oct_[5].replace('"TotalActEnergy"', '"T"')] + oct_[6:]),
        "text_counter": "\n".join(oct_[:5] + [oct_[5].replace('"PrevQuartActEnergy":', '"PrevQuartActEnergy":"7","W":')]
                                  + oct_[6:]),
        "boolean_counter": "\n".join(oct_[:5] + [oct_[5].replace('"PrevQuartActEnergy":', '"PrevQuartActEnergy":true,'
                                                                 '"W":')] + oct_[6:]),
        "timestamp_out_of_range": "\n".join(oct_[:5] + [oct_[5].replace('"MeasurePosixTimestamp":17',
                                                                        '"MeasurePosixTimestamp":27')] + oct_[6:]),
        "null_meter": "\n".join(ln.replace('"Meter":"C2G-TEST-000001"', '"Meter":null') for ln in oct_),
        "duplicate_key": "\n".join(ln.replace('"Type":"CF1"', '"Type":"CF21","Type":"CF1"') for ln in oct_),
        "non_ascii_meter": "\n".join(ln.replace("C2G-TEST-000001", "contatore-è") for ln in oct_),
        "no_cf1": "\n".join(ln for ln in oct_ if '"CF1"' not in ln),
    }


CHAIN2_FAST = {"october_dst_gaps_duplicates_reset_truncated", "march_dst", "crlf_and_blank_lines",
               "lower_case_payload_keys", "message_timestamp_only", "null_measure_timestamp", "two_meters",
               "export_counter", "no_meter_key", "type_in_lower_case", "float_counters", "unicode_escape_meter",
               "null_and_other_lines", "timestamp_out_of_range"}


@pytest.mark.parametrize("label", sorted(_chain2_cases()))
def test_chain2gate_fast_path_matches_the_message_path(monkeypatch, label):
    text = _chain2_cases()[label]
    outcome = _same_both_ways(monkeypatch, "c2.jsonl", text.encode())
    try:
        taken = chain2._read_chain2gate_arrow(text, "c2.jsonl") is not None
    except CerInputError:  # refused by the counter algorithm both paths share (a span of decades)
        taken = True
    assert taken == (label in CHAIN2_FAST)
    if label in CHAIN2_FAST - {"timestamp_out_of_range"}:
        assert outcome[0] == "read"


def test_chain2gate_truncated_last_line_warns_with_its_line(monkeypatch):
    text = mc.chain2gate_jsonl("2024-06-10 00:15", "2024-06-11 00:00", truncated=True)
    outcome = _same_both_ways(monkeypatch, "c2.jsonl", text.encode())
    n_lines = len(text.splitlines())
    assert ("c2.jsonl:%d" % n_lines, "chain2.truncated") in [(w[0], w[3]) for w in outcome[2]]
    assert chain2._read_chain2gate_arrow(text, "c2.jsonl") is not None


@pytest.mark.parametrize("name", ["chain2gate_2024-03-30_dst.jsonl", "chain2gate_2024-10-26_dst.jsonl"])
def test_chain2gate_cases_fast_and_same(monkeypatch, name):
    data = case(name)[1]
    _same_both_ways(monkeypatch, name, data)
    assert chain2._read_chain2gate_arrow(data.decode(), name) is not None


def test_chain2gate_sample_week_fast_and_same(monkeypatch):
    name, data = sample("chain2gate_websocket_1settimana_2024-06-10.jsonl")
    _same_both_ways(monkeypatch, name, data)
    assert chain2._read_chain2gate_arrow(data.decode(), name) is not None


# --- Home Assistant ---------------------------------------------------------------------------------------

def _ha_cases() -> dict[str, str]:
    oct_ = _ha_lines()
    rows = [ln.split(",") for ln in oct_[1:]]

    def with_rows(fn) -> str:
        return "\n".join([oct_[0]] + [",".join(fn(r)) for r in rows])

    return {
        "october_dst": "\n".join(oct_),
        "march_dst": "\n".join(_ha_lines("2024-03-30 00:00", "2024-04-01 00:00")),
        "power_only": "\n".join(_ha_lines(power_only=True)),
        "crlf": "\r\n".join(oct_) + "\r\n",
        "blank_lines_and_delimiter_only_lines": "\n".join(oct_[:1] + ["", " , , ", ",,"] + oct_[1:50] + ["   "]
                                                           + oct_[50:]),
        "title_line_above_the_header": "Storico sensori\n" + "\n".join(oct_),
        "semicolons": "\n".join(oct_).replace(",", ";"),
        "tabs": "\n".join(oct_).replace(",", "\t"),
        "spaces_around_cells": "\n".join(oct_[:1] + [ln.replace(",", " , ") + " " for ln in oct_[1:]]),
        "leading_space_on_every_line": "\n".join(oct_[:1] + [" " + ln for ln in oct_[1:]]),
        "extra_column_on_some_rows": "\n".join([oct_[0] + ",attr"] + [ln + ",x" if i % 2 else ln
                                                                      for i, ln in enumerate(oct_[1:])]),
        "plus_zero_offset": "\n".join(oct_).replace("Z", "+00:00"),
        "no_fraction": with_rows(lambda r: [r[0], r[1], r[2][:19] + "Z"]),
        "nanoseconds": with_rows(lambda r: [r[0], r[1], r[2].replace("Z", "999999Z")]),
        "naive_with_space": with_rows(lambda r: [r[0], r[1], r[2].replace("T", " ").replace("Z", "")]),
        "unknown_and_none_states": "\n".join(oct_[:40] + [
            "sensor.contatore_energia_prelevata,Unknown,2024-10-26T10:00:00.000Z",
            "sensor.contatore_energia_prelevata,NONE,2024-10-26T10:00:01.000Z",
            "sensor.contatore_energia_prelevata,,2024-10-26T10:00:02.000Z",
            "sensor.contatore_energia_prelevata,nan,2024-10-26T10:00:03.000Z",
            "sensor.contatore_energia_prelevata,-,2024-10-26T10:00:04.000Z"] + oct_[40:]),
        "signs_and_bare_points": "\n".join(oct_ + ["sensor.contatore_potenza_w,+5,2024-10-28T00:00:01Z",
                                                   "sensor.contatore_potenza_w,5.,2024-10-28T00:00:02Z",
                                                   "sensor.contatore_potenza_w,.5,2024-10-28T00:00:03Z",
                                                   "sensor.contatore_potenza_w,-0.0,2024-10-28T00:00:04Z"]),
        "integers_in_wh": with_rows(lambda r: [r[0].replace("prelevata", "prelevata_wh"),
                                               str(int(float(r[1]) * 1000)) if r[1][0].isdigit() else r[1], r[2]]),
        "exponents": with_rows(lambda r: [r[0], f"{float(r[1]):.6e}" if r[1][0].isdigit() else r[1], r[2]]),
        "unnamed_counter": "\n".join(oct_).replace("sensor.contatore_energia_prelevata", "sensor.abc"),
        # the row-by-row path decides these (and refuses some): same outcome either way
        "comma_decimals": "entity_id;state;last_changed\n" + "\n".join(";".join([r[0], r[1].replace(".", ","), r[2]])
                                                                        for r in rows),
        "thousands_dots": "entity_id;state;last_changed\n" + "\n".join(
            ";".join([r[0], f"{int(float(r[1])) * 1000 + 1000:,}".replace(",", ".") if r[1][0].isdigit() else r[1], r[2]])
            for r in rows if "potenza" not in r[0]),
        "quoted_cells": "\n".join(oct_[:1] + ['"' + ln.replace(",", '","') + '"' for ln in oct_[1:]]),
        "non_ascii_entity": "\n".join(oct_).replace("sensor.contatore_energia_immessa", "sensor.energia_immessa_è"),
        "offset_one_hour": "\n".join(oct_).replace("Z", "+01:00"),
        "bad_date": "\n".join(oct_[:30] + [oct_[30].replace("2024-10-26T", "2024-02-30T")] + oct_[31:]),
        "bad_hour": "\n".join(oct_[:30] + [oct_[30].rsplit(",", 1)[0] + ",2024-10-26T24:00:00Z"] + oct_[31:]),
        "text_instead_of_instant": "\n".join(oct_[:30] + [oct_[30].rsplit(",", 1)[0] + ",ieri"] + oct_[31:]),
        "implausible_year": "\n".join(oct_[:30] + [oct_[30].replace("2024-", "1980-")] + oct_[31:]),
        "text_instead_of_number": "\n".join(oct_[:40] + ["sensor.contatore_energia_prelevata,12a,2024-10-26T10:00:00Z"]
                                            + oct_[40:]),
        "short_row": "\n".join(oct_[:100] + ["sensor.contatore_potenza_w,5.0"] + oct_[100:]),
        "lone_carriage_return": "\n".join(oct_[:20]) + "\r" + "\n".join(oct_[20:]),
        "header_only": oct_[0] + "\n",
        "one_row": oct_[0] + "\nsensor.energia_prelevata,1.0,2024-06-01T00:00:00Z\n",
    }


HA_COLUMNWISE = {"october_dst", "march_dst", "power_only", "crlf", "blank_lines_and_delimiter_only_lines",
                 "title_line_above_the_header", "semicolons", "tabs", "spaces_around_cells",
                 "leading_space_on_every_line", "extra_column_on_some_rows", "plus_zero_offset", "no_fraction",
                 "nanoseconds", "naive_with_space", "unknown_and_none_states", "signs_and_bare_points",
                 "integers_in_wh", "exponents", "unnamed_counter", "comma_decimals", "thousands_dots",
                 "offset_one_hour", "bad_date", "bad_hour", "text_instead_of_instant", "implausible_year",
                 "text_instead_of_number", "short_row", "header_only", "one_row"}


@pytest.mark.parametrize("label", sorted(_ha_cases()))
def test_home_assistant_column_wise_matches_row_by_row(monkeypatch, label):
    text = _ha_cases()[label]
    _same_both_ways(monkeypatch, "ha.csv", text.encode())
    seen = []
    monkeypatch.setattr(detect, "read_home_assistant_columns",
                        lambda *a: seen.append(a) or chain2.read_home_assistant_columns(*a))
    try:
        read_meter_files([("ha.csv", text.encode())])
    except CerInputError:
        pass
    assert bool(seen) == (label in HA_COLUMNWISE)


@pytest.mark.parametrize("name", ["home_assistant_2024-03-30_dst.csv", "home_assistant_2024-10-26_dst.csv",
                                  "home_assistant_solo_potenza.csv"])
def test_home_assistant_cases_same(monkeypatch, name):
    _same_both_ways(monkeypatch, name, case(name)[1])


# --- building blocks --------------------------------------------------------------------------------------

def _random_plain_text(rng, delimiter: str, uniform: bool) -> str:
    """Lines of random cells (spaces, vertical tabs, unit separators, words, numbers); ``uniform``: every
    line has three cells and some text (no blank line), else any width including none."""
    pieces = ["", " ", "a", "b c", "12.5", "x ", " y", "\x0b", "\x1f", "-"]
    lines = []
    for _ in range(400):
        width = 3 if uniform else int(rng.integers(0, 5))
        cells = [pieces[int(rng.integers(len(pieces)))] + pieces[int(rng.integers(len(pieces)))] for _ in range(width)]
        if uniform:
            cells[int(rng.integers(3))] += "z"
        lines.append(delimiter.join(cells))
    end = ["\n", "\r\n"][int(rng.integers(2))]
    return end.join(lines) + ("" if rng.integers(2) else end)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("uniform", [False, True])
def test_plain_columns_are_the_csv_readers_cells(seed, uniform):
    rng = np.random.default_rng(seed)
    delimiter = [",", ";", "\t"][seed % 3]
    text = "h1" + delimiter + "h2" + delimiter + "h3\n" + _random_plain_text(rng, delimiter, uniform)
    assert columns.plain_text(text)
    rows, lines, _ = split_text(Document(name="t.csv", text=text))
    by_arrow = columns._columns_by_arrow(text, delimiter, lines[0], 4)
    assert (by_arrow is not None) == uniform
    for cut in (columns.plain_columns(text, delimiter, lines[0], 4), by_arrow,
                columns._columns_by_numpy(text, delimiter, lines[0], 4)):
        if cut is None:
            continue
        cols, line_no = cut
        assert line_no.tolist() == lines[1:]
        for j in range(4):
            assert cols[j].to_pylist() == [r[j] if j < len(r) else "" for r in rows[1:]]
    assert columns.head_rows(text, delimiter, 30) == (rows[:30], lines[:30])


def test_plain_text_refuses_what_the_csv_reader_reads_otherwise():
    assert columns.plain_text("a,b\r\nc,d\r\n")
    for text in ('a,"b"\n', "a,b\rc\n", "a\x00,b\n", "è,b\n", "a,b\r\r\n"):
        assert not columns.plain_text(text)
    long_line = "a," + "x" * (csv.field_size_limit() + 1) + "\n"
    assert columns.plain_columns("h,v\n" + long_line, ",", 1, 2) is None


def test_iso_utc_seconds_equal_pandas():
    rng = np.random.default_rng(3)
    base = pd.Timestamp("2023-01-01", tz="UTC").value // 10**9
    secs = base + rng.integers(0, 3 * 366 * 86400, 3000)
    fractions = rng.integers(0, 10**9, 3000)
    cells = []
    for k, (s, f) in enumerate(zip(secs, fractions)):
        t = pd.Timestamp(int(s), unit="s").strftime("%Y-%m-%d" + ("T" if k % 3 else " ") + "%H:%M:%S")
        frac = ["", f".{f // 10**6:03d}", f".{f:09d}", f".{f // 10**8}"][k % 4]
        cells.append(t + frac + ["Z", "+00:00", ""][k % 3])
    cells += ["2024-02-29T23:59:59Z", "2100-12-31T00:00:00.5Z", "1970-01-01T00:00:00Z"]
    fast = numbers.iso_utc_seconds(pa.array(cells))
    ref = pd.to_datetime(pd.Series(cells, dtype=object), utc=True, format="ISO8601").dt.as_unit("s")
    assert fast is not None and fast.tolist() == ref.astype("int64").tolist()


@pytest.mark.parametrize("bad", ["2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z",
                                 "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z",
                                 "2024-01-01T00:00:00+01:00", "2024-01-01T00:00:00z", "2024-01-01", "",
                                 "1969-12-31T23:59:59Z", "2300-01-01T00:00:00Z", "2024-01-01T00:00:00.1234567890Z",
                                 " 2024-01-01T00:00:00Z"])
def test_iso_utc_seconds_leaves_anything_else_to_pandas(bad):
    cells = ["2024-01-01T00:00:00Z"] * 5 + [bad]
    assert numbers.iso_utc_seconds(pa.array(cells)) is None


def test_plain_numbers_equal_the_cell_by_cell_parser():
    rng = np.random.default_rng(5)
    values = rng.uniform(-1e6, 1e6, 5000)
    cells = [f"{v:.{k % 9}f}" for k, v in enumerate(values)] + ["+5", "5.", ".5", "-0.0", "0", "1e3", "1.5E-2",
                                                                  "", "nan", "N.D.", "-", "  7 ", "1 234.5"]
    where = numbers.Where("n.csv", list(range(2, len(cells) + 2)), "state")
    fast = numbers._plain_point_numbers(pa.array(cells), ",", None)
    ref = numbers.parse_numbers(cells, where, ",")
    assert fast is not None
    assert fast.tobytes() == ref.tobytes()
    assert numbers.parse_numbers(pa.array(cells), where, ",").tobytes() == ref.tobytes()


@pytest.mark.parametrize("cells, delimiter", [(["0,125", "1.5"], ";"), (["1.234", "12.345"], ";"),
                                              (["1.234", "12.345"], ","), (["12a", "1"], ","), (["è1", "1"], ","),
                                              (["e5", "1"], ",")])
def test_plain_numbers_leave_warnings_and_refusals_to_the_cell_by_cell_parser(cells, delimiter):
    assert numbers._plain_point_numbers(pa.array(cells), delimiter, None) is None
    where = numbers.Where("n.csv", [2, 3], "state")

    def outcome(c):
        notes: list = []
        try:
            return numbers.parse_numbers(c, where, delimiter, notes=notes).tobytes(), [(p.where, p.code) for p in notes]
        except CerInputError as exc:
            return [(p.where, p.it) for p in exc.problems]

    assert outcome(pa.array(cells)) == outcome(list(cells))


def test_benchmark_years_read_column_wise(monkeypatch):
    """The two files of ``benchmarks/bench_scale.py`` (a whole year): the fast paths are taken and agree."""
    jsonl = mc.chain2gate_jsonl("2024-01-01 00:15", "2025-01-01 00:00", truncated=False)
    assert chain2._read_chain2gate_arrow(jsonl, "y.jsonl") is not None
    _same_both_ways(monkeypatch, "y.jsonl", jsonl.encode())
    ha = mc.home_assistant_csv("2024-01-01 00:00", "2025-01-01 00:00")
    doc = Document(name="y.csv", text=ha)
    assert detect._read_columnwise(doc) is not None
    _same_both_ways(monkeypatch, "y.csv", ha.encode())


def test_head_rows_stop_early():
    text = "a,b\n" * 10 + '"unterminated\n'
    assert columns.head_rows(text, ",", 5) == ([["a", "b"]] * 5, [1, 2, 3, 4, 5])
