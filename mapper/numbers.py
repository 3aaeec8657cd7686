"""Counts in Arabic text: digits (Arabic-Indic digits arrive as ASCII after normalization),
number words and their ``و`` compounds (``ثلاثة وأربعون`` → 43), dual nouns (``مدنيان`` → 2)
and vague counts (``عشرات`` → no value).

The words are data (``data/lexicons/numbers.tsv``) matched with the one
:class:`~mapper.lexicons.TermMatcher`; a :class:`Count` keeps its normalized span so callers can
measure how far it stands from a "killed" cue.  ``unit`` words tell a toll from a count of things:
``50 غارة`` counts raids, not deaths.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError
from .lexicons import Hit, TermMatcher, read_table, terms_of

__all__ = ["Count", "NumberReader"]

_KINDS = frozenset({"number", "dual", "vague", "unit", "subset", "companion", "single"})
# one token of digits and separators: a count (12, 1,200, 2.5) or something else (12/3/2019)
_DIGITS = re.compile(r"[0-9]+(?:[.,/-][0-9]+)*")
_JOIN_GAP = 1  # a compound's parts are one space apart; the second carries the و prefix


@dataclass(frozen=True, slots=True)
class Count:
    """A count in normalized text; ``value`` is ``None`` for a vague count (``عشرات``).

    ``unit`` is true when the next word is a thing (``غارة``, ``كيلومترا``), not people;
    ``subset`` when the count follows ``بينهم`` (a part of another count: ``30 بينهم طفلان``);
    ``companion`` when it follows ``برفقة`` (the named victim plus them: ``value`` counts the
    victim too); ``single`` for a singular victim noun (``مدني``, ``قيادي``: one person, a toll
    only right after a death cue).
    """

    start: int
    end: int
    value: int | None
    unit: bool = False
    subset: bool = False
    companion: bool = False
    single: bool = False


class NumberReader:
    """Finds counts in normalized text.

    Parameters
    ----------
    lexicons_dir:
        A folder holding ``numbers.tsv``; the bundled lexicons when ``None``.
    """

    def __init__(self, *, lexicons_dir: str | Path | None = None) -> None:
        path = None if lexicons_dir is None else Path(lexicons_dir) / "numbers.tsv"
        entries = []
        for row in read_table("numbers.tsv", path=path):
            if row["kind"] not in _KINDS:
                raise ConfigError(
                    f"numbers.tsv:{row['_line']}: field 'kind': unknown kind {row['kind']!r}"
                )
            try:
                value = int(row["value"])
            except ValueError as err:
                raise ConfigError(
                    f"numbers.tsv:{row['_line']}: field 'value': expected an integer, "
                    f"got {row['value']!r}"
                ) from err
            entries.extend((t, (row["kind"], value)) for t in terms_of([row]))
        self.entries: tuple[tuple[str, tuple[str, int]], ...] = tuple(entries)
        self._matcher = TermMatcher(entries)

    def counts(self, text: str) -> list[Count]:
        """Every count in normalized ``text``, in text order."""
        return self.counts_from(text, self._matcher.find(text))

    @staticmethod
    def counts_from(text: str, hits: Sequence[Hit]) -> list[Count]:
        """The counts of normalized ``text`` given the non-overlapping hits of :attr:`entries`
        found in it (a caller's own matcher, so a text is scanned once for several lexicons)."""
        raw: list[tuple[int, int, str, int]] = []
        units: list[tuple[int, int]] = []
        before: dict[int, str] = {}  # start of the next word -> "subset" | "companion"
        singles: list[Count] = []
        for hit in hits:
            kind, value = hit.payloads[0]
            if kind == "unit":
                if not hit.prefix:  # "مدنيان بغارة": a preposition starts another phrase
                    units.append((hit.start, hit.end))
            elif kind in ("subset", "companion"):
                before[_next_word_start(text, hit.end)] = kind
            elif kind == "single":
                singles.append(Count(hit.start, hit.end, 1, single=True))
            else:
                raw.append((hit.start, hit.end, kind, value))
        for m in _DIGITS.finditer(text):
            s, e = m.span()
            if (s > 0 and text[s - 1].isalpha()) or (e < len(text) and text[e].isalpha()):
                continue
            token = m.group()
            if "/" in token or "-" in token or token.count(".") > 1:
                continue  # a date or a range: no single count
            digits = token.replace(",", "").split(".")[0]
            raw.append((s, e, "number", int(digits)))
        raw.sort()
        merged = _merge_compounds(text, raw)
        unit_starts = {s for s, _ in units}
        out = []
        for s, e, v in merged:
            role = before.get(s, "")
            if role == "companion" and v is not None:
                v += 1
            unit = _next_word_start(text, e) in unit_starts
            out.append(Count(s, e, v, unit, role == "subset", role == "companion"))
        if singles:
            out = sorted(out + singles, key=lambda c: c.start)
        return out


def _merge_compounds(
    text: str, raw: list[tuple[int, int, str, int]]
) -> list[tuple[int, int, int | None]]:
    """Join ``ثلاثة وأربعون`` (units, then tens after و) into one count."""
    out: list[tuple[int, int, int | None]] = []
    for start, end, kind, value in raw:
        val: int | None = None if kind == "vague" else value
        if out and kind == "number":
            p_start, p_end, p_val = out[-1]
            gap = text[p_end:start]
            if p_val is not None and gap == " " * _JOIN_GAP and text.startswith("و", start):
                out[-1] = (p_start, end, p_val + value)
                continue
        out.append((start, end, val))
    return out


def _next_word_start(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def toll(
    counts: list[Count],
    killed: list[tuple[int, int]],
    injured: list[tuple[int, int]],
    *,
    tally: list[tuple[int, int]] = (),  # type: ignore[assignment]
    after: int = 30,
    before: int = 40,
) -> int | None:
    """The death toll of a clause (corpus README rule 11), from normalized spans.

    Each count goes to its nearest death or injury cue (``after`` characters after the cue,
    ``before`` before it); the toll is the lowest positive count tied to a death cue.  ``0`` when
    the clause reports only injuries; ``None`` when deaths are reported without a figure, with only
    a vague figure (``عشرات``) or not at all.  ``tally`` holds ``عدد القتلى`` cues whose
    figure comes after ``إلى`` further on ("the toll rose to thirty").
    """
    cues = [(s, e, True) for s, e in killed] + [(s, e, False) for s, e in injured]
    found: list[int] = []
    vague = one = False  # one: a singular victim, the toll when no figure is given
    for count in counts:
        if count.single:  # "مقتل قيادي": one victim, right after the death cue
            one = one or any(0 <= count.start - e <= 1 for _, e in killed)
            continue
        if count.unit or count.subset or (count.value == 1):
            continue
        if count.companion and any(e <= count.start for _, e in killed):
            found.append(count.value)  # type: ignore[arg-type]  # "قتل X برفقة ستة": 7
            continue
        best: tuple[int, bool] | None = None
        for s, e, is_kill in cues:
            if count.start >= e:
                gap = count.start - e
                ok = gap <= after
            else:
                gap = s - count.end
                ok = 0 <= gap <= before
            if ok and (best is None or gap < best[0]):
                best = (gap, is_kill)
        if best is None:
            if any(count.start > s for s, _ in tally) and count.value is not None:
                found.append(count.value)
            continue
        if best[1]:
            if count.value is None:
                vague = True
            elif count.value > 0:
                found.append(count.value)
    if found:
        return min(found)
    if one:
        return 1
    if killed or vague:
        return None
    return 0 if injured else None
