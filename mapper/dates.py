"""Event dates from explicit anchors: "today", "yesterday", a weekday, a printed day and month.

A date is resolved only from an anchor in the clause together with the report's ``published``
date (corpus README rule 10); nothing is guessed:

* ``اليوم`` / ``الآن`` → ``published``; ``أمس`` → one day before; ``أمس الأول`` → two days before;
* a weekday (``مساء الخميس``) → the most recent such weekday on or before ``published``;
  followed by ``الماضي`` → the most recent one strictly before it;
* a day number before a month name (``8 تشرين الثاني / نوفمبر الجاري``, ``٢٢ يونيو``) → that day,
  in the printed year, else the latest such date not after ``published``;
* a numeric date (``12/3/2019``, day first as Arabic news prints it; ``2019-03-12``) → that day,
  unless it lies after ``published`` (then it was probably month first: no date);
* a vague phrase (``قبل أيام``, ``الشهر الماضي``) or a month without a day gives no date.

The anchors are data (``data/lexicons/dates.tsv``); they are matched with the one
:class:`~mapper.lexicons.TermMatcher`, so a resolver costs one automaton pass per text.
dateparser was measured and rejected: it returns nothing for Levantine months and for a day
inside a sentence (``مساء الخميس 8 تشرين الثاني``), and its search mode is far slower.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError
from .lexicons import Hit, TermMatcher, read_table, terms_of

__all__ = ["DateAnchor", "DateResolver", "TimeExpression"]

_KINDS = frozenset({"offset", "weekday", "past", "month", "current", "vague", "block"})
_DIGITS = re.compile(r"[0-9]{1,4}")
# a numeric date, day first as Arabic news prints it (12/3/2019, 12-3-2019, 12.3.2019), or ISO;
# digits and separators around it make it part of something else (a phone number, a range)
_NUMERIC_DATE = re.compile(
    r"(?<![0-9/.-])(?:([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})|([0-9]{4})-([0-9]{2})-([0-9]{2}))"
    r"(?![0-9/-]|\.[0-9])"
)
_MAX_GAP = 3  # characters allowed between a day number and its month (a space, "/")


@dataclass(frozen=True, slots=True)
class DateAnchor:
    """One anchor found in normalized text: ``kind`` and ``value`` as in ``dates.tsv``."""

    start: int
    end: int
    kind: str
    value: int


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """What a span says about time.

    ``date`` is ``YYYY-MM-DD`` or ``None``; ``precision`` is ACLED's time_precision (1 = day);
    ``temporal`` is true when the span holds any time phrase, resolvable or not, so a caller
    knows not to carry another clause's date into it.
    """

    date: str | None
    precision: int | None
    temporal: bool
    reason: str = ""


_NO_TIME = TimeExpression(None, None, False)


class DateResolver:
    """Resolves the date anchors of normalized text against a publication date.

    Parameters
    ----------
    lexicons_dir:
        A folder holding ``dates.tsv``; the bundled lexicons when ``None``.
    """

    def __init__(self, *, lexicons_dir: str | Path | None = None) -> None:
        path = None if lexicons_dir is None else Path(lexicons_dir) / "dates.tsv"
        rows = read_table("dates.tsv", path=path)
        entries = []
        for row in rows:
            kind = row["kind"]
            if kind not in _KINDS:
                raise ConfigError(f"dates.tsv:{row['_line']}: field 'kind': unknown kind {kind!r}")
            try:
                value = int(row["value"])
            except ValueError as err:
                raise ConfigError(
                    f"dates.tsv:{row['_line']}: field 'value': expected an integer, "
                    f"got {row['value']!r}"
                ) from err
            entries.extend((term, (kind, value)) for term in terms_of([row]))
        self.entries: tuple[tuple[str, tuple[str, int]], ...] = tuple(entries)
        self._matcher = TermMatcher(entries)

    def anchors(self, text: str) -> list[DateAnchor]:
        """The anchors in normalized ``text``, in text order (blocks removed)."""
        return self.anchors_from(self._matcher.find(text), text)

    @staticmethod
    def anchors_from(hits: Sequence[Hit], text: str) -> list[DateAnchor]:
        """The anchors of normalized ``text`` given the non-overlapping hits of :attr:`entries`
        found in it (a caller's own matcher, so a text is scanned once for several lexicons),
        plus its numeric dates (kind ``numeric``, value the day's ordinal)."""
        found = []
        for hit in hits:
            kind, value = _best_payload(hit)
            if kind != "block":
                found.append(DateAnchor(hit.start + len(hit.prefix), hit.end, kind, value))
        numeric = _numeric_dates(text)
        return sorted(found + numeric, key=lambda a: a.start) if numeric else found

    def resolve(
        self,
        text: str,
        published: str | dt.date | None,
        *,
        anchors: Sequence[DateAnchor] | None = None,
        start: int = 0,
        end: int | None = None,
    ) -> TimeExpression:
        """The date that ``text[start:end]`` (normalized) gives, or a null one.

        ``anchors`` may be passed when the caller already found them for the whole text.
        """
        end = len(text) if end is None else end
        if anchors is None:
            anchors = self.anchors(text)
        inside = [a for a in anchors if start <= a.start and a.end <= end]
        if not inside:
            return _NO_TIME
        base = _as_date(published)
        explicit = _printed_numeric(inside, base) or _explicit_date(text, inside, base)
        if explicit is not None:
            return explicit
        if base is None:
            return TimeExpression(None, None, True, "anchor without a publication date")
        if any(a.kind == "vague" for a in inside):
            return TimeExpression(None, None, True, "vague time phrase")
        return _relative_date(inside, base)


def _best_payload(hit: Hit) -> tuple[str, int]:
    payloads = hit.payloads
    for wanted in ("block", "vague"):
        for kind, value in payloads:
            if kind == wanted:
                return kind, value
    return payloads[0]


def _as_date(published: str | dt.date | None) -> dt.date | None:
    if published is None or isinstance(published, dt.date):
        return published
    try:
        return dt.date.fromisoformat(str(published)[:10])
    except ValueError:
        return None


def _numeric_dates(text: str) -> list[DateAnchor]:
    out = []
    for m in _NUMERIC_DATE.finditer(text):
        if m.group(1):
            day, month, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        else:
            year, month, day = int(m.group(5)), int(m.group(6)), int(m.group(7))
        try:
            found = dt.date(year, month, day)
        except ValueError:
            continue
        out.append(DateAnchor(m.start(), m.end(), "numeric", found.toordinal()))
    return out


def _printed_numeric(anchors: Sequence[DateAnchor], base: dt.date | None) -> TimeExpression | None:
    """The first numeric date of the span; ``None`` when there is none."""
    numeric = next((a for a in anchors if a.kind == "numeric"), None)
    if numeric is None:
        return None
    found = dt.date.fromordinal(numeric.value)
    if base is not None and found > base:
        return TimeExpression(None, None, True, "numeric date after publication")
    return TimeExpression(found.isoformat(), 1, True, "printed numeric date")


def _explicit_date(
    text: str, anchors: Sequence[DateAnchor], base: dt.date | None
) -> TimeExpression | None:
    """A printed day + month (+ optional year); ``None`` when there is no month anchor."""
    months = [a for a in anchors if a.kind == "month"]
    if not months:
        return None
    month = months[0]
    day = _number_before(text, month.start)
    year = _year_after(text, month.end, anchors)
    if day is None or not 1 <= day <= 31:
        return TimeExpression(None, None, True, "month without a day")
    if year is None:
        if base is None:
            return TimeExpression(None, None, True, "day and month without a year or publication")
        year = base.year
        try:
            if dt.date(year, month.value, day) > base:
                year -= 1
        except ValueError:
            return TimeExpression(None, None, True, "impossible day")
    try:
        found = dt.date(year, month.value, day)
    except ValueError:
        return TimeExpression(None, None, True, "impossible day")
    return TimeExpression(found.isoformat(), 1, True, "printed date")


def _number_before(text: str, pos: int) -> int | None:
    i = pos
    while i > 0 and pos - i < _MAX_GAP and not text[i - 1].isdigit():
        i -= 1
    j = i
    while j > 0 and text[j - 1].isdigit():
        j -= 1
    if j == i or (j > 0 and text[j - 1].isalpha()):
        return None
    return int(text[j:i])


def _year_after(text: str, pos: int, anchors: Sequence[DateAnchor]) -> int | None:
    """A four-digit year after the month, past a second month name (``تشرين الثاني / نوفمبر``)."""
    later = [a for a in anchors if a.kind == "month" and a.start >= pos and a.start - pos <= 4]
    if later:
        pos = later[0].end
    match = _DIGITS.match(text, pos + 1) if pos < len(text) else None
    if match and len(match.group()) == 4 and 1900 <= int(match.group()) <= 2100:
        return int(match.group())
    return None


def _relative_date(anchors: Sequence[DateAnchor], base: dt.date) -> TimeExpression:
    offsets = [a for a in anchors if a.kind == "offset"]
    if offsets:
        # "أمس" beats "اليوم" in "أعلن اليوم ... أمس": the event is the earlier day.
        offset = min(a.value for a in offsets)
        day = base + dt.timedelta(days=offset)
        return TimeExpression(day.isoformat(), 1, True, "relative day")
    weekdays = [a for a in anchors if a.kind == "weekday"]
    if weekdays:
        wanted = weekdays[0]
        strictly = any(a.kind == "past" and 0 <= a.start - wanted.end <= 2 for a in anchors)
        back = (base.weekday() - wanted.value) % 7
        if back == 0 and strictly:
            back = 7
        day = base - dt.timedelta(days=back)
        return TimeExpression(day.isoformat(), 1, True, "weekday")
    return TimeExpression(None, None, True, "no day in the time phrase")
