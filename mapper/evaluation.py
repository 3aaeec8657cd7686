"""Scoring against gold annotations in the corpus format (``../shared/corpus/dev.jsonl``).

Places: a predicted mention matches a gold toponym when their spans overlap; matching is
one-to-one (largest overlap first).  Precision, recall and F1 count matches.  Acc@161km and
Acc@5km are taken over gold toponyms WITH coordinates: one counts as correct only when it was
matched and the prediction lies within that distance (a prediction without a point is wrong).

Incidents: a predicted incident matches a gold incident of the same report when its point is
within 10 km of the gold location's point, or, when the gold place has no point, when it names
the same place (its English name, or for a prediction without a point of its own, its Arabic
surface against the gold surfaces of that place); one-to-one, greedily, preferring pairs whose
evidence overlaps, then the same type and date, then the closest.  Field accuracies are over
matched pairs.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .gazetteer import haversine_km
from .models import Incident, Mention, Report
from .normalize import normalize_name

__all__ = ["IncidentScores", "PlaceScores", "load_gold", "score_incidents", "score_places"]

_CONTEXT = 30


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Gold documents from a JSON Lines file; a bad line raises :class:`InputError`."""
    docs = []
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", path=path) from err
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"not valid JSON: {err.msg}", path=path.name, line=lineno) from err
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
            raise InputError("expected an object with a string 'text'", path=path.name, line=lineno)
        docs.append(doc)
    return docs


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class PlaceScores:
    """Figures of :func:`score_places`; ``misses``/``false_positives`` hold context lines."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    geocoded: int = 0
    within_161: int = 0
    within_5: int = 0
    errors_km: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    wrong_places: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float | int | None]:
        p, r = _ratio(self.matched, self.predicted), _ratio(self.matched, self.gold)
        return {
            "documents_gold_mentions": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(_f1(p, r), 4),
            "geocoded_gold": self.geocoded,
            "acc_161km": round(_ratio(self.within_161, self.geocoded), 4),
            "acc_5km": round(_ratio(self.within_5, self.geocoded), 4),
            "median_error_km": (
                round(statistics.median(self.errors_km), 3) if self.errors_km else None
            ),
        }


def _context(text: str, start: int, end: int) -> str:
    left = text[max(0, start - _CONTEXT) : start].replace("\n", " ")
    right = text[end : end + _CONTEXT].replace("\n", " ")
    return f"…{left}[{text[start:end]}]{right}…"


def _one_to_one(cands: list[tuple[Any, int, int]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching: ``(cost, gold, predicted)`` triples, lowest cost first."""
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, gi, pi in sorted(cands):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            out.append((gi, pi))
    return out


