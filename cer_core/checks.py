"""Eligibility checks shown as a checklist: each returns pass / warning / fail with a sentence.

They follow docs/regulation.md §1, §3 and §7: plants ≤ 1 MW, commissioned from 16/12/2021, old plants
at most 30 % of the power, members under their cabina, categories allowed by D.Lgs. 199/2021, grants
≤ 40 %, the PNRR grant's comune size and in-service date, plants commissioned during or after the simulated
year; the money (a cabina that injects but shares nothing, a plant whose RID fee exceeds its sale); the
energy-neutrality ratio of a wastewater treatment plant against the 2030–2045 milestones.
"""

from __future__ import annotations

import datetime as dt
import re

from . import constants as C
from .errors import render
from .geo import find_comune
from .scenario import Scenario

POD_PATTERN = re.compile(r"^IT\d{3}E\d{8,9}[A-Z]?$")


def _check(cid: str, status: str, key: str, subject: str = "", **values) -> dict:
    """One line of the checklist: its sentence is the catalogue's ``key`` (``locales/<lang>/problems.json``,
    like the core's other messages) filled with ``values``, written in both languages into ``summary.json``."""
    return {"id": cid, "status": status, "subject": subject, "it": render(key, "it", values),
            "en": render(key, "en", values)}


def _it(value: float, spec: str = "g") -> str:
    """A number for an Italian sentence: ``format(value, spec)`` with decimal comma and thousands dot."""
    return format(value, spec).replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def plant_checks(sc: Scenario) -> list[dict]:
    """Per-plant checks: power, commissioning date, capital grant."""
    out = []
    for p in sc.plants:
        if p.kwp <= 0:
            out.append(_check("plant_max_power", "warning", "problems.checks.plant_checks", p.id, name=p.name))
        elif p.kwp > C.MAX_PLANT_KW:
            out.append(_check("plant_max_power", "fail", "problems.checks.plant_checks.2", p.id, name=p.name,
                              kwp={"it": _it(p.kwp), "en": p.kwp}))
        else:
            out.append(_check("plant_max_power", "pass", "problems.checks.plant_checks.3", p.id, name=p.name,
                              kwp={"it": _it(p.kwp), "en": p.kwp}))
        if p.commissioning < C.NEW_PLANT_FROM:
            out.append(_check("plant_commissioning", "warning", "problems.checks.plant_checks.4", p.id, name=p.name,
                              commissioning=p.commissioning))
        else:
            out.append(_check("plant_commissioning", "pass", "problems.checks.plant_checks.5", p.id, name=p.name,
                              commissioning=p.commissioning))
        if p.grant_pct > C.GRANT_MAX_PCT:
            out.append(_check("plant_grant", "fail", "problems.checks.plant_checks.6", p.id, name=p.name,
                              grant_pct={"it": _it(p.grant_pct), "en": p.grant_pct}))
        elif p.grant_pct > 0:
            grant_it, grant_en = _it(p.grant_pct), f"{p.grant_pct:g}"
            cut_it, cut_en = _it(50 * p.grant_pct / 40, ".1f"), f"{50 * p.grant_pct / 40:.1f}"
            out.append(_check("plant_grant", "warning", "problems.checks.plant_checks.7", p.id, name=p.name,
                              grant={"it": grant_it, "en": grant_en}, cut={"it": cut_it, "en": cut_en}))
        out.extend(_in_service_check(sc, p))
    return out


def _in_service_check(sc: Scenario, p) -> list[dict]:
    """A plant commissioned during or after the simulated year: say how the year mode counts it."""
    if p.commissioning <= dt.date(sc.year, 1, 1):
        return []  # in service from the year's first hour: both year modes count it all year
    when_it = "dopo l'anno simulato" if p.commissioning.year > sc.year else "durante l'anno simulato"
    when_en = "after the simulated year" if p.commissioning.year > sc.year else "during the simulated year"
    if sc.rules.get("year_mode") == "calendar":
        how_it, how_en = ("in anno solare produce e guadagna solo da quella data",
                          "in calendar-year mode it produces and earns only from that date")
    else:
        how_it, how_en = ("l'anno di riferimento lo conta in funzione tutto l'anno",
                          "the reference year counts it as running all year")
    return [_check("plant_in_service", "warning", "problems.checks.in_service_check", p.id, name=p.name,
                   commissioning=p.commissioning, when={"it": when_it, "en": when_en}, year=sc.year,
                   how={"it": how_it, "en": how_en})]


