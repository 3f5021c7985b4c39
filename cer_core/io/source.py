"""From uploaded bytes to something a reader can parse: guards, containers, text and tables.

Order of the checks (``docs/formats.md`` §6): size guard (before anything is parsed), empty file, PDF,
``.zip`` (members are unpacked, with a size guard on the unpacked total), ``.xlsx`` (first sheet to
rows), old ``.xls`` (refused), other binary files (refused), then text (``utf-8-sig``, UTF-16 with a
BOM, ``cp1252``). A text file is split into a :class:`Table` with the sniffed delimiter; an Excel
sheet becomes a :class:`Table` too, with its cells written the way a CSV would hold them, so every
reader has one code path.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import zipfile
from dataclasses import dataclass, field

from ..errors import CerInputError, error
from .columns import nonblank_rows
from .numbers import EXCEL

#: Largest single upload accepted [bytes]; checked before parsing. Five years of quarter-hours in the
#: largest format (PCF long CSV, ≈ 2.3 MB a year) fit many times over.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: Largest unpacked content of one ``.zip`` [bytes] (a guard against zip bombs).
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
_MB = 1024 * 1024


@dataclass
class Document:
    """One file ready for format detection: text lines, a JSON text, or rows of an Excel sheet."""

    name: str
    text: str | None = None
    rows: list[list[str]] | None = None
    row_numbers: list[int] | None = None
    excel: bool = False


@dataclass
class Table:
    """A delimited file as rows of stripped strings, with the file's line number of each row.

    ``delimiter`` is :data:`cer_core.io.numbers.EXCEL` for an Excel sheet: the readers pass it to
    :func:`cer_core.io.numbers.parse_numbers`, which decides the decimal mark per column for text and
    Excel alike (an Excel cell holding text keeps the way it was typed, ``0,125``).
    """

    name: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    header_line: int
    delimiter: str
    excel: bool = False
    notes: list[str] = field(default_factory=list)

    def column(self, j: int, n_rows: int | None = None) -> list[str]:
        """Cells of column ``j`` (``""`` where a row is shorter), of the first ``n_rows`` rows when given."""
        return [r[j] if j < len(r) else "" for r in self.rows[:n_rows]]

    def find(self, *names: str) -> int | None:
        """Index of the first header cell equal (case-insensitive) to one of ``names``."""
        lowered = [h.strip().lower() for h in self.header]
        for n in names:
            if n.lower() in lowered:
                return lowered.index(n.lower())
        return None


def size_guard(size: int, name: str, limit: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse uploads larger than ``limit`` bytes (``size`` is the file's length) before any parsing."""
    if size > limit:
        raise error(name, "problems.file.too_large.2", "file.too_large", size=size / _MB, limit=limit / _MB)


def _refuse_binary(data: bytes, name: str) -> None:
    head = data[:8]
    if head.startswith(b"%PDF"):
        raise error(name, "problems.file.pdf", "file.pdf")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise error(name, "problems.file.xls", "file.xls")
    raise error(name, "problems.file.binary.2", "file.binary")


def decode_text(data: bytes, name: str) -> str:
    """Text of a file: UTF-16 (with a byte-order mark, or recognised without one), else ``utf-8-sig``, else
    ``cp1252``; refuses binary data. Lines ending in CR only (a "CSV (Macintosh)" export) end in LF, as
    Python's csv reader needs."""
    text = _decoded(data, name)
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    return text


def _decoded(data: bytes, name: str) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        order = _utf16_without_bom(data[:4096])
        if order is None:
            _refuse_binary(data, name)
        try:
            return _checked_text(data.decode(order), data, name)
        except UnicodeDecodeError:
            _refuse_binary(data, name)
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        return _checked_text(text, data, name)
    _refuse_binary(data, name)
    return ""  # unreachable


def _checked_text(text: str, data: bytes, name: str) -> str:
    """``text``, unless its start holds control characters (more than 8 in 4,096): binary data then."""
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > 8:
        _refuse_binary(data, name)
    return text


def _utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``head`` reads as UTF-16 text without a byte-order mark (some
    Windows tools write "Unicode" CSVs so): a NUL in nearly every other byte (the high byte of Latin
    characters) and none in the others; else None (binary data)."""
    n = len(head) // 2 * 2
    if n < 16:
        return None
    first, second = head[0:n:2], head[1:n:2]
    if first.count(0) == 0 and second.count(0) >= 0.9 * len(second):
        return "utf-16-le"
    if second.count(0) == 0 and first.count(0) >= 0.9 * len(first):
        return "utf-16-be"
    return None


def _excel_cell(v) -> str:
    """An Excel cell as a CSV would hold it (numbers with a decimal point, ISO dates)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    return str(v).strip()


def _unreadable_xlsx(name: str, exc: Exception):
    return error(name, "problems.file.xlsx", "file.xlsx", exc_type=type(exc).__name__)


