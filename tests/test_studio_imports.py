"""Meter uploads become workspace files that travel in the saved bundle."""

from pathlib import Path

import numpy as np
import pytest

from cer_core.api import run
from cer_core.io import write_hourly_csv
from cer_core.timeaxis import n_hours
from cer_core.workspace import workspace_from_bytes
from studio.pure.imports import category_monthly_factors, import_meter_files, store_meter_import
from studio_helpers import fixture_workspace

YEAR = 2024


def hourly_file(kwh_per_hour=0.5):
    return write_hourly_csv(np.full(n_hours(YEAR), kwh_per_hour), YEAR)


def test_import_hourly_csv():
    result = import_meter_files([("curva.csv", hourly_file())], YEAR)
    assert result.ok and not result.problems
    assert result.kwh.sum() == pytest.approx(0.5 * n_hours(YEAR))
    assert result.report


def test_bad_file_gives_located_problems():
    result = import_meter_files([("rotto.csv", b"timestamp,kwh\n2024-01-01T00:00:00+01:00,abc\n")], YEAR)
    assert not result.ok and result.kwh is None
    assert result.problems and all("rotto.csv" in p.message("it") for p in result.problems)


def test_store_then_bundle_reopens_the_identical_community():
    ws = fixture_workspace()
    data = hourly_file(0.8)
    result = import_meter_files([("export.csv", data)], YEAR)
    new, load = store_meter_import(ws, "casa-1", [("export.csv", data)], result.kwh, YEAR)
    assert load["source"] == "file" and load["path"].startswith("members/casa-1/")
    assert load["originals"] == [{"path": "members/casa-1/originali/export.csv"}]
    new.doc["members"][1]["load"] = load
    assert "members/casa-1/originali/export.csv" not in ws.files     # the old workspace is untouched
    reopened = workspace_from_bytes(new.to_bundle(), "salvata.zip")
    assert reopened.digest() == new.digest()
    assert reopened.read_file("members/casa-1/originali/export.csv") == data
    outcome = run(reopened)
    casa1 = next(m for m in outcome.summary["members"] if m["id"] == "casa-1")
    assert casa1["consumption_kwh"] == pytest.approx(0.8 * n_hours(YEAR), rel=1e-6)


SAMPLES = Path(__file__).resolve().parent / "data" / "samples"


def test_import_a_distributor_export_with_its_report():
    data = (SAMPLES / "edistribuzione_wide_quartorario_2024_piccola_impresa.csv").read_bytes()
    result = import_meter_files([("edis.csv", data)], YEAR, "it")
    assert result.ok, result.problems
    assert len(result.kwh) == n_hours(YEAR)
    assert result.report[0].startswith("Formato: ")
    assert any(line.startswith("Anno 2024: ") for line in result.report)
    english = import_meter_files([("edis.csv", data)], YEAR, "en")
    assert english.report[0].startswith("Format: ")
    np.testing.assert_allclose(english.kwh, result.kwh)


def test_a_partial_year_is_completed_with_warnings():
    data = (SAMPLES / "pcf_unareti_duereti_curva_2024-03_cambio_ora_legale.csv").read_bytes()
    doc = fixture_workspace().doc
    factors = category_monthly_factors(doc, doc["members"][1])
    assert factors is not None and len(factors) == 12
    result = import_meter_files([("pcf.csv", data)], YEAR, "it", monthly_factors=factors)
    assert result.ok and result.kwh.sum() > 0
    assert any(w.code == "year.extended" for w in result.warnings)


def test_production_upload_is_checked_like_the_simulation():
    from studio.pure.imports import store_production_file

    ws = fixture_workspace()
    good = write_hourly_csv(np.full(n_hours(YEAR), 3.0), YEAR)
    new, problems, kwh = store_production_file(ws, "fv-forno", "misure.csv", good)
    assert problems == [] and kwh == pytest.approx(3.0 * n_hours(YEAR))
    plant = next(p for p in new.doc["plants"] if p["id"] == "fv-forno")
    assert plant["production"] == {"source": "file", "path": "plants/fv-forno/misure.csv"}
    assert ws.doc["plants"][1]["production"]["path"] == "series/prod_fv-forno.csv"   # the old one is untouched
    too_big = write_hourly_csv(np.full(n_hours(YEAR), 30.0), YEAR)                     # 30 kWh/h from 20 kWp
    new, problems, kwh = store_production_file(ws, "fv-forno", "watt.csv", too_big)
    assert new is None and problems[0].code == "production.implausible"


def test_weather_upload_refuses_what_is_not_a_typical_year():
    from studio.pure.imports import store_weather_file

    new, problems, label = store_weather_file(fixture_workspace(), "meteo.csv", b"non,un,tmy\n1,2,3\n")
    assert new is None and problems and "meteo.csv" in problems[0].message("it")


def test_weather_upload_of_a_pvgis_tmy(tmp_path):
    from cer_core.paths import ASSETS
    from studio.pure.imports import store_weather_file

    data = (ASSETS / "weather" / "pvgis_tmy_46.491_11.332_2005_2020.csv").read_bytes()
    new, problems, label = store_weather_file(fixture_workspace(), "tmy_bolzano.csv", data)
    assert problems == [] and "46.491" in label
    assert new.doc["site"]["weather"] == {"source": "file", "path": "weather/tmy_bolzano.csv"}
