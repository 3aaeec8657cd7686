"""The gazetteer's CSV schema: one row per place, parsed into :class:`~mapper.models.Place`.

Every gazetteer file (the bundled ``places.csv`` and ``world.csv``, a user's extra file, the
rows ``mapper gazetteer suggest`` writes) has exactly the columns of :data:`COLUMNS`.  Reading
never stops at a bad row: each row is a ``Place`` or the ``GazetteerError`` naming its line and
field, so a checker can list every problem at once.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import GazetteerError
from .models import Place, PlaceKind

__all__ = ["COLUMNS", "read_places", "row_of"]

COLUMNS = (
    "place_id",
    "name_ar",
    "variants_ar",
    "name_en",
    "variants_en",
    "kind",
    "lat",
    "lon",
    "coord_source",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "bank",
    "pcode",
    "geonames_id",
    "population",
    "parent",
    "source",
    "note",
)


def _parse_row(row: dict[str, str], path: Path, line: int) -> Place:
    def err(field: str, message: str) -> GazetteerError:
        return GazetteerError(message, path=path.name, line=line, field=field)

    missing = [c for c in COLUMNS if row.get(c) is None]
    if missing:
        raise err(missing[0], "missing column")
    pid = row["place_id"].strip()
    if not pid:
        raise err("place_id", "empty")
    try:
        kind = PlaceKind(row["kind"].strip())
    except ValueError:
        raise err("kind", f"unknown kind {row['kind']!r}") from None

    def number(field: str, cast: Any) -> Any:
        raw = row[field].strip()
        if not raw:
            return None
        try:
            value = cast(raw)
        except ValueError:
            raise err(field, f"expected a number, got {raw!r}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise err(field, f"expected a finite number, got {raw!r}")
        return value

    lat, lon = number("lat", float), number("lon", float)
    if (lat is None) != (lon is None):
        raise err("lon" if lon is None else "lat", "lat and lon must both be given or both empty")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise err("lat", f"coordinate out of range: {lat}, {lon}")
    if lat is not None and not row["coord_source"].strip():
        raise err("coord_source", "a coordinate needs its source")
    if not row["name_ar"].strip() and not row["name_en"].strip():
        raise err("name_ar", "a place needs an Arabic or an English name")

    def split(field: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in row[field].split("|") if v.strip())

    return Place(
        place_id=pid,
        name_ar=row["name_ar"].strip(),
        name_en=row["name_en"].strip(),
        kind=kind,
        lat=lat,
        lon=lon,
        coord_source=row["coord_source"].strip(),
        variants_ar=split("variants_ar"),
        variants_en=split("variants_en"),
        country=row["country"].strip(),
        admin1=row["admin1"].strip(),
        admin2=row["admin2"].strip(),
        admin3=row["admin3"].strip(),
        bank=row["bank"].strip(),
        pcode=row["pcode"].strip(),
        geonames_id=number("geonames_id", int),
        population=number("population", int),
        parent=row["parent"].strip(),
        source=row["source"].strip(),
        note=row["note"].strip(),
    )


def read_places(path: Path) -> Iterator[tuple[int, Place | GazetteerError]]:
    """Rows of a gazetteer CSV as ``(line, Place or GazetteerError)``; never stops early."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as err:
        raise GazetteerError(f"cannot read: {err.strerror}", path=path) from err
    with handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header != COLUMNS:
            missing = [c for c in COLUMNS if c not in header]
            extra = [c for c in header if c not in COLUMNS]
            raise GazetteerError(
                f"header differs from the schema: missing {missing}, unexpected {extra}",
                path=path.name,
                line=1,
            )
        for row in reader:
            line = reader.line_num
            try:
                yield line, _parse_row(row, path, line)
            except GazetteerError as bad:
                yield line, bad


def row_of(place: Place) -> dict[str, Any]:
    return {
        **{c: getattr(place, c, "") for c in COLUMNS if hasattr(place, c)},
        "variants_ar": "|".join(place.variants_ar),
        "variants_en": "|".join(place.variants_en),
        "kind": place.kind.value,
        "population": place.population,
    }
