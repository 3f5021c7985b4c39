"""Member selection: greedy with re-evaluation, reasons, the 55 % rule, consumers needed, candidates in the scenario."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from cer_core import api
from cer_core.scenario import parse_scenario
from cer_core.selection import Pool, consumers_needed, evaluate, greedy, pool_scenario
from tests.engine_helpers import daylight_pv, inputs, member, plant, scenario

H = 8760
HOUR = np.arange(H) % 24


def _pool():
    """A 30 kWp producer in cabina A with one household; candidates: a day-time school and an office in A,
    a night-time load in A, a household in cabina B (no plant there: it can add nothing)."""
    members = [member("prod", kind="producer", cabina="A", load=None), member("casa", cabina="A"),
               member("scuola", cabina="A", category="public_body", name="Scuola"),
               member("ufficio", cabina="A", category="sme", name="Ufficio"),
               member("notte", cabina="A", category="sme", name="Panificio"),
               member("lontano", cabina="B", name="Famiglia lontana")]
    sc = scenario(members, [plant("fv", "prod", 30.0, grant_pct=20.0)])
    day = (HOUR >= 8) & (HOUR < 17)
    load = np.column_stack([np.zeros(H), np.full(H, 0.3), np.where(day, 6.0, 0.2), np.where(day, 3.0, 0.1),
                            np.where((HOUR < 5) | (HOUR >= 22), 4.0, 0.0), np.full(H, 0.5)])
    inp = inputs(sc, load=load, prod=daylight_pv(2025, 30.0)[:, None])
    return Pool(inp, ("scuola", "ufficio", "notte", "lontano"))


def test_greedy_picks_by_added_shared_energy_and_reevaluates():
    pool = _pool()
    result = greedy(pool)
    ids = [p["id"] for p in result["picks"]]
    assert ids[0] == "scuola"  # the largest daytime load first
    assert "lontano" not in ids  # nothing to share in cabina B
    assert {x["id"] for x in result["left"]} >= {"lontano"}
    # re-evaluation: each pick's gain is measured against the community with the earlier picks
    total = result["base"]["shared_kwh"] + sum(p["added_shared_kwh"] for p in result["picks"])
    assert total == pytest.approx(result["final"]["shared_kwh"])
    members = pool.community_ids + ids
    assert evaluate(pool, members)["shared_kwh"] == pytest.approx(result["final"]["shared_kwh"])
    # the office alone adds more than after the school took most of the midday injection
    if "ufficio" in ids:
        after_school = next(p for p in result["picks"] if p["id"] == "ufficio")["added_shared_kwh"]
        assert after_school <= result["alone"]["ufficio"]["added_shared_kwh"] + 1e-6


def test_greedy_never_picks_a_member_adding_nothing_while_another_adds_something():
    pool = _pool()
    result = greedy(pool)
    for p in result["picks"]:
        assert p["added_shared_kwh"] > 0
    # every candidate left at the end adds nothing to the final community
    final = pool.community_ids + [p["id"] for p in result["picks"]]
    for c in result["left"]:
        assert evaluate(pool, final + [c["id"]])["shared_kwh"] - result["final"]["shared_kwh"] <= 1e-6


def test_reasons_in_both_languages_and_the_grant_exemption():
    result = greedy(_pool(), max_picks=1)
    pick = result["picks"][0]
    assert pick["reason"]["it"].startswith("Scuola (ente pubblico) consuma quando c'è sole")
    assert "MWh condivisi/anno" in pick["reason"]["it"] and "MWh shared/yr" in pick["reason"]["en"]
    assert pick["grant_cut_exempt"] and pick["grant_plants_in_cabina"]
    assert "esente dal taglio" in pick["reason"]["it"]
    lontano = next(x for x in greedy(_pool())["left"] if x["id"] == "lontano")
    assert "nessuna energia condivisa in più" in lontano["reason"]["it"]


def test_restricted_money_grows_with_the_ratio():
    result = greedy(_pool())
    first = result["picks"][0]
    assert first["restricted_after_eur"] >= first["restricted_before_eur"]
    assert 0 <= first["ratios_after"]["with_grant"] <= 1


def test_consumers_needed_by_hand():
    sc = scenario([member("a")], [])
    # 1 kWh injected at noon every day; a flat-ish profile: at most target reached once n × load ≥ injection
    inj = np.where(HOUR == 12, 1.0, 0.0)
    need = consumers_needed(inj, sc, target=0.8, categories=["household", "sme"])
    for cat, n in need.items():
        assert n is not None and n >= 1
        from cer_core.loads.profiles import CATEGORY_DEFAULT_PROFILE, profile_shape
        from cer_core import constants as C
        load = C.TYPICAL_ANNUAL_KWH[cat] * profile_shape(CATEGORY_DEFAULT_PROFILE[cat], 2025, region="Lombardia",
                                                         lat=45.4, lon=9.2)
        shared = lambda k: np.minimum(inj, k * load).sum()  # noqa: E731
        assert shared(n) >= 0.8 * inj.sum() - 1e-9 and shared(n - 1) < 0.8 * inj.sum()
    assert consumers_needed(np.zeros(H), sc)["household"] == 0


def test_candidates_are_left_out_of_the_simulation():
    doc = json.loads(api.DEMO_SCENARIO.read_text(encoding="utf-8"))
    doc2 = copy.deepcopy(doc)
    extra = copy.deepcopy(next(m for m in doc["members"] if m["kind"] == "consumer"))
    extra.update({"id": "candidata", "name": "Candidata", "candidate": True})
    doc2["members"].append(extra)
    sc, problems = parse_scenario(doc2)
    assert sc is not None, problems
    assert "candidata" not in {m.id for m in sc.members}
    assert [m.id for m in sc.candidates] == ["candidata"]
    assert len(pool_scenario(sc).members) == len(sc.members) + 1
    # simulate ignores the candidate: the community's results are those of the document without it
    ws = api.demo_workspace()
    with_candidate = api.run(ws.with_doc(doc2), shapley=False).summary["totals"]
    without = api.run(ws, shapley=False).summary["totals"]
    assert with_candidate == pytest.approx(without)


def test_greedy_by_cer_money_and_a_pick_limit():
    result = greedy(_pool(), key="cer_money_eur", max_picks=1)
    assert [p["id"] for p in result["picks"]] == ["scuola"]
    assert result["picks"][0]["added_cer_money_eur"] > 0
    assert {x["id"] for x in result["left"]} == {"ufficio", "notte", "lontano"}
