"""Italian numbers, dates, delimiters, encodings and the local-time helpers of the readers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cer_core.errors import CerInputError
from cer_core.io.localtime import day_lengths_s, fmt_local, from_local_naive, to_local_naive
from cer_core.io.numbers import Where, parse_dates, parse_numbers
from cer_core.io.source import decode_text, open_documents, sniff_delimiter


def nums(cells, delimiter=";", decimal=None):
    return parse_numbers(cells, Where("f.csv", list(range(2, 2 + len(cells))), "kwh"), delimiter, decimal)


@pytest.mark.parametrize("cells,expected", [
    (["0,125", "1,5", ""], [0.125, 1.5, np.nan]),
    (["1.234,5", "0,5"], [1234.5, 0.5]),
    (["0.125", "12.5"], [0.125, 12.5]),
    (["1,234.5", "2.0"], [1234.5, 2.0]),
    (["1.234", "12.500"], [1234.0, 12500.0]),  # ';' file, only thousands-like dots: Italian thousands
    (["7", "-3", " 4 "], [7.0, -3.0, 4.0]),
    (["1e-3"], [0.001]),
])
def test_italian_numbers(cells, expected):
    np.testing.assert_allclose(nums(cells), expected)


def test_excel_numbers_are_points():
    np.testing.assert_allclose(nums(["1.234", "0.5"], decimal="."), [1.234, 0.5])


def test_ambiguous_and_bad_numbers():
    with pytest.raises(CerInputError) as exc:
        nums(["1.234", "2.500"], delimiter=",")
    assert exc.value.problems[0].code == "file.ambiguous_number" and exc.value.problems[0].where == "f.csv:2"
    with pytest.raises(CerInputError) as exc:
        nums(["0,5", "12.5.3", "1"])
    p = exc.value.problems[0]
    assert p.where == "f.csv:3" and "12.5.3" in p.it and p.code == "file.number"
    with pytest.raises(CerInputError):
        nums(["0,5", "abc"])


def test_dates():
    w = Where("f.csv", [2, 3, 4, 5], "Giorno")
    got = parse_dates(["01/03/2024", "1/3/2024", "2024-03-01", "20240301"][:1], w)
    assert str(got[0]) == "2024-03-01"
    for cells in (["1/3/2024", "31/3/2024"], ["2024-03-01", "2024-03-31"], ["20240301", "20240331"],
                  ["01/03/24", "31/03/24"], ["45352", "45382"], ["20240301.0", "20240331.0"]):
        got = parse_dates(cells, w)
        assert [str(d) for d in got] == ["2024-03-01", "2024-03-31"], cells
    with pytest.raises(CerInputError) as exc:
        parse_dates(["01/03/2024", "32/03/2024"], w)
    assert exc.value.problems[0].where == "f.csv:3"
    with pytest.raises(CerInputError) as exc:  # repeated cells are parsed once; the message keeps the first bad line
        parse_dates(["01/03/2024", "01/03/2024", "32/03/2024", "32/03/2024"], Where("f.csv", [10, 11, 12, 13], "DATA"))
    assert exc.value.problems[0].where == "f.csv:12" and "32/03/2024" in exc.value.problems[0].it
    repeated = parse_dates(["02/03/2024", "01/03/2024", "02/03/2024"], w)
    assert [str(d) for d in repeated] == ["2024-03-02", "2024-03-01", "2024-03-02"]


def test_delimiter_and_encodings():
    assert sniff_delimiter(["a;b;c", "1;2,5;3"]) == ";"
    assert sniff_delimiter(["entity_id,state,last_changed"]) == ","
    assert sniff_delimiter(["Title line", "a\tb", "1\t2"]) == "\t"
    assert decode_text("città;kWh\n".encode("cp1252"), "x") == "città;kWh\n"
    assert decode_text("\ufeffcittà".encode("utf-8"), "x") == "città"
    assert decode_text("città;kWh".encode("utf-16"), "x") == "città;kWh"


def test_utf16_tab_export_reads():
    """Excel's "Unicode text" export: UTF-16 with tabs."""
    from cer_core.io import read_meter_files

    text = "Data\tkWh\n" + "\n".join(f"01/01/2024 {h:02d}:00\t{h / 10:.1f}".replace(".", ",") for h in range(24))
    (s,) = read_meter_files([("u16.txt", text.encode("utf-16"))]).series
    assert s.interval_min == 60 and s.kwh_import.sum() == pytest.approx(sum(h / 10 for h in range(24)))


