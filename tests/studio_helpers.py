"""Helpers of the studio's tests: the fixture community, the demo's state, an AppTest on a page."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


from cer_core.workspace import SCENARIO_SCHEMA_ID, Workspace, open_workspace

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "studio" / "piccola_cer.zip"
APP = str(ROOT / "app.py")
WORKSPACE_KEY = "cer_workspace"


def fixture_workspace() -> Workspace:
    """The five-member Bolzano community (file loads and productions, two cabine)."""
    return open_workspace(FIXTURE)


def empty_workspace(year: int = 2025) -> Workspace:
    """A new community as the studio creates it: no members, no plants."""
    from cer_core.workspace import new_document

    return Workspace(doc=new_document("Comunità vuota", "Rozzano", year), origin="test")


@lru_cache(maxsize=1)
def demo_problems() -> tuple:
    """Why the embedded demo does not simulate (empty: it must simulate)."""
    from cer_core.api import demo_workspace
    from studio.components.compute import run_workspace

    return run_workspace(demo_workspace()).problems


def assert_demo_simulates() -> None:
    problems = demo_problems()
    assert not problems, "the embedded demo does not simulate: " + "; ".join(p.message("en") for p in problems[:3])


def _keep_navigation_v2() -> None:
    """Make AppTest rerun ``app.py`` like the real server does.

    AppTest resets ``PagesManager.uses_pages_directory`` before every run; since the studio's pages
    live in ``pages/``, the reruns then fall back to the old "pages directory" mode and run the page
    script alone (no ``app.py``, hence no sidebar). The real server keeps the flag that
    ``st.navigation`` set (False). This keeps it False in AppTest too.
    """
    import streamlit.testing.v1.app_test as app_test_module
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(app_test_module.PagesManager, "_cer_v2", False):
        return

    class NavigationPagesManager(PagesManager):
        _cer_v2 = True

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    app_test_module.PagesManager = NavigationPagesManager


def app_on(page: str | None, ws: Workspace | None = None, lang: str | None = None):
    """An AppTest of ``app.py`` showing ``page`` (e.g. ``"pages/membri.py"``) on workspace ``ws``."""
    from streamlit.testing.v1 import AppTest

    _keep_navigation_v2()
    at = AppTest.from_file(APP, default_timeout=60)
    if ws is not None:
        at.session_state[WORKSPACE_KEY] = ws
    if lang:
        at.session_state["lang"] = lang
    at.run()
    if page and page != "pages/panoramica.py":
        at.switch_page(page)
        at.run()
    return at


def texts(at) -> str:
    """Every text of the page (markdown, captions, titles, alerts, metrics) in one string, for `in` checks."""
    parts = []
    for group in (at.title, at.header, at.subheader, at.markdown, at.caption, at.error, at.warning, at.info,
                  at.success):
        parts.extend(str(e.value) for e in group)
    parts.extend(f"{m.label} {m.value}" for m in at.metric)
    return "\n".join(parts)


def assert_clean(at) -> None:
    """No exception box on the page."""
    assert not at.exception, [e.value for e in at.exception]


__all__ = ["FIXTURE", "SCENARIO_SCHEMA_ID", "app_on", "assert_clean", "empty_workspace", "fixture_workspace",
           "assert_demo_simulates", "texts"]
