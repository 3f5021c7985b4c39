"""Mappa: members, PV roofs and cabine primarie on a map; the page is members, roofs and cabina areas on a map, edited by clicking and drawing.

Layout: the map (in a fragment, so drawing and clicking rerun only the map) with a panel beside it
for what is being done — confirm a drawn member/roof/area, search an address, edit the selected
member — and, below, the legend, the cabine with their areas and the GeoJSON import.

How the map talks back (streamlit-folium): ``returned_objects`` are only the drawings and the clicked
object, so panning and zooming never rerun. A drawn marker is a new member (or moves the selected
one); a drawn polygon or rectangle is a roof or a cabina area, depending on the switch above the map.
Nothing is written to the scenario until the user confirms; then the edit goes through
:func:`studio.components.state.edit_doc` and the whole app reruns (every page re-simulates by itself).
"""

from __future__ import annotations

import html

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit_folium import st_folium

from cer_core.cabine import assign_members, merge_cabine, parse_cabine_geojson
from cer_core.constants import default_commissioning
from cer_core.loads.profiles import CATEGORY_DEFAULT_PROFILE
from cer_core.errors import CerInputError
from cer_core.geo import nearest_comune
from cer_core.geocode import Geocoder
from cer_core.vocabulary import (CATEGORY_CHOICES, DEFAULT_KIND, DEFAULT_PLANT_KWP, DRAWN_PLANT_KWP_MIN, KIND_CHOICES,
                                PLANT_KWP_MAX, TYPICAL_ANNUAL_KWH, year_or_default)
from studio.pure import map_model as mm
from studio.pure.format import fmt_kwp, fmt_number
from studio.components.frame import ensure as ensure_frame
from studio.components.i18n import current_lang, t
from studio.pure.mdsafe import md
from studio.pure.plain import user_message
from studio.components.map_view import (CABINA_PALETTE, MAP_HEIGHT_PX, OUTSIDE_COLOUR, PENDING_COLOUR, ROLE_COLOURS,
                             ROOF_FILL, MapView, base_map, cabina_colours, cabina_ids, click_target,
                             drawing_signature, dynamic_layers, initial_view, latest_new_drawing, offline)
from studio.components.state import edit_doc, get_workspace
from studio.pure.tables import cabina_options, profile_names, tr_profile, unique_id
from studio.components.ui import checked_number, number_text, remembered_choice

ensure_frame("mappa")  # a deep link on a fresh server goes through app.py first

K = "mappa_"                    # prefix of this page's session keys
RETURNED = ["all_drawings", "last_object_clicked", "last_object_clicked_tooltip"]
MAX_IMPORT_MB = 20
MAX_NAMES = 10                  # members named in the "outside every area" warning


@st.cache_resource(show_spinner=False)
def geocoder() -> Geocoder:
    """One geocoder per server: Nominatim's one-request-per-second limit holds across sessions."""
    return Geocoder()


def _ss(name: str, default=None):
    return st.session_state.setdefault(K + name, default)


def _set(name: str, value) -> None:
    st.session_state[K + name] = value


def _fmt(value: float, decimals: int = 0) -> str:
    """A number in the current language's format (Italian: 1.234,5)."""
    return fmt_number(value, decimals, current_lang())


def _rerun_map() -> None:
    """Rerun only the map fragment; the whole page when this run was not a fragment rerun."""
    try:
        st.rerun(scope="fragment")
    except StreamlitAPIException:
        st.rerun()


def _member_name(doc: dict, mid: str | None) -> str:
    for m in doc.get("members", []):
        if m.get("id") == mid:
            return str(m.get("name") or mid)
    return str(mid)


def _remount() -> None:
    """A fresh map component with a fresh answer (another community was opened)."""
    _set("gen", _ss("gen", 0) + 1)
    _set("processed", set())
    _set("seen", set())
    _set("last_click", None)


