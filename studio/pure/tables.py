"""The editable tables of the studio (members, cabine, plants, faces, bills) as pure functions.

``st.data_editor`` keeps *edits*, not the table: its session state is
``{"edited_rows": {row: {column: value}}, "added_rows": [{column: value}], "deleted_rows": [row]}``
relative to the frame it was given. :func:`apply_editor_state` replays those edits on the frame;
the ``merge_*`` functions then write the edited rows back into the scenario document (a plain
dict), returning notes for what they had to decide (a member's plants removed with it, a consumer
that became a prosumer...). No Streamlit here: every function is unit-tested.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import unicodedata
from typing import Callable

import pandas as pd

from cer_core.loads.profiles import CATEGORY_DEFAULT_PROFILE, PROFILE_NAMES
from cer_core.scenario import PLANT_DEFAULTS, member_category
from cer_core.constants import default_commissioning
from cer_core.vocabulary import (CATEGORY_CHOICES, DEFAULT_CABINA_ID, DEFAULT_CATEGORY, DEFAULT_KIND, DEFAULT_PLANT_KWP,
                                KIND_CHOICES, PLANT_KWP_MAX, TYPICAL_ANNUAL_KWH, year_or_default)

from .format import fmt_energy

Tr = Callable[..., str]

#: Yearly consumption [kWh] given to a member added in the table, by category: the ARERA reference
#: household (2,700 kWh) and round figures for the others; the profile is the core's default for the
#: category (``cer_core.loads.profiles.CATEGORY_DEFAULT_PROFILE``). Shown in the table right away and
#: editable in the member's panel.
DEFAULT_ANNUAL_KWH = TYPICAL_ANNUAL_KWH   # one table, with its sources: cer_core/constants.py
MEMBER_COLUMNS = ("id", "name", "kind", "category", "cabina", "pod", "load")
#: Columns of the members and plants tables the user cannot edit (``disabled`` in the editor).
MEMBER_READ_ONLY = ("id", "load")
PLANT_READ_ONLY = ("id", "faces", "source")
PLANT_COLUMNS = ("id", "name", "member", "kwp", "faces", "tilt_deg", "azimuth_deg", "losses_pct", "commissioning",
                 "grant_pct", "incentivised", "source")
BILL_COLUMNS = ("start", "end", "f1_kwh", "f2_kwh", "f3_kwh", "f23_kwh", "total_kwh", "estimated", "adjustment")
BILL_ENERGY = ("f1_kwh", "f2_kwh", "f3_kwh", "f23_kwh", "total_kwh")
FACE_COLUMNS = ("name", "kwp", "tilt_deg", "azimuth_deg")


# -------------------------------------------------------------------------------------------------
# generic helpers
# -------------------------------------------------------------------------------------------------

def clean(value):
    """A data-editor cell as plain Python: NaN/NA/empty text → None, numpy scalars → float/int/bool."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, (dt.datetime,)):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def apply_editor_state(frame: pd.DataFrame, state: dict | None, read_only: tuple[str, ...] = ()) -> pd.DataFrame:
    """The table as the user sees it after the edits in ``state`` (``st.data_editor``'s session state).

    Rows are addressed by position in ``frame``; edits are applied first, then deletions, then the
    added rows are appended. Keys may be ints or strings (the state survives a JSON round trip).
    Edits of existing rows in the ``read_only`` columns (the editor's ``disabled`` ones, e.g. the ids the
    other rows refer to) are ignored: the browser never sends them, a forged state must not rename a member.
    """
    out = frame.copy().reset_index(drop=True)
    if not state:
        return out
    out = out.astype(object)
    for row, changes in (state.get("edited_rows") or {}).items():
        pos = int(row)
        if 0 <= pos < len(out):
            for column, value in changes.items():
                if column in out.columns and column not in read_only:
                    out.at[pos, column] = value
    deleted = {int(r) for r in state.get("deleted_rows") or []}
    out = out.drop(index=[r for r in deleted if r in out.index]).reset_index(drop=True)
    added = [dict(row) for row in state.get("added_rows") or []]
    if added:
        extra = pd.DataFrame(added, columns=list(out.columns)).astype(object)
        out = pd.concat([out, extra], ignore_index=True)
    return out


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of ``frame`` as dicts of clean Python values."""
    return [{k: clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def slug(text: str) -> str:
    """``"Famiglia Rossi"`` → ``"famiglia-rossi"`` (ASCII, at most 40 characters)."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:40]


