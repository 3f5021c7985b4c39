"""The repository speaks for itself: code comments point to documents inside it (``docs/...``), and the
sections they name exist.

A newcomer with only this repository must be able to follow every reference: no path to the folder the
project was started from, no document that is not shipped.
"""

from __future__ import annotations

import os
import re

import pytest
from conftest import ROOT

# Spelled in pieces so that this file does not match itself.
OUTSIDE = ("../" + "shared", "shared/" + "docs", "domain" + ".md", "engineering" + ".md")
#: The one file allowed to name the upstream data folder: the maintainer's script that copies it into
#: assets/ (it reads that folder; nothing else does).
READS_UPSTREAM_DATA = {"scripts/build_assets.py"}


def python_files() -> list:
    out = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("__pycache__", "node_modules")]
        out += [os.path.join(folder, f) for f in files if f.endswith(".py")]
    return sorted(out)


def rel(path) -> str:
    return os.path.relpath(path, ROOT).replace(os.sep, "/")


def lines_of(path):
    with open(path, encoding="utf-8") as fh:
        yield from enumerate(fh, start=1)


def test_the_walk_sees_the_code():
    names = {rel(p) for p in python_files()}
    assert {"cer_core/engine.py", "studio/components/compute.py", "app.py", "tests/test_references.py"} <= names


def test_no_python_file_points_outside_the_repository():
    found = [f"{rel(p)}:{n}: {line.strip()[:100]}" for p in python_files() if rel(p) not in READS_UPSTREAM_DATA
             for n, line in lines_of(p) if any(word in line for word in OUTSIDE)]
    assert found == [], "references to documents outside the repository (point to docs/ instead):\n" + "\n".join(found)


def test_format_references_name_the_docs_folder():
    """The formats document named without its folder is ambiguous to a reader: it is ``docs/formats.md``."""
    bare = re.compile(r"(?<!docs/)\bformats\.md")
    found = [f"{rel(p)}:{n}" for p in python_files() for n, line in lines_of(p) if bare.search(line)]
    assert found == []


SECTION_REF = re.compile(r"docs/(\w+\.md)`{0,2}\s*§\s*(\d+(?:\.\d+)?)")


def headings(doc: str) -> set[str]:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(r"^#+\s+(\d+(?:\.\d+)?)[.\s]", text, re.MULTILINE)}


def test_referenced_docs_and_sections_exist():
    refs = [(rel(p), n, m.group(1), m.group(2)) for p in python_files() for n, line in lines_of(p)
            for m in SECTION_REF.finditer(line)]
    assert len(refs) >= 15, "the pattern no longer finds the code's references"
    missing = [f"{path}:{n}: docs/{doc} §{sec}" for path, n, doc, sec in refs
               if not (ROOT / "docs" / doc).exists() or sec not in headings(doc)]
    assert missing == []
    files = {m.group(1) for p in python_files() for _, line in lines_of(p)
             for m in re.finditer(r"\bdocs/([\w-]+\.(?:md|json))", line)}
    assert sorted(f for f in files if not (ROOT / "docs" / f).exists()) == []


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@pytest.mark.parametrize("doc", ["docs/formats.md", "docs/consumption.md"])
def test_links_and_anchors_resolve(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    for target, anchor in re.findall(r"\]\(([^)#:]+)(?:#([^)]+))?\)", text):
        path = (ROOT / doc).parent / target
        assert path.exists(), f"{doc}: broken link {target}"
        if anchor:
            anchors = {slug(h) for h in re.findall(r"^#+\s+(.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)}
            assert anchor in anchors, f"{doc}: no heading #{anchor} in {target}"
