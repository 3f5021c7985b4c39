"""The fast hourly writer (issue 16): the same bytes as the old per-number writer, Parquet round trip."""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache

import numpy as np
import pytest
from conftest import ROOT

from cer_core.export import files as export

from cer_core import hourly_table
from cer_core.api import demo_workspace, run


def old_long_csv(path, labels, id_header, names, group_header, groups, columns, fmt):
    """The writer ``simulate`` used before (``np.char.mod`` per number), kept as the reference."""
    n_hours, n_items = len(labels), len(names)
    keys = [id_header] + ([group_header] if group_header else [])
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(",".join(["timestamp", *keys, *columns]) + "\n")
        if n_items == 0:
            return
        text_cols = [np.repeat(labels, n_items), np.tile(np.array(names, dtype=object), n_hours)]
        if group_header:
            text_cols.append(np.tile(np.array(groups, dtype=object), n_hours))
        for key, values in columns.items():
            values = np.asarray(values, dtype=float)
            if values.ndim == 1:
                values = np.repeat(values, n_items)
            text_cols.append(np.char.mod(fmt.get(key, export.HOURLY_FORMAT), values.ravel()))
        for start in range(0, n_hours * n_items, 100_000):
            rows = zip(*(col[start:start + 100_000] for col in text_cols))
            fh.write("".join(",".join(row) + "\n" for row in rows))


@lru_cache(maxsize=1)
def demo_results():
    return run(demo_workspace(), shapley=False).results


def tables(r):
    m, c = r.members, r.cabine
    return {
        "members": ("member", r.member_ids, "cabina", r.member_cabina,
                    {k: getattr(m, k) for k in export.MEMBER_COLUMNS}, {}),
        "cabine": ("cabina", r.cabina_ids, None, None,
                   {"injected_kwh": c.injected_kwh, "withdrawn_kwh": c.withdrawn_kwh, "shared_kwh": c.shared_kwh,
                    "zonal_price_eur_mwh": r.zonal_price_eur_mwh}, {}),
        "plants": ("plant", r.plant_ids, "cabina", r.plant_cabina,
                   {"injected_kwh": r.plant_injected_kwh, "incentivised_kwh": r.plant_incentivised_kwh,
                    "tip_rate_eur_mwh": r.plant_tip_rate_eur_mwh, "shared_kwh": r.plant_shared_kwh,
                    "tip_eur": r.plant_incentivised_kwh * r.plant_tip_rate_eur_mwh / 1000.0}, {}),
    }


@pytest.mark.parametrize("decimals", [4, 6])
@pytest.mark.parametrize("table", ["members", "cabine", "plants"])
def test_demo_files_identical_to_the_old_writer(tmp_path, table, decimals):
    r = demo_results()
    id_header, names, group_header, groups, columns, fmt = tables(r)[table]
    fmt = {k: fmt.get(k, f"%.{decimals}f") for k in columns}
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old_long_csv(old, r.labels, id_header, names, group_header, groups, columns, fmt)
    hourly_table.write_csv(new, r.labels, id_header, names, group_header, groups, columns, decimals=decimals,
                           column_decimals={k: int(v[2:-1]) for k, v in fmt.items()})
    assert new.read_bytes() == old.read_bytes()


def test_simulate_writes_what_the_old_writer_wrote(tmp_path):
    r = demo_results()
    export.write_results(r, tmp_path)
    for table, (id_header, names, group_header, groups, columns, fmt) in tables(r).items():
        ref = tmp_path / f"ref_{table}.csv"
        old_long_csv(ref, r.labels, id_header, names, group_header, groups, columns, fmt)
        assert (tmp_path / f"hourly_{table}.csv").read_bytes() == ref.read_bytes(), table


@pytest.mark.parametrize("decimals", [0, 2, 4, 6])
def test_numbers_exactly_as_printf_including_ties_and_odd_values(decimals):
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.random(5000) * 1000, -rng.random(500), np.round(rng.random(2000) * 100, 4) + 5e-5,
                        [0.0, -0.0, 0.5, 1.5, 2.5, 0.125, 2.675, 5e-5, 5e-7, -1e-9, 1e15, 123456789.1234565,
                         np.nan, np.inf, -np.inf]])
    got = hourly_table.format_fixed(x, decimals).to_pylist()
    assert got == [f"%.{decimals}f" % v for v in x]


