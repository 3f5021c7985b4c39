"""What one rerun of the map costs on the server, for the demo and for larger communities.

Each rerun of the map fragment builds the constant base map (offline basemap, tiles, drawing tools),
the dynamic layers (areas, roofs, members) and the JavaScript streamlit-folium sends to the browser.
Prints the median wall time of each step and the size of what is sent, for the demo (40 members) and
for synthetic communities of 200 and 1000 members with a roof each.
Run: ``.venv/bin/python benchmarks/bench_map.py``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streamlit_folium import _get_feature_group_string, _get_map_string  # noqa: E402

from cer_core.cabine import assign_members  # noqa: E402
from cer_core.paths import DEMO_SCENARIO  # noqa: E402
from studio.pure.map_model import displayable  # noqa: E402
from studio.components.map_view import base_map, dynamic_layers, initial_view  # noqa: E402


def synthetic(n: int) -> dict:
    """``n`` members on a grid around Rozzano, each with a 15 m × 20 m roof; the demo's two areas."""
    demo = json.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))
    members, plants = [], []
    side = int(n ** 0.5) + 1
    for i in range(n):
        lat, lon = 45.35 + (i // side) * 0.05 / side, 9.12 + (i % side) * 0.08 / side
        members.append({"id": f"m{i}", "name": f"Membro {i}", "kind": "prosumer", "category": "household",
                        "cabina": "CP-ROZZANO", "lat": lat, "lon": lon})
        roof = [[lon, lat], [lon + 0.0002, lat], [lon + 0.0002, lat + 0.00013], [lon, lat + 0.00013], [lon, lat]]
        plants.append({"id": f"p{i}", "member": f"m{i}", "kwp": 6.0, "commissioning": "2025-01-01",
                       "roof": {"type": "Polygon", "coordinates": [roof]}})
    return {**demo, "members": members, "plants": plants}


def median_ms(fn, repeat: int = 7) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, out


def one_rerun(doc: dict):
    """The server-side work of one map rerun (as pages/mappa.py does it, st_folium's rendering included)."""
    view = displayable(doc)
    outside = tuple(assign_members(view["members"], view["cabine"]).outside)
    m = base_map(initial_view(view), "it")
    layers = dynamic_layers(view, outside=outside, selected=view["members"][0]["id"])
    m.get_root().render()
    script = _get_map_string(m)
    groups = [_get_feature_group_string(fg, m, i) for i, fg in enumerate(layers)]
    return len(script), sum(map(len, groups))


def main() -> None:
    demo = json.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))
    one_rerun(demo)                                   # warm the caches (basemap, comuni table, shapes)
    print(f"{'community':<22}{'rerun (median)':>16}{'base map JS':>14}{'layers JS':>12}")
    for label, doc in (("demo (40 members)", demo), ("200 members + roofs", synthetic(200)),
                       ("1000 members + roofs", synthetic(1000))):
        ms, (base_chars, layer_chars) = median_ms(lambda d=doc: one_rerun(d), repeat=7 if len(doc["members"]) < 500
                                                  else 3)
        print(f"{label:<22}{ms:>13.0f} ms{base_chars / 1000:>11.0f} kB{layer_chars / 1000:>9.0f} kB")


if __name__ == "__main__":
    main()
