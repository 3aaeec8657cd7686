"""Incidents for the map: loaded and checked, as rows (small maps) or compact columns (large).

The rows of a big map go into the page once, column by column: coordinates, small integer
columns, and string columns as indices into one string table (each distinct string written
once; 0 is the empty string).  Columns are built with pandas (``factorize``) rather than one
dict per row, so a million incidents take seconds; the browser (``mapper-map.js``) builds a
popup from a row index only when it is opened.  The block is a ``<script type=
"application/json">`` added to the page body as-is: folium re-parses each rendered script as a
Jinja2 template, which costs seconds at this size, so the data never goes through it.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np

from mapper.errors import InputError
from mapper.popups import claim_items, int_value, script_json, split_evidence, text_value, web_url

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "INLINE_MIN_ROWS",
    "add_data_block",
    "columns",
    "dict_rows",
    "load_incidents",
    "located",
    "type_counts",
]

INLINE_MIN_ROWS = 20_000


def located(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of the rows with a finite point, and their lat and lon."""
    geometry = gdf.geometry
    valid = (~(geometry.isna() | geometry.is_empty)).to_numpy()
    if not valid.any():
        empty = np.array([], dtype=float)
        return np.array([], dtype=int), empty, empty
    xs = geometry.x.where(valid).to_numpy(dtype=float)
    ys = geometry.y.where(valid).to_numpy(dtype=float)
    keep = np.flatnonzero(valid & np.isfinite(xs) & np.isfinite(ys))
    return keep, ys[keep], xs[keep]