def claim(ident, old: dict, kept: set):
    """The existing item ``old[ident]`` the first time a table row names it (then None: a copied row
    with the same id becomes a new item)."""
    if ident in old and ident not in kept:
        kept.add(ident)
        return old[ident]
    return None


#: Up to this many added/removed items get one note each; more get one note naming the first few.
MAX_ITEM_NOTES = 3


def item_notes(key: str, names: list[str]) -> list[tuple[str, dict]]:
    """Notes for items added or removed in one edit: one per item (``key`` with ``name``), or a single
    ``key + "_many"`` note with ``n`` and the first names when there are many (deleting the whole table
    must not bury the page under forty messages)."""
    if len(names) <= MAX_ITEM_NOTES:
        return [(key, {"name": name}) for name in names]
    shown = ", ".join(names[:MAX_ITEM_NOTES]) + ", …"
    return [(key + "_many", {"n": len(names), "names": shown})]


def unique_id(base: str, taken: set[str]) -> str:
    """``base`` or ``base-2``, ``base-3``... whichever is not in ``taken``."""
    base = base or "id"
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# -------------------------------------------------------------------------------------------------
# members
# -------------------------------------------------------------------------------------------------

def load_summary(load: dict | None, kind: str, tr: Tr, lang: str = "it") -> str:
    """One line saying where a member's consumption comes from, for the members table."""
    load = load or {}
    source = load.get("source")
    if source == "profile":
        profile = load.get("profile") or "?"
        return tr("membri.load.profile", profile=tr_profile(profile, tr), kwh=fmt_energy(load.get("annual_kwh"), lang))
    if source == "bills":
        return tr("membri.load.bills", n=len(load.get("bills") or []) or "CSV")
    if source == "file":
        # the files the user uploaded, not the studio's internal hourly copy (consumi_orari_2024_ab12cd34.csv)
        names = [str(o.get("path", "")).rsplit("/", 1)[-1] for o in load.get("originals") or [] if o.get("path")]
        shown = names[0] + (f" +{len(names) - 1}" if len(names) > 1 else "") if names else \
            str(load.get("path", "?")).rsplit("/", 1)[-1]
        return tr("membri.load.file", path=shown)
    if kind == "producer":
        return tr("membri.load.none_producer")
    return tr("membri.load.missing")


def profile_names() -> list[str]:
    """The standard load profiles the core knows."""
    return list(PROFILE_NAMES)


def tr_profile(profile: str, tr: Tr) -> str:
    """The translated name of a standard profile (the code itself when unknown)."""
    text = tr(f"membri.profile.{profile}")
    return profile if text == f"membri.profile.{profile}" else text


def members_frame(doc: dict, tr: Tr, lang: str = "it") -> pd.DataFrame:
    """The members table: one row per member, in document order."""
    rows = []
    for m in doc.get("members", []):
        rows.append({"id": m.get("id"), "name": m.get("name") or "", "kind": m.get("kind"),
                     "category": member_category(m.get("category")), "cabina": m.get("cabina"),
                     "pod": m.get("pod") or "",
                     "load": load_summary(m.get("load"), m.get("kind", ""), tr, lang)})
    return pd.DataFrame(rows, columns=list(MEMBER_COLUMNS))


def cabina_options(doc: dict) -> list[str]:
    """Cabine a member may be put under: the declared ones, then any other in use."""
    seen = {c.get("id"): None for c in doc.get("cabine", []) if c.get("id")}
    for m in doc.get("members", []):
        if m.get("cabina"):
            seen.setdefault(m["cabina"], None)
    return list(seen) or [DEFAULT_CABINA_ID]


def default_load(category: str) -> dict:
    """The standard profile given to a new member of ``category``."""
    return {"source": "profile", "profile": CATEGORY_DEFAULT_PROFILE.get(category, "office"),
            "annual_kwh": DEFAULT_ANNUAL_KWH.get(category, DEFAULT_ANNUAL_KWH["other"])}


