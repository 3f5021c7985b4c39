"""Both languages have the same keys, every key the studio uses exists, placeholders agree."""

import ast
import json
import re
import string
from pathlib import Path

import pytest

from cer_core.i18n import LANGS, LOCALES, catalogue
from cer_core.vocabulary import CATEGORY_CHOICES, KIND_CHOICES

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "studio").glob("*.py"))]


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


def used_keys():
    """Literal keys passed to t()/tr() and translation keys returned by the studio's pure modules."""
    keys = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("t", "tr") \
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                keys.add(node.args[0].value)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    re.fullmatch(r"(membri|impianti|panoramica|risultati|common)\.note\.[a-z_]+|panoramica\.missing\.[a-z_]+",
                                 node.value):
                keys.add(node.value)
    return keys


def test_every_key_used_in_the_code_exists():
    cat = catalogue("it")
    missing = sorted(k for k in used_keys() if k not in cat)
    assert not missing, missing


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
