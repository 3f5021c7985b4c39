"""Variants of the current community, kept in the same scenario document under ``variants``.

A variant is ``{"name": ..., "scenario": <a whole scenario document without variants>}``; the file saved
from the studio carries them (``docs/scenario.md``), ``simulate`` ignores them. Pure functions on the
document (no Streamlit): duplicate, rename, delete, make current, and the comparison tables.
"""

from __future__ import annotations

import copy

from cer_core.investment import cer_money_eur

VARIANTS_KEY = "variants"
MAX_VARIANTS = 3

#: Headline figures compared between variants: (key, where, unit kind).
HEADLINE = (("kwp", "totals", "kwp"), ("members", "totals", "count"), ("production_kwh", "totals", "kwh"),
            ("shared_kwh", "totals", "kwh"), ("self_sufficiency_ratio", "totals", "ratio"),
            ("shared_over_injected", "totals", "ratio"), ("tip_eur", "totals", "eur"),
            ("valorisation_eur", "totals", "eur"), ("cer_money_eur", "derived", "eur"),
            ("energy_sale_eur", "totals", "eur"), ("bill_savings_eur", "totals", "eur"),
            ("capex_eur", "economics", "eur"), ("npv_eur", "economics", "eur"), ("irr", "economics", "ratio"),
            ("payback_years", "economics", "years"))


def without_variants(doc: dict) -> dict:
    """A deep copy of ``doc`` without its variants (what a variant stores and what is simulated)."""
    return {k: copy.deepcopy(v) for k, v in doc.items() if k != VARIANTS_KEY}


def variants(doc: dict) -> list[dict]:
    """The document's variants (well-formed ones only)."""
    out = doc.get(VARIANTS_KEY) if isinstance(doc, dict) else None
    return [v for v in out if isinstance(v, dict) and isinstance(v.get("scenario"), dict)] if isinstance(out, list) \
        else []


def duplicate(doc: dict, name: str) -> dict:
    """``doc`` with a copy of its current community appended as a variant named ``name``.

    Raises
    ------
    ValueError
        When the document already holds :data:`MAX_VARIANTS` variants.
    """
    current = variants(doc)
    if len(current) >= MAX_VARIANTS:
        raise ValueError(f"at most {MAX_VARIANTS} variants")
    snapshot = without_variants(doc)
    snapshot["name"] = name or snapshot.get("name", "")
    out = without_variants(doc)
    out[VARIANTS_KEY] = [*copy.deepcopy(current), {"name": name, "scenario": snapshot}]
    return out


def delete(doc: dict, index: int) -> dict:
    out = without_variants(doc)
    kept = [v for i, v in enumerate(variants(doc)) if i != index]
    if kept:
        out[VARIANTS_KEY] = copy.deepcopy(kept)
    return out


def make_current(doc: dict, index: int, previous_name: str) -> dict:
    """The variant ``index`` becomes the community; the community so far takes its place among the variants
    (named ``previous_name``), so one more click swaps them back."""
    items = variants(doc)
    chosen = copy.deepcopy(items[index]["scenario"])
    chosen.pop(VARIANTS_KEY, None)
    items = copy.deepcopy(items)
    items[index] = {"name": previous_name, "scenario": without_variants(doc)}
    chosen[VARIANTS_KEY] = items
    return chosen


def set_variant_scenario(doc: dict, index: int, scenario: dict) -> dict:
    """``doc`` with variant ``index``'s scenario replaced (e.g. the optimal sizes applied)."""
    out = without_variants(doc)
    items = copy.deepcopy(variants(doc))
    items[index]["scenario"] = without_variants(scenario)
    out[VARIANTS_KEY] = items
    return out


def with_sizes(doc: dict, kwp_by_plant: dict[str, float]) -> dict:
    """A copy of ``doc`` (without variants) whose plants have the given kWp (faces scaled in proportion)."""
    out = without_variants(doc)
    for p in out.get("plants", []):
        if p.get("id") in kwp_by_plant:
            old, new = float(p.get("kwp") or 0.0), round(float(kwp_by_plant[p["id"]]), 2)
            if isinstance(p.get("faces"), list) and old > 0:
                for face in p["faces"]:
                    face["kwp"] = round(float(face.get("kwp", 0.0)) * new / old, 3)
                total = sum(f["kwp"] for f in p["faces"])
                if p["faces"]:
                    p["faces"][-1]["kwp"] = round(p["faces"][-1]["kwp"] + new - total, 3)
            p["kwp"] = new
    return out


def headline(summary: dict) -> dict[str, float | None]:
    """The figures compared between variants."""
    totals, econ = summary.get("totals", {}), summary.get("economics", {}) or {}
    out: dict[str, float | None] = {}
    for key, where, _ in HEADLINE:
        if where == "totals":
            out[key] = totals.get(key)
        elif where == "economics":
            out[key] = econ.get(key)
        else:
            out[key] = cer_money_eur(totals) if totals else None
    return out


def compare_headline(summaries: list[dict]) -> list[dict]:
    """One row per figure: the value of each summary and its difference from the first."""
    heads = [headline(s) for s in summaries]
    rows = []
    for key, _, kind in HEADLINE:
        values = [h.get(key) for h in heads]
        base = values[0]
        diffs = [None if (v is None or base is None) else v - base for v in values]
        rows.append({"key": key, "kind": kind, "values": values, "diffs": diffs})
    return rows


def member_differences(summaries: list[dict]) -> list[dict]:
    """Per member (of any summary): its yearly money from the CER (regolamento) and bill savings in each
    summary, and the differences from the first (None where the member is absent)."""
    def by_id(s, key):
        alloc = {m["id"]: m.get("net_eur") for m in (s.get("allocation") or {}).get("members", [])}
        if key == "net_eur":
            return alloc
        return {m["id"]: m.get(key) for m in s.get("members", [])}

    ids, names = [], {}
    for s in summaries:
        for m in s.get("members", []):
            if m["id"] not in names:
                ids.append(m["id"])
                names[m["id"]] = m.get("name", m["id"])
    nets = [by_id(s, "net_eur") for s in summaries]
    savings = [by_id(s, "bill_savings_eur") for s in summaries]
    rows = []
    for mid in ids:
        net = [n.get(mid) for n in nets]
        sav = [x.get(mid) for x in savings]
        rows.append({"id": mid, "name": names[mid], "net_eur": net, "bill_savings_eur": sav,
                     "net_diff_eur": [None if v is None or net[0] is None else v - net[0] for v in net]})
    return rows
