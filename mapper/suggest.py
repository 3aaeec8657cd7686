"""Growing the gazetteer: the names a store could not place, and candidate rows for them.

``unresolved`` reads a store's ``mentions`` (and the report texts, for context) and lists the
names the gazetteer did not resolve (``place_id`` empty, or placed by an online service:
``service:id``) by frequency.  ``candidate_rows`` turns online answers
(:class:`mapper.online.Candidate`) into rows of the gazetteer's CSV schema, one per place the
service named, for a person to review, fix and pass with ``--gazetteer-extra``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .gazetteer import COLUMNS, POINT_KINDS
from .models import PlaceKind
from .normalize import normalize_name
from .online import Candidate, query_name

__all__ = ["Unresolved", "candidate_rows", "unresolved"]

CONTEXT = 40  # characters of report text on each side of an example


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A name the gazetteer lacks: how often and in how many reports, and where."""

    name: str
    count: int
    reports: int
    placed_by: str  # the online place id it got, or ""
    examples: tuple[str, ...]


def unresolved(store: object, *, examples: int = 2) -> list[Unresolved]:
    """Names of ``store``'s mentions the gazetteer did not resolve, most frequent first."""
    mentions = store.mentions()  # type: ignore[attr-defined]
    reports = store.reports()  # type: ignore[attr-defined]
    texts = dict(zip(reports["id"], reports["text"], strict=True))
    ids = mentions["place_id"].fillna("")
    rows = mentions[(ids == "") | ids.str.contains(":", regex=False)]
    groups: dict[str, list[tuple[str, str, int, int, str]]] = {}
    for r in rows.itertuples(index=False):
        name = query_name(r.surface)
        key = normalize_name(name)
        groups.setdefault(key, []).append((name, r.report_id, r.start, r.end, r.place_id or ""))
    out = []
    for items in groups.values():
        shown: list[str] = []
        for _, report_id, start, end, _ in items:
            text = texts.get(report_id, "")
            if len(shown) < examples and text:
                shown.append(_context(text, int(start), int(end)))
        placed = Counter(i[4] for i in items if i[4]).most_common(1)
        out.append(
            Unresolved(
                name=Counter(i[0] for i in items).most_common(1)[0][0],
                count=len(items),
                reports=len({i[1] for i in items}),
                placed_by=placed[0][0] if placed else "",
                examples=tuple(shown),
            )
        )
    return sorted(out, key=lambda u: (-u.count, -u.reports, normalize_name(u.name)))


def _context(text: str, start: int, end: int) -> str:
    """``…before [name] after…`` on one line."""
    a, b = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    snippet = f"{text[a:start]}[{text[start:end]}]{text[end:b]}"
    snippet = " ".join(snippet.split())
    return f"{'…' if a else ''}{snippet}{'…' if b < len(text) else ''}"


def candidate_rows(found: Iterable[tuple[str, Sequence[Candidate]]]) -> list[dict[str, str]]:
    """Gazetteer CSV rows for ``(name, candidates)`` pairs: the first candidate of each name,
    one row per place (names that led to the same place become its variants)."""
    rows: dict[str, dict[str, str]] = {}
    names: dict[str, list[str]] = {}
    for name, candidates in found:
        if not candidates:
            continue
        best = candidates[0]
        pid = re.sub(r"[^a-z0-9]+", "-", f"{best.service}-{best.ident}".lower()).strip("-")
        if pid not in rows:
            rows[pid] = _row(pid, name, best, len(candidates))
            names[pid] = []
        names[pid] += [name, best.name_ar]
    for pid, row in rows.items():
        seen = {normalize_name(row["name_ar"])}
        variants = []
        for name in names[pid]:
            if name and normalize_name(name) not in seen:
                seen.add(normalize_name(name))
                variants.append(name)
        row["variants_ar"] = "|".join(variants)
    return sorted(rows.values(), key=lambda r: r["place_id"])


def _row(pid: str, name: str, c: Candidate, n: int) -> dict[str, str]:
    point = PlaceKind(c.kind) in POINT_KINDS
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        place_id=pid,
        name_ar=name,
        name_en=c.name_en,
        kind=c.kind,
        lat=f"{c.lat:.6f}" if point else "",
        lon=f"{c.lon:.6f}" if point else "",
        coord_source=f"{c.service} {c.ident}" if point else "",
        country=c.country,
        source=f"{c.service} {c.ident}: {c.address}",
        note=f"candidate from {c.service} ({c.type}; {n} answer(s) for {c.query!r}): review",
    )
    return row
