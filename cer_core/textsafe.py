"""Text from users made safe for the places it is written to (spreadsheets, CSV, messages).

A spreadsheet treats a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula (CSV/formula injection, see ``docs/limits.md``); OWASP's advice is to prefix such a cell with
a single quote so it is shown as the text it is.
"""

from __future__ import annotations

#: The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Longest user value echoed in a message [characters] (a 10 MB field must not become a 10 MB message).
EXCERPT_CHARS = 80


def neutralise_formula(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would read it as a formula; unchanged otherwise.

    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("Scuola Verdi")
    'Scuola Verdi'
    """
    text = str(text)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def excerpt(value, limit: int = EXCERPT_CHARS) -> str:
    """A user value cut to ``limit`` characters (``…`` and the full length when cut), for messages."""
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} caratteri/characters)"
