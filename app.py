"""CER Studio: the entry point (``streamlit run app.py``).

Registers the pages with fixed URL paths, draws what every page shares (language, the current
scenario and its state, open / save / new / demo) and runs the page the user chose.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from studio.components import frame, look, present, sidebar, state
from studio.components.i18n import t
from studio.components.ui import show_flash

ICON = Path(__file__).resolve().parent / "assets" / "icon.png"  # local: no icon font from the internet

st.set_page_config(page_title="CER Studio", page_icon=str(ICON), layout="wide",
                   initial_sidebar_state="expanded")

PAGES = (
    ("pages/panoramica.py", "panoramica", ":material/dashboard:"),
    ("pages/mappa.py", "mappa", ":material/map:"),
    ("pages/membri.py", "membri", ":material/groups:"),
    ("pages/impianti.py", "impianti", ":material/solar_power:"),
    ("pages/risultati.py", "risultati", ":material/bar_chart:"),
    ("pages/ripartizione.py", "ripartizione", ":material/pie_chart:"),
    ("pages/previsioni.py", "previsioni", ":material/partly_cloudy_day:"),
    ("pages/scenari.py", "scenari", ":material/compare_arrows:"),
)

# The first page is the default one, served at "/" (Streamlit ignores a default page's url_path, which
# must only be unique); "/panoramica", typed or bookmarked, is a hidden page that goes to "/" instead of
# Streamlit's "Page not found".
pages = {url: st.Page(path, title=t(f"common.nav.{url}"), icon=icon, url_path=f"{url}-home" if i == 0 else url,
                      default=(i == 0))
         for i, (path, url, icon) in enumerate(PAGES)}
DEFAULT_URL = PAGES[0][1]


def _to_the_default_page() -> None:
    st.switch_page(pages[DEFAULT_URL])


default_alias = st.Page(_to_the_default_page, title=t(f"common.nav.{DEFAULT_URL}"), url_path=DEFAULT_URL,
                        visibility="hidden")
presenting = look.presenting()  # ?present=1: a clean page per topic, no sidebar, no editing (studio/components/present.py)
navigation = st.navigation([*pages.values(), default_alias], position="hidden" if presenting else "sidebar")
state.prune_stale_widget_metadata()  # widget callbacks of earlier runs kept their pages alive
state.release_freed_memory()  # ... and so did their reference cycles: bounded server memory
frame.mark()
look.apply(presenting)
deep_link = frame.pending_deep_link()
if deep_link in pages and deep_link != navigation.url_path and not presenting:
    st.switch_page(pages[deep_link])
if presenting:
    present.render()
    st.stop()
sidebar.render()
show_flash()
navigation.run()
