"""Issue 12, a meeting-ready studio, in the browser: real data is never silently rescaled, every page reads
fully on a projector (1280×720) and a laptop (1440×900), presentation mode, coherent defaults."""

from __future__ import annotations

import re

import pytest

from studio_driver import ROOT, assert_no_exception, mark, nav, upload_in_sidebar, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FIXTURE = ROOT / "tests" / "data" / "studio" / "piccola_cer.zip"
SAMPLES = ROOT / "tests" / "data" / "samples"
SHOTS = "/tmp/i12"


def _energy_mwh(text: str) -> float:
    """``"21,9 MWh"`` → 21.9 (the studio's Italian energy format)."""
    found = re.search(r"([\d.]+,\d+|\d+)\s*MWh", text.replace("\u00a0", " "))
    assert found, f"no MWh figure in {text!r}"
    return float(found.group(1).replace(".", "").replace(",", "."))


def test_an_uploaded_curve_is_not_rescaled_to_the_typed_annual_figure(page, tmp_path):
    """The issue's first case: the typed 2,700 kWh must not rescale a meter export; the import report, the
    preview and the simulation of the saved bundle say the same figure."""
    from playwright.sync_api import expect

    from cer_core.api import run
    from cer_core.workspace import open_workspace

    ws = open_workspace(FIXTURE)
    ws.doc["members"][0]["load"] = {"source": "profile", "profile": "municipal_building", "annual_kwh": 2700.0}
    start = tmp_path / "tipizzata.zip"
    start.write_bytes(ws.to_bundle())
    upload_in_sidebar(page, start)
    nav(page, "Membri e consumi")
    main = page.locator("[data-testid='stMain']")
    before = mark(page)
    main.get_by_role("radio", name="Curve del contatore", exact=True).click()
    wait_idle(page, since=before)
    uploader = main.locator("[data-testid='stFileUploader'] input[type='file']").first
    before = mark(page)
    uploader.set_input_files(str(SAMPLES / "edistribuzione_wide_quartorario_2024_piccola_impresa.csv"))
    wait_idle(page, since=before)
    assert_no_exception(page)
    report = main.get_by_text("Importati", exact=False).last.inner_text()
    preview = main.get_by_text(re.compile(r"^Consumo annuo")).first.inner_text()
    expect(main.get_by_text("Curva usata come misurata", exact=False)).to_be_visible()
    imported = _energy_mwh(report)
    assert imported > 5.0, report                              # a small business's year, not 2,7 MWh
    assert _energy_mwh(preview) == imported
    with page.expect_download() as info:
        page.locator("[data-testid='stSidebar']").get_by_role("button", name="Salva la comunità (.zip)").click()
    saved = tmp_path / "salvata.zip"
    info.value.save_as(saved)
    sim = run(open_workspace(saved), shapley=False).results.summary["members"][0]
    assert sim["consumption_kwh"] / 1000 == pytest.approx(imported, abs=0.05)
    page.screenshot(path=f"{SHOTS}/rescale_membri.png", full_page=True)
