"""Address search: OpenStreetMap's Nominatim when online, the shipped comuni list otherwise.

Nominatim's usage policy asks for an identifying User-Agent, at most one request per second and
cached answers: :class:`Geocoder` does the three (geopy's ``RateLimiter``, an in-memory cache) and
gives up on the network after a failure for ``retry_after_s`` so an offline session is not slowed by
a timeout at every search. Offline (or when Nominatim has no answer) the query is matched against the
comuni gazetteer (:func:`cer_core.geo.find_comune` / :func:`cer_core.geo.search_comuni`): the result
is the comune's inner point, not the street address, and :class:`GeocodeAnswer` says which source
answered. No Streamlit here.

Set the environment variable ``CER_STUDIO_OFFLINE=1`` to never contact Nominatim (tests, workshops).
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Callable

from cachetools import LRUCache

from .geo import Comune, find_comune, search_comuni

USER_AGENT = "cer-studio/0.1 (open-source CER design tool)"
#: Nominatim's policy: at most one request per second.
MIN_DELAY_S = 1.0
DEFAULT_TIMEOUT_S = 3.0
#: After a network failure, answer offline for this long before trying Nominatim again [s].
RETRY_AFTER_S = 60.0
OFFLINE_ENV = "CER_STUDIO_OFFLINE"
MAX_QUERY_CHARS = 200
#: Answers kept in memory per geocoder (one per server), least recently used dropped first.
CACHE_SIZE = 512
#: Extra wait beyond the HTTP timeout before a request is given up (name resolution has no timeout) [s].
DEADLINE_MARGIN_S = 1.0


@dataclass(frozen=True)
class Place:
    """A search hit: WGS84 point [deg], a short label, the comune when known, and who found it."""

    lat: float
    lon: float
    label: str
    source: str            # "nominatim" or "comuni"
    comune: str | None = None
    precise: bool = True   # False for a comune's inner point (not the street address)


@dataclass(frozen=True)
class GeocodeAnswer:
    """The places found for a query and which source answered.

    Attributes
    ----------
    source : {"nominatim", "comuni", "none"}
        ``nominatim`` when the online service answered, ``comuni`` when the offline list did,
        ``none`` when nothing matched.
    offline_reason : str or None
        Why Nominatim was not used (disabled, unreachable, no match), for the UI to say.
    """

    query: str
    places: tuple[Place, ...]
    source: str
    offline_reason: str | None = None


def _comune_place(c: Comune) -> Place:
    return Place(lat=c.lat, lon=c.lon, label=f"{c.name} ({c.province_short})", source="comuni", comune=c.name,
                 precise=False)


def offline_search(query: str, limit: int = 5) -> list[Place]:
    """Comuni matching ``query``: exact name (or ISTAT code) of any comma-separated part, then name prefixes.

    ``"Via Roma 10, 20089 Rozzano MI"`` finds Rozzano; ``"Pieve Em"`` finds Pieve Emanuele.
    """
    text = str(query).strip()
    parts = [p.strip() for p in text.split(",") if p.strip()] or [text]
    found: dict[str, Comune] = {}

    def add(c: Comune | None) -> None:
        if c is not None and c.istat_code not in found:
            found[c.istat_code] = c

    for part in reversed(parts):                      # the comune is usually last in an Italian address
        cleaned = re.sub(r"\b\d{5}\b", " ", part)      # postcode
        cleaned = re.sub(r"\s+\(?[A-Z]{2}\)?$", "", cleaned.strip()).strip()  # trailing province "MI"/"(MI)"
        for candidate in (part, cleaned):
            if candidate:
                add(find_comune(candidate))
    for part in reversed(parts):
        cleaned = re.sub(r"\b\d{5}\b", " ", part).strip()
        for c in search_comuni(cleaned, limit=limit) if len(cleaned) >= 2 else []:
            add(c)
    return [_comune_place(c) for c in list(found.values())[:limit]]


def _short_label(raw: dict) -> str:
    """``"Via Roma 10, Rozzano"`` from Nominatim's address details; the display name otherwise."""
    addr = raw.get("address") or {}
    town = next((addr[k] for k in ("city", "town", "village", "municipality", "hamlet") if addr.get(k)), None)
    street = addr.get("road") or addr.get("pedestrian") or addr.get("square")
    head = " ".join(x for x in (street, addr.get("house_number")) if x)
    name = raw.get("name") if raw.get("name") and raw.get("name") != street else None
    pieces = [x for x in (name, head, town) if x]
    return ", ".join(pieces) if pieces else str(raw.get("display_name", ""))


def _coordinates(raw) -> tuple[float, float] | None:
    """``(lat, lon)`` of a Nominatim hit from its raw answer, or None when they are missing or not degrees.

    (geopy turns a hit without coordinates into a point at 0°N 0°E.)
    """
    try:
        lat, lon = float(raw["lat"]), float(raw["lon"])
    except (TypeError, KeyError, ValueError):
        return None
    ok = math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
    return (lat, lon) if ok else None


