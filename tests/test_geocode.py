"""cer_core.geocode: Nominatim through geopy (recorded answer, no network), rate limit, offline fallback."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderServiceError, GeocoderTimedOut, GeocoderUnavailable

from cer_core import geocode
from cer_core.geocode import USER_AGENT, Geocoder, offline_search

FIXTURES = Path(__file__).parent / "data" / "geocode"
ROZZANO_ROMA = json.loads((FIXTURES / "nominatim_search_via_roma_rozzano.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any real geopy HTTP call fails the test: the fake adapters below are the only way out."""
    import geopy.adapters

    def refuse(self, url, **kwargs):
        raise AssertionError(f"network call attempted: {url}")

    for cls in (geopy.adapters.URLLibAdapter, geopy.adapters.RequestsAdapter):
        monkeypatch.setattr(cls, "get_json", refuse)
        monkeypatch.setattr(cls, "get_text", refuse)
    monkeypatch.delenv(geocode.OFFLINE_ENV, raising=False)


class FakeAdapter(BaseSyncAdapter):
    """Answers every request with ``FakeAdapter.answer`` (or raises it) and records what was asked."""

    answer: object = ROZZANO_ROMA
    calls: list = []

    def __init__(self, *, proxies=None, ssl_context=None):
        super().__init__(proxies=proxies, ssl_context=ssl_context)

    def get_json(self, url, *, timeout, headers):
        type(self).calls.append({"url": url, "timeout": timeout, "headers": dict(headers)})
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def get_text(self, url, *, timeout, headers):  # pragma: no cover - geopy's Nominatim uses get_json
        return json.dumps(self.get_json(url, timeout=timeout, headers=headers))


def fake(answer):
    return type("Fake", (FakeAdapter,), {"answer": answer, "calls": []})


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def make(answer=ROZZANO_ROMA, **kw):
    adapter = fake(answer)
    kw.setdefault("min_delay_s", 0.0)
    return Geocoder(online=True, adapter_factory=adapter, **kw), adapter


def test_nominatim_answer_parsed_with_short_labels_and_comune():
    g, adapter = make()
    ans = g.search("Via Roma 10, Rozzano")
    assert ans.source == "nominatim" and ans.offline_reason is None
    assert [p.label for p in ans.places] == ["Via Roma 10, Rozzano", "Via Roma, Rozzano"]
    first = ans.places[0]
    assert (first.lat, first.lon) == (45.3818042, 9.156347)
    assert first.comune == "Rozzano" and first.precise and first.source == "nominatim"


def test_request_carries_user_agent_country_language_and_timeout():
    g, adapter = make(timeout_s=2.5)
    g.search("Via Roma 10, Rozzano", limit=4)
    (call,) = adapter.calls
    assert call["headers"]["User-Agent"] == USER_AGENT == "cer-studio/0.1 (open-source CER design tool)"
    assert call["timeout"] == 2.5
    url = urlparse(call["url"])
    params = parse_qs(url.query)
    assert url.netloc == "nominatim.openstreetmap.org" and url.path == "/search"
    assert params["q"] == ["Via Roma 10, Rozzano"]
    assert params["countrycodes"] == ["it"] and params["accept-language"] == ["it"]
    assert params["limit"] == ["4"] and params["addressdetails"] == ["1"] and params["format"] == ["json"]


def test_answers_are_cached_so_nominatim_is_asked_once():
    g, adapter = make()
    a = g.search("via roma 10, rozzano")
    b = g.search("Via  Roma 10,   Rozzano")   # same query up to case and spaces
    assert a.places == b.places and len(adapter.calls) == 1


def test_rate_limiter_is_one_request_per_second_by_default():
    g = Geocoder(online=True, adapter_factory=fake([]))
    limiter = g.rate_limited_geocode
    assert limiter.min_delay_seconds == 1.0 and limiter.max_retries == 0 and not limiter.swallow_exceptions


def test_rate_limiter_really_waits_between_requests(monkeypatch):
    slept = []
    monkeypatch.setattr("geopy.extra.rate_limiter.sleep", lambda s: slept.append(s))
    g, adapter = make(min_delay_s=1.0)
    g.search("Via Roma 10, Rozzano")
    g.search("Piazza Foglia, Rozzano")        # a different query: a second request, which must wait
    assert len(adapter.calls) == 2
    assert slept and 0 < max(slept) <= 1.0


@pytest.mark.parametrize("exc", [GeocoderUnavailable("no route"), GeocoderTimedOut("slow"),
                                 GeocoderServiceError("503"), OSError("dns")])
