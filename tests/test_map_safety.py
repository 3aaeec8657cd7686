"""Hostile strings in every text field of an incident, drawn by ``mapper map`` and by the API.

Each string of :data:`HOSTILE` goes into every text field of one real :class:`Incident`
(location, Arabic location, actors, sub-event type, notes, evidence, source, url, admin names,
claim party, ids).  The map is drawn small (one folium popup per marker) and above
``FAST_THRESHOLD`` (markers built in the browser from JSON), by :func:`make_map` and by the
``mapper map`` command on an exported GeoJSON, and shown in Debian's Chromium with the network
cut off.  Every popup is opened: no dialog fires, no http(s) request leaves, no page error, the
strings show as text, no element from data appears, and the only links are http(s).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mapper.frame import to_frame
from mapper.maps import FAST_THRESHOLD, make_map, popup_html, save_map
from mapper.models import Claim, ClaimKind, Incident
from mapper.offline import external_urls
from mapper.store import export
from tests.browser import open_file

MAPPER = Path(sys.executable).with_name("mapper")
BIG = "BEGIN" + "<b>x</b>&amp;" * (1_000_000 // 13) + "END"  # a 1 MB string
HOSTILE = [
    "<script>alert('s1')</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "</script><script>alert(4)</script>",
    "</textarea></style></title><script>alert(5)</script>",
    "javascript:alert(6)",
    "JaVaScRiPt:alert(7)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==",
    "<svg/onload=alert(9)>",
    '<a href="javascript:alert(10)">انقر</a>',
    '<iframe src="https://tracker.example/i"></iframe>',
    '<img src="https://tracker.example/p.png">',
    '<link rel="stylesheet" href="https://tracker.example/s.css">',
    "<style>body{background:url(https://tracker.example/b)}</style>",
    "{{7*7}}",
    "${7*7}",
    "{% for x in range(3) %}loop{% endfor %}",
    "#{7*7} <%= 7*7 %>",
    "`${alert(11)}`",
    "\\u003cscript\\u003ealert(12)\\u003c/script\\u003e",
    "<!-- ]]> --> \\ \\\\ ` $ ' \"",
    'https://example.org/a"onmouseover="alert(13)',
    "<details open ontoggle=alert(14)>",
    "<body onload=alert(15)>",
    "قصف على هجين <script>alert(16)</script> بحسب المرصد",
    BIG,
]
COUNT = len(HOSTILE)


def hostile_incident(i: int, bad: str, *, url: str | None = None) -> Incident:
    """One incident with ``bad`` in every text field; the point is a real place near Hajin."""
    return Incident(
        incident_id=f"hostile-{i}",
        source_id=bad if len(bad) < 200 else f"doc-{i}",
        event_type="Battles",
        sub_event_type=bad,
        location=bad,
        location_ar=bad,
        place_id=bad if len(bad) < 200 else f"place-{i}",
        latitude=34.6 + i / 200,
        longitude=40.8 + i / 200,
        geo_precision=1,
        evidence_start=0,
        evidence_end=len(bad),
        evidence=bad,
        event_date="2019-02-10",
        actor1=bad,
        actor2=bad,
        admin1=bad,
        admin2=bad,
        admin3=bad,
        fatalities=i,
        claims=(Claim(bad, ClaimKind.CLAIM, 1, 0, 4),),
        notes=bad,
        source=None if url is not None else bad,
        url=url if url is not None else bad,
    )


def filler(i: int) -> Incident:
    return Incident(
        incident_id=f"fill-{i}", source_id=f"f{i}", event_type="Protests", sub_event_type=None,
        location="Hajin", location_ar="هجين", place_id="hajin", latitude=34.0 + (i % 97) / 60,
        longitude=40.0 + (i // 97) / 30, geo_precision=1, evidence_start=0, evidence_end=5,
        evidence="تظاهر", event_date="2019-03-01",
    )  # fmt: skip


def hostile_frame(*, large: bool):
    rows = [hostile_incident(i, bad) for i, bad in enumerate(HOSTILE)]
    # the same strings once more as a bare url (no source), so the url itself is shown
    rows += [hostile_incident(COUNT + i, "نص", url=bad) for i, bad in enumerate(HOSTILE)]
    if large:
        rows += [filler(i) for i in range(FAST_THRESHOLD)]
    return to_frame(rows)


def test_popup_markup_has_no_element_from_data() -> None:
    gdf = hostile_frame(large=False)
    for row in gdf.to_dict("records"):
        markup = popup_html(row)
        for tag in ("<script", "<img", "<svg", "<iframe", "<link", "<style", "<details", "<body"):
            assert tag not in markup.lower()
        assert "javascript:" not in markup.lower().replace("javascript:alert", "")
        assert "${" not in markup and "{{" not in markup and "`" not in markup


def _draw(how: str, gdf, tmp_path: Path) -> Path:
    path = tmp_path / "map.html"
    if how == "api":
        save_map(make_map(gdf), path)
        return path
    source = export(gdf, tmp_path / "hostile.geojson")
    done = subprocess.run(
        [str(MAPPER), "map", str(source), "-o", str(path)], capture_output=True, text=True
    )
    assert (done.returncode, done.stderr) == (0, "")
    return path


OPEN_POPUP = """i => {
    const map = window[document.querySelector('.folium-map').id];
    map.closePopup();
    const marker = map._mapper.entries[i].marker;
    map.openPopup(marker.getPopup(), marker.getLatLng());
}"""
LINKS = "els => els.map(a => a.getAttribute('href'))"


def _shown(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.browser
@pytest.mark.parametrize("how", ["api", "cli"])
@pytest.mark.parametrize(
    "large", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["popups", "fast"]
)
def test_hostile_strings_stay_text_in_chromium(page, tmp_path: Path, how: str, large: bool):
    gdf = hostile_frame(large=large)
    path = _draw(how, gdf, tmp_path)
    page_text = path.read_text(encoding="utf-8")
    assert external_urls(page_text) == []
    assert (len(gdf) > FAST_THRESHOLD) == large  # above it, markers are built from JSON
    open_file(page, path, wait_for=".mapper-status")
    for i in range(2 * COUNT):
        page.evaluate(OPEN_POPUP, i)
        popup = page.locator(".leaflet-popup-content .mapper-popup").last
        popup.wait_for()
        bad = HOSTILE[i % COUNT]
        text = _shown(popup.inner_text())
        # a bare url that is not http(s): the fast renderer leaves it out (maps.py sends only
        # web_url(url) to the browser), the popup renderer shows it as text
        if i >= COUNT and large and not bad.startswith("https://"):
            assert "BEGIN" not in text and "alert" not in text
        elif bad is BIG:
            assert text.count("BEGIN") >= 1 and "END" in text and "<b>x</b>&amp;" in text
        else:
            assert _shown(bad) in text, (i, bad)
        dangerous = "script, img, svg, iframe, link, style, details, body, object, embed"
        assert popup.locator(dangerous).count() == 0, (i, bad)
        links = popup.locator("a[href]").evaluate_all(LINKS)
        assert all(href.startswith(("http://", "https://")) for href in links), links
    page.wait_for_timeout(300)
    assert page.dialogs == [] and page.blocked == [] and page.errors == []
    shown = page.evaluate("window[document.querySelector('.folium-map').id]._mapper.entries.length")
    assert shown == len(gdf)
