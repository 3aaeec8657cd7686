"""Records <-> GeoDataFrame: the one place a shapely ``Point`` is built.

``to_frame`` turns :class:`~mapper.models.Incident` records into a GeoDataFrame with a fixed
column order (:data:`COLUMNS`), stable dtypes (nullable ``Int64`` where a value may be missing,
``object`` for strings) and ``crs="EPSG:4326"``; ``from_frame`` turns it back into equal records.
``read_incidents`` reads the files :mod:`mapper.store` writes.  Frame functions never mutate
their input and keep its index and CRS.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from mapper.errors import InputError, StoreError
from mapper.models import Claim, ClaimKind, Incident, Mention

__all__ = [
    "COLUMNS",
    "CRS",
    "MENTION_COLUMNS",
    "claims_json",
    "conform",
    "event_id",
    "from_frame",
    "incident_row",
    "is_missing",
    "mention_rows",
    "mentions_frame",
    "read_incidents",
    "to_frame",
]

CRS = "EPSG:4326"
INT_COLUMNS = ("geo_precision", "evidence_start", "evidence_end")
NULLABLE_INT_COLUMNS = ("time_precision", "fatalities", "mention_start", "mention_end")
FLOAT_COLUMNS = ("latitude", "longitude")
OPTIONAL_TEXT_COLUMNS = ("event_date", "sub_event_type", "actor1", "actor2", "source", "url")
COLUMNS = (
    "event_id", "incident_id", "source_id", "event_date", "time_precision", "event_type",
    "sub_event_type", "actor1", "actor2", "location", "location_ar", "place_id", "admin1",
    "admin2", "admin3", "latitude", "longitude", "geo_precision", "fatalities", "claims",
    "evidence", "evidence_start", "evidence_end", "mention_start", "mention_end", "notes",
    "source", "url",
)  # fmt: skip
MENTION_COLUMNS = ("report_id", "start", "end", "surface", "place_id", "confidence")
_INCIDENT_FIELDS = tuple(name for name in COLUMNS if name != "event_id")


def event_id(incident: Incident) -> str:
    """The cross-report merge key: the same (place, type, date) from any outlet shares it.

    Without an ``event_date`` nothing can be merged safely, so the key is the incident's own id.
    """
    if not incident.event_date:
        return incident.incident_id
    key = "\x1f".join((incident.place_id, str(incident.event_type), incident.event_date))
    return "ev-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def claims_json(claims: Iterable[Claim]) -> str:
    """Claims as JSON text (a list of objects, Arabic kept readable)."""
    rows = [
        {"party": c.party, "kind": str(c.kind), "fatalities": c.fatalities,
         "evidence_start": c.evidence_start, "evidence_end": c.evidence_end}
        for c in claims
    ]  # fmt: skip
    return json.dumps(rows, ensure_ascii=False)


def incident_row(incident: Incident) -> tuple[Any, ...]:
    """One incident's values in :data:`COLUMNS` order as plain Python values (``None`` when
    missing): the row :func:`to_frame` and the store's writer share."""
    if not isinstance(incident, Incident):
        raise TypeError(f"expected Incident, got {type(incident).__name__}")
    row = {name: getattr(incident, name) for name in _INCIDENT_FIELDS}
    row["event_type"] = str(incident.event_type)
    row["claims"] = claims_json(incident.claims)
    row["event_id"] = event_id(incident)
    return tuple(row[name] for name in COLUMNS)


