"""Cabine primarie as areas on the map: which area a point lies in, members assigned to areas, import.

A CER shares energy only among members under the same *cabina primaria* (primary substation). GSE
publishes the areas each cabina serves on a public map, but not as a download: users trace them (or
import a GeoJSON traced by someone else). A cabina in the scenario is ``{"id", "name", "area"}``
where ``area`` is a GeoJSON ``Polygon`` or ``MultiPolygon`` in WGS84 ``[lon, lat]``.

Pure functions (no Streamlit): the studio's map page calls them and writes the results into the
scenario document.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache

from shapely import make_valid
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from .errors import CerInputError, Problem

#: Property names tried, in order, for an imported area's id and name (GSE-traced files use several).
ID_KEYS = ("id", "cabina", "cabina_id", "codice", "codice_cp", "cod_cp", "code", "cp", "name", "nome")
NAME_KEYS = ("name", "nome", "denominazione", "descrizione", "label", "id")
#: Largest GeoJSON accepted for import, bytes, and largest number of areas in one file.
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_AREAS = 500
MAX_ID_CHARS = 64
#: Rough bounding box of Italy [deg]: coordinates outside it are reported as a warning.
ITALY_LON = (6.0, 19.0)
ITALY_LAT = (35.0, 47.5)
#: Decimal places kept in imported coordinates (6 ≈ 0.1 m).
COORD_DECIMALS = 6


@lru_cache(maxsize=256)
def _shape_from_json(text: str) -> BaseGeometry:
    geom = shape(json.loads(text))
    return geom if geom.is_valid else make_valid(geom)


def area_shape(area: dict) -> BaseGeometry:
    """The shapely geometry of a GeoJSON polygon (cached; repaired with ``make_valid`` if needed)."""
    return _shape_from_json(json.dumps(area, sort_keys=True))


def point_in_area(lat: float, lon: float, area: dict) -> bool:
    """True when the point (lat, lon) [deg] lies inside ``area`` or on its border."""
    return area_shape(area).covers(Point(float(lon), float(lat)))


def _areas_by_size(cabine: list[dict]) -> list[tuple[str, BaseGeometry]]:
    """``(id, shape)`` of the cabine that have an area, smallest area first (ties: scenario order).

    Built once per call of the functions below: turning an area into a shape costs a JSON dump of
    the polygon (the cache key), which for traced areas of hundreds of vertices dominated the
    assignment of every member on every map rerun.
    """
    shapes = [(area_shape(c["area"]), i, c["id"]) for i, c in enumerate(cabine) if c.get("area")]
    return [(cid, shp) for shp, _, cid in sorted(shapes, key=lambda t: (t[0].area, t[1]))]


def _covering(lat: float, lon: float, areas: list[tuple[str, BaseGeometry]]) -> list[str]:
    point = Point(float(lon), float(lat))
    return [cid for cid, shp in areas if shp.covers(point)]


def areas_containing(lat: float, lon: float, cabine: list[dict]) -> list[str]:
    """Ids of the cabine whose area covers (lat, lon), smallest area first (the most specific)."""
    return _covering(lat, lon, _areas_by_size(cabine))


def area_of_point(lat: float, lon: float, cabine: list[dict]) -> str | None:
    """The cabina whose area covers (lat, lon) (the smallest when areas overlap); None outside every area."""
    hits = areas_containing(lat, lon, cabine)
    return hits[0] if hits else None


def _coordinate(value) -> bool:
    """A finite number of degrees (not a bool, not NaN)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and _finite(value)


def _finite(value) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _located(member: dict) -> bool:
    return _coordinate(member.get("lat")) and _coordinate(member.get("lon"))