def _town(raw: dict) -> str | None:
    addr = raw.get("address") or {}
    return next((addr[k] for k in ("city", "town", "village", "municipality") if addr.get(k)), None)


class Geocoder:
    """Online-first address search with an offline fallback.

    Parameters
    ----------
    user_agent : str
        Sent to Nominatim (its policy requires an identifying one).
    timeout_s : float
        Per-request timeout [s]; short, so a bad connection falls back quickly.
    min_delay_s : float
        Minimum interval between two Nominatim requests [s] (policy: 1).
    retry_after_s : float
        After a network failure, stay offline this long [s].
    online : bool or None
        False never contacts Nominatim; None (default) reads ``CER_STUDIO_OFFLINE``.
    adapter_factory : callable, optional
        geopy adapter factory (tests pass a fake one; None uses geopy's default).
    clock : callable
        Monotonic clock [s] (tests inject one).
    cache_size : int
        Answers kept in memory (least recently used dropped first).
    """

    def __init__(self, *, user_agent: str = USER_AGENT, timeout_s: float = DEFAULT_TIMEOUT_S,
                 min_delay_s: float = MIN_DELAY_S, retry_after_s: float = RETRY_AFTER_S,
                 online: bool | None = None, adapter_factory=None, clock: Callable[[], float] = time.monotonic,
                 cache_size: int = CACHE_SIZE):
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        if online is None:
            online = os.environ.get(OFFLINE_ENV, "").strip().lower() not in ("1", "true", "yes")
        self.online = online
        self.timeout_s = timeout_s
        self.retry_after_s = retry_after_s
        self._clock = clock
        self._down_until = float("-inf")
        self._last_error: str | None = None
        self._cache: LRUCache = LRUCache(maxsize=max(1, int(cache_size)))  # (query, limit) → places
        self._lock = threading.Lock()
        kwargs = {"adapter_factory": adapter_factory} if adapter_factory is not None else {}
        self.nominatim = Nominatim(user_agent=user_agent, timeout=timeout_s, **kwargs)
        self.rate_limited_geocode = RateLimiter(self._geocode_with_deadline, min_delay_seconds=min_delay_s,
                                                max_retries=0, error_wait_seconds=min_delay_s,
                                                swallow_exceptions=False)

    def _geocode_with_deadline(self, *args, **kwargs):
        """``Nominatim.geocode`` in a daemon thread, given up after the timeout plus a margin.

        geopy's timeout covers connecting and reading, not name resolution (``getaddrinfo`` blocks
        without a timeout): a broken resolver would otherwise hold the map page. A request given up
        finishes, or not, in the background.
        """
        from geopy.exc import GeocoderTimedOut

        box: dict = {}

        def run() -> None:
            try:
                box["hits"] = self.nominatim.geocode(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=run, name="nominatim", daemon=True)
        worker.start()
        worker.join(self.timeout_s + DEADLINE_MARGIN_S)
        if worker.is_alive():
            raise GeocoderTimedOut(f"no answer within {self.timeout_s + DEADLINE_MARGIN_S:g} s")
        if "error" in box:
            raise box["error"]
        return box.get("hits")

    def _online_search(self, query: str, limit: int) -> tuple[Place, ...]:
        key = (query.casefold(), limit)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        hits = self.rate_limited_geocode(query, exactly_one=False, limit=limit, addressdetails=True,
                                         language="it", country_codes="it", timeout=self.timeout_s) or []
        places = tuple(Place(lat=point[0], lon=point[1], label=_short_label(h.raw), source="nominatim",
                             comune=_town(h.raw))
                       for h in hits if (point := _coordinates(h.raw)) is not None)
        with self._lock:
            self._cache[key] = places
        return places

    def search(self, query: str, limit: int = 5) -> GeocodeAnswer:
        """Places for ``query`` (Nominatim first when online, comuni list otherwise or as a fallback)."""
        from geopy.exc import GeopyError

        query = " ".join(str(query).split())[:MAX_QUERY_CHARS]
        if not query:
            return GeocodeAnswer(query, (), "none", None)
        reason = None
        if not self.online:
            reason = "disabled"
        elif self._clock() < self._down_until:
            reason = f"unreachable: {self._last_error}"
        else:
            try:
                places = self._online_search(query, limit)
                if places:
                    return GeocodeAnswer(query, places, "nominatim", None)
                reason = "no_match"
            except (GeopyError, OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
                # network failures, and answers geopy cannot parse (a proxy's page, a changed API): the
                # search must still answer, from the comuni list
                self._last_error = type(exc).__name__
                self._down_until = self._clock() + self.retry_after_s
                reason = f"unreachable: {self._last_error}"
        places = tuple(offline_search(query, limit))
        return GeocodeAnswer(query, places, "comuni" if places else "none", reason)
