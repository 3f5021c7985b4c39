"""Rebuild the shipped data in assets/ from ../shared/data (provenance in assets/SOURCES.md).

Run once when the shared data changes: ``python scripts/build_assets.py``. The studio and the core
only read assets/; they never read ../shared.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
ASSETS = ROOT / "assets"


def build_comuni() -> None:
    """Join the ISTAT 2023 comuni (names, regions, inside points) with RSE's market zones."""
    zones: dict[str, str] = {}
    rse_names: dict[str, tuple[str, str]] = {}
    with open(SHARED / "geo" / "rse_comuni_market_zone.csv", encoding="utf-8-sig", errors="replace") as fh:
        for row in csv.reader(fh):
            if not row or not row[2].strip().isdigit():
                continue
            code = row[2].strip().zfill(6)
            zones[code] = row[-1].strip()
            rse_names[code] = (row[4].strip(), row[9].strip())
    out = ASSETS / "geo" / "comuni.csv"
    with open(SHARED / "geo" / "comuni_italia_2023.csv", encoding="utf-8") as fh, \
            open(out, "w", encoding="utf-8", newline="") as oh:
        writer = csv.writer(oh)
        writer.writerow(["istat_code", "name", "province", "province_short", "region", "lat", "lon",
                         "market_zone", "population"])
        missing = 0
        for row in csv.DictReader(fh):
            zone = zones.get(row["istat_code"], "")
            missing += zone == ""
            # The source lost two literal strings to a NaN reading: the comune "None" (TO) and the
            # province abbreviation "NA" (Napoli). RSE's list still has them.
            name = row["name"] or rse_names.get(row["istat_code"], ("", ""))[0]
            short = row["province_short"] or rse_names.get(row["istat_code"], ("", ""))[1]
            writer.writerow([row["istat_code"], name, row["province"], short,
                             row["region"], row["lat_inside"], row["lon_inside"], zone, row["population"]])
    print(f"{out}: written ({missing} comuni without a market zone in RSE's list)")


def copy(rel: str, dest: str) -> None:
    shutil.copyfile(SHARED / rel, ASSETS / dest)
    print(f"assets/{dest}: copied from shared/data/{rel}")


if __name__ == "__main__":
    build_comuni()
    copy("geo/comuni_citta_metropolitana_milano_2023_simplified.geojson", "geo/comuni_cm_milano.geojson")
    copy("geo/comuni_lombardia_2023_simplified.geojson", "geo/comuni_lombardia.geojson")
    copy("prices/rse_hourly_zonal_prices_composite_year.csv", "prices/rse_hourly_zonal_prices_composite_year.csv")
    copy("prices/gme_mgp_prezzi_zonali_giornalieri_2024.csv", "prices/gme_mgp_prezzi_zonali_giornalieri_2024.csv")
    copy("load_profiles/arera_household_hourly_by_region_month_power.csv",
         "load_profiles/arera_household_hourly_by_region_month_power.csv")
    for name in ("pvgis_tmy_45.000_8.000_2005_2023.csv", "pvgis_tmy_46.491_11.332_2005_2020.csv",
                 "pvgis_tmy_37.116_14.561_2005_2020.csv"):
        copy(f"weather/{name}", f"weather/{name}")
