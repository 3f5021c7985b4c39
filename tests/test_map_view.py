"""studio.components.map_view / map_assets / map_basemap: the folium map loads nothing from outside and has its layers."""

from __future__ import annotations

import json
import re

import folium
import pytest
from streamlit_folium import _get_feature_group_string, _get_map_string

from cer_core.paths import DEMO_SCENARIO
from studio.components import map_assets
from studio.pure.map_basemap import boundaries_near, labels_near
from studio.components.map_view import (OSM_TILES, MapView, base_map, cabina_colours, click_target, draw_texts,
                             drawing_signature, dynamic_layers, initial_view, latest_new_drawing, translator)

VIEW = MapView(45.3675, 9.1821, 13)


def demo() -> dict:
    return json.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))


def full_html(m: folium.Map) -> str:
    return m.get_root().render()


def served_file(url: str):
    """The file under ``static/`` that a local asset URL (``…/app/static/…``) serves."""
    return map_assets.STATIC_DIR / url.split("/app/static/", 1)[1]


def map_script(m: folium.Map) -> str:
    """The map's JavaScript as streamlit-folium builds it (render first, as st_folium does)."""
    m.get_root().render()
    return _get_map_string(m)


def test_map_html_references_only_local_assets_that_exist():
    m = base_map(VIEW, "it")
    for fg in dynamic_layers(demo(), selected="casa-01"):
        fg.add_to(m)
    page = full_html(m)
    srcs = re.findall(r'<script[^>]+src="([^"]+)"', page) + re.findall(r'<link[^>]+href="([^"]+)"', page)
    assert srcs, "the map declares its scripts and stylesheets"
    for url in srcs:
        assert url.startswith("/app/static/vendor/"), url
        assert served_file(url).is_file(), url
    assert map_assets.remote_urls(m) == []
    # no CDN host anywhere in the page (tiles come from OSM on purpose and are the only remote URL)
    for host in ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "bootstrapcdn.com"):
        assert host not in page


def test_every_vendored_file_of_the_mapping_and_its_css_references_exist():
    for rel in map_assets.LOCAL_FILES.values():
        assert (map_assets.VENDOR_DIR / rel).is_file(), rel
    for rel in [r for r in map_assets.LOCAL_FILES.values() if r.endswith(".css")]:
        css = (map_assets.VENDOR_DIR / rel).read_text(encoding="utf-8")
        base = (map_assets.VENDOR_DIR / rel).parent
        for ref in re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", css):
            if ref.startswith(("data:", "#")) or ref.endswith(".ttf"):
                continue            # inline data, VML behaviour, and the .ttf fallbacks left out on purpose
            assert (base / ref).resolve().is_file(), f"{rel} → {ref}"


