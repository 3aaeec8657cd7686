"""Every incident lexicon found in one pass over a report's normalized text.

``events.tsv``, ``actors.tsv``, ``relative.tsv``, ``claims.tsv``, ``dates.tsv`` and
``numbers.tsv`` go into ONE :class:`~mapper.lexicons.TermMatcher` whose payloads are tagged with
their lexicon, so a report costs one automaton pass and one loop over its hits.  Overlaps are
then settled within each lexicon (:func:`~mapper.lexicons.select_longest`), as if each had its
own matcher: ``طيران التحالف`` is both a strike cue and an actor.

The ``within`` and ``facility`` nouns of ``relative.tsv`` (``في``, ``ب``, ``مدينة``, ``مشفى``)
are not searched for: they are only read between two names (:attr:`CueScanner.linkers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from .clauses import Spans
from .dates import DateResolver
from .errors import ConfigError
from .lexicons import TermMatcher, read_table, terms_of
from .models import EventType
from .normalize import NormalizedText, normalize_name
from .numbers import NumberReader

__all__ = ["CueScanner", "Scan", "inflections"]

_ROLES = frozenset(
    {
        "event",
        "block",
        "killed",
        "injured",
        "coord",
        "subord",
        "away",
        "total",
        "habit",
        "like",
        "gear",
        "armed",
        "this",
    }
)
_LINKS = frozenset({"within", "facility"})
_TAGS = ("cue", "actor", "rel", "claim", "date", "num")
_START = itemgetter(0)


@dataclass(frozen=True, slots=True)
class Scan:
    """What one pass found in a report: hits per lexicon, date anchors and counts."""

    nt: NormalizedText
    cues: Spans
    actors: Spans
    relative: Spans
    claims: Spans
    anchors: Spans
    counts: Spans


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
        payload = (role, event_type, row["sub_event_type"], prio)
        terms = terms_of([row])
        if row.get("inflects") == "yes":
            terms = [f for t in terms for f in inflections(normalize_name(t))]
        entries += [(t, payload) for t in dict.fromkeys(terms)]
    return entries


_ARTICLE = "ال"
_ENCLITICS = ("ه", "ها", "هم", "هما")
_BARE_ENDINGS = ("ا", "ى", "ي")  # an accusative, a plural in -ى, a verb in -وا: no suffix


def inflections(term: str) -> list[str]:
    """A normalized cue with the forms Arabic builds from it: the article (single words),
    the pronoun suffixes ه ها هم هما on its last word (ة → ت before them: سيطرتها) and the
    accusative ا (احتجاجا).  Proclitics (و، ب) are the matcher's business."""
    forms = [term]
    if " " not in term and not term.startswith(_ARTICLE) and len(term) > 2:
        forms.append(_ARTICLE + term)
    if term.startswith(_ARTICLE) or term.endswith(_BARE_ENDINGS):
        return forms
    if term.endswith("ه"):  # ة, normalized
        stem = term[:-1] + "ت"
        return forms + [stem + e for e in _ENCLITICS]
    return forms + [term + e for e in (*_ENCLITICS, "ا")]


class _Hit(NamedTuple):
    """A :class:`~mapper.lexicons.Hit` of one lexicon (same fields; a tuple is cheaper to make)."""

    start: int
    end: int
    prefix: str
    term: str
    payloads: tuple[Any, ...]


def _select(hits: list[Any]) -> list[Any]:
    """:func:`~mapper.lexicons.select_longest` (longest, then earliest; no shared character),
    settled within each run of overlapping hits: a hit that overlaps none is kept as it is."""
    hits.sort(key=_START)  # records are tuples that start with their start
    out: list[Any] = []
    i, m = 0, len(hits)
    while i < m:
        j, reach = i + 1, hits[i].end
        while j < m and hits[j].start < reach:
            reach = max(reach, hits[j].end)
            j += 1
        if j == i + 1:
            out.append(hits[i])
        else:
            out += _settle(hits[i:j], hits[i].start, reach)
        i = j
    return out


