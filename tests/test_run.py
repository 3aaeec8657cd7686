"""The main job on the bundled example reports, as `make demo` runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapper.run import run
from mapper.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("demo")
    return out, run([EXAMPLES], out)


def test_demo_lists_bad_inputs_and_keeps_the_rest(demo) -> None:
    out, summary = demo
    assert {Path(e.path).name for e in summary.errors} == {"broken.txt", "more.jsonl"}
    assert summary.reports_read >= 15
    assert summary.incidents >= 10
    assert (out / "map.html").stat().st_size > 10_000
    with Store(out / "incidents.gpkg") as store:
        counts = store.counts()
        runs = store.runs()
    assert counts["reports"] == summary.reports_read
    assert "broken.txt" in runs["errors"].iloc[-1]


def test_running_twice_adds_nothing(demo) -> None:
    out, first = demo
    with Store(out / "incidents.gpkg") as store:
        before = store.counts()
    again = run([EXAMPLES], out, make_html=False)
    with Store(out / "incidents.gpkg") as store:
        after = store.counts()
    assert again.incidents == first.incidents
    assert {k: v for k, v in after.items() if k != "runs"} == {
        k: v for k, v in before.items() if k != "runs"
    }
    assert after["runs"] == before["runs"] + 1


def test_two_workers_give_the_same_incidents(demo, tmp_path: Path) -> None:
    out, _ = demo
    run([EXAMPLES], tmp_path, workers=2, make_html=False)
    one = Store(out / "incidents.gpkg").incidents()
    two = Store(tmp_path / "incidents.gpkg").incidents()
    assert sorted(one["incident_id"]) == sorted(two["incident_id"])


@pytest.mark.browser
def test_demo_map_opens_offline(demo, page) -> None:
    out, _ = demo
    page.goto((out / "map.html").as_uri())
    page.wait_for_selector(".leaflet-marker-icon, .marker-cluster", timeout=10_000)
    assert page.errors == []
    assert page.dialogs == []
    assert page.locator(".leaflet-marker-icon, .marker-cluster").count() > 0
