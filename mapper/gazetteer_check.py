"""``mapper gazetteer check``: validate gazetteer files together and report coverage.

Kept apart from :mod:`mapper.gazetteer` because only the checker needs it: loading the
gazetteer at run time trusts rows that parsed, while the checker cross-examines them (duplicate
ids, unknown parents, variants that resolve elsewhere, names shared without being listed as
ambiguous, home-region points outside the region's box, point-kind places without a point).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import GazetteerError
from .gazetteer import HOME_ADMIN1, HOME_BBOX, POINT_KINDS, Gazetteer
from .models import Place
from .normalize import normalize_name
from .places_csv import read_places

__all__ = ["CheckReport", "check_files"]


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What :func:`check_files` found: errors (fatal), warnings and coverage figures."""

    errors: tuple[GazetteerError, ...]
    warnings: tuple[GazetteerError, ...]
    rows: int
    kinds: tuple[tuple[str, int, int], ...]  # (kind, rows, rows with a point)

    home_points: tuple[int, int] = (0, 0)  # home-region point-kind rows: (with a point, all)

    @property
    def point_coverage(self) -> float:
        """Share of home-region settlements, quarters and landmarks that have a point."""
        with_point, total = self.home_points
        return with_point / total if total else 0.0


def check_files(paths: Sequence[str | Path], *, ambiguous: Iterable[str] = ()) -> CheckReport:
    """Validate gazetteer files together; every problem is listed, nothing stops early.

    Errors: unreadable rows, duplicate ids, unknown parents, a variant that does not resolve to
    its own row, a name shared by places that are not listed in ``ambiguous`` (normalized
    names), a home-region place outside the region's box.  Warnings: a point-kind place without
    a point (it will be placed at its parent).
    """
    errors: list[GazetteerError] = []
    warnings: list[GazetteerError] = []
    places: list[tuple[Path, int, Place]] = []
    seen: dict[str, tuple[str, int]] = {}
    for raw in paths:
        path = Path(raw)
        try:
            rows = list(read_places(path))
        except GazetteerError as bad:
            errors.append(bad)
            continue
        for line, item in rows:
            if isinstance(item, GazetteerError):
                errors.append(item)
                continue
            if item.place_id in seen:
                first = seen[item.place_id]
                errors.append(
                    GazetteerError(
                        f"duplicate id {item.place_id!r} (first at {first[0]}:{first[1]})",
                        path=path.name,
                        line=line,
                        field="place_id",
                    )
                )
                continue
            seen[item.place_id] = (path.name, line)
            places.append((path, line, item))
    gaz = Gazetteer(p for _, _, p in places)
    allowed = {normalize_name(a) for a in ambiguous}
    for path, line, place in places:
        errors += _check_place(gaz, path, line, place, allowed)
        if place.kind in POINT_KINDS and not place.has_point:
            where = gaz.located(place.place_id)
            to = f"placed at {where[0].place_id}" if where else "no located parent"
            warnings.append(
                GazetteerError(f"no coordinate ({to})", path=path.name, line=line, field="lat")
            )
    kinds: dict[str, list[int]] = {}
    for _, _, p in places:
        counts = kinds.setdefault(p.kind.value, [0, 0])
        counts[0] += 1
        counts[1] += p.has_point
    home = [p for _, _, p in places if p.kind in POINT_KINDS and p.admin1 == HOME_ADMIN1]
    return CheckReport(
        errors=tuple(errors),
        warnings=tuple(warnings),
        rows=len(places),
        kinds=tuple(sorted((k, n, w) for k, (n, w) in kinds.items())),
        home_points=(sum(p.has_point for p in home), len(home)),
    )


def _check_place(
    gaz: Gazetteer, path: Path, line: int, place: Place, allowed: set[str]
) -> list[GazetteerError]:
    def err(field: str, message: str) -> GazetteerError:
        return GazetteerError(message, path=path.name, line=line, field=field)

    out = []
    if place.parent and place.parent not in gaz:
        out.append(err("parent", f"unknown parent {place.parent!r}"))
    if place.admin1 == HOME_ADMIN1 and place.has_point:
        s, w, n, e = HOME_BBOX
        if not (s <= place.lat <= n and w <= place.lon <= e):  # type: ignore[operator]
            out.append(err("lat", f"outside Deir ez-Zor's box: {place.lat}, {place.lon}"))
    if place.has_point and place.kind not in POINT_KINDS:
        out.append(err("lat", f"a {place.kind.value} has no point in this gazetteer"))
    for field, names in (("variants_ar", (place.name_ar, *place.variants_ar)),):
        for name in names:
            if not name:
                continue
            found = gaz.lookup(name)
            if place not in found:
                out.append(err(field, f"variant {name!r} does not resolve to this place"))
            key = normalize_name(name)
            others = [p.place_id for p in found if p.place_id != place.place_id]
            if others and key not in allowed:
                out.append(
                    err(field, f"name {name!r} is shared with {others} but not listed as ambiguous")
                )
    return out
