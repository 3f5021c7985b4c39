"""Members' loads through member_load: the demo, every source, warnings and located errors."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from cer_core import api
from cer_core.errors import CerInputError, Problem
from cer_core.io import write_hourly_csv
from cer_core.loads.member_load import describe_load, member_load
from cer_core.loads.series import LoadSeries, LoadWarnings
from cer_core.scenario import parse_scenario
from cer_core.workspace import Workspace
from io_helpers import CASES, SAMPLES


@pytest.fixture(scope="module")
def demo():
    ws = api.demo_workspace()
    sc, problems = api.validate(ws)
    assert sc is not None, problems
    return sc, ws


def test_demo_members_all_build(demo):
    sc, ws = demo
    for i, m in enumerate(sc.members):
        s = member_load(m, sc, ws, f"members[{i}].load")
        assert isinstance(s, LoadSeries) and s.kwh.shape == (8784,) and np.all(s.kwh >= 0)
        json.dumps(s.meta)
        assert s.meta["annual_kwh"] == pytest.approx(s.kwh.sum(), rel=1e-9)
        assert isinstance(s.meta["warnings"], list)
        if m.load and m.load.get("source") == "profile":
            assert s.kwh.sum() == pytest.approx(m.load["annual_kwh"])


def test_demo_bills_member_reproduces_its_bills(demo):
    sc, ws = demo
    i, m = next((i, m) for i, m in enumerate(sc.members) if (m.load or {}).get("source") == "bills")
    s = member_load(m, sc, ws, f"members[{i}].load")
    assert s.meta["source"] == "bills" and s.meta["shape"] == "household" and s.meta["n_bills"] == 6
    for bill, rep in zip(m.load["bills"], s.meta["bills"]):
        assert rep["kwh"] == {"F1": bill["f1_kwh"], "F23": bill["f23_kwh"]}
        assert rep["spread_kwh"] == pytest.approx(rep["kwh"], abs=1e-3)
    assert s.kwh.sum() == pytest.approx(sum(b["f1_kwh"] + b["f23_kwh"] for b in m.load["bills"]))


def test_demo_file_member_reads_the_edistribuzione_export(demo):
    sc, ws = demo
    i, m = next((i, m) for i, m in enumerate(sc.members) if (m.load or {}).get("source") == "file")
    s = member_load(m, sc, ws, f"members[{i}].load")
    assert s.meta["format"] == "edistribuzione_15" and s.meta["annual_kwh"] == pytest.approx(21899.307, abs=1e-3)
    assert [w["code"] for w in s.meta["warnings"]] == ["file.repeated_hour_split"]
    assert s.meta["warnings"][0]["it"].startswith("series/studio_verdi_edistribuzione_2024.csv:302: giorno 27/10/2024")


def test_cached_results_are_not_shared(demo):
    sc, ws = demo
    i, m = next((i, m) for i, m in enumerate(sc.members) if (m.load or {}).get("source") == "bills")
    a = member_load(m, sc, ws, f"members[{i}].load")
    a.kwh[:] = 0
    a.meta["bills"].clear()
    b = member_load(m, sc, ws, f"members[{i}].load")
    assert b.kwh.sum() > 0 and b.meta["bills"]


# --- small scenarios -----------------------------------------------------------------------------------

def scenario(loads: list[dict], files: dict[str, bytes], members_extra: list[dict] | None = None):
    members = []
    for k, load in enumerate(loads):
        m = {"id": f"m{k}", "kind": "consumer", "category": "sme", "cabina": "CP1", "load": load}
        m.update((members_extra or [{}] * len(loads))[k])
        members.append(m)
    doc = {"schema": "cer-studio/scenario@1", "name": "t", "year": 2024, "site": {"comune": "Rozzano"},
           "members": members, "plants": [], "prices": {"source": "flat", "eur_mwh": 100}}
    sc, problems = parse_scenario(doc)
    assert sc is not None, [p.message("en") for p in problems]
    return sc, Workspace(doc=doc, files=files, origin="test")


def load_of(sc, ws, k=0):
    return member_load(sc.members[k], sc, ws, f"members[{k}].load")


def test_file_sources_of_every_format():
    names = ["edis_wide_2024-10_100col.csv", "pcf_2024-10_autunno.csv", "chain2gate_2024-10-26_dst.jsonl",
             "home_assistant_2024-03-30_dst.csv", "generico_quartorario_2024-03_kw.csv", "edis_mensili_2024_q1.zip",
             "generico_seriali_excel_2024-03.xlsx"]
    files = {f"series/{n}": (CASES / n).read_bytes() for n in names}
    sc, ws = scenario([{"source": "file", "path": f"series/{n}"} for n in names], files)
    for k, n in enumerate(names):
        s = load_of(sc, ws, k)
        assert s.kwh.shape == (8784,) and s.meta["source"] == "file" and s.meta["path"] == f"series/{n}"
        assert "year.extended" in {w["code"] for w in s.meta["warnings"]}


def test_file_with_two_pods_uses_the_members_pod():
    files = {"p.csv": (CASES / "pcf_2024-03_due_pod.csv").read_bytes()}
    sc, ws = scenario([{"source": "file", "path": "p.csv"}] * 2, files,
                      [{"pod": "IT012E90000789"}, {}])
    assert load_of(sc, ws, 0).meta["pod"] == "IT012E90000789"
    assert "load.pod_mismatch" not in {w["code"] for w in load_of(sc, ws, 0).meta["warnings"]}
    single = {"s.csv": (CASES / "pcf_2024-10_autunno.csv").read_bytes()}
    sc2, ws2 = scenario([{"source": "file", "path": "s.csv"}], single, [{"pod": "IT001E11112222"}])
    assert "load.pod_mismatch" in {w["code"] for w in load_of(sc2, ws2).meta["warnings"]}
    with pytest.raises(CerInputError) as exc:
        load_of(sc, ws, 1)
    p = exc.value.problems[0]
    assert p.where == "members[1].load.path → p.csv" and p.code == "file.several_pods"


def test_bad_file_is_located_and_the_rest_untouched():
    files = {"bad.csv": (CASES / "male_giorno_94_valori.csv").read_bytes(),
             "good.csv": write_hourly_csv(np.full(8784, 0.5), 2024)}
    sc, ws = scenario([{"source": "file", "path": "bad.csv"}, {"source": "file", "path": "good.csv"}], files)
    with pytest.raises(CerInputError) as exc:
        load_of(sc, ws, 0)
    p = exc.value.problems[0]
    assert p.where == "members[0].load.path → bad.csv:6" and "94" in p.it
    assert load_of(sc, ws, 1).kwh.sum() == pytest.approx(4392)
    assert load_of(sc, ws, 1).meta["format"] == "hourly_csv"


def test_file_scaled_to_annual_total_and_contract_check():
    files = {"w.jsonl": (SAMPLES / "chain2gate_websocket_1settimana_2024-06-10.jsonl").read_bytes(),
             "kw.csv": (CASES / "male_kw_invece_di_kwh.csv").read_bytes()}
    sc, ws = scenario([{"source": "file", "path": "w.jsonl", "annual_kwh": 3000},
                       {"source": "file", "path": "kw.csv"}], files, [{"category": "household"},
                                                                      {"contract_kw": 3.0}])
    s = load_of(sc, ws, 0)
    assert s.kwh.sum() == pytest.approx(3000) and s.meta["scaled_to_annual_kwh"] == 3000
    with pytest.raises(CerInputError) as exc:
        load_of(sc, ws, 1)
    assert exc.value.problems[0].code == "file.implausible"


def test_bills_from_a_csv_path_and_pod_choice():
    text = (SAMPLES / "bollette_mensili_2024_piccola_impresa.csv").read_bytes()
    two = text + text.decode().splitlines()[1].replace("IT001E90000123", "IT001E90000999").encode() + b"\n"
    sc, ws = scenario([{"source": "bills", "path": "b.csv"}, {"source": "bills", "path": "two.csv"},
                       {"source": "bills", "path": "two.csv"}], {"b.csv": text, "two.csv": two},
                      [{}, {"pod": "IT001E90000123"}, {}])
    s = load_of(sc, ws, 0)
    assert s.kwh.sum() == pytest.approx(21896) and s.meta["shape"] == "office"
    assert load_of(sc, ws, 1).kwh.sum() == pytest.approx(21896)
    with pytest.raises(CerInputError) as exc:
        load_of(sc, ws, 2)
    assert exc.value.problems[0].code == "bills.several_pods" and exc.value.problems[0].where == "members[2].load.path"


def test_bills_errors_are_located():
    bad = [{"start": "2024-01-01", "end": "2024-01-31", "f1_kwh": 100, "f2_kwh": 80, "f3_kwh": 90},
           {"start": "2024-01-20", "end": "2024-02-29", "f1_kwh": 100, "f2_kwh": 80, "f3_kwh": 90}]
    files = {"o.csv": (CASES / "bollette_sovrapposte.csv").read_bytes()}
    sc, ws = scenario([{"source": "bills", "bills": bad}, {"source": "bills", "path": "o.csv"}], files)
    with pytest.raises(CerInputError) as exc:
        load_of(sc, ws, 0)
    assert exc.value.problems[0].where == "members[0].load.bills[1]"
    with pytest.raises(CerInputError) as exc:
        load_of(sc, ws, 1)
    assert exc.value.problems[0].where == "members[1].load.path → o.csv:3"


def test_measured_week_as_shape_for_bills_and_profile():
    week = (SAMPLES / "chain2gate_websocket_1settimana_2024-06-10.jsonl").read_bytes()
    bills = [{"start": f"2024-{m:02d}-01", "end": f"2024-{m + 1:02d}-{29 if m + 1 == 2 else 30 if m + 1 in (4, 6, 9, 11) else 31}",
              "f1_kwh": 80, "f23_kwh": 200} for m in range(1, 12, 2)]
    sc, ws = scenario([{"source": "bills", "bills": bills, "shape": "c2.jsonl"},
                       {"source": "profile", "profile": "household", "annual_kwh": 2500, "shape": "c2.jsonl"},
                       {"source": "profile", "profile": "household", "annual_kwh": 2500}],
                      {"c2.jsonl": week}, [{"category": "household"}] * 3)
    b = load_of(sc, ws, 0)
    assert b.meta["shape"]["method"] == "typical_week" and b.meta["shape"]["format"] == "chain2gate"
    assert b.kwh.sum() == pytest.approx(6 * 280)
    for rep in b.meta["bills"]:
        assert rep["spread_kwh"] == pytest.approx(rep["kwh"], abs=1e-3)
    p = load_of(sc, ws, 1)
    std = load_of(sc, ws, 2)
    assert p.kwh.sum() == pytest.approx(2500) and not np.allclose(p.kwh, std.kwh)
    codes = {w["code"] for w in p.meta["warnings"]}
    assert "load.shape_typical_week" in codes
    # a weekday of the year has the measured weekdays' mean hourly pattern (Mon 10 – Fri 14 June 2024)
    from cer_core.io import read_meter_files
    from cer_core.io.hourly import hourly_sums
    from cer_core.timeaxis import hours_utc

    s = read_meter_files([("c2.jsonl", week)]).series[0]
    h, kwh, _q = hourly_sums(s.start_s, s.kwh_import, s.quality, 15)
    axis = hours_utc(2024).as_unit("s").asi8
    mon = int(np.searchsorted(axis, h[0]))
    measured = kwh[:5 * 24].reshape(5, 24).mean(0)
    day = p.kwh[mon + 7 * 24:mon + 8 * 24]  # Monday 17 June
    np.testing.assert_allclose(day / day.sum(), measured / measured.sum(), rtol=1e-9)


def test_unknown_profile_shape_and_missing_files():
    sc, ws = scenario([{"source": "profile", "profile": "bakery", "annual_kwh": 1000},
                       {"source": "bills", "bills": [{"start": "2024-01-01", "end": "2024-12-31", "total_kwh": 9}],
                        "shape": "ghost"},
                       {"source": "bills", "bills": [{"start": "2024-01-01", "end": "2024-12-31", "total_kwh": 9}],
                        "shape": "ghost.csv"},
                       {"source": "file", "path": "nope.csv"}], {})
    expected = [("members[0].load.profile", "load.unknown_profile"), ("members[1].load.shape", "load.unknown_profile"),
                ("members[2].load.shape", "file.missing"), ("members[3].load.path", "file.missing")]
    for k, (where, code) in enumerate(expected):
        with pytest.raises(CerInputError) as exc:
            load_of(sc, ws, k)
        assert (exc.value.problems[0].where, exc.value.problems[0].code) == (where, code)


def test_profile_warnings_household_range_and_contract():
    sc, ws = scenario([{"source": "profile", "profile": "household", "annual_kwh": 15000, "contract_kw": 3}],
                      {}, [{"category": "household"}])
    codes = {w["code"] for w in load_of(sc, ws).meta["warnings"]}
    assert codes == {"load.household_annual", "load.above_contract"}


def test_producer_without_load_and_describe():
    sc, ws = scenario([{"source": "profile", "profile": "school", "annual_kwh": 100000}], {})
    producer = dataclasses.replace(sc.members[0], kind="producer", load=None)
    assert member_load(producer, sc, ws, "members[0].load").kwh.sum() == 0
    d = describe_load(load_of(sc, ws).kwh, 2024)
    assert d["annual_kwh"] == pytest.approx(100000) and len(d["monthly_kwh"]) == 12
    assert len(d["typical_days"]) == 12 and len(d["typical_days"]["winter_feriale"]) == 24
    assert sum(d["bands_kwh"].values()) == pytest.approx(100000)


def test_load_warnings_reach_the_run(tmp_path):
    """The loads' warnings reach the run as warning Problems located at the member (LoadSeries.warnings)."""
    hour = np.arange(8784) % 24
    pv = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None) * 20.0
    doc = {"schema": "cer-studio/scenario@1", "name": "t", "year": 2024, "site": {"comune": "Rozzano"},
           "members": [{"id": "a", "kind": "prosumer", "category": "sme", "cabina": "CP1",
                        "load": {"source": "file", "path": "e.csv"}},
                       {"id": "b", "kind": "consumer", "category": "household", "cabina": "CP1",
                        "load": {"source": "bills", "path": "b.csv"}}],
           "plants": [{"id": "p", "member": "a", "kwp": 20, "commissioning": "2024-01-01",
                       "production": {"source": "file", "path": "pv.csv"}}],
           "prices": {"source": "flat", "eur_mwh": 100}}
    files = {"e.csv": (SAMPLES / "edistribuzione_wide_quartorario_2024_piccola_impresa.csv").read_bytes(),
             "b.csv": (CASES / "bollette_con_lacuna_2024.csv").read_bytes(), "pv.csv": write_hourly_csv(pv, 2024)}
    outcome = api.run(Workspace(doc=doc, files=files, origin="test"))
    by = {(w.where, w.code) for w in outcome.warnings}
    assert ("members[0].load", "file.repeated_hour_split") in by
    assert ("members[1].load", "bills.gap") in by and ("members[1].load", "bills.extended") in by
    assert all(w.severity == "warning" for w in outcome.warnings)
    gap = next(w for w in outcome.warnings if w.code == "bills.gap")
    assert gap.message("it") == ("members[1].load: b.csv:3: nessuna bolletta dal 01/02/2024 al 29/02/2024 (29 giorni): "
                                 "periodo ricostruito")


