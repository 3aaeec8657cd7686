"""Map benchmark: build time, HTML size and time to interactive in headless Chromium.

Prints figures; asserts nothing (STYLE §7).  Targets: 100,000 incidents build <= 5 s, HTML
<= 25 MB, interactive <= 4 s.  For comparison it also times folium's naive one Marker + Popup
per point at 10,000 and scales that linearly.

    .venv/bin/python bench/map_bench.py [--sizes 1000,10000,100000] [--naive 10000] [--no-browser]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
from shapely.geometry import Point

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
    """``n`` incidents with unique ~90-character Arabic evidence sentences."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        ar, en, lat, lon = PLACES[i % len(PLACES)]
        words = rng.choices(WORDS, k=6)
        prefix = " ".join(words[:3]) + " "
        evidence = f"{prefix}{ar} {' '.join(words[3:])} رقم {i}"
        lat, lon = lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.3, 0.3)
        rows.append({
            "incident_id": f"i{i}", "event_date": None if i % 20 == 0 else
            f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}", "time_precision": 1,
            "event_type": TYPES[i % 6], "sub_event_type": "Armed clash", "actor1": "قسد",
            "actor2": "داعش", "location": en, "location_ar": ar, "geo_precision": 1 + i % 3,
            "fatalities": i % 7, "claims": "[]", "evidence_start": 0,
            "evidence_end": len(evidence), "evidence": evidence, "mention_start": len(prefix),
            "mention_end": len(prefix) + len(ar), "source": "دير الزور 24",
            "url": f"https://example.org/{i}", "geometry": Point(lon, lat),
        })  # fmt: skip
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def naive(gdf: gpd.GeoDataFrame) -> str:
    """folium's plain way: one Marker and Popup per point (no clustering)."""
    m = folium.Map(location=[34.9, 40.6], zoom_start=8, tiles=None, maxZoom=18)
    m.default_js = [(k, u) for k, u in folium.Map.default_js if k in ("leaflet", "jquery")]
    m.default_css = [(k, u) for k, u in folium.Map.default_css if k == "leaflet_css"]
    for row in gdf.itertuples():
        folium.Marker([row.geometry.y, row.geometry.x], popup=folium.Popup(row.evidence)).add_to(m)
    return make_offline(m.get_root().render())


def interactive_seconds(path: Path, selector: str) -> float:
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.route(
            "**/*", lambda r: r.abort() if r.request.url.startswith("http") else r.continue_()
        )
        start = time.perf_counter()
        page.goto(path.resolve().as_uri(), timeout=120_000)
        page.wait_for_selector(selector, timeout=120_000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
        seconds = time.perf_counter() - start
        browser.close()
    return seconds


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
