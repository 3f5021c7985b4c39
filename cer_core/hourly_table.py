"""Long hourly tables (one row per hour and item) written fast: CSV and Parquet.

``simulate``'s hourly files hold one row per (hour, member/plant/cabina): 8,760,000 rows for 1,000
members. Formatting them number by number (``np.char.mod``) took most of ``simulate``'s time, so
:func:`write_csv` formats whole blocks at once:

- a number with ``d`` decimals is the integer ``round(|x| · 10^d)`` split into its integer and decimal
  digits, both turned into text by Arrow's compute kernels; the rare values whose scaled form lies within
  a hair of a rounding tie (or is too big, or not finite) are formatted by Python's ``%.{d}f``, so every
  cell is exactly what ``"%.{d}f" % x`` writes;
- the cells of a row are joined by Arrow too, and the block's text is written as one buffer.

Text cells (ids, cabine) follow RFC 4180 (quoted when they hold a comma, a quote or a line break, quotes
doubled) after the formula neutraliser of :mod:`cer_core.textsafe` (a spreadsheet opening the CSV never
runs a member's name as a formula). :func:`write_parquet` writes the same table as Parquet (Zstandard),
values unrounded.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .textsafe import neutralise_formula

#: Default decimals of the CSV numbers (0.001 Wh for energies).
DEFAULT_DECIMALS = 6
#: Rows formatted per block (bounds the writer's memory: ≈ 100 bytes a row, WRITER_THREADS + 1 blocks).
BLOCK_ROWS = 50_000
#: Blocks formatted at once (threads: Arrow's kernels run without the GIL; the text is the same).
WRITER_THREADS = 2
#: Scaled values this close to a rounding tie (absolute, or relative: a product's rounding error is below
#: 2⁻⁵³ of it) are formatted by Python, exactly as ``%.{d}f``.
_TIE_MARGIN = 1e-9
_TIE_MARGIN_REL = 1e-15
#: Beyond this the scaled value no longer fits the integer path exactly.
_MAX_SCALED = 2.0 ** 52


def csv_text_cell(text) -> str:
    """One text cell: formula-neutralised, then quoted per RFC 4180 when it needs to be."""
    value = neutralise_formula(text)
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


#: Share of exact zeros above which a block formats only its other values (hourly member flows are mostly
#: zeros: a consumer's production, self-consumption and injection, a night's production).
_SPARSE_ZEROS = 0.2


def format_fixed(values: np.ndarray, decimals: int):
    """``["%.{decimals}f" % x for x in values]`` as an Arrow string array, computed a block at a time.

    Parameters
    ----------
    values : ndarray (n,)
        Numbers (any unit); NaN and infinities are written as Python writes them (``nan``, ``inf``).
    decimals : int
        Digits after the decimal point (0 writes no point, like ``%.0f``).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    x = np.asarray(values, dtype=float).ravel()
    zero = (x == 0.0) & ~np.signbit(x)  # +0.0 only: -0.0 is written "-0.000000", like Python
    if x.size and zero.mean() > _SPARSE_ZEROS:
        # the zeros are one repeated text ("0.000000"); only the other values are formatted, then put in place
        others = ~zero
        text = pa.repeat(pa.scalar("0" if decimals == 0 else "0." + "0" * decimals, pa.string()), x.size)
        return pc.replace_with_mask(text, pa.array(others), _format_dense(x[others], decimals)) if others.any() \
            else text
    return _format_dense(x, decimals)


