"""Who to recruit: candidates ranked by the shared energy and CER money they add (``docs/economics.md``).

Candidates are members marked ``candidate: true`` in the scenario: the simulation leaves them out; here
they join one at a time. **Greedy with re-evaluation**: each round evaluates every remaining candidate
added to the community as it stands (with the candidates already picked), picks the one adding the most
(shared energy, ties by CER money, or the reverse), and stops when no candidate adds anything. Each
evaluation is the engine's energy and money steps on the reduced community of :mod:`cer_core.sizing`.

Also: how many typical consumers of each category a plant needs to share a target share of its
injection, the effect of each pick on the 55 % / 45 % rule's restricted money, and whether the candidate's
category is exempt from the grant cut of the tariff (households, local authorities, third sector).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import constants as C
from .engine import SimulationInputs
from .money.incentives import restricted_tip
from .investment import cer_money_eur
from .loads.profiles import CATEGORY_DEFAULT_PROFILE, profile_shape
from .scenario import Scenario
from .sizing import quick_summary, reduce

CATEGORY_IT = {"household": "famiglia", "sme": "PMI", "large_enterprise": "grande impresa",
               "public_body": "ente pubblico", "third_sector": "ente del terzo settore", "other": "altro"}
CATEGORY_EN = {"household": "household", "sme": "SME", "large_enterprise": "large enterprise",
               "public_body": "public body", "third_sector": "third-sector body", "other": "other"}
#: A candidate using at least this share of its energy in the hours the community injects "consumes when
#: the sun shines" [D] (the wording of the reason only).
SUNNY_SHARE = 0.45
MAX_CONSUMERS = 100_000


@dataclass(frozen=True)
class Pool:
    """The community and its candidates as one set of engine inputs (candidates as ordinary members)."""

    inputs: SimulationInputs
    candidate_ids: tuple[str, ...]

    @property
    def community_ids(self) -> list[str]:
        return [m.id for m in self.inputs.scenario.members if m.id not in self.candidate_ids]


def pool_scenario(sc: Scenario) -> Scenario:
    """``sc`` with its candidates (and their plants) as ordinary members, for :func:`cer_core.api.build_inputs`."""
    return replace(sc, members=sc.members + sc.candidates, plants=sc.plants + sc.candidate_plants,
                   candidates=(), candidate_plants=())


def subset(pool: Pool, member_ids) -> SimulationInputs:
    """The engine inputs of the members in ``member_ids`` and their plants."""
    sc = pool.inputs.scenario
    keep = set(member_ids)
    mi = [i for i, m in enumerate(sc.members) if m.id in keep]
    pj = [j for j, p in enumerate(sc.plants) if p.member in keep]
    sub = replace(sc, members=tuple(sc.members[i] for i in mi), plants=tuple(sc.plants[j] for j in pj))
    return replace(pool.inputs, scenario=sub, load_kwh=pool.inputs.load_kwh[:, mi],
                   plant_production_kwh=np.asarray(pool.inputs.plant_production_kwh)[:, pj])


def evaluate(pool: Pool, member_ids) -> dict:
    """The figures of a community made of ``member_ids``: shared energy, CER money, the 55 % rule."""
    inp = subset(pool, member_ids)
    summary, sc = quick_summary(reduce(inp), {})
    t = summary["totals"]
    out = {"shared_kwh": t["shared_kwh"], "cer_money_eur": cer_money_eur(t), "tip_eur": t["tip_eur"],
           "restricted_eur": 0.0, "ratios": {}}
    admitted = {p.id: p for p in sc.plants}
    for name, with_grant, threshold in (("no_grant", False, C.RESTRICTED_THRESHOLD_NO_GRANT),
                                        ("with_grant", True, C.RESTRICTED_THRESHOLD_WITH_GRANT)):
        recs = [r for r in summary["plants"] if (admitted[r["id"]].grant_pct > 0) == with_grant
                and r["incentivised_kwh"] > 0]
        rec = restricted_tip(sum(r["tip_eur"] for r in recs), sum(r["incentivised_kwh"] for r in recs),
                             sum(r["injected_kwh"] for r in recs), threshold)
        out["restricted_eur"] += rec["restricted_eur"]
        out["ratios"][name] = rec["ratio"]
    out["grant_tip_eur"] = sum(r["tip_eur"] for r in summary["plants"] if admitted[r["id"]].grant_pct > 0)
    return out


def _fmt(x: float, lang: str, digits: int = 1) -> str:
    text = f"{x:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "it" else text


def sunny_share(pool: Pool, candidate_id: str) -> float:
    """Share of the candidate's consumption in the hours its cabina's plants inject."""
    sc = pool.inputs.scenario
    i = next(k for k, m in enumerate(sc.members) if m.id == candidate_id)
    cab = sc.members[i].cabina
    load = pool.inputs.load_kwh[:, i]
    cols = [j for j, p in enumerate(sc.plants) if p.member in set(pool.community_ids)
            and next(m for m in sc.members if m.id == p.member).cabina == cab]
    if not cols or load.sum() <= 0:
        return 0.0
    sun = np.asarray(pool.inputs.plant_production_kwh)[:, cols].sum(axis=1) > 0
    return float(load[sun].sum() / load.sum())


def reason(member, added_shared_kwh: float, added_money_eur: float, sunny: float, exempt_note: bool) -> dict:
    """One line in Italian and English saying why (or why not) to recruit ``member``."""
    name, pct = member.name, sunny * 100
    if added_shared_kwh <= 1e-6:
        it = (f"{name}: nessuna energia condivisa in più (non consuma nelle ore in cui la sua cabina immette "
              "energia non condivisa)")
        en = f"{name}: no extra shared energy (it does not consume in the hours its cabina injects unshared energy)"
    else:
        mwh_it, mwh_en = _fmt(added_shared_kwh / 1000, "it"), _fmt(added_shared_kwh / 1000, "en")
        eur_it, eur_en = _fmt(added_money_eur, "it", 0), _fmt(added_money_eur, "en", 0)
        cat_it, cat_en = CATEGORY_IT.get(member.category, member.category), CATEGORY_EN.get(member.category,
                                                                                               member.category)
        if sunny >= SUNNY_SHARE:
            it = (f"{name} ({cat_it}) consuma quando c'è sole ({pct:.0f} % nelle ore di produzione): "
                  f"+{mwh_it} MWh condivisi/anno, +{eur_it} €/anno alla CER")
            en = (f"{name} ({cat_en}) uses energy while the sun shines ({pct:.0f} % in production hours): "
                  f"+{mwh_en} MWh shared/yr, +€{eur_en}/yr to the CER")
        else:
            it = (f"{name} ({cat_it}) consuma soprattutto la sera e di notte ({pct:.0f} % nelle ore di produzione): "
                  f"+{mwh_it} MWh condivisi/anno, +{eur_it} €/anno alla CER")
            en = (f"{name} ({cat_en}) uses energy mostly in the evening and at night ({pct:.0f} % in production "
                  f"hours): +{mwh_en} MWh shared/yr, +€{eur_en}/yr to the CER")
    if exempt_note:
        it += "; esente dal taglio per contributo: tariffa piena sugli impianti con contributo"
        en += "; exempt from the grant cut: full tariff on grant plants"
    return {"it": it, "en": en}


def greedy(pool: Pool, key: str = "shared_kwh", max_picks: int | None = None) -> dict:
    """Rank the candidates by greedy selection with re-evaluation.

    Parameters
    ----------
    pool : Pool
    key : {"shared_kwh", "cer_money_eur"}
        What "adds the most" means; the other figure breaks ties.
    max_picks : int, optional
        Stop after this many picks (default: until no candidate adds anything).

    Returns
    -------
    dict
        ``base`` (the community's figures), ``picks`` (in order: id, added shared kWh and CER money €,
        restricted money before/after, grant-cut exemption, reasons), ``left`` (candidates adding nothing
        at the end, with their reason), ``alone`` (each candidate's gain added alone to the community).
    """
    other = "cer_money_eur" if key == "shared_kwh" else "shared_kwh"
    sc = pool.inputs.scenario
    by_id = {m.id: m for m in sc.members}
    current = list(pool.community_ids)
    now = evaluate(pool, current)
    base = now
    remaining = [c for c in pool.candidate_ids if c in by_id]
    grant_cabine = {by_id[p.member].cabina for p in sc.plants if p.grant_pct > 0 and p.member in set(current)}
    alone = {}
    picks = []
    while remaining and (max_picks is None or len(picks) < max_picks):
        trials = {c: evaluate(pool, current + [c]) for c in remaining}
        gains = {c: (trials[c][key] - now[key], trials[c][other] - now[other]) for c in remaining}
        if not alone:
            alone = {c: {"added_shared_kwh": trials[c]["shared_kwh"] - now["shared_kwh"],
                         "added_cer_money_eur": trials[c]["cer_money_eur"] - now["cer_money_eur"]} for c in remaining}
        best = max(remaining, key=lambda c: (gains[c][0], gains[c][1], -remaining.index(c)))
        if gains[best][0] <= 1e-6:
            break
        m = by_id[best]
        after = trials[best]
        exempt = m.category in C.GRANT_CUT_EXEMPT_CATEGORIES
        d_shared = after["shared_kwh"] - now["shared_kwh"]
        d_money = after["cer_money_eur"] - now["cer_money_eur"]
        picks.append({"id": best, "name": m.name, "category": m.category, "cabina": m.cabina,
                      "added_shared_kwh": d_shared, "added_cer_money_eur": d_money,
                      "shared_kwh": after["shared_kwh"], "cer_money_eur": after["cer_money_eur"],
                      "restricted_before_eur": now["restricted_eur"], "restricted_after_eur": after["restricted_eur"],
                      "ratios_after": after["ratios"], "grant_cut_exempt": exempt,
                      "grant_plants_in_cabina": m.cabina in grant_cabine,
                      "reason": reason(m, d_shared, d_money, sunny_share(pool, best),
                                       exempt and m.cabina in grant_cabine)})
        current.append(best)
        remaining.remove(best)
        now = after
    left = [{"id": c, "name": by_id[c].name, "category": by_id[c].category,
             "reason": reason(by_id[c], 0.0, 0.0, 0.0, False)} for c in remaining]
    return {"key": key, "base": base, "final": now, "picks": picks, "left": left, "alone": alone}


def consumers_needed(injection_kwh: np.ndarray, scenario: Scenario, target: float = C.SELECTION_TARGET_SHARED,
                     categories=None, typical_kwh: dict | None = None) -> dict[str, int | None]:
    """How many typical consumers of each category a plant's injection needs to share ``target`` of it.

    One typical consumer of a category follows its default profile (``cer_core/loads/profiles.py``) with
    ``TYPICAL_ANNUAL_KWH`` a year; ``n`` of them withdraw ``n`` times that hour by hour, and the plant's
    shared energy is ``Σ_h min(injection_h, n × load_h)`` (the plant alone in its cabina). None: not reachable
    (the category does not consume in enough of the plant's hours).
    """
    inj = np.asarray(injection_kwh, dtype=float)
    total = inj.sum()
    typical = {**C.TYPICAL_ANNUAL_KWH, **(typical_kwh or {})}
    out: dict[str, int | None] = {}
    for cat in categories or C.MEMBER_CATEGORIES:
        if total <= 0:
            out[cat] = 0
            continue
        shape = profile_shape(CATEGORY_DEFAULT_PROFILE.get(cat, "office"), scenario.year, region=scenario.site.region,
                              lat=scenario.site.lat, lon=scenario.site.lon)
        load = typical.get(cat, 10000.0) * np.asarray(shape)

        def enough(n: int) -> bool:
            return np.minimum(inj, n * load).sum() >= target * total - 1e-9

        if not enough(MAX_CONSUMERS):
            out[cat] = None
            continue
        lo, hi = 0, 1
        while not enough(hi):
            lo, hi = hi, hi * 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if enough(mid) else (mid, hi)
        out[cat] = hi
    return out
