"""Move the core's inline (Italian, English) message pairs into the catalogue ``locales/<lang>/problems.json``.

Every call that makes a :class:`cer_core.errors.Problem` from two sentences written at the call site::

    raise error(where, f"valore {x:,.1f} kW fuori intervallo", f"value {x:,.1f} kW out of range", "plant.kw")

becomes a call with a catalogue key and named values, and the two sentences become catalogue texts::

    raise error(where, "problems.plant.kw", "plant.kw", x=x)
    # it: "valore {x:,.1f} kW fuori intervallo"   en: "value {x:,.1f} kW out of range"

Run it from the repository's root (``python scripts/codemod_problems.py``; ``--check`` only says whether
anything is left to convert). It is deterministic and idempotent: a converted call (its sentence argument a
``"problems.…"`` key) is left alone, so a second run changes nothing, and it can be run again after other
branches add inline pairs. It refuses, listing ``file:line`` and why, and writes nothing, when a call site
is not two literal sentences it can convert without guessing (for example sentences held in variables); such
a site is converted by hand (docs/architecture.md, "Messages of the core").

What the conversion keeps
-------------------------
- The text, byte for byte: each ``{expr}``, ``{expr:spec}``, ``{expr!r}`` of an f-string becomes ``{name}``,
  ``{name:spec}``, ``{name!r}`` with the same spec and conversion, and ``name=expr`` is passed to the call;
  literal braces are doubled. The same expression in both languages is one name. An expression found in only
  one language is paired with the other language's one (``unit_it``/``unit_en``, or the single one left on each
  side) and passed as ``name={"it": expr_it, "en": expr_en}``; otherwise the site is refused.
- Keys: ``problems.<code>`` for the first text pair of a code, ``problems.<code>.2``, ``.3`` … for other
  texts with the same code; without a literal code, ``problems.<module>.<function>`` (numbered the same way).
  A text pair already in the catalogue under a candidate key reuses that key.
- The catalogue: existing keys keep their order and text; new keys are appended; keys no source file names
  any more are dropped.

Each expression is evaluated once instead of once per language (today all are reads and formatting calls).

Which calls: those named in :data:`SPECS` (``error``, ``Problem``, ``ProblemList.add``, ``io.model.warning``,
``refuse_first_bad``, the checklist's ``_check``), in ``cer_core/``, ``studio/``, ``pages/`` and ``app.py``. A new helper that takes
(Italian, English) sentences gets a line there once its signature takes a key. In ``tests/``, a
``Problem(where, "…", "…")`` made up for a test becomes ``Problem.verbatim(where, "…", "…")``.
"""

from __future__ import annotations

import argparse
import ast
import json
import keyword
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
NAMESPACE = "problems"
LANGS = ("it", "en")
LINE_LENGTH = 120


@dataclass(frozen=True)
class Spec:
    """Where a message function takes its two sentences and its code.

    ``it``/``en``: positional indexes of the sentences; ``code``: positional index of the code (or None when
    only a keyword); ``dict_values``: values are passed as ``values={...}`` (the ``Problem`` dataclass)
    instead of keywords; ``callee_fields``: placeholders the callee fills in itself (their braces in the
    literal text are kept); ``reserved``: names a value may not take (the function's own parameters).
    """

    it: int = 1
    en: int = 2
    code: int | None = None
    dict_values: bool = False
    callee_fields: frozenset = frozenset()
    reserved: frozenset = frozenset({"where", "key", "code", "severity", "values", "self"})


#: Message functions: ``name`` for a function, ``.method`` for a method on any object, ``receiver.method``
#: for a method called on a variable of that name (checked first). Their new signature takes the key where
#: the Italian sentence was, drops the English one and takes the values as keywords (``values=`` for Problem).
SPECS = {
    "error": Spec(code=3),                                       # cer_core.errors.error
    "Problem": Spec(code=4, dict_values=True),                   # cer_core.errors.Problem
    ".add": Spec(),                                              # cer_core.errors.ProblemList.add
    "warning": Spec(code=3),                                     # cer_core.io.model.warning
    "refuse_first_bad": Spec(it=3, en=4, code=5, callee_fields=frozenset({"value", "column"}),
                             reserved=frozenset({"bad", "cells", "where", "key", "code", "value", "column"})),
    # LoadWarnings.add(it, en, code) of branch i10-loads (cer_core/loads/series.py), once changed by hand to
    # add(key, code, *, record=None, **values)
    "warns.add": Spec(it=0, en=1, code=2, reserved=frozenset({"key", "code", "record", "self"})),
    # the eligibility checklist's lines (cer_core/checks.py): _check(cid, status, key, subject="", **values)
    "_check": Spec(it=2, en=3, code=None, reserved=frozenset({"cid", "status", "key", "subject", "values"})),
}
CODE = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")


