"""Sentences and clauses of a report, on ORIGINAL offsets, for incident extraction.

:func:`clause_spans` cuts a report into sentences (``. ! ? ؟ ؛`` and line breaks, or only blank
lines and punctuation in hard-wrapped wire copy) and each sentence into comma-separated segments.
:func:`build_units` joins segments into clauses: a segment stays with the previous one unless a
clause opener (``كما``, ``في حين``: coordinating; ``ردا على``: subordinate) starts it, or both
already hold an event cue and a place.  A :class:`Unit` keeps both its ORIGINAL and its
normalized span, so matchers that ran once over the normalized text are sliced per clause.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from .models import Mention
from .normalize import NormalizedText

__all__ = [
    "Spans",
    "Unit",
    "build_units",
    "clause_spans",
    "orig_index",
    "segments",
    "sentence_spans",
    "to_norm",
    "trim",
    "type_splits",
]

_NEVER = frozenset({"river", "country"})
_STOPS = re.compile("[.!?؟؛\n]")  # punctuation classes only; word boundaries use TermMatcher
_COMMA = re.compile("[،,]")
_LINE_END = frozenset('.!?؟؛:"”»)')
_TRIM = frozenset(" \t\n\r.!?؟؛،,-–—:\"“”«»'")


def clause_spans(text: str) -> list[list[tuple[int, int]]]:
    """Sentences of ``text`` as lists of comma-separated segments (ORIGINAL half-open spans).

    A sentence ends at ``. ! ? ؟ ؛`` (not a decimal point) or a line break; in hard-wrapped wire
    copy (most lines end unpunctuated) only a blank line or punctuation ends one.
    """
    out = [segments(text, a, b) for a, b in sentence_spans(text)]
    return [segs for segs in out if segs]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Untrimmed ``(start, end)`` of each sentence of ``text`` (see :func:`clause_spans`)."""
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
    spans, start = [], 0
    for cut in [*cuts, n]:
        if cut > start:
            spans.append((start, cut))
        start = cut + 1
    return spans


def segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The trimmed, non-empty comma-separated segments of ``text[start:end]``."""
    segs, a = [], start
    for match in _COMMA.finditer(text, start, end):
        segs.append(trim(text, a, match.start()))
        a = match.end()
    segs.append(trim(text, a, end))
    return [s for s in segs if s[1] > s[0]]


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without surrounding spaces, punctuation and quotes."""
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def to_norm(nt: NormalizedText, start: int, end: int) -> tuple[int, int]:
    """The normalized span of an ORIGINAL span (the inverse of ``to_original``): each end is
    the first normalized index whose original index is not below it, as a bisection of
    ``nt.offsets`` would give, read from the run-length map without building ``offsets``."""
    return _norm_index(nt, start), _norm_index(nt, end)


def _norm_index(nt: NormalizedText, o: int) -> int:
    starts, origins = nt.starts, nt.origins  # runs copied one-to-one; the last: sentinel
    k = bisect_left(origins, o, 0, len(origins) - 1)
    if k and o < origins[k - 1] + starts[k] - starts[k - 1]:
        return starts[k - 1] + o - origins[k - 1]  # inside the run before
    return starts[k] if k < len(starts) - 1 else len(nt.text)


def orig_index(nt: NormalizedText, i: int) -> int:
    """``nt.offsets[i]`` (``i`` up to ``len(nt.text)``) without building ``offsets``."""
    starts = nt.starts
    k = bisect_right(starts, i) - 1
    return nt.origins[k] + i - starts[k]


class Spans:
    """Records with a ``start`` (hits, anchors, counts) in text order, sliced by bisection."""

    __slots__ = ("items", "starts")

    def __init__(self, items: Sequence[Any]) -> None:
        self.items = list(items)
        self.starts = [x.start for x in self.items]

    def between(self, a: int, b: int) -> list[Any]:
        """The records starting in ``[a, b)``."""
        return self.items[bisect_left(self.starts, a) : bisect_left(self.starts, b)]

    def any_between(self, a: int, b: int) -> bool:
        i = bisect_left(self.starts, a)
        return i < len(self.starts) and self.starts[i] < b

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(slots=True)
class Unit:
    """A clause: ORIGINAL and normalized spans, its sentence, opener role and mentions."""

    start: int
    end: int
    nstart: int
    nend: int
    sentence: int
    opener: str
    mentions: list[Mention] = field(default_factory=list)


