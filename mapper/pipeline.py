"""The pipeline: report text → mentions → incidents, with its stages wired once.

:class:`Pipeline` builds the gazetteer-dependent matchers once (the expensive part) and then
processes any number of reports.  :func:`find_places` and :func:`extract` use a shared default
pipeline over the bundled gazetteer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from .gazetteer import Gazetteer
from .models import Incident, Mention, Report
from .normalize import NormalizedText, normalize
from .resolve import Resolver
from .spotting import Spotter

__all__ = ["Pipeline", "Processed", "default_pipeline", "extract", "find_places"]


@dataclass(frozen=True, slots=True)
class Processed:
    """What the pipeline made of one report."""

    report: Report
    mentions: tuple[Mention, ...]
    incidents: tuple[Incident, ...]


class Pipeline:
    """All stages over one gazetteer.

    Parameters
    ----------
    gazetteer:
        The places to resolve against; the bundled gazetteer when ``None``.
    fallback:
        Optional; anything with ``resolve(mention) -> Mention``, asked for each mention the
        gazetteer left unresolved (``place_id == ""``), e.g. :class:`mapper.online.OnlineFallback`.
    """

    def __init__(self, gazetteer: Gazetteer | None = None, *, fallback: Any = None) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.default()
        self.fallback = fallback
        self.spotter = Spotter(self.gazetteer)
        self.resolver = Resolver(self.gazetteer)
        self._extractor = None

    @property
    def extractor(self):
        if self._extractor is None:
            from .incidents import IncidentExtractor

            self._extractor = IncidentExtractor(self.gazetteer)
        return self._extractor

    def find_places(self, text: str) -> list[Mention]:
        """Place mentions of ``text``, resolved, in text order."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        return self._mentions(normalize(text))

    def _mentions(self, normalized: NormalizedText) -> list[Mention]:
        mentions = self.resolver.resolve(normalized, self.spotter.spot(normalized))
        if self.fallback is None:
            return mentions
        return [m if m.place_id else self.fallback.resolve(m) for m in mentions]

    def process(self, report: Report, *, incidents: bool = True) -> Processed:
        """Mentions and (unless ``incidents=False``) incidents of one report."""
        if not isinstance(report.text, str):
            raise TypeError(f"text must be str, got {type(report.text).__name__}")
        normalized = normalize(report.text)
        mentions = tuple(self._mentions(normalized))
        found = (
            tuple(self.extractor.extract(report, mentions, normalized=normalized))
            if incidents
            else ()
        )
        return Processed(report, mentions, found)

    def process_many(
        self, reports: Iterable[Report], *, incidents: bool = True
    ) -> Iterator[Processed]:
        """:meth:`process` over a stream, lazily and in order."""
        for report in reports:
            yield self.process(report, incidents=incidents)


@cache
def default_pipeline() -> Pipeline:
    """The shared pipeline over the bundled gazetteer (built on first use)."""
    return Pipeline()


def find_places(text: str, published: str | None = None) -> list[Mention]:
    """Place mentions in ``text`` (offsets into ``text`` itself), resolved with the bundled
    gazetteer.  ``published`` is accepted for symmetry with :func:`extract`; resolution does
    not depend on it."""
    del published
    return default_pipeline().find_places(text)


def extract(
    text: str,
    published: str | None = None,
    source_id: str | None = None,
    url: str | None = None,
    source: str | None = None,
) -> list[Incident]:
    """ACLED-style incidents of one report text."""
    report = Report(id=source_id or "", text=text, published=published, url=url, source=source)
    return list(default_pipeline().process(report).incidents)
