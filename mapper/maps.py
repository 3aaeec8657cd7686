"""Incidents (a GeoDataFrame) -> an interactive folium map that works offline.

``make_map`` works like ``GeoDataFrame.explore``: it draws on ``m`` (or a new map) and returns
it.  One toggleable layer per ACLED event type (colour + legend), clustering, a heat layer, a
time filter over ``event_date`` (undated incidents stay visible and are counted), place search
(Arabic and English), scale bar and fullscreen.  ``save_map`` writes a self-contained page and
``MapView`` shows one in Jupyter.

Three renderings, one look: up to ``FAST_THRESHOLD`` incidents each gets a folium ``Marker``
whose popup is built here (:mod:`mapper.popups`); above it the rows go in once as compact
columns (:mod:`mapper.mapdata`) and the constant code in ``assets/mapper/mapper-map.js`` builds
markers and popups in the browser (the model is folium's ``FastMarkerCluster``); above
``GRID_THRESHOLD`` no marker exists per incident: ``mapper-grid.js`` clusters the incidents in
view on a screen grid after each move and builds a popup when one is opened (100,000 incidents:
interactive in ~1 s instead of ~3 s; 1,000,000 in ~5 s).  Safety: popup HTML is built by an
autoescaping Jinja2 template and then passed through :func:`popup_safe`, since folium embeds it
in a JS template literal; data enters scripts only through :func:`script_json`.
"""

from __future__ import annotations

import html
import json
import logging
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from mapper import offline
from mapper.errors import ConfigError, RenderError
from mapper.mapdata import (
    add_data_block,
    columns,
    dict_rows,
    load_incidents,
    located,
    type_counts,
)
from mapper.popups import ENV, popup_html, popup_safe, script_json, text_value

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

__all__ = [
    "EVENT_TYPES",
    "FAST_THRESHOLD",
    "GRID_THRESHOLD",
    "MapView",
    "make_map",
    "popup_html",
    "popup_safe",
    "render_html",
    "save_map",
    "script_json",
]

log = logging.getLogger(__name__)

FAST_THRESHOLD = 2000  # above this many incidents, markers are built in the browser from JSON
GRID_THRESHOLD = 50_000  # above this many, the browser clusters on a grid and draws the view
# ACLED's event types: (name, Arabic label, colour).  Unknown types get grey, in name order.
EVENT_TYPES = (
    ("Battles", "معارك", "#c0392b"),
    ("Explosions/Remote violence", "انفجارات وعنف عن بعد", "#e67e22"),
    ("Violence against civilians", "عنف ضد المدنيين", "#8e44ad"),
    ("Protests", "احتجاجات", "#2471a3"),
    ("Riots", "أعمال شغب", "#148f77"),
    ("Strategic developments", "تطورات استراتيجية", "#5d6d7e"),
)
_OTHER_COLOUR = "#95a5a6"
_TILES = {
    "osm": ("OpenStreetMap", None, "OpenStreetMap / خريطة الشارع المفتوحة"),
    "satellite": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri, Maxar, Earthstar Geographics",
        "Satellite / صور فضائية",
    ),
}
_REGION_CENTER = (34.9, 40.6)  # the middle Euphrates, for an empty map
# --------------------------------------------------------------------------- drawing


def _types(counts: dict[str, int]) -> list[tuple[str, str, str]]:
    known = [t for t in EVENT_TYPES if t[0] in counts]
    names = {t[0] for t in EVENT_TYPES}
    return known + [(n, n, _OTHER_COLOUR) for n in sorted(set(counts) - names)]


def _dot(colour: str) -> str:
    return f'<span class="mapper-dot" style="background:{colour}"></span>'


_SCRIPTS = ("mapper-map.js", "mapper-grid.js")