#: The members table's required choice columns: the column's label key and the catalogue prefix of the
#: choices' names (None: a cabina is shown as its id).
MEMBER_CHOICE_COLUMNS = {"kind": ("membri.col.kind", "common.kind."),
                         "category": ("membri.col.category", "common.category."),
                         "cabina": ("membri.col.cabina", None)}


def _refused_choices(member: dict, row: dict) -> list[tuple[str, dict]]:
    """Notes for the required choices of an existing member that a table row empties or sets to something not
    on offer (kind, category; an empty cabina): the member keeps its value. A cell equal to the member's value
    is never refused; any cabina typed is accepted (an undeclared one is the simulation's problem)."""
    notes = []
    name = str(member.get("name") or member.get("id"))
    allowed = {"kind": KIND_CHOICES, "category": CATEGORY_CHOICES}
    for key, (label, words) in MEMBER_CHOICE_COLUMNS.items():
        value = row.get(key)
        old = member_category(member.get(key)) if key == "category" else member.get(key)
        if old is None or value == old or (value is not None and (value in allowed.get(key, ())
                                                                  or (key == "cabina" and isinstance(value, str)))):
            continue
        shown = {"old_key": words + str(old)} if words else {"old": str(old)}
        if value is None:
            notes.append(("membri.note.refused_empty", {"name": name, "field_key": label, **shown}))
        else:
            notes.append(("membri.note.refused_choice", {"name": name, "field_key": label, "value": _shown(value),
                                                         **shown}))
    return notes


def merge_members(doc: dict, rows: list[dict]) -> tuple[dict, list[tuple[str, dict]]]:
    """Write the members table back into a copy of ``doc``.

    Parameters
    ----------
    doc : dict
        The scenario document (not modified).
    rows : list of dict
        The edited table (:func:`records` of :func:`apply_editor_state`): rows with a known ``id``
        update that member, rows without an ``id`` are new members, members missing from ``rows``
        are deleted together with their plants.

    Returns
    -------
    (dict, list of (key, fmt))
        The new document and notes to show, as translation keys with their format arguments.
    """
    out = copy.deepcopy(doc)
    old = {m.get("id"): m for m in out.get("members", [])}
    notes: list[tuple[str, dict]] = []
    taken = set(old)
    new_members, added = [], []
    kept = set()
    default_cabina = cabina_options(out)[0]
    for row in rows:
        member = claim(row.get("id"), old, kept)
        if member is None:
            category = row.get("category") if row.get("category") in CATEGORY_CHOICES else DEFAULT_CATEGORY
            mid = unique_id(slug(row.get("name") or "") or "membro", taken)
            taken.add(mid)
            member = {"id": mid, "kind": DEFAULT_KIND, "category": category, "cabina": default_cabina,
                      "load": default_load(category)}
            added.append(str(row.get("name") or mid))
        else:
            notes.extend(_refused_choices(member, row))
        for key in ("name", "pod"):
            if key in row:
                value = row.get(key)
                if value is None:
                    member.pop(key, None)
                else:
                    member[key] = str(value)
        for key, allowed in (("kind", KIND_CHOICES), ("category", CATEGORY_CHOICES)):
            if row.get(key) in allowed:
                member[key] = row[key]
        if isinstance(row.get("cabina"), str) and row["cabina"]:     # anything else is refused above
            member["cabina"] = row["cabina"]
        new_members.append(member)
    removed = [mid for mid in old if mid not in kept]
    out["members"] = new_members
    notes.extend(item_notes("membri.note.added", added))
    if removed:
        before = out.get("plants", [])
        out["plants"] = [p for p in before if p.get("member") not in removed]
        notes.extend(item_notes("membri.note.removed", [str(old[mid].get("name") or mid) for mid in removed]))
        dropped = len(before) - len(out["plants"])
        if dropped:
            notes.append(("membri.note.plants_removed", {"n": dropped}))
    return out, notes


def set_member_load(doc: dict, member_id: str, changes: dict) -> dict:
    """A copy of ``doc`` with ``changes`` merged into the member's ``load`` (None values remove keys).

    The other sources' fields are kept, so switching source and back loses nothing.
    """
    out = copy.deepcopy(doc)
    for m in out.get("members", []):
        if m.get("id") == member_id:
            load = dict(m.get("load") or {})
            for key, value in changes.items():
                if value is None:
                    load.pop(key, None)
                else:
                    load[key] = value
            if load.get("source"):
                m["load"] = load
            else:
                m.pop("load", None)
    return out


