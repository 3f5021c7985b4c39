"""Peak memory of each refusal of ``docs/limits.md``, and of a profile-only community near the size limit.

Each case runs in a fresh Python process (``-c``) that builds its hostile input, calls the core and
prints its peak resident memory (``ru_maxrss``) above the memory it had once the core was imported,
plus the peak of Python allocations (tracemalloc) during the call. Hostile files are generated in a
temporary folder (sparse where possible), nothing is committed.
Run: ``.venv/bin/python benchmarks/bench_limits.py [--members 100,300]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PRELUDE = r"""
import io, json, resource, sys, time, tracemalloc, zipfile, zlib, struct
sys.path.insert(0, {root!r}); sys.path.insert(0, {root!r} + "/tests")
from cer_core.api import run, validate
from cer_core.errors import CerInputError
from cer_core.io.hourly_csv import read_hourly_csv
from cer_core.workspace import open_workspace, workspace_from_bytes
MB = 1024 * 1024
TMP = {tmp!r}

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def measure(label, build, call):
    arg = build()
    base = rss_mb()
    tracemalloc.start()
    t = time.perf_counter()
    try:
        call(arg)
        outcome = "accepted"
    except CerInputError as exc:
        outcome = exc.problems[0].code
    seconds = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({{"case": label, "outcome": outcome, "rss_above_mb": round(rss_mb() - base, 1),
                      "alloc_peak_mb": round(peak / MB, 1), "seconds": round(seconds, 2)}}))
"""

CASES = {
    "zip bomb: scenario.json + 1 GB of spaces (≈1 MB bundle)": r"""
from test_hardening import padded_scenario_bundle
measure(CASE, lambda: padded_scenario_bundle(1024 * MB), lambda d: workspace_from_bytes(d, "bomb.zip"))
""",
    "bundle with a 120 MB CSV (≈0.2 MB compressed)": r"""
from test_hardening import bundle, base_files
def build():
    return bundle(files={**base_files(), "series/big.csv": b"2025-01-01T00:00:00+01:00,1.0\n" * (120 * MB // 30)})
measure(CASE, build, lambda d: workspace_from_bytes(d, "big.zip"))
""",
    "bundle entry declaring 1 KB, holding 200 MB": r"""
from test_hardening import bundle, base_files, patch_entry
def build():
    return patch_entry(bundle(files={**base_files(), "series/x.csv": b"0" * (200 * MB)}), "series/x.csv", size=1024)
measure(CASE, build, lambda d: workspace_from_bytes(d, "lie.zip"))
""",
    "scenario.json of 1.5 GB on disk (sparse)": r"""
def build():
    p = TMP + "/huge.json"
    with open(p, "wb") as fh:
        fh.truncate(1536 * MB)
    return p
measure(CASE, build, open_workspace)
""",
    "scenario referring to a 200 MB hourly CSV on disk": r"""
import os
from test_scenario import base_doc, base_files
def build():
    os.makedirs(TMP + "/s/series", exist_ok=True)
    for k, v in base_files().items():
        open(TMP + "/s/" + k, "wb").write(v)
    with open(TMP + "/s/series/b.csv", "ab") as fh:
        fh.truncate(200 * MB)
    open(TMP + "/s/scenario.json", "w").write(json.dumps(base_doc()))
    return open_workspace(TMP + "/s/scenario.json")
measure(CASE, build, run)
""",
    "hourly CSV of 40 MB given to the hourly reader": r"""
measure(CASE, lambda: b"timestamp,kwh\n" + b"2025-01-01T00:00:00+01:00,1.0\n" * (40 * MB // 30),
        lambda d: read_hourly_csv(d, "x.csv", 2025))
""",
    "JSON nested 100,000 deep": r"""
measure(CASE, lambda: b"[" * 100000 + b"]" * 100000, lambda d: workspace_from_bytes(d, "deep.json"))
""",
    "a 10 MB comune name": r"""
from test_scenario import base_doc
from test_hardening import mem_ws
def build():
    doc = base_doc(); doc["site"]["comune"] = "x" * (10 * MB)
    return mem_ws(doc)
def call(ws):
    sc, problems = validate(ws)
    print("message chars:", sum(len(p.message("en")) for p in problems), file=sys.stderr)
    if sc is None:
        raise CerInputError(problems)
measure(CASE, build, call)
""",
}

COMMUNITY = r"""
from cer_core.limits import MAX_MEMBERS
from cer_core.workspace import Workspace
def build():
    members = [{{"id": f"m{{i}}", "kind": "consumer", "category": "household", "cabina": "CP1",
                 "load": {{"source": "profile", "profile": "household", "annual_kwh": 2700}}}} for i in range({n})]
    doc = {{"schema": "cer-studio/scenario@1", "name": "big", "year": 2025, "site": {{"comune": "Rozzano",
           "weather": {{"source": "embedded"}}}}, "members": members, "plants": [], "prices": {{"source": "flat",
           "eur_mwh": 100}}}}
    return Workspace(doc=doc, origin="big")
measure(CASE + f" (limit {{MAX_MEMBERS}})", build, run)
"""


def run_case(label: str, body: str, tmp: str) -> dict:
    code = PRELUDE.format(root=str(ROOT), tmp=tmp) + f"CASE = {label!r}\n" + body
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={"CER_STUDIO_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        return {"case": label, "outcome": f"crashed: {proc.stderr.strip().splitlines()[-1:]}"}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="100,300", help="profile-only community sizes to simulate")
    args = parser.parse_args()
    print(f"{'case':62} {'outcome':24} {'RSS above':>10} {'alloc peak':>11} {'time':>7}")
    with tempfile.TemporaryDirectory(prefix="cer_bench_limits_") as tmp:
        cases = list(CASES.items()) + [(f"profile-only community, {n} members", COMMUNITY.format(n=int(n)))
                                       for n in args.members.split(",") if n]
        for label, body in cases:
            r = run_case(label, body, tmp)
            print(f"{r['case'][:62]:62} {r['outcome'][:24]:24} {r.get('rss_above_mb', float('nan')):>7.1f} MB "
                  f"{r.get('alloc_peak_mb', float('nan')):>8.1f} MB {r.get('seconds', float('nan')):>6.2f}s", flush=True)


if __name__ == "__main__":
    main()
