"""Issue 16's scale targets: figure, target, measured and ratio, as one table.

Run from the repository root: ``python benchmarks/bench_scale.py`` (``make bench`` runs it with the others;
``--quick`` skips the 10,000-member engine run and the 1,000-member ``simulate``). Each case runs in a
fresh Python process, so cold figures include imports and empty caches where the target says cold; the
disk cache of derived data (``cer_core/derived_cache.py``) starts empty in every case, and the demo's
``simulate`` and the profiles are measured twice: first ever, then with the cache the first run filled.
Timings are medians where the case repeats; memory is the process's peak resident set.
See ``docs/performance.md`` for the figures measured and how to read them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import Figure, command, fresh, print_table

ENGINE_CASE = """
from benchlib import synthetic_inputs, numpy_floor, median_time, peak_rss_mb
from cer_core.engine import simulate
inputs = synthetic_inputs({members}, {plants}, 4)
repeat = {repeat}
simulate(inputs) if repeat > 1 else None  # warm-up (page faults, caches) for the repeated sizes
engine_s = median_time(lambda: simulate(inputs), repeat)
peak = peak_rss_mb()
floor_s = median_time(lambda: numpy_floor(inputs), repeat)
print(json.dumps({{"engine_s": engine_s, "floor_s": floor_s, "peak_mb": peak}}))
"""

PROFILES_CASE = """
import dataclasses, time
from cer_core import api
from cer_core.loads.member_load import profile_load
from cer_core.loads.profiles import PROFILE_NAMES
ws = api.demo_workspace()
sc, _ = api.validate(ws)
template = next(m for m in sc.members if m.category == "household")
members = []
for i in range(1000):
    if i % 10 < 7:
        load = {"source": "profile", "profile": "household", "annual_kwh": 1500 + i, "contract_kw": [3.0, 4.5, 6.0][i % 3]}
    else:
        load = {"source": "profile", "profile": PROFILE_NAMES[1 + i % (len(PROFILE_NAMES) - 1)], "annual_kwh": 20000 + i}
    members.append(dataclasses.replace(template, id=f"m{i}", load=load, contract_kw=None))
t0 = time.perf_counter()
for i, m in enumerate(members):
    profile_load(m.load, m, sc, f"members[{i}].load")
print(json.dumps({"cold_s": time.perf_counter() - t0}))
"""

IMPORT_CASE = """
import importlib.util, time, statistics
from cer_core.io import read_meter_files, to_hourly_year
spec = importlib.util.spec_from_file_location("mc", "tests/data/io_cases/make_cases.py")
mc = importlib.util.module_from_spec(spec); spec.loader.exec_module(mc)
files = {"chain2gate": ("y.jsonl", mc.chain2gate_jsonl("2024-01-01 00:15", "2025-01-01 00:00", truncated=False).encode()),
         "home_assistant": ("y.csv", mc.home_assistant_csv("2024-01-01 00:00", "2025-01-01 00:00").encode())}
out = {}
for key, (name, data) in files.items():
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        to_hourly_year(read_meter_files([(name, data)]), 2024)
        times.append(time.perf_counter() - t0)
    out[key + "_first_s"] = times[0]
    out[key + "_median_s"] = statistics.median(times)
print(json.dumps(out))
"""

PV_CASE = """
import dataclasses, time
import pvlib  # import time is not part of the figure
from cer_core.solar import pv, weather
from bench_pv import roofs
base = roofs(100)
plants = [dataclasses.replace(base[i % 100], id=f"r{i}", kwp=3.0 + i % 40) for i in range(1000)]
weather.clear_caches(); pv.clear_caches()
t0 = time.perf_counter()
pv.pv_production_kwh(plants, weather.site_weather(45.464, 9.190, 2024, {"source": "embedded"}), 2024)
print(json.dumps({"cold_s": time.perf_counter() - t0}))
"""


STUDIO_CASE = """
import statistics, time
sys.path.insert(0, "tests")
from studio_helpers import app_on
from cer_core.workspace import Workspace
from benchlib import big_scenario_doc
app_on("pages/panoramica.py")  # a warm server: imports and the demo done
ws = Workspace(doc=big_scenario_doc(1000, 100), origin="bench")
t0 = time.perf_counter()
at = app_on("pages/impianti.py", ws)
open_s = time.perf_counter() - t0
assert not at.exception, at.exception
edits = []
for i in range(3):
    field = next(w for w in at.text_input if w.key and w.key.startswith("grant_p0_"))
    t0 = time.perf_counter()
    field.set_value(str(10 + i)).run()
    edits.append(time.perf_counter() - t0)
    assert not at.exception, at.exception