# -------------------------------------------------------------------------------------------------
# cabine
# -------------------------------------------------------------------------------------------------

def cabine_frame(doc: dict) -> pd.DataFrame:
    """Declared cabine primarie with their member count (and whether an area is drawn)."""
    count: dict[str, int] = {}
    for m in doc.get("members", []):
        count[m.get("cabina")] = count.get(m.get("cabina"), 0) + 1
    rows = [{"id": c.get("id"), "name": c.get("name") or "", "members": count.get(c.get("id"), 0),
             "area": bool(c.get("area")), "_pos": pos} for pos, c in enumerate(doc.get("cabine", []))]
    return pd.DataFrame(rows, columns=["id", "name", "members", "area", "_pos"])


def merge_cabine(doc: dict, rows: list[dict]) -> tuple[dict, list[tuple[str, dict]]]:
    """Write the cabine table back: rename (members follow), add, delete when no member uses it.

    Each row of :func:`cabine_frame` carries ``_pos``, its position in ``doc["cabine"]`` (a hidden
    column), so a renamed cabina is still recognised; rows without it are new cabine.
    """
    out = copy.deepcopy(doc)
    old = out.get("cabine", [])
    notes: list[tuple[str, dict]] = []
    used = {m.get("cabina") for m in out.get("members", [])}
    new, seen_positions = [], set()
    taken = {c.get("id") for c in old}
    # rows keep the order of the table; a row's original identity is its position among old rows
    for row in rows:
        pos = row.get("_pos")
        if isinstance(pos, int) and 0 <= pos < len(old) and pos not in seen_positions:
            cab = old[pos]
            seen_positions.add(pos)
            new_id = row.get("id")
            if new_id is None and "id" in row:      # the required id emptied: kept, said
                notes.append(("membri.note.refused_cabina_empty", {"id": str(cab.get("id"))}))
            if new_id and new_id != cab.get("id"):
                if new_id in {c.get("id") for c in new} | (taken - {cab.get("id")}):
                    notes.append(("membri.note.cabina_duplicate", {"id": new_id}))
                else:
                    for m in out.get("members", []):
                        if m.get("cabina") == cab.get("id"):
                            m["cabina"] = new_id
                    taken.discard(cab.get("id"))
                    taken.add(new_id)
                    cab["id"] = new_id
        else:
            new_id = row.get("id") or unique_id("CP-" + str(len(new) + 1), taken)
            if new_id in taken:
                notes.append(("membri.note.cabina_duplicate", {"id": new_id}))
                continue
            cab = {"id": new_id}
            taken.add(new_id)
        if "name" in row:
            if row.get("name"):
                cab["name"] = str(row["name"])
            else:
                cab.pop("name", None)
        new.append(cab)
    for pos, cab in enumerate(old):
        if pos not in seen_positions and cab.get("id") in used:
            notes.append(("membri.note.cabina_in_use", {"id": cab.get("id")}))
            new.append(cab)
    out["cabine"] = new
    return out, notes


# -------------------------------------------------------------------------------------------------
# plants and faces
# -------------------------------------------------------------------------------------------------

def plants_frame(doc: dict) -> pd.DataFrame:
    """The plants table, with the documented defaults filled in."""
    rows = []
    for p in doc.get("plants", []):
        get = lambda k: p.get(k, PLANT_DEFAULTS.get(k))  # noqa: E731
        rows.append({"id": p.get("id"), "name": p.get("name") or "", "member": p.get("member"),
                     "kwp": p.get("kwp"), "faces": len(p.get("faces") or []) or 1, "tilt_deg": get("tilt_deg"),
                     "azimuth_deg": get("azimuth_deg"), "losses_pct": get("losses_pct"),
                     "commissioning": iso_date(p.get("commissioning")), "grant_pct": get("grant_pct"),
                     "incentivised": bool(get("incentivised")),
                     "source": (p.get("production") or {}).get("source", "pvlib")})
    frame = pd.DataFrame(rows, columns=list(PLANT_COLUMNS))
    frame["commissioning"] = pd.to_datetime(frame["commissioning"], errors="coerce")
    return frame


def iso_date(text) -> dt.date | None:
    """``"2024-03-15"`` → a date; None when missing or not an ISO date."""
    try:
        return dt.date.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None


