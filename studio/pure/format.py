"""Numbers as the studio shows them: Italian format (1.234,5 kWh) in the Italian UI, with units.

Only the UI formats numbers; the core and its files keep plain floats (the reports share
:func:`cer_core.i18n.format_number` with these functions). Every function takes the
language (``"it"`` default, ``"en"`` gives 1,234.5) and returns a string with a non-breaking space
between the number and its unit, so a unit never wraps to the next line.
"""

from __future__ import annotations

import math
import re

from cer_core.i18n import format_figure as fmt_number, is_missing as _missing, month_names as _month_names

NBSP = "\u00a0"


def fmt_qty(value, unit: str, decimals: int = 0, lang: str = "it") -> str:
    """A number with its unit: ``fmt_qty(1234.5, "kWh", 1)`` → ``"1.234,5 kWh"``."""
    if _missing(value):
        return "–"
    return f"{fmt_number(value, decimals, lang)}{NBSP}{unit}"


def fmt_energy(kwh, lang: str = "it") -> str:
    """Energy with a readable unit and at most four significant figures: kWh below 1 MWh, MWh (one
    decimal below 100 MWh, none above) below 1 GWh, then GWh (two decimals).

    ``850`` → ``"850 kWh"``; ``12_345`` → ``"12,3 MWh"``; ``242_300`` → ``"242 MWh"``; ``3_200_000`` →
    ``"3,20 GWh"``.
    """
    if _missing(kwh):
        return "–"
    v = float(kwh)
    if abs(v) < 999.5:
        return fmt_qty(v, "kWh", 0, lang)
    if abs(v) < 99_950:
        return fmt_qty(v / 1000, "MWh", 1, lang)
    if abs(v) < 999_500:
        return fmt_qty(v / 1000, "MWh", 0, lang)
    return fmt_qty(v / 1e6, "GWh", 2, lang)


def fmt_eur(value, lang: str = "it", decimals: int = 0) -> str:
    """Money: ``12345.6`` → ``"12.346 €"`` (it) or ``"€12,346"`` (en)."""
    if _missing(value):
        return "–"
    if lang == "en":
        text = fmt_number(abs(float(value)), decimals, lang)
        return f"-€{text}" if float(value) < 0 and text.strip("0.,") else f"€{text}"
    return fmt_qty(value, "€", decimals, lang)


def fmt_pct(ratio, decimals: int = 1, lang: str = "it") -> str:
    """A ratio as a percentage: ``0.553`` → ``"55,3%"``."""
    if _missing(ratio):
        return "–"
    return f"{fmt_number(float(ratio) * 100, decimals, lang)}%"


def fmt_kwp(kwp, lang: str = "it") -> str:
    """Installed power: ``982.5`` → ``"982,5 kWp"`` (one decimal, none for large plants)."""
    if _missing(kwp):
        return "–"
    return fmt_qty(kwp, "kWp", 1 if abs(float(kwp)) < 10_000 else 0, lang)


def fmt_co2(kg, lang: str = "it") -> str:
    """Avoided CO2: kg below one tonne, tonnes (one decimal) above: ``12_345`` → ``"12,3 t CO₂"``."""
    if _missing(kg):
        return "–"
    if abs(float(kg)) < 1000:
        return fmt_qty(kg, "kg CO₂", 0, lang)
    return fmt_qty(float(kg) / 1000, "t CO₂", 1, lang)


def month_names(lang: str = "it") -> tuple[str, ...]:
    """Abbreviated month names (12): ``gen`` … ``dic``, ``Jan`` … ``Dec`` (Babel, :func:`cer_core.i18n.month_names`)."""
    return _month_names(lang, "abbreviated")


def plotly_separators(lang: str = "it") -> str:
    """Plotly's ``layout.separators``: decimal mark then thousands separator."""
    return ".," if lang == "en" else ",."



_GROUPED_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")
_GROUPED_COMMA = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^\s*([+-]?[\d.,\s\u00a0\u202f']*\d[\d.,]*)\s*[^\d.,]*$")


def parse_number(text, lang: str = "it") -> tuple[float | None, str | None]:
    """A number as people type it, in either convention: ``"4,5"``, ``"1.234,5"``, ``"3.500"``
    (Italian thousands), ``"1,234.5"``; spaces and a trailing unit (``"4,5 kWp"``) are ignored.

    In Italian a lone dot followed by exactly three digits groups thousands (``"3.500"`` → 3500);
    otherwise a dot is a decimal point (``"12.5"``). A comma is the decimal mark unless it groups
    thousands in English (``"3,500"``). Returns ``(value, None)`` or ``(None, reason)`` where the
    reason is a short code: ``"empty"``, ``"not_a_number"``.
    """
    raw = str(text or "").strip()
    if not raw:
        return None, "empty"
    m = _NUMBER.match(raw)
    if not m:
        return None, "not_a_number"
    body = re.sub(r"[\s\u00a0\u202f']", "", m.group(1))
    sign = ""
    if body[:1] in "+-":
        sign, body = body[0], body[1:]
    if not body or body[0] in "+-":
        return None, "not_a_number"
    if "," in body and "." in body:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
    elif "," in body:
        decimal = "." if lang == "en" and _GROUPED_COMMA.match(body) else ","
    elif "." in body:
        decimal = "," if lang != "en" and _GROUPED_DOT.match(body) else "."
    else:
        decimal = "."
    thousands = "." if decimal == "," else ","
    whole, frac = (body.rsplit(decimal, 1) + [""])[:2] if decimal in body else (body, "")
    if thousands in whole and not (_GROUPED_DOT if thousands == "." else _GROUPED_COMMA).match(whole):
        return None, "not_a_number"
    if decimal in whole or thousands in frac or not (whole.replace(thousands, "") + frac).isdigit():
        return None, "not_a_number"
    value = float(f"{sign}{whole.replace(thousands, '') or '0'}.{frac or '0'}")
    if not math.isfinite(value):
        return None, "not_a_number"
    return value, None
