"""Synthetic benchmark corpus: seeded Arabic reports of about 3 KB, as JSON Lines.

Each report is a headline plus paragraphs mixing event sentences (air strikes, shelling,
clashes, mines and IEDs, arrests, protests, troop movements, claims and denials) with a large
share of distractor text that names no place and no event (prices, weather, sport, quotes).
Places come from the bundled gazetteer through the package API (``Gazetteer.default()``),
written as their name or a listed spelling variant, with proclitics (و ب ل ف ك, ل + ال → لل)
and relative-place words (ريف، قرب، شرقي ...); dates are anchors (أمس، مساء الخميس) or explicit
day + month (Levantine, standard or both); counts are number words, digits or Arabic-Indic
digits.  The sentences and word lists are in ``bench/templates.tsv``, written for the benchmark.

Report ``i`` depends only on ``(seed, i)``, so the first 1,000 reports of a 1M corpus equal a
1k corpus with the same seed.  About one report in six has no event at all.

    python bench/corpus.py -n 10000 --seed 1 -o /tmp/c10k.jsonl
    python bench/corpus.py -n 5 | head -c 2000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO

from mapper.gazetteer import Gazetteer, in_home_region
from mapper.models import Place, PlaceKind

TEMPLATES = Path(__file__).with_name("templates.tsv")
PROCLITICS = frozenset("وبلفك")
PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")
INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FIRST_DAY = date(2017, 1, 1)
DAYS = 7 * 365
TARGET_BYTES = (2400, 3600)  # UTF-8 size of a report's text, drawn uniformly
NO_EVENT_SHARE = 1 / 6
HOME_SHARE = 0.85  # the rest name other gazetteer cities


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The template file, by kind, and the places to draw from."""

    words: dict[str, tuple[str, ...]]
    home: tuple[tuple[str, ...], ...]  # spellings per place: name first, then variants
    other: tuple[tuple[str, ...], ...]

    def __getitem__(self, kind: str) -> tuple[str, ...]:
        return self.words[kind]


def load_vocabulary(gazetteer: Gazetteer, path: Path = TEMPLATES) -> Vocabulary:
    """Read ``templates.tsv`` and pick point places from ``gazetteer``."""
    words: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip() or line.startswith("#"):
                continue
            kind, sep, text = line.rstrip("\n").partition("\t")
            if not sep or not text:
                raise ValueError(f"{path}:{number}: expected 'kind<TAB>text', got {line!r}")
            words.setdefault(kind, []).append(text)
    home, other = [], []
    for place in gazetteer:
        if not place.has_point or place.kind is PlaceKind.COUNTRY:
            continue
        spellings = _spellings(place)
        (home if in_home_region(place) else other).append(spellings)
    return Vocabulary({k: tuple(v) for k, v in words.items()}, tuple(home), tuple(other))


def _spellings(place: Place) -> tuple[str, ...]:
    variants = [v for v in place.variants_ar if v and v != place.name_ar]
    return (place.name_ar, *variants)


def attach(word: str, name: str) -> str:
    """``name`` after ``word``: a proclitic joins it (ل + ال → لل), anything else is spaced."""
    if word == "ل" and name.startswith("ال"):
        return "لل" + name[2:]
    if word in PROCLITICS:
        return word + name
    return f"{word} {name}"


