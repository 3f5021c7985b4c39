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
from .geo import find_comune
from .scenario import Scenario

POD_PATTERN = re.compile(r"^IT\d{3}E\d{8,9}[A-Z]?$")


def _check(cid: str, status: str, it: str, en: str, subject: str = "") -> dict:
    return {"id": cid, "status": status, "subject": subject, "it": it, "en": en}


def _it(value: float, spec: str = "g") -> str:
    """A number for an Italian sentence: ``format(value, spec)`` with decimal comma and thousands dot."""
    return format(value, spec).replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def plant_checks(sc: Scenario) -> list[dict]:
    """Per-plant checks: power, commissioning date, capital grant."""
    out = []
    for p in sc.plants:
        if p.kwp <= 0:
            out.append(_check("plant_max_power", "warning", f"{p.name}: potenza 0 kW, l'impianto non produce",
                              f"{p.name}: 0 kW of power, the plant produces nothing", p.id))
        elif p.kwp > C.MAX_PLANT_KW:
            out.append(_check("plant_max_power", "fail", f"{p.name}: {_it(p.kwp)} kW oltre 1 MW, nessuna tariffa",
                              f"{p.name}: {p.kwp:g} kW is over 1 MW, no tariff", p.id))
        else:
            out.append(_check("plant_max_power", "pass", f"{p.name}: {_it(p.kwp)} kW entro 1 MW",
                              f"{p.name}: {p.kwp:g} kW within 1 MW", p.id))
        if p.commissioning < C.NEW_PLANT_FROM:
            out.append(_check("plant_commissioning", "warning",
                              f"{p.name}: in esercizio dal {p.commissioning:%d/%m/%Y}, prima del 16/12/2021: nessuna "
                              "tariffa, solo valorizzazione ARERA", f"{p.name}: commissioned {p.commissioning:%d/%m/%Y},"
                              " before 16/12/2021: no tariff, ARERA valorisation only", p.id))
        else:
            out.append(_check("plant_commissioning", "pass", f"{p.name}: in esercizio dal {p.commissioning:%d/%m/%Y}",
                              f"{p.name}: commissioned {p.commissioning:%d/%m/%Y}", p.id))
        if p.grant_pct > C.GRANT_MAX_PCT:
            out.append(_check("plant_grant", "fail", f"{p.name}: contributo {_it(p.grant_pct)}% oltre il 40%: "
                              "nessuna tariffa", f"{p.name}: grant {p.grant_pct:g}% over 40%: no tariff", p.id))
        elif p.grant_pct > 0:
            out.append(_check("plant_grant", "warning", f"{p.name}: contributo {_it(p.grant_pct)}%: tariffa ridotta "
                              f"del {_it(50 * p.grant_pct / 40, '.1f')}% e soglia 45%", f"{p.name}: grant {p.grant_pct:g}%: "
                              f"tariff reduced by {50 * p.grant_pct / 40:.1f}% and 45% threshold", p.id))
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
    return [_check("plant_in_service", "warning", f"{p.name}: in esercizio dal {p.commissioning:%d/%m/%Y}, {when_it} "
                   f"{sc.year}: {how_it}", f"{p.name}: commissioned {p.commissioning:%d/%m/%Y}, {when_en} {sc.year}: "
                   f"{how_en}", p.id)]


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
        out.append(_check("pnrr_population", "warning",
                          f"{sc.site.comune} ha {_it(population, ',.0f')} abitanti: il contributo PNRR è solo per comuni "
                          f"sotto i {_it(C.PNRR_MAX_INHABITANTS, ',.0f')} (DM 127/2025); impianti con contributo: {names}",
                          f"{sc.site.comune} has {population:,.0f} inhabitants: the PNRR grant is only for comuni under "
                          f"{C.PNRR_MAX_INHABITANTS:,.0f} (DM 127/2025); plants with a grant: {names}"))
    for p in grants:
        if p.commissioning > C.PNRR_IN_SERVICE_BY:
            out.append(_check("pnrr_in_service", "warning",
                              f"{p.name}: contributo PNRR ma in esercizio dal {p.commissioning:%d/%m/%Y}, dopo il "
                              f"{C.PNRR_IN_SERVICE_BY:%d/%m/%Y}: il contributo non spetta",
                              f"{p.name}: PNRR grant but commissioned {p.commissioning:%d/%m/%Y}, after "
                              f"{C.PNRR_IN_SERVICE_BY:%d/%m/%Y}: no grant is due", p.id))
    return out


def money_checks(summary: dict) -> list[dict]:
    """A cabina that injects but shares nothing; a plant whose RID fee exceeds its energy sale."""
    out = []
    for c in summary.get("cabine", []):
        if c.get("injected_kwh", 0.0) > 0.0 and c.get("shared_kwh", 0.0) <= 0.0:
            out.append(_check("cabina_no_sharing", "warning",
                              f"cabina {c.get('name', c['id'])}: immette {_it(c['injected_kwh'], ',.0f')} kWh ma non "
                              "condivide nulla (nessun prelievo di membri nelle stesse ore): niente incentivi",
                              f"cabina {c.get('name', c['id'])}: injects {c['injected_kwh']:,.0f} kWh but shares "
                              "nothing (no member withdraws in the same hours): no incentives", c["id"]))
    for p in summary.get("plants", []):
        fee, sale = p.get("rid_fee_eur", 0.0), p.get("energy_sale_eur", 0.0)
        if fee > 0.0 and fee > sale:
            out.append(_check("plant_rid_fee", "warning",
                              f"{p.get('name', p['id'])}: il corrispettivo RID ({_it(fee, ',.2f')} €) supera la vendita "
                              f"dell'energia ({_it(sale, ',.2f')} €)",
                              f"{p.get('name', p['id'])}: the RID fee ({fee:,.2f} €) exceeds the energy sale "
                              f"({sale:,.2f} €)", p["id"]))
    return out