def test_load_warnings_are_problems_made_at_the_load():
    """Every source gives its warnings as warning Problems located at the member's load, the same and in
    the same order as the JSON records kept in meta (what summary.json's sources show)."""
    files = {"zero.csv": write_hourly_csv(np.zeros(8784), 2024),
             "b.csv": (CASES / "bollette_con_lacuna_2024.csv").read_bytes()}
    sc, ws = scenario([{"source": "file", "path": "zero.csv", "annual_kwh": 3000}, {"source": "bills", "path": "b.csv"},
                       {"source": "profile", "profile": "household", "annual_kwh": 12000, "contract_kw": 1.5}],
                      files, [{}, {"category": "household"}, {"category": "household"}])
    codes = []
    for k in range(3):
        s = load_of(sc, ws, k)
        assert s.warnings, k
        assert all(isinstance(p, Problem) and p.severity == "warning" and p.where == f"members[{k}].load"
                   for p in s.warnings)
        assert [(p.it, p.en, p.code) for p in s.warnings] == [(r["it"], r["en"], r["code"]) for r in s.meta["warnings"]]
        codes.append([p.code for p in s.warnings])
    assert "load.not_scaled" in codes[0] and "bills.gap" in codes[1]
    assert codes[2] == ["load.household_annual", "load.above_contract"]
    gap = next(p for p in load_of(sc, ws, 1).warnings if p.code == "bills.gap")
    assert gap.it.startswith("b.csv:3: nessuna bolletta dal 01/02/2024")


