"""Text from users made safe for spreadsheets (Excel workbooks, CSV files).

A spreadsheet treats a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula (CSV/formula injection, see ``docs/limits.md``); OWASP's advice is to prefix such a cell with
a single quote so it is shown as the text it is.
"""

from __future__ import annotations

#: The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would read it as a formula; unchanged otherwise.

    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("Scuola Verdi")
    'Scuola Verdi'
    """
    text = str(text)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text

