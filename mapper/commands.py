"""The ``mapper`` subcommands: each ``cmd_*`` takes the parsed arguments and returns an exit status.

:mod:`mapper.cli` builds the parser and maps errors to exit codes; the commands here do the work
and print: data to stdout (or ``-o``), messages to stderr as ``error: FILE[:LINE]: message``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import InputError, MapperError
from .models import RecordError, Report, as_dict

__all__ = [
    "UsageError",
    "cmd_eval",
    "cmd_export",
    "cmd_extract",
    "cmd_gazetteer",
    "cmd_geocode",
    "cmd_map",
    "cmd_places",
    "cmd_run",
    "print_error",
    "print_warning",
]


class UsageError(Exception):
    """A command line that cannot work (exit status 2, with the usage line)."""


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


def print_error(message: object) -> None:
    print(f"error: {message}", file=sys.stderr)


def print_warning(message: object) -> None:
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
            print_warning(item)
        elif isinstance(item, RecordError):
            print_error(item)
            errors.append(item)
        else:
            yield item


def _pipeline(args: argparse.Namespace):
    from .gazetteer import Gazetteer
    from .pipeline import Pipeline

    extra = args.gazetteer_extra or ()
    return Pipeline(Gazetteer.default(extra), fallback=getattr(args, "fallback", None))


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
        raise UsageError(f"--format {fmt} needs -o FILE")
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
        raise UsageError("--geocoder needs --engine local (one rate limit, one cache)")
    if args.engine == "dask":
        try:
            from .scale import run_dask
        except ImportError as err:
            print_error(err)
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
        raise UsageError("--scheduler needs --engine dask")
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
        print_warning(e)
    for e in summary.errors:
        print_error(e)
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
        print_error(failure)
    gdf = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    m = make_map(gdf, tiles=args.tiles, title=args.title, places=Gazetteer.default().frame)
    print(save_map(m, args.output, assets_dir=args.assets))
    return 1 if bad else 0


def cmd_export(args: argparse.Namespace) -> int:
    from .store import Store, export

    store = Store(args.store)
    bbox = tuple(float(v) for v in args.bbox.split(",")) if args.bbox else None
    if bbox is not None and len(bbox) != 4:
        raise UsageError("--bbox takes MINLON,MINLAT,MAXLON,MAXLAT")
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
            print_error(f"{query}: no place of that name")
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
            print_error(e)
        if args.verbose:
            for w in report.warnings:
                print_warning(w)
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
        raise UsageError(f"gazetteer {args.action} needs a store (or, for suggest, names)")
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
        raise UsageError("gazetteer suggest needs --geocoder (add --offline to use its cache only)")
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
