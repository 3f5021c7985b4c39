"""Readers of the series users bring: one module per source format.

Entry point for the rest of the core: :func:`read_hourly_series` turns a file (bytes) into the
hourly values of a simulated year.
"""

from __future__ import annotations

import numpy as np

from .hourly_csv import read_hourly_csv, write_hourly_csv

__all__ = ["read_hourly_series", "read_hourly_csv", "write_hourly_csv"]


def read_hourly_series(data: bytes, name: str, year: int, kind: str = "load") -> np.ndarray:
    """Hourly kWh of ``year`` from a series file.

    Parameters
    ----------
    data : bytes
        File content.
    name : str
        File name (for messages and format detection).
    year : int
        Simulated year.
    kind : {"load", "production"}
        What the series is (a load uses withdrawals, a production series the plant's output).

    Returns
    -------
    numpy.ndarray
        kWh per local hour of ``year`` (8760/8784 values).
    """
    return read_hourly_csv(data, name, year, "kwh")
