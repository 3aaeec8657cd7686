"""Online geocoding for names the gazetteer lacks: any geopy service, rate-limited, cached.

Off by default (house style §5): an :class:`OnlineFallback` exists only when the user names a
service.  It is the ``fallback`` collaborator of :class:`~mapper.pipeline.Pipeline`, asked for
each mention the gazetteer left unresolved (``place_id == ""``).  A name is looked up

1. in the :class:`~mapper.geocache.AnswerCache` (one SQLite file: service, normalized query,
   query as sent, time, raw answer; "not found" is an answer too), so each name is asked of a
   service at most once;
2. unless ``offline``, of the service, built by ``geopy.geocoders.get_geocoder_for_service`` and
   called through ``geopy.extra.rate_limiter.RateLimiter`` (``min_delay`` seconds between
   requests; a service error is retried ``max_retries`` times after ``error_wait`` seconds),
   restricted to Syria and Iraq where the service takes a restriction (country codes, a
   viewbox over the Euphrates valley, a bounding box) and always by a box check afterwards.

A service error (time-out, HTTP 429 or 500, a malformed answer) becomes a
:class:`GeocoderWarning`; the name stays unresolved and uncached (a later run asks again) and
the run goes on.  After :data:`MAX_FAILURES` failures in a row the service is not asked again
in this run.  A usable answer gives the mention ``place_id = "<service>:<id>"``,
``place_source = "<service>"``, confidence at most :data:`SERVICE_CONFIDENCE` and the kind of
the answer's type (``data/lexicons/geocoder_kinds.tsv``; an answer of another type is not
used), from which the incident stage derives ``geo_precision``: 1 only for a settlement, 3
for an admin area.
"""

from __future__ import annotations

import inspect
import logging
import math
import os
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from .errors import ConfigError
from .geocache import AnswerCache
from .lexicons import clitics, read_table
from .models import Mention
from .normalize import normalize_name

__all__ = ["Candidate", "GeocoderWarning", "OnlineFallback", "candidate", "query_name"]

logger = logging.getLogger(__name__)

COUNTRY_CODES = ("sy", "iq")
REGION_BOX = (29.0, 35.5, 37.5, 48.8)  # south, west, north, east: Syria and Iraq
EUPHRATES_VIEWBOX = ((36.9, 38.0), (33.3, 42.6))  # (lat, lon) corners: Jarablus to Haditha
SERVICE_CONFIDENCE = 0.3  # below any gazetteer resolution: a free-text search finds namesakes
LIMIT = 5  # answers asked per name; the first usable one that fits the text's noun wins
MAX_FAILURES = 3
SETTLEMENTS = frozenset({"city", "town", "village"})


class GeocoderWarning(UserWarning):
    """A service failed for one name; the name stays unresolved and the run goes on."""