print(json.dumps({"open_s": open_s, "edit_s": statistics.median(edits)}))
"""


def engine_figures(members: int, plants: int, target_s: float, target_mb: float | None, repeat: int) -> list[Figure]:
    _, r = fresh(ENGINE_CASE.format(members=members, plants=plants, repeat=repeat))
    label = f"engine, {members:,} members / {plants:,} plants / 4 cabine"
    figures = [Figure(f"{label}: time", target_s, r["engine_s"], "s"),
               Figure(f"{label}: × numpy floor ({r['floor_s']:.3f} s)", 3.0, r["engine_s"] / r["floor_s"], "×")]
    if target_mb:
        figures.append(Figure(f"{label}: peak memory (inputs included)", target_mb, r["peak_mb"], "MB"))
    return figures


def simulate_figures(tmp: Path, members: int | None) -> list[Figure]:
    if members is None:
        # `python -m cer_core simulate` as a user types it; a single run on a shared 2-core machine varies
        # by ±0.1 s, so each figure is the median of three runs
        first, warm = [], []
        for i in range(3):
            cache = {"CER_STUDIO_CACHE": str(tmp / f"cache_demo_{i}")}  # new and empty: the first run fills it
            first.append(command(["simulate", "--out", str(tmp / "demo")], env=cache)[0])
            warm.append(command(["simulate", "--out", str(tmp / "demo")], env=cache)[0])

        def runs(times: list[float]) -> str:
            return "median of 3: " + ", ".join(f"{t:.2f}" for t in sorted(times)) + " s"

        label = "simulate, demo (40 members), fresh process end to end"
        return [Figure(f"{label}, first ever (empty disk cache; {runs(first)})", 1.5, statistics.median(first), "s"),
                Figure(f"{label}, disk cache filled by the first ({runs(warm)})", 1.5, statistics.median(warm), "s")]
    import json

    from benchlib import big_scenario_doc

    path = tmp / "big" / "scenario.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(big_scenario_doc(members, members // 10)), encoding="utf-8")
    wall, peak_mb = command(["simulate", str(path), "--out", str(tmp / "big_out")],
                            env={"CER_STUDIO_CACHE": str(tmp / "cache_big")})  # empty: first ever
    return [Figure(f"simulate, {members:,} members / {members // 10} plants, fresh process: time", 10.0, wall, "s"),
            Figure(f"simulate, {members:,} members: peak memory", 1024.0, peak_mb, "MB")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10,000-member engine and 1,000-member simulate")
    args = parser.parse_args()
    figures: list[Figure] = []
    figures += engine_figures(1000, 100, 0.3, None, repeat=5)
    if not args.quick:
        figures += engine_figures(10_000, 1000, 3.0, 2048.0, repeat=1)
    with tempfile.TemporaryDirectory() as tmp:
        figures += simulate_figures(Path(tmp), None)
        if not args.quick:
            figures += simulate_figures(Path(tmp), 1000)
    if not args.quick:
        _, r = fresh(STUDIO_CASE)
        figures.append(Figure("studio (server side, AppTest), 1,000 members: open on Impianti", 5.0, r["open_s"], "s"))
        figures.append(Figure("studio, 1,000 members: edit to re-simulated page, median of 3", 1.0, r["edit_s"], "s"))
    with tempfile.TemporaryDirectory() as tmp:
        for label in ("first ever (empty disk cache)", "disk cache filled by the first"):
            _, r = fresh(PROFILES_CASE, env={"CER_STUDIO_CACHE": tmp})
            figures.append(Figure(f"profiles, 1,000 members, cold, {label}", 1.0, r["cold_s"], "s"))
    _, r = fresh(IMPORT_CASE)
    for key, label in (("chain2gate", "Chain2Gate JSONL"), ("home_assistant", "Home Assistant")):
        figures.append(Figure(f"{label} year import, median of 3 (first call {r[key + '_first_s']:.2f} s)", 0.5,
                              r[key + "_median_s"], "s"))
    _, r = fresh(PV_CASE)
    figures.append(Figure("PV, 1,000 roofs / 100 orientations, cold", 1.0, r["cold_s"], "s"))
    print_table(figures)


if __name__ == "__main__":
    main()
