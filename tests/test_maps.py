"""mapper.maps: popups, escaping, input handling, offline saving, and the map in Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point

from mapper.errors import ConfigError, InputError
from mapper.maps import MapView, make_map, popup_html, popup_safe, save_map, script_json
from mapper.offline import external_urls
from tests.browser import open_file  # the fixtures come from conftest.py (pytest_plugins)

PLACES = [  # place_id, Arabic, English, lat, lon
    ("hajin", "هجين", "Hajin", 34.695, 40.830),
    ("baghuz", "الباغوز", "al-Baghuz", 34.460, 40.940),
    ("susah", "السوسة", "al-Susah", 34.500, 40.900),
    ("shafa", "الشعفة", "al-Shafah", 34.620, 40.870),
    ("mayadin", "الميادين", "al-Mayadin", 35.020, 40.450),
    ("deir", "دير الزور", "Deir ez-Zor", 35.330, 40.140),
]
TYPES = ["Battles", "Explosions/Remote violence", "Violence against civilians", "Protests"]
POPUP_TAG = '<div class="mapper-popup" dir="rtl" lang="ar">'
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "${7*7}",
    "{{7*7}}",
    "back`tick",
    "back\\slash",
]


def incident(i: int, *, place: int = 0, date: str | None = "2019-02-10", **extra) -> dict:
    pid, ar, en, lat, lon = PLACES[place]
    prefix = "قصف مدفعي على بلدة "
    evidence = f"{prefix}{ar} أدى إلى مقتل {i} مدنيين"
    row = {
        "incident_id": f"inc{i}", "event_id": f"ev{i}", "source_id": f"doc{i}",
        "event_date": date, "time_precision": 1, "event_type": TYPES[i % len(TYPES)],
        "sub_event_type": "Shelling/artillery/missile attack", "actor1": "قوات سوريا الديمقراطية",
        "actor2": "ISIS", "location": en, "location_ar": ar, "place_id": pid,
        "latitude": lat, "longitude": lon, "geo_precision": 1, "admin1": "Deir ez-Zor",
        "admin2": "Abu Kamal", "admin3": "Hajin", "fatalities": i,
        "claims": json.dumps(
            [{"party": "المرصد السوري", "kind": "claim", "fatalities": i, "evidence_start": 0,
              "evidence_end": 4},
             {"party": "قسد", "kind": "denial", "fatalities": None, "evidence_start": 0,
              "evidence_end": 4}], ensure_ascii=False),
        "evidence_start": 200, "evidence_end": 200 + len(evidence), "evidence": evidence,
        "mention_start": 200 + len(prefix), "mention_end": 200 + len(prefix) + len(ar),
        "notes": "", "source": "دير الزور 24", "url": f"https://example.org/r/{i}",
        "geometry": Point(lon, lat),
    }  # fmt: skip
    row.update(extra)
    return row


def frame(rows: list[dict], crs: str | None = "EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def small_frame() -> gpd.GeoDataFrame:
    rows = [
        incident(i, place=i % len(PLACES), date=f"2019-0{1 + i % 3}-1{i % 10}") for i in range(10)
    ]
    rows.append(incident(10, place=0, date=None))
    rows.append(incident(11, place=1, date=None))
    return frame(rows)


def xss_frame() -> gpd.GeoDataFrame:
    rows = []
    for i, bad in enumerate(PAYLOADS):
        rows.append(incident(
            i, place=i % len(PLACES), location=bad, location_ar=bad + " هجين", actor1=bad,
            actor2=bad, source=bad, url=bad, sub_event_type=bad, notes=bad,
            evidence=bad + " في هجين", mention_start=None, mention_end=None,
            claims=json.dumps([{"party": bad, "kind": "claim", "fatalities": 1}]),
            event_type=bad if i == 0 else "Battles",
        ))  # fmt: skip
    return frame(rows)


# ---------------------------------------------------------------- escaping and popups


def test_popup_safe_turns_template_literal_characters_into_entities():
    assert popup_safe("a`b${c}\\d") == "a&#96;b&#36;&#123;c&#125;&#92;d"


def test_jinja_syntax_in_data_is_not_evaluated_by_folium():
    """folium re-parses rendered scripts as Jinja2 templates: data must not reach it raw."""
    for fast in (False, True):
        gdf = frame([incident(1, location="{{7*7}}", actor1="{% if true %}X{% endif %}")])
        out = make_map(gdf, fast=fast, title="{#c#}").get_root().render()
        if fast:
            assert "\\u007b{7*7}}" in out and "\\u007b% if true %}X" in out
        else:
            assert "&#123;&#123;7*7&#125;&#125;" in out and "&#123;% if true %&#125;X" in out
        assert "\\u007b#c#}" in out


def test_script_json_cannot_close_the_script():
    text = str(script_json({"x": "</script><script>alert(1)</script>", "y": "\u2028"}))
    assert "</" not in text and "<" not in text and "\u2028" not in text
    assert json.loads(text) == {"x": "</script><script>alert(1)</script>", "y": "\u2028"}


def test_popup_is_rtl_arabic_with_marked_place_and_latin_isolated():
    html = popup_html(incident(3, place=0))
    assert html.startswith('<div class="mapper-popup" dir="rtl" lang="ar">')
    assert "قصف مدفعي على بلدة <mark>هجين</mark> أدى إلى مقتل 3 مدنيين" in html
    assert "<bdi>ISIS</bdi>" in html and "<bdi>2019-02-10</bdi>" in html
    assert "ادّعى / claimed <bdi>3</bdi>" in html and "نفى / denied" in html
    assert "في المكان نفسه / at the place" in html
    assert '<a href="https://example.org/r/3" target="_blank" rel="noopener noreferrer">' in html


def test_popup_escapes_every_payload_and_links_only_http():
    for bad in PAYLOADS:
        row = incident(1, location=bad, location_ar=bad, actor1=bad, source=bad, url=bad)
        row["evidence"] = bad
        html = popup_html(row)
        assert "<script" not in html and "<img" not in html and "`" not in html
        assert "$" not in html and "\\" not in html and "{" not in html
        assert "href=" not in html  # javascript: and the rest never become links


def test_popup_undated_unknown_toll_and_bad_offsets():
    row = incident(1, date=None, fatalities=None, mention_start=5, mention_end=999, claims=None)
    html = popup_html(row)
    assert "بلا تاريخ / undated" in html and "غير معروف / unknown" in html
    assert "<mark>" not in html and "mp-claims" not in html


def test_bad_claims_json_is_an_input_error():
    with pytest.raises(InputError, match="claims"):
        popup_html(incident(1, claims="[{not json"))


# ---------------------------------------------------------------- make_map and saving


def test_input_is_not_mutated_and_crs_is_kept():
    gdf = small_frame().to_crs(3857)
    before = gdf.copy()
    make_map(gdf)
    assert_geodataframe_equal(gdf, before)
    assert gdf.crs.to_epsg() == 3857


def test_missing_geometry_is_skipped_and_counted():
    gdf = small_frame()
    gdf.loc[0, "geometry"] = None
    out = make_map(gdf).get_root().render()
    assert '"skipped":1' in out and out.count('"inc') == 0


def test_wrong_inputs_raise():
    with pytest.raises(InputError, match="CRS"):
        make_map(frame([incident(1)], crs=None))
    with pytest.raises(TypeError, match="GeoDataFrame"):
        make_map([incident(1)])
    with pytest.raises(ConfigError, match="tiles"):
        make_map(small_frame(), tiles="google")


def test_reads_geojson_and_csv_paths(tmp_path: Path):
    gdf = small_frame()
    gdf.to_file(tmp_path / "incidents.geojson", driver="GeoJSON")
    gdf.drop(columns="geometry").to_csv(tmp_path / "incidents.csv", index=False)
    for name in ("incidents.geojson", "incidents.csv"):
        out = make_map(tmp_path / name).get_root().render()
        assert out.count(POPUP_TAG) == len(gdf) + 1  # + the one in mapper-map.js


def test_saved_map_has_no_network_asset(tmp_path: Path):
    path = save_map(make_map(small_frame(), title="حوادث"), tmp_path / "map.html")
    out = path.read_text(encoding="utf-8")
    assert external_urls(out) == []
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']?(https?:)?//""", out, re.I)


