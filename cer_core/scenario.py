"""The scenario (``cer-studio/scenario@1``): validation and the typed model the engine reads.

The JSON document is the single source of truth (see ``docs/scenario.md``). This module checks it
against ``docs/scenario.schema.json`` and against the rules a schema cannot express (unique ids,
plant owners, known comune, 1 MW), and turns it into frozen dataclasses. Every problem names its
JSON path (``plants[2].member``), what was wrong and what was expected.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import jsonschema

from . import constants as C
from .errors import Problem, ProblemList, excerpt
from .geo import find_comune, find_region, suggest_comuni, suggest_regions
from .paths import ROOT
from .workspace import SCENARIO_SCHEMA_ID

SCHEMA_PATH = ROOT / "docs" / "scenario.schema.json"

#: Defaults for optional plant fields (documented in docs/scenario.md).
PLANT_DEFAULTS = {"grant_pct": 0.0, "tilt_deg": 30.0, "azimuth_deg": 180.0, "losses_pct": 14.0,
                  "dc_ac_ratio": 1.1, "degradation_pct_per_year": 0.5, "incentivised": True,
                  "tariff_excluded_kw": 0.0}


@dataclass(frozen=True)
class Site:
    """Where the community is: comune, coordinates [deg], region, market zone, macro-area."""

    comune: str
    istat_code: str
    lat: float
    lon: float
    region: str
    market_zone: str
    macro_area: str


@dataclass(frozen=True)
class Member:
    """A member (or third-party producer) with one POD."""

    id: str
    name: str
    kind: str
    category: str
    cabina: str
    lat: float | None
    lon: float | None
    load: dict | None
    facility: str | None = None
    third_party_producer: bool = False
    avoided_price_eur_kwh: float | dict | None = None
    contract_kw: float | None = None
    pod: str | None = None


@dataclass(frozen=True)
class Face:
    """One roof face of a PV plant: power [kWp], tilt [deg], azimuth [deg, 180 = south]."""

    kwp: float
    tilt_deg: float
    azimuth_deg: float


@dataclass(frozen=True)
class Plant:
    """A renewable plant behind a member's POD."""

    id: str
    name: str
    member: str
    kwp: float
    commissioning: dt.date
    grant_pct: float
    incentivised: bool
    tilt_deg: float
    azimuth_deg: float
    losses_pct: float
    dc_ac_ratio: float
    degradation_pct_per_year: float
    faces: tuple[Face, ...]
    production: dict = field(default_factory=lambda: {"source": "pvlib"})
    technology: str = "crystSi"
    #: Power without the tariff (building-code obligation or Superbonus part) [kW] (docs/regulation.md §3).
    tariff_excluded_kw: float = 0.0


