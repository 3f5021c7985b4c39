"""The map's catalogues: Italian and English have the same keys, and every key the code uses exists."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

from cer_core.vocabulary import CATEGORY_CHOICES, KIND_CHOICES

ROOT = Path(__file__).resolve().parents[1]
IT = json.loads((ROOT / "locales" / "it" / "map.json").read_text(encoding="utf-8"))
EN = json.loads((ROOT / "locales" / "en" / "map.json").read_text(encoding="utf-8"))
#: keys built at run time from these prefixes and a value (role, category, switch options)
DYNAMIC = {"kind_": KIND_CHOICES,
           "category_": CATEGORY_CHOICES,
           "polygon_as_": ("roof", "area"), "colour_by_": ("role", "cabina")}


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_same_keys_and_same_placeholders():
    assert IT.keys() == EN.keys()
    for key in IT:
        assert fields(IT[key]) == fields(EN[key]), key
        assert IT[key].strip() and EN[key].strip(), key


def test_every_key_used_in_the_code_exists():
    used = set()
    for path in list((ROOT / "studio").glob("map_*.py")):
        used |= set(re.findall(r"""\bt[r]?\(\s*f?["']map\.([a-z_]+)["']""", path.read_text(encoding="utf-8")))
    used = {k for k in used if not k.endswith("_")}
    for prefix, values in DYNAMIC.items():
        used |= {prefix + v for v in values}
    missing = sorted(k for k in used if k not in IT and k != "key")
    assert missing == []
