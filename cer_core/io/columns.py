"""Whole-column text handling with Arrow, for the readers' fast paths (``docs/performance.md``).

A plain delimited text (ASCII, no quote character, no NUL, ``\\r`` only in ``\\r\\n``) is read by
Python's ``csv`` module as lines cut at the delimiter, nothing more: :func:`plain_columns` cuts it the
same way (Arrow's CSV reader when every row has the same width and none is blank, else numpy over the
bytes) and hands each column to Arrow as one array, so a year of samples costs milliseconds instead of
a Python list per row. :func:`line_spans` and :func:`filled_lines` find the lines and the non-blank
ones of such a text (the Chain2Gate reader uses them too). :func:`strip_like_python` and
:func:`lower_like_python` are ``str.strip``/``str.lower`` on whole columns (Arrow's kernels on ASCII
text, Python's own methods otherwise), so a fast path sees the same cells as the row-by-row readers.
Any text that is not plain goes through :func:`cer_core.io.source.split_text` unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

import numpy as np

#: The ASCII characters ``str.strip()`` removes (``str.isspace`` below 128).
PY_ASCII_WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "


def as_arrow(cells):
    """``cells`` (an Arrow string array, or a sequence of ``str``) as an Arrow string array."""
    import pyarrow as pa

    if isinstance(cells, pa.ChunkedArray):
        return cells.combine_chunks()
    if isinstance(cells, pa.Array):
        return cells
    return pa.array(list(cells), type=pa.string())


def is_arrow(cells) -> bool:
    """True for an Arrow array (the readers' fast paths accept one where they accept a list of cells)."""
    import pyarrow as pa

    return isinstance(cells, (pa.Array, pa.ChunkedArray))


def all_ascii(arr) -> bool:
    """True when every (non-null) string of the Arrow array is ASCII."""
    import pyarrow.compute as pc

    return len(arr) == 0 or bool(pc.all(pc.string_is_ascii(arr)).as_py())


def strip_like_python(arr):
    """``str.strip()`` of every cell of an Arrow string array (exact: Python's method on non-ASCII text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if all_ascii(arr):
        return pc.utf8_trim(arr, characters=PY_ASCII_WHITESPACE)
    return pa.array([None if s is None else s.strip() for s in arr.to_pylist()], type=pa.string())


def lower_like_python(arr):
    """``str.lower()`` of every cell of an Arrow string array (exact: Python's method on non-ASCII text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if all_ascii(arr):
        return pc.ascii_lower(arr)
    return pa.array([None if s is None else s.lower() for s in arr.to_pylist()], type=pa.string())


def plain_text(text: str) -> bool:
    """True when ``csv.reader`` reads ``text`` as its lines cut at the delimiter: ASCII, no ``"``, no NUL,
    ``\\r`` only right before ``\\n``."""
    return (text.isascii() and '"' not in text and "\x00" not in text
            and ("\r" not in text or text.count("\r") == text.count("\r\n")))


def _lines(text: str):
    """The lines of ``text`` as ``io.StringIO`` yields them (cut after each ``\\n``), lazily."""
    pos, n = 0, len(text)
    while pos < n:
        end = text.find("\n", pos)
        end = n if end == -1 else end + 1
        yield text[pos:end]
        pos = end


def head_rows(text: str, delimiter: str, n: int) -> tuple[list[list[str]], list[int]] | None:
    """The first ``n`` non-blank rows and their line numbers, exactly as
    :func:`cer_core.io.source.split_text` gives them, reading only as many lines as needed; None if the
    ``csv`` module refuses one of them (the full reader then says why)."""
    rows, numbers = [], []
    try:
        for cells, line in nonblank_rows(csv.reader(_lines(text), delimiter=delimiter)):
            rows.append(cells)
            numbers.append(line)
            if len(rows) >= n:
                break
    except csv.Error:
        return None
    return rows, numbers


def nonblank_rows(reader) -> Iterator[tuple[list[str], int]]:
    """Stripped cells and 1-based line number of each row of a ``csv.reader`` with a non-empty cell
    (``csv.Error`` propagates: the caller knows whether it refuses the file or gives up)."""
    for row in reader:
        cells = [c.strip() for c in row]
        if any(cells):
            yield cells, reader.line_num


def plain_columns(text: str, delimiter: str, after_line: int, width: int) -> tuple[list, np.ndarray] | None:
    """Columns ``0..width-1`` (stripped cells, ``""`` where a row is shorter) of the non-blank rows after
    line ``after_line`` of a :func:`plain_text`, as Arrow string arrays, and the 1-based line of each row.

    The same cells and line numbers as :func:`cer_core.io.source.split_text` followed by
    ``Table.column``; None when a line is longer than the ``csv`` module's field limit (it refuses it).
    Rows all of one width and none blank (the usual export) are cut by Arrow's CSV reader
    (:func:`_columns_by_arrow`), any other text by numpy over its bytes (:func:`_columns_by_numpy`).
    """
    found = _columns_by_arrow(text, delimiter, after_line, width)
    return found if found is not None else _columns_by_numpy(text, delimiter, after_line, width)


#: Arrow's CSV reader names columns f0, f1, …: all read as text (more columns are inferred, then refused).
_TEXT_COLUMNS = {f"f{k}": "string" for k in range(64)}


def _columns_by_arrow(text: str, delimiter: str, after_line: int, width: int) -> tuple[list, np.ndarray] | None:
    """:func:`plain_columns` by Arrow's CSV reader (no quoting, empty lines kept as rows), or None unless
    every line after ``after_line`` has the same number of cells and none is blank after stripping (then
    row *i* is line ``after_line + 1 + i``, as for the ``csv`` module)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    pos = 0
    for _ in range(after_line):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return None
    body = pa.py_buffer(text.encode("ascii")).slice(pos)  # ASCII: characters are bytes
    try:
        table = pcsv.read_csv(pa.BufferReader(body), read_options=pcsv.ReadOptions(autogenerate_column_names=True,
                                                                               use_threads=False),
                              parse_options=pcsv.ParseOptions(delimiter=delimiter, quote_char=False,
                                                              ignore_empty_lines=False),
                              convert_options=pcsv.ConvertOptions(column_types=_TEXT_COLUMNS, strings_can_be_null=False,
                                                                  quoted_strings_can_be_null=False,
                                                                  auto_dict_encode=False, null_values=[],
                                                                  check_utf8=False))
    except (pa.ArrowException, ValueError):
        return None  # rows of different widths, …
    if table.num_rows == 0:
        return None
    raw = [table.column(k).combine_chunks() for k in range(table.num_columns)]
    if any(not pa.types.is_string(c.type) for c in raw):
        return None  # a column Arrow read as numbers: its cells would not be the text
    limit = csv.field_size_limit()
    if any(len(c) and pc.max(pc.binary_length(c)).as_py() > limit for c in raw):
        return None
    stripped = [pc.utf8_trim(c, characters=PY_ASCII_WHITESPACE) for c in raw]
    filled = None
    for c in stripped:
        some = pc.greater(pc.binary_length(c), 0)
        filled = some if filled is None else pc.or_(filled, some)
    if filled is None or not pc.all(filled).as_py():
        return None  # blank rows: the csv module skips them
    n = table.num_rows
    empty = pa.array([""] * n, type=pa.string())
    columns = [stripped[j] if j < len(stripped) else empty for j in range(width)]
    return columns, np.arange(after_line + 1, after_line + 1 + n, dtype=np.int64)


def line_spans(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the lines of ASCII text bytes, cut after each ``\\n`` (as ``io.StringIO``
    and, for text without other line breaks, ``str.splitlines``), without their ``\\n`` nor the ``\\r`` of
    ``\\r\\n``; no line after a final ``\\n``."""
    n = len(buf)
    breaks = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], breaks + 1)).astype(np.int64)
    ends = np.concatenate((breaks, [n])).astype(np.int64)
    if starts[-1] == n:  # the text ends with a line break: no line after it
        starts, ends = starts[:-1], ends[:-1]
    cr = ends > starts
    cr[cr] = buf[ends[cr] - 1] == 13
    return starts, ends - cr