def test_vendored_files_match_their_manifest():
    import importlib.util

    spec = importlib.util.spec_from_file_location("vendor", map_assets.STATIC_DIR.parent / "scripts" /
                                                  "vendor_web_assets.py")
    vendor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vendor)
    assert vendor.check() == []
    manifest = json.loads((map_assets.VENDOR_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert {p["name"] for p in manifest["packages"]} == {"leaflet", "leaflet-draw", "jquery", "bootstrap",
                                                          "drmonty-leaflet-awesome-markers",
                                                          "@fortawesome/fontawesome-free"}
    assert (map_assets.VENDOR_DIR / "LICENSES.md").is_file()


def test_install_is_idempotent_and_follows_the_base_url_path():
    try:
        assert map_assets.install_local_assets("") == "/app/static/vendor/"
        assert map_assets.install_local_assets("") == "/app/static/vendor/"
        js = dict(folium.Map.default_js)
        assert js["leaflet"] == "/app/static/vendor/leaflet-1.9.3/dist/leaflet.js"
        assert map_assets.install_local_assets("/studio/") == "/studio/app/static/vendor/"
        assert dict(folium.Map.default_js)["leaflet"] == "/studio/app/static/vendor/leaflet-1.9.3/dist/leaflet.js"
        from folium.plugins import Draw
        assert dict(Draw.default_js)["leaflet_draw_js"].startswith("/studio/app/static/vendor/leaflet-draw-1.0.2/")
    finally:
        map_assets.install_local_assets("")
    names = [n for n, _ in folium.Map.default_css]
    assert "glyphicons_css" not in names and "awesome_rotate_css" not in names


def test_localize_links_keeps_unknown_urls_and_drops_the_dropped():
    links = [("a", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"), ("b", "https://example.org/x.js"),
             ("c", next(iter(map_assets.DROPPED)))]
    assert map_assets.localize_links(links, "/p/") == [("a", "/p/leaflet-1.9.3/dist/leaflet.js"),
                                                       ("b", "https://example.org/x.js")]


def test_base_map_layers_offline_basemap_tiles_draw_and_switch(monkeypatch):
    monkeypatch.setenv("CER_STUDIO_OFFLINE", "0")          # online: the tiles are on (offline: test_offline.py)
    m = base_map(VIEW, "it")
    script = map_script(m)
    # offline basemap in panes below the tiles (tilePane has z-index 200)
    assert re.search(r'createPane\(\s*"cer-offline"\s*\)', script)
    assert re.search(r"\.style\.zIndex = 150", script)
    assert '"pane": "cer-offline"' in script and "ISTAT, Openpolis" in script
    assert '"Rozzano"' in script and "cer-offline-labels" in script
    # OSM tiles with attribution, and a base layer without tiles to switch to
    assert OSM_TILES in script and "OpenStreetMap\\u003c/a\\u003e contributors" in script
    assert "Solo confini comunali (offline)" in script and "L.control.layers" in script
    # drawing tools: marker, polygon and rectangle; no polyline/circle; no export button, no alert
    draw = re.search(r"draw: (\{.*?\}),\n\s*edit:", script, re.S).group(1)
    opts = json.loads(draw)
    assert opts["polyline"] is False and opts["circle"] is False and opts["circlemarker"] is False
    assert opts["marker"] is True and opts["polygon"]["allowIntersection"] is False
    assert "alert(" not in script and "id='export'" not in full_html(m)
    # Leaflet.draw speaks Italian, and Leaflet finds its marker images under the vendored folder
    assert "Posiziona un nuovo membro" in script
    assert 'L.Icon.Default.imagePath = "/app/static/vendor/leaflet-1.9.3/dist/images/"' in script


def test_base_map_is_identical_on_every_build():
    """streamlit-folium remounts the map when its script changes: the base must be deterministic."""
    assert map_script(base_map(VIEW, "it")) == map_script(base_map(VIEW, "it"))
    assert map_script(base_map(VIEW, "it")) != map_script(base_map(VIEW, "en"))


def test_draw_texts_complete_in_both_languages():
    for lang in ("it", "en"):
        texts = json.dumps(draw_texts(translator(lang)))
        assert "map." not in texts             # every key translated
    assert draw_texts(translator("en"))["draw"]["toolbar"]["buttons"]["polygon"].startswith("Draw a polygon")


def layer_script(layers, m=None) -> list[str]:
    m = m or folium.Map()
    return [_get_feature_group_string(fg, m, i) for i, fg in enumerate(layers)]


def test_dynamic_layers_members_roofs_areas_selection_and_pending():
    doc = demo()
    doc["plants"][0]["roof"] = {"type": "Polygon", "coordinates": [[[9.207, 45.340], [9.208, 45.340], [9.208, 45.341],
                                                                    [9.207, 45.340]]]}
    pending = {"geometry": {"type": "Point", "coordinates": [9.15, 45.38]}}
    areas, roofs, members, draft = layer_script(dynamic_layers(doc, selected="casa-01", pending=pending,
                                                               outside=("casa-02",)))
    # one GeoJSON layer per kind, whatever the number of features
    assert areas.count("L.geoJson(") == 1 and areas.count('"type": "Polygon"') == 2
    assert '"interactive": false' in areas
    assert roofs.count("L.geoJson(") == 1 and "Campo FV depuratore" in roofs and "420,0\\u00a0kWp" in roofs
    assert members.count("L.geoJson(") == 1 and members.count('"type": "Point"') == 40
    assert members.count("L.circleMarker(") == 1 and members.count("new L.CircleMarker(") == 1  # halo, points
    assert "Depuratore di Pieve Emanuele" in members and "Prosumer" in members
    assert '"ring": "#dc2626"' in members                  # the member outside every area has a red ring
    assert re.search(r'case "casa-01":\s*return \{[^}]*"radius": 10', members)   # the selected one is larger
    assert draft.count("L.circleMarker(") == 1 and '"dashArray": "4 4"' in draft


def test_member_names_are_escaped_in_tooltips():
    doc = {"members": [{"id": "x", "name": "<img src=x onerror=alert(1)>", "kind": "consumer",
                        "category": "household", "cabina": "A", "lat": 45.0, "lon": 9.0}], "plants": [], "cabine": []}
    members = layer_script(dynamic_layers(doc))[2]
    assert "<img" not in members and "\\u0026lt;img" in members


def test_dynamic_layers_colour_by_role_or_cabina():
    doc = demo()
    by_role = layer_script(dynamic_layers(doc, colour_by="role"))[2]
    by_cabina = layer_script(dynamic_layers(doc, colour_by="cabina"))[2]
    colours = cabina_colours(doc)
    assert '"fill": "#2563eb"' in by_role and '"fill": "#16a34a"' in by_role
    for colour in colours.values():
        assert f'"fill": "{colour}"' in by_cabina
    assert set(colours) == {"CP-ROZZANO", "CP-PIEVE"}


def test_dynamic_layers_of_an_empty_community():
    doc = {"members": [], "plants": [], "site": {"comune": "Rozzano"}}
    scripts = layer_script(dynamic_layers(doc))
    assert len(scripts) == 3 and not any("L.geoJson(" in x for x in scripts)


def test_initial_view_members_site_and_italy():
    doc = demo()
    v = initial_view(doc)
    assert 45.34 < v.lat < 45.40 and 9.14 < v.lon < 9.23 and 11 <= v.zoom <= 14 and v.bounds is not None
    v = initial_view({"site": {"comune": "Rozzano"}, "members": []})
    assert (round(v.lat, 2), round(v.lon, 2), v.zoom, v.bounds) == (45.38, 9.16, 14, None)
    v = initial_view({"site": {"comune": "Atlantide"}, "members": []})
    assert (v.lat, v.lon, v.zoom) == (42.5, 12.5, 6)
    one = {"members": [{"id": "a", "lat": 45.0, "lon": 9.0}]}
    assert initial_view(one) == MapView(45.0, 9.0, 16, None)


def test_click_target_member_roof_and_nothing():
    doc = demo()
    m = next(x for x in doc["members"] if x["id"] == "scuola-pieve")
    assert click_target(doc, m["lat"] + 0.00005, m["lon"], None) == ("member", "scuola-pieve")
    # the tooltip (textContent) disambiguates members drawn on top of each other
    twin = next(x for x in doc["members"] if x["id"] == "casa-04")
    assert click_target(doc, m["lat"], m["lon"], f"{twin['name']}Consumatore · Famiglia") == ("member", "casa-04")
    doc["plants"][0]["roof"] = {"type": "Polygon", "coordinates": [[[9.0, 45.0], [9.001, 45.0], [9.001, 45.001],
                                                                    [9.0, 45.0]]]}
    assert click_target(doc, 45.0002, 9.0008, "☀ Campo FV depuratore 420 kWp") == ("plant", "fv-depuratore")
    assert click_target({"members": []}, 45.0, 9.0, None) is None
    assert click_target(doc, 10.0, 10.0, None) is None                     # far from everybody


def test_latest_new_drawing_skips_processed_and_other_geometries():
    point = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [9.1, 45.3]}}
    poly = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[9.1, 45.3],
                                                                                                  [9.2, 45.3],
                                                                                                  [9.2, 45.4],
                                                                                                  [9.1, 45.3]]]}}
    line = {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": [[9, 45], [9, 46]]}}
    assert latest_new_drawing([point, poly, line], set()) is poly
    assert latest_new_drawing([point, poly], {drawing_signature(poly)}) is point
    assert latest_new_drawing(None, set()) is None
    moved = json.loads(json.dumps(point))
    moved["geometry"]["coordinates"] = [9.1000001, 45.3]
    assert drawing_signature(moved) != drawing_signature(point)


def test_offline_basemap_sends_only_nearby_features():
    near = boundaries_near(45.38, 9.16, 10)
    names = {f["properties"]["name"] for f in near["features"]}
    assert {"Rozzano", "Pieve Emanuele", "Opera"} <= names and "Bergamo" not in names
    assert len(near["features"]) < 80
    assert boundaries_near(41.9, 12.5)["features"] == []          # Rome: no shipped boundaries...
    assert labels_near(41.9, 12.5)[0]["name"] == "Roma"            # ...but the names still show


@pytest.mark.parametrize("lang", ["it", "en"])
def test_layer_names_translated(lang, monkeypatch):
    monkeypatch.setenv("CER_STUDIO_OFFLINE", "0")
    script = map_script(base_map(VIEW, lang))
    assert translator(lang)("map.layer_osm") in script


def test_online_an_aerial_imagery_layer_with_attribution_beside_openstreetmap(monkeypatch):
    from studio.components import map_view

    monkeypatch.setenv("CER_STUDIO_OFFLINE", "0")
    page = map_view.base_map(map_view.MapView(45.38, 9.15, 17), "it").get_root().render()
    assert "tile.openstreetmap.org" in page and "World_Imagery/MapServer/tile/{z}/{y}/{x}" in page
    assert "Source: Esri, Maxar" in page and "Foto aerea Esri (online)" in page
    monkeypatch.setenv("CER_STUDIO_OFFLINE", "1")
    assert "arcgisonline" not in map_view.base_map(map_view.MapView(45.38, 9.15, 17), "it").get_root().render()


def test_a_roof_by_area_gets_the_drawn_roofs_module_density():
    from studio.pure import map_model as mm

    assert mm.roof_from_area(60.0) == 10.0 and mm.roof_from_area(7.5) == 1.2
    with pytest.raises(ValueError):
        mm.roof_from_area(0.0)
