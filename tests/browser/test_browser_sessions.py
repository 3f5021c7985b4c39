"""Two people on one shared server (issue 17): neither sees the other's names, files or results.

Two browser contexts are two Streamlit sessions. Session A opens a community with private names under a
private file name; session B first opens the *same bytes* under another name (the simulation cache is
shared, keyed on content: B's results must still carry B's file name), then a different community.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from studio_driver import ROOT, assert_no_exception, goto, mark, nav, new_page, upload_in_sidebar, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FIXTURE = ROOT / "tests" / "data" / "studio" / "piccola_cer.zip"
SECRET_NAME, SECRET_MEMBER, SECRET_FILE = "CER Alfa riservata", "Mario Segretissimo", "alfa_riservata.zip"


def community(name: str, member: str) -> bytes:
    """The fixture bundle renamed, its first member renamed."""
    with zipfile.ZipFile(FIXTURE) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    doc = json.loads(entries["scenario.json"])
    doc["name"], doc["members"][0]["name"] = name, member
    entries["scenario.json"] = json.dumps(doc).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in entries.items():
            zf.writestr(n, data)
    return buf.getvalue()


def page_text(page) -> str:
    return page.locator("[data-testid='stApp']").inner_text()


def results_summary(page, tmp_path, tag: str) -> dict:
    """The summary.json of the results zip the page offers for download."""
    nav(page, "Risultati")
    tab = page.locator("[data-testid='stMain'] [data-testid='stTab']").filter(has_text="Scarica")
    if tab.get_attribute("aria-selected") != "true":          # the page remembers the tab: a click reruns
        before = mark(page)
        tab.click()
        wait_idle(page, since=before)
    with page.expect_download() as info:
        page.get_by_role("button", name="File dei risultati (.zip)").click()
    target = tmp_path / f"{tag}.zip"
    info.value.save_as(target)
    with zipfile.ZipFile(target) as zf:
        return json.loads(zf.read("summary.json"))


def test_two_sessions_never_see_each_others_names_files_or_results(browser, studio_server, tmp_path):
    secret = tmp_path / SECRET_FILE
    secret.write_bytes(community(SECRET_NAME, SECRET_MEMBER))
    same_bytes = tmp_path / "beta_stessi_byte.zip"
    same_bytes.write_bytes(secret.read_bytes())
    other = tmp_path / "beta.zip"
    other.write_bytes(community("CER Beta pubblica", "Lucia Pubblica"))
    a, b = new_page(browser), new_page(browser)
    try:
        goto(a, studio_server.url)
        goto(b, studio_server.url)
        upload_in_sidebar(a, secret)
        assert_no_exception(a)
        assert SECRET_NAME in page_text(a)
        summary_a = results_summary(a, tmp_path, "a")
        assert summary_a["scenario"]["origin"] == SECRET_FILE

        # B opens the very same bytes under its own name: the cached simulation must not leak A's file name
        upload_in_sidebar(b, same_bytes)
        assert_no_exception(b)
        summary_b = results_summary(b, tmp_path, "b")
        assert summary_b["scenario"]["origin"] == "beta_stessi_byte.zip"
        assert SECRET_FILE not in json.dumps(summary_b)
        assert str(tmp_path) not in json.dumps(summary_b) and str(tmp_path) not in json.dumps(summary_a)

        # B opens another community: nothing of A anywhere on B's pages, and A still has its own
        upload_in_sidebar(b, other)
        for label in ("Panoramica", "Membri e consumi", "Risultati"):
            nav(b, label)
            assert_no_exception(b)
            text = page_text(b)
            assert "CER Beta pubblica" in text or label != "Panoramica"
            for private in (SECRET_NAME, SECRET_MEMBER, "alfa_riservata", "Segretissimo"):
                assert private not in text, (label, private)
        summary_b2 = results_summary(b, tmp_path, "b2")
        assert summary_b2["scenario"]["name"] == "CER Beta pubblica"
        assert not re.search("Alfa|Segretissimo|alfa_riservata", json.dumps(summary_b2))
        nav(a, "Panoramica")
        text_a = page_text(a)
        assert SECRET_NAME in text_a and "CER Beta pubblica" not in text_a and "Lucia Pubblica" not in text_a
    finally:
        a.context.close()
        b.context.close()
