"""The ``mapper`` command: ``run | places | extract | map | export | geocode | gazetteer | eval``.

Data goes to stdout (or ``-o``), messages to stderr as ``error: FILE[:LINE]: message``.
Exit codes: 0 ok; 1 something failed (every bad file or record is listed, every good one is
still processed); 2 usage.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .commands import (
    UsageError,
    cmd_eval,
    cmd_export,
    cmd_extract,
    cmd_gazetteer,
    cmd_geocode,
    cmd_map,
    cmd_places,
    cmd_run,
    print_error,
    print_warning,
)
from .errors import MapperError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--gazetteer-extra",
        action="append",
        metavar="CSV",
        help="a user gazetteer CSV (same columns) added to the bundled one",
    )


def _add_online(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "online geocoder (off by default; needs the [online] extra)",
        "names the gazetteer lacks are asked of a geopy service, restricted to Syria and Iraq, "
        "at most once each (answers, 'not found' too, are cached); e.g. --geocoder nominatim "
        "--user-agent 'my-project (me@example.org)'",
    )
    g.add_argument("--geocoder", metavar="SERVICE", help="nominatim, photon, geonames, ...")
    g.add_argument("--user-agent", help="your application's name (required by nominatim)")
    g.add_argument(
        "--geocoder-option",
        action="append",
        metavar="KEY=VALUE",
        help="geopy geocoder option, e.g. username=me, domain=host:port, scheme=http",
    )
    g.add_argument("--geocoder-cache", metavar="FILE", help="answer cache (SQLite)")
    g.add_argument(
        "--geocoder-delay", type=float, metavar="SECONDS", help="between requests (default 1)"
    )
    g.add_argument(
        "--geocoder-retries", type=int, default=2, metavar="N", help="after an error (default 2)"
    )
    g.add_argument("--offline", action="store_true", help="use cached answers only")


@contextmanager
def _online(args: argparse.Namespace) -> Iterator[None]:
    """Build ``args.fallback`` for the command, print its warnings and summary, close it."""
    args.fallback = None
    if args.command == "gazetteer" and args.action != "suggest":
        args.geocoder = args.offline = None  # check/export/unresolved ask nothing
    if not getattr(args, "geocoder", None):
        if getattr(args, "offline", False):
            raise UsageError("--offline needs --geocoder (whose cached answers to use)")
        yield
        return
    from .geocache import CACHE_NAME, default_cache_path
    from .online import GeocoderWarning, OnlineFallback

    options = {}
    for item in args.geocoder_option or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--geocoder-option takes KEY=VALUE, got {item!r}")
        options[key.strip()] = value
    near = Path(args.out) if args.command == "run" else None
    if args.command == "gazetteer" and args.files and args.files[0].endswith(".gpkg"):
        near = Path(args.files[0]).parent
    args.fallback = OnlineFallback(
        args.geocoder,
        cache=args.geocoder_cache or (near / CACHE_NAME if near else default_cache_path()),
        user_agent=args.user_agent,
        options=options,
        offline=args.offline,
        min_delay=1.0 if args.geocoder_delay is None else args.geocoder_delay,
        max_retries=args.geocoder_retries,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("always", GeocoderWarning)
        warnings.showwarning = lambda message, *_, **__: print_warning(message)
        try:
            yield
        finally:
            args.fallback.close()
            print(args.fallback.summary(), file=sys.stderr)


def _configure(args: argparse.Namespace) -> None:
    """Fill options the command line left unset from the config file (:mod:`mapper.config`)."""
    from .config import load_config

    config = load_config()
    for name in ("gazetteer_extra", "geocoder_option"):
        if getattr(args, name, False) is None:
            setattr(args, name, list(getattr(config, name)) or None)
    for name in ("geocoder", "user_agent", "geocoder_cache", "geocoder_delay"):
        if getattr(args, name, False) is None:
            setattr(args, name, getattr(config, name))


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="mapper",
        description="Arabic-first geospatial incident mapper.",
        epilog="example: mapper run examples/reports --out out",
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"mapper {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, helptext: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=helptext,
            description=helptext,
            epilog=f"example:\n  {example}",
            formatter_class=fmt,
        )
        _add_common(p)
        return p

    _add_report_commands(add)
    _add_output_commands(add)
    _add_lookup_commands(add)
    return parser


_Add = Callable[[str, str, str], argparse.ArgumentParser]


def _add_report_commands(add: _Add) -> None:
    """``run``, ``places``, ``extract``: the commands that read reports."""
    p = add(
        "run",
        "reports → GeoPackage store and offline HTML map",
        "mapper run examples/reports --out out --workers 2\n"
        "  mapper run reports/ --out out --engine dask --scheduler tcp://10.0.0.5:8786",
    )
    p.add_argument("inputs", nargs="+", help="files or folders, - is stdin")
    p.add_argument("--out", required=True, help="output folder (incidents.gpkg, map.html)")
    p.add_argument(
        "--workers", type=int, help="worker processes (default 1; 2 for a local Dask cluster)"
    )
    p.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="dask: partitioned GeoParquet (OUT/incidents.parquet) on a Dask cluster; "
        "needs pip install 'mapper[scale]'",
    )
    p.add_argument(
        "--scheduler", metavar="ADDRESS", help="an existing Dask scheduler (tcp://host:8786)"
    )
    p.add_argument(
        "--no-map", action="store_true", help="skip map.html (for corpora too large to draw)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    _add_online(p)
    p.set_defaults(func=cmd_run)

    p = add(
        "places",
        "place mentions of each report as JSON Lines",
        "mapper places reports.jsonl -o mentions.jsonl",
    )
    p.add_argument("inputs", nargs="*", help="files or folders; stdin (JSON Lines) if none")
    p.add_argument("-o", "--output", help="output file (default stdout)")
    p.add_argument("--debug", action="store_true", help="add each resolution's reason")
    _add_online(p)
    p.set_defaults(func=cmd_places)

    p = add(
        "extract",
        "ACLED-style incidents of each report",
        "mapper extract reports.jsonl -o incidents.geojson",
    )
    p.add_argument("inputs", nargs="*", help="files or folders; stdin (JSON Lines) if none")
    p.add_argument("-o", "--output", help="output file (default stdout, JSON Lines)")
    p.add_argument("--format", choices=["jsonl", "geojson", "csv", "gpkg", "parquet"])
    p.add_argument("--excel", action="store_true", help="CSV with a UTF-8 BOM for Excel")
    _add_online(p)
    p.set_defaults(func=cmd_extract)


def _add_output_commands(add: _Add) -> None:
    """``map`` and ``export``: the commands that read incidents."""
    p = add(
        "map",
        "draw incidents as an offline HTML map",
        "mapper map out/incidents.gpkg -o map.html --tiles osm",
    )
    p.add_argument("inputs", nargs="+", help="GeoJSON, GeoPackage, CSV, JSON Lines or GeoParquet")
    p.add_argument("-o", "--output", required=True, help="HTML file to write")
    p.add_argument("--tiles", choices=["osm", "satellite"], help="add web tiles (needs network)")
    p.add_argument("--title", help="title shown on the map")
    p.add_argument("--assets", help="write JS/CSS into this folder instead of inlining them")
    p.set_defaults(func=cmd_map)

    p = add(
        "export",
        "write a store's incidents to GeoJSON, CSV, GeoParquet or GeoPackage",
        "mapper export out/incidents.gpkg -o incidents.csv --since 2018-11-01",
    )
    p.add_argument("store", help="the incidents.gpkg of a run")
    p.add_argument("-o", "--output", required=True, help=".geojson .csv .parquet .gpkg .jsonl")
    p.add_argument("--since", help="first event_date, YYYY-MM-DD")
    p.add_argument("--until", help="last event_date, YYYY-MM-DD")
    p.add_argument("--type", action="append", help="event type (repeatable)")
    p.add_argument("--bbox", help="MINLON,MINLAT,MAXLON,MAXLAT")
    p.add_argument("--excel", action="store_true", help="CSV with a UTF-8 BOM for Excel")
    p.set_defaults(func=cmd_export)


def _add_lookup_commands(add: _Add) -> None:
    """``geocode``, ``gazetteer``, ``eval``: the gazetteer and the scorers."""
    p = add("geocode", "look place names up in the gazetteer", 'mapper geocode "الباغوز" بهجين')
    p.add_argument("queries", nargs="+", help="place names, Arabic or English")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, default=5, help="candidates per name (default 5)")
    p.set_defaults(func=cmd_geocode)

    p = add(
        "gazetteer",
        "check, export or grow the gazetteer",
        "mapper gazetteer check  |  mapper gazetteer export -o places.geojson\n"
        "  mapper gazetteer unresolved out/incidents.gpkg\n"
        "  mapper gazetteer suggest out/incidents.gpkg --geocoder nominatim --user-agent ME"
        " -o candidates.csv",
    )
    p.add_argument("action", choices=["check", "export", "unresolved", "suggest"])
    p.add_argument(
        "files",
        nargs="*",
        help="check: gazetteer CSVs (default: bundled + --gazetteer-extra); unresolved: a store;"
        " suggest: a store or place names",
    )
    p.add_argument("-o", "--output", help="export: .geojson .gpkg .csv .parquet; else a file")
    p.add_argument("-v", "--verbose", action="store_true", help="check: list warnings too")
    _add_online(p)
    p.set_defaults(func=cmd_gazetteer)

    p = add(
        "eval",
        "score places or incidents against gold annotations",
        "mapper eval places ../shared/corpus/dev.jsonl --json",
    )
    p.add_argument("what", choices=["places", "incidents"])
    p.add_argument("gold", help="gold JSON Lines (corpus format)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=cmd_eval)


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mapper`` command; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        _configure(args)
        if args.command == "gazetteer" and args.action == "export" and not args.output:
            raise UsageError("gazetteer export needs -o FILE")
        with _online(args):
            return int(args.func(args))
    except UsageError as usage:
        parser.print_usage(sys.stderr)
        print_error(usage)
        return 2
    except MapperError as failure:
        print_error(failure)
        return 1
    except BrokenPipeError:
        return 1
    except OSError as failure:  # an output file or folder the system refuses: no traceback
        where = f"{failure.filename}: " if failure.filename else ""
        print_error(f"{where}{failure.strerror or failure}")
        return 1
    except KeyboardInterrupt:
        return 130


def _entry() -> Any:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
