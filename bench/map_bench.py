"""Map benchmark: build time, HTML size and time to interactive in headless Chromium.

Prints figures; asserts nothing (STYLE §7).  Targets: 100,000 incidents build <= 5 s, HTML
<= 25 MB, interactive <= 4 s.  For comparison it also times folium's naive one Marker + Popup
per point at 10,000 and scales that linearly.

    .venv/bin/python bench/map_bench.py [--sizes 1000,10000,100000] [--naive 10000] [--no-browser]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from mapper.maps import make_map, save_map
from mapper.offline import make_offline

PLACES = [
    ("هجين", "Hajin", 34.695, 40.83), ("الباغوز", "al-Baghuz", 34.46, 40.94),
    ("السوسة", "al-Susah", 34.50, 40.90), ("الميادين", "al-Mayadin", 35.02, 40.45),
    ("دير الزور", "Deir ez-Zor", 35.33, 40.14), ("البوكمال", "Abu Kamal", 34.45, 40.92),
]  # fmt: skip
TYPES = ["Battles", "Explosions/Remote violence", "Violence against civilians", "Protests",
         "Riots", "Strategic developments"]  # fmt: skip
WORDS = [
    "قصف", "مدفعي", "استهدف", "بلدة", "اشتباكات", "عنيفة", "بين", "عناصر", "التنظيم",
    "وقوات", "سوريا", "الديمقراطية", "في", "ريف", "مقتل", "مدنيين", "وإصابة", "آخرين",
]  # fmt: skip


def synthetic(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    """``n`` incidents with unique ~90-character Arabic evidence sentences (column-wise, so
    1,000,000 rows take seconds)."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    place = i % len(PLACES)
    words = np.array(WORDS, dtype=object)[rng.integers(0, len(WORDS), size=(n, 6))]
    prefixes = [" ".join(w[:3]) + " " for w in words]
    evidence = [
        f"{p}{PLACES[k][0]} {' '.join(w[3:])} رقم {j}"
        for j, (p, k, w) in enumerate(zip(prefixes, place, words, strict=True))
    ]
    lats = np.array([p[2] for p in PLACES])[place] + rng.uniform(-0.3, 0.3, n)
    lons = np.array([p[3] for p in PLACES])[place] + rng.uniform(-0.3, 0.3, n)
    dates = [f"2019-{1 + j % 12:02d}-{1 + j % 28:02d}" for j in range(n)]
    frame = pd.DataFrame({
        "incident_id": [f"i{j}" for j in range(n)],
        "event_date": pd.Series(dates, dtype=object).where(i % 20 != 0, None),
        "time_precision": 1, "event_type": np.array(TYPES, dtype=object)[i % 6],
        "sub_event_type": "Armed clash", "actor1": "قسد", "actor2": "داعش",
        "location": np.array([p[1] for p in PLACES], dtype=object)[place],
        "location_ar": np.array([p[0] for p in PLACES], dtype=object)[place],
        "geo_precision": 1 + i % 3, "fatalities": i % 7, "claims": "[]", "evidence_start": 0,
        "evidence_end": [len(e) for e in evidence], "evidence": evidence,
        "mention_start": [len(p) for p in prefixes],
        "mention_end": [len(p) + len(PLACES[k][0]) for p, k in zip(prefixes, place, strict=True)],
        "source": "دير الزور 24", "url": [f"https://example.org/{j}" for j in range(n)],
    })  # fmt: skip
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lons, lats), crs="EPSG:4326")


def naive(gdf: gpd.GeoDataFrame) -> str:
    """folium's plain way: one Marker and Popup per point (no clustering)."""
    m = folium.Map(location=[34.9, 40.6], zoom_start=8, tiles=None, maxZoom=18)
    m.default_js = [(k, u) for k, u in folium.Map.default_js if k in ("leaflet", "jquery")]
    m.default_css = [(k, u) for k, u in folium.Map.default_css if k == "leaflet_css"]
    for row in gdf.itertuples():
        folium.Marker([row.geometry.y, row.geometry.x], popup=folium.Popup(row.evidence)).add_to(m)
    return make_offline(m.get_root().render())


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DRAWN = ".marker-cluster, .mapper-marker"
MAP = "Object.values(window).find(v => v instanceof L.Map)"
NEAREST_MARKER = """() => {
  let best = null, bestD = Infinity;
  for (const e of document.querySelectorAll('.mapper-marker')) {
    const r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
    const d = (x - 600) ** 2 + (y - 400) ** 2;
    if (x > 0 && y > 0 && x < 1200 && y < 800 && d < bestD) { best = [x, y]; bestD = d; }
  }
  return best;
}"""


