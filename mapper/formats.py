"""Per-format parsers of report files and the checks every record passes.

Each parser takes the decoded text of one file and yields :class:`~mapper.models.Report`
records and, in place of each bad record, a :class:`~mapper.models.RecordError` (a
:class:`RecordWarning` when the record was kept).  :mod:`mapper.readers` picks the parser by
extension; the format rules are documented there.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from mapper.models import RecordError, Report

__all__ = [
    "PARSERS",
    "FileError",
    "RecordWarning",
    "jsonl_record",
    "make_report",
    "parse_csv",
    "parse_html",
    "parse_jsonl",
    "parse_txt",
]

OPTIONAL_FIELDS = ("published", "url", "source")
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
# a report dated after tomorrow (UTC) is a scraper's or a clock's mistake, not news
_FUTURE_SLACK = timedelta(days=1)
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class RecordWarning(RecordError):
    """A problem in a record that was still used (e.g. a malformed ``published``)."""

    def __str__(self) -> str:
        return f"{RecordError.__str__(self)} (warning)"


class FileError(Exception):
    """A whole file cannot be read; carries the line when one is known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# --- fields -----------------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _published(value: str) -> tuple[str | None, str | None]:
    """``(YYYY-MM-DD, None)`` from a date or an ISO datetime (its own date, not converted to
    UTC), or ``(None, why)`` when the value is malformed or lies in the future."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
        else:
            day = datetime.fromisoformat(text).date()
    except ValueError:
        return None, f"expected a date YYYY-MM-DD, got {value!r}"
    if day > datetime.now(UTC).date() + _FUTURE_SLACK:
        return None, f"{value!r} is in the future"
    return day.isoformat(), None


def _optional(name: str, value: Any) -> tuple[str | None, str | None]:
    """An optional field's kept value and, when it was dropped, why."""
    if value is not None and not isinstance(value, str):
        return (
            None,
            f"field {name!r}: expected a string, got {_type_name(value)}; report kept without it",
        )
    if not value or not value.strip():
        return None, None
    if name != "published":
        return value, None
    parsed, why = _published(value)
    return parsed, None if why is None else f"field 'published': {why}; report kept without a date"


def _unwritable(value: str) -> str | None:
    """Why a field's text cannot be used: NUL bytes, or undecodable bytes (lone surrogates)."""
    if "\x00" in value:
        return "contains NUL bytes"
    if _SURROGATE.search(value):
        return "holds bytes that are not UTF-8 (or a lone surrogate escape)"
    return None


def make_report(
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
    for name, value in fields.items():
        unwritable = _unwritable(value) if isinstance(value, str) else None
        if unwritable is not None:
            return [RecordError(path, line, f"field {name!r}: {unwritable}")]
    report_id = fields.get("id")
    if report_id is None or report_id == "":
        report_id = default_id
    elif isinstance(report_id, int) and not isinstance(report_id, bool):
        report_id = str(report_id)
    elif not isinstance(report_id, str):
        return [
            RecordError(path, line, f"field 'id': expected a string, got {_type_name(report_id)}")
        ]
    kept: dict[str, str | None] = {}
    warnings: list[Report | RecordError] = []
    for name in OPTIONAL_FIELDS:
        kept[name], why = _optional(name, fields.get(name))
        if why is not None:
            warnings.append(RecordWarning(path, line, why))
    origin = path if line is None else f"{path}:{line}"
    return [Report(id=report_id, text=text, origin=origin, **kept), *warnings]


# --- formats ----------------------------------------------------------------------------------


def parse_jsonl(text: str, path: str, stem: str) -> Iterator[Report | RecordError]:
    # split on "\n" only: str.splitlines() would also split at U+2028 inside JSON strings
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield from jsonl_record(line.rstrip("\r"), path, stem, number)


def jsonl_record(line: str, path: str, stem: str, number: int) -> list[Report | RecordError]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        return [RecordError(path, number, f"not valid JSON: {err.msg} (column {err.colno})")]
    if not isinstance(value, dict):
        kind = _JSON_TYPES.get(type(value), type(value).__name__)
        return [RecordError(path, number, f"line is {kind}, expected an object")]
    return make_report(value, path, number, f"{stem}:{number}")


def parse_txt(text: str, path: str, stem: str) -> Iterator[Report | RecordError]:
    fields: dict[str, Any] = {}
    head, sep, rest = text.partition("\n\n") if "\r\n" not in text else text.partition("\r\n\r\n")
    if sep:
        pairs = [line.partition(":") for line in head.splitlines()]
        keys = [key.strip().lower() for key, colon, _ in pairs if colon]
        if pairs and len(keys) == len(pairs) and all(k in _FRONT_MATTER_KEYS for k in keys):
            fields = {key.strip().lower(): value.strip() for key, _, value in pairs}
            text = rest
    fields["text"] = text
    yield from make_report(fields, path, None, stem)


def parse_csv(text: str, path: str, stem: str) -> Iterator[Report | RecordError]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise FileError("CSV has no header row")
        names = [name.strip().lower() for name in header]
        if "text" not in names:
            raise FileError(f"CSV has no 'text' column (columns: {', '.join(header)})", 1)
        wanted = {
            name: names.index(name) for name in ("id", "text", *OPTIONAL_FIELDS) if name in names
        }
        start = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                fields = {name: (row[i] if i < len(row) else None) for name, i in wanted.items()}
                fields = {k: (v if v != "" or k == "text" else None) for k, v in fields.items()}
                yield from make_report(fields, path, start, f"{stem}:{start}")
            start = reader.line_num + 1
    except csv.Error as err:
        raise FileError(f"not valid CSV: {err}", reader.line_num) from err


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

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """``<![...`` in HTML is a bogus comment up to the next ``>`` (HTML5 parsing rules).

        The stdlib base class parses SGML marked sections instead and raises AssertionError on
        anything else (``<![ zz``: the reader fuzz target found 428 such pages in 100,000 runs).
        """
        del report
        end = self.rawdata.find(">", i + 3)
        return -1 if end < 0 else end + 1

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


def parse_html(text: str, path: str, stem: str) -> Iterator[Report | RecordError]:
    parser = _ArticleText()
    parser.feed(text)
    parser.close()
    fields: dict[str, Any] = {"text": parser.text()}
    if parser.published:
        fields["published"] = parser.published
    yield from make_report(fields, path, None, stem)


PARSERS = {
    ".jsonl": parse_jsonl,
    ".ndjson": parse_jsonl,
    ".txt": parse_txt,
    ".html": parse_html,
    ".htm": parse_html,
    ".csv": parse_csv,
}
