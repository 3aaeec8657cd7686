"""The ``mapper`` command: ``run | places | extract | map | export | geocode | gazetteer | eval``.

Data goes to stdout (or ``-o``), messages to stderr as ``error: FILE[:LINE]: message``.
Exit codes: 0 ok; 1 something failed (every bad file or record is listed, every good one is
still processed); 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import InputError, MapperError
from .models import RecordError, Report, as_dict

__all__ = ["main"]

_MENTION_KEYS = (
    "start",
    "end",
    "surface",
    "place_id",
    "name",
    "name_ar",
    "kind",
    "lat",
    "lon",
    "confidence",
)


class _Failed(Exception):
    """Raised inside a command to end it with exit status 1 after printing its errors."""


def _err(message: object) -> None:
    print(f"error: {message}", file=sys.stderr)


def _warn(message: object) -> None:
    print(f"warning: {message}", file=sys.stderr)


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    if path in (None, "-"):
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8") as handle:
        yield handle


def _reports(inputs: Sequence[str], errors: list[RecordError]) -> Iterator[Report]:
    from .readers import RecordWarning, read_reports

    for item in read_reports(inputs or ["-"], stdin=sys.stdin.buffer):
        if isinstance(item, RecordWarning):
            _warn(item)
        elif isinstance(item, RecordError):
            _err(item)
            errors.append(item)
        else:
            yield item


def _pipeline(args: argparse.Namespace):
    from .gazetteer import Gazetteer
    from .pipeline import Pipeline

    extra = args.gazetteer_extra or ()
    return Pipeline(Gazetteer.default(extra), fallback=getattr(args, "fallback", None))


# --- commands -------------------------------------------------------------------------------


def cmd_places(args: argparse.Namespace) -> int:
    errors: list[RecordError] = []
    pipe = _pipeline(args)
    with _output(args.output) as out:
        for report in _reports(args.inputs, errors):
            mentions = []
            for m in pipe.find_places(report.text):
                row = {k: getattr(m, k) for k in _MENTION_KEYS}
                row["place_id"] = m.place_id or None
                if args.geocoder:
                    row["place_source"] = m.place_source or ("gazetteer" if m.place_id else None)
                if args.debug:
                    row["reason"] = m.reason
                    row["prefix"] = m.prefix
                mentions.append(row)
            out.write(json.dumps({"id": report.id, "mentions": mentions}, ensure_ascii=False))
            out.write("\n")
    return 1 if errors else 0


def cmd_extract(args: argparse.Namespace) -> int:
    errors: list[RecordError] = []
    pipe = _pipeline(args)
    fmt = args.format or _format_of(args.output)
    if fmt == "jsonl":
        with _output(args.output) as out:
            for report in _reports(args.inputs, errors):  # JSON Lines stream line by line
                for incident in pipe.process(report).incidents:
                    out.write(json.dumps(as_dict(incident), ensure_ascii=False) + "\n")
        return 1 if errors else 0
    if args.output in (None, "-"):
        raise _Usage(f"--format {fmt} needs -o FILE")
    from .frame import to_frame
    from .store import export

    incidents = [i for r in _reports(args.inputs, errors) for i in pipe.process(r).incidents]
    export(to_frame(incidents), args.output, fmt=fmt, excel=args.excel)
    return 1 if errors else 0


def _format_of(path: str | None) -> str:
    if path in (None, "-"):
        return "jsonl"
    suffix = Path(path).suffix.lower()
    return {
        ".geojson": "geojson",
        ".json": "geojson",
        ".csv": "csv",
        ".gpkg": "gpkg",
        ".parquet": "parquet",
        ".jsonl": "jsonl",
    }.get(suffix, "jsonl")


def cmd_run(args: argparse.Namespace) -> int:
    from .run import run

    progress = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        def progress(it):
            return tqdm(it, unit="report", file=sys.stderr)

    if args.engine == "dask" and args.fallback is not None:
        raise _Usage("--geocoder needs --engine local (one rate limit, one cache)")
    if args.engine == "dask":
        try:
            from .scale import run_dask
        except ImportError as err:
            _err(err)
            return 1
        summary = run_dask(
            args.inputs,
            args.out,
            scheduler=args.scheduler,
            workers=2 if args.workers is None else args.workers,
            gazetteer_extra=args.gazetteer_extra or (),
            make_html=not args.no_map,
        )
    elif args.scheduler is not None:
        raise _Usage("--scheduler needs --engine dask")
    else:
        summary = run(
            args.inputs,
            args.out,
            workers=1 if args.workers is None else args.workers,
            gazetteer_extra=args.gazetteer_extra or (),
            fallback=args.fallback,
            stdin=sys.stdin.buffer,
            make_html=not args.no_map,
            progress=progress,
        )
    for e in summary.warnings:
        _warn(e)
    for e in summary.errors:
        _err(e)
    if not args.quiet:
        print(f"reports read: {summary.reports_read}", file=sys.stderr)
        print(f"incidents: {summary.incidents}", file=sys.stderr)
        print(f"places: {len(summary.places)}", file=sys.stderr)
        top = ", ".join(f"{n} ({c})" for n, c in summary.unresolved.most_common(10))
        print(f"unresolved place names: {top or 'none'}", file=sys.stderr)
        print(f"errors: {len(summary.errors)}", file=sys.stderr)
        print(f"store: {summary.store}", file=sys.stderr)
    if summary.map is not None:
        print(summary.map)
    return 1 if summary.errors else 0


def cmd_map(args: argparse.Namespace) -> int:
    import pandas as pd

    from .frame import read_incidents
    from .gazetteer import Gazetteer
    from .maps import make_map, save_map

    bad: list[InputError] = []
    frames = [read_incidents(p, errors=bad) for p in args.inputs]
    for failure in bad:
        _err(failure)
    gdf = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    m = make_map(gdf, tiles=args.tiles, title=args.title, places=Gazetteer.default().frame)
    print(save_map(m, args.output, assets_dir=args.assets))
    return 1 if bad else 0


def cmd_export(args: argparse.Namespace) -> int:
    from .store import Store, export

    store = Store(args.store)
    bbox = tuple(float(v) for v in args.bbox.split(",")) if args.bbox else None
    if bbox is not None and len(bbox) != 4:
        raise _Usage("--bbox takes MINLON,MINLAT,MAXLON,MAXLAT")
    gdf = store.incidents(since=args.since, until=args.until, types=args.type, bbox=bbox)
    print(export(gdf, args.output, excel=args.excel))
    return 0


def cmd_geocode(args: argparse.Namespace) -> int:
    from .gazetteer import Gazetteer
    from .geocoder import GazetteerGeocoder

    coder = GazetteerGeocoder(Gazetteer.default(args.gazetteer_extra or ()))
    status, rows = 0, []
    for query in args.queries:
        places = coder.candidates(query)
        if not places:
            _err(f"{query}: no place of that name")
            status = 1
        for p in places[: args.limit]:
            located = coder.gazetteer.located(p.place_id)
            rows.append(
                {
                    "query": query,
                    "place_id": p.place_id,
                    "name_ar": p.name_ar,
                    "name": p.name_en,
                    "kind": p.kind.value,
                    "lat": p.lat,
                    "lon": p.lon,
                    "located_at": located[0].place_id if located else None,
                }
            )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            where = ("-", "-") if r["lat"] is None else (f"{r['lat']:.5f}", f"{r['lon']:.5f}")
            print(
                "\t".join([r["query"], r["name_ar"], r["name"], r["kind"], *where, r["place_id"]])
            )
    return status


def cmd_gazetteer(args: argparse.Namespace) -> int:
    from .gazetteer import BUNDLED, Gazetteer, _data_dir
    from .gazetteer_check import check_files

    if args.action in ("unresolved", "suggest"):
        return _grow(args)
    if args.action == "check":
        files = args.files or [str(_data_dir() / n) for n in BUNDLED] + (args.gazetteer_extra or [])
        ambiguous = _ambiguous_names()
        report = check_files(files, ambiguous=ambiguous)
        for e in report.errors:
            _err(e)
        if args.verbose:
            for w in report.warnings:
                _warn(w)
        print(f"rows: {report.rows}")
        for kind, n, with_point in report.kinds:
            print(f"  {kind}: {n} rows, {with_point} with coordinates")
        print(f"settlements, quarters and landmarks with coordinates: {report.point_coverage:.1%}")
        print(f"errors: {len(report.errors)}, warnings: {len(report.warnings)}")
        return 1 if report.errors else 0
    from .store import export

    gdf = Gazetteer.default(args.gazetteer_extra or ()).frame.reset_index(drop=True)
    print(export(gdf, args.output))
    return 0


def _grow(args: argparse.Namespace) -> int:
    """``gazetteer unresolved STORE`` and ``gazetteer suggest STORE|NAMES``."""
    import csv

    from .store import Store
    from .suggest import candidate_rows, unresolved

    if not args.files:
        raise _Usage(f"gazetteer {args.action} needs a store (or, for suggest, names)")
    is_store = len(args.files) == 1 and args.files[0].endswith(".gpkg")
    if (args.action == "unresolved" or is_store) and not Path(args.files[0]).is_file():
        raise MapperError(f"{args.files[0]}: no such store")
    if args.action == "unresolved" or is_store:
        found = unresolved(Store(args.files[0]))
    if args.action == "unresolved":
        with _output(args.output) as out:
            out.write("count\treports\tname\tplaced_by\texample\n")
            for u in found:
                example = " | ".join(u.examples)
                out.write(f"{u.count}\t{u.reports}\t{u.name}\t{u.placed_by}\t{example}\n")
        return 0
    if args.fallback is None:
        raise _Usage("gazetteer suggest needs --geocoder (add --offline to use its cache only)")
    names = [u.name for u in found] if is_store else args.files
    rows = candidate_rows((n, args.fallback.candidates(n)) for n in names)
    from .gazetteer import COLUMNS

    with _output(args.output) as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0


def _ambiguous_names() -> list[str]:
    from .lexicons import read_table

    return [r["term"] for r in read_table("ambiguous_names.tsv")]


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import load_gold, score_incidents, score_places

    docs = load_gold(args.gold)
    pipe = _pipeline(args)
    if args.what == "places":
        scores = score_places(docs, pipe.find_places)
        lists = {
            "misses": scores.misses,
            "false positives": scores.false_positives,
            "wrong places": scores.wrong_places,
        }
    else:
        scores = score_incidents(docs, lambda r: pipe.process(r).incidents)
        lists = {"misses": scores.misses, "false positives": scores.false_positives}
    figures = scores.figures()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return 0
    for key, value in figures.items():
        print(f"{key}: {value}")
    for title, items in lists.items():
        print(f"\n{title} ({len(items)}):")
        for item in items:
            print(f"  {item}")
    return 0


# --- parser ---------------------------------------------------------------------------------


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(message)


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
            raise _Usage("--offline needs --geocoder (whose cached answers to use)")
        yield
        return
    from .geocache import CACHE_NAME, default_cache_path
    from .online import GeocoderWarning, OnlineFallback

    options = {}
    for item in args.geocoder_option or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise _Usage(f"--geocoder-option takes KEY=VALUE, got {item!r}")
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
        warnings.showwarning = lambda message, *_, **__: _warn(message)
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
    return parser


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
            raise _Usage("gazetteer export needs -o FILE")
        with _online(args):
            return int(args.func(args))
    except _Usage as usage:
        parser.print_usage(sys.stderr)
        _err(usage)
        return 2
    except MapperError as failure:
        _err(failure)
        return 1
    except BrokenPipeError:
        return 1
    except OSError as failure:  # an output file or folder the system refuses: no traceback
        where = f"{failure.filename}: " if failure.filename else ""
        _err(f"{where}{failure.strerror or failure}")
        return 1
    except KeyboardInterrupt:
        return 130


def _entry() -> Any:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
