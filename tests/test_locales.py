"""The one catalogue (cer_core.i18n): both languages have the same keys in every namespace, placeholders agree,
and every key the code names literally (studio, pages, core exports and reports) exists."""

import ast
import json
import re
import string
from pathlib import Path

import pytest

from cer_core import constants as C
from cer_core.export import xlsx
from cer_core.i18n import LANGS, LOCALES, catalogue, day_names, month_names
from cer_core.vocabulary import CATEGORY_CHOICES, KIND_CHOICES
from studio.pure import plain

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "studio").rglob("*.py")),
           *sorted((ROOT / "cer_core").rglob("*.py"))]
#: Functions that take a catalogue key as first argument → the prefix they put before it. ``t`` (the studio),
#: ``tr`` (a translator handed to pure helpers), ``text``/``text_or`` (cer_core.i18n) take the whole key;
#: a report's ``tx`` adds ``report.``; the workbook's ``sheet_name``/``header`` add their namespace.
KEY_FUNCTIONS = {"t": "", "tr": "", "text": "", "text_or": "", "tx": "report.", "sheet_name": "export.sheet.",
                 "header": "export.col."}


def namespaces(lang):
    return {p.name for p in (LOCALES / lang).glob("*.json")}


def test_same_files_in_every_language():
    assert namespaces("it") == namespaces("en") and "common.json" in namespaces("it")


@pytest.mark.parametrize("name", sorted(namespaces("it")))
def test_same_keys_and_placeholders(name):
    it = json.loads((LOCALES / "it" / name).read_text(encoding="utf-8"))
    en = json.loads((LOCALES / "en" / name).read_text(encoding="utf-8"))
    assert set(it) == set(en), set(it) ^ set(en)
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    for key in it:
        assert it[key].strip() and en[key].strip(), key
        assert fields(it[key]) == fields(en[key]), key


def _called(node: ast.Call) -> str | None:
    """``t`` for ``t(...)``, ``text`` for ``i18n.text(...)``."""
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id == "i18n":
        return node.func.attr
    return None


def scan_sources():
    """Literal keys and f-string key prefixes passed to the catalogue's functions, plus translation keys that
    the studio's pure modules return as constants: (keys, prefixes), each a set of (key, where)."""
    keys, prefixes = set(), set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and _called(node) in KEY_FUNCTIONS:
                prefix, arg = KEY_FUNCTIONS[_called(node)], node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    keys.add((prefix + arg.value, f"{where}:{node.lineno}"))
                elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
                    prefixes.add((prefix + arg.values[0].value, f"{where}:{node.lineno}"))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    re.fullmatch(r"(membri|impianti|panoramica|risultati|common)\.note\.[a-z_]+|panoramica\.missing\.[a-z_]+",
                                 node.value):
                keys.add((node.value, f"{where}:{node.lineno}"))
    return keys, prefixes


def _is_key(candidate: str) -> bool:
    """A literal that names a catalogue key (``namespace.key``), not an ordinary word a function also takes."""
    return "." in candidate and candidate.split(".")[0] in {n[:-5] for n in namespaces("it")}


def used_keys():
    return {k for k, _ in scan_sources()[0] if _is_key(k)}


def test_the_scan_finds_the_keys_of_every_kind_of_caller():
    keys, prefixes = scan_sources()
    found = {k for k, _ in keys}
    assert {"map.layer_osm", "report.footer", "export.sheet.summary", "export.col.parameter",
            "export.allocation.note", "common.save.label"} <= found
    assert {"export.col.", "export.allocation.", "report.kind.", "common.where."} <= {p for p, _ in prefixes}


def test_every_key_used_in_the_code_exists():
    cat = catalogue("it")
    missing = sorted(f"{where}: {k}" for k, where in scan_sources()[0] if _is_key(k) and k not in cat)
    assert not missing, missing


def test_every_key_prefix_used_in_the_code_names_keys():
    """``t(f"common.kind.{kind}")`` and the like: some key starts with the literal part."""
    cat = catalogue("it")
    empty = sorted(f"{where}: {p}" for p, where in scan_sources()[1]
                   if _is_key(p) and not any(k.startswith(p) for k in cat))
    assert not empty, empty


