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