def _look_at(lat: float, lon: float, zoom: int) -> None:
    """Move the map to (lat, lon); a repeated request moves it again (the map ignores an unchanged centre)."""
    center = [round(lat, 6), round(lon, 6)]
    if center == _ss("center") and zoom == _ss("zoom"):
        center[0] += 1e-6
    _set("center", center)
    _set("zoom", zoom)


def _done(pending: dict | None) -> None:
    """Forget the pending shape; when it was drawn, clear every draft on the map (no remount: the view stays)."""
    _set("pending", None)
    if pending and pending.get("origin") == "draw":
        _set("processed", _ss("processed", set()) | _ss("seen", set()) | {pending["sig"]})
        _set("drafts", _ss("drafts", 0) + 1)


def _sync_with_workspace(doc: dict) -> None:
    """New community opened: frame it and start from a clean map; drop selections that no longer exist."""
    token = (get_workspace().origin, str((doc.get("site") or {}).get("comune")))
    if _ss("token") != token:
        first = _ss("token") is None
        _set("token", token)
        _set("view", initial_view(doc))
        _set("pending", None)
        _set("selected", None)
        _set("center", None)
        _set("zoom", None)
        if not first:
            _remount()
    ids = {m.get("id") for m in doc.get("members", [])}
    if _ss("selected") not in ids:
        _set("selected", None)
    if _ss("selected_plant") not in {p.get("id") for p in doc.get("plants", [])}:
        _set("selected_plant", None)


def _read_map_events(doc: dict, map_key: str) -> None:
    """Turn the map's last answer (clicks, drawings) into selection and pending shape, before drawing."""
    out = st.session_state.get(map_key) or {}
    click = out.get("last_object_clicked")
    tooltip = out.get("last_object_clicked_tooltip")
    marker = (click.get("lat"), click.get("lng"), tooltip) if isinstance(click, dict) else None
    if marker is not None and marker != _ss("last_click"):
        _set("last_click", marker)
        target = click_target(doc, marker[0], marker[1], tooltip)
        if target and target[0] == "member":
            _set("selected", target[1])
            _set("selected_plant", None)
        elif target and target[0] == "plant":
            plant = next(p for p in doc.get("plants", []) if p.get("id") == target[1])
            _set("selected_plant", target[1])
            _set("selected", plant.get("member"))
    drawings = out.get("all_drawings") or []
    _set("seen", {drawing_signature(f) for f in drawings})
    pending = _ss("pending")
    if pending and pending.get("origin") == "draw":
        if pending["sig"] not in {drawing_signature(f) for f in drawings}:
            _set("pending", None)            # the draft was deleted or edited away
            pending = None
    feature = latest_new_drawing(drawings, _ss("processed", set()))
    if feature is not None and (pending is None or pending.get("sig") != drawing_signature(feature)):
        _set("pending", {"sig": drawing_signature(feature), "geometry": feature["geometry"], "origin": "draw"})


def _mode_controls() -> tuple[str, str]:
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    with c1:
        polygon_as = st.segmented_control(
            t("map.polygon_as"), options=["roof", "area"], required=True, default="roof", key=K + "polygon_as",
            format_func=lambda o: t(f"map.polygon_as_{o}"), help=t("map.polygon_as_help"))
    with c2:
        colour_by = st.segmented_control(
            t("map.colour_by"), options=["role", "cabina"], required=True, default="role", key=K + "colour_by",
            format_func=lambda o: t(f"map.colour_by_{o}"))
    return polygon_as or "roof", colour_by or "role"


def _chip(colour: str, label: str, *, ring: str | None = None, square: bool = False) -> str:
    shape = "2px" if square else "50%"
    border = f"3px solid {ring}" if ring else "2px solid #fff"
    return (f'<span style="display:inline-flex;align-items:center;margin:0 14px 4px 0;white-space:nowrap">'
            f'<span style="width:14px;height:14px;border-radius:{shape};background:{colour};border:{border};'
            f'box-shadow:0 0 0 1px #d1d5db;margin-right:6px;display:inline-block"></span>{label}</span>')


