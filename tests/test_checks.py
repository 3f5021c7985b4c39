"""The eligibility checklist: each check's pass / warning / fail on small typed scenarios."""

from cer_core.checks import (all_checks, cabina_area_checks, member_checks, money_checks, old_plants_share_check,
                             plant_checks, pnrr_checks, restricted_checks, wastewater_checks)

from engine_helpers import member, plant, scenario

SQUARE = {"type": "Polygon", "coordinates": [[[9.0, 45.0], [9.1, 45.0], [9.1, 45.1], [9.0, 45.1], [9.0, 45.0]]]}


def by_id(checks):
    return {(c["id"], c["subject"]): c["status"] for c in checks}


def test_old_plants_share_limit():
    members = [member("a", kind="prosumer")]
    ok = scenario(members, [plant("old", "a", 30, "2020-01-01"), plant("new", "a", 70)])
    assert old_plants_share_check(ok)["status"] == "pass"
    too_much = scenario(members, [plant("old", "a", 31, "2020-01-01"), plant("new", "a", 69)])
    check = old_plants_share_check(too_much)
    assert check["status"] == "fail" and "31%" in check["it"]


def test_plant_checks_power_date_grant():
    sc = scenario([member("a", kind="prosumer")], [plant("big", "a", 1500), plant("old", "a", 10, "2021-12-15"),
                                                   plant("g", "a", 10, grant_pct=45), plant("h", "a", 10, grant_pct=20)])
    s = by_id(plant_checks(sc))
    assert s[("plant_max_power", "big")] == "fail" and s[("plant_max_power", "old")] == "pass"
    assert s[("plant_commissioning", "old")] == "warning" and s[("plant_commissioning", "g")] == "pass"
    assert s[("plant_grant", "g")] == "fail" and s[("plant_grant", "h")] == "warning"


def test_zero_kwp_plant_is_flagged():
    sc = scenario([member("a", kind="prosumer")], [plant("z", "a", 0.0)])
    assert by_id(plant_checks(sc))[("plant_max_power", "z")] == "warning"


def test_member_category_and_pod():
    sc = scenario([member("big", category="large_enterprise", pod="IT001E12345678"),
                   member("third", kind="producer", category="large_enterprise", third_party_producer=True),
                   member("h", pod="IT1234")], [])
    s = by_id(member_checks(sc))
    assert s[("member_category", "big")] == "fail" and ("member_category", "third") not in s
    assert s[("member_pod", "h")] == "warning" and ("member_pod", "big") not in s


def test_members_inside_their_cabina_area():
    cabine = [{"id": "CP1", "area": SQUARE}]
    inside = member("in", "CP1", lat=45.05, lon=9.05)
    outside = member("out", "CP1", lat=45.5, lon=9.5)
    assert by_id(cabina_area_checks(scenario([inside], [], cabine=cabine))) == {("members_in_cabina", ""): "pass"}
    assert by_id(cabina_area_checks(scenario([inside, outside], [], cabine=cabine)))[("members_in_cabina", "out")] == "fail"
    assert cabina_area_checks(scenario([inside], []))[0]["status"] == "warning"  # no areas drawn


def test_wastewater_thresholds_and_configuration():
    recs = [{"member": "w", "neutrality_ratio": r} for r in (1.2, 0.8, 0.1)]  # 0.1: below 2030's 20 %
    assert [c["status"] for c in wastewater_checks(recs, {"w": "Depuratore"})] == ["pass", "warning", "fail"]
    assert wastewater_checks(recs[:1], {"w": "Depuratore"})[0]["it"].startswith("Depuratore: il depuratore")
    empty = by_id(all_checks(scenario([member("solo")], []), {}))
    assert empty[("has_plants", "")] == "fail" and empty[("has_members", "")] == "fail"


