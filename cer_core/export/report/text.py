"""The reports' words and numbers: the ``report`` catalogue of the UI and Italian number formats.

The texts come from ``locales/<lang>/report.json`` — the same catalogues the studio reads (its
``t("report.key")``), so a label in a PDF is the label on the screen. This loader is core-side and
tiny: the core never imports the studio. Numbers follow the studio's conventions (``studio/pure/format.py``):
Italian ``1.234,5 kWh`` and ``12.346 €``, English ``1,234.5 kWh`` and ``€12,346``.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

from ...paths import ROOT

LOCALES = ROOT / "locales"
LANGS = ("it", "en")
NAMESPACE = "report"
MONTHS_SHORT = {"it": ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"),
                "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}


@lru_cache(maxsize=4)
def catalogue(lang: str) -> dict[str, str]:
    """The ``report`` keys of ``lang`` without the namespace: ``{"member.title": text}``."""
    path = LOCALES / lang / f"{NAMESPACE}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _missing(value) -> bool:
    if value is None or isinstance(value, bool):
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def fmt_number(value, decimals: int = 0, lang: str = "it") -> str:
    """``1234.5`` → ``"1.234,5"`` (it) or ``"1,234.5"`` (en); ``"–"`` for None/NaN."""
    if _missing(value):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


class Text:
    """Words and number formats of one language: ``tx("member.title", name=...)``, ``tx.eur(1234.5)``.

    Parameters
    ----------
    lang : {"it", "en"}
        Unknown languages fall back to Italian.
    """

    def __init__(self, lang: str = "it"):
        self.lang = lang if lang in LANGS else "it"
        self._words = catalogue(self.lang)

    def __call__(self, key: str, **fmt) -> str:
        text = self._words.get(key) or catalogue("it").get(key) or key
        return text.format(**fmt) if fmt else text

    def has(self, key: str) -> bool:
        return key in self._words

    def num(self, value, decimals: int = 0) -> str:
        return fmt_number(value, decimals, self.lang)

    def kwh(self, value, decimals: int = 0) -> str:
        """Energy in kWh, whole numbers: ``"1.225.550 kWh"`` (the figure of ``summary.json`` rounded)."""
        return "–" if _missing(value) else f"{self.num(value, decimals)} kWh"

    def mwh(self, kwh, decimals: int = 1) -> str:
        return "–" if _missing(kwh) else f"{self.num(float(kwh) / 1000, decimals)} MWh"

    def eur(self, value, decimals: int = 0) -> str:
        """Money: ``"12.346 €"`` (it) or ``"€12,346"`` (en)."""
        if _missing(value):
            return "–"
        if self.lang == "en":
            text = fmt_number(abs(float(value)), decimals, "en")
            return f"-€{text}" if float(value) < 0 and text.strip("0.,") else f"€{text}"
        return f"{self.num(value, decimals)} €"

    def pct(self, ratio, decimals: int = 1) -> str:
        return "–" if _missing(ratio) else f"{self.num(float(ratio) * 100, decimals)}%"

    def kwp(self, value) -> str:
        return "–" if _missing(value) else f"{self.num(value, 1)} kWp"

    def co2(self, kg) -> str:
        """Avoided CO2: kg below one tonne, tonnes with one decimal above."""
        if _missing(kg):
            return "–"
        if abs(float(kg)) < 1000:
            return f"{self.num(kg, 0)} kg CO₂"
        return f"{self.num(float(kg) / 1000, 1)} t CO₂"

    def date(self, iso: str | None) -> str:
        """``"2024-03-15"`` → ``"15/03/2024"`` (it) or ``"15 Mar 2024"`` (en); other text as it is."""
        if not iso or len(str(iso)) < 10 or str(iso)[4] != "-":
            return str(iso or "–")
        y, m, d = str(iso)[:10].split("-")
        if self.lang == "en":
            return f"{int(d)} {MONTHS_SHORT['en'][int(m) - 1]} {y}"
        return f"{d}/{m}/{y}"

    @property
    def months(self) -> tuple[str, ...]:
        return MONTHS_SHORT[self.lang]
