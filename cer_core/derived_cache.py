"""Derived arrays kept on disk between processes, for what a cold start spends importing libraries.

A fresh process that simulates the demo spent most of its time importing pvlib and SciPy (for the sun's
position and the PV chain) and the ``holidays`` package's 250 countries (for Italy's holidays), not
computing. The results of those computations depend only on their inputs, so the first process stores
them and the next ones read them back (``docs/performance.md``). The cache is honest by construction:

* **keyed by every input**: the caller's arguments and input bytes, the versions of the libraries the
  computation calls, numpy's, and a digest of the source files of the code that computes it (a change
  in any of them is a miss, never a stale hit);
* **in the user's cache folder**, beside the PVGIS downloads: ``$CER_STUDIO_CACHE/derived`` or
  ``~/.cache/cer-studio/derived``;
* **stored by python-diskcache** (:class:`diskcache.Cache`: an SQLite index, values in files written
  before their row is committed, safe across threads and processes), one ``Cache`` per process and
  folder, never closed on the hot path;
* **bounded by size**: at most :data:`MAX_BYTES` bytes, the least recently used removed first (a hit
  counts as a use). There is no bound on the number of entries (python-diskcache bounds size, not
  count, and size is what matters on a user's disk);
* **safe**: a value is the bytes of an ``.npz`` archive, stored and returned raw by python-diskcache
  and read with ``allow_pickle=False``; a row that python-diskcache would unpickle (a pickled key or
  value, which this module never writes) is refused, so nothing read from the folder is ever
  unpickled. An unreadable entry is a miss (and is removed); a folder or database that cannot be
  opened, read or written is a miss and the result simply not kept, never an error.
  ``CER_STUDIO_DISK_CACHE=0`` turns the cache off (the tests do, except the ones about it).

Values are exactly what the computation returned (arrays as stored bytes, text as given), so results are
bit for bit the same with or without the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import threading
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .paths import PACKAGE_DIR

#: Most bytes kept, all entries together (python-diskcache's ``size_limit``: its SQLite file included).
MAX_BYTES = 256 * 1024 * 1024
#: Most entries removed by one store beyond :data:`MAX_BYTES` (python-diskcache's ``cull_limit``).
CULL_LIMIT = 10
#: Seconds to wait for another process holding the cache's database; then a miss, or the result not kept.
TIMEOUT_S = 5.0
#: Bump to drop every entry written by an earlier layout of this module.
FORMAT = 1

_LOCK = threading.Lock()
_CACHES: dict[str, object] = {}  # folder -> its diskcache.Cache, one per process


def enabled() -> bool:
    """False when ``CER_STUDIO_DISK_CACHE`` is ``0``, ``false``, ``no`` or ``off``."""
    return os.environ.get("CER_STUDIO_DISK_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


def cache_dir() -> Path:
    """``derived`` in the studio's disk cache folder (:func:`cer_core.io.http.cache_root`:
    ``$CER_STUDIO_CACHE`` or ``~/.cache/cer-studio``)."""
    from .io.http import cache_root

    return cache_root() / "derived"


@lru_cache(maxsize=64)
def library_version(name: str) -> str:
    """An installed distribution's version (from its metadata: the library itself is not imported)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


@lru_cache(maxsize=64)
def code_digest(modules: tuple[str, ...]) -> str:
    """SHA-256 of the source files of ``modules`` (paths relative to the ``cer_core`` package)."""
    h = hashlib.sha256()
    for rel in modules:
        h.update(rel.encode() + b"\0" + (PACKAGE_DIR / rel).read_bytes() + b"\0")
    return h.hexdigest()


def entry_key(namespace: str, inputs: Iterable, *, code: Iterable[str] = (), libraries: Iterable[str] = ()) -> str:
    """The key of one computation: its namespace, inputs (``repr``, bytes hashed as they are), the
    versions of ``libraries`` and numpy, the digest of the ``code`` modules and :data:`FORMAT`."""
    h = hashlib.sha256(f"{namespace}\0{FORMAT}\0".encode())
    for part in inputs:
        h.update(part if isinstance(part, bytes) else repr(part).encode())
        h.update(b"\0")
    for name in ("numpy", *libraries):
        h.update(f"{name}={library_version(name)}\0".encode())
    h.update(code_digest(tuple(code)).encode())
    return f"{namespace}-{h.hexdigest()[:40]}"


