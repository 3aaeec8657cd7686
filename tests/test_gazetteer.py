from __future__ import annotations

from pathlib import Path

import pytest

from mapper.errors import GazetteerError
from mapper.gazetteer import COLUMNS, Gazetteer, generate_variants
from mapper.gazetteer_check import check_files
from mapper.models import Place, PlaceKind

HEADER = ",".join(COLUMNS)


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return Gazetteer.default()


def test_generated_variants() -> None:
    assert "ديرالزور" in generate_variants("دير الزور")
    assert "باغوز فوقاني" in generate_variants("الباغوز فوقاني")
    assert "الباغوز الفوقاني" in generate_variants("الباغوز فوقاني")
    assert "ابوكمال" in generate_variants("أبو كمال")
    # the article is never added to a bare name: موحسن and الموحسن are two villages
    assert generate_variants("موحسن") == {"موحسن"}
    assert "baghuz fawqani" in generate_variants("Al-Baghuz Fawqani")


@pytest.mark.parametrize(
    ("name", "place_id"),
    [
        ("هجين", "hajin"),
        ("هَجين", "hajin"),
        ("الباغوز", "al-baghuz-fawqani"),
        ("السوسة", "al-susah"),
        ("البوليل", "al-bulayl"),
        ("موحسن", "muhasan"),
        ("البوكمال", "abu-kamal"),
        ("أبو كمال", "abu-kamal"),
        ("ديرالزور", "deir-ez-zor"),
        ("Hajin", "hajin"),
        ("Abu Kamal", "abu-kamal"),
    ],
)
def test_lookup(g: Gazetteer, name: str, place_id: str) -> None:
    assert g.lookup(name)[0].place_id == place_id


def test_every_place_resolves_by_its_arabic_name(g: Gazetteer) -> None:
    for place in g:
        if place.name_ar:
            assert place in g.lookup(place.name_ar), place.place_id


def test_shared_names_return_every_candidate_home_first(g: Gazetteer) -> None:
    ids = [p.place_id for p in g.lookup("الصالحية")]
    assert {"al-salihiyah", "dez-al-salihiyah"} <= set(ids)
    sousse = [p.country for p in g.lookup("سوسة")]
    assert sousse[0] == "SY" and "TN" in sousse


def test_located_falls_back_to_parent_or_seat(g: Gazetteer) -> None:
    place, steps = g.located("al-bulayl")
    assert place.has_point and steps >= 1
    assert g.located("hajin") == (g.get("hajin"), 0)


def test_near_and_frame(g: Gazetteer) -> None:
    near = [p.place_id for p, _ in g.near(34.69, 40.83, 5)]
    assert near[0] == "hajin"
    frame = g.frame
    assert frame.crs == "EPSG:4326"
    row = frame.loc["hajin"]
    assert (row.geometry.x, row.geometry.y) == pytest.approx((40.83083, 34.68944))
    # every located row says where its point comes from, in the frame as in the record
    assert row.coord_source == g.get("hajin").coord_source != ""
    located = frame[frame.geometry.notna()]
    assert (located.coord_source != "").all()


def test_bundled_data_passes_the_check() -> None:
    from mapper.commands import _ambiguous_names
    from mapper.gazetteer import BUNDLED, _data_dir

    report = check_files([_data_dir() / n for n in BUNDLED], ambiguous=_ambiguous_names())
    assert report.errors == ()
    assert report.rows > 1000


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "places.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_check_reports_each_bad_row_with_file_line_field(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "a,قرية,,A,,village,3S.1,40,src,SY,Deir ez-Zor,,,,,,,,,",
        "b,بلدة,,B,,town,35,40,,SY,Deir ez-Zor,,,,,,,,,",
        "d,بلدة ثانية,,B2,,town,,,,SY,Deir ez-Zor,,,,,,,,,",
        "d,بلدة ثالثة,,B3,,town,,,,SY,Deir ez-Zor,,,,,,,,,",
        "c,قرية,,C,,hamlet,,,,SY,,,,,,,,nowhere,,",
        "e,مزرعة,,E,,village,,,,SY,,,,,,,,nowhere,,",
    )
    messages = [str(e) for e in check_files([path]).errors]
    assert "places.csv:2: field 'lat': expected a number, got '3S.1'" in messages
    assert any(m.startswith("places.csv:3: field 'coord_source'") for m in messages)
    assert any(m.startswith("places.csv:5: field 'place_id': duplicate id") for m in messages)
    assert any(m.startswith("places.csv:6: field 'kind'") for m in messages)
    assert "places.csv:7: field 'parent': unknown parent 'nowhere'" in messages
    with pytest.raises(GazetteerError, match=r"places\.csv:2"):
        Gazetteer.from_csv(path)


def test_user_rows_override_bundled(tmp_path: Path) -> None:
    path = _csv(tmp_path, "hajin,هجين,,Hajin,,town,34.7,40.8,my survey,SY,Deir ez-Zor,,,,,,,,,")
    g2 = Gazetteer.default([path])
    assert g2.get("hajin").lat == 34.7
    assert Gazetteer([Place("x", "س", "X", PlaceKind.TOWN)]).lookup("س")[0].place_id == "x"