def filled_lines(text: str, buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, blank: str) -> np.ndarray:
    """True for the lines (:func:`line_spans`) holding a character not in ``blank``: ``text[a:b].strip(blank)``
    is not empty. Most lines are told by their first character; the others by ``str.strip`` itself."""
    if len(starts) == 0:
        return np.zeros(0, dtype=bool)
    content = np.ones(256, dtype=bool)
    content[[ord(c) for c in blank]] = False
    filled = (ends > starts) & content[buf[np.minimum(starts, len(buf) - 1)]]
    for k in np.flatnonzero(~filled & (ends > starts)).tolist():
        filled[k] = bool(text[starts[k]:ends[k]].strip(blank))
    return filled


def _columns_by_numpy(text: str, delimiter: str, after_line: int, width: int) -> tuple[list, np.ndarray] | None:
    """:func:`plain_columns` by numpy over the bytes: line breaks, delimiters, cells as offsets into the text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    data = text.encode("ascii")
    buf = np.frombuffer(data, dtype=np.uint8)
    n = len(buf)
    starts, ends = line_spans(buf)
    if len(starts) and int((ends - starts).max()) > csv.field_size_limit():
        return None
    line_no = np.arange(1, len(starts) + 1, dtype=np.int64)
    starts, ends, line_no = starts[after_line:], ends[after_line:], line_no[after_line:]
    delim = ord(delimiter)
    # a row counts when some cell keeps a character after stripping
    filled = filled_lines(text, buf, starts, ends, PY_ASCII_WHITESPACE + delimiter)
    starts, ends, line_no = starts[filled], ends[filled], line_no[filled]
    cuts = np.append(np.flatnonzero(buf == delim), n).astype(np.int64)
    first = np.searchsorted(cuts, starts)
    count = np.searchsorted(cuts, ends) - first  # delimiters on each row
    columns = []
    m = len(starts)
    for j in range(width):
        if j == 0:
            cell_start = starts
        else:
            cell_start = np.where(count >= j, cuts[np.minimum(first + j - 1, len(cuts) - 1)] + 1, ends)
        cell_end = np.where(count > j, cuts[np.minimum(first + j, len(cuts) - 1)], ends)
        if m == 0:
            columns.append(pa.array([], type=pa.string()))
            continue
        offsets = np.empty(2 * m, dtype=np.int64)
        offsets[0::2], offsets[1::2] = cell_start, cell_end  # cells, and the text between them
        spans = pa.LargeStringArray.from_buffers(2 * m - 1, pa.py_buffer(offsets), pa.py_buffer(data))
        cells = spans.take(pa.array(np.arange(0, 2 * m - 1, 2))).cast(pa.string())
        columns.append(pc.utf8_trim(cells, characters=PY_ASCII_WHITESPACE))
    return columns, line_no


def cell_list(cells) -> list:
    """The cells as a list of Python strings (for the row-by-row paths), from an Arrow array or a sequence."""
    return cells.to_pylist() if is_arrow(cells) else list(cells)
