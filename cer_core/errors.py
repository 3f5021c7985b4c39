"""Problems with user input, said in one clear line each, in Italian and English.

Every refusal the core makes names *where* (a JSON path such as ``plants[2].member``, or a file with
its line or day), *what was wrong* and *what was expected*. The core never lets a traceback reach a
user: readers and validators raise :class:`CerInputError` (or collect :class:`Problem` objects) and
the CLI and the studio print ``problem.message(lang)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]
LANGS = ("it", "en")
#: Longest message shown for one problem [characters].
MAX_MESSAGE_CHARS = 400
#: Longest user value echoed in a message [characters] (a 10 MB field must not become a 10 MB message).
EXCERPT_CHARS = 80


def excerpt(value, limit: int = EXCERPT_CHARS) -> str:
    """A user value cut to ``limit`` characters (``…`` and the full length when cut), for messages."""
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} caratteri/characters)"


@dataclass(frozen=True)
class Problem:
    """One finding about an input.

    Parameters
    ----------
    where : str
        JSON path in the scenario (``members[3].load.path``) or ``file[:line]``.
    it, en : str
        The sentence in Italian and in English: what was wrong and what was expected.
    severity : {"error", "warning", "info"}
        ``error`` stops the simulation; ``warning`` is shown but the run goes on.
    code : str
        A stable machine-readable identifier (e.g. ``"plant.over_1mw"``) for tests and the UI.
    """

    where: str
    it: str
    en: str
    severity: Severity = "error"
    code: str = ""

    def message(self, lang: str = "it") -> str:
        """The problem as one line: ``where: sentence``, cut to a short excerpt (a user's 10 MB field must not
        become a 10 MB message, docs/limits.md)."""
        text = self.en if lang == "en" else self.it
        return excerpt(f"{self.where}: {text}" if self.where else text, MAX_MESSAGE_CHARS)

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


class CerInputError(Exception):
    """Raised when an input cannot be used; carries one or more :class:`Problem` (all errors)."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.message("en"))

    def message(self, lang: str = "it") -> str:
        """All problems, one per line."""
        return "\n".join(p.message(lang) for p in self.problems)


def error(where: str, it: str, en: str, code: str = "") -> CerInputError:
    """Shorthand to build a one-problem :class:`CerInputError`."""
    return CerInputError(Problem(where=where, it=it, en=en, severity="error", code=code))


@dataclass
class ProblemList:
    """Collects problems while validating, so that every bad field is reported, not just the first."""

    items: list[Problem] = field(default_factory=list)

    def add(self, where: str, it: str, en: str, *, severity: Severity = "error", code: str = "") -> None:
        self.items.append(Problem(where=where, it=it, en=en, severity=severity, code=code))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity != "error"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise CerInputError(self.errors)


def located(exc: CerInputError, where: str) -> CerInputError:
    """The same problems, each prefixed with the JSON path of the scenario field that led to them.

    ``members[3].load.path`` + ``bolletta.csv:12`` → ``members[3].load.path → bolletta.csv:12``.
    """
    return CerInputError([Problem(f"{where} → {p.where}" if p.where else where, p.it, p.en, p.severity, p.code)
                          for p in exc.problems])
