"""Records <-> GeoDataFrame: columns, dtypes, CRS, round trips through every file format."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point

from mapper.errors import InputError, StoreError
from mapper.frame import COLUMNS, event_id, from_frame, mentions_frame, read_incidents, to_frame
from mapper.models import Claim, ClaimKind, EventType, Incident, Mention
from mapper.store import export


def make_incident(n: int = 0, **changes: object) -> Incident:
    values: dict[str, object] = {
        "incident_id": f"doc{n}:0-12:hajin", "source_id": f"doc{n}",
        "event_type": EventType.EXPLOSIONS, "sub_event_type": "Shelling/artillery/missile attack",
        "location": "Hajin", "location_ar": "هجين", "place_id": "sy-hajin",
        "latitude": 34.6942, "longitude": 40.8318, "geo_precision": 1,
        "evidence_start": 0, "evidence_end": 12, "evidence": "قصفٌ على هجين",
        "event_date": "2024-03-05", "time_precision": 1, "actor1": "قوات النظام",
        "fatalities": 2, "admin1": "دير الزور",
        "claims": (Claim("المرصد", ClaimKind.CLAIM, 2, 14, 30),
                   Claim("قسد", ClaimKind.DENIAL, None, 31, 40)),
    }  # fmt: skip
    values.update(changes)
    return Incident(**values)  # type: ignore[arg-type]


INCIDENTS = [
    make_incident(0),
    make_incident(1, latitude=None, longitude=None, event_date=None, fatalities=None, claims=()),
    make_incident(2, event_type=EventType.PROTESTS, sub_event_type=None, time_precision=None),
]


def test_columns_dtypes_crs_and_points() -> None:
    gdf = to_frame(INCIDENTS)
    assert tuple(gdf.columns) == (*COLUMNS, "geometry")
    assert gdf.crs == "EPSG:4326"
    assert gdf.geometry[0] == Point(40.8318, 34.6942)
    assert gdf.geometry[1] is None
    assert str(gdf["fatalities"].dtype) == "Int64"
    assert str(gdf["time_precision"].dtype) == "Int64"
    assert gdf["event_type"][2] == "Protests"
    claims = json.loads(gdf["claims"][0])
    assert claims[1] == {"party": "قسد", "kind": "denial", "fatalities": None,
                         "evidence_start": 31, "evidence_end": 40}  # fmt: skip
    assert "المرصد" in gdf["claims"][0]  # ensure_ascii=False
    empty = to_frame([])
    assert tuple(empty.columns) == tuple(gdf.columns)
    assert empty.dtypes.equals(gdf.dtypes)


def test_round_trip_records() -> None:
    assert from_frame(to_frame(INCIDENTS)) == INCIDENTS


def test_event_id_merges_same_place_type_date_across_sources() -> None:
    a, b = make_incident(5), make_incident(6)
    assert a.incident_id != b.incident_id
    assert event_id(a) == event_id(b)
    assert event_id(make_incident(7, event_date="2024-03-06")) != event_id(a)
    assert event_id(INCIDENTS[1]) == INCIDENTS[1].incident_id  # no date: never merged


def test_to_frame_rejects_other_records() -> None:
    with pytest.raises(TypeError):
        to_frame([{"incident_id": "x"}])  # type: ignore[list-item]


@pytest.mark.parametrize("suffix", [".geojson", ".csv", ".parquet", ".gpkg", ".jsonl"])
def test_file_round_trip(tmp_path: Path, suffix: str) -> None:
    gdf = to_frame(INCIDENTS)
    path = export(gdf, tmp_path / f"incidents{suffix}")
    back = read_incidents(path)
    assert_geodataframe_equal(back, gdf)
    assert from_frame(back) == INCIDENTS


def test_frame_functions_keep_index_and_do_not_mutate(tmp_path: Path) -> None:
    gdf = to_frame(INCIDENTS).set_index(pd.Index([10, 20, 30]))
    before = gdf.copy()
    assert from_frame(gdf) == INCIDENTS
    export(gdf, tmp_path / "x.csv")
    assert_geodataframe_equal(gdf, before)


def test_missing_crs_is_an_error(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"incident_id": ["a"]}, geometry=[Point(40, 34)])
    path = tmp_path / "nocrs.parquet"
    gdf.to_parquet(path)
    with pytest.raises(StoreError, match="no CRS"):
        read_incidents(path)


def test_other_crs_is_reprojected(tmp_path: Path) -> None:
    gdf = to_frame(INCIDENTS[:1]).to_crs("EPSG:32637")
    path = tmp_path / "utm.gpkg"
    gdf.to_file(path, layer="incidents", engine="pyogrio")
    back = read_incidents(path)
    assert back.crs == "EPSG:4326"
    assert back.geometry[0].distance(Point(40.8318, 34.6942)) < 1e-9


def test_out_of_range_names_the_row(tmp_path: Path) -> None:
    gdf = to_frame([INCIDENTS[0], make_incident(9, latitude=134.0)])
    path = tmp_path / "bad.csv"
    pd.DataFrame(gdf.drop(columns="geometry")).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"row 2: coordinates out of range \(lat, lon = 134.0"):
        read_incidents(path)
    with pytest.raises(StoreError, match="no such file"):
        read_incidents(tmp_path / "missing.geojson")


def test_mentions_frame() -> None:
    m = Mention(4, 8, "بهجين", "sy-hajin", "Hajin", "هجين", "town", 34.69, 40.83, 0.9, "ب")
    frame = mentions_frame({"doc1": [m]})
    assert list(frame.columns) == ["report_id", "start", "end", "surface", "place_id", "confidence"]
    assert frame.iloc[0].tolist() == ["doc1", 4, 8, "بهجين", "sy-hajin", 0.9]