def test_saved_map_with_assets_dir(tmp_path: Path):
    path = save_map(make_map(small_frame()), tmp_path / "map.html", assets_dir=tmp_path / "lib")
    out = path.read_text(encoding="utf-8")
    assert external_urls(out) == [] and 'src="lib/leaflet/leaflet.js"' in out


def test_json_path_puts_rows_in_once_and_escapes_them():
    out = make_map(xss_frame(), fast=True).get_root().render()
    assert out.count(POPUP_TAG) == 1  # only mapper-map.js: popups are built in the browser
    assert "<script>alert(1)</script>" not in out and "<img src=x" not in out
    assert out.count("onerror=alert(1)") == 3  # 3 distinct strings, each once in the table


def test_jupyter_view_is_a_self_contained_iframe_in_a_div():
    html = MapView(make_map(small_frame()))._repr_html_()
    assert html.startswith("<div") and "<iframe srcdoc=" in html and html.endswith("</div>")
    assert "https://cdn" not in html


def test_tiles_add_a_web_layer_only_when_asked():
    assert "tile.openstreetmap.org" in make_map(small_frame(), tiles="osm").get_root().render()
    assert "tile.openstreetmap.org" not in make_map(small_frame()).get_root().render()


# ---------------------------------------------------------------- in Chromium

