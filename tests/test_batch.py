"""``python -m cer_core batch``: many scenarios in parallel, locally and on a Dask cluster (issue 16)."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

from cer_core.api import run
from cer_core.batch import HEADLINE_COLUMNS, SUMMARY_FILE, find_scenarios, run_batch
from cer_core.workspace import open_workspace

FIXTURE = ROOT / "tests" / "data" / "studio" / "piccola_cer.zip"


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "scenari"
    src.mkdir()
    shutil.copy(FIXTURE, src / "alfa.cerstudio.zip")
    shutil.copy(FIXTURE, src / "beta.zip")
    (src / "rotto.json").write_text('{"schema": "cer-studio/scenario@1", "name": 3}', encoding="utf-8")
    (src / "note.txt").write_text("not a scenario", encoding="utf-8")
    return src


def _table(out):
    with open(out / SUMMARY_FILE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _check(out, results):
    rows = _table(out)
    assert [r["scenario"] for r in rows] == ["alfa", "beta", "rotto"]
    assert list(rows[0]) == list(HEADLINE_COLUMNS)
    assert [r["status"] for r in rows] == ["ok", "ok", "error"]
    assert rows[2]["error"] and not (out / "rotto").exists()
    expected = run(open_workspace(FIXTURE), shapley=False).summary["totals"]
    for label in ("alfa", "beta"):
        summary = json.loads((out / label / "summary.json").read_text(encoding="utf-8"))
        assert summary["schema"] == "cer-studio/results@1"
        assert summary["totals"]["shared_kwh"] == pytest.approx(expected["shared_kwh"], rel=1e-9)
    row = rows[0]
    assert float(row["cer_incentives_eur"]) == pytest.approx(expected["cer_incentives_eur"], abs=1e-5)
    assert int(row["members"]) == expected["members"]
    assert [r.ok for r in results] == [True, True, False]


def test_find_scenarios_keeps_json_and_zip(folder):
    assert [p.name for p in find_scenarios(folder)] == ["alfa.cerstudio.zip", "beta.zip", "rotto.json"]


def test_batch_local_cores_failure_reported_and_rest_go_on(folder, tmp_path):
    out = tmp_path / "out"
    results = run_batch(find_scenarios(folder), out, workers=2, progress=False)
    _check(out, results)


@pytest.mark.slow
def test_batch_on_a_dask_cluster(folder, tmp_path):
    from distributed import LocalCluster

    out = tmp_path / "out"
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://",
                      dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://")
        results = run_batch(find_scenarios(folder), out, scheduler=cluster.scheduler_address, progress=False)
    _check(out, results)


def test_cli_batch(folder, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "cer_core", "--lang", "en", "batch", str(folder), "--out", str(out),
                           "--workers", "2", "--no-progress"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 2, proc.stderr  # one scenario failed: reported, the others written
    assert "rotto:" in proc.stderr and "Traceback" not in proc.stderr
    assert "2 scenarios simulated, 1 failed" in proc.stdout
    assert [r["status"] for r in _table(out)] == ["ok", "ok", "error"]


def test_cli_batch_missing_folder(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cer_core", "--lang", "en", "batch", str(tmp_path / "none"),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 2 and "scenarios folder not found" in proc.stderr and "Traceback" not in proc.stderr
