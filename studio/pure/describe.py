"""Where the data of a simulation come from, in sentences for the UI (pure, tested)."""

from __future__ import annotations

from typing import Callable

from .format import fmt_number

Tr = Callable[..., str]


def weather_lines(desc: dict | None, tr: Tr, lang: str = "it") -> list[str]:
    """Lines describing the weather year (``WeatherYear.describe()``): source, data point, period, notes."""
    if not desc:
        return []
    source = desc.get("source", "")
    kind = tr(f"common.weather.{source}") if source in ("embedded", "pvgis", "file") else source
    lines = [tr("common.weather.source_line", kind=kind, label=desc.get("label", "—"))]
    lat, lon = desc.get("lat"), desc.get("lon")
    if lat is not None and lon is not None:
        point = tr("common.weather.point", lat=fmt_number(lat, 3, lang), lon=fmt_number(lon, 3, lang),
                   km=fmt_number(desc.get("distance_km"), 1, lang))
        if desc.get("elevation_m") is not None:
            point += tr("common.weather.elevation", m=fmt_number(desc["elevation_m"], 0, lang))
        lines.append(point)
    if desc.get("period"):
        lines.append(tr("common.weather.period", period=desc["period"]))
    note = desc.get("note_en" if lang == "en" else "note_it")
    if note:
        lines.append(note)
    return lines


def attribution_text(rules: dict | None, tr: Tr) -> str:
    """How shared energy was attributed to plants (the rules the simulation used), in words."""
    rules = rules or {}
    key = "pro_rata" if rules.get("attribution") == "pro_rata" else "chronological"
    text = tr(f"common.attribution.{key}")
    if rules.get("non_incentivised_last"):
        text += tr("common.attribution.non_incentivised_last")
    return text
