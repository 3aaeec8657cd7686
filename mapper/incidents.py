"""ACLED-style incidents from a report and its place mentions.

The report is cut into sentences and clauses on ORIGINAL offsets (:func:`clause_spans`, then
clause openers such as ``كما``, ``في حين``, ``ردا على``).  A clause with an event cue
(``events.tsv``) yields one incident per event place in it; a clause without a cue yields none.
Which mentions are event places follows general rules (corpus README rule 9):

* rivers and countries never are (they are origins, actors or backdrops);
* a place named after another one with a relative cue (``قرية الطيبة بريف الميادين``) only
  qualifies it; a dateline place at the head of a report is context;
* a settlement that holds a named quarter or landmark (``حي الحوامة بمدينة هجين``) lends it its
  point (geo_precision 2) and gets no incident of its own;
* districts, governorates and regions count only when nothing finer is named in the clause, and
  are dropped when the report places an event of the same type somewhere finer;
* a list of many villages taken in one clause is one incident at the wider area.

Dates come from :mod:`mapper.dates` (coordinated clauses share a sentence's date), tolls from
:func:`mapper.numbers.toll` (README rule 11), claims and denials from ``claims.tsv``, actors from
``actors.tsv``, geo_precision from ``relative.tsv``.  Every matcher is built once per extractor; a
report costs one pass of each automaton over its normalized text.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .dates import DateAnchor, DateResolver
from .errors import ConfigError
from .lexicons import Hit, TermMatcher, read_table, terms_of
from .models import Claim, ClaimKind, EventType, Incident, Mention, Report
from .normalize import NormalizedText, normalize, normalize_name
from .numbers import Count, NumberReader, toll

__all__ = ["IncidentExtractor", "clause_spans", "incident_id"]

_COARSE = frozenset({"district", "subdistrict", "governorate", "region"})
_NEVER = frozenset({"river", "country"})
_INNER = frozenset({"neighbourhood", "neighborhood", "landmark"})
_SETTLEMENT = frozenset({"city", "town", "village"})
_ROLES = frozenset({"event", "block", "killed", "injured", "coord", "subord"})
_LIST_SIZE = 6  # this many places in one clause are one operation at the wider area
_ENDS = frozenset(".!?؟؛")
_STOPS = re.compile("[.!?؟؛\n]")  # punctuation classes only; word boundaries use TermMatcher
_COMMA = re.compile("[،,]")
_LINE_END = frozenset('.!?؟؛:"”»)')
_TRIM = frozenset(" \t\n\r.!?؟؛،,-–—:\"“”«»'")


def clause_spans(text: str) -> list[list[tuple[int, int]]]:
    """Sentences of ``text`` as lists of comma-separated segments (ORIGINAL half-open spans).

    A sentence ends at ``. ! ? ؟ ؛`` (not a decimal point) or a line break; in hard-wrapped wire
    copy (most lines end unpunctuated) only a blank line or punctuation ends one.
    """
    lines = [ln.rstrip() for ln in text.split("\n") if ln.strip()]
    bare = sum(1 for ln in lines[:-1] if ln[-1] not in _LINE_END)
    wrapped = len(lines) >= 4 and bare / (len(lines) - 1) >= 0.6
    n = len(text)
    cuts = []
    for match in _STOPS.finditer(text):
        i = match.start()
        if text[i] != "\n":
            if not (0 < i < n - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()):
                cuts.append(i)
        elif not wrapped or "\n" in text[max(i - 1, 0) : i] + text[i + 1 : i + 2]:
            cuts.append(i)
    sentences, start = [], 0
    for cut in [*cuts, n]:
        segs, a = [], start
        for match in _COMMA.finditer(text, start, cut):
            segs.append(_trim(text, a, match.start()))
            a = match.end()
        segs.append(_trim(text, a, cut))
        segs = [s for s in segs if s[1] > s[0]]
        if segs:
            sentences.append(segs)
        start = cut + 1
    return sentences


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def incident_id(
    source_id: str, place_id: str, event_type: str, date: str | None, span: tuple[int, int]
) -> str:
    """A short stable id from the document, place, type, date and evidence span (never uuid4)."""
    key = "\x1f".join((source_id, place_id, event_type, date or "", f"{span[0]}:{span[1]}"))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class _Unit:
    """A clause: ORIGINAL and normalized spans, its sentence, opener role and mentions."""

    start: int
    end: int
    nstart: int
    nend: int
    sentence: int
    opener: str
    mentions: list[Mention] = field(default_factory=list)


@dataclass(slots=True)
class _Scan:
    """Everything found once in a report's normalized text."""

    nt: NormalizedText
    cues: list[Hit]
    actors: list[Hit]
    relative: list[Hit]
    claims: list[Hit]
    anchors: list[DateAnchor]
    counts: list[Count]


