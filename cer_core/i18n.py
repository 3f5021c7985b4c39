"""The project's one translation catalogue, for the studio, the exports, the reports and the core's messages.

Catalogues live in ``locales/<lang>/<namespace>.json`` (flat ``{"key": "text"}`` objects); a key is
``<namespace>.<key>``, e.g. ``locales/it/map.json`` holds the ``map.*`` keys. Texts are Python format
strings (``"{n} membri"``), filled with named values. Italian is the default language and the fallback
when a key is missing in another language; a key missing everywhere is returned as itself, so a typo
shows on screen instead of an empty label. ``tests/test_locales.py`` checks that every language has exactly
the same keys in every namespace.

This module is pure (no Streamlit): the studio adds only "which language this session speaks"
(:mod:`studio.components.i18n`).
"""

from __future__ import annotations

import json
from functools import lru_cache

from .paths import ROOT

LOCALES = ROOT / "locales"
LANGS = ("it", "en")
DEFAULT_LANG = "it"


@lru_cache(maxsize=len(LANGS) + 1)
def catalogue(lang: str) -> dict[str, str]:
    """All keys of ``lang``: ``{"namespace.key": text}`` (empty for an unknown language)."""
    out: dict[str, str] = {}
    if lang not in LANGS:
        return out
    for path in sorted((LOCALES / lang).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.update({f"{path.stem}.{k}": v for k, v in data.items()})
    return out


def text(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The text of ``key`` in ``lang`` (Italian when missing there; the key itself when missing everywhere),
    formatted with ``values``."""
    template = catalogue(lang).get(key) or catalogue(DEFAULT_LANG).get(key) or key
    return template.format(**values) if values else template


def translator(lang: str = DEFAULT_LANG):
    """``text`` bound to one language: ``tr = translator("en"); tr("map.title")``."""

    def tr(key: str, **values) -> str:
        return text(key, lang, **values)

    return tr