def read_xlsx(data: bytes, name: str) -> Document:
    """Rows of the first sheet of an ``.xlsx`` workbook (cells as strings, see :func:`_excel_cell`)."""
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _unzipped_guard(zf.infolist(), name)
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except CerInputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise _unreadable_xlsx(name, exc)
    try:
        ws = wb.worksheets[0]
        rows, numbers = [], []
        # a read-only workbook parses the sheet lazily: damage shows up while iterating
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_excel_cell(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                rows.append(cells)
                numbers.append(i)
    except Exception as exc:
        raise _unreadable_xlsx(name, exc)
    finally:
        wb.close()
    return Document(name=name, rows=rows, row_numbers=numbers, excel=True)


def _unzipped_guard(members: list, name: str) -> None:
    """Refuse an archive (a ``.zip`` or an ``.xlsx``) that unpacks to more than :data:`MAX_UNZIPPED_BYTES`."""
    total = sum(i.file_size for i in members)
    if total > MAX_UNZIPPED_BYTES:
        raise error(name, "problems.file.too_large.3", "file.too_large", total=total / _MB,
                    max_unzipped_bytes=MAX_UNZIPPED_BYTES / _MB)


def _is_xlsx(zf: zipfile.ZipFile) -> bool:
    names = set(zf.namelist())
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _unzip(data: bytes, name: str, depth: int) -> list[Document]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # BadZipFile, NotImplementedError (zip version), ValueError, OSError on damaged archives
        raise error(name, "problems.file.zip", "file.zip")
    with zf:
        if _is_xlsx(zf):
            return [read_xlsx(data, name)]
        members = [i for i in zf.infolist() if not i.is_dir() and not posixpath.basename(i.filename).startswith(".")
                   and "__MACOSX" not in i.filename]
        _unzipped_guard(members, name)
        if not members:
            raise error(name, "problems.file.empty.8", "file.empty")
        out: list[Document] = []
        for info in sorted(members, key=lambda i: i.filename):
            try:
                inner = zf.read(info)
            except Exception as exc:  # damaged member: BadZipFile, zlib.error, EOFError, encrypted, …
                raise error(f"{name}/{info.filename}", "problems.file.zip.2", "file.zip", exc_type=type(exc).__name__)
            out.extend(open_documents(inner, f"{name}/{info.filename}", depth + 1))
        return out


def open_documents(data: bytes, name: str, depth: int = 0) -> list[Document]:
    """The documents inside an upload (one, or several for a ``.zip``), after the guards.

    Raises
    ------
    CerInputError
        Too large, empty, PDF, ``.xls``, binary, undecodable or a damaged archive; naming the file.
    """
    size_guard(len(data), name)
    if not data.strip():
        raise error(name, "problems.file.empty.9", "file.empty")
    if data.lstrip()[:5] == b"%PDF-":
        _refuse_binary(data.lstrip(), name)
    if data[:4] == b"PK\x03\x04":
        if depth > 1:
            raise error(name, "problems.file.zip.3", "file.zip")
        return _unzip(data, name, depth)
    text = decode_text(data, name)
    if not text.strip():
        raise error(name, "problems.file.empty.3", "file.empty")
    return [Document(name=name, text=text)]


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter among ``;``, tab and ``,`` with the highest median count over ``lines`` (the first
    non-empty lines of a file, so a title line above the header does not decide); ``;`` wins ties."""
    if not lines:
        return ","
    counts = {d: sorted(ln.count(d) for ln in lines)[len(lines) // 2] for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: (counts[d], d == ";", d == "\t"))
    return best if counts[best] else ","


def text_delimiter(text: str) -> str:
    """The delimiter of a text file, sniffed from its first non-empty lines (:func:`sniff_delimiter`)."""
    return sniff_delimiter([ln for ln in text[:20000].splitlines()[:40] if ln.strip()][:20])


def split_text(doc: Document) -> tuple[list[list[str]], list[int], str]:
    """Rows (stripped cells, trailing empty cells kept) and 1-based line numbers of a text document,
    skipping blank lines."""
    text = doc.text or ""
    delim = text_delimiter(text)
    rows, numbers = [], []
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        for cells, line in nonblank_rows(reader):
            rows.append(cells)
            numbers.append(line)
    except csv.Error as exc:
        raise error(f"{doc.name}:{reader.line_num}", "problems.file.csv.2", "file.csv", exc=exc)
    return rows, numbers, delim


def document_rows(doc: Document) -> tuple[list[list[str]], list[int], str]:
    """Rows, line numbers and delimiter of a text or Excel document."""
    if doc.rows is not None:
        return doc.rows, doc.row_numbers or list(range(1, len(doc.rows) + 1)), EXCEL
    return split_text(doc)


def make_table(doc: Document, header_index: int, rows: list[list[str]], numbers: list[int], delim: str) -> Table:
    """A :class:`Table` whose header is ``rows[header_index]``."""
    return Table(name=doc.name, header=rows[header_index], rows=rows[header_index + 1:],
                 lines=numbers[header_index + 1:], header_line=numbers[header_index], delimiter=delim,
                 excel=doc.excel)
