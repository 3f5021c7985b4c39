"""AppTest of the Ripartizione page: rules written back into the scenario, statements, comparison, draft."""

from studio_helpers import app_on, assert_clean, fixture_workspace, texts, WORKSPACE_KEY

TABS = ("Regole", "Membri", "Estratto conto", "Chi vince, chi perde", "Bozza di regolamento")


def open_tab(at, label, lang="it"):
    at.session_state[f"rip_tab__{lang}"] = label
    at.run()
    assert_clean(at)
    return at


def test_tabs_render_and_rules_write_back_into_the_scenario():
    at = app_on("pages/ripartizione.py", fixture_workspace())
    assert_clean(at)
    assert at.title[0].value == "Ripartizione"
    assert [t.label for t in at.tabs] == list(TABS)
    assert any(m.label == "Incassi della CER" for m in at.metric)
    ws = at.session_state[WORKSPACE_KEY]
    assert "regolamento" not in ws.doc
    # choose equal shares among consumers and 30/60/10, then apply
    radio = next(r for r in at.radio if r.label == "Quota dei consumatori")
    radio.set_value("equal")
    for label, value in (("Produttori (%)", 30.0), ("Consumatori (%)", 60.0), ("Fondo sociale (%)", 10.0)):
        next(n for n in at.number_input if n.label == label).set_value(value)
    next(b for b in at.button if b.label == "Applica le regole").click()
    at.run()
    assert_clean(at)
    reg = at.session_state[WORKSPACE_KEY].doc["regolamento"]
    assert reg["consumers_key"] == "equal"
    assert reg["shares_pct"] == {"producers": 30.0, "consumers": 60.0, "social_fund": 10.0, "running_costs": 0.0}
    assert "consumatori in parti uguali; quote 30% produttori, 60% consumatori, 10% fondo sociale" in texts(at)


def test_bad_total_is_refused_with_a_message():
    at = app_on("pages/ripartizione.py", fixture_workspace())
    next(n for n in at.number_input if n.label == "Produttori (%)").set_value(90.0)
    next(b for b in at.button if b.label == "Applica le regole").click()
    at.run()
    assert_clean(at)
    assert any("sommano a 150" in e.value for e in at.error)
    assert "regolamento" not in at.session_state[WORKSPACE_KEY].doc


def test_members_statement_compare_and_draft():
    at = app_on("pages/ripartizione.py", fixture_workspace())
    open_tab(at, "Membri")
    members = at.dataframe[0].value
    assert len(members) == 5 and "Riferimento Shapley (€)" in members.columns
    open_tab(at, "Estratto conto")
    statement = at.dataframe[0].value
    assert len(statement) == 12 and "Vendita energia, fuori CER (€)" in statement.columns
    assert "le cifre mensili sono approssimate" in texts(at)
    # the member sheets carrying this split can be downloaded from the statement
    assert any(s.key == "rip_reports_member" for s in at.selectbox)
    assert {b.key for b in at.get("download_button")} >= {"rip_reports_community", "rip_reports_one", "rip_reports_all"}
    open_tab(at, "Chi vince, chi perde")
    assert len(at.dataframe) == 2
    by_category = at.dataframe[0].value
    assert "Regole scelte" in by_category.columns and "Differenza Consumatori in parti uguali (€)" in by_category.columns
    open_tab(at, "Bozza di regolamento")
    assert "Titolo V" in texts(at) and "In nessun caso è attribuita a imprese" in texts(at)


def test_english_page():
    at = app_on("pages/ripartizione.py", fixture_workspace(), lang="en")
    assert_clean(at)
    assert at.title[0].value == "Allocation"
    assert any(m.label == "CER receipts" for m in at.metric)


def test_panoramica_shows_the_per_member_range():
    at = app_on(None, fixture_workspace())
    assert_clean(at)
    body = texts(at)
    assert "Con le regole scelte ogni membro riceve dalla CER da" in body


def test_rule_fields_show_whole_numbers_without_a_trailing_decimal_point():
    # "40.0" reads as English on an Italian projector; %g shows 40 (and 12.5 only when typed).
    # Streamlit's number_input formats with printf, which has no decimal comma: see pages/ripartizione.py.
    at = app_on("pages/ripartizione.py", fixture_workspace())
    assert_clean(at)
    fields = [n for n in at.number_input if n.key and n.key.startswith("rip_")]
    assert len(fields) >= 4
    for field in fields:
        assert field.proto.format == "%g", (field.label, field.proto.format)
