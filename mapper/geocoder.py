"""``GazetteerGeocoder``: the gazetteer behind geopy's geocoder interface.

It joins the geopy ecosystem (``RateLimiter``, ``geopandas.tools.geocode``) while never
touching the network: ``adapter_factory=URLLibAdapter`` only satisfies the base class, which
builds an adapter, and no request is ever made.
"""

from __future__ import annotations

from typing import Any

from geopy.adapters import URLLibAdapter
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from geopy.point import Point

from .gazetteer import COLUMNS, Gazetteer
from .lexicons import clitics
from .models import Place

__all__ = ["GazetteerGeocoder"]


class GazetteerGeocoder(Geocoder):
    """Geocode Arabic or English place names with a :class:`~mapper.gazetteer.Gazetteer`.

    Parameters
    ----------
    gazetteer:
        The places to search; the bundled gazetteer when ``None``.
    timeout, user_agent:
        Accepted for geopy compatibility; nothing is sent anywhere.
    """

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        *,
        timeout: Any = DEFAULT_SENTINEL,
        user_agent: str | None = None,
    ) -> None:
        super().__init__(
            timeout=timeout, user_agent=user_agent or "mapper", adapter_factory=URLLibAdapter
        )
        if gazetteer is not None and not isinstance(gazetteer, Gazetteer):
            raise TypeError(f"gazetteer must be a Gazetteer, got {type(gazetteer).__name__}")
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.default()

    def candidates(self, query: str) -> list[Place]:
        """Places for ``query``, best first; a leading proclitic (``بهجين``) is tried off."""
        if not isinstance(query, str):
            raise TypeError(f"query must be str, got {type(query).__name__}")
        found = self.gazetteer.lookup(query)
        if found:
            return found
        head, _, tail = query.strip().partition(" ")
        for _, bare in clitics().readings(head)[1:]:
            found = self.gazetteer.lookup(f"{bare} {tail}".strip())
            if found:
                return found
        return []

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        limit: int | None = None,
    ) -> Location | list[Location] | None:
        """``None`` for no match, else a ``Location`` (``exactly_one``) or a list.

        Places without a point are placed at their nearest located ancestor; ``raw`` is the
        gazetteer row plus ``located_at`` naming the place whose point is used.
        """
        del timeout
        locations = [loc for loc in map(self._location, self.candidates(query)) if loc]
        if limit is not None:
            locations = locations[: max(0, int(limit))]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    def reverse(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        limit: int | None = None,
    ) -> Location | list[Location] | None:
        """The nearest place(s) with a point to ``query`` (anything geopy's ``Point`` takes)."""
        del timeout
        point = Point(query)
        if exactly_one:
            hit = self.gazetteer.nearest(point.latitude, point.longitude)
            return None if hit is None else self._location(hit[0])
        near = self.gazetteer.near(point.latitude, point.longitude, 50.0)
        locations = [self._location(p) for p, _ in near[: limit or len(near)]]
        return [loc for loc in locations if loc] or None

    def _location(self, place: Place) -> Location | None:
        located = self.gazetteer.located(place.place_id)
        if located is None:
            return None
        at, _ = located
        raw = {c: getattr(place, c) for c in COLUMNS if hasattr(place, c)}
        raw.update(
            kind=place.kind.value,
            variants_ar=list(place.variants_ar),
            variants_en=list(place.variants_en),
            located_at=at.place_id,
        )
        address = f"{place.name_ar} ({place.name_en})" if place.name_en else place.name_ar
        return Location(address, (at.lat, at.lon), raw)