def _table(name: str, folder: Path | None) -> tuple[dict[str, Any], ...]:
    return read_table(name, path=None if folder is None else folder / name)


def _event_entries(rows: Sequence[dict[str, Any]]) -> list[tuple[str, tuple[str, str, str, int]]]:
    entries = []
    for row in rows:
        role, event_type = row["role"], row["event_type"]
        if role not in _ROLES:
            raise ConfigError(f"events.tsv:{row['_line']}: field 'role': unknown role {role!r}")
        if role == "event" and event_type != "*" and event_type not in set(EventType):
            raise ConfigError(
                f"events.tsv:{row['_line']}: field 'event_type': not an ACLED type {event_type!r}"
            )
        prio = int(row["priority"] or 0)
        entries += [(t, (role, event_type, row["sub_event_type"], prio)) for t in terms_of([row])]
    return entries


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
        self._cues = TermMatcher(_event_entries(_table("events.tsv", folder)))
        rows = _table("actors.tsv", folder)
        self._actors = TermMatcher(
            (t, (r["actor"], r["category"])) for r in rows for t in terms_of([r])
        )
        rows = _table("relative.tsv", folder)
        self._relative = TermMatcher((t, r["role"]) for r in rows for t in terms_of([r]))
        self._linkers = {
            normalize_name(t)
            for r in rows
            if r["role"] in ("within", "facility")
            for t in terms_of([r])
        }
        rows = _table("claims.tsv", folder)
        self._claims = TermMatcher(
            (t, (r["kind"], r["party"], r["official"] == "yes"))
            for r in rows
            for t in terms_of([r])
        )

    def extract(self, report: Report, mentions: Sequence[Mention]) -> list[Incident]:
        """The incidents of ``report``, in text order, deduplicated, with deterministic ids."""
        if not isinstance(report, Report):
            raise TypeError(f"extract() expects a Report, got {type(report).__name__}")
        scan = self.scan(report.text)
        units = _units(scan, report.text, sorted(mentions, key=lambda m: (m.start, m.end)))
        drafts = self._drafts(report, scan, units)
        return _finish(report, drafts)

    def _drafts(self, report: Report, scan: _Scan, units: list[_Unit]) -> list[_Draft]:
        drafts: list[_Draft] = []
        orphans: list[tuple[_Unit, list[Claim]]] = []
        dated: dict[int, tuple[str | None, int | None]] = {}  # sentence -> last date
        lead: dict[str, str] = {}  # event type -> first date in the report
        for u in units:
            cues = _inside(scan.cues, u)
            event = _event_of(cues)
            when = self.dates.resolve(
                scan.nt.text, report.published, anchors=scan.anchors, start=u.nstart, end=u.nend
            )
            date, tprec = when.date, when.precision
            if not when.temporal and u.opener != "subord" and u.sentence in dated:
                date, tprec = dated[u.sentence]
            if when.temporal or date is not None:
                dated[u.sentence] = (date, tprec)
            fatal = self._toll(scan, u, cues)
            claims = self._claims_of(scan, u, fatal)
            if event is None:
                if claims:
                    orphans.append((u, claims))
                continue
            actors = self._actors_of(scan, u, event[1] == "Air/drone strike")
            etype, sub = _resolve_type(event[0], event[1], actors)
            places = self._event_places(scan, u, units)
            notes = []
            if (
                date is None
                and not when.temporal
                and u.opener != "subord"
                and u.sentence not in dated
                and etype in lead
            ):
                date, tprec = lead[etype], 2
                notes.append("date carried from the report's first event of this type")
                dated[u.sentence] = (date, tprec)
            if date is not None:
                lead.setdefault(etype, date)
            share = fatal if len(places) <= 1 or not fatal else None
            if share is None and fatal:
                notes.append(f"toll {fatal} not split between {len(places)} places")
            for m, precision, container in places:
                lat, lon, prec, admin, more = self._locate(m, precision, container)
                drafts.append(
                    _Draft(
                        u,
                        m,
                        etype,
                        sub,
                        prec,
                        lat,
                        lon,
                        [*notes, *more],
                        actors,
                        share,
                        list(claims),
                        date,
                        tprec,
                        when.temporal,
                        admin,
                    )
                )
        _attach_orphans(drafts, orphans)
        return drafts

    def _toll(self, scan: _Scan, u: _Unit, cues: list[Hit]) -> int | None:
        killed, injured = [], []
        for h in cues:
            roles = {p[0] for p in h.payloads}
            if "killed" in roles:
                killed.append((h.start, h.end))
            elif "injured" in roles:
                injured.append((h.start, h.end))
        taken = [(a.start, a.end) for a in scan.anchors]
        counts = [
            c
            for c in _inside(scan.counts, u)
            if not any(s <= c.start < e or c.start <= s < c.end for s, e in taken)
        ]
        tally = [
            (s, e) for s, e in killed if any(c.value is None and 0 < s - c.end <= 1 for c in counts)
        ]
        return toll(counts, killed, injured, tally=tally)

    def _claims_of(self, scan: _Scan, u: _Unit, fatal: int | None) -> list[Claim]:
        hits = _inside(scan.claims, u)
        parties = [(h, p) for h in hits for p in h.payloads if p[0] == "party"]
        verbs = [h for h in hits if any(p[0] == "claim" for p in h.payloads)]
        denials = [h for h in hits if any(p[0] == "denial" for p in h.payloads)]
        deaths = any(p[0] == "deaths" for h in hits for p in h.payloads)
        out: dict[str, Claim] = {}
        denier = None
        if denials:
            d = denials[0]
            after = [p for h, p in parties if h.start >= d.end]
            before = [p for h, p in parties if h.end <= d.start]
            pick = after[0] if after else (before[-1] if before else None)
            if pick is not None:
                denier = pick[1]
                out[denier] = Claim(denier, ClaimKind.DENIAL, 0 if deaths else None, u.start, u.end)
        voiced = set()
        for v in verbs:  # the party just before a claim verb, else the first one after it
            near = [h for h, _ in parties if 0 <= v.start - h.end <= 3]
            near = near or [h for h, _ in parties if 0 <= h.start - v.end <= 25][:1]
            voiced.update(h.start for h in near)
        for h, (_, party, official) in parties:
            spoke = h.start in voiced
            if party != denier and (official or spoke):
                out.setdefault(party, Claim(party, ClaimKind.CLAIM, fatal, u.start, u.end))
        names = list(out)
        for name in names:  # "Islamic State" is folded into "Islamic State (Amaq ...)"
            if any(o != name and o.startswith(name) for o in names):
                out.pop(name)
        return list(out.values())

    def _actors_of(self, scan: _Scan, u: _Unit, air: bool) -> tuple[str | None, str | None]:
        found: list[tuple[str, str]] = []
        speakers = [h for h in _inside(scan.claims, u) if any(p[0] == "party" for p in h.payloads)]
        hits = _inside(scan.actors, u)
        silent = [h for h in hits if not any(s.start <= h.start < s.end for s in speakers)]
        if any(h.payloads[0][1] != "civilian" for h in silent):
            hits = silent  # the party that speaks is not an actor of the event
        for h in hits:
            actor = h.payloads[0]
            if all(actor[0] != f[0] for f in found):
                found.append(actor)
        armed = [f for f in found if f[1] != "civilian"]
        if air:  # a strike: the air force is the attacker wherever it is named
            armed.sort(key=lambda f: f[1] != "air")
        civilians = [f for f in found if f[1] == "civilian"]
        first = armed[0] if armed else None
        second = armed[1] if len(armed) > 1 else (civilians[0] if civilians else None)
        return (
            f"{first[0]}|{first[1]}" if first else None,
            f"{second[0]}|{second[1]}" if second else None,
        )

    def _event_places(
        self, scan: _Scan, u: _Unit, units: list[_Unit]
    ) -> list[tuple[Mention, int, Mention | None]]:
        """``(mention, geo_precision, container)`` for each event place of a clause."""
        nt = scan.nt
        rel = _inside(scan.relative, u)
        kept: list[tuple[Mention, int, Mention | None]] = []
        containers: set[int] = set()
        cands = [m for m in u.mentions if m.kind not in _NEVER and not _dateline(nt, m)]
        skip_next = among = False
        for i, m in enumerate(cands):
            ns, ne = to_norm(nt, m.start, m.end)
            roles = self._cues_before(nt.text, rel, ns)
            if skip_next or i in containers or roles & {"source", "actor"}:
                skip_next = False
                continue
            skip_next = "between" in roles
            among = among or any(h.payloads[0] == "among" and h.end <= ns for h in rel)
            before = "before" in roles
            after = any(
                h.start >= ne and h.start - ne <= 1 and h.payloads[0] == "after" for h in rel
            )
            if (before or among) and any(k[0].kind not in _COARSE for k in kept):
                continue  # "قرية الطيبة بريف الميادين": a qualifier of the place before
            container = None
            if m.kind in _INNER:
                for j in range(i + 1, len(cands)):
                    if cands[j].kind in _SETTLEMENT and self._linked(nt, m, cands[j]):
                        container = cands[j]
                        containers.add(j)
                        break
            if container is not None and m.kind == "landmark":
                m, container = container, None  # a mosque of a town: the town, in part
                before = True
            precision = 2 if before or after or container else 1
            if m.kind in _COARSE:
                precision = 3 if not before else 2
            if all(k[0].place_id != m.place_id for k in kept):
                kept.append((m, precision, container))
        fine = [k for k in kept if k[0].kind not in _COARSE]
        if len(fine) >= _LIST_SIZE:
            wide = [k for k in kept if k[0].kind in _COARSE]
            return [(wide[-1][0], 3, None)] if wide else fine[:1]
        if fine:
            return fine
        if kept:
            return kept[:1]
        return self._fallback_place(u, units)

    def _fallback_place(
        self, u: _Unit, units: list[_Unit]
    ) -> list[tuple[Mention, int, Mention | None]]:
        """A cue with no place: the sentence's first settlement (``في البلدة``, ``هناك``)."""
        pool = [
            m for v in units if v.sentence == u.sentence for m in v.mentions if m.kind not in _NEVER
        ]
        for m in pool:
            if m.kind in _SETTLEMENT:
                return [(m, 2, None)]
        return [(pool[0], 3, None)] if pool else []

    def _cues_before(self, text: str, rel: list[Hit], ns: int) -> set[str]:
        """Roles of the relative cues standing right before a name (generic nouns may intervene)."""
        roles = set()
        for h in rel:
            if h.end > ns or ns - h.end > 30:
                continue
            gap = text[h.end : ns].split()
            if len(gap) <= 2 and all(self._is_linker(w) for w in gap):
                roles.add(h.payloads[0])
        return roles

    def _is_linker(self, word: str) -> bool:
        return any(
            word[k:] in self._linkers
            for k in range(3)
            if word[:k] in ("", "و", "ب", "وب", "ف", "ل")
        )

    def _linked(self, nt: NormalizedText, inner: Mention, outer: Mention) -> bool:
        """``inner`` lies in ``outer``: only generic nouns or في/ب between them."""
        a, _ = to_norm(nt, inner.end, inner.end)
        b, _ = to_norm(nt, outer.start, outer.start)
        words = nt.text[a:b].split()
        if len(words) > 3:
            return False
        if not words:
            return outer.prefix.endswith("ب") or outer.prefix.endswith("في")
        return all(self._is_linker(w) for w in words)

    def _locate(
        self, m: Mention, precision: int, container: Mention | None
    ) -> tuple[float | None, float | None, int, tuple[str, str, str], list[str]]:
        notes: list[str] = []
        lat, lon = m.lat, m.lon
        admin = ("", "", "")
        place = self.gazetteer.get(m.place_id) if self.gazetteer is not None else None
        if place is not None:
            admin = (place.admin1, place.admin2, place.admin3)
        if lat is None and self.gazetteer is not None and place is not None:
            seen = {m.place_id}
            parent = self.gazetteer.get(place.parent) if place.parent else None
            while parent is not None and not parent.has_point and parent.parent not in seen:
                seen.add(parent.place_id)
                parent = self.gazetteer.get(parent.parent) if parent.parent else None
            if parent is not None and parent.has_point:
                lat, lon = parent.lat, parent.lon
                coarse = parent.kind in _COARSE
                precision = max(precision, 3 if coarse else 2)
                notes.append(f"placed at {parent.name_en}, the nearest parent with a point")
        if lat is None and container is not None and container.lat is not None:
            lat, lon = container.lat, container.lon
            precision = max(precision, 2)
            notes.append(f"placed at {container.name}, the settlement that holds it")
        return lat, lon, precision, admin, notes

    def scan(self, text: str) -> _Scan:
        """One pass of every matcher over the normalized ``text``."""
        nt = normalize(text)
        t = nt.text
        return _Scan(
            nt,
            self._cues.find(t),
            self._actors.find(t),
            self._relative.find(t),
            self._claims.find(t),
            self.dates.anchors(t),
            self.numbers.counts(t),
        )