def test_load_warnings_say_their_place_inside_the_load():
    warns = LoadWarnings("members[2].load")
    warns.add_located(Problem.verbatim("members[2].load.bills[3]", "a", "b", "warning", "x"))
    warns.add_located(Problem.verbatim("b.csv:4", "a", "b", "warning", "y"))
    warns.add_located(Problem.verbatim("members[2].load", "a", "b", "warning", "z"))
    warns.add_located(Problem.verbatim("", "a", "b", "warning", "w"))
    warns.add_record({"it": "f.csv:1: c", "en": "f.csv:1: d", "code": "r", "where": "f.csv:1"})
    assert [p.message("it") for p in warns.problems] == [
        "members[2].load: bills[3]: a", "members[2].load: b.csv:4: a", "members[2].load: a", "members[2].load: a",
        "members[2].load: f.csv:1: c"]
    assert warns.records[-1] == {"it": "f.csv:1: c", "en": "f.csv:1: d", "code": "r", "where": "f.csv:1"}
    assert warns.records[0] == {"it": "bills[3]: a", "en": "bills[3]: b", "code": "x"}


def test_annual_total_of_a_file_without_consumption_is_said():
    files = {"zero.csv": write_hourly_csv(np.zeros(8784), 2024)}
    sc, ws = scenario([{"source": "file", "path": "zero.csv", "annual_kwh": 3000}], files)
    s = load_of(sc, ws)
    assert s.kwh.sum() == 0 and "load.not_scaled" in {w["code"] for w in s.meta["warnings"]}


