"""Incident drafts and how a report's drafts become records: one incident per event.

The same event (place, type, date) told twice is one incident with the richer fields
(:meth:`Draft.absorb`); a headline (a first line without a date or full stop) lends its actors
and toll to the body incidents at its place and stands only where the body is silent; a clause
with no place of its own, or one that retells a dated event, merges into the event it continues;
a lead at a town and a later detail at its quarter or landmark are one
event; a coarse lead ("2 killed in the Deir ez-Zor countryside") lends its toll to the finer
incident told after it; a toll that later incidents add up to is their total; a long list of
villages goes to the area another clause names for the same event.  Each step looks only at
a few neighbours or at an index by place, so a report with thousands of incidents stays linear.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass
from itertools import combinations

from .claims import Actor
from .clauses import Unit
from .event_places import COARSE, EventPlaces, PlaceChoice, key
from .models import Claim, Incident, Mention, Report

__all__ = ["Draft", "finish", "incident_id"]

_LOOKAHEAD = 8  # finer incidents a coarse lead may be folded into


def incident_id(
    source_id: str, place_id: str, event_type: str, date: str | None, span: tuple[int, int]
) -> str:
    """A short stable id from the document, place (its id, or its name when unresolved), type,
    date and evidence span (never uuid4)."""
    key = "\x1f".join((source_id, place_id, event_type, date or "", f"{span[0]}:{span[1]}"))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Draft:
    """An incident being built; merged drafts take each other's missing fields."""

    unit: Unit
    choice: PlaceChoice
    event_type: str
    sub_event_type: str | None
    precision: int
    lat: float | None
    lon: float | None
    notes: list[str]
    actors: tuple[Actor | None, Actor | None]
    fatalities: int | None
    claims: list[Claim]
    date: str | None
    time_precision: int | None
    admin: tuple[str, str, str] = ("", "", "")
    retold: bool = False  # its date is that of the earlier event it retells

    @property
    def mention(self) -> Mention:
        return self.choice.mention

    @property
    def place_id(self) -> str:
        return self.choice.mention.place_id

    @property
    def coarse(self) -> bool:
        return self.choice.mention.kind in COARSE

    def fits(self, other: Draft) -> bool:
        """Could ``other`` tell the same event: same type, and no field disagrees?"""
        return (
            self.event_type == other.event_type
            and _fit(self.sub_event_type, other.sub_event_type)
            and _fit(self.date, other.date)
            and _fit(self.fatalities, other.fatalities)
        )

    def continues(self, other: Draft) -> bool:
        """Could ``other``, a clause with no place of its own, go on telling this event?"""
        return self.event_type == other.event_type and _fit(self.date, other.date)

    def absorb(self, other: Draft) -> None:
        """Take ``other``'s fields where this draft has none."""
        if self.fatalities is None:
            self.fatalities = other.fatalities
        if self.date is None:
            self.date, self.time_precision = other.date, other.time_precision
        self.claims += [c for c in other.claims if c not in self.claims]
        self.sub_event_type = self.sub_event_type or other.sub_event_type
        self.actors = (self.actors[0] or other.actors[0], self.actors[1] or other.actors[1])

    def move_to(self, other: Draft) -> None:
        """Take ``other``'s place, point and evidence (a finer place for the same event)."""
        self.unit, self.choice, self.precision = other.unit, other.choice, other.precision
        self.lat, self.lon, self.admin, self.notes = other.lat, other.lon, other.admin, other.notes


def _fit(a: object, b: object) -> bool:
    return a is None or b is None or a == b


def finish(report: Report, drafts: list[Draft], places: EventPlaces) -> list[Incident]:
    """Fold summaries and repeats into one incident per event, then build the records.

    Drafts are indexed by place, so a report with thousands of incidents is not quadratic.
    """
    drafts = _fold_headline(report.text, drafts, places)
    listed = _relocate_lists(drafts, places)
    drafts = _fold_summaries(_drop_totals(drafts), places, listed)
    merged: list[Draft] = []
    by_place: dict[str, list[Draft]] = {}
    for d in drafts:
        twin = next((m for m in by_place.get(key(d.mention), ()) if m.fits(d)), None)
        if twin is None and (d.retold or d.choice.how == "continued"):  # the same event
            twin = next((m for m in by_place.get(key(d.mention), ()) if m.continues(d)), None)
        if twin is None:
            twin = _told_before(d, by_place, places)
            if twin is not None and d.place_id:
                by_place[key(d.mention)] = [*by_place.get(key(d.mention), ()), twin]
                twin.move_to(d)  # a place the gazetteer knows inside the one told first
        if twin is None:
            merged.append(d)
            by_place.setdefault(key(d.mention), []).append(d)
        else:
            twin.absorb(d)
    return [_record(report, d) for d in merged]


def _told_before(d: Draft, by_place: dict[str, list[Draft]], places: EventPlaces) -> Draft | None:
    """The incident that ``d`` retells, in a later sentence, at a place that holds it (a lead
    at the town, then the quarter or landmark)."""
    for holder in places.holders(d.choice):
        for earlier in by_place.get(holder, ()):
            if d.unit.sentence != earlier.unit.sentence and earlier.fits(d) and not earlier.coarse:
                return earlier
    return None


