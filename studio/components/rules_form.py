"""The rules form: how the simulation reads the 2025 rules (docs/regulation.md §2, §3, §5).

Attribution and "non-incentivised plants last", reference or calendar year, the grant-cut exemption, and
the GSE fees (the fees-decree reading or RSE's, with editable values). :func:`with_rules` is the pure part
(tested); :func:`rules_form` draws the form and writes the scenario through ``studio.components.state``.
"""

from __future__ import annotations

import copy

import streamlit as st

from cer_core import constants as C

from . import state
from .i18n import t

FEE_KEYS = ("gse_fee_plant_eur", "gse_fee_per_kwp_eur", "gse_fee_member_eur")


def current_rules(doc: dict) -> dict:
    """The rules in force for ``doc``: its ``rules``/``economics`` values over the defaults, fees resolved."""
    params = C.Parameters.from_overrides(doc.get("rules"), doc.get("economics"))
    return {"attribution": params.attribution, "non_incentivised_last": params.non_incentivised_last,
            "year_mode": params.year_mode, "grant_cut_exemption": params.grant_cut_exemption,
            "gse_fee_scheme": params.gse_fee_scheme, **{k: params.fee(k) for k in FEE_KEYS}}


def with_rules(doc: dict, chosen: dict) -> dict:
    """A copy of ``doc`` with the chosen rules written into ``rules`` and ``economics``.

    Values equal to the defaults are left out (the scenario stays short and follows future defaults); fee
    values equal to the chosen scheme's defaults are left out too (``null`` = the scheme's value).
    """
    out = copy.deepcopy(doc)
    rules = dict(out.get("rules") or {})
    economics = dict(out.get("economics") or {})
    base = C.Parameters()
    for key in ("attribution", "non_incentivised_last", "year_mode", "grant_cut_exemption"):
        if key in chosen:
            if chosen[key] == getattr(base, key):
                rules.pop(key, None)
            else:
                rules[key] = chosen[key]
    scheme = chosen.get("gse_fee_scheme", economics.get("gse_fee_scheme", C.GSE_FEE_SCHEME_DEFAULT))
    if scheme == C.GSE_FEE_SCHEME_DEFAULT:
        economics.pop("gse_fee_scheme", None)
    else:
        economics["gse_fee_scheme"] = scheme
    defaults = C.GSE_FEE_DEFAULTS.get(scheme, C.GSE_FEE_DEFAULTS[C.GSE_FEE_SCHEME_DEFAULT])
    for key in FEE_KEYS:
        if key not in chosen:
            continue
        value = chosen[key]
        if value is None or abs(float(value) - defaults[key]) < 1e-9:
            economics.pop(key, None)
        else:
            economics[key] = float(value)
    for name, section in (("rules", rules), ("economics", economics)):
        if section:
            out[name] = section
        else:
            out.pop(name, None)
    return out


def rules_form(doc: dict) -> None:
    """The form, in an expander; on submit the scenario changes and the page reruns (a new simulation)."""
    now = current_rules(doc)
    with st.expander(t("rules.title"), icon=":material/gavel:"):
        st.caption(t("rules.intro"))
        with st.form("rules_form", border=False):
            c = st.columns(2)
            attribution = c[0].radio(t("rules.attribution"), ("chronological", "pro_rata"),
                                     index=0 if now["attribution"] == "chronological" else 1,
                                     format_func=lambda k: t(f"rules.attribution.{k}"))
            last = c[0].toggle(t("rules.non_incentivised_last"), value=now["non_incentivised_last"],
                               help=t("rules.non_incentivised_last_help"))
            year_mode = c[1].radio(t("rules.year_mode"), C.YEAR_MODES, index=C.YEAR_MODES.index(now["year_mode"]),
                                   format_func=lambda k: t(f"rules.year_mode.{k}"))
            exemption = c[1].toggle(t("rules.exemption"), value=now["grant_cut_exemption"],
                                    help=t("rules.exemption_help"))
            scheme = st.radio(t("rules.fees"), C.GSE_FEE_SCHEMES, index=C.GSE_FEE_SCHEMES.index(now["gse_fee_scheme"]),
                              format_func=lambda k: t(f"rules.fees.{k}"), horizontal=True)
            custom = st.toggle(t("rules.fees_custom"), value=any((doc.get("economics") or {}).get(k) is not None
                                                                  for k in FEE_KEYS), help=t("rules.fees_custom_help"))
            f = st.columns(3)
            values = {key: f[i].number_input(t(f"rules.{key}"), min_value=0.0, max_value=100000.0,
                                             value=float(now[key]), step=1.0, format="%.2f")
                      for i, key in enumerate(FEE_KEYS)}
            submitted = st.form_submit_button(t("rules.apply"), type="primary")
    if submitted:
        chosen = {"attribution": attribution, "non_incentivised_last": bool(last), "year_mode": year_mode,
                  "grant_cut_exemption": bool(exemption), "gse_fee_scheme": scheme,
                  **({k: v for k, v in values.items()} if custom else {k: None for k in FEE_KEYS})}
        state.set_doc(with_rules(state.get_workspace().doc, chosen))
        st.rerun()
