"""Incident scoring: one-to-one matching order and naming a place without a point."""

from __future__ import annotations

from mapper.evaluation import score_incidents
from mapper.models import Incident, Report

TEXT = "غارة جوية على هجين اليوم. واشتباكات في هجين أمس. وقصف على حي الزهور بمدينة هجين."


def incident(event_type: str, evidence: str, **fields) -> Incident:
    start = TEXT.index(evidence)
    base = {
        "incident_id": evidence[:4],
        "source_id": "d",
        "event_type": event_type,
        "sub_event_type": None,
        "location": "Hajin",
        "location_ar": "هجين",
        "place_id": "hajin",
        "latitude": 34.69,
        "longitude": 40.83,
        "geo_precision": 1,
        "evidence_start": start,
        "evidence_end": start + len(evidence),
        "evidence": evidence,
    }
    base.update(fields)
    return Incident(**base)


GOLD = {
    "id": "d",
    "text": TEXT,
    "published": "2021-03-13",
    "toponyms": [
        {"surface": "هجين", "name": "Hajin", "lat": 34.69, "lon": 40.83},
        {"surface": "الزهور", "name": "Al-Zuhur quarter (Hajin)", "lat": None, "lon": None},
    ],
    "incidents": [
        {"event_type": "Battles", "location": "Hajin", "date": "2021-03-12",
         "evidence": "واشتباكات في هجين أمس", "fatalities": None},
        {"event_type": "Explosions/Remote violence", "location": "Hajin", "date": "2021-03-13",
         "evidence": "غارة جوية على هجين اليوم", "fatalities": None},
        {"event_type": "Explosions/Remote violence", "location": "Al-Zuhur quarter (Hajin)",
         "date": None, "evidence": "وقصف على حي الزهور بمدينة هجين", "fatalities": None},
    ],
}  # fmt: skip


def test_pairs_follow_the_evidence_then_the_type() -> None:
    predicted = [
        incident("Explosions/Remote violence", "غارة جوية على هجين اليوم", event_date="2021-03-13"),
        incident("Battles", "واشتباكات في هجين أمس", event_date="2021-03-12"),
    ]
    s = score_incidents([GOLD], lambda r: predicted)
    assert (s.matched, s.type_ok, s.date_ok) == (2, 2, 2)


def test_unresolved_quarter_matches_by_its_arabic_surface() -> None:
    quarter = incident(
        "Explosions/Remote violence",
        "وقصف على حي الزهور بمدينة هجين",
        location="الزهور",
        location_ar="الزهور",
        place_id="",
        geo_precision=2,
    )
    resolved_elsewhere = incident(
        "Explosions/Remote violence",
        "وقصف على حي الزهور بمدينة هجين",
        location="Elsewhere",
        location_ar="الزهور",
        place_id="elsewhere",
        latitude=30.0,
        longitude=30.0,
    )
    assert score_incidents([GOLD], lambda r: [quarter]).matched == 1
    assert score_incidents([GOLD], lambda r: [resolved_elsewhere]).matched == 0


def test_report_is_built_from_the_gold_record() -> None:
    seen: list[Report] = []
    score_incidents([GOLD], lambda r: seen.append(r) or [])
    assert seen[0].published == "2021-03-13" and seen[0].text == TEXT