def _legend(doc: dict, colour_by: str, outside: list[str]) -> None:
    chips = []
    if colour_by == "cabina":
        for cid, colour in cabina_colours(doc).items():
            chips.append(_chip(colour, html.escape(cid)))
    else:
        chips += [_chip(ROLE_COLOURS[k], t(f"map.kind_{k}")) for k in KIND_CHOICES]
    chips.append(_chip(ROOF_FILL, t("map.legend_roof"), square=True))
    if any(c.get("area") for c in doc.get("cabine", [])):
        chips.append(_chip("transparent", t("map.legend_area"), ring=CABINA_PALETTE[0], square=True))
    if outside:
        chips.append(_chip("#9ca3af", t("map.legend_outside"), ring=OUTSIDE_COLOUR))
    if _ss("pending"):
        chips.append(_chip("transparent", t("map.legend_pending"), ring=PENDING_COLOUR))
    st.markdown('<div style="font-size:0.9rem;line-height:1.9">' + "".join(chips) + "</div>",
                unsafe_allow_html=True)


# --- the panel -----------------------------------------------------------------------------------------

def _commit(mutate, message) -> None:
    """Apply an edit to the scenario and rerun the whole app (other pages and the sidebar follow).

    ``message`` is the confirmation shown after the rerun, or a function giving it once the edit is done.
    It is a toast, not a message above the page: anything inserted above the map would shift it in the
    page and make the browser reload it at its initial view.
    """
    edit_doc(mutate)
    _ss("toasts", []).append(message() if callable(message) else message)
    st.rerun()


def _cancel(pending: dict) -> None:
    """Drop the shape waiting for confirmation."""
    _done(pending)
    _rerun_map()


def _cabina_options(doc: dict, extra: str | None = None) -> list[str]:
    ids = cabina_options(doc)
    return ids if not extra or extra in ids else ids + [extra]


def _pending_member(doc: dict, pending: dict) -> None:
    lon, lat = pending["geometry"]["coordinates"][:2]
    comune = nearest_comune(lat, lon)
    cabina, inside = mm.default_cabina(doc, lat, lon)
    has_areas = any(c.get("area") for c in doc.get("cabine", []))
    st.markdown("#### " + t("map.new_member_title"))
    st.caption(t("map.new_member_where", comune=comune.name, lat=_fmt(lat, 5), lon=_fmt(lon, 5)))
    if has_areas and not inside:
        st.warning(t("map.point_outside_areas"), icon=":material/warning:")
    selected = _ss("selected")
    sig = pending["sig"]
    # the category first, outside the form: it proposes the consumption profile and the typical yearly kWh
    category = remembered_choice(st.selectbox, t("map.field_category"), CATEGORY_CHOICES, store=K + f"nm_category_{sig}",
                                 format_func=lambda k: t(f"map.category_{k}"), help=t("map.field_category_help"))
    kind = remembered_choice(st.selectbox, t("map.field_kind"), KIND_CHOICES, store=K + f"nm_kind_{sig}",
                             format_func=lambda k: t(f"map.kind_{k}"))
    typical = TYPICAL_ANNUAL_KWH.get(category, TYPICAL_ANNUAL_KWH["other"])
    # keyed without the language: a language switch keeps what was typed (Streamlit keys text fields by key)
    with st.form(K + f"new_member_{sig}", border=False):
        name = st.text_input(t("map.field_name"), placeholder=t("map.field_name_placeholder"), key=K + f"nm_name_{sig}")
        profiles = profile_names()
        default_profile = CATEGORY_DEFAULT_PROFILE.get(category, "office")
        profile = st.selectbox(t("map.field_profile"), profiles, index=profiles.index(default_profile),
                               format_func=lambda p: tr_profile(p, t), key=K + f"nm_profile_{sig}_{category}_{current_lang()}",
                               help=t("map.field_profile_help"))
        options = _cabina_options(doc, cabina)
        cab = st.selectbox(t("map.field_cabina"), options, index=options.index(cabina),
                           help=t("map.field_cabina_help"), key=K + f"nm_cabina_{sig}")
        # a text field read the Italian way (an HTML number field drops the comma outside Italian browsers);
        # the typical figure is written without a thousands separator, so it reads the same in both languages
        kwh_text = st.text_input(t("map.field_annual_kwh"), value=f"{typical:.0f}", key=K + f"nm_kwh_{sig}_{category}",
                                 help=t("map.field_annual_kwh_typical", kwh=fmt_number(typical, 0, current_lang()),
                                        category=t(f"map.category_{category}")))
        add = st.form_submit_button(t("map.add_member"), type="primary", icon=":material/person_add:",
                                    width="stretch")
        move = st.form_submit_button(t("map.move_selected_here", name=md(_member_name(doc, selected))),
                                     icon=":material/open_with:", width="stretch") if selected else False
        cancel = st.form_submit_button(t("map.cancel"), width="stretch")
    if add:
        if not name.strip():
            st.error(t("map.name_required"), icon=":material/error:")
            return
        kwh, refusal = (None, None) if not kwh_text.strip() else checked_number(
            kwh_text, t("map.field_annual_kwh"), 0.0, 1e8)
        if refusal:
            st.error(refusal, icon=":material/error:")
            return
        address = pending.get("label")

        def mutate(d):
            _set("selected", mm.add_member(d, name=name, kind=kind, category=category, lat=lat, lon=lon,
                                           cabina=cab, annual_kwh=kwh, address=address, profile=profile))
            _set("selected_plant", None)
        _done(pending)
        _commit(mutate, t("map.member_added", name=md(name.strip())))
    if move:
        def mutate(d):
            mm.move_member(d, selected, lat, lon)
        _done(pending)
        _commit(mutate, t("map.member_moved", name=md(_member_name(doc, selected))))
    if cancel:
        _cancel(pending)