def load_incidents(incidents: object) -> gpd.GeoDataFrame:
    """A GeoDataFrame in EPSG:4326 (a copy when reprojected; the input is never changed)."""
    import geopandas as gpd

    if isinstance(incidents, str | PathLike):
        path = Path(incidents)
        if not path.is_file():
            raise InputError("no such file", path=path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            import pandas as pd

            table = pd.read_csv(path, dtype={"event_date": str})
            for column in ("longitude", "latitude"):
                if column not in table:
                    raise InputError(
                        "CSV has no longitude/latitude columns", path=path, field=column
                    )
            points = gpd.points_from_xy(table["longitude"], table["latitude"])
            incidents = gpd.GeoDataFrame(table, geometry=points, crs="EPSG:4326")
        elif suffix == ".parquet":
            incidents = gpd.read_parquet(path)
        else:
            incidents = gpd.read_file(path)
    if not isinstance(incidents, gpd.GeoDataFrame):
        raise TypeError(
            f"incidents must be a GeoDataFrame or a path, not {type(incidents).__name__}"
        )
    if incidents.crs is None:
        raise InputError("incidents have no CRS; set one (EPSG:4326 for lon/lat)", field="geometry")
    return incidents if incidents.crs.to_epsg() == 4326 else incidents.to_crs(4326)


def dict_rows(gdf: gpd.GeoDataFrame, keep: Any, lat: Any, lon: Any) -> list[dict[str, Any]]:
    """Plain dict rows of the positions ``keep`` (lat/lon from the geometry); small maps only."""
    table = gdf.iloc[keep].drop(columns=gdf.geometry.name)
    columns = {c: table[c].astype(object).where(table[c].notna(), None).tolist() for c in table}
    rows = []
    for i in range(len(table)):
        row = {c: values[i] for c, values in columns.items()}
        row["_lat"], row["_lon"] = float(lat[i]), float(lon[i])
        rows.append(row)
    return rows


def type_counts(gdf: gpd.GeoDataFrame, keep: Any) -> dict[str, int]:
    """Incidents per event type name among the drawn rows (a missing type is "")."""
    if "event_type" not in gdf:
        return {"": len(keep)} if len(keep) else {}
    counts: dict[str, int] = {}
    values = gdf["event_type"].iloc[keep].astype(object)
    for value, n in values.where(values.notna(), "").value_counts(sort=False).items():
        counts[text_value(value)] = counts.get(text_value(value), 0) + int(n)
    return counts


class _Strings:
    """The shared string table; ``codes`` turns a column into indices (0 = "")."""

    def __init__(self) -> None:
        self.table: list[str] = [""]
        self._index: dict[str, int] = {"": 0}

    def code(self, text: str) -> int:
        index = self._index.get(text)
        if index is None:
            index = self._index[text] = len(self.table)
            self.table.append(text)
        return index

    def codes(self, values: pd.Series, convert: Any = text_value) -> list[Any]:
        """Indices into the table; in a big map, the strings themselves when most are distinct
        (evidence, URLs), where a 7-digit index would only add bytes (and a small map keeps
        each string once).  ``mapper-map.js`` reads both."""
        import pandas as pd

        positions, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
        if len(values) >= INLINE_MIN_ROWS and len(uniques) > len(values) // 2:
            texts = np.array(["", *(convert(u) or "" for u in uniques)], dtype=object)
            return texts[positions + 1].tolist()
        lookup = np.array([0, *(self.code(convert(u) or "") for u in uniques)], dtype=np.int64)
        return lookup[positions + 1].tolist()


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    import pandas as pd

    if name in table:
        return table[name]
    return pd.Series([None] * len(table), index=table.index, dtype=object)


def _ints(values: pd.Series, default: int | None) -> list[int | None]:
    """An integer column (``int_value`` per value; numeric columns in one numpy step)."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    if is_numeric_dtype(values.dtype) and not is_bool_dtype(values.dtype):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        if np.isfinite(numbers[~np.isnan(numbers)]).all():
            out = np.trunc(numbers).astype(object)
            out[np.isnan(numbers)] = default
            return [v if v is default else int(v) for v in out.tolist()]
    return [default if (n := int_value(v)) is None else n for v in values.tolist()]


def columns(
    gdf: gpd.GeoDataFrame, keep: np.ndarray, lat: np.ndarray, lon: np.ndarray,
    type_index: dict[str, int],
) -> dict[str, Any]:  # fmt: skip
    """The arrays ``mapper-map.js`` reads (``rowToPopup``) for the rows at positions ``keep``."""
    import pandas as pd

    table = gdf.iloc[keep].drop(columns=gdf.geometry.name)
    s = _Strings()
    types = _column(table, "event_type").astype(object)
    positions, uniques = _factorize(types)
    type_codes = np.array([type_index[text_value(u)] for u in uniques] or [0])[positions]
    evidence = [
        split_evidence(text_value(e), int_value(a), int_value(b), int_value(c))
        for e, a, b, c in zip(
            _column(table, "evidence").tolist(), _column(table, "evidence_start").tolist(),
            _column(table, "mention_start").tolist(), _column(table, "mention_end").tolist(),
            strict=True,
        )
    ]  # fmt: skip
    parts = [s.codes(pd.Series([p[k] for p in evidence], dtype=object)) for k in range(3)]
    return {
        "n": len(table),
        "lat": np.round(lat, 6).tolist(),
        "lon": np.round(lon, 6).tolist(),
        "type": type_codes.tolist(),
        "date": s.codes(_column(table, "event_date")),
        "tp": _ints(_column(table, "time_precision"), 0),
        "sub": s.codes(_column(table, "sub_event_type")),
        "a1": s.codes(_column(table, "actor1")),
        "a2": s.codes(_column(table, "actor2")),
        "fat": _ints(_column(table, "fatalities"), None),
        "par": s.codes(_column(table, "location_ar")),
        "pen": s.codes(_column(table, "location")),
        "gp": _ints(_column(table, "geo_precision"), 0),
        "evb": parts[0],
        "evm": parts[1],
        "eva": parts[2],
        "src": s.codes(_column(table, "source")),
        "url": s.codes(_column(table, "url"), web_url),
        "claims": _claims(_column(table, "claims"), s),
        "strings": s.table,
    }


def _factorize(values: pd.Series) -> tuple[np.ndarray, list[Any]]:
    import pandas as pd

    positions, uniques = pd.factorize(values.fillna(""), use_na_sentinel=True)
    return positions, list(uniques)


def _claims(values: pd.Series, s: _Strings) -> list[Any]:
    """Per row 0 (no claims) or ``[[party, denial, n], ...]`` with ``party`` a string index."""
    positions, uniques = _factorize(values.astype(object))
    parsed = [
        [[s.code(party), int(kind == "denial"), n] for party, kind, n in claim_items(raw)] or 0
        for raw in uniques
    ]
    return [parsed[i] for i in positions.tolist()] if parsed else [0] * len(values)


# compiled once; the text is already script-safe JSON (script_json), so no autoescape
_BLOCK = jinja2.Template('<script type="application/json" id="{{ this.block_id }}">'
                         "{{ this.text }}</script>")  # fmt: skip


def add_data_block(m: folium.Map, data: dict[str, Any]) -> str:
    """Put ``data`` in the page body as a JSON script block; returns its element id."""
    from branca.element import Element

    block = Element()
    block._name = "MapperData"
    block._template = _BLOCK
    block.block_id = f"mapper-data-{block._id}"
    block.text = script_json(data)
    m.get_root().html.add_child(block, name=block.block_id)
    return block.block_id
