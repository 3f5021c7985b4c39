"""``python -m cer_core`` ends without the interpreter's teardown (cer_core.cli.leave): what a normal exit
does that matters must still happen: the exit code, every line of output, the atexit handlers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUN_AS_MODULE = """
import atexit, runpy, sys
atexit.register(lambda: print("atexit ran", flush=True))
sys.argv = ["cer_core", *sys.argv[1:]]
runpy.run_module("cer_core", run_name="__main__")
"""


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-c", RUN_AS_MODULE, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "CER_STUDIO_OFFLINE": "1", **(env or {})}, timeout=300)


def test_a_successful_command_flushes_its_output_and_runs_the_atexit_handlers(tmp_path):
    proc = _run("--lang", "en", "validate")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "atexit ran"  # after the command's own lines, flushed
    assert len(proc.stdout.splitlines()) >= 2


def test_a_failed_command_keeps_its_exit_code_and_message(tmp_path):
    proc = _run("--lang", "en", "simulate", str(tmp_path / "missing.json"), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "missing.json" in proc.stderr
    assert proc.stdout.strip() == "atexit ran"


def test_the_full_exit_can_be_asked_for_and_gives_the_same_result(tmp_path):
    quick = _run("--lang", "en", "validate")
    full = _run("--lang", "en", "validate", env={"CER_STUDIO_FULL_EXIT": "1"})
    assert (quick.returncode, quick.stdout) == (full.returncode, full.stdout)


def test_simulate_output_files_are_complete_after_the_quick_exit(tmp_path):
    import json

    proc = _run("simulate", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"]["shared_kwh"] > 0
    rows = (tmp_path / "hourly_members.csv").read_text(encoding="utf-8").splitlines()
    n_members = len(summary["members"])
    assert len(rows) == 1 + 8784 * n_members  # 2024: 8,784 hours, one row per member and hour
    assert rows[-1].count(",") == rows[0].count(",")


def test_a_reader_that_went_away_ends_the_command_quietly(monkeypatch, capsys):
    """``python -m cer_core validate | head -0``: no "Broken pipe" line, no exit code of invalid input."""
    from cer_core import cli

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

        def fileno(self):
            raise ValueError("no file descriptor")  # _silence_stdout gives up quietly

    monkeypatch.setattr("sys.stdout", ClosedPipe())
    assert cli.main(["--lang", "en", "validate"]) == cli.EXIT_BROKEN_PIPE
    assert capsys.readouterr().err == ""
