"""NAIVE BASELINE (benchmark only, not part of mapper): the resolver a user would write first.

One compiled ``re.search`` per gazetteer name variant, bounded by ``\\b``, over the normalized
text; each hit becomes a mention of the variant's best place; then mapper's own incident step,
so the comparison isolates spotting and resolving.  It is deliberately simple: no proclitics
(``\\b`` does not split ``بهجين``), first hit per variant only, overlaps not resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mapper.gazetteer import Gazetteer
from mapper.incidents import IncidentExtractor
from mapper.models import Incident, Mention, Place, Report
from mapper.normalize import normalize


@dataclass(frozen=True, slots=True)
class NaiveResolver:
    """``(pattern, place)`` for every name in the gazetteer index."""

    patterns: tuple[tuple[re.Pattern[str], Place], ...]
    extractor: IncidentExtractor

    @classmethod
    def build(cls, gazetteer: Gazetteer) -> NaiveResolver:
        patterns = []
        for name, ids in gazetteer.names():
            place = gazetteer.get(ids[0])
            if name and place is not None:
                patterns.append((re.compile(rf"\b{re.escape(name)}\b"), place))
        return cls(tuple(patterns), IncidentExtractor(gazetteer))

    def mentions(self, text: str) -> list[Mention]:
        normalized = normalize(text)
        found = []
        for pattern, place in self.patterns:
            hit = pattern.search(normalized.text)
            if hit is None:
                continue
            start, end = normalized.to_original(hit.start(), hit.end())
            surface = text[start:end]
            kind = str(place.kind)
            mention = Mention(start, end, surface, place.place_id, place.name_en, place.name_ar,
                              kind, place.lat, place.lon, 1.0)  # fmt: skip
            found.append(mention)
        found.sort(key=lambda m: (m.start, m.end))
        return found

    def process(self, report: Report) -> list[Incident]:
        return self.extractor.extract(report, self.mentions(report.text))
