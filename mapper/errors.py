"""The exception tree of mapper.

Every error a user can trigger is a :class:`MapperError`; the subclasses also derive from the
builtin a caller would expect (``ValueError`` for bad data, ``OSError`` for storage), so code that
does not know mapper still catches them.  Context (file, line, field, layer) lives in keyword-only
attributes and is part of the message, e.g. ``places.csv:17: field 'lat': expected a number, got
'3S.1'``.
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "ConfigError",
    "GazetteerError",
    "InputError",
    "MapperError",
    "RenderError",
    "StoreError",
]


def _where(path: str | PathLike[str] | None, line: int | None, field: str | None) -> str:
    parts = []
    if path is not None:
        parts.append(str(path) if line is None else f"{path}:{line}")
    elif line is not None:
        parts.append(f"line {line}")
    if field is not None:
        parts.append(f"field {field!r}")
    return ": ".join(parts)


class MapperError(Exception):
    """Base class of every error mapper raises on purpose."""


class ConfigError(MapperError, ValueError):
    """A bad option or configuration value."""


class _LocatedError(MapperError, ValueError):
    """An error about a place in a file: ``path``, ``line`` (1-based) and ``field``."""

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.field = field
        where = _where(path, line, field)
        super().__init__(f"{where}: {message}" if where else message)


class InputError(_LocatedError):
    """A report, record or file that cannot be read as input."""


class GazetteerError(_LocatedError):
    """A gazetteer row or file that breaks the gazetteer's rules."""


class StoreError(MapperError, OSError):
    """A store (GeoPackage, GeoJSON, CSV, GeoParquet) that cannot be read or written."""

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        layer: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.layer = layer
        where = self.path or ""
        if layer is not None:
            where = f"{where} (layer {layer!r})" if where else f"layer {layer!r}"
        super().__init__(f"{where}: {message}" if where else message)

    def __str__(self) -> str:  # OSError's own __str__ would show errno formatting
        return self.args[0]


class RenderError(MapperError):
    """A map that cannot be built or saved."""