def to_frame(incidents: Iterable[Incident]) -> gpd.GeoDataFrame:
    """Incidents as a GeoDataFrame in :data:`COLUMNS` order, geometry ``Point(lon, lat)``."""
    rows = [incident_row(incident) for incident in incidents]
    lat, lon = COLUMNS.index("latitude"), COLUMNS.index("longitude")
    points = [
        None if row[lat] is None or row[lon] is None else Point(row[lon], row[lat]) for row in rows
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return gpd.GeoDataFrame(conform(frame), geometry=gpd.GeoSeries(points, crs=CRS), crs=CRS)


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with the incident columns cast to their stable dtypes.

    Missing values become ``None`` in string columns, ``<NA>`` in nullable int columns and
    ``NaN`` in float columns; other columns are left alone.
    """
    out = frame.copy()
    for name in out.columns:
        if name in INT_COLUMNS:
            out[name] = out[name].astype("int64")
        elif name in NULLABLE_INT_COLUMNS:
            out[name] = _nullable_ints(out[name])
        elif name in FLOAT_COLUMNS:
            out[name] = out[name].astype("float64")
        elif name in COLUMNS:
            if pd.api.types.is_datetime64_any_dtype(out[name]):  # GDAL's date detection
                out[name] = out[name].dt.strftime("%Y-%m-%d")
            out[name] = _texts(out[name])
    return out


def _nullable_ints(column: pd.Series) -> pd.Series:
    """``column`` as ``Int64``: whole numbers cast at once, anything else value by value."""
    if pd.api.types.is_integer_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        return column.astype("Int64")
    if pd.api.types.is_float_dtype(column.dtype):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        if np.all(np.isnan(values) | (values == np.trunc(values))):
            return column.astype("Int64")
    ints = [None if is_missing(v) else int(v) for v in column]
    return pd.Series(pd.array(ints, dtype="Int64"), index=column.index)


def _texts(column: pd.Series) -> pd.Series:
    """``column`` as ``object`` strings with ``None`` for missing: a column of strings is
    taken as is (one C-level type check), anything else is converted value by value."""
    values = column.to_numpy(dtype=object, na_value=None)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = np.array([_text(v) for v in values], dtype=object)
    return pd.Series(values, index=column.index, dtype=object)


def _text(value: Any) -> str | None:
    if isinstance(value, list | dict):  # claims parsed by a JSON-aware reader (GDAL GeoJSON)
        return json.dumps(value, ensure_ascii=False)
    return None if is_missing(value) else str(value)


def is_missing(value: Any) -> bool:
    """None, NaN and pandas' NA/NaT (a nullable column read back from a store holds those);
    a string, even an empty one, is a value."""
    if value is None or isinstance(value, str | bytes | list | tuple | dict):
        return value is None
    return bool(pd.isna(value))


def from_frame(gdf: pd.DataFrame) -> list[Incident]:
    """The incidents of a frame made by :func:`to_frame` (or read back from a file)."""
    missing = [name for name in ("incident_id", "source_id", "event_type") if name not in gdf]
    if missing:
        raise ValueError(f"not an incident frame: missing columns {', '.join(missing)}")
    records = []
    for row in gdf.to_dict("records"):
        values = {name: _plain(row.get(name)) for name in _INCIDENT_FIELDS}
        values["claims"] = _parse_claims(values["claims"])
        for name in ("admin1", "admin2", "admin3", "notes", "location", "location_ar", "evidence"):
            values[name] = values[name] or ""
        records.append(Incident(**values))
    return records


def _plain(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _parse_claims(text: str | None) -> tuple[Claim, ...]:
    if not text:
        return ()
    return tuple(
        Claim(party=c["party"], kind=ClaimKind(c["kind"]), fatalities=c["fatalities"],
              evidence_start=c["evidence_start"], evidence_end=c["evidence_end"])
        for c in json.loads(text)
    )  # fmt: skip


def mention_rows(mentions: Mapping[str, Iterable[Mention]]) -> list[tuple[Any, ...]]:
    """Mentions by report id as rows in :data:`MENTION_COLUMNS` order."""
    return [
        (report_id, int(m.start), int(m.end), m.surface, m.place_id, float(m.confidence))
        for report_id, found in mentions.items()
        for m in found
    ]


def mentions_frame(mentions: Mapping[str, Iterable[Mention]]) -> pd.DataFrame:
    """Mentions by report id as a plain DataFrame in :data:`MENTION_COLUMNS` order."""
    frame = pd.DataFrame(mention_rows(mentions), columns=list(MENTION_COLUMNS))
    return frame.astype({"start": "int64", "end": "int64", "confidence": "float64"})


# --- reading incident files -------------------------------------------------------------------


def read_incidents(
    path: str | os.PathLike[str], *, errors: list[InputError] | None = None
) -> gpd.GeoDataFrame:
    """Read incidents from GeoJSON, GeoPackage, CSV, GeoParquet or JSON Lines.

    CSV and JSON Lines carry ``latitude``/``longitude`` and are WGS84 by definition; other
    formats must declare a CRS (a missing one is a ``StoreError``, never a guess) and are
    reprojected to EPSG:4326.  Coordinates out of range raise ``InputError`` naming the row;
    with an ``errors`` list, such rows are left out and their errors appended to it instead, so
    every good row is still drawn.
    """
    path = Path(path)
    if not path.exists():
        raise StoreError("no such file or directory", path=path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".jsonl", ".ndjson"):
        table = _read_table(path, suffix)
        gdf = _with_points(table, path)
    elif suffix in (".geojson", ".json", ".gpkg", ".parquet", ".geoparquet"):
        gdf = _read_geo(path, suffix)
    else:
        raise StoreError(f"unsupported incident file type {suffix or '(none)'!r}", path=path)
    bad = _out_of_range(gdf, path)
    if bad and errors is None:
        raise bad[0][1]
    if bad and errors is not None:
        errors.extend(err for _, err in bad)
        gdf = gdf.drop(index=[label for label, _ in bad])
    return gdf


def _read_table(path: Path, suffix: str) -> pd.DataFrame:
    if suffix == ".csv":
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for name in table.columns:  # CSV has no null: "" is None where None is allowed
            if name in (*INT_COLUMNS, *NULLABLE_INT_COLUMNS, *FLOAT_COLUMNS):
                table[name] = pd.to_numeric(table[name].replace({"": None}))
            elif name in OPTIONAL_TEXT_COLUMNS:
                table[name] = table[name].replace({"": None})
        return table
    rows = []
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise InputError(f"not valid JSON: {err.msg}", path=path, line=number) from err
    for row in rows:
        if isinstance(row.get("claims"), list):
            row["claims"] = json.dumps(row["claims"], ensure_ascii=False)
    return pd.DataFrame(rows)


def _with_points(table: pd.DataFrame, path: Path) -> gpd.GeoDataFrame:
    for name in FLOAT_COLUMNS:
        if name not in table:
            raise InputError(f"missing column {name!r}", path=path)
    lat = pd.to_numeric(table["latitude"])
    lon = pd.to_numeric(table["longitude"])
    points = [
        None if (math.isnan(y) or math.isnan(x)) else Point(x, y)
        for y, x in zip(lat.astype(float), lon.astype(float), strict=True)
    ]
    return gpd.GeoDataFrame(
        conform(table), geometry=gpd.GeoSeries(points, index=table.index, crs=CRS), crs=CRS
    )


def _read_geo(path: Path, suffix: str) -> gpd.GeoDataFrame:
    try:
        if suffix in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
        else:
            layer = "incidents" if suffix == ".gpkg" and _has_layer(path, "incidents") else None
            gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (OSError, ValueError) as err:
        raise StoreError(f"cannot read incidents: {err}", path=path) from err
    if gdf.crs is None:
        raise StoreError("no CRS declared (expected EPSG:4326; mapper never guesses)", path=path)
    if not gdf.crs.equals(CRS):
        gdf = gdf.to_crs(CRS)
        present = ~(gdf.geometry.isna() | gdf.geometry.is_empty)
        gdf.loc[present, "longitude"] = gdf.geometry[present].x
        gdf.loc[present, "latitude"] = gdf.geometry[present].y
    return gpd.GeoDataFrame(conform(gdf), geometry=gdf.geometry.name, crs=CRS)


def _has_layer(path: Path, name: str) -> bool:
    import pyogrio

    return name in {str(layer) for layer in pyogrio.list_layers(path)[:, 0]}


def _out_of_range(gdf: gpd.GeoDataFrame, path: Path) -> list[tuple[Any, InputError]]:
    """``(index label, error)`` of each row whose point lies outside lat ±90, lon ±180 or is
    not finite."""
    present = ~(gdf.geometry.isna() | gdf.geometry.is_empty)
    xs = gdf.geometry[present].x
    ys = gdf.geometry[present].y
    outside = ~((xs.abs() <= 180) & (ys.abs() <= 90))  # NaN compares false: outside too
    found = []
    for label in present[present].index[outside.to_numpy()]:
        row = gdf.index.get_loc(label) + 1
        where = f"{ys[label]}, {xs[label]}"
        message = f"row {row}: coordinates out of range (lat, lon = {where})"
        found.append((label, InputError(message, path=path)))
    return found