def test_profile_meta_names_the_arera_table_only_when_it_is_used():
    sc, ws = scenario([{"source": "profile", "profile": "household", "annual_kwh": 2500, "shape": "office"},
                       {"source": "profile", "profile": "office", "annual_kwh": 2500, "shape": "household"}],
                      {}, [{"category": "household"}] * 2)
    a, b = load_of(sc, ws, 0), load_of(sc, ws, 1)
    assert a.meta["shape"] == "office" and "arera" not in a.meta
    assert b.meta["shape"] == "household" and b.meta["arera"].startswith("Lombardia")


def _curve_bundle(load_extra: dict):
    """A saved bundle whose member has a measured curve (0.5 kWh every hour of 2024 = 4,392 kWh) and ``load_extra``."""
    from cer_core.io import write_hourly_csv
    from cer_core.workspace import workspace_from_bytes

    data = write_hourly_csv(np.full(8784, 0.5), 2024)
    load = {"source": "file", "path": "members/m0/c.csv", **load_extra}
    doc = {"schema": "cer-studio/scenario@1", "name": "t", "year": 2024, "site": {"comune": "Rozzano"},
           "members": [{"id": "m0", "kind": "consumer", "category": "household", "cabina": "CP1", "load": load}],
           "plants": [], "prices": {"source": "flat", "eur_mwh": 100}}
    bundle = Workspace(doc=doc, files={"members/m0/c.csv": data}, origin="test").to_bundle()
    return workspace_from_bytes(bundle, "salvata.zip")