#: A call that looks like a message but whose signature is not in :data:`SPECS`.
UNKNOWN = Spec()


def sources(root: Path) -> list[Path]:
    """The files whose message calls are converted: the core, the studio, the pages and the app."""
    files = [*(root / "cer_core").rglob("*.py"), *(root / "studio").rglob("*.py"), *(root / "pages").rglob("*.py")]
    if (root / "app.py").exists():
        files.append(root / "app.py")
    return sorted(f for f in files if f.relative_to(root).as_posix() != "cer_core/errors.py")


class Refused(Exception):
    pass


def spec_of(call: ast.Call) -> tuple[str, Spec] | None:
    """The message function ``call`` calls, or None. A ``.add`` with a code where ``ProblemList.add`` has its
    English sentence (``x.add(it, en, "a.code")``) is another method: :data:`UNKNOWN`, refused."""
    func = call.func
    if isinstance(func, ast.Name):
        return (func.id, SPECS[func.id]) if func.id in SPECS else None
    if not isinstance(func, ast.Attribute):
        return None
    if isinstance(func.value, ast.Name) and f"{func.value.id}.{func.attr}" in SPECS:
        name = f"{func.value.id}.{func.attr}"
        return name, SPECS[name]
    spec = SPECS.get("." + func.attr)
    if spec is None or len(call.args) <= spec.en:
        return None
    third = call.args[spec.en]
    if isinstance(third, ast.Constant) and isinstance(third.value, str) and CODE.fullmatch(third.value):
        return "." + func.attr, UNKNOWN
    return "." + func.attr, spec


