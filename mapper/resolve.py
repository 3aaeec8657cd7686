"""Resolution: decide which gazetteer place each spotted span names.

Most names have one candidate.  For the others (الصالحية: a town and a Deir ez-Zor quarter;
سوسة: al-Susah or Sousse; دير الزور: the city or the governorate) each candidate is scored with
the document's own evidence, in this order of weight:

1. the generic noun written before the name (``مدينة``, ``ريف``, ``حي``: ``place_nouns.tsv``)
   and whether the candidate's kind is one it points to;
2. the countries the document's names point to (a name whose candidates all lie in one country
   votes for it: a Tunisian report makes سوسة Sousse);
3. distance to the document's unambiguous located places (a bonus within 25 km, a penalty
   beyond 150 km; places without a point are neither helped nor hurt);
4. the gazetteer prior (home region, kind, population), as a tie-breaker.

A name shared by a governorate and its seat means the governorate unless a noun says city or a
distance is measured from it (``distance_cues.tsv``; corpus convention 5: ``ريف/شرق دير الزور``
and the province name mean the governorate, ``45 كيلومترا جنوب شرق دير الزور`` the city).
Bare names of districts and subdistricts are weak: they win only after ``منطقة``/``ناحية``.

Each :class:`~mapper.models.Mention` gets a confidence in [0, 1] and a ``reason``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from .gazetteer import Gazetteer, haversine_km
from .lexicons import read_table
from .models import Mention, Place, PlaceKind
from .normalize import NormalizedText, normalize_name
from .spotting import Span

__all__ = ["Resolver"]

_ADMIN = {PlaceKind.GOVERNORATE, PlaceKind.DISTRICT, PlaceKind.SUBDISTRICT}
_WEAK_ADMIN = {PlaceKind.DISTRICT, PlaceKind.SUBDISTRICT}
_DISTANCE_CUE = "مدينه"  # a distance is measured from a settlement: read it as "the city of"
_DISTANCE_WINDOW = 4
_NEAR_KM = 25.0
_FAR_KM = 150.0


class Resolver:
    """Turns spans into mentions with ``gazetteer`` and the document's context."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._noun_kinds: dict[str, tuple[PlaceKind, ...]] = {}
        for row in read_table("place_nouns.tsv"):
            kinds = tuple(PlaceKind(k) for k in row["kinds"].split("|") if k)
            self._noun_kinds[normalize_name(row["term"])] = kinds
        self._distance = {normalize_name(r["term"]) for r in read_table("distance_cues.tsv")}

    def resolve(self, normalized: NormalizedText, spans: Sequence[Span]) -> list[Mention]:
        """One mention per span, in text order."""
        g = self.gazetteer
        candidates = [[p for p in map(g.get, s.place_ids) if p is not None] for s in spans]
        anchors = {c[0].place_id: c[0] for c in candidates if len(c) == 1}
        countries = Counter(
            c[0].country for c in candidates if c and c[0].country and _one_country(c)
        )
        points = _Points([(p.lat, p.lon) for p in anchors.values() if p.has_point])
        chosen: dict[tuple[tuple[str, ...], str, bool], tuple[Place, float, str]] = {}
        out = []
        for span, cands in zip(spans, candidates, strict=True):
            if not cands:
                if span.kind_hint:
                    out.append(_unresolved(normalized.original, span))
                continue
            measured = self._measured_from(normalized.text, span.norm_start)
            cue = _DISTANCE_CUE if measured else span.cue
            # the choice depends on the document only through countries and points: a name
            # repeated with the same noun is scored once
            key = (span.place_ids, cue, span.fixed)
            choice = chosen.get(key)
            if choice is None:
                if cue != span.cue:
                    span = replace(span, cue=cue)
                choice = chosen[key] = self._choose(span, cands, countries, points)
            out.append(_mention(normalized.original, span, *choice))
        return out

    def _choose(
        self,
        span: Span,
        cands: list[Place],
        countries: Counter[str],
        points: _Points,
    ) -> tuple[Place, float, str]:
        if span.fixed:
            return cands[0], 0.95, "fixed area phrase"
        if len(cands) == 1 and not (cands[0].kind in _WEAK_ADMIN and not span.cue):
            confidence = 0.9 if not span.cue or self._cue_fits(span.cue, cands[0]) else 0.75
            return cands[0], confidence, "single candidate"
        scored = sorted(
            ((self._score(span, p, i, countries, points), i, p) for i, p in enumerate(cands)),
            key=lambda t: (-t[0], t[1]),
        )
        best, rank, place = scored[0]
        margin = best - scored[1][0] if len(scored) > 1 else 1.0
        confidence = round(min(0.9, 0.45 + 0.4 * margin / (margin + 0.5)), 2)
        reasons: list[str] = []  # worded for the winner only
        self._score(span, place, rank, countries, points, reasons)
        return place, confidence, f"{len(cands)} candidates; " + ", ".join(reasons)

    def _measured_from(self, text: str, pos: int) -> bool:
        """Is a distance measured from the name ("على بعد 45 كيلومترا جنوب شرق X")?"""
        return not self._distance.isdisjoint(
            text[max(0, pos - 60) : pos].split()[-_DISTANCE_WINDOW:]
        )

    def _cue_fits(self, cue: str, place: Place) -> bool:
        return place.kind in self._noun_kinds.get(cue, ())

    def _score(
        self,
        span: Span,
        place: Place,
        rank: int,
        countries: Counter[str],
        points: _Points,
        reasons: list[str] | None = None,
    ) -> float:
        """The candidate's score; with ``reasons``, also why, in words (appended to it)."""
        score = -0.05 * rank
        if reasons is not None:  # worded only when asked for
            reasons.append(f"prior #{rank + 1}")
        kinds = self._noun_kinds.get(span.cue, ())
        if kinds:
            if place.kind in kinds:
                score += 2.0 - 0.4 * kinds.index(place.kind)
                if reasons is not None:
                    reasons.append(f"noun {span.cue!r} fits {place.kind.value}")
        elif place.kind in _WEAK_ADMIN:
            score -= 3.0
            if reasons is not None:
                reasons.append("bare name of an admin unit")
        elif place.kind == PlaceKind.GOVERNORATE:
            score += 0.5
            if reasons is not None:
                reasons.append("bare name: the governorate")
        total = sum(countries.values())
        if total and place.country:
            share = countries[place.country] / total
            score += 1.5 * share
            if share and reasons is not None:
                reasons.append(f"{share:.0%} of the text's places in {place.country}")
        if place.has_point and points.points:
            d = points.nearest_km(place)
            if d > _FAR_KM:
                score -= 0.6
                if reasons is not None:
                    reasons.append(f"{d:.0f} km from the text's other places")
            elif d <= _NEAR_KM:
                score += 0.3
                if reasons is not None:
                    reasons.append(f"{d:.0f} km from another place in the text")
        return score


