"""The core's messages come from the catalogue ``locales/<lang>/problems.json`` (docs/architecture.md,
"Messages of the core"): every key used exists in both languages, every call passes exactly the values its
sentence names, no key is left unused, and ``scripts/codemod_problems.py`` converts byte for byte and is
idempotent."""

import ast
import importlib.util
import json
import pickle
import shutil
import string
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from cer_core.errors import CerInputError, Problem, ProblemList, error, located
from cer_core.i18n import LANGS, catalogue

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("codemod_problems", ROOT / "scripts" / "codemod_problems.py")
codemod = importlib.util.module_from_spec(spec)
sys.modules["codemod_problems"] = codemod
spec.loader.exec_module(codemod)

PROBLEMS = {lang: json.loads((ROOT / "locales" / lang / "problems.json").read_text(encoding="utf-8")) for lang in LANGS}


def fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def key_calls():
    """(file:line, key, names of the values passed) for every call that passes a ``"problems.…"`` key;
    names is None when the call forwards ``**values`` (a wrapper)."""
    for path in codemod.sources(ROOT):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or codemod.spec_of(node) is None:
                continue
            fname, sp = codemod.spec_of(node)
            if len(node.args) <= sp.it or not codemod.is_key(node.args[sp.it]):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if any(k.arg is None for k in node.keywords):
                yield where, node.args[sp.it].value, None
                continue
            if sp.dict_values:
                given = next((k.value for k in node.keywords if k.arg == "values"), None)
                names = {k.value for k in given.keys} if given is not None else set()
            else:
                names = {k.arg for k in node.keywords if k.arg not in ("code", "severity")}
            yield where, node.args[sp.it].value, names | set(sp.callee_fields)


CALLS = list(key_calls())


def test_there_are_converted_calls():
    assert len(CALLS) > 200 and len(PROBLEMS["it"]) > 200


def test_every_key_exists_in_both_languages_with_the_same_placeholders():
    assert set(PROBLEMS["it"]) == set(PROBLEMS["en"])
    for key, text in PROBLEMS["it"].items():
        assert text.strip() and PROBLEMS["en"][key].strip(), key
        assert fields(text) == fields(PROBLEMS["en"][key]), key
    missing = sorted(f"{where}: {key}" for where, key, _ in CALLS if key not in catalogue("it")
                     or key not in catalogue("en"))
    assert not missing, missing


def test_every_call_passes_the_values_its_sentence_names():
    wrong = []
    for where, key, names in CALLS:
        if names is not None and key in catalogue("it") and fields(catalogue("it")[key]) != names:
            wrong.append(f"{where}: {key} names {sorted(fields(catalogue('it')[key]))}, gets {sorted(names)}")
    assert not wrong, wrong


def test_no_orphan_key():
    named = set()
    for path in codemod.sources(ROOT):
        named |= codemod.used_keys({path: path.read_text(encoding="utf-8")})
    orphans = sorted(set(PROBLEMS["it"]) - named)
    assert not orphans, orphans


def test_nothing_left_to_convert():
    """No inline (Italian, English) pair is left in the core, the studio or the pages."""
    changed, refused = codemod.run(ROOT, write=False)
    assert refused == [] and changed == []


def copy_tree(dst: Path) -> Path:
    for name in ("cer_core", "studio", "pages"):
        shutil.copytree(ROOT / name, dst / name, ignore=shutil.ignore_patterns("__pycache__"))
    for lang in LANGS:
        (dst / "locales" / lang).mkdir(parents=True)
        shutil.copy(ROOT / "locales" / lang / "problems.json", dst / "locales" / lang / "problems.json")
    return dst