def _format_dense(x: np.ndarray, decimals: int):
    """:func:`format_fixed` of a float64 vector, every value formatted."""
    import pyarrow as pa
    import pyarrow.compute as pc

    scale = 10.0 ** decimals
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.abs(x) * scale
        frac = scaled - np.floor(scaled)
        odd = ~np.isfinite(scaled) | (scaled >= _MAX_SCALED) | (np.abs(frac - 0.5) < np.maximum(_TIE_MARGIN, scaled * _TIE_MARGIN_REL))
    q = np.floor(np.where(odd, 0.0, scaled) + 0.5).astype(np.int64)
    unit = np.int64(10) ** decimals
    whole = pa.array(q // unit if decimals else q).cast(pa.string())
    if np.signbit(x).any():
        whole = pc.if_else(pa.array(np.signbit(x)), pc.binary_join_element_wise("-", whole, ""), whole)
    if decimals:
        digits = pc.utf8_lpad(pa.array(q % unit).cast(pa.string()), width=decimals, padding="0")
        text = pc.binary_join_element_wise(whole, digits, ".")
    else:
        text = whole
    if odd.any():
        where = np.flatnonzero(odd)
        exact = np.array([f"%.{decimals}f" % v for v in x[where]], dtype=object)
        patched = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
        patched[where] = exact
        text = pa.array(patched, type=pa.string())
    return text


def _block_lines(columns: list) -> bytes | memoryview:
    """The rows of one block (Arrow string arrays, or scalars repeated) joined into CSV text (a view of
    Arrow's buffer: written as it is, without copying it into Python bytes)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = pc.binary_join_element_wise(*columns, ",")
    lines = pc.binary_join_element_wise(lines, "", "\n")
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    data = lines.buffers()[2]
    return memoryview(data)[offsets[0]:offsets[-1]] if data is not None else b""


def write_csv(path: str | Path, labels, id_header: str, names: list[str], group_header: str | None,
              groups: list[str] | None, columns: dict[str, np.ndarray], decimals: int = DEFAULT_DECIMALS,
              column_decimals: dict[str, int] | None = None) -> Path:
    """Write a long hourly table: one row per (hour, item), items in order within each hour.

    Parameters
    ----------
    path : str or Path
        The CSV file (UTF-8, ``\\n`` line ends).
    labels : sequence of str (hours,)
        Hour labels (ISO local hour starts).
    id_header, names : str, list of str (items,)
        Name and values of the item column (members, plants, cabine).
    group_header, groups : str and list of str (items,), or None
        An optional second text column (the item's cabina).
    columns : dict of name → ndarray (hours, items) or (hours,)
        Numeric columns; a (hours,) array is repeated for every item.
    decimals : int
        Decimals of the numbers (default :data:`DEFAULT_DECIMALS`).
    column_decimals : dict of name → int, optional
        Other decimals for some columns (e.g. prices with 2).
    """
    import pyarrow as pa

    path = Path(path)
    column_decimals = column_decimals or {}
    labels = np.asarray(labels, dtype=object)
    n_hours, n_items = len(labels), len(names)
    keys = [id_header] + ([group_header] if group_header else [])
    header = ",".join(["timestamp", *keys, *columns]) + "\n"
    with open(path, "wb") as fh:
        fh.write(header.encode("utf-8"))
        if n_items == 0 or n_hours == 0:
            return path
        text_names = pa.array([csv_text_cell(n) for n in names], type=pa.string())
        text_groups = pa.array([csv_text_cell(g) for g in groups], type=pa.string()) if group_header else None
        arrays = {k: np.asarray(v, dtype=float) for k, v in columns.items()}
        text_labels = pa.array(labels, type=pa.string())
        hours_per_block = max(1, BLOCK_ROWS // n_items)

        def block_text(h0: int) -> bytes | memoryview:
            h1 = min(n_hours, h0 + hours_per_block)
            rows = (h1 - h0) * n_items
            item_index = pa.array(np.tile(np.arange(n_items, dtype=np.int32), h1 - h0))
            cells = [text_labels.take(pa.array(np.repeat(np.arange(h0, h1, dtype=np.int32), n_items))),
                     text_names.take(item_index)]
            if text_groups is not None:
                cells.append(text_groups.take(item_index))
            for key, values in arrays.items():
                block = values[h0:h1]
                block = np.repeat(block, n_items) if block.ndim == 1 else block.reshape(rows)
                cells.append(format_fixed(block, column_decimals.get(key, decimals)))
            return _block_lines(cells)

        # whole blocks on the threads (Arrow's kernels run without the GIL), written in order; at most
        # WRITER_THREADS + 1 blocks in memory at once
        with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
            pending: deque = deque()
            for h0 in range(0, n_hours, hours_per_block):
                pending.append(pool.submit(block_text, h0))
                if len(pending) > WRITER_THREADS:
                    fh.write(pending.popleft().result())
            while pending:
                fh.write(pending.popleft().result())
    return path


def write_parquet(path: str | Path, labels, id_header: str, names: list[str], group_header: str | None,
                  groups: list[str] | None, columns: dict[str, np.ndarray]) -> Path:
    """The same long table as :func:`write_csv`, as Parquet: ids dictionary-encoded, values float64 as
    computed (not rounded), Zstandard-compressed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    labels = np.asarray(labels, dtype=object)
    n_hours, n_items = len(labels), len(names)
    item_index = pa.array(np.tile(np.arange(n_items, dtype=np.int32), n_hours))
    data = {"timestamp": pa.DictionaryArray.from_arrays(pa.array(np.repeat(np.arange(n_hours, dtype=np.int32),
                                                                           n_items)),
                                                        pa.array(labels, type=pa.string())),
            id_header: pa.DictionaryArray.from_arrays(item_index, pa.array([str(n) for n in names], type=pa.string()))}
    if group_header:
        data[group_header] = pa.DictionaryArray.from_arrays(item_index,
                                                            pa.array([str(g) for g in groups], type=pa.string()))
    for key, values in columns.items():
        values = np.asarray(values, dtype=float)
        data[key] = np.repeat(values, n_items) if values.ndim == 1 else values.reshape(n_hours * n_items)
    pq.write_table(pa.table(data), path, compression="zstd")
    return path
