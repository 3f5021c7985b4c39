"""Sizing sweeps on the demo: 20 sizes of one plant and 20 scale factors of every plant (target ≤ 3 s each).

Each size goes through the engine's energy and money steps on the community reduced to its plant owners
plus one aggregate consumer per cabina (exact, see ``cer_core/sizing.py``), with production scaled from
the simulated year (no pvlib). Prints the best of 3. Run: `.venv/bin/python benchmarks/bench_sizing.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cer_core.api import demo_workspace, run  # noqa: E402
from cer_core.sizing import inputs_from_results, sweep  # noqa: E402

TARGET_SWEEP_S = 3.0


def best_of(fn, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    outcome = run(demo_workspace(), shapley=False)
    base = inputs_from_results(outcome.scenario, outcome.results)
    plant = max(outcome.scenario.plants, key=lambda p: p.kwp).id
    print(f"{'figure':<40} {'target':>10} {'measured':>10}")
    for label, fn in ((f"sweep of {plant}, 20 sizes", lambda: sweep(base, plant)),
                      ("scale all plants, 20 factors", lambda: sweep(base))):
        seconds = best_of(fn)
        print(f"{label:<40} {f'≤ {TARGET_SWEEP_S:.1f} s':>10} {seconds:>8.2f} s "
              f"{'OK' if seconds <= TARGET_SWEEP_S else 'OVER'}")


if __name__ == "__main__":
    main()
