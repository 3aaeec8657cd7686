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

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .claims import Actor, actors_of, attach_orphans, claims_of, resolve_type
from .clauses import Spans, Unit, build_units, clause_spans, orig_index, type_splits
from .cues import CueScanner, Scan
from .dates import DateResolver
from .drafts import Draft, finish, incident_id
from .event_places import COARSE, EventPlaces, PlaceChoice, key, settlements
from .lexicons import Hit
from .models import Claim, EventType, Incident, Mention, Report
from .normalize import NormalizedText, normalize
from .numbers import NumberReader, toll

__all__ = ["IncidentExtractor", "clause_spans", "incident_id"]

_GEAR_REACH = 60  # characters after "مؤلف من" whose weapon words are equipment, not events
_SENTENCE_END = frozenset(".!?؟؛\n")
_CONVOY = EventType.STRATEGIC_DEVELOPMENTS.value  # a convoy cue (رتل، تعزيزات)
_WEAPONS = EventType.EXPLOSIONS.value  # weapon words are explosion/remote violence cues


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
        scan = self._scanner.scan_events(normalized)
        if scan is None:
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
        openers = sorted(openers + type_splits(normalized, events, ordered))
        wanted = Spans(sorted([*events, *scan.claims], key=lambda h: h.start))
        units = build_units(normalized, ordered, openers, Spans(events), wanted)
        drafts = self._drafts(report, scan, units, ordered)
        return finish(report, drafts, self._places)

    def scan(self, normalized: NormalizedText | str) -> Scan:
        """One pass of every incident lexicon over a report (normalized here if a ``str``)."""
        nt = normalize(normalized) if isinstance(normalized, str) else normalized
        return self._scanner.scan(nt)

    def _drafts(
        self, report: Report, scan: Scan, units: list[Unit], mentions: list[Mention]
    ) -> list[Draft]:
        drafts: list[Draft] = []
        orphans: list[tuple[Unit, list[Claim]]] = []
        memory = _Memory(settlements(mentions))
        for u in units:
            cues = scan.cues.between(u.nstart, u.nend)
            event = _event_of(cues)
            date, tprec, temporal = self._date_of(scan, report, u, memory)
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
            if fatal is None and not claims and _retold(cues):
                continue  # "وتأتي هذه الاحتجاجات بعد": events already told, nothing new
            etype, sub, actors = _type_of(scan, u, event, cues, memory)
            if event[1] == "territory" and not _armed(actors, cues):
                continue  # "تقدم مزارعون بشكوى", "السيطرة على حريق": no force, no capture
            notes = []
            places = self._places.choose(scan, u, units, memory.towns) or memory.continued(u)
            memory.keep(u, places)
            retold = False
            if date is None and not temporal and u.opener != "subord":
                date, tprec = self._carried(u, etype, places, memory, notes)
                retold = date is not None
            if date is not None:
                memory.lead.setdefault(etype, (date, tprec, [c.mention for c in places]))
            share = fatal if len(places) <= 1 or not fatal else None
            if share is None and fatal:
                notes.append(f"toll {fatal} not split between {len(places)} places")
            for choice in places:
                lat, lon, prec, admin, more = self._places.locate(choice)
                drafts.append(
                    Draft(
                        u, choice, etype, sub, prec, lat, lon, [*notes, *more], actors, share,
                        list(claims), date, tprec, admin, retold,
                    )
                )  # fmt: skip
        attach_orphans(drafts, orphans)
        return drafts

    def _date_of(
        self, scan: Scan, report: Report, u: Unit, memory: _Memory
    ) -> tuple[str | None, int | None, bool]:
        """``(date, time_precision, temporal)`` of a clause; coordinated clauses of a
        sentence share its date (corpus README rule 10)."""
        when = self.dates.resolve(
            scan.nt.text,
            report.published,
            anchors=scan.anchors.between(u.nstart, u.nend),
            start=u.nstart,
            end=u.nend,
        )
        date, tprec = when.date, when.precision
        if not when.temporal and u.opener != "subord" and u.sentence in memory.dated:
            date, tprec = memory.dated[u.sentence]
        if when.temporal or date is not None:
            memory.dated[u.sentence] = (date, tprec)
        return date, tprec, when.temporal

    def _carried(
        self, u: Unit, etype: str, places: list[PlaceChoice], memory: _Memory, notes: list[str]
    ) -> tuple[str | None, int | None]:
        """The date of an earlier event for a clause without an anchor, only when it
        demonstrably retells it: same type, at the earlier event's place or inside it (the
        test :meth:`Draft.fits` and :func:`drafts.finish` merge on, less the toll)."""
        lead = memory.lead.get(etype)
        if lead is None or not places:
            return None, None
        told = {key(m) for m in lead[2]}
        inside = self._places.inside
        if all(key(c.mention) in told or any(inside(c, m) for m in lead[2]) for c in places):
            notes.append("date of the earlier report of this event (same place or inside it)")
            memory.dated[u.sentence] = (lead[0], lead[1])  # its coordinated clauses share it
            return lead[0], lead[1]
        return None, None

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


