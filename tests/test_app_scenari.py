"""AppTest of the Scenari e dimensionamento page: investment, sizing sweep, optimal sizes, candidates, variants."""

import copy

import pyarrow as pa

from studio_helpers import WORKSPACE_KEY, app_on, assert_clean, fixture_workspace, texts

TABS = ("Investimento", "Dimensionamento", "Candidati", "Varianti")


def open_tab(at, label, lang="it"):
    at.session_state[f"scn_tab__{lang}"] = label
    at.run()
    assert_clean(at)
    return at


def test_investment_tab_and_parameters_written_back():
    at = app_on("pages/scenari.py", fixture_workspace())
    assert_clean(at)
    assert at.title[0].value == "Scenari e dimensionamento"
    assert [t.label for t in at.tabs] == list(TABS)
    assert any(m.label == "VAN della comunità" for m in at.metric)
    assert "Le tre voci restano separate" in texts(at)
    npv = next(m.value for m in at.metric if m.label == "VAN della comunità")
    next(x for x in at.text_input if x.label == "Tasso di sconto (%)").input("7,5")
    at.run()
    assert_clean(at)
    inv = at.session_state[WORKSPACE_KEY].doc["economics"]["investment"]
    assert inv == {"discount_rate_pct": 7.5}
    assert next(m.value for m in at.metric if m.label == "VAN della comunità") != npv
    next(x for x in at.text_input if x.label == "Costo ≤ 20 kWp (€/kWp)").input("1.400")
    at.run()
    assert_clean(at)
    inv = at.session_state[WORKSPACE_KEY].doc["economics"]["investment"]
    assert inv["capex_eur_kwp"] == [[20, 1400.0], [200, 1150.0], [None, 975.0]]
    next(r for r in at.radio if r.label == "Finanziamento").set_value("loan")
    at.run()
    assert_clean(at)
    assert at.session_state[WORKSPACE_KEY].doc["economics"]["investment"]["financing"] == {"mode": "loan"}
    next(x for x in at.text_input if x.label == "Tasso di sconto (%)").input("abc")
    at.run()
    assert_clean(at)
    assert at.session_state[WORKSPACE_KEY].doc["economics"]["investment"]["discount_rate_pct"] == 7.5


def test_sizing_sweep_and_optimal_sizes():
    at = app_on("pages/scenari.py", fixture_workspace())
    open_tab(at, "Dimensionamento")
    assert "Ginocchio" in texts(at) and "VAN migliore" in texts(at)
    next(b for b in at.button if b.label == "Calcola le taglie ottimali").click()
    at.run()
    assert_clean(at)
    assert any("Ottimale (kWp)" in d.value.columns for d in at.dataframe)
    sweep = next(c for c in at.get("plotly_chart") if "Taglia dell" in c.proto.spec)
    assert "ottimo PL" in sweep.proto.spec  # the optimum marked on the sweep in the same rerun
    next(b for b in at.button if b.label == "Crea una variante con queste taglie").click()
    at.run()
    assert_clean(at)
    doc = at.session_state[WORKSPACE_KEY].doc
    assert doc["variants"][0]["name"] == "Taglie ottimali"


def test_candidates_tab_without_and_with_candidates():
    ws = fixture_workspace()
    at = app_on("pages/scenari.py", ws)
    open_tab(at, "Candidati")
    assert "Nessun candidato" in texts(at)
    assert any("Consumatori tipici" in d.value.columns for d in at.dataframe)
    doc = copy.deepcopy(ws.doc)
    consumer = next(m for m in doc["members"] if m["kind"] != "producer" and m.get("load"))
    extra = copy.deepcopy(consumer)
    extra.update({"id": "candidato-1", "name": "Candidato Uno", "candidate": True, "pod": ""})
    extra.pop("pod")
    doc["members"].append(extra)
    at = app_on("pages/scenari.py", ws.with_doc(doc))
    open_tab(at, "Candidati")
    assert "Nessun candidato" not in texts(at)
    assert "Candidato Uno" in texts(at) or any("Candidato Uno" in str(d.value) for d in at.dataframe)


def test_a_typical_candidate_added_ranked_and_removed():
    at = app_on("pages/scenari.py", fixture_workspace())
    open_tab(at, "Candidati")
    next(s for s in at.selectbox if s.label == "Categoria").set_value("public_body")
    next(x for x in at.text_input if x.label == "Nome").input("Scuola media")
    next(b for b in at.button if b.label == "Aggiungi candidato").click()
    at.run()
    assert_clean(at)
    doc = at.session_state[WORKSPACE_KEY].doc
    added = [m for m in doc["members"] if m.get("candidate")]
    assert [(m["name"], m["category"], m["load"]["profile"]) for m in added] == [
        ("Scuola media", "public_body", "municipal_building")]
    assert "Nessun candidato" not in texts(at)
    assert "Scuola media" in texts(at)
    next(b for b in at.button if b.label == "Togli tutti i candidati").click()
    at.run()
    assert_clean(at)
    assert not any(m.get("candidate") for m in at.session_state[WORKSPACE_KEY].doc["members"])


def test_variants_duplicate_compare_and_make_current():
    ws = fixture_workspace()
    at = app_on("pages/scenari.py", ws)
    open_tab(at, "Varianti")
    assert "Nessuna variante" in texts(at)
    next(b for b in at.button if b.label == "Duplica come variante").click()
    at.run()
    assert_clean(at)
    doc = at.session_state[WORKSPACE_KEY].doc
    assert [v["name"] for v in doc["variants"]] == ["Variante 1"]
    assert any("Δ Variante 1" in d.value.columns for d in at.dataframe)
    name = doc["name"]
    next(b for b in at.button if b.label == "Rendi corrente").click()
    at.run()
    assert_clean(at)
    doc = at.session_state[WORKSPACE_KEY].doc
    assert doc["name"] == "Variante 1" and doc["variants"][0]["name"] == f"{name} (precedente)"


def test_english_page():
    at = app_on("pages/scenari.py", fixture_workspace(), lang="en")
    assert_clean(at)
    assert at.title[0].value == "Scenarios and sizing"
    assert any(m.label == "Community NPV" for m in at.metric)


def test_members_without_an_irr_show_a_dash_not_none():
    # st.dataframe prints "None" in an empty cell whatever the Styler says: consumers have no investment,
    # hence no IRR, and the table must say "–" (studio.components.ui.styled)
    at = app_on("pages/scenari.py", fixture_workspace())
    assert_clean(at)
    members = next(d.value for d in at.dataframe if "Membro" in d.value.columns and "TIR" in d.value.columns)
    irr = members["TIR"].tolist()
    assert "–" in irr, irr
    assert not any(v is None or v != v for v in irr), irr
    assert all(v == "–" or v.endswith("%") for v in irr), irr
    # and a consumer's payback is "no investment", not "0,0 anni"
    table = next(d for d in at.dataframe if "Membro" in d.value.columns and "TIR" in d.value.columns)
    shown = pa.ipc.open_stream(table.proto.arrow_data.styler.display_values).read_pandas()  # what the page shows
    payback = shown["Ritorno"].tolist()
    assert "nessun investimento" in payback and "0,0 anni" not in payback, payback


def test_sizing_tab_runs_on_the_demo():
    # the demo leaves the GSE member fee to its scheme's default (None in the scenario): the sweep's member
    # aggregation multiplied None and the tab showed "TypeError" (cer_core/sizing.py reads the fee as the engine does)
    from cer_core.api import demo_workspace

    at = app_on("pages/scenari.py", demo_workspace())
    open_tab(at, "Dimensionamento")
    assert "Ginocchio" in texts(at)
