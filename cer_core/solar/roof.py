"""Suggestions for a roof drawn on the map: area, usable area, kWp and azimuth.

A polygon drawn on the map is the roof's footprint in GeoJSON ``[lon, lat]``. It is projected onto a
Lambert azimuthal equal-area plane centred on the polygon itself, so areas are exact and lengths and
directions are true at roof scale (grid north is true north at the centre). Everything returned is a
suggestion the user confirms in the plant table.

Conventions
-----------
* ``area_m2`` is the footprint (what the map shows); with ``tilt_deg`` > 0 the sloped surface is
  ``footprint / cos(tilt)``.
* ``usable_area_m2``: the footprint shrunk inwards by ``setback_m`` on every side (clearances from
  the edges, fire-safety paths), then sloped like the roof.
* ``kwp`` = usable sloped area / ``m2_per_kwp``, rounded to 0.1 kWp.
* ``azimuth_deg``: the orientation perpendicular to the polygon's longest side (eaves and ridge of a
  simple pitched roof run along it), on the side facing more to the south; 180 = south, 90 = east.
  A side is a run of edges turning by less than :data:`SIDE_TURN_TOLERANCE_DEG` (a vertex clicked
  half-way along the eaves does not split them). When the longest side runs exactly north-south both
  faces look south equally and the east one (90) is returned.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache

from ..errors import error

#: Default module area per kWp on a pitched roof, including gaps between modules [m²/kWp].
DEFAULT_M2_PER_KWP = 6.0
#: Default clearance kept from every edge of the roof [m].
DEFAULT_SETBACK_M = 0.5
#: Largest plausible drawn area (about 20 ha: a ground-mounted multi-MW field) [m²].
MAX_AREA_M2 = 200_000.0
#: Smallest plausible drawn area [m²].
MIN_AREA_M2 = 1.0
#: Consecutive edges turning by less than this form one side of the roof (vertices clicked along a side,
#: hand-drawn imprecision) [deg].
SIDE_TURN_TOLERANCE_DEG = 3.0


@dataclass(frozen=True)
class RoofSuggestion:
    """What the map suggests for a drawn roof (all values to be confirmed by the user).

    Attributes
    ----------
    area_m2 : float
        Footprint area [m²].
    surface_area_m2 : float
        Sloped surface area for ``tilt_deg`` [m²].
    usable_area_m2 : float
        Sloped area left after the setback [m²].
    kwp : float
        Suggested power [kWp].
    azimuth_deg : float
        Suggested face azimuth [deg] (180 = south).
    tilt_deg : float
        The tilt used for the sloped areas [deg] (given, not derived from the drawing).
    longest_edge_m : float
        Length of the longest side [m] (edges along one straight side counted together).
    edge_bearing_deg : float
        Bearing of the longest side in [0, 180) [deg from north].
    perimeter_m : float
        Footprint perimeter [m].
    centroid_lat, centroid_lon : float
        Centre of the footprint [deg].
    m2_per_kwp, setback_m : float
        The parameters used.
    """

    area_m2: float
    surface_area_m2: float
    usable_area_m2: float
    kwp: float
    azimuth_deg: float
    tilt_deg: float
    longest_edge_m: float
    edge_bearing_deg: float
    perimeter_m: float
    centroid_lat: float
    centroid_lon: float
    m2_per_kwp: float
    setback_m: float

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _geometry(polygon: dict, where: str) -> dict:
    if not isinstance(polygon, dict):
        raise error(where, "problems.roof.not_geojson", "roof.not_geojson")
    if polygon.get("type") == "Feature":
        polygon = polygon.get("geometry") or {}
        if not isinstance(polygon, dict):
            raise error(where, "problems.roof.not_geojson.2", "roof.not_geojson")
    coords = polygon.get("coordinates")
    if polygon.get("type") == "MultiPolygon" and isinstance(coords, list) and len(coords) == 1:
        polygon = {"type": "Polygon", "coordinates": coords[0]}
    if polygon.get("type") != "Polygon":
        raise error(where, "problems.roof.not_polygon", "roof.not_polygon", type=polygon.get('type'))
    return polygon


def _rings(polygon: dict, where: str) -> list[list[tuple[float, float]]]:
    coords = polygon.get("coordinates")
    if not isinstance(coords, list) or not coords:
        raise error(where, "problems.roof.no_coordinates", "roof.no_coordinates")
    rings = []
    for r, ring in enumerate(coords):
        if not isinstance(ring, list):
            raise error(f"{where}.coordinates[{r}]", "problems.roof.ring", "roof.ring")
        points = []
        for i, pt in enumerate(ring):
            ok = isinstance(pt, (list, tuple)) and len(pt) >= 2 and all(_finite(v) for v in pt[:2])
            if not ok:
                raise error(f"{where}.coordinates[{r}][{i}]", "problems.roof.point", "roof.point", pt=pt)
            lon, lat = float(pt[0]), float(pt[1])
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise error(f"{where}.coordinates[{r}][{i}]", "problems.roof.point.2", "roof.point", lon=lon, lat=lat)
            points.append((lon, lat))
        if len(points) >= 2 and points[0] == points[-1]:
            points = points[:-1]
        distinct = list(dict.fromkeys(points))
        if len(distinct) < 3:
            raise error(f"{where}.coordinates[{r}]", "problems.roof.too_few_points", "roof.too_few_points",
                        n_distinct=len(distinct))
        rings.append(points)
    lon0, lat0 = rings[0][0]
    if 30 <= lon0 <= 48 and 5 <= lat0 <= 20:
        raise error(where, "problems.roof.swapped", "roof.swapped", lon0=lon0, lat0=lat0)
    return rings


def _finite(value) -> bool:
    """True for a finite int or float (not a bool; integers too large for a float are not finite)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