def test_a_measured_curve_is_never_rescaled_by_a_leftover_typed_figure():
    """The studio's bug: a profile's 2,700 kWh stayed beside an imported curve and rescaled it. With
    ``measured_kwh`` (written on import) the simulation of the saved bundle gives the measured 4,392 kWh."""
    from cer_core.api import run

    ws = _curve_bundle({"annual_kwh": 4392.0, "measured_kwh": 4392.0, "profile": "household"})
    ws.doc["members"][0]["load"]["annual_kwh"] = 2700.0          # a stale typed figure, however it got there
    summary = run(ws, shapley=False).results.summary
    assert summary["members"][0]["consumption_kwh"] == pytest.approx(0.5 * 8784)
    assert not [w for w in summary["warnings"] if "scaled" in str(w.get("code"))]


def test_scaling_a_measured_curve_only_on_request_with_its_factor():
    from cer_core.api import run

    ws = _curve_bundle({"measured_kwh": 4392.0, "scale_factor": 1.5})
    summary = run(ws, shapley=False).results.summary
    assert summary["members"][0]["consumption_kwh"] == pytest.approx(0.5 * 8784 * 1.5)     # 6,588 kWh
    sc, _ = parse_scenario(ws.doc)
    s = load_of(sc, ws)
    assert s.meta["measured_kwh"] == pytest.approx(4392) and s.meta["scale_factor"] == 1.5
    assert s.meta["annual_kwh"] == pytest.approx(6588)
    assert [w["code"] for w in s.meta["warnings"]] == ["load.scaled_on_request"]
    assert "×1.5" in s.meta["warnings"][0]["it"] and "4,392 kWh" in s.meta["warnings"][0]["it"]
