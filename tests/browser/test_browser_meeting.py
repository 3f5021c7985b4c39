"""Issue 12, a meeting-ready studio, in the browser: real data is never silently rescaled, every page reads
fully on a projector (1280×720) and a laptop (1440×900), presentation mode, coherent defaults."""

from __future__ import annotations

import re

import pytest

from studio_driver import ROOT, assert_no_exception, mark, metric_value, nav, upload_in_sidebar, wait_idle

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


SIZES = ((1280, 720), (1440, 900))
PAGE_LABELS = ("Panoramica", "Mappa", "Membri e consumi", "Impianti FV", "Risultati", "Ripartizione",
               "Previsioni 3 giorni", "Scenari e dimensionamento")

#: Headline figures, metric labels and buttons whose text does not fit their box (cut with «…» or clipped).
OVERFLOW_JS = """() => {
  const out = [];
  const check = (sel) => document.querySelectorAll(sel).forEach(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0) return;                                  // not shown (a closed tab)
    if (el.scrollWidth > el.clientWidth + 1) out.push(sel + ': ' + el.innerText.trim().slice(0, 40));
  });
  check('[data-testid="stMain"] [data-testid="stMetricValue"] > div');
  check('[data-testid="stMain"] [data-testid="stMetricLabel"] p');
  check('[data-testid="stMain"] button p');
  check('[data-testid="stFileUploaderDropzoneInstructions"] span');
  check('[data-testid="stMain"] [data-testid="stButtonGroup"] > div');  // «Curve del contatore» cut at 1280
  return out;
}"""


#: Chart text a projector would show cut or stacked: a title or subtitle running past the chart's right edge,
#: a legend lying over the subtitle or over the x axis title (both seen in the first screenshots).
CHART_JS = """() => {
  const out = [];
  const hit = (a, b) => a && b && a.width > 0 && b.width > 0 && Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2
                        && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
  document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot').forEach(pl => {
    const box = pl.getBoundingClientRect();
    if (box.width === 0) return;                                // not shown (a closed tab)
    const rect = sel => { const e = pl.querySelector(sel); return e ? e.getBoundingClientRect() : null; };
    const title = pl.querySelector('.gtitle');
    const name = title ? title.textContent.slice(0, 40) : '(untitled)';
    for (const sel of ['.gtitle', '.gtitle-subtitle']) {
      const r = rect(sel);
      if (r && r.width > 0 && r.right > box.right + 1) out.push('cut ' + sel + ': ' + name);
    }
    const legend = rect('.infolayer .legend');
    if (hit(legend, rect('.gtitle-subtitle'))) out.push('legend over the subtitle: ' + name);
    if (hit(legend, rect('.g-xtitle text'))) out.push('legend over the x axis title: ' + name);
  });
  return out;
}"""


def _painted(page) -> None:
    """Wait until the browser has drawn what the run sent: no element placeholder left, the studio's CSS applied."""
    from playwright.sync_api import expect

    expect(page.locator("[data-testid='stSkeleton']")).to_have_count(0, timeout=60_000)
    page.wait_for_function("() => { const c = document.querySelector('[data-testid=\"stMainBlockContainer\"]');"
                           " return c && parseFloat(getComputedStyle(c).paddingLeft) < 48; }", timeout=60_000)


def _sized_page(browser, server, width: int, height: int, query: str = ""):
    from studio_driver import goto, new_page

    page = new_page(browser, width, height)
    page.set_default_timeout(60_000)
    goto(page, server.url + "/" + query)
    return page


def test_every_page_reads_fully_on_a_projector_and_a_laptop(browser, studio_server):
    """1280×720 with the sidebar open (a projector) and 1440×900: no headline figure, label or button cut.
    The screenshots are kept in /tmp/i12 to be looked at."""
    for width, height in SIZES:
        page = _sized_page(browser, studio_server, width, height)
        try:
            for i, label in enumerate(PAGE_LABELS):
                if i:
                    nav(page, label)
                _painted(page)
                if label in ("Panoramica", "Risultati", "Ripartizione"):
                    assert page.locator("[data-testid='stMain'] [data-testid='stMetricValue']").count() >= 4, label
                assert_no_exception(page)
                page.screenshot(path=f"{SHOTS}/page_{width}x{height}_{i}_{label.split()[0].lower()}.png")
                cut = page.evaluate(OVERFLOW_JS) + page.evaluate(CHART_JS)
                assert not cut, f"{label} at {width}×{height}: {cut}"
        finally:
            page.context.close()