@dataclass
class Assignment:
    """Result of matching members against the cabine's areas.

    Attributes
    ----------
    area_of : dict
        Member id → id of the area containing the member (None when outside every area); only
        members with coordinates.
    outside : list of str
        Located members outside every drawn area (to be flagged).
    unlocated : list of str
        Members without coordinates (cannot be checked).
    changes : dict
        Member id → (old cabina, new cabina) for members whose cabina differs from their area's.
    """

    area_of: dict[str, str | None] = field(default_factory=dict)
    outside: list[str] = field(default_factory=list)
    unlocated: list[str] = field(default_factory=list)
    changes: dict[str, tuple[str | None, str]] = field(default_factory=dict)


def assign_members(members: list[dict], cabine: list[dict]) -> Assignment:
    """Match every located member against the areas (nothing is modified).

    With no area drawn at all, nobody is "outside": the assignment is empty and ``outside`` is empty.
    """
    out = Assignment()
    areas = _areas_by_size(cabine)
    for m in members:
        if not _located(m):
            out.unlocated.append(m["id"])
            continue
        if not areas:
            continue
        hits = _covering(m["lat"], m["lon"], areas)
        cid = hits[0] if hits else None
        out.area_of[m["id"]] = cid
        if cid is None:
            out.outside.append(m["id"])
        elif m.get("cabina") != cid:
            out.changes[m["id"]] = (m.get("cabina"), cid)
    return out


def apply_assignment(doc: dict) -> Assignment:
    """Set ``cabina`` of every member lying inside an area to that area (in place); returns what changed.

    Members outside every area keep their cabina and are listed in ``Assignment.outside``.
    """
    result = assign_members(doc.get("members", []), doc.get("cabine", []))
    for m in doc.get("members", []):
        if m["id"] in result.changes:
            m["cabina"] = result.changes[m["id"]][1]
    return result


def merge_cabine(existing: list[dict], new: list[dict]) -> list[dict]:
    """``existing`` with the areas (and names) of ``new`` replacing those of the same id; new ids appended."""
    by_id = {c["id"]: i for i, c in enumerate(existing)}
    merged = [dict(c) for c in existing]
    for c in new:
        if c["id"] in by_id:
            merged[by_id[c["id"]]].update({k: v for k, v in c.items() if v not in (None, "")})
        else:
            by_id[c["id"]] = len(merged)
            merged.append(dict(c))
    return merged


# --- import of a GeoJSON file ------------------------------------------------------------------------

def _round_coords(node):
    if isinstance(node, (list, tuple)):
        if node and all(isinstance(v, (int, float)) for v in node):
            return [round(float(v), COORD_DECIMALS) for v in node]
        return [_round_coords(v) for v in node]
    return node


def geometry_to_geojson(geom: BaseGeometry) -> dict:
    """A shapely (Multi)Polygon as a plain GeoJSON dict with lists and rounded coordinates."""
    gj = mapping(geom)
    return {"type": gj["type"], "coordinates": _round_coords(gj["coordinates"])}


def _positions(coords, depth: int):
    """Every [x, y] position of a Polygon (depth 2) or MultiPolygon (depth 3) coordinates array."""
    if depth == 0:
        yield coords
        return
    for item in coords:
        yield from _positions(item, depth - 1)


def _check_structure(geom: dict, where: str) -> Problem | None:
    """Shape of the coordinates array: rings of [lon, lat] numbers, each with ≥ 4 positions."""
    gtype = geom.get("type")
    coords = geom.get("coordinates")
    polys = [coords] if gtype == "Polygon" else coords
    if not isinstance(polys, list) or not polys:
        return Problem(where, "problems.cabine.coords", code="cabine.coords")
    for poly in polys:
        if not isinstance(poly, list) or not poly:
            return Problem(where, "problems.cabine.coords.2", code="cabine.coords")
        for ring in poly:
            if not isinstance(ring, list) or not all(isinstance(p, list) and len(p) >= 2 for p in ring):
                return Problem(where, "problems.cabine.coords.3", code="cabine.coords")
            if not all(_coordinate(v) for p in ring for v in p[:2]):
                return Problem(where, "problems.cabine.coords.4", code="cabine.coords")
            closed = len(ring) >= 2 and ring[0][:2] == ring[-1][:2]
            if len(ring) - (1 if closed else 0) < 3:
                return Problem(where, "problems.cabine.ring_too_short", code="cabine.ring_too_short",
                               values={"n_ring": len(ring)})
    return None


