"""The reports' words and numbers: the ``report`` namespace of the project's catalogue and its number formats.

The texts are the ``report.*`` keys of :mod:`cer_core.i18n` (``locales/<lang>/report.json``) — the same
catalogue the studio reads (its ``t("report.key")``), so a label in a PDF is the label on the screen. Month
names come from Babel (:func:`cer_core.i18n.month_names`). Numbers follow the studio's conventions
(``studio/pure/format.py``, both on :func:`cer_core.i18n.format_number`): Italian ``1.234,5 kWh`` and
``12.346 €``, English ``1,234.5 kWh`` and ``€12,346``.
"""

from __future__ import annotations


from ...i18n import LANGS, catalogue, month_names, text_or
from ...i18n import format_figure as fmt_number, is_missing as _missing

NAMESPACE = "report"


class Text:
    """Words and number formats of one language: ``tx("member.title", name=...)``, ``tx.eur(1234.5)``.

    Parameters
    ----------
    lang : {"it", "en"}
        Unknown languages fall back to Italian.
    """

    def __init__(self, lang: str = "it"):
        self.lang = lang if lang in LANGS else "it"

    def __call__(self, key: str, **fmt) -> str:
        """The text of ``report.<key>`` (Italian when missing in the language; ``key`` itself when unknown)."""
        template = text_or(f"{NAMESPACE}.{key}", self.lang, key)
        return template.format(**fmt) if fmt else template

    def has(self, key: str) -> bool:
        return f"{NAMESPACE}.{key}" in catalogue(self.lang)

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
            return f"{int(d)} {month_names('en', 'abbreviated')[int(m) - 1]} {y}"
        return f"{d}/{m}/{y}"

    @property
    def months(self) -> tuple[str, ...]:
        return month_names(self.lang, "abbreviated")
