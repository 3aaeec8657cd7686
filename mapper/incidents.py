"""ACLED-style incidents from a report and its place mentions.

The report is cut into clauses on ORIGINAL offsets (:mod:`mapper.clauses`).  A clause with an
event cue (``events.tsv``) yields one incident per event place in it (:mod:`mapper.event_places`);
a clause without a cue yields none, and costs nothing beyond the one pass of
:class:`~mapper.cues.CueScanner` over the report.  Dates come from :mod:`mapper.dates`
(coordinated clauses share a sentence's date), tolls from :func:`mapper.numbers.toll` (README
rule 11), claims, denials and actors from :mod:`mapper.claims`.  The same event (place, type,
date) told twice in a report is one incident with the richer fields.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path
from typing import Any

from .claims import Actor, actors_of, attach_orphans, claims_of, resolve_type
from .clauses import Spans, Unit, build_units, clause_spans, orig_index
from .cues import CueScanner, Scan
from .dates import DateResolver
from .event_places import COARSE, EventPlaces, PlaceChoice, key, settlements
from .lexicons import Hit
from .models import Claim, Incident, Mention, Report
from .normalize import NormalizedText, normalize
from .numbers import NumberReader, toll

__all__ = ["IncidentExtractor", "clause_spans", "incident_id"]

_LOOKAHEAD = 8  # finer incidents a coarse lead may be folded into
_GEAR_REACH = 60  # characters after "مؤلف من" whose weapon words are equipment, not events
_SENTENCE_END = frozenset(".!?؟؛\n")


def incident_id(
    source_id: str, place_id: str, event_type: str, date: str | None, span: tuple[int, int]
) -> str:
    """A short stable id from the document, place (its id, or its name when unresolved), type,
    date and evidence span (never uuid4)."""
    key = "\x1f".join((source_id, place_id, event_type, date or "", f"{span[0]}:{span[1]}"))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class _Draft:
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

    @property
    def mention(self) -> Mention:
        return self.choice.mention

    @property
    def place_id(self) -> str:
        return self.choice.mention.place_id

    @property
    def coarse(self) -> bool:
        return self.choice.mention.kind in COARSE

    def fits(self, other: _Draft) -> bool:
        """Could ``other`` tell the same event: same type, and no field disagrees?"""
        return (
            self.event_type == other.event_type
            and _fit(self.sub_event_type, other.sub_event_type)
            and _fit(self.date, other.date)
            and _fit(self.fatalities, other.fatalities)
        )

    def absorb(self, other: _Draft) -> None:
        """Take ``other``'s fields where this draft has none."""
        if self.fatalities is None:
            self.fatalities = other.fatalities
        if self.date is None:
            self.date, self.time_precision = other.date, other.time_precision
        self.claims += [c for c in other.claims if c not in self.claims]
        self.sub_event_type = self.sub_event_type or other.sub_event_type
        self.actors = (self.actors[0] or other.actors[0], self.actors[1] or other.actors[1])

    def move_to(self, other: _Draft) -> None:
        """Take ``other``'s place, point and evidence (a finer place for the same event)."""
        self.unit, self.choice, self.precision = other.unit, other.choice, other.precision
        self.lat, self.lon, self.admin, self.notes = other.lat, other.lon, other.admin, other.notes


def _fit(a: object, b: object) -> bool:
    return a is None or b is None or a == b


