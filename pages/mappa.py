"""Mappa: placeholder until the map helper's page is merged (members, roofs and cabine on a map)."""

import streamlit as st

from studio.i18n import t

st.title(t("common.nav.mappa"))
