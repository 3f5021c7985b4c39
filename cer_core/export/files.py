"""The results files of ``simulate`` (and of the studio's "export results").

- ``summary.json`` (``cer-studio/results@1``): totals, members, plants, cabine, monthly, checks, rules;
- ``hourly_members.csv``: ``timestamp,member,cabina,load_kwh,production_kwh,self_consumed_kwh,injected_kwh,withdrawn_kwh``;
- ``hourly_cabine.csv``: ``timestamp,cabina,injected_kwh,withdrawn_kwh,shared_kwh,zonal_price_eur_mwh``;
- ``hourly_plants.csv``: ``timestamp,plant,cabina,injected_kwh,incentivised_kwh,tip_rate_eur_mwh,shared_kwh,tip_eur``
  (the shared energy attributed to the plant, its incentivised part, the hour's tariff rate and money);
- ``allocation_monthly.csv`` and ``allocation_members.csv``: the split among members (``docs/allocation.md``).

``timestamp`` is the start of the local hour in ISO 8601 with its UTC offset. Energies, rates, prices and
euros are written with 6 decimals (1 mWh), so the summary's totals recompute from the hourly files to the
cent (``docs/results.md``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ..engine import Results

RESULTS_SCHEMA_ID = "cer-studio/results@1"
#: Decimals of the hourly CSVs: 6, so that sums over a year of rows stay within a cent of the summary.
HOURLY_FORMAT = "%.6f"
MEMBER_COLUMNS = ("load_kwh", "production_kwh", "self_consumed_kwh", "injected_kwh", "withdrawn_kwh")


def _clean(obj):
    """JSON-ready copy: numpy scalars to Python, floats rounded to 6 decimals, NaN/inf to None."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        value = float(obj)
        return None if not math.isfinite(value) else round(value, 6)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def summary_document(results: Results) -> dict:
    """The ``summary.json`` content."""
    doc = {"schema": RESULTS_SCHEMA_ID}
    doc.update(results.summary)
    return _clean(doc)


def summary_text(results: Results) -> str:
    """``summary.json``'s text: ``json.dumps(summary_document(results), indent=1, ensure_ascii=False)``,
    written in one pass by :func:`cer_core.jsontext.dumps_clean` (the two steps when it gives up)."""
    from ..jsontext import Unsupported, dumps_clean

    try:
        return dumps_clean({"schema": RESULTS_SCHEMA_ID, **results.summary})
    except Unsupported:
        return json.dumps(summary_document(results), indent=1, ensure_ascii=False)


def _long_csv(path: Path, labels: np.ndarray, id_header: str, names: list[str], group_header: str | None,
              groups: list[str] | None, columns: dict[str, np.ndarray], fmt: dict[str, str]) -> None:
    """Write a long table: one row per (hour, item), items in order within each hour.

    ``columns`` values are (hours, items) arrays, or (hours,) arrays repeated for every item.
    Written by :func:`cer_core.hourly_table.write_csv` (vectorised; ids formula-neutralised and quoted per
    RFC 4180); ``fmt`` gives a column's ``%.Nf`` format (default :data:`HOURLY_FORMAT`, 6 decimals).
    """
    from ..hourly_table import write_csv

    decimals = {key: int(fmt.get(key, HOURLY_FORMAT)[2:-1]) for key in columns}
    write_csv(path, labels, id_header, names, group_header, groups, columns, column_decimals=decimals)


def community_hourly(results: Results) -> dict[str, np.ndarray]:
    """The community's hourly flows [kWh] and the zonal price [€/MWh], one value per local hour."""
    m, c = results.members, results.cabine
    prod = results.plant_production_kwh
    return {"production_kwh": prod.sum(axis=1) if prod.size else np.zeros(len(results.zonal_price_eur_mwh)),
            "consumption_kwh": m.load_kwh.sum(axis=1), "self_consumed_kwh": m.self_consumed_kwh.sum(axis=1),
            "injected_kwh": m.injected_kwh.sum(axis=1), "withdrawn_kwh": m.withdrawn_kwh.sum(axis=1),
            "shared_kwh": c.shared_kwh.sum(axis=1), "zonal_price_eur_mwh": np.asarray(results.zonal_price_eur_mwh)}


