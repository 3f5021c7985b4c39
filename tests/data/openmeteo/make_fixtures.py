"""Write the synthetic Open-Meteo answers used by the forecast tests (run from the repository root).

    .venv/bin/python tests/data/openmeteo/make_fixtures.py

The files imitate the JSON of ``api.open-meteo.com/v1/forecast`` asked with ``timezone=GMT`` and
``wind_speed_unit=ms`` (the studio's request), at Bolzano (the test community's site). Their values are
NOT a recorded forecast: irradiance is pvlib's Ineichen clear sky at the middle of each hour, stamped at
the hour's end as Open-Meteo does (mean of the preceding hour), so that tests can compute production by hand.

* ``sunny_bolzano_2026-10-24.json``: 4 days from 2026-10-24 00:00 UTC, across the end of summer time
  (Sunday 25 October 2026, 03:00 CEST → 02:00 CET); clear sky, 5 % cloud cover.
* ``cloudy_bolzano_2027-03-27.json``: 4 days from 2027-03-27 00:00 UTC, across the start of summer time
  (Sunday 28 March 2027, 02:00 CET → 03:00 CEST); GHI 35 % of clear sky, DNI 5 % of clear sky, diffuse
  the rest (GHI = DNI·cos z + DHI), 90 % cloud cover.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from pvlib import location

HERE = Path(__file__).resolve().parent
LAT, LON, ELEVATION_M = 46.4983, 11.3548, 262.0


def answer(start_utc: str, ghi_k: float, dni_k: float, cloud_pct: float, t_mean_c: float, days: int = 4) -> dict:
    stamps = pd.date_range(start_utc, periods=24 * days, freq="h", tz="UTC")
    mid = stamps - pd.Timedelta(minutes=30)   # the value stamped t is the mean over (t-1h, t]
    site = location.Location(LAT, LON, "UTC", ELEVATION_M)
    cs = site.get_clearsky(mid, model="ineichen")
    cos_z = np.cos(np.radians(site.get_solarposition(mid)["zenith"].to_numpy()))
    ghi = np.round(cs["ghi"].to_numpy() * ghi_k, 1)
    dni = np.round(cs["dni"].to_numpy() * dni_k, 1)
    dhi = np.round(np.maximum(ghi - dni * np.maximum(cos_z, 0.0), 0.0), 1)
    hours = stamps.hour.to_numpy()
    temp = np.round(t_mean_c + 4.0 * np.sin((hours - 9) / 24 * 2 * np.pi), 1)
    return {
        "latitude": LAT, "longitude": LON, "generationtime_ms": 0.5, "utc_offset_seconds": 0, "timezone": "GMT",
        "timezone_abbreviation": "GMT", "elevation": ELEVATION_M,
        "hourly_units": {"time": "iso8601", "shortwave_radiation": "W/m²", "direct_normal_irradiance": "W/m²",
                         "diffuse_radiation": "W/m²", "temperature_2m": "°C", "wind_speed_10m": "m/s",
                         "cloud_cover": "%"},
        "hourly": {"time": [s.strftime("%Y-%m-%dT%H:%M") for s in stamps],
                   "shortwave_radiation": ghi.tolist(), "direct_normal_irradiance": dni.tolist(),
                   "diffuse_radiation": dhi.tolist(), "temperature_2m": temp.tolist(),
                   "wind_speed_10m": [2.0] * len(stamps), "cloud_cover": [cloud_pct] * len(stamps)},
    }


def main() -> None:
    for name, doc in (("sunny_bolzano_2026-10-24.json", answer("2026-10-24", 1.0, 1.0, 5.0, 12.0)),
                      ("cloudy_bolzano_2027-03-27.json", answer("2027-03-27", 0.35, 0.05, 90.0, 8.0))):
        (HERE / name).write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
        print(HERE / name)


if __name__ == "__main__":
    main()
