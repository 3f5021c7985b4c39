"""The studio's editable tables: replaying data_editor edits and merging them into the scenario."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cer_core.scenario import parse_scenario
from studio.pure import tables as T


def tr(key, **fmt):
    return key + (":" + ",".join(f"{k}={v}" for k, v in sorted(fmt.items())) if fmt else "")


def base_doc():
    return {
        "schema": "cer-studio/scenario@1", "name": "Prova", "year": 2024, "site": {"comune": "Rozzano"},
        "cabine": [{"id": "CP-A", "name": "Cabina A"}, {"id": "CP-B"}],
        "members": [
            {"id": "comune", "name": "Comune", "kind": "prosumer", "category": "public_body", "cabina": "CP-A",
             "pod": "IT001E12345678", "load": {"source": "profile", "profile": "municipal_building", "annual_kwh": 50000}},
            {"id": "casa-1", "name": "Casa Uno", "kind": "consumer", "category": "household", "cabina": "CP-A",
             "load": {"source": "profile", "profile": "household", "annual_kwh": 2700}},
            {"id": "casa-2", "name": "Casa Due", "kind": "consumer", "category": "household", "cabina": "CP-B",
             "load": {"source": "bills", "bills": [{"start": "2024-01-01", "end": "2024-01-31", "f1_kwh": 100}]}},
        ],
        "plants": [
            {"id": "fv-comune", "name": "Tetto comune", "member": "comune", "kwp": 50.0, "commissioning": "2023-05-01",
             "tilt_deg": 20, "azimuth_deg": 180},
            {"id": "fv-est-ovest", "member": "comune", "kwp": 20.0, "commissioning": "2024-01-10",
             "faces": [{"name": "est", "kwp": 10.0, "tilt_deg": 10, "azimuth_deg": 90},
                       {"name": "ovest", "kwp": 10.0, "tilt_deg": 10, "azimuth_deg": 270}]},
        ],
    }


# -------------------------------------------------------------------------------------------------
# apply_editor_state
# -------------------------------------------------------------------------------------------------

def test_apply_editor_state_edits_deletes_and_adds_in_streamlit_order():
    frame = pd.DataFrame({"id": ["a", "b", "c"], "v": [1.0, 2.0, 3.0]})
    state = {"edited_rows": {0: {"v": 10.0}, "2": {"v": 30.0}}, "deleted_rows": [1],
             "added_rows": [{"v": 4.0}, {"id": "e"}]}
    out = T.apply_editor_state(frame, state)
    assert out["id"].tolist()[:2] == ["a", "c"]
    assert out["v"].tolist()[:3] == [10.0, 30.0, 4.0]
    assert out["id"].iloc[3] == "e" and pd.isna(out["v"].iloc[3])
    assert len(out) == 4
    assert frame["v"].tolist() == [1.0, 2.0, 3.0]  # the input is not modified


def test_apply_editor_state_ignores_unknown_rows_and_columns():
    frame = pd.DataFrame({"id": ["a"], "v": [1.0]})
    out = T.apply_editor_state(frame, {"edited_rows": {5: {"v": 9.0}, 0: {"zzz": 1}}, "deleted_rows": [7]})
    assert out.to_dict("records") == [{"id": "a", "v": 1.0}]
    assert T.apply_editor_state(frame, None).equals(frame)


def test_clean_and_records():
    frame = pd.DataFrame({"a": [np.float64(1.5), np.nan], "b": ["  x ", ""], "c": [pd.Timestamp("2024-01-02"), pd.NaT],
                          "d": [np.bool_(True), None]})
    rows = T.records(frame)
    assert rows[0] == {"a": 1.5, "b": "x", "c": dt.date(2024, 1, 2), "d": True}
    assert rows[1] == {"a": None, "b": None, "c": None, "d": None}
    assert type(rows[0]["a"]) is float


def test_slug_and_unique_id():
    assert T.slug("Famiglia Rossì & figli") == "famiglia-rossi-figli"
    assert T.unique_id("casa", {"casa", "casa-2"}) == "casa-3"
    assert T.unique_id("", set()) == "id"


# -------------------------------------------------------------------------------------------------
# members
# -------------------------------------------------------------------------------------------------

def test_members_frame_and_unchanged_merge_is_identity():
    doc = base_doc()
    frame = T.members_frame(doc, tr)
    assert frame["id"].tolist() == ["comune", "casa-1", "casa-2"]
    assert frame["load"].iloc[2] == "membri.load.bills:n=1"
    out, notes = T.merge_members(doc, T.records(frame))
    assert out == doc and notes == []


def test_merge_members_edits_fields_and_keeps_load():
    doc = base_doc()
    frame = T.members_frame(doc, tr)
    state = {"edited_rows": {1: {"name": "Famiglia Uno", "cabina": "CP-B", "pod": "IT001E00000001"},
                             0: {"pod": None}}}
    out, _ = T.merge_members(doc, T.records(T.apply_editor_state(frame, state)))
    m = {x["id"]: x for x in out["members"]}
    assert m["casa-1"]["name"] == "Famiglia Uno" and m["casa-1"]["cabina"] == "CP-B"
    assert m["casa-1"]["pod"] == "IT001E00000001"
    assert "pod" not in m["comune"]
    assert m["casa-1"]["load"] == doc["members"][1]["load"]
    assert doc["members"][1]["name"] == "Casa Uno"  # the input document is not modified


def test_merge_members_adds_with_a_standard_profile_and_a_unique_id():
    doc = base_doc()
    frame = T.members_frame(doc, tr)
    state = {"added_rows": [{"name": "Casa Uno", "category": "sme"}, {}]}
    out, notes = T.merge_members(doc, T.records(T.apply_editor_state(frame, state)))
    new = out["members"][3:]
    assert [m["id"] for m in new] == ["casa-uno", "membro"]
    assert new[0]["category"] == "sme" and new[0]["load"] == T.default_load("sme")
    assert new[1]["cabina"] == "CP-A" and new[1]["kind"] == "consumer"
    assert [k for k, _ in notes] == ["membri.note.added", "membri.note.added"]
    sc, problems = parse_scenario(out)
    assert sc is not None, problems


def test_merge_members_deleting_a_member_removes_its_plants():
    doc = base_doc()
    frame = T.members_frame(doc, tr)
    out, notes = T.merge_members(doc, T.records(T.apply_editor_state(frame, {"deleted_rows": [0]})))
    assert [m["id"] for m in out["members"]] == ["casa-1", "casa-2"]
    assert out["plants"] == []
    assert ("membri.note.plants_removed", {"n": 2}) in notes


def test_merge_members_ignores_invalid_choices():
    doc = base_doc()
    frame = T.members_frame(doc, tr)
    state = {"edited_rows": {0: {"kind": "boss", "category": None, "cabina": None}}}
    out, _ = T.merge_members(doc, T.records(T.apply_editor_state(frame, state)))
    assert out["members"][0]["kind"] == "prosumer" and out["members"][0]["category"] == "public_body"
    assert out["members"][0]["cabina"] == "CP-A"


def test_set_member_load_switches_source_and_keeps_the_other_data():
    doc = base_doc()
    out = T.set_member_load(doc, "casa-2", {"source": "profile", "profile": "household", "annual_kwh": 3000.0})
    load = out["members"][2]["load"]
    assert load["source"] == "profile" and load["bills"] == doc["members"][2]["load"]["bills"]
    back = T.set_member_load(out, "casa-2", {"source": "bills"})
    assert back["members"][2]["load"]["bills"] == doc["members"][2]["load"]["bills"]
    none = T.set_member_load(doc, "casa-2", {"source": None})
    assert "load" not in none["members"][2]


def test_load_summary_texts():
    assert T.load_summary(None, "consumer", tr) == "membri.load.missing"
    assert T.load_summary(None, "producer", tr) == "membri.load.none_producer"
    assert T.load_summary({"source": "file", "path": "a/b/curva.csv"}, "consumer", tr) == "membri.load.file:path=curva.csv"


# -------------------------------------------------------------------------------------------------
# cabine
# -------------------------------------------------------------------------------------------------

def test_merge_cabine_rename_moves_members_and_refuses_deleting_a_used_one():
    doc = base_doc()
    frame = T.cabine_frame(doc)
    assert frame["members"].tolist() == [2, 1]
    state = {"edited_rows": {0: {"id": "AC001E00123"}}, "deleted_rows": [1], "added_rows": [{"id": "CP-C"}]}
    out, notes = T.merge_cabine(doc, T.records(T.apply_editor_state(frame, state)))
    assert [c["id"] for c in out["cabine"]] == ["AC001E00123", "CP-C", "CP-B"]
    assert out["cabine"][0]["name"] == "Cabina A"
    assert [m["cabina"] for m in out["members"]] == ["AC001E00123", "AC001E00123", "CP-B"]
    assert ("membri.note.cabina_in_use", {"id": "CP-B"}) in notes


def test_merge_cabine_refuses_duplicates_and_deletes_unused():
    doc = base_doc()
    doc["cabine"].append({"id": "CP-VUOTA"})
    frame = T.cabine_frame(doc)
    state = {"edited_rows": {0: {"id": "CP-B"}}, "deleted_rows": [2]}
    out, notes = T.merge_cabine(doc, T.records(T.apply_editor_state(frame, state)))
    assert [c["id"] for c in out["cabine"]] == ["CP-A", "CP-B"]
    assert ("membri.note.cabina_duplicate", {"id": "CP-B"}) in notes


# -------------------------------------------------------------------------------------------------
# plants and faces
# -------------------------------------------------------------------------------------------------

def test_plants_frame_fills_defaults():
    frame = T.plants_frame(base_doc())
    row = frame.iloc[1]
    assert row["faces"] == 2 and row["losses_pct"] == 14.0 and row["incentivised"]
    assert frame["commissioning"].iloc[0] == pd.Timestamp("2023-05-01")


def test_merge_plants_unchanged_is_identity():
    doc = base_doc()
    out, notes = T.merge_plants(doc, T.records(T.plants_frame(doc)))
    assert notes == []
    for old, new in zip(doc["plants"], out["plants"]):
        assert {k: new[k] for k in old} == old


def test_kwp_edit_rescales_faces_and_azimuth_edit_turns_them():
    doc = base_doc()
    frame = T.plants_frame(doc)
    state = {"edited_rows": {1: {"kwp": 30.0, "azimuth_deg": 200.0, "tilt_deg": 15.0},
                             0: {"kwp": 60.0, "commissioning": pd.Timestamp("2024-02-01"), "grant_pct": 20.0}}}
    out, _ = T.merge_plants(doc, T.records(T.apply_editor_state(frame, state)))
    simple, ew = out["plants"]
    assert simple["kwp"] == 60.0 and simple["commissioning"] == "2024-02-01" and simple["grant_pct"] == 20.0
    assert ew["kwp"] == 30.0
    assert sum(f["kwp"] for f in ew["faces"]) == pytest.approx(30.0)
    assert [f["azimuth_deg"] for f in ew["faces"]] == [110.0, 290.0]   # turned by +20°
    assert {f["tilt_deg"] for f in ew["faces"]} == {15.0}
    sc, problems = parse_scenario(out)
    assert sc is not None, problems


def test_merge_plants_adds_and_promotes_a_consumer():
    doc = base_doc()
    frame = T.plants_frame(doc)
    state = {"added_rows": [{"member": "casa-1", "kwp": 4.5}], "deleted_rows": [0]}
    out, notes = T.merge_plants(doc, T.records(T.apply_editor_state(frame, state)))
    assert [p["id"] for p in out["plants"]] == ["fv-est-ovest", "fv-casa-1"]
    new = out["plants"][1]
    assert new["kwp"] == 4.5 and new["commissioning"] == "2024-01-01" and new["production"] == {"source": "pvlib"}
    assert out["members"][1]["kind"] == "prosumer"
    keys = [k for k, _ in notes]
    assert "impianti.note.prosumer" in keys and "impianti.note.removed" in keys and "impianti.note.added" in keys
    sc, problems = parse_scenario(out)
    assert sc is not None and not [p for p in problems if p.code == "member.consumer_with_plant"]


def test_merge_plants_without_members_refuses_new_rows():
    doc = base_doc()
    doc["members"], doc["plants"] = [], []
    out, notes = T.merge_plants(doc, [{"kwp": 3.0}])
    assert out["plants"] == [] and notes == [("impianti.note.no_members", {})]


def test_scale_faces_keeps_shares_and_exact_sum():
    faces = [{"kwp": 1.0}, {"kwp": 2.0}]
    out = T.scale_faces(faces, 10.0)
    assert sum(f["kwp"] for f in out) == pytest.approx(10.0)
    assert out[1]["kwp"] == pytest.approx(2 * out[0]["kwp"], rel=1e-3)
    assert [f["kwp"] for f in T.scale_faces([{"kwp": 0}, {"kwp": 0}], 3.0)] == [1.5, 1.5]


def test_set_plant_fields_and_faces():
    doc = base_doc()
    out, _ = T.set_plant_fields(doc, "fv-comune", {"kwp": 75.0})
    assert out["plants"][0]["kwp"] == 75.0 and out["plants"][1] == doc["plants"][1]
    faces = T.records(T.faces_frame(doc["plants"][0]))
    assert faces == [{"name": None, "kwp": 50.0, "tilt_deg": 20, "azimuth_deg": 180}]
    two = T.set_faces(doc, "fv-comune", [{"name": "sud", "kwp": 30.0, "tilt_deg": 20, "azimuth_deg": 180},
                                         {"name": "est", "kwp": 10.0, "tilt_deg": 20, "azimuth_deg": 90},
                                         {"name": "vuota", "kwp": None}])
    p = two["plants"][0]
    assert p["kwp"] == 40.0 and len(p["faces"]) == 2 and p["azimuth_deg"] == 180.0
    one = T.set_faces(two, "fv-comune", [{"kwp": 12.0, "tilt_deg": 5, "azimuth_deg": 170}])
    p = one["plants"][0]
    assert "faces" not in p and p["kwp"] == 12.0 and p["tilt_deg"] == 5.0 and p["azimuth_deg"] == 170.0
    assert parse_scenario(two)[0] is not None


# -------------------------------------------------------------------------------------------------
# bills
# -------------------------------------------------------------------------------------------------

def test_bills_grid_round_trip_and_twelve_empty_months():
    empty = T.bills_frame(None, 2024)
    assert len(empty) == 12 and empty["end"].iloc[1] == pd.Timestamp("2024-02-29")
    assert T.bills_from_rows(T.records(empty)) == []
    state = {"edited_rows": {0: {"f1_kwh": 100.0, "f2_kwh": 50.0, "f3_kwh": 80.0}, 1: {"total_kwh": 200.0}}}
    bills = T.bills_from_rows(T.records(T.apply_editor_state(empty, state)))
    assert bills == [{"start": "2024-01-01", "end": "2024-01-31", "f1_kwh": 100.0, "f2_kwh": 50.0, "f3_kwh": 80.0},
                     {"start": "2024-02-01", "end": "2024-02-29", "total_kwh": 200.0}]
    again = T.bills_from_rows(T.records(T.bills_frame(bills, 2024)))
    assert again == bills


def test_bill_flags_survive_the_grid():
    bills = [{"start": "2024-01-01", "end": "2024-02-29", "f1_kwh": 100.0, "f23_kwh": 200.0, "estimated": True},
             {"start": "2024-01-15", "end": "2024-01-31", "total_kwh": -20.0, "adjustment": True}]
    assert T.bills_from_rows(T.records(T.bills_frame(bills, 2024))) == bills


def test_bill_dicts_from_a_bills_file_pick_the_members_pod():
    import datetime as dt
    from cer_core.io.bills import Bill

    bills = [Bill(dt.date(2024, 1, 1), dt.date(2024, 1, 31), f1_kwh=1.0, f2_kwh=2.0, f3_kwh=3.0, pod="IT001E00000001"),
             Bill(dt.date(2024, 1, 1), dt.date(2024, 1, 31), total_kwh=9.0, estimated=True, pod="IT001E00000002")]
    assert T.bill_dicts(bills, "IT001E00000002") == [{"start": "2024-01-01", "end": "2024-01-31", "total_kwh": 9.0,
                                                       "estimated": True}]
    assert len(T.bill_dicts(bills, None)) == 2


def test_profiles_and_default_loads_come_from_the_core():
    from cer_core.loads.profiles import PROFILE_NAMES

    assert T.profile_names() == list(PROFILE_NAMES)
    assert T.default_load("household") == {"source": "profile", "profile": "household", "annual_kwh": 2700.0}
    assert T.default_load("sme")["profile"] in PROFILE_NAMES


# -------------------------------------------------------------------------------------------------
# review: mass edits, file sources chosen before the file
# -------------------------------------------------------------------------------------------------

def many_members_doc(n: int) -> dict:
    doc = base_doc()
    doc["members"] = [{"id": f"m{i}", "name": f"Membro {i}", "kind": "consumer", "category": "household",
                       "cabina": "CP-A", "load": {"source": "profile", "profile": "household", "annual_kwh": 2700}}
                      for i in range(n)]
    doc["plants"] = [{"id": f"fv-{i}", "member": f"m{i}", "kwp": 3.0, "commissioning": "2024-01-01"} for i in range(n)]
    return doc


def test_deleting_every_member_gives_one_note_not_one_per_member():
    doc = many_members_doc(40)
    out, notes = T.merge_members(doc, [])
    assert out["members"] == [] and out["plants"] == []
    assert [k for k, _ in notes] == ["membri.note.removed_many", "membri.note.plants_removed"]
    many = notes[0][1]
    assert many["n"] == 40 and many["names"] == "Membro 0, Membro 1, Membro 2, …"
    out, notes = T.merge_members(many_members_doc(3), [])      # a few: one note each, as before
    assert [k for k, _ in notes].count("membri.note.removed") == 3


def test_pasting_many_members_gives_one_note():
    doc = base_doc()
    rows = T.records(T.members_frame(doc, tr)) + [{"name": f"Nuovo {i}"} for i in range(12)]
    out, notes = T.merge_members(doc, rows)
    assert len(out["members"]) == 15
    assert notes == [("membri.note.added_many", {"n": 12, "names": "Nuovo 0, Nuovo 1, Nuovo 2, …"})]


def test_deleting_every_plant_gives_one_note():
    doc = many_members_doc(20)
    out, notes = T.merge_plants(doc, [])
    assert out["plants"] == []
    assert notes == [("impianti.note.removed_many", {"n": 20, "names": "fv-0, fv-1, fv-2, …"})]


def test_production_source_file_only_once_there_is_a_file():
    doc = base_doc()
    out = T.set_production_source(doc, "fv-comune", "file")
    assert "production" not in out["plants"][0]                     # nothing to read yet: unchanged
    doc["plants"][0]["production"] = {"source": "file", "path": "plants/fv-comune/misure.csv"}
    out = T.set_production_source(doc, "fv-comune", "pvlib")
    assert out["plants"][0]["production"] == {"source": "pvlib", "path": "plants/fv-comune/misure.csv"}
    back = T.set_production_source(out, "fv-comune", "file")        # the file is still there: back at once
    assert back["plants"][0]["production"]["source"] == "file"
    assert T.set_production_source(out, "fv-comune", "modello pvlib sul meteo del sito") == out
    assert doc["plants"][0]["production"]["source"] == "file"       # the input is not modified


def test_weather_source_file_only_once_there_is_a_file():
    doc = base_doc()
    assert T.set_weather_source(doc, "file") == doc
    assert T.set_weather_source(doc, "Anno tipico incluso più vicino") == doc
    assert T.set_weather_source(doc, "embedded")["site"]["weather"] == {"source": "embedded"}
    doc["site"]["weather"] = {"source": "embedded", "path": "weather/tmy.csv"}
    assert T.set_weather_source(doc, "file")["site"]["weather"] == {"source": "file", "path": "weather/tmy.csv"}
    assert parse_scenario(T.set_weather_source(base_doc(), "file"))[0] is not None


def test_a_uploaded_curve_is_named_by_the_users_file_not_the_internal_copy():
    from studio.pure.tables import load_summary

    tr = lambda key, **fmt: f"{key}|{fmt.get('path')}"  # noqa: E731
    load = {"source": "file", "path": "members/a/consumi_orari_2024_ab12cd34.csv",
            "originals": [{"path": "members/a/originali/gennaio.csv"}, {"path": "members/a/originali/febbraio.csv"}]}
    assert load_summary(load, "consumer", tr) == "membri.load.file|gennaio.csv +1"
    assert load_summary({"source": "file", "path": "series/x.csv"}, "consumer", tr) == "membri.load.file|x.csv"
