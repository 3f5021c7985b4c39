"""What the studio shows beside the simulation, from the core without Streamlit (``cer_core.api``): one
member's load preview, the site's weather summary and the community's hourly flows."""

from __future__ import annotations

import numpy as np
import pytest
from studio_helpers import fixture_workspace

from cer_core import api
from cer_core.bands import band_of_hour
from cer_core.io import read_hourly_csv
from cer_core.results_view import summary_view


def test_a_members_load_previews_alone_with_its_monthly_bands():
    ws = fixture_workspace()
    del ws.doc["members"][0]["load"]             # the community no longer simulates...
    preview = api.member_load_preview(ws, "casa-2")  # ...casa-2's load still reads, as the simulation reads it
    assert preview.problems == () and preview.year == 2024
    expected = read_hourly_csv(ws.read_file("series/load_casa-2.csv"), "x", 2024)
    np.testing.assert_allclose(preview.kwh, expected)
    band = band_of_hour(2024)
    np.testing.assert_allclose(preview.band_kwh, [expected[band == b].sum() for b in (1, 2, 3)])
    assert preview.monthly_by_band_kwh.shape == (12, 3)
    assert preview.total_kwh == pytest.approx(expected.sum()) and preview.peak_kw == pytest.approx(expected.max())


def test_a_member_without_load_or_absent():
    ws = fixture_workspace()
    del ws.doc["members"][0]["load"]
    first = ws.doc["members"][0]["id"]
    preview = api.member_load_preview(ws, first)
    assert preview.kwh is None and [p.code for p in preview.problems] == ["member.no_load"]
    assert api.member_load_preview(ws, "nobody") is None and api.member_workspace(ws, "nobody") is None


def test_the_one_member_community_keeps_site_year_and_files():
    ws = fixture_workspace()
    mini = api.member_workspace(ws, "casa-2")
    assert [m["id"] for m in mini.doc["members"]] == ["casa-2"] and mini.doc["plants"] == []
    assert mini.doc["site"] == ws.doc["site"] and mini.doc["year"] == ws.doc["year"]
    assert mini.read_file("series/load_casa-2.csv") == ws.read_file("series/load_casa-2.csv")


def test_weather_summary_without_streamlit():
    summary = api.weather_summary(fixture_workspace())
    assert summary.problems == () and len(summary.irradiation_kwh_m2) == len(summary.temperature_c) == 12
    assert sum(summary.irradiation_kwh_m2) == pytest.approx(summary.source["annual_ghi_kwh_m2"], rel=0.01)


def test_weather_summary_of_an_unknown_comune_is_a_problem():
    ws = fixture_workspace()
    ws.doc["site"] = {"comune": "Nonesiste di Sopra"}
    summary = api.weather_summary(ws)
    assert summary.irradiation_kwh_m2 == () and summary.problems and summary.problems[0].severity == "error"


def test_the_community_hourly_flows_add_up_to_the_totals():
    outcome = api.run(fixture_workspace(), shapley=False)
    hourly = api.community_hourly(outcome.results)
    totals = summary_view(outcome.summary).totals
    for key in ("production_kwh", "consumption_kwh", "self_consumed_kwh", "injected_kwh", "withdrawn_kwh",
                "shared_kwh"):
        assert hourly[key].sum() == pytest.approx(getattr(totals, key), rel=1e-9), key
    assert len(hourly["zonal_price_eur_mwh"]) == len(hourly["shared_kwh"]) == 8784


def test_consumers_needed_reads_the_plants_injection():
    from cer_core.selection import consumers_needed

    outcome = api.run(fixture_workspace(), shapley=False)
    res, plant = outcome.results, outcome.scenario.plants[0].id
    need = api.consumers_needed(outcome, plant, 0.8)
    assert need == consumers_needed(res.plant_injected_kwh[:, 0], outcome.scenario, target=0.8)
    with pytest.raises(ValueError):
        api.consumers_needed(outcome, "no-such-plant", 0.8)
