"""simulate's four files: columns, row counts, DST days, and totals that equal the sums of the hourly files."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT
from test_scenario import base_doc, base_files

MEMBER_COLS = ["timestamp", "member", "cabina", "load_kwh", "production_kwh", "self_consumed_kwh", "injected_kwh",
               "withdrawn_kwh"]
CABINE_COLS = ["timestamp", "cabina", "injected_kwh", "withdrawn_kwh", "shared_kwh", "zonal_price_eur_mwh"]
PLANT_COLS = ["timestamp", "plant", "cabina", "injected_kwh", "incentivised_kwh", "tip_rate_eur_mwh", "shared_kwh",
              "tip_eur"]


def simulate_cli(scenario_path, out_dir) -> dict:
    cmd = [sys.executable, "-m", "cer_core", "simulate"] + ([str(scenario_path)] if scenario_path else [])
    proc = subprocess.run(cmd + ["--out", str(out_dir)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))


def check_outputs(summary: dict, out_dir, hours: int, n_members: int, n_cabine: int, n_plants: int) -> None:
    """The checks the issue asks for, shared by the small scenario and the demo."""
    members = pd.read_csv(out_dir / "hourly_members.csv")
    cabine = pd.read_csv(out_dir / "hourly_cabine.csv")
    plants = pd.read_csv(out_dir / "hourly_plants.csv")
    assert list(members.columns) == MEMBER_COLS
    assert list(cabine.columns) == CABINE_COLS
    assert list(plants.columns) == PLANT_COLS
    assert len(members) == hours * n_members and len(cabine) == hours * n_cabine and len(plants) == hours * n_plants
    assert summary["schema"] == "cer-studio/results@1"
    for key in ("production_kwh", "consumption_kwh", "self_consumed_kwh", "injected_kwh", "withdrawn_kwh",
                "shared_kwh", "incentivised_kwh", "tip_eur", "valorisation_eur", "energy_sale_eur",
                "bill_savings_eur", "co2_avoided_kg"):
        assert key in summary["totals"] and all(key in m for m in summary["monthly"]), key
    assert len(summary["monthly"]) == 12
    t = summary["totals"]
    tol = 0.01  # 6 written decimals per row: a year of rows stays within 0.01 kWh
    assert members["load_kwh"].sum() == pytest.approx(t["consumption_kwh"], abs=tol)
    assert members["production_kwh"].sum() == pytest.approx(t["production_kwh"], abs=tol)
    assert members["self_consumed_kwh"].sum() == pytest.approx(t["self_consumed_kwh"], abs=tol)
    assert members["injected_kwh"].sum() == pytest.approx(t["injected_kwh"], abs=tol)
    assert members["withdrawn_kwh"].sum() == pytest.approx(t["withdrawn_kwh"], abs=tol)
    assert cabine["shared_kwh"].sum() == pytest.approx(t["shared_kwh"], abs=tol)
    assert plants["incentivised_kwh"].sum() == pytest.approx(t["incentivised_kwh"], abs=tol)
    # money recomputed from the files, to the cent
    tip = (plants["incentivised_kwh"] * plants["tip_rate_eur_mwh"]).sum() / 1000
    assert tip == pytest.approx(t["tip_eur"], abs=0.005)
    assert plants["tip_eur"].sum() == pytest.approx(t["tip_eur"], abs=0.005)
    rate = summary["rules"]["valorisation_eur_mwh"]
    assert cabine["shared_kwh"].sum() * rate / 1000 == pytest.approx(t["valorisation_eur"], abs=0.005)
    sale = (cabine["injected_kwh"] * cabine["zonal_price_eur_mwh"]).sum() / 1000
    assert sale == pytest.approx(t["energy_sale_eur"], abs=0.005)
    # each plant's attributed shared energy adds up to the cabina's, hour by hour
    by_hour = plants.groupby(["timestamp", "cabina"])["shared_kwh"].sum()
    cab = cabine.set_index(["timestamp", "cabina"])["shared_kwh"]
    assert (by_hour - cab.reindex(by_hour.index)).abs().max() < 1e-5
    for p in summary["plants"]:
        assert plants.loc[plants["plant"] == p["id"], "shared_kwh"].sum() == pytest.approx(p["shared_kwh"], abs=0.01)
    # totals = Σ monthly; per-entity tables add up too
    for key in ("shared_kwh", "tip_eur", "bill_savings_eur", "co2_avoided_kg"):
        assert sum(m[key] for m in summary["monthly"]) == pytest.approx(t[key], abs=1e-3)
    assert sum(m["consumption_kwh"] for m in summary["members"]) == pytest.approx(t["consumption_kwh"], abs=1e-3)
    assert sum(p["tip_eur"] for p in summary["plants"]) == pytest.approx(t["tip_eur"], abs=1e-3)
    assert sum(c["shared_kwh"] for c in summary["cabine"]) == pytest.approx(t["shared_kwh"], abs=1e-3)
    # DST days: 23 and 25 local hours
    days = members["timestamp"].str[:10]
    year = summary["scenario"]["year"]
    march_day = [d for d in sorted(set(days)) if d.startswith(f"{year}-03-")]
    per_day = days.value_counts() / max(n_members, 1)
    assert sorted(per_day.unique()) == [23, 24, 25]
    assert per_day.min() == 23 and march_day
    assert members["timestamp"].iloc[0] == f"{year}-01-01T00:00:00+01:00"


def test_simulate_small_scenario_files(write_scenario, tmp_path):
    path = write_scenario(base_doc(2024), base_files(2024))
    summary = simulate_cli(path, tmp_path / "out")
    check_outputs(summary, tmp_path / "out", 8784, 2, 1, 1)
    assert summary["rules"]["attribution"] == "chronological"
    assert summary["checks"] and all(c["status"] in ("pass", "warning", "fail") for c in summary["checks"])
    # bill savings recompute from the file to the cent: the SME at 0.265 €/kWh, the household at 0.3042
    members = pd.read_csv(tmp_path / "out" / "hourly_members.csv")
    own = members.groupby("member")["self_consumed_kwh"].sum()
    assert own.get("a", 0.0) * 0.265 + own.get("b", 0.0) * 0.3042 == pytest.approx(
        summary["totals"]["bill_savings_eur"], abs=0.005)
    # the three pockets are in summary.json
    t = summary["totals"]
    assert t["cer_money_eur"] == pytest.approx(t["tip_eur"] + t["valorisation_eur"] - t["cer_costs_eur"], abs=1e-5)
    assert "energy_sale_net_eur" in t and "self_consumption_savings_eur" in t


@pytest.mark.slow
def test_simulate_embedded_demo_files(tmp_path):
    """`python -m cer_core simulate --out DIR` without a scenario runs the embedded demo, offline."""
    summary = simulate_cli(None, tmp_path / "demo")
    check_outputs(summary, tmp_path / "demo", 8784, 40, 2, 12)
    assert summary["scenario"]["name"].startswith("CER Naviglio Sud")
    assert summary["sources"]["weather"]["source"] == "embedded"
    t = summary["totals"]
    assert 900 <= t["kwp"] <= 1100 and t["members"] == 40
    # a realistic year: PV yields in the northern band, a tariff between the cap and the floor
    assert 1050 <= t["production_kwh"] / t["kwp"] <= 1350
    assert 80 <= t["tip_eur"] / t["incentivised_kwh"] * 1000 <= 130
    statuses = {(c["id"], c["subject"]): c["status"] for c in summary["checks"]}
    assert statuses[("plant_commissioning", "fv-municipio")] == "warning"
    assert statuses[("old_plants_share", "")] == "pass"
    assert statuses[("members_in_cabina", "")] == "pass"


def test_summary_text_in_one_pass_is_the_two_step_text():
    # cer_core.jsontext writes summary.json without the rounded copy and Python's pure-Python encoder:
    # byte for byte what json.dumps(_clean(doc), indent=1, ensure_ascii=False) writes
    import math

    import numpy as np

    from cer_core.export.files import _clean
    from cer_core.jsontext import Unsupported, dumps_clean

    doc = {"schema": "x", "float": 0.1 + 0.2, "tiny": 1e-7, "big": 1.23456789e17, "neg0": -0.0, "nan": math.nan,
           "inf": [math.inf, -math.inf, 1.0000005, 2.4999995e-6], "int": 3, "np": [np.float64(1 / 3), np.float32(0.1),
           np.int64(7), np.bool_(True), np.bool_(False)], "bools": [True, False, None], "text": "Caffè \"Žiga\"\n\u2028€",
           "empty": [{}, [], ()], "tuple": (1, 2.5), "nested": {"a": [{"b": [1.5, {"c": None}]}], "": "k"},
           "mixed": [1, 2.0, "x", [3.25]], "numbers": [0.1234565, 1234.5678905, -2e-9, 5]}
    assert dumps_clean(doc) == json.dumps(_clean(doc), indent=1, ensure_ascii=False)
    for bad in ({1: "int key"}, {"date": __import__("datetime").date(2024, 1, 1)}, {"array": np.zeros(2)}):
        with pytest.raises(Unsupported):
            dumps_clean(bad)