MAP_JS = "window[document.querySelector('.folium-map').id]"


def shown_count(tab) -> int:
    return tab.evaluate(f"{MAP_JS}._mapper.entries.filter(e => e.shown).length")


def visible_markers(tab) -> int:
    """Markers on screen: single dots plus the counts written on cluster icons."""
    return tab.evaluate(
        """() => {
        let n = document.querySelectorAll('.mapper-marker').length;
        document.querySelectorAll('.marker-cluster span').forEach(s => { n += +s.textContent; });
        return n; }"""
    )


def load(tab, gdf, tmp_path: Path, **options) -> None:
    path = save_map(make_map(gdf, **options), tmp_path / "map.html")
    open_file(tab, path, wait_for=".mapper-status")
    tab.wait_for_timeout(1200)  # let the fit-bounds zoom animation finish


@pytest.mark.browser
@pytest.mark.parametrize("fast", [False, True], ids=["markers", "json"])
def test_browser_map_popup_layers_and_time_filter(page, tmp_path, fast):
    load(page, small_frame(), tmp_path, fast=fast, cluster=True)
    assert page.errors == [] and page.blocked == []
    assert visible_markers(page) == 12 and page.locator(".marker-cluster").count() >= 1
    assert page.locator(".leaflet-overlay-pane path").count() >= 2  # river and borders

    page.evaluate(f"{MAP_JS}._mapper.entries[5].marker.__parent.zoomToBounds()")
    page.wait_for_timeout(600)
    marker = page.locator(".mapper-marker").first
    marker.click()
    popup = page.locator(".leaflet-popup-content .mapper-popup")
    popup.wait_for()
    assert popup.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert "<mark>" in popup.inner_html() and "التاريخ" in popup.inner_text()

    page.evaluate(
        f"{MAP_JS}.fitBounds({MAP_JS}._mapper.container_bounds || [[34.4,40.1],[35.4,41]])"
    )
    battles = page.locator(".leaflet-control-layers-overlays label", has_text="Battles")
    battles.locator("input").uncheck()
    page.wait_for_timeout(300)
    assert shown_count(page) == 12 - 3  # 3 Battles rows (i = 0, 4, 8)
    battles.locator("input").check()
    assert shown_count(page) == 12

    page.fill(".mapper-date-to", "2019-01-31")
    page.dispatch_event(".mapper-date-to", "change")
    undated = 2
    in_january = sum(1 for i in range(10) if i % 3 == 0)
    assert shown_count(page) == in_january + undated
    assert "بلا تاريخ 2" in page.inner_text(".mapper-status")
    assert page.errors == [] and page.dialogs == []


OPEN_ROW = {  # open incident i's popup: a marker per incident, or the grid's marker of row i
    "entries": f"i => {{ {MAP_JS}.closePopup(); {MAP_JS}._mapper.entries[i].marker.openPopup(); }}",
    "grid": f"""i => {{ const m = {MAP_JS}, g = m._mapper.grid; m.closePopup();
        m.setView([g.D.lat[i], g.D.lon[i]], m.getMaxZoom(), {{animate: false}});
        g.draw(); g.drawn[i].openPopup(); }}""",
}
RENDERINGS = {
    "markers": {"fast": False, "cluster": False},
    "json": {"fast": True, "cluster": False},
    "grid": {"fast": True, "grid": True},
}


