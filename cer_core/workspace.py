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
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import error

SCENARIO_SCHEMA_ID = "cer-studio/scenario@1"
BUNDLE_SCENARIO_NAME = "scenario.json"
#: Largest bundle or scenario the loader accepts, bytes (a year of quarter-hours for 1000 PODs fits).
MAX_BUNDLE_BYTES = 500 * 1024 * 1024


def normalise_relpath(path: str) -> str:
    """A relative POSIX path without ``.`` segments; refuses absolute paths and ``..`` escapes."""
    text = str(path).replace("\\", "/")
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
        return self.base_dir is not None and (self.base_dir / rel).is_file()

    def read_file(self, path: str) -> bytes:
        """Bytes of the file at relative ``path``; raises ``FileNotFoundError``."""
        rel = normalise_relpath(path)
        if rel in self.files:
            return self.files[rel]
        if self.base_dir is not None and (self.base_dir / rel).is_file():
            return (self.base_dir / rel).read_bytes()
        raise FileNotFoundError(path)

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
                except (FileNotFoundError, ValueError):
                    continue  # validation reports missing files; the bundle keeps what exists
        return buf.getvalue()


def _parse_json(data: bytes, origin: str) -> dict:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(origin, "il file non è testo UTF-8: atteso uno scenario JSON o un pacchetto .zip",
                    "the file is not UTF-8 text: expected a scenario JSON or a .zip bundle", "scenario.encoding")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{origin}:{exc.lineno}",
                    f"JSON non valido alla colonna {exc.colno}: {exc.msg}",
                    f"invalid JSON at column {exc.colno}: {exc.msg}", "scenario.json")
    if not isinstance(doc, dict):
        raise error(origin, "atteso un oggetto JSON con le chiavi dello scenario",
                    "expected a JSON object with the scenario keys", "scenario.not_object")
    return doc


def workspace_from_bytes(data: bytes, name: str, base_dir: Path | None = None) -> Workspace:
    """Open a scenario JSON or a ``.zip`` bundle given as bytes (an upload or a file's content)."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise error(name, f"file troppo grande ({len(data) / 1e6:.0f} MB, massimo {MAX_BUNDLE_BYTES / 1e6:.0f} MB)",
                    f"file too large ({len(data) / 1e6:.0f} MB, at most {MAX_BUNDLE_BYTES / 1e6:.0f} MB)",
                    "scenario.too_large")
    if data[:4] == b"PK\x03\x04":
        return _workspace_from_zip(data, name)
    return Workspace(doc=_parse_json(data, name), base_dir=base_dir, origin=name)


def _workspace_from_zip(data: bytes, name: str) -> Workspace:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise error(name, "archivio zip danneggiato", "damaged zip archive", "scenario.bad_zip")
    with zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        candidates = [n for n in names if posixpath.basename(n) == BUNDLE_SCENARIO_NAME]
        if not candidates:
            raise error(name, f"nel pacchetto manca {BUNDLE_SCENARIO_NAME}",
                        f"the bundle has no {BUNDLE_SCENARIO_NAME}", "scenario.bundle_no_scenario")
        main = min(candidates, key=len)
        prefix = main[: -len(BUNDLE_SCENARIO_NAME)]
        files: dict[str, bytes] = {}
        total = 0
        for entry in names:
            if entry == main or not entry.startswith(prefix):
                continue
            info = zf.getinfo(entry)
            total += info.file_size
            if total > MAX_BUNDLE_BYTES:
                raise error(name, "pacchetto troppo grande una volta estratto",
                            "bundle too large once extracted", "scenario.too_large")
            try:
                files[normalise_relpath(entry[len(prefix):])] = zf.read(entry)
            except ValueError:
                continue
        doc = _parse_json(zf.read(main), f"{name}/{main}")
    return Workspace(doc=doc, files=files, origin=name)


def open_workspace(path: str | Path) -> Workspace:
    """Open a scenario JSON (paths relative to its folder) or a ``.zip`` bundle from disk."""
    p = Path(path)
    if not p.is_file():
        raise error(str(path), "file dello scenario non trovato", "scenario file not found", "scenario.missing")
    return workspace_from_bytes(p.read_bytes(), str(path), base_dir=p.resolve().parent)
