"""Pure studio helpers: tables, figures, formatting and map models. Never import Streamlit
(tests/test_layering.py), so they are tested without a server."""
