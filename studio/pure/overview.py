"""What a community still lacks, for the Panoramica's to-do list (pure, tested)."""

from __future__ import annotations


def missing_items(doc: dict) -> list[tuple[str, dict, str]]:
    """What the user still has to provide: (translation key, format args, page to go to)."""
    members = doc.get("members", [])
    out = []
    if len(members) < 2:
        out.append(("panoramica.missing.members", {"n": len(members)}, "pages/membri.py"))
    no_load = [m.get("name") or m.get("id") for m in members if m.get("kind") != "producer" and not m.get("load")]
    if no_load:
        out.append(("panoramica.missing.load", {"n": len(no_load), "names": ", ".join(no_load[:5])
                                                + ("…" if len(no_load) > 5 else "")}, "pages/membri.py"))
    if not doc.get("plants"):
        out.append(("panoramica.missing.plants", {}, "pages/impianti.py"))
    no_place = [m for m in members if m.get("lat") is None or m.get("lon") is None]
    if no_place:
        out.append(("panoramica.missing.location", {"n": len(no_place)}, "pages/mappa.py"))
    cabine = doc.get("cabine", [])
    no_area = [c.get("id") for c in cabine if not c.get("area") and not c.get("confirmed")]
    if no_area:
        out.append(("panoramica.missing.area", {"ids": ", ".join(map(str, no_area))}, "pages/mappa.py"))
    return out


def kwp_by_member(doc: dict) -> dict[str, float]:
    """Installed power [kWp] per member id (the sum of its plants)."""
    out: dict[str, float] = {}
    for p in doc.get("plants", []):
        out[p.get("member")] = out.get(p.get("member"), 0.0) + float(p.get("kwp") or 0)
    return out


def cabine_count(doc: dict) -> int:
    """Cabine primarie of the community: the declared ones and any other a member is put under."""
    return len({m.get("cabina") for m in doc.get("members", [])} | {c.get("id") for c in doc.get("cabine", [])})


def confirm_cabine(doc: dict) -> dict:
    """A copy of ``doc`` where every cabina without a drawn area is marked ``confirmed``: the user checked
    the members' cabina on GSE's map or with the distributor (the to-do closes)."""
    import copy

    out = copy.deepcopy(doc)
    for c in out.get("cabine", []):
        if not c.get("area"):
            c["confirmed"] = True
    return out


def split_checks(checks: list[dict]) -> tuple[list[dict], list[dict]]:
    """Eligibility checks (pass/warning/fail) and progress indicators (``kind: progress``: a value
    towards a target, e.g. a wastewater plant's energy neutrality), shown as bars, never as failures."""
    progress = [c for c in checks if c.get("kind") == "progress"]
    return [c for c in checks if c.get("kind") != "progress"], progress
