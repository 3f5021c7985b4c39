"""No import cycle inside ``cer_core`` (docs/architecture.md, "Decisions on issue 10").

Read from the source with ``ast``: the imports a module runs when it is imported (top-level statements,
also inside a top-level ``if``/``try``/``with`` or a class body; not inside functions, nor under
``if TYPE_CHECKING:``), relative and absolute. Importing ``cer_core.io.hourly`` also runs
``cer_core/io/__init__.py``, so an import reaches every enclosing package too (unless the importer lives
inside it: a package's own modules find it already importing). A cycle in that graph is an import
order that works by luck: moving one import breaks ``import cer_core.api``.

Imports inside functions are left out on purpose (a lazy import of a heavy library is fine), with one
rule for the loads family: no function-level import in ``cer_core/loads/`` of another loads module,
the way the old cycle ``loads`` ↔ ``bills``/``profiles`` was held apart.

Known, outside the loads family: two more cycles held apart the same way, by an import inside a
function (counted with those imports, they are cycles; at import time they are not):

* ``scenario`` → ``money.allocation`` (``regolamento_problems``, in ``scenario``'s validation) →
  ``engine`` (``monthly_sum``, in ``allocation``) → ``scenario``;
* ``export.xlsx`` → ``export.report.data`` (``monthly_sum``, ``shared_by_withdrawal_kwh``), whose
  package ``export/report/__init__.py`` imports ``export.xlsx`` at the top.

Each is a step of its own for the owners of those modules (a leaf for the shared helpers, as
``loads/series.py`` is for ``LoadSeries``).
"""

from __future__ import annotations

import ast

from conftest import ROOT

def module_name(path, root=ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def core_modules(root=ROOT) -> dict[str, object]:
    return {module_name(p, root): p for p in sorted((root / "cer_core").rglob("*.py"))}


def _package_of(name: str, path) -> str:
    return name if path.name == "__init__.py" else name.rsplit(".", 1)[0]


def _resolve(node: ast.ImportFrom, name: str, path) -> str:
    """The absolute module a ``from ... import`` reads from."""
    if node.level == 0:
        return node.module or ""
    base = _package_of(name, path).split(".")
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_time_nodes(body):
    """Import statements run when the module is imported (not inside functions, not TYPE_CHECKING-only)."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _import_time_nodes(node.body)
            yield from _import_time_nodes(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _import_time_nodes(block)
        elif isinstance(node, (ast.With, ast.ClassDef, ast.For, ast.While)):
            yield from _import_time_nodes(node.body)


def _targets(node, name: str, path, modules) -> set[str]:
    """The core modules an import statement runs: what it names (in ``from pkg import sub``, the
    submodule; the package itself only when a name is read from it) and every enclosing package that
    does not already hold the importer."""
    if isinstance(node, ast.Import):
        named = {alias.name for alias in node.names}
    else:
        source = _resolve(node, name, path)
        subs = {f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in modules}
        named = subs | ({source} if len(subs) < len(node.names) else set())
    out = {t for t in named if t in modules and t != name}
    for target in named:
        parts = target.split(".")
        for k in range(1, len(parts)):
            prefix = ".".join(parts[:k])
            if prefix in modules and prefix != name and not name.startswith(prefix + "."):
                out.add(prefix)
    return out


def import_graph(root=ROOT) -> dict[str, set[str]]:
    """``module -> core modules it imports at import time``."""
    modules = core_modules(root)
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = set()
        for node in _import_time_nodes(tree.body):
            graph[name] |= _targets(node, name, path, modules)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan), as sorted module lists."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def test_the_graph_sees_what_runs_at_import_time(tmp_path):
    pkg = tmp_path / "cer_core"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import x\nimport cer_core.sub.c\n\ndef f():\n    from . import d\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import y\n")
    (pkg / "d.py").write_text("try:\n    from .a import z\nexcept ImportError:\n    pass\n")
    (pkg / "sub" / "__init__.py").write_text("from . import c\n")
    (pkg / "sub" / "c.py").write_text("from .. import b, VERSION\nfrom . import e\n")
    (pkg / "sub" / "e.py").write_text("")
    graph = import_graph(tmp_path)
    assert graph["cer_core.a"] == {"cer_core.b", "cer_core.sub", "cer_core.sub.c"}
    assert graph["cer_core.b"] == set()                       # TYPE_CHECKING only
    assert graph["cer_core.d"] == {"cer_core.a"}              # a top-level try counts
    assert graph["cer_core.sub"] == {"cer_core.sub.c"}
    assert graph["cer_core.sub.c"] == {"cer_core", "cer_core.b", "cer_core.sub.e"}
    assert cycles(graph) == []
    graph["cer_core.b"].add("cer_core.d")
    assert cycles(graph) == [["cer_core.a", "cer_core.b", "cer_core.d", "cer_core.sub", "cer_core.sub.c"]]


def test_no_import_cycle_inside_cer_core():
    graph = import_graph()
    assert len(graph) > 50, "the walk found no core modules"
    loads = {"cer_core.loads.series", "cer_core.loads.bills", "cer_core.loads.profiles"}
    assert loads <= graph["cer_core.loads.member_load"]            # the adapters import the family at the top
    assert not {m for m in graph["cer_core.loads.series"] if m.startswith("cer_core.loads")}  # the leaf
    found = cycles(graph)
    assert found == [], "import cycles: " + "; ".join(" ↔ ".join(c) for c in found)


def test_the_loads_family_has_no_import_hidden_in_a_function():
    modules = core_modules()
    bad = []
    for name, path in modules.items():
        if not name.startswith("cer_core.loads"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        top = {id(n) for n in _import_time_nodes(tree.body)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top:
                hits = [t for t in _targets(node, name, path, modules) if t.startswith("cer_core.loads")]
                bad += [f"{path.relative_to(ROOT)}:{node.lineno}: imports {t} inside a function" for t in hits]
    assert bad == []