def pnrr_checks(sc: Scenario) -> list[dict]:
    """PNRR capital grant: comune under 50,000 inhabitants, plant in service by 31 Dec 2027 (nothing refused)."""
    grants = [p for p in sc.plants if p.grant_pct > 0]
    if not grants:
        return []
    out = []
    comune = find_comune(sc.site.istat_code) if sc.site.istat_code else None
    population = comune.population if comune else 0
    if population >= C.PNRR_MAX_INHABITANTS:
        names = ", ".join(p.name for p in grants)
        inhabitants_it, inhabitants_en = _it(population, ",.0f"), f"{population:,.0f}"
        limit_it, limit_en = _it(C.PNRR_MAX_INHABITANTS, ",.0f"), f"{C.PNRR_MAX_INHABITANTS:,.0f}"
        out.append(_check("pnrr_population", "warning", "problems.checks.pnrr_checks", comune=sc.site.comune,
                          inhabitants={"it": inhabitants_it, "en": inhabitants_en},
                          limit={"it": limit_it, "en": limit_en}, names=names))
    for p in grants:
        if p.commissioning > C.PNRR_IN_SERVICE_BY:
            out.append(_check("pnrr_in_service", "warning", "problems.checks.pnrr_checks.2", p.id, name=p.name,
                              commissioning=p.commissioning, pnrr_in_service_by=C.PNRR_IN_SERVICE_BY))
    return out


def money_checks(summary: dict) -> list[dict]:
    """A cabina that injects but shares nothing; a plant whose RID fee exceeds its energy sale."""
    out = []
    for c in summary.get("cabine", []):
        if c.get("injected_kwh", 0.0) > 0.0 and c.get("shared_kwh", 0.0) <= 0.0:
            out.append(_check("cabina_no_sharing", "warning", "problems.checks.money_checks", c["id"],
                              name=c.get('name', c['id']),
                              injected_kwh={"it": _it(c['injected_kwh'], ',.0f'), "en": c['injected_kwh']}))
    for p in summary.get("plants", []):
        fee, sale = p.get("rid_fee_eur", 0.0), p.get("energy_sale_eur", 0.0)
        if fee > 0.0 and fee > sale:
            fee_it, fee_en = _it(fee, ",.2f"), f"{fee:,.2f}"
            sale_it, sale_en = _it(sale, ",.2f"), f"{sale:,.2f}"
            out.append(_check("plant_rid_fee", "warning", "problems.checks.money_checks.2", p["id"],
                              name=p.get('name', p['id']), fee={"it": fee_it, "en": fee_en},
                              sale={"it": sale_it, "en": sale_en}))
    return out


def old_plants_share_check(sc: Scenario) -> dict:
    """Pre-16/12/2021 plants at most 30 % of the configuration's total power."""
    total = sum(p.kwp for p in sc.plants)
    old = sum(p.kwp for p in sc.plants if p.commissioning < C.NEW_PLANT_FROM)
    share = old / total if total > 0 else 0.0
    limit = C.OLD_PLANTS_MAX_POWER_SHARE
    status = "pass" if share <= limit else "fail"
    old_it, old_en = _it(old), f"{old:g}"
    total_it, total_en = _it(total), f"{total:g}"
    return _check("old_plants_share", status, "problems.checks.old_plants_share_check",
                  old={"it": old_it, "en": old_en}, total={"it": total_it, "en": total_en}, share=share, limit=limit)


def member_checks(sc: Scenario) -> list[dict]:
    """Categories allowed, POD format, members located inside their cabina's area."""
    out = []
    for m in sc.members:
        if m.category == "large_enterprise" and not m.third_party_producer:
            out.append(_check("member_category", "fail", "problems.checks.member_checks", m.id, name=m.name))
        if m.pod and not POD_PATTERN.match(m.pod.replace(" ", "").upper()):
            out.append(_check("member_pod", "warning", "problems.checks.member_checks.2", m.id, name=m.name, pod=m.pod))
    out.extend(cabina_area_checks(sc))
    if not any(c["id"] == "member_category" for c in out):
        out.append(_check("member_category", "pass", "problems.checks.member_checks.3"))
    return out