class IncidentExtractor:
    """Turns a report and its place mentions into ACLED-style incidents.

    Parameters
    ----------
    gazetteer:
        Anything with ``get(place_id) -> Place | None``: places an incident at a place without
        coordinates at its nearest parent with a point (geo_precision 2 or 3) and fills
        admin1–3.  ``None``: no parent fallback.
    lexicons_dir:
        A folder with ``events.tsv``, ``actors.tsv``, ``relative.tsv``, ``claims.tsv``,
        ``dates.tsv`` and ``numbers.tsv``; the bundled lexicons when ``None``.
    """

    def __init__(self, gazetteer: Any = None, *, lexicons_dir: str | Path | None = None) -> None:
        folder = None if lexicons_dir is None else Path(lexicons_dir)
        self.gazetteer = gazetteer
        self.dates = DateResolver(lexicons_dir=folder)
        self.numbers = NumberReader(lexicons_dir=folder)
        self._scanner = CueScanner(folder, self.dates, self.numbers)
        self._places = EventPlaces(self._scanner.linkers, gazetteer)

    def extract(
        self,
        report: Report,
        mentions: Sequence[Mention],
        *,
        normalized: NormalizedText | None = None,
    ) -> list[Incident]:
        """The incidents of ``report``, in text order, deduplicated, with deterministic ids.

        ``normalized`` may pass ``normalize(report.text)`` when the caller already has it.
        """
        if not isinstance(report, Report):
            raise TypeError(f"extract() expects a Report, got {type(report).__name__}")
        if normalized is None or normalized.original != report.text:
            normalized = normalize(report.text)
        scan = self.scan(normalized)
        if not len(scan.cues):
            return []
        openers = [
            (h.start, h.payloads[0][0])
            for h in scan.cues
            if h.payloads[0][0] in ("coord", "subord")
        ]
        scan = _without_gear(scan)
        events = [h for h in scan.cues if h.payloads[0][0] == "event"]
        if not events:
            return []
        ordered = sorted(mentions, key=lambda m: (m.start, m.end))
        wanted = Spans(sorted([*events, *scan.claims], key=lambda h: h.start))
        units = build_units(normalized, ordered, openers, Spans(events), wanted)
        drafts = self._drafts(report, scan, units, ordered)
        return _finish(report, drafts, self._places)

    def scan(self, normalized: NormalizedText | str) -> Scan:
        """One pass of every incident lexicon over a report (normalized here if a ``str``)."""
        nt = normalize(normalized) if isinstance(normalized, str) else normalized
        return self._scanner.scan(nt)

    def _drafts(
        self, report: Report, scan: Scan, units: list[Unit], mentions: list[Mention]
    ) -> list[_Draft]:
        drafts: list[_Draft] = []
        orphans: list[tuple[Unit, list[Claim]]] = []
        dated: dict[int, tuple[str | None, int | None]] = {}  # sentence -> last date
        lead: dict[str, str] = {}  # event type -> first date in the report
        attackers: dict[int, Actor] = {}  # sentence -> last attacker named
        towns = settlements(mentions)
        kinds: dict[tuple[int, str], str] = {}  # (sentence, type) -> last sub-type
        for u in units:
            cues = scan.cues.between(u.nstart, u.nend)
            event = _event_of(cues)
            when = self.dates.resolve(
                scan.nt.text,
                report.published,
                anchors=scan.anchors.between(u.nstart, u.nend),
                start=u.nstart,
                end=u.nend,
            )
            date, tprec = when.date, when.precision
            if not when.temporal and u.opener != "subord" and u.sentence in dated:
                date, tprec = dated[u.sentence]
            if when.temporal or date is not None:
                dated[u.sentence] = (date, tprec)
            if event is not None and any(p[0] == "habit" for h in cues for p in h.payloads):
                event = None  # "تشن بشكل يومي حملات دهم": a practice, not one event
            if event is None and not scan.claims.any_between(u.nstart, u.nend):
                continue
            fatal = self._toll(scan, u, cues)
            claims = claims_of(scan, u, fatal)
            if event is None:
                if claims:
                    orphans.append((u, claims))
                continue
            actors = actors_of(scan, u, event[1] == "Air/drone strike")
            if actors[0] is None and u.opener == "coord" and u.sentence in attackers:
                actors = (attackers[u.sentence], actors[1])  # "كما سيطرت ...": same subject
            if actors[0] is not None:
                attackers[u.sentence] = actors[0]
            etype, sub = resolve_type(event[0], event[1], actors)
            if sub is None and any(p[0] == "like" for h in cues for p in h.payloads):
                sub = kinds.get((u.sentence, etype))  # "قصف مماثل": like the one before
            if sub is not None:
                kinds[(u.sentence, etype)] = sub
            notes = []
            if date is None and not when.temporal and u.opener != "subord":
                if u.sentence not in dated and etype in lead:
                    date, tprec = lead[etype], 2
                    notes.append("date carried from the report's first event of this type")
                    dated[u.sentence] = (date, tprec)
            if date is not None:
                lead.setdefault(etype, date)
            places = self._places.choose(scan, u, units, towns)
            share = fatal if len(places) <= 1 or not fatal else None
            if share is None and fatal:
                notes.append(f"toll {fatal} not split between {len(places)} places")
            for choice in places:
                lat, lon, prec, admin, more = self._places.locate(choice)
                drafts.append(
                    _Draft(
                        u, choice, etype, sub, prec, lat, lon, [*notes, *more], actors, share,
                        list(claims), date, tprec, admin,
                    )
                )  # fmt: skip
        attach_orphans(drafts, orphans)
        return drafts

    def _toll(self, scan: Scan, u: Unit, cues: list[Hit]) -> int | None:
        killed, injured = [], []
        for h in cues:
            roles = [p[0] for p in h.payloads]
            if "killed" in roles:
                killed.append((h.start, h.end))
            elif "injured" in roles:
                injured.append((h.start, h.end))
        counts = scan.counts.between(u.nstart, u.nend)
        if not counts:  # numbers.toll without counts
            return None if killed else (0 if injured else None)
        taken = [(a.start, a.end) for a in scan.anchors.between(u.nstart - 20, u.nend)]
        if taken:
            counts = [
                c
                for c in counts
                if not any(s <= c.start < e or c.start <= s < c.end for s, e in taken)
            ]
        tally = [
            (s, e) for s, e in killed if any(c.value is None and 0 < s - c.end <= 1 for c in counts)
        ]
        return toll(counts, killed, injured, tally=tally)


