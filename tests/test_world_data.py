"""Checks of the generated world gazetteer (data/gazetteer/world.csv); no network, no build."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mapper.normalize import normalize_name

DATA = Path(__file__).resolve().parents[1] / "data" / "gazetteer"
COLUMNS = (
    "place_id,name_ar,variants_ar,name_en,variants_en,kind,lat,lon,coord_source,country,"
    "admin1,admin2,admin3,bank,pcode,geonames_id,population,parent,source,note"
).split(",")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with (DATA / "world.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def names(row: dict[str, str]) -> set[str]:
    found = {row["name_ar"], *row["variants_ar"].split("|")} - {""}
    return {normalize_name(n) for n in found}


def rows_named(rows: list[dict[str, str]], name: str, kind: str) -> list[dict[str, str]]:
    key = normalize_name(name)
    return [r for r in rows if r["kind"] == kind and key in names(r)]


def test_place_ids_are_unique_and_sorted(rows: list[dict[str, str]]) -> None:
    ids = [r["place_id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)


def test_every_row_has_an_arabic_name_and_a_known_kind(rows: list[dict[str, str]]) -> None:
    assert all(r["name_ar"] for r in rows)
    assert {r["kind"] for r in rows} <= {"country", "city", "governorate"}


def test_countries_have_no_coordinates(rows: list[dict[str, str]]) -> None:
    countries = [r for r in rows if r["kind"] == "country"]
    assert len(countries) > 200
    assert all(r["lat"] == r["lon"] == "" for r in countries)


def test_cities_have_coordinates_in_range(rows: list[dict[str, str]]) -> None:
    for row in (r for r in rows if r["kind"] == "city"):
        assert -90 <= float(row["lat"]) <= 90, row["place_id"]
        assert -180 <= float(row["lon"]) <= 180, row["place_id"]
        assert row["coord_source"].startswith("GeoNames")


@pytest.mark.parametrize(
    ("name", "iso"),
    [
        ("سوريا", "SY"),
        ("العراق", "IQ"),
        ("إيران", "IR"),
        ("روسيا", "RU"),
        ("تركيا", "TR"),
        ("الولايات المتحدة", "US"),
        ("تونس", "TN"),
    ],
)
def test_key_countries_resolve(rows: list[dict[str, str]], name: str, iso: str) -> None:
    assert iso in {r["country"] for r in rows_named(rows, name, "country")}


@pytest.mark.parametrize(
    ("name", "iso"),
    [
        ("واشنطن", "US"),
        ("طهران", "IR"),
        ("موسكو", "RU"),
        ("دمشق", "SY"),
        ("بغداد", "IQ"),
        ("حلب", "SY"),
        ("الرقة", "SY"),
        ("الموصل", "IQ"),
        ("سوسة", "TN"),
        ("تونس", "TN"),
        ("حديثة", "IQ"),  # a common word too: guarded by common_word_names.tsv, not dropped
    ],
)
def test_key_cities_resolve(rows: list[dict[str, str]], name: str, iso: str) -> None:
    assert iso in {r["country"] for r in rows_named(rows, name, "city")}


def test_no_stop_name_is_used(rows: list[dict[str, str]]) -> None:
    lines = (DATA / "world_stopnames.txt").read_text(encoding="utf-8").splitlines()
    stop = {normalize_name(s.strip()) for s in lines if s.strip() and not s.startswith("#")}
    assert "سوسه" not in stop  # Sousse must stay
    clashes = {(r["place_id"], n) for r in rows for n in names(r) & stop}
    assert not clashes


def test_deir_ez_zor_governorate_is_left_to_places_csv(rows: list[dict[str, str]]) -> None:
    assert not [r for r in rows if r["admin1"] == "SY.07"]
    assert not rows_named(rows, "القائم", "city")
    assert not rows_named(rows, "دير الزور", "city")
