"""The studio's look for meetings: every page readable on a projector (1280×720 with the sidebar open) and a
laptop (1440×900), a presentation mode, and printing to A4.

Streamlit's wide layout keeps 5 rem of padding on each side and 6 rem above the title, and ``st.metric``
cuts its value with an ellipsis («1,23 …», «32.92…») when the column is narrow. The CSS here trims the
padding, lets a metric's value shrink with the window (and wrap rather than be cut), and lets labels and
buttons wrap. Presentation mode (``?present=1`` or the sidebar's toggle) hides the sidebar and every
editing widget: :mod:`studio.components.present` draws one clean page per topic with large figures.
"""

from __future__ import annotations

import streamlit as st

#: The URL query parameter of presentation mode (``?present=1``): a link to give a colleague at the projector.
PRESENT_PARAM = "present"

#: Always: room for the content at 1280×720 and headline figures never cut.
BASE_CSS = """
[data-testid="stMainBlockContainer"] { padding: 2.25rem 1.75rem 3rem 1.75rem; }
[data-testid="stMetricValue"] { font-size: clamp(1.25rem, 2vw, 2.25rem); }
[data-testid="stMetricValue"] > div { white-space: normal; overflow: visible; text-overflow: clip;
                                       overflow-wrap: anywhere; line-height: 1.15; }
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div { white-space: normal; overflow: visible;
                                                                      text-overflow: clip; }
[data-testid="stMain"] button p { white-space: normal; overflow: visible; text-overflow: clip; word-break: normal;
                                   overflow-wrap: normal; }
[data-testid="stMain"] [data-testid="stButtonGroup"] button { height: auto; min-height: 2.5rem; }
[data-testid="stMain"] [data-testid="stButtonGroup"] > div { flex-wrap: wrap; }
[data-testid="stElementContainer"]:has(.cer-locale) { display: none; }
@media print {
  @page { size: A4; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header, [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stStatusWidget"], [data-testid="stFileUploader"],
  [data-testid="stBaseButton-secondary"], [data-testid="stBaseButton-primary"], [data-testid="stPageLink"],
  [data-testid="stButtonGroup"], [data-testid="stSegmentedControl"], .cer-no-print { display: none !important; }
  [data-testid="stMain"], [data-testid="stAppViewContainer"] { margin-left: 0 !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stMetricValue"] { font-size: 1.5rem; }
  [data-testid="stMetric"], [data-testid="stPlotlyChart"], [data-testid="stVerticalBlockBorderWrapper"] {
    break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
}
"""

#: Presentation mode: no sidebar, large figures and charts.
PRESENT_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1.25rem 2.5rem 2rem 2.5rem; max-width: 100%; }
[data-testid="stMetricValue"] { font-size: clamp(1.8rem, 3.4vw, 3.6rem); font-weight: 600; }
[data-testid="stMetricLabel"] p { font-size: clamp(0.95rem, 1.25vw, 1.35rem); }
[data-testid="stMain"] h1 { font-size: clamp(2rem, 3.2vw, 3.2rem); padding-top: 0; }
"""


def presenting() -> bool:
    """True in presentation mode (``?present=1`` in the URL)."""
    try:
        return st.query_params.get(PRESENT_PARAM) == "1"
    except Exception:  # noqa: BLE001 - no query parameters outside a browser session (bare mode)
        return False


def set_presenting(on: bool) -> None:
    """Enter or leave presentation mode (the URL says it, so a reload or a shared link keeps it)."""
    if on:
        st.query_params[PRESENT_PARAM] = "1"
    elif PRESENT_PARAM in st.query_params:
        del st.query_params[PRESENT_PARAM]


#: Streamlit's file uploader speaks English whatever the page («Upload», «200MB per file • CSV»): on Italian
#: pages its button and hint are replaced by CSS (the only way the widget allows); each uploader's limit is
#: enforced by the studio with its own sentence.
UPLOADER_CSS = """
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: %(button)s; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; white-space: normal; overflow: visible;
                                                      text-overflow: clip; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after { content: %(hint)s; font-size: 0.8rem;
                                                             white-space: normal; }
"""


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def uploader_css(lang: str) -> str:
    """The uploader's button and hint in ``lang`` (empty for English: Streamlit's own words)."""
    if lang == "en":
        return ""
    from .i18n import t

    return UPLOADER_CSS % {"button": _css_string(t("common.upload_button")), "hint": _css_string(t("common.upload_hint"))}


#: The browser languages Streamlit's tables format numbers with (``navigator.languages``: an editable table's
#: «localized» numbers), by UI language: «420,0» in the Italian UI even in an English browser. None: the
#: browser's own.
TABLE_LOCALES = {"it": ["it-IT", "it"], "en": None}

LOCALE_JS = """<span class="cer-locale"></span><script>
(function () {
  const want = %s;
  const nav = window.navigator;
  if (want) {
    Object.defineProperty(nav, "languages", {get: () => want.slice(), configurable: true});
    Object.defineProperty(nav, "language", {get: () => want[0], configurable: true});
  } else {
    delete nav.languages;
    delete nav.language;
  }
})();
</script>"""


def locale_script(lang: str) -> str:
    """The script that makes the page's tables format numbers the way ``lang`` writes them."""
    import json

    return LOCALE_JS % json.dumps(TABLE_LOCALES.get(lang))


def apply(present: bool = False) -> None:
    """Inject the studio's CSS (and presentation mode's when ``present``); takes no room on the page.

    The number locale of the tables is set from the sidebar (a script element takes a line there, not in
    the page)."""
    from .i18n import current_lang

    lang = current_lang()
    st.html(f"<style>{BASE_CSS}{uploader_css(lang)}{PRESENT_CSS if present else ''}</style>")
    with st.sidebar:
        st.html(locale_script(lang), unsafe_allow_javascript=True)