def table_date(value) -> dt.date | None:
    """A date cell of a data editor: a date, or the text the browser sends for an edit (``"2024-06-01"``;
    a datetime column may add ``"T00:00:00.000"``); None when it is neither."""
    if isinstance(value, dt.date):
        return value
    return iso_date(value[:10]) if isinstance(value, str) else None


def scale_faces(faces: list[dict], kwp: float) -> list[dict]:
    """Faces rescaled so that they add up to ``kwp`` (shares kept; equal shares if all were 0)."""
    total = sum(float(f.get("kwp") or 0) for f in faces)
    out = []
    for f in faces:
        share = (float(f.get("kwp") or 0) / total) if total > 0 else 1 / len(faces)
        out.append({**f, "kwp": round(kwp * share, 3)})
    if out:  # put the rounding remainder on the largest face so the sum is exact
        big = max(range(len(out)), key=lambda i: out[i]["kwp"])
        out[big]["kwp"] = round(kwp - sum(f["kwp"] for i, f in enumerate(out) if i != big), 3)
    return out


#: What the plants table accepts in its number columns: (low, high) and the column's label key. A value
#: outside (or not a number) is refused with a note naming the plant and the column, and the plant keeps
#: its value: the page's widgets (e.g. the plant panel's tilt field, 0–90) could not even show it.
PLANT_NUMBER_RANGES = {
    "kwp": (0.0, PLANT_KWP_MAX, "impianti.col.kwp"), "tilt_deg": (0.0, 90.0, "impianti.col.tilt"),
    "azimuth_deg": (0.0, 360.0, "impianti.col.azimuth"), "losses_pct": (0.0, 100.0, "impianti.col.losses"),
    "grant_pct": (0.0, 100.0, "impianti.col.grant"),
    "tariff_excluded_kw": (0.0, PLANT_KWP_MAX, "impianti.col.tariff_excluded"),
}