def test_network_failure_falls_back_to_comuni_and_backs_off(exc):
    clock = Clock()
    g, adapter = make(exc, clock=clock, retry_after_s=60)
    ans = g.search("Via Roma 10, 20089 Rozzano MI")
    assert ans.source == "comuni" and ans.offline_reason.startswith("unreachable")
    assert ans.places[0].comune == "Rozzano" and not ans.places[0].precise
    assert ans.places[0].label == "Rozzano (MI)"
    # during the back-off Nominatim is not asked again
    g.search("Pieve Emanuele")
    assert len(adapter.calls) == 1
    clock.t += 61
    g.search("Pieve Emanuele")
    assert len(adapter.calls) == 2


def test_no_match_online_falls_back_to_comuni():
    g, adapter = make([])
    ans = g.search("Opera")
    assert ans.source == "comuni" and ans.offline_reason == "no_match"
    assert ans.places[0].comune == "Opera"


def test_offline_env_never_calls_nominatim(monkeypatch):
    monkeypatch.setenv(geocode.OFFLINE_ENV, "1")
    adapter = fake(ROZZANO_ROMA)
    g = Geocoder(adapter_factory=adapter)
    ans = g.search("Rozzano")
    assert not g.online and adapter.calls == []
    assert ans.source == "comuni" and ans.offline_reason == "disabled"


def test_nothing_found_and_empty_query():
    g, adapter = make([])
    assert g.search("zzzzqqq").source == "none"
    empty = g.search("   ")
    assert empty.source == "none" and empty.places == ()
    assert len(adapter.calls) == 1          # the blank query never reached Nominatim


@pytest.mark.parametrize("query, first", [
    ("Rozzano", "Rozzano"),
    ("rozzano", "Rozzano"),
    ("Via Roma 10, 20089 Rozzano (MI)", "Rozzano"),
    ("Pieve Em", "Pieve Emanuele"),
    ("015189", "Rozzano"),
    ("Piazza Duomo, Milano", "Milano"),
])
def test_offline_search_finds_the_comune(query, first):
    places = offline_search(query)
    assert places and places[0].comune == first and places[0].source == "comuni"
    assert 35 < places[0].lat < 48 and 6 < places[0].lon < 19


def test_offline_search_limit_and_prefix_order():
    places = offline_search("San", limit=3)
    assert len(places) == 3 and all(p.comune.startswith("San") for p in places)


def test_offline_prefix_search_puts_the_largest_comune_first():
    # population is compared as a number: "Mil" is Milano (1.35 million), not Militello (sorted as text)
    assert [p.comune for p in offline_search("Mil", limit=2)] == ["Milano", "Milazzo"]


def test_answer_cache_is_bounded_and_least_recently_used_goes_first():
    """One geocoder serves the whole server: its cache must not grow with every address ever typed."""
    g, adapter = make([], cache_size=2)
    for q in ("Rozzano", "Opera", "Locate di Triulzi"):
        g.search(q)
    assert len(adapter.calls) == 3
    g.search("Locate di Triulzi")            # still cached
    g.search("Rozzano")                      # evicted: asked again
    assert len(adapter.calls) == 4 and len(g._cache) == 2


@pytest.mark.parametrize("answer, reason", [
    ({"unexpected": "object"}, "unreachable"),                 # geopy raised TypeError out of search()
    ([{"display_name": "no coordinates"}], "no_match"),        # was a place at 0°N 0°E (Gulf of Guinea)
], ids=["object-not-list", "hit-without-lat-lon"])
def test_malformed_nominatim_answer_falls_back_to_comuni(answer, reason):
    g, _ = make(answer)
    ans = g.search("Via Roma 10, 20089 Rozzano MI")
    assert ans.source == "comuni" and ans.places[0].comune == "Rozzano"
    assert ans.offline_reason.startswith(reason)


def test_a_request_that_never_returns_does_not_hold_the_search(monkeypatch):
    """geopy's timeout covers connect and read, not name resolution (getaddrinfo blocks without one): a stuck
    request must not hold the map page; the search answers from the comuni list and backs off."""
    import threading

    release = threading.Event()

    class Stuck(FakeAdapter):
        calls: list = []

        def get_json(self, url, *, timeout, headers):
            type(self).calls.append(url)
            release.wait(30)      # a resolver that does not answer
            return ROZZANO_ROMA

    clock = Clock()
    g = Geocoder(online=True, adapter_factory=Stuck, min_delay_s=0.0, timeout_s=0.2, clock=clock)
    try:
        ans = g.search("Via Roma 10, 20089 Rozzano MI")
        assert not release.is_set()                       # answered while the request was still stuck
        assert ans.source == "comuni" and ans.offline_reason.startswith("unreachable")
        g.search("Opera")                                 # backing off: no second stuck request
        assert len(Stuck.calls) == 1
    finally:
        release.set()
