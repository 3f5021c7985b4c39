"""The studio's folium map built from the scenario document (no Streamlit calls: testable on its own).

streamlit-folium redraws a map only when its *base* changes, so the map is split in two:

* :func:`base_map` — identical on every run for a given view and language: the offline basemap
  (comuni boundaries and names, below the tiles so they show when tiles cannot load), OpenStreetMap
  tiles, a layer switch, and Leaflet.draw (marker for members, polygon/rectangle for roofs and areas);
* :func:`dynamic_layers` — feature groups passed as ``feature_group_to_add``: cabina areas, roofs,
  members, the selection and the shape waiting for confirmation. They change without remounting the
  map, so zoom and position are kept.

All assets load from the app (:mod:`studio.components.map_assets`). Coordinates: GeoJSON ``[lon, lat]``,
folium ``[lat, lon]``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from dataclasses import dataclass
from typing import Callable

import folium
from branca.element import Element, MacroElement
from folium.plugins import Draw
from folium.template import Template

from cer_core.cabine import area_shape
from cer_core.geo import find_comune, haversine_km
from cer_core.geocode import OFFLINE_ENV
from studio.pure.format import fmt_kwp
from studio.components.i18n import DEFAULT_LANG, catalogue
from studio.components.map_assets import install_local_assets
from studio.pure.map_basemap import boundaries_near, labels_near
from studio.pure.tables import cabina_options

ROLE_COLOURS = {"consumer": "#2563eb", "producer": "#d97706", "prosumer": "#16a34a"}
CABINA_PALETTE = ("#7c3aed", "#0891b2", "#db2777", "#65a30d", "#ea580c", "#4f46e5", "#0d9488", "#a16207",
                  "#be123c", "#0369a1")
OUTSIDE_COLOUR = "#dc2626"
ROOF_FILL, ROOF_LINE = "#fbbf24", "#b45309"
PENDING_COLOUR = "#e11d48"
SELECTED_COLOUR = "#111827"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
#: Aerial imagery to draw roofs on (online only): Esri World Imagery, public tiles with the attribution Esri asks for.
AERIAL_TILES = "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"
AERIAL_ATTRIBUTION = ("Tiles &copy; Esri &mdash; Source: Esri, Maxar, Earthstar Geographics, and the GIS User "
                      "Community")
ITALY = (42.5, 12.5, 6)
MAP_HEIGHT_PX = 620
#: Leaflet's marker images under the vendored assets (its own path detection misses "images/").
LEAFLET_IMAGES = "leaflet-1.9.3/dist/images/"

Tr = Callable[..., str]


def translator(lang: str = DEFAULT_LANG) -> Tr:
    """``tr("map.key", **fmt)`` for ``lang`` without Streamlit (falls back to Italian, then to the key)."""
    def tr(key: str, **fmt) -> str:
        text = catalogue(lang).get(key) or catalogue(DEFAULT_LANG).get(key) or key
        return text.format(**fmt) if fmt else text
    return tr


@dataclass(frozen=True)
class MapView:
    """Where the map looks: centre [deg] and Leaflet zoom level."""

    lat: float
    lon: float
    zoom: int
    #: ((south, west), (north, east)) [deg] to fit when the map opens, or None to use lat/lon/zoom
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None


def _located(m: dict) -> bool:
    return isinstance(m.get("lat"), (int, float)) and isinstance(m.get("lon"), (int, float))


def initial_view(doc: dict) -> MapView:
    """A view framing the located members; the site's comune without members; Italy without a site."""
    pts = [(m["lat"], m["lon"]) for m in doc.get("members", []) if _located(m)]
    if pts:
        lats, lons = [p[0] for p in pts], [p[1] for p in pts]
        span = max(max(lats) - min(lats), max(lons) - min(lons))
        zoom = 16 if span < 0.004 else 15 if span < 0.01 else 14 if span < 0.025 else 13 if span < 0.06 \
            else 12 if span < 0.12 else 11 if span < 0.25 else 9
        bounds = ((round(min(lats), 5), round(min(lons), 5)), (round(max(lats), 5), round(max(lons), 5)))
        return MapView(round((min(lats) + max(lats)) / 2, 5), round((min(lons) + max(lons)) / 2, 5), zoom,
                       bounds if span >= 0.002 else None)
    site = doc.get("site") or {}
    if _located(site):
        return MapView(float(site["lat"]), float(site["lon"]), 14)
    comune = find_comune(str(site.get("comune", ""))) if site.get("comune") not in (None, "") else None
    if comune is not None:
        return MapView(comune.lat, comune.lon, 14)
    return MapView(*ITALY)


