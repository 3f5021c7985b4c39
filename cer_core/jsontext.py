"""``summary.json``'s text in one pass: :func:`cer_core.export.files.summary_document` and ``json.dumps(indent=1)``.

On 1,000 members the summary holds ≈ 1.4 million values: copying it with rounded floats
(``export._clean``) and then running Python's JSON encoder (pure Python once ``indent`` is given) took
≈ 2 s. :func:`dumps_clean` writes the same text directly: floats rounded to 6 decimals (NaN and
infinities as ``null``), numpy scalars as Python ones, one value per line indented by one space per
level, keys as written, non-ASCII characters kept. Anything it does not know (non-string keys, other
types) makes it give up (:class:`Unsupported`) and the caller falls back on the two-step path, so the
text is always byte for byte what ``json.dumps(_clean(doc), indent=1, ensure_ascii=False)`` writes
(``tests/test_export.py``).
"""

from __future__ import annotations

import math
from json.encoder import encode_basestring

import numpy as np

_FLOAT_REPR = float.__repr__
_INT_REPR = int.__repr__
_isfinite = math.isfinite


class Unsupported(TypeError):
    """A value :func:`dumps_clean` does not write (the caller uses the two-step path)."""


def _number(x) -> str:
    """A float (rounded to 6 decimals; ``null`` when not finite) or an int, as JSON."""
    if type(x) is float:
        return _FLOAT_REPR(round(x, 6)) if _isfinite(x) else "null"
    return _INT_REPR(x)


def dumps_clean(doc) -> str:
    """``json.dumps(export._clean(doc), indent=1, ensure_ascii=False)``, written in one pass.

    Raises
    ------
    Unsupported
        For a value the two-step path would write differently or not at all.
    """
    out: list[str] = []
    _encode(doc, "\n", out)
    return "".join(out)


def _encode(o, nl: str, out: list) -> None:  # noqa: C901 - one branch per JSON type
    t = type(o)
    if t is str:
        out.append(encode_basestring(o))
    elif t is float or t is int:
        out.append(_number(o))
    elif t is dict:
        if not o:
            out.append("{}")
            return
        inner = nl + " "
        sep = "{"
        for k, v in o.items():
            if type(k) is not str:
                raise Unsupported(f"key {k!r}")
            out.append(sep + inner + encode_basestring(k) + ": ")
            sep = ","
            _encode(v, inner, out)
        out.append(nl + "}")
    elif t is list or t is tuple:
        if not o:
            out.append("[]")
            return
        inner = nl + " "
        if all(type(x) is float or type(x) is int for x in o):
            out.append("[" + inner + ("," + inner).join(map(_number, o)) + nl + "]")
            return
        sep = "["
        for v in o:
            out.append(sep + inner)
            sep = ","
            _encode(v, inner, out)
        out.append(nl + "]")
    elif o is None:
        out.append("null")
    elif o is True or o is False or t is np.bool_:
        out.append("true" if o else "false")
    elif isinstance(o, (np.floating, float)):
        out.append(_number(float(o)))
    elif isinstance(o, np.integer):
        out.append(_INT_REPR(int(o)))
    else:
        raise Unsupported(f"type {t.__name__}")
