"""Known-answer tests for the TIP, the valorisation and the 55 %/45 % rule (docs/regulation.md §8)."""

import datetime as dt

import numpy as np
import pytest

from cer_core import constants as C
from cer_core.constants import Parameters
from cer_core.money.incentives import (admission, grant_factor, restricted_tip, tariff_end, tip_class, tip_rate_eur_mwh,
                                 valorisation_eur)


@pytest.mark.parametrize(
    "case, kw, macro, pz, grant, expected",
    [
        ("A", 150, "Nord", 100, 0, 130.0),   # min(80+80, 120) + 10
        ("B", 150, "Nord", 160, 0, 110.0),   # 80 + 20 + 10
        ("C", 400, "Centro", 190, 0, 74.0),  # 70 + 0 + 4
        ("D", 800, "Sud", 130, 0, 100.0),    # min(60+50, 100)
        ("E", 150, "Nord", 100, 20, 97.5),   # 130 × (1 − 0.25)
    ],
)
def test_domain_vectors_tip_rate(case, kw, macro, pz, grant, expected):
    assert tip_rate_eur_mwh(kw, pz, macro, grant) == pytest.approx(expected, abs=1e-12), case


def test_published_check_emilia_romagna_over_600kw():
    rates = tip_rate_eur_mwh(800, np.array([180.0, 250.0, 140.0, 20.0]), C.macro_area("Emilia-Romagna"))
    np.testing.assert_allclose(rates, [70.0, 70.0, 110.0, 110.0])


def test_class_boundaries_are_inclusive():
    assert tip_class(200).fixed_eur_mwh == 80
    assert tip_class(200.01).fixed_eur_mwh == 70
    assert tip_class(600).fixed_eur_mwh == 70
    assert tip_class(600.01).fixed_eur_mwh == 60


def test_grant_factor_and_40_pct_halves_the_tariff():
    assert grant_factor(40) == pytest.approx(0.5)
    assert tip_rate_eur_mwh(100, 50.0, "Sud", 40) == pytest.approx(60.0)  # 120 → 60 at g = 40 %


def test_regional_correction_not_scaled_option():
    p = Parameters(grant_scales_regional_correction=False)
    assert tip_rate_eur_mwh(150, 100, "Nord", 20, p) == pytest.approx(120 * 0.75 + 10)


def test_variable_part_never_negative_and_hourly_vector():
    pz = np.array([0.0, 100.0, 179.0, 180.0, 400.0])
    np.testing.assert_allclose(tip_rate_eur_mwh(500, pz, "Sud"), [110, 110, 71, 70, 70])


@pytest.mark.parametrize("region, area", [("Lombardia", "Nord"), ("Valle d'Aosta/Vallée d'Aoste", "Nord"),
                                          ("Trentino-Alto Adige/Südtirol", "Nord"), ("Abruzzo", "Centro"),
                                          ("Lazio", "Centro"), ("Sicilia", "Sud"), ("Campania", "Sud")])
def test_macro_area(region, area):
    assert C.macro_area(region) == area


def test_valorisation_vector_h():
    shared = np.array([10.0, 20.0, 30.0])
    assert valorisation_eur(shared, 10.57).sum() == pytest.approx(0.6342, abs=1e-12)


def test_restricted_share_vector_i():
    rec = restricted_tip(tip_eur=7000.0, incentivised_kwh=70_000.0, injected_kwh=100_000.0, threshold=0.55)
    assert rec["ratio"] == pytest.approx(0.70)
    assert rec["restricted_eur"] == pytest.approx(7000.0 * (0.70 - 0.55))  # vector I: 1,050 €
    assert rec["restricted_eur"] == pytest.approx(1050.0)


def test_restricted_share_below_threshold_and_empty():
    assert restricted_tip(100.0, 40.0, 100.0, 0.55)["restricted_eur"] == 0.0
    assert restricted_tip(0.0, 0.0, 0.0, 0.45)["restricted_eur"] == 0.0


def test_admission_reasons():
    new = dt.date(2023, 1, 1)
    assert admission(100, new, 0, True).admitted
    assert admission(100, dt.date(2021, 12, 15), 0, True).reason_code == "old"
    assert admission(100, dt.date(2021, 12, 16), 0, True).admitted
    assert admission(1000.1, new, 0, True).reason_code == "over_1mw"
    assert admission(1000, new, 0, True).admitted
    assert admission(100, new, 40.5, True).reason_code == "grant"
    assert admission(100, new, 40, True).admitted
    assert admission(100, new, 0, False).reason_code == "flag"


def test_tariff_end_twenty_years_and_leap_day():
    assert tariff_end(dt.date(2022, 5, 3)) == dt.date(2042, 5, 3)
    assert tariff_end(dt.date(2024, 2, 29)) == dt.date(2044, 2, 29)
    assert tariff_end(dt.date(2028, 2, 29)) == dt.date(2048, 2, 29)


def test_valorisation_rate_table_and_override():
    assert Parameters().valorisation_rate(2024) == 10.57
    assert Parameters().valorisation_rate(2031) == 10.57  # default year's value [D]
    assert Parameters(valorisation_eur_mwh=9.0).valorisation_rate(2024) == 9.0


def test_parameters_from_overrides_merge_dicts_and_ignore_unknown():
    p = Parameters.from_overrides({"attribution": "pro_rata", "unknown": 1},
                                  {"avoided_price_eur_kwh": {"household": 0.25}})
    assert p.attribution == "pro_rata"
    assert p.avoided_price_eur_kwh["household"] == 0.25
    assert p.avoided_price_eur_kwh["sme"] == C.AVOIDED_PRICE_EUR_KWH["sme"]