def cabina_ids(doc: dict) -> list[str]:
    """Cabine in order: declared ones, then those only named by members (none in an empty community)."""
    named = any(c.get("id") for c in doc.get("cabine", [])) or any(m.get("cabina") for m in doc.get("members", []))
    return cabina_options(doc) if named else []


def cabina_colours(doc: dict) -> dict[str, str]:
    """A stable colour per cabina (palette order = cabina order)."""
    return {cid: CABINA_PALETTE[i % len(CABINA_PALETTE)] for i, cid in enumerate(cabina_ids(doc))}


# --- the constant base ---------------------------------------------------------------------------------

class MapSetup(MacroElement):
    """Runs before the draw control is built: translated Leaflet.draw texts and Leaflet's icon folder."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            function merge(a, b) { for (var k in b) { if (b[k] && typeof b[k] === 'object') {
                a[k] = a[k] || {}; merge(a[k], b[k]); } else { a[k] = b[k]; } } }
            if (window.L && L.drawLocal) { merge(L.drawLocal, {{ this.texts|tojson }}); }
            if (window.L && L.Icon && L.Icon.Default) { L.Icon.Default.imagePath = {{ this.image_path|tojson }}; }
            L.control.scale({imperial: false, position: "bottomleft"}).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, texts: dict, image_path: str):
        super().__init__()
        self._name = "MapSetup"
        self.texts = texts
        self.image_path = image_path


class ClearDrafts(MacroElement):
    """Removes Leaflet.draw's unconfirmed shapes when ``token`` changes (not on the map's first load).

    Lives in a dynamic feature group: streamlit-folium re-evaluates it whenever the group changes, and
    the token makes only a new value act. The map is not remounted, so zoom and position are kept.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var token = {{ this.token|tojson }};
            if (window.__cerDraftsToken !== token) {
                var first = window.__cerDraftsToken === undefined;
                window.__cerDraftsToken = token;
                if (!first && window.drawnItems && window.drawnItems.clearLayers) { window.drawnItems.clearLayers(); }
            }
        })();
        {% endmacro %}
    """)

    def __init__(self, token: int):
        super().__init__()
        self._name = "ClearDrafts"
        self.token = int(token)


class PlaceLabels(MacroElement):
    """Comuni names as plain text markers in a pane (one small script instead of a folium Marker each)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var group = L.layerGroup();
            {{ this.labels|tojson }}.forEach(function (l) {
                L.marker([l.lat, l.lon], {pane: {{ this.pane|tojson }}, interactive: false, keyboard: false,
                    icon: L.divIcon({className: "", iconSize: [0, 0],
                                     html: '<div class="cer-label">' + l.html + '</div>'})
                }).addTo(group);
            });
            group.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, labels: list[dict], pane: str):
        super().__init__()
        self._name = "PlaceLabels"
        self.pane = pane
        self.labels = [{"lat": round(x["lat"], 5), "lon": round(x["lon"], 5), "html": html.escape(x["name"])}
                       for x in labels]


