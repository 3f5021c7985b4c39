"""Typed, read-only views of ``Results.summary`` for the readers of the results (the studio's pages and
charts): the community's year, its months, the members', plants' and cabine's records.

A page that reads ``summary["totals"].get("shred_kwh", 0)`` shows 0 for a typo; a view reads every
field it declares when it is built and raises ``KeyError`` naming the missing key (and where it was
looked for), so a renamed key fails at once, in the tests. Each view names the record of
``docs/results.schema.json`` it reads (``SCHEMA_DEF``); ``tests/test_results_view.py`` checks that every
field is a *required* key of that record, so a view never depends on a key the format does not promise.

The views are built from the summary dict (what ``simulate`` writes in ``summary.json``), never from the
hourly matrices: those are read through :mod:`cer_core.api`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from types import MappingProxyType
from typing import Any, ClassVar, Mapping

__all__ = ["CabinaRecord", "MemberRecord", "Month", "PlantRecord", "SummaryView", "Totals", "summary_view"]


def take(record: Mapping[str, Any], key: str, where: str) -> Any:
    """``record[key]``, or a ``KeyError`` naming the key and where it was looked for."""
    try:
        return record[key]
    except (KeyError, TypeError):
        raise KeyError(f"the results have no {key!r} in {where} (docs/results.schema.json)") from None


_NAMES: dict[type, tuple[str, ...]] = {}


def _read(cls, record: Mapping[str, Any], where: str, convert: Mapping[str, Any] | None = None):
    """An instance of the dataclass ``cls`` with every field read from ``record`` by its name."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    try:
        values = {name: record[name] for name in names}
    except (KeyError, TypeError):
        for name in names:
            take(record, name, where)  # raises, naming the first missing key
        raise
    for name, fn in (convert or {}).items():
        values[name] = fn(values[name])
    return cls(**values)


