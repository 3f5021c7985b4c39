"""The project's one translation catalogue, for the studio, the exports, the reports and the core's messages.

Catalogues live in ``locales/<lang>/<namespace>.json`` (flat ``{"key": "text"}`` objects); a key is
``<namespace>.<key>``, e.g. ``locales/it/map.json`` holds the ``map.*`` keys. Texts are Python format
strings (``"{n} membri"``), filled with named values. Italian is the default language and the fallback
when a key is missing in another language; a key missing everywhere is returned as itself, so a typo
shows on screen instead of an empty label. ``tests/test_locales.py`` checks that every language has exactly
the same keys in every namespace.

Month and day names come from Babel (CLDR data, :func:`month_names`, :func:`day_names`), not from the
catalogue: Babel's Italian names are lowercase (``gennaio``, ``gen``), as the studio and the exports write
them. Numbers keep the hand-written :func:`format_number` (docs/architecture.md, "One translation system").

This module is pure (no Streamlit): the studio adds only "which language this session speaks"
(:mod:`studio.components.i18n`).
"""

from __future__ import annotations

import json
import math
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


def text_or(key: str, lang: str = DEFAULT_LANG, default: str | None = None) -> str | None:
    """The text of ``key`` in ``lang`` (Italian when missing there), or ``default`` when the catalogue has no
    such key: for codes shown as words where an unknown code is shown as it is (``text_or(f"export.kind.{k}",
    lang, k)``)."""
    return catalogue(lang).get(key) or catalogue(DEFAULT_LANG).get(key) or default


def translator(lang: str = DEFAULT_LANG):
    """``text`` bound to one language: ``tr = translator("en"); tr("map.title")``."""

    def tr(key: str, **values) -> str:
        return text(key, lang, **values)

    return tr


#: Babel's widths: "wide" (``gennaio``, ``January``) and "abbreviated" (``gen``, ``Jan``).
WIDTHS = ("wide", "abbreviated")


@lru_cache(maxsize=2 * len(WIDTHS) * (len(LANGS) + 1))
def month_names(lang: str = DEFAULT_LANG, width: str = "wide") -> tuple[str, ...]:
    """The 12 month names of ``lang`` (Italian for an unknown language), January first, from Babel.

    ``month_names("it")`` → ``("gennaio", …)``; ``month_names("en", "abbreviated")`` → ``("Jan", …)``.
    Babel is imported on the first call only (it costs ~60 ms; simulations never need it).
    """
    from babel.dates import get_month_names

    names = get_month_names(width, "format", lang if lang in LANGS else DEFAULT_LANG)
    return tuple(names[m] for m in range(1, 13))


def month_name(month: int, lang: str = DEFAULT_LANG, width: str = "wide") -> str:
    """The name of ``month`` (1–12) in ``lang``: ``month_name(3, "it")`` → ``"marzo"``."""
    return month_names(lang, width)[month - 1]


@lru_cache(maxsize=2 * len(WIDTHS) * (len(LANGS) + 1))
def day_names(lang: str = DEFAULT_LANG, width: str = "abbreviated") -> tuple[str, ...]:
    """The 7 weekday names of ``lang``, Monday first (``datetime.weekday()`` order), from Babel:
    ``("lun", "mar", …)``, ``("Mon", "Tue", …)``."""
    from babel.dates import get_day_names

    names = get_day_names(width, "format", lang if lang in LANGS else DEFAULT_LANG)
    return tuple(names[d] for d in range(7))


def format_number(value: float, decimals: int = 0, lang: str = DEFAULT_LANG) -> str:
    """A finite number with grouped thousands: ``1234.5`` → ``"1.234,5"`` (it) or ``"1,234.5"`` (en); never
    ``"-0"``. Callers handle missing values (None, NaN) themselves.

    Hand-written rather than ``babel.numbers.format_decimal``: Babel rounds the decimal text half-even
    (``2.675`` → ``"2,68"``) where Python rounds the binary value (``"2,67"``), writes ``"-0,00"``, and is
    about 13 times slower on the studio's hot path (docs/architecture.md).
    """
    text = f"{float(value):,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0"
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def is_missing(value) -> bool:
    """True for what is shown as a dash instead of a figure: None, a boolean, NaN, ±inf or not a number."""
    if value is None or isinstance(value, bool):
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def format_figure(value, decimals: int = 0, lang: str = DEFAULT_LANG) -> str:
    """:func:`format_number`, or ``"–"`` for a missing value (:func:`is_missing`).

    Parameters
    ----------
    value : float or None
    decimals : int
        Digits after the decimal mark.
    lang : {"it", "en"}
    """
    return "–" if is_missing(value) else format_number(value, decimals, lang)