def draw_texts(tr: Tr) -> dict:
    """Leaflet.draw's interface texts in the current language (tooltips, buttons, actions)."""
    return {
        "draw": {
            "toolbar": {
                "actions": {"title": tr("map.draw_cancel_title"), "text": tr("map.draw_cancel")},
                "finish": {"title": tr("map.draw_finish_title"), "text": tr("map.draw_finish")},
                "undo": {"title": tr("map.draw_undo_title"), "text": tr("map.draw_undo")},
                "buttons": {"polygon": tr("map.draw_polygon"), "rectangle": tr("map.draw_rectangle"),
                            "marker": tr("map.draw_marker")},
            },
            "handlers": {
                "marker": {"tooltip": {"start": tr("map.draw_marker_start")}},
                "polygon": {"tooltip": {"start": tr("map.draw_polygon_start"), "cont": tr("map.draw_polygon_cont"),
                                        "end": tr("map.draw_polygon_end")}},
                "polyline": {"error": tr("map.draw_polygon_error")},
                "rectangle": {"tooltip": {"start": tr("map.draw_rectangle_start")}},
                "simpleshape": {"tooltip": {"end": tr("map.draw_simpleshape_end")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {"save": {"title": tr("map.edit_save_title"), "text": tr("map.edit_save")},
                            "cancel": {"title": tr("map.edit_cancel_title"), "text": tr("map.edit_cancel")},
                            "clearAll": {"title": tr("map.edit_clear_title"), "text": tr("map.edit_clear")}},
                "buttons": {"edit": tr("map.edit_edit"), "editDisabled": tr("map.edit_edit_disabled"),
                            "remove": tr("map.edit_remove"), "removeDisabled": tr("map.edit_remove_disabled")},
            },
            "handlers": {
                "edit": {"tooltip": {"text": tr("map.edit_tooltip"), "subtext": tr("map.edit_subtext")}},
                "remove": {"tooltip": {"text": tr("map.edit_remove_tooltip")}},
            },
        },
    }


MAP_CSS = """
<style>
  .leaflet-container { background: #eef1ee; font-family: "Source Sans Pro", system-ui, sans-serif; }
  .cer-label { color: #4b5563; font-size: 12px; font-weight: 600; white-space: nowrap;
               text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; transform: translate(-50%, -50%);
               pointer-events: none; }
  .leaflet-tooltip.cer-tip { font-size: 13px; line-height: 1.35; }
  .leaflet-draw-toolbar a { background-color: #fff; }
  .leaflet-control-attribution, .leaflet-control-scale-line { font-size: 11px; line-height: 1.4; }
</style>
"""


def offline() -> bool:
    """True when ``CER_STUDIO_OFFLINE`` is set: the page then asks no remote server for anything (no tiles)."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes")


def base_map(view: MapView, lang: str = DEFAULT_LANG, *, basemap_radius_km: float = 15.0,
             height_px: int = MAP_HEIGHT_PX) -> folium.Map:
    """The constant part of the map for ``view``: basemaps, layer switch and drawing tools.

    Built identically for the same arguments, so streamlit-folium does not remount it between runs.
    Offline (:func:`offline`) the OpenStreetMap tiles are left out: the browser then requests nothing
    outside the studio's own server (docs/limits.md).
    """
    prefix = install_local_assets()
    tr = translator(lang)
    m = folium.Map(location=[view.lat, view.lon], zoom_start=view.zoom, tiles=None, max_zoom=19, height=height_px)
    m.get_root().header.add_child(Element(MAP_CSS), name="cer_map_css")
    MapSetup(draw_texts(tr), prefix + LEAFLET_IMAGES).add_to(m)      # first: before any marker exists
    # Offline basemap: comuni boundaries and names in panes *below* the tiles (tilePane is z-index 200):
    # hidden by the tiles when they load, visible when they cannot.
    folium.map.CustomPane("cer-offline", z_index=150, pointer_events=False).add_to(m)
    folium.map.CustomPane("cer-offline-labels", z_index=160, pointer_events=False).add_to(m)
    folium.GeoJson(boundaries_near(view.lat, view.lon, basemap_radius_km), name="comuni", control=False,
                   pane="cer-offline", interactive=False, attribution=tr("map.basemap_attribution"),
                   style_function=lambda _: {"color": "#9ca3af", "weight": 1.2, "fillColor": "#fbfaf6",
                                             "fillOpacity": 1.0}).add_to(m)
    PlaceLabels(labels_near(view.lat, view.lon, basemap_radius_km, limit=60), pane="cer-offline-labels").add_to(m)
    if not offline():
        folium.TileLayer(OSM_TILES, name=tr("map.layer_osm"), attr=OSM_ATTRIBUTION, max_zoom=19, max_native_zoom=19,
                         overlay=False, control=True).add_to(m)
        folium.TileLayer(AERIAL_TILES, name=tr("map.layer_aerial"), attr=AERIAL_ATTRIBUTION, max_zoom=19,
                         max_native_zoom=19, overlay=False, control=True, show=False).add_to(m)
    folium.FeatureGroup(name=tr("map.layer_offline"), overlay=False, control=True).add_to(m)
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    shape = {"color": PENDING_COLOUR, "weight": 3, "dashArray": "6 4", "fillOpacity": 0.15}
    Draw(export=False, show_geometry_on_click=False, position="topleft",
         draw_options={"polyline": False, "circle": False, "circlemarker": False,
                       "polygon": {"allowIntersection": False, "showArea": True, "metric": True,
                                   "shapeOptions": shape},
                       "rectangle": {"showArea": False, "shapeOptions": shape},
                       "marker": True},
         edit_options={"edit": True, "remove": True}).add_to(m)
    if view.bounds is not None:
        m.fit_bounds([list(view.bounds[0]), list(view.bounds[1])], padding=(30, 30), max_zoom=17)
    return m


# --- the dynamic layers --------------------------------------------------------------------------------

def plants_kwp_by_member(doc: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for p in doc.get("plants", []):
        if isinstance(p.get("kwp"), (int, float)):
            out[p.get("member")] = out.get(p.get("member"), 0.0) + float(p["kwp"])
    return out


def member_tooltip(m: dict, kwp: float, tr: Tr, lang: str) -> str:
    """HTML tooltip of a member: name, role, category, cabina, PV power."""
    parts = [tr(f"map.kind_{m.get('kind')}"), tr(f"map.category_{m.get('category')}"), str(m.get("cabina", ""))]
    lines = [f"<b>{html.escape(str(m.get('name') or m['id']))}</b>", html.escape(" · ".join(p for p in parts if p))]
    if kwp > 0:
        lines.append("☀ " + fmt_kwp(kwp, lang))
    return "<br>".join(lines)


def roof_tooltip(p: dict, lang: str) -> str:
    kwp = float(p["kwp"]) if isinstance(p.get("kwp"), (int, float)) else 0.0
    return f"☀ <b>{html.escape(str(p.get('name') or p['id']))}</b><br>{fmt_kwp(kwp, lang)}"


def member_colour(m: dict, colour_by: str, cab_colours: dict[str, str]) -> str:
    if colour_by == "cabina":
        return cab_colours.get(m.get("cabina"), "#6b7280")
    return ROLE_COLOURS.get(m.get("kind"), "#6b7280")


def dynamic_layers(doc: dict, *, lang: str = DEFAULT_LANG, colour_by: str = "role", selected: str | None = None,
                   selected_plant: str | None = None, outside: tuple[str, ...] = (),
                   pending: dict | None = None, drafts_token: int = 0) -> list[folium.FeatureGroup]:
    """Feature groups for ``feature_group_to_add``: areas, roofs, members, selection and pending shape.

    Parameters
    ----------
    doc : dict
        The scenario document (read only).
    colour_by : {"role", "cabina"}
        Members' fill colour.
    selected, selected_plant : str, optional
        Member and plant ids to highlight.
    outside : tuple of str
        Members outside every cabina area (drawn with a red ring).
    pending : dict, optional
        A GeoJSON Feature waiting for confirmation (drawn dashed).
    drafts_token : int
        Changing it clears the shapes drawn with Leaflet.draw (after a confirmation or a cancel).
    """
    tr = translator(lang)
    cab_colours = cabina_colours(doc)
    # One GeoJSON layer per kind (not one folium element per member): a rerun with 1000 members stays
    # small and quick. Styles and tooltips come from each feature's properties.
    areas = folium.FeatureGroup(name=tr("map.layer_areas"))
    area_features = [{"type": "Feature", "id": c["id"], "properties": {"colour": cab_colours.get(c["id"], "#6b7280")},
                      "geometry": c["area"]} for c in doc.get("cabine", []) if c.get("area")]
    if area_features:
        folium.GeoJson({"type": "FeatureCollection", "features": area_features}, interactive=False,
                       style_function=lambda f: {"color": f["properties"]["colour"], "weight": 2.5,
                                                 "dashArray": "8 5", "fillColor": f["properties"]["colour"],
                                                 "fillOpacity": 0.07}).add_to(areas)
    roofs = folium.FeatureGroup(name=tr("map.layer_roofs"))
    roof_features = [{"type": "Feature", "id": p["id"], "geometry": p["roof"],
                      "properties": {"tip": roof_tooltip(p, lang), "weight": 4 if p.get("id") == selected_plant else 2}}
                     for p in doc.get("plants", []) if p.get("roof")]
    if roof_features:
        folium.GeoJson({"type": "FeatureCollection", "features": roof_features},
                       tooltip=folium.GeoJsonTooltip(["tip"], labels=False, class_name="cer-tip"),
                       style_function=lambda f: {"color": ROOF_LINE, "weight": f["properties"]["weight"],
                                                 "fillColor": ROOF_FILL, "fillOpacity": 0.6}).add_to(roofs)
    members = folium.FeatureGroup(name=tr("map.layer_members"))
    ClearDrafts(drafts_token).add_to(members)
    kwp = plants_kwp_by_member(doc)
    outside_set = set(outside)
    member_features = []
    for m in doc.get("members", []):
        if not _located(m):
            continue
        is_out = m["id"] in outside_set
        point = {"type": "Point", "coordinates": [m["lon"], m["lat"]]}
        member_features.append({"type": "Feature", "id": m["id"], "geometry": point,
                                "properties": {"tip": member_tooltip(m, kwp.get(m["id"], 0.0), tr, lang),
                                               "fill": member_colour(m, colour_by, cab_colours),
                                               "ring": OUTSIDE_COLOUR if is_out else "#ffffff",
                                               "weight": 3 if is_out else 2,
                                               "radius": 10 if m["id"] == selected else 8}})
        if m["id"] == selected:
            folium.CircleMarker([m["lat"], m["lon"]], radius=15, color=SELECTED_COLOUR, weight=3, fill=False,
                                interactive=False).add_to(members)
    if member_features:
        folium.GeoJson({"type": "FeatureCollection", "features": member_features},
                       marker=folium.CircleMarker(radius=8, fill=True, fill_opacity=0.95),
                       tooltip=folium.GeoJsonTooltip(["tip"], labels=False, class_name="cer-tip"),
                       style_function=lambda f: {"fillColor": f["properties"]["fill"], "fillOpacity": 0.95,
                                                 "color": f["properties"]["ring"], "weight": f["properties"]["weight"],
                                                 "radius": f["properties"]["radius"]}).add_to(members)
    layers = [areas, roofs, members]
    if pending is not None and pending.get("geometry"):
        draft = folium.FeatureGroup(name=tr("map.layer_pending"))
        geom = pending["geometry"]
        if geom.get("type") == "Point":
            lon, lat = geom["coordinates"][:2]
            folium.CircleMarker([lat, lon], radius=14, color=PENDING_COLOUR, weight=3, dash_array="4 4",
                                fill=True, fill_color=PENDING_COLOUR, fill_opacity=0.25,
                                interactive=False).add_to(draft)
        else:
            folium.GeoJson(geom, interactive=False,
                           style_function=lambda _: {"color": PENDING_COLOUR, "weight": 3, "dashArray": "6 4",
                                                     "fillColor": PENDING_COLOUR, "fillOpacity": 0.15}).add_to(draft)
        layers.append(draft)
    return layers


# --- reading back what the user did ----------------------------------------------------------------------

def drawing_signature(feature: dict) -> str:
    """A stable id of a drawn feature (its geometry rounded to ~1 cm)."""
    def rnd(node):
        if isinstance(node, (list, tuple)):
            return [rnd(v) for v in node]
        return round(node, 7) if isinstance(node, float) else node
    geom = feature.get("geometry") or {}
    text = json.dumps({"type": geom.get("type"), "coordinates": rnd(geom.get("coordinates"))}, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def latest_new_drawing(all_drawings: list[dict] | None, processed: set[str] | frozenset[str]) -> dict | None:
    """The most recent drawn Point or Polygon not yet handled (None when there is none)."""
    for feature in reversed(all_drawings or []):
        gtype = (feature.get("geometry") or {}).get("type")
        if gtype in ("Point", "Polygon") and drawing_signature(feature) not in processed:
            return feature
    return None


def click_target(doc: dict, lat: float, lon: float, tooltip: str | None = None) -> tuple[str, str] | None:
    """What a click on a map object hit: ``("plant", id)`` for a roof, ``("member", id)`` for a member.

    streamlit-folium returns the click position and the clicked object's tooltip text; roofs are
    recognised by their tooltip (it starts with ☀) and by containing the point, members as the
    nearest member whose name is in the tooltip (any member when no tooltip came back).
    """
    text = " ".join(str(tooltip or "").split())
    if text.startswith("☀"):
        for p in doc.get("plants", []):
            if p.get("roof") and area_shape(p["roof"]).buffer(1e-6).covers(_point(lat, lon)):
                return ("plant", p["id"])
    members = [m for m in doc.get("members", []) if _located(m)]
    if text:
        named = [m for m in members if str(m.get("name") or m["id"]) in text]
        members = named or members
    if not members:
        return None
    dists = haversine_km(lat, lon, [m["lat"] for m in members], [m["lon"] for m in members])
    best = int(dists.argmin())
    return ("member", members[best]["id"]) if float(dists[best]) < 2.0 else None


def _point(lat: float, lon: float):
    from shapely.geometry import Point

    return Point(lon, lat)
