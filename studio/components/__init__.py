"""Streamlit components of the studio: state, cache, sidebar, frame, forms and widgets."""
