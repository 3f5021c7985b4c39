"""The session's language for the studio: ``t("map.title")`` is the catalogue's text in the language chosen.

The catalogue itself (files, fallback, formatting) is :mod:`cer_core.i18n`, shared with the exports,
the reports and the core's messages; this module only adds the session's choice of language.
"""

from __future__ import annotations

import streamlit as st

from cer_core.i18n import DEFAULT_LANG, LANGS, LOCALES, catalogue, text

__all__ = ["DEFAULT_LANG", "LANGS", "LOCALES", "LANG_KEY", "catalogue", "current_lang", "t"]

LANG_KEY = "lang"


def current_lang() -> str:
    """The language chosen in this session (Italian by default)."""
    return st.session_state.get(LANG_KEY, DEFAULT_LANG)


def t(key: str, **fmt) -> str:
    """The text of ``key`` in the current language, formatted with ``fmt``; the key itself if missing."""
    return text(key, current_lang(), **fmt)
