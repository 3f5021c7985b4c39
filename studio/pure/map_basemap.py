"""The offline basemap: comuni boundaries and names near the community, from the shipped data.

When OpenStreetMap's tiles cannot be reached (no internet, a workshop with bad Wi-Fi) the map shows
the comuni boundaries (``assets/geo/comuni_cm_milano.geojson``, more detailed, and
``assets/geo/comuni_lombardia.geojson``; Openpolis / ISTAT, CC-BY 4.0) and the comuni's names (from
``assets/geo/comuni.csv``, all of Italy). Only the features within ``radius_km`` of the view's centre
are sent to the browser. Pure functions, no Streamlit.
"""

from __future__ import annotations


import numpy as np

from cer_core.geo import boundary_features, comuni_table, haversine_km

DEFAULT_RADIUS_KM = 15.0
COORD_DECIMALS = 5


def _round(node):
    if isinstance(node, list):
        if node and isinstance(node[0], (int, float)):
            return [round(float(v), COORD_DECIMALS) for v in node]
        return [_round(v) for v in node]
    return node


def boundaries_near(lat: float, lon: float, radius_km: float = DEFAULT_RADIUS_KM) -> dict:
    """A FeatureCollection of the comuni boundaries whose bounding box comes within ``radius_km`` of (lat, lon).

    Empty outside the regions shipped (Lombardy); the labels of :func:`labels_near` still work there.
    """
    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * max(np.cos(np.radians(lat)), 0.1))
    feats = []
    for code, f, (x0, y0, x1, y1) in boundary_features():
        if x1 >= lon - dlon and x0 <= lon + dlon and y1 >= lat - dlat and y0 <= lat + dlat:
            geom = {"type": f["geometry"]["type"], "coordinates": _round(f["geometry"]["coordinates"])}
            feats.append({"type": "Feature", "properties": {"istat_code": code, "name": f["properties"]["name"]},
                          "geometry": geom})
    feats.sort(key=lambda f: f["properties"]["istat_code"])
    return {"type": "FeatureCollection", "features": feats}


def labels_near(lat: float, lon: float, radius_km: float = DEFAULT_RADIUS_KM, limit: int = 80) -> list[dict]:
    """Comuni names with their inner point within ``radius_km`` of (lat, lon), largest population first."""
    table = comuni_table()
    d = haversine_km(lat, lon, table["lat"].to_numpy(), table["lon"].to_numpy())
    near = table.assign(distance_km=d)[d <= radius_km].sort_values(["population", "istat_code"],
                                                                   ascending=[False, True]).head(limit)
    return [{"name": r["name"], "lat": float(r["lat"]), "lon": float(r["lon"]), "population": int(r["population"])}
            for _, r in near.iterrows()]