@pytest.mark.browser
@pytest.mark.parametrize("rendering", list(RENDERINGS))
def test_browser_xss_payloads_show_as_text(page, tmp_path, rendering):
    gdf = xss_frame()
    load(page, gdf, tmp_path, **RENDERINGS[rendering])
    texts = []
    for i in range(len(gdf)):
        page.evaluate(OPEN_ROW["grid" if rendering == "grid" else "entries"], i)
        content = page.locator(".leaflet-popup-content .mapper-popup").last
        content.wait_for()
        texts.append(content.inner_text())
        assert content.locator("script, img, a[href^='javascript'], a[href^='data']").count() == 0
    joined = "\n".join(texts)
    for bad in PAYLOADS:
        assert bad in joined, bad
    assert "49" not in joined
    layer_names = page.inner_text(".leaflet-control-layers-overlays")
    assert PAYLOADS[0] in layer_names  # an unknown event type is a layer name, as text
    page.wait_for_timeout(300)
    assert page.dialogs == [] and page.errors == []


@pytest.mark.browser
def test_browser_search_opens_the_place(page, tmp_path):
    load(page, small_frame(), tmp_path)
    page.fill(".mapper-search", "الميادين")
    page.press(".mapper-search", "Enter")
    popup = page.locator(".leaflet-popup-content .mapper-popup")
    popup.wait_for(timeout=5000)
    assert "الميادين" in popup.inner_text()
    page.fill(".mapper-search", "Deir ez-Zor")
    page.press(".mapper-search", "Enter")
    page.wait_for_timeout(800)
    assert "دير الزور" in page.inner_text(".leaflet-popup-content")
    assert page.errors == []


def grid_status(tab) -> str:
    return tab.inner_text(".mapper-status")


@pytest.mark.browser
def test_browser_grid_clusters_filters_searches_and_opens_popups(page, tmp_path):
    """The grid renderer of very large maps, on a small map: same counts, filters and popups."""
    load(page, small_frame(), tmp_path, fast=True, grid=True)
    assert page.errors == [] and page.blocked == []
    assert visible_markers(page) == 12 and page.locator(".mapper-cluster").count() >= 1
    assert "shown 12 of 12" in grid_status(page)

    page.locator(".mapper-cluster").first.click()  # a cluster zooms in
    page.wait_for_timeout(800)
    assert page.evaluate(f"{MAP_JS}.getZoom()") > 9 or page.locator(".mapper-marker").count()

    battles = page.locator(".leaflet-control-layers-overlays label", has_text="Battles")
    battles.locator("input").uncheck()
    assert "shown 9 of 12" in grid_status(page)  # 3 Battles rows (i = 0, 4, 8)
    battles.locator("input").check()
    page.fill(".mapper-date-to", "2019-01-31")
    page.dispatch_event(".mapper-date-to", "change")
    in_january = sum(1 for i in range(10) if i % 3 == 0)
    assert f"shown {in_january + 2} of 12, 2 undated" in grid_status(page)
    page.fill(".mapper-date-to", "")
    page.dispatch_event(".mapper-date-to", "change")

    page.fill(".mapper-search", "الميادين")
    page.press(".mapper-search", "Enter")
    popup = page.locator(".leaflet-popup-content .mapper-popup")
    popup.wait_for(timeout=5000)
    assert "الميادين" in popup.inner_text() and "<mark>" in popup.inner_html()
    assert popup.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.keyboard.press("Escape")
    x, y = page.evaluate(
        """() => { const r = document.querySelector('.mapper-marker').getBoundingClientRect();
        return [r.left + r.width / 2, r.top + r.height / 2]; }"""
    )
    page.mouse.click(x, y)  # a real click on a marker at the highest zoom
    page.locator(".leaflet-popup-content .mapper-popup").wait_for(timeout=5000)
    assert page.errors == [] and page.dialogs == []


def test_missing_values_of_nullable_columns_are_empty() -> None:
    # a store read back gives pandas.NA in nullable integer/string columns (Int64, string)
    import pandas

    from mapper.popups import int_value, text_value

    for missing in (None, float("nan"), pandas.NA, pandas.NaT):
        assert int_value(missing) is None
        assert text_value(missing) == ""
    assert int_value("7") == 7
