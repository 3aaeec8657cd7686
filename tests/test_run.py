"""The main job on the bundled example reports, as `make demo` runs it."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mapper.run import BATCH, run
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


def _corpus(path: Path, size: int) -> Path:
    """A JSON Lines corpus of ``size`` reports: the example texts under new ids and dates."""
    from mapper.models import Report
    from mapper.readers import read_reports

    texts = [r.text for r in read_reports([EXAMPLES]) if isinstance(r, Report)]
    with path.open("w", encoding="utf-8") as out:
        for i in range(size):
            record = {"id": f"k-{i}", "published": f"2019-{i % 12 + 1:02d}-{i % 28 + 1:02d}"}
            out.write(json.dumps({**record, "text": texts[i % len(texts)]}, ensure_ascii=False))
            out.write("\n")
    return path


def _stored_reports(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=0.1) as conn:
            return conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet, or locked by a commit in progress
        return 0


def _command(corpus: Path, out: Path) -> list[str]:
    run_ = [sys.executable, "-m", "mapper.cli", "run", str(corpus), "--out", str(out)]
    return [*run_, "-q", "--no-map"]


def _complete(corpus: Path, out: Path) -> None:
    done = subprocess.run(_command(corpus, out), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_sigkill_mid_run_keeps_whole_batches_and_a_rerun_completes(tmp_path: Path) -> None:
    size = 15 * BATCH
    corpus = _corpus(tmp_path / "corpus.jsonl", size)
    killed = tmp_path / "killed" / "incidents.gpkg"
    run_ = subprocess.Popen(_command(corpus, killed.parent), stderr=subprocess.DEVNULL)
    while (stored := _stored_reports(killed)) == 0 and run_.poll() is None:
        time.sleep(0.01)
    run_.send_signal(signal.SIGKILL)
    assert run_.wait(timeout=60) == -signal.SIGKILL
    assert 0 < stored < size, "the run ended before it could be killed mid-way"
    with Store(killed) as store:  # it opens, and holds whole batches only
        counts = store.counts()
        reports = set(store.reports()["id"])
        assert set(store.incidents()["source_id"]) <= reports
        assert set(store.mentions()["report_id"]) <= reports
    assert 0 < counts["reports"] < size and counts["reports"] % BATCH == 0
    assert counts["runs"] == 0

    _complete(corpus, killed.parent)
    whole = tmp_path / "whole" / "incidents.gpkg"
    _complete(corpus, whole.parent)
    with Store(killed) as resumed, Store(whole) as uninterrupted:
        assert resumed.counts() == uninterrupted.counts()
        assert resumed.counts()["reports"] == size
        assert not (whole.parent / "map.html").exists()  # --no-map
        ids = sorted(resumed.incidents()["incident_id"])
        assert ids == sorted(uninterrupted.incidents()["incident_id"])
