"""Standard load shapes: ARERA households and the documented non-household assumptions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cer_core.loads import profiles as P
from cer_core.bands import day_type_of_hour, local_hour_of_day
from cer_core.timeaxis import hours_local, local_month


def at(year: int, local: str) -> int:
    """Index of a local hour in the year's axis."""
    return int(np.flatnonzero(hours_local(year) == pd.Timestamp(local, tz="Europe/Rome"))[0])


@pytest.mark.parametrize("name", P.PROFILE_NAMES)
@pytest.mark.parametrize("year", [2024, 2025])
def test_every_profile_is_a_shape(name, year):
    s = P.profile_shape(name, year, region="Lombardia", contract_kw=3.0, lat=45.4, lon=9.15)
    assert s.shape == ((8784,) if year == 2024 else (8760,))
    assert s.sum() == pytest.approx(1.0) and s.min() >= 0 and not s.flags.writeable
    assert P.profile_shape(name, year, region="Lombardia", contract_kw=3.0, lat=45.4, lon=9.15) is s  # cached
    f = P.monthly_factors(s, year)
    assert len(f) == 12 and np.mean(f) == pytest.approx(1.0)


def test_household_follows_the_arera_table():
    table, note = P.household_table("Lombardia", "1.5<P<=3")
    assert note == "Lombardia, 1.5<P<=3" and table.shape == (12, 3, 24)
    s = P.profile_shape("household", 2024, region="Lombardia", contract_kw=3.0)
    expected = table[local_month(2024) - 1, day_type_of_hour(2024), local_hour_of_day(2024)]
    np.testing.assert_allclose(s / s.sum(), expected / expected.sum())
    raw = pd.read_csv(P.ARERA_FILE)
    row = raw[(raw["Mese"] == 1) & (raw["Regione"] == "Lombardia") & (raw["Classe potenza"] == "1.5<P<=3")
              & (raw["Working day"] == "Domenica") & (raw["Ora"] == 20)]
    # Sunday 7 January 2024, 20:00, and the Epiphany (Saturday 6 January, a holiday) use the Sunday row
    for local in ("2024-01-07 20:00", "2024-01-06 20:00"):
        assert expected[at(2024, local)] == pytest.approx(float(row.iloc[0, 5]))


def test_household_power_class_and_region_fallbacks():
    assert [P.power_class(kw) for kw in (1.0, 1.5, 3.0, 4.5, 6.0, 10.0, None)] == [
        "0<P<=1.5", "0<P<=1.5", "1.5<P<=3", "3<P<=4.5", "4.5<P<=6", "P>6", "1.5<P<=3"]
    assert P.normalise_region("Trentino-Alto Adige/Südtirol") == "Trentino-Alto Adige"
    assert P.household_table("Valle d'Aosta/Vallée d'Aoste", "1.5<P<=3")[1].startswith("Piemonte")
    assert "classe P>6 assente" in P.household_table("Trentino-Alto Adige", "P>6")[1]
    assert P.household_table(None, "P>6")[1] == "media nazionale, P>6"
    veneto, _ = P.household_table("Veneto", "P>6")  # December missing in the data: November stands in
    assert not np.isnan(veneto).any() and np.array_equal(veneto[11], veneto[10])
    a = P.profile_shape("household", 2024, region="Sicilia", contract_kw=3)
    b = P.profile_shape("household", 2024, region="Lombardia", contract_kw=3)
    assert not np.allclose(a, b)


def test_office_and_shop_hours():
    s = P.profile_shape("office", 2024)
    base = s[at(2024, "2024-01-14 10:00")]  # Sunday
    assert s[at(2024, "2024-01-15 10:00")] == pytest.approx(base / 0.15 * 1.0)  # Monday at peak
    assert s[at(2024, "2024-01-13 10:00")] == pytest.approx(base)  # Saturday: closed
    assert s[at(2024, "2024-08-14 10:00")] < 0.2 * s[at(2024, "2024-08-07 10:00")]  # August closure
    shop = P.profile_shape("shop", 2024)
    assert shop[at(2024, "2024-01-13 11:00")] == pytest.approx(shop[at(2024, "2024-01-15 11:00")])  # open Saturday
    assert shop[at(2024, "2024-01-14 11:00")] < 0.3 * shop[at(2024, "2024-01-15 11:00")]


def test_school_calendar():
    s = P.profile_shape("school", 2024)
    assert s[at(2024, "2024-07-10 10:00")] < 0.3 * s[at(2024, "2024-10-09 10:00")]  # summer break
    assert s[at(2024, "2024-03-28 10:00")] < 0.3 * s[at(2024, "2024-03-21 10:00")]  # Easter break (Easter 31/03)
    assert s[at(2024, "2024-01-03 10:00")] < 0.3 * s[at(2024, "2024-01-10 10:00")]  # Christmas break
    assert s[at(2024, "2024-10-12 10:00")] < 0.2 * s[at(2024, "2024-10-11 10:00")]  # Saturday


