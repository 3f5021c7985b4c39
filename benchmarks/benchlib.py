"""Shared pieces of the benchmarks: synthetic communities, a numpy floor, fresh-process runs, the table.

Every figure is printed as ``figure | target | measured | ratio`` (ratio = measured / target: ≤ 1 meets
the target). Cases that must be cold (imports, caches) run in a fresh Python process and report their
wall time and the process's peak resident memory.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
YEAR = 2024


@dataclass
class Figure:
    """One benchmark figure: what, its target and what was measured (same unit)."""

    name: str
    target: float
    measured: float
    unit: str

    @property
    def ratio(self) -> float:
        return self.measured / self.target if self.target else float("nan")

    @property
    def met(self) -> bool:
        return self.measured <= self.target


def print_table(figures: list[Figure], file=None) -> None:
    """The figures as a Markdown table (figure, target, measured, ratio, met)."""
    out = file or sys.stdout
    print("| figure | target | measured | ratio | met |", file=out)
    print("|---|---:|---:|---:|:---:|", file=out)
    for f in figures:
        print(f"| {f.name} | {f.target:g} {f.unit} | {f.measured:.3g} {f.unit} | {f.ratio:.2f} | "
              f"{'yes' if f.met else 'no'} |", file=out)
    met = sum(f.met for f in figures)
    print(f"\n{met} of {len(figures)} targets met.", file=out)


def median_time(fn, repeat: int = 5) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs [s]."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far [MB]."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def fresh(code: str, timeout: float = 600, env: dict | None = None) -> tuple[float, dict]:
    """Run ``code`` in a fresh Python process (repository on the path): its wall time [s] and the JSON
    object it printed on its last line (it may print nothing). ``env`` adds environment variables.

    The process's cache folder (``CER_STUDIO_CACHE``: PVGIS downloads and the disk cache of derived data,
    ``cer_core/derived_cache.py``) is a new empty one unless ``env`` names one, so a figure is a first-ever
    one; the same folder given to a second run gives the warm figure."""
    prelude = f"import sys, json; sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
    with tempfile.TemporaryDirectory(prefix="cer-bench-cache-") as empty:
        env = {**os.environ, "CER_STUDIO_OFFLINE": "1", "CER_STUDIO_CACHE": empty, **(env or {})}
        t0 = time.perf_counter()
        proc = subprocess.run([PYTHON, "-c", prelude + code], capture_output=True, text=True, cwd=ROOT, env=env,
                              timeout=timeout, check=False)
        seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark case failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    return seconds, (json.loads(lines[-1]) if lines else {})


def command(args: list[str], env: dict | None = None, timeout: float = 600) -> tuple[float, float]:
    """Run ``python -m cer_core *args`` as a user does (fresh process, the module's own exit): its wall
    time [s] and its peak resident memory [MB] (``wait4``'s usage of that child alone). ``env`` as in
    :func:`fresh` (a new empty cache folder unless it names one). A failed command raises."""
    with tempfile.TemporaryDirectory(prefix="cer-bench-cache-") as empty, tempfile.TemporaryFile() as err:
        env = {**os.environ, "CER_STUDIO_OFFLINE": "1", "CER_STUDIO_CACHE": empty, **(env or {})}
        t0 = time.perf_counter()
        proc = subprocess.Popen([PYTHON, "-m", "cer_core", *args], stdout=subprocess.DEVNULL, stderr=err,
                                cwd=ROOT, env=env)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"benchmark command failed ({proc.returncode}):\n{err.read()[-2000:].decode()}")
    return seconds, usage.ru_maxrss / 1024  # Linux: kB


def synthetic_inputs(n_members: int, n_plants: int, n_cabine: int = 4, seed: int = 0):
    """A synthetic community with hourly inputs (engine only, no I/O): ``n_plants`` prosumers spread evenly
    among the members, random loads, a sinusoidal day of production, random zonal prices."""
    from cer_core import constants as C
    from cer_core.engine import SimulationInputs
    from cer_core.scenario import Face, Member, Plant, Scenario, Site
    from cer_core.timeaxis import hours_local, n_hours

    rng = np.random.default_rng(seed)
    h = n_hours(YEAR)
    step = max(1, n_members // max(n_plants, 1))
    owners = set(range(0, n_members, step)[:n_plants])
    members, plants = [], []
    for i in range(n_members):
        kind = "prosumer" if i in owners else "consumer"
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


def numpy_floor(inputs) -> np.ndarray:
    """The bare numpy pass the engine is compared with: the same shared energy per cabina and hour
    (member production, self-consumption, injection, withdrawal, sums per cabina, their minimum)."""
    sc = inputs.scenario
    index = {m.id: i for i, m in enumerate(sc.members)}
    cab_ids = sorted({m.cabina for m in sc.members})
    member_cab = np.array([cab_ids.index(m.cabina) for m in sc.members])
    owners = np.array([index[p.member] for p in sc.plants], dtype=int)
    load = inputs.load_kwh
    prod = np.zeros_like(load)
    prod[:, owners] = inputs.plant_production_kwh
    self_kwh = np.minimum(load, prod)
    inj = prod - self_kwh
    wd = load - self_kwh
    shared = np.empty((load.shape[0], len(cab_ids)))
    for c in range(len(cab_ids)):
        cols = member_cab == c
        shared[:, c] = np.minimum(inj[:, cols].sum(axis=1), wd[:, cols].sum(axis=1))
    return shared


def big_scenario_doc(n_members: int, n_plants: int, n_orientations: int = 100) -> dict:
    """A scenario document of ``n_members`` profile members (the demo's site, cabine and rules) with
    ``n_plants`` pvlib plants on ``n_orientations`` distinct orientations."""
    demo = json.loads((ROOT / "assets" / "demo" / "scenario.json").read_text(encoding="utf-8"))
    profiles = [("household", 2700, "household"), ("office", 30000, "sme"), ("shop", 15000, "sme"),
                ("school", 60000, "public_body")]
    cabine = [c["id"] for c in demo["cabine"]]
    members, plants = [], []
    step = max(1, n_members // max(n_plants, 1))
    for i in range(n_members):
        profile, kwh, category = profiles[0] if i % 10 < 7 else profiles[1 + i % 3]
        owner = i % step == 0 and len(plants) < n_plants
        members.append({"id": f"m{i}", "name": f"Membro {i}", "kind": "prosumer" if owner else "consumer",
                        "category": category, "cabina": cabine[i % len(cabine)],
                        "load": {"source": "profile", "profile": profile, "annual_kwh": kwh + i}})
        if owner:
            k = len(plants) % n_orientations
            plants.append({"id": f"p{i}", "name": f"Impianto {i}", "member": f"m{i}", "kwp": 3.0 + (i % 50),
                           "commissioning": f"{2022 + i % 3}-0{1 + i % 9}-15", "tilt_deg": 5 + k % 40,
                           "azimuth_deg": 90 + (k * 7) % 180, "production": {"source": "pvlib"}})
    return {**{k: v for k, v in demo.items() if k not in ("members", "plants")}, "members": members,
            "plants": plants}
