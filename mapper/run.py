"""The main job: reports in, a GeoPackage store and an offline HTML map out.

``run(inputs, out_dir)`` reads every input through :mod:`mapper.readers`, processes reports in
batches (optionally in worker processes, same output as one worker), writes each batch to
``out_dir/incidents.gpkg`` in one transaction, records the run, and draws ``out_dir/map.html``
from everything the store holds.  Bad inputs are listed in the summary and in the store's
``runs`` table; every good report is still processed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import ConfigError
from .models import RecordError, Report
from .pipeline import Pipeline, Processed

__all__ = ["RunSummary", "count", "draw_map", "merge_summaries", "run", "sort_out"]

STORE_NAME = "incidents.gpkg"
MAP_NAME = "map.html"
BATCH = 200
CHUNK = 16  # reports per task sent to a worker process


@dataclass
class RunSummary:
    """What a run did, for the CLI's closing lines and for tests."""

    store: Path
    map: Path | None
    reports_read: int = 0
    incidents: int = 0
    mentions: int = 0
    places: set[str] = field(default_factory=set)
    unresolved: Counter[str] = field(default_factory=Counter)
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[RecordError] = field(default_factory=list)


_WORKER: Pipeline | None = None


def _init_worker(extra: tuple[str, ...], fallback: Any = None) -> None:
    global _WORKER
    from .gazetteer import Gazetteer

    _WORKER = Pipeline(Gazetteer.default(extra), fallback=fallback)


def _process(reports: list[Report]) -> list[Processed]:
    assert _WORKER is not None
    return [_WORKER.process(report) for report in reports]


def _processed(
    reports: Iterable[Report], workers: int, extra: tuple[str, ...], fallback: Any = None
) -> Iterator[Processed]:
    """Processed reports in input order.  With worker processes at most ``4 * workers`` chunks
    are in flight, so reading never runs far ahead of writing (``Pool.imap`` would consume the
    whole input and queue every result while the store writes)."""
    if workers <= 1:
        _init_worker(extra, fallback)
        for report in reports:
            yield from _process([report])
        return
    ctx = multiprocessing.get_context("spawn")
    chunks = iter(lambda: list(itertools.islice(reports, CHUNK)), [])
    with ctx.Pool(workers, initializer=_init_worker, initargs=(extra,)) as pool:
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_process, (chunk,)))
            if len(pending) >= 4 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def run(
    inputs: Iterable[str | Path],
    out_dir: str | Path,
    *,
    workers: int = 1,
    gazetteer_extra: Iterable[str | Path] = (),
    fallback: Any = None,
    stdin: IO[Any] | None = None,
    make_html: bool = True,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> RunSummary:
    """Run the whole pipeline on ``inputs`` into ``out_dir`` (created if missing).

    ``fallback`` (e.g. :class:`mapper.online.OnlineFallback`) places names the gazetteer lacks;
    it runs in this process, so one rate limit and one cache hold: it needs ``workers=1``.
    """
    from .readers import read_reports
    from .store import Store

    if workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}")
    if fallback is not None and workers > 1:
        raise ConfigError("an online geocoder needs --workers 1 (one rate limit, one cache)")
    inputs = [str(p) for p in inputs]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = RunSummary(store=out / STORE_NAME, map=None)
    started = _now()
    store = Store(summary.store)

    def good_reports() -> Iterator[Report]:  # the reader streams JSON Lines line by line
        yield from sort_out(read_reports(inputs, stdin=stdin), summary)

    stream: Iterable[Processed] = _processed(
        good_reports(), workers, tuple(str(p) for p in gazetteer_extra), fallback
    )
    if progress is not None:
        stream = progress(stream)
    batch: list[Processed] = []
    with store:
        for done in stream:
            batch.append(done)
            count(summary, done)
            if len(batch) >= BATCH:
                _write(store, batch)
                batch = []
        if batch:
            _write(store, batch)
        store.record_run(
            started_at=started,
            finished_at=_now(),
            inputs=inputs,
            reports_read=summary.reports_read,
            incidents=summary.incidents,
            errors=[*summary.errors, *summary.warnings],
            mapper_version=_version(),
        )
        if make_html:
            summary.map = draw_map(store.incidents(), out / MAP_NAME)
    return summary


def sort_out(items: Iterable[Report | RecordError], summary: RunSummary) -> Iterator[Report]:
    """The reports of ``items``; errors and warnings go into ``summary``."""
    from .readers import RecordWarning

    for item in items:
        if isinstance(item, RecordWarning):
            summary.warnings.append(item)
        elif isinstance(item, RecordError):
            summary.errors.append(item)
        else:
            yield item


def count(summary: RunSummary, done: Processed) -> None:
    """Add one processed report to ``summary``."""
    summary.reports_read += 1
    summary.incidents += len(done.incidents)
    summary.mentions += len(done.mentions)
    for m in done.mentions:
        if m.place_id:
            summary.places.add(m.place_id)
        else:
            summary.unresolved[m.surface] += 1


def _write(store: Any, batch: list[Processed]) -> None:
    store.write_batch(
        [p.report for p in batch],
        [i for p in batch for i in p.incidents],
        {p.report.id: p.mentions for p in batch},
    )


def merge_summaries(parts: Iterable[RunSummary]) -> RunSummary:
    """One summary of several partial runs (in order), as if one run had read them all."""
    parts = list(parts)
    total = RunSummary(store=parts[0].store if parts else Path(STORE_NAME), map=None)
    for part in parts:
        total.reports_read += part.reports_read
        total.incidents += part.incidents
        total.mentions += part.mentions
        total.places |= part.places
        total.unresolved.update(part.unresolved)
        total.errors.extend(part.errors)
        total.warnings.extend(part.warnings)
    return total


def draw_map(incidents: Any, path: Path) -> Path:
    """The offline map of ``incidents`` (a GeoDataFrame) with the gazetteer's place names."""
    from .gazetteer import Gazetteer
    from .maps import make_map, save_map

    places = Gazetteer.default().frame
    return save_map(make_map(incidents, title="mapper", places=places), path)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _version() -> str:
    from . import __version__

    return __version__