def test_industry_shifts():
    one = P.profile_shape("industry_1_shift", 2024)
    two = P.profile_shape("industry_2_shifts", 2024)
    three = P.profile_shape("industry_3_shifts", 2024)
    wed = "2024-10-09"
    assert one[at(2024, f"{wed} 20:00")] < 0.2 * one[at(2024, f"{wed} 10:00")]
    assert two[at(2024, f"{wed} 20:00")] == pytest.approx(two[at(2024, f"{wed} 10:00")])
    assert two[at(2024, f"{wed} 03:00")] < 0.2 * two[at(2024, f"{wed} 10:00")]
    assert three[at(2024, f"{wed} 03:00")] == pytest.approx(three[at(2024, f"{wed} 10:00")])
    assert three[at(2024, "2024-10-07 03:00")] < 0.5 * three[at(2024, "2024-10-07 10:00")]  # Monday restart
    assert three[at(2024, "2024-10-13 10:00")] < 0.4 * three[at(2024, f"{wed} 10:00")]  # Sunday
    # share of energy on working days: 1 shift > 2 shifts > 3 shifts
    wd = day_type_of_hour(2024) == 0
    assert one[wd].sum() > two[wd].sum() > three[wd].sum()


def test_municipal_building_afternoons_and_wastewater():
    m = P.profile_shape("municipal_building", 2024)
    assert m[at(2024, "2024-10-08 15:00")] > 2 * m[at(2024, "2024-10-09 15:00")]  # Tuesday vs Wednesday
    w = P.profile_shape("wastewater_treatment", 2024)
    assert w.min() / w.max() > 0.55  # a continuous load
    july = w[local_month(2024) == 7].mean()
    assert july > w[local_month(2024) == 1].mean()


def test_public_lighting_follows_the_night():
    s = P.profile_shape("public_lighting", 2024, lat=45.46, lon=9.19)
    assert s[at(2024, "2024-06-21 13:00")] == 0
    assert s[at(2024, "2024-12-21 21:00")] == pytest.approx(s.max())
    assert s[at(2024, "2024-12-21 02:00")] == pytest.approx(0.7 * s.max())
    lit_hours = (s / s.max())[local_hour_of_day(2024) >= 5].sum() + (s / s.max() / 0.7)[
        local_hour_of_day(2024) < 5].sum()
    assert 4000 < lit_hours < 4500  # a Po-valley installation burns about 4200 h a year
    south = P.profile_shape("public_lighting", 2024, lat=37.1, lon=14.6)
    assert not np.allclose(s, south)


def test_unknown_profile_message():
    with pytest.raises(KeyError):
        P.profile_shape("bakery", 2024)
    exc = P.unknown_profile("members[3].load.profile", "bakery")
    p = exc.problems[0]
    assert p.where == "members[3].load.profile" and "bakery" in p.it and "household" in p.en


def test_school_closures_move_with_easter():
    e25 = P._closure_mask(P.ACTIVITIES["school"], 2025)
    _, dates = P._local_calendar(2025)
    closed = set(pd.DatetimeIndex(dates[e25]).date)
    assert dt.date(2025, 4, 18) in closed and dt.date(2025, 4, 22) in closed  # Easter 20/04/2025
    assert dt.date(2025, 4, 16) not in closed


def test_arera_table_is_the_per_group_one():
    # _arera_raw fills every (region, class) in one assignment; the reference is the per-group loop it replaced
    from cer_core.loads.profiles import ARERA_FILE, _arera_raw

    frame = pd.read_csv(ARERA_FILE)
    frame.columns = ["month", "region", "power_class", "day_type", "hour", "kwh"]
    frame["dt"] = frame["day_type"].map({"Giorno feriale": 0, "Sabato": 1, "Domenica": 2})
    expected = {}
    for (region, pclass), g in frame.groupby(["region", "power_class"]):
        arr = np.full((12, 3, 24), np.nan)
        arr[g["month"].to_numpy() - 1, g["dt"].to_numpy(), g["hour"].to_numpy()] = g["kwh"].to_numpy()
        expected[(region, pclass)] = arr
    raw = _arera_raw()
    assert set(raw) == set(expected) and len(raw) > 80
    for key, arr in expected.items():
        assert raw[key].shape == (12, 3, 24)
        assert raw[key].tobytes() == arr.tobytes(), key
    assert any(np.isnan(a).any() for a in raw.values())  # gaps stay gaps (filled later by household_table)
