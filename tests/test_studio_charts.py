"""The studio's figures: aggregations over the hourly axis (DST days included) and what each chart shows."""

import numpy as np
import pytest

import dataclasses

from cer_core.bands import band_of_hour, day_type_of_hour, monthly_by_band
from cer_core.results_view import Month, Totals
from cer_core.timeaxis import hours_local, n_hours
from studio.pure import charts


def tr(key, **fmt):
    """A translation function that returns the key: titles and labels are checked by key."""
    return key


YEAR = 2024  # leap year: 8784 hours, clock changes on 31 March and 27 October


def totals_of(figures: dict) -> Totals:
    """The year's totals holding ``figures``, every other figure 0 (the charts read them typed)."""
    return Totals(**{f.name: 0 for f in dataclasses.fields(Totals)} | figures)


def months_of(rows: list[dict]) -> list[Month]:
    """Summary months holding ``rows``' figures, every other figure 0."""
    return [Month(**{f.name: 0 for f in dataclasses.fields(Month)} | r) for r in rows]


def monthly_rows(scale=1.0):
    rows = []
    for k in range(12):
        prod = (1000 + 300 * k) * scale
        rows.append({"month": k + 1, "production_kwh": prod, "consumption_kwh": 2000 * scale,
                     "self_consumed_kwh": 400 * scale, "injected_kwh": prod - 400 * scale,
                     "withdrawn_kwh": 1600 * scale, "shared_kwh": 300 * scale, "tip_eur": 30.0, "valorisation_eur": 3.0,
                     "energy_sale_eur": 50.0, "rid_min_price_topup_eur": 0.0, "bill_savings_eur": 80.0,
                     "fees_eur": 10.0})
    return months_of(rows)


def test_mean_by_hour_of_day_known_answer():
    values = np.ones(n_hours(YEAR))
    hod = hours_local(YEAR).hour.to_numpy()
    values[hod == 12] = 5.0
    means = charts.mean_by_hour_of_day(values, YEAR)
    assert means.shape == (24,)
    assert means[12] == pytest.approx(5.0) and means[3] == pytest.approx(1.0)


def test_day_hour_matrix_handles_the_clock_changes():
    values = np.ones(n_hours(YEAR))
    matrix, dates = charts.day_hour_matrix(values, YEAR)
    assert matrix.shape == (24, 366) and dates[0] == "2024-01-01" and dates[-1] == "2024-12-31"
    march, october = dates.index("2024-03-31"), dates.index("2024-10-27")
    assert np.isnan(matrix[2, march])          # 02:00 does not exist on 31 March
    assert matrix[2, october] == 2.0           # 02:00 happens twice on 27 October
    assert np.nansum(matrix) == pytest.approx(values.sum())


def test_monthly_by_band_adds_up_and_follows_the_bands():
    values = np.arange(n_hours(YEAR), dtype=float)
    table = monthly_by_band(values, YEAR)
    assert table.shape == (12, 3)
    assert table.sum() == pytest.approx(values.sum())
    band = band_of_hour(YEAR)
    assert table[:, 0].sum() == pytest.approx(values[band == 1].sum())


def test_monthly_energy_figure_stacks_production_and_consumption():
    rows = monthly_rows(scale=10)  # MWh scale
    fig = charts.monthly_energy_figure(rows, tr, "it")
    assert fig.layout.title.text == "<b>charts.monthly_energy.title</b>"
    assert fig.layout.yaxis.title.text == "MWh"
    assert fig.layout.separators == ",."
    prod = [t for t in fig.data if t.offsetgroup == "prod"]
    cons = [t for t in fig.data if t.offsetgroup == "cons"]
    assert [t.name for t in prod] == ["charts.self_consumed", "charts.shared", "charts.injected_not_shared"]
    assert [t.name for t in cons] == ["charts.self_consumed", "charts.shared", "charts.withdrawn_not_shared"]
    top_prod = np.asarray(prod[-1].base, dtype=float) + np.asarray(prod[-1].y, dtype=float)
    top_cons = np.asarray(cons[-1].base, dtype=float) + np.asarray(cons[-1].y, dtype=float)
    np.testing.assert_allclose(top_prod, [r.production_kwh / 1000 for r in rows])
    np.testing.assert_allclose(top_cons, [r.consumption_kwh / 1000 for r in rows])
    assert list(prod[0].x)[0] == "gen"


