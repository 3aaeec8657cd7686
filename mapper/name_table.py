"""The spotter's name table: every key its automaton matches, and what that key decides.

Gazetteer names (with generated variants), the bare names of admin units (``محافظة دير الزور``
is also called ``دير الزور``), fixed area phrases (``area_phrases.tsv``), blocker phrases
(``blockers.tsv``) and the nouns that head names the gazetteer lacks are merged here into one
:class:`Term` per normalized key, when the spotter is built: whether the key blocks, its
candidates (best first by the gazetteer prior), whether it may be read after a proclitic, whether
it is also a channel's name or a common word (``common_word_names.tsv``).  Spotting a text then
reads these fields instead of working them out again for every hit.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass

from .gazetteer import Gazetteer, generate_variants, in_home_region
from .lexicons import read_table, terms_of
from .models import PlaceKind
from .normalize import normalize_name

__all__ = ["Term", "build_terms"]

_BLOCK = "block"
_PLACE = "place"
_AREA = "area"
_SHORT_NAME = 4  # letters
_BIG_CITY = 1_000_000


@dataclass(frozen=True, slots=True)
class Term:
    """Everything the spotter needs to know about one matched key, decided when it is built."""

    ids: tuple[str, ...]  # candidates best first (for an area phrase: its fixed place)
    place: bool = True  # a name, area phrase or blocker (else only a head noun)
    head: bool = False  # a place or landmark noun that may head a name the gazetteer lacks
    block: bool = False  # an outlet, armed group, operation...: never a place
    fixed: bool = False  # an area phrase
    clitic_ok: bool = True  # may be read after a proclitic
    channel: bool = False  # also a channel's name
    needs: str = ""  # a common word too: the context that makes it a world place (or '')
    home_ids: tuple[str, ...] = ()  # with ``needs``: the candidates kept without that context


def build_terms(gazetteer: Gazetteer, heads: Set[str]) -> list[tuple[str, Term]]:
    """One :class:`Term` per normalized key: gazetteer names, bare admin names, area phrases,
    blockers and the ``heads`` of unknown names merged, so the per-hit work is a field read."""
    found: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for key, ids in [*gazetteer.names(), *_admin_bare_names(gazetteer)]:
        found.setdefault(key, []).append((_PLACE, ids))
    for row in read_table("area_phrases.tsv"):
        if row["place_id"] in gazetteer:
            found.setdefault(normalize_name(row["term"]), []).append((_AREA, (row["place_id"],)))
    for term in terms_of(read_table("blockers.tsv")):
        found.setdefault(normalize_name(term), []).append((_BLOCK, ()))
    needs = {normalize_name(r["term"]): r["needs"] for r in read_table("common_word_names.tsv")}
    channels = {
        normalize_name(r["term"]) for r in read_table("channels.tsv") if r["role"] == "name"
    }
    entries = []
    for key, payloads in found.items():
        kinds = {kind for kind, _ in payloads}
        fixed = _AREA in kinds
        ids = _merge_ids(payloads, _AREA if fixed else _PLACE)
        term = Term(
            ids=ids,
            block=_BLOCK in kinds,
            fixed=fixed,
            clitic_ok=fixed or _clitic_ok(gazetteer, key, ids),
            channel=key in channels,
            needs=needs.get(key, ""),
            home_ids=_home_ids(gazetteer, ids) if key in needs else (),
            head=key in heads,
        )
        entries.append((key, term))
    entries += [(key, Term(ids=(), place=False, head=True)) for key in heads - found.keys()]
    return entries


def _home_ids(gazetteer: Gazetteer, ids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(i for i in ids if in_home_region(gazetteer.get(i)))  # type: ignore[arg-type]


def _clitic_ok(gazetteer: Gazetteer, key: str, ids: tuple[str, ...]) -> bool:
    """A short foreign name with a proclitic is more often another word (باردو is not
    ب + اردو, Ordu): keep such a reading only for home places, countries and big cities."""
    if len(key) > _SHORT_NAME:
        return True
    for place in filter(None, map(gazetteer.get, ids)):
        if in_home_region(place) or place.kind in (PlaceKind.COUNTRY, PlaceKind.REGION):
            return True
        if (place.population or 0) >= _BIG_CITY:
            return True
    return False


def _merge_ids(payloads: Sequence[tuple[str, object]], want: str) -> tuple[str, ...]:
    out: list[str] = []
    for kind, ids in payloads:
        if kind == want:
            out += [i for i in ids if i not in out]  # type: ignore[attr-defined]
    return tuple(out)


def _admin_bare_names(gazetteer: Gazetteer) -> list[tuple[str, tuple[str, ...]]]:
    """Admin units named '<noun> X' (محافظة دير الزور) are also called X (weak names)."""
    prefixes = [
        normalize_name(r["term"])
        for r in read_table("place_nouns.tsv")
        if r["admin_prefix"] == "yes"
    ]
    out: dict[str, list[str]] = {}
    for place in gazetteer:
        for name in (place.name_ar, *place.variants_ar):
            key = normalize_name(name)
            for prefix in prefixes:
                if key.startswith(prefix + " "):
                    for bare in generate_variants(key[len(prefix) + 1 :]):
                        ids = out.setdefault(bare, [])
                        if place.place_id not in ids:
                            ids.append(place.place_id)
    return [(k, tuple(v)) for k, v in out.items()]