def to_norm(nt: NormalizedText, start: int, end: int) -> tuple[int, int]:
    """The normalized span of an ORIGINAL span (the inverse of ``to_original``)."""
    n = len(nt.text)
    return bisect_left(nt.offsets, start, 0, n), bisect_left(nt.offsets, end, 0, n)


def _units(scan: _Scan, text: str, mentions: list[Mention]) -> list[_Unit]:
    """Clauses: sentence segments joined until a clause opener starts a new one."""
    nt = scan.nt
    openers = [
        (h.start, h.payloads[0][0]) for h in scan.cues if h.payloads[0][0] in ("coord", "subord")
    ]
    units: list[_Unit] = []
    for si, segs in enumerate(clause_spans(text)):
        pieces: list[tuple[int, int, str]] = []
        for a, b in segs:
            na, nb = to_norm(nt, a, b)
            starts = {na: ""}
            starts.update({p: role for p, role in openers if na <= p < nb})
            keys = sorted(starts)
            for k, p in enumerate(keys):
                pieces.append((p, keys[k + 1] if k + 1 < len(keys) else nb, starts[p]))
        current: _Unit | None = None
        full = False
        for p, q, role in pieces:
            own = _has_event(scan, p, q) and _has_place(nt, mentions, p, q)
            if current is None or role or (own and full):
                current = _Unit(0, 0, p, q, si, role)
                units.append(current)
                full = False
            current.nend = q
            full = (
                full
                or own
                or (
                    _has_event(scan, current.nstart, q)
                    and _has_place(nt, mentions, current.nstart, q)
                )
            )
    for u in units:
        u.start, u.end = nt.to_original(u.nstart, u.nend)
        u.start, u.end = _trim(text, u.start, u.end)
    for m in mentions:
        for u in units:
            if u.start <= m.start < u.end:
                u.mentions.append(m)
                break
    return units