def _settle(hits: list[Any], first: int, reach: int) -> list[Any]:
    """Longest, then earliest of overlapping ``hits`` in ``[first, reach)``, with a byte mask."""
    ranked = sorted(hits, key=lambda h: (len(h.prefix) - h.end + h.start, h.start))
    used = bytearray(reach - first)
    taken = []
    for h in ranked:
        a, b = h.start - first, h.end - first
        if used.find(1, a, b) < 0:
            used[a:b] = b"\x01" * (b - a)
            taken.append(h)
    taken.sort(key=_START)
    return taken


class CueScanner:
    """The incident lexicons of a folder (the bundled ones when ``None``) as one matcher."""

    def __init__(self, folder: Path | None, dates: DateResolver, numbers: NumberReader) -> None:
        entries: list[tuple[str, tuple[str, Any]]] = []
        entries += [(t, ("cue", p)) for t, p in _event_entries(_table("events.tsv", folder))]
        for r in _table("actors.tsv", folder):
            entries += [(t, ("actor", (r["actor"], r["category"]))) for t in terms_of([r])]
        rows = _table("relative.tsv", folder)
        entries += [
            (t, ("rel", r["role"])) for r in rows if r["role"] not in _LINKS for t in terms_of([r])
        ]
        self.linkers = frozenset(
            normalize_name(t) for r in rows if r["role"] in _LINKS for t in terms_of([r])
        )
        for r in _table("claims.tsv", folder):
            payload = (r["kind"], r["party"], r["official"] == "yes")
            entries += [(t, ("claim", payload)) for t in terms_of([r])]
        entries += [(t, ("date", p)) for t, p in dates.entries]
        entries += [(t, ("num", p)) for t, p in numbers.entries]
        self._matcher = TermMatcher(entries)
        self._split: dict[str, tuple[tuple[int, tuple[Any, ...]], ...]] = {}
        self._dates = dates
        self._numbers = numbers

    def scan(self, nt: NormalizedText) -> Scan:
        """One pass over ``nt.text``; hits per lexicon, each without overlaps."""
        groups = self._groups(nt.text)
        return self._finish(nt, groups, _select(groups["cue"]))

    def scan_events(self, nt: NormalizedText) -> Scan | None:
        """:meth:`scan`, or ``None`` when no cue is an event cue: such a report has no
        incident, so its dates, counts, actors and claims are not read."""
        groups = self._groups(nt.text)
        cues = _select(groups["cue"])
        if not any(h.payloads[0][0] == "event" for h in cues):
            return None
        return self._finish(nt, groups, cues)

    def _groups(self, text: str) -> dict[str, list[Any]]:
        """Every hit of ``text`` as one record per lexicon, overlaps included."""
        lists: list[list[Any]] = [[] for _ in _TAGS]
        split = self._split
        make = tuple.__new__  # a _Hit without its Python-level __new__
        for start, end, prefix, term, payloads in self._matcher.iter_tuples(text):
            parts = split.get(term)  # a str key hashes once; payloads are per term
            if parts is None:
                parts = split[term] = _by_tag(payloads)
            for tag, own in parts:
                lists[tag].append(make(_Hit, (start, end, prefix, term, own)))
        return dict(zip(_TAGS, lists, strict=True))

    def _finish(self, nt: NormalizedText, groups: dict[str, list[Any]], cues: list[Any]) -> Scan:
        text = nt.text
        return Scan(
            nt,
            Spans(cues),
            Spans(_select(groups["actor"])),
            Spans(_select(groups["rel"])),
            Spans(_select(groups["claim"])),
            Spans(self._dates.anchors_from(_select(groups["date"]), text)),
            Spans(self._numbers.counts_from(text, _select(groups["num"]))),
        )


def _by_tag(payloads: tuple[Any, ...]) -> tuple[tuple[int, tuple[Any, ...]], ...]:
    """Tagged payloads of one term, grouped by lexicon: ``((index in _TAGS, payloads), ...)``."""
    tags = dict.fromkeys(p[0] for p in payloads)
    return tuple((_TAGS.index(t), tuple(p[1] for p in payloads if p[0] == t)) for t in tags)