@dataclass(frozen=True)
class Scenario:
    """The validated, typed scenario."""

    name: str
    year: int
    site: Site
    members: tuple[Member, ...]
    plants: tuple[Plant, ...]
    prices: dict
    rules: dict
    economics: dict
    cabine: tuple[dict, ...] = ()
    weather: dict = field(default_factory=lambda: {"source": "auto"})
    #: The economic rules of the statute (``regolamento``; {} = the defaults, see docs/allocation.md).
    regolamento: dict = field(default_factory=dict)
    #: Member id → (joined, left) dates, for members who join or leave during the year.
    membership: dict = field(default_factory=dict)
    #: Prospective members (``candidate: true``) and their plants: out of the community's results, ranked on
    #: the Scenari page (cer_core/selection.py).
    candidates: tuple[Member, ...] = ()
    candidate_plants: tuple[Plant, ...] = ()

    @property
    def cabina_ids(self) -> tuple[str, ...]:
        """Cabine primarie in order of first appearance (declared ones first)."""
        seen: dict[str, None] = {c["id"]: None for c in self.cabine}
        for m in self.members:
            seen.setdefault(m.cabina, None)
        return tuple(seen)

    def member_index(self) -> dict[str, int]:
        return {m.id: i for i, m in enumerate(self.members)}


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def json_path(parts) -> str:
    """``["members", 3, "load"]`` → ``members[3].load``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(scenario)"


def _schema_problem(err: jsonschema.ValidationError) -> Problem:
    """One readable line for a JSON Schema violation."""
    where = json_path(err.absolute_path)
    v, val = err.validator, err.validator_value
    got = json.dumps(err.instance, ensure_ascii=False, default=str)
    if len(got) > 60:
        got = got[:57] + "..."
    if v == "required":
        # one error per missing key: its name is in the message ("'kind' is a required property")
        named = re.match(r"'(.*)' is a required property", err.message)
        missing = [k for k in val if isinstance(err.instance, dict) and k not in err.instance]
        name = excerpt(named.group(1), 60) if named else (missing[0] if missing else "?")
        return Problem(where, "problems.schema.required", code="schema.required", values={"name": name})
    if v == "enum":
        allowed = ", ".join(map(str, val))
        return Problem(where, "problems.schema.enum", code="schema.enum", values={"got": got, "allowed": allowed})
    if v == "const":
        return Problem(where, "problems.schema.const", code="schema.const", values={"got": got, "val": json.dumps(val)})
    if v == "type":
        kinds = val if isinstance(val, list) else [val]
        it_names = {"string": "testo", "number": "numero", "integer": "numero intero", "object": "oggetto",
                    "array": "lista", "boolean": "true/false", "null": "null"}
        return Problem(where, "problems.schema.type", code="schema.type",
                       values={"got": got, "kinds": {"it": ' o '.join(it_names.get(k, k) for k in kinds),
                               "en": ' or '.join(kinds)}})
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        rel_it = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}[v]
        return Problem(where, "problems.schema.range", code="schema.range",
                       values={"got": got, "rel_it": rel_it, "val": val})
    if v == "pattern" and "\\d{4}-\\d{2}-\\d{2}" in str(val):
        return Problem(where, "problems.schema.date", code="schema.date", values={"got": got})
    if v in ("minLength", "minItems") and val <= 1:
        return Problem(where, "problems.schema.empty", code="schema.empty")
    if v in ("minItems", "maxItems", "maxLength") and isinstance(err.instance, (str, list)):
        n, unit_it, unit_en = len(err.instance), *(("caratteri", "characters") if v == "maxLength"
                                                    else ("elementi", "items"))
        rel_it, rel_en = ("almeno", "at least") if v == "minItems" else ("al massimo", "at most")
        return Problem(where, "problems.schema.size", code="schema.size",
                       values={"n": n, "unit": {"it": unit_it, "en": unit_en}, "rel": {"it": rel_it, "en": rel_en},
                               "val": val})
    if v == "anyOf" and err.schema_path and "bills" in json.dumps(val):
        return Problem(where, "problems.schema.bills", code="schema.bills")
    why = excerpt(err.message, 120)
    return Problem(where, "problems.scenario.schema_problem", code=f"schema.{v}", values={"got": got, "why": why})


def _deepest_errors(errors):
    """Expand if/then wrappers so messages point at the real field."""
    for err in errors:
        if err.validator in ("allOf", "if", "then") and err.context:
            yield from _deepest_errors(err.context)
        else:
            yield err


def _non_finite(node, path: tuple = ()):
    """JSON paths of NaN and ±Infinity (Python's json reads them; JSON Schema's range checks let NaN pass)."""
    if isinstance(node, float) and not math.isfinite(node):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _non_finite(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _non_finite(value, path + (i,))


#: The arrays whose items are validated one by one (each against its ``$defs`` entry), with a cache.
_ITEM_DEFS = {"members": "member", "plants": "plant"}
#: How many valid items' JSON texts the cache remembers (a 10,000-member community fits).
_VALID_ITEMS_MAX = 50_000
_valid_items: dict[tuple[str, str], None] = {}


@lru_cache(maxsize=4)
def _item_validator(definition: str) -> jsonschema.Draft202012Validator:
    """A validator of one ``$defs`` entry (same ``$id``, so the entry's own references resolve)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator({"$schema": schema["$schema"], "$id": schema["$id"],
                                            "$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"})