def _shown(value) -> str:
    """A refused cell as the note quotes it (``1e+308``, ``-1``, ``abc``), at most 40 characters."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _checked_numbers(plant: dict, row: dict, name: str, notes: list, new: bool = False) -> dict:
    """``row`` without the cells the table must refuse (a number cell not a number, not finite or out of range;
    a date cell not a date; a required cell emptied: kWp, member, commissioning), with one note for each; a number
    equal to what the plant holds is never refused."""
    out = dict(row)
    for key, (low, high, label) in PLANT_NUMBER_RANGES.items():
        value = row.get(key)
        if value is None or value == plant.get(key, PLANT_DEFAULTS.get(key)):
            continue
        if key == "tariff_excluded_kw":      # a part of the plant: not more than its power
            kwp = out.get("kwp") if isinstance(out.get("kwp"), (int, float)) else plant.get("kwp")
            high = min(high, float(kwp)) if isinstance(kwp, (int, float)) and math.isfinite(kwp) else high
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if number and math.isfinite(value) and low <= value <= high:
            continue
        out.pop(key)
        notes.append(("impianti.note.refused", {"name": name, "field_key": label, "value": _shown(value),
                                                "low": f"{low:g}", "high": f"{high:g}"}))
    for key, label in (("kwp", "impianti.col.kwp"), ("member", "impianti.col.member"),
                       ("commissioning", "impianti.col.commissioning")):
        held = iso_date(plant.get(key)) if key == "commissioning" else plant.get(key)
        if not new and key in row and row[key] is None and held is not None:     # a required cell emptied
            notes.append(("impianti.note.refused_empty", {"name": name, "field_key": label}))
    date = row.get("commissioning")
    if date is not None and table_date(date) is None:
        out.pop("commissioning")
        notes.append(("impianti.note.refused_date", {"name": name, "field_key": "impianti.col.commissioning",
                                                     "value": _shown(date)}))
    return out


def _update_plant(plant: dict, row: dict) -> None:
    """Apply one table row to a plant dict in place (empty cells keep the old value)."""
    faces = plant.get("faces") or []
    if row.get("name") is not None:
        plant["name"] = str(row["name"])
    if row.get("member"):
        plant["member"] = str(row["member"])
    kwp = row.get("kwp")
    if isinstance(kwp, (int, float)) and kwp >= 0 and kwp != plant.get("kwp"):
        plant["kwp"] = float(kwp)
        if faces:
            plant["faces"] = faces = scale_faces(faces, float(kwp))
    tilt = row.get("tilt_deg")
    old_tilt = plant.get("tilt_deg", PLANT_DEFAULTS["tilt_deg"])
    if isinstance(tilt, (int, float)) and tilt != old_tilt:
        plant["tilt_deg"] = float(tilt)
        if faces:
            plant["faces"] = faces = [{**f, "tilt_deg": float(tilt)} for f in faces]
    az = row.get("azimuth_deg")
    old_az = plant.get("azimuth_deg", PLANT_DEFAULTS["azimuth_deg"])
    if isinstance(az, (int, float)) and az != old_az:
        plant["azimuth_deg"] = float(az)
        if faces:  # turn the whole roof: faces keep their relative orientation
            delta = float(az) - float(old_az)
            plant["faces"] = [{**f, "azimuth_deg": round((float(f["azimuth_deg"]) + delta) % 360, 1)} for f in faces]
    for key in ("losses_pct", "grant_pct", "tariff_excluded_kw"):
        if isinstance(row.get(key), (int, float)):
            plant[key] = float(row[key])
    if isinstance(row.get("incentivised"), bool):
        plant["incentivised"] = row["incentivised"]
    date = table_date(row.get("commissioning"))
    if date is not None:
        plant["commissioning"] = date.isoformat()


def merge_plants(doc: dict, rows: list[dict]) -> tuple[dict, list[tuple[str, dict]]]:
    """Write the plants table back into a copy of ``doc`` (see :func:`merge_members`).

    A kWp edit on a plant with several faces rescales its faces; a tilt edit sets every face's tilt;
    an azimuth edit turns every face by the same angle. A plant given to a consumer makes it a
    prosumer. New rows get the documented defaults, commissioned on 1 January of the simulated year.
    """
    out = copy.deepcopy(doc)
    old = {p.get("id"): p for p in out.get("plants", [])}
    members = {m.get("id"): m for m in out.get("members", [])}
    notes: list[tuple[str, dict]] = []
    taken = set(old)
    new_plants, kept, added, promoted = [], set(), [], []
    for row in rows:
        plant = claim(row.get("id"), old, kept)
        new = plant is None
        if new:
            owner = row.get("member") if row.get("member") in members else _default_owner(out)
            if owner is None:
                notes.append(("impianti.note.no_members", {}))
                continue
            pid = unique_id(f"fv-{owner}", taken)
            taken.add(pid)
            plant = {"id": pid, "name": row.get("name") or pid, "member": owner, "kwp": float(DEFAULT_PLANT_KWP),
                     "commissioning": default_commissioning(year_or_default(out)).isoformat(),
                     "production": {"source": "pvlib"}}
            added.append(str(plant["name"]))
        _update_plant(plant, _checked_numbers(plant, row, str(plant.get("name") or plant.get("id")), notes, new))
        owner = members.get(plant.get("member"))
        if owner is not None and owner.get("kind") == "consumer":
            owner["kind"] = "prosumer"
            promoted.append(str(owner.get("name") or owner.get("id")))
        new_plants.append(plant)
    notes += item_notes("impianti.note.added", added) + item_notes("impianti.note.prosumer", promoted)
    notes.extend(item_notes("impianti.note.removed", [str(old[pid].get("name") or pid) for pid in old
                                                      if pid not in kept]))
    out["plants"] = new_plants
    return out, notes


def _default_owner(doc: dict) -> str | None:
    members = doc.get("members", [])
    for m in members:
        if m.get("kind") in ("prosumer", "producer"):
            return m.get("id")
    return members[0].get("id") if members else None


def set_plant_fields(doc: dict, plant_id: str, row: dict) -> tuple[dict, list[tuple[str, dict]]]:
    """A copy of ``doc`` with one plant updated as from a table row (the plant panel's inputs)."""
    rows = [{"id": p.get("id")} for p in doc.get("plants", [])]
    for r in rows:
        if r["id"] == plant_id:
            r.update(row)
    return merge_plants(doc, rows)


def set_production_source(doc: dict, plant_id: str, source: str) -> dict:
    """A copy of ``doc`` where the plant produces from ``source`` ("pvlib" or "file").

    "file" is written only when the plant already has a file (``production.path``): choosing it before
    uploading one must not leave the community without a simulation. Other values are ignored.
    """
    out = copy.deepcopy(doc)
    for p in out.get("plants", []):
        if p.get("id") != plant_id:
            continue
        prod = dict(p.get("production") or {})
        if source == "pvlib" or (source == "file" and prod.get("path")):
            prod["source"] = source
            p["production"] = prod
    return out


#: The site's weather choices (``site.weather.source``).
WEATHER_SOURCES = ("auto", "embedded", "pvgis", "file")


def set_weather_source(doc: dict, source: str) -> dict:
    """A copy of ``doc`` with the site's weather from ``source``; "file" only when a file is already
    there (``site.weather.path``), unknown values ignored (see :func:`set_production_source`)."""
    out = copy.deepcopy(doc)
    spec = dict((out.get("site") or {}).get("weather") or {})
    if source in WEATHER_SOURCES and (source != "file" or spec.get("path")):
        spec["source"] = source
        out.setdefault("site", {})["weather"] = spec
    return out


def faces_frame(plant: dict) -> pd.DataFrame:
    """A plant's roof faces (one implicit face when it has none)."""
    faces = plant.get("faces") or [{"name": "", "kwp": plant.get("kwp"),
                                     "tilt_deg": plant.get("tilt_deg", PLANT_DEFAULTS["tilt_deg"]),
                                     "azimuth_deg": plant.get("azimuth_deg", PLANT_DEFAULTS["azimuth_deg"])}]
    return pd.DataFrame([{k: f.get(k) for k in FACE_COLUMNS} for f in faces], columns=list(FACE_COLUMNS))


def faces_refused(plant: dict, rows: list[dict]) -> list[tuple[str, dict]]:
    """Notes for the cells of the faces table that cannot be written (a number cell that is text, not finite or
    outside the plants table's range), naming the plant and the face; empty when the table can be written.
    An empty kWp is not refused: :func:`set_faces` leaves that row out."""
    name = str(plant.get("name") or plant.get("id"))
    notes: list[tuple[str, dict]] = []
    for n, row in enumerate(rows, start=1):
        for key in ("kwp", "tilt_deg", "azimuth_deg"):
            value = row.get(key)
            low, high, label = PLANT_NUMBER_RANGES[key]
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if value is None or (number and math.isfinite(value) and low <= value <= high):
                continue
            notes.append(("impianti.note.refused_face", {"name": name, "n": n, "field_key": label,
                                                         "value": _shown(value), "low": f"{low:g}",
                                                         "high": f"{high:g}"}))
    return notes


def set_faces(doc: dict, plant_id: str, rows: list[dict]) -> dict:
    """A copy of ``doc`` with the plant's faces from the faces table; the plant's kWp becomes their sum.

    Rows without kWp are dropped; a single face is folded back into the plant's own tilt/azimuth.
    """
    out = copy.deepcopy(doc)
    faces = []
    for row in rows:
        kwp = row.get("kwp")
        if not isinstance(kwp, (int, float)) or kwp < 0:
            continue
        face = {"kwp": float(kwp), "tilt_deg": float(row.get("tilt_deg") if row.get("tilt_deg") is not None
                                                       else PLANT_DEFAULTS["tilt_deg"]),
                "azimuth_deg": float(row.get("azimuth_deg") if row.get("azimuth_deg") is not None
                                     else PLANT_DEFAULTS["azimuth_deg"])}
        if row.get("name"):
            face["name"] = str(row["name"])
        faces.append(face)
    for p in out.get("plants", []):
        if p.get("id") != plant_id or not faces:
            continue
        p["kwp"] = round(sum(f["kwp"] for f in faces), 3)
        if len(faces) == 1:
            p.pop("faces", None)
            p["tilt_deg"], p["azimuth_deg"] = faces[0]["tilt_deg"], faces[0]["azimuth_deg"]
        else:
            p["faces"] = faces
            main = max(faces, key=lambda f: f["kwp"])
            p["tilt_deg"], p["azimuth_deg"] = main["tilt_deg"], main["azimuth_deg"]
    return out


# -------------------------------------------------------------------------------------------------
# bills
# -------------------------------------------------------------------------------------------------

def month_periods(year: int) -> list[tuple[dt.date, dt.date]]:
    """First and last day of each month of ``year``."""
    out = []
    for month in range(1, 13):
        start = dt.date(year, month, 1)
        end = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
        out.append((start, end))
    return out


def bills_frame(bills: list[dict] | None, year: int) -> pd.DataFrame:
    """The bills grid: the member's bills, or twelve empty monthly rows of ``year`` to fill in."""
    if bills:
        rows = [{"start": iso_date(b.get("start")), "end": iso_date(b.get("end")),
                 **{k: b.get(k) for k in BILL_ENERGY},
                 "estimated": bool(b.get("estimated", False)), "adjustment": bool(b.get("adjustment", False))}
                for b in bills]
    else:
        rows = [{"start": s, "end": e, "estimated": False, "adjustment": False} for s, e in month_periods(year)]
    frame = pd.DataFrame(rows, columns=list(BILL_COLUMNS))
    for key in BILL_ENERGY:
        frame[key] = pd.to_numeric(frame[key], errors="coerce").astype(float)
    for key in ("start", "end"):
        frame[key] = pd.to_datetime(frame[key], errors="coerce")
    for key in ("estimated", "adjustment"):
        frame[key] = frame[key].astype(bool)
    return frame


#: The bills grid's energy columns as its header says them (the total's header is translated).
BILL_LABELS = {"f1_kwh": {"field": "F1 (kWh)"}, "f2_kwh": {"field": "F2 (kWh)"}, "f3_kwh": {"field": "F3 (kWh)"},
               "f23_kwh": {"field": "F2+F3 (kWh)"}, "total_kwh": {"field_key": "membri.bills.total"}}
#: The largest kWh the bills grid accepts in a cell (its editor's ``max_value``; the refusal's sentence says it).
BILL_KWH_MAX = 1e7


def bills_refused(member: dict, rows: list[dict]) -> list[tuple[str, dict]]:
    """Notes for the bills grid's energy cells that cannot be written (text, negative, above
    :data:`BILL_KWH_MAX`), naming the member and the bill; empty when the grid can be written."""
    name = str(member.get("name") or member.get("id"))
    notes: list[tuple[str, dict]] = []
    for n, row in enumerate(rows, start=1):
        for key in BILL_ENERGY:
            value = row.get(key)
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if value is None or (number and math.isfinite(value) and 0 <= value <= BILL_KWH_MAX):
                continue
            notes.append(("membri.note.refused_bill", {"name": name, "n": n, **BILL_LABELS[key],
                                                       "value": _shown(value)}))
    return notes


def bills_from_rows(rows: list[dict]) -> list[dict]:
    """Bills for the scenario from the grid's rows: rows without any kWh are left out, empty cells
    are not written (the bills reader then knows F1/F2/F3 from F1/F23 or a total)."""
    out = []
    for row in rows:
        values = {k: float(row[k]) for k in BILL_ENERGY if isinstance(row.get(k), (int, float))
                  and not isinstance(row.get(k), bool)}
        if not values:
            continue
        bill = {"start": row["start"].isoformat() if isinstance(row.get("start"), dt.date) else row.get("start"),
                "end": row["end"].isoformat() if isinstance(row.get("end"), dt.date) else row.get("end")}
        bill.update(values)
        for flag in ("estimated", "adjustment"):
            if row.get(flag) is True:
                bill[flag] = True
        out.append(bill)
    return out


def bill_dicts(bills, pod: str | None = None) -> list[dict]:
    """Scenario bills from ``cer_core.io.bills.Bill`` objects read from a file; with several PODs in the
    file, only the member's ``pod`` (all of them when the member has none or it is not there)."""
    pods = {b.pod for b in bills if b.pod}
    key = (pod or "").replace(" ", "").upper()
    chosen = [b for b in bills if b.pod == key] if len(pods) > 1 and key in pods else list(bills)
    out = []
    for b in chosen:
        bill = {"start": b.start.isoformat(), "end": b.end.isoformat()}
        bill.update({k: float(getattr(b, k)) for k in BILL_ENERGY if getattr(b, k) is not None})
        if b.estimated:
            bill["estimated"] = True
        if b.adjustment:
            bill["adjustment"] = True
        out.append(bill)
    return out
