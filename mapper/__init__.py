"""mapper: Arabic-first geospatial incident mapper.

Arabic conflict reports in, ACLED-style incidents on an offline interactive map out::

    text -> normalized text -> mentions -> resolved places -> incidents
         -> GeoDataFrame -> GeoPackage / GeoJSON / CSV / GeoParquet -> folium map

Importing mapper does not import folium or geopandas; the map and frame functions load them
on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ConfigError, GazetteerError, InputError, MapperError, RenderError, StoreError
from .gazetteer import Gazetteer
from .models import Claim, Incident, Mention, Place, Report
from .normalize import NormalizedText, normalize
from .pipeline import Pipeline, extract, find_places

if TYPE_CHECKING:
    from .frame import to_frame
    from .geocoder import GazetteerGeocoder
    from .maps import MapView, make_map, save_map

__version__ = "0.1.0"

__all__ = [
    "Claim",
    "ConfigError",
    "Gazetteer",
    "GazetteerError",
    "GazetteerGeocoder",
    "Incident",
    "InputError",
    "MapView",
    "MapperError",
    "Mention",
    "NormalizedText",
    "Pipeline",
    "Place",
    "RenderError",
    "Report",
    "StoreError",
    "__version__",
    "extract",
    "find_places",
    "make_map",
    "normalize",
    "save_map",
    "to_frame",
]

_LAZY = {
    "to_frame": "frame",
    "GazetteerGeocoder": "geocoder",
    "make_map": "maps",
    "save_map": "maps",
    "MapView": "maps",
}


def __getattr__(name: str) -> Any:
    """Load the heavy parts (geopandas, folium, geopy) only when asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mapper' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
