"""Problems with user input, said in one clear line each, in Italian and English.

Every refusal the core makes names *where* (a JSON path such as ``plants[2].member``, or a file with
its line or day), *what was wrong* and *what was expected*. The core never lets a traceback reach a
user: readers and validators raise :class:`CerInputError` (or collect :class:`Problem` objects) and
the CLI and the studio print ``problem.message(lang)``.

The sentences live in the project's one catalogue, ``locales/<lang>/problems.json``: a problem carries
a key and its values, and the sentence is looked up when shown. ``scripts/codemod_problems.py``
turns (Italian, English) sentence pairs written at a call site into a key and values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from string import Formatter
from typing import Literal

from .i18n import DEFAULT_LANG, catalogue

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


def _fields(template: str) -> dict[str, bool]:
    """Placeholder name → True when it is shown as plain ``{name}`` (no conversion, no format spec)."""
    out: dict[str, bool] = {}
    for _, name, spec, conversion in Formatter().parse(template):
        if name is not None:
            out[name] = out.get(name, True) and not spec and not conversion
    return out


def render(key: str, lang: str, values: Mapping) -> str:
    """The sentence of ``key`` in ``lang`` (Italian when missing there, the key itself when missing
    everywhere) filled with ``values``; a value ``{"it": ..., "en": ...}`` is the one of ``lang``."""
    template = catalogue(lang).get(key) or catalogue(DEFAULT_LANG).get(key) or key
    filled = {k: (v.get(lang, v.get(DEFAULT_LANG)) if _per_lang(v) else v) for k, v in values.items()}
    return template.format(**filled)


def render_pair(key: str, **values) -> tuple[str, str]:
    """``(Italian, English)`` sentences of ``key`` (:func:`render` in both languages), for data records that
    keep both texts as fields (``note_it``/``note_en``): ``render_pair("notes.forecast.far_point", far_km=42)``."""
    return render(key, "it", values), render(key, "en", values)


def _per_lang(value) -> bool:
    return isinstance(value, dict) and set(value) == set(LANGS)


@dataclass(frozen=True)
class Problem:
    """One finding about an input.

    The sentence is not stored: a problem carries a key of the project's one catalogue
    (``locales/<lang>/problems.json``, :mod:`cer_core.i18n`) and the values that fill it, and the
    sentence is looked up when shown (:meth:`message`, :attr:`it`, :attr:`en`). How to add a message:
    docs/architecture.md, "Messages of the core".

    Parameters
    ----------
    where : str
        JSON path in the scenario (``members[3].load.path``) or ``file[:line]``.
    key : str
        Catalogue key of the sentence (``"problems.plant.over_1mw"``): what was wrong and what was
        expected. Empty for a sentence given as it is (:meth:`verbatim`).
    severity : {"error", "warning", "info"}
        ``error`` stops the simulation; ``warning`` is shown but the run goes on.
    code : str
        A stable machine-readable identifier (e.g. ``"plant.over_1mw"``) for tests and the UI.
    values : dict
        Named values of the sentence's placeholders: strings and numbers (anything else is kept as
        its text), or ``{"it": ..., "en": ...}`` for a value that differs by language.
    """

    where: str
    key: str
    severity: Severity = "error"
    code: str = ""
    values: Mapping = field(default_factory=dict, hash=False)

    def __post_init__(self):
        if self.severity not in ("error", "warning", "info") or not isinstance(self.values, Mapping):
            raise TypeError(f"Problem(where, key, severity, code, values) got severity={self.severity!r}, "
                            f"values={self.values!r}: two sentences are Problem.verbatim(where, it, en, ...)")
        values = {}
        for name, value in dict(self.values).items():
            if _per_lang(value):
                value = {lang: self._stored(name, v) for lang, v in value.items()}
            else:
                value = self._stored(name, value)
            values[name] = value
        object.__setattr__(self, "values", values)

    def _stored(self, name: str, value):
        """``value`` as text when every placeholder shows it plainly (the same text as the f-string
        made before), else as given (a format spec such as ``:,.1f`` needs the number)."""
        if type(value) in (str, int, float, bool) or value is None or not self.key:
            return value
        plain = all(_fields(catalogue(lang).get(self.key, "")).get(name, True) for lang in LANGS)
        return format(value, "") if plain else value

    @classmethod
    def verbatim(cls, where: str, it: str, en: str, severity: Severity = "error", code: str = "") -> Problem:
        """A problem whose sentences exist already in both languages (read back from a results file,
        or made by code that has no catalogue key yet): shown as they are."""
        return cls(where, "", severity, code, {"it": it, "en": en})

    @classmethod
    def from_dict(cls, data: Mapping) -> Problem:
        """The problem written by :meth:`to_dict` (its sentences as they were then)."""
        return cls.verbatim(data.get("where", ""), data.get("it", ""), data.get("en", ""),
                            data.get("severity", "error"), data.get("code", ""))

    def text(self, lang: str = "it") -> str:
        """The sentence in ``lang``, without ``where``."""
        if not self.key:
            return str(self.values.get(lang if lang in LANGS else DEFAULT_LANG, ""))
        return render(self.key, lang, self.values)

    @property
    def it(self) -> str:
        """The sentence in Italian."""
        return self.text("it")

    @property
    def en(self) -> str:
        """The sentence in English."""
        return self.text("en")

    def message(self, lang: str = "it") -> str:
        """The problem as one line: ``where: sentence``, cut to a short excerpt (a user's 10 MB field must not
        become a 10 MB message, docs/limits.md)."""
        text = self.en if lang == "en" else self.it
        return excerpt(f"{self.where}: {text}" if self.where else text, MAX_MESSAGE_CHARS)

    def to_dict(self) -> dict:
        """JSON-ready form: ``where``, the sentences ``it`` and ``en``, ``severity``, ``code``."""
        return {"where": self.where, "it": self.it, "en": self.en, "severity": self.severity, "code": self.code}


class CerInputError(Exception):
    """Raised when an input cannot be used; carries one or more :class:`Problem` (all errors)."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.message("en"))

    def message(self, lang: str = "it") -> str:
        """All problems, one per line."""
        return "\n".join(p.message(lang) for p in self.problems)


def error(where: str, key: str, code: str = "", **values) -> CerInputError:
    """Shorthand to build a one-problem :class:`CerInputError`: ``raise error(where, "problems.x", "x", n=3)``."""
    return CerInputError(Problem(where, key, "error", code, values))


@dataclass
class ProblemList:
    """Collects problems while validating, so that every bad field is reported, not just the first."""

    items: list[Problem] = field(default_factory=list)

    def add(self, where: str, key: str, *, severity: Severity = "error", code: str = "", **values) -> None:
        """Add the problem of catalogue ``key`` filled with ``values``."""
        self.items.append(Problem(where, key, severity, code, values))

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
    return CerInputError([replace(p, where=f"{where} → {p.where}" if p.where else where) for p in exc.problems])
