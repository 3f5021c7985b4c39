"""Serve folium's JavaScript and CSS from the app itself, so maps draw with no internet.

folium asks public CDNs for Leaflet, Leaflet.draw, jQuery, Bootstrap, Font Awesome and
Leaflet.awesome-markers. The studio ships exact copies of those files from npm in ``static/vendor``
(see ``static/vendor/LICENSES.md`` and ``scripts/vendor_web_assets.py``), served by Streamlit's static
file serving (``[server] enableStaticServing = true``) at ``/app/static/vendor/...``.

:func:`install_local_assets` points folium's class-level defaults at those copies once per process;
every folium map built afterwards (on any page) loads nothing from a CDN. :func:`remote_urls` lists
what a given map would still fetch from outside (tests assert it is empty for the studio's maps).
"""

from __future__ import annotations

from pathlib import Path

import folium
import folium.elements
import folium.plugins

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
VENDOR_DIR = STATIC_DIR / "vendor"

#: folium 0.20's CDN URLs → file under static/vendor (exact copies of the npm packages' files).
LOCAL_FILES: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet-1.9.3/dist/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet-1.9.3/dist/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1/dist/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js":
        "bootstrap-5.2.2/dist/js/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css":
        "bootstrap-5.2.2/dist/css/bootstrap.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js":
        "drmonty-leaflet-awesome-markers-2.0.2/js/leaflet.awesome-markers.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css":
        "drmonty-leaflet-awesome-markers-2.0.2/css/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css":
        "fortawesome-fontawesome-free-6.2.0/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.js":
        "leaflet-draw-1.0.2/dist/leaflet.draw.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.css":
        "leaflet-draw-1.0.2/dist/leaflet.draw.css",
}

#: Stylesheets folium requests that the studio drops (no npm source; cosmetic for features we don't use):
#: Bootstrap 3 glyphicons (``prefix="glyphicon"`` icons) and folium's rotated-icon CSS.
DROPPED = {
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
}

_installed_prefix: str | None = None


def url_prefix(base_url_path: str | None = None) -> str:
    """The URL under which ``static/vendor`` is served: ``/app/static/vendor/`` (after any base URL path)."""
    if base_url_path is None:
        try:
            import streamlit as st

            base_url_path = st.get_option("server.baseUrlPath") or ""
        except Exception:  # noqa: BLE001 - outside a Streamlit runtime the option may be unavailable
            base_url_path = ""
    base = base_url_path.strip("/")
    return f"/{base}/app/static/vendor/" if base else "/app/static/vendor/"


def localize_links(links: list[tuple[str, str]], prefix: str) -> list[tuple[str, str]]:
    """``(name, url)`` pairs with vendored CDN URLs replaced by local ones and dropped ones removed."""
    out = []
    for name, url in links:
        if url in DROPPED:
            continue
        out.append((name, prefix + LOCAL_FILES[url] if url in LOCAL_FILES else url))
    return out


def _jscss_classes():
    """Every folium class that declares its own JS/CSS links."""
    seen, todo = [], [folium.elements.JSCSSMixin]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


def install_local_assets(base_url_path: str | None = None) -> str:
    """Point folium's default JS/CSS at the vendored copies (idempotent); returns the URL prefix used.

    Lists are patched in place, so maps built before and after the call agree. Links folium declares
    that are not vendored are left as they are (:func:`remote_urls` finds them).
    """
    global _installed_prefix
    prefix = url_prefix(base_url_path)
    if _installed_prefix == prefix:
        return prefix
    reverse = {}
    if _installed_prefix is not None:      # re-installing under another base URL: undo the previous prefix
        reverse = {_installed_prefix + rel: url for url, rel in LOCAL_FILES.items()}
    for cls in _jscss_classes():
        for attr in ("default_js", "default_css"):
            links = cls.__dict__.get(attr)
            if links:
                restored = [(n, reverse.get(u, u)) for n, u in links]
                links[:] = localize_links(restored, prefix)
    _installed_prefix = prefix
    return prefix


def asset_urls(m: folium.Map) -> list[str]:
    """Every JS/CSS URL the map's elements declare (what streamlit-folium loads into the iframe)."""
    urls: list[str] = []

    def walk(el):
        for _, url in list(getattr(el, "default_js", [])) + list(getattr(el, "default_css", [])):
            urls.append(url)
        for child in getattr(el, "_children", {}).values():
            walk(child)

    walk(m)
    return list(dict.fromkeys(urls))


def remote_urls(m: folium.Map) -> list[str]:
    """The JS/CSS URLs of ``m`` that point outside the app (should be none)."""
    return [u for u in asset_urls(m) if not u.startswith("/")]

