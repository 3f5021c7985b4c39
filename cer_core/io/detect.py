"""Format detection and dispatch (``docs/formats.md`` §6).

JSON: Chain2Gate messages; PVGIS and the distributors' JSON back-ends are recognised and refused
with a message saying what to do. Text and Excel sheets: the header row is searched among the first
30 rows — ``POD;DATA;ORA`` (PCF), ≥ 90 quarter-hour or 23–25 hourly labels (e-distribuzione wide),
``entity_id,state,last_changed`` (Home Assistant), ``interval_start_utc … total_import_wh`` (Chain 2
CSV), a bills header (``f1`` with ``periodo``/``mese``: refused here, bills have their own reader),
cumulative register readings (refused); anything else goes to the generic long reader.
"""

from __future__ import annotations

import re

from ..errors import CerInputError, error
from .chain2 import (is_chain2_csv_header, is_chain2_json, is_home_assistant_header, read_chain2_csv,
                     read_chain2gate, read_home_assistant, read_home_assistant_columns)
from .columns import head_rows, plain_columns, plain_text
from .edistribuzione import is_wide_header, read_wide
from .generic import read_generic
from .model import Chunk
from .pcf import is_pcf_header, read_pcf
from .source import Document, document_rows, make_table, text_delimiter

HEADER_SEARCH_ROWS = 30


def is_bills_header(header: list[str]) -> bool:
    """A bills header (``docs/formats.md`` §3): ``f1`` with a period (``periodo``/``mese``/``inizio``), or a
    total alone (``totale_kwh``, ``consumo_kwh``, …) with a bill period (``periodo_…`` or ``mese``)."""
    cells = [h.strip().lower().replace(" ", "_") for h in header]
    low = " ".join(cells)
    if re.search(r"\bf1", low):
        return "periodo" in low or "mese" in low or "inizio" in low
    total = any(c in ("totale_kwh", "totale", "total_kwh", "f0_kwh", "f0", "consumo_kwh") for c in cells)
    return total and ("periodo" in low or any(c in ("mese", "month") for c in cells))


def _is_readings_header(header: list[str]) -> bool:
    low = [h.strip().lower() for h in header]
    return ("data lettura" in low or "tipologia misura" in low) and any("lettura" == h for h in low)


def _refuse_bills(name: str):
    raise error(name, "problems.file.is_bills", "file.is_bills")


def _refuse_json(name: str, text: str):
    head = text[:5000]
    if '"tmy_hourly"' in head or '"outputs"' in head and '"hourly"' in head:
        raise error(name, "problems.file.pvgis", "file.pvgis")
    raise error(name, "problems.file.format", "file.format")


def _synthetic_header(rows: list[list[str]]) -> bool:
    """True when the first row already holds data (a date in its first cell), i.e. there is no header."""
    return bool(rows) and bool(re.match(r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}", rows[0][0]))


def _header_kind(row: list[str]) -> str | None:
    """The format a header row announces (``pcf``, ``wide``, ``home_assistant``, ``chain2_csv``, ``bills``,
    ``readings``, tested in this order), or None."""
    for kind, test in (("pcf", is_pcf_header), ("wide", is_wide_header), ("home_assistant", is_home_assistant_header),
                       ("chain2_csv", is_chain2_csv_header), ("bills", is_bills_header),
                       ("readings", _is_readings_header)):
        if test(row):
            return kind
    return None


def _read_columnwise(doc: Document) -> tuple[list[Chunk], list, str] | None:
    """A Home Assistant history in plain text (:func:`cer_core.io.columns.plain_text`) read column-wise,
    without a Python list per row; None for any other file (read row by row, as before).

    The header is searched among the same first rows (read lazily by the same ``csv`` reader), found
    the same way, so the format detected is the one the row-by-row path would detect.
    """
    delim = text_delimiter(doc.text)
    head = head_rows(doc.text, delim, HEADER_SEARCH_ROWS)
    if head is None:
        return None
    rows, numbers = head
    for i, row in enumerate(rows):
        kind = _header_kind(row)
        if kind is None:
            continue
        if kind != "home_assistant" or not plain_text(doc.text):
            return None
        cut = plain_columns(doc.text, delim, numbers[i], 3)
        if cut is None:
            return None
        (entity, state, changed), lines = cut
        chunks, warnings = read_home_assistant_columns(doc.name, entity, state, changed, lines, delim)
        return chunks, warnings, "home_assistant"
    return None


def read_document(doc: Document, options: dict | None = None) -> tuple[list[Chunk], list, str]:
    """Chunks, warnings and the detected format of one document.

    Raises
    ------
    CerInputError
        Wrong or unrecognised format, or bad content, naming the file and line.
    """
    name = doc.name
    if doc.text is not None:
        stripped = doc.text.lstrip()
        if stripped[:1] in "{[":
            if is_chain2_json(stripped):
                chunks, warnings = read_chain2gate(doc.text, name)
                return chunks, warnings, "chain2gate"
            _refuse_json(name, stripped)
        if stripped.startswith("Latitude (decimal degrees)"):
            raise error(name, "problems.file.pvgis", "file.pvgis")
        if stripped[:40].lower().startswith("valori al"):  # not the whole text lower-cased
            _refuse_readings(name)
        fast = _read_columnwise(doc)
        if fast is not None:
            return fast
    rows, numbers, delim = document_rows(doc)
    if not rows:
        raise error(name, "problems.file.empty.3", "file.empty")
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        kind = _header_kind(row)
        if kind == "pcf":
            chunks, warnings = read_pcf(make_table(doc, i, rows, numbers, delim))
            return chunks, warnings, "pcf"
        if kind == "wide":
            table = make_table(doc, i, rows, numbers, delim)
            chunks, warnings = read_wide(table)
            return chunks, warnings, chunks[0].format if chunks else "edistribuzione_15"
        if kind == "home_assistant":
            chunks, warnings = read_home_assistant(make_table(doc, i, rows, numbers, delim))
            return chunks, warnings, "home_assistant"
        if kind == "chain2_csv":
            chunks, warnings = read_chain2_csv(make_table(doc, i, rows, numbers, delim))
            return chunks, warnings, "chain2_csv"
        if kind == "bills":
            _refuse_bills(name)
        if kind == "readings":
            _refuse_readings(name)
    # generic: the header is the first row with as many cells as the data rows below it
    widths = [sum(1 for c in r if c) for r in rows[:HEADER_SEARCH_ROWS]]
    if max(widths) < 2:
        raise error(name, "problems.file.format.2", "file.format", rows_0=' '.join(rows[0])[:60])
    start = next(i for i, w in enumerate(widths) if w >= 2)
    if _synthetic_header(rows[start:]):
        width = max(len(r) for r in rows[start:start + HEADER_SEARCH_ROWS])
        rows = rows[:start] + [[f"colonna{j + 1}" for j in range(width)]] + rows[start:]
        numbers = numbers[:start] + [numbers[start]] + numbers[start:]
    table = make_table(doc, start, rows, numbers, delim)
    try:
        chunks, warnings = read_generic(table, options)
    except CerInputError as exc:
        if exc.problems[0].code in ("file.no_time_column", "file.no_value_column"):
            raise error(f"{name}:{table.header_line}", "problems.file.format.3", "file.format",
                        header='; '.join(table.header)[:80])
        raise
    return chunks, warnings, "generic"


def _refuse_readings(name: str):
    raise error(name, "problems.file.readings", "file.readings")