def test_presentation_mode_a_clean_page_per_topic(browser, studio_server):
    from playwright.sync_api import expect

    for width, height in SIZES:
        page = _sized_page(browser, studio_server, width, height, "?present=1")
        try:
            main = page.locator("[data-testid='stMain']")
            expect(page.locator("h1").first).to_have_text("CER Naviglio Sud (demo)")
            expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
            for n, topic in enumerate(("La comunità", "I soldi", "Un membro")):
                if n:
                    before = mark(page)
                    main.get_by_role("radio", name=topic, exact=True).click()
                    wait_idle(page, since=before)
                expect(main.locator("[data-testid='stPlotlyChart']").first).to_be_visible(timeout=60_000)  # a loaded machine
                _painted(page)
                assert_no_exception(page)
                # nothing to edit: no tables to type in, no uploads, no text fields
                for testid in ("stDataFrame", "stFileUploader", "stTextInput", "stNumberInput"):
                    assert main.locator(f"[data-testid='{testid}']").count() == 0, (topic, testid)
                assert main.locator("[data-testid='stMetric']").count() >= 4
                assert main.locator("[data-testid='stPlotlyChart']").count() >= 1
                page.screenshot(path=f"{SHOTS}/present_{width}x{height}_{n}.png")
                cut = page.evaluate(OVERFLOW_JS) + page.evaluate(CHART_JS)
                assert not cut, f"{topic} at {width}×{height}: {cut}"
                if topic == "I soldi":
                    sale = metric_value(page, "Vendita dell'energia (produttori)")
            # the money page keeps the CER's money apart from what single members get outside it
            if width == 1440:
                before = mark(page)
                main.get_by_role("radio", name="I soldi", exact=True).click()
                wait_idle(page, since=before)
                expect(main.get_by_text("Fuori dalla CER", exact=False)).to_be_visible()
                page.emulate_media(media="print")        # the browser's print to A4: figures only, no controls
                expect(main.get_by_role("button", name="Esci")).to_be_hidden()
                expect(main.get_by_role("radio", name="I soldi", exact=True)).to_be_hidden()
                expect(main.locator("[data-testid='stMetricValue']").first).to_be_visible()
                page.screenshot(path=f"{SHOTS}/present_print_{width}.png", full_page=True)
                page.emulate_media(media="screen")
            before = mark(page)
            main.get_by_role("button", name="Esci").click()
            wait_idle(page, since=before)
            expect(page.locator("[data-testid='stSidebar']")).to_be_visible()
            # the same producers' sale on the projector as on the Panoramica (it showed the gross one)
            nav(page, "Panoramica")
            assert metric_value(page, "Vendita energia (produttori)") == sale
        finally:
            page.context.close()


def test_an_english_browser_gets_italian_numbers_in_the_italian_ui_and_its_own_in_english(browser, studio_server):
    """Editable tables format «localized» numbers with navigator.languages: the Italian UI sets it to it-IT
    (420,0 kWp, not 420.0), the English UI gives the browser's back. Also: the uploader speaks Italian. The
    screenshot shows the table («420,0», «Membro (POD)» with the PODs)."""
    from playwright.sync_api import expect
    from studio_driver import goto, track_runs

    ctx = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    track_runs(page)
    try:
        goto(page, studio_server.url)
        assert page.evaluate("() => navigator.languages[0]") == "it-IT"
        assert page.evaluate("() => new Intl.NumberFormat(navigator.languages).format(420.5)") == "420,5"
        hint = page.locator("[data-testid='stSidebar'] [data-testid='stFileUploaderDropzoneInstructions'] span").first
        assert "max 50 MB" in hint.evaluate("e => getComputedStyle(e, '::after').content")
        nav(page, "Impianti FV")
        expect(page.locator("[data-testid='stDataFrame'] [role='gridcell']").filter(has_text="fv-depuratore").first).to_be_attached()
        page.screenshot(path=f"{SHOTS}/impianti_en_browser_it_ui.png")
        before = mark(page)
        page.locator("[data-testid='stSidebar'] label").filter(has_text="English").click()
        wait_idle(page, since=before)
        assert page.evaluate("() => navigator.languages[0]") == "en-US"
    finally:
        ctx.close()


def test_a_deep_link_with_present_opens_the_presentation(browser, studio_server):
    from playwright.sync_api import expect

    page = _sized_page(browser, studio_server, 1280, 720, "risultati?present=1")
    try:
        expect(page.locator("h1").first).to_have_text("CER Naviglio Sud (demo)")
        expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
        expect(page.get_by_role("button", name="Esci")).to_be_visible()
        assert_no_exception(page)
    finally:
        page.context.close()