def _inside(hits: Sequence[Any], u: _Unit) -> list[Any]:
    return [h for h in hits if u.nstart <= h.start < u.nend]


def _event_of(cues: list[Hit]) -> tuple[str, str, int] | None:
    best = None
    for h in cues:
        for role, etype, sub, prio in h.payloads:
            if role == "event" and (best is None or prio > best[2]):
                best = (etype, sub, prio)
    return best


@dataclass(slots=True)
class _Draft:
    unit: _Unit
    mention: Mention
    event_type: str
    sub_event_type: str | None
    precision: int
    lat: float | None
    lon: float | None
    notes: list[str]
    actors: tuple[str | None, str | None]
    fatalities: int | None
    claims: list[Claim]
    date: str | None
    time_precision: int | None
    temporal: bool
    admin: tuple[str, str, str] = ("", "", "")


def _finish(report: Report, drafts: list[_Draft]) -> list[Incident]:
    """Drop coarse duplicates, merge same (place, type, date), build records."""
    fine_types = {d.event_type for d in drafts if d.mention.kind not in _COARSE}
    drafts = [d for d in drafts if d.mention.kind not in _COARSE or d.event_type not in fine_types]
    merged: list[_Draft] = []
    for d in drafts:
        twin = next(
            (
                m
                for m in merged
                if m.mention.place_id == d.mention.place_id
                and m.event_type == d.event_type
                and m.date == d.date
                and (m.fatalities is None or d.fatalities is None or m.fatalities == d.fatalities)
            ),
            None,
        )
        if twin is None:
            merged.append(d)
            continue
        if twin.fatalities is None:
            twin.fatalities = d.fatalities
        twin.claims += [c for c in d.claims if c not in twin.claims]
        twin.sub_event_type = twin.sub_event_type or d.sub_event_type
        twin.actors = (twin.actors[0] or d.actors[0], twin.actors[1] or d.actors[1])
    out = []
    text = report.text
    for d in merged:
        u, m = d.unit, d.mention
        iid = incident_id(report.id, m.place_id, d.event_type, d.date, (u.start, u.end))
        out.append(
            Incident(
                incident_id=iid,
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
                evidence=text[u.start : u.end],
                event_date=d.date,
                time_precision=d.time_precision,
                actor1=_name(d.actors[0]),
                actor2=_name(d.actors[1]),
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
        )
    return out


def _dateline(nt: NormalizedText, m: Mention) -> bool:
    """A place at the head of a report followed by a date or an agency: context, not event."""
    if m.start > 2:
        return False
    _, ne = to_norm(nt, m.start, m.end)
    tail = nt.text[ne : ne + 4].strip()
    return bool(tail) and (tail[0].isdigit() or tail[0] in "(-–")


def _resolve_type(
    etype: str, sub: str, actors: tuple[str | None, str | None]
) -> tuple[str, str | None]:
    """Settle actor-dependent cues: ``*`` (an attack) and ``territory`` (a capture)."""
    cat1 = actors[0].split("|")[1] if actors[0] else ""
    cat2 = actors[1].split("|")[1] if actors[1] else ""
    if etype == "*":
        if cat1 == "air":
            return EventType.EXPLOSIONS.value, None
        if cat2 in ("civilian", "") and cat1 in ("nonstate", "") and actors[1]:
            return EventType.VIOLENCE_AGAINST_CIVILIANS.value, "Attack"
        return EventType.BATTLES.value, "Armed clash"
    if sub == "territory":
        if cat1 in ("state", "foreign", "air"):
            return etype, "Government regains territory"
        return etype, "Non-state actor overtakes territory"
    return etype, sub or None


def _attach_orphans(drafts: list[_Draft], orphans: list[tuple[_Unit, list[Claim]]]) -> None:
    """A claim or denial in a clause without an event goes to the same place's next incident,
    else to the incidents of the same sentence."""
    for u, found in orphans:
        claims = [c for c in found if c.kind is ClaimKind.DENIAL or c.fatalities is not None]
        places = {m.place_id for m in u.mentions}
        target = [d for d in drafts if d.mention.place_id in places and d.unit.start >= u.start][:1]
        if not target:
            target = [d for d in drafts if d.unit.sentence == u.sentence]
        for d in target:
            d.claims += [
                c for c in claims if all((c.party, c.kind) != (o.party, o.kind) for o in d.claims)
            ]


def _name(actor: str | None) -> str | None:
    return None if actor is None else actor.split("|")[0]


def _has_event(scan: _Scan, a: int, b: int) -> bool:
    return any(a <= h.start < b and h.payloads[0][0] == "event" for h in scan.cues)


def _has_place(nt: NormalizedText, mentions: list[Mention], a: int, b: int) -> bool:
    oa, ob = nt.offsets[a], nt.offsets[min(b, len(nt.text))]
    return any(oa <= m.start < ob and m.kind not in _NEVER for m in mentions)
