"""Frozen records passed between the pipeline's stages.

``text -> NormalizedText -> Mention -> Incident``; ``Place`` is a gazetteer row and ``Report`` an
input document.  Every record is an immutable slotted dataclass whose sequences are tuples, so
records hash, compare and serialise deterministically.  Offsets (``start``/``end``) are always
half-open code-point indices into the ORIGINAL text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

__all__ = [
    "Claim",
    "ClaimKind",
    "EventType",
    "GeoPrecision",
    "Incident",
    "Mention",
    "ParseResult",
    "Place",
    "PlaceKind",
    "RecordError",
    "Report",
    "as_dict",
]


class PlaceKind(StrEnum):
    """What a gazetteer row is; decides priors and whether it may carry a point."""

    CITY = "city"
    TOWN = "town"
    VILLAGE = "village"
    NEIGHBOURHOOD = "neighbourhood"
    LANDMARK = "landmark"
    OILFIELD = "oilfield"
    CROSSING = "crossing"
    SUBDISTRICT = "subdistrict"
    DISTRICT = "district"
    GOVERNORATE = "governorate"
    REGION = "region"
    RIVER = "river"
    COUNTRY = "country"


class EventType(StrEnum):
    """ACLED's six event types, spelled exactly as ACLED spells them."""

    BATTLES = "Battles"
    EXPLOSIONS = "Explosions/Remote violence"
    VIOLENCE_AGAINST_CIVILIANS = "Violence against civilians"
    PROTESTS = "Protests"
    RIOTS = "Riots"
    STRATEGIC_DEVELOPMENTS = "Strategic developments"


class GeoPrecision(IntEnum):
    """ACLED's geo_precision: how closely the point matches where the event happened."""

    EXACT = 1  # at the named place itself
    NEAR = 2  # near, around, in the countryside of, or a part of the named place
    REGION = 3  # only a larger area (district, governorate, region) is known


class ClaimKind(StrEnum):
    CLAIM = "claim"
    DENIAL = "denial"


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry.  ``lat``/``lon`` are ``None`` when no public source gave a point."""

    place_id: str
    name_ar: str
    name_en: str
    kind: PlaceKind
    lat: float | None = None
    lon: float | None = None
    coord_source: str = ""  # where the point comes from (required when there is one)
    variants_ar: tuple[str, ...] = ()
    variants_en: tuple[str, ...] = ()
    country: str = "SY"
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    bank: str = ""
    pcode: str = ""
    geonames_id: int | None = None
    population: int | None = None
    parent: str = ""
    source: str = ""
    note: str = ""

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name found in a text and (when resolved) the place it names.

    ``text[start:end] == surface``; ``prefix`` holds the proclitics stripped before matching
    (``"وب"`` for ``وبالباغوز``).  ``lat``/``lon`` may be ``None`` for places without a point.
    ``place_source`` is ``""`` for the gazetteer, else the online service that placed the name
    (``"nominatim"``; :mod:`mapper.online`).
    """

    start: int
    end: int
    surface: str
    place_id: str
    name: str
    name_ar: str
    kind: str
    lat: float | None
    lon: float | None
    confidence: float
    prefix: str = ""
    reason: str = ""
    place_source: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    """A toll or a denial credited to a named party, with the text that says so."""

    party: str
    kind: ClaimKind
    fatalities: int | None
    evidence_start: int
    evidence_end: int


@dataclass(frozen=True, slots=True)
class Incident:
    """One ACLED-style event at one place, traceable to an evidence span of its report."""

    incident_id: str
    source_id: str
    event_type: str
    sub_event_type: str | None
    location: str
    location_ar: str
    place_id: str
    latitude: float | None
    longitude: float | None
    geo_precision: int
    evidence_start: int
    evidence_end: int
    evidence: str
    event_date: str | None = None
    time_precision: int | None = None
    actor1: str | None = None
    actor2: str | None = None
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    fatalities: int | None = None
    claims: tuple[Claim, ...] = ()
    mention_start: int | None = None
    mention_end: int | None = None
    notes: str = ""
    source: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """An input document.  ``origin`` names where it came from (``file.jsonl:12``) for errors."""

    id: str
    text: str
    published: str | None = None
    url: str | None = None
    source: str | None = None
    origin: str = ""


@dataclass(frozen=True, slots=True)
class RecordError:
    """One input record that could not be used, and why."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What a batch reader returns: the good records and each failure, nothing dropped."""

    items: tuple[Any, ...] = ()
    errors: tuple[RecordError, ...] = field(default=())


def as_dict(record: Any) -> dict[str, Any]:
    """A record as plain JSON-ready data (enums as their values, tuples as lists)."""
    return _plain(dataclasses.asdict(record))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    return value