def _pending_roof(doc: dict, pending: dict) -> None:
    roof = pending["geometry"]
    sig = pending["sig"]
    st.markdown("#### " + t("map.new_roof_title"))
    members = [m for m in doc.get("members", [])]
    if not members:
        st.info(t("map.roof_needs_member"), icon=":material/info:")
        if st.button(t("map.cancel"), key=K + f"roof_cancel_empty_{sig}"):
            _cancel(pending)
        return
    ids = [m["id"] for m in members]
    owner_default = mm.suggest_owner(doc, roof, _ss("selected"))      # None: nobody nearby, the user picks
    owner = st.selectbox(t("map.field_owner"), ids, index=ids.index(owner_default) if owner_default else None,
                         placeholder=t("map.field_owner_placeholder"), format_func=lambda i: _member_name(doc, i),
                         key=K + f"roof_owner_{sig}_{current_lang()}")
    tilt = st.number_input(t("map.field_tilt"), min_value=0.0, max_value=90.0, value=mm.DEFAULT_TILT_DEG, step=5.0,
                           format="%.0f", key=K + f"roof_tilt_{sig}", help=t("map.field_tilt_help"))
    suggestion, reason = mm.roof_suggestion_for(roof, tilt)
    if suggestion is not None:
        st.caption(t("map.roof_suggestion", area=_fmt(suggestion.area_m2), usable=_fmt(suggestion.usable_area_m2),
                     tilt=_fmt(tilt), setback=_fmt(getattr(suggestion, "setback_m", 0.5), 1),
                     kwp=_fmt(suggestion.kwp, 1), azimuth=_fmt(suggestion.azimuth_deg)))
        kwp_default, az_default = max(float(suggestion.kwp), 0.1), float(suggestion.azimuth_deg)
    else:
        st.warning(reason, icon=":material/warning:")
        kwp_default, az_default = DEFAULT_PLANT_KWP, 180.0
    c1, c2 = st.columns(2)
    kwp_text = c1.text_input(t("map.field_kwp"), value=number_text(round(kwp_default, 1), 1, current_lang()),
                             key=K + f"roof_kwp_{sig}_{tilt}_{current_lang()}")
    azimuth = c2.number_input(t("map.field_azimuth"), min_value=0.0, max_value=360.0, value=float(round(az_default)),
                              step=5.0, format="%.0f", key=K + f"roof_az_{sig}", help=t("map.field_azimuth_help"))
    name = st.text_input(t("map.field_plant_name"), value=f"FV {_member_name(doc, owner)}" if owner else "",
                         key=K + f"roof_name_{sig}_{owner}")
    commissioning = st.date_input(t("map.field_commissioning"), value=default_commissioning(year_or_default(doc)),
                                  format="DD/MM/YYYY",
                                  key=K + f"roof_date_{sig}", help=t("map.field_commissioning_help"))
    if st.button(t("map.add_plant"), type="primary", icon=":material/solar_power:", width="stretch",
                 key=K + f"roof_add_{sig}"):
        if owner is None:
            st.error(t("map.owner_required"), icon=":material/error:")
            return
        kwp, refusal = checked_number(kwp_text, t("map.field_kwp"), DRAWN_PLANT_KWP_MIN, PLANT_KWP_MAX)
        if refusal:
            st.error(refusal, icon=":material/error:")
            return
        result = {}

        def mutate(d):
            pid, result["prosumer"] = mm.add_plant(d, owner=owner, roof=roof, kwp=kwp, tilt_deg=tilt,
                                                   azimuth_deg=azimuth, commissioning=commissioning, name=name)
            _set("selected_plant", pid)

        def message() -> str:
            msg = t("map.plant_added", name=md(name or owner), kwp=fmt_kwp(kwp, current_lang()))
            if result.get("prosumer"):
                msg += " " + t("map.owner_now_prosumer", name=md(_member_name(doc, owner)))
            return msg
        _done(pending)
        _set("selected", owner)
        _commit(mutate, message)
    if st.button(t("map.cancel"), width="stretch", key=K + f"roof_cancel_{sig}"):
        _cancel(pending)


