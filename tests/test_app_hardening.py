"""The studio under hostile files and names (issue 17): a sentence, never an exception box; user strings as text."""

import json

import pytest

from studio.pure.mdsafe import md
from studio.components.state import WORKSPACE_KEY
from studio_helpers import app_on, assert_clean, fixture_workspace, texts
from test_app_frame import open_file
from test_hardening import DAMAGES, bundle, padded_scenario_bundle, patch_entry

IMAGE = "![t](https://evil.example/track.png)"
LINK = "[clic](https://evil.example/x)"


def _open_still_there(at) -> bool:
    return any(u.key.startswith("open_uploader_") for u in at.sidebar.file_uploader)


@pytest.mark.parametrize("damage", ["crc", "deflate", "encrypted", "unknown_method", "declared_smaller"])
def test_a_damaged_bundle_is_a_sentence_and_the_sidebar_stays(damage):
    ws = fixture_workspace()
    at = app_on(None, ws)
    open_file(at, "rotto.zip", patch_entry(bundle(), "series/a.csv", **DAMAGES[damage]))
    assert_clean(at)                                              # no exception box
    errors = [e.value for e in at.error]
    assert errors[0] == "Il file «rotto.zip» non è stato aperto:"
    assert any("voce del pacchetto danneggiata" in e for e in errors[1:]), errors
    assert at.session_state[WORKSPACE_KEY] is ws and _open_still_there(at)


@pytest.mark.parametrize("name, data, expected", [
    ("bomba.zip", padded_scenario_bundle(50 * 1024 * 1024), "troppo grande"),
    ("profondo.json", b"[" * 100_000 + b"]" * 100_000, "annidato oltre"),
    ("oggetti.json", b'{"a":' * 5000 + b"1" + b"}" * 5000, "annidato oltre"),
])
def test_bombs_and_deep_json_are_a_sentence(name, data, expected):
    ws = fixture_workspace()
    at = app_on(None, ws)
    open_file(at, name, data)
    assert_clean(at)
    assert any(expected in e.value for e in at.error), [e.value for e in at.error]
    assert at.session_state[WORKSPACE_KEY] is ws and _open_still_there(at)


def test_markdown_in_user_strings_is_shown_as_text():
    ws = fixture_workspace()
    ws.doc["name"] = "CER " + IMAGE
    ws.doc["description"] = "vedi " + LINK + " e https://evil.example/y"
    ws.doc["members"][0]["name"] = LINK
    at = app_on(None, ws)
    assert_clean(at)
    assert at.title[0].value == md("CER " + IMAGE)
    page = texts(at)
    for raw in (IMAGE, LINK, "https://evil.example"):
        assert raw not in page                                    # only the escaped form reaches markdown
    assert "\\![t\\](https:\\/\\/evil.example/track.png)" in page


def test_a_long_field_does_not_make_a_long_page():
    doc = fixture_workspace().doc
    doc["name"] = "n" * 200_000
    for m in doc["members"]:
        m["cabina"] = "c" * 100_000
    at = app_on(None, fixture_workspace())
    open_file(at, "lungo.json", json.dumps(doc).encode())
    assert_clean(at)
    assert sum(len(str(e.value)) for e in at.error) < 10_000


def test_communities_above_the_limit_get_a_sentence(monkeypatch):
    from cer_core import limits
    from studio.components import compute

    monkeypatch.setattr(limits, "MAX_MEMBERS", 3)
    compute._simulate_cached.clear()                              # the fixture may be cached by another test
    try:
        at = app_on(None, fixture_workspace())
        assert_clean(at)
        assert "al massimo 3 per comunità" in texts(at)
    finally:
        compute._simulate_cached.clear()                          # nor may this refusal stay for the next test


def test_thousands_of_problems_make_a_short_page():
    doc = fixture_workspace().doc
    doc["members"] = [{"id": f"m{i}"} for i in range(900)]          # kind, category, cabina missing: 2,700 problems
    at = app_on(None, fixture_workspace())
    open_file(at, "molti.json", json.dumps(doc).encode())
    assert_clean(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 + 12 + 1 and errors[-1].startswith("Altri ")
    assert sum(len(e) for e in errors) < 5_000
    # issue 12: the place in words (a refused file's members are not the community's: numbered, not named)
    assert errors[1:4] == ["membro 1: manca il campo obbligatorio «kind»", "membro 1: manca il campo obbligatorio "
                           "«category»", "membro 1: manca il campo obbligatorio «cabina»"]