def _schema_errors(doc: dict) -> list[jsonschema.ValidationError]:
    """The schema errors of ``doc``, re-checking only the members and plants not seen valid before.

    The top-level schema only types ``members`` and ``plants`` as arrays of ``$defs/member`` and
    ``$defs/plant``, so the document validates as its skeleton (both arrays empty) plus each item against
    its definition: the same errors, with each item's path prefixed. An item whose JSON text was valid once
    is valid again (its definition does not look outside it): after an edit only the edited member or plant
    is validated (the whole schema was 44 % of a studio rerun on 1,000 members).
    """
    arrays = {key: doc.get(key) for key in _ITEM_DEFS} if isinstance(doc, dict) else {}
    if not isinstance(doc, dict) or not all(isinstance(items, list) for items in arrays.values()):
        return list(_validator().iter_errors(doc))
    errors = list(_validator().iter_errors({**doc, **{key: [] for key in _ITEM_DEFS}}))
    for key, items in arrays.items():
        validator = _item_validator(_ITEM_DEFS[key])
        for i, item in enumerate(items):
            try:
                text = json.dumps(item, sort_keys=True, allow_nan=True)
            except (TypeError, ValueError):  # not JSON (a program's document): validate it every time
                text = None
            if text is not None and (key, text) in _valid_items:
                continue
            found = list(validator.iter_errors(item))
            for err in found:
                err.path.extendleft((i, key))  # members[i]... (extendleft reverses: key first)
            errors.extend(found)
            if not found and text is not None:
                if len(_valid_items) >= _VALID_ITEMS_MAX:
                    _valid_items.clear()
                _valid_items[(key, text)] = None
    return errors


