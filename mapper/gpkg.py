"""GeoPackage details of the store: the schema, creation, geometry blobs and R-tree functions.

:mod:`mapper.store` writes batches through :mod:`sqlite3`; this module holds what that needs
to keep the file a valid GeoPackage: the tables' columns and indexes, atomic creation through
GDAL, GeoPackage binary geometries, the ``ST_*`` functions GDAL's R-tree triggers call, and the
``gpkg_contents`` bookkeeping.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import struct
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mapper.errors import StoreError
from mapper.frame import mentions_frame, to_frame

__all__ = [
    "LAYERS",
    "REPORT_COLUMNS",
    "RUN_COLUMNS",
    "create",
    "insert",
    "insert_features",
    "point_blob",
    "register_gpkg_functions",
    "touch",
]

REPORT_COLUMNS = ("id", "url", "source", "published", "text_sha256", "text", "ingested_at")
RUN_COLUMNS = (
    "started_at",
    "finished_at",
    "inputs",
    "reports_read",
    "incidents",
    "errors",
    "mapper_version",
)
LAYERS = ("reports", "incidents", "mentions", "runs")
_INDEXES = (
    'CREATE UNIQUE INDEX IF NOT EXISTS "reports_id" ON "reports" ("id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "incidents_incident_id" ON "incidents" ("incident_id")',
    'CREATE INDEX IF NOT EXISTS "incidents_source_id" ON "incidents" ("source_id")',
    'CREATE INDEX IF NOT EXISTS "incidents_event_id" ON "incidents" ("event_id")',
    'CREATE INDEX IF NOT EXISTS "mentions_report_id" ON "mentions" ("report_id")',
)


# --- GeoPackage details -----------------------------------------------------------------------


def insert(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Any]
) -> None:
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)


def insert_features(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Sequence[Any]
) -> None:
    """Insert rows into a layer whose ``geom`` has GDAL's R-tree, in the caller's transaction.

    GDAL's insert trigger updates the R-tree row by row through five SQL function calls; like
    GDAL's own bulk loads, the trigger is set aside for the insert, the new rows' envelopes go
    into the R-tree in one ``executemany``, and the trigger is put back with its own SQL text,
    all in the same transaction (so a kill or an error leaves the trigger as it was)."""
    name = f"rtree_{table}_geom"
    trigger = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (f"{name}_insert",)
    ).fetchone()
    if trigger is None or not conn.in_transaction:
        insert(conn, table, columns, rows)
        return
    (top,) = conn.execute(f'SELECT coalesce(max(fid), 0) FROM "{table}"').fetchone()
    conn.execute(f'DROP TRIGGER "{name}_insert"')
    insert(conn, table, columns, rows)
    added = conn.execute(f'SELECT fid, geom FROM "{table}" WHERE fid > ?', (top,))
    entries = [(fid, *env) for fid, blob in added if (env := _envelope(blob)) is not None]
    conn.executemany(f'INSERT OR REPLACE INTO "{name}" VALUES (?, ?, ?, ?, ?)', entries)
    conn.execute(trigger[0])


def touch(
    conn: sqlite3.Connection,
    table: str,
    points: Iterable[tuple[float | None, float | None]] = (),
) -> None:
    """Keep ``gpkg_contents`` honest: last change, and the extent grows to hold ``points``
    (``(x, y)`` pairs; a pair with a ``None`` is left out)."""
    conn.execute(
        "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
        "WHERE table_name = ?",
        (table,),
    )
    located = [(x, y) for x, y in points if x is not None and y is not None]
    if located:
        xs, ys = [float(x) for x, _ in located], [float(y) for _, y in located]
        min_x, min_y, max_x, max_y = min(xs), min(ys), max(xs), max(ys)
        conn.execute(
            "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), "
            "min_y = min(coalesce(min_y, ?), ?), max_x = max(coalesce(max_x, ?), ?), "
            "max_y = max(coalesce(max_y, ?), ?) WHERE table_name = ?",
            (min_x, min_x, min_y, min_y, max_x, max_x, max_y, max_y, table),
        )


_HEADER = b"GP\x00\x01" + struct.pack("<i", 4326)
_POINT = struct.Struct("<BIdd")


def point_blob(x: float | None, y: float | None) -> bytes | None:
    """A GeoPackage binary point: ``GP``, version 0, flags (little-endian, no envelope),
    srs_id 4326, then little-endian WKB ``Point(x, y)``; ``None`` without both coordinates."""
    if x is None or y is None:
        return None
    return _HEADER + _POINT.pack(1, 1, x, y)


@functools.lru_cache(maxsize=16)
def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a GeoPackage geometry, or None if null or empty."""
    if blob is None or len(blob) < 8 or blob[:2] != b"GP" or blob[3] & 0x10:
        return None
    order = "<" if blob[3] & 1 else ">"
    kind = (blob[3] >> 1) & 7
    if kind:
        return struct.unpack_from(order + "4d", blob, 8)
    wkb = blob[8:]
    wkb_order = "<" if wkb[0] == 1 else ">"
    (geom_type,) = struct.unpack_from(wkb_order + "I", wkb, 1)
    if geom_type % 1000 != 1:
        return None  # only points are stored without an envelope here
    x, y = struct.unpack_from(wkb_order + "2d", wkb, 5)
    if x != x or y != y:  # NaN: an empty point
        return None
    return (x, x, y, y)


def register_gpkg_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("ST_IsEmpty", 1, lambda b: int(_envelope(b) is None), deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(
            name, 1, lambda b, i=i: (env := _envelope(b)) and env[i], deterministic=True
        )


def create(path: Path) -> None:
    """Create an empty store atomically: build it aside, then link it into place."""
    import pyogrio

    if not path.parent.is_dir():
        raise StoreError("directory does not exist", path=path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.gpkg")
    empty = {
        "reports": pd.DataFrame({c: pd.Series([], dtype=object) for c in REPORT_COLUMNS}),
        "mentions": mentions_frame({}),
        "runs": pd.DataFrame(
            {
                c: pd.Series([], dtype="int64" if c in ("reports_read", "incidents") else object)
                for c in RUN_COLUMNS
            }
        ),
    }
    try:
        pyogrio.write_dataframe(
            to_frame([]), tmp, layer="incidents", driver="GPKG", geometry_type="Point"
        )
        for name, frame in empty.items():
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
        with sqlite3.connect(tmp) as conn:
            for sql in _INDEXES:
                conn.execute(sql)
        conn.close()
        try:
            os.link(tmp, path)  # atomic, and never replaces a store another process made
        except FileExistsError:
            pass
    except OSError as err:
        raise StoreError(f"cannot create store: {err}", path=path) from err
    finally:
        tmp.unlink(missing_ok=True)
