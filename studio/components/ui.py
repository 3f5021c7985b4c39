"""Small Streamlit helpers shared by the pages: problems, figures, metrics, flash messages."""

from __future__ import annotations

import hashlib
import json
from typing import Iterable

import plotly.graph_objects as go
import streamlit as st

from cer_core.errors import Problem

from ..pure.format import fmt_number, parse_number
from .i18n import current_lang, t
from ..pure.mdsafe import md, md_fmt

FLASH_KEY = "cer_flash"
#: How many problems are listed one per line before the rest go into an expander.
MAX_PROBLEM_LINES = 12
#: How many more the expander lists (the rest is only counted: the page stays small, docs/limits.md).
MAX_PROBLEMS_LISTED = 100
PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True}


def _said(problem: Problem, lang: str, names: bool = True) -> str:
    """A problem as the studio says it: no JSON path, no exception class; with ``names``, the member or plant
    of the current community by name (not for a refused upload: its members are not the community's)."""
    from ..pure.plain import user_message
    from .state import get_workspace

    doc = None
    if names:
        try:
            doc = get_workspace().doc
        except Exception:  # noqa: BLE001 - outside a session (bare mode): the place without names
            doc = None
    return user_message(problem, lang, doc)


def show_problems(problems: Iterable[Problem], *, limit: int = MAX_PROBLEM_LINES) -> None:
    """Each problem as one ``st.error`` (or ``st.warning``) line; the tail in an expander."""
    lang = current_lang()
    items = list(problems)
    for p in items[:limit]:
        (st.error if p.severity == "error" else st.warning)(md(_said(p, lang), 400), icon=":material/error:"
                                                           if p.severity == "error" else ":material/warning:")
    if len(items) > limit:
        with st.expander(t("common.problems.more", n=len(items) - limit)):
            # bounded: a file with 10,000 bad rows must not make a page of millions of characters
            st.markdown("\n".join(f"- {md(_said(p, lang), 400)}" for p in items[limit:limit + MAX_PROBLEMS_LISTED]))
            if len(items) > limit + MAX_PROBLEMS_LISTED:
                st.caption(t("common.problems.more", n=len(items) - limit - MAX_PROBLEMS_LISTED))


def flash(kind: str, text: str) -> None:
    """Queue a message for the next run (callbacks cannot draw)."""
    st.session_state.setdefault(FLASH_KEY, []).append((kind, text))


def flash_refused(headline: str, problems) -> None:
    """Queue an upload's refusal: the headline, then one error line per problem."""
    flash("error", headline)
    lang = current_lang()
    problems = list(problems)
    for p in problems[:MAX_PROBLEM_LINES]:
        flash("error", md(_said(p, lang, names=False), 400))
    if len(problems) > MAX_PROBLEM_LINES:
        flash("error", t("common.problems.more", n=len(problems) - MAX_PROBLEM_LINES))


def show_flash() -> None:
    """Draw and forget the queued messages."""
    for kind, text in st.session_state.pop(FLASH_KEY, []):
        {"error": st.error, "warning": st.warning, "success": st.success}.get(kind, st.info)(text)


def chart(fig: go.Figure, key: str) -> None:
    """A plotly figure with the studio's settings (no plotly toolbar: its tooltips are English only)."""
    st.plotly_chart(fig, key=key, theme=None, config=PLOTLY_CONFIG)


def note_messages(notes: list[tuple[str, dict]]) -> None:
    """Queue the notes returned by the table merges as info messages (a refused value, ``….note.refused…``,
    as a warning; past :data:`MAX_PROBLEM_LINES` of them, one line with how many more: a pasted column of
    wrong values must not bury the page)."""
    refused = 0
    for key, fmt in notes:
        if ".note.refused" in key:
            refused += 1
            if refused > MAX_PROBLEM_LINES:
                continue
        # an argument named ``…_key`` is a catalogue key (a column's label), shown translated as ``…``
        fmt = {(k[:-4] if k.endswith("_key") else k): (t(v) if k.endswith("_key") else v) for k, v in fmt.items()}
        flash("warning" if ".note.refused" in key else "info", t(key, **md_fmt(fmt)))
    if refused > MAX_PROBLEM_LINES:
        flash("warning", t("common.problems.more", n=refused - MAX_PROBLEM_LINES))


def widget_key(prefix: str, obj) -> str:
    """A widget key that changes when ``obj`` (what the widget shows) changes in the document, so a
    widget seeded from the scenario is re-created when the scenario changes elsewhere."""
    digest = hashlib.sha1(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:10]
    return f"{prefix}_{digest}"


def lang_key(prefix: str, obj=None) -> str:
    """:func:`widget_key` that also changes with the language.

    For every widget whose options are shown through a translated ``format_func``: Streamlit keeps a
    keyed widget across reruns and matches its value by the *shown label*, so after a language switch
    the old label no longer matches and the widget reports it as a new value (the label itself), which
    a write-back callback would store in the scenario. A widget per language is seeded afresh from the
    scenario instead.
    """
    return widget_key(prefix, [obj, current_lang()])


def _remember(key: str, store: str, options: tuple, then) -> None:
    value = st.session_state.get(key)
    if value not in options:
        return  # not one of the options (a stale label): keep the remembered choice
    st.session_state[store] = value
    if then is not None:
        then(value)


