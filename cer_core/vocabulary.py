"""The scenario's words and first values, defined once: member kinds and categories, the default
cabina, the default year and the kWp limits the studio accepts (a fresh document is
:func:`cer_core.workspace.new_document`).

The regulatory lists keep their sources in :mod:`cer_core.constants` (``MEMBER_KINDS``,
``MEMBER_CATEGORIES``, ``REFERENCE_YEAR``); this module re-exports them beside the choices the studio
offers (the same sets in the order the forms show them), so the studio, the pages and the tests
import one vocabulary instead of writing the values out again. ``tests/test_vocabulary.py`` checks the
sets against ``docs/scenario.schema.json``.
"""

from __future__ import annotations

from .constants import MEMBER_CATEGORIES, MEMBER_KINDS, REFERENCE_YEAR, TYPICAL_ANNUAL_KWH

__all__ = ["CATEGORY_CHOICES", "DEFAULT_CABINA_ID", "DEFAULT_CABINA_NAME", "DEFAULT_CATEGORY",
           "DEFAULT_KIND", "DEFAULT_PLANT_KWP", "DRAWN_PLANT_KWP_MIN", "KIND_CHOICES", "MEMBER_CATEGORIES",
           "MEMBER_KINDS", "PLANT_KWP_MAX", "REFERENCE_YEAR", "TYPICAL_ANNUAL_KWH", "year_or_default"]

#: Member kinds in the order the studio's forms offer them: from no production to production only
#: (the same set as ``MEMBER_KINDS``, which follows the schema's order).
KIND_CHOICES: tuple[str, ...] = ("consumer", "prosumer", "producer")
#: Member categories in the order the studio's forms offer them: the common ones first (the same set
#: as ``MEMBER_CATEGORIES``, which follows the schema's order).
CATEGORY_CHOICES: tuple[str, ...] = ("household", "sme", "public_body", "third_sector", "other", "large_enterprise",
                                     "religious_body", "research_body")
#: What a member added without saying more is: a household consumer.
DEFAULT_KIND = "consumer"
DEFAULT_CATEGORY = "household"

#: The cabina primaria a new community starts with, and the one a member goes under when no cabina is
#: declared yet (the map and the members table).
DEFAULT_CABINA_ID = "CP-1"
DEFAULT_CABINA_NAME = "Cabina primaria 1"

#: The power a plant added without saying more gets (the plants table; the map's roof form when no roof
#: suggestion is at hand), kWp: a small shared roof.
DEFAULT_PLANT_KWP = 10.0
#: The largest plant power the studio's kWp fields accept, kWp (ten times the tariff's 1 MW limit,
#: ``constants.MAX_PLANT_KW``: a larger plant is simulated and flagged by the checks, not refused).
PLANT_KWP_MAX = 10000.0
#: The smallest power of a plant drawn on the map, kWp.
DRAWN_PLANT_KWP_MIN = 0.1


def year_or_default(doc: dict) -> int:
    """The document's simulated year, or :data:`REFERENCE_YEAR` when it has none."""
    return int(doc.get("year") or REFERENCE_YEAR)