@pytest.mark.parametrize("prefix, values", [
    ("common.kind.", KIND_CHOICES),
    ("common.category.", CATEGORY_CHOICES),
    ("common.nav.", ("panoramica", "mappa", "membri", "impianti", "risultati")),
    ("charts.season.", ("winter", "spring", "summer", "autumn")),
    ("charts.money.", ("tip", "valorisation", "energy_sale", "rid_topup", "bill_savings", "fees", "net")),
    ("charts.node.", ("production", "injected", "self_consumed", "shared", "injected_not_shared", "grid_withdrawal",
                      "consumption")),
    ("membri.source.", ("profile", "bills", "file", "none")),
    ("impianti.source.", ("pvlib", "file")),
    ("risultati.tab.", ("energy", "money", "members", "cabine", "checks", "downloads")),
    ("export.kind.", C.MEMBER_KINDS),
    ("export.category.", C.MEMBER_CATEGORIES),
    ("report.kind.", C.MEMBER_KINDS),
    ("report.category.", C.MEMBER_CATEGORIES),
    ("export.status.", ("pass", "warning", "fail")),
    ("report.status.", ("pass", "warning", "fail")),
    ("export.plant_set.", ("no_grant", "with_grant")),
    ("export.load_source.", ("file", "bills", "profile")),
    ("export.col.", tuple(xlsx.FORMATS)),
    ("export.allocation.", tuple(xlsx.ALLOCATION_FORMATS)),
    ("export.rule.", tuple(xlsx.RULE_UNITS)),
    ("common.where.", plain._PIECES),
])
def test_keys_built_at_run_time_exist(prefix, values):
    for lang in LANGS:
        cat = catalogue(lang)
        assert all(prefix + v in cat for v in values), [prefix + v for v in values if prefix + v not in cat]


def test_profiles_offered_have_names():
    from studio.pure.tables import profile_names

    cat = catalogue("it")
    assert [p for p in profile_names() if f"membri.profile.{p}" not in cat] == []


def test_italian_ui_has_no_common_english_words():
    english = re.compile(r"\b(the|and|with|without|members|plants|results|download|upload)\b", re.I)
    # «…» quotes a name as written elsewhere (a PVGIS file's English header), not the UI's wording
    bad = {k: v for k, v in catalogue("it").items()
           if english.search(re.sub(r"\{[^}]*\}|«[^»]*»", "", v)) and not k.startswith("map.")}
    assert not bad, bad


#: What a consultant would not show a mayor: scenario JSON fields, environment variables, translation keys.
TECHNICAL = re.compile(r'(«|")\w+(»|")\s*:\s*(true|false)|CER_STUDIO_\w+|\b(money|charts|common)\.[a-z_]+\b')


@pytest.mark.parametrize("lang", LANGS)
def test_no_technical_strings_in_user_text(lang):
    # problems.json holds the core's refusals of a file or a scenario, which name the field to fix on purpose
    found = {f"{p.name}:{k}": v for p in sorted((LOCALES / lang).glob("*.json")) if p.name != "problems.json"
             for k, v in json.loads(p.read_text(encoding="utf-8")).items() if TECHNICAL.search(v)}
    assert not found, found


def test_month_and_day_names_from_babel_as_the_studio_and_the_exports_write_them():
    """Babel's names, checked against the strings the workbook, the reports and the charts showed before."""
    assert month_names("it") == ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
                                 "settembre", "ottobre", "novembre", "dicembre")
    assert month_names("en")[8] == "September" and month_names("en", "abbreviated")[8] == "Sep"
    assert month_names("it", "abbreviated") == ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott",
                                                "nov", "dic")
    assert day_names("it") == ("lun", "mar", "mer", "gio", "ven", "sab", "dom")
    assert day_names("en", "wide")[0] == "Monday" and day_names("it", "wide")[6] == "domenica"
    assert month_names("fr") == month_names("it")          # an unknown language falls back to Italian
