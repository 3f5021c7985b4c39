"""Drive ``st.data_editor`` in AppTest like the browser does.

AppTest cannot edit a data editor (``set_value`` raises). The browser sends the editor's edits as its widget
value: a JSON string ``{"edited_rows": {"0": {column: value}}, "added_rows": [...], "deleted_rows": [...]}``.
:func:`edit_table` sends that string with the other widgets' values, so the page's ``on_change`` callback
runs with ``st.session_state[key]`` holding the edits, exactly as in the browser.
"""

from __future__ import annotations

import json


def edit_table(at, editor, edits: dict):
    """Rerun ``at`` as if the user made ``edits`` in ``editor`` (an element of ``at.data_editor``)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetStates
    from streamlit.testing.v1.element_tree import Widget

    states = WidgetStates()
    for node in at._tree:
        if isinstance(node, Widget) and node.proto.id != editor.proto.id:
            try:
                states.widgets.append(node._widget_state)
            except ValueError:      # a widget AppTest cannot serialise (a translated radio): left at its state
                pass
    widget = states.widgets.add()
    widget.id = editor.proto.id
    widget.string_value = json.dumps({
        "edited_rows": {str(k): v for k, v in (edits.get("edited_rows") or {}).items()},
        "added_rows": edits.get("added_rows") or [], "deleted_rows": edits.get("deleted_rows") or []})
    return at._run(states)
