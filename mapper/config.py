"""Defaults for the command line from a TOML file.

The first of these that exists is read (only one):

1. ``mapper.toml`` in the current directory (top-level keys, or a ``[tool.mapper]`` table);
2. ``pyproject.toml`` in the current directory, if it has a ``[tool.mapper]`` table;
3. ``$XDG_CONFIG_HOME/mapper/config.toml`` (``~/.config/mapper/config.toml``).

Keys are the long options' names; an option given on the command line wins::

    gazetteer-extra = ["my-places.csv"]     # paths relative to the config file
    geocoder = "nominatim"
    user-agent = "my-project (me@example.org)"
    geocoder-cache = "cache/geocode.sqlite"
    geocoder-delay = 1.0
    [geocoder-options]                      # [tool.mapper.geocoder-options] in pyproject.toml
    domain = "nominatim.example.org"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["Config", "find_config", "load_config"]


@dataclass(frozen=True, slots=True)
class Config:
    """The values a config file sets (``None``/empty when it does not set them)."""

    path: Path | None = None
    gazetteer_extra: tuple[str, ...] = ()
    geocoder: str | None = None
    user_agent: str | None = None
    geocoder_option: tuple[str, ...] = ()  # KEY=VALUE, as --geocoder-option takes them
    geocoder_cache: str | None = None
    geocoder_delay: float | None = None


def find_config(cwd: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The config file in effect and its mapper table, or ``None``."""
    here = cwd or Path.cwd()
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    for path, always in (
        (here / "mapper.toml", True),
        (here / "pyproject.toml", False),
        (home / "mapper" / "config.toml", True),
    ):
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"{path}: cannot read config: {err}") from err
        table = data.get("tool", {}).get("mapper")
        if table is None and always:
            table = {k: v for k, v in data.items() if k != "tool"}
        if table is not None:
            return path, table
    return None


def load_config(cwd: Path | None = None) -> Config:
    """The :class:`Config` of the file :func:`find_config` finds (empty if none)."""
    found = find_config(cwd)
    if found is None:
        return Config()
    path, table = found

    def get(key: str, kind: type | tuple[type, ...]) -> Any:
        value = table.get(key)
        if value is not None and not isinstance(value, kind):
            raise ConfigError(f"{path}: {key!r} must be {_name(kind)}, got {value!r}")
        return value

    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    extra = get("gazetteer-extra", (list, str)) or []
    extra = [extra] if isinstance(extra, str) else extra
    if not all(isinstance(e, str) for e in extra):
        raise ConfigError(f"{path}: 'gazetteer-extra' must list file names, got {extra!r}")
    options = get("geocoder-options", dict) or {}
    cache = get("geocoder-cache", str)
    delay = get("geocoder-delay", (int, float))
    return Config(
        path=path,
        gazetteer_extra=tuple(str(path.parent / Path(e).expanduser()) for e in extra),
        geocoder=get("geocoder", str),
        user_agent=get("user-agent", str),
        geocoder_option=tuple(f"{k}={v}" for k, v in options.items()),
        geocoder_cache=None if cache is None else str(path.parent / Path(cache).expanduser()),
        geocoder_delay=None if delay is None else float(delay),
    )


_KEYS = {
    "gazetteer-extra",
    "geocoder",
    "user-agent",
    "geocoder-options",
    "geocoder-cache",
    "geocoder-delay",
}


def _name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(
        {"str": "text", "list": "a list", "dict": "a table"}.get(k.__name__, k.__name__)
        for k in kinds
    )
