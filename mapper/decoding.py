"""Encoding detection for report files: byte-order mark, UTF-8, then checked Windows-1256.

Why this order: a byte-order mark is the writer's own statement; valid UTF-8 is almost never
an accident for Arabic text; Windows-1256 decodes *any* byte string, so it is accepted only
when the result looks like text (no control characters, and at least 90% of the non-ASCII
characters Arabic or common punctuation).  Anything else is an error, never a guess.
"""

from __future__ import annotations

import codecs

__all__ = ["NUL_MESSAGE", "decode_bytes", "decode_line", "salvage_records"]

_MIN_LETTERS = 8  # Arabic letters a Windows-1256 line needs: any real report has far more
NUL_MESSAGE = "contains NUL bytes (a binary file, or UTF-16 without a byte-order mark?)"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_bytes(data: bytes) -> str:
    """Decode a file's bytes by the module's rule (BOM, UTF-8, then checked Windows-1256).

    Raises ``ValueError`` with the user-facing message when no rule applies, or when the
    decoded text holds U+0000 (a binary file, or UTF-16 without a byte-order mark).
    """
    text = _decode(data)
    if text is None:
        raise ValueError("cannot decode as UTF-8, UTF-16 or Windows-1256")
    if "\x00" in text:
        raise ValueError(NUL_MESSAGE)
    return text


def decode_line(raw: bytes) -> str | None:
    """One line of a JSON Lines file: UTF-8, else Windows-1256 when the line looks like
    Arabic text, else ``None``.  Lines are decoded one by one so that a file streams and a
    stray byte costs one record, and so that a file whose lines were scraped in different
    encodings is still read."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1256", errors="replace")
    if "\ufffd" in text or sum("\u0621" <= c <= "\u064a" for c in text) < _MIN_LETTERS:
        return None  # a stray byte in an ASCII line is not a Windows-1256 report
    return text if _looks_like_arabic_text(text.rstrip("\r\n")) else None


def salvage_records(data: bytes) -> str | None:
    """UTF-8 with undecodable bytes kept as lone surrogates, for formats whose records are
    checked one by one; ``None`` for UTF-16 (BOM) data or text dense with NULs (UTF-16 without
    a BOM, or a binary file), which no record check can rescue."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8", "surrogateescape")
    if text.count("\x00") * 20 > len(text):
        return None
    return text


def _decode(data: bytes) -> str | None:
    for bom, codec in _BOMS:
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
