"""Italian comuni: names and ISTAT codes to coordinates, region and market zone.

The table ``assets/geo/comuni.csv`` (ISTAT 2023 list joined with RSE's market zones; see
``assets/SOURCES.md``) is the offline gazetteer of the studio and the source of a site's region
(for the TIP's PV regional correction) and market zone (for the zonal price Pz).
"""

from __future__ import annotations

import difflib
import json
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .paths import ASSETS


@dataclass(frozen=True)
class Comune:
    """One Italian comune: ISTAT code, name, province, region, market zone and a point inside it."""

    istat_code: str
    name: str
    province: str
    province_short: str
    region: str
    lat: float
    lon: float
    market_zone: str
    population: int


def _fold(text: str) -> str:
    """Lower-case, accents removed, apostrophes and spaces normalised: for name matching."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("'", " ").replace("-", " ").split())


@lru_cache(maxsize=1)
def comuni_table() -> pd.DataFrame:
    """The comuni table (one row per comune), read once."""
    table = pd.read_csv(ASSETS / "geo" / "comuni.csv", dtype={"istat_code": str}, keep_default_na=False)
    table["folded"] = table["name"].map(_fold)
    # population is text in the CSV (three comuni have none): numeric, so "largest first" sorts by number
    table["population"] = pd.to_numeric(table["population"], errors="coerce").fillna(0).astype(int)
    return table


def _row_to_comune(row: pd.Series) -> Comune:
    return Comune(istat_code=row["istat_code"], name=row["name"], province=row["province"],
                  province_short=row["province_short"], region=row["region"], lat=float(row["lat"]),
                  lon=float(row["lon"]), market_zone=row["market_zone"], population=int(row["population"] or 0))


def find_comune(query: str) -> Comune | None:
    """Look a comune up by ISTAT code (``"015146"`` or ``15146``) or by name (accents and case ignored).

    A name shared by two comuni can be made unique with the province: ``"Peglio (CO)"``.

    Returns
    -------
    Comune or None
        None when nothing matches exactly.
    """
    table = comuni_table()
    text = str(query).strip()
    if text.isdigit():
        hit = table[table["istat_code"] == text.zfill(6)]
        return _row_to_comune(hit.iloc[0]) if len(hit) else None
    province = None
    if text.endswith(")") and "(" in text:
        text, province = text[:-1].split("(", 1)
        province = province.strip().upper()
    hit = table[table["folded"] == _fold(text)]
    if province:
        hit = hit[hit["province_short"] == province]
    return _row_to_comune(hit.iloc[0]) if len(hit) else None


def suggest_comuni(query: str, limit: int = 3) -> list[str]:
    """Closest comune names to a misspelled ``query`` (for error messages and search boxes)."""
    table = comuni_table()
    matches = difflib.get_close_matches(_fold(query), table["folded"].tolist(), n=limit, cutoff=0.75)
    names = []
    for folded in matches:
        row = table[table["folded"] == folded].iloc[0]
        names.append(f"{row['name']} ({row['province_short']})")
    return names


def search_comuni(prefix: str, limit: int = 10) -> list[Comune]:
    """Comuni whose name starts with ``prefix`` (largest population first): the offline address search."""
    table = comuni_table()
    folded = _fold(prefix)
    if not folded:
        return []
    hit = table[table["folded"].str.startswith(folded)].sort_values("population", ascending=False)
    return [_row_to_comune(row) for _, row in hit.head(limit).iterrows()]


def haversine_km(lat1: float, lon1: float, lat2, lon2) -> np.ndarray | float:
    """Great-circle distance in km between a point and one or many points (degrees)."""
    r_km = 6371.0088
    p1, p2 = math.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - math.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * r_km * np.arcsin(np.sqrt(a))


def nearest_comune(lat: float, lon: float) -> Comune:
    """The comune whose inside point is nearest to (lat, lon) [deg]."""
    table = comuni_table()
    d = haversine_km(lat, lon, table["lat"].to_numpy(), table["lon"].to_numpy())
    return _row_to_comune(table.iloc[int(np.argmin(d))])


def _fold_region(text: str) -> str:
    """A region name folded for matching: case, accents, hyphens, spaces and apostrophe style ignored."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in text if ch.isalnum())


@lru_cache(maxsize=1)
def region_names() -> tuple[str, ...]:
    """The official region names of the comuni table (ISTAT, bilingual ones as ISTAT writes them)."""
    return tuple(sorted(set(comuni_table()["region"])))


def _region_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for name in region_names():
        keys[_fold_region(name)] = name
        for part in name.split("/"):  # "Valle d'Aosta/Vallée d'Aoste": either half
            keys[_fold_region(part)] = name
    return keys


def find_region(query: str) -> str | None:
    """The official region name for ``query``, ignoring case, hyphens and apostrophe style; None if unknown.

    ``"lombardia"``, ``"EMILIA ROMAGNA"``, ``"Valle d’Aosta"`` → ``"Lombardia"``, ``"Emilia-Romagna"``,
    ``"Valle d'Aosta/Vallée d'Aoste"``.
    """
    return _region_keys().get(_fold_region(query))


def suggest_regions(query: str, limit: int = 3) -> list[str]:
    """Closest official region names to an unknown ``query`` (for error messages)."""
    keys = _region_keys()
    found = difflib.get_close_matches(_fold_region(query), list(keys), n=limit * 2, cutoff=0.5)
    out: list[str] = []
    for key in found:
        if keys[key] not in out:
            out.append(keys[key])
    return out[:limit]


#: The shipped comuni boundaries (Openpolis / ISTAT, CC-BY 4.0, ``assets/geo/``): Lombardy, then the
#: metropolitan city of Milan's more detailed shapes, which override it.
BOUNDARY_FILES = ("comuni_lombardia.geojson", "comuni_cm_milano.geojson")


def polygon_rings(coords) -> list:
    """The rings (outer and inner) of GeoJSON Polygon or MultiPolygon coordinates."""
    if coords and isinstance(coords[0][0][0], (int, float)):
        return list(coords)
    return [ring for poly in coords for ring in poly]


def _bbox(coords) -> tuple[float, float, float, float]:
    arr = np.asarray([p for ring in polygon_rings(coords) for p in ring], dtype=float)
    return float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 0].max()), float(arr[:, 1].max())


@lru_cache(maxsize=1)
def boundary_features() -> tuple[tuple[str, dict, tuple[float, float, float, float]], ...]:
    """Every shipped comune boundary as (istat_code, GeoJSON feature, bbox lon/lat), read once; used by the
    studio's offline basemap and the report's map."""
    by_code: dict[str, dict] = {}
    for name in BOUNDARY_FILES:
        path = ASSETS / "geo" / name
        if not path.is_file():
            continue
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            by_code[f["properties"]["istat_code"]] = f
    return tuple((code, f, _bbox(f["geometry"]["coordinates"])) for code, f in by_code.items())
