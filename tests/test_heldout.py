"""Held-out check of places and incidents on reports the project wrote itself.

``tests/data/heldout/heldout.jsonl`` holds 15 short reports in the style of local Deir ez-Zor
monitors, written for this check (not copied from any outlet or from ../shared/corpus) and
annotated in the corpus format (see the README beside it).  The incident rules were tuned on
the dev corpus; these floors, set a little below what the code scored when the set was made
(places F1 0.994, Acc@5km 1.0; incidents F1 0.756, P 0.70, R 0.82, type 0.97, sub-type 0.90,
date 0.85 over 20 dated pairs, fatalities 0.36 over 11), fail when a change loses ground on
text the rules were not fitted to.  The incident floors were raised once, after the
generalization rules of issue 5 (general mechanisms, each tested on sentences of its own) took
the set to F1 0.909, P 0.90, R 0.92, type 1.0, sub-type 0.97, date 1.0 (21), fatalities 0.91 (11).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mapper.evaluation import load_gold, score_incidents, score_places
from mapper.models import Report

GOLD = Path(__file__).resolve().parent / "data" / "heldout" / "heldout.jsonl"
ACLED_TYPES = {
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
}


@pytest.fixture(scope="module")
def docs() -> list[dict[str, Any]]:
    return load_gold(GOLD)


def test_gold_is_consistent(docs):
    assert len(docs) == 15
    assert len({d["id"] for d in docs}) == len(docs)
    for d in docs:
        text = d["text"]
        for t in d["toponyms"]:
            assert text[t["start"] : t["end"]] == t["surface"], (d["id"], t["surface"])
            assert (t["lat"] is None) == (t["lon"] is None) == (t["coord_source"] is None)
        names = {t["name"] for t in d["toponyms"]}
        for g in d["incidents"]:
            assert g["evidence"] in text, d["id"]
            assert g["location"] in names, (d["id"], g["location"])
            assert g["event_type"] in ACLED_TYPES
            assert g["date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", g["date"])


def test_heldout_places_floor(docs, pipeline):
    s = score_places(docs, pipeline.find_places)
    f = s.figures()
    assert f["documents_gold_mentions"] == 87
    assert f["recall"] >= 0.95, s.misses
    assert f["precision"] >= 0.95, s.false_positives
    assert f["acc_5km"] >= 0.95, s.wrong_places


def test_heldout_incidents_floor(docs, pipeline):
    s = score_incidents(docs, lambda r: pipeline.process(r).incidents)
    f = s.figures()
    assert f["gold"] == 38
    detail = {"misses": s.misses, "false positives": s.false_positives}
    assert f["f1"] >= 0.85, detail
    assert f["precision"] >= 0.85, detail
    assert f["recall"] >= 0.85, detail
    assert f["event_type_accuracy"] >= 0.95
    assert f["sub_event_type_accuracy"] >= 0.90
    assert f["date_accuracy"] >= 0.95
    assert f["fatalities_accuracy"] >= 0.80


def test_report_without_incident_stays_quiet(docs, pipeline):
    """held-008 (a flood, a complaint, a fire put out) has no incident.  The code now finds
    one false battle ('تقدّم مزارعون ... بشكوى': filed a complaint, read as an advance through
    the events.tsv territory cue تقدم); more than that is a regression, and the fire that was
    'brought under control' (السيطرة على حريق) and the flood must never become incidents."""
    quiet = next(d for d in docs if not d["incidents"])
    report = Report(id=quiet["id"], text=quiet["text"], published=quiet["published"])
    found = pipeline.process(report).incidents
    evidence = json.dumps([i.evidence for i in found], ensure_ascii=False)
    assert len(found) <= 1, evidence
    assert all("حريق" not in i.evidence and "غمرت" not in i.evidence for i in found), evidence
