"""Fingerprints of every file ``simulate`` writes, for the scenarios a refactoring must not change.

Usage (from the repository root)::

    python scripts/outputs_fingerprint.py > before.txt      # on the old code
    python scripts/outputs_fingerprint.py > after.txt       # on the new code
    diff before.txt after.txt                              # empty: no result changed

Scenarios: the embedded demo, the studio's test community (``tests/data/studio/piccola_cer.zip``),
and the benchmarks' synthetic communities of 40 and 400 profile members with pvlib plants on many
orientations (``benchmarks/benchlib.big_scenario_doc``). Each line is ``scenario/file sha256``;
``summary.json``'s ``digest`` and ``origin`` fields depend only on the document, which is the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from benchlib import big_scenario_doc  # noqa: E402

from cer_core.cli import main as cli  # noqa: E402


def scenarios(tmp: Path) -> dict[str, Path]:
    out = {"demo": ROOT / "assets" / "demo" / "scenario.json",
           "piccola_cer": ROOT / "tests" / "data" / "studio" / "piccola_cer.zip"}
    for n, plants in ((40, 8), (400, 40)):
        path = tmp / f"synthetic_{n}.json"
        path.write_text(json.dumps(big_scenario_doc(n, plants, 20)), encoding="utf-8")
        out[f"synthetic_{n}"] = path
    return out


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for name, path in scenarios(tmp).items():
            out = tmp / "out" / name
            with contextlib.redirect_stdout(sys.stderr):
                rc = cli(["simulate", str(path), "--out", str(out)])
            if rc != 0:
                print(f"{name} simulate-failed rc={rc}")
                continue
            for f in sorted(out.iterdir()):
                print(f"{name}/{f.name} {hashlib.sha256(f.read_bytes()).hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