def build_units(
    nt: NormalizedText,
    mentions: Sequence[Mention],
    openers: Sequence[tuple[int, str]],
    events: Spans,
    wanted: Spans,
) -> list[Unit]:
    """Clauses of ``nt.original``: sentence segments joined until an opener starts a new one.

    ``openers`` are ``(normalized start, "coord" | "subord")``; ``events`` the event cues;
    only sentences with a ``wanted`` hit (an event cue or a claim) are cut into clauses, the
    others give none.  ``mentions`` must be in text order.
    """
    text = nt.original
    places = Spans([m for m in mentions if m.kind not in _NEVER])
    n = len(nt.text)

    def own(a: int, b: int) -> bool:
        if not events.any_between(a, b):
            return False
        return places.any_between(orig_index(nt, a), orig_index(nt, min(b, n)))

    opener_at = Spans([_Opener(p, role) for p, role in openers])
    units: list[Unit] = []
    marks = [orig_index(nt, h.start) for h in wanted]  # in text order, as ORIGINAL indices
    for si, (a, b) in enumerate(sentence_spans(text)):
        i = bisect_left(marks, a)
        if i == len(marks) or marks[i] >= b:
            continue
        segs = segments(text, a, b)
        current: Unit | None = None
        full = False
        for p, q, role in _pieces(nt, segs, opener_at):
            mine = own(p, q)
            other = full and current is not None and _other_type(events, current, p, q)
            if current is None or role or (mine and full) or other:
                current = Unit(0, 0, p, q, si, role)
                units.append(current)
                full = False
            current.nend = q
            full = full or mine or own(current.nstart, q)
    starts = [m.start for m in mentions]
    for u in units:
        u.start, u.end = trim(text, *nt.to_original(u.nstart, u.nend))
        i, j = bisect_left(starts, u.start), bisect_left(starts, u.end)
        u.mentions.extend(mentions[i:j])
    return units


def _other_type(events: Spans, current: Unit, p: int, q: int) -> bool:
    """Does segment ``p:q`` hold an event cue of another type than every cue of ``current``?"""
    mine = [_kind(h) for h in events.between(p, q)]
    before = [_kind(h) for h in events.between(current.nstart, p)]
    return bool(mine and before) and all(_differ(a, b) for a in mine for b in before)


def _kind(hit: Any) -> str:
    """The event type of an event cue (``*``: the actors decide)."""
    return str(hit.payloads[0][1])


def _differ(a: str, b: str) -> bool:
    return "*" not in (a, b) and a != b


def type_splits(nt: NormalizedText, events: Sequence[Any], mentions: Sequence[Mention]) -> list:
    """``(normalized start, "split")`` openers at a cue with the conjunction و whose event type
    differs from the cue before it in the sentence, once a place was named between them
    ("انفجار عبوة في X واغتيال شاب في Y": two events, each at its own place)."""
    starts = sorted(m.start for m in mentions if m.kind not in _NEVER)
    out = []
    for prev, cur in pairwise(events):
        if not cur.prefix.startswith("و") or not _differ(_kind(prev), _kind(cur)):
            continue
        a, b = orig_index(nt, prev.end), orig_index(nt, cur.start)
        i = bisect_left(starts, a)
        if i < len(starts) and starts[i] < b and not _STOPS.search(nt.original, a, b):
            out.append((cur.start, "split"))
    return out


@dataclass(frozen=True, slots=True)
class _Opener:
    start: int
    role: str


def _pieces(
    nt: NormalizedText, segs: list[tuple[int, int]], openers: Spans
) -> list[tuple[int, int, str]]:
    """Normalized ``(start, end, opener role)`` pieces of a sentence's segments."""
    pieces: list[tuple[int, int, str]] = []
    for a, b in segs:
        na, nb = to_norm(nt, a, b)
        inside = openers.between(na, nb)
        if not inside:  # most segments: one piece, no opener
            pieces.append((na, nb, ""))
            continue
        starts = {na: ""}
        starts.update({o.start: o.role for o in inside})
        keys = sorted(starts)
        for k, p in enumerate(keys):
            pieces.append((p, keys[k + 1] if k + 1 < len(keys) else nb, starts[p]))
    return pieces
