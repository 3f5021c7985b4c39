"""User strings shown as text in Streamlit's markdown (titles, captions, messages, buttons).

Streamlit renders markdown almost everywhere; a community, member or cabina name such as
``![x](https://evil.example/t.png)`` or ``[clic](https://…)`` would otherwise make every viewer's
browser fetch a remote URL or show a link. :func:`md` escapes every character
that makes markdown (CommonMark lets any punctuation be escaped, so the text reads the same), breaks
bare URLs and cuts the value to an excerpt (see ``docs/limits.md``).
"""

from __future__ import annotations

import re

from cer_core.errors import excerpt

#: The characters that make markdown out of text wherever they are: HTML and autolinks ``< >``, emphasis
#: ``*`` (``_`` inside words is no emphasis), code, strike, tables, LaTeX ``$``, e-mail autolinks ``@``, the
#: escape itself. Links, images and Streamlit's ``:red[...]`` need ``](``, ``![`` or ``:word[``: only
#: those are broken, so JSON paths (``members[3].load``) and file names read as typed.
_ACTIVE = re.compile(r"([\\<>*`~|$@#{}])")
#: Longest user string shown inside a sentence [characters].
MAX_SHOWN_CHARS = 120


def md(value, limit: int = MAX_SHOWN_CHARS) -> str:
    """``value`` as literal text for markdown: markup characters escaped, bare URLs broken, lines joined, cut to ``limit`` characters.

    >>> print(md("![x](http://e.example/a.png) www.x.it"))
    \\![x\\](http:\\/\\/e.example/a.png) www\\.x.it
    """
    text = " ".join(excerpt(value, limit).split())
    text = _ACTIVE.sub(r"\\\1", text)
    text = text.replace("](", "\\](").replace("![", "\\![")
    text = re.sub(r"(:[\w/-]+)\[", r"\1\\[", text)
    # bare URLs become links in GitHub-flavoured markdown: break the scheme and the "www." they start with
    text = re.sub(r"(?i)(\w)://", r"\1:\\/\\/", text)
    return re.sub(r"(?i)\bwww\.", r"www\\.", text)


def md_fmt(fmt: dict) -> dict:
    """The string values of ``t()`` arguments made literal (numbers are left as they are)."""
    return {k: md(v) if isinstance(v, str) else v for k, v in fmt.items()}
