"""Inputs cut into pieces that can be read on their own: the partitions of the Dask engine.

:mod:`mapper.readers` streams a JSON Lines file from its start.  To spread a corpus over
many workers, :func:`iter_pieces` cuts each JSON Lines file larger than ``chunk_bytes`` at line
ends and counts the lines before each cut; :func:`read_piece` then reads one piece through the
reader's own :func:`~mapper.readers.read_jsonl_lines` (lines decoded one by one, so a stray
byte costs its own line only), so report ids, default ids (``<stem>:<line>``), origins and
error lines are those :func:`~mapper.readers.read_reports` gives for the whole file.  Other
files (and JSON Lines files with a UTF-16 byte-order mark, whose lines are not byte-aligned)
are one piece each, read by the reader unchanged.  :mod:`mapper.scale` groups pieces into
partitions.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .errors import ConfigError
from .models import RecordError, Report

__all__ = ["CHUNK_BYTES", "Piece", "iter_pieces", "read_piece"]

CHUNK_BYTES = 4 << 20  # ~1,300 reports of 3 KB
JSONL = (".jsonl", ".ndjson")
_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class Piece:
    """A whole input (``stop is None``; ``"-"`` is stdin), or the ``lines`` lines of a JSON
    Lines file between byte offsets ``start`` and ``stop``, the first being ``first_line``."""

    path: str
    size: int = 0
    start: int = 0
    stop: int | None = None
    first_line: int = 1
    lines: int = 0


def iter_pieces(
    inputs: Iterable[str | os.PathLike[str]], *, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[Piece | RecordError]:
    """Pieces of ``inputs`` in input order (folders walked as the reader walks them), and an
    error in place of each folder entry that cannot be listed."""
    from .readers import _walk

    if chunk_bytes < 1:
        raise ConfigError(f"chunk_bytes must be positive, got {chunk_bytes}")
    for raw in inputs:
        if str(raw) == "-":
            yield Piece("-")
            continue
        path = Path(raw)
        for item in _walk(path) if path.is_dir() else [path]:
            if isinstance(item, RecordError):
                yield item
            else:
                yield from _file_pieces(item, chunk_bytes)


def _file_pieces(path: Path, chunk_bytes: int) -> Iterator[Piece]:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # the reader reports the file's own error
    if path.suffix.lower() not in JSONL or size <= chunk_bytes:
        yield Piece(str(path), size)
        return
    with path.open("rb") as handle:
        if handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            yield Piece(str(path), size)
            return
        handle.seek(0)
        start, line, tail = 0, 1, b""
        while block := handle.read(max(_BLOCK, chunk_bytes)):
            tail += block
            while len(tail) > chunk_bytes and (cut := _line_end(tail, chunk_bytes)):
                lines = tail.count(b"\n", 0, cut)
                yield Piece(str(path), cut, start, start + cut, line, lines)
                line, start, tail = line + lines, start + cut, tail[cut:]
        if tail:
            lines = tail.count(b"\n") + (not tail.endswith(b"\n"))
            yield Piece(str(path), len(tail), start, start + len(tail), line, lines)


def _line_end(data: bytes, size: int) -> int:
    """Length of the longest run of whole lines of ``data`` within ``size`` bytes (or of the
    first line, if longer); 0 when ``data`` holds no line end yet."""
    return (data.rfind(b"\n", 0, size) + 1) or (data.find(b"\n", size) + 1)


def read_piece(piece: Piece, *, stdin: IO[Any] | None = None) -> Iterator[Report | RecordError]:
    """The reports (and errors) of one piece, as :func:`~mapper.readers.read_reports` gives
    them for the whole file; ``stdin`` is what ``"-"`` reads."""
    from .readers import read_jsonl_lines, read_reports

    if piece.stop is None:
        yield from read_reports([piece.path], stdin=stdin)
        return
    try:
        with open(piece.path, "rb") as handle:
            handle.seek(piece.start)
            data = handle.read(piece.stop - piece.start)
    except OSError as err:
        last = piece.first_line + piece.lines - 1
        message = f"{err.strerror or err} (lines to {last} skipped)"
        yield RecordError(piece.path, piece.first_line, message)
        return
    lines = data.split(b"\n")
    yield from read_jsonl_lines(lines, piece.path, first_line=piece.first_line)
