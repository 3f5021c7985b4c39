"""PV production speed: 1, 100 and 1,000 distinct roofs at one site, cold and cached.

Run from the repository root: ``python benchmarks/bench_pv.py`` (add ``--repeat N`` for more warm runs).

* cold: every cache emptied (weather parsing, solar geometry, orientation profiles);
* geometry warm: weather and solar position cached, orientation profiles computed;
* cached: everything cached, only per-plant losses, degradation and inverter run;
* the demo's 12 plants, the step the studio repeats on every edit.

Roofs are distinct by construction: random tilts 0-60° and azimuths 60-300° rounded to the profile cache's
1° grid without repeats.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cer_core.solar import pv, weather  # noqa: E402
from cer_core.scenario import Face, Plant, parse_scenario  # noqa: E402

SITE = (45.464, 9.190)
YEAR = 2024


def roofs(n: int, seed: int = 7) -> list[Plant]:
    rng = np.random.default_rng(seed)
    seen: set[tuple[int, int]] = set()
    out = []
    while len(out) < n:
        tilt, az = int(rng.integers(1, 61)), int(rng.integers(60, 301))
        if (tilt, az) in seen:
            continue
        seen.add((tilt, az))
        kwp = float(rng.uniform(3, 200))
        out.append(Plant(id=f"r{len(out)}", name="", member="m", kwp=kwp, commissioning=dt.date(2022, 5, 1),
                         grant_pct=0.0, incentivised=True, tilt_deg=tilt, azimuth_deg=az, losses_pct=14.0,
                         dc_ac_ratio=1.1, degradation_pct_per_year=0.5, faces=(Face(kwp, tilt, az),)))
    return out


def timed(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cold() -> None:
    weather.clear_caches()
    pv.clear_caches()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm repetitions (median reported)")
    args = parser.parse_args()
    spec = {"source": "embedded"}

    import pvlib  # noqa: F401  (import time is not part of the figures)

    cold()
    t_weather = timed(lambda: weather.site_weather(*SITE, YEAR, spec))
    w = weather.site_weather(*SITE, YEAR, spec)
    t_weather_warm = timed(lambda: weather.site_weather(*SITE, YEAR, spec), args.repeat)
    print(f"weather: embedded TMY parse + typical-year handling {t_weather * 1000:7.1f} ms cold, "
          f"{t_weather_warm * 1e6:6.1f} µs cached ({w.label}, {w.distance_km:.0f} km)")
    pv.clear_caches()
    t_geo = timed(lambda: pv.site_geometry(w))
    print(f"solar geometry for {len(w.data)} hours: {t_geo * 1000:.1f} ms (once per site and year)")
    print()
    print(f"{'roofs':>6} {'cold (all caches empty)':>24} {'geometry warm':>14} {'cached':>10} {'per roof cached':>16}")
    for n in (1, 100, 1000):
        plants = roofs(n)

        def run(plants=plants):
            return pv.pv_production_kwh(plants, weather.site_weather(*SITE, YEAR, spec), YEAR)

        cold()
        t_cold = timed(run)
        pv._PROFILES.clear()
        t_geo_warm = timed(run)
        t_cached = timed(run, args.repeat)
        out = run()
        assert out.shape == (len(w.data), n) and np.isfinite(out).all()
        print(f"{n:>6} {t_cold:>22.3f} s {t_geo_warm:>12.3f} s {t_cached:>8.3f} s {t_cached / n * 1000:>13.3f} ms")

    sc, _ = parse_scenario(json.loads((ROOT / "assets" / "demo" / "scenario.json").read_text(encoding="utf-8")))
    cold()
    t_demo_cold = timed(lambda: pv.pv_production_kwh(sc.plants, weather.site_weather(sc.site.lat, sc.site.lon, sc.year,
                                                                                      sc.weather), sc.year))
    t_demo = timed(lambda: pv.pv_production_kwh(sc.plants, weather.site_weather(sc.site.lat, sc.site.lon, sc.year,
                                                                                 sc.weather), sc.year), args.repeat)
    print()
    print(f"demo scenario, {len(sc.plants)} plants ({sum(p.kwp for p in sc.plants):.1f} kWp): "
          f"{t_demo_cold:.3f} s cold (TMY parse included), {t_demo * 1000:.1f} ms warm")


if __name__ == "__main__":
    main()
