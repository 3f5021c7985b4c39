"""Every page runs inside the frame drawn by ``app.py``.

With a ``pages/`` folder, Streamlit runs a page script on its own (no ``app.py``, hence no sidebar,
no page config) when a fresh server's first request is a deep link such as ``/mappa``, until
``st.navigation`` has run once. Pages call :func:`ensure` first: such a request is sent through
``app.py``, which then opens the page that was asked for.
"""

from __future__ import annotations

import streamlit as st

SEEN_KEY = "_cer_frame_seen"
DEEP_LINK_KEY = "_cer_deep_link"


def mark() -> None:
    """Called by ``app.py`` before running the page: the frame is drawn in this session."""
    st.session_state[SEEN_KEY] = True


def ensure(url_path: str) -> None:
    """Called first by every page: without the frame, go through ``app.py`` and come back here."""
    if not st.session_state.get(SEEN_KEY):
        st.session_state[DEEP_LINK_KEY] = url_path
        # a projector link (/risultati?present=1) stays a presentation (studio/components/look.py)
        keep = {k: v for k, v in st.query_params.to_dict().items() if k == "present"}
        st.switch_page("app.py", query_params=keep or None)


def pending_deep_link() -> str | None:
    """The url path a deep link asked for before the frame existed (consumed once)."""
    return st.session_state.pop(DEEP_LINK_KEY, None)