def _without_gear(scan: Scan) -> Scan:
    """Drop the event cues that list equipment ("رتل مؤلف من 13 آلية ومدفعية واحدة")."""
    ends = [h.end for h in scan.cues if any(p[0] == "gear" for p in h.payloads)]
    if not ends:
        return scan
    nt = scan.nt

    def listed(h: Hit) -> bool:  # after a gear word, in the same sentence
        for e in ends:
            if 0 <= h.start - e <= _GEAR_REACH:
                a, b = orig_index(nt, e), orig_index(nt, h.start)
                if not any(c in _SENTENCE_END for c in nt.original[a:b]):
                    return True
        return False

    kept = [h for h in scan.cues if h.payloads[0][0] != "event" or not listed(h)]
    return replace(scan, cues=Spans(kept))


def _event_of(cues: list[Hit]) -> tuple[str, str, int] | None:
    best = None
    for h in cues:
        for role, etype, sub, prio in h.payloads:
            if role == "event" and (best is None or prio > best[2]):
                best = (etype, sub, prio)
    return best


def _finish(report: Report, drafts: list[_Draft], places: EventPlaces) -> list[Incident]:
    """Fold summaries and repeats into one incident per event, then build the records.

    Drafts are indexed by place, so a report with thousands of incidents is not quadratic.
    """
    listed = _relocate_lists(drafts, places)
    drafts = _fold_summaries(_drop_totals(drafts), places, listed)
    merged: list[_Draft] = []
    by_place: dict[str, list[_Draft]] = {}
    for d in drafts:
        twin = next((m for m in by_place.get(key(d.mention), ()) if m.fits(d)), None)
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


def _told_before(
    d: _Draft, by_place: dict[str, list[_Draft]], places: EventPlaces
) -> _Draft | None:
    """The incident that ``d`` retells, in a later sentence, at a place that holds it (a lead
    at the town, then the quarter or landmark)."""
    for holder in places.holders(d.choice):
        for earlier in by_place.get(holder, ()):
            if d.unit.sentence != earlier.unit.sentence and earlier.fits(d) and not earlier.coarse:
                return earlier
    return None


def _relocate_lists(drafts: list[_Draft], places: EventPlaces) -> set[str]:
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


def _fold_summaries(drafts: list[_Draft], places: EventPlaces, listed: set[str]) -> list[_Draft]:
    """A coarse place named for an event that the report then places somewhere finer is a
    summary (a lead): it lends its toll and date to the first later finer incident that fits
    (among the next few), and is dropped.  Coarse incidents with nothing finer after them
    stand (corpus rule 9)."""
    fine: dict[str, list[_Draft]] = {}
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


def _drop_totals(drafts: list[_Draft]) -> list[_Draft]:
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


def _unit_start(d: _Draft) -> int:
    return d.unit.start


def _record(report: Report, d: _Draft) -> Incident:
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