def schema_problems(doc: dict) -> list[Problem]:
    """Violations of ``docs/scenario.schema.json``, one per field, sorted by path; NaN and infinities too."""
    errors = sorted(_schema_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    problems = [_schema_problem(e) for e in _deepest_errors(errors)]
    reported = {p.where for p in problems}
    for path, value in _non_finite(doc):
        where = json_path(path)
        if where not in reported:
            shown = json.dumps(value)  # NaN, Infinity, -Infinity as the file writes them
            problems.append(Problem(where, "problems.schema.non_finite", code="schema.non_finite",
                                    values={"shown": shown}))
    return problems


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _did_you_mean(hints: list[str]) -> tuple[str, str]:
    """The closest names as the tail of a refusal, in Italian and English ("" when there are none)."""
    if not hints:
        return "", ""
    return f"; forse: {', '.join(hints)}", f"; did you mean: {', '.join(hints)}"


def resolve_site(site: dict, problems: ProblemList) -> Site | None:
    """The site with region and market zone derived from its comune (overridable)."""
    query = site.get("comune")
    comune = find_comune(str(query)) if query not in (None, "") and len(str(query)) <= 200 else None
    if comune is None:
        hints = suggest_comuni(str(query)) if len(str(query)) <= 200 else []  # fuzzy matching is O(length)
        query = excerpt(query, 60)
        hint_it, hint_en = _did_you_mean(hints)
        problems.add("site.comune", "problems.site.unknown_comune", code="site.unknown_comune", query=query,
                     hint={"it": hint_it, "en": hint_en})
        return None
    region = comune.region
    if site.get("region"):
        region = find_region(str(site["region"])[:200])
        if region is None:
            typed = excerpt(site["region"], 60)
            hint_it, hint_en = _did_you_mean(suggest_regions(str(site["region"])[:200]))
            problems.add("site.region", "problems.site.unknown_region", code="site.unknown_region", typed=typed,
                         hint={"it": hint_it, "en": hint_en})
            return None
    zone = site.get("market_zone") or comune.market_zone
    return Site(comune=comune.name, istat_code=comune.istat_code,
                lat=float(site.get("lat", comune.lat)), lon=float(site.get("lon", comune.lon)),
                region=region, market_zone=zone, macro_area=C.macro_area(region))


def _check_ids(items: list, label: str, problems: ProblemList) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        ident = item.get("id")
        if ident in seen:
            problems.add(f"{label}[{i}].id", "problems.scenario.check_ids", code=f"{label}.duplicate_id", ident=ident,
                         label=label, seen=seen[ident])
        else:
            seen[ident] = i


def member_category(name: str) -> str:
    """The 2025 category for ``name``: older names are mapped (``C.CATEGORY_ALIASES``), current ones kept."""
    return C.CATEGORY_ALIASES.get(name, name)


def _member(raw: dict) -> Member:
    return Member(id=raw["id"], name=raw.get("name") or raw["id"], kind=raw["kind"],
                  category=member_category(raw["category"]),
                  cabina=raw["cabina"], lat=raw.get("lat"), lon=raw.get("lon"), load=raw.get("load"),
                  facility=raw.get("facility"), third_party_producer=bool(raw.get("third_party_producer", False)),
                  avoided_price_eur_kwh=raw.get("avoided_price_eur_kwh"), contract_kw=raw.get("contract_kw"),
                  pod=raw.get("pod"))


def _plant(raw: dict) -> Plant:
    get = lambda key: raw.get(key, PLANT_DEFAULTS[key])  # noqa: E731
    faces_raw = raw.get("faces")
    if faces_raw:
        faces = tuple(Face(float(f["kwp"]), float(f["tilt_deg"]), float(f["azimuth_deg"])) for f in faces_raw)
    else:
        faces = (Face(float(raw["kwp"]), float(get("tilt_deg")), float(get("azimuth_deg"))),)
    return Plant(id=raw["id"], name=raw.get("name") or raw["id"], member=raw["member"], kwp=float(raw["kwp"]),
                 commissioning=_parse_date(raw["commissioning"]), grant_pct=float(get("grant_pct")),
                 incentivised=bool(get("incentivised")), tilt_deg=float(get("tilt_deg")),
                 azimuth_deg=float(get("azimuth_deg")), losses_pct=float(get("losses_pct")),
                 dc_ac_ratio=float(get("dc_ac_ratio")), degradation_pct_per_year=float(get("degradation_pct_per_year")),
                 faces=faces, production=raw.get("production") or {"source": "pvlib"},
                 technology=raw.get("technology", "crystSi"),
                 tariff_excluded_kw=float(get("tariff_excluded_kw")))


def _membership(members: list) -> dict:
    """Member id → (joined, left) dates of the members that have either."""
    return {m["id"]: (_parse_date(m.get("joined")), _parse_date(m.get("left")))
            for m in members if m.get("joined") or m.get("left")}


def _allocation_checks(doc: dict, problems: ProblemList) -> None:
    """The regolamento's shares and the members' joined/left dates (docs/allocation.md)."""
    from .money.allocation import regolamento_problems

    problems.extend(regolamento_problems(doc.get("regolamento")))
    for i, m in enumerate(doc.get("members", [])):
        for key in ("joined", "left"):
            if isinstance(m.get(key), str) and _parse_date(m[key]) is None:
                problems.add(f"members[{i}].{key}", "problems.member.bad_date", code="member.bad_date", m=m[key])
        joined, left = _parse_date(m.get("joined")), _parse_date(m.get("left"))
        if joined and left and left < joined:
            problems.add(f"members[{i}].left", "problems.member.left_before_joined", code="member.left_before_joined",
                         left=left, joined=joined)


def _semantic_checks(doc: dict, problems: ProblemList) -> None:
    members, plants = doc.get("members", []), doc.get("plants", [])
    _check_ids(members, "members", problems)
    _check_ids(plants, "plants", problems)
    member_ids = {m.get("id"): m for m in members}
    declared = {c.get("id") for c in doc.get("cabine", [])}
    for i, m in enumerate(members):
        if declared and m.get("cabina") not in declared:
            problems.add(f"members[{i}].cabina", "problems.member.unknown_cabina", code="member.unknown_cabina",
                         cabina=m.get('cabina'), declared=', '.join(sorted(declared)))
        if m.get("kind") != "producer" and not m.get("load"):
            problems.add(f"members[{i}].load", "problems.member.no_load", code="member.no_load")
    owners_with_plants = set()
    for i, p in enumerate(plants):
        owner = p.get("member")
        if owner not in member_ids:
            known = ", ".join(sorted(map(str, member_ids))[:8])
            problems.add(f"plants[{i}].member", "problems.plant.unknown_member", code="plant.unknown_member",
                         owner=owner, known=known)
        else:
            owners_with_plants.add(owner)
        kwp = p.get("kwp")
        if isinstance(kwp, (int, float)) and kwp > C.MAX_PLANT_KW:
            problems.add(f"plants[{i}].kwp", "problems.plant.over_1mw", severity="warning", code="plant.over_1mw",
                         kwp=kwp)
        if isinstance(p.get("commissioning"), str) and _parse_date(p["commissioning"]) is None:
            problems.add(f"plants[{i}].commissioning", "problems.plant.bad_date", code="plant.bad_date",
                         commissioning=p['commissioning'])
        faces = p.get("faces")
        if faces and isinstance(kwp, (int, float)):
            total = sum(float(f.get("kwp", 0)) for f in faces if isinstance(f, dict))
            if abs(total - kwp) > 0.01:
                problems.add(f"plants[{i}].faces", "problems.plant.faces_sum", code="plant.faces_sum", total=total,
                             kwp=kwp)
    for i, m in enumerate(members):
        if m.get("kind") == "consumer" and m.get("id") in owners_with_plants:
            problems.add(f"members[{i}].kind", "problems.member.consumer_with_plant", severity="warning",
                         code="member.consumer_with_plant")


def parse_scenario(doc: dict) -> tuple[Scenario | None, list[Problem]]:
    """Validate ``doc`` and build the typed :class:`Scenario`.

    Returns
    -------
    (Scenario or None, list of Problem)
        The scenario is None when there is any error; warnings come with a usable scenario.
    """
    problems = ProblemList()
    if not isinstance(doc, dict):
        problems.add("", "problems.scenario.not_object", code="scenario.not_object")
        return None, problems.items
    if doc.get("schema") != SCENARIO_SCHEMA_ID:
        problems.add("schema", "problems.scenario.schema", code="scenario.schema", schema=doc.get('schema'),
                     scenario_schema_id=SCENARIO_SCHEMA_ID)
        return None, problems.items
    problems.extend(schema_problems(doc))
    if problems.errors:
        return None, problems.items
    _semantic_checks(doc, problems)
    _allocation_checks(doc, problems)
    site = resolve_site(doc["site"], problems)
    if problems.errors or site is None:
        return None, problems.items
    candidate_ids = {m["id"] for m in doc["members"] if m.get("candidate")}
    scenario = Scenario(
        name=doc["name"], year=int(doc["year"]), site=site,
        members=tuple(_member(m) for m in doc["members"] if m["id"] not in candidate_ids),
        plants=tuple(_plant(p) for p in doc["plants"] if p["member"] not in candidate_ids),
        prices=doc.get("prices") or {"source": "embedded"},
        rules=doc.get("rules") or {}, economics=doc.get("economics") or {},
        cabine=tuple(doc.get("cabine", [])), weather=doc["site"].get("weather") or {"source": "auto"},
        regolamento=doc.get("regolamento") or {},
        membership=_membership([m for m in doc["members"] if m["id"] not in candidate_ids]),
        candidates=tuple(_member(m) for m in doc["members"] if m["id"] in candidate_ids),
        candidate_plants=tuple(_plant(p) for p in doc["plants"] if p["member"] in candidate_ids),
    )
    return scenario, problems.items