def remembered_choice(widget, label: str, options, *, store: str, default=None, on_change=None, **kwargs):
    """A selectbox / radio / segmented control whose choice survives page and language switches.

    The choice lives in the plain session key ``store`` (widget state is dropped when the user leaves
    the page); the widget has one key per language (see :func:`lang_key`) and is seeded from ``store``.
    ``on_change(value)`` runs after a valid choice (never with a value outside ``options``).

    Parameters
    ----------
    widget : callable
        ``st.selectbox``, ``st.radio`` or ``st.segmented_control`` (or a container's).
    options : sequence
    store : str
        Session key of the remembered choice.
    default
        The choice when nothing valid is remembered (the first option if not among ``options``).

    Returns
    -------
    The current choice (always one of ``options``).
    """
    options = tuple(options)
    current = st.session_state.get(store)
    if current not in options:
        current = default if default in options else options[0]
        st.session_state[store] = current
    key = f"{store}__{current_lang()}"
    seed = {"default": current, "required": True} if widget.__name__ == "segmented_control" else \
        {"index": options.index(current)}
    value = widget(label, options, key=key, on_change=_remember, args=(key, store, options, on_change),
                   **seed, **kwargs)
    return value if value in options else current


def _remember_tab(key: str, store: str, labels: list[str]) -> None:
    label = st.session_state.get(key)
    if label in labels:
        st.session_state[store] = labels.index(label)


def remembered_tabs(labels: list[str], store: str):
    """``st.tabs`` that reopen on the tab the user was reading, after a page or a language switch.

    The open tab's position lives in the plain session key ``store``; the tabs have one key per
    language (their labels are translated) and rerun on change, so only the open tab needs drawing
    (``tab.open``).
    """
    labels = list(labels)
    index = st.session_state.get(store, 0)
    index = index if isinstance(index, int) and 0 <= index < len(labels) else 0
    key = f"{store}__{current_lang()}"
    return st.tabs(labels, default=labels[index], key=key, on_change=_remember_tab, args=(key, store, labels))


def number_text(value, decimals: int, lang: str) -> str:
    """``value`` as a number field shows it: up to ``decimals`` decimals, no trailing zeros (``4,5``, ``420``)."""
    text = fmt_number(value, decimals, lang)
    mark = "." if lang == "en" else ","
    return text.rstrip("0").rstrip(mark) if mark in text else text


def checked_number(text, label: str, low: float, high: float) -> tuple[float | None, str | None]:
    """A typed number and whether it can be used: ``(value, None)``, or ``(None, sentence)`` saying why not."""
    lang = current_lang()
    value, _ = parse_number(text, lang)
    if value is None:
        return None, t("common.number.not_a_number", label=label, text=str(text or "").strip())
    if not low <= value <= high:
        return None, t("common.number.out_of_range", label=label, value=number_text(value, 6, lang),
                       low=number_text(low, 6, lang), high=number_text(high, 6, lang))
    return value, None


def _on_number(key: str, resets: str, label: str, bounds: tuple[float, float], then, args: tuple) -> None:
    value, refusal = checked_number(st.session_state.get(key), label, *bounds)
    if refusal is None:
        then(*args, value)
        return
    flash("error", refusal)
    st.session_state[resets] = st.session_state.get(resets, 0) + 1  # the field shows the kept value again


def number_field(container, label: str, value, *, key: str, on_value, args: tuple = (), min_value: float,
                 max_value: float, decimals: int = 1, help: str | None = None) -> str:
    """A number typed the way people type it (``4,5``, ``1.234,5``, ``3.500``, ``4.5``), for fields with decimals.

    ``st.number_input`` is an HTML number field: in a browser not set to Italian it silently drops the
    comma, so ``4,5`` kWp becomes 45 kWp and ``3.500`` kWh becomes 3,5 kWh. This is a text field read
    by :func:`studio.pure.format.parse_number`; a valid value within bounds calls ``on_value(*args, value)``,
    anything else shows one sentence, leaves the scenario as it was and shows its value again. Returns the
    widget's key.
    """
    lang = current_lang()
    shown = number_text(value, decimals, lang) if value is not None else ""
    resets = f"{key}__refused"
    k = widget_key(key, [value, lang, st.session_state.get(resets, 0)])
    container.text_input(label, value=shown, key=k, on_change=_on_number, help=help,
                         args=(k, resets, label, (min_value, max_value), on_value, args))
    return k


def number_in_field(key: str, fallback: float) -> float:
    """The number a :func:`number_field` holds right now (``fallback`` when its text is not a number)."""
    value, _ = parse_number(st.session_state.get(key), current_lang())
    return fallback if value is None else value


def styled(frame, formats: dict):
    """``frame`` with display formats per column (``{column: value -> text}``), for ``st.dataframe``:
    numbers stay numbers (the table still sorts by value) but read the Italian way."""
    present = {k: f for k, f in formats.items() if k in frame.columns}
    # st.dataframe prints "None" in an empty cell whatever the Styler says: a column with gaps is shown as
    # its formatted text instead (it then sorts as text), the gaps as "–"
    gaps = [k for k in present if frame[k].isna().any()]
    if gaps:
        frame = frame.copy()
        for k in gaps:
            fmt = present.pop(k)
            frame[k] = ["–" if v is None or v != v else fmt(v) for v in frame[k].tolist()]
    return frame.style.format(present, na_rep="–")


def progress_bars(progress: list[dict], lang: str) -> None:
    """Progress towards a target (checks with ``kind: progress``) as bars with their sentence, not as failures."""
    for c in progress:
        value, target = float(c.get("value") or 0.0), float(c.get("target") or 1.0)
        st.progress(max(0.0, min(value / target if target > 0 else 0.0, 1.0)),
                    text=t("common.progress_towards", text=md(c.get(lang) or c.get("it", ""), 400)))
