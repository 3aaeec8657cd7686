from __future__ import annotations

import pandas as pd
import pytest
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from mapper.gazetteer import Gazetteer
from mapper.geocoder import GazetteerGeocoder
from mapper.models import Place, PlaceKind


@pytest.fixture(scope="module")
def coder() -> GazetteerGeocoder:
    return GazetteerGeocoder()


@pytest.mark.parametrize(
    ("query", "place_id"),
    [
        ("هجين", "hajin"),
        ("الباغوز", "al-baghuz-fawqani"),
        ("السوسة", "al-susah"),
        ("البوليل", "al-bulayl"),
        ("موحسن", "muhasan"),
        ("البوكمال", "abu-kamal"),
        ("ديرالزور", "deir-ez-zor"),
        ("بهجين", "hajin"),
    ],
)
def test_design_names_resolve(coder: GazetteerGeocoder, query: str, place_id: str) -> None:
    loc = coder.geocode(query)
    assert isinstance(loc, Location)
    assert loc.raw["place_id"] == place_id
    assert -90 <= loc.latitude <= 90


def test_a_place_without_a_point_is_placed_at_its_parent(coder: GazetteerGeocoder) -> None:
    loc = coder.geocode("البوليل")
    assert loc.raw["located_at"] != "al-bulayl"
    assert loc.raw["lat"] is None


def test_misses_lists_and_reverse(coder: GazetteerGeocoder) -> None:
    assert isinstance(coder, Geocoder)
    assert coder.geocode("لا مكان بهذا الاسم") is None
    many = coder.geocode("الصالحية", exactly_one=False)
    assert isinstance(many, list) and len(many) >= 2
    assert coder.geocode("الصالحية", exactly_one=False, limit=1)[0].raw["place_id"]
    near = coder.reverse((34.69, 40.83))
    assert near.raw["place_id"] == "hajin"
    assert coder.reverse("34.69, 40.83").raw["place_id"] == "hajin"


def test_works_through_rate_limiter(coder: GazetteerGeocoder) -> None:
    limited = RateLimiter(coder.geocode, min_delay_seconds=0)
    assert limited("هجين").raw["place_id"] == "hajin"


def test_geopandas_tools_geocode_instantiates_the_class() -> None:
    import geopandas

    gdf = geopandas.tools.geocode(pd.Series(["هجين", "الباغوز"]), provider=GazetteerGeocoder)
    assert gdf.crs == "EPSG:4326"
    assert gdf.geometry.x.round(3).tolist() == [40.831, 40.951]
    assert gdf.geometry.y.round(3).tolist() == [34.689, 34.459]


def test_a_custom_gazetteer_is_passed_as_a_keyword() -> None:
    import geopandas

    small = Gazetteer([Place("here", "هنا", "Here", PlaceKind.TOWN, lat=35.0, lon=40.0)])
    gdf = geopandas.tools.geocode(pd.Series(["هنا"]), provider=GazetteerGeocoder, gazetteer=small)
    assert (gdf.geometry.x[0], gdf.geometry.y[0]) == (40.0, 35.0)
    with pytest.raises(TypeError):
        GazetteerGeocoder(gazetteer="not a gazetteer")  # type: ignore[arg-type]
