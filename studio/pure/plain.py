"""Problems in the words of the person at the screen, not of the program (no Streamlit).

The core locates each problem for the command line and the API: ``members[3].load.bills[2].f1_kwh``,
``plants[0].production.path → members/casa-3/consumi_orari_2024_ab12cd34.csv:12``, and a few sentences carry
an exception class (``(ConnectionError)``, ``(BadZipFile)``). The studio says instead «membro «Famiglia
Rossi» · bolletta 3», «impianto «Tetto scuola» · produzione → consumi_orari_2024_ab12cd34.csv:12», and drops
the class name (:func:`user_message`).
"""

from __future__ import annotations

import re

from cer_core.errors import MAX_MESSAGE_CHARS, Problem, excerpt

#: ``(ConnectionError)``, ``(BadZipFile)``, ``(ValueError: …)``, ``ReadTimeout:`` — Python names, not words.
_EXC = re.compile(r"\s*\((?:[A-Za-z_][\w.]*?)?(?:Error|Exception|Timeout|BadZipFile|Warning)(?::[^)]*)?\)"
                  r"|\b[A-Z]\w*(?:Error|Exception):\s*")
_ENTITY = re.compile(r"^(members|plants|cabine)\[(\d+)\]")
_INDEX = re.compile(r"^([a-z_]+)\[(\d+)\]$")
_FILE = re.compile(r"\.(csv|txt|json|jsonl|geojson|zip|xlsx|xls)(:\d+)?$", re.IGNORECASE)

#: JSON path pieces → words, by language (a piece not listed is left out: the entity is enough).
_WORDS = {
    "it": {"members": "membro", "plants": "impianto", "cabine": "cabina", "load": "consumi",
           "bills": "bolletta", "production": "produzione", "weather": "meteo", "site": "sito", "prices": "prezzi",
           "faces": "falda", "kwp": "potenza", "commissioning": "entrata in esercizio", "pod": "POD",
           "name": "nome", "year": "anno", "comune": "comune", "rules": "regole", "economics": "parametri economici",
           "regolamento": "regolamento", "area": "area", "roof": "tetto", "cabina": "cabina"},
    "en": {"members": "member", "plants": "plant", "cabine": "cabina", "load": "consumption",
           "bills": "bill", "production": "production", "weather": "weather", "site": "site", "prices": "prices",
           "faces": "face", "kwp": "power", "commissioning": "commissioning", "pod": "POD",
           "name": "name", "year": "year", "comune": "comune", "rules": "rules", "economics": "economic parameters",
           "regolamento": "regolamento", "area": "area", "roof": "roof", "cabina": "cabina"},
}


def plain_text(text: str) -> str:
    """``text`` without Python exception class names."""
    return _EXC.sub("", str(text)).strip()


def _file_part(text: str) -> str:
    """``members/casa-3/originali/x.csv:12`` → ``x.csv:12`` (the name the user knows, not the bundle's folders)."""
    return re.sub(r"[^\s/]*/", "", text.strip())


def plain_where(where: str, lang: str = "it", doc: dict | None = None) -> str:
    """A problem's location in words: the member, plant or cabina by name, then what in it."""
    words = _WORDS.get(lang, _WORDS["it"])
    path, _, file = str(where).partition(" → ")
    m = _ENTITY.match(path)
    head = re.split(r"[.\[]", path)[0]
    if not m and (head not in words or "/" in path or _FILE.search(path)):
        return _file_part(where)       # a file name (an upload, a bundle entry): its base name
    parts = []
    rest = path
    if m:
        kind, index = m.group(1), int(m.group(2))
        items = (doc or {}).get(kind) or []
        item = items[index] if 0 <= index < len(items) and isinstance(items[index], dict) else {}
        label = item.get("name") or item.get("id")
        parts.append(f"{words[kind]} «{excerpt(label, 60)}»" if label else f"{words[kind]} {index + 1}")
        rest = path[m.end():].lstrip(".")
    for piece in [p for p in rest.split(".") if p]:
        idx = _INDEX.match(piece)
        name, number = (idx.group(1), int(idx.group(2)) + 1) if idx else (piece, None)
        if name in words and name not in ("path", "source"):
            parts.append(words[name] + (f" {number}" if number is not None else ""))
    text = " · ".join(parts)
    if file:
        text = f"{text} → {_file_part(file)}" if text else _file_part(file)
    return text


def user_message(problem: Problem, lang: str = "it", doc: dict | None = None) -> str:
    """``problem`` as one line for the studio: its place in words, its sentence without class names."""
    text = plain_text(problem.en if lang == "en" else problem.it)
    where = plain_where(problem.where, lang, doc) if problem.where else ""
    return excerpt(f"{where}: {text}" if where else text, MAX_MESSAGE_CHARS)