def _pairs(
    gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """One-to-one matching of overlapping spans, largest overlap first."""
    cands = []
    for gi, (gs, ge) in enumerate(gold):
        for pi, (ps, pe) in enumerate(pred):
            overlap = min(ge, pe) - max(gs, ps)
            if overlap > 0:
                cands.append((-overlap, gi, pi))
    return _one_to_one(cands)


def score_places(
    docs: Iterable[dict[str, Any]], find: Callable[[str], Sequence[Mention]]
) -> PlaceScores:
    """Score ``find`` (text → mentions) on gold documents."""
    s = PlaceScores()
    for doc in docs:
        text, gold = doc["text"], doc.get("toponyms") or []
        pred = list(find(text))
        s.gold += len(gold)
        s.predicted += len(pred)
        pairs = _pairs([(g["start"], g["end"]) for g in gold], [(m.start, m.end) for m in pred])
        s.matched += len(pairs)
        matched = dict(pairs)
        for gi, g in enumerate(gold):
            if g.get("lat") is None:
                continue
            s.geocoded += 1
            pi = matched.get(gi)
            if pi is None or pred[pi].lat is None:
                if pi is not None:
                    s.wrong_places.append(
                        f"{doc['id']}: {g['name']} → {pred[pi].place_id} (no point)"
                    )
                continue
            d = haversine_km(g["lat"], g["lon"], pred[pi].lat, pred[pi].lon)  # type: ignore[arg-type]
            s.errors_km.append(d)
            s.within_161 += d <= 161
            s.within_5 += d <= 5
            if d > 5:
                s.wrong_places.append(
                    f"{doc['id']}: {g['name']} → {pred[pi].place_id} ({d:.1f} km)"
                )
        hit_g, hit_p = set(matched), set(matched.values())
        for gi, g in enumerate(gold):
            if gi not in hit_g:
                s.misses.append(f"{doc['id']}: {g['name']} {_context(text, g['start'], g['end'])}")
        for pi, m in enumerate(pred):
            if pi not in hit_p:
                s.false_positives.append(
                    f"{doc['id']}: {m.place_id} {_context(text, m.start, m.end)}"
                )
    return s


@dataclass
class IncidentScores:
    """Figures of :func:`score_incidents`."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    type_ok: int = 0
    subtype_ok: int = 0
    dated: int = 0
    date_ok: int = 0
    counted: int = 0
    fatalities_ok: int = 0
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float | int]:
        p, r = _ratio(self.matched, self.predicted), _ratio(self.matched, self.gold)
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(_f1(p, r), 4),
            "event_type_accuracy": round(_ratio(self.type_ok, self.matched), 4),
            "sub_event_type_accuracy": round(_ratio(self.subtype_ok, self.matched), 4),
            "date_accuracy": round(_ratio(self.date_ok, self.dated), 4),
            "dated_pairs": self.dated,
            "fatalities_accuracy": round(_ratio(self.fatalities_ok, self.counted), 4),
            "counted_pairs": self.counted,
        }


def _gold_points(doc: dict[str, Any]) -> dict[str, tuple[float, float] | None]:
    points: dict[str, tuple[float, float] | None] = {}
    for t in doc.get("toponyms") or []:
        if t.get("lat") is not None:
            points[t["name"]] = (t["lat"], t["lon"])
        else:
            points.setdefault(t["name"], None)
    return points


def _gold_point(location: str, points: dict[str, tuple[float, float] | None]):
    if location in points:
        return points[location]
    for name, pt in points.items():  # shortened names in older records (corpus README)
        if name.startswith(location) or location.startswith(name.split(" (")[0]):
            return pt
    return None


def _same_name(gold_location: str, inc: Incident, surfaces: dict[str, set[str]]) -> bool:
    """Does ``inc`` name the gold place?  By English name, or, for a prediction without a point
    of its own (unresolved, or placed at a parent's point), by its Arabic surface against the
    gold surfaces of that place in the same text (clitics and harakat aside)."""
    g = normalize_name(gold_location.split(" (")[0]).lower().replace("-", " ")
    names = {
        normalize_name(n.split(" (")[0]).lower().replace("-", " ")
        for n in (inc.location, inc.location_ar)
    }
    if any(g == n or g.removeprefix("al ") == n.removeprefix("al ") for n in names if n):
        return True
    if inc.place_id and inc.latitude is not None and inc.geo_precision == 1:
        return False  # a place resolved to its own point is judged by its name
    gold = surfaces.get(gold_location, set())
    return any(  # "منطقة الشامية" names "الشامية"
        p == g or p.endswith(f" {g}") or g.endswith(f" {p}")
        for p in _bare(inc.location_ar)
        for g in gold
    )


def _bare(surface: str) -> set[str]:
    """A surface without harakat, with and without one or two leading clitic letters."""
    s = normalize_name(surface)
    return {s, s[1:], s[2:]} - {""} if len(s) > 4 else {s}


def _gold_surfaces(doc: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for t in doc.get("toponyms") or []:
        out.setdefault(t["name"], set()).update(_bare(t["surface"]))
    for g in doc.get("incidents") or []:  # shortened names in older records
        for name, found in list(out.items()):
            if g["location"] != name and name.startswith(g["location"]):
                out.setdefault(g["location"], set()).update(found)
    return out


def _evidence_span(text: str, evidence: str) -> tuple[int, int]:
    start = text.find(evidence) if evidence else -1
    return (start, start + len(evidence)) if start >= 0 else (-1, -1)


def _cost(d: float, g: dict[str, Any], span: tuple[int, int], inc: Incident) -> tuple:
    """Matching order among candidates that all qualify (within 10 km or same name): the
    same evidence first, then the same event type and date, then distance."""
    overlap = min(span[1], inc.evidence_end) - max(span[0], inc.evidence_start)
    return (
        overlap <= 0,
        g["event_type"] != inc.event_type,
        g.get("date") != inc.event_date,
        d,
    )


def score_incidents(
    docs: Iterable[dict[str, Any]], extract: Callable[[Report], Sequence[Incident]]
) -> IncidentScores:
    """Score ``extract`` (report → incidents) on gold documents."""
    s = IncidentScores()
    for doc in docs:
        report = Report(id=doc["id"], text=doc["text"], published=doc.get("published"))
        pred = list(extract(report))
        gold = doc.get("incidents") or []
        s.gold += len(gold)
        s.predicted += len(pred)
        points = _gold_points(doc)
        surfaces = _gold_surfaces(doc)
        cands = []
        for gi, g in enumerate(gold):
            gp = _gold_point(g["location"], points)
            span = _evidence_span(doc["text"], g.get("evidence") or "")
            for pi, inc in enumerate(pred):
                if gp is not None and inc.latitude is not None:
                    d = haversine_km(gp[0], gp[1], inc.latitude, inc.longitude)  # type: ignore[arg-type]
                    if d <= 10:
                        cands.append((_cost(d, g, span, inc), gi, pi))
                elif _same_name(g["location"], inc, surfaces):
                    cands.append((_cost(0.0, g, span, inc), gi, pi))
        pairs = _one_to_one(cands)
        used_g = {gi for gi, _ in pairs}
        used_p = {pi for _, pi in pairs}
        for gi, pi in pairs:
            g, inc = gold[gi], pred[pi]
            s.matched += 1
            s.type_ok += g["event_type"] == inc.event_type
            s.subtype_ok += g.get("sub_event_type") == inc.sub_event_type
            if g.get("date") is not None:
                s.dated += 1
                s.date_ok += g["date"] == inc.event_date
            if g.get("fatalities") is not None:
                s.counted += 1
                s.fatalities_ok += g["fatalities"] == inc.fatalities
        for gi, g in enumerate(gold):
            if gi not in used_g:
                s.misses.append(
                    f"{doc['id']}: {g['event_type']} @ {g['location']}: {g['evidence'][:80]}"
                )
        for pi, inc in enumerate(pred):
            if pi not in used_p:
                s.false_positives.append(
                    f"{doc['id']}: {inc.event_type} @ {inc.location}: {inc.evidence[:80]}"
                )
    return s