def test_italian_sentences_use_italian_number_format():
    sc = scenario([member("a", kind="prosumer")], [plant("g", "a", 982.5, grant_pct=20),
                                                   plant("old", "a", 465.5, "2020-01-01")])
    texts = [c["it"] for c in plant_checks(sc) + [old_plants_share_check(sc)]]
    joined = " | ".join(texts)
    assert "982,5 kW" in joined and "tariffa ridotta del 25,0%" in joined and "465,5 kW su 1448 kW" in joined
    en = " | ".join(c["en"] for c in plant_checks(sc))
    assert "982.5 kW" in en and "reduced by 25.0%" in en
    restricted = restricted_checks([{"set": "no_grant", "plants": ["g"], "ratio": 0.5512, "threshold": 0.55,
                                     "restricted_eur": 2245.4}])[0]
    assert "condivisa/immessa 55,1% (soglia 55%); 2.245 € della tariffa" in restricted["it"]
    assert "55.1%" in restricted["en"] and "2,245 €" in restricted["en"]


def test_every_plant_commissioned_during_or_after_the_simulated_year_is_flagged():
    sc = scenario([member("a", kind="prosumer")], [plant("future", "a", 50, "2027-03-01"),
                                                   plant("now", "a", 50, "2025-07-01"),
                                                   plant("before", "a", 50, "2024-12-31")], year=2025)
    s = by_id(plant_checks(sc))
    assert s[("plant_in_service", "future")] == "warning" and s[("plant_in_service", "now")] == "warning"
    assert ("plant_in_service", "before") not in s
    texts = {c["subject"]: c for c in plant_checks(sc) if c["id"] == "plant_in_service"}
    assert "01/03/2027" in texts["future"]["it"] and "2025" in texts["future"]["it"] and "after" in texts["future"]["en"]
    assert "during" in texts["now"]["en"] and "running all year" in texts["now"]["en"]
    cal = scenario(sc.members, sc.plants, year=2025, rules={"year_mode": "calendar"})
    now = next(c for c in plant_checks(cal) if c["subject"] == "now" and c["id"] == "plant_in_service")
    assert "only from that date" in now["en"]


def _with_comune(sc, istat_code, name):
    from dataclasses import replace
    return replace(sc, site=replace(sc.site, istat_code=istat_code, comune=name))


def test_pnrr_grant_population_and_in_service_date():
    plants = [plant("g", "a", 100, "2025-01-01", grant_pct=40), plant("late", "a", 50, "2028-01-15", grant_pct=20),
              plant("free", "a", 50, "2028-01-15")]
    sc = scenario([member("a", kind="prosumer")], plants)
    milano = by_id(pnrr_checks(_with_comune(sc, "015146", "Milano")))  # ~1.37 million inhabitants
    assert milano[("pnrr_population", "")] == "warning"
    assert milano[("pnrr_in_service", "late")] == "warning" and ("pnrr_in_service", "g") not in milano
    assert ("pnrr_in_service", "free") not in milano  # no grant, nothing to say
    rozzano = by_id(pnrr_checks(_with_comune(sc, "015189", "Rozzano")))  # about 42,000 inhabitants
    assert ("pnrr_population", "") not in rozzano
    no_grant = scenario([member("a", kind="prosumer")], [plant("free", "a", 50)])
    assert pnrr_checks(_with_comune(no_grant, "015146", "Milano")) == []


def test_money_checks_cabina_without_sharing_and_rid_fee_over_sale():
    summary = {"cabine": [{"id": "CP1", "name": "Nord", "injected_kwh": 500.0, "shared_kwh": 0.0},
                          {"id": "CP2", "injected_kwh": 500.0, "shared_kwh": 10.0}],
               "plants": [{"id": "p", "name": "Tetto", "rid_fee_eur": 7.0, "energy_sale_eur": 5.0},
                          {"id": "q", "rid_fee_eur": 7.0, "energy_sale_eur": 50.0}]}
    s = by_id(money_checks(summary))
    assert s == {("cabina_no_sharing", "CP1"): "warning", ("plant_rid_fee", "p"): "warning"}
    text = next(c for c in money_checks(summary) if c["subject"] == "p")
    assert "7,00 €" in text["it"] and "5,00 €" in text["it"]


def test_wastewater_milestones_by_year():
    rec = [{"member": "w", "neutrality_ratio": 0.3}]
    assert wastewater_checks(rec, year=2025)[0]["status"] == "warning"  # 2030: 20 % met
    assert wastewater_checks(rec, year=2036)[0]["status"] == "fail"  # 2040: 70 % not met
    text = wastewater_checks(rec, year=2025)[0]["en"]
    assert "2030 20% ✓" in text and "2035 40% ✗" in text and "35%" in text
