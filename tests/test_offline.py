"""mapper.offline: CDN links become vendored files; unknown URLs are errors, never left behind."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import pytest

from mapper import offline
from mapper.errors import RenderError
from mapper.offline import external_urls, make_offline

HTTP_TAG = re.compile(r"""<(?:script[^>]*\bsrc|link[^>]*\bhref)\s*=\s*["']?(?:https?:)?//""", re.I)


def folium_page(*, plugins: bool = True) -> str:
    m = folium.Map(tiles=None)
    m.default_js = [(k, u) for k, u in folium.Map.default_js if k in ("leaflet", "jquery")]
    m.default_css = [(k, u) for k, u in folium.Map.default_css if k == "leaflet_css"]
    if plugins:
        from folium.plugins import Fullscreen, HeatMap, MarkerCluster

        MarkerCluster().add_to(m)
        HeatMap([[34.7, 40.8]]).add_to(m)
        Fullscreen().add_to(m)
    return m.get_root().render()


def test_folium_page_has_cdn_links_to_replace():
    urls = external_urls(folium_page())
    assert any("leaflet" in u for u in urls) and any("markercluster" in u for u in urls)


def test_inline_leaves_no_network_link_and_inlines_each_file_once():
    page = make_offline(folium_page())
    assert external_urls(page) == []
    assert not HTTP_TAG.search(page)
    assert page.count("Leaflet") >= 1 and "L.MarkerClusterGroup" in page
    assert page.count("jQuery v3.7.1") == 1
    assert "url(images/" not in page  # Leaflet's CSS images became data: URIs
    assert "data:image/png;base64," in page
    assert "sourceMappingURL" not in page


def test_unknown_url_is_an_error_naming_it():
    page = folium.Map(tiles=None).get_root().render()  # folium's defaults include Bootstrap
    with pytest.raises(RenderError, match="bootstrap"):
        make_offline(page)


def test_known_file_name_on_an_unknown_host_is_still_an_error():
    page = '<script src="https://evil.example/leaflet.js"></script>'
    with pytest.raises(RenderError, match=r"evil\.example"):
        make_offline(page)


def test_protocol_relative_and_single_quoted_links_count_as_external():
    page = "<link rel='stylesheet' href='//cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css'/>"
    assert external_urls(page) == ["//cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"]
    assert external_urls(make_offline(page)) == []


def test_local_links_are_kept():
    page = '<script src="local.js"></script><link rel="stylesheet" href="site.css"/>'
    assert make_offline(page) == page


def test_assets_dir_copies_files_and_links_them_relatively(tmp_path: Path):
    html_dir = tmp_path / "site"
    html_dir.mkdir()
    page = make_offline(folium_page(), assets_dir=tmp_path / "site" / "lib", html_dir=html_dir)
    assert external_urls(page) == []
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert refs and all(r.startswith("lib/") for r in refs)
    for ref in refs:
        assert (html_dir / ref).is_file(), ref
    assert (html_dir / "lib" / "leaflet" / "images" / "layers.png").is_file()
    assert (html_dir / "lib" / "fullscreen" / "icon-fullscreen.svg").is_file()


def test_every_vendored_file_has_a_licence_beside_it():
    for asset in {a.path for a in offline._BY_FILENAME.values()}:
        folder = (offline.ASSETS_DIR / asset).parent
        assert any(p.name.upper().startswith(("LICENSE", "MIT-LICENCE")) for p in folder.iterdir())
    assert "leaflet" in (offline.ASSETS_DIR / "README.md").read_text(encoding="utf-8")


def test_folium_class_lists_are_not_mutated():
    before = (list(folium.Map.default_js), list(folium.Map.default_css))
    folium_page()
    assert (folium.Map.default_js, folium.Map.default_css) == before