class _MapperScript:
    """Factory for the MacroElement that loads mapper's JS/CSS and calls ``MapperMap.start``."""

    _template = ENV.from_string(
        "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>"
        "<script>{{ this.js }}</script>{% endmacro %}"
        "{% macro script(this, kwargs) %}MapperMap.start({{ this.config }});{% endmacro %}"
    )

    @classmethod
    def make(cls, config: dict[str, Any]) -> Any:
        from branca.element import MacroElement

        element = MacroElement()
        element._name = "MapperScript"
        element._template = cls._template
        js = "\n".join(offline.read_asset(f"mapper/{name}") for name in _SCRIPTS)
        js = js.replace("</", "<\\/")
        element.js = Markup(js)  # constant code shipped with mapper
        element.css = Markup(offline.read_asset("mapper/mapper-map.css").replace("</", "<\\/"))
        element.config = script_json(config)
        return element


def _new_map(tiles: str | None) -> folium.Map:
    import folium

    # Without a tile layer folium does not pass max_zoom on; MarkerCluster needs the map's.
    m = folium.Map(location=_REGION_CENTER, zoom_start=7, tiles=None, max_zoom=18, maxZoom=18)
    # Per instance, never on the class: only what mapper uses, all of it vendored.
    m.default_js = [(k, u) for k, u in folium.Map.default_js if k in ("leaflet", "jquery")]
    m.default_css = [(k, u) for k, u in folium.Map.default_css if k == "leaflet_css"]
    return m


def _add_tiles(m: folium.Map, tiles: str) -> None:
    import folium

    if tiles not in _TILES:
        raise ConfigError(f"tiles must be None, 'osm' or 'satellite', got {tiles!r}")
    url, attribution, name = _TILES[tiles]
    folium.TileLayer(url, attr=attribution, name=name, max_zoom=18).add_to(m)


def _basemap_labels(places: gpd.GeoDataFrame | None, bounds: list[float] | None) -> list[list[Any]]:
    rivers = json.loads((_basemap_dir() / "rivers.json").read_text(encoding="utf-8"))
    # Euphrates label on the river line, nearest the middle Euphrates.
    coords = [c for line in rivers["features"][0]["geometry"]["coordinates"] for c in line]
    lon, lat = min(coords, key=lambda c: (c[0] - 40.45) ** 2 + (c[1] - 35.05) ** 2)
    labels: list[list[Any]] = [
        [lat, lon, "الفرات · Euphrates", "mapper-river"],
        [35.6, 38.6, "سوريا · Syria", "mapper-country"],
        [33.6, 42.6, "العراق · Iraq", "mapper-country"],
    ]
    if places is None or len(places) == 0:
        return labels
    frame = (
        places.to_crs(4326) if places.crs is not None and places.crs.to_epsg() != 4326 else places
    )
    frame = frame[frame["kind"].astype(str).isin(["city", "town", "village"])]
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if bounds is not None:  # only towns near the incidents
        frame = frame.cx[bounds[0] - 1 : bounds[2] + 1, bounds[1] - 1 : bounds[3] + 1]
    for name_ar, name_en, point in zip(
        frame["name_ar"], frame["name_en"], frame.geometry, strict=True
    ):
        label = " · ".join(t for t in (text_value(name_ar), text_value(name_en)) if t)
        labels.append([round(point.y, 5), round(point.x, 5), label])
    return labels


def _basemap_dir() -> Path:
    from importlib.resources import files

    return Path(str(files("mapper.data") / "basemap"))


def _add_basemap(m: folium.Map) -> None:
    import folium

    group = folium.FeatureGroup(name="الخريطة الأساسية / offline base", control=True)
    styles = {
        "borders.json": {"color": "#6b6250", "weight": 1.5, "dashArray": "6 4", "opacity": 0.9},
        "rivers.json": {"color": "#5b9bd5", "weight": 2.5, "opacity": 0.9},
    }
    for name, style in styles.items():
        data = json.loads((_basemap_dir() / name).read_text(encoding="utf-8"))
        folium.GeoJson(
            data, style_function=lambda _f, s=style: s, interactive=False, control=False
        ).add_to(group)
    group.add_to(m)