@lru_cache(maxsize=256)
def _transformer(lat0: float, lon0: float):
    from pyproj import Transformer

    proj = f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
    return Transformer.from_crs("EPSG:4326", proj, always_xy=True)


def _edge_azimuth(bearing: float) -> float:
    """The normal of an edge with ``bearing`` [deg] that faces more to the south (east on a tie)."""
    a, b = (bearing + 90.0) % 360.0, (bearing - 90.0) % 360.0
    south_a, south_b = -math.cos(math.radians(a)), -math.cos(math.radians(b))
    if abs(south_a - south_b) < 1e-4:  # the edge runs north-south (within 0.01°): the normals are east and west
        return 90.0
    return a if south_a > south_b else b


def _heading(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Direction from ``a`` to ``b`` on the projected plane [deg clockwise from grid north, 0-360)."""
    return math.degrees(math.atan2(b[0] - a[0], b[1] - a[1])) % 360.0


def _turn(h1: float, h2: float) -> float:
    """Absolute change of direction between two headings [deg, 0-180]."""
    return abs((h2 - h1 + 180.0) % 360.0 - 180.0)


def _sides(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """``(length m, bearing deg in [0, 180))`` of the straight sides of a projected ring (not closed).

    Consecutive edges whose direction stays within :data:`SIDE_TURN_TOLERANCE_DEG` of the side's
    chord so far are one side; the walk starts at a real corner, so that a ring starting half-way
    along a side does not split it.
    """
    pts = [p for i, p in enumerate(ring) if p != ring[i - 1]] or ring  # repeated clicks
    n = len(pts)
    corners = [i for i in range(n)
               if _turn(_heading(pts[i - 1], pts[i]), _heading(pts[i], pts[(i + 1) % n])) >= SIDE_TURN_TOLERANCE_DEG]
    if not corners:  # no corner at all (cannot happen for an area above MIN_AREA_M2): one edge per side
        corners = [0]
    order = pts[corners[0]:] + pts[:corners[0]] + [pts[corners[0]]]
    sides, start, prev = [], order[0], order[1]
    for point in order[2:]:
        if _turn(_heading(start, prev), _heading(prev, point)) >= SIDE_TURN_TOLERANCE_DEG:
            sides.append((start, prev))
            start = prev
        prev = point
    sides.append((start, prev))
    return [(math.hypot(b[0] - a[0], b[1] - a[1]), _heading(a, b) % 180.0) for a, b in sides]


def roof_suggestion(polygon: dict, *, m2_per_kwp: float = DEFAULT_M2_PER_KWP, setback_m: float = DEFAULT_SETBACK_M,
                    tilt_deg: float = 0.0, where: str = "roof") -> RoofSuggestion:
    """Area, usable area, kWp and azimuth suggested for a roof drawn on the map.

    Parameters
    ----------
    polygon : dict
        GeoJSON Polygon (or a Feature holding one) with ``[lon, lat]`` coordinates; holes allowed.
    m2_per_kwp : float
        Sloped module area per kWp including gaps [m²/kWp].
    setback_m : float
        Clearance kept from every edge [m].
    tilt_deg : float
        The roof's tilt, to convert the footprint into sloped area [deg] (0 = flat roof).
    where : str
        Location used in error messages (e.g. ``plants[3].roof``).

    Returns
    -------
    RoofSuggestion

    Raises
    ------
    CerInputError
        For something that is not a polygon, fewer than 3 vertices, crossing edges, swapped
        coordinates, or an implausible size.
    """
    from shapely.geometry import Polygon
    from shapely.validation import explain_validity

    if not (_finite(m2_per_kwp) and m2_per_kwp > 0):
        raise error(where, "problems.roof.m2_per_kwp", "roof.m2_per_kwp", m2_per_kwp=m2_per_kwp)
    if not (_finite(tilt_deg) and 0 <= tilt_deg < 90):
        raise error(where, "problems.roof.tilt", "roof.tilt", tilt_deg=tilt_deg)
    if not (_finite(setback_m) and setback_m >= 0):
        raise error(where, "problems.roof.setback", "roof.setback", setback_m=setback_m)
    rings = _rings(_geometry(polygon, where), where)
    lons = [p[0] for p in rings[0]]
    lats = [p[1] for p in rings[0]]
    lon0, lat0 = sum(lons) / len(lons), sum(lats) / len(lats)
    fwd = _transformer(round(lat0, 6), round(lon0, 6))
    projected = [list(zip(*fwd.transform([p[0] for p in ring], [p[1] for p in ring]))) for ring in rings]
    shape = Polygon(projected[0], projected[1:])
    if not shape.is_valid:
        reason = explain_validity(shape)
        near = ""
        if "[" in reason:
            try:
                x, y = (float(v) for v in reason[reason.index("[") + 1:reason.index("]")].split()[:2])
                lon, lat = fwd.transform(x, y, direction="INVERSE")
                near = f" ({lat:.6f}, {lon:.6f})"
            except (ValueError, IndexError):
                near = ""
        if "Hole lies outside shell" in reason or "Nested holes" in reason or "Interior is disconnected" in reason:
            raise error(where, "problems.roof.hole", "roof.hole",
                        near={"it": near or ' un vertice', "en": near or ' a vertex'})
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            raise error(where, "problems.roof.self_intersection", "roof.self_intersection",
                        near={"it": near or ' un vertice', "en": near or ' a vertex'})
        raise error(where, "problems.roof.invalid", "roof.invalid", reason=reason)
    area = float(shape.area)
    if area < MIN_AREA_M2 or area > MAX_AREA_M2:
        raise error(where, "problems.roof.size", "roof.size", area=area, min_area_m2=MIN_AREA_M2,
                    max_area_m2=MAX_AREA_M2)
    slope = 1.0 / math.cos(math.radians(tilt_deg))
    inner = shape.buffer(-setback_m, join_style="mitre") if setback_m > 0 else shape
    usable = float(inner.area) * slope if not inner.is_empty else 0.0
    longest, bearing = max(_sides(projected[0]), key=lambda side: side[0])
    inv_lon, inv_lat = fwd.transform(shape.centroid.x, shape.centroid.y, direction="INVERSE")
    return RoofSuggestion(
        area_m2=area, surface_area_m2=area * slope, usable_area_m2=usable,
        kwp=round(usable / m2_per_kwp, 1), azimuth_deg=round(_edge_azimuth(bearing), 1), tilt_deg=float(tilt_deg),
        longest_edge_m=longest, edge_bearing_deg=bearing, perimeter_m=float(shape.exterior.length),
        centroid_lat=float(inv_lat), centroid_lon=float(inv_lon), m2_per_kwp=float(m2_per_kwp),
        setback_m=float(setback_m))
