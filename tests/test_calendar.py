"""Time axis, F1/F2/F3 bands and holidays, embedded prices, comuni lookup."""

import datetime as dt

import numpy as np
import pytest

from cer_core.bands import F1, F2, F3, HOLIDAY, SATURDAY, band_of_hour, day_type_of_hour, national_holidays
from cer_core.geo import find_comune, nearest_comune, search_comuni, suggest_comuni
from cer_core.prices import _reference_day, embedded_prices, zonal_prices
from cer_core.timeaxis import hours_local, hours_utc, iso_local_labels, local_month, n_hours


def test_year_axis_lengths_and_edges():
    assert n_hours(2024) == 8784 and n_hours(2025) == 8760
    idx = hours_utc(2025)
    assert str(idx[0]) == "2024-12-31 23:00:00+00:00" and str(idx[-1]) == "2025-12-31 22:00:00+00:00"
    labels = iso_local_labels(2025)
    assert labels[0] == "2025-01-01T00:00:00+01:00" and labels[-1] == "2025-12-31T23:00:00+01:00"
    march = [x for x in labels if x.startswith("2025-03-30")]
    october = [x for x in labels if x.startswith("2025-10-26")]
    assert len(march) == 23 and "2025-03-30T03:00:00+02:00" in march and not any("T02:" in x for x in march)
    assert len(october) == 25 and october[2:4] == ["2025-10-26T02:00:00+02:00", "2025-10-26T02:00:00+01:00"]
    assert (np.diff(local_month(2025)) >= 0).all()


def test_band_table_on_known_days():
    local = hours_local(2025)
    band, dtype = band_of_hour(2025), day_type_of_hour(2025)

    def at(day, hour):
        i = np.flatnonzero((local.date == dt.date.fromisoformat(day)) & (local.hour == hour))[0]
        return band[i], dtype[i]

    assert at("2025-01-08", 8) == (F1, 0) and at("2025-01-08", 7) == (F2, 0) and at("2025-01-08", 19) == (F2, 0)
    assert at("2025-01-08", 23) == (F3, 0) and at("2025-01-08", 6) == (F3, 0) and at("2025-01-08", 18) == (F1, 0)
    assert at("2025-01-11", 12) == (F2, SATURDAY) and at("2025-01-11", 23) == (F3, SATURDAY)
    assert at("2025-01-12", 12) == (F3, HOLIDAY)             # Sunday
    assert at("2025-04-21", 12) == (F3, HOLIDAY)             # Easter Monday 2025
    assert at("2025-01-06", 12) == (F3, HOLIDAY)             # Epiphany
    assert np.bincount(band_of_hour(2024))[1] == 254 * 11    # 254 working days in 2024


def test_san_francesco_switch():
    assert dt.date(2027, 10, 4) in national_holidays(2027)
    assert dt.date(2027, 10, 4) not in national_holidays(2027, include_4_october=False)
    with_sf, without = band_of_hour(2027), band_of_hour(2027, include_4_october=False)
    assert (with_sf != without).sum() == 16  # Monday 4/10/2027: 11 F1 + 5 F2 hours become F3


def test_embedded_prices_laid_on_year():
    for year in (2024, 2025):
        p = embedded_prices(year, "NORD")
        assert len(p) == n_hours(year) and np.isfinite(p).all()
        assert 80 < p.mean() < 130
    local = hours_local(2024)
    leap = embedded_prices(2024, "NORD")[(local.month == 2) & (local.day == 29)]
    assert len(leap) == 24 and np.isfinite(leap).all()
    # weekday alignment: the reference day has the same weekday as the simulated day
    d = dt.date(2025, 6, 11)
    ref = dt.date(2023, 1, 1) + dt.timedelta(days=_reference_day(d) - 1)
    assert ref.weekday() == d.weekday() and abs(ref.timetuple().tm_yday - d.timetuple().tm_yday) <= 3


def test_flat_and_file_prices_and_errors():
    flat = zonal_prices({"source": "flat", "eur_mwh": 95}, 2025, "NORD")
    assert flat.eur_mwh.shape == (8760,) and (flat.eur_mwh == 95).all()
    from cer_core.errors import CerInputError
    from cer_core.io import write_hourly_csv

    data = write_hourly_csv(np.linspace(-5, 200, 8760), 2025, "eur_mwh")
    got = zonal_prices({"source": "file", "path": "p.csv"}, 2025, "NORD", lambda path: data)
    assert got.eur_mwh[0] == pytest.approx(-5.0)  # negative prices are allowed
    with pytest.raises(CerInputError) as exc:
        zonal_prices({"source": "file", "path": "p.csv"}, 2024, "NORD", lambda path: data)
    assert exc.value.problems[0].where.startswith("prices.path")


def test_comuni_lookup():
    assert find_comune("rozzano").istat_code == "015189"
    assert find_comune("15146").name == "Milano"
    assert find_comune("Forlì").region == "Emilia-Romagna"
    assert find_comune("forli").name == "Forlì"
    assert find_comune("Palermo").market_zone == "SICI"
    assert find_comune("None").province_short == "TO"  # a real comune, not a missing value
    assert find_comune("Nowhere") is None
    assert "Rozzano (MI)" in suggest_comuni("Rozano")
    assert search_comuni("Roz")[0].name == "Rozzano"
    assert nearest_comune(45.4642, 9.19).name == "Milano"


def test_the_italy_calendar_loaded_alone_gives_the_registrys_dates():
    """bands.italy_calendar_class loads holidays' Italy module without the other countries: same dates."""
    import holidays

    from cer_core.bands import italy_calendar_class

    years = list(range(1990, 2061))
    alone = italy_calendar_class()(years=years, language="en_US")
    registry = holidays.country_holidays("IT", years=years, language="en_US")
    assert sorted(alone.keys()) == sorted(registry.keys())
    assert len(alone) > 12 * len(years)


def test_national_holidays_do_not_import_every_country(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from cer_core.bands import national_holidays; import datetime as dt; "
            "assert dt.date(2024, 4, 1) in national_holidays(2024); "  # Easter Monday 2024
            "print('holidays.countries' in sys.modules)")
    env = {"CER_STUDIO_DISK_CACHE": "0", "CER_STUDIO_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                          cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
