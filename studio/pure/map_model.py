"""Edits the map makes to the scenario document: pure functions on the ``dict`` (no Streamlit).

The map page calls them inside :func:`studio.components.state.edit_doc`, so the scenario stays the single source
of truth and every edit re-simulates. Each function keeps the document valid for
:func:`cer_core.scenario.parse_scenario` (unique ids, declared cabine, a load for every consumer).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from cer_core.cabine import Assignment, apply_assignment, area_of_point, merge_cabine, point_in_area
from cer_core.errors import CerInputError
from cer_core.solar.roof import roof_suggestion
from cer_core.loads.profiles import PROFILE_NAMES
from cer_core.solar.roof import DEFAULT_M2_PER_KWP
from cer_core.vocabulary import CATEGORY_CHOICES, DEFAULT_CABINA_ID, KIND_CHOICES
from studio.pure.tables import default_load, slug, unique_id

DEFAULT_TILT_DEG = 30.0


def _usable_polygon(geom) -> bool:
    if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
        return False
    try:
        from cer_core.cabine import area_shape

        return area_shape(geom).area > 0
    except Exception:  # noqa: BLE001 - any malformed geometry is simply not drawn
        return False


def displayable(doc: dict) -> dict:
    """A copy of ``doc`` holding only what the map can draw safely.

    A scenario being edited may be invalid (the other pages show why): entries without a text id
    are left out, coordinates that are not numbers are dropped, and areas or roofs that are not
    usable polygons are removed, so the map never fails on them.
    """
    def ok_id(x) -> bool:
        return isinstance(x, dict) and isinstance(x.get("id"), str) and bool(x["id"])

    members = []
    for m in doc.get("members") or []:
        if not ok_id(m):
            continue
        m = dict(m)
        if not all(isinstance(m.get(k), (int, float)) and not isinstance(m.get(k), bool) for k in ("lat", "lon")) \
                or not (-90 <= m["lat"] <= 90 and -180 <= m["lon"] <= 180):
            m.pop("lat", None)
            m.pop("lon", None)
        if not isinstance(m.get("cabina"), str):
            m["cabina"] = ""
        members.append(m)
    def with_usable_polygon(items, key: str) -> list[dict]:
        """The items with an id, each without its ``key`` polygon when that cannot be drawn."""
        out = []
        for item in items or []:
            if ok_id(item):
                item = dict(item)
                if key in item and not _usable_polygon(item[key]):
                    item.pop(key)
                out.append(item)
        return out

    return {**doc, "members": members, "plants": with_usable_polygon(doc.get("plants"), "roof"),
            "cabine": with_usable_polygon(doc.get("cabine"), "area")}


def new_load(category: str, annual_kwh: float | None = None, profile: str | None = None) -> dict:
    """The studio's standard load for a new member of ``category``, scaled to ``annual_kwh`` when given,
    with the shape ``profile`` when given (a school, a bakery: not the category's default silently)."""
    load = default_load(category)
    if annual_kwh is not None and annual_kwh > 0:
        load["annual_kwh"] = float(annual_kwh)
    if profile in PROFILE_NAMES:
        load["profile"] = profile
    return load


def _member(doc: dict, member_id: str) -> dict:
    for m in doc.get("members", []):
        if m.get("id") == member_id:
            return m
    raise KeyError(member_id)


def declare_cabine_in_use(doc: dict) -> None:
    """When ``cabine`` is declared, make sure every cabina a member names is declared too (in place)."""
    cabine = doc.get("cabine")
    if not cabine:
        return
    declared = {c["id"] for c in cabine}
    for m in doc.get("members", []):
        cid = m.get("cabina")
        if cid and cid not in declared:
            cabine.append({"id": cid})
            declared.add(cid)


def default_cabina(doc: dict, lat: float | None = None, lon: float | None = None) -> tuple[str, bool]:
    """The cabina for a member at (lat, lon): the area containing it, else the most common one.

    Returns
    -------
    (str, bool)
        The cabina id and whether the point lies inside that cabina's drawn area.
    """
    cabine = doc.get("cabine", [])
    if lat is not None and lon is not None:
        inside = area_of_point(lat, lon, cabine)
        if inside:
            return inside, True
    used = Counter(m.get("cabina") for m in doc.get("members", []) if m.get("cabina"))
    if used:
        return used.most_common(1)[0][0], False
    if cabine:
        return cabine[0]["id"], False
    return DEFAULT_CABINA_ID, False


def add_member(doc: dict, *, name: str, kind: str, category: str, lat: float | None, lon: float | None,
               cabina: str | None = None, annual_kwh: float | None = None, address: str | None = None,
               profile: str | None = None) -> str:
    """Append a member (in place) and return its id.

    A consumer or prosumer gets a standard load profile for its category scaled to ``annual_kwh``
    (the category's default when None), so the community simulates at once; a producer gets none.
    """
    if kind not in KIND_CHOICES:
        raise ValueError(kind)
    if category not in CATEGORY_CHOICES:
        raise ValueError(category)
    name = " ".join(str(name).split()) or "?"
    members = doc.setdefault("members", [])
    mid = unique_id(slug(name) or "membro", {m.get("id") for m in members})
    if cabina is None:
        cabina = default_cabina(doc, lat, lon)[0]
    member = {"id": mid, "name": name, "kind": kind, "category": category, "cabina": cabina}
    if lat is not None and lon is not None:
        member["lat"], member["lon"] = round(float(lat), 6), round(float(lon), 6)
    if address:
        member["address"] = str(address)
    if kind != "producer":
        member["load"] = new_load(category, annual_kwh, profile)
    members.append(member)
    declare_cabine_in_use(doc)
    return mid


def move_member(doc: dict, member_id: str, lat: float, lon: float, *, reassign: bool = True) -> str | None:
    """Put a member at (lat, lon); with ``reassign``, into the area containing the new point.

    Returns the member's new cabina when it changed, else None.
    """
    m = _member(doc, member_id)
    m["lat"], m["lon"] = round(float(lat), 6), round(float(lon), 6)
    if reassign:
        inside = area_of_point(lat, lon, doc.get("cabine", []))
        if inside and inside != m.get("cabina"):
            m["cabina"] = inside
            return inside
    return None


def update_member(doc: dict, member_id: str, *, name: str | None = None, kind: str | None = None,
                  category: str | None = None, cabina: str | None = None) -> None:
    """Change a member's name, role, category or cabina (in place)."""
    m = _member(doc, member_id)
    if name is not None and name.strip():
        m["name"] = " ".join(name.split())
    if category is not None:
        if category not in CATEGORY_CHOICES:
            raise ValueError(category)
        m["category"] = category
    if kind is not None:
        if kind not in KIND_CHOICES:
            raise ValueError(kind)
        m["kind"] = kind
        if kind != "producer" and not m.get("load"):
            m["load"] = new_load(m.get("category") if m.get("category") in CATEGORY_CHOICES else "other")
    if cabina is not None and cabina.strip():
        m["cabina"] = cabina.strip()
        declare_cabine_in_use(doc)


def delete_member(doc: dict, member_id: str) -> list[str]:
    """Remove a member and its plants (in place); returns the ids of the plants removed."""
    _member(doc, member_id)
    doc["members"] = [m for m in doc["members"] if m.get("id") != member_id]
    removed = [p["id"] for p in doc.get("plants", []) if p.get("member") == member_id]
    doc["plants"] = [p for p in doc.get("plants", []) if p.get("member") != member_id]
    return removed


def roof_centroid(roof: dict) -> tuple[float, float]:
    """(lat, lon) [deg] of a roof polygon's centroid."""
    from cer_core.cabine import area_shape

    c = area_shape(roof).centroid
    return c.y, c.x


def member_in_area(member: dict, area: dict) -> bool:
    """True for a located member inside ``area``."""
    return isinstance(member.get("lat"), (int, float)) and isinstance(member.get("lon"), (int, float)) \
        and point_in_area(member["lat"], member["lon"], area)


def suggest_owner(doc: dict, roof: dict, selected: str | None = None, max_km: float = 0.15) -> str | None:
    """The member who probably owns a drawn roof: one located inside it, else the nearest within
    ``max_km``, else the selected member."""
    from cer_core.geo import haversine_km

    located = [m for m in doc.get("members", []) if isinstance(m.get("lat"), (int, float))
               and isinstance(m.get("lon"), (int, float))]
    inside = [m["id"] for m in located if member_in_area(m, roof)]
    if inside:
        return selected if selected in inside else inside[0]
    if located:
        lat, lon = roof_centroid(roof)
        d = haversine_km(lat, lon, [m["lat"] for m in located], [m["lon"] for m in located])
        best = int(d.argmin())
        if float(d[best]) <= max_km:
            return located[best]["id"]
    ids = {m.get("id") for m in doc.get("members", [])}
    return selected if selected in ids else None


def roof_suggestion_for(roof: dict, tilt_deg: float):
    """``cer_core.solar.roof.roof_suggestion`` for a drawn roof, or (None, reason) when the roof cannot be used.

    Returns
    -------
    (RoofSuggestion or None, str or None)
        The suggestion, or None with the problem's message (Italian, then English).
    """
    try:
        return roof_suggestion(roof, tilt_deg=tilt_deg), None
    except CerInputError as exc:
        return None, exc.message("it") + "\n" + exc.message("en")


def add_plant(doc: dict, *, owner: str, roof: dict, kwp: float, tilt_deg: float, azimuth_deg: float,
              commissioning: dt.date, name: str | None = None) -> tuple[str, bool]:
    """Append a PV plant on a drawn roof (in place).

    A consumer who gets a plant becomes a prosumer. Returns the plant id and whether the owner's
    role changed.
    """
    m = _member(doc, owner)
    if not kwp > 0:
        raise ValueError("kwp must be > 0")
    plants = doc.setdefault("plants", [])
    pid = unique_id(f"fv-{m['id']}", {p.get("id") for p in plants})
    lat, lon = roof_centroid(roof)
    plant = {"id": pid, "name": (name or "").strip() or f"FV {m.get('name') or m['id']}", "member": owner,
             "kwp": round(float(kwp), 2), "commissioning": commissioning.isoformat(),
             "tilt_deg": round(float(tilt_deg), 1), "azimuth_deg": round(float(azimuth_deg) % 360, 1),
             "lat": round(lat, 6), "lon": round(lon, 6), "roof": roof, "production": {"source": "pvlib"}}
    plants.append(plant)
    became_prosumer = m.get("kind") == "consumer"
    if became_prosumer:
        m["kind"] = "prosumer"
    return pid, became_prosumer


def add_area(doc: dict, *, cabina_id: str, name: str | None, area: dict, assign: bool = True) -> Assignment | None:
    """Give cabina ``cabina_id`` the drawn ``area`` (declaring the cabina if new); assign members inside it."""
    cid = cabina_id.strip()
    if not cid:
        raise ValueError("empty cabina id")
    entry = {"id": cid, "area": area}
    if name and name.strip():
        entry["name"] = name.strip()
    return import_areas(doc, [entry], assign=assign)


def import_areas(doc: dict, cabine: list[dict], *, assign: bool = True) -> Assignment | None:
    """Merge imported or drawn areas into ``doc['cabine']`` (by id); assign members inside them."""
    first_time = not doc.get("cabine")
    doc["cabine"] = merge_cabine(doc.get("cabine", []), cabine)
    if first_time:
        declare_cabine_in_use(doc)
    result = apply_assignment(doc) if assign else None
    declare_cabine_in_use(doc)
    return result


def remove_area(doc: dict, cabina_id: str) -> None:
    """Forget the drawn area of a cabina (the cabina itself stays declared)."""
    for c in doc.get("cabine", []):
        if c.get("id") == cabina_id:
            c.pop("area", None)


def roof_from_area(area_m2: float, *, m2_per_kwp: float = DEFAULT_M2_PER_KWP) -> float:
    """The PV power [kWp] that fits on ``area_m2`` of usable (sloped) roof, for a roof entered by its area
    and orientation instead of drawn (offline, the basemap shows no roofs). Same module density as a drawn
    roof's suggestion (``cer_core.solar.roof.DEFAULT_M2_PER_KWP``)."""
    if not (area_m2 > 0 and m2_per_kwp > 0):
        raise ValueError("area_m2 and m2_per_kwp must be > 0")
    return round(float(area_m2) / m2_per_kwp, 1)


def add_plant_by_area(doc: dict, *, owner: str, area_m2: float, tilt_deg: float, azimuth_deg: float,
                      commissioning: dt.date, name: str | None = None) -> tuple[str, bool]:
    """Append a PV plant sized from a roof's usable area (in place), at its owner's position; no polygon.

    Returns the plant id and whether the owner became a prosumer (see :func:`add_plant`).
    """
    m = _member(doc, owner)
    kwp = roof_from_area(area_m2)
    if not kwp > 0:
        raise ValueError("area too small for 0.1 kWp")
    plants = doc.setdefault("plants", [])
    pid = unique_id(f"fv-{m['id']}", {p.get("id") for p in plants})
    plant = {"id": pid, "name": (name or "").strip() or f"FV {m.get('name') or m['id']}", "member": owner,
             "kwp": kwp, "commissioning": commissioning.isoformat(), "tilt_deg": round(float(tilt_deg), 1),
             "azimuth_deg": round(float(azimuth_deg) % 360, 1), "production": {"source": "pvlib"}}
    if m.get("lat") is not None and m.get("lon") is not None:
        plant["lat"], plant["lon"] = m["lat"], m["lon"]
    plants.append(plant)
    became_prosumer = m.get("kind") == "consumer"
    if became_prosumer:
        m["kind"] = "prosumer"
    return pid, became_prosumer
