"""The split among members on the demo: re-split after a rule change (target ≤ 0.2 s), base and Shapley.

A rule change re-runs only :func:`cer_core.money.allocation.split` over the base read once from the
results (the base and the Shapley values do not depend on the rules). Prints the best of 5 for each
rule set, the base, the Shapley values and the whole ``allocation_summary``; and the Shapley values
on a synthetic 400-member community. Run: `.venv/bin/python benchmarks/bench_allocation.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cer_core.money.allocation import PRESETS, Regolamento, allocation_summary, base_from_results, preset, split  # noqa: E402
from cer_core.api import demo_workspace, run  # noqa: E402
from cer_core.money.shapley import shapley_of_results  # noqa: E402

TARGET_RESPLIT_S = 0.2


def best_of(fn, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    outcome = run(demo_workspace())
    results, sc = outcome.results, outcome.scenario
    base = base_from_results(results, sc)
    print(f"demo: {len(base.member_ids)} members, {len(base.plant_owner)} plants, {len(results.cabina_ids)} cabine")
    worst = 0.0
    for name in PRESETS:
        rules = preset(name)
        seconds = best_of(lambda: split(base, rules))
        worst = max(worst, seconds)
        print(f"re-split, rules '{name}': {seconds * 1000:.1f} ms")
    custom = Regolamento(consumers_key="category", category_weights={"household": 2.0}, third_party_eur_mwh=10.0,
                         platform_eur_per_member_year=12.0, insurance_eur_year=300.0)
    seconds = best_of(lambda: split(base, custom))
    worst = max(worst, seconds)
    print(f"re-split, custom rules: {seconds * 1000:.1f} ms")
    print(f"worst re-split: {worst * 1000:.1f} ms (target ≤ {TARGET_RESPLIT_S * 1000:.0f} ms): "
          f"{'OK' if worst <= TARGET_RESPLIT_S else 'OVER'}")
    print(f"base from results (once per simulation): {best_of(lambda: base_from_results(results, sc), 3) * 1000:.1f} ms")
    shap = {}
    seconds = best_of(lambda: shap.update(shapley_of_results(results)), 2)
    print(f"Shapley values (once per simulation): {seconds * 1000:.0f} ms, method {shap['method']}, "
          f"max standard error {shap['max_stderr_eur']:.0f} € of {shap['total_eur']:,.0f} €")
    seconds = best_of(lambda: allocation_summary(results, sc, shapley=shap, base=base), 3)
    print(f"allocation_summary with cached base and Shapley: {seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
