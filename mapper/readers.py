"""The one reader of input reports, shared by every command that reads them.

``read_reports(paths)`` streams :class:`~mapper.models.Report` records, in input order, from
files, folders and ``-`` (JSON Lines on stdin), and yields a :class:`~mapper.models.RecordError`
in place of each bad file or record, so every good record is still used and every bad one is
listed.

Inputs, by extension (folders are walked recursively in sorted path order; names starting with
``.`` and unknown extensions are skipped inside folders, but an unknown extension named
explicitly is an error):

- ``.jsonl``/``.ndjson``: one object per line with ``text`` and optional ``id``, ``published``,
  ``url``, ``source``; a missing ``id`` becomes ``<stem>:<line>``.  Blank lines are skipped.
- ``.txt``: one report, id = file stem.  Optional front matter: ``key: value`` lines at the top
  (keys ``id``, ``url``, ``published``, ``source``) ended by a blank line.
- ``.html``/``.htm``: a saved article page; the text of ``<article>`` if there is one, else of
  ``<body>``, without script/style/nav/header/footer/aside/noscript/template and comments;
  paragraphs are joined by a blank line.  ``published`` comes from the
  ``article:published_time`` meta tag.
- ``.csv``: a header with a ``text`` column; ``id``, ``published``, ``url``, ``source`` are
  taken by name (case-insensitive); a missing id becomes ``<stem>:<line>``.

Decisions (encoding detection lives in :mod:`mapper.decoding`, the per-format parsers and the
record checks in :mod:`mapper.formats`):

- **Encoding**: a byte-order mark decides (UTF-8, UTF-16); else valid UTF-8 is UTF-8; else
  Windows-1256 is accepted only when the result looks like text (no control characters, and at
  least 90% of the non-ASCII characters are Arabic or common punctuation); else an error.
  JSON Lines (files without a UTF-16 BOM, and stdin) apply this rule to each line on its own
  (:func:`read_jsonl_lines`), so they stream and a stray byte costs one line; a Windows-1256
  line also needs 8 Arabic letters.  Other formats apply it to the whole file.
- **NUL bytes**: a TXT or HTML file holding U+0000, and a CSV file dense with it, is rejected as
  a whole (a binary file or UTF-16 without a BOM; stripping would hide that and shift nothing
  useful); in JSON Lines each line holding a NUL byte is that error.
- **Bad bytes in one record**: a CSV file that no rule decodes, or that holds a few NUL bytes,
  is read as UTF-8 with the bad bytes kept as lone surrogates (``surrogateescape``); each
  record holding one (or a NUL) is an error of its own line and every other record is kept.
  A lone surrogate from a JSON ``\\udc80`` escape is refused the same way, since it cannot be
  written out as UTF-8.
- **Empty files**: a file that decodes to nothing but whitespace is one error (``empty file``),
  whatever its format, so an empty scrape is never silently taken for "no news".
- **published**: ``YYYY-MM-DD`` or a full ISO 8601 datetime (its date as written, not converted
  to UTC).  A malformed, mistyped or future (after tomorrow, UTC) ``published``, or a mistyped
  ``url`` or ``source``, keeps the report with that field ``None`` and yields a
  :class:`RecordWarning` (a ``RecordError`` whose message says the report was kept), so a usable
  record is never lost.
- **Text** is never changed after decoding (HTML is the extracted text): offsets point into
  exactly ``Report.text``.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from mapper.decoding import NUL_MESSAGE, decode_bytes, decode_line, salvage_records
from mapper.formats import PARSERS, FileError, RecordWarning, jsonl_record
from mapper.models import ParseResult, RecordError, Report

__all__ = [
    "SUFFIXES",
    "RecordWarning",
    "decode_bytes",
    "load_reports",
    "read_jsonl_lines",
    "read_reports",
]

SUFFIXES = tuple(PARSERS)
STDIN_NAME = "<stdin>"
# formats whose records are checked one by one, so one bad line need not cost the whole file
RECORD_SUFFIXES = (".csv",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


# --- public API -------------------------------------------------------------------------------


def read_reports(
    paths: Iterable[str | os.PathLike[str]], *, stdin: IO[Any] | None = None
) -> Iterator[Report | RecordError]:
    """Stream reports (and an error for each bad file or record) from ``paths`` in order.

    Parameters
    ----------
    paths : files, folders, or ``"-"`` for JSON Lines on ``stdin``.
    stdin : the stream ``-`` reads (binary or text); defaults to ``sys.stdin``.
    """
    if isinstance(paths, str | os.PathLike):
        raise TypeError("paths must be an iterable of paths, not a single path")
    for raw in paths:
        if str(raw) == "-":
            yield from _read_stdin(sys.stdin if stdin is None else stdin)
            continue
        path = Path(raw)
        if path.is_dir():
            for item in _walk(path):
                yield from (_read_file(item) if isinstance(item, Path) else (item,))
        else:
            yield from _read_file(path, explicit=True)


def load_reports(
    paths: Iterable[str | os.PathLike[str]], *, stdin: IO[Any] | None = None
) -> ParseResult:
    """All of :func:`read_reports` at once: ``items`` are reports, ``errors`` the rest."""
    items: list[Report] = []
    errors: list[RecordError] = []
    for record in read_reports(paths, stdin=stdin):
        (errors if isinstance(record, RecordError) else items).append(record)
    return ParseResult(items=tuple(items), errors=tuple(errors))


# --- files and folders ------------------------------------------------------------------------


def _walk(folder: Path) -> list[Path | RecordError]:
    found: list[tuple[tuple[str, ...], Path | RecordError]] = []

    def onerror(err: OSError) -> None:
        where = Path(err.filename) if err.filename else folder
        found.append(
            (where.relative_to(folder).parts, RecordError(str(where), None, _os_message(err)))
        )

    for root, dirs, files in os.walk(folder, onerror=onerror):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = Path(root) / name
            if not name.startswith(".") and path.suffix.lower() in SUFFIXES:
                found.append((path.relative_to(folder).parts, path))
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found]


def _read_file(path: Path, *, explicit: bool = False) -> Iterator[Report | RecordError]:
    suffix = path.suffix.lower()
    if explicit and path.exists() and suffix not in SUFFIXES:
        yield RecordError(
            str(path),
            None,
            f"unsupported file type {suffix or '(none)'!r} (expected one of {', '.join(SUFFIXES)})",
        )
        return
    try:
        if suffix in JSONL_SUFFIXES:
            with path.open("rb") as handle:
                if not handle.read(2).startswith(UTF16_BOMS):
                    handle.seek(0)
                    yield from _read_jsonl_file(handle, str(path))
                    return
        data = path.read_bytes()
    except OSError as err:
        yield RecordError(str(path), None, _os_message(err))
        return
    try:
        text = decode_bytes(data)
    except ValueError as err:
        salvaged = salvage_records(data) if suffix in RECORD_SUFFIXES else None
        if salvaged is None:
            yield RecordError(str(path), None, str(err))
            return
        text = salvaged
    if text.startswith("\ufeff"):  # a second byte-order mark decoded as a character
        text = text[1:]
    if not text.strip():
        yield RecordError(str(path), None, "empty file")
        return
    try:
        yield from PARSERS.get(suffix, PARSERS[".jsonl"])(text, str(path), path.stem)
    except FileError as err:
        yield RecordError(str(path), err.line, err.message)


def _read_jsonl_file(handle: IO[bytes], path: str) -> Iterator[Report | RecordError]:
    """A JSON Lines file, streamed line by line (memory stays flat however long it is)."""
    empty = True
    for record in read_jsonl_lines(handle, path):
        empty = False
        yield record
    if empty:  # every line blank
        yield RecordError(path, None, "empty file")


def read_jsonl_lines(
    lines: Iterable[bytes | str], path: str, *, stem: str | None = None, first_line: int = 1
) -> Iterator[Report | RecordError]:
    """Reports and errors of JSON Lines given as raw lines (a file, a byte range of one, stdin).

    Each line is decoded on its own (see :func:`mapper.decoding.decode_line`), so it streams and
    one bad line costs only itself.  Every reader of JSON Lines goes through here (files,
    stdin, ``mapper extract``'s streaming, ``mapper run``'s chunks): same records, same errors.
    ``first_line`` numbers the first of ``lines`` (a UTF-8 byte-order mark is dropped from line
    1); default ids are ``<stem>:<line>``, ``stem`` defaulting to the file's.
    """
    stem = Path(path).stem if stem is None else stem
    for number, raw in enumerate(lines, start=first_line):
        if isinstance(raw, str):
            line: str | None = raw.removeprefix("\ufeff") if number == 1 else raw
        elif b"\x00" in raw:  # no encoding here accepts NUL: UTF-16 without a BOM, or binary
            yield RecordError(path, number, NUL_MESSAGE)
            continue
        else:
            line = decode_line(raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw)
        if line is None:
            yield RecordError(path, number, "cannot decode as UTF-8 or Windows-1256")
        elif line.strip():
            yield from jsonl_record(line.rstrip("\r\n"), path, stem, number)


def _os_message(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "no such file or directory"
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, IsADirectoryError):
        return "is a directory"
    return err.strerror or str(err)


def _read_stdin(stream: IO[Any]) -> Iterator[Report | RecordError]:
    yield from read_jsonl_lines(getattr(stream, "buffer", stream), STDIN_NAME, stem="stdin")