def snapshot(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_codemod_is_idempotent(tmp_path):
    root = copy_tree(tmp_path)
    before = snapshot(root)
    assert codemod.main(["--root", str(root)]) == 0
    assert snapshot(root) == before


SAMPLE = '''
from cer_core.errors import error


def make(where, x, items, path, exc, kind, n):
    unit_it, unit_en = "giorni", "days"
    label = {"a": "b"}
    return [
        error(where, f"valore {x:,.1f} kW oltre {n:d} {unit_it} ({path}) {{graffe}}",
              f"value {x:,.1f} kW above {n:d} {unit_en} ({path}) {{braces}}", "t.range"),
        error(where, f"«{kind!r}» in {', '.join(items)}: {type(exc).__name__} {label['a']}",
              f"'{kind!r}' in {', '.join(items)}: {type(exc).__name__} {label['a']}", "t.kind"),
        error(where, f"tipo {' o '.join(items)}", f"type {' or '.join(items)}", "t.range"),
        error(where, "solo testo {non un campo}", "plain text {not a field}"),
        error(where, f"{x:>8.2f}|{x!s:^6}|{n:+}", f"{x:>8.2f}|{x!s:^6}|{n:+}", code="t.range"),
    ]
'''


def error_before(where, it, en, code=""):
    return where, it, en, code


def error_after(where, key, code="", **values):
    return where, key, code, values


def test_the_conversion_keeps_every_text_byte_for_byte(tmp_path):
    (tmp_path / "cer_core").mkdir()
    mod = tmp_path / "cer_core" / "sample.py"
    mod.write_text(SAMPLE, encoding="utf-8")
    args = ("w", 1234.56, ["a", "b"], Path("x/y.csv"), ValueError("no"), "k{}", 7)

    def run(text, stub):
        ns = {}
        exec(compile(text, "sample", "exec"), ns)
        ns["error"] = stub
        return ns["make"](*args)

    before = run(SAMPLE, error_before)
    changed, refused = codemod.run(tmp_path)
    assert refused == [] and "cer_core/sample.py" in changed
    converted = mod.read_text(encoding="utf-8")
    cat = {lang: json.loads((tmp_path / "locales" / lang / "problems.json").read_text(encoding="utf-8"))
           for lang in LANGS}
    for (w0, it, en, code0), (w1, key, code1, values) in zip(before, run(converted, error_after), strict=True):
        assert key.startswith("problems.") and (w0, code0) == (w1, code1)
        for lang, text in (("it", it), ("en", en)):
            filled = {k: (v[lang] if isinstance(v, dict) else v) for k, v in values.items()}
            assert cat[lang][key.removeprefix("problems.")].format(**filled) == text
    # keys: the code, numbered for a second text of the same code; module.function without a code
    assert sorted(cat["it"]) == ["sample.make", "t.kind", "t.range", "t.range.2", "t.range.3"]
    assert 'unit={"it": unit_it, "en": unit_en}' in converted  # a value that differs by language
    assert codemod.run(tmp_path) == ([], [])                   # a second run changes nothing


def test_the_codemod_refuses_what_it_cannot_convert(tmp_path, capsys):
    (tmp_path / "cer_core").mkdir()
    text = ('from cer_core.errors import error\n\n\ndef f(w, it, en, a, b):\n'
            '    raise error(w, it, en, "x.y")\n\n\ndef g(w, a, b):\n'
            '    raise error(w, f"{a} e {b}", f"{b}", "x.z")\n')
    (tmp_path / "cer_core" / "bad.py").write_text(text, encoding="utf-8")
    assert codemod.main(["--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "cer_core/bad.py:5" in err and "cer_core/bad.py:9" in err
    assert (tmp_path / "cer_core" / "bad.py").read_text(encoding="utf-8") == text      # nothing written
    assert not (tmp_path / "locales").exists()


def test_the_codemod_refuses_a_method_it_does_not_know_and_keeps_tests_sentences_verbatim(tmp_path, capsys):
    (tmp_path / "cer_core").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "cer_core" / "m.py").write_text('def f(w):\n    w.add(f"a {w}", f"b {w}", "x.y")\n', encoding="utf-8")
    assert codemod.main(["--root", str(tmp_path)]) == 2
    assert "cer_core/m.py:2: w.add(it, en, code) is not a message function" in capsys.readouterr().err
    (tmp_path / "cer_core" / "m.py").unlink()
    (tmp_path / "tests" / "test_x.py").write_text('p = Problem("w", "a", f"b {1}", "warning")\n', encoding="utf-8")
    assert codemod.main(["--root", str(tmp_path)]) == 0
    assert (tmp_path / "tests" / "test_x.py").read_text() == 'p = Problem.verbatim("w", "a", f"b {1}", "warning")\n'
    with pytest.raises(TypeError, match="Problem.verbatim"):
        Problem(*("w", "a", "b", "warning", "c"))   # the old (where, it, en, ...) form fails loudly


# ---------------------------------------------------------------------------------------------------------
# Problem
# ---------------------------------------------------------------------------------------------------------

def test_a_problem_reads_its_sentence_from_the_catalogue():
    p = Problem("plants[0]", "problems.schema.required", code="schema.required", values={"name": "kwp"})
    assert p.it == "manca il campo obbligatorio «kwp»" and p.en == "required field 'kwp' is missing"
    assert p.message("en") == "plants[0]: required field 'kwp' is missing"
    assert p.to_dict() == {"where": "plants[0]", "it": p.it, "en": p.en, "severity": "error", "code": "schema.required"}
    assert list(p.to_dict()) == ["where", "it", "en", "severity", "code"]   # the shape summary.json has always had
    again = Problem.from_dict(p.to_dict())
    assert (again.it, again.en, again.message("it")) == (p.it, p.en, p.message("it"))
    assert pickle.loads(pickle.dumps(p)) == p and hash(p) == hash(replace(p))


def test_values_are_stored_as_text_unless_a_format_spec_needs_the_number():
    p = Problem("", "problems.schema.required", values={"name": Path("a") / "b"})
    assert p.values == {"name": str(Path("a") / "b")}
    with pytest.raises(CerInputError) as exc:
        raise error("x", "problems.scenario.too_big", "scenario.too_big", n_items=12345, word={"it": "membri", "en":
                    "members"}, limit=1000)
    q = exc.value.problems[0]
    assert "12,345 membri" in q.it and "12,345 members" in q.en and q.values["n_items"] == 12345


def test_located_and_replace_keep_the_key():
    exc = located(error("f.csv:3", "problems.schema.required", "schema.required", name="x"), "members[0].load")
    p = exc.problems[0]
    assert p.where == "members[0].load → f.csv:3" and p.key == "problems.schema.required" and "«x»" in p.it
    problems = ProblemList()
    problems.add("a", "problems.schema.required", severity="warning", code="schema.required", name="y")
    assert problems.warnings[0].en == "required field 'y' is missing" and not problems.errors


def test_verbatim_problems_show_their_sentences():
    p = Problem.verbatim("w", "frase", "sentence", "warning", "c")
    assert (p.it, p.en, p.message("en"), p.severity) == ("frase", "sentence", "w: sentence", "warning")