def query_name(surface: str) -> str:
    """The name to ask for: a proclitic before the article is dropped (``والبقان`` → ``البقان``)."""
    head, sep, tail = surface.strip().partition(" ")
    for _, bare in clitics().readings(head):
        if bare.startswith(clitics().article):
            return f"{bare}{sep}{tail}"
    return surface.strip()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A usable answer: inside Syria or Iraq and of a type ``geocoder_kinds.tsv`` knows."""

    query: str
    service: str
    ident: str  # the service's id (``node/123``, a GeoNames id) or the rounded point
    address: str  # the service's display name
    lat: float
    lon: float
    kind: str
    type: str
    country: str = ""
    name_ar: str = ""
    name_en: str = ""


@cache
def _kinds() -> dict[str, str]:
    return {r["term"].lower(): r["kind"] for r in read_table("geocoder_kinds.tsv")}


def candidate(query: str, service: str, answer: Mapping[str, Any]) -> Candidate | None:
    """The candidate an answer (``{"address", "lat", "lon", "raw"}``) makes, or ``None``."""
    lat, lon = answer.get("lat"), answer.get("lon")
    if not isinstance(lat, float | int) or not isinstance(lon, float | int):
        return None
    s, w, n, e = REGION_BOX
    if not (s <= lat <= n and w <= lon <= e):
        return None
    raw = answer.get("raw") or {}
    props = raw.get("properties") or {}  # Photon answers are GeoJSON features
    types = [raw.get("addresstype"), raw.get("type"), props.get("osm_value"), props.get("type")]
    types += [raw.get("fcode")]
    known = [str(t).lower() for t in types if t and str(t).lower() in _kinds()]
    if not known:
        return None
    names = raw.get("namedetails") or {}
    osm = raw.get("osm_type") or props.get("osm_type")
    osm_id = raw.get("osm_id") or props.get("osm_id")
    if osm and osm_id:
        ident = f"{str(osm).lower()}/{osm_id}"
    elif raw.get("geonameId"):
        ident = f"geonames/{raw['geonameId']}"
    else:
        ident = f"{lat:.5f},{lon:.5f}"
    country = (raw.get("address") or {}).get("country_code") or props.get("countrycode")
    country = country or raw.get("countryCode") or ""
    return Candidate(
        query=query,
        service=service,
        ident=ident,
        address=str(answer.get("address") or ""),
        lat=float(lat),
        lon=float(lon),
        kind=_kinds()[known[0]],
        type=known[0],
        country=str(country).upper(),
        name_ar=str(names.get("name:ar") or ""),
        name_en=str(names.get("name:en") or raw.get("toponymName") or ""),
    )


class OnlineFallback:
    """Resolves the gazetteer's misses with an online service; see the module docstring.

    Parameters
    ----------
    service:
        A geopy service name (``nominatim``, ``photon``, ``geonames``, ...).
    cache:
        An :class:`AnswerCache` or the path of its file.
    user_agent:
        Sent with every request; required for Nominatim (its usage policy).
    options:
        Keyword arguments of the geopy geocoder (``domain``, ``scheme``, ``username``, ...).
    offline:
        Use cached answers only; nothing is sent, even for a name never asked.
    min_delay, max_retries, error_wait, timeout:
        ``RateLimiter`` and request settings (seconds); ``error_wait`` defaults to 5 s.
    """

    def __init__(
        self,
        service: str,
        *,
        cache: AnswerCache | str | os.PathLike[str],
        user_agent: str | None = None,
        options: Mapping[str, Any] | None = None,
        offline: bool = False,
        min_delay: float = 1.0,
        max_retries: int = 2,
        error_wait: float | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.service = service.strip().lower()
        options = dict(options or {})
        domain = options.get("domain")
        self.cache_service = f"{self.service}@{domain}" if domain else self.service
        self.offline = offline
        self.stats: Counter[str] = Counter()
        self._in_row = 0
        self._geocode: Any = None
        self._kwargs: dict[str, Any] = {}
        if not offline:
            geocoder = _geocoder(self.service, user_agent, options, timeout)
            wait = max(min_delay, 5.0 if error_wait is None else error_wait)
            self._geocode = _rate_limited(geocoder.geocode, min_delay, max_retries, wait)
            self._kwargs = _restriction(geocoder.geocode)
        self.cache = cache if isinstance(cache, AnswerCache) else AnswerCache(cache)

    def resolve(self, mention: Mention) -> Mention:
        """``mention`` placed by the service, or unchanged when it is resolved or not found."""
        if mention.place_id:
            return mention
        found = self.candidates(query_name(mention.surface))
        if not found:
            return mention
        best = _best(found, mention.kind)
        return replace(
            mention,
            place_id=f"{self.service}:{best.ident}",
            name=best.name_en or best.address.split(",")[0].strip(),
            name_ar=best.name_ar or mention.name_ar,
            kind=best.kind,
            lat=best.lat,
            lon=best.lon,
            confidence=min(mention.confidence, SERVICE_CONFIDENCE),
            place_source=self.service,
            reason=f"not in the gazetteer; {self.service}: {best.type} {best.address!r}",
        )

    def candidates(self, query: str) -> list[Candidate]:
        """Usable answers for ``query``, from the cache or (unless offline) the service."""
        key = normalize_name(query)
        if not key:
            return []
        cached = self.cache.get(self.cache_service, key)
        if cached is not None:
            self.stats["from cache"] += 1
            logger.info("%s: %s from the cache (asked %s)", self.service, query, cached.asked_at)
            answers: Sequence[dict[str, Any]] = cached.answers
        elif self.offline:
            self.stats["not cached (offline)"] += 1
            return []
        else:
            fresh = self._ask(query)
            if fresh is None:
                return []
            self.cache.put(self.cache_service, key, query, fresh)
            answers = fresh
        found = (candidate(query, self.service, a) for a in answers)
        return [c for c in found if c is not None]

    def summary(self) -> str:
        """One line for the user: names asked, failed, answered from the cache."""
        parts = [f"{n} {what}" for what, n in sorted(self.stats.items())]
        return f"geocoder {self.cache_service}: {', '.join(parts) or 'nothing to ask'}"

    def close(self) -> None:
        self.cache.close()

    def _ask(self, query: str) -> list[dict[str, Any]] | None:
        """The service's answers as plain data; ``None`` (after a warning) when it failed."""
        from geopy.exc import GeopyError

        if self._in_row >= MAX_FAILURES:
            self.stats["not asked (service failing)"] += 1
            return None
        self.stats["asked"] += 1
        logger.info("%s: asking for %s", self.service, query)
        try:
            found = self._geocode(query, **self._kwargs)
            answers = [_plain(loc) for loc in _as_list(found)]
        except GeopyError as err:
            return self._failed(query, f"{type(err).__name__}: {err}")
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            # geopy parsed JSON it could not read as answers (a geocoder bug or a wrong API)
            return self._failed(query, f"malformed answer ({type(err).__name__}: {err})")
        self._in_row = 0
        logger.info("%s: %s → %d answer(s)", self.service, query, len(answers))
        return answers

    def _failed(self, query: str, why: str) -> None:
        self.stats["failed"] += 1
        self._in_row += 1
        message = f"{self.service}: {query!r} left unresolved (not cached): {why}"
        if self._in_row == MAX_FAILURES:
            message += f"; {MAX_FAILURES} failures in a row, not asking again in this run"
        warnings.warn(message, GeocoderWarning, stacklevel=3)
        return None