def _open():
    """This process's :class:`diskcache.Cache` on :func:`cache_dir` (created once per folder), or None
    when the folder or its database cannot be opened."""
    folder = str(cache_dir())
    cache = _CACHES.get(folder)
    if cache is not None:
        return cache
    with _LOCK:
        cache = _CACHES.get(folder)
        if cache is None:
            import diskcache

            try:
                cache = diskcache.Cache(folder, timeout=TIMEOUT_S, disk=_bytes_only_disk(),
                                        size_limit=MAX_BYTES, cull_limit=CULL_LIMIT,
                                        eviction_policy="least-recently-used")
            except _failures():
                return None  # not kept: the next call tries again
            _CACHES[folder] = cache
    return cache


@lru_cache(maxsize=1)
def _failures() -> tuple[type[BaseException], ...]:
    """What a cache folder that cannot be used raises: a miss, or the result not kept."""
    import sqlite3

    import diskcache

    return (OSError, sqlite3.Error, diskcache.Timeout, ValueError)


@lru_cache(maxsize=1)
def _bytes_only_disk():
    """A :class:`diskcache.Disk` that returns raw bytes only: a pickled key or value is refused."""
    import diskcache
    from diskcache.core import MODE_BINARY, MODE_RAW

    class BytesOnlyDisk(diskcache.Disk):
        def get(self, key, raw):
            if not raw:
                raise ValueError("a pickled key in the derived-data cache: refused")
            return super().get(key, raw)

        def fetch(self, mode, filename, value, read):
            if mode not in (MODE_RAW, MODE_BINARY) or read:
                raise ValueError("a derived-data cache value that is not raw bytes: refused")
            return super().fetch(mode, filename, value, read)

    return BytesOnlyDisk


def load(key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``key``, or None (missing, unreadable or the cache off)."""
    if not enabled():
        return None
    cache = _open()
    if cache is None:
        return None
    try:
        raw = cache.get(key)
    except ValueError:  # a row this module never writes (pickled): refused, and removed below
        raw = b""
    except _failures():  # a busy or unreadable database: a miss
        return None
    if raw is None:
        return None
    try:
        if not isinstance(raw, bytes):
            raise ValueError("not bytes")
        with np.load(io.BytesIO(raw), allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):  # truncated or foreign: a miss, gone
        with contextlib.suppress(*_failures()):
            cache.delete(key)
        return None


def store(key: str, arrays: dict[str, np.ndarray]) -> None:
    """Store ``arrays`` under ``key`` (python-diskcache removes the least recently used entries beyond
    :data:`MAX_BYTES`). Never raises for a cache folder that cannot be written: the result is simply
    not kept."""
    if not enabled():
        return
    cache = _open()
    if cache is None:
        return
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with contextlib.suppress(*_failures()):
        cache.set(key, buffer.getvalue())


def keys() -> list[str]:
    """The keys stored, sorted (for tests and diagnostics); empty when the cache cannot be opened."""
    cache = _open() if enabled() else None
    if cache is None:
        return []
    try:
        return sorted(cache.iterkeys())
    except _failures():
        return []


def cached(key: str, compute: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """``load(key)``, or ``compute()`` stored under ``key``."""
    hit = load(key)
    if hit is not None:
        return hit
    value = compute()
    store(key, value)
    return value


def text_array(text: str) -> np.ndarray:
    """A string as an array an ``.npz`` holds without pickle (UTF-8 bytes)."""
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def array_text(arr: np.ndarray) -> str:
    """The string :func:`text_array` stored."""
    return np.asarray(arr, dtype=np.uint8).tobytes().decode("utf-8")