def _check_range(geom: dict, where: str) -> list[Problem]:
    """Degrees in WGS84 [lon, lat]: detects projected metres and swapped lat/lon."""
    depth = 2 if geom["type"] == "Polygon" else 3
    pts = [(p[0], p[1]) for p in _positions(geom["coordinates"], depth)]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    if max(map(abs, xs)) > 180 or max(map(abs, ys)) > 90:
        return [Problem(where, "problems.cabine.not_degrees", code="cabine.not_degrees",
                        values={"xs_0": xs[0], "ys_0": ys[0]})]
    in_italy = lambda x, y: ITALY_LON[0] <= x <= ITALY_LON[1] and ITALY_LAT[0] <= y <= ITALY_LAT[1]  # noqa: E731
    if all(in_italy(y, x) for x, y in pts) and not all(in_italy(x, y) for x, y in pts):
        return [Problem(where, "problems.cabine.swapped", code="cabine.swapped")]
    if not all(in_italy(x, y) for x, y in pts):
        return [Problem(where, "problems.cabine.outside_italy", severity="warning", code="cabine.outside_italy")]
    return []


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """The polygonal part of a geometry (make_valid may return a collection with lines)."""
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    polys = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _properties(feature: dict) -> dict:
    """The feature's properties (anything but an object counts as none)."""
    props = feature.get("properties")
    return props if isinstance(props, dict) else {}


def _feature_id(feature: dict) -> str | None:
    props = _properties(feature)
    for key in ID_KEYS:
        for k, v in props.items():
            if k.lower() == key and v not in (None, ""):
                return str(v).strip()
    fid = feature.get("id")
    return str(fid).strip() if fid not in (None, "") else None


def _feature_name(feature: dict, default: str) -> str:
    props = _properties(feature)
    for key in NAME_KEYS:
        for k, v in props.items():
            if k.lower() == key and v not in (None, ""):
                return str(v).strip()
    return default