def _pending_area(doc: dict, pending: dict) -> None:
    area = pending["geometry"]
    sig = pending["sig"]
    st.markdown("#### " + t("map.new_area_title"))
    inside = [m for m in doc.get("members", []) if mm.member_in_area(m, area)]
    st.caption(t("map.area_members_inside", n=len(inside)))
    existing = [c["id"] for c in doc.get("cabine", [])]
    new_label = t("map.area_new_cabina")
    with st.form(K + f"new_area_{sig}", border=False):
        target = st.selectbox(t("map.area_target"), [new_label] + existing,
                              help=t("map.area_target_help"))
        c1, c2 = st.columns(2)
        new_id = c1.text_input(t("map.field_cabina_id"), value=unique_id(f"CP-{len(existing) + 1}", set(existing)),
                               max_chars=64)
        name = c2.text_input(t("map.field_cabina_name"))
        assign = st.checkbox(t("map.area_assign"), value=True)
        ok = st.form_submit_button(t("map.add_area"), type="primary", icon=":material/polyline:",
                                   width="stretch")
        cancel = st.form_submit_button(t("map.cancel"), width="stretch")
    if ok:
        cid = new_id.strip() if target == new_label else target
        if not cid:
            st.error(t("map.cabina_id_required"), icon=":material/error:")
            return
        if target == new_label and cid in existing:
            st.error(t("map.cabina_id_taken", id=md(cid)), icon=":material/error:")
            return
        result = {}

        def mutate(d):
            result["a"] = mm.add_area(d, cabina_id=cid, name=name or None, area=area, assign=assign)
        _done(pending)
        _commit(mutate, lambda: t("map.area_added", id=md(cid), n=len(result["a"].changes) if result.get("a") else 0))
    if cancel:
        _cancel(pending)


