"""CER Studio: the entry point (``streamlit run app.py``).

Registers the pages with fixed URL paths, draws what every page shares (language, the current
scenario and its state, open / save / new / demo) and runs the page the user chose.
"""

from __future__ import annotations

import streamlit as st

from studio import sidebar
from studio.i18n import t
from studio.ui import show_flash

st.set_page_config(page_title="CER Studio", page_icon=":material/solar_power:", layout="wide",
                   initial_sidebar_state="expanded")

PAGES = (
    ("pages/panoramica.py", "panoramica", ":material/dashboard:"),
    ("pages/mappa.py", "mappa", ":material/map:"),
    ("pages/membri.py", "membri", ":material/groups:"),
    ("pages/impianti.py", "impianti", ":material/solar_power:"),
    ("pages/risultati.py", "risultati", ":material/bar_chart:"),
)

navigation = st.navigation([st.Page(path, title=t(f"common.nav.{url}"), icon=icon, url_path=url, default=(i == 0))
                            for i, (path, url, icon) in enumerate(PAGES)])
sidebar.render()
show_flash()
navigation.run()
