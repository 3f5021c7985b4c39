"""Mappa: members, PV roofs and cabine primarie on a map (the page is built in studio/map_page.py)."""

from studio.map_page import render
from studio.frame import ensure as ensure_frame

ensure_frame("mappa")  # a deep link on a fresh server goes through app.py first

render()