def _monthly(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """A record's ``monthly`` lists (12 values each) behind a read-only mapping."""
    return MappingProxyType(value)


@dataclass(frozen=True)
class _Flows:
    """The community's energy and money over a period (a month or the year); docs/results.md."""

    production_kwh: float
    consumption_kwh: float
    self_consumed_kwh: float
    injected_kwh: float
    withdrawn_kwh: float
    shared_kwh: float
    incentivised_kwh: float
    tip_eur: float
    valorisation_eur: float
    energy_sale_eur: float
    rid_min_price_topup_eur: float
    bill_savings_eur: float
    rid_fee_eur: float
    gse_fee_eur: float
    grant_cut_exemption_eur: float
    co2_avoided_kg: float
    cer_incentives_eur: float
    fees_eur: float
    #: the CER's costs (the GSE CACER fees)
    cer_costs_eur: float
    #: what the CER brings: TIP + valorisation − the CER's costs (never sale or savings)
    cer_money_eur: float
    #: the producers' own: sale + RID top-up − RID fees
    energy_sale_net_eur: float
    #: the prosumers' own: bill savings of their physical self-consumption
    self_consumption_savings_eur: float
    net_benefit_eur: float


@dataclass(frozen=True)
class Month(_Flows):
    """One local month of the community (``summary["monthly"][i]``)."""

    SCHEMA_DEF: ClassVar[str] = "month"
    month: int


@dataclass(frozen=True)
class Totals(_Flows):
    """The community's year (``summary["totals"]``): the sum of the months, ratios and counts."""

    SCHEMA_DEF: ClassVar[str] = "totals"
    self_consumption_ratio: float
    self_sufficiency_ratio: float
    shared_over_injected: float
    members: int
    plants: int
    kwp: float
    cabine: int


class _Labelled:
    """A record shown by its name, or its id when it has none."""

    id: str
    name: str

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class MemberRecord(_Labelled):
    """One member's year (``summary["members"][i]``)."""

    SCHEMA_DEF: ClassVar[str] = "member"
    id: str
    name: str
    kind: str
    category: str
    cabina: str
    consumption_kwh: float
    production_kwh: float
    self_consumed_kwh: float
    injected_kwh: float
    withdrawn_kwh: float
    bill_savings_eur: float
    energy_sale_eur: float
    tip_generated_eur: float
    self_sufficiency_ratio: float
    #: per-month lists (12 values): consumption_kwh, production_kwh, self_consumed_kwh, ...
    monthly: Mapping[str, tuple[float, ...]]


@dataclass(frozen=True)
class PlantRecord(_Labelled):
    """One plant's year (``summary["plants"][j]``)."""

    SCHEMA_DEF: ClassVar[str] = "plant"
    id: str
    name: str
    member: str
    cabina: str
    kwp: float
    admitted: bool
    admission_it: str
    admission_en: str
    production_kwh: float
    specific_yield_kwh_kwp: float
    injected_kwh: float
    shared_kwh: float
    incentivised_kwh: float
    tip_eur: float
    energy_sale_eur: float
    #: per-month lists (12 values): production_kwh, injected_kwh, shared_kwh, incentivised_kwh, tip_eur, ...
    monthly: Mapping[str, tuple[float, ...]]

    def admission(self, lang: str) -> str:
        """Why the plant is (not) admitted to the tariff, in ``lang`` ("it" or "en")."""
        return self.admission_en if lang == "en" else self.admission_it


@dataclass(frozen=True)
class CabinaRecord(_Labelled):
    """One cabina primaria's year (``summary["cabine"][c]``)."""

    SCHEMA_DEF: ClassVar[str] = "cabina"
    id: str
    name: str
    members: int
    plants: int
    kwp: float
    injected_kwh: float
    withdrawn_kwh: float
    shared_kwh: float
    incentivised_kwh: float
    tip_eur: float
    valorisation_eur: float


class SummaryView:
    """The parts of a summary the studio shows, typed; build with :func:`summary_view`.

    ``totals`` and ``monthly`` are read when the view is made; the members', plants' and cabine's records
    when first used (a page that shows the totals of a 1,000-member community does not build 1,000
    records), each section failing by the missing key's name.
    """

    def __init__(self, summary: Mapping[str, Any]):
        self._summary = summary
        self.totals: Totals = _read(Totals, take(summary, "totals", "summary"), "totals")
        self.monthly: tuple[Month, ...] = self._records("monthly", Month)

    def _records(self, section: str, cls, convert=None) -> tuple:
        return tuple(_read(cls, r, f"{section}[{i}]", convert)
                     for i, r in enumerate(take(self._summary, section, "summary")))

    @cached_property
    def members(self) -> tuple[MemberRecord, ...]:
        return self._records("members", MemberRecord, {"monthly": _monthly})

    @cached_property
    def plants(self) -> tuple[PlantRecord, ...]:
        return self._records("plants", PlantRecord, {"monthly": _monthly})

    @cached_property
    def cabine(self) -> tuple[CabinaRecord, ...]:
        return self._records("cabine", CabinaRecord)

    def plant_monthly_kwh(self, key: str = "production_kwh") -> list[list[float]]:
        """A plants' monthly figure as 12 rows of one value per plant [kWh]: ``rows[month][plant]``."""
        columns = [p.monthly[key] for p in self.plants]
        return [[col[i] for col in columns] for i in range(12)]


#: The views and the ``summary`` section each reads (for the schema test).
VIEWS = {"totals": Totals, "monthly": Month, "members": MemberRecord, "plants": PlantRecord, "cabine": CabinaRecord}


def summary_view(summary: Mapping[str, Any]) -> SummaryView:
    """The typed view of ``summary`` (``Results.summary`` or a read ``summary.json``).

    Raises
    ------
    KeyError
        A key the view reads is missing (for the members, plants and cabine: when the section is first
        used); the message names it and where it was looked for.
    """
    return SummaryView(summary)
