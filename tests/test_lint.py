"""Static check of the whole tree with ruff: undefined names, unused imports and variables, syntax errors."""

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_ruff_pyflakes_rules_pass():
    ruff = Path(sys.executable).parent / "ruff"
    exe = str(ruff) if ruff.exists() else shutil.which("ruff")
    assert exe, "ruff is in requirements-dev.txt: run `make test` to install it"
    proc = subprocess.run([exe, "check", "--select", "F,E9", "--exclude", ".venv", "--output-format", "concise", "."],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