def test_monthly_energy_figure_small_values_in_kwh_and_english():
    fig = charts.monthly_energy_figure(monthly_rows(scale=0.1), tr, "en")
    assert fig.layout.yaxis.title.text == "kWh"
    assert fig.layout.separators == ".,"
    assert list(fig.data[0].x)[0] == "Jan"


def test_empty_inputs_give_a_message_not_an_error():
    fig = charts.monthly_energy_figure([], tr)
    assert fig.layout.annotations[0].text == "charts.no_data"
    assert charts.sankey_figure(totals_of({}), tr).layout.annotations[0].text == "charts.no_energy"
    assert charts.plant_monthly_figure([], np.zeros((12, 0)), tr).layout.annotations[0].text == "charts.no_plants"
    assert charts.mini_map_figure([{"id": "a"}], [], {}, tr).layout.annotations[0].text == "charts.map.empty"


def test_sankey_conserves_energy():
    totals = totals_of({"production_kwh": 1000.0, "consumption_kwh": 1500.0, "self_consumed_kwh": 300.0,
                        "injected_kwh": 700.0, "withdrawn_kwh": 1200.0, "shared_kwh": 250.0})
    fig = charts.sankey_figure(totals, tr)
    link = fig.data[0].link
    labels = [lab.split("<br>")[0] for lab in fig.data[0].node.label]
    idx = {name.split(".")[-1]: i for i, name in enumerate(labels)}
    inflow = lambda n: sum(v for t, v in zip(link.target, link.value) if t == idx[n])  # noqa: E731
    outflow = lambda n: sum(v for s, v in zip(link.source, link.value) if s == idx[n])  # noqa: E731
    assert outflow("production") == pytest.approx(1000.0)
    assert inflow("consumption") == pytest.approx(1500.0)
    assert inflow("injected") == pytest.approx(outflow("injected")) == pytest.approx(700.0)
    assert inflow("injected_not_shared") == pytest.approx(450.0)


def test_money_waterfall_ends_at_what_the_cer_brings():
    totals = totals_of({"tip_eur": 1000.0, "valorisation_eur": 100.0, "energy_sale_eur": 2000.0,
                        "rid_min_price_topup_eur": 0.0, "bill_savings_eur": 3000.0, "fees_eur": 150.0,
                        "cer_costs_eur": 50.0, "rid_fee_eur": 100.0})
    fig = charts.money_year_figure(totals, tr)
    wf = fig.data[0]
    assert list(wf.measure)[-1] == "total"
    # TIP + valorisation − the CER's costs; energy sale and bill savings are not the CER's money
    assert sum(wf.y[:-1]) == pytest.approx(wf.y[-1]) == pytest.approx(1050.0)
    assert wf.x[-1] == "charts.money.cer_money"
    assert "charts.money.energy_sale" not in wf.x and "charts.money.bill_savings" not in wf.x
    assert wf.y[list(wf.x).index("charts.money.cer_costs")] == pytest.approx(-50.0)
    assert fig.layout.yaxis.title.text == "€ / charts.year"


def test_money_monthly_line_is_what_the_cer_brings():
    rows = [dataclasses.replace(r, cer_costs_eur=4.0, rid_fee_eur=6.0) for r in monthly_rows()]
    fig = charts.money_monthly_figure(rows, tr)
    net = [t for t in fig.data if t.name == "charts.money.cer_money"][0]
    assert list(net.y) == pytest.approx([30 + 3 - 4] * 12)
    sale = next(t for t in fig.data if t.name == "charts.money.energy_sale")
    assert list(sale.y) == pytest.approx([50] * 12)  # shown, labelled as the producers' own
    assert fig.layout.barmode == "relative"


