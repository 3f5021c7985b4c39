"""Speed of the 3-day forecast (``cer_core.forecast.community_forecast``) after the simulation is done.

Prints the wall time of the forecast for the embedded demo (from a recorded answer and offline, the
fallback), and for synthetic communities of growing size (engine inputs of ``bench_engine``, weather from
the recorded sunny answer). No network: ``CER_STUDIO_OFFLINE=1``.
Run: `.venv/bin/python benchmarks/bench_forecast.py`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("CER_STUDIO_OFFLINE", "1")

from bench_engine import build

from cer_core.api import demo_workspace, run
from cer_core.engine import simulate
from cer_core.forecast import community_forecast
from cer_core.io.openmeteo import read_forecast

SUNNY = ROOT / "tests" / "data" / "openmeteo" / "sunny_bolzano_2026-10-24.json"


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    answer = read_forecast(SUNNY.read_bytes(), SUNNY.name)
    ws = demo_workspace()
    outcome = run(ws, shapley=False)
    sc, res = outcome.scenario, outcome.results
    t0 = time.perf_counter()
    community_forecast(sc, res, forecast=answer, read_file=ws.read_file)
    first = time.perf_counter() - t0
    print(f"demo ({len(sc.members)} members, {len(sc.plants)} plants): first forecast {first:.3f} s (cold caches: "
          "solar geometry, profiles)")
    print(f"  from a recorded answer: {timed(lambda: community_forecast(sc, res, forecast=answer, read_file=ws.read_file)):.3f} s")
    print(f"  offline fallback:       {timed(lambda: community_forecast(sc, res, offline=True, start_utc=answer.data.index[0], read_file=ws.read_file)):.3f} s")
    print(f"{'members':>8} {'plants':>7} {'forecast_s':>11}")
    for n in (400, 1000):
        inputs = build(n)
        results = simulate(inputs)
        t = timed(lambda inputs=inputs, results=results: community_forecast(inputs.scenario, results, forecast=answer),
                  repeat=1)
        print(f"{n:>8} {len(inputs.scenario.plants):>7} {t:>11.3f}")


if __name__ == "__main__":
    main()
