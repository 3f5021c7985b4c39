"""Property tests of the readers users feed (meter exports, bills, PVGIS weather and series): every real sample
in tests/data, mutated (bytes flipped, cut, lines duplicated/deleted/swapped, a field replaced by junk, a huge
line, another encoding, CR-only line ends, only the header, ...), is either read into a result that passes the
format's invariants or refused with a :class:`CerInputError` naming the file, in Italian and English, quickly.
Any other exception, or a slow read, is a defect (docs/limits.md). And never a silent loss: one number of a meter
file made empty costs at most its own hour.

The bundle and scenario readers have their own property tests (tests/test_hardening_properties.py).
"""

from __future__ import annotations

import gzip
import os
import re
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from cer_core.errors import CerInputError
from cer_core.io import FILLED, read_load_file, read_meter_files, write_hourly_csv
from cer_core.io.bills import read_bills
from cer_core.io.pvgis import TMY_COLUMNS, read_hourly, read_tmy
from cer_core.loads.bills import bills_to_hourly
from cer_core.timeaxis import hours_utc
from io_helpers import CASES, ROOT, SAMPLES

#: Examples per property (the suite-wide count; 150 takes about 10 s on 2 cores).
EXAMPLES = int(os.environ.get("CER_HYPOTHESIS_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: Most CPU time a reader may take on one mutated file [s] (the samples read in < 0.6 s; quadratic blow-ups take
#: far more: a 300 000-comma line took minutes before the fix in cer_core.io.numbers.zero_pad_dates).
MAX_READ_S = 5.0
YEAR = 2024

METER_FILES = [SAMPLES / n for n in (
    "chain2_quartorario_normalizzato_2024-06-10.csv", "edistribuzione_wide_quartorario_2024_piccola_impresa.csv",
    "generico_lungo_orario_settimana_cambio_ora_2024-03.csv")] + [CASES / n for n in (
    "chain2_csv_2024-03-30_dst.csv", "chain2gate_2024-10-26_dst.jsonl", "edis_orario_2024-03.csv",
    "edis_wide_2024-10_sum.csv", "edis_wide_2024-03_excel_resaved.csv", "generico_data_e_ora_2024-10.csv",
    "generico_ora_1_25_2024-10.csv", "generico_semiorario_2024-10.csv", "generico_quartorario_2024-03_kw.csv",
    "home_assistant_2024-03-30_dst.csv", "home_assistant_solo_potenza.csv", "pcf_2024-10_excel_resaved.csv",
    "edis_mensili_2024_q1.zip", "edis_wide_2024-10_excel.xlsx")]
BILL_FILES = [SAMPLES / "bollette_mensili_2024_piccola_impresa.csv"] + sorted(CASES.glob("bollette_*.csv"))
TMY_CSV = ROOT / "assets" / "weather" / "pvgis_tmy_45.000_8.000_2005_2023.csv"
TMY_JSON = ROOT / "tests" / "data" / "pvgis" / "tmy_45.464_9.190_fixture.json.gz"
HOURLY_FILES = [SAMPLES / "pvgis_seriescalc_orario_2020_1kWp_35deg.csv",
                SAMPLES / "pvgis_seriescalc_orario_3giorni.json"]


def _load(path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


_DATA = {p.name.removesuffix(".gz"): _load(p) for p in METER_FILES + BILL_FILES + HOURLY_FILES + [TMY_CSV, TMY_JSON]}
#: The scenario's own hourly CSV (``timestamp,kwh``, every hour of the year), which read_load_file reads strictly.
SCENARIO_CSV = "orario_scenario_2024.csv"
_DATA[SCENARIO_CSV] = write_hourly_csv(np.round(0.2 + 0.1 * (np.arange(8784) % 24) / 24, 3), YEAR)

#: What a user's spreadsheet or a broken export puts where a number belongs.
JUNK = ["", " ", "nan", "NaN", "inf", "-inf", "1e400", "-1e400", "-5", "-0", "１２", "1.234,5", "1,234.5", "12.5.3",
        "0x10", "1_000", "true", "null", '"', "'", ";", ",", "\t", "\x00", "é", "€", "9" * 400, "-" * 50,
        "2024-02-30", "31/02/2024", "25:00", "2024-03-31T02:30:00+01:00", "IT001E", "{}", "[]", "=SUM(A1:A3)"]


# --------------------------------------------------------------------------------------------------
# Mutations of a file's bytes
# --------------------------------------------------------------------------------------------------

#: Bytes a text file is made of (a flip to one of them keeps the file text, so it reaches the parsers).
_TEXT_BYTES = list(b"0123456789;,.:-+/ \t\n\r\"'eETZ")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def _flip(draw, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        if out:
            out[draw(st.integers(0, len(out) - 1))] = draw(st.sampled_from(_TEXT_BYTES) | st.integers(0, 255))
    return bytes(out)


@st.composite
def _cut(draw, data: bytes) -> bytes:
    return data[:draw(st.integers(0, len(data)))]


@st.composite
def _line_op(draw, data: bytes) -> bytes:
    lines = _lines(data)
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    op = draw(st.sampled_from(["dup", "del", "swap", "move"]))
    if op == "dup":
        lines.insert(i, lines[i])
    elif op == "del":
        del lines[i]
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines.insert(j, lines.pop(i))
    return b"\n".join(lines)


@st.composite
def _field(draw, data: bytes) -> bytes:
    """One field (between ``;``, ``,``, ``:`` or a tab) of one line, or a JSON value, replaced by junk."""
    lines = _lines(data)
    i = draw(st.integers(0, min(len(lines) - 1, 400)))
    sep = draw(st.sampled_from([b";", b",", b":", b"\t"]))
    parts = lines[i].split(sep)
    k = draw(st.integers(0, len(parts) - 1))
    junk = draw(st.sampled_from(JUNK) | st.text(max_size=12)).encode("utf-8")
    parts[k] = junk
    lines[i] = sep.join(parts)
    return b"\n".join(lines)


@st.composite
def _huge_line(draw, data: bytes) -> bytes:
    lines = _lines(data)
    i = draw(st.integers(0, len(lines)))
    unit = draw(st.sampled_from([b"9", b"x", b";", b",", b"1;", b"\"", b"\x00", b" "]))
    lines.insert(i, unit * draw(st.integers(10_000, 300_000)))
    return b"\n".join(lines)


@st.composite
def _encoding(draw, data: bytes) -> bytes:
    text = data.decode("utf-8", errors="replace")
    how = draw(st.sampled_from(["utf-16", "utf-16-le", "latin-1", "bom", "cr", "crlf", "cp1252", "double-bom"]))
    if how in ("utf-16", "utf-16-le"):
        return text.encode(how)
    if how in ("latin-1", "cp1252"):
        return text.encode(how, errors="replace")
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "double-bom":
        return b"\xef\xbb\xbf\xef\xbb\xbf" + data
    if how == "cr":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@st.composite
def _shape(draw, data: bytes) -> bytes:
    """An empty file, only the first lines, only blank lines, or the body without its first lines."""
    lines = _lines(data)
    k = draw(st.integers(0, min(len(lines), 40)))
    how = draw(st.sampled_from(["empty", "head", "tail", "blank", "spaces"]))
    if how == "empty":
        return b""
    if how == "head":
        return b"\n".join(lines[:k])
    if how == "tail":
        return b"\n".join(lines[k:])
    if how == "blank":
        return b"\n" * (k + 1)
    return b" \t \n" * (k + 1)


MUTATIONS = [_flip, _cut, _line_op, _field, _huge_line, _encoding, _shape]


@st.composite
def mutated(draw, names: list[str]) -> tuple[str, bytes]:
    """A sample file of ``names`` with one to three mutations applied."""
    name = draw(st.sampled_from(names))
    data = _DATA[name]
    for _ in range(draw(st.integers(1, 3))):
        data = draw(draw(st.sampled_from(MUTATIONS))(data))
    return name, data


# --------------------------------------------------------------------------------------------------
# What a reader may do: a result with the invariants, or one clear refusal naming the file
# --------------------------------------------------------------------------------------------------

def outcome(read, data: bytes, name: str, *, in_property: bool = True):
    """``read(data, name)``'s result, or None when refused as it should be; anything else fails. In a property,
    the outcome is counted (``--hypothesis-show-statistics`` shows how many inputs were read or refused)."""
    start, exc = time.thread_time(), None  # CPU time of this thread: other processes on the machine do not count
    try:
        result = read(data, name)
    except CerInputError as refusal:
        assert_refusal(refusal, name)
        exc, result = refusal, None
    if in_property:
        event("read" if result is not None else f"refused: {exc.problems[0].code}")
    elapsed = time.thread_time() - start
    assert elapsed < MAX_READ_S, f"{name}: {elapsed:.1f} s of CPU on {len(data):,} bytes"
    return result


def assert_refusal(exc: CerInputError, name: str) -> None:
    """Every problem says something in both languages, and the message names the file."""
    assert exc.problems
    for lang in ("it", "en"):
        text = exc.message(lang)
        assert text.strip(), exc.problems
        assert name in text, f"{lang}: {text!r} does not name {name!r}"
        assert "Traceback" not in text
    assert all(p.severity == "error" and p.it.strip() and p.en.strip() for p in exc.problems)


def assert_hourly_year(kwh: np.ndarray, meta: dict) -> None:
    hours = 8784 if YEAR % 4 == 0 else 8760
    assert kwh.shape == (hours,)
    assert np.isfinite(kwh).all(), meta
    assert (kwh >= 0).all(), float(kwh.min())
    for w in meta.get("warnings", []):
        assert w["it"].strip() and w["en"].strip(), w


METER_NAMES = [p.name for p in METER_FILES] + [SCENARIO_CSV]
BILL_NAMES = [p.name for p in BILL_FILES]


def _read_load(data: bytes, name: str):
    return read_load_file(data, name, YEAR)


@SETTINGS
@given(mutated(METER_NAMES))
def test_a_mutated_meter_file_is_read_or_refused(file):
    name, data = file
    got = outcome(_read_load, data, name)
    if got is not None:
        assert_hourly_year(*got)


@SETTINGS
@given(mutated(METER_NAMES), st.sampled_from(["load", "production"]))
def test_a_mutated_meter_file_as_production_is_read_or_refused(file, kind):
    name, data = file
    got = outcome(lambda d, n: read_load_file(d, n, 2023, kind), data, name)
    if got is not None:
        kwh, meta = got
        assert kwh.shape == (8760,) and np.isfinite(kwh).all() and (kwh >= 0).all()


#: A number as the meter files write it (a cell that could be a reading).
_NUMBER_CELL = re.compile(rb"^\s*-?\d+([.,]\d+)?\s*$")
#: CSV samples where a value cell can be blanked (the JSON log and the binary containers have none).
CSV_METER_NAMES = [n for n in METER_NAMES if n.endswith(".csv")]


@SETTINGS
@given(st.sampled_from(CSV_METER_NAMES), st.integers(1, 10**6), st.integers(0, 10**6),
       st.sampled_from(["", "nan", "null", "-", "n.d."]))
def test_one_blank_number_loses_no_more_than_its_own_hour(name, line, field, blank):
    """Never a silent loss: one number of a meter file made empty is refused, or costs at most the hour it
    belongs to (4 quarters filled, no NaN), never the measured rest of the file."""
    lines = _DATA[name].split(b"\n")
    i = 1 + line % (len(lines) - 1)
    sep = b";" if b";" in lines[0] else b","
    cells = lines[i].split(sep)
    numbers = [j for j, c in enumerate(cells) if _NUMBER_CELL.match(c)]
    assume(numbers)
    j = numbers[field % len(numbers)]
    cells[j] = blank.encode() + (b"\r" if cells[j].endswith(b"\r") else b"")
    lines[i] = sep.join(cells)
    got = outcome(lambda d, n: read_meter_files([(n, d)]), b"\n".join(lines), name)
    if got is not None:
        before = read_meter_files([(name, _DATA[name])])
        filled = sum(int((s.quality == FILLED).sum()) for s in got.series)
        filled_before = sum(int((s.quality == FILLED).sum()) for s in before.series)
        assert filled - filled_before <= 4, (i + 1, j, filled_before, filled)
        assert not any(np.isnan(s.kwh_import).any() for s in got.series)


def _bills_hourly(data: bytes, name: str):
    """A bills file as the studio uses it: read, checked and spread over 2024 with a flat shape."""
    bills = read_bills(data, name)
    return bills_to_hourly(bills.bills, YEAR, lambda y: np.ones(len(hours_utc(y))), contract_kw=bills.contract_kw)


@SETTINGS
@given(mutated(BILL_NAMES))
def test_a_mutated_bills_file_is_read_or_refused(file):
    """Read (each bill's period and energies checked) and spread over the year, or refused naming the file."""
    name, data = file
    got = outcome(_bills_hourly, data, name)
    if got is not None:
        assert got.kwh.shape == (8784,) and np.isfinite(got.kwh).all() and (got.kwh >= 0).all()


@SETTINGS
@given(mutated([TMY_CSV.name, TMY_JSON.name.removesuffix(".gz")]))
def test_a_mutated_tmy_is_read_or_refused(file):
    name, data = file
    got = outcome(read_tmy, data, name)
    if got is not None:
        assert len(got.data) == 8760
        values = got.data[list(TMY_COLUMNS)].to_numpy()
        assert np.isfinite(values).all()
        assert (got.data[["ghi", "dni", "dhi"]].to_numpy() >= 0).all()
        assert -90 <= got.lat <= 90 and -180 <= got.lon <= 180


@SETTINGS
@given(mutated([p.name for p in HOURLY_FILES]))
def test_a_mutated_pvgis_series_is_read_or_refused(file):
    name, data = file
    got = outcome(read_hourly, data, name)
    if got is not None:
        assert len(got.data) > 0 and np.isfinite(got.data.to_numpy()).all()
        if got.has_power:
            assert (got.data["P"] >= 0).all()


@pytest.mark.parametrize("name", sorted(_DATA))
def test_the_unmutated_samples_are_read(name):
    """The samples themselves pass the invariants (else the properties above would test nothing)."""
    data = _DATA[name]
    if name in METER_NAMES:
        got = outcome(_read_load, data, name, in_property=False)
        assert got is not None
        assert_hourly_year(*got)
    elif name in BILL_NAMES:
        assert outcome(read_bills, data, name, in_property=False).bills
        if "sovrapposte" not in name and "negativo" not in name:  # overlapping, negative: refused by design
            assert outcome(_bills_hourly, data, name, in_property=False).kwh.sum() > 0
    elif name.startswith("pvgis_tmy") or name.startswith("tmy_"):
        assert len(outcome(read_tmy, data, name, in_property=False).data) == 8760
    else:
        assert len(outcome(read_hourly, data, name, in_property=False).data) > 0
