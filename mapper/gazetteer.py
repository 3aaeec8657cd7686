"""The gazetteer: places, their Arabic and English names, and fast lookups.

The bundled data lives in ``data/gazetteer/`` (installed as ``mapper.data``):
``places.csv`` (Deir ez-Zor, hand-compiled with a source per row) and ``world.csv`` (countries,
capitals and major cities generated from GeoNames and CLDR).  Both share one schema
(:data:`COLUMNS`); a user file with the same columns can be added (it overrides rows with the
same ``place_id``).

Names are matched in normalized form (:func:`mapper.normalize.normalize_name`).  Besides the
listed variants, :func:`generate_variants` derives the systematic ones (article on/off, joined
``ديرالزور`` forms); ة/ه, ى/ي, hamza, harakat and tatweel differences are absorbed by the
normalizer itself.

When several places share a name, :meth:`Gazetteer.lookup` returns all of them, best first by
:func:`prior`: places in Deir ez-Zor governorate (and its border area) first, then by kind
(settlements before quarters and landmarks, admin units after), then population, then id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import GazetteerError
from .models import Place, PlaceKind
from .normalize import normalize_name
from .places_csv import COLUMNS, read_places, row_of

if TYPE_CHECKING:
    import geopandas

__all__ = [
    "COLUMNS",
    "Gazetteer",
    "generate_variants",
    "haversine_km",
    "prior",
    "read_places",
]

BUNDLED = ("places.csv", "world.csv")
HOME_ADMIN1 = "Deir ez-Zor"
# Deir ez-Zor governorate and the al-Qa'im border area: the study region's bounding box.
HOME_BBOX = (33.5, 38.5, 36.5, 42.0)  # south, west, north, east
POINT_KINDS = frozenset(
    {
        PlaceKind.CITY,
        PlaceKind.TOWN,
        PlaceKind.VILLAGE,
        PlaceKind.NEIGHBOURHOOD,
        PlaceKind.LANDMARK,
        PlaceKind.OILFIELD,
        PlaceKind.CROSSING,
    }
)
_KIND_RANK = {
    PlaceKind.CITY: 0,
    PlaceKind.TOWN: 1,
    PlaceKind.VILLAGE: 2,
    PlaceKind.GOVERNORATE: 3,
    PlaceKind.COUNTRY: 3,
    PlaceKind.NEIGHBOURHOOD: 4,
    PlaceKind.LANDMARK: 5,
    PlaceKind.OILFIELD: 5,
    PlaceKind.CROSSING: 5,
    PlaceKind.DISTRICT: 6,
    PlaceKind.SUBDISTRICT: 7,
    PlaceKind.REGION: 8,
    PlaceKind.RIVER: 8,
}
_ARTICLE = "ال"
_ADMIN_KINDS = frozenset({PlaceKind.SUBDISTRICT, PlaceKind.DISTRICT, PlaceKind.GOVERNORATE})
_ADMIN_SUFFIXES = (" Subdistrict", " District", " Governorate")
_SEAT_KINDS = frozenset({PlaceKind.CITY, PlaceKind.TOWN, PlaceKind.VILLAGE})
_JOINABLE_MAX = 3  # a first word this short is often written joined: دير الزور → ديرالزور
_EN_ARTICLES = ("al-", "al ", "el-", "el ", "ad-", "ar-", "as-", "ash-", "az-", "at-")


def _data_dir() -> Path:
    return Path(str(resources.files("mapper.data").joinpath("gazetteer")))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres on a sphere of radius 6371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def in_home_region(place: Place) -> bool:
    """Is the place in Deir ez-Zor governorate or its border area?"""
    if place.admin1 == HOME_ADMIN1:
        return True
    if place.lat is None or place.lon is None:
        return False
    s, w, n, e = HOME_BBOX
    return s <= place.lat <= n and w <= place.lon <= e


def prior(place: Place) -> tuple[int, int, int, str]:
    """Sort key of the documented prior: home region, kind, population (desc), id."""
    return (
        0 if in_home_region(place) else 1,
        _KIND_RANK.get(place.kind, 9),
        -(place.population or 0),
        place.place_id,
    )


def generate_variants(name: str, *, drop_article: bool = True) -> set[str]:
    """Normalized spellings of ``name`` that news text uses besides the name itself.

    * the article ``ال`` dropped from any of the first three words (``الباغوز`` → ``باغوز``),
      and added to a later word when the first has it, as Arabic agreement writes it
      (``الباغوز فوقاني`` → ``الباغوز الفوقاني``).  It is never added to a bare name: ``موحسن``
      and ``الموحسن`` are different villages;
    * a two-or-more-word name whose first word has at most three letters also joined
      (``دير الزور`` → ``ديرالزور``, ``أبو كمال`` → ``ابوكمال``);
    * Latin names: lower case, with and without a leading article (``al-``, ``el-``...) and with
      hyphens as spaces.

    ``drop_article=False`` keeps the article: world names come from GeoNames unchecked, and
    without it many are common words (``الجديدة`` → ``جديدة``, "new").
    """
    base = normalize_name(name)
    if not base:
        return set()
    if not _is_arabic(base):
        return _latin_variants(base)
    words = base.split(" ")
    forms = {tuple(words)}
    for i in [*range(min(3, len(words))), 0]:  # article agreement first, then drop it again
        toggled = set()
        for form in forms:
            w = form[i]
            if drop_article and w.startswith(_ARTICLE) and len(w) > 4:
                toggled.add((*form[:i], w[2:], *form[i + 1 :]))
            elif i > 0 and form[0].startswith(_ARTICLE) and len(w) >= 3:
                toggled.add((*form[:i], _ARTICLE + w, *form[i + 1 :]))
        forms |= toggled
    out = {" ".join(f) for f in forms}
    for form in list(out):
        parts = form.split(" ")
        if len(parts) >= 2 and len(parts[0]) <= _JOINABLE_MAX and len(parts[1]) >= 3:
            out.add(" ".join([parts[0] + parts[1], *parts[2:]]))
    return out


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in text)


def _latin_variants(base: str) -> set[str]:
    out = {base, base.replace("-", " ")}
    for art in _EN_ARTICLES:
        if base.startswith(art) and len(base) > len(art) + 2:
            rest = base[len(art) :]
            out |= {rest, rest.replace("-", " ")}
    return {v.strip() for v in out if v.strip()}


class Gazetteer:
    """Places by id and by any normalized name; see the module docstring for the prior.

    Parameters
    ----------
    places:
        The entries; a later place with the same ``place_id`` replaces an earlier one.
    """

    def __init__(self, places: Iterable[Place]) -> None:
        by_id: dict[str, Place] = {}
        for place in places:
            if not isinstance(place, Place):
                raise TypeError(f"expected Place, got {type(place).__name__}")
            by_id[place.place_id] = place
        self._by_id = by_id
        self._by_name_en: dict[str, list[Place]] = {}
        for place in by_id.values():
            self._by_name_en.setdefault(place.name_en.lower(), []).append(place)
        index: dict[str, list[str]] = {}
        listed: dict[str, set[str]] = {}
        for place in by_id.values():
            for name in (place.name_ar, *place.variants_ar, place.name_en, *place.variants_en):
                listed.setdefault(normalize_name(name).lower(), set()).add(place.place_id)
            for key in self.names_of(place):
                ids = index.setdefault(key, [])
                if place.place_id not in ids:
                    ids.append(place.place_id)
        for key, ids in index.items():
            # a listed name beats a generated one: الموحسن (Abu al-Hasan) without its article
            # is not another name of موحسن's neighbour, it is موحسن (Muhasan)
            # (within the home region, whose names are hand-checked; a world city keeps
            # competing with a home village for a shared spelling: سوسة)
            owners = listed.get(key)
            if owners and any(in_home_region(by_id[o]) for o in owners):
                ids[:] = [i for i in ids if i in owners or not in_home_region(by_id[i])]
        self._index = {
            k: tuple(sorted(v, key=lambda pid: prior(by_id[pid]))) for k, v in index.items()
        }

    # construction -------------------------------------------------------------------------
    @classmethod
    def from_csv(cls, *paths: str | Path) -> Gazetteer:
        """Load gazetteer CSVs in order (later rows override earlier ones with the same id).

        Raises the first :class:`GazetteerError` found; use :func:`check_files` to list all.
        """
        places: list[Place] = []
        for path in paths:
            for _, item in read_places(Path(path)):
                if isinstance(item, GazetteerError):
                    raise item
                places.append(item)
        return cls(places)

    @classmethod
    def default(cls, extra: Sequence[str | Path] = ()) -> Gazetteer:
        """The bundled gazetteer, plus user files in ``extra`` (cached per ``extra``)."""
        return _default(tuple(str(p) for p in extra))

    # lookups ------------------------------------------------------------------------------
    @staticmethod
    def names_of(place: Place) -> set[str]:
        """Every normalized name of ``place``: listed and generated variants, both scripts."""
        names: set[str] = set()
        home = in_home_region(place)
        for name in (place.name_ar, *place.variants_ar, place.name_en, *place.variants_en):
            if name:
                names |= generate_variants(name, drop_article=home)
        return names

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Place]:
        return iter(self._by_id.values())

    def __contains__(self, place_id: object) -> bool:
        return place_id in self._by_id

    def get(self, place_id: str) -> Place | None:
        """The place with this id, or ``None``."""
        return self._by_id.get(place_id)

    def lookup(self, name: str) -> list[Place]:
        """Places called ``name`` (any script, variant or clitic-free spelling), best first."""
        if not isinstance(name, str):
            raise TypeError(f"lookup() expects str, got {type(name).__name__}")
        key = normalize_name(name)
        ids = self._index.get(key, ())
        if not ids:
            ids = self._index.get(key.lower(), ())
        return [self._by_id[i] for i in ids]

    def names(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """``(normalized name, place ids best first)`` for every name in the index."""
        return iter(self._index.items())

    def ancestors(self, place_id: str) -> list[Place]:
        """The parent chain of a place, nearest first (cycles are cut)."""
        out: list[Place] = []
        seen = {place_id}
        place = self._by_id.get(place_id)
        while place is not None and place.parent and place.parent not in seen:
            seen.add(place.parent)
            place = self._by_id.get(place.parent)
            if place is not None:
                out.append(place)
        return out

    def located(self, place_id: str) -> tuple[Place, int] | None:
        """The place itself if it has a point, else its nearest ancestor with one (an admin
        unit without a point stands for its seat, see :meth:`seat_of`).

        Returns ``(place, steps)``: ``steps`` is 0 for the place itself, 1 for its parent...
        """
        place = self._by_id.get(place_id)
        if place is None:
            return None
        if place.has_point:
            return place, 0
        seat = self.seat_of(place_id)
        if seat is not None:
            return seat, 1
        for steps, anc in enumerate(self.ancestors(place_id), 1):
            if anc.has_point:
                return anc, steps
            seat = self.seat_of(anc.place_id)
            if seat is not None:
                return seat, steps
        return None

    def seat_of(self, place_id: str) -> Place | None:
        """The located settlement an admin unit is named after (its seat), if any.

        Syrian and Iraqi admin units carry their seat's name (``Muhasan Subdistrict`` →
        ``Muhasan``, ``Deir ez-Zor Governorate`` → ``Deir ez-Zor``); the seat must lie inside
        the unit (have it among its ancestors) or share its governorate.
        """
        unit = self._by_id.get(place_id)
        if unit is None or unit.kind not in _ADMIN_KINDS:
            return None
        base = unit.name_en
        for suffix in _ADMIN_SUFFIXES:
            base = base.removesuffix(suffix)
        for place in self._by_name_en.get(base.strip().lower(), ()):
            if place.kind in _SEAT_KINDS and place.has_point:
                inside = any(a.place_id == place_id for a in self.ancestors(place.place_id))
                if inside or (unit.admin1 and place.admin1 == unit.admin1):
                    return place
        return None

    def near(self, lat: float, lon: float, km: float) -> list[tuple[Place, float]]:
        """Places with a point within ``km`` of (lat, lon), nearest first, with distances."""
        hits = []
        for place in self._by_id.values():
            if place.lat is None or place.lon is None:
                continue
            d = haversine_km(lat, lon, place.lat, place.lon)
            if d <= km:
                hits.append((place, d))
        hits.sort(key=lambda pd: (pd[1], pd[0].place_id))
        return hits

    def nearest(self, lat: float, lon: float) -> tuple[Place, float] | None:
        """The closest place with a point, and its distance in km."""
        best: tuple[Place, float] | None = None
        for place in self._by_id.values():
            if place.lat is None or place.lon is None:
                continue
            d = haversine_km(lat, lon, place.lat, place.lon)
            if best is None or d < best[1]:
                best = (place, d)
        return best

    @cached_property
    def frame(self) -> geopandas.GeoDataFrame:
        """All places as a GeoDataFrame in EPSG:4326 (no geometry where no point is known)."""
        import geopandas
        import pandas

        rows = [row_of(p) for p in self._by_id.values()]
        df = pandas.DataFrame(rows, columns=list(COLUMNS))
        geometry = geopandas.points_from_xy(df["lon"], df["lat"], crs="EPSG:4326")
        gdf = geopandas.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326")
        gdf.loc[df["lat"].isna(), "geometry"] = None
        return gdf.set_index("place_id", drop=False)


@cache
def _default(extra: tuple[str, ...]) -> Gazetteer:
    data = _data_dir()
    paths = [data / name for name in BUNDLED if (data / name).exists()]
    return Gazetteer.from_csv(*paths, *extra)
