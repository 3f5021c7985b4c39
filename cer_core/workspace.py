"""A scenario document together with the files it refers to.

The scenario JSON is the single source of truth; its ``path`` fields point to series files (meter
curves, bills, production, prices) relative to the scenario file. A :class:`Workspace` pairs the
document with those files, wherever they live: a folder on disk (the CLI), memory (the studio's
uploads) or a ``.zip`` bundle (the studio's save file, which reopens the identical community).
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import posixpath
import stat
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import CerInputError, Problem, error, excerpt
from .limits import (MAX_BUNDLE_BYTES, MAX_BUNDLE_ENTRIES, MAX_BUNDLE_UNPACKED_BYTES, MAX_JSON_DEPTH,
                     MAX_REFERENCED_FILE_BYTES, MAX_SCENARIO_JSON_BYTES)
from .vocabulary import DEFAULT_CABINA_ID, DEFAULT_CABINA_NAME, REFERENCE_YEAR

SCENARIO_SCHEMA_ID = "cer-studio/scenario@1"
BUNDLE_SCENARIO_NAME = "scenario.json"
_MB = 1024 * 1024
_CHUNK = 1024 * 1024


def new_document(name: str, comune: str, year: int = REFERENCE_YEAR) -> dict:
    """A fresh scenario document: a name, a comune, a year, one cabina primaria, no member, no plant,
    the site's automatic weather and the embedded prices (``docs/scenario.md``).

    Parameters
    ----------
    name : str
        The community's name (surrounding spaces dropped).
    comune : str
        The comune as the scenario stores it (``"Rozzano"``, or ``"Name (PR)"`` for a shared name).
    year : int
        The simulated year; :data:`REFERENCE_YEAR` by default.

    Returns
    -------
    dict
        A new document (no object shared between two calls).
    """
    return {"schema": SCENARIO_SCHEMA_ID, "name": name.strip(), "year": int(year),
            "site": {"comune": comune, "weather": {"source": "auto"}},
            "cabine": [{"id": DEFAULT_CABINA_ID, "name": DEFAULT_CABINA_NAME}], "members": [], "plants": [],
            "prices": {"source": "embedded"}}


def normalise_relpath(path: str) -> str:
    """A relative POSIX path without ``.`` segments; refuses absolute paths and ``..`` escapes."""
    text = str(path).replace("\\", "/")
    if "\x00" in text:
        raise ValueError(path)  # no file system takes a NUL in a name
    norm = posixpath.normpath(text)
    if norm.startswith("../") or norm == ".." or posixpath.isabs(norm):
        raise ValueError(path)
    return norm


@dataclass
class Workspace:
    """A scenario document and the files it references.

    Parameters
    ----------
    doc : dict
        The scenario (``cer-studio/scenario@1``), as parsed from JSON.
    files : dict[str, bytes]
        Files held in memory, by relative path (uploads, bundle contents). They take precedence over
        ``base_dir``.
    base_dir : pathlib.Path or None
        Folder against which the other relative paths are resolved.
    origin : str
        What the workspace was read from (for messages).
    """

    doc: dict
    files: dict[str, bytes] = field(default_factory=dict)
    base_dir: Path | None = None
    origin: str = ""
    # hashes of in-memory files, shared by copies: path → (the bytes object hashed, its sha256). The
    # studio asks for the digest several times a rerun; uploads are hashed once, not on every call.
    _hashes: dict = field(default_factory=dict, repr=False, compare=False)

    def has_file(self, path: str) -> bool:
        """True if ``path`` (relative) can be read."""
        try:
            rel = normalise_relpath(path)
        except ValueError:
            return False
        if rel in self.files:
            return True
        try:
            return self._disk_path(rel) is not None
        except (ValueError, OSError):
            return False

    def _disk_path(self, rel: str) -> Path | None:
        """The regular file ``rel`` under ``base_dir``, or None when there is none.

        Raises ``ValueError`` when it resolves (through a symlink) outside the scenario's folder.
        """
        if self.base_dir is None:
            return None
        base = self.base_dir.resolve()
        target = (base / rel).resolve()
        if target != base and base not in target.parents:
            raise ValueError(rel)
        return target if target.is_file() else None

    def read_file(self, path: str) -> bytes:
        """Bytes of the file at relative ``path``.

        Raises ``FileNotFoundError`` when missing, ``ValueError`` for a path leaving the scenario's
        folder (``..``, absolute, or a symlink pointing outside), :class:`CerInputError` for a file
        larger than :data:`cer_core.limits.MAX_REFERENCED_FILE_BYTES` (checked before reading).
        """
        rel = normalise_relpath(path)
        if rel in self.files:
            return self.files[rel]
        target = self._disk_path(rel)
        if target is None:
            raise FileNotFoundError(path)
        size = target.stat().st_size
        if size > MAX_REFERENCED_FILE_BYTES:
            raise _too_large(excerpt(path, 60), size, MAX_REFERENCED_FILE_BYTES)
        return target.read_bytes()

    def add_file(self, path: str, data: bytes) -> str:
        """Store ``data`` in memory under ``path``; returns the normalised relative path."""
        rel = normalise_relpath(path)
        self.files[rel] = bytes(data)
        return rel

    def referenced_paths(self) -> list[str]:
        """Every ``path`` the document refers to, in document order."""
        found: list[str] = []

        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "path" and isinstance(value, str):
                        found.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.doc)
        return found

    def copy(self) -> "Workspace":
        """A deep copy of the document with the same (immutable) file contents."""
        return Workspace(doc=copy.deepcopy(self.doc), files=dict(self.files), base_dir=self.base_dir,
                         origin=self.origin, _hashes=self._hashes)

    def with_doc(self, doc: dict) -> "Workspace":
        """Another document over the same files (and their cached hashes), e.g. one member's sub-scenario."""
        return Workspace(doc=doc, files=self.files, base_dir=self.base_dir, origin=self.origin,
                         _hashes=self._hashes)

    def _file_hash(self, path: str) -> bytes:
        """sha256 of a referenced file; in-memory files are hashed once per content object."""
        rel = normalise_relpath(path)
        data = self.files.get(rel)
        if data is None:
            return hashlib.sha256(self.read_file(rel)).digest()  # on disk: it may change, hash it each time
        cached = self._hashes.get(rel)
        if cached is not None and cached[0] is data:
            return cached[1]
        sha = hashlib.sha256(data).digest()
        self._hashes[rel] = (data, sha)
        return sha

    def digest(self) -> str:
        """A short hash of the document and every referenced file: the simulation's cache key."""
        h = hashlib.sha256(json.dumps(self.doc, sort_keys=True, default=str).encode())
        for path in sorted(set(self.referenced_paths())):
            h.update(path.encode())
            try:
                h.update(self._file_hash(path))
            except (FileNotFoundError, ValueError, OSError):
                h.update(b"<missing>")
        return h.hexdigest()[:20]

    def to_bundle(self) -> bytes:
        """A zip holding ``scenario.json`` and every referenced file: reopens the identical community."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(BUNDLE_SCENARIO_NAME, json.dumps(self.doc, indent=2, ensure_ascii=False))
            for path in sorted(set(self.referenced_paths())):
                try:
                    zf.writestr(normalise_relpath(path), self.read_file(path))
                except (FileNotFoundError, ValueError, OSError, CerInputError):
                    continue  # validation reports missing, refused and oversized files; the bundle keeps the rest
        return buf.getvalue()


def _too_large(where: str, size: int, limit: int, what_it: str = "file", what_en: str = "file"):
    return error(where, "problems.scenario.too_large", "scenario.too_large", what={"it": what_it, "en": what_en},
                 size=size / _MB, limit=limit / _MB)


def _json_depth(node) -> int:
    """Deepest nesting of lists/dicts in a parsed JSON value (iterative: no recursion limit)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return deepest


