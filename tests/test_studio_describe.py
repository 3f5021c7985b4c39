"""Sentences about where the weather comes from."""

from studio.pure.describe import weather_lines


def tr(key, **fmt):
    return key + ("|" + "|".join(f"{k}={v}" for k, v in sorted(fmt.items())) if fmt else "")


DESC = {"source": "embedded", "label": "PVGIS TMY 46.491N 11.332E (2005-2020)", "lat": 46.491, "lon": 11.332,
        "elevation_m": 262.0, "distance_km": 1.3, "period": "2005-2020", "note_it": "anno più vicino",
        "note_en": "nearest year"}


def test_weather_lines_in_italian():
    lines = weather_lines(DESC, tr, "it")
    assert lines[0] == "common.weather.source_line|kind=common.weather.embedded|label=PVGIS TMY 46.491N 11.332E (2005-2020)"
    assert lines[1] == "common.weather.point|km=1,3|lat=46,491|lon=11,332common.weather.elevation|m=262"
    assert lines[2] == "common.weather.period|period=2005-2020"
    assert lines[3] == "anno più vicino"


def test_weather_lines_english_and_missing_parts():
    lines = weather_lines({"source": "file", "label": "x.csv"}, tr, "en")
    assert lines == ["common.weather.source_line|kind=common.weather.file|label=x.csv"]
    assert weather_lines(None, tr) == [] and weather_lines({}, tr) == []
    assert weather_lines(DESC, tr, "en")[-1] == "nearest year"


def test_attribution_text():
    from studio.pure.describe import attribution_text

    assert attribution_text({"attribution": "chronological"}, tr) == "common.attribution.chronological"
    assert attribution_text({"attribution": "pro_rata", "non_incentivised_last": True}, tr) == \
        "common.attribution.pro_ratacommon.attribution.non_incentivised_last"
    assert attribution_text(None, tr) == "common.attribution.chronological"
