"""Who says what, and who did it: claims, denials and actors of a clause.

A toll credited to a named party (``claims.tsv``: Amaq, a ministry, a monitor; or any party
right before a claim verb) is a claim; a denial verb makes the nearest party a denier, with a
toll of 0 when it denies deaths (corpus README rule 12).  Actors come from ``actors.tsv``; the
party that speaks is not an actor of the event, an air force is the attacker of a strike, and
the categories settle actor-dependent cues (:func:`resolve_type`).
"""

from __future__ import annotations

from .clauses import Unit
from .cues import Scan
from .lexicons import Hit
from .models import Claim, ClaimKind, EventType

__all__ = ["actors_of", "attach_orphans", "claims_of", "resolve_type"]

Actor = tuple[str, str]  # (normalized name, category)


def claims_of(scan: Scan, u: Unit, fatal: int | None) -> list[Claim]:
    """Claims and denials credited to named parties in clause ``u`` (toll ``fatal``)."""
    hits = scan.claims.between(u.nstart, u.nend)
    if not hits:
        return []
    parties = [(h, p) for h in hits for p in h.payloads if p[0] == "party"]
    verbs = [h for h in hits if any(p[0] == "claim" for p in h.payloads)]
    denials = [h for h in hits if any(p[0] == "denial" for p in h.payloads)]
    deaths = any(p[0] == "deaths" for h in hits for p in h.payloads)
    out: dict[str, Claim] = {}
    denier = None
    if denials:
        d = denials[0]
        after = [p for h, p in parties if h.start >= d.end]
        before = [p for h, p in parties if h.end <= d.start]
        pick = after[0] if after else (before[-1] if before else None)
        if pick is not None:
            denier = pick[1]
            out[denier] = Claim(denier, ClaimKind.DENIAL, 0 if deaths else None, u.start, u.end)
    voiced = set()
    for v in verbs:  # the party just before a claim verb, else the first one after it
        near = [h for h, _ in parties if 0 <= v.start - h.end <= 3]
        near = near or [h for h, _ in parties if 0 <= h.start - v.end <= 25][:1]
        voiced.update(h.start for h in near)
    for h, (_, party, official) in parties:
        spoke = h.start in voiced
        if party != denier and (official or spoke):
            out.setdefault(party, Claim(party, ClaimKind.CLAIM, fatal, u.start, u.end))
    names = list(out)
    for name in names:  # "Islamic State" is folded into "Islamic State (Amaq ...)"
        if any(o != name and o.startswith(name) for o in names):
            out.pop(name)
    return list(out.values())


def actors_of(scan: Scan, u: Unit, air: bool) -> tuple[Actor | None, Actor | None]:
    """``(attacker, target)`` of clause ``u``; ``air``: the event is a strike."""
    found: list[Actor] = []
    speakers = [h for h in scan.claims.between(u.nstart, u.nend) if _is_party(h)]
    hits = scan.actors.between(u.nstart, u.nend)
    marks = [h.end for h in hits if h.payloads[0][1] == "target"]
    targets = [  # "ضد التنظيم": the target, whatever its category
        h.payloads[0] for h in hits if any(0 <= h.start - e <= 1 for e in marks)
    ]
    hits = [
        h
        for h in hits
        if h.payloads[0][1] != "target" and not any(0 <= h.start - e <= 1 for e in marks)
    ]
    silent = [h for h in hits if not any(s.start <= h.start < s.end for s in speakers)]
    if any(h.payloads[0][1] != "civilian" for h in silent):
        hits = silent  # the party that speaks is not an actor of the event
    for h in hits:
        actor = h.payloads[0]
        if all(actor[0] != f[0] for f in found):
            found.append(actor)
    armed = [f for f in found if f[1] != "civilian"]
    if targets and armed and targets[0][0] != armed[0][0]:
        return armed[0], targets[0]
    if targets:
        return None, targets[0]
    if air:  # a strike: the air force is the attacker wherever it is named
        armed.sort(key=lambda f: f[1] != "air")
    civilians = [f for f in found if f[1] == "civilian"]
    first = armed[0] if armed else None
    second = armed[1] if len(armed) > 1 else (civilians[0] if civilians else None)
    return first, second


def _is_party(h: Hit) -> bool:
    return any(p[0] == "party" for p in h.payloads)


def resolve_type(
    etype: str, sub: str, actors: tuple[Actor | None, Actor | None]
) -> tuple[str, str | None]:
    """Settle actor-dependent cues: ``*`` (an attack) and ``territory`` (a capture)."""
    cat1 = actors[0][1] if actors[0] else ""
    cat2 = actors[1][1] if actors[1] else ""
    if etype == "*":
        if cat1 == "air":
            return EventType.EXPLOSIONS.value, None
        if cat2 in ("civilian", "") and cat1 in ("nonstate", "") and actors[1]:
            return EventType.VIOLENCE_AGAINST_CIVILIANS.value, "Attack"
        return EventType.BATTLES.value, "Armed clash"
    if etype == EventType.EXPLOSIONS.value and not sub and cat1 == "air":
        return etype, "Air/drone strike"  # "قصفت قوات التحالف": an air force strikes from the air
    if sub == "territory":
        if cat1 in ("state", "foreign", "air"):
            return etype, "Government regains territory"
        return etype, "Non-state actor overtakes territory"
    return etype, sub or None


def attach_orphans(drafts: list, orphans: list[tuple[Unit, list[Claim]]]) -> None:
    """A claim or denial in a clause without an event goes to the same place's next incident,
    else to the incidents of the same sentence, else to the nearest earlier incident at a place
    it names, else to the report's only incident (``drafts`` have ``unit``, ``place_id``,
    ``choice`` and ``claims``)."""
    for u, found in orphans:
        claims = [c for c in found if c.kind is ClaimKind.DENIAL or c.fatalities is not None]
        places = {m.place_id for m in u.mentions if m.place_id}
        named = [d for d in drafts if d.place_id in places and d.choice.how == "named"]
        target = [d for d in named if d.unit.start >= u.start][:1]  # not a fallback place
        if not target:
            target = [d for d in drafts if d.unit.sentence == u.sentence]
        if not target:
            target = [d for d in named if d.unit.start < u.start][-1:] or (
                drafts if len(drafts) == 1 else []
            )
        for d in target:
            d.claims += [
                c for c in claims if all((c.party, c.kind) != (o.party, o.kind) for o in d.claims)
            ]