def test_local_time_round_trip_and_dst_order():
    naive = pd.to_datetime(["2024-10-27 01:00", "2024-10-27 02:00", "2024-10-27 02:00", "2024-10-27 03:00",
                            "2024-03-31 02:30"]).as_unit("s").asi8
    utc, nonexistent, once = from_local_naive(naive)
    assert list(nonexistent) == [False, False, False, False, True]
    assert not once.any()
    assert [fmt_local(u) for u in utc[:4]] == ["27/10/2024 01:00+02:00", "27/10/2024 02:00+02:00",
                                               "27/10/2024 02:00+01:00", "27/10/2024 03:00+01:00"]
    np.testing.assert_array_equal(to_local_naive(utc[:4]), naive[:4])
    days = np.array(["2024-03-31", "2024-06-01", "2024-10-27"], dtype="datetime64[D]")
    assert list(day_lengths_s(days) // 3600) == [23, 24, 25]


def test_zip_and_xlsx_are_opened():
    from io_helpers import case

    docs = open_documents(*case("edis_mensili_2024_q1.zip")[::-1])
    assert len(docs) == 4 and all(d.text for d in docs)
    (x,) = open_documents(*case("edis_wide_2024-10_excel.xlsx")[::-1])
    assert x.excel and x.rows[1][0] == "2024-10-01 00:00:00"


def test_excel_sheet_numbers():
    """In a sheet, numbers stored as numbers have a point (never thousands); text keeps the typed comma."""
    from cer_core.io.numbers import EXCEL

    np.testing.assert_allclose(nums(["1.234", "0.5"], delimiter=EXCEL), [1.234, 0.5])
    np.testing.assert_allclose(nums(["0,125", "1.234,5"], delimiter=EXCEL), [0.125, 1234.5])
    with pytest.raises(CerInputError) as exc:  # a number mixed with text written the Italian way: not 125
        nums(["0,5", "0.125"], delimiter=EXCEL)
    assert exc.value.problems[0].code == "file.number" and exc.value.problems[0].where == "f.csv:3"


def test_dates_outside_plausible_years_are_refused():
    with pytest.raises(CerInputError) as exc:
        parse_dates(["01/01/2024", "01/01/0024"], Where("f.csv", [2, 3], "Giorno"))
    p = exc.value.problems[0]
    assert p.code == "file.date_range" and p.where == "f.csv:3" and "01/01/0024" in p.it


def test_dst_order_is_counted_per_group():
    naive = pd.to_datetime(["2024-10-27 02:00", "2024-10-27 02:00", "2024-10-27 02:00", "2024-10-27 02:00"]).as_unit(
        "s").asi8
    utc, _n, once = from_local_naive(naive, ["A", "B", "A", "B"])
    assert [fmt_local(u) for u in utc] == ["27/10/2024 02:00+02:00", "27/10/2024 02:00+02:00",
                                           "27/10/2024 02:00+01:00", "27/10/2024 02:00+01:00"]
    assert not once.any()
    _u, _n, once = from_local_naive(naive[:2], ["A", "B"])
    assert once.all()  # each POD has the repeated hour once


@pytest.mark.parametrize("local,band,day_type", [
    ("2024-03-29T07:45+01:00", 2, 0), ("2024-03-29T08:00+01:00", 1, 0),  # Good Friday is a working day
    ("2024-03-29T18:45+01:00", 1, 0), ("2024-03-29T19:00+01:00", 2, 0),
    ("2024-03-31T03:15+02:00", 3, 2), ("2024-04-01T10:00+02:00", 3, 2),  # the DST Sunday, Easter Monday
    ("2024-10-26T10:00+02:00", 2, 1), ("2024-10-26T23:00+02:00", 3, 1),
    ("2024-10-27T02:30+01:00", 3, 2), ("2024-10-28T07:45+01:00", 2, 0), ("2024-10-28T08:00+01:00", 1, 0),
    ("2023-12-31T23:30+01:00", 3, 2), ("2024-01-02T00:15+01:00", 3, 0),
])
def test_calendar_of_instants_is_the_bands_calendar(local, band, day_type):
    """Quarter-hours of any year get the F1/F2/F3 band and day type of their local hour (cer_core.bands)."""
    from cer_core.io.combine import day_types_of_instants
    from cer_core.io.summary import bands_of_instants

    s = np.array([pd.Timestamp(local).value // 10**9])
    assert bands_of_instants(s)[0] == band and day_types_of_instants(s)[0] == day_type


def test_calendar_of_instants_follows_the_4_october_switch():
    from cer_core.io.combine import day_types_of_instants
    from cer_core.io.summary import bands_of_instants

    s = np.array([pd.Timestamp("2027-10-04T10:00+02:00").value // 10**9])  # San Francesco, a Monday
    assert bands_of_instants(s)[0] == 3 and day_types_of_instants(s)[0] == 2
    assert bands_of_instants(s, False)[0] == 1 and day_types_of_instants(s, False)[0] == 0