def cabina_area_checks(sc: Scenario) -> list[dict]:
    """Members with coordinates must lie inside the area drawn for their cabina (when one is drawn)."""
    areas = {c["id"]: c["area"] for c in sc.cabine if c.get("area")}
    if not areas and sc.cabine and all(c.get("confirmed") for c in sc.cabine):
        return [_check("members_in_cabina", "pass", "problems.checks.cabina_area_checks")]
    if not areas:
        return [_check("members_in_cabina", "warning", "problems.checks.cabina_area_checks.2")]
    from shapely.geometry import Point, shape

    shapes = {cid: shape(area) for cid, area in areas.items()}
    out = []
    for m in sc.members:
        if m.lat is None or m.lon is None or m.cabina not in shapes:
            continue
        if not shapes[m.cabina].covers(Point(m.lon, m.lat)):
            inside = [cid for cid, s in shapes.items() if s.covers(Point(m.lon, m.lat))]
            hint_it = f" (è nell'area di {inside[0]})" if inside else " (fuori da ogni area)"
            hint_en = f" (it lies in {inside[0]}'s area)" if inside else " (outside every area)"
            out.append(_check("members_in_cabina", "fail", "problems.checks.cabina_area_checks.3", m.id, name=m.name,
                              cabina=m.cabina, hint={"it": hint_it, "en": hint_en}))
    if not out:
        out.append(_check("members_in_cabina", "pass", "problems.checks.cabina_area_checks.4"))
    return out


def configuration_checks(sc: Scenario) -> list[dict]:
    """At least one plant and two members; members per cabina."""
    out = []
    if not sc.plants:
        out.append(_check("has_plants", "fail", "problems.checks.configuration_checks"))
    if len(sc.members) < 2:
        out.append(_check("has_members", "fail", "problems.checks.configuration_checks.2"))
    return out


def wastewater_checks(records: list[dict], names: dict[str, str] | None = None, year: int | None = None) -> list[dict]:
    """Energy neutrality of wastewater treatment plants against the 2030/2035/2040/2045 milestones.

    Pass at 100 % own renewable production; warning when below it but at or above the milestone due next
    after the simulated ``year`` (20 % for 2030 when no year is given); fail below that milestone.
    """
    out = []
    for r in records:
        name = (names or {}).get(r["member"], r["member"])
        ratio = r["neutrality_ratio"]
        due_year, due = next(((y, v) for y, v in C.WWTP_MILESTONES if year is None or y >= year), C.WWTP_MILESTONES[-1])
        if ratio >= C.WWTP_NEUTRALITY_TARGET_2045:
            status = "pass"
        elif ratio >= due:
            status = "warning"
        else:
            status = "fail"
        marks = ", ".join(f"{y} {v:.0%} {'✓' if ratio >= v else '✗'}" for y, v in C.WWTP_MILESTONES)
        ext = C.WWTP_MAX_EXTERNAL_SHARE
        out.append(_check("wastewater_neutrality", status, "problems.checks.wastewater_checks", r["member"], name=name,
                          ratio=ratio, marks=marks, due_year=due_year, due=due, ext=ext))
        # progress towards a target, not an eligibility condition: the studio shows it as a bar
        out[-1].update(kind="progress", value=float(ratio), target=float(C.WWTP_NEUTRALITY_TARGET_2045))
    return out


def restricted_checks(restricted: list[dict]) -> list[dict]:
    """The 55 % / 45 % rule: part of the TIP restricted to non-enterprise members or social purposes."""
    out = []
    for r in restricted:
        if not r["plants"]:
            continue
        label_it = "senza contributo" if r["set"] == "no_grant" else "con contributo"
        label_en = "without grant" if r["set"] == "no_grant" else "with grant"
        status = "warning" if r["restricted_eur"] > 0 else "pass"
        ratio_it, ratio_en = _it(r["ratio"], ".1%"), f"{r['ratio']:.1%}"
        restricted_it, restricted_en = _it(r["restricted_eur"], ",.0f"), f"{r['restricted_eur']:,.0f}"
        out.append(_check("restricted_tip", status, "problems.checks.restricted_checks",
                          label={"it": label_it, "en": label_en}, ratio={"it": ratio_it, "en": ratio_en},
                          threshold=r['threshold'], restricted={"it": restricted_it, "en": restricted_en}))
    return out


def all_checks(sc: Scenario, summary: dict) -> list[dict]:
    """Every check, configuration first."""
    return (configuration_checks(sc) + plant_checks(sc) + pnrr_checks(sc) + [old_plants_share_check(sc)]
            + member_checks(sc) + restricted_checks(summary.get("restricted_tip", [])) + money_checks(summary)
            + wastewater_checks(summary.get("wastewater", []), {m.id: m.name for m in sc.members}, sc.year))