def write_results(results: Results, out_dir: str | Path, *, hourly_format: str = "csv") -> list[Path]:
    """Write the four results files into ``out_dir`` (created if missing); returns their paths.

    ``hourly_format="parquet"`` writes the hourly tables as ``hourly_*.parquet`` instead of CSV (same
    columns, values unrounded, compressed: :func:`cer_core.hourly_table.write_parquet`).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    labels = results.labels
    paths = [out / "summary.json", out / "hourly_members.csv", out / "hourly_cabine.csv", out / "hourly_plants.csv"]
    paths[0].write_text(summary_text(results), encoding="utf-8")
    if hourly_format == "parquet":
        return paths[:1] + write_hourly_parquet(results, out) + write_allocation_csv(results.summary.get("allocation"),
                                                                                    out)
    m = results.members.flows()  # the member flows are recomputed on demand: all five in one balance
    _long_csv(paths[1], labels, "member", results.member_ids, "cabina", results.member_cabina,
              {k: getattr(m, k) for k in MEMBER_COLUMNS}, {})
    del m
    c = results.cabine
    _long_csv(paths[2], labels, "cabina", results.cabina_ids, None, None,
              {"injected_kwh": c.injected_kwh, "withdrawn_kwh": c.withdrawn_kwh, "shared_kwh": c.shared_kwh,
               "zonal_price_eur_mwh": results.zonal_price_eur_mwh}, {})
    _long_csv(paths[3], labels, "plant", results.plant_ids, "cabina", results.plant_cabina,
              {"injected_kwh": results.plant_injected_kwh, "incentivised_kwh": results.plant_incentivised_kwh,
               "tip_rate_eur_mwh": results.plant_tip_rate_eur_mwh, "shared_kwh": results.plant_shared_kwh,
               "tip_eur": results.plant_incentivised_kwh * results.plant_tip_rate_eur_mwh / 1000.0}, {})
    paths += write_allocation_csv(results.summary.get("allocation"), out)
    return paths


def write_hourly_parquet(results: Results, out: Path) -> list[Path]:
    """The three hourly tables as ``hourly_members.parquet``, ``hourly_cabine.parquet``, ``hourly_plants.parquet``."""
    from ..hourly_table import write_parquet

    m, c = results.members.flows(), results.cabine  # the member flows in one balance (recomputed on demand)
    return [
        write_parquet(out / "hourly_members.parquet", results.labels, "member", results.member_ids, "cabina",
                      results.member_cabina, {k: getattr(m, k) for k in MEMBER_COLUMNS}),
        write_parquet(out / "hourly_cabine.parquet", results.labels, "cabina", results.cabina_ids, None, None,
                      {"injected_kwh": c.injected_kwh, "withdrawn_kwh": c.withdrawn_kwh, "shared_kwh": c.shared_kwh,
                       "zonal_price_eur_mwh": results.zonal_price_eur_mwh}),
        write_parquet(out / "hourly_plants.parquet", results.labels, "plant", results.plant_ids, "cabina",
                      results.plant_cabina, {"injected_kwh": results.plant_injected_kwh,
                                             "incentivised_kwh": results.plant_incentivised_kwh,
                                             "tip_rate_eur_mwh": results.plant_tip_rate_eur_mwh,
                                             "shared_kwh": results.plant_shared_kwh,
                                             "tip_eur": results.plant_incentivised_kwh
                                             * results.plant_tip_rate_eur_mwh / 1000.0}),
    ]


ALLOCATION_MONTH_COLUMNS = ("month", "pot_eur", "costs_eur", "running_costs_eur", "social_fund_eur", "members_eur",
                            "tip_eur", "valorisation_eur", "gse_fees_eur", "platform_eur", "insurance_eur",
                            "referent_eur", "producer_eur", "third_party_eur", "consumer_eur", "restricted_eur",
                            "fund_share_eur", "fund_restricted_eur", "fund_unassigned_eur")
ALLOCATION_MEMBER_COLUMNS = ("month", "member", "active", "withdrawn_kwh", "injected_kwh", "contribution_kwh",
                             "producer_eur", "third_party_eur", "consumer_eur", "restricted_eur", "net_eur",
                             "from_tip_eur", "from_valorisation_eur", "costs_share_eur", "energy_sale_eur",
                             "bill_savings_eur")


def write_allocation_csv(allocation: dict | None, out: Path) -> list[Path]:
    """The split among members as two CSV files (none when the summary has no ``allocation``).

    ``allocation_monthly.csv``: one row per month (the pot, its shares and their breakdown);
    ``allocation_members.csv``: one row per month and member (energy, its shares, ``net_eur``, and its
    own energy sale and bill savings, which are outside the pot). Euros with 2 decimals, energies with 4.
    """
    import csv

    if not allocation:
        return []
    paths = [out / "allocation_monthly.csv", out / "allocation_members.csv"]
    with open(paths[0], "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(ALLOCATION_MONTH_COLUMNS)
        for row in allocation["monthly"]:
            flat = {**row["breakdown"], **{k: v for k, v in row.items() if k != "breakdown"}}
            writer.writerow([row["month"], *(f"{flat[k]:.2f}" for k in ALLOCATION_MONTH_COLUMNS[1:])])
    with open(paths[1], "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(ALLOCATION_MEMBER_COLUMNS)
        for row in allocation["monthly"]:
            for m in row["members"]:
                writer.writerow([row["month"], m["id"], int(m["active"]),
                                 *(f"{m[k]:.4f}" for k in ("withdrawn_kwh", "injected_kwh", "contribution_kwh")),
                                 *(f"{m[k]:.2f}" for k in ("producer_eur", "third_party_eur", "consumer_eur",
                                                           "restricted_eur", "net_eur")),
                                 *(f"{m['statement'][k]:.2f}" for k in ("from_tip_eur", "from_valorisation_eur",
                                                                         "costs_share_eur")),
                                 f"{m['outside_pot']['energy_sale_eur']:.2f}",
                                 f"{m['outside_pot']['bill_savings_eur']:.2f}"])
    return paths