def _roof_by_area(doc: dict) -> None:
    """Offline the basemap is only comuni boundaries: roofs cannot be seen, so a roof is entered by its area
    and orientation instead of drawn."""
    st.info(t("map.offline_basemap"), icon=":material/cloud_off:")
    members = [m for m in doc.get("members", []) if m.get("id")]
    with st.expander(t("map.by_area_title"), icon=":material/roofing:", expanded=False):
        if not members:
            st.caption(t("map.roof_needs_member"))
            return
        names = {m["id"]: m.get("name") or m["id"] for m in members}
        with st.form(K + "by_area_form", border=False):
            c1, c2 = st.columns(2)
            owner = c1.selectbox(t("map.by_area_owner"), list(names), format_func=lambda i: names.get(i, i),
                                 key=K + "by_area_owner")
            area_text = c2.text_input(t("map.by_area_m2"), value="60", key=K + "by_area_m2",
                                      help=t("map.by_area_m2_help"))
            c3, c4 = st.columns(2)
            tilt = c3.number_input(t("map.by_area_tilt"), min_value=0.0, max_value=90.0, value=20.0, step=5.0,
                                   format="%.0f", key=K + "by_area_tilt")
            azimuth = c4.number_input(t("map.by_area_azimuth"), min_value=0.0, max_value=360.0, value=180.0, step=5.0,
                                      format="%.0f", key=K + "by_area_az", help=t("map.by_area_azimuth_help"))
            add = st.form_submit_button(t("map.by_area_add"), type="primary", icon=":material/solar_power:",
                                        width="stretch")
        if add:
            area, refusal = checked_number(area_text, t("map.by_area_m2"), 1.0, 200_000.0)
            if refusal:
                st.error(refusal, icon=":material/error:")
                return
            kwp = mm.roof_from_area(area)

            def mutate(d):
                pid, _ = mm.add_plant_by_area(d, owner=owner, area_m2=area, tilt_deg=tilt, azimuth_deg=azimuth,
                                              commissioning=default_commissioning(year_or_default(d)))
                _set("selected_plant", pid)

            _commit(mutate, t("map.plant_added", name=md(names.get(owner, owner)), kwp=fmt_kwp(kwp, current_lang())))


