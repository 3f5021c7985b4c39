"""Engine speed and memory for communities of growing size (synthetic hourly inputs, no I/O).

Prints, for each size, the wall time of `engine.simulate` (best of 3 for the small ones) and the
peak memory traced by tracemalloc. Run: `.venv/bin/python benchmarks/bench_engine.py`.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchlib, also when loaded by path

from benchlib import synthetic_inputs  # noqa: E402
from cer_core.engine import SimulationInputs, simulate  # noqa: E402
from cer_core.timeaxis import n_hours  # noqa: E402

YEAR = 2024


def build(n_members: int, n_cabine: int = 2) -> SimulationInputs:
    """Every fifth member a prosumer with one plant: :func:`benchlib.synthetic_inputs` with n/5 plants."""
    return synthetic_inputs(n_members, n_plants=-(-n_members // 5), n_cabine=n_cabine)


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
