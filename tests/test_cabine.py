"""cer_core.cabine: point in area, members assigned to areas, GeoJSON import with clear refusals."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cer_core.cabine import (
    apply_assignment,
    area_of_point,
    areas_containing,
    assign_members,
    merge_cabine,
    parse_cabine_geojson,
    point_in_area,
)
from cer_core.errors import CerInputError
from cer_core.paths import DEMO_SCENARIO


def square(lon0: float, lat0: float, size: float = 0.01) -> dict:
    """A closed square polygon [lon, lat] with its south-west corner at (lon0, lat0)."""
    return {"type": "Polygon", "coordinates": [[[lon0, lat0], [lon0 + size, lat0], [lon0 + size, lat0 + size],
                                                [lon0, lat0 + size], [lon0, lat0]]]}


def feature(geometry, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def fc(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


A = square(9.10, 45.35)          # lon 9.10–9.11, lat 45.35–45.36
B = square(9.20, 45.35)
BIG = square(9.05, 45.30, 0.2)   # covers A and B


def test_point_in_area_inside_border_outside():
    assert point_in_area(45.355, 9.105, A)
    assert point_in_area(45.35, 9.105, A)            # on the border counts as inside
    assert not point_in_area(45.355, 9.115, A)
    assert not point_in_area(9.105, 45.355, A)       # lat/lon swapped is far away


def test_polygon_with_hole_and_multipolygon():
    holed = {"type": "Polygon", "coordinates": [A["coordinates"][0],
                                                [[9.104, 45.354], [9.106, 45.354], [9.106, 45.356], [9.104, 45.356],
                                                 [9.104, 45.354]]]}
    assert not point_in_area(45.355, 9.105, holed)
    assert point_in_area(45.351, 9.101, holed)
    multi = {"type": "MultiPolygon", "coordinates": [A["coordinates"], B["coordinates"]]}
    assert point_in_area(45.355, 9.205, multi) and point_in_area(45.355, 9.105, multi)
    assert not point_in_area(45.355, 9.155, multi)


def test_overlapping_areas_smallest_first():
    cabine = [{"id": "BIG", "area": BIG}, {"id": "A", "area": A}, {"id": "NOAREA"}]
    assert areas_containing(45.355, 9.105, cabine) == ["A", "BIG"]
    assert area_of_point(45.355, 9.105, cabine) == "A"
    assert area_of_point(45.32, 9.06, cabine) == "BIG"
    assert area_of_point(44.0, 9.0, cabine) is None


def members():
    return [
        {"id": "in-a", "cabina": "B", "lat": 45.355, "lon": 9.105},
        {"id": "in-b", "cabina": "B", "lat": 45.355, "lon": 9.205},
        {"id": "out", "cabina": "A", "lat": 45.40, "lon": 9.50},
        {"id": "nowhere", "cabina": "A"},
    ]


def test_assign_members_reports_changes_outside_and_unlocated():
    res = assign_members(members(), [{"id": "A", "area": A}, {"id": "B", "area": B}])
    assert res.area_of == {"in-a": "A", "in-b": "B", "out": None}
    assert res.changes == {"in-a": ("B", "A")}
    assert res.outside == ["out"]
    assert res.unlocated == ["nowhere"]


def test_assign_members_without_areas_flags_nobody():
    res = assign_members(members(), [{"id": "A"}, {"id": "B"}])
    assert res.outside == [] and res.changes == {} and res.area_of == {}


def test_apply_assignment_moves_only_members_inside_an_area():
    doc = {"members": members(), "cabine": [{"id": "A", "area": A}, {"id": "B", "area": B}]}
    res = apply_assignment(doc)
    by_id = {m["id"]: m["cabina"] for m in doc["members"]}
    assert by_id == {"in-a": "A", "in-b": "B", "out": "A", "nowhere": "A"}
    assert res.outside == ["out"]
    # idempotent: a second pass changes nothing
    assert apply_assignment(doc).changes == {}


def test_demo_members_lie_in_their_declared_areas():
    doc = json.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))
    res = assign_members(doc["members"], doc["cabine"])
    assert res.changes == {} and res.outside == [] and len(res.area_of) == len(doc["members"])


def test_merge_cabine_replaces_by_id_and_appends():
    old = [{"id": "A", "name": "Vecchia A"}, {"id": "C", "name": "C", "area": B}]
    new = [{"id": "A", "name": "Nuova A", "area": A}, {"id": "D", "name": "D", "area": B}]
    merged = merge_cabine(old, new)
    assert [c["id"] for c in merged] == ["A", "C", "D"]
    assert merged[0] == {"id": "A", "name": "Nuova A", "area": A}
    assert old[0] == {"id": "A", "name": "Vecchia A"}     # inputs untouched


# --- import ---------------------------------------------------------------------------------------

def test_import_feature_collection_with_various_id_keys():
    data = json.dumps(fc(feature(A, id="CP-001", name="Cabina Uno"),
                         feature(B, codice="CP-002"),
                         {"type": "Feature", "id": "CP-003", "properties": None, "geometry": BIG}))
    cabine, warnings = parse_cabine_geojson(data.encode(), "gse.geojson")
    assert [(c["id"], c["name"]) for c in cabine] == [("CP-001", "Cabina Uno"), ("CP-002", "CP-002"),
                                                      ("CP-003", "CP-003")]
    assert cabine[0]["area"]["type"] == "Polygon"
    assert point_in_area(45.355, 9.105, cabine[0]["area"])
    assert warnings == []


def test_import_single_feature_bom_and_open_ring():
    open_ring = {"type": "Polygon", "coordinates": [A["coordinates"][0][:-1]]}
    data = "\ufeff" + json.dumps(feature(open_ring, nome="Rozzano"))
    cabine, _ = parse_cabine_geojson(data.encode("utf-8"), "una.geojson")
    ring = cabine[0]["area"]["coordinates"][0]
    assert cabine[0]["id"] == "Rozzano" and ring[0] == ring[-1] and len(ring) == 5


def test_import_repairs_bow_tie_with_warning():
    bow = {"type": "Polygon", "coordinates": [[[9.10, 45.35], [9.11, 45.36], [9.11, 45.35], [9.10, 45.36],
                                               [9.10, 45.35]]]}
    cabine, warnings = parse_cabine_geojson(fc(feature(bow, id="X")), "bow.geojson")
    assert [w.code for w in warnings] == ["cabine.repaired"]
    assert "bow.geojson: features[0]" in warnings[0].message("it")
    assert cabine[0]["area"]["type"] in ("Polygon", "MultiPolygon")


def codes(exc: CerInputError) -> list[str]:
    return [p.code for p in exc.problems]


@pytest.mark.parametrize("payload, code", [
    (b"\xff\xfe\x00garbage", "cabine.encoding"),
    (b'{"type": "FeatureCollection", "features": [', "cabine.json"),
    (json.dumps({"type": "Polygon", "coordinates": A["coordinates"]}).encode(), "cabine.not_fc"),
    (json.dumps([1, 2]).encode(), "cabine.not_fc"),
    (json.dumps(fc()).encode(), "cabine.empty_fc"),
])
def test_import_refuses_files_that_are_not_area_collections(payload, code):
    with pytest.raises(CerInputError) as info:
        parse_cabine_geojson(payload, "aree.geojson")
    assert codes(info.value) == [code]
    assert info.value.problems[0].where.startswith("aree.geojson")


def test_import_json_error_names_the_line():
    with pytest.raises(CerInputError) as info:
        parse_cabine_geojson(b'{\n "type": "FeatureCollection",\n "features": [}\n', "rotto.geojson")
    assert info.value.problems[0].where == "rotto.geojson:3"
    assert "colonna" in info.value.message("it") and "column" in info.value.message("en")


def test_import_reports_every_bad_feature_with_its_index():
    point = {"type": "Point", "coordinates": [9.1, 45.3]}
    swapped = {"type": "Polygon", "coordinates": [[[y, x] for x, y in A["coordinates"][0]]]}
    metres = {"type": "Polygon", "coordinates": [[[510000, 5025000], [511000, 5025000], [511000, 5026000],
                                                  [510000, 5025000]]]}
    short = {"type": "Polygon", "coordinates": [[[9.1, 45.3], [9.2, 45.3], [9.1, 45.3]]]}
    flat = {"type": "Polygon", "coordinates": [[[9.1, 45.3], [9.2, 45.3], [9.3, 45.3], [9.1, 45.3]]]}
    bad = fc(feature(A, id="OK"), feature(point, id="P"), feature(swapped, id="S"), feature(metres, id="M"),
             feature(A), feature(short, id="T"), feature(flat, id="F"), feature(B, id="OK"),
             {"type": "Feature", "properties": {"id": "N"}, "geometry": None},
             feature({"type": "Polygon", "coordinates": [[["a", 1], [2, 3], [4, 5], ["a", 1]]]}, id="Q"))
    with pytest.raises(CerInputError) as info:
        parse_cabine_geojson(bad, "gse.geojson")
    got = [(p.where, p.code) for p in info.value.problems]
    assert got == [("gse.geojson: features[1]", "cabine.not_polygon"),
                   ("gse.geojson: features[2]", "cabine.swapped"),
                   ("gse.geojson: features[3]", "cabine.not_degrees"),
                   ("gse.geojson: features[4]", "cabine.no_id"),
                   ("gse.geojson: features[5]", "cabine.ring_too_short"),
                   ("gse.geojson: features[6]", "cabine.empty"),
                   ("gse.geojson: features[7]", "cabine.duplicate_id"),
                   ("gse.geojson: features[8]", "cabine.no_geometry"),
                   ("gse.geojson: features[9]", "cabine.coords")]
    for p in info.value.problems:
        assert p.it and p.en and p.it != p.en


def test_import_warns_outside_italy_but_keeps_the_area():
    cabine, warnings = parse_cabine_geojson(fc(feature(square(2.35, 48.85), id="PARIGI")), "fr.geojson")
    assert [c["id"] for c in cabine] == ["PARIGI"] and [w.code for w in warnings] == ["cabine.outside_italy"]


def test_import_too_long_id_and_too_large_file():
    with pytest.raises(CerInputError) as info:
        parse_cabine_geojson(fc(feature(A, id="X" * 65)), "a.geojson")
    assert codes(info.value) == ["cabine.long_id"]
    with pytest.raises(CerInputError) as info:
        parse_cabine_geojson(b" " * (20 * 1024 * 1024 + 1), "big.geojson")
    assert codes(info.value) == ["cabine.too_large"]


def test_import_round_trips_the_demo_areas():
    doc = json.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))
    exported = fc(*[feature(c["area"], id=c["id"], name=c["name"]) for c in doc["cabine"]])
    cabine, warnings = parse_cabine_geojson(json.dumps(exported), "demo.geojson")
    assert warnings == []
    assert [(c["id"], c["name"]) for c in cabine] == [(c["id"], c["name"]) for c in doc["cabine"]]
    for got, want in zip(cabine, doc["cabine"]):
        assert got["area"] == want["area"]


@settings(max_examples=60, deadline=None)
@given(lon=st.floats(9.0, 9.3), lat=st.floats(45.3, 45.45))
def test_assignment_agrees_with_point_in_area(lon, lat):
    cabine = [{"id": "A", "area": A}, {"id": "B", "area": B}]
    res = assign_members([{"id": "m", "cabina": "Z", "lat": lat, "lon": lon}], cabine)
    inside = [c["id"] for c in cabine if point_in_area(lat, lon, c["area"])]
    assert res.area_of["m"] == (inside[0] if inside else None)
    assert (res.outside == ["m"]) == (not inside)


# --- robustness: odd files, odd members, and the cost of one assignment ----------------------------

@pytest.mark.parametrize("props", [[1, 2], "CP-9", 7])
def test_import_feature_with_properties_that_are_not_an_object(props):
    """``properties`` of another type count as absent (the feature's own id still names it)."""
    cabine, _ = parse_cabine_geojson(fc({"type": "Feature", "id": "CP-9", "properties": props, "geometry": A}), "a.geojson")
    assert [c["id"] for c in cabine] == ["CP-9"]


def test_import_positions_with_extra_ordinates_keep_lon_lat():
    """[lon, lat, z, m] positions (exports from GIS tools) are read as [lon, lat]."""
    ring = [p + [120.0, 0.0] for p in A["coordinates"][0]]
    cabine, _ = parse_cabine_geojson(fc(feature({"type": "Polygon", "coordinates": [ring]}, id="Z")), "z.geojson")
    assert cabine[0]["area"] == A


@pytest.mark.parametrize("payload, code", [
    (b"[" * 100_000 + b"]" * 100_000, "cabine.json"),
    (json.dumps(fc(feature({"type": "Polygon", "coordinates": [[[10 ** 400, 45.3], [9.2, 45.3], [9.2, 45.4],
                                                                 [10 ** 400, 45.3]]]}, id="X"))).encode(), "cabine.coords"),
])
def test_import_refuses_pathological_json_cleanly(payload, code):
    with pytest.raises(CerInputError) as info:
        parse_cabine_geojson(payload, "strano.geojson")
    assert codes(info.value) == [code] and info.value.problems[0].where.startswith("strano.geojson")


def test_members_with_non_numeric_coordinates_are_unlocated_not_outside():
    res = assign_members([{"id": "nan", "lat": float("nan"), "lon": 9.1}, {"id": "bool", "lat": True, "lon": False}],
                         [{"id": "A", "area": A}])
    assert res.unlocated == ["nan", "bool"] and res.outside == []


def test_assignment_builds_each_area_once(monkeypatch):
    """Every map rerun assigns all members: an area is turned into a shape once per call, not once per member."""
    import cer_core.cabine as cabine_mod

    real, built = cabine_mod.area_shape, []

    def counting(area):
        built.append(1)
        return real(area)

    monkeypatch.setattr(cabine_mod, "area_shape", counting)
    many = [{"id": f"m{i}", "cabina": "A", "lat": 45.351 + i * 1e-4, "lon": 9.101} for i in range(50)]
    res = assign_members(many, [{"id": "BIG", "area": BIG}, {"id": "A", "area": A}, {"id": "B", "area": B}])
    assert len(built) <= 3
    assert set(res.area_of.values()) == {"A"} and res.outside == []


def test_a_geojson_with_a_number_of_more_than_4300_digits_is_refused():
    """json.loads raised Python's ValueError (integer string conversion limit) instead of a refusal."""
    with pytest.raises(CerInputError) as exc:
        parse_cabine_geojson(b'{"type": "FeatureCollection", "features": [], "x": ' + b"9" * 5000 + b"}", "aree.geojson")
    (p,) = exc.value.problems
    assert p.code == "cabine.json" and p.where == "aree.geojson" and "4300" in p.it and "4300" in p.en
