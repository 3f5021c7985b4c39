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
* **bounded**: at most :data:`MAX_ENTRIES` files and :data:`MAX_BYTES` bytes, the least recently used
  removed first (a hit touches its file);
* **safe**: entries are ``.npz`` files written to a temporary name and renamed, read without pickle; an
  unreadable entry is a miss (and is removed). ``CER_STUDIO_DISK_CACHE=0`` turns the cache off (the
  tests do, except the ones about it).

Values are exactly what the computation returned (arrays as stored bytes, text as given), so results are
bit for bit the same with or without the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .paths import PACKAGE_DIR

#: Most entries kept (each is one computation's result).
MAX_ENTRIES = 256
#: Most bytes kept, all entries together.
MAX_BYTES = 256 * 1024 * 1024
#: Bump to drop every entry written by an earlier layout of this module.
FORMAT = 1

_LOCK = threading.Lock()


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


def load(key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``key``, or None (missing, unreadable or the cache off)."""
    if not enabled():
        return None
    path = cache_dir() / f"{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, KeyError):  # truncated or foreign: a miss, and gone
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return None
    with contextlib.suppress(OSError):  # a read-only cache still serves its entries
        os.utime(path)  # recently used
    return arrays


def store(key: str, arrays: dict[str, np.ndarray]) -> None:
    """Store ``arrays`` under ``key`` (atomically), then trim the cache to its bounds. Never raises for
    a cache folder that cannot be written: the result is simply not kept."""
    if not enabled():
        return
    folder = cache_dir()
    tmp = folder / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, folder / f"{key}.npz")
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return
    trim()


def trim(max_entries: int | None = None, max_bytes: int | None = None) -> None:
    """Remove the least recently used entries beyond :data:`MAX_ENTRIES` or :data:`MAX_BYTES`."""
    max_entries = MAX_ENTRIES if max_entries is None else max_entries
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    with _LOCK:
        entries = []
        for path in cache_dir().glob("*.npz"):
            try:
                st = path.stat()
            except OSError:
                continue
            entries.append((st.st_mtime_ns, st.st_size, path))
        entries.sort(reverse=True)  # most recent first
        total = 0
        for i, (_, size, path) in enumerate(entries):
            total += size
            if i >= max_entries or total > max_bytes:
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)


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
