"""The results files of ``simulate`` (and of the studio's "export results").

- ``summary.json`` (``cer-studio/results@1``): totals, members, plants, cabine, monthly, checks, rules;
- ``hourly_members.csv``: ``timestamp,member,cabina,load_kwh,production_kwh,self_consumed_kwh,injected_kwh,withdrawn_kwh``;
- ``hourly_cabine.csv``: ``timestamp,cabina,injected_kwh,withdrawn_kwh,shared_kwh,zonal_price_eur_mwh``;
- ``hourly_plants.csv``: ``timestamp,plant,cabina,injected_kwh,incentivised_kwh,tip_rate_eur_mwh``.

``timestamp`` is the start of the local hour in ISO 8601 with its UTC offset. Energies are written
with 4 decimals (0.1 Wh), so the summary's totals can be recomputed from the hourly files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .engine import Results

RESULTS_SCHEMA_ID = "cer-studio/results@1"
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


def _long_csv(path: Path, labels: np.ndarray, id_header: str, names: list[str], group_header: str | None,
              groups: list[str] | None, columns: dict[str, np.ndarray], fmt: dict[str, str]) -> None:
    """Write a long table: one row per (hour, item), items in order within each hour.

    ``columns`` values are (hours, items) arrays, or (hours,) arrays repeated for every item.
    """
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
            text_cols.append(np.char.mod(fmt.get(key, "%.4f"), values.ravel()))
        block = 100_000
        for start in range(0, n_hours * n_items, block):
            rows = zip(*(col[start:start + block] for col in text_cols))
            fh.write("".join(",".join(row) + "\n" for row in rows))


def community_hourly(results: Results) -> dict[str, np.ndarray]:
    """The community's hourly flows [kWh] and the zonal price [€/MWh], one value per local hour."""
    m, c = results.members, results.cabine
    prod = results.plant_production_kwh
    return {"production_kwh": prod.sum(axis=1) if prod.size else np.zeros(len(results.zonal_price_eur_mwh)),
            "consumption_kwh": m.load_kwh.sum(axis=1), "self_consumed_kwh": m.self_consumed_kwh.sum(axis=1),
            "injected_kwh": m.injected_kwh.sum(axis=1), "withdrawn_kwh": m.withdrawn_kwh.sum(axis=1),
            "shared_kwh": c.shared_kwh.sum(axis=1), "zonal_price_eur_mwh": np.asarray(results.zonal_price_eur_mwh)}


def write_results(results: Results, out_dir: str | Path) -> list[Path]:
    """Write the four results files into ``out_dir`` (created if missing); returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    labels = results.labels
    paths = [out / "summary.json", out / "hourly_members.csv", out / "hourly_cabine.csv", out / "hourly_plants.csv"]
    paths[0].write_text(json.dumps(summary_document(results), indent=1, ensure_ascii=False), encoding="utf-8")
    m = results.members
    _long_csv(paths[1], labels, "member", results.member_ids, "cabina", results.member_cabina,
              {k: getattr(m, k) for k in MEMBER_COLUMNS}, {})
    c = results.cabine
    _long_csv(paths[2], labels, "cabina", results.cabina_ids, None, None,
              {"injected_kwh": c.injected_kwh, "withdrawn_kwh": c.withdrawn_kwh, "shared_kwh": c.shared_kwh,
               "zonal_price_eur_mwh": results.zonal_price_eur_mwh}, {"zonal_price_eur_mwh": "%.2f"})
    _long_csv(paths[3], labels, "plant", results.plant_ids, "cabina", results.plant_cabina,
              {"injected_kwh": results.plant_injected_kwh, "incentivised_kwh": results.plant_incentivised_kwh,
               "tip_rate_eur_mwh": results.plant_tip_rate_eur_mwh}, {"tip_rate_eur_mwh": "%.4f"})
    return paths
