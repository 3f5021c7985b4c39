"""Roof suggestions from polygons drawn on the map."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from cer_core.errors import CerInputError
from cer_core.solar.roof import DEFAULT_M2_PER_KWP, RoofSuggestion, roof_suggestion

GEOD = Geod(ellps="WGS84")
MILAN = (9.19, 45.464)  # lon, lat


def rectangle(length_m: float, width_m: float, bearing_deg: float = 90.0, origin=MILAN) -> dict:
    """A GeoJSON rectangle laid out with exact geodesic steps: ``length_m`` along ``bearing_deg``, then ``width_m``
    to the left of it (counter-clockwise ring)."""
    lon0, lat0 = origin
    lon1, lat1, _ = GEOD.fwd(lon0, lat0, bearing_deg, length_m)
    lon2, lat2, _ = GEOD.fwd(lon1, lat1, bearing_deg - 90.0, width_m)
    lon3, lat3, _ = GEOD.fwd(lon0, lat0, bearing_deg - 90.0, width_m)
    return {"type": "Polygon", "coordinates": [[[lon0, lat0], [lon1, lat1], [lon2, lat2], [lon3, lat3], [lon0, lat0]]]}


def geodesic_area(poly: dict) -> float:
    ring = poly["coordinates"][0]
    area, _ = GEOD.polygon_area_perimeter([p[0] for p in ring], [p[1] for p in ring])
    return abs(area)


def test_rectangle_area_usable_area_and_kwp():
    poly = rectangle(20.0, 10.0)
    r = roof_suggestion(poly)
    assert isinstance(r, RoofSuggestion)
    assert r.area_m2 == pytest.approx(200.0, rel=1e-3)
    assert r.area_m2 == pytest.approx(geodesic_area(poly), rel=1e-4)  # independent: area on the ellipsoid
    assert r.usable_area_m2 == pytest.approx((20 - 1.0) * (10 - 1.0), rel=2e-3)  # 0.5 m setback each side
    assert r.kwp == pytest.approx(round(r.usable_area_m2 / DEFAULT_M2_PER_KWP, 1))
    assert r.longest_edge_m == pytest.approx(20.0, rel=1e-3) and r.perimeter_m == pytest.approx(60.0, rel=1e-3)
    lon_c, lat_c = r.centroid_lon, r.centroid_lat
    assert abs(lat_c - 45.464) < 1e-3 and abs(lon_c - 9.19) < 1e-3


def test_tilt_converts_the_footprint_into_sloped_area():
    r = roof_suggestion(rectangle(20.0, 10.0), tilt_deg=30.0, setback_m=0.0, m2_per_kwp=5.0)
    assert r.surface_area_m2 == pytest.approx(200.0 / math.cos(math.radians(30)), rel=1e-3)
    assert r.usable_area_m2 == pytest.approx(r.surface_area_m2)
    assert r.kwp == pytest.approx(round(r.surface_area_m2 / 5.0, 1))


@pytest.mark.parametrize("bearing, azimuth", [
    (90.0, 180.0),    # eaves run east-west: the face looks south
    (270.0, 180.0),   # the same edge drawn the other way round
    (60.0, 150.0),    # edge towards east-north-east: the face looks south-east
    (120.0, 210.0),   # edge towards east-south-east: the face looks south-west
    (0.0, 90.0),      # edge north-south: both sides equally south, east chosen
])
def test_azimuth_from_the_longest_edge(bearing, azimuth):
    r = roof_suggestion(rectangle(30.0, 12.0, bearing_deg=bearing))
    assert r.azimuth_deg == pytest.approx(azimuth, abs=0.2)
    diff = (r.edge_bearing_deg - bearing) % 180.0
    assert min(diff, 180.0 - diff) < 0.2  # bearings of an undirected edge: 0 and 180 are the same


def test_holes_are_subtracted_and_features_accepted():
    outer = rectangle(40.0, 20.0)["coordinates"][0]
    hole = rectangle(5.0, 4.0, origin=tuple(GEOD.fwd(*GEOD.fwd(*MILAN, 90, 10)[:2], 0, 5)[:2]))["coordinates"][0]
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [outer, hole[::-1]]}}
    r = roof_suggestion(feature, setback_m=0.0)
    assert r.area_m2 == pytest.approx(800.0 - 20.0, rel=2e-3)


def test_open_ring_is_closed():
    ring = rectangle(20.0, 10.0)["coordinates"][0][:-1]
    assert roof_suggestion({"type": "Polygon", "coordinates": [ring]}).area_m2 == pytest.approx(200.0, rel=1e-3)


def test_setback_larger_than_the_roof_leaves_nothing():
    r = roof_suggestion(rectangle(4.0, 3.0), setback_m=2.0)
    assert r.usable_area_m2 == 0.0 and r.kwp == 0.0 and r.area_m2 == pytest.approx(12.0, rel=1e-3)


def bad(poly, **kw) -> CerInputError:
    with pytest.raises(CerInputError) as exc:
        roof_suggestion(poly, where="plants[2].roof", **kw)
    return exc.value


def test_self_intersecting_polygon_is_refused_with_a_place():
    a, b, c, d = rectangle(20.0, 10.0)["coordinates"][0][:4]
    err = bad({"type": "Polygon", "coordinates": [[a, c, b, d, a]]})  # a bow tie
    assert err.problems[0].code == "roof.self_intersection" and err.problems[0].where == "plants[2].roof"
    assert "45.46" in err.message("it") and "cross" in err.message("en")


@pytest.mark.parametrize("poly, code", [
    ({"type": "Polygon", "coordinates": [[[9.19, 45.46], [9.1901, 45.46], [9.19, 45.46]]]}, "roof.too_few_points"),
    ({"type": "Point", "coordinates": [9.19, 45.46]}, "roof.not_polygon"),
    ({"type": "Polygon", "coordinates": [[[45.46, 9.19], [45.4601, 9.19], [45.4601, 9.1901], [45.46, 9.19]]]},
     "roof.swapped"),
    ({"type": "Polygon", "coordinates": [[[9.0, 45.0], [10.0, 45.0], [10.0, 46.0], [9.0, 45.0]]]}, "roof.size"),
    ({"type": "Polygon", "coordinates": [[[9.19, 45.46], [9.190001, 45.46], [9.190001, 45.460001], [9.19, 45.46]]]},
     "roof.size"),
    ({"type": "Polygon", "coordinates": [[[9.19, 45.46], ["x", 45.46], [9.2, 45.47], [9.19, 45.46]]]}, "roof.point"),
    ({"type": "Polygon", "coordinates": [[[9.19, 95.0], [9.2, 45.46], [9.2, 45.47], [9.19, 95.0]]]}, "roof.point"),
    ({"type": "Polygon", "coordinates": []}, "roof.no_coordinates"),
    ("not a polygon", "roof.not_geojson"),
    # shapes that used to escape as AttributeError / TypeError / OverflowError
    ({"type": "Feature", "geometry": "Polygon"}, "roof.not_geojson"),
    ({"type": "Feature", "geometry": [[9.19, 45.46]]}, "roof.not_geojson"),
    ({"type": "MultiPolygon", "coordinates": 5}, "roof.not_polygon"),
    ({"type": "Polygon", "coordinates": [[[10 ** 400, 45.46], [9.2, 45.46], [9.2, 45.47], [9.19, 45.46]]]}, "roof.point"),
    # a hole drawn outside the roof: said in words, not GEOS's "Hole lies outside shell[x y]"
    ({"type": "Polygon", "coordinates": [rectangle(20.0, 10.0)["coordinates"][0],
                                         rectangle(3.0, 3.0, origin=(9.30, 45.50))["coordinates"][0]]}, "roof.hole"),
])
def test_bad_polygons_are_refused_clearly(poly, code):
    err = bad(poly)
    assert err.problems[0].code == code
    assert err.problems[0].where.startswith("plants[2].roof")
    assert err.message("it") != err.message("en")


@pytest.mark.parametrize("kw, code", [({"m2_per_kwp": 0}, "roof.m2_per_kwp"), ({"tilt_deg": 90}, "roof.tilt"),
                                      ({"setback_m": -1}, "roof.setback"),
                                      ({"setback_m": float("nan")}, "roof.setback"),  # was taken as no setback
                                      ({"m2_per_kwp": float("inf")}, "roof.m2_per_kwp")])  # was 0 kWp
def test_bad_parameters_are_refused(kw, code):
    assert bad(rectangle(10, 10), **kw).problems[0].code == code


@settings(max_examples=60, deadline=None)
@given(length=st.floats(3, 150), ratio=st.floats(0.2, 0.95), bearing=st.floats(0, 360),
       lat=st.floats(36.5, 47.0), lon=st.floats(6.7, 18.5))
def test_any_rectangle_anywhere_in_italy(length, ratio, bearing, lat, lon):
    width = length * ratio
    poly = rectangle(length, width, bearing_deg=bearing, origin=(lon, lat))
    r = roof_suggestion(poly, setback_m=0.0)
    assert r.area_m2 == pytest.approx(length * width, rel=2e-3)
    assert r.longest_edge_m == pytest.approx(length, rel=2e-3)
    # the suggested face is perpendicular to the long side and never faces north of east-west
    assert math.cos(math.radians(r.azimuth_deg - 180.0)) >= -1e-9
    diff = (r.azimuth_deg - bearing) % 180.0
    assert min(abs(diff - 90.0), 180 - abs(diff - 90.0)) < 0.5
    assert r.to_dict()["area_m2"] == pytest.approx(r.area_m2)


@pytest.mark.parametrize("start_mid_side", [False, True])
def test_vertices_clicked_along_a_side_do_not_split_it(start_mid_side):
    """The longest-edge rule is about the roof's sides: a vertex clicked half-way along the 20 m eaves (and a
    ring that starts there) must not let the 12 m gable win and turn the suggestion by 90°."""
    lon0, lat0 = MILAN
    a = [lon0, lat0]
    b = list(GEOD.fwd(lon0, lat0, 90.0, 20.0)[:2])
    c = list(GEOD.fwd(*b, 0.0, 12.0)[:2])
    d = list(GEOD.fwd(lon0, lat0, 0.0, 12.0)[:2])
    ab = list(GEOD.fwd(lon0, lat0, 90.0, 10.0)[:2])
    cd = list(GEOD.fwd(*d, 90.0, 10.0)[:2])
    ring = [ab, b, c, cd, d, a, ab] if start_mid_side else [a, ab, b, c, cd, d, a]
    r = roof_suggestion({"type": "Polygon", "coordinates": [ring]})
    assert r.azimuth_deg == pytest.approx(180.0, abs=0.2)
    assert r.longest_edge_m == pytest.approx(20.0, rel=1e-3) and r.area_m2 == pytest.approx(240.0, rel=2e-3)


def test_a_hand_drawn_side_with_a_slight_kink_is_still_one_side():
    """Clicks are not exact: a mid-side vertex 0.2 m off the line (about 1°) still belongs to the side."""
    lon0, lat0 = MILAN
    b = list(GEOD.fwd(lon0, lat0, 90.0, 20.0)[:2])
    c = list(GEOD.fwd(*b, 0.0, 12.0)[:2])
    d = list(GEOD.fwd(lon0, lat0, 0.0, 12.0)[:2])
    kink = list(GEOD.fwd(*GEOD.fwd(lon0, lat0, 90.0, 10.0)[:2], 180.0, 0.2)[:2])
    kink_top = list(GEOD.fwd(*GEOD.fwd(*d, 90.0, 10.0)[:2], 0.0, 0.2)[:2])
    r = roof_suggestion({"type": "Polygon", "coordinates": [[[lon0, lat0], kink, b, c, kink_top, d, [lon0, lat0]]]})
    assert r.azimuth_deg == pytest.approx(180.0, abs=1.5) and r.longest_edge_m == pytest.approx(20.0, rel=1e-2)
