"""Translations: ``t("map.title")`` looks the key up in the current language's catalogue.

Catalogues live in ``locales/<lang>/<namespace>.json`` (flat ``{"key": "text"}`` objects); a key is
``<namespace>.<key>``, e.g. ``locales/it/map.json`` holds the ``map.*`` keys. Each page owns its
namespace file, so pages don't edit each other's catalogues. Italian is the default language.
A test checks that every language has exactly the same keys.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import streamlit as st

LOCALES = Path(__file__).resolve().parents[2] / "locales"
LANGS = ("it", "en")
DEFAULT_LANG = "it"
LANG_KEY = "lang"


@lru_cache(maxsize=4)
def catalogue(lang: str) -> dict[str, str]:
    """All keys of ``lang``: ``{"namespace.key": text}``."""
    out: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.update({f"{path.stem}.{k}": v for k, v in data.items()})
    return out


def current_lang() -> str:
    """The language chosen in this session (Italian by default)."""
    return st.session_state.get(LANG_KEY, DEFAULT_LANG)


def t(key: str, **fmt) -> str:
    """The text of ``key`` in the current language, formatted with ``fmt``; the key itself if missing."""
    text = catalogue(current_lang()).get(key) or catalogue(DEFAULT_LANG).get(key) or key
    return text.format(**fmt) if fmt else text
