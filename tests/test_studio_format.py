"""Italian (and English) number formatting of the studio's UI."""

import math

import pytest

from studio.pure.format import (NBSP, fmt_co2, fmt_energy, fmt_eur, fmt_kwp, fmt_number, fmt_pct, fmt_qty, month_names,
                           parse_number, plotly_separators)


@pytest.mark.parametrize("value, decimals, lang, expected", [
    (1234.5, 1, "it", "1.234,5"),
    (1234.5, 1, "en", "1,234.5"),
    (1234567.891, 2, "it", "1.234.567,89"),
    (0.5, 0, "it", "0"),          # round half to even, as Python does
    (999.96, 1, "it", "1.000,0"),
    (-1234, 0, "it", "-1.234"),
    (-0.04, 1, "it", "0,0"),      # no "-0,0"
    (12, 0, "it", "12"),
])
def test_fmt_number(value, decimals, lang, expected):
    assert fmt_number(value, decimals, lang) == expected


@pytest.mark.parametrize("value", [None, math.nan, math.inf, "abc"])
def test_missing_values_show_a_dash(value):
    assert fmt_number(value) == "–"
    assert fmt_qty(value, "kWh") == "–"
    assert fmt_energy(value) == "–"
    assert fmt_eur(value) == "–"
    assert fmt_pct(value) == "–"


def test_units_are_joined_by_a_non_breaking_space():
    assert fmt_qty(1234.5, "kWh", 1) == f"1.234,5{NBSP}kWh"


@pytest.mark.parametrize("kwh, expected", [
    (850, "850 kWh"), (999.4, "999 kWh"), (999.6, "1,0 MWh"), (12_345, "12,3 MWh"), (99_940, "99,9 MWh"),
    (99_960, "100 MWh"), (242_300, "242 MWh"), (982_600, "983 MWh"), (999_600, "1,00 GWh"), (3_200_000, "3,20 GWh"),
])
def test_fmt_energy_picks_a_readable_unit(kwh, expected):
    assert fmt_energy(kwh).replace(NBSP, " ") == expected


def test_money_percent_power_co2():
    assert fmt_eur(12345.6).replace(NBSP, " ") == "12.346 €"
    assert fmt_eur(12345.6, "en") == "€12,346"
    assert fmt_eur(-50, "en") == "-€50"
    assert fmt_pct(0.553) == "55,3%"
    assert fmt_pct(0.553, 0, "en") == "55%"
    assert fmt_kwp(982.5).replace(NBSP, " ") == "982,5 kWp"
    assert fmt_co2(850).replace(NBSP, " ") == "850 kg CO₂"
    assert fmt_co2(12_345).replace(NBSP, " ") == "12,3 t CO₂"


def test_months_and_plotly_separators():
    assert month_names("it")[0] == "gen" and month_names("en")[11] == "Dec" and len(month_names("it")) == 12
    assert plotly_separators("it") == ",." and plotly_separators("en") == ".,"


@pytest.mark.parametrize("text, lang, expected", [
    ("4,5", "it", 4.5), ("1.234,5", "it", 1234.5), ("3.500", "it", 3500.0), ("12.5", "it", 12.5),
    ("0,25", "it", 0.25), (" 420 ", "it", 420.0), ("14,5 %", "it", 14.5), ("4,5 kWp", "it", 4.5),
    ("2.700 kWh", "it", 2700.0), ("1 234,5", "it", 1234.5), ("1\u00a0234,5", "it", 1234.5), ("-3", "it", -3.0),
    ("4.5", "en", 4.5), ("1,234.5", "en", 1234.5), ("3,500", "en", 3500.0), ("4,5", "en", 4.5), ("0", "en", 0.0),
])
def test_parse_number_reads_what_people_type(text, lang, expected):
    value, problem = parse_number(text, lang)
    assert problem is None and value == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "   ", "abc", "4,5,6", "1.2.3,4,5", "--3", "4,5.6.7", "nan", "inf", "1e400"])
def test_parse_number_refuses_what_is_not_a_number(text):
    value, problem = parse_number(text, "it")
    assert value is None and problem
