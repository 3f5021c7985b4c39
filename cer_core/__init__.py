"""CER Studio calculation core: pure Python (numpy, pandas, pvlib), no Streamlit.

Entry points: :mod:`cer_core.api` (open, validate, run a scenario), :mod:`cer_core.export.files`
(results files) and the command line ``python -m cer_core``.
"""

__version__ = "0.1.0"