def make_map(
    incidents: gpd.GeoDataFrame | str | PathLike[str],
    m: folium.Map | None = None,
    *,
    tiles: str | None = None,
    cluster: bool = True,
    heat: bool = True,
    timeline: bool = True,
    title: str | None = None,
    basemap: bool = True,
    places: gpd.GeoDataFrame | None = None,
    fast: bool | None = None,
    grid: bool | None = None,
) -> folium.Map:
    """Draw incidents on ``m`` (or a new offline map) and return it.

    Parameters
    ----------
    incidents:
        A GeoDataFrame with ACLED columns and Point(lon, lat) geometry, or a path to
        GeoJSON/GPKG/CSV/parquet.  Never modified; reprojected (on a copy) to EPSG:4326.
        Rows without a geometry are skipped, counted on the map and logged.
    tiles:
        ``None`` (no network; ``basemap`` lines instead), ``"osm"`` or ``"satellite"`` (web
        tiles: the only network use, chosen by the user).
    cluster, heat, timeline:
        Marker clustering (spiderfies incidents at one place), a heat layer (hidden until
        toggled), and the date filter.
    title:
        Shown in a box at the top right.
    basemap:
        With ``tiles=None``: the Euphrates, the international borders and labels.
    places:
        Gazetteer places (``name_ar``, ``name_en``, ``kind``, geometry) for faint town labels
        (e.g. ``Gazetteer.default().frame``); none when ``None``.
    fast:
        Build markers in the browser from JSON; default: above ``FAST_THRESHOLD`` incidents.
    grid:
        With ``fast`` and ``cluster``: cluster on a screen grid in the browser and draw only
        what is in view, instead of one Leaflet marker per incident (markercluster); default:
        above ``GRID_THRESHOLD`` incidents, where a marker per incident no longer fits in a
        page's time and memory.

    A map passed as ``m`` keeps its own assets; saving it offline raises ``RenderError`` when
    one of them is not vendored (e.g. awesome-marker icons).
    """
    import folium
    from folium.plugins import Fullscreen

    gdf = load_incidents(incidents)
    keep, lat, lon = located(gdf)
    skipped = len(gdf) - len(keep)
    if skipped:
        log.info("%d incident(s) without a location were not drawn", skipped)
    if m is None:
        m = _new_map(tiles)
    elif not isinstance(m, folium.Map):
        raise TypeError(f"m must be a folium.Map, not {type(m).__name__}")
    if tiles is not None:
        _add_tiles(m, tiles)
    elif basemap:
        _add_basemap(m)
    use_json = len(keep) > FAST_THRESHOLD if fast is None else fast
    use_grid = use_json and cluster and (len(keep) > GRID_THRESHOLD if grid is None else grid)
    counts = type_counts(gdf, keep)
    types = _types(counts)
    type_index = {name: i for i, (name, _ar, _colour) in enumerate(types)}
    config, container = _layers(
        m, types, counts, cluster=cluster and not use_grid, heat=heat and len(keep) > 0
    )
    config.update(
        skipped=skipped, title=title or "", timeline=timeline, offlineBase=tiles is None,
        towns=None, townPane="mapperLabels", data=None, markers=None, grid=use_grid,
    )  # fmt: skip
    if use_json:
        config["data"] = add_data_block(m, columns(gdf, keep, lat, lon, type_index))
    else:
        rows = dict_rows(gdf, keep, lat, lon)
        config["markers"] = _add_markers(rows, types, type_index, container)
    bounds = None
    if len(keep):
        bounds = [float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())]
        m.fit_bounds(
            [[bounds[1], bounds[0]], [bounds[3], bounds[2]]], max_zoom=12, padding=(30, 30)
        )
    if tiles is None and basemap:
        folium.map.CustomPane("mapperLabels", z_index=450, pointer_events=False).add_to(m)
        config["towns"] = _basemap_labels(places, bounds)
    Fullscreen(position="topleft").add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.add_child(_MapperScript.make(config))
    return m