def old_plants_share_check(sc: Scenario) -> dict:
    """Pre-16/12/2021 plants at most 30 % of the configuration's total power."""
    total = sum(p.kwp for p in sc.plants)
    old = sum(p.kwp for p in sc.plants if p.commissioning < C.NEW_PLANT_FROM)
    share = old / total if total > 0 else 0.0
    limit = C.OLD_PLANTS_MAX_POWER_SHARE
    status = "pass" if share <= limit else "fail"
    return _check("old_plants_share", status,
                  f"impianti ante 16/12/2021: {_it(old)} kW su {_it(total)} kW ({share:.0%}; massimo {limit:.0%})",
                  f"pre-16/12/2021 plants: {old:g} kW of {total:g} kW ({share:.0%}; at most {limit:.0%})")


def member_checks(sc: Scenario) -> list[dict]:
    """Categories allowed, POD format, members located inside their cabina's area."""
    out = []
    for m in sc.members:
        if m.category == "large_enterprise" and not m.third_party_producer:
            out.append(_check("member_category", "fail", f"{m.name}: una grande impresa non può essere membro, solo "
                              "produttore terzo", f"{m.name}: a large enterprise cannot be a member, only a third-party "
                              "producer", m.id))
        if m.pod and not POD_PATTERN.match(m.pod.replace(" ", "").upper()):
            out.append(_check("member_pod", "warning", f"{m.name}: POD «{m.pod}» non nel formato IT000E00000000",
                              f"{m.name}: POD '{m.pod}' not in the IT000E00000000 format", m.id))
    out.extend(cabina_area_checks(sc))
    if not any(c["id"] == "member_category" for c in out):
        out.append(_check("member_category", "pass", "categorie dei membri ammesse (D.Lgs. 199/2021)",
                          "member categories allowed (D.Lgs. 199/2021)"))
    return out


def cabina_area_checks(sc: Scenario) -> list[dict]:
    """Members with coordinates must lie inside the area drawn for their cabina (when one is drawn)."""
    areas = {c["id"]: c["area"] for c in sc.cabine if c.get("area")}
    if not areas and sc.cabine and all(c.get("confirmed") for c in sc.cabine):
        return [_check("members_in_cabina", "pass", "cabine primarie dei membri verificate dall'utente (mappa GSE o "
                       "distributore)", "members' primary substations checked by the user (GSE map or distributor)")]
    if not areas:
        return [_check("members_in_cabina", "warning", "aree delle cabine primarie non disegnate: l'appartenenza "
                       "dei membri alla cabina è dichiarata, non verificata", "primary substation areas not drawn: "
                       "members' cabina is declared, not verified")]
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
            out.append(_check("members_in_cabina", "fail", f"{m.name}: fuori dall'area della cabina {m.cabina}{hint_it}",
                              f"{m.name}: outside the area of cabina {m.cabina}{hint_en}", m.id))
    if not out:
        out.append(_check("members_in_cabina", "pass", "tutti i membri localizzati sono nell'area della loro cabina",
                          "every located member lies inside its cabina's area"))
    return out


def configuration_checks(sc: Scenario) -> list[dict]:
    """At least one plant and two members; members per cabina."""
    out = []
    if not sc.plants:
        out.append(_check("has_plants", "fail", "nessun impianto: senza produzione non c'è energia condivisa",
                          "no plants: without production there is no shared energy"))
    if len(sc.members) < 2:
        out.append(_check("has_members", "fail", "una CER richiede almeno due membri",
                          "a CER needs at least two members"))
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
        out.append(_check("wastewater_neutrality", status,
                          f"{name}: il depuratore produce il {ratio:.0%} dell'energia che usa (traguardi UE: {marks}; "
                          f"prossimo {due_year}: {due:.0%}; fino al {ext:.0%} acquistabile all'esterno)",
                          f"{name}: the treatment plant produces {ratio:.0%} of the energy it uses (EU milestones: "
                          f"{marks}; next {due_year}: {due:.0%}; up to {ext:.0%} may be bought from outside)",
                          r["member"]))
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
        out.append(_check("restricted_tip", status,
                          f"impianti {label_it}: condivisa/immessa {_it(r['ratio'], '.1%')} (soglia "
                          f"{r['threshold']:.0%}); {_it(r['restricted_eur'], ',.0f')} € della tariffa solo a membri non "
                          "imprese o fini sociali",
                          f"plants {label_en}: incentivised/injected {r['ratio']:.1%} (threshold {r['threshold']:.0%}); "
                          f"{r['restricted_eur']:,.0f} € of the tariff only to non-enterprise members or social uses"))
    return out


def all_checks(sc: Scenario, summary: dict) -> list[dict]:
    """Every check, configuration first."""
    return (configuration_checks(sc) + plant_checks(sc) + pnrr_checks(sc) + [old_plants_share_check(sc)]
            + member_checks(sc) + restricted_checks(summary.get("restricted_tip", [])) + money_checks(summary)
            + wastewater_checks(summary.get("wastewater", []), {m.id: m.name for m in sc.members}, sc.year))
