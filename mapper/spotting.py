"""Spotting: find place-name spans in a text (before deciding which place each one names).

One Aho-Corasick pass (:class:`~mapper.lexicons.TermMatcher`) over the normalized text finds,
at once, every gazetteer name, every fixed area phrase (``area_phrases.tsv``) and every blocker
phrase (``blockers.tsv``: outlets, armed groups, operations...), and the place and landmark
nouns that head names the gazetteer lacks (``قرية``, ``مسجد``).  The longest-match rule settles
overlaps, so ``دير الزور 24`` (an outlet) beats ``دير الزور`` and ``قوات سوريا الديمقراطية``
beats ``سوريا``; blocker hits are then dropped.  A name right after a person or tribe cue
(``person_cues.tsv``: ``أبو عمر داريا``, ``عشيرة ...``) is dropped too.  A world-list name that
is also a common word (``common_word_names.tsv``: ``حديثة`` "modern", ``جدة`` "grandmother")
keeps its world candidates only after a place noun or a locative word (``locatives.tsv``).

Speed: everything a hit's key decides (blocker, candidates, clitic rule, guard) is worked out
once when the spotter is built (:mod:`mapper.name_table`), and what the lexicons say about a
context word once per distinct word (:class:`_WordFacts`), so the per-hit work is field reads.

Each surviving :class:`Span` keeps its ORIGINAL offsets, its proclitic prefix, the candidate
place ids (best first by the gazetteer prior) and the generic noun written before it
(``مدينة``, ``ريف``...) so the resolver can use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .gazetteer import Gazetteer
from .lexicons import Hit, TermMatcher, clitics, read_table, select_longest, terms_of
from .name_table import Term, build_terms
from .normalize import NormalizedText, normalize_name

__all__ = ["Span", "Spotter"]

_LOCATIVE = "locative"  # common_word_names.tsv: a locative word is context enough
_NISBA_ENDINGS = ("ي", "يه")
_WORD = re.compile("[0-9a-z\u00c0-\u024f\u0621-\u063a\u0641-\u064a\u0671-\u06d3]+")
_LIST_WINDOW = 30  # words read after a plural place noun (a list of villages may be long)
_NAME_WINDOW = 8  # words read after a singular noun: a name, or a landmark's with patronyms
_FACTS_LIMIT = 100_000  # distinct words remembered before the cache starts over
_QUOTES = "\"'“”„«»‹›()[]{}-–—:؛،,."


@dataclass(frozen=True, slots=True)
class Span:
    """A place-name span: ``original[start:end]`` is the surface, clitics included."""

    start: int
    end: int
    prefix: str
    key: str  # the normalized name that matched
    place_ids: tuple[str, ...]  # candidates, best first by prior
    cue: str  # the normalized generic noun before the name ('' if none)
    norm_start: int
    norm_end: int
    fixed: bool = False  # an area phrase: its place is fixed by the lexicon
    kind_hint: str = ""  # for a name the gazetteer lacks: the kind its noun points to


class Spotter:
    """Finds place-name spans using ``gazetteer``'s names and the spotting lexicons."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._nouns = {normalize_name(t) for t in terms_of(read_table("place_nouns.tsv"))}
        self._noun_kind = {
            normalize_name(r["term"]): r["kinds"].split("|")[0]
            for r in read_table("place_nouns.tsv")
            if r["names_unknown"] == "yes"
        }
        self._list_nouns = {
            normalize_name(r["term"])
            for r in read_table("place_nouns.tsv")
            if r["note"].startswith(("plural", "dual"))
        }
        self._landmarks = {
            normalize_name(r["term"]): (r["kind"], r["include_noun"] == "yes")
            for r in read_table("landmark_nouns.tsv")
        }
        self._stopwords = {normalize_name(t) for t in terms_of(read_table("name_stopwords.tsv"))}
        channels = read_table("channels.tsv")
        self._speech = {normalize_name(r["term"]) for r in channels if r["role"] == "speech"}
        self._person = {
            normalize_name(r["term"]): int(r["scope"]) for r in read_table("person_cues.tsv")
        }
        self._unknown_heads = self._noun_kind.keys() | self._landmarks.keys()
        self._locatives = {normalize_name(t) for t in terms_of(read_table("locatives.tsv"))}
        self._clitics = clitics()
        self._facts: dict[str, _WordFacts] = {}  # per-word context facts, filled on demand
        # one automaton for names and for the nouns that head unknown names: one pass a text
        self._matcher = TermMatcher(build_terms(gazetteer, self._unknown_heads))

    def spot(self, normalized: NormalizedText) -> list[Span]:
        """Place-name spans of a normalized text, in text order, never overlapping."""
        text = normalized.text
        spans = []
        hits = list(self._matcher.iter_hits(text))
        for hit in select_longest(h for h in hits if h.payloads[0].place):
            term: Term = hit.payloads[0]
            if term.block or (hit.prefix and not term.clitic_ok):
                continue
            before = _words_before(text, hit.start, 2)
            if not hit.prefix and self._after_person_cue(before):
                continue
            if term.channel and any(self._facts_of(w).speech for w in before):
                continue
            cue = self._facts_of(before[-1]).noun if before else ""
            ids = term.ids
            if term.needs and not self._in_place_context(term.needs, cue, hit.prefix, before):
                ids = term.home_ids  # a common word here: only a home place may be meant
                if not ids:
                    continue
            start, end = normalized.to_original(hit.start, hit.end)
            spans.append(
                Span(
                    start=start,
                    end=end,
                    prefix=_original_prefix(normalized, hit),
                    key=hit.term,
                    place_ids=ids,
                    cue=cue,
                    norm_start=hit.start,
                    norm_end=hit.end,
                    fixed=term.fixed,
                )
            )
        heads = select_longest(h for h in hits if h.payloads[0].head)
        spans += self._unknown_names(normalized, spans, heads)
        spans.sort(key=lambda sp: sp.start)
        return spans

    # names the gazetteer does not know ----------------------------------------------------
    def _unknown_names(
        self, normalized: NormalizedText, known: list[Span], heads: list[Hit]
    ) -> list[Span]:
        """Names written after a place or landmark noun that the gazetteer does not know.

        ``قرية الطوطحية`` → an unresolved village; ``وتل مدكوك`` → an unresolved landmark
        (the noun is part of such names); after a plural or dual noun (``قرى``, ``قريتي``) the
        list that follows (``X وY وZ``) is read to its end.
        """
        text = normalized.text
        taken = bytearray(len(text) + 1)  # 1 where a known name already is
        for sp in known:
            taken[sp.norm_start : sp.norm_end] = b"\x01" * (sp.norm_end - sp.norm_start)
        out: list[Span] = []
        resume = 0
        for hit in heads:
            if hit.start < resume or taken[hit.start]:
                continue
            many = hit.term in self._list_nouns
            if not many:  # cheap rejection: a singular noun before a known name ("مدينة هجين")
                nxt = _WORD.search(text, hit.end)
                if nxt is None or taken[nxt.start()]:
                    continue
            window = _LIST_WINDOW if many else _NAME_WINDOW
            words = [(hit.start, hit.end), *_words_after(text, hit.end, window)]
            if len(words) < 2:
                continue
            if hit.term in self._landmarks:
                span, used = self._landmark(normalized, words, 0, hit.term, taken)
                if span is not None:
                    out.append(span)
            else:
                found, used = self._named_after_noun(normalized, words, 1, hit.term, taken)
                out += found
            resume = words[min(used, len(words) - 1)][0]
        return out

    def _is_name_word(self, word: str) -> bool:
        bare = word
        for _, rest in self._clitics.readings(word)[1:]:
            if rest.startswith(self._clitics.article):
                bare = rest
        indefinite = not bare.startswith(self._clitics.article)
        return (
            len(bare) >= 3
            and not (indefinite and bare.endswith(_NISBA_ENDINGS))  # شيعي: an adjective
            and bare not in self._stopwords
            and word not in self._stopwords
            and bare not in self._noun_kind
            and all("\u0621" <= c <= "\u064a" for c in bare)
        )

    def _landmark(self, normalized, words, i, noun, taken):
        text = normalized.text
        kind, include = self._landmarks[noun]
        j = i + 1
        ns, ne = words[j]
        if taken[ns] or not self._facts_of(text[ns:ne]).name:
            return None, i + 1
        end = ne
        # "مسجد عثمان بن عفان": a patronym continues the name
        while j + 2 < len(words) and text[words[j + 1][0] : words[j + 1][1]] in ("بن", "ابن"):
            j += 2
            end = words[j][1]
        start = words[i][0] if include else ns
        if taken.find(1, start, end) >= 0:
            return None, j + 1
        return self._span(normalized, start, end, kind, noun), j + 1

    def _named_after_noun(self, normalized, words, j, noun, taken):
        """Unknown names after a settlement noun; a whole list after a plural noun."""
        text = normalized.text
        found: list[Span] = []
        many = noun in self._list_nouns
        kind = self._noun_kind[noun]
        first = True
        while j < len(words):
            ws, we = words[j]
            word = text[ws:we]
            if word == "و" and not first:  # a detached conjunction: "حسرات و البقان"
                j += 1
                continue
            facts = self._facts_of(word)
            if taken[ws]:
                j = _skip_taken(words, j, taken)
            elif facts.bare in self._landmarks:
                if not many:
                    break
                span, j = self._landmark(normalized, words, j, facts.bare, taken)
                if span is not None:
                    found.append(span)
            elif facts.name and (first or _joined(word, self._clitics)):
                found.append(self._span(normalized, ws, we, kind, noun))
                j += 1
            else:
                break
            first = False
            if not many or (j < len(words) and text[words[j - 1][1] : words[j][0]].strip()):
                break  # a single noun names one place; punctuation ends a list
        return found, j

    def _span(self, normalized: NormalizedText, ns: int, ne: int, kind: str, noun: str) -> Span:
        start, end = normalized.to_original(ns, ne)
        return Span(
            start=start,
            end=end,
            prefix="",
            key=normalized.text[ns:ne],
            place_ids=(),
            cue=noun,
            norm_start=ns,
            norm_end=ne,
            kind_hint=kind,
        )

    def _facts_of(self, word: str) -> _WordFacts:
        """What the lexicons say about a normalized word; read once per distinct word."""
        facts = self._facts.get(word)
        if facts is None:
            if len(self._facts) >= _FACTS_LIMIT:
                self._facts.clear()
            readings = [bare for _, bare in self._clitics.readings(word)]
            facts = _WordFacts(
                person=max((self._person.get(b, 0) for b in readings), default=0),
                speech=any(b in self._speech for b in readings),
                noun=next((b for b in readings if b in self._nouns), ""),
                locative=any(b in self._locatives for b in readings),
                bare=next((b for b in readings if b in self._unknown_heads), word),
                name=self._is_name_word(word),
            )
            self._facts[word] = facts
        return facts

    def _in_place_context(self, needs: str, cue: str, prefix: str, before: list[str]) -> bool:
        """Is a common-word world name (``common_word_names.tsv``) used as a place here?"""
        if cue:
            return True
        if needs != _LOCATIVE:
            return False
        return prefix[-1:] in self._locatives or (
            bool(before) and self._facts_of(before[-1]).locative
        )

    def _after_person_cue(self, before: list[str]) -> bool:
        """Is one of the two words before a name a person or tribe cue whose scope reaches it?
        ("أبو كمال" style names are whole gazetteer names, so a cue here is a kunya.)"""
        distance = 0
        for word in reversed(before):
            distance += 1
            if self._facts_of(word).person >= distance:
                return True
        return False