def _geocoder(service: str, user_agent: str | None, options: dict[str, Any], timeout: float):
    from geopy.exc import ConfigurationError, GeocoderNotFound
    from geopy.geocoders import get_geocoder_for_service

    try:
        cls = get_geocoder_for_service(service)
    except GeocoderNotFound as err:
        raise ConfigError(f"unknown geocoder {service!r}: {err}") from err
    if service == "nominatim" and not user_agent:
        raise ConfigError("nominatim needs --user-agent naming your application (its policy)")
    if user_agent:
        options.setdefault("user_agent", user_agent)
    options.setdefault("adapter_factory", _adapter)
    try:
        return cls(timeout=timeout, **options)
    except (TypeError, ConfigurationError) as err:
        raise ConfigError(f"geocoder {service!r}: {err}") from err


def _adapter(*, proxies: Any, ssl_context: Any) -> Any:
    """geopy's requests adapter without its own retries: every attempt (a retry too) goes
    through the ``RateLimiter``, so the delay holds for each request the service sees."""
    try:
        import requests  # noqa: F401  (RequestsAdapter needs it; say which extra brings it)
        from geopy.adapters import RequestsAdapter
    except ImportError as err:
        raise ImportError("the online geocoder needs the [online] extra: mapper[online]") from err
    return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)


def _rate_limited(geocode: Any, min_delay: float, max_retries: int, error_wait: float) -> Any:
    from geopy.extra.rate_limiter import RateLimiter

    return RateLimiter(
        geocode,
        min_delay_seconds=min_delay,
        max_retries=max_retries,
        error_wait_seconds=error_wait,
        swallow_exceptions=False,
    )


def _restriction(geocode: Any) -> dict[str, Any]:
    """The keyword arguments of ``geocode`` that restrict it to Syria and Iraq."""
    s, w, n, e = REGION_BOX
    wanted = {
        "exactly_one": False,
        "limit": LIMIT,
        "country_codes": list(COUNTRY_CODES),  # Nominatim
        "viewbox": list(EUPHRATES_VIEWBOX),  # Nominatim: a preference, not a bound
        "namedetails": True,  # Nominatim: name:ar, name:en
        "addressdetails": True,  # Nominatim: country_code
        "country": [c.upper() for c in COUNTRY_CODES],  # GeoNames
        "bbox": [(s, w), (n, e)],  # Photon, MapBox
        "boundary_rect": [(s, w), (n, e)],  # Pelias
    }
    params = inspect.signature(geocode).parameters
    return {k: v for k, v in wanted.items() if k in params}


def _as_list(found: Any) -> list[Any]:
    if found is None:
        return []
    return list(found) if isinstance(found, list) else [found]


def _plain(location: Any) -> dict[str, Any]:
    """A geopy ``Location`` as JSON-ready data; a point that is not a number is malformed."""
    lat, lon = float(location.latitude), float(location.longitude)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError(f"not a point: {lat}, {lon}")
    return {"address": location.address, "lat": lat, "lon": lon, "raw": location.raw}


def _best(found: list[Candidate], hint: str) -> Candidate:
    """The first answer of the noun's kind, else of the same family, else the first."""
    for fits in (lambda c: c.kind == hint, lambda c: {c.kind, hint} <= SETTLEMENTS):
        for c in found:
            if fits(c):
                return c
    return found[0]