def _too_deep(origin: str):
    return error(origin, "problems.scenario.too_deep", "scenario.too_deep", max_json_depth=MAX_JSON_DEPTH)


def _parse_json(data: bytes, origin: str) -> dict:
    if len(data) > MAX_SCENARIO_JSON_BYTES:
        raise _too_large(origin, len(data), MAX_SCENARIO_JSON_BYTES, "scenario JSON", "scenario JSON")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(origin, "problems.scenario.encoding", "scenario.encoding")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{origin}:{exc.lineno}", "problems.scenario.json", "scenario.json", colno=exc.colno, msg=exc.msg)
    except RecursionError:
        raise _too_deep(origin) from None
    except ValueError:  # a number of more than 4300 digits (Python's int conversion limit)
        raise error(origin, "problems.scenario.json.long_number", "scenario.json") from None
    if not isinstance(doc, dict):
        raise error(origin, "problems.scenario.not_object.2", "scenario.not_object")
    if _json_depth(doc) > MAX_JSON_DEPTH:
        raise _too_deep(origin)
    return doc


def workspace_from_bytes(data: bytes, name: str, base_dir: Path | None = None) -> Workspace:
    """Open a scenario JSON or a ``.zip`` bundle given as bytes (an upload or a file's content)."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise _too_large(name, len(data), MAX_BUNDLE_BYTES)
    if data[:4] == b"PK\x03\x04":
        return _workspace_from_zip(data, name)
    return Workspace(doc=_parse_json(data, name), base_dir=base_dir, origin=name)


def _damaged(name: str, entry: str, exc: BaseException):
    kind = type(exc).__name__
    return error(f"{name}/{excerpt(entry, 60)}", "problems.scenario.bad_entry", "scenario.bad_entry", kind=kind)


class _Budget:
    """Bytes still allowed for the bundle's unpacked content."""

    def __init__(self, name: str):
        self.name, self.left = name, MAX_BUNDLE_UNPACKED_BYTES

    def refuse(self):
        return error(self.name, "problems.scenario.too_large.2", "scenario.too_large",
                     max_bundle_unpacked_bytes=MAX_BUNDLE_UNPACKED_BYTES / _MB)


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, budget: _Budget, name: str) -> bytes:
    """An entry's bytes, streamed: refused before decompressing when its declared size is over ``limit`` or
    the budget, and as soon as the data read goes over either (declared sizes can lie)."""
    where = f"{name}/{excerpt(info.filename, 60)}"
    if info.flag_bits & 0x1:
        raise _damaged(name, info.filename, RuntimeError("encrypted"))
    if info.file_size > limit:
        raise _too_large(where, info.file_size, limit)
    if info.file_size > budget.left:
        raise budget.refuse()
    chunks, size = [], 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise _too_large(where, size, limit)
                if size > budget.left:
                    raise budget.refuse()
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError, ValueError) as exc:
        raise _damaged(name, info.filename, exc) from None
    if size != info.file_size:
        raise _damaged(name, info.filename, ValueError("size"))
    budget.left -= size
    return b"".join(chunks)


