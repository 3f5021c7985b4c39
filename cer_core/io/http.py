"""What the studio's network clients share: the offline switch, the disk cache folder, atomic cache writes,
and a remembered network failure.

Used by :mod:`cer_core.io.pvgis` (PVGIS typical years) and :mod:`cer_core.io.openmeteo` (the forecast).
Each client keeps its own transport, timeouts and retry policy (PVGIS: one request in a background
thread with a deadline; Open-Meteo: a few retries with a growing pause), since those differ; what is
here is the part that is the same for both. No request is made here. See ``docs/architecture.md``.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from ..errors import render_pair

#: Environment variable that switches every network client off (the disk caches are still read).
OFFLINE_ENV = "CER_STUDIO_OFFLINE"
#: Environment variable naming the disk cache folder (default ``~/.cache/cer-studio``).
CACHE_ENV = "CER_STUDIO_CACHE"


def offline() -> bool:
    """True when ``CER_STUDIO_OFFLINE`` (``1``, ``true`` or ``yes``) switches the network off."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes")


def cache_root() -> Path:
    """The studio's disk cache folder: ``$CER_STUDIO_CACHE`` or ``~/.cache/cer-studio``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "cer-studio"


def write_atomic(path: Path, data: bytes, lock: threading.Lock | threading.RLock | None = None) -> bool:
    """Write ``data`` to ``path`` through a temporary file and a rename, so a reader never sees half a file.

    The disk cache is a convenience: a failure (read-only folder, full disk) is ignored and reported
    only by the return value.

    Returns
    -------
    bool
        True when the file was written.
    """
    try:
        if lock is not None:
            with lock:
                _write(path, data)
        else:
            _write(path, data)
        return True
    except OSError:
        return False


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{threading.get_ident()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class ServiceUnavailable(Exception):
    """A web service could not be used; ``it`` and ``en`` say why in one sentence."""

    def __init__(self, it: str, en: str):
        super().__init__(en)
        self.it, self.en = it, en

    @classmethod
    def of(cls, key: str, **values):
        """The reason ``key`` of the catalogue (``notes.*``) filled with ``values``, in both languages."""
        return cls(*render_pair(key, **values))


class FailureMemory:
    """A service's last network failure, remembered so that callers answer at once for a while.

    The window is given when asking (:meth:`recent`), so a client's module constant (e.g.
    ``RETRY_AFTER_S``) stays the one place to change it, tests included.
    """

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._at: float | None = None
        self._it = self._en = ""

    def record(self, it: str, en: str) -> None:
        """Remember a failure now, with its reason in Italian and English."""
        with self._lock:
            self._at, self._it, self._en = self._clock(), it, en

    def recent(self, window_s: float) -> tuple[str, str] | None:
        """The reason ``(it, en)`` of a failure less than ``window_s`` seconds ago, else None."""
        with self._lock:
            if self._at is not None and self._clock() - self._at < window_s:
                return self._it, self._en
            return None

    def succeeded(self) -> None:
        """A request went through: the next failure starts a new window (the last reason stays for messages)."""
        with self._lock:
            self._at = None

    def last(self) -> tuple[str, str]:
        """The reason of the last failure, however old (empty strings when none or forgotten)."""
        with self._lock:
            return self._it, self._en

    def forget(self) -> None:
        """Forget the failure (a success, tests, a "try again" button)."""
        with self._lock:
            self._at, self._it, self._en = None, "", ""
