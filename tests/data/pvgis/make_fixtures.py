"""Build the recorded-format PVGIS fixtures in this folder from the typical year shipped in assets/.

No network is used: the fixtures imitate the shape of PVGIS answers so that the online code paths can be
tested offline (the tests monkeypatch ``pvlib.iotools.get_pvgis_tmy``).

* ``tmy_45.464_9.190_fixture.json.gz`` — the answer of ``/api/tmy?lat=45.464&lon=9.190&outputformat=json``
  as PVGIS 5.3 lays it out (``inputs.location`` with ``irradiance_time_offset``, ``outputs.months_selected``,
  ``outputs.tmy_hourly``), with the hourly values of the shipped 45.000N 8.000E typical year: only the location
  block says Milan. Gzipped to keep the repository small.

Data: PVGIS (c) European Union, 2001-2025 (reuse with attribution, see assets/SOURCES.md).

Run from the repository root: ``python tests/data/pvgis/make_fixtures.py``.
"""

from __future__ import annotations

import gzip
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from cer_core.io.pvgis import read_tmy, write_tmy_json  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    src = ROOT / "assets" / "weather" / "pvgis_tmy_45.000_8.000_2005_2023.csv"
    tmy = read_tmy(src.read_bytes(), src.name)
    milan = replace(tmy, lat=45.464, lon=9.19, elevation_m=122.0, period="2005-2023", radiation_db="PVGIS-SARAH3")
    data = write_tmy_json(milan)
    (HERE / "tmy_45.464_9.190_fixture.json.gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"{len(data)} bytes of JSON written gzipped")


if __name__ == "__main__":
    main()
