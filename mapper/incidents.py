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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .claims import Actor, actors_of, attach_orphans, claims_of, resolve_type
from .clauses import Spans, Unit, build_units, clause_spans
from .cues import CueScanner, Scan
from .dates import DateResolver
from .event_places import COARSE, EventPlaces
from .lexicons import Hit
from .models import Claim, Incident, Mention, Report
from .normalize import NormalizedText, normalize
from .numbers import NumberReader, toll

__all__ = ["IncidentExtractor", "clause_spans", "incident_id"]


def incident_id(
    source_id: str, place_id: str, event_type: str, date: str | None, span: tuple[int, int]
) -> str:
    """A short stable id from the document, place, type, date and evidence span (never uuid4)."""
    key = "\x1f".join((source_id, place_id, event_type, date or "", f"{span[0]}:{span[1]}"))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class _Draft:
    """An incident being built; merged drafts take each other's missing fields."""

    unit: Unit
    mention: Mention
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
    def place_id(self) -> str:
        return self.mention.place_id


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
        events = [h for h in scan.cues if h.payloads[0][0] == "event"]
        if not events:
            return []
        ordered = sorted(mentions, key=lambda m: (m.start, m.end))
        wanted = Spans(sorted([*events, *scan.claims], key=lambda h: h.start))
        units = build_units(normalized, ordered, openers, Spans(events), wanted)
        return _finish(report, self._drafts(report, scan, units))

    def scan(self, normalized: NormalizedText | str) -> Scan:
        """One pass of every incident lexicon over a report (normalized here if a ``str``)."""
        nt = normalize(normalized) if isinstance(normalized, str) else normalized
        return self._scanner.scan(nt)

    def _drafts(self, report: Report, scan: Scan, units: list[Unit]) -> list[_Draft]:
        drafts: list[_Draft] = []
        orphans: list[tuple[Unit, list[Claim]]] = []
        dated: dict[int, tuple[str | None, int | None]] = {}  # sentence -> last date
        lead: dict[str, str] = {}  # event type -> first date in the report
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
            if event is None and not scan.claims.any_between(u.nstart, u.nend):
                continue
            fatal = self._toll(scan, u, cues)
            claims = claims_of(scan, u, fatal)
            if event is None:
                if claims:
                    orphans.append((u, claims))
                continue
            actors = actors_of(scan, u, event[1] == "Air/drone strike")
            etype, sub = resolve_type(event[0], event[1], actors)
            notes = []
            if date is None and not when.temporal and u.opener != "subord":
                if u.sentence not in dated and etype in lead:
                    date, tprec = lead[etype], 2
                    notes.append("date carried from the report's first event of this type")
                    dated[u.sentence] = (date, tprec)
            if date is not None:
                lead.setdefault(etype, date)
            places = self._places.choose(scan, u, units)
            share = fatal if len(places) <= 1 or not fatal else None
            if share is None and fatal:
                notes.append(f"toll {fatal} not split between {len(places)} places")
            for m, precision, container in places:
                lat, lon, prec, admin, more = self._places.locate(m, precision, container)
                drafts.append(
                    _Draft(
                        u, m, etype, sub, prec, lat, lon, [*notes, *more], actors, share,
                        list(claims), date, tprec, admin,
                    )
                )  # fmt: skip
        attach_orphans(drafts, orphans)
        return drafts

    def _toll(self, scan: Scan, u: Unit, cues: list[Hit]) -> int | None:
        killed, injured = [], []
        for h in cues:
            roles = {p[0] for p in h.payloads}
            if "killed" in roles:
                killed.append((h.start, h.end))
            elif "injured" in roles:
                injured.append((h.start, h.end))
        taken = [(a.start, a.end) for a in scan.anchors.between(u.nstart - 20, u.nend)]
        counts = [
            c
            for c in scan.counts.between(u.nstart, u.nend)
            if not any(s <= c.start < e or c.start <= s < c.end for s, e in taken)
        ]
        tally = [
            (s, e) for s, e in killed if any(c.value is None and 0 < s - c.end <= 1 for c in counts)
        ]
        return toll(counts, killed, injured, tally=tally)


def _event_of(cues: list[Hit]) -> tuple[str, str, int] | None:
    best = None
    for h in cues:
        for role, etype, sub, prio in h.payloads:
            if role == "event" and (best is None or prio > best[2]):
                best = (etype, sub, prio)
    return best


def _twin(merged: list[_Draft], d: _Draft) -> _Draft | None:
    for m in merged:
        if (
            m.place_id == d.place_id
            and m.event_type == d.event_type
            and m.date == d.date
            and (m.fatalities is None or d.fatalities is None or m.fatalities == d.fatalities)
        ):
            return m
    return None


def _finish(report: Report, drafts: list[_Draft]) -> list[Incident]:
    """Drop coarse duplicates, merge same (place, type, date), build records."""
    fine_types = {d.event_type for d in drafts if d.mention.kind not in COARSE}
    drafts = [d for d in drafts if d.mention.kind not in COARSE or d.event_type not in fine_types]
    merged: list[_Draft] = []
    for d in drafts:
        twin = _twin(merged, d)
        if twin is None:
            merged.append(d)
            continue
        if twin.fatalities is None:
            twin.fatalities = d.fatalities
        twin.claims += [c for c in d.claims if c not in twin.claims]
        twin.sub_event_type = twin.sub_event_type or d.sub_event_type
        twin.actors = (twin.actors[0] or d.actors[0], twin.actors[1] or d.actors[1])
    return [_record(report, d) for d in merged]


def _record(report: Report, d: _Draft) -> Incident:
    u, m = d.unit, d.mention
    return Incident(
        incident_id=incident_id(report.id, m.place_id, d.event_type, d.date, (u.start, u.end)),
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
