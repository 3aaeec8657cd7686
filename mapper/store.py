"""The GeoPackage store and file export.

A store is a real GeoPackage (it opens in QGIS as is) with four tables: ``reports``,
``incidents`` (the frame's columns, point geometry, EPSG:4326), ``mentions`` and ``runs``.
GDAL (through pyogrio) creates the file; batches are then written through :mod:`sqlite3` in one
``BEGIN IMMEDIATE`` transaction each, with geometries in GeoPackage binary format, because a
pyogrio append per layer is not atomic across layers.  So a process killed mid-run leaves a file
that opens and holds every committed batch and nothing of the rest; a second writer waits for
the lock (``timeout`` seconds) and then fails with :class:`StoreError`.

The GeoPackage R-tree triggers call ``ST_IsEmpty``/``ST_MinX``/... which GDAL defines in its own
SQLite connections; :class:`Store` defines the same functions on its connection, so the spatial
index stays right (the schema, creation and these functions live in :mod:`mapper.gpkg`).

Idempotency: a report whose id and text hash are already stored is skipped with its incidents
and mentions; a changed text replaces that report's incidents and mentions (one query looks up
a batch's stored hashes; within a batch the last report of an id wins).  Rows are built from the
records as plain tuples with hand-packed point blobs, so a batch needs no DataFrame.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from mapper.errors import StoreError
from mapper.frame import (
    COLUMNS,
    CRS,
    MENTION_COLUMNS,
    conform,
    incident_row,
    mention_rows,
)
from mapper.gpkg import (
    LAYERS,
    REPORT_COLUMNS,
    RUN_COLUMNS,
    create,
    insert,
    insert_features,
    point_blob,
    register_gpkg_functions,
    touch,
)
from mapper.models import Incident, Mention, RecordError, Report

__all__ = ["BatchResult", "Store", "export"]

_SOURCE, _INCIDENT = COLUMNS.index("source_id"), COLUMNS.index("incident_id")
_LON, _LAT = COLUMNS.index("longitude"), COLUMNS.index("latitude")


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one ``write_batch`` did: reports written (new or changed) and skipped (unchanged)."""

    written: int
    skipped: int
    incidents: int
    mentions: int


