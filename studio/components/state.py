"""The one scenario of the session.

The :class:`cer_core.workspace.Workspace` (scenario document + uploaded files) lives in
``st.session_state[WORKSPACE_KEY]``. Widgets are seeded from it and write back through
:func:`edit_doc`, which replaces the workspace with an edited copy: the simulation cache is keyed by
the workspace digest, so every edit re-simulates by itself.
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from cer_core.api import demo_workspace
from cer_core.workspace import Workspace

WORKSPACE_KEY = "cer_workspace"
#: Session keys that describe the current community only (e.g. meter import reports per member id):
#: forgotten when another community replaces it.
METER_REPORTS_KEY = "meter_reports"
COMMUNITY_KEYS = (METER_REPORTS_KEY,)


def get_workspace() -> Workspace:
    """The session's workspace (the embedded demo on first use)."""
    if WORKSPACE_KEY not in st.session_state:
        st.session_state[WORKSPACE_KEY] = demo_workspace()
    return st.session_state[WORKSPACE_KEY]


def set_workspace(ws: Workspace) -> None:
    """Replace the session's workspace (an edited copy; another community goes through :func:`replace_community`)."""
    st.session_state[WORKSPACE_KEY] = ws


def replace_community(ws: Workspace) -> None:
    """Open another community (open, new, demo): its workspace, without the previous one's reports."""
    for key in COMMUNITY_KEYS:
        st.session_state.pop(key, None)
    set_workspace(ws)


def edit_doc(mutate: Callable[[dict], None]) -> Workspace:
    """Apply ``mutate(doc)`` to a copy of the scenario document and make it the session's workspace."""
    new = get_workspace().copy()
    mutate(new.doc)
    set_workspace(new)
    return new


def add_file(path: str, data: bytes) -> str:
    """Store an uploaded file in the workspace (kept in the saved bundle); returns its relative path."""
    new = get_workspace().copy()
    rel = new.add_file(path, data)
    set_workspace(new)
    return rel


def set_doc(doc: dict) -> Workspace:
    """Make ``doc`` (an edited copy of the scenario document) the session's document, files kept."""
    new = get_workspace().copy()
    new.doc = doc
    set_workspace(new)
    return new


def prune_stale_widget_metadata() -> int:
    """Forget the widget metadata of widgets that no longer exist; returns how many were dropped.

    Streamlit keeps every widget's metadata (its callback, the callback's arguments, its serialiser) for
    the whole session, even after the widget is gone. The studio's widget keys follow the document
    (:func:`studio.components.ui.widget_key`), so every edit creates new widgets, and the old metadata's callbacks and
    lambdas keep the earlier runs' page variables (workspace, simulation outcome) alive: ≈ 19 MB per edit on
    the demo, without bound. Called by ``app.py`` at the start of every run, after Streamlit has run the
    callbacks and dropped the stale widgets' values: metadata of an id with no value left is not used again.
    """
    from streamlit.runtime.state.session_state_proxy import get_session_state

    inner = getattr(get_session_state(), "_state", None)
    widgets = getattr(inner, "_new_widget_state", None)
    metadata = getattr(widgets, "widget_metadata", None)
    if not isinstance(metadata, dict):  # another Streamlit version: nothing to prune, nothing broken
        return 0
    live = set(getattr(widgets, "states", {})) | set(getattr(inner, "_old_state", {}))
    stale = [wid for wid in metadata if wid not in live]
    for wid in stale:
        del metadata[wid]
    return len(stale)


_FROZEN = False


def release_freed_memory() -> None:
    """Free the earlier runs' garbage now and give the freed pages back to the system.

    Each run's page namespace is a reference cycle (its functions point to its globals), which only
    Python's full collection frees, and with the ≈ 200,000 long-lived objects of a Streamlit server full
    collections come rarely: the earlier runs' workspaces and outcomes pile up in between. So every run
    collects, after freezing once (:func:`gc.freeze`) what exists at the first run (modules, Streamlit),
    which makes the collection scan only the objects made since (≈ 1 ms instead of ≈ 0.2 s). Then, on
    glibc, ``malloc_trim`` returns the freed pages, which the script threads' arenas would otherwise keep.
    """
    import ctypes
    import ctypes.util
    import gc
    import sys

    global _FROZEN
    gc.collect()
    if not _FROZEN:
        gc.freeze()
        _FROZEN = True
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # musl or no libc: nothing to trim
        return