@dataclass(frozen=True, slots=True)
class _WordFacts:
    """Context facts of one normalized word (proclitic readings included)."""

    person: int  # how many words after it belong to a person's name (0: not a cue)
    speech: bool  # a speech word: a channel name after it is the channel
    noun: str  # the generic place noun it is, clitics stripped ('' if none)
    locative: bool  # a preposition of place (في، إلى، قرب), clitics stripped
    bare: str  # the word without proclitics if that is a place or landmark noun, else the word
    name: bool  # may be an unknown place name after a place noun


def _words_before(text: str, pos: int, n: int) -> list[str]:
    """The last ``n`` words before ``pos`` (within 40 characters), quotes stripped."""
    out: list[str] = []
    for word in reversed(text[max(0, pos - 40) : pos].split()):
        word = word.strip(_QUOTES)
        if word:
            out.append(word)
            if len(out) == n:
                break
    out.reverse()
    return out


def _words_after(text: str, pos: int, limit: int) -> list[tuple[int, int]]:
    """Spans of up to ``limit`` words (letter-or-digit runs) of normalized ``text`` after
    ``pos``; normalized text has only folded Arabic letters, ASCII digits and lower case."""
    out: list[tuple[int, int]] = []
    for m in _WORD.finditer(text, pos):
        out.append(m.span())
        if len(out) >= limit:
            break
    return out


def _skip_taken(words: list[tuple[int, int]], j: int, taken: bytearray) -> int:
    while j < len(words) and taken[words[j][0]]:
        j += 1
    return j


def _joined(word: str, clitics) -> bool:
    """A list item after the first: joined by و (``والصبخة``) or an article name."""
    return word.startswith(("و", clitics.article))


def _original_prefix(normalized: NormalizedText, hit: Hit) -> str:
    """The prefix as written in the original text (harakat kept)."""
    if not hit.prefix:
        return ""
    start, _ = normalized.to_original(hit.start, hit.start + len(hit.prefix))
    bare_start, _ = normalized.to_original(hit.start + len(hit.prefix), hit.end)
    return normalized.original[start:bare_start]
