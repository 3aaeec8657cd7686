"""The answer cache of online geocoders: one small SQLite file, one row per (service, name).

Every answer is kept, "not found" too (an empty list), with the query as sent and the time, so a
name is asked of a service at most once; :mod:`mapper.online` reads it before asking and
``--offline`` reads nothing else.  The default file is
``$XDG_CACHE_HOME/mapper/geocode-cache.sqlite`` (``mapper run`` keeps one beside its store).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import StoreError

__all__ = ["CACHE_NAME", "AnswerCache", "CachedAnswer", "default_cache_path"]

CACHE_NAME = "geocode-cache.sqlite"
_SCHEMA = """CREATE TABLE IF NOT EXISTS answers (
    service TEXT NOT NULL,   -- service name, with @domain when one was given
    key TEXT NOT NULL,       -- the normalized query
    query TEXT NOT NULL,     -- the query as sent
    asked_at TEXT NOT NULL,  -- UTC, ISO 8601
    raw TEXT NOT NULL,       -- JSON list of the service's answers; [] means not found
    PRIMARY KEY (service, key))"""


def default_cache_path() -> Path:
    """``$XDG_CACHE_HOME/mapper/geocode-cache.sqlite`` (``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mapper" / CACHE_NAME


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """One cached answer: ``answers`` is empty when the service found nothing."""

    service: str
    key: str
    query: str
    asked_at: str
    answers: tuple[dict[str, Any], ...]


class AnswerCache:
    """Answers of online services in one SQLite file at ``path`` (created on first use)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._conn.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as err:
            raise StoreError(f"cannot open the geocoder cache: {err}", path=self.path) from err

    def get(self, service: str, key: str) -> CachedAnswer | None:
        row = self._conn.execute(
            "SELECT service, key, query, asked_at, raw FROM answers WHERE service=? AND key=?",
            (service, key),
        ).fetchone()
        return None if row is None else _cached(row)

    def put(self, service: str, key: str, query: str, answers: Sequence[dict[str, Any]]) -> None:
        asked_at = datetime.now(UTC).isoformat(timespec="seconds")
        raw = json.dumps(list(answers), ensure_ascii=False, sort_keys=True)
        self._conn.execute(
            "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
            (service, key, query, asked_at, raw),
        )

    def answers(self, service: str | None = None) -> Iterator[CachedAnswer]:
        """Every cached answer (of one service), oldest first."""
        sql = "SELECT service, key, query, asked_at, raw FROM answers"
        rows = self._conn.execute(
            sql + (" WHERE service=?" if service else "") + " ORDER BY asked_at, service, key",
            (service,) if service else (),
        )
        return map(_cached, rows.fetchall())

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> AnswerCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _cached(row: tuple[str, str, str, str, str]) -> CachedAnswer:
    return CachedAnswer(*row[:4], tuple(json.loads(row[4])))
