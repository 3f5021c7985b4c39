"""Figures the reports show that ``summary.json`` does not hold directly, derived from the hourly results.

Pure functions over :class:`cer_core.engine.Results`: a member's consumption by month and F1/F2/F3
band, the shared energy its withdrawals take part in, its avoided CO2, and its line of the split
(``summary["allocation"]``) when the community has a regolamento. See ``docs/reports.md``.
"""

from __future__ import annotations

import numpy as np

from ...bands import band_of_hour
from ...engine import Results
from ...timeaxis import local_month


def monthly_sum(year: int, hourly: np.ndarray) -> np.ndarray:
    """Sum an hourly array (hours,) or (hours, n) by local calendar month → (12,) or (12, n)."""
    months = local_month(year).astype(int) - 1
    out = np.zeros((12,) + hourly.shape[1:])
    np.add.at(out, months, hourly)
    return out


def member_index(results: Results, member_id: str) -> int:
    """Column of ``member_id`` in the hourly member arrays (``KeyError`` when unknown)."""
    return results.member_ids.index(member_id)


def bands_monthly_kwh(results: Results, i: int) -> np.ndarray:
    """Member ``i``'s consumption [kWh] by month (rows) and band F1, F2, F3 (columns), shape (12, 3)."""
    band = band_of_hour(results.year)
    load = results.members.load_kwh[:, i]
    return np.column_stack([monthly_sum(results.year, np.where(band == b, load, 0.0)) for b in (1, 2, 3)])


def shared_by_withdrawal_kwh(results: Results) -> np.ndarray:
    """Each member's part of the shared energy, hour by hour in proportion to its withdrawal under its
    cabina: ``shared[c,h] × withdrawn[m,h] / Σ_m∈c withdrawn[m,h]`` [kWh], shape (hours, members).

    Summed over the members of a cabina it equals the cabina's shared energy, so summed over all
    members it equals the community's ``shared_kwh``.
    """
    wd = results.members.withdrawn_kwh
    cab = np.array([results.cabina_ids.index(c) for c in results.member_cabina], dtype=int)
    cab_wd = results.cabine.withdrawn_kwh[:, cab]
    cab_shared = results.cabine.shared_kwh[:, cab]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(cab_wd > 0, wd / cab_wd, 0.0)
    return cab_shared * share


def member_co2_kg(results: Results, shared_kwh: np.ndarray) -> np.ndarray:
    """Each member's avoided CO2 [kg] on the summary's basis, shape (members,).

    Basis ``shared_and_self_consumed``: (own self-consumption + the shared energy it withdraws) ×
    factor; basis ``production``: its plants' production × factor. Either way the members' values add
    up to the community's ``co2_avoided_kg``.
    """
    rules = results.summary.get("rules", {})
    factor = float(rules.get("co2_kg_per_kwh", 0.0) or 0.0)
    if rules.get("co2_basis") == "production":
        return results.members.production_kwh.sum(axis=0) * factor
    return (results.members.self_consumed_kwh.sum(axis=0) + shared_kwh.sum(axis=0)) * factor


def allocation_line(summary: dict, member_id: str) -> dict | None:
    """The member's line of ``summary["allocation"]`` (the regolamento's split), or None without one.

    Returns ``{"net_eur": float | None, "monthly_eur": list of 12 floats | None, "record": dict}``.
    The monthly figures come from the member record's ``monthly`` (a list, or a dict holding
    ``net_eur``) or from the allocation's ``monthly`` statements when they list members.
    """
    alloc = summary.get("allocation")
    if not isinstance(alloc, dict):
        return None
    record = None
    for m in alloc.get("members") or []:
        if isinstance(m, dict) and (m.get("id") == member_id or m.get("member") == member_id):
            record = m
            break
    if record is None:
        return None
    monthly = record.get("monthly") or record.get("monthly_eur")
    if isinstance(monthly, dict):
        monthly = monthly.get("net_eur")
    if not (isinstance(monthly, list) and len(monthly) == 12):
        monthly = _monthly_from_statements(alloc.get("monthly"), member_id)
    net = record.get("net_eur")
    return {"net_eur": float(net) if isinstance(net, (int, float)) else None,
            "monthly_eur": [float(v) for v in monthly] if monthly else None, "record": record}


def _monthly_from_statements(statements, member_id: str) -> list[float] | None:
    if not (isinstance(statements, list) and len(statements) == 12):
        return None
    out = []
    for st in statements:
        rows = st.get("members") if isinstance(st, dict) else None
        if isinstance(rows, dict):
            value = rows.get(member_id)
            value = value.get("net_eur") if isinstance(value, dict) else value
        elif isinstance(rows, list):
            value = next((r.get("net_eur") for r in rows if isinstance(r, dict)
                          and member_id in (r.get("id"), r.get("member"))), None)
        else:
            return None
        if not isinstance(value, (int, float)):
            return None
        out.append(float(value))
    return out
