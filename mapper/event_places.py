"""Which place mentions of a clause are event places, and where each incident goes on the map.

General rules (corpus README rule 9, ACLED geo_precision):

* rivers and countries never are event places (they are origins, actors or backdrops);
* a place named after another one with a relative cue (``قرية الطيبة بريف الميادين``) only
  qualifies it; a dateline place at the head of a report is context;
* a settlement that holds a named quarter or landmark (``حي الحوامة بمدينة هجين``) lends it its
  point (geo_precision 2) and gets no incident of its own;
* districts, governorates and regions count only when nothing finer is named in the clause;
* a list of many villages taken in one clause is one incident at the wider area.

geo_precision is 1 at the place itself, 2 near or in part of it (``relative.tsv``) or at a
borrowed point, 3 at a district or governorate.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from .clauses import Unit, to_norm
from .cues import Scan
from .lexicons import Hit
from .models import Mention
from .normalize import NormalizedText

__all__ = [
    "COARSE",
    "EventPlaces",
    "Located",
    "PlaceChoice",
    "is_dateline",
    "key",
    "settlements",
]

COARSE = frozenset({"district", "subdistrict", "governorate", "region"})
NEVER = frozenset({"river", "country"})
INNER = frozenset({"neighbourhood", "neighborhood", "landmark"})
SETTLEMENT = frozenset({"city", "town", "village"})
_LIST_SIZE = 6  # this many places in one clause are one operation at the wider area
_CLITICS = ("", "و", "ب", "وب", "ف", "ل")
_QUOTES = "\"'“”«»()-–—"

Located = tuple[float | None, float | None, int, tuple[str, str, str], list[str]]


@dataclass(frozen=True, slots=True)
class PlaceChoice:
    """An event place: the mention, its geo_precision, the settlement that lends it a point,
    and how it was chosen: ``named`` in the clause, ``fallback`` (no place in the clause),
    ``list`` (a long list at the wider area) or ``borrowed`` (an inner place at the last
    settlement named before it)."""

    mention: Mention
    precision: int
    container: Mention | None = None
    how: str = "named"


class EventPlaces:
    """Event places of clauses and their map points.

    ``linkers``: the generic nouns and prepositions that may stand between two names
    (``relative.tsv`` roles ``within`` and ``facility``); ``gazetteer``: anything with
    ``get(place_id)``, for admin names and the nearest parent with a point (``None``: none).
    """

    def __init__(self, linkers: frozenset[str], gazetteer: Any = None) -> None:
        self.linkers = linkers
        self.gazetteer = gazetteer
        self._chains: dict[str, tuple[str, ...]] = {}  # place id -> its ancestors

    def choose(
        self, scan: Scan, u: Unit, units: list[Unit], towns: list[Mention]
    ) -> list[PlaceChoice]:
        """The event places of clause ``u``; ``units`` (all clauses) and ``towns`` (the
        report's resolved settlements, see :func:`settlements`) serve the fallbacks."""
        nt = scan.nt
        rel = scan.relative.between(u.nstart, u.nend)
        kept: list[PlaceChoice] = []
        containers: set[int] = set()
        cands = [m for m in u.mentions if m.kind not in NEVER and not is_dateline(nt, m)]
        cues = {p[0] for h in scan.cues.between(u.nstart, u.nend) for p in h.payloads}
        if "total" in cues:  # a tally over an area sums incidents told elsewhere
            cands = [m for m in cands if m.kind not in COARSE]
            if not cands:
                return []
        skip = (
            {"source", "actor", "from", "toward"} if "away" in cues else {"source", "actor", "from"}
        )
        skip_next = among = went = False
        areas: list[Mention] = []  # districts, governorates, regions named as such
        aside: list[Mention] = []  # places of a source (ناشطون في X, أبناء X)
        for i, m in enumerate(cands):
            ns, ne = to_norm(nt, m.start, m.end)
            roles = self._cues_before(nt.text, rel, ns)
            if skip_next or i in containers or roles & skip:
                skip_next = False
                went = went or "toward" in roles
                if "source" in roles and not roles & {"actor", "toward"}:
                    aside.append(m)
                continue
            skip_next = "between" in roles
            among = among or any(h.payloads[0] == "among" and h.end <= ns for h in rel)
            before = "before" in roles
            after = any(
                h.start >= ne and h.start - ne <= 1 and h.payloads[0] == "after" for h in rel
            )
            if m.kind in COARSE:
                areas.append(m)
            if (before or among) and any(k.mention.kind not in COARSE for k in kept):
                continue  # "قرية الطيبة بريف الميادين": a qualifier of the place before
            choice = self._inner(nt, cands, i, towns, containers, (before, after))
            if choice is not None and all(key(k.mention) != key(choice.mention) for k in kept):
                kept.append(choice)
        fine = [k for k in kept if k.mention.kind not in COARSE]
        if len(fine) >= _LIST_SIZE:
            return [PlaceChoice(areas[-1], 3, None, "list")] if areas else fine[:1]
        if fine:
            return fine
        if kept:
            return kept[:1]
        if went:
            return []  # a withdrawal to X only
        return self._fallback(scan, u, units, towns, aside)

    def _inner(
        self,
        nt: NormalizedText,
        cands: list[Mention],
        i: int,
        towns: list[Mention],
        containers: set[int],
        cued: tuple[bool, bool],
    ) -> PlaceChoice | None:
        """The choice for ``cands[i]`` (``cued``: a relative cue before / after it): a quarter or
        landmark borrows the point of the settlement that holds it, or of the one named
        before it; an unknown facility followed by its town is a detail of that town."""
        m, (before, after) = cands[i], cued
        how, container = "named", None
        if m.kind in INNER:
            j = self._container(nt, cands, i)
            if j is not None:
                container = cands[j]
                containers.add(j)
            elif not m.place_id:
                if any(_resolved_settlement(c) for c in cands[i + 1 :]):
                    return None  # "فندق X بسوسة": a detail of the town named after it
                container, how = _settlement_before(towns, m.start), "borrowed"
        if container is not None and m.kind == "landmark" and not m.place_id and how == "named":
            m, container, before = container, None, True  # a mosque of a town: the town, in part
        precision = 2 if before or after or container else 1
        if m.kind in COARSE:
            precision = 2 if before else 3
        return PlaceChoice(m, precision, container, how)

    def _container(self, nt: NormalizedText, cands: list[Mention], i: int) -> int | None:
        for j in range(i + 1, len(cands)):
            if cands[j].kind in SETTLEMENT and self._linked(nt, cands[i], cands[j]):
                return j
        return None

    def _fallback(
        self,
        scan: Scan,
        u: Unit,
        units: list[Unit],
        towns: list[Mention],
        aside: list[Mention],
    ) -> list[PlaceChoice]:
        """A cue with no event place: the place of the clause's own source (``أبناء X``,
        ``مراسلنا في X``: the best clue, geo_precision 2); else, after an anaphor (``في
        البلدة``, ``هناك``), the last settlement named; else the smallest area named in the
        sentence (corpus README rule 9: "areas held by IS" go to the smallest area the text
        gives)."""
        if aside:  # the nearest place named, which an anaphor also points to
            best = next((m for m in aside if m.kind in SETTLEMENT), aside[0])
            return [PlaceChoice(best, 3 if best.kind in COARSE else 2, None, "fallback")]
        if any(h.payloads[0] == "anaphor" for h in scan.relative.between(u.nstart, u.nend)):
            town = _settlement_before(towns, u.end)
            if town is not None:
                return [PlaceChoice(town, 2, None, "fallback")]
        # units come in sentence order: bisect the sentence's run (a scan of all units per
        # clause was quadratic, minutes on a multi-megabyte report)
        lo = bisect_left(units, u.sentence, key=_sentence)
        hi = bisect_right(units, u.sentence, lo, key=_sentence)
        pool = [  # the clause's own names were already set aside (sources, actors)
            m
            for v in units[lo:hi]
            if v is not u
            for m in v.mentions
            if m.kind in COARSE and m.place_id
        ]
        before = [m for m in pool if m.start < u.start]
        pick = before[-1] if before else (pool[0] if pool else None)
        return [PlaceChoice(pick, 3, None, "fallback")] if pick is not None else []

    def _cues_before(self, text: str, rel: list[Hit], ns: int) -> set[str]:
        """Roles of the relative cues standing right before a name (generic nouns may intervene)."""
        roles = set()
        for h in rel:
            if h.end > ns or ns - h.end > 30:
                continue
            gap = [w for w in (w.strip(_QUOTES) for w in text[h.end : ns].split()) if w]
            if len(gap) <= 2 and all(self._is_linker(w) for w in gap):
                roles.add(h.payloads[0])
            elif h.payloads[0] == "source" and 0 < len(gap) <= 3 and gap[-1] == "في":
                roles.add("source")  # "مراسل “ستيب” في X": an outlet's name may intervene
        return roles

    def _is_linker(self, word: str) -> bool:
        return any(word[k:] in self.linkers for k in range(3) if word[:k] in _CLITICS)

    def _linked(self, nt: NormalizedText, inner: Mention, outer: Mention) -> bool:
        """``inner`` lies in ``outer``: only generic nouns or في/ب between them."""
        a, _ = to_norm(nt, inner.end, inner.end)
        b, _ = to_norm(nt, outer.start, outer.start)
        words = [w for w in (w.strip(_QUOTES) for w in nt.text[a:b].split()) if w]
        if len(words) > 3:
            return False
        if not words:
            return outer.prefix.endswith("ب") or outer.prefix.endswith("في")
        return all(self._is_linker(w) for w in words)

    def locate(self, choice: PlaceChoice) -> Located:
        """``(lat, lon, geo_precision, (admin1, admin2, admin3), notes)`` of an event place."""
        m, precision, container = choice.mention, choice.precision, choice.container
        notes: list[str] = []
        lat, lon = m.lat, m.lon
        if m.place_source:  # an online geocoder's answer: say so, a person should review it
            notes.append(f"placed by the online geocoder {m.place_source}; review before use")
        admin = ("", "", "")
        place = self.gazetteer.get(m.place_id) if self.gazetteer is not None else None
        if place is not None:
            admin = (place.admin1, place.admin2, place.admin3)
        # the nearest documented place that holds it, else the seat of its admin unit
        found = self.gazetteer.located(place.place_id) if lat is None and place else None
        seat = found is not None and found[0].place_id not in self._parents(m.place_id)
        if found is not None and not seat:
            lat, lon = found[0].lat, found[0].lon
            precision = max(precision, 3 if found[0].kind in COARSE else 2)
            notes.append(f"placed at {found[0].name_en}, the nearest parent with a point")
        if lat is None and container is not None and container.lat is not None:
            lat, lon = container.lat, container.lon
            precision = max(precision, 2)
            how = (
                "the settlement named before it"
                if choice.how == "borrowed"
                else "the settlement that holds it"
            )
            notes.append(f"placed at {container.name}, {how}")
        if lat is None and found is not None:  # only the area is known: its seat stands for it
            lat, lon = found[0].lat, found[0].lon
            precision = 3
            notes.append(f"placed at {found[0].name_en}, the seat of the area that holds it")
        return lat, lon, precision, admin, notes

    def holders(self, inner: PlaceChoice) -> list[str]:
        """Keys of the places that hold ``inner``: its container, then its gazetteer
        ancestors, nearest first."""
        out = [key(inner.container)] if inner.container is not None else []
        if self.gazetteer is None or not inner.mention.place_id:
            return out
        return out + list(self._parents(inner.mention.place_id))

    def _parents(self, place_id: str) -> tuple[str, ...]:
        """Gazetteer ancestors of ``place_id``, nearest first (walked once per place: the
        gazetteer does not change under an extractor)."""
        chain = self._chains.get(place_id)
        if chain is None:
            ancestors = self.gazetteer.ancestors(place_id)
            chain = self._chains[place_id] = tuple(p.place_id for p in ancestors)
        return chain

    def inside(self, inner: PlaceChoice, outer: Mention) -> bool:
        """Does ``inner`` lie in ``outer``: its container, or a gazetteer ancestor?"""
        if self.gazetteer is None and (inner.container is None or outer.kind in COARSE):
            return outer.kind in COARSE  # no hierarchy: an area may hold any named place
        return key(outer) in self.holders(inner)


def key(m: Mention) -> str:
    """A place's identity: its gazetteer id, else its name as written."""
    return m.place_id or f"?{m.name}"


def _resolved_settlement(m: Mention) -> bool:
    return m.kind in SETTLEMENT and bool(m.place_id)


def settlements(mentions: list[Mention]) -> list[Mention]:
    """The resolved settlements among ``mentions`` (in text order)."""
    return [m for m in mentions if _resolved_settlement(m)]


def _settlement_before(towns: list[Mention], end: int) -> Mention | None:
    """The last of ``towns`` named before ``end`` (one bisection)."""
    i = bisect_left(towns, end, key=_start)
    return towns[i - 1] if i else None


def _sentence(unit: Unit) -> int:
    return unit.sentence


def _start(item: Unit | Mention) -> int:
    return item.start


def is_dateline(nt: NormalizedText, m: Mention) -> bool:
    """A place at the head of a report followed by a date or an agency: context, not event."""
    if m.start > 2:
        return False
    _, ne = to_norm(nt, m.start, m.end)
    tail = nt.text[ne : ne + 4].strip()
    return bool(tail) and (tail[0].isdigit() or tail[0] in "(-–")
