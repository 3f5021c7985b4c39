"""AppTest of Membri e consumi: the members table, a member's data source, meter uploads, preview."""

import numpy as np
import pytest

from cer_core.io import write_hourly_csv
from cer_core.timeaxis import n_hours
from studio.components.state import WORKSPACE_KEY
from studio_helpers import app_on, assert_clean, empty_workspace, fixture_workspace, assert_demo_simulates, texts

PAGE = "pages/membri.py"


def member(at, mid):
    return next(m for m in at.session_state[WORKSPACE_KEY].doc["members"] if m["id"] == mid)


def select_member(at, mid):
    at.selectbox(key="membri_selected__it").set_value(mid).run()
    assert_clean(at)
    return at


def test_fixture_table_and_preview():
    at = app_on(PAGE, fixture_workspace())
    assert_clean(at)
    assert at.title[0].value == "Membri e consumi"
    table = at.dataframe[0].value
    assert list(table["id"]) == ["municipio", "casa-1", "casa-2", "forno", "casa-3"]
    assert table["load"].iloc[1] == "curva oraria · load_casa-1.csv"
    assert "Consumo annuo **25,0\u00a0MWh**" in texts(at)          # the first member's preview
    select_member(at, "casa-1")
    assert "Consumo annuo **2,7\u00a0MWh**" in texts(at)
    assert "In uso: **Curve del contatore**" in texts(at)


def test_choosing_a_standard_profile_writes_the_load():
    at = app_on(PAGE, fixture_workspace())
    select_member(at, "casa-2")
    at.button_group(key="load_view_casa-2__it").set_value("profile").run()
    assert_clean(at)
    kwh = next(n for n in at.text_input if n.label == "Consumo annuo (kWh)")
    assert kwh.value == "2.700"                                     # the household default
    kwh.set_value("3.100").run()                                    # Italian thousands: 3100 kWh, not 3,1
    assert_clean(at)
    load = member(at, "casa-2")["load"]
    assert load["source"] == "profile" and load["profile"] == "household" and load["annual_kwh"] == 3100.0
    assert load["path"] == "series/load_casa-2.csv"                  # the file stays, to switch back
    assert "In uso: **Profilo standard**" in texts(at)


def test_meter_upload_becomes_the_members_load():
    at = app_on(PAGE, fixture_workspace())
    select_member(at, "casa-3")
    data = write_hourly_csv(np.full(n_hours(2024), 0.3), 2024)
    at.file_uploader(key="meter_casa-3_0").set_value([("consumi_2024.csv", data, "text/csv")]).run()
    assert_clean(at)
    load = member(at, "casa-3")["load"]
    assert load["source"] == "file" and load["path"].startswith("members/casa-3/consumi_orari_2024_")
    assert load["originals"] == [{"path": "members/casa-3/originali/consumi_2024.csv"}]
    ws = at.session_state[WORKSPACE_KEY]
    assert ws.read_file(load["originals"][0]["path"]) == data
    body = texts(at)
    assert "Importati 1 file: 2,6\u00a0MWh nell'anno simulato." in body
    assert "Esito dell'importazione di: consumi_2024.csv" in body
    assert "Consumo annuo **2,6\u00a0MWh**" in body


def test_bad_meter_file_shows_the_problem_and_keeps_the_load():
    at = app_on(PAGE, fixture_workspace())
    select_member(at, "casa-3")
    before = member(at, "casa-3")["load"]
    at.file_uploader(key="meter_casa-3_0").set_value([("rotto.csv", b"ciao,mondo\n1,2\n", "text/csv")]).run()
    assert_clean(at)
    assert member(at, "casa-3")["load"] == before
    assert any("rotto.csv" in e.value for e in at.error)


def test_producer_can_have_no_consumption():
    ws = fixture_workspace()
    ws.doc["members"][3]["kind"] = "producer"
    at = app_on(PAGE, ws)
    select_member(at, "forno")
    at.button_group(key="load_view_forno__it").set_value("none").run()
    at.button(key="set_none_forno").click().run()
    assert_clean(at)
    assert "load" not in member(at, "forno")


def test_bills_view_offers_twelve_months_for_a_member_without_bills():
    at = app_on(PAGE, fixture_workspace())
    at.button_group(key="load_view_municipio__it").set_value("bills").run()
    assert_clean(at)
    grid = at.dataframe[-1].value
    assert len(grid) == 12 and list(grid.columns[:3]) == ["start", "end", "f1_kwh"]


def test_empty_community():
    at = app_on(PAGE, empty_workspace())
    assert_clean(at)
    assert "La comunità non ha ancora membri" in texts(at)
    assert len(at.dataframe[0].value) == 0


def test_english():
    at = app_on(PAGE, fixture_workspace(), lang="en")
    assert_clean(at)
    assert at.title[0].value == "Members and consumption"
    assert "Yearly consumption **25.0\u00a0MWh**" in texts(at)


def test_demo():
    assert_demo_simulates()
    at = app_on(PAGE)
    assert_clean(at)
    assert len(at.dataframe[0].value) == 40
    select_member(at, "casa-05")                   # the demo's member with bills
    assert "In uso: **Bollette**" in texts(at)


