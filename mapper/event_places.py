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
from typing import Any

from .clauses import Unit, to_norm
from .cues import Scan
from .lexicons import Hit
from .models import Mention
from .normalize import NormalizedText

__all__ = ["COARSE", "EventPlaces", "Located", "PlaceChoice", "is_dateline"]

COARSE = frozenset({"district", "subdistrict", "governorate", "region"})
NEVER = frozenset({"river", "country"})
INNER = frozenset({"neighbourhood", "neighborhood", "landmark"})
SETTLEMENT = frozenset({"city", "town", "village"})
_LIST_SIZE = 6  # this many places in one clause are one operation at the wider area
_CLITICS = ("", "و", "ب", "وب", "ف", "ل")

PlaceChoice = tuple[Mention, int, Mention | None]  # (mention, geo_precision, container)
Located = tuple[float | None, float | None, int, tuple[str, str, str], list[str]]


class EventPlaces:
    """Event places of clauses and their map points.

    ``linkers``: the generic nouns and prepositions that may stand between two names
    (``relative.tsv`` roles ``within`` and ``facility``); ``gazetteer``: anything with
    ``get(place_id)``, for admin names and the nearest parent with a point (``None``: none).
    """

    def __init__(self, linkers: frozenset[str], gazetteer: Any = None) -> None:
        self.linkers = linkers
        self.gazetteer = gazetteer

    def choose(self, scan: Scan, u: Unit, units: list[Unit]) -> list[PlaceChoice]:
        """``(mention, geo_precision, container)`` for each event place of clause ``u``."""
        nt = scan.nt
        rel = scan.relative.between(u.nstart, u.nend)
        kept: list[PlaceChoice] = []
        containers: set[int] = set()
        cands = [m for m in u.mentions if m.kind not in NEVER and not is_dateline(nt, m)]
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
            if (before or among) and any(k[0].kind not in COARSE for k in kept):
                continue  # "قرية الطيبة بريف الميادين": a qualifier of the place before
            container = None
            if m.kind in INNER:
                for j in range(i + 1, len(cands)):
                    if cands[j].kind in SETTLEMENT and self._linked(nt, m, cands[j]):
                        container = cands[j]
                        containers.add(j)
                        break
            if container is not None and m.kind == "landmark":
                m, container = container, None  # a mosque of a town: the town, in part
                before = True
            precision = 2 if before or after or container else 1
            if m.kind in COARSE:
                precision = 3 if not before else 2
            if all(k[0].place_id != m.place_id for k in kept):
                kept.append((m, precision, container))
        fine = [k for k in kept if k[0].kind not in COARSE]
        if len(fine) >= _LIST_SIZE:
            wide = [k for k in kept if k[0].kind in COARSE]
            return [(wide[-1][0], 3, None)] if wide else fine[:1]
        if fine:
            return fine
        if kept:
            return kept[:1]
        return self._fallback(u, units)

    def _fallback(self, u: Unit, units: list[Unit]) -> list[PlaceChoice]:
        """A cue with no place: the sentence's first settlement (``في البلدة``, ``هناك``)."""
        # units come in sentence order: bisect the sentence's run (a scan of all units per
        # clause was quadratic, minutes on a multi-megabyte report)
        lo = bisect_left(units, u.sentence, key=_sentence)
        hi = bisect_right(units, u.sentence, lo, key=_sentence)
        pool = [m for v in units[lo:hi] for m in v.mentions if m.kind not in NEVER]
        for m in pool:
            if m.kind in SETTLEMENT:
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
        return any(word[k:] in self.linkers for k in range(3) if word[:k] in _CLITICS)

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

    def locate(self, m: Mention, precision: int, container: Mention | None) -> Located:
        """``(lat, lon, geo_precision, (admin1, admin2, admin3), notes)`` of an event place."""
        notes: list[str] = []
        lat, lon = m.lat, m.lon
        admin = ("", "", "")
        place = self.gazetteer.get(m.place_id) if self.gazetteer is not None else None
        if place is not None:
            admin = (place.admin1, place.admin2, place.admin3)
        if lat is None and place is not None:
            seen = {m.place_id}
            parent = self.gazetteer.get(place.parent) if place.parent else None
            while parent is not None and not parent.has_point and parent.parent not in seen:
                seen.add(parent.place_id)
                parent = self.gazetteer.get(parent.parent) if parent.parent else None
            if parent is not None and parent.has_point:
                lat, lon = parent.lat, parent.lon
                coarse = parent.kind in COARSE
                precision = max(precision, 3 if coarse else 2)
                notes.append(f"placed at {parent.name_en}, the nearest parent with a point")
        if lat is None and container is not None and container.lat is not None:
            lat, lon = container.lat, container.lon
            precision = max(precision, 2)
            notes.append(f"placed at {container.name}, the settlement that holds it")
        return lat, lon, precision, admin, notes


def is_dateline(nt: NormalizedText, m: Mention) -> bool:
    """A place at the head of a report followed by a date or an agency: context, not event."""
    if m.start > 2:
        return False
    _, ne = to_norm(nt, m.start, m.end)
    tail = nt.text[ne : ne + 4].strip()
    return bool(tail) and (tail[0].isdigit() or tail[0] in "(-–")


def _sentence(unit: Unit) -> int:
    return unit.sentence