def _workspace_from_zip(data: bytes, name: str) -> Workspace:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError, ValueError):
        raise error(name, "problems.scenario.bad_zip", "scenario.bad_zip") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.filename.endswith("/")]
        if len(infos) > MAX_BUNDLE_ENTRIES:
            raise error(name, "problems.scenario.too_many", "scenario.too_many", n_infos=len(infos),
                        max_bundle_entries=MAX_BUNDLE_ENTRIES)
        candidates = [i for i in infos if posixpath.basename(i.filename) == BUNDLE_SCENARIO_NAME]
        if not candidates:
            raise error(name, "problems.scenario.bundle_no_scenario", "scenario.bundle_no_scenario",
                        bundle_scenario_name=BUNDLE_SCENARIO_NAME)
        main = min(candidates, key=lambda i: len(i.filename))
        prefix = main.filename[: -len(BUNDLE_SCENARIO_NAME)]
        budget = _Budget(name)
        # scenario.json counts in the unpacked total like every other entry (a padded one is a zip bomb)
        doc = _parse_json(_read_entry(zf, main, MAX_SCENARIO_JSON_BYTES, budget, name), f"{name}/{main.filename}")
        files: dict[str, bytes] = {}
        for info in infos:
            if info is main or not info.filename.startswith(prefix):
                continue
            try:
                rel = normalise_relpath(info.filename[len(prefix):])
            except ValueError:
                continue  # zip-slip entries are never used
            files[rel] = _read_entry(zf, info, MAX_REFERENCED_FILE_BYTES, budget, name)
    return Workspace(doc=doc, files=files, origin=name)


def open_workspace(path: str | Path) -> Workspace:
    """Open a scenario JSON (paths relative to its folder) or a ``.zip`` bundle from disk.

    The size is checked before reading: at most :data:`cer_core.limits.MAX_SCENARIO_JSON_BYTES` for a
    JSON, :data:`cer_core.limits.MAX_BUNDLE_BYTES` for a bundle.
    """
    p = Path(path)
    shown = excerpt(path, 120)
    try:
        st = p.stat()
    except (OSError, ValueError):
        st = None
    if st is None or not stat.S_ISREG(st.st_mode):
        raise error(shown, "problems.scenario.missing", "scenario.missing")
    with open(p, "rb") as fh:
        head = fh.read(4)
        is_zip = head == b"PK\x03\x04"
        limit = MAX_BUNDLE_BYTES if is_zip else MAX_SCENARIO_JSON_BYTES
        if st.st_size > limit:
            raise _too_large(shown, st.st_size, limit)
        data = head + fh.read(limit + 1 - len(head))
    if len(data) > limit:  # grew while reading
        raise _too_large(shown, len(data), limit)
    base_dir = Path(os.path.abspath(p)).parent.resolve()
    return workspace_from_bytes(data, shown, base_dir=base_dir)


#: Keys whose files travel with the scenario but are not read by the simulation (the studio keeps a load's
#: original uploads there).
KEPT_ONLY_KEYS = ("originals",)


def path_problems(ws: Workspace) -> list[Problem]:
    """Every ``path`` of the document that cannot be used, said for what it is (the same refusals as
    :meth:`Workspace.read_file`): leaving the scenario's folder (``..``, absolute, a symlink pointing
    outside) or missing."""
    problems: list[Problem] = []

    def walk(node, where: str, kept_only: bool):
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{where}.{key}" if where else str(key)
                if key == "path" and isinstance(value, str):
                    found = _path_problem(ws, value, here)
                    if kept_only:  # files kept for reference (a load's "originals"), never read: a warning
                        found = [replace(p, severity="warning") for p in found]
                    problems.extend(found)
                else:
                    walk(value, here, kept_only or key in KEPT_ONLY_KEYS)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]", kept_only)

    walk(ws.doc, "", False)
    return problems


def _path_problem(ws: Workspace, path: str, where: str) -> list[Problem]:
    shown = excerpt(path, 60)
    try:
        rel = normalise_relpath(path)
    except ValueError:
        return [Problem(where, "problems.file.outside", code="file.outside", values={"shown": shown})]
    if rel in ws.files:
        return []
    try:
        found = ws._disk_path(rel) is not None
    except ValueError:
        return [Problem(where, "problems.file.symlink_outside", code="file.symlink_outside", values={"shown": shown})]
    except OSError:
        found = False
    if not found:
        return [Problem(where, "problems.file.missing.6", code="file.missing", values={"shown": shown})]
    return []
