"""Mappa: members, PV roofs and cabine primarie on a map (the page is built in studio/map_page.py)."""

from studio.map_page import render

render()
