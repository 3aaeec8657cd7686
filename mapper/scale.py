"""Extraction on a Dask cluster, for corpora one machine cannot process in time.

``run_dask(inputs, out_dir)`` plans partitions on the client (whole files, and JSON Lines files
cut at line ends into chunks of about ``chunk_bytes``), runs the pipeline on each partition with
:mod:`dask.bag` on the cluster's workers, and writes one GeoParquet part per partition into
``out_dir/incidents.parquet/`` (``dask_geopandas.read_parquet``, ``geopandas.read_parquet`` and
``mapper map`` read it back).  Without a scheduler address it starts a ``LocalCluster``.

The rows are those of a single-process :func:`mapper.run.run`, in input order: partitions keep
the input order, each partition keeps its reports' order, and report ids, default ids
(``<stem>:<line>``) and error lines are those of :mod:`mapper.readers`, because the client
counts the lines before each chunk (:mod:`mapper.chunks`).  Unlike the GeoPackage store, the
parquet output does not replace a report that appears twice under one id: ids must be unique
in the corpus.

Dask is the optional ``[scale]`` extra; ``import mapper`` never imports this module.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

try:
    import dask.bag as db
    import dask_geopandas
    from distributed import Client, LocalCluster
except ImportError as err:  # the optional extra is missing: say how to get it
    raise ImportError(
        f"the Dask engine needs the scale extra: pip install 'mapper[scale]' ({err})"
    ) from err

import geopandas as gpd

from . import frame
from .chunks import Piece, iter_pieces, read_piece
from .errors import ConfigError, StoreError
from .frame import CRS, conform, to_frame
from .models import RecordError
from .pipeline import Pipeline
from .run import MAP_NAME, RunSummary, count, draw_map, merge_summaries, sort_out

__all__ = ["PARQUET_NAME", "plan", "read_incidents", "run_dask"]

PARQUET_NAME = "incidents.parquet"
CHUNK_BYTES = 8 << 20  # ~2,700 reports of 3 KB: seconds of work per task, little scheduling


# --- planning (on the client) -----------------------------------------------------------------


def plan(
    inputs: Iterable[str | os.PathLike[str]], *, chunk_bytes: int = CHUNK_BYTES
) -> tuple[list[list[Piece]], list[RecordError]]:
    """Partitions of ``inputs`` (lists of pieces of about ``chunk_bytes``) and the inputs that
    cannot be listed (an unreadable folder), in input order."""
    partitions: list[list[Piece]] = []
    errors: list[RecordError] = []
    current: list[Piece] = []
    size = 0
    for piece in iter_pieces(inputs, chunk_bytes=chunk_bytes):
        if isinstance(piece, RecordError):
            errors.append(piece)
            continue
        if piece.path == "-":
            raise ConfigError("the Dask engine reads files on the workers, not stdin ('-')")
        if current and size + piece.size > chunk_bytes:
            partitions.append(current)
            current, size = [], 0
        current.append(piece)
        size += piece.size
    if current:
        partitions.append(current)
    return partitions, errors


# --- extraction (on the workers) --------------------------------------------------------------


@functools.cache
def _pipeline(extra: tuple[str, ...]) -> Pipeline:
    """One pipeline per worker process (the matchers take a second to build)."""
    from .gazetteer import Gazetteer

    return Pipeline(Gazetteer.default(extra))


def extract_partition(
    pieces: Sequence[Piece], extra: tuple[str, ...] = ()
) -> tuple[gpd.GeoDataFrame, RunSummary]:
    """Incidents of one partition as a GeoDataFrame, and what was read (counts, errors)."""
    pipe = _pipeline(extra)
    summary = RunSummary(store=Path(PARQUET_NAME), map=None)
    incidents = []
    for piece in pieces:
        for report in sort_out(read_piece(piece), summary):
            done = pipe.process(report)
            count(summary, done)
            incidents.extend(done.incidents)
    return to_frame(incidents), summary


# --- the run (on the client) ------------------------------------------------------------------


def run_dask(
    inputs: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    scheduler: str | Client | None = None,
    workers: int = 2,
    processes: bool = True,
    gazetteer_extra: Iterable[str | os.PathLike[str]] = (),
    chunk_bytes: int = CHUNK_BYTES,
    make_html: bool = True,
) -> RunSummary:
    """Run extraction on a Dask cluster into ``out_dir/incidents.parquet/`` (and the map).

    Parameters
    ----------
    scheduler : address of an existing scheduler (``tcp://host:8786``), or a connected
        ``Client`` (left open); ``None`` starts a ``LocalCluster`` of ``workers``
        single-threaded worker processes (``processes=False``: threads of this process).
    gazetteer_extra : user gazetteer CSVs; the paths must be readable on every worker, as must
        the inputs and ``out_dir``.
    """
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}")
    inputs = [str(p) for p in inputs]
    extra = tuple(str(p) for p in gazetteer_extra)
    partitions, errors = plan(inputs, chunk_bytes=chunk_bytes)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if isinstance(scheduler, Client):  # e.g. cluster.get_client() of a Coiled/Kubernetes cluster
        summary = _compute(scheduler, partitions, extra, out / PARQUET_NAME)
    elif scheduler is not None:
        with Client(scheduler) as client:
            summary = _compute(client, partitions, extra, out / PARQUET_NAME)
    else:
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=":0",  # 8787 may be taken: any free port
            ) as cluster,
            Client(cluster) as client,
        ):
            summary = _compute(client, partitions, extra, out / PARQUET_NAME)
    summary.errors[:0] = errors
    if make_html:
        summary.map = draw_map(frame.read_incidents(summary.store), out / MAP_NAME)
    return summary


def _compute(
    client: Client, partitions: list[list[Piece]], extra: tuple[str, ...], target: Path
) -> RunSummary:
    """Extract and write every partition on the workers; merge their summaries in order."""
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("part.*.parquet"):  # a rerun replaces the previous output
        old.unlink()
    partitions = partitions or [[]]  # no input: one empty part, so the output still reads
    width = max(5, len(str(len(partitions) - 1)))  # names sort in partition order
    numbered = [(f"part.{i:0{width}d}.parquet", part) for i, part in enumerate(partitions)]
    bag = db.from_sequence(numbered, npartitions=len(numbered))
    summaries = client.compute(bag.map(_write_partition, extra, str(target)), sync=True)
    summary = merge_summaries(summaries)
    summary.store = target
    return summary


def _write_partition(
    named: tuple[str, list[Piece]], extra: tuple[str, ...], target: str
) -> RunSummary:
    """Extract one partition and write it as ``target/NAME`` (renamed into place once complete,
    so a killed worker never leaves a part that readers would take)."""
    name, pieces = named
    incidents, summary = extract_partition(pieces, extra)
    final = Path(target, name)
    partial = final.with_name(f".{final.name}.partial")
    # text columns typed as strings: an all-null object column would be written as arrow's
    # null type, and parts with different types cannot be read as one dataset
    text = {name: "string" for name in incidents.columns if incidents[name].dtype == object}
    incidents.astype(text).to_parquet(partial, index=False)
    os.replace(partial, final)
    return summary


def read_incidents(path: str | os.PathLike[str]) -> dask_geopandas.GeoDataFrame:
    """The partitioned GeoParquet of a Dask run, lazily, with the store's column dtypes."""
    table = dask_geopandas.read_parquet(path)
    if table.crs is None:
        raise StoreError(f"no CRS declared (expected {CRS}; mapper never guesses)", path=path)
    meta = gpd.GeoDataFrame(conform(table._meta), geometry="geometry", crs=CRS)
    return table.map_partitions(
        lambda part: gpd.GeoDataFrame(conform(part), geometry="geometry", crs=CRS), meta=meta
    )
