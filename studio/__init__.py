"""Streamlit-side helpers of CER Studio: i18n, session state, the caching adapter over cer_core.

Only `app.py`, `pages/` and this package import Streamlit; business logic stays in `cer_core`.
"""
