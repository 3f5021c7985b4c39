"""The studio server's memory stays bounded however many edits are made (issue 16).

Widget callbacks used to keep every earlier run's page variables (workspace, simulated year) alive, and
the simulation cache kept 24 full years: ≈ 19 MB more per edit on the demo, without bound. This drives
100 edits of the demo (each a new scenario, hence a new simulation) through the real ``app.py`` and checks
the process's resident memory after the last ones stays within 1.5× of its memory after the first result.
"""

from __future__ import annotations

import pytest
from studio_helpers import app_on, assert_demo_simulates

pytestmark = pytest.mark.slow

EDITS = 100
BOUND = 1.5


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not __import__("pathlib").Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_memory_bounded_after_100_edits():
    assert_demo_simulates()
    at = app_on("pages/impianti.py")
    assert not at.exception
    first = _rss_mb()
    seen = []
    for i in range(EDITS):
        field = next(w for w in at.text_input if w.key and w.key.startswith("grant_fv-depuratore"))
        field.set_value(str(i)).run()  # a new grant share: a new scenario, a new simulation
        assert not at.exception, f"edit {i}: {at.exception[0].value}"
        seen.append(_rss_mb())
    worst = max(seen[-20:])
    assert worst <= BOUND * first, (f"server memory grew from {first:.0f} MB after the first result to "
                                    f"{worst:.0f} MB after {EDITS} edits (bound {BOUND}×); by tens: "
                                    + ", ".join(f"{m:.0f}" for m in seen[9::10]))
    # the edits did land: the last grant share is in the scenario
    ws = at.session_state["cer_workspace"]
    plant = next(p for p in ws.doc["plants"] if p["id"] == "fv-depuratore")
    assert plant["grant_pct"] == EDITS - 1
