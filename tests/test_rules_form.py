"""The rules form: the pure writer (defaults left out, fees null = the scheme's) and the form on Risultati."""

import pytest
from studio_helpers import app_on, assert_clean, fixture_workspace
from test_scenario import base_doc, base_files

from cer_core.api import run
from cer_core.workspace import Workspace
from studio.components.rules_form import current_rules, with_rules
from studio.components.state import WORKSPACE_KEY


def test_defaults_are_the_2025_readings():
    now = current_rules({})
    assert (now["attribution"], now["year_mode"], now["gse_fee_scheme"], now["grant_cut_exemption"]) == (
        "chronological", "reference", "decree", True)
    assert (now["gse_fee_plant_eur"], now["gse_fee_per_kwp_eur"], now["gse_fee_member_eur"]) == (15.0, 1.0, 0.0)


def test_with_rules_writes_only_what_differs():
    doc = with_rules(base_doc(), {"year_mode": "calendar", "gse_fee_scheme": "rse", "gse_fee_plant_eur": 30.0,
                                  "gse_fee_member_eur": 5.0, "grant_cut_exemption": True})
    assert doc["rules"] == {"year_mode": "calendar"}
    assert doc["economics"] == {"gse_fee_scheme": "rse", "gse_fee_member_eur": 5.0}  # 30 € is RSE's own value
    back = with_rules(doc, {"year_mode": "reference", "gse_fee_scheme": "decree", "gse_fee_member_eur": None})
    assert "rules" not in back and "economics" not in back


def test_chosen_rules_reach_the_simulation():
    doc = with_rules(base_doc(), {"gse_fee_scheme": "rse"})
    totals = run(Workspace(doc=doc, files=base_files(), origin="test")).summary["totals"]
    assert totals["gse_fee_eur"] == pytest.approx(30 + 50 + 4 * 2)  # 50 kWp plant, two members
    totals = run(Workspace(doc=base_doc(), files=base_files(), origin="test")).summary["totals"]
    assert totals["gse_fee_eur"] == pytest.approx(15 + 30)  # decree: 15 € + 1 €/kW above 20 kW


def test_the_form_on_risultati_changes_the_scenario():
    at = app_on("pages/risultati.py", fixture_workspace())
    at.session_state["results_tab__it"] = "Economia"
    at.run()
    assert_clean(at)
    year = next(r for r in at.radio if r.label == "Anno simulato")
    year.set_value("calendar")
    fees = next(r for r in at.radio if r.label == "Corrispettivi GSE")
    fees.set_value("rse")
    next(b for b in at.button if b.label == "Applica e ricalcola").click()
    at.run()
    assert_clean(at)
    doc = at.session_state[WORKSPACE_KEY].doc
    assert doc["rules"]["year_mode"] == "calendar" and doc["economics"]["gse_fee_scheme"] == "rse"
    assert any("configurazione RSE" in c.value for c in at.caption)


def test_new_plant_field_and_categories_editable_in_the_tables():
    from cer_core.vocabulary import CATEGORY_CHOICES
    from studio.pure.tables import members_frame, set_plant_fields

    doc, _ = set_plant_fields(base_doc(), "p1", {"tariff_excluded_kw": 12.5})
    assert doc["plants"][0]["tariff_excluded_kw"] == 12.5
    assert {"religious_body", "research_body"} <= set(CATEGORY_CHOICES)
    old = base_doc()
    old["members"][1]["category"] = "nonprofit"  # an older spelling shows as its 2025 category
    assert list(members_frame(old, lambda k, **kw: k)["category"]) == ["sme", "third_sector"]


def test_plant_panel_has_the_excluded_power_field():
    at = app_on("pages/impianti.py", fixture_workspace())
    assert_clean(at)
    labels = [w.label for w in at.text_input]
    assert "Potenza senza tariffa (kW)" in labels
