"""Consumption data speed: importers on a year of quarter-hours, bills → hours, profiles for many members.

Prints wall times (best of 3 where noted). The year-long files are synthesised in memory by the test
case generator (``tests/data/io_cases/make_cases.py``), so nothing is written to disk.
Run: ``.venv/bin/python benchmarks/bench_io.py``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cer_core import api  # noqa: E402
from cer_core.io.bills import read_bills  # noqa: E402
from cer_core.loads.bills import bills_to_hourly  # noqa: E402
from cer_core.io import read_meter_files, to_hourly_year  # noqa: E402
from cer_core.loads.member_load import member_load, profile_load  # noqa: E402
from cer_core.loads.profiles import PROFILE_NAMES, profile_shape  # noqa: E402

_spec = importlib.util.spec_from_file_location("make_cases", ROOT / "tests" / "data" / "io_cases" / "make_cases.py")
mc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mc)
SAMPLES = ROOT / "tests" / "data" / "samples"


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def year_files() -> dict[str, bytes]:
    wide = (SAMPLES / "edistribuzione_wide_quartorario_2024_piccola_impresa.csv").read_bytes()
    xlsx = mc.to_xlsx(mc.wide_rows_for_xlsx(wide.decode()))
    s = mc.quarters("2024-01-01", "2024-12-31")
    loc = mc.local_of(s)
    generic = "inizio;kwh\n" + "\n".join(f"{t.isoformat()};{mc.it(v)}" for t, v in zip(loc, mc.truth_kwh(s)))
    return {
        "e-distribuzione wide CSV": wide,
        "e-distribuzione wide XLSX": xlsx,
        "PCF long CSV": mc.pcf_csv("2024-01-01", "2024-12-31").encode(),
        "Chain2Gate JSONL": mc.chain2gate_jsonl("2024-01-01 00:15", "2025-01-01 00:00", truncated=False).encode(),
        "Chain 2 normalised CSV": mc.chain2_csv("2024-01-01 00:15", "2025-01-01 00:00").encode(),
        "Home Assistant history": mc.home_assistant_csv("2024-01-01 00:00", "2025-01-01 00:00").encode(),
        "generic long CSV (ISO)": generic.encode(),
    }


def bench_importers() -> None:
    print("Import of a year of quarter-hours (read_meter_files, then to_hourly_year), best of 3:")
    names = {"e-distribuzione wide XLSX": "y.xlsx", "Chain2Gate JSONL": "y.jsonl"}
    for label, data in year_files().items():
        name = names.get(label, "y.csv")
        result = read_meter_files([(name, data)])
        t_read = best(lambda: read_meter_files([(name, data)]))
        t_hour = best(lambda: to_hourly_year(result, 2024))
        n = len(result.series[0].start_s)
        print(f"  {label:28s} {len(data) / 1e6:6.2f} MB  {n:6d} intervals  read {t_read * 1000:7.1f} ms"
              f"  hourly year {t_hour * 1000:6.1f} ms")


def bench_bills() -> None:
    bf = read_bills((SAMPLES / "bollette_mensili_2024_piccola_impresa.csv").read_bytes(), "b.csv")
    shape = lambda y: profile_shape("office", y)  # noqa: E731
    t = best(lambda: bills_to_hourly(bf.bills, 2024, shape, contract_kw=15.0), repeat=5)
    print(f"Bills → hours (12 monthly F1/F2/F3 bills, office shape, uncached call): {t * 1000:.1f} ms")


def bench_profiles() -> None:
    ws = api.demo_workspace()
    sc, _ = api.validate(ws)
    regions = ["Lombardia", "Lazio", "Sicilia", "Veneto", "Piemonte", "Campania", "Puglia", "Toscana"]
    template = next(m for m in sc.members if m.category == "household")
    members = []
    for i in range(1000):
        if i % 10 < 7:
            load = {"source": "profile", "profile": "household", "annual_kwh": 1500 + i,
                    "contract_kw": [3.0, 4.5, 6.0][i % 3]}
        else:
            load = {"source": "profile", "profile": PROFILE_NAMES[1 + i % (len(PROFILE_NAMES) - 1)],
                    "annual_kwh": 20000 + i}
        members.append(dataclasses.replace(template, id=f"m{i}", load=load, contract_kw=None))
    scs = {r: dataclasses.replace(sc, site=dataclasses.replace(sc.site, region=r)) for r in regions}

    def run():
        for i, m in enumerate(members):
            profile_load(m.load, m, scs[regions[i % len(regions)]], f"members[{i}].load")

    t0 = time.perf_counter()
    run()
    cold = time.perf_counter() - t0
    warm = best(run)
    print(f"Profiles for 1,000 members (8 regions, 3 power classes, every profile): cold {cold:.3f} s, "
          f"warm {warm * 1000:.0f} ms")


def bench_demo() -> None:
    import cer_core.loads.member_load as M
    import cer_core.loads.profiles as P

    for fn in (P.household_shape, P.activity_shape, P.public_lighting_shape, P.household_table, P._arera_raw,
               M._cached_bills_hourly):
        fn.cache_clear()
    ws = api.demo_workspace()
    sc, _ = api.validate(ws)
    chosen = [(i, m) for i, m in enumerate(sc.members) if (m.load or {}).get("source") in ("profile", "bills")]

    def run():
        for i, m in chosen:
            member_load(m, sc, ws, f"members[{i}].load")

    t0 = time.perf_counter()
    run()
    cold = time.perf_counter() - t0
    warm = best(run, repeat=5)
    i, m = next((i, m) for i, m in enumerate(sc.members) if (m.load or {}).get("source") == "file")
    t_file = best(lambda: member_load(m, sc, ws, f"members[{i}].load"), repeat=5)
    print(f"Demo: {len(chosen)} profile/bill members cold {cold * 1000:.0f} ms, warm {warm * 1000:.1f} ms; "
          f"the e-distribuzione member warm {t_file * 1000:.1f} ms (cached by content)")


if __name__ == "__main__":
    bench_importers()
    bench_bills()
    bench_profiles()
    bench_demo()
