"""The import rules of the layout (docs/architecture.md): the core never imports Streamlit nor the studio,
and the studio's pure helpers stay pure (testable and reusable without a Streamlit session).

Read from the source with ``ast`` (every ``import`` / ``from ... import``, also inside functions), and for
the pure helpers also by importing them in a fresh interpreter, which catches an indirect import.
"""

from __future__ import annotations

import ast
import importlib.metadata
import subprocess
import sys

import pytest
from conftest import ROOT

#: ``studio/pure/`` holds the modules that draw nothing: formatting, tables, charts as data, the map's model.
#: They may import each other and the core, never Streamlit. ``studio/components/`` holds what draws or
#: keeps session state; page bodies live in ``pages/`` (docs/architecture.md).
PURE_DIR = ROOT / "studio" / "pure"
PURE_STUDIO_HELPERS = tuple(sorted(p.stem for p in PURE_DIR.glob("*.py")))


def imported_modules(path) -> list[tuple[int, str]]:
    """Every module a file imports: (line, dotted name), absolute names only (relative ones stay inside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
    return out


def offending(paths, banned: tuple[str, ...]) -> list[str]:
    return [f"{p.relative_to(ROOT)}:{line}: imports {name}"
            for p in paths for line, name in imported_modules(p)
            if name.split(".")[0] in banned]


def test_imported_modules_sees_imports_inside_functions(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import os\n\ndef f():\n    from streamlit import session_state\n    import studio.components.ui as ui\n",
                     encoding="utf-8")
    assert imported_modules(probe) == [(1, "os"), (4, "streamlit"), (5, "studio.components.ui")]


def test_core_never_imports_streamlit_nor_the_studio():
    core = sorted((ROOT / "cer_core").rglob("*.py"))
    assert len(core) > 30, "the walk found no core modules"
    assert offending(core, ("streamlit", "studio", "pages", "app")) == []


def test_pure_studio_helpers_never_import_streamlit():
    paths = sorted(PURE_DIR.rglob("*.py"))
    assert len(paths) > 10, "the walk found no pure helpers"
    assert offending(paths, ("streamlit", "streamlit_folium", "pages", "app")) == []


def test_every_studio_module_is_either_pure_or_a_component():
    """The rule is visible in the layout: no loose module beside the two packages, no page body in ``studio/``."""
    loose = sorted(p.name for p in (ROOT / "studio").glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"studio/ modules outside studio/pure/ and studio/components/: {loose}"
    packages = sorted(p.name for p in (ROOT / "studio").iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert packages == ["components", "pure"]


@pytest.mark.parametrize("package, modules", [
    ("cer_core", ("api", "cli", "export.files", "export.xlsx", "export.report", "money.allocation", "solar.weather",
                  "workspace")),
    ("studio.pure", tuple(m for m in PURE_STUDIO_HELPERS if m != "__init__")),
])
def test_importing_loads_no_streamlit(package, modules):
    """Indirect imports too: importing the modules in a fresh interpreter leaves ``streamlit`` unloaded."""
    names = ", ".join(f"{package}.{m}" for m in modules)
    code = (f"import sys\nimport {names}\n"
            "loaded = sorted(k for k in sys.modules if k == 'streamlit' or k.startswith('streamlit.'))\n"
            "print(len(loaded))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "0", f"importing {names} loads streamlit"


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_every_third_party_import_of_the_app_is_a_direct_dependency():
    """A package the app imports itself is listed among the direct dependencies of requirements.txt, not left
    to arrive as somebody else's dependency (which may drop it)."""
    direct_text = (ROOT / "requirements.txt").read_text(encoding="utf-8").split("# Transitive dependencies")[0]
    direct = {_canonical(line.split("==")[0]) for line in direct_text.splitlines()
              if "==" in line and not line.startswith("#")}
    owners = importlib.metadata.packages_distributions()
    paths = [ROOT / "app.py", *sorted((ROOT / "cer_core").rglob("*.py")), *sorted((ROOT / "studio").rglob("*.py")),
             *sorted((ROOT / "pages").rglob("*.py"))]
    missing = set()
    for path in paths:
        for line, name in imported_modules(path):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top in ("cer_core", "studio", "pages"):
                continue
            dists = {_canonical(d) for d in owners.get(top, [top])}
            if not dists & direct:
                missing.add(f"{path.relative_to(ROOT)}:{line}: {name} ({', '.join(sorted(dists))})")
    assert sorted(missing) == []