def is_key(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(NAMESPACE + ".")


def converted(node) -> bool:
    """A catalogue key already: a ``"problems.…"`` literal, or a wrapper passing on its parameter ``key``."""
    return is_key(node) or (isinstance(node, ast.Name) and node.id == "key")


# ---------------------------------------------------------------------------------------------------------
# Names for expressions
# ---------------------------------------------------------------------------------------------------------

def _slug(text: str) -> str:
    s = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    s = re.sub(r"_+", "_", s)[:30].strip("_") or "value"
    return "v_" + s if s[0].isdigit() else s


def base_name(node: ast.expr) -> str:
    """A readable placeholder name for an expression: ``facts['days']`` → ``days``, ``len(rows)`` →
    ``n_rows``, ``", ".join(names)`` → ``names``, ``size / _MB`` → ``size``, ``type(exc).__name__`` →
    ``exc_type``."""
    if isinstance(node, ast.Name):
        return _slug(node.id) if node.id.strip("_") else "value"
    if isinstance(node, ast.Attribute):
        if node.attr in ("iloc", "loc", "iat", "at"):
            return base_name(node.value)                                # frame["kwh"].iloc[i] → kwh
        if node.attr == "__name__" and isinstance(node.value, ast.Call) and _fname(node.value) == "type" \
                and node.value.args:
            return _slug(base_name(node.value.args[0]) + "_type")
        return _slug(node.attr)
    if isinstance(node, ast.Subscript):
        sl = node.slice
        if isinstance(sl, ast.Constant) and isinstance(sl.value, str):
            return _slug(sl.value)
        if isinstance(sl, ast.Constant) and type(sl.value) is int:       # years[0] → years_0
            return _slug(f"{base_name(node.value)}_{sl.value}")
        if isinstance(sl, ast.UnaryOp) and isinstance(sl.operand, ast.Constant) and sl.operand.value == 1:
            return _slug(f"{base_name(node.value)}_last")               # years[-1] → years_last
        return base_name(node.value)
    if isinstance(node, ast.Call):
        fname = _fname(node)
        if fname == "len" and node.args:
            return _slug("n_" + base_name(node.args[0]))
        if fname == "get" and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            return _slug(node.args[0].value)
        if isinstance(node.func, ast.Attribute) and not node.args:      # x.sum() → x_sum
            return _slug(f"{base_name(node.func.value)}_{fname}")
        args = [a for a in node.args if not isinstance(a, ast.Constant)]
        if fname == "map" and len(args) == 2:
            args = args[1:]
        if args and fname in ("min", "max", "sum"):                     # min(b.energies) → min_energies
            return _slug(f"{fname}_{base_name(args[0])}")
        if args and re.search(r"_(kw|kwh|kwp|m2|eur|pct|deg|h|s)$", fname):
            return _slug(fname)                                         # available_kw(x) → available_kw
        if args:                                                        # ", ".join(names), excerpt(v, 60) → …
            first = args[0]
            if isinstance(first, (ast.GeneratorExp, ast.ListComp)):
                first = first.generators[0].iter                       # ", ".join(f(n) for n in names) → names
            return base_name(first)
        return _slug(fname or ast.unparse(node))
    if isinstance(node, ast.BinOp):          # size / _MB → size; 100 * filled / n → filled
        for side in (node.left, node.right):
            if not isinstance(side, ast.Constant):
                return base_name(side)
    if isinstance(node, ast.UnaryOp):
        return base_name(node.operand)
    if isinstance(node, ast.IfExp):
        return base_name(node.body)
    if isinstance(node, ast.BoolOp):
        return base_name(node.values[0])
    return _slug(ast.unparse(node))


#: Functions that only format their first argument: a value is named after the argument.
FORMATTERS = {"len", "int", "float", "str", "abs", "round", "repr", "excerpt", "sorted", "list", "tuple", "set",
              "map", "fmt_local", "dumps", "join"}


def _fname(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func, ast.Attribute) \
        else ""


def strip_lang(name: str) -> tuple[str, str | None]:
    """``unit_it`` → (``unit``, ``it``); a name that is only a language code → (``word``, it)."""
    if name in LANGS:
        return "word", name
    for lang in LANGS:
        if name.endswith("_" + lang):
            return name[: -len(lang) - 1], lang
    return name, None


# ---------------------------------------------------------------------------------------------------------
# One call site
# ---------------------------------------------------------------------------------------------------------

@dataclass
class Site:
    path: Path
    call: ast.Call
    fname: str
    spec: Spec
    func_name: str                      # enclosing function
    templates: dict = field(default_factory=dict)     # lang → template
    values: list = field(default_factory=list)        # (name, source) in order; source str or (src_it, src_en)
    key: str = ""
    source: str = ""                                  # the file's text


def pieces(node, lang, site: Site, where: str):
    """The parts of a sentence argument: ("text", str) and ("expr", node, conversion, spec)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [("text", node.value)]
    if isinstance(node, ast.JoinedStr):
        out = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                out.append(("text", v.value))
            elif isinstance(v, ast.FormattedValue):
                spec = ""
                if v.format_spec is not None:
                    if not all(isinstance(s, ast.Constant) for s in v.format_spec.values):
                        raise Refused(f"{where}: a format spec with an expression inside ({ast.unparse(v)})")
                    spec = "".join(s.value for s in v.format_spec.values)
                if any(isinstance(n, (ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom, ast.Lambda))
                       for n in ast.walk(v.value)):
                    raise Refused(f"{where}: an expression with an assignment, lambda or await in the text")
                conv = "" if v.conversion == -1 else "!" + chr(v.conversion)
                out.append(("expr", v.value, conv, spec))
        return out
    raise Refused(f"{where}: the {lang} sentence is not a literal string or f-string ({ast.unparse(node)[:60]})")


def written(source: str, node: ast.expr) -> str:
    """The expression as written in the file (``1e6``, not ``ast.unparse``'s ``1000000.0``) when Python
    locates it exactly (inside f-strings Python 3.11 sometimes does not), else ``ast.unparse``."""
    seg = ast.get_source_segment(source, node)
    try:
        if seg is not None and ast.dump(ast.parse(f"({seg})", mode="eval").body) == ast.dump(node):
            return seg if "\n" not in seg else ast.unparse(node)
    except SyntaxError:
        pass
    return ast.unparse(node)


def convert(site: Site, rel: str) -> None:
    """Fill ``site.templates`` and ``site.values`` from the call's two sentences."""
    call, spec = site.call, site.spec
    where = f"{rel}:{call.lineno}"
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise Refused(f"{where}: *args or **kwargs in the call")
    parts = {lang: pieces(call.args[idx], lang, site, where) for lang, idx in (("it", spec.it), ("en", spec.en))}
    # expressions of each language, by source text, in order of appearance
    srcs = {lang: [] for lang in LANGS}
    for lang in LANGS:
        for p in parts[lang]:
            if p[0] == "expr":
                src = ast.unparse(p[1])
                if src not in srcs[lang]:
                    srcs[lang].append(src)
    nodes = {ast.unparse(p[1]): p[1] for lang in LANGS for p in parts[lang] if p[0] == "expr"}
    code = {src: written(site.source, node) for src, node in nodes.items()}
    shared = [s for s in srcs["it"] if s in srcs["en"]]
    only = {lang: [s for s in srcs[lang] if s not in shared] for lang in LANGS}
    # pair the one-language expressions: by name (unit_it / unit_en), then the single one left on each side
    pairs = []
    for s_it in list(only["it"]):
        stem, lang = strip_lang(base_name(nodes[s_it]))
        match = [s for s in only["en"] if strip_lang(base_name(nodes[s]))[0] == stem] if lang == "it" else []
        if len(match) == 1:
            pairs.append((s_it, match[0]))
            only["it"].remove(s_it)
            only["en"].remove(match[0])
    if len(only["it"]) == 1 and len(only["en"]) == 1:
        pairs.append((only["it"][0], only["en"][0]))
        only = {lang: [] for lang in LANGS}
    if only["it"] or only["en"]:
        raise Refused(f"{where}: cannot pair the expressions found in one language only "
                      f"(it: {only['it']}, en: {only['en']})")
    names: dict[str, str] = {}          # source → name (both sources of a pair map to one name)
    taken: set[str] = set()

    def new_name(base: str) -> str:
        base = base if base not in spec.reserved and not keyword.iskeyword(base) else base + "_"
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        return name

    order = [s for lang in LANGS for s in srcs[lang]]
    pair_of = {a: (a, b) for a, b in pairs} | {b: (a, b) for a, b in pairs}
    for src in order:
        if src in names:
            continue
        if src in pair_of:
            a, b = pair_of[src]
            name = new_name(strip_lang(base_name(nodes[a]))[0])
            names[a] = names[b] = name
            site.values.append((name, (code[a], code[b])))
        else:
            name = new_name(base_name(nodes[src]))
            names[src] = name
            site.values.append((name, code[src]))
    for lang in LANGS:
        out = []
        for p in parts[lang]:
            if p[0] == "text":
                text = p[1]
                if spec.callee_fields:
                    fields = set(re.findall(r"\{(\w*)\}", text))
                    if not fields <= spec.callee_fields or re.sub(r"\{\w*\}", "", text).count("{") or \
                            re.sub(r"\{\w*\}", "", text).count("}"):
                        raise Refused(f"{where}: braces other than {sorted(spec.callee_fields)} in the text")
                    out.append(text)
                else:
                    out.append(text.replace("{", "{{").replace("}", "}}"))
            else:
                _, node, conv, fmt = p
                out.append("{" + names[ast.unparse(node)] + conv + (":" + fmt if fmt else "") + "}")
        site.templates[lang] = "".join(out)


def code_of(site: Site) -> str | None:
    """The call's literal code, or None."""
    call, spec = site.call, site.spec
    node = next((k.value for k in call.keywords if k.arg == "code"), None)
    if node is None and spec.code is not None and len(call.args) > spec.code:
        node = call.args[spec.code]
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return node.value
    return None


def module_name(rel: str) -> str:
    parts = rel[:-3].split("/")
    if parts[0] == "cer_core":
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1] or ["core"]
    return ".".join(parts)


# ---------------------------------------------------------------------------------------------------------
# Source rewriting
# ---------------------------------------------------------------------------------------------------------

class _Lines:
    """Offsets between (line, UTF-8 byte column) as ``ast`` gives them and character offsets in the text."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0]
        for line in text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col_bytes: int) -> int:
        start = self.starts[lineno - 1]
        line = self.text[start: self.starts[lineno] if lineno < len(self.starts) else len(self.text)]
        return start + len(line.encode("utf-8")[:col_bytes].decode("utf-8"))

    def span(self, node) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)


def call_text(site: Site, lines: _Lines) -> str:
    """The new source of the call, wrapped at :data:`LINE_LENGTH` under its opening parenthesis."""
    call, spec = site.call, site.spec
    seg = lambda node: lines.text[slice(*lines.span(node))]  # noqa: E731
    args = [seg(a) for a in call.args[: spec.it]] + [json.dumps(site.key)]
    args += [seg(a) for a in call.args[spec.en + 1:]]
    args += [f"{k.arg}={seg(k.value)}" for k in call.keywords]

    def value_arg(prefix: str, src) -> tuple[str, list[str]]:
        return (prefix, [src]) if isinstance(src, str) else (prefix + "{", ['"it": ' + src[0], '"en": ' + src[1] + "}"])

    groups = [("", [a]) for a in args]
    if site.values:
        if spec.dict_values:
            entries = [e for n, s in site.values for e in
                       ([f"{json.dumps(n)}: {s}"] if isinstance(s, str) else
                        [f'{json.dumps(n)}: {{"it": {s[0]}', f'"en": {s[1]}}}'])]
            entries[-1] += "}"
            groups.append(("values={", entries))
        else:
            groups += [value_arg(f"{n}=", s) for n, s in site.values]
    func = seg(call.func)
    start = lines.span(call)[0]
    col = start - (lines.text.rfind("\n", 0, start) + 1)        # column where the call starts
    return wrap(func + "(", groups, col, col + len(func) + 1) + ")"


def wrap(head: str, groups: list[tuple[str, list[str]]], col: int, indent: int) -> str:
    """``head`` then the arguments, each ``prefix + ", ".join(atoms)``, filled to :data:`LINE_LENGTH`:
    an argument too long for a line of its own is split between its atoms, under its first atom."""
    lines, cur = [], head
    width = lambda text: (col if not lines else 0) + len(text)  # noqa: E731
    for i, (prefix, atoms) in enumerate(groups):
        end = ", " if i < len(groups) - 1 else ""
        whole = prefix + ", ".join(atoms) + end
        if width(cur + whole.rstrip()) + 1 <= LINE_LENGTH or cur.strip() == head.strip() and not lines and \
                len(atoms) == 1:
            cur += whole
            continue
        if cur.strip() and cur.strip() != head.strip():
            lines.append(cur.rstrip())
            cur = " " * indent
        if width(cur + whole.rstrip()) + 1 <= LINE_LENGTH or len(atoms) == 1:
            cur += whole
            continue
        cur += prefix
        hang = len(cur) if lines else col + len(cur)
        for j, atom in enumerate(atoms):
            piece = atom + (", " if j < len(atoms) - 1 else end)
            if width(cur + piece.rstrip()) + 1 > LINE_LENGTH and not cur.endswith(prefix):
                lines.append(cur.rstrip())
                cur = " " * hang
            cur += piece
    lines.append(cur)
    return "\n".join(line.rstrip() if k < len(lines) - 1 else line for k, line in enumerate(lines))


def find_sites(path: Path, rel: str, source: str) -> tuple[list[Site], list[str]]:
    tree = ast.parse(source, filename=rel)
    sites, refused = [], []

    def visit(node, func_name):
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func_name
            if isinstance(child, ast.Call):
                found = spec_of(child)
                if found is not None:
                    fname, spec = found
                    sentence = child.args[spec.it] if len(child.args) > spec.it else None
                    if spec is UNKNOWN:
                        refused.append(f"{rel}:{child.lineno}: {ast.unparse(child.func)}(it, en, code) is not a "
                                       "message function the codemod knows: change its signature to take a key "
                                       "and add it to SPECS in scripts/codemod_problems.py")
                    elif sentence is None:
                        if any(k.arg in ("it", "en") for k in child.keywords) or \
                                any(k.arg is None for k in child.keywords):
                            refused.append(f"{rel}:{child.lineno}: {fname}() with sentences by keyword or **kwargs")
                    elif not converted(sentence):
                        site = Site(path, child, fname, spec, name, source=source)
                        try:
                            if len(child.args) <= spec.en:
                                raise Refused(f"{rel}:{child.lineno}: {fname}() without two sentences")
                            convert(site, rel)
                            sites.append(site)
                        except Refused as exc:
                            refused.append(str(exc))
            visit(child, name)

    visit(tree, "")
    return sites, refused


def convert_tests(root: Path, texts: dict) -> tuple[dict, list[str]]:
    """Tests make problems with made-up sentences: ``Problem(where, "…", "…", …)`` there becomes
    ``Problem.verbatim(where, "…", "…", …)`` (no catalogue key); ``error(where, "…", "…")`` is refused."""
    edits, refused = {}, []
    for path in sorted((root / "tests").rglob("*.py")) if (root / "tests").is_dir() else []:
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root).as_posix()
        spans = []
        for node in ast.walk(ast.parse(text, filename=rel)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("Problem", "error") \
                    and len(node.args) >= 3 and all(isinstance(a, ast.JoinedStr) or (isinstance(a, ast.Constant)
                                                    and isinstance(a.value, str)) for a in node.args[1:3]) \
                    and not is_key(node.args[1]):
                if node.func.id == "error":
                    refused.append(f"{rel}:{node.lineno}: error() with two sentences in a test: "
                                   "CerInputError(Problem.verbatim(where, it, en, code=...))")
                else:
                    spans.append(node.func)
        if spans:
            lines = _Lines(text)
            for node in sorted(spans, key=lambda n: (n.lineno, n.col_offset), reverse=True):
                a, b = lines.span(node)
                text = text[:a] + "Problem.verbatim" + text[b:]
            edits[path] = text
    return edits, refused


def load_catalogue(root: Path) -> dict[str, dict[str, str]]:
    out = {}
    for lang in LANGS:
        path = root / "locales" / lang / f"{NAMESPACE}.json"
        out[lang] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return out


def used_keys(texts: dict[str, str]) -> set[str]:
    keys = set()
    for text in texts.values():
        for node in ast.walk(ast.parse(text)):
            if is_key(node):
                keys.add(node.value[len(NAMESPACE) + 1:])
    return keys


def run(root: Path, write: bool = True) -> tuple[list[str], list[str]]:
    """Convert every call site under ``root``; returns (changed files, refusals). Nothing is written when
    anything is refused."""
    cat = load_catalogue(root)
    files = sources(root)
    texts = {f: f.read_text(encoding="utf-8") for f in files}
    all_sites, refused = [], []
    for f in files:
        rel = f.relative_to(root).as_posix()
        sites, bad = find_sites(f, rel, texts[f])
        all_sites += [(rel, s) for s in sites]
        refused += bad
    test_edits, bad = convert_tests(root, texts)
    refused += bad
    if refused:
        return [], refused
    # keys, in file and position order
    for rel, s in all_sites:
        code = code_of(s)
        base = code if code else f"{module_name(rel)}.{s.func_name.lstrip('_') or 'module'}"
        n, key = 1, base
        while True:
            have = (cat["it"].get(key), cat["en"].get(key))
            if have == (s.templates["it"], s.templates["en"]):
                break
            if have == (None, None):
                cat["it"][key], cat["en"][key] = s.templates["it"], s.templates["en"]
                break
            n += 1
            key = f"{base}.{n}"
        s.key = f"{NAMESPACE}.{key}"
    changed = []
    by_file: dict[Path, list[Site]] = {}
    for _, s in all_sites:
        by_file.setdefault(s.path, []).append(s)
    for f, sites in by_file.items():
        text, lines = texts[f], _Lines(texts[f])
        edits = sorted(((*lines.span(s.call), call_text(s, lines)) for s in sites), reverse=True)
        for (a, b, new), nxt in zip(edits, edits[1:] + [None]):
            if nxt is not None and nxt[1] > a:
                return [], [f"{f.relative_to(root)}: nested message calls"]
            text = text[:a] + new + text[b:]
        ast.parse(text)
        texts[f] = text
        changed.append(f.relative_to(root).as_posix())
    used = used_keys(texts)
    pruned = {lang: {k: v for k, v in cat[lang].items() if k in used} for lang in LANGS}
    changed += [f.relative_to(root).as_posix() for f in test_edits]
    if write:
        for f in by_file:
            f.write_text(texts[f], encoding="utf-8")
        for f, text in test_edits.items():
            f.write_text(text, encoding="utf-8")
        for lang in LANGS:
            path = root / "locales" / lang / f"{NAMESPACE}.json"
            new = json.dumps(pruned[lang], ensure_ascii=False, indent=1) + "\n"
            if not path.exists() or path.read_text(encoding="utf-8") != new:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(new, encoding="utf-8")
                changed.append(path.relative_to(root).as_posix())
    else:
        for lang in LANGS:
            path = root / "locales" / lang / f"{NAMESPACE}.json"
            old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            if old != pruned[lang]:
                changed.append(path.relative_to(root).as_posix())
    return changed, refused


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this script's)")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when something would change")
    args = ap.parse_args(argv)
    changed, refused = run(args.root.resolve(), write=not args.check)
    if refused:
        print("codemod_problems: refused, nothing written. Convert these sites by hand "
              "(docs/architecture.md, 'Messages of the core'):", file=sys.stderr)
        for r in refused:
            print("  " + r, file=sys.stderr)
        return 2
    for c in changed:
        print(("would change " if args.check else "changed ") + c)
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