def test_typical_day_and_heatmap_figures():
    h = n_hours(YEAR)
    hod = hours_local(YEAR).hour.to_numpy()
    prod = np.where((hod >= 8) & (hod < 17), 10.0, 0.0)
    cons = np.full(h, 4.0)
    shared = np.minimum(prod, cons) * 0.5
    fig = charts.typical_day_figure(prod, cons, shared, YEAR, tr)
    assert len(fig.data) == 12  # 3 series × 4 seasons
    winter_prod = fig.data[0]
    assert max(winter_prod.y) == pytest.approx(10.0) and winter_prod.y[3] == 0
    heat = charts.shared_heatmap_figure(shared, YEAR, tr, "it")
    assert np.asarray(heat.data[0].z, dtype=float).shape == (24, 366)
    assert list(heat.layout.xaxis.ticktext)[:2] == ["gen", "feb"]
    assert heat.data[0].x[0] == "01/01/2024" and heat.data[0].x[-1] == "31/12/2024"


def test_member_figures():
    h = n_hours(YEAR)
    load = np.full(h, 1.0)
    monthly = charts.member_monthly_figure(monthly_by_band(load, YEAR), tr)
    assert [t.name for t in monthly.data] == ["F1", "F2", "F3"]
    assert sum(sum(t.y) for t in monthly.data) == pytest.approx(h)
    days = charts.member_typical_days_figure(load, YEAR, tr)
    assert [t.name for t in days.data] == ["charts.day.weekday", "charts.day.saturday", "charts.day.holiday"]
    donut = charts.band_split_figure(load, YEAR, tr)
    assert sum(donut.data[0].values) == pytest.approx(h)
    holiday_hours = (day_type_of_hour(YEAR) == 2).sum()
    assert donut.data[0].values[2] >= holiday_hours  # every Sunday/holiday hour is F3


def test_plant_and_weather_figures():
    monthly = np.tile(np.arange(1, 13, dtype=float)[:, None] * 1000, (1, 2))
    fig = charts.plant_monthly_figure(["A", "B"], monthly, tr)
    assert [t.name for t in fig.data] == ["A", "B"] and fig.layout.barmode == "stack"
    assert fig.layout.yaxis.title.text == "MWh"
    w = charts.weather_figure([50] * 12, [10] * 12, tr)
    assert len(w.data) == 2 and "kWh/m²" in w.layout.yaxis.title.text and "°C" in w.layout.yaxis2.title.text


def test_mini_map_colours_by_role_and_draws_cabina_areas():
    members = [{"id": "a", "name": "A", "kind": "consumer", "cabina": "C1", "lat": 45.0, "lon": 9.0},
               {"id": "b", "name": "B", "kind": "prosumer", "cabina": "C1", "lat": 45.01, "lon": 9.01},
               {"id": "c", "kind": "producer", "cabina": "C1"}]  # no position: not drawn
    cabine = [{"id": "C1", "area": {"type": "Polygon", "coordinates": [[[8.9, 44.9], [9.1, 44.9], [9.1, 45.1],
                                                                          [8.9, 44.9]]]}}]
    fig = charts.mini_map_figure(members, cabine, {"b": 6.0}, tr)
    names = [t.name for t in fig.data]
    assert names == ["C1", "common.kind.consumer", "common.kind.prosumer"]
    assert fig.data[0].fill == "toself"
    assert fig.layout.yaxis.scaleanchor == "x"


