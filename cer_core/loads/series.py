"""The value type of the loads family: a member's hourly load and the warnings met while making it.

A leaf: it imports nothing of :mod:`cer_core.loads`, so :mod:`.bills`, :mod:`.profiles` and the
scenario adapters of :mod:`.member_load` can all import it at the top (docs/architecture.md, the map
of ``cer_core/loads/``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import Problem

#: Code of a reader's warning that came without one.
DEFAULT_WARNING_CODE = "load.warning"


@dataclass(frozen=True)
class LoadSeries:
    """Hourly load of one member [kWh], a report on where it came from and the warnings met.

    Attributes
    ----------
    kwh : numpy.ndarray
        kWh per local hour of the simulated year.
    meta : dict
        JSON-ready report (``source``, ``annual_kwh``, what the import or the bills say); its
        ``warnings`` are the JSON records of :attr:`warnings`, in the same order.
    warnings : tuple of Problem
        Warning-level problems located at the member's load (``members[8].load``), each sentence
        starting with its place inside the load (``curva.csv:302: …``, ``bills[3]: …``).
    """

    kwh: np.ndarray
    meta: dict = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()


class LoadWarnings:
    """The warnings of one member's load, in the order they arise.

    Each is a warning :class:`Problem` located at the load (what :mod:`cer_core.api` reports) and
    its JSON record for ``LoadSeries.meta["warnings"]`` (``{"it", "en", "code"}``; a reader's record
    is kept as the reader wrote it).

    Parameters
    ----------
    where : str
        JSON path of the member's ``load`` section (``members[8].load``).
    """

    def __init__(self, where: str):
        self.where = where
        self.problems: list[Problem] = []
        self.records: list[dict] = []

    def add(self, key: str, code: str, *, record: dict | None = None, **values) -> None:
        """A warning at the load: the sentence of catalogue ``key`` (``locales/<lang>/problems.json``)
        filled with ``values``."""
        self._append(Problem(self.where, key, "warning", code, values), record)

    def add_record(self, record: dict) -> None:
        """A warning a reader returned as a JSON record (``{"it", "en", "code"[, "where"]}``), kept as it is."""
        self._append(Problem.verbatim(self.where, record.get("it", ""), record.get("en", ""), "warning",
                                      record.get("code", DEFAULT_WARNING_CODE)), record)

    def add_located(self, problem: Problem) -> None:
        """A problem found inside the load (``members[8].load.bills[3]``, ``bollette.csv:4``), its sentence
        prefixed with that place relative to the load (``bills[3]: …``, ``bollette.csv:4: …``)."""
        place = problem.where
        if place == self.where:
            place = ""
        elif place.startswith(self.where + "."):
            place = place[len(self.where) + 1:]
        it, en = (f"{place}: {text}" if place else text for text in (problem.it, problem.en))
        self._append(Problem.verbatim(self.where, it, en, "warning", problem.code))

    def _append(self, problem: Problem, record: dict | None = None) -> None:
        self.problems.append(problem)
        self.records.append({"it": problem.it, "en": problem.en, "code": problem.code} if record is None else record)