def _utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store:
    """A GeoPackage store at ``path`` (created on first use).

    Parameters
    ----------
    path : the ``.gpkg`` file.
    timeout : seconds a writer waits for another process's lock before ``StoreError``.
    clock : returns the ``ingested_at`` timestamp (ISO text); UTC now by default.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        clock: Callable[[], str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._clock = clock or _utcnow
        self._conn: sqlite3.Connection | None = None
        if not self.path.exists():
            create(self.path)
        self._check_layers()

    # --- connection ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            except sqlite3.Error as err:
                raise StoreError(f"cannot open store: {err}", path=self.path) from err
            register_gpkg_functions(conn)
            self._conn = conn
        return self._conn

    def close(self) -> None:
        """Close the connection (the store stays usable; it reopens on demand)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_layers(self) -> None:
        try:
            rows = self._connect().execute("SELECT table_name FROM gpkg_contents").fetchall()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"not a GeoPackage: {err}", path=self.path) from err
        missing = sorted(set(LAYERS) - {name for (name,) in rows})
        if missing:
            raise StoreError(f"not a mapper store: missing {', '.join(missing)}", path=self.path)

    # --- writing ------------------------------------------------------------------------------

    def write_batch(
        self,
        reports: Iterable[Report],
        incidents: Iterable[Incident],
        mentions: Mapping[str, Iterable[Mention]] | None = None,
    ) -> BatchResult:
        """Write one batch in one transaction: all of it or (on any failure) nothing."""
        reports = list(reports)
        rows = [(*row, point_blob(row[_LON], row[_LAT])) for row in map(incident_row, incidents)]
        found = mention_rows(mentions or {})
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise self._failure("cannot start writing", err) from err
        try:
            result = self._write(conn, reports, rows, found)
            conn.execute("COMMIT")
        except sqlite3.Error as err:
            _roll_back(conn, self.path)
            raise self._failure("cannot write (the batch was rolled back)", err) from err
        except BaseException:
            _roll_back(conn, self.path)
            raise
        return result

    def _failure(self, what: str, err: sqlite3.Error) -> StoreError:
        """A StoreError saying what SQLite refused, in words a user can act on."""
        name = getattr(err, "sqlite_errorname", "")
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            reason = f"store is busy (another process is writing; waited {self.timeout:g} s)"
        elif name.startswith(("SQLITE_FULL", "SQLITE_IOERR")):
            reason = f"{err} ({name}): is the disk full, or the file over a size limit?"
        elif name.startswith("SQLITE_READONLY"):
            reason = f"{err} ({name}): the store or its folder is read-only"
        else:
            reason = f"{err} ({name})" if name else str(err)
        return StoreError(f"{what}: {reason}", path=self.path)

    def _write(
        self,
        conn: sqlite3.Connection,
        reports: list[Report],
        rows: list[tuple[Any, ...]],
        found: list[tuple[Any, ...]],
    ) -> BatchResult:
        latest = {r.id: (r, hashlib.sha256(r.text.encode("utf-8")).hexdigest()) for r in reports}
        stored = _stored_digests(conn, list(latest))
        skipped = {key for key, (_, digest) in latest.items() if stored.get(key) == digest}
        new = [(r, d) for key, (r, d) in latest.items() if key not in skipped]
        ids = [(r.id,) for r, _ in new]
        conn.executemany("DELETE FROM incidents WHERE source_id = ?", ids)
        conn.executemany("DELETE FROM mentions WHERE report_id = ?", ids)
        conn.executemany('DELETE FROM reports WHERE "id" = ?', ids)
        values = [(r.id, r.url, r.source, r.published, d, r.text, self._clock()) for r, d in new]
        insert(conn, "reports", REPORT_COLUMNS, values)
        rows = [row for row in rows if row[_SOURCE] not in skipped]
        conn.executemany(
            "DELETE FROM incidents WHERE incident_id = ?", [(row[_INCIDENT],) for row in rows]
        )
        insert_features(conn, "incidents", (*COLUMNS, "geom"), rows)
        found = [row for row in found if row[0] not in skipped]
        new_ids = {r.id for r, _ in new}
        for report_id in sorted({row[0] for row in found} - new_ids):
            conn.execute("DELETE FROM mentions WHERE report_id = ?", (report_id,))
        insert(conn, "mentions", MENTION_COLUMNS, found)
        touch(conn, "incidents", ((row[_LON], row[_LAT]) for row in rows))
        return BatchResult(len(new), len(reports) - len(new), len(rows), len(found))

    def record_run(
        self,
        *,
        started_at: str,
        finished_at: str,
        inputs: Sequence[str],
        reports_read: int,
        incidents: int,
        errors: Iterable[RecordError | str] = (),
        mapper_version: str = "",
    ) -> None:
        """Append one row to ``runs`` (errors as a JSON list of ``file:line: message``)."""
        values = (
            started_at,
            finished_at,
            json.dumps([str(p) for p in inputs], ensure_ascii=False),
            int(reports_read),
            int(incidents),
            json.dumps([str(e) for e in errors], ensure_ascii=False),
            mapper_version,
        )
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            insert(conn, "runs", RUN_COLUMNS, [values])
            touch(conn, "runs")
            conn.execute("COMMIT")
        except sqlite3.Error as err:
            _roll_back(conn, self.path)
            raise self._failure("cannot record the run", err) from err

    # --- reading ------------------------------------------------------------------------------

    def incidents(
        self,
        since: str | None = None,
        until: str | None = None,
        types: Iterable[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> gpd.GeoDataFrame:
        """Stored incidents, optionally by ``event_date`` range (inclusive, ``YYYY-MM-DD``),
        event types, and ``bbox`` = (min lon, min lat, max lon, max lat); in write order."""
        import pyogrio

        clauses = []
        if since is not None:
            clauses.append(f"event_date >= {_quote(since)}")
        if until is not None:
            clauses.append(f"event_date <= {_quote(until)}")
        if types is not None:
            clauses.append(f"event_type IN ({', '.join(_quote(str(t)) for t in types) or 'NULL'})")
        try:
            gdf = pyogrio.read_dataframe(
                self.path, layer="incidents", where=" AND ".join(clauses) or None, bbox=bbox
            )
        except (OSError, ValueError, pyogrio.errors.DataSourceError) as err:
            raise StoreError(f"cannot read: {err}", path=self.path, layer="incidents") from err
        return gpd.GeoDataFrame(conform(gdf), geometry="geometry", crs=CRS)

    def reports(self) -> pd.DataFrame:
        """The stored reports in write order."""
        return self._table("reports", REPORT_COLUMNS)

    def mentions(self) -> pd.DataFrame:
        """The stored mentions in write order."""
        return self._table("mentions", MENTION_COLUMNS)

    def runs(self) -> pd.DataFrame:
        """The recorded runs in order."""
        return self._table("runs", RUN_COLUMNS)

    def _table(self, name: str, columns: Sequence[str]) -> pd.DataFrame:
        cols = ", ".join(f'"{c}"' for c in columns)
        rows = self._connect().execute(f'SELECT {cols} FROM "{name}" ORDER BY fid').fetchall()
        return pd.DataFrame(rows, columns=list(columns))

    def counts(self) -> dict[str, int]:
        """Row counts per table, plus ``events``: distinct merged events (``event_id``)."""
        conn = self._connect()
        out = {
            name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in LAYERS
        }
        out["events"] = conn.execute("SELECT count(DISTINCT event_id) FROM incidents").fetchone()[0]
        return out


# --- helpers ---------------------------------------------------------------------------------


def _roll_back(conn: sqlite3.Connection, path: Path) -> None:
    """Undo an open transaction; a failed rollback is an error of its own (SQLite then rolls
    back from its journal on the next open)."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error as err:
        raise StoreError(f"cannot roll back: {err}", path=path) from err


def _stored_digests(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """``id -> text_sha256`` of the stored reports among ``ids`` (one query per 500 ids)."""
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ", ".join("?" * len(part))
        sql = f'SELECT "id", text_sha256 FROM reports WHERE "id" IN ({marks})'
        out.update(conn.execute(sql, part).fetchall())
    return out


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --- export -----------------------------------------------------------------------------------

_FORMATS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".csv": "csv",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".gpkg": "gpkg",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


def export(
    source: Store | gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    excel: bool = False,
) -> Path:
    """Write incidents to ``path`` as GeoJSON, CSV, GeoParquet, GeoPackage or JSON Lines.

    ``fmt`` defaults to the extension.  CSV keeps ``latitude``/``longitude`` and ``claims`` as
    JSON text; ``excel=True`` adds a UTF-8 BOM so Excel shows Arabic.  The file is written next
    to ``path`` under a temporary name and renamed, so an existing file survives any failure.
    Raises ``StoreError`` naming the path when the directory is missing or not writable.
    """
    path = Path(path)
    kind = fmt or _FORMATS.get(path.suffix.lower())
    if kind not in set(_FORMATS.values()):
        raise StoreError(f"unknown export format {fmt or path.suffix!r}", path=path)
    gdf = source.incidents() if isinstance(source, Store) else source
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"expected a Store or GeoDataFrame, got {type(source).__name__}")
    if gdf.crs is None:
        raise StoreError("frame has no CRS (expected EPSG:4326; mapper never guesses)", path=path)
    if not path.parent.is_dir():
        raise StoreError("output directory does not exist", path=path.parent)
    from pyogrio.errors import DataSourceError

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{path.suffix}")
    try:
        _write_file(gdf.to_crs(CRS), tmp, kind, excel=excel)
        os.replace(tmp, path)
    except (OSError, DataSourceError) as err:
        raise StoreError(
            f"cannot write: {getattr(err, 'strerror', None) or err}", path=path
        ) from err
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _write_file(gdf: gpd.GeoDataFrame, tmp: Path, kind: str, *, excel: bool) -> None:
    import pyogrio

    if kind == "csv":
        table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        table.to_csv(tmp, index=False, encoding="utf-8-sig" if excel else "utf-8")
    elif kind == "parquet":
        gdf.to_parquet(tmp)
    elif kind == "jsonl":
        table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
        with tmp.open("w", encoding="utf-8") as out:
            for row in table.where(table.notna(), None).to_dict("records"):
                if isinstance(row.get("claims"), str):
                    row["claims"] = json.loads(row["claims"])
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        driver = "GPKG" if kind == "gpkg" else "GeoJSON"
        options = {"SIGNIFICANT_FIGURES": 17} if driver == "GeoJSON" else {}
        pyogrio.write_dataframe(
            gdf, tmp, layer="incidents", driver=driver, geometry_type="Point", layer_options=options
        )