@contextmanager
def open_browser() -> Iterator[Any]:
    """Headless Debian Chromium (never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def _page(browser: Any) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.route("**/*", lambda r: r.abort() if r.request.url.startswith("http") else r.continue_())
    try:
        yield page
    finally:
        page.close()


def _open(page: Any, path: Path, selector: str) -> float:
    """Wall seconds from navigation to the load event plus ``selector`` drawn and painted."""
    start = time.perf_counter()
    page.goto(path.resolve().as_uri(), timeout=600_000, wait_until="load")
    page.wait_for_selector(selector, timeout=600_000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
    return time.perf_counter() - start


def ready_seconds(browser: Any, path: Path, selector: str = DRAWN) -> float:
    with _page(browser) as page:
        return _open(page, path, selector)


def ready_and_use(
    browser: Any, path: Path, point: tuple[float, float]
) -> tuple[float, dict[str, bool]]:
    """Ready time, then a user's three actions with the real mouse: drag to pan, the zoom
    button, and a click on a marker at street zoom around ``point`` (an incident's lat, lon)
    that must open a popup with its evidence."""
    with _page(browser) as page:
        seconds = _open(page, path, DRAWN)
        page.wait_for_timeout(500)  # let the first draw settle, as a user would
        pans = _holds(page, _drag)
        zooms = _holds(page, _zoom_in)
        popup = _holds(page, lambda p: _click_marker(p, point))
    return seconds, {"pans": pans, "zooms": zooms, "popup": popup}


def _holds(page: Any, action: Callable[[Any], bool]) -> bool:
    """Whether ``action`` succeeded; a browser timeout is a failed check, not a crash."""
    from playwright.sync_api import TimeoutError as BrowserTimeout

    try:
        return action(page)
    except BrowserTimeout:
        return False


def _drag(page: Any) -> bool:
    before = page.evaluate(f"() => {MAP}.getCenter()")
    page.mouse.move(600, 400)
    page.mouse.down()
    page.mouse.move(450, 300, steps=8)
    page.mouse.up()
    moved = f"([y, x]) => {{ const c = {MAP}.getCenter(); return c.lat !== y || c.lng !== x; }}"
    page.wait_for_function(moved, arg=[before["lat"], before["lng"]], timeout=20_000)
    return page.locator(DRAWN).count() > 0


def _zoom_in(page: Any) -> bool:
    zoom = page.evaluate(f"() => {MAP}.getZoom()")
    page.click(".leaflet-control-zoom-in")
    page.wait_for_function(f"z => {MAP}.getZoom() > z", arg=zoom, timeout=20_000)
    page.wait_for_timeout(600)  # the zoom animation ends before the next move
    return page.locator(DRAWN).count() > 0


def _click_marker(page: Any, point: tuple[float, float]) -> bool:
    lat, lon = point
    page.evaluate(f"([lat, lon]) => {MAP}.setView([lat, lon], 18, {{animate: false}})", [lat, lon])
    page.wait_for_selector(".mapper-marker", timeout=60_000)
    x, y = page.evaluate(NEAREST_MARKER)
    page.mouse.click(x, y)
    page.wait_for_selector(".leaflet-popup-content", timeout=20_000)
    return "رقم" in page.inner_text(".leaflet-popup-content")


def interactive_seconds(path: Path, selector: str) -> float:
    with open_browser() as browser:
        return ready_seconds(browser, path, selector)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--naive", type=int, default=10000)
    parser.add_argument("--no-browser", action="store_true")
    options = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="map_bench_"))
    print(f"{'what':<28}{'n':>8}{'build s':>10}{'MB':>8}{'interactive s':>15}")
    for n in (int(s) for s in options.sizes.split(",")):
        gdf = synthetic(n)
        start = time.perf_counter()
        path = save_map(make_map(gdf), out / f"mapper_{n}.html")
        build = time.perf_counter() - start
        shown = "-" if options.no_browser else f"{interactive_seconds(path, '.marker-cluster'):.2f}"
        size = path.stat().st_size / 1e6
        print(f"{'mapper make_map+save_map':<28}{n:>8}{build:>10.2f}{size:>8.1f}{shown:>15}")
    if options.naive:
        gdf = synthetic(options.naive)
        start = time.perf_counter()
        page = naive(gdf)
        build = time.perf_counter() - start
        path = out / f"naive_{options.naive}.html"
        path.write_text(page, encoding="utf-8")
        shown = (
            "-"
            if options.no_browser
            else f"{interactive_seconds(path, '.leaflet-marker-icon'):.2f}"
        )
        size = path.stat().st_size / 1e6
        print(f"{'folium Marker+Popup':<28}{options.naive:>8}{build:>10.2f}{size:>8.1f}{shown:>15}")
        scale = 100_000 / options.naive
        scaled = f"{100_000:>8}{build * scale:>10.1f}{size * scale:>8.1f}{'-':>15}"
        print(f"{'  scaled linearly to':<28}{scaled}")
    print(f"pages in {out}")


if __name__ == "__main__":
    main()