def _search() -> None:
    with st.form(K + "search_form", border=False, enter_to_submit=True):
        # one under the other: the side panel is ~250 px wide at 1280×720, too narrow for a button beside the field
        query = st.text_input(t("map.search_label"), placeholder=t("map.search_placeholder"), max_chars=200)
        go = st.form_submit_button(t("map.search_go"), icon=":material/search:", width="stretch")
    if go and query.strip():
        with st.spinner(t("map.search_running")):
            _set("search", geocoder().search(query))
    answer = _ss("search")
    if not answer:
        return
    if not answer.places:
        st.warning(t("map.search_nothing", q=md(answer.query)), icon=":material/search_off:")
        return
    source = t("map.search_source_online") if answer.source == "nominatim" else t("map.search_source_offline")
    st.caption(source)
    labels = [p.label for p in answer.places]
    idx = st.radio(t("map.search_results"), range(len(labels)), format_func=lambda i: labels[i],
                   key=K + f"search_pick_{answer.query}", label_visibility="collapsed")
    place = answer.places[idx or 0]
    c1, c2 = st.columns(2)
    if c1.button(t("map.search_show"), icon=":material/my_location:", width="stretch", key=K + "search_show"):
        _look_at(place.lat, place.lon, 17 if place.precise else 14)
        _rerun_map()
    if c2.button(t("map.search_add_here"), icon=":material/person_add:", type="primary", width="stretch",
                 key=K + "search_add"):
        sig = f"search-{place.lat:.6f}-{place.lon:.6f}"
        _set("pending", {"sig": sig, "origin": "search", "label": place.label,
                         "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]}})
        _look_at(place.lat, place.lon, 17 if place.precise else 14)
        _rerun_map()


def _selected_member(doc: dict) -> None:
    members = doc.get("members", [])
    ids = [m["id"] for m in members]
    if not ids:
        st.info(t("map.no_members"), icon=":material/info:")
        return
    current = _ss("selected")
    choice = st.selectbox(t("map.selected_member"), ids, index=ids.index(current) if current in ids else None,
                          placeholder=t("map.select_none"), format_func=lambda i: _member_name(doc, i),
                          key=K + f"pick_{current}_{current_lang()}")
    if choice != current:
        _set("selected", choice)
        _set("selected_plant", None)
        _rerun_map()
    if choice is None:
        st.caption(t("map.select_hint"))
        return
    m = next(x for x in members if x["id"] == choice)
    where = t("map.member_no_position") if m.get("lat") is None else \
        t("map.member_position", lat=_fmt(m["lat"], 5), lon=_fmt(m["lon"], 5))
    st.caption(f"{md(m['id'])} · {where}")
    with st.form(K + f"edit_{choice}", border=False):
        name = st.text_input(t("map.field_name"), value=str(m.get("name") or ""))
        kind = st.selectbox(t("map.field_kind"), KIND_CHOICES, index=KIND_CHOICES.index(m.get("kind", DEFAULT_KIND))
                            if m.get("kind") in KIND_CHOICES else 0, format_func=lambda k: t(f"map.kind_{k}"))
        cats = list(CATEGORY_CHOICES)
        category = st.selectbox(t("map.field_category"), cats, index=cats.index(m.get("category", "other"))
                                if m.get("category") in cats else 0, format_func=lambda k: t(f"map.category_{k}"))
        options = _cabina_options(doc, m.get("cabina"))
        cab = st.selectbox(t("map.field_cabina"), options, index=options.index(m.get("cabina"))
                           if m.get("cabina") in options else 0, help=t("map.field_cabina_help"))
        save = st.form_submit_button(t("map.save_member"), type="primary", icon=":material/save:",
                                     width="stretch")
    if save:
        if not name.strip():
            st.error(t("map.name_required"), icon=":material/error:")
            return

        def mutate(d):
            mm.update_member(d, choice, name=name, kind=kind, category=category, cabina=cab)
        _commit(mutate, t("map.member_saved", name=md(name.strip())))
    plants = [p for p in doc.get("plants", []) if p.get("member") == choice]
    if plants:
        st.markdown("**" + t("map.member_plants") + "**")
        for p in plants:
            roof = "" if p.get("roof") else " · " + t("map.plant_no_roof")
            st.markdown(f"- ☀ {md(p.get('name') or p['id'])} — {fmt_kwp(p.get('kwp'), current_lang())}{roof}")
    st.caption(t("map.move_hint"))
    with st.popover(t("map.delete_member"), icon=":material/delete:", width="stretch"):
        st.write(t("map.delete_member_confirm", name=md(_member_name(doc, choice)), n=len(plants)))
        if st.button(t("map.delete_member_yes"), type="primary", key=K + f"delete_{choice}"):
            def mutate(d):
                mm.delete_member(d, choice)
            _set("selected", None)
            _commit(mutate, t("map.member_deleted", name=md(_member_name(doc, choice))))


# --- cabine below the map --------------------------------------------------------------------------------

def _cabine_section(doc: dict, outside: list[str]) -> None:
    if outside:
        names = ", ".join(_member_name(doc, mid) for mid in outside[:MAX_NAMES])
        names += f", … (+{len(outside) - MAX_NAMES})" if len(outside) > MAX_NAMES else ""
        st.warning(t("map.outside_members", n=len(outside), names=md(names, 600)), icon=":material/wrong_location:")
    with st.expander(t("map.cabine_title"), expanded=not any(c.get("area") for c in doc.get("cabine", []))):
        colours = cabina_colours(doc)
        counts: dict[str, int] = {}
        for m in doc.get("members", []):
            counts[m.get("cabina")] = counts.get(m.get("cabina"), 0) + 1
        declared = {c["id"]: c for c in doc.get("cabine", [])}
        for cid in cabina_ids(doc):
            c = declared.get(cid, {"id": cid})
            c1, c2 = st.columns([4, 1], vertical_alignment="center")
            label = c.get("name") or cid
            status = t("map.cabina_has_area") if c.get("area") else t("map.cabina_no_area")
            c1.markdown(_chip(colours.get(cid, "#6b7280"), f"<b>{html.escape(str(label))}</b>&nbsp;·&nbsp;"
                              f"<code>{html.escape(cid)}</code>") +
                        f" {t('map.cabina_members', n=counts.get(cid, 0))} · {status}", unsafe_allow_html=True)
            if c.get("area") and c2.button(t("map.remove_area"), key=K + f"rm_area_{cid}", icon=":material/delete:"):
                _commit(lambda d, cid=cid: mm.remove_area(d, cid), t("map.area_removed", id=md(cid)))
        st.caption(t("map.cabine_help"))
        _import_areas(doc)


def _import_areas(doc: dict) -> None:
    upload = st.file_uploader(t("map.import_label"), type=["geojson", "json"], key=K + f"import_{_ss('imports', 0)}",
                              help=t("map.import_help"), max_upload_size=MAX_IMPORT_MB)
    if upload is None:
        return
    lang = current_lang()
    try:
        cabine, warnings = parse_cabine_geojson(upload.getvalue(), upload.name)
    except CerInputError as exc:
        for p in exc.problems:
            st.error(md(user_message(p, lang, doc), 400), icon=":material/error:")
        return
    for w in warnings:
        st.warning(md(user_message(w, lang, doc), 400), icon=":material/warning:")
    preview = assign_members(doc.get("members", []), merge_cabine(doc.get("cabine", []), cabine))
    st.success(t("map.import_ready", n=len(cabine), ids=md(", ".join(c["id"] for c in cabine), 600),
                 moved=len(preview.changes), outside=len(preview.outside)), icon=":material/check_circle:")
    if st.button(t("map.import_go", n=len(cabine)), type="primary", key=K + "import_go", icon=":material/upload:"):
        def mutate(d):
            mm.import_areas(d, cabine, assign=True)
        _set("imports", _ss("imports", 0) + 1)         # a fresh, empty uploader after the import
        _commit(mutate, t("map.imported", n=len(cabine), moved=len(preview.changes)))


# --- the fragment ----------------------------------------------------------------------------------------

@st.fragment
def map_fragment() -> None:
    """Map, panel, legend and cabine: reruns alone when the user draws, clicks or fills the panel."""
    doc = mm.displayable(get_workspace().doc)
    lang = current_lang()
    for text in st.session_state.pop(K + "toasts", []):
        st.toast(text, icon=":material/check_circle:")
    _sync_with_workspace(doc)
    map_key = f"cer_map_{_ss('gen', 0)}"
    _read_map_events(doc, map_key)
    polygon_as, colour_by = _mode_controls()
    pending = _ss("pending")
    assignment = assign_members(doc.get("members", []), doc.get("cabine", []))
    left, right = st.columns([5, 2], gap="medium")
    with left:
        view: MapView = _ss("view") or initial_view(doc)
        layers = dynamic_layers(doc, lang=lang, colour_by=colour_by, selected=_ss("selected"),
                                selected_plant=_ss("selected_plant"), outside=tuple(assignment.outside),
                                pending=pending, drafts_token=_ss("drafts", 0))
        st_folium(base_map(view, lang), key=map_key, height=MAP_HEIGHT_PX, use_container_width=True,
                  returned_objects=RETURNED, feature_group_to_add=layers, center=_ss("center"), zoom=_ss("zoom"))
        _legend(doc, colour_by, assignment.outside)
        if offline() and not pending:     # while a drawn shape waits for confirmation, one thing at a time
            _roof_by_area(doc)
    with right:
        if pending and pending["geometry"].get("type") == "Point":
            _pending_member(doc, pending)
        elif pending and polygon_as == "area":
            _pending_area(doc, pending)
        elif pending:
            _pending_roof(doc, pending)
        else:
            _selected_member(doc)
            st.divider()
            _search()
            with st.expander(t("map.how_title"), icon=":material/help:", expanded=not doc.get("members")):
                st.markdown(t("map.how_body"))
    _cabine_section(doc, assignment.outside)


st.title(t("map.title"))
st.caption(t("map.subtitle"))
map_fragment()