def test_bills_file_upload_fills_the_grid():
    from pathlib import Path

    data = (Path(__file__).resolve().parent / "data" / "samples" / "bollette_mensili_2024_piccola_impresa.csv").read_bytes()
    at = app_on(PAGE, fixture_workspace())
    select_member(at, "forno")
    at.button_group(key="load_view_forno__it").set_value("bills").run()
    at.file_uploader(key="bills_file_forno_0").set_value(("bollette.csv", data, "text/csv")).run()
    assert_clean(at)
    load = member(at, "forno")["load"]
    assert load["source"] == "bills" and len(load["bills"]) == 12
    assert load["bills"][0] == {"start": "2024-01-01", "end": "2024-01-31", "f1_kwh": 1667.0, "f2_kwh": 182.0,
                                "f3_kwh": 200.0, "total_kwh": 2049.0}
    assert "Bollette lette da «bollette.csv»: 12" in texts(at)
    assert "In uso: **Bollette**" in texts(at)


def test_distributor_export_upload_shows_the_import_report():
    from pathlib import Path

    data = (Path(__file__).resolve().parent / "data" / "samples" /
            "edistribuzione_wide_quartorario_2024_piccola_impresa.csv").read_bytes()
    at = app_on(PAGE, fixture_workspace())
    select_member(at, "forno")
    at.file_uploader(key="meter_forno_0").set_value([("edis_2024.csv", data, "text/csv")]).run()
    assert_clean(at)
    body = texts(at)
    assert "Esito dell'importazione di: edis_2024.csv" in body
    assert "Formato: " in body and "Anno 2024: " in body
    assert member(at, "forno")["load"]["originals"] == [{"path": "members/forno/originali/edis_2024.csv"}]


def test_an_import_report_does_not_follow_into_another_community():
    """The report of a meter upload belongs to the community it was made in, not to a member of another one
    that happens to have the same id."""
    at = app_on(PAGE, fixture_workspace())
    select_member(at, "casa-3")
    data = write_hourly_csv(np.full(n_hours(2024), 0.3), 2024)
    at.file_uploader(key="meter_casa-3_0").set_value([("consumi_2024.csv", data, "text/csv")]).run()
    assert "Esito dell'importazione di: consumi_2024.csv" in texts(at)
    uploader = next(u for u in at.sidebar.file_uploader if u.key.startswith("open_uploader_"))
    uploader.set_value(("piccola.zip", fixture_workspace().to_bundle(), "application/zip")).run()
    assert_clean(at)
    select_member(at, "casa-3")
    at.button_group(key="load_view_casa-3__it").set_value("file").run()
    assert "Esito dell'importazione di" not in texts(at)


def test_an_uploaded_curve_replaces_the_typed_annual_figure_and_scales_only_on_request():
    """The issue's case: a member with a typed 2,700 kWh profile gets a measured curve of 0.5 kWh/h (4.392 kWh):
    the preview, the import report and the simulation all say 4.392 kWh, until the user asks to scale."""
    from cer_core.api import run
    from cer_core.workspace import workspace_from_bytes

    ws = fixture_workspace()
    ws.doc["members"][4]["load"] = {"source": "profile", "profile": "household", "annual_kwh": 2700.0}
    at = app_on(PAGE, ws)
    select_member(at, "casa-3")
    at.button_group(key="load_view_casa-3__it").set_value("file").run()
    data = write_hourly_csv(np.full(n_hours(2024), 0.5), 2024)
    at.file_uploader(key="meter_casa-3_0").set_value([("misure_2024.csv", data, "text/csv")]).run()
    assert_clean(at)
    load = member(at, "casa-3")["load"]
    assert load["source"] == "file" and load["measured_kwh"] == 4392.0 and load["annual_kwh"] == 4392.0
    assert "scale_factor" not in load
    body = texts(at)
    assert "Importati 4,4\u00a0MWh nell'anno simulato" in body            # the import report
    assert "Consumo annuo **4,4\u00a0MWh**" in body                        # the preview
    assert "Curva usata come misurata: 4,4\u00a0MWh all'anno." in body
    saved = workspace_from_bytes(at.session_state[WORKSPACE_KEY].to_bundle(), "salvata.zip")
    sim = next(m for m in run(saved, shapley=False).results.summary["members"] if m["id"] == "casa-3")
    assert sim["consumption_kwh"] == pytest.approx(4392.0)                # the simulation of the saved bundle
    # scaling, on request: 6.588 kWh is ×1,5
    field = next(n for n in at.text_input if n.label == "Scala a (kWh/anno)")
    field.set_value("6.588").run()
    assert_clean(at)
    assert member(at, "casa-3")["load"]["scale_factor"] == pytest.approx(1.5)
    body = texts(at)
    assert "**scalata ×1,5**" in body and "Consumo annuo **6,6\u00a0MWh**" in body
    at.button(key="unscale_casa-3").click().run()
    assert "scale_factor" not in member(at, "casa-3")["load"]
    assert "Consumo annuo **4,4\u00a0MWh**" in texts(at)


def test_profile_and_annual_fields_stay_level_when_a_label_wraps():
    # at 1280×720 «Consumo annuo (kWh)» wraps to two lines: the row's columns align to the bottom so the
    # two fields stay side by side
    at = app_on(PAGE, fixture_workspace())
    select_member(at, "casa-2")
    at.button_group(key="load_view_casa-2__it").set_value("profile").run()
    assert_clean(at)
    column = [c for c in at.columns if any(x.label == "Consumo annuo (kWh)" for x in c.text_input)][-1]
    assert column.proto.vertical_alignment == column.proto.VerticalAlignment.BOTTOM, column.proto