def test_a_year_without_energy_says_so_instead_of_drawing_empty_axes():
    """A new community (no members, no plants) simulates to zeros: every chart explains itself."""
    zeros_rows = months_of([{"month": k + 1} for k in range(12)])
    zero = np.zeros(n_hours(YEAR))
    figs = {"monthly": charts.monthly_energy_figure(zeros_rows, tr),
            "typical": charts.typical_day_figure(zero, zero, zero, YEAR, tr),
            "money_year": charts.money_year_figure(totals_of({}), tr),
            "money_monthly": charts.money_monthly_figure(zeros_rows, tr),
            "member_monthly": charts.member_monthly_figure(np.zeros((12, 3)), tr),
            "member_days": charts.member_typical_days_figure(zero, YEAR, tr),
            "bands": charts.band_split_figure(zero, YEAR, tr)}
    for name, fig in figs.items():
        assert fig.data == (), name
        assert fig.layout.annotations[0].text.startswith("charts.no_"), name
        assert fig.layout.title.text.startswith("<b>charts."), name          # the title stays


def test_heatmap_without_shared_energy_is_not_a_solid_colour():
    h = n_hours(YEAR)
    fig = charts.shared_heatmap_figure(np.zeros(h), YEAR, tr)
    assert fig.data == () and fig.layout.annotations[0].text == "charts.no_shared"


def test_money_axes_never_repeat_a_tick_label():
    """Small amounts (a few €) must not print 0, 1, 1, 2, 2 on the axis: no rounding tick format."""
    totals = totals_of({"tip_eur": 1.2, "bill_savings_eur": 2.1, "fees_eur": 0.4})
    assert charts.money_year_figure(totals, tr).layout.yaxis.tickformat == ",~f"
    rows = months_of([{"month": k + 1, "tip_eur": 0.1, "bill_savings_eur": 0.2} for k in range(12)])
    assert charts.money_monthly_figure(rows, tr).layout.yaxis.tickformat == ",~f"


def test_temperature_axis_has_its_own_round_ticks():
    w = charts.weather_figure([50] * 12, [10] * 12, tr)
    assert w.layout.yaxis2.tickmode == "auto"


def test_chart_titles_fit_a_half_width_chart_on_a_projector():
    # A bold 18 px title runs past a half-width chart (≈ 560 px at 1280×720) beyond ≈ 56 characters and is
    # cut there: "Denaro della CER ed economia propria di impianti e prosumer, mese per m" on the projector.
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "locales"
    long = {f"{f.parent.name}/{f.name}:{k}": v for f in root.glob("*/charts.json")
            for k, v in json.loads(f.read_text(encoding="utf-8")).items() if k.endswith(".title") and len(v) > 56}
    assert not long, long


def test_waterfall_labels_are_short_lines_read_level():
    # on a half-width chart the long labels were drawn at 30°: now lines of ≤ 16 characters, horizontal
    labels = {"charts.money.tip": "Tariffa premio (TIP)", "charts.money.valorisation": "Valorizzazione ARERA",
              "charts.money.cer_costs": "Costi della CER (corrispettivi GSE)",
              "charts.money.cer_money": "Quanto porta la CER"}
    totals = totals_of({"tip_eur": 30360.0, "valorisation_eur": 2562.0, "cer_costs_eur": 999.0, "gse_fee_eur": 999.0})
    wf = charts.money_year_figure(totals, lambda k, **kw: labels.get(k, k), "it").data[0]
    assert wf.x[0] == "Tariffa premio<br>(TIP)" and wf.x[-1] == "Quanto porta<br>la CER"
    assert all(len(line) <= 16 for label in wf.x for line in label.split("<br>")), wf.x
    assert wf.x[1] == "Valorizzazione<br>ARERA"
    assert charts.money_year_figure(totals, lambda k, **kw: labels.get(k, k), "it").layout.xaxis.tickangle == 0
    assert charts.wrap_label("Costi della CER (corrispettivi GSE)") == "Costi della CER<br>(corrispettivi<br>GSE)"
    assert charts.wrap_label("CER") == "CER"