class ReportWriter:
    """Builds report ``i`` of a seeded corpus."""

    def __init__(self, vocabulary: Vocabulary, seed: int) -> None:
        self.vocabulary = vocabulary
        self.seed = seed
        self.events = vocabulary["event"] * 4 + vocabulary["claim"] + vocabulary["denial"]

    def report(self, i: int) -> dict[str, str]:
        rng = random.Random(f"{self.seed}:{i}")
        published = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        target = rng.randint(*TARGET_BYTES)
        eventful = rng.random() >= NO_EVENT_SHARE
        v = self.vocabulary
        sentences = [self._fill(rng.choice(self.events), rng, published)] if eventful else []
        headline = (
            " ".join(sentences[0].split("،")[0].split()[:9])
            if eventful
            else rng.choice(v["headline_distractor"])
        )
        paragraphs, size = [headline], len(headline.encode())
        while size < target:
            count = rng.randint(2, 4)
            for _ in range(count):
                if eventful and rng.random() < 0.3:
                    sentences.append(self._fill(rng.choice(self.events), rng, published))
                else:
                    sentences.append(rng.choice(v["distractor"]))
            paragraph = " ".join(sentences)
            sentences = []
            paragraphs.append(paragraph)
            size += len(paragraph.encode()) + 2
        return {
            "id": f"syn{self.seed}-{i:07d}",
            "text": "\n\n".join(paragraphs),
            "published": published.isoformat(),
            "source": rng.choice(v["outlet"]),
            "url": f"https://example.org/bench/{self.seed}/{i}",
        }

    def _fill(self, template: str, rng: random.Random, published: date) -> str:
        first, second = self._place(rng), self._place(rng)
        actor, other = rng.sample(self.vocabulary["actor"], 2)

        def one(match: re.Match[str]) -> str:
            key, word = match.group(1), match.group(2)
            if key in ("P", "Q"):
                name = first if key == "P" else second
                if word == "في":
                    word = rng.choice(("في", "ب"))
                return attach(word, name) if word else name
            if key in ("A", "B"):
                return actor if key == "A" else other
            return self._value(key, rng, published)

        return PLACEHOLDER.sub(one, template)

    def _place(self, rng: random.Random) -> str:
        v = self.vocabulary
        pool = v.home if rng.random() < HOME_SHARE or not v.other else v.other
        spellings = rng.choice(pool)
        return rng.choice(spellings) if rng.random() < 0.3 else spellings[0]

    def _value(self, key: str, rng: random.Random, published: date) -> str:
        v = self.vocabulary
        if key == "D":
            return self._date(rng, published)
        if key == "N":
            return self._count(rng)
        kinds = {"R": "relative", "AIR": "air", "S": "source"}
        return rng.choice(v[kinds[key]])

    def _date(self, rng: random.Random, published: date) -> str:
        v = self.vocabulary
        roll = rng.random()
        if roll < 0.35:
            return rng.choice(v["anchor"])
        if roll < 0.65:
            return f"{rng.choice(v['part_of_day'])} يوم {rng.choice(v['weekday'])}"
        day = published - timedelta(days=rng.randrange(4))
        levant, standard = v["month_levant"][day.month - 1], v["month_standard"][day.month - 1]
        month = rng.choice((levant, standard, f"{levant}/{standard}"))
        number = str(day.day).translate(INDIC) if rng.random() < 0.3 else str(day.day)
        year = f" {day.year}" if rng.random() < 0.3 else ""
        return f"في {number} {month}{year}"

    def _count(self, rng: random.Random) -> str:
        roll = rng.random()
        if roll < 0.5:
            return rng.choice(self.vocabulary["number"])
        digits = str(rng.randint(2, 40))
        return digits.translate(INDIC) if roll < 0.75 else digits


def generate(n: int, seed: int = 1, gazetteer: Gazetteer | None = None) -> Iterator[dict]:
    """Reports ``0 .. n-1`` of the corpus for ``seed``, one at a time."""
    writer = ReportWriter(load_vocabulary(gazetteer or Gazetteer.default()), seed)
    for i in range(n):
        yield writer.report(i)


def write(n: int, seed: int, out: IO[str]) -> None:
    """Stream ``n`` reports as JSON Lines to ``out``."""
    for record in generate(n, seed):
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="number of reports (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", default="-", help="JSON Lines file, - for stdout")
    options = parser.parse_args(argv)
    if options.output == "-":
        try:
            write(options.n, options.seed, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # a reader such as `head` left: stop quietly (Python docs' recipe)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    else:
        with open(options.output, "w", encoding="utf-8") as out:
            write(options.n, options.seed, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