def _retold(cues: list[Hit]) -> bool:
    """Does every event cue of a clause follow a demonstrative (events.tsv ``this``)?"""
    ends = [h.end for h in cues if h.payloads[0][0] == "this"]
    return bool(ends) and all(
        any(0 <= h.start - e <= 1 for e in ends) for h in cues if h.payloads[0][0] == "event"
    )


def _without_gear(scan: Scan) -> Scan:
    """Drop the weapon cues that list a convoy's equipment ("رتل مؤلف من 13 آلية ومدفعية
    واحدة"): a gear word counts only after a convoy cue (a Strategic development) of its
    sentence, and reaches the weapon words of the next 60 characters of that sentence."""
    nt = scan.nt

    def same_sentence(a: int, b: int) -> bool:
        return not any(
            c in _SENTENCE_END for c in nt.original[orig_index(nt, a) : orig_index(nt, b)]
        )

    convoys = [h.end for h in scan.cues if h.payloads[0][:2] == ("event", _CONVOY)]
    ends = [
        h.end
        for h in scan.cues
        if h.payloads[0][0] == "gear"
        and any(0 <= h.start - e <= _GEAR_REACH and same_sentence(e, h.start) for e in convoys)
    ]
    if not ends:
        return scan

    def listed(h: Hit) -> bool:  # a weapon word after a gear word, in the same sentence
        if h.payloads[0][:2] != ("event", _WEAPONS):
            return False
        return any(0 <= h.start - e <= _GEAR_REACH and same_sentence(e, h.start) for e in ends)

    return replace(scan, cues=Spans([h for h in scan.cues if not listed(h)]))


@dataclass(slots=True)
class _Memory:
    """What earlier clauses of a report said, for the clauses after them."""

    towns: list[Mention]  # resolved settlements, in text order
    dated: dict[int, tuple[str | None, int | None]] = field(default_factory=dict)  # sentence
    lead: dict[str, tuple[str, int | None, list[Mention]]] = field(default_factory=dict)
    attackers: dict[int, Actor] = field(default_factory=dict)  # sentence -> last attacker
    named: dict[int, list[PlaceChoice]] = field(default_factory=dict)  # sentence -> places

    def keep(self, u: Unit, places: list[PlaceChoice]) -> None:
        """Remember the places (not areas) named for the events of ``u``'s sentence."""
        named = [c for c in places if c.how == "named" and c.mention.kind not in COARSE]
        if named:
            self.named.setdefault(u.sentence, []).extend(named)

    def continued(self, u: Unit) -> list[PlaceChoice]:
        """A clause that names no place continues the event before it: the one place named
        for the events of its sentence, else of the sentence before (geo_precision 2)."""
        if u.mentions:
            return []  # it names a place, set aside (a destination, a source, a tally)
        for s in (u.sentence, u.sentence - 1):
            if s in self.named:
                told = {key(c.mention): c for c in self.named[s]}
                if len(told) != 1:
                    return []
                (c,) = told.values()
                return [PlaceChoice(c.mention, max(c.precision, 2), c.container, "continued")]
        return []

    kinds: dict[tuple[int, str], str] = field(default_factory=dict)  # -> last sub-type


def _type_of(
    scan: Scan, u: Unit, event: tuple[str, str, int], cues: list[Hit], memory: _Memory
) -> tuple[str, str | None, tuple[Actor | None, Actor | None]]:
    """``(event_type, sub_event_type, actors)``: a coordinated clause keeps the sentence's
    attacker ("كما سيطرت ..."), a "similar" attack the sub-type before it."""
    actors = actors_of(scan, u, event[1] == "Air/drone strike")
    if actors[0] is None and u.opener == "coord" and u.sentence in memory.attackers:
        actors = (memory.attackers[u.sentence], actors[1])
    if actors[0] is not None:
        memory.attackers[u.sentence] = actors[0]
    etype, sub = resolve_type(event[0], event[1], actors)
    if sub is None and any(p[0] == "like" for h in cues for p in h.payloads):
        sub = memory.kinds.get((u.sentence, etype))  # "قصف مماثل": like the one before
    if sub is not None:
        memory.kinds[(u.sentence, etype)] = sub
    return etype, sub, actors


def _event_of(cues: list[Hit]) -> tuple[str, str, int] | None:
    best = None
    for h in cues:
        for role, etype, sub, prio in h.payloads:
            if role == "event" and (best is None or prio > best[2]):
                best = (etype, sub, prio)
    return best


def _armed(actors: tuple[Actor | None, Actor | None], cues: list[Hit]) -> bool:
    """Does a clause name a force: an armed actor, or a military noun (events.tsv armed)?"""
    if any(a is not None and a[1] != "civilian" for a in actors):
        return True
    return any(p[0] == "armed" for h in cues for p in h.payloads)