@pytest.mark.parametrize("decimals", [0, 2, 6])
@pytest.mark.parametrize("zero_share", [0.0, 0.3, 0.95, 1.0])
def test_mostly_zero_blocks_are_written_as_printf_too(decimals, zero_share):
    """The sparse path (only the values other than +0.0 formatted) gives the same text as printf, with -0.0,
    tiny values that round to zero, ties and non-finite values among the zeros."""
    rng = np.random.default_rng(int(zero_share * 100) + decimals)
    x = rng.gamma(0.5, 3.0, 5_000) * np.where(rng.random(5_000) < 0.5, 1.0, -1.0)
    x[rng.random(5_000) < zero_share] = 0.0
    if zero_share < 1.0:
        x[:6] = [-0.0, 1e-12, -1e-12, 0.5 * 10.0 ** -decimals, np.inf, np.nan]
    got = hourly_table.format_fixed(x, decimals).to_pylist()
    assert got == [f"%.{decimals}f" % v for v in x]


def test_text_cells_neutralised_and_quoted(tmp_path):
    path = tmp_path / "t.csv"
    names = ["=HYPERLINK(\"http://x\")", "a,b", 'say "hi"', "plain", "-2"]
    hourly_table.write_csv(path, np.array(["h0", "h1"], dtype=object), "member", names, "cabina",
                           ["C1", "C,2", "C1", "C1", "+C"], {"kwh": np.arange(10.0).reshape(2, 5)}, decimals=1)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "timestamp,member,cabina,kwh"
    assert lines[1] == '''h0,"'=HYPERLINK(""http://x"")",C1,0.0'''
    assert lines[2] == 'h0,"a,b","C,2",1.0'
    assert lines[3] == 'h0,"say ""hi""",C1,2.0'
    assert lines[4] == "h0,plain,C1,3.0"
    assert lines[5] == "h0,'-2,'+C,4.0"
    assert lines[10] == "h1,'-2,'+C,9.0"
    import csv

    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[2][1:3] == ["a,b", "C,2"] and len(rows) == 11


def test_blocks_do_not_change_the_file(tmp_path, monkeypatch):
    r = demo_results()
    id_header, names, group_header, groups, columns, _ = tables(r)["members"]
    whole, blocks = tmp_path / "a.csv", tmp_path / "b.csv"
    hourly_table.write_csv(whole, r.labels, id_header, names, group_header, groups, columns)
    monkeypatch.setattr(hourly_table, "BLOCK_ROWS", 1234)
    hourly_table.write_csv(blocks, r.labels, id_header, names, group_header, groups, columns)
    assert whole.read_bytes() == blocks.read_bytes()


def test_parquet_round_trip(tmp_path):
    import pyarrow.parquet as pq

    r = demo_results()
    paths = export.write_results(r, tmp_path, hourly_format="parquet")
    assert [p.name for p in paths[:4]] == ["summary.json", "hourly_members.parquet", "hourly_cabine.parquet",
                                           "hourly_plants.parquet"]
    n_hours, n_members = r.members.load_kwh.shape
    members = pq.read_table(tmp_path / "hourly_members.parquet").to_pandas()
    assert list(members.columns) == ["timestamp", "member", "cabina", *export.MEMBER_COLUMNS]
    assert len(members) == n_hours * n_members
    assert list(members["member"].astype(str)[:n_members]) == r.member_ids
    assert members["timestamp"].astype(str).iloc[n_members] == r.labels[1]
    for k in export.MEMBER_COLUMNS:
        np.testing.assert_array_equal(members[k].to_numpy().reshape(n_hours, n_members), getattr(r.members, k))
    cabine = pq.read_table(tmp_path / "hourly_cabine.parquet").to_pandas()
    np.testing.assert_array_equal(cabine["zonal_price_eur_mwh"].to_numpy()[::len(r.cabina_ids)],
                                  r.zonal_price_eur_mwh)
    plants = pq.read_table(tmp_path / "hourly_plants.parquet")
    np.testing.assert_array_equal(plants["tip_rate_eur_mwh"].to_numpy().reshape(n_hours, len(r.plant_ids)),
                                  r.plant_tip_rate_eur_mwh)
    assert (tmp_path / "hourly_members.parquet").stat().st_size < 0.5 * n_hours * n_members * 60


def test_cli_simulate_parquet(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cer_core", "simulate", "--out", str(tmp_path), "--format", "parquet"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "hourly_members.parquet").exists() and not (tmp_path / "hourly_members.csv").exists()


@pytest.mark.parametrize("year", [2019, 2020, 2024, 2025, 2026])
def test_iso_labels_as_pandas_strftime(year):
    from cer_core.timeaxis import hours_local, iso_local_labels

    text = hours_local(year).strftime("%Y-%m-%dT%H:%M:%S%z")
    assert list(iso_local_labels(year)) == [s[:-2] + ":" + s[-2:] for s in text]
