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

Decisions:

- **Encoding**: a byte-order mark decides (UTF-8, UTF-16); else valid UTF-8 is UTF-8; else
  Windows-1256 is accepted only when the result looks like text (no control characters, and at
  least 90% of the non-ASCII characters are Arabic or common punctuation); else the file is an
  error.  stdin is UTF-8 (a BOM is tolerated), decoded line by line so it streams.
- **NUL bytes**: a decoded file that still holds U+0000 is rejected as a whole (it is a binary
  file or UTF-16 without a BOM; stripping would hide that and shift nothing useful).
- **published**: ``YYYY-MM-DD`` or a full ISO 8601 datetime (its date as written, not converted
  to UTC).  A malformed or mistyped ``published``, ``url`` or ``source`` keeps the report with
  that field ``None`` and yields a :class:`RecordWarning` (a ``RecordError`` whose message says
  the report was kept), so a usable record is never lost.
- **Text** is never changed after decoding (HTML is the extracted text): offsets point into
  exactly ``Report.text``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any

from mapper.models import ParseResult, RecordError, Report

__all__ = [
    "SUFFIXES",
    "RecordWarning",
    "decode_bytes",
    "load_reports",
    "read_reports",
]

SUFFIXES = (".jsonl", ".ndjson", ".txt", ".html", ".htm", ".csv")
STDIN_NAME = "<stdin>"
_OPTIONAL_FIELDS = ("published", "url", "source")
_FRONT_MATTER_KEYS = ("id", "url", "published", "source")
_JSON_TYPES = {
    dict: "an object",
    list: "a JSON array",
    str: "a JSON string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


@dataclass(frozen=True, slots=True)
class RecordWarning(RecordError):
    """A problem in a record that was still used (e.g. a malformed ``published``)."""

    def __str__(self) -> str:
        return f"{RecordError.__str__(self)} (warning)"


class _FileError(Exception):
    """A whole file cannot be read; carries the line when one is known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


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


def decode_bytes(data: bytes) -> str:
    """Decode a file's bytes by the module's rule (BOM, UTF-8, then checked Windows-1256).

    Raises ``ValueError`` with the user-facing message when no rule applies.
    """
    text = _decode(data)
    if text is None:
        raise ValueError("cannot decode as UTF-8, UTF-16 or Windows-1256")
    if "\x00" in text:
        raise ValueError("contains NUL bytes (a binary file, or UTF-16 without a byte-order mark?)")
    return text


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
        text = decode_bytes(path.read_bytes())
    except OSError as err:
        yield RecordError(str(path), None, _os_message(err))
        return
    except ValueError as err:
        yield RecordError(str(path), None, str(err))
        return
    if text.startswith("\ufeff"):  # a UTF-16 BOM decoded as a character
        text = text[1:]
    reader = {".txt": _parse_txt, ".html": _parse_html, ".htm": _parse_html, ".csv": _parse_csv}
    try:
        yield from reader.get(suffix, _parse_jsonl)(text, str(path), path.stem)
    except _FileError as err:
        yield RecordError(str(path), err.line, err.message)


def _os_message(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "no such file or directory"
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, IsADirectoryError):
        return "is a directory"
    return err.strerror or str(err)


def _read_stdin(stream: IO[Any]) -> Iterator[Report | RecordError]:
    source = getattr(stream, "buffer", stream)
    for number, raw in enumerate(source, start=1):
        if isinstance(raw, bytes):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield RecordError(STDIN_NAME, number, f"cannot decode as UTF-8 ({err.reason})")
                continue
        else:
            line = raw.removeprefix("\ufeff") if number == 1 else raw
        if line.strip():
            yield from _jsonl_record(line.rstrip("\r\n"), STDIN_NAME, "stdin", number)


# --- decoding ---------------------------------------------------------------------------------


def _decode(data: bytes) -> str | None:
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        return None
    return text if _looks_like_arabic_text(text) else None


def _looks_like_arabic_text(text: str) -> bool:
    """Whether a Windows-1256 decoding is plausible: no controls, mostly Arabic beyond ASCII."""
    non_ascii = 0
    plausible = 0
    for char in text:
        code = ord(char)
        if code < 0x20 and char not in "\t\n\r\f":
            return False
        if code < 0x80:
            continue
        non_ascii += 1
        if 0x0600 <= code <= 0x06FF or 0x2000 <= code <= 0x206F or char in "\xa0«»×÷":
            plausible += 1
    return non_ascii > 0 and plausible >= 0.9 * non_ascii


# --- fields -----------------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _published(value: str) -> str | None:
    """``YYYY-MM-DD`` from a date or an ISO datetime (its own date, not converted), else None."""
    value = value.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        return None


def _make_report(
    fields: dict[str, Any], path: str, line: int | None, default_id: str
) -> list[Report | RecordError]:
    """Validate one record's fields; an unusable record gives one error, a flawed one warnings."""
    if "text" not in fields:
        return [RecordError(path, line, "missing field 'text'")]
    text = fields["text"]
    if not isinstance(text, str):
        return [RecordError(path, line, f"field 'text': expected a string, got {_type_name(text)}")]
    if not text.strip():
        return [RecordError(path, line, "empty report")]
    report_id = fields.get("id")
    if report_id is None or report_id == "":
        report_id = default_id
    elif isinstance(report_id, int) and not isinstance(report_id, bool):
        report_id = str(report_id)
    elif not isinstance(report_id, str):
        return [
            RecordError(path, line, f"field 'id': expected a string, got {_type_name(report_id)}")
        ]
    out: list[Report | RecordError] = []
    kept: dict[str, str | None] = {}
    for name in _OPTIONAL_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            out.append(
                RecordWarning(
                    path,
                    line,
                    f"field {name!r}: expected a string, got "
                    f"{_type_name(value)}; report kept without it",
                )
            )
            value = None
        if name == "published" and value is not None and value.strip():
            parsed = _published(value)
            if parsed is None:
                out.append(
                    RecordWarning(
                        path,
                        line,
                        f"field 'published': expected a date "
                        f"YYYY-MM-DD, got {value!r}; report kept without a date",
                    )
                )
            value = parsed
        kept[name] = value if value else None
    origin = path if line is None else f"{path}:{line}"
    out.insert(0, Report(id=report_id, text=text, origin=origin, **kept))
    return out


# --- formats ----------------------------------------------------------------------------------


def _parse_jsonl(text: str, path: str, stem: str) -> Iterator[Report | RecordError]:
    # split on "\n" only: str.splitlines() would also split at U+2028 inside JSON strings
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield from _jsonl_record(line.rstrip("\r"), path, stem, number)


def _jsonl_record(line: str, path: str, stem: str, number: int) -> list[Report | RecordError]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        return [RecordError(path, number, f"not valid JSON: {err.msg} (column {err.colno})")]
    if not isinstance(value, dict):
        kind = _JSON_TYPES.get(type(value), type(value).__name__)
        return [RecordError(path, number, f"line is {kind}, expected an object")]
    return _make_report(value, path, number, f"{stem}:{number}")


def _parse_txt(text: str, path: str, stem: str) -> Iterator[Report | RecordError]:
    fields: dict[str, Any] = {}
    head, sep, rest = text.partition("\n\n") if "\r\n" not in text else text.partition("\r\n\r\n")
    if sep:
        pairs = [line.partition(":") for line in head.splitlines()]
        keys = [key.strip().lower() for key, colon, _ in pairs if colon]
        if pairs and len(keys) == len(pairs) and all(k in _FRONT_MATTER_KEYS for k in keys):
            fields = {key.strip().lower(): value.strip() for key, _, value in pairs}
            text = rest
    fields["text"] = text
    yield from _make_report(fields, path, None, stem)


def _parse_csv(text: str, path: str, stem: str) -> Iterator[Report | RecordError]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise _FileError("CSV has no header row")
        names = [name.strip().lower() for name in header]
        if "text" not in names:
            raise _FileError(f"CSV has no 'text' column (columns: {', '.join(header)})", 1)
        wanted = {
            name: names.index(name) for name in ("id", "text", *_OPTIONAL_FIELDS) if name in names
        }
        start = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                fields = {name: (row[i] if i < len(row) else None) for name, i in wanted.items()}
                fields = {k: (v if v != "" or k == "text" else None) for k, v in fields.items()}
                yield from _make_report(fields, path, start, f"{stem}:{start}")
            start = reader.line_num + 1
    except csv.Error as err:
        raise _FileError(f"not valid CSV: {err}", reader.line_num) from err


class _ArticleText(HTMLParser):
    """Collects the visible text of a page, the ``<article>`` part separately."""

    SKIP = frozenset(
        {
            "script",
            "style",
            "nav",
            "header",
            "footer",
            "aside",
            "noscript",
            "template",
            "head",
            "title",
            "svg",
            "form",
            "button",
            "select",
        }
    )
    BLOCK = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "section",
            "article",
            "tr",
            "table",
            "figure",
            "figcaption",
            "pre",
            "hr",
            "dd",
            "dt",
            "main",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.article = 0
        self.page: list[str] = []
        self.in_article: list[str] = []
        self.published: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            meta = dict(attrs)
            if (meta.get("property") or meta.get("name")) == "article:published_time":
                self.published = meta.get("content")
        elif tag in self.SKIP:
            self.skip += 1
        elif tag == "article":
            self.article += 1
        if tag in self.BLOCK:
            self._add("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "article":
            self.article = max(0, self.article - 1)
        if tag in self.BLOCK:
            self._add("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._add(re.sub(r"\s+", " ", data))

    def _add(self, piece: str) -> None:
        self.page.append(piece)
        if self.article:
            self.in_article.append(piece)

    def text(self) -> str:
        pieces = self.in_article if "".join(self.in_article).strip() else self.page
        paragraphs = ("".join(pieces)).split("\n\n")
        return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _parse_html(text: str, path: str, stem: str) -> Iterator[Report | RecordError]:
    parser = _ArticleText()
    parser.feed(text)
    parser.close()
    fields: dict[str, Any] = {"text": parser.text()}
    if parser.published:
        fields["published"] = parser.published
    yield from _make_report(fields, path, None, stem)