def parse_area_feature(feature: dict, where: str, problems: list[Problem]) -> dict | None:
    """One GeoJSON feature as a cabina ``{"id", "name", "area"}``; appends problems, None if unusable."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(Problem(where, "problems.cabine.feature", code="cabine.feature"))
        return None
    geom = feature.get("geometry")
    if not isinstance(geom, dict):
        problems.append(Problem(where, "problems.cabine.no_geometry", code="cabine.no_geometry"))
        return None
    gtype = geom.get("type")
    if gtype not in ("Polygon", "MultiPolygon"):
        problems.append(Problem(where, "problems.cabine.not_polygon", code="cabine.not_polygon",
                                values={"gtype": gtype}))
        return None
    bad = _check_structure(geom, where)
    if bad:
        problems.append(bad)
        return None
    range_problems = _check_range(geom, where)
    problems.extend(range_problems)
    if any(p.severity == "error" for p in range_problems):
        return None
    # [lon, lat] only (GIS exports may add z and m), and open rings closed (hand-traced files often leave
    # them open), before building the shape
    polys = [[[[float(v) for v in p[:2]] for p in ring] for ring in poly]
             for poly in ([geom["coordinates"]] if gtype == "Polygon" else geom["coordinates"])]
    for poly in polys:
        for ring in poly:
            if ring[0] != ring[-1]:
                ring.append(list(ring[0]))
    geometry = shape({"type": gtype, "coordinates": polys[0] if gtype == "Polygon" else polys})
    if not geometry.is_valid:
        repaired = _polygonal(make_valid(geometry))
        if repaired is not None and repaired.area > 0:
            problems.append(Problem(where, "problems.cabine.repaired", severity="warning", code="cabine.repaired"))
            geometry = repaired
    if not geometry.is_valid or geometry.area <= 0:
        problems.append(Problem(where, "problems.cabine.empty", code="cabine.empty"))
        return None
    cid = _feature_id(feature)
    if not cid:
        problems.append(Problem(where, "problems.cabine.no_id", code="cabine.no_id"))
        return None
    if len(cid) > MAX_ID_CHARS:
        problems.append(Problem(where, "problems.cabine.long_id", code="cabine.long_id",
                                values={"n_cid": len(cid), "max_id_chars": MAX_ID_CHARS}))
        return None
    return {"id": cid, "name": _feature_name(feature, cid), "area": geometry_to_geojson(geometry)}


def _load_json(data: bytes | str, filename: str):
    if isinstance(data, bytes):
        if len(data) > MAX_IMPORT_BYTES:
            raise CerInputError(Problem(filename, "problems.cabine.too_large", code="cabine.too_large",
                                        values={"n_data": len(data) / 1e6, "max_import_bytes": MAX_IMPORT_BYTES / 1e6}))
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CerInputError(Problem(filename, "problems.cabine.encoding", code="cabine.encoding"))
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise CerInputError(Problem(f"{filename}:{exc.lineno}", "problems.cabine.json", code="cabine.json",
                                    values={"colno": exc.colno, "msg": exc.msg}))
    except RecursionError:
        raise CerInputError(Problem(filename, "problems.cabine.json.2", code="cabine.json"))
    except ValueError:  # a number of more than 4300 digits (Python's int conversion limit)
        raise CerInputError(Problem(filename, "problems.cabine.json.3", code="cabine.json"))


def parse_cabine_geojson(data: bytes | str | dict, filename: str = "aree.geojson") -> tuple[list[dict], list[Problem]]:
    """Cabine from a GeoJSON FeatureCollection of polygons (one feature per cabina primaria).

    Each feature needs a Polygon or MultiPolygon in WGS84 ``[lon, lat]`` and an identifier: the first
    of the properties ``id``, ``cabina``, ``codice``, ``code``, ``name``... (or the feature's ``id``).
    A single Feature is accepted too. Open rings are closed; a self-intersecting border is repaired
    with a warning.

    Returns
    -------
    (list of dict, list of Problem)
        The cabine ``{"id", "name", "area"}`` in file order, and the warnings.

    Raises
    ------
    CerInputError
        With every error found (each naming ``file: features[i]``), when any feature is unusable.
    """
    doc = _load_json(data, filename) if not isinstance(data, dict) else data
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    elif isinstance(doc, dict) and doc.get("type") == "FeatureCollection" and isinstance(doc.get("features"), list):
        features = doc["features"]
    else:
        kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise CerInputError(Problem(filename, "problems.cabine.not_fc", code="cabine.not_fc", values={"kind": kind}))
    if not features:
        raise CerInputError(Problem(filename, "problems.cabine.empty_fc", code="cabine.empty_fc"))
    if len(features) > MAX_AREAS:
        raise CerInputError(Problem(filename, "problems.cabine.too_many", code="cabine.too_many",
                                    values={"n_features": len(features), "max_areas": MAX_AREAS}))
    problems: list[Problem] = []
    cabine: list[dict] = []
    first_seen: dict[str, int] = {}
    for i, feature in enumerate(features):
        where = f"{filename}: features[{i}]"
        cabina = parse_area_feature(feature, where, problems)
        if cabina is None:
            continue
        if cabina["id"] in first_seen:
            first = first_seen[cabina["id"]]
            problems.append(Problem(where, "problems.cabine.duplicate_id", code="cabine.duplicate_id",
                                    values={"id": cabina['id'], "first": first}))
            continue
        first_seen[cabina["id"]] = i
        cabine.append(cabina)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CerInputError(errors)
    return cabine, problems
