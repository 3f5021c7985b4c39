"""Bills → hourly: every bill's band totals come back to 0.001 kWh; bad bills are refused clearly."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cer_core.bands import band_of_hour
from cer_core.io.bills import BANDS_1, BANDS_2, BANDS_3, Bill, bills_template_csv, read_bills
from cer_core.loads.bills import bills_from_grid, bills_to_hourly, parse_bills
from cer_core.errors import CerInputError
from cer_core.io import ESTIMATED, EXTENDED, read_load_file
from cer_core.loads.profiles import profile_shape
from cer_core.timeaxis import hours_utc, local_month
from io_helpers import case, sample


def shape_of(name, **kw):
    return lambda y: profile_shape(name, y, **kw)


def band_totals(kwh, year, bill):
    """kWh per band group of ``bill`` in the hourly year (bill inside the year)."""
    axis = hours_utc(year).tz_convert("Europe/Rome")
    dates = axis.tz_localize(None).normalize()
    sel = (dates >= np.datetime64(bill.start)) & (dates <= np.datetime64(bill.end))
    band = band_of_hour(year)
    if bill.kind == BANDS_3:
        groups = [band == 1, band == 2, band == 3]
    elif bill.kind == BANDS_2:
        groups = [band == 1, band != 1]
    else:
        groups = [band > 0]
    return [float(kwh[sel & g].sum()) for g in groups]


def assert_reproduced(kwh, year, bills):
    for b in bills:
        if not b.adjustment:
            np.testing.assert_allclose(band_totals(kwh, year, b), b.energies, atol=1e-3)


def test_sample_bills_match_the_curve_monthly_band_totals():
    bills = read_bills(*sample("bollette_mensili_2024_piccola_impresa.csv")[::-1]).bills
    kwh, _ = read_load_file(*sample("edistribuzione_wide_quartorario_2024_piccola_impresa.csv")[::-1], 2024)
    band, month = band_of_hour(2024), local_month(2024)
    assert len(bills) == 12 and all(b.kind == BANDS_3 for b in bills)
    for b in bills:
        curve = [kwh[(month == b.start.month) & (band == k)].sum() for k in (1, 2, 3)]
        np.testing.assert_allclose(curve, b.energies, atol=0.5)  # bills are rounded to the kWh


def test_sample_bills_spread_with_any_shape_come_back_exactly():
    bf = read_bills(*sample("bollette_mensili_2024_piccola_impresa.csv")[::-1])
    assert bf.pods == ["IT001E90000123"] and bf.contract_kw == 15 and bf.available_kw == 16.5
    for shape in ("office", "shop", "industry_1_shift", "household"):
        r = bills_to_hourly(bf.bills, 2024, shape_of(shape), contract_kw=bf.contract_kw)
        assert_reproduced(r.kwh, 2024, bf.bills)
        assert r.report["annual_kwh"] == pytest.approx(sum(b.total for b in bf.bills), abs=1e-6)
        assert r.warnings == [] and np.all(r.kwh >= 0)
        for rep in r.report["bills"]:
            assert rep["spread_kwh"] == pytest.approx(rep["kwh"], abs=1e-3)


def test_curve_as_shape_gives_the_curve_back():
    kwh, _ = read_load_file(*sample("edistribuzione_wide_quartorario_2024_piccola_impresa.csv")[::-1], 2024)
    bills = read_bills(*sample("bollette_mensili_2024_piccola_impresa.csv")[::-1]).bills
    r = bills_to_hourly(bills, 2024, lambda y: kwh)
    assert np.abs(r.kwh - kwh).max() < 0.01  # bills rounded to the kWh
    assert abs(r.kwh.sum() - kwh.sum()) < 5


def test_bimonthly_f1_f23_with_an_estimated_bill():
    bf = read_bills(*case("bollette_bimestrali_f1_f23_2024.csv")[::-1])
    assert [b.kind for b in bf.bills] == [BANDS_2] * 6 and [b.days for b in bf.bills][:2] == [60, 61]
    assert [b.estimated for b in bf.bills] == [False, True, False, False, False, False]
    r = bills_to_hourly(bf.bills, 2024, shape_of("household", region="Lombardia", contract_kw=3), household=True,
                        contract_kw=3.0)
    assert_reproduced(r.kwh, 2024, bf.bills)
    axis = hours_utc(2024).tz_convert("Europe/Rome")
    est = (axis.month >= 3) & (axis.month <= 4)
    assert np.all(r.quality[est] == ESTIMATED) and np.all(r.quality[~est] == 0)
    assert r.report["annual_kwh"] == pytest.approx(2740)


def test_total_only_bills():
    bills = parse_bills([{"start": "2024-01-01", "end": "2024-06-30", "total_kwh": 1500},
                         {"start": "2024-07-01", "end": "2024-12-31", "total_kwh": 1300}], "b")
    assert bills[0].kind == BANDS_1
    r = bills_to_hourly(bills, 2024, shape_of("household", region="Lazio", contract_kw=3))
    assert_reproduced(r.kwh, 2024, bills)


def test_adjustment_bill_is_added_on_top():
    bf = read_bills(*case("bollette_conguaglio_2024.csv")[::-1])
    adj = [b for b in bf.bills if b.adjustment]
    assert len(adj) == 1 and adj[0].energies == (-20.0, -6.0, 4.0)
    r = bills_to_hourly(bf.bills, 2024, shape_of("office"))
    jan, feb = bf.bills[0], bf.bills[1]
    both = Bill(start=jan.start, end=feb.end, f1_kwh=0, f2_kwh=0, f3_kwh=0)
    expected = np.array(jan.energies) + np.array(feb.energies) + np.array(adj[0].energies)
    np.testing.assert_allclose(band_totals(r.kwh, 2024, both), expected, atol=1e-3)
    assert np.all(r.kwh >= 0)
    assert_reproduced(r.kwh, 2024, [bf.bills[2]])


def test_adjustment_larger_than_consumption_refused():
    bills = parse_bills([{"start": "2024-01-01", "end": "2024-01-31", "f1_kwh": 10, "f2_kwh": 10, "f3_kwh": 10},
                         {"start": "2024-01-01", "end": "2024-01-31", "f1_kwh": -50, "f2_kwh": 0, "f3_kwh": 0,
                          "adjustment": True}], "members[2].load.bills")
    with pytest.raises(CerInputError) as exc:
        bills_to_hourly(bills, 2024, shape_of("office"))
    p = exc.value.problems[0]
    assert p.code == "bills.adjustment_too_large" and p.where == "members[2].load.bills[1]"


def test_overlapping_periods_refused():
    with pytest.raises(CerInputError) as exc:
        bills_to_hourly(read_bills(*case("bollette_sovrapposte.csv")[::-1]).bills, 2024, shape_of("office"))
    (p,) = exc.value.problems
    assert p.code == "bills.overlap" and p.where == "bollette_sovrapposte.csv:3"
    assert "15/01/2024–14/02/2024" in p.it and "01/01/2024–31/01/2024" in p.it and "bollette_sovrapposte.csv:2" in p.it
    assert "overlaps" in p.en


def test_negative_without_adjustment_refused():
    with pytest.raises(CerInputError) as exc:
        bills_to_hourly(read_bills(*case("bollette_negativo_senza_conguaglio.csv")[::-1]).bills, 2024,
                        shape_of("office"))
    (p,) = exc.value.problems
    assert p.code == "bills.negative" and p.where == "bollette_negativo_senza_conguaglio.csv:3"
    assert "conguaglio" in p.it and "adjustment" in p.en and "-15" in p.en


def test_gap_is_reported_and_rebuilt_with_the_calibrated_shape():
    bills = read_bills(*case("bollette_con_lacuna_2024.csv")[::-1]).bills
    shape = profile_shape("office", 2024)
    r = bills_to_hourly(bills, 2024, shape_of("office"))
    assert r.report["gaps"] == [{"from": "2024-02-01", "to": "2024-02-29", "days": 29}]
    codes = [w.code for w in r.warnings]
    assert "bills.gap" in codes and "bills.extended" in codes
    assert_reproduced(r.kwh, 2024, bills)
    billed = r.quality != EXTENDED
    factor = r.kwh[billed].sum() / shape[billed].sum()
    np.testing.assert_allclose(r.kwh[~billed], factor * shape[~billed])
    assert (local_month(2024)[~billed] != 1).all() and (local_month(2024)[~billed] != 3).all()


def test_month_grid_file_and_studio_grid():
    bf = read_bills(*case("bollette_griglia_mesi_2024.csv")[::-1])
    assert len(bf.bills) == 12 and bf.bills[1].start == dt.date(2024, 2, 1) and bf.bills[1].end == dt.date(2024, 2, 29)
    grid = [(b.f1_kwh, b.f2_kwh, b.f3_kwh) for b in bf.bills]
    grid[5] = (None, None, None)  # June left empty in the studio
    items = bills_from_grid(2024, grid, BANDS_3, estimated=[m == 2 for m in range(12)])
    assert len(items) == 11 and items[2].get("estimated") is True and items[-1]["end"] == "2024-12-31"
    bills = parse_bills(items, "members[0].load.bills")
    r = bills_to_hourly(bills, 2024, shape_of("shop"))
    assert_reproduced(r.kwh, 2024, bills)
    assert "bills.gap" in [w.code for w in r.warnings]
    assert bills_template_csv().startswith(b"pod;periodo_inizio;periodo_fine;f1_kwh")
    template = read_bills(bills_template_csv(), "modello.csv")
    assert template.bills[0].energies == (120.0, 95.0, 110.0)


def test_bills_crossing_the_year_and_from_another_year():
    bills = parse_bills([{"start": "2023-12-01", "end": "2024-01-31", "f1_kwh": 200, "f23_kwh": 400},
                         {"start": "2024-02-01", "end": "2024-03-31", "f1_kwh": 180, "f23_kwh": 380}], "b")
    r = bills_to_hourly(bills, 2024, shape_of("household", region="Lombardia"))
    first = r.report["bills"][0]
    assert first["spread_kwh"] == pytest.approx(first["kwh"], abs=1e-3)  # over its whole span, 2023 included
    assert_reproduced(r.kwh, 2024, bills[1:])
    old = parse_bills([{"start": f"2023-{m:02d}-01", "end": f"2023-{m:02d}-28", "total_kwh": 200} for m in range(1, 13)],
                      "b")
    r = bills_to_hourly(old, 2024, shape_of("office"))
    codes = [w.code for w in r.warnings]
    assert "bills.other_year" in codes and r.kwh.shape == (8784,)


def test_implausible_energy_and_band_without_hours():
    with pytest.raises(CerInputError) as exc:
        bills_to_hourly(parse_bills([{"start": "2024-01-01", "end": "2024-01-31", "f1_kwh": 5000, "f2_kwh": 100,
                                      "f3_kwh": 100}], "b"), 2024, shape_of("household"), contract_kw=3.0)
    p = exc.value.problems[0]
    assert p.code == "bills.implausible" and "3.3 kW" in p.en and "Wh" in p.it
    with pytest.raises(CerInputError) as exc:  # Sunday 7 January 2024: no F1 hour
        bills_to_hourly(parse_bills([{"start": "2024-01-07", "end": "2024-01-07", "f1_kwh": 3, "f2_kwh": 0,
                                      "f3_kwh": 4}], "b"), 2024, shape_of("office"))
    assert exc.value.problems[0].code == "bills.no_hours"


def test_shape_without_energy_in_a_band_spreads_evenly():
    bills = parse_bills([{"start": "2024-06-01", "end": "2024-06-30", "f1_kwh": 30, "f2_kwh": 60, "f3_kwh": 900}], "b")
    r = bills_to_hourly(bills, 2024, shape_of("public_lighting", lat=45.4, lon=9.2))
    assert_reproduced(r.kwh, 2024, bills)
    assert "bills.flat_band" in [w.code for w in r.warnings]


def test_household_plausibility_warnings_and_total_mismatch():
    bills = parse_bills([{"start": "2024-01-01", "end": "2024-12-31", "f1_kwh": 7000, "f2_kwh": 2000,
                          "f3_kwh": 3000, "total_kwh": 11000}], "b")
    r = bills_to_hourly(bills, 2024, shape_of("household"), household=True)
    codes = {w.code for w in r.warnings}
    assert {"bills.household_annual", "bills.household_f1", "bills.total_mismatch"} <= codes


def test_bad_dates_and_missing_energy():
    with pytest.raises(CerInputError) as exc:
        parse_bills([{"start": "2024-02-30", "end": "2024-03-01", "f1_kwh": 1}], "members[1].load.bills")
    assert exc.value.problems[0].where == "members[1].load.bills[0].start"
    with pytest.raises(CerInputError) as exc:
        bills_to_hourly(parse_bills([{"start": "2024-03-01", "end": "2024-02-01", "total_kwh": 5},
                                     {"start": "2024-04-01", "end": "2024-04-30", "f1_kwh": 5}], "b"), 2024,
                        shape_of("office"))
    assert [p.code for p in exc.value.problems] == ["bills.period", "bills.energy"]


# --- review of issue 5 ---------------------------------------------------------------------------------

def test_bills_file_with_the_total_alone():
    """docs/formats.md §3: 'totale_kwh' alone is accepted (by period, or by month)."""
    text = "pod;periodo_inizio;periodo_fine;totale_kwh\nIT001E00000001;01/01/2024;31/01/2024;300\n" \
           "IT001E00000001;01/02/2024;29/02/2024;280\n"
    bf = read_bills(text.encode(), "tot.csv")
    assert [b.kind for b in bf.bills] == [BANDS_1] * 2 and [b.total for b in bf.bills] == [300, 280]
    months = read_bills(b"mese;consumo_kwh\n01/2024;300\n02/2024;280\n", "mesi.csv")
    assert months.bills[1].end == dt.date(2024, 2, 29)
    from cer_core.io import read_meter_files

    with pytest.raises(CerInputError) as exc:  # as a meter file it is recognised as bills
        read_meter_files([("tot.csv", text.encode())])
    assert exc.value.problems[0].code == "file.is_bills"


def test_energy_that_is_not_a_number_is_refused_and_blank_grid_cells_are_zero():
    bills = [Bill(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31), f1_kwh=100, f2_kwh=float("nan"), f3_kwh=50,
                  where="b[0]")]
    with pytest.raises(CerInputError) as exc:
        bills_to_hourly(bills, 2024, shape_of("office"))
    assert exc.value.problems[0].code == "bills.energy" and exc.value.problems[0].where == "b[0]"
    grid = [(100, float("nan"), 50), (100, None, 50)] + [(None, None, None)] * 10
    a, b = bills_from_grid(2024, grid)
    assert a["f2_kwh"] == b["f2_kwh"] == 0.0


def test_adjustment_does_not_spoil_the_regular_bills_report():
    bills = parse_bills([{"start": "2024-01-01", "end": "2024-01-31", "f1_kwh": 100, "f2_kwh": 50, "f3_kwh": 60},
                         {"start": "2024-01-01", "end": "2024-01-31", "f1_kwh": -10, "f2_kwh": 0, "f3_kwh": 5,
                          "adjustment": True}], "b")
    r = bills_to_hourly(bills, 2024, shape_of("office"))
    regular, adj = r.report["bills"]
    assert regular["spread_kwh"] == pytest.approx(regular["kwh"], abs=1e-3)  # what the bill itself put in
    assert adj["spread_kwh"] == pytest.approx(adj["kwh"], abs=1e-3)  # what the adjustment added
    jan = Bill(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31), f1_kwh=0, f2_kwh=0, f3_kwh=0)
    np.testing.assert_allclose(band_totals(r.kwh, 2024, jan), [90, 50, 65], atol=1e-3)


def test_adjustment_in_a_band_without_hours_is_refused():
    bills = parse_bills([{"start": "2024-01-01", "end": "2024-01-31", "f1_kwh": 100, "f2_kwh": 50, "f3_kwh": 60},
                         {"start": "2024-01-07", "end": "2024-01-07", "f1_kwh": -5, "f2_kwh": 0, "f3_kwh": 0,
                          "adjustment": True}], "b")  # Sunday: no F1 hour, the 5 kWh used to vanish
    with pytest.raises(CerInputError) as exc:
        bills_to_hourly(bills, 2024, shape_of("office"))
    assert exc.value.problems[0].code == "bills.no_hours" and exc.value.problems[0].where == "b[1]"


def test_incomplete_bands_and_very_long_periods_are_said():
    bills = parse_bills([{"start": "2024-01-01", "end": "2024-01-31", "f1_kwh": 100, "f2_kwh": 50, "total_kwh": 300},
                         {"start": "2024-02-01", "end": "2034-01-31", "total_kwh": 100}], "b")
    r = bills_to_hourly(bills, 2024, shape_of("office"))
    codes = {w.code: w for w in r.warnings}
    assert "bills.partial_bands" in codes and "f1_kwh, f2_kwh" in codes["bills.partial_bands"].it
    assert "bills.long_period" in codes and "3653" in codes["bills.long_period"].en
    assert_reproduced(r.kwh, 2024, bills[:1])


def test_bills_file_thousands_dot_is_read_and_said():
    text = "pod;periodo_inizio;periodo_fine;f1_kwh;f2_kwh;f3_kwh\nIT001E00000001;01/01/2024;31/01/2024;1.667;182;200\n"
    bf = read_bills(text.encode(), "b.csv")
    assert bf.bills[0].energies == (1667.0, 182.0, 200.0)
    assert [w.code for w in bf.warnings] == ["file.thousands_dot"]


def test_bill_dates_outside_plausible_years():
    with pytest.raises(CerInputError) as exc:
        parse_bills([{"start": "2999-01-01", "end": "2999-01-31", "total_kwh": 10}], "b")
    p = exc.value.problems[0]
    assert p.code == "bills.date" and p.where == "b[0].start" and "1990–2100" in p.en
    with pytest.raises(CerInputError) as exc:
        read_bills(b"mese;totale_kwh\ngennaio 99999999999;5\n", "m.csv")
    assert exc.value.problems[0].code == "bills.month" and exc.value.problems[0].where == "m.csv:2"


def test_bills_excel_dates_serials_and_months_turned_into_dates():
    """Excel stores '01/2024' typed in a month column as a date, and dates may come as serial days."""
    from io_helpers import make_cases

    rows = [["mese", "f1_kwh", "f2_kwh", "f3_kwh"], [dt.datetime(2024, 1, 1), 100, 50, 60],
            [dt.datetime(2024, 2, 1), 90, 45, 55]]
    bf = read_bills(make_cases.to_xlsx(rows), "mesi.xlsx")
    assert [(b.start, b.end) for b in bf.bills] == [(dt.date(2024, 1, 1), dt.date(2024, 1, 31)),
                                                    (dt.date(2024, 2, 1), dt.date(2024, 2, 29))]
    text = "periodo_inizio;periodo_fine;f1;f23\n45292;45322;100;200\n"  # 01/01/2024 – 31/01/2024 as serials
    (b,) = read_bills(text.encode(), "serial.csv").bills
    assert (b.start, b.end) == (dt.date(2024, 1, 1), dt.date(2024, 1, 31))
