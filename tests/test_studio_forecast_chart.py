"""The forecast chart: its series are the forecast's, its hours unique across the October clock change,
the band below and above production, the best windows shaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from studio_helpers import fixture_workspace

from cer_core.api import run
from cer_core.forecast import community_forecast
from cer_core.io.openmeteo import read_forecast
from studio.pure.forecast_chart import forecast_figure, hour_labels, series

SUNNY = Path(__file__).resolve().parent / "data" / "openmeteo" / "sunny_bolzano_2026-10-24.json"


@pytest.fixture(scope="module")
def fc():
    ws = fixture_workspace()
    outcome = run(ws, shapley=False)
    return community_forecast(outcome.scenario, outcome.results, forecast=read_forecast(SUNNY.read_bytes()),
                              read_file=ws.read_file)


def test_figure_draws_the_forecast(fc):
    fig = forecast_figure(fc, lambda key, **k: key, "it")
    by_name = {tr.name: tr for tr in fig.data if tr.name}
    np.testing.assert_allclose(by_name["previsioni.chart.production"].y, fc.cabina_production_kwh.sum(axis=1))
    np.testing.assert_allclose(by_name["previsioni.chart.consumption"].y, fc.cabina_load_kwh.sum(axis=1))
    np.testing.assert_allclose(by_name["previsioni.chart.surplus"].y, fc.cabina_surplus_kwh.sum(axis=1))
    low = np.array(by_name["previsioni.chart.band"].y)
    high = np.array(fig.data[0].y)
    assert (low <= np.array(by_name["previsioni.chart.production"].y) + 1e-9).all()
    assert (high >= np.array(by_name["previsioni.chart.production"].y) - 1e-9).all()
    assert fig.layout.xaxis.type == "category" and fig.layout.separators == ",."
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == len({(w.cabina, w.start_utc) for w in fc.windows})


def test_hour_labels_are_unique_across_the_clock_change(fc):
    labels = hour_labels(fc, "it")
    assert len(set(labels)) == 72
    assert "dom 25/10 02:00" in labels and "dom 25/10 02:00 (+01)" in labels
    assert labels[0] == "sab 24/10 02:00"


def test_one_cabina(fc):
    s = series(fc, "CP-SUD")
    c = fc.cabina_ids.index("CP-SUD")
    np.testing.assert_allclose(s["shared"], fc.cabina_shared_kwh[:, c])
