"""AppTest of the Risultati page: every tab renders; downloads are offered."""


import pytest

from studio_helpers import app_on, assert_clean, empty_workspace, fixture_workspace, assert_demo_simulates, texts

TABS = ("Energia", "Economia", "Membri", "Cabine", "Verifiche", "Scarica")


def open_tab(at, label, lang="it"):
    at.session_state[f"results_tab__{lang}"] = label
    at.run()
    assert_clean(at)
    return at


def test_every_tab_renders_on_the_fixture():
    at = app_on("pages/risultati.py", fixture_workspace())
    assert_clean(at)
    assert [t.label for t in at.tabs] == list(TABS)
    assert at.title[0].value == "Risultati"
    assert len(at.tabs[0].children) >= 3           # charts of the energy tab
    open_tab(at, "Economia")
    assert any(m.label == "Tariffa premio GSE" for m in at.metric)
    labels = [m.label for m in at.metric]
    assert "Quanto porta la CER" in labels and "Beneficio netto" not in labels
    assert "Vendita energia (dei produttori)" in labels and "Risparmio da autoconsumo (dei prosumer)" in labels
    assert any("economia propria dei produttori e dei prosumer" in c.value for c in at.caption)
    assert any("lettura del decreto corrispettivi" in c.value for c in at.caption)
    open_tab(at, "Membri")
    members = at.dataframe[0].value
    assert len(members) == 5 and "Famiglia Hofer" in set(members.iloc[:, 0])
    open_tab(at, "Cabine")
    cabine = at.dataframe[0].value
    assert list(cabine.iloc[:, 0]) == ["Cabina primaria Nord", "Cabina primaria Sud"]
    open_tab(at, "Verifiche")
    body = texts(at)
    assert "Regola del 55% / 45%" in body
    assert any("Impianti senza contributo (2)" in s.value for s in at.success)
    open_tab(at, "Scarica")
    labels = [b.label for b in at.download_button]
    assert "File dei risultati (.zip)" in labels and "Cartella Excel (.xlsx)" in labels
    assert "Relazione della comunità (PDF)" in labels and "Scheda del socio scelto (PDF)" in labels
    assert "Tutte le schede socio (5, zip)" in labels
    assert len(at.selectbox(key="reports_member").options) == 5


def test_not_simulated_shows_problems_and_stops():
    ws = fixture_workspace()
    ws.doc["plants"][0]["member"] = "nessuno"
    at = app_on("pages/risultati.py", ws)
    assert_clean(at)
    assert "Non ci sono risultati" in texts(at)
    # issue 12: the plant by its name, not by its JSON path
    assert any(e.value.startswith("impianto «Tetto municipio»: membro «nessuno» inesistente") for e in at.error), \
        [e.value for e in at.error]
    assert not at.tabs


def metrics(at) -> dict[str, str]:
    return {m.label: m.value.replace("\xa0", " ") for m in at.metric}


def test_empty_community_renders_with_zeros():
    """No members, no plants: every figure shown is a zero (not a blank, not an error), and the checks say why."""
    at = app_on("pages/risultati.py", empty_workspace())
    assert_clean(at)
    headline = {"Produzione FV": "0 kWh", "Consumi": "0 kWh", "Energia condivisa": "0 kWh", "Incentivi CER": "0 €",
                "Quanto porta la CER": "0 €"}
    assert metrics(at) == headline
    open_tab(at, "Economia")
    assert metrics(at) == {**headline, "Tariffa premio GSE": "0 €", "Valorizzazione ARERA": "0 €",
                           "Costi della CER": "0 €", "Vendita energia (dei produttori)": "0 €",
                           "Risparmio da autoconsumo (dei prosumer)": "0 €"}
    open_tab(at, "Membri")
    assert not at.dataframe and [i.value for i in at.info] == ["Nessun membro."]
    open_tab(at, "Cabine")
    cabine = at.dataframe[0].value
    figures = cabine.select_dtypes("number")
    assert len(cabine) == 1 and figures.shape[1] >= 5 and (figures.to_numpy() == 0).all(), cabine
    open_tab(at, "Verifiche")
    errors = " ".join(e.value for e in at.error)
    assert "nessun impianto" in errors and "almeno due membri" in errors
    open_tab(at, "Scarica")
    assert "File dei risultati (.zip)" in [b.label for b in at.download_button]


def test_english_tabs():
    at = app_on("pages/risultati.py", fixture_workspace(), lang="en")
    assert_clean(at)
    assert [t.label for t in at.tabs] == ["Energy", "Money", "Members", "Substations", "Checks", "Download"]
    open_tab(at, "Checks", "en")
    assert "The 55% / 45% rule" in texts(at)


@pytest.mark.slow
def test_demo():
    assert_demo_simulates()
    at = app_on("pages/risultati.py")
    assert_clean(at)
    for label in TABS[1:]:
        open_tab(at, label)