def _layers(
    m: folium.Map, types: list[tuple[str, str, str]], counts: dict[str, int], *, cluster: bool,
    heat: bool,
) -> tuple[dict[str, Any], Any]:  # fmt: skip
    """One toggle group per type, the marker container and the (empty) heat layer: their
    names for ``mapper-map.js``, and the container."""
    import folium
    from folium.plugins import HeatMap, MarkerCluster

    groups = []
    for name, ar, colour in types:
        label = f'<span class="mapper-swatch" style="background:{colour}"></span> '
        label += popup_safe(html.escape(f"{ar} / {name} ({counts[name]})"))  # Leaflet: innerHTML
        groups.append(folium.FeatureGroup(name=label, overlay=True, control=True).add_to(m))
    if cluster:
        container = MarkerCluster(control=False, options={"chunkedLoading": True}).add_to(m)
    else:
        container = folium.FeatureGroup(control=False).add_to(m)
    heat_layer = None
    if heat:  # points come from the JS filter, so none are embedded twice
        heat_layer = HeatMap([], name="كثافة الأحداث / heat map", show=False, radius=18)
        heat_layer.add_to(m)
    config = {
        "map": m.get_name(),
        "container": container.get_name(),
        "heat": heat_layer.get_name() if heat_layer is not None else None,
        "types": [
            {"name": n, "ar": ar, "color": c, "group": g.get_name()}
            for (n, ar, c), g in zip(types, groups, strict=True)
        ],
    }
    return config, container


def _add_markers(
    rows: list[dict[str, Any]],
    types: list[tuple[str, str, str]],
    type_index: dict[str, int],
    container: Any,
) -> list[list[Any]]:
    """One folium Marker per incident; returns the index ``mapper-map.js`` filters on."""
    import folium

    index = []
    for r in rows:
        t = type_index[text_value(r.get("event_type"))]
        icon = folium.DivIcon(
            html=_dot(types[t][2]), class_name="mapper-marker", icon_size=(14, 14)
        )
        popup = folium.Popup(popup_html(r), max_width=360)
        marker = folium.Marker([r["_lat"], r["_lon"]], icon=icon, popup=popup).add_to(container)
        index.append([
            marker.get_name(), t, text_value(r.get("event_date")) or None,
            text_value(r.get("location_ar")), text_value(r.get("location")),
        ])  # fmt: skip
    return index


def render_html(m: folium.Map, *, offline_assets: bool = True) -> str:
    """The page of ``m`` as a string, self-contained unless ``offline_assets=False``."""
    page = m.get_root().render()
    return offline.make_offline(page) if offline_assets else page


def save_map(
    m: folium.Map,
    path: str | PathLike[str],
    *,
    offline: bool = True,
    assets_dir: str | PathLike[str] | None = None,
) -> Path:
    """Write ``m`` as HTML; offline (default) it needs no network: assets are inlined, or
    copied into ``assets_dir`` and linked relatively.  Returns the path written."""
    from mapper import offline as offline_module

    path = Path(path)
    page = m.get_root().render()
    if offline:
        page = offline_module.make_offline(page, assets_dir=assets_dir, html_dir=path.parent)
    elif assets_dir is not None:
        raise ConfigError("assets_dir needs offline=True")
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as err:
        raise RenderError(f"{path}: cannot write map: {err}") from err
    return path


class MapView:
    """Jupyter display of a map: an offline, self-contained ``<iframe srcdoc>`` in a ``<div>``."""

    def __init__(self, m: folium.Map, *, height: int = 600) -> None:
        self.map = m
        self.height = int(height)

    def _repr_html_(self) -> str:
        page = render_html(self.map)
        return (
            f'<div class="mapper-view" style="width:100%;height:{self.height}px;">'
            f'<iframe srcdoc="{html.escape(page, quote=True)}" '
            'style="width:100%;height:100%;border:none;" '
            'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" '
            "allowfullscreen></iframe></div>"
        )
