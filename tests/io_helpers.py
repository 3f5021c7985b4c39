"""Shared helpers of the importer tests: the synthetic truth behind tests/data/io_cases and file access."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "data" / "io_cases"
SAMPLES = ROOT / "tests" / "data" / "samples"

_spec = importlib.util.spec_from_file_location("io_make_cases", CASES / "make_cases.py")
make_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_cases)
truth_kwh = make_cases.truth_kwh


def case(name: str) -> tuple[str, bytes]:
    """(name, bytes) of a file in tests/data/io_cases."""
    return name, (CASES / name).read_bytes()


def sample(name: str) -> tuple[str, bytes]:
    """(name, bytes) of a file in tests/data/samples."""
    return name, (SAMPLES / name).read_bytes()


def truth_for(start_s: np.ndarray, interval_min: int, scale: float = 1.0) -> np.ndarray:
    """The truth summed to the series' interval."""
    start_s = np.asarray(start_s, dtype="int64")
    n = interval_min // 15
    return truth_kwh((start_s[:, None] + np.arange(n)[None, :] * 900).ravel(), scale).reshape(-1, n).sum(1)
