"""Word lists kept as data, and the one Arabic term matcher.

Lexicons are UTF-8 TSV files under ``data/lexicons/`` (``mapper.data.lexicons`` when installed):
a header row, ``#`` comment lines, one entry a row.  :func:`read_table` loads one with its line
numbers, so a bad row is reported as ``events.tsv:12: ...``.

:class:`TermMatcher` finds normalized terms in a :class:`~mapper.normalize.NormalizedText` with an
Aho-Corasick automaton (pyahocorasick) and the Arabic boundary rules of the house style:

* the character after a match is not a letter or a digit;
* the match starts at a word boundary, or after proclitics that start at one: an optional
  conjunction then an optional preposition (``clitics.tsv``: و ف; ب ل ك), e.g. ``وبالباغوز``;
* a term with the article also matches in the ``لل`` form (``ل`` + ``ال`` → ``لل``,
  ``للباغوز``), with ``ل`` reported as its prefix.

Overlaps are settled by :func:`select_longest`: longest match first, then earliest start; a
character belongs to one match at most.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import starmap
from pathlib import Path
from typing import Any

import ahocorasick

from .errors import ConfigError
from .normalize import NormalizedText, normalize_name

__all__ = [
    "Clitics",
    "Hit",
    "TermMatcher",
    "clitics",
    "read_table",
    "select_longest",
]


def _lexicon_path(name: str) -> Path:
    return Path(str(resources.files("mapper.data").joinpath("lexicons", name)))


@cache
def read_table(name: str, *, path: Path | None = None) -> tuple[dict[str, Any], ...]:
    """Rows of a lexicon TSV as dicts; each row also carries ``_line`` (its 1-based line).

    Raises :class:`ConfigError` naming file and line for a row with the wrong number of cells.
    """
    source = path if path is not None else _lexicon_path(name)
    try:
        raw = source.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{source}: cannot read lexicon: {err.strerror}") from err
    body = [
        (i, line)
        for i, line in enumerate(raw.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not body:
        raise ConfigError(f"{source}: empty lexicon")
    columns = body[0][1].split("\t")
    rows = []
    for lineno, line in body[1:]:
        cells = next(csv.reader(io.StringIO(line), delimiter="\t", quoting=csv.QUOTE_NONE))
        if len(cells) > len(columns):
            raise ConfigError(
                f"{source.name}:{lineno}: expected {len(columns)} tab-separated cells "
                f"({', '.join(columns)}), got {len(cells)}"
            )
        cells += [""] * (len(columns) - len(cells))
        row: dict[str, Any] = {c: v.strip() for c, v in zip(columns, cells, strict=True)}
        row["_line"] = lineno
        rows.append(row)
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class Hit:
    """A term found in normalized text.

    ``start``/``end`` index the normalized text and cover the prefix; ``prefix`` is the
    proclitic part (``"وب"``), so the bare term starts at ``start + len(prefix)``.
    """

    start: int
    end: int
    prefix: str
    term: str
    payloads: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Clitics:
    """Proclitics from ``clitics.tsv``: conjunctions, prepositions and the article."""

    conjunctions: frozenset[str]
    prepositions: frozenset[str]
    article: str
    # every valid proclitic string (a conjunction, a preposition, or one then the other), so
    # the matcher's per-hit test is one set lookup
    prefixes: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        both = {c + p for c in self.conjunctions for p in self.prepositions}
        prefixes = frozenset(self.conjunctions | self.prepositions | both)
        object.__setattr__(self, "prefixes", prefixes)  # derived once, in construction

    @classmethod
    def load(cls) -> Clitics:
        rows = read_table("clitics.tsv")
        by_role: dict[str, set[str]] = {}
        for row in rows:
            by_role.setdefault(row["role"], set()).add(normalize_name(row["term"]))
        articles = sorted(by_role.get("article", ()))
        if len(articles) != 1:
            raise ConfigError(f"clitics.tsv: expected one article row, got {articles}")
        return cls(
            frozenset(by_role.get("conjunction", ())),
            frozenset(by_role.get("preposition", ())),
            articles[0],
        )

    def is_prefix(self, prefix: str) -> bool:
        """Is ``prefix`` an optional conjunction followed by an optional preposition?"""
        return prefix in self.prefixes

    def readings(self, word: str) -> list[tuple[str, str]]:
        """Ways to read ``word`` as (proclitics, rest), the bare reading first."""
        out = [("", word)]
        for n in (1, 2):
            head, rest = word[:n], word[n:]
            if len(rest) >= 2 and self.is_prefix(head):
                out.append((head, rest))
                if head.endswith("ل") and rest.startswith("ل"):  # ل + ال → لل
                    out.append((head, self.article + rest[1:]))
        return out


@cache
def clitics() -> Clitics:
    """The bundled proclitics."""
    return Clitics.load()


class TermMatcher:
    """Finds many normalized terms at once, on Arabic word boundaries.

    Parameters
    ----------
    entries:
        ``(term, payload)`` pairs; terms are normalized here, so callers pass them as written.
        Several payloads may share one term; a hit carries all of them.
    """

    def __init__(self, entries: Iterable[tuple[str, Any]], *, proclitics: Clitics | None = None):
        self._clitics = proclitics or clitics()
        article = self._clitics.article
        table: dict[str, list[Any]] = {}
        for term, payload in entries:
            key = normalize_name(term)
            if key:
                table.setdefault(key, []).append(payload)
        self._automaton = ahocorasick.Automaton()
        for key, payloads in table.items():
            self._automaton.add_word(key, (key, 0, tuple(payloads)))
            if key.startswith(article) and len(key) > 2:
                lam = "ل" + key[1:]  # ل + ال → لل
                if lam not in table:
                    self._automaton.add_word(lam, (key, 1, tuple(payloads)))
        self._size = len(table)
        if self._size:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return self._size

    def iter_hits(self, text: str) -> Iterator[Hit]:
        """Every boundary-respecting occurrence in normalized ``text``, overlaps included."""
        return starmap(Hit, self.iter_tuples(text))

    def iter_tuples(self, text: str) -> Iterator[tuple[int, int, str, str, tuple[Any, ...]]]:
        """:meth:`iter_hits` as plain ``(start, end, prefix, term, payloads)`` tuples, for
        callers that make their own records per hit (cheaper than a :class:`Hit` each)."""
        if not self._size:
            return
        n = len(text)
        prefixes = self._clitics.prefixes
        for last, (term, lam, payloads) in self._automaton.iter(text):
            end = last + 1
            if end < n and text[end].isalnum():
                continue
            start = end - len(term)  # the ل of a لل form has the article's length
            if start > 0 and text[start - 1].isalnum():
                word_start = start - 1
                while word_start > 0 and text[word_start - 1].isalnum():
                    word_start -= 1
                    if start - word_start > 2:
                        break
                prefix = text[word_start:start] + "ل" if lam else text[word_start:start]
                if prefix not in prefixes:
                    continue
                yield word_start, end, prefix, term, payloads
            else:
                yield start, end, "ل" if lam else "", term, payloads

    def find(self, text: str) -> list[Hit]:
        """Non-overlapping hits in text order (see :func:`select_longest`)."""
        return select_longest(self.iter_hits(text))

    def find_in(self, normalized: NormalizedText) -> list[tuple[int, int, Hit]]:
        """Hits with their ORIGINAL half-open spans: ``(start, end, hit)`` in text order."""
        return [(*normalized.to_original(h.start, h.end), h) for h in self.find(normalized.text)]


def select_longest(hits: Iterable[Hit]) -> list[Hit]:
    """Keep the longest hits, then the earliest; no character in two hits; text order."""
    ranked = sorted(hits, key=lambda h: (h.start + len(h.prefix) - h.end, h.start))
    if not ranked:
        return []
    used = bytearray(max(h.end for h in ranked))
    taken: list[Hit] = []
    for hit in ranked:
        start, end = hit.start, hit.end
        if used.find(1, start, end) >= 0:
            continue
        used[start:end] = b"\x01" * (end - start)
        taken.append(hit)
    taken.sort(key=lambda h: h.start)
    return taken


def terms_of(rows: Sequence[dict[str, Any]], column: str = "term") -> list[str]:
    """The values of ``column`` split on ``|`` (lexicon cells may list several spellings)."""
    return [t.strip() for row in rows for t in str(row[column]).split("|") if t.strip()]