class _Points:
    """The document's unambiguous located places, and each candidate's distance to the
    nearest of them (computed once per candidate and document)."""

    __slots__ = ("_km", "points")

    def __init__(self, points: list[tuple[float | None, float | None]]) -> None:
        self.points = points
        self._km: dict[str, float] = {}

    def nearest_km(self, place: Place) -> float:
        d = self._km.get(place.place_id)
        if d is None:
            lat, lon = place.lat, place.lon
            d = min(haversine_km(lat, lon, la, lo) for la, lo in self.points)  # type: ignore[arg-type]
            self._km[place.place_id] = d
        return d


def _unresolved(original: str, span: Span) -> Mention:
    """A name the gazetteer lacks, found after a place noun: kept, with no place."""
    surface = original[span.start : span.end]
    return Mention(
        start=span.start,
        end=span.end,
        surface=surface,
        place_id="",
        name=surface,
        name_ar=surface,
        kind=span.kind_hint,
        lat=None,
        lon=None,
        confidence=0.4,
        reason=f"not in the gazetteer; named after {span.cue!r}",
    )


def _one_country(cands: Sequence[Place]) -> bool:
    """Do all candidates lie in one country? (Then the name votes for it, e.g. تونس.)"""
    return len({p.country for p in cands}) == 1


def _mention(original: str, span: Span, place: Place, confidence: float, reason: str) -> Mention:
    return Mention(
        start=span.start,
        end=span.end,
        surface=original[span.start : span.end],
        place_id=place.place_id,
        name=place.name_en,
        name_ar=place.name_ar,
        kind=place.kind.value,
        lat=place.lat,
        lon=place.lon,
        confidence=confidence,
        prefix=span.prefix,
        reason=reason,
    )
