"""The Scenari page's pure parts: variants in the document, comparisons, figures, and studio = simulate."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from cer_core import api
from cer_core.scenario import parse_scenario
from studio.components import compute
from studio.pure import variants as V
from studio.pure.decision_charts import cash_flow_figure, monthly_overlay_figure, sweep_figure
from studio_helpers import fixture_workspace

tr = lambda key, **fmt: key + "".join(f"|{k}={v}" for k, v in sorted(fmt.items()))  # noqa: E731


def _doc():
    return copy.deepcopy(fixture_workspace().doc)


def test_duplicate_make_current_swaps_and_back():
    doc = _doc()
    one = V.duplicate(doc, "Più FV")
    assert [v["name"] for v in V.variants(one)] == ["Più FV"]
    assert "variants" not in V.variants(one)[0]["scenario"]
    edited = copy.deepcopy(one)
    edited["variants"][0]["scenario"]["plants"][0]["kwp"] = 99.0
    swapped = V.make_current(edited, 0, "Originale")
    assert swapped["plants"][0]["kwp"] == 99.0 and swapped["name"] == "Più FV"
    assert V.variants(swapped)[0]["name"] == "Originale"
    back = V.make_current(swapped, 0, "Più FV")
    assert V.without_variants(back) == V.without_variants(doc)
    # the document with variants still validates, and simulate ignores them
    sc, problems = parse_scenario(swapped)
    assert sc is not None, [p.en for p in problems if p.severity == "error"]


def test_at_most_three_variants_and_delete():
    doc = _doc()
    for i in range(V.MAX_VARIANTS):
        doc = V.duplicate(doc, f"v{i}")
    with pytest.raises(ValueError):
        V.duplicate(doc, "one too many")
    doc = V.delete(doc, 1)
    assert [v["name"] for v in V.variants(doc)] == ["v0", "v2"]
    assert "variants" not in V.delete(V.delete(doc, 0), 0)


def test_with_sizes_scales_faces_to_the_new_power():
    doc = {"plants": [{"id": "a", "kwp": 10.0, "faces": [{"kwp": 6.0, "tilt_deg": 30, "azimuth_deg": 90},
                                                          {"kwp": 4.0, "tilt_deg": 30, "azimuth_deg": 270}]},
                      {"id": "b", "kwp": 5.0}]}
    out = V.with_sizes(doc, {"a": 15.0, "b": 7.5})
    assert out["plants"][0]["kwp"] == 15.0 and sum(f["kwp"] for f in out["plants"][0]["faces"]) == pytest.approx(15.0)
    assert out["plants"][1]["kwp"] == 7.5 and doc["plants"][0]["kwp"] == 10.0


def test_compare_headline_and_member_differences():
    a = {"totals": {"kwp": 10.0, "shared_kwh": 100.0, "tip_eur": 10.0, "valorisation_eur": 1.0, "gse_fee_eur": 0.5},
         "economics": {"npv_eur": 50.0}, "members": [{"id": "x", "name": "X", "bill_savings_eur": 5.0}],
         "allocation": {"members": [{"id": "x", "net_eur": 3.0}]}}
    b = {"totals": {"kwp": 20.0, "shared_kwh": 150.0, "tip_eur": 14.0, "valorisation_eur": 1.5, "gse_fee_eur": 0.5},
         "economics": {"npv_eur": 80.0}, "members": [{"id": "x", "name": "X", "bill_savings_eur": 6.0},
                                                    {"id": "y", "name": "Y"}],
         "allocation": {"members": [{"id": "x", "net_eur": 4.5}, {"id": "y", "net_eur": 1.0}]}}
    rows = {r["key"]: r for r in V.compare_headline([a, b])}
    assert rows["shared_kwh"]["diffs"] == [0.0, 50.0]
    assert rows["cer_money_eur"]["values"] == [10.5, 15.0]
    assert rows["npv_eur"]["diffs"][1] == 30.0
    assert rows["irr"]["values"] == [None, None]
    members = {m["id"]: m for m in V.member_differences([a, b])}
    assert members["x"]["net_diff_eur"] == [0.0, 1.5]
    assert members["y"]["net_eur"] == [None, 1.0] and members["y"]["net_diff_eur"] == [None, None]


def test_figures_mark_knee_npv_best_and_payback():
    pts = [{"kwp": k, "plant_kwp": k, "shared_kwh": s, "injected_kwh": i, "self_sufficiency_ratio": 0.1,
            "cer_money_eur": s / 10, "npv_eur": n}
           for k, s, i, n in ((10, 10, 10, 5), (20, 18, 20, 9), (30, 20, 35, 7))]
    sweep = {"mode": "plant", "points": pts, "knee": 1, "npv_best": 1, "knee_threshold": 0.5, "current_plant_kwp": 20}
    fig = sweep_figure(sweep, tr, "it", optimum_kwp=25.0)
    notes = [a.text for a in fig.layout.annotations]
    assert any(n.startswith("scenari.sweep.knee") and "kwp=20" in n for n in notes)
    assert any("scenari.sweep.optimum" in n for n in notes)
    assert any(d.name and d.name.startswith("scenari.sweep.npv_best") for d in fig.data)
    actor = {"cash_flow_eur": [-100.0, 60.0, 60.0],
             "lines": {"capex_eur": [-100.0, 0, 0], "energy_sale_eur": [0, 60, 60]},
             "npv_eur": 4.13, "irr": 0.13, "payback_years": 1.67}
    fig = cash_flow_figure(actor, "t", tr, "it")
    assert fig.data[-1].y == (-100.0, -40.0, 20.0)  # the cumulative line
    assert any("scenari.chart.payback" in a.text for a in fig.layout.annotations)
    fig = monthly_overlay_figure([("a", [{"shared_kwh": 1.0}] * 12), ("b", [{"shared_kwh": 2.0}] * 12)], "shared_kwh",
                                 tr, "en")
    assert len(fig.data) == 2 and fig.data[1].y[0] == 2.0


def test_studio_economics_are_simulates():
    ws = fixture_workspace()
    studio = compute.economics(compute.run_workspace(ws))
    cli = api.run(ws, shapley=False).summary["economics"]
    assert json.dumps(studio, sort_keys=True) == json.dumps(cli, sort_keys=True)
    # after a rule change the studio re-splits and recomputes the members' shares like simulate
    doc = copy.deepcopy(ws.doc)
    doc["regolamento"] = {"consumers_key": "equal"}
    edited = ws.with_doc(doc)
    compute.simulate(ws)
    studio = compute.economics(compute.simulate(edited))
    cli = api.run(edited, shapley=False).summary["economics"]
    assert json.dumps(studio, sort_keys=True) == json.dumps(cli, sort_keys=True)


def test_studio_sweep_is_the_core_sweep():
    from cer_core.sizing import inputs_from_results, sweep

    ws = fixture_workspace()
    state = compute.simulate(ws)
    plant = state.outcome.scenario.plants[0].id
    studio = compute.sizing_sweep(ws, state, plant)
    core = sweep(inputs_from_results(state.outcome.scenario, state.outcome.results), plant)
    assert [p["shared_kwh"] for p in studio["points"]] == [p["shared_kwh"] for p in core["points"]]
    assert np.isfinite([p["npv_eur"] for p in studio["points"]]).all()


def test_investment_edits_and_variants_do_not_re_simulate_and_stay_simulates(monkeypatch):
    ws = fixture_workspace()
    compute.simulate(ws)
    doc = V.duplicate(copy.deepcopy(ws.doc), "copia")
    doc.setdefault("economics", {})["investment"] = {"discount_rate_pct": 8.0, "financing": {"mode": "loan"}}
    edited = ws.with_doc(doc)
    calls = []
    monkeypatch.setattr(compute, "run_workspace", lambda w: calls.append(w) or None)
    state = compute.simulate(edited)  # the energy is the cached simulation's; economics re-projected
    assert calls == []
    monkeypatch.undo()
    cli = api.run(edited, shapley=False).summary["economics"]
    assert json.dumps(compute.economics(state), sort_keys=True) == json.dumps(cli, sort_keys=True)
    assert state.summary["economics"]["parameters"]["discount_rate_pct"] == 8.0


def test_variants_are_saved_in_the_same_bundle():
    from cer_core.workspace import workspace_from_bytes

    ws = fixture_workspace()
    doc = V.duplicate(copy.deepcopy(ws.doc), "Più FV")
    doc["variants"][0]["scenario"]["plants"][0]["kwp"] = 42.0
    again = workspace_from_bytes(ws.with_doc(doc).to_bundle(), "cer.zip")
    assert again.doc["variants"] == doc["variants"]
    sc, problems = parse_scenario(again.doc)
    assert sc is not None and not [p for p in problems if p.severity == "error"]
    # the variant simulates with the bundle's files
    state = compute.run_workspace(compute.variant_workspace(again, again.doc["variants"][0]["scenario"]))
    assert state.ok and state.summary["totals"]["kwp"] != compute.run_workspace(again).summary["totals"]["kwp"]


def test_cash_flow_axis_reads_italian_and_legend_clears_the_year_title():
    actor = {"cash_flow_eur": [-1_000_000.0] + [250_000.0] * 25, "lines": {"capex_eur": [-1_000_000.0] + [0.0] * 25},
             "npv_eur": 1.0, "irr": 0.2, "payback_years": 4.0}
    fig = cash_flow_figure(actor, "t", tr, "it")
    assert fig.layout.separators == ",."  # 4.000 k€, not 4000
    assert fig.layout.yaxis.tickformat.startswith(",")  # thousands grouped on the axis
    assert fig.layout.xaxis.title.text  # the year axis has its title...
    # ... and the legend does not cover it (below the axis it did, at 1280×720): a column right of the plot
    assert fig.layout.legend.orientation == "v" and fig.layout.legend.x >= 1.0


def test_sweep_and_overlay_axes_group_thousands_the_italian_way():
    # "2000", "30k" on the sizing chart: every numeric axis groups thousands (separators ",." in Italian)
    pts = [{"kwp": k, "plant_kwp": k, "shared_kwh": 1e6, "injected_kwh": 2e6, "self_sufficiency_ratio": 0.3,
            "cer_money_eur": 30_000.0, "npv_eur": 3e6} for k in (1000.0, 2000.0, 3000.0)]
    fig = sweep_figure({"mode": "all", "points": pts, "knee": 0, "npv_best": 2, "knee_threshold": 0.5}, tr, "it")
    assert fig.layout.separators == ",."
    for axis in (fig.layout.xaxis, fig.layout.yaxis, fig.layout.yaxis2, fig.layout.yaxis3, fig.layout.yaxis4):
        assert (axis.tickformat or "").startswith(","), axis
    overlay = monthly_overlay_figure([("a", [{"shared_kwh": 20_000.0}] * 12)], "shared_kwh", tr, "it")
    assert overlay.layout.yaxis.tickformat.startswith(",")
