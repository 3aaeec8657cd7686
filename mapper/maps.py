"""Incidents (a GeoDataFrame) -> an interactive folium map that works offline.

``make_map`` works like ``GeoDataFrame.explore``: it draws on ``m`` (or a new map) and returns
it.  One toggleable layer per ACLED event type (colour + legend), clustering, a heat layer, a
time filter over ``event_date`` (undated incidents stay visible and are counted), place search
(Arabic and English), scale bar and fullscreen.  ``save_map`` writes a self-contained page and
``MapView`` shows one in Jupyter.

Two renderings, one look: up to ``FAST_THRESHOLD`` incidents each gets a folium ``Marker`` whose
popup is built here; above it the rows go in once as compact JSON and the constant callback in
``assets/mapper/mapper-map.js`` builds markers and popups in the browser (the model is folium's
``FastMarkerCluster``).  Safety: popup HTML is built by an autoescaping Jinja2 template and then
passed through :func:`popup_safe`, since folium embeds it in a JS template literal; data enters
scripts only through :func:`script_json`.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from mapper import offline
from mapper.errors import ConfigError, InputError, RenderError

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

__all__ = [
    "EVENT_TYPES",
    "FAST_THRESHOLD",
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
_TIME_WORDS = {
    1: "اليوم محدد / exact day",
    2: "ضمن أسبوع / within a week",
    3: "ضمن شهر / within a month",
}
_GEO_WORDS = {
    1: "في المكان نفسه / at the place",
    2: "قرب المكان أو في محيطه / near the place",
    3: "منطقة أوسع فقط / wider area only",
}
_TILES = {
    "osm": ("OpenStreetMap", None, "OpenStreetMap / خريطة الشارع المفتوحة"),
    "satellite": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri, Maxar, Earthstar Geographics",
        "Satellite / صور فضائية",
    ),
}
_REGION_CENTER = (34.9, 40.6)  # the middle Euphrates, for an empty map
_LATIN = re.compile(r"[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*")
# ` $ \ break folium's JS template literal; { } because folium re-parses each rendered script
# as a Jinja2 template (branca ``Element(text)``), so a report's "{{7*7}}" would be evaluated.
_LITERAL_UNSAFE = str.maketrans(
    {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
)
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")
_SCRIPT_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def bidi(value: object) -> Markup:
    """Escape ``value`` and isolate each run of Latin letters, digits and ASCII signs in <bdi>."""
    text, out, last = str(value), [], 0
    for match in _LATIN.finditer(text):
        out += [html.escape(text[last : match.start()]), f"<bdi>{html.escape(match[0])}</bdi>"]
        last = match.end()
    out.append(html.escape(text[last:]))
    return Markup("".join(out))


_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_ENV.filters["bidi"] = bidi
_POPUP = _ENV.from_string(
    '<div class="mapper-popup" dir="rtl" lang="ar">'
    '<div class="mp-place"><strong>{{ (p.place_ar or p.place_en)|bidi }}</strong>'
    '{% if p.place_en and p.place_ar %} <bdi lang="en">{{ p.place_en }}</bdi>{% endif %}</div>'
    "<div><b>التاريخ / date:</b> {% if p.date %}<bdi>{{ p.date }}</bdi>"
    "{% if p.time_words %} ({{ p.time_words }}){% endif %}"
    "{% else %}بلا تاريخ / undated{% endif %}</div>"
    "<div><b>النوع / type:</b> <bdi>{{ p.type }}</bdi>"
    "{% if p.sub %} — {{ p.sub|bidi }}{% endif %}</div>"
    "{% if p.actors %}<div><b>الأطراف / actors:</b> "
    "{% for a in p.actors %}{{ a|bidi }}{% if not loop.last %} ، {% endif %}{% endfor %}"
    "</div>{% endif %}"
    "<div><b>القتلى / fatalities:</b> {% if p.fatalities is none %}غير معروف / unknown"
    "{% else %}<bdi>{{ p.fatalities }}</bdi>{% endif %}</div>"
    '{% if p.claims %}<ul class="mp-claims">{% for party, kind, n in p.claims %}'
    "<li>{{ party|bidi }}: {% if kind == 'denial' %}نفى / denied{% else %}ادّعى / claimed"
    "{% endif %}{% if n is not none %} <bdi>{{ n }}</bdi>{% endif %}</li>{% endfor %}</ul>"
    "{% endif %}"
    "{% if p.geo_words %}<div><b>دقة الموقع / location precision:</b> {{ p.geo_words }}"
    "</div>{% endif %}"
    '{% if p.ev[0] or p.ev[1] or p.ev[2] %}<blockquote class="mp-evidence">{{ p.ev[0] }}'
    "{% if p.ev[1] %}<mark>{{ p.ev[1] }}</mark>{% endif %}{{ p.ev[2] }}</blockquote>{% endif %}"
    "{% if p.source or p.url %}<div><b>المصدر / source:</b> "
    '{% if p.web_url %}<a href="{{ p.web_url }}" target="_blank" rel="noopener noreferrer">'
    "{{ (p.source or p.url)|bidi }}</a>{% else %}{{ (p.source or p.url)|bidi }}{% endif %}"
    "</div>{% endif %}</div>"
)


def popup_safe(markup: str) -> str:
    """Make escaped HTML safe for folium: `` ` `` ``$`` ``\\`` ``{`` ``}`` -> entities.

    folium 0.20 puts popup HTML in `` $(`...`) ``: a report's ``${...}`` would run as JS and a
    stray backslash breaks the page.  folium also re-parses every rendered script as a Jinja2
    template, so ``{{...}}`` would be evaluated on the server.  As entities they render as the
    same characters.
    """
    return str(markup).translate(_LITERAL_UNSAFE)


def script_json(value: Any) -> Markup:
    """JSON that is safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # JSON never has "{{", "{%" or "{#" outside a string: escaping them keeps folium's second
    # Jinja2 pass from evaluating data.
    return Markup(_JINJA_OPEN.sub(r"\\u007b", text.translate(_SCRIPT_UNSAFE)))


def web_url(url: object) -> str | None:
    """``url`` when it is an http(s) URL that may become a link; ``None`` otherwise."""
    if not isinstance(url, str) or not re.fullmatch(r"(?i)https?://\S+", url.strip()):
        return None
    return url.strip()


def popup_html(row: Mapping[str, Any]) -> str:
    """The popup of one incident row (ACLED column names), escaped and literal-safe."""
    return popup_safe(_POPUP.render(p=_popup_fields(row)))


def _text(value: object) -> str:
    return "" if _missing(value) else str(value)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _int(value: object) -> int | None:
    return None if _missing(value) or value == "" else int(value)  # type: ignore[call-overload]


def _evidence_parts(row: Mapping[str, Any]) -> tuple[str, str, str]:
    """The evidence sentence split around the place name (``mention_*`` are report offsets)."""
    evidence = _text(row.get("evidence"))
    ev_start, start, end = (
        _int(row.get(k)) for k in ("evidence_start", "mention_start", "mention_end")
    )
    if ev_start is None or start is None or end is None:
        return evidence, "", ""
    rel_start, rel_end = start - ev_start, end - ev_start
    if not 0 <= rel_start < rel_end <= len(evidence):
        return evidence, "", ""
    return evidence[:rel_start], evidence[rel_start:rel_end], evidence[rel_end:]


def _claims(row: Mapping[str, Any]) -> list[tuple[str, str, int | None]]:
    raw = row.get("claims")
    if _missing(raw) or raw == "":
        return []
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as err:
        raise InputError(f"not JSON: {raw!r} ({err})", field="claims") from err
    if not isinstance(items, list) or not all(isinstance(c, Mapping) for c in items):
        raise InputError(f"expected a JSON list of objects, got {raw!r}", field="claims")
    return [(_text(c.get("party")), _text(c.get("kind")), _int(c.get("fatalities"))) for c in items]


def _popup_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    date = _text(row.get("event_date"))
    return {
        "place_ar": _text(row.get("location_ar")),
        "place_en": _text(row.get("location")),
        "date": date,
        "time_words": _TIME_WORDS.get(_int(row.get("time_precision")) or 0, ""),
        "type": _text(row.get("event_type")),
        "sub": _text(row.get("sub_event_type")),
        "actors": [a for a in (_text(row.get("actor1")), _text(row.get("actor2"))) if a],
        "fatalities": _int(row.get("fatalities")),
        "claims": _claims(row),
        "geo_words": _GEO_WORDS.get(_int(row.get("geo_precision")) or 0, ""),
        "ev": _evidence_parts(row),
        "source": _text(row.get("source")),
        "url": _text(row.get("url")),
        "web_url": web_url(row.get("url")),
    }


# --------------------------------------------------------------------------- drawing


def _load(incidents: object) -> gpd.GeoDataFrame:
    """A GeoDataFrame in EPSG:4326 (a copy when reprojected; the input is never changed)."""
    import geopandas as gpd

    if isinstance(incidents, str | PathLike):
        path = Path(incidents)
        if not path.is_file():
            raise InputError("no such file", path=path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            import pandas as pd

            table = pd.read_csv(path, dtype={"event_date": str})
            for column in ("longitude", "latitude"):
                if column not in table:
                    raise InputError(
                        "CSV has no longitude/latitude columns", path=path, field=column
                    )
            points = gpd.points_from_xy(table["longitude"], table["latitude"])
            incidents = gpd.GeoDataFrame(table, geometry=points, crs="EPSG:4326")
        elif suffix == ".parquet":
            incidents = gpd.read_parquet(path)
        else:
            incidents = gpd.read_file(path)
    if not isinstance(incidents, gpd.GeoDataFrame):
        raise TypeError(
            f"incidents must be a GeoDataFrame or a path, not {type(incidents).__name__}"
        )
    if incidents.crs is None:
        raise InputError("incidents have no CRS; set one (EPSG:4326 for lon/lat)", field="geometry")
    return incidents if incidents.crs.to_epsg() == 4326 else incidents.to_crs(4326)


def _rows(gdf: gpd.GeoDataFrame) -> tuple[list[dict[str, Any]], int]:
    """Plain dict rows (lat/lon from the geometry) and the number skipped for lacking one."""
    geometry = gdf.geometry
    valid = (~(geometry.isna() | geometry.is_empty)).to_numpy()
    xs = geometry.x.where(valid).to_numpy() if valid.any() else []
    ys = geometry.y.where(valid).to_numpy() if valid.any() else []
    table = gdf.drop(columns=gdf.geometry.name)
    columns = {c: table[c].astype(object).where(table[c].notna(), None).tolist() for c in table}
    rows = []
    for i in range(len(gdf)):
        if not valid[i] or not (math.isfinite(xs[i]) and math.isfinite(ys[i])):
            continue
        row = {c: values[i] for c, values in columns.items()}
        row["_lat"], row["_lon"] = float(ys[i]), float(xs[i])
        rows.append(row)
    return rows, len(gdf) - len(rows)


def _types(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    present = {_text(r.get("event_type")) for r in rows}
    known = [t for t in EVENT_TYPES if t[0] in present]
    names = {t[0] for t in EVENT_TYPES}
    return known + [(n, n, _OTHER_COLOUR) for n in sorted(present - names)]


def _dot(colour: str) -> str:
    return f'<span class="mapper-dot" style="background:{colour}"></span>'


class _Interner:
    """A string table: rows carry indices, each distinct string is written once (0 is "")."""

    def __init__(self) -> None:
        self.strings: list[str] = [""]
        self._index: dict[str, int] = {"": 0}

    def __call__(self, value: object) -> int:
        text = _text(value)
        index = self._index.get(text)
        if index is None:
            index = self._index[text] = len(self.strings)
            self.strings.append(text)
        return index


def _compact_rows(rows: list[dict[str, Any]], type_index: dict[str, int]) -> dict[str, Any]:
    """The rows as the arrays ``mapper-map.js`` (``rowToPopup``) reads, with a string table."""
    s = _Interner()
    out = []
    for r in rows:
        before, mark, after = _evidence_parts(r)
        claims = [[s(p), int(k == "denial"), n] for p, k, n in _claims(r)]
        out.append([
            round(r["_lat"], 6), round(r["_lon"], 6), type_index[_text(r.get("event_type"))],
            s(r.get("event_date")), _int(r.get("time_precision")) or 0, s(r.get("sub_event_type")),
            s(r.get("actor1")), s(r.get("actor2")), _int(r.get("fatalities")),
            s(r.get("location_ar")), s(r.get("location")), _int(r.get("geo_precision")) or 0,
            s(before), s(mark), s(after), s(r.get("source")), s(web_url(r.get("url"))),
            claims or 0,
        ])  # fmt: skip
    return {"rows": out, "strings": s.strings}


class _MapperScript:
    """Factory for the MacroElement that loads mapper's JS/CSS and calls ``MapperMap.start``."""

    _template = _ENV.from_string(
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
        js = offline.read_asset("mapper/mapper-map.js").replace("</", "<\\/")
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
        label = " · ".join(t for t in (_text(name_ar), _text(name_en)) if t)
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

    A map passed as ``m`` keeps its own assets; saving it offline raises ``RenderError`` when
    one of them is not vendored (e.g. awesome-marker icons).
    """
    import folium
    from folium.plugins import Fullscreen, HeatMap, MarkerCluster

    gdf = _load(incidents)
    rows, skipped = _rows(gdf)
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
    types = _types(rows)
    type_index = {name: i for i, (name, _ar, _colour) in enumerate(types)}
    groups = []
    for name, ar, colour in types:
        count = sum(1 for r in rows if _text(r.get("event_type")) == name)
        label = f'<span class="mapper-swatch" style="background:{colour}"></span> '
        label += popup_safe(html.escape(f"{ar} / {name} ({count})"))  # Leaflet: innerHTML
        groups.append(folium.FeatureGroup(name=label, overlay=True, control=True).add_to(m))
    if cluster:
        container = MarkerCluster(control=False, options={"chunkedLoading": True}).add_to(m)
    else:
        container = folium.FeatureGroup(control=False).add_to(m)
    heat_layer = None
    if heat and rows:  # points come from the JS filter, so none are embedded twice
        heat_layer = HeatMap([], name="كثافة الأحداث / heat map", show=False, radius=18)
        heat_layer.add_to(m)
    config: dict[str, Any] = {
        "map": m.get_name(),
        "container": container.get_name(),
        "heat": heat_layer.get_name() if heat_layer is not None else None,
        "types": [
            {"name": n, "ar": ar, "color": c, "group": g.get_name()}
            for (n, ar, c), g in zip(types, groups, strict=True)
        ],
        "skipped": skipped,
        "title": title or "",
        "timeline": timeline,
        "offlineBase": tiles is None,
        "towns": None,
        "townPane": "mapperLabels",
        "rows": None,
        "markers": None,
    }
    use_json = len(rows) > FAST_THRESHOLD if fast is None else fast
    if use_json:
        config.update(_compact_rows(rows, type_index))
    else:
        config["markers"] = _add_markers(rows, types, type_index, container)
    bounds = None
    if rows:
        lats, lons = [r["_lat"] for r in rows], [r["_lon"] for r in rows]
        bounds = [min(lons), min(lats), max(lons), max(lats)]
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
        t = type_index[_text(r.get("event_type"))]
        icon = folium.DivIcon(
            html=_dot(types[t][2]), class_name="mapper-marker", icon_size=(14, 14)
        )
        popup = folium.Popup(popup_html(r), max_width=360)
        marker = folium.Marker([r["_lat"], r["_lon"]], icon=icon, popup=popup).add_to(container)
        index.append([
            marker.get_name(), t, _text(r.get("event_date")) or None,
            _text(r.get("location_ar")), _text(r.get("location")),
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
