"""Engine speed and memory for communities of growing size (synthetic hourly inputs, no I/O).

Prints, for each size, the wall time of `engine.simulate` (best of 3 for the small ones) and the
peak memory traced by tracemalloc. Run: `.venv/bin/python benchmarks/bench_engine.py`.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cer_core import constants as C  # noqa: E402
from cer_core.engine import SimulationInputs, simulate  # noqa: E402
from cer_core.scenario import Face, Member, Plant, Scenario, Site  # noqa: E402
from cer_core.timeaxis import hours_local, n_hours  # noqa: E402

YEAR = 2024


def build(n_members: int, n_cabine: int = 2) -> SimulationInputs:
    rng = np.random.default_rng(0)
    h = n_hours(YEAR)
    members, plants = [], []
    for i in range(n_members):
        kind = "prosumer" if i % 5 == 0 else "consumer"
        members.append(Member(id=f"m{i}", name=f"m{i}", kind=kind, category="household" if i % 7 else "sme",
                              cabina=f"CP{i % n_cabine}", lat=None, lon=None, load={"source": "profile"}))
        if kind == "prosumer":
            kwp = float(rng.choice([3.0, 6.0, 50.0, 200.0]))
            plants.append(Plant(id=f"p{i}", name=f"p{i}", member=f"m{i}", kwp=kwp,
                                commissioning=dt.date(2019 + i % 6, 1 + i % 12, 1), grant_pct=20.0 * (i % 3 == 0),
                                incentivised=True, tilt_deg=30, azimuth_deg=180, losses_pct=14, dc_ac_ratio=1.1,
                                degradation_pct_per_year=0.5, faces=(Face(kwp, 30, 180),)))
    site = Site("Rozzano", "015189", 45.38, 9.16, "Lombardia", "NORD", C.macro_area("Lombardia"))
    sc = Scenario(name="bench", year=YEAR, site=site, members=tuple(members), plants=tuple(plants),
                  prices={"source": "flat"}, rules={}, economics={})
    hour = hours_local(YEAR).hour.to_numpy()
    shape = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None)
    load = rng.uniform(0.1, 0.6, (h, n_members))
    prod = shape[:, None] * np.array([p.kwp for p in plants])[None, :] * 0.6
    return SimulationInputs(scenario=sc, load_kwh=load, plant_production_kwh=prod,
                            zonal_price_eur_mwh=rng.uniform(40, 220, h))


def main() -> None:
    print(f"engine.simulate, year {YEAR} ({n_hours(YEAR)} h), synthetic inputs")
    print(f"{'members':>8} {'plants':>7} {'time_s':>8} {'peak_MB':>8}")
    for n in (40, 400, 1000, 3000):
        inputs = build(n)
        runs = 3 if n <= 400 else 1
        best = float("inf")
        for _ in range(runs):
            t0 = time.perf_counter()
            simulate(inputs)
            best = min(best, time.perf_counter() - t0)
        tracemalloc.start()
        simulate(inputs)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(f"{n:>8} {len(inputs.scenario.plants):>7} {best:>8.3f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