def _relocate_lists(drafts: list[Draft], places: EventPlaces) -> set[str]:
    """A long list of villages goes to the area that another clause (often the headline)
    names for an event of the same type, when that area lies in the list's wider one."""
    listed: set[str] = set()
    lists = [d for d in drafts if d.choice.how == "list"]
    if not lists:
        return listed
    areas = [c for c in drafts if c.coarse and c.choice.how == "named"]
    for d in lists:
        for c in areas:
            if c.event_type == d.event_type and places.inside(c.choice, d.mention):
                d.choice = PlaceChoice(c.mention, d.precision, None, "list")
                break
        listed.add(key(d.mention))
    return listed


def _is_headline(text: str, d: Draft) -> bool:
    """Is ``d`` told in a headline: a first line without a date or a closing full stop (a
    lead sentence has one), then a blank line?"""
    end = text.find("\n")
    if end < 0 or d.unit.start > end or d.date is not None or text[:end].rstrip()[-1:] in ".!؟?":
        return False
    return not text[end : text.find("\n", end + 1) + 1].strip()


def _fold_headline(text: str, drafts: list[Draft], places: EventPlaces) -> list[Draft]:
    """A headline restates the body: its incident lends its actors (and its toll, to the one
    body incident of its type) to the body incidents at its place or inside it, and stands
    only where the body tells nothing there."""
    heads = [d for d in drafts if _is_headline(text, d)]
    if not heads:
        return drafts
    body = [d for d in drafts if not _is_headline(text, d)]
    dropped = set()
    for h in heads:
        here = key(h.mention)
        told = [b for b in body if key(b.mention) == here or here in places.holders(b.choice)]
        if not told:
            h.notes.append("told only in the headline")
            continue
        dropped.add(id(h))
        same = [b for b in told if b.event_type == h.event_type]
        for b in told:
            b.actors = (b.actors[0] or h.actors[0], b.actors[1] or h.actors[1])
        if len(same) == 1 and same[0].fatalities is None:
            same[0].fatalities = h.fatalities
    return [d for d in drafts if id(d) not in dropped]


def _fold_summaries(drafts: list[Draft], places: EventPlaces, listed: set[str]) -> list[Draft]:
    """A coarse place named for an event that the report then places somewhere finer is a
    summary (a lead): it lends its toll and date to the first later finer incident that fits
    (among the next few), and is dropped.  Coarse incidents with nothing finer after them
    stand (corpus rule 9)."""
    fine: dict[str, list[Draft]] = {}
    for f in drafts:
        if not f.coarse:
            fine.setdefault(f.event_type, []).append(f)
    out = []
    for d in drafts:
        if not d.coarse or d.choice.how != "named" or key(d.mention) in listed:
            out.append(d)
            continue
        same = fine.get(d.event_type, [])
        later = same[bisect_right(same, d.unit.start, key=_unit_start) :][:_LOOKAHEAD]
        if not later:
            out.append(d)
            continue
        target = next((f for f in later if f.fits(d) and places.inside(f.choice, d.mention)), None)
        if target is not None:
            target.absorb(d)
    return out


def _drop_totals(drafts: list[Draft]) -> list[Draft]:
    """A toll that two or three later incidents of the same type add up to is their total
    (a lead: "10 killed in X and around it", then 7 in a village and 3 in the town)."""
    out = []
    for i, d in enumerate(drafts):
        if d.fatalities is not None and d.fatalities > 1:
            parts = [
                f.fatalities
                for f in drafts[i + 1 : i + 1 + _LOOKAHEAD]
                if f.event_type == d.event_type
                and f.fatalities
                and f.unit.sentence != d.unit.sentence
            ]
            if sum(parts) >= d.fatalities and any(
                sum(c) == d.fatalities for k in (2, 3) for c in combinations(parts, k)
            ):
                continue
        out.append(d)
    return out


def _unit_start(d: Draft) -> int:
    return d.unit.start


def _record(report: Report, d: Draft) -> Incident:
    u, m = d.unit, d.mention
    return Incident(
        incident_id=incident_id(report.id, key(m), d.event_type, d.date, (u.start, u.end)),
        source_id=report.id,
        event_type=d.event_type,
        sub_event_type=d.sub_event_type,
        location=m.name,
        location_ar=m.surface,
        place_id=m.place_id,
        latitude=d.lat,
        longitude=d.lon,
        geo_precision=d.precision,
        evidence_start=u.start,
        evidence_end=u.end,
        evidence=report.text[u.start : u.end],
        event_date=d.date,
        time_precision=d.time_precision,
        actor1=d.actors[0][0] if d.actors[0] else None,
        actor2=d.actors[1][0] if d.actors[1] else None,
        admin1=d.admin[0],
        admin2=d.admin[1],
        admin3=d.admin[2],
        fatalities=d.fatalities,
        claims=tuple(d.claims),
        mention_start=m.start,
        mention_end=m.end,
        notes="; ".join(d.notes),
        source=report.source,
        url=report.url,
    )
