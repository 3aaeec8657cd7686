"""The GeoPackage store: round trip, idempotency, crash safety, concurrency, export failures."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal

from mapper.errors import StoreError
from mapper.frame import to_frame
from mapper.models import Claim, ClaimKind, EventType, Incident, Mention, Report
from mapper.store import Store, export

ROOT = Path(__file__).resolve().parents[1]
PER_BATCH_REPORTS = 5
PER_REPORT_INCIDENTS = 4


def report(n: int, text: str = "قصفٌ مدفعيّ على هجين والباغوز.") -> Report:
    return Report(id=f"doc{n}", text=f"{text} ({n})", published="2024-03-05", source="مرصد")


def incident(n: int, k: int, **changes: object) -> Incident:
    values: dict[str, object] = {
        "incident_id": f"doc{n}:{k}", "source_id": f"doc{n}", "event_type": EventType.EXPLOSIONS,
        "sub_event_type": None, "location": "Hajin", "location_ar": "هجين",
        "place_id": f"sy-{k}", "latitude": 34.69 + k / 100, "longitude": 40.83,
        "geo_precision": 1, "evidence_start": 0, "evidence_end": 4, "evidence": "قصفٌ",
        "event_date": "2024-03-05", "fatalities": k or None,
        "claims": (Claim("المرصد", ClaimKind.CLAIM, k, 5, 9),),
    }  # fmt: skip
    values.update(changes)
    return Incident(**values)  # type: ignore[arg-type]


def batch(first: int, count: int = PER_BATCH_REPORTS) -> tuple[list[Report], list[Incident]]:
    numbers = range(first, first + count)
    incidents = [incident(n, k) for n in numbers for k in range(PER_REPORT_INCIDENTS)]
    return [report(n) for n in numbers], incidents


def mention(start: int) -> Mention:
    return Mention(start, start + 4, "بهجين", "sy-hajin", "Hajin", "هجين", "town", 34.7, 40.8, 0.9)


def test_round_trip_and_valid_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "store.gpkg"
    reports, incidents = batch(0)
    incidents.append(incident(0, 9, latitude=None, longitude=None, event_date=None))
    with Store(path) as store:
        store.write_batch(reports, incidents, {"doc0": [mention(10), mention(20)]})
        assert_geodataframe_equal(store.incidents(), to_frame(incidents))
        assert store.reports()["id"].tolist() == [r.id for r in reports]
        assert store.mentions()["surface"].tolist() == ["بهجين", "بهجين"]
    layers = dict(pyogrio.list_layers(path).tolist())
    assert layers == {"incidents": "Point", "reports": None, "mentions": None, "runs": None}
    info = pyogrio.read_info(path, layer="incidents")
    assert info["crs"] == "EPSG:4326"
    assert info["features"] == len(incidents)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM rtree_incidents_geom").fetchone() == (20,)
    conn.close()


def test_filters(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.gpkg")
    reports, incidents = batch(0, 2)
    incidents.append(incident(0, 7, event_type=EventType.PROTESTS, event_date="2024-04-01"))
    store.write_batch(reports, incidents)
    assert len(store.incidents()) == 9
    assert len(store.incidents(types=["Protests"])) == 1
    assert len(store.incidents(since="2024-03-06")) == 1
    assert len(store.incidents(until="2024-03-05")) == 8
    assert len(store.incidents(bbox=(40.8, 34.685, 40.9, 34.705))) == 4  # k = 0, 1 in 2 reports
    assert len(store.incidents(types=[])) == 0


def test_same_batch_twice_adds_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.gpkg")
    reports, incidents = batch(0)
    first = store.write_batch(reports, incidents, {"doc0": [mention(1)]})
    counts = store.counts()
    again = store.write_batch(reports, incidents, {"doc0": [mention(1)]})
    assert (first.written, again.written, again.skipped, again.incidents) == (5, 0, 5, 0)
    assert store.counts() == counts == {
        "reports": 5, "incidents": 20, "mentions": 1, "runs": 0, "events": 4,
    }  # fmt: skip


def test_changed_report_replaces_its_incidents(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.gpkg")
    reports, incidents = batch(0, 2)
    store.write_batch(reports, incidents, {"doc0": [mention(1), mention(9)]})
    changed = Report(id="doc0", text="نص معدّل عن الميادين.")
    store.write_batch([changed], [incident(0, 8)], {"doc0": [mention(3)]})
    gdf = store.incidents()
    assert sorted(gdf.loc[gdf["source_id"] == "doc0", "incident_id"]) == ["doc0:8"]
    assert (gdf["source_id"] == "doc1").sum() == PER_REPORT_INCIDENTS
    assert store.mentions()["start"].tolist() == [3]
    assert store.reports().set_index("id").loc["doc0", "text"] == changed.text
    assert store.counts()["reports"] == 2


def test_spatial_index_follows_replacements_and_keeps_its_trigger(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    trigger = "SELECT sql FROM sqlite_master WHERE name = 'rtree_incidents_geom_insert'"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        before = conn.execute(trigger).fetchone()
    conn.close()
    with Store(path) as store:
        reports, incidents = batch(0, 2)
        store.write_batch(reports, incidents)
        moved = incident(0, 1, latitude=35.0, longitude=40.5)
        unplaced = incident(0, 2, latitude=None, longitude=None)
        store.write_batch([Report(id="doc0", text="نص آخر عن البصيرة.")], [moved, unplaced])
    with sqlite3.connect(path) as conn:
        assert conn.execute(trigger).fetchone() == before
        index = conn.execute(
            "SELECT i.incident_id, r.minx, r.miny FROM rtree_incidents_geom r "
            "JOIN incidents i ON i.fid = r.id ORDER BY i.incident_id"
        ).fetchall()
        (orphans,) = conn.execute(
            "SELECT count(*) FROM rtree_incidents_geom WHERE id NOT IN (SELECT fid FROM incidents)"
        ).fetchone()
    conn.close()
    assert orphans == 0
    assert [row[0] for row in index] == ["doc0:1", "doc1:0", "doc1:1", "doc1:2", "doc1:3"]
    assert index[0][1:] == pytest.approx((40.5, 35.0))
    bbox = (40.4, 34.9, 40.6, 35.1)
    assert Store(path).incidents(bbox=bbox)["incident_id"].tolist() == ["doc0:1"]
    assert len(pyogrio.read_dataframe(path, layer="incidents", bbox=bbox)) == 1


def test_report_twice_in_one_batch_keeps_the_last(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.gpkg")
    first, last = report(0), Report(id="doc0", text="نص أحدث عن هجين.")
    result = store.write_batch([first, last, report(1)], [incident(0, 0), incident(1, 0)])
    assert (result.written, result.skipped, result.incidents) == (2, 1, 2)
    assert store.reports().set_index("id").loc["doc0", "text"] == last.text
    assert store.counts()["incidents"] == 2


def test_event_id_groups_outlets_but_keeps_each_record(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.gpkg")
    reports, incidents = batch(0, 3)
    store.write_batch(reports, incidents)
    counts = store.counts()
    assert counts["incidents"] == 12
    assert counts["events"] == PER_REPORT_INCIDENTS


def test_record_run(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.gpkg")
    store.record_run(started_at="2024-01-01T00:00:00Z", finished_at="2024-01-01T00:01:00Z",
                     inputs=["reports/"], reports_read=3, incidents=5,
                     errors=["a.jsonl:2: empty report"], mapper_version="0.1.0")  # fmt: skip
    (row,) = store.runs().to_dict("records")
    assert row["errors"] == '["a.jsonl:2: empty report"]'
    assert row["reports_read"] == 3
    assert store.counts()["runs"] == 1


def test_not_a_store(tmp_path: Path) -> None:
    other = tmp_path / "other.gpkg"
    to_frame([incident(0, 0)]).to_file(other, layer="points", engine="pyogrio")
    with pytest.raises(StoreError, match="not a mapper store: missing incidents"):
        Store(other)
    junk = tmp_path / "junk.gpkg"
    junk.write_text("not sqlite", encoding="utf-8")
    with pytest.raises(StoreError, match="not a GeoPackage"):
        Store(junk)
    with pytest.raises(StoreError, match="directory does not exist"):
        Store(tmp_path / "missing" / "s.gpkg")


WRITER = """
import sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {tests!r})
from test_store import batch
from mapper.store import Store
store = Store(sys.argv[1], timeout=60)
first, count, step = (int(a) for a in sys.argv[2:5])
for n in range(first, first + count * step, step):
    store.write_batch(*batch(n))
    print(n, flush=True)
"""


def _writer(tmp_path: Path, store: Path, first: int, count: int, step: int) -> subprocess.Popen:
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT), tests=str(ROOT / "tests")), encoding="utf-8")
    args = [sys.executable, str(script), str(store), str(first), str(count), str(step)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True)


def _check_whole_batches(path: Path) -> dict[str, int]:
    store = Store(path)
    counts = store.counts()
    gdf = store.incidents()
    per_report = gdf.groupby("source_id").size()
    assert (per_report == PER_REPORT_INCIDENTS).all()
    assert not gdf["incident_id"].duplicated().any()
    assert counts["reports"] % PER_BATCH_REPORTS == 0
    assert counts["incidents"] == counts["reports"] * PER_REPORT_INCIDENTS
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rtree = conn.execute("SELECT count(*) FROM rtree_incidents_geom").fetchone()[0]
        ogr = conn.execute("SELECT feature_count FROM gpkg_ogr_contents "
                           "WHERE table_name = 'incidents'").fetchone()[0]  # fmt: skip
    conn.close()
    assert rtree == ogr == counts["incidents"]
    assert pyogrio.read_info(path, layer="incidents")["features"] == counts["incidents"]
    store.close()
    return counts


def test_sigkill_mid_run_keeps_whole_batches(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    Store(path).close()
    proc = _writer(tmp_path, path, 0, 400, PER_BATCH_REPORTS)
    assert proc.stdout is not None
    done = [proc.stdout.readline() for _ in range(25)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert all(done)
    counts = _check_whole_batches(path)
    assert 25 * PER_BATCH_REPORTS <= counts["reports"] < 400 * PER_BATCH_REPORTS


def test_two_writers_at_once(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"  # both create it: the loser of the race must reuse it
    writers = [_writer(tmp_path, path, 0, 40, PER_BATCH_REPORTS) for _ in range(2)]
    writers.append(_writer(tmp_path, path, 100_000, 20, PER_BATCH_REPORTS))
    for proc in writers:
        proc.communicate()
        assert proc.returncode == 0
    counts = _check_whole_batches(path)
    assert counts["reports"] == 60 * PER_BATCH_REPORTS


def test_busy_store_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    holder = Store(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="store is busy"):
            Store(path, timeout=0.2).write_batch(*batch(0))
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    holder.write_batch(*batch(0))
    assert holder.counts()["reports"] == PER_BATCH_REPORTS


def test_export_failures_leave_existing_file(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.gpkg")
    store.write_batch(*batch(0))
    with pytest.raises(StoreError, match="output directory does not exist") as err:
        export(store, tmp_path / "missing" / "out.geojson")
    assert err.value.path == str(tmp_path / "missing")
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o555)
    if os.access(readonly, os.W_OK):  # root ignores modes; sysfs refuses new files even to root
        readonly = Path("/sys")
    with pytest.raises(StoreError, match="cannot write") as err:
        export(store, readonly / "out.geojson")
    assert err.value.path == str(readonly / "out.geojson")
    target = tmp_path / "out.csv"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(StoreError, match="unknown export format"):
        export(store, target, fmt="xlsx")
    assert target.read_text(encoding="utf-8") == "keep me"


def test_export_csv_excel_bom(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.gpkg")
    store.write_batch(*batch(0))
    plain = export(store, tmp_path / "plain.csv").read_bytes()
    excel = export(store, tmp_path / "excel.csv", excel=True).read_bytes()
    assert excel == b"\xef\xbb\xbf" + plain
    assert "هجين".encode() in plain
    assert not list(tmp_path.glob(".*tmp*"))  # temp files are gone


# ---------------------------------------------------------------- whole runs, as users run them

MAPPER = Path(sys.executable).with_name("mapper")
TOWNS = ("هجين", "الباغوز", "الشعفة", "السوسة", "الميادين", "البوكمال", "الصالحية", "الكشمة")


def _reports_file(path: Path, first: int, count: int) -> Path:
    lines = []
    for n in range(first, first + count):
        town = TOWNS[n % len(TOWNS)]
        text = f"قصفت قوات النظام بلدة {town} صباح اليوم ما أدى إلى مقتل {n % 7 + 1} مدنيين ({n})."
        lines.append(json.dumps({"id": f"r{n}", "text": text, "published": "2019-02-10"},
                                ensure_ascii=False))  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(*args: str, **popen: Any) -> subprocess.Popen:
    return subprocess.Popen(
        [str(MAPPER), "run", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        **popen,
    )  # fmt: skip


def _valid_store(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rtree = conn.execute("SELECT count(*) FROM rtree_incidents_geom").fetchone()[0]
        located = conn.execute("SELECT count(*) FROM incidents WHERE geom IS NOT NULL")
        assert rtree == located.fetchone()[0]
    conn.close()
    with Store(path) as store:
        gdf = store.incidents()
        assert not gdf["incident_id"].duplicated().any()
        assert not store.reports()["id"].duplicated().any()
        return store.counts()


def test_two_mapper_runs_into_one_store_at_once(tmp_path: Path) -> None:
    """Two real ``mapper run`` processes, overlapping inputs, one --out, started together."""
    out = tmp_path / "out"
    a = _reports_file(tmp_path / "a.jsonl", 0, 500)
    b = _reports_file(tmp_path / "b.jsonl", 250, 500)
    procs = [_run(str(a), "--out", str(out)), _run(str(b), "--out", str(out))]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    for status, _, err in results:
        assert "Traceback" not in err
        assert status == 0 or (status == 1 and "store is busy" in err), err
    assert any(status == 0 for status, _, _ in results)
    counts = _valid_store(out / "incidents.gpkg")
    finished = [n for n, (status, _, _) in enumerate(results) if status == 0]
    expected = {0: set(range(500)), 1: set(range(250, 750))}
    stored = set(Store(out / "incidents.gpkg").reports()["id"])
    assert stored >= {f"r{n}" for i in finished for n in expected[i]}
    assert counts["runs"] == len(finished)
    assert (out / "map.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def _without_dac() -> list[str]:
    """Root ignores file modes; ``setpriv`` runs a command without that capability."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be made")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def _fingerprint(out: Path) -> tuple[bytes, dict[str, int]]:
    data = (out / "incidents.gpkg").read_bytes()
    return hashlib.sha256(data).digest(), _valid_store(out / "incidents.gpkg")


def test_read_only_output_folder_fails_clearly_and_keeps_the_store(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _run(str(_reports_file(tmp_path / "a.jsonl", 0, 50)), "--out", str(out), "-q")
    assert first.wait(timeout=300) == 0
    first.communicate()
    before = _fingerprint(out)
    out.chmod(0o555)
    (out / "incidents.gpkg").chmod(0o444)
    try:
        new = _reports_file(tmp_path / "b.jsonl", 100, 50)
        proc = subprocess.run(
            [*_without_dac(), str(MAPPER), "run", str(new), "--out", str(out), "-q"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        out.chmod(0o755)
        (out / "incidents.gpkg").chmod(0o644)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {out / 'incidents.gpkg'}: "), proc.stderr
    assert "read-only" in proc.stderr or "readonly" in proc.stderr or "denied" in proc.stderr
    assert _fingerprint(out) == before


def _limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_disk_full_fails_clearly_and_keeps_the_store(tmp_path: Path) -> None:
    """RLIMIT_FSIZE in the child: writes past the limit fail with EFBIG, as on a full disk."""
    out = tmp_path / "out"
    first = _run(str(_reports_file(tmp_path / "a.jsonl", 0, 50)), "--out", str(out), "-q")
    assert first.wait(timeout=300) == 0
    first.communicate()
    before_hash, before = _fingerprint(out)
    size = (out / "incidents.gpkg").stat().st_size
    new = _reports_file(tmp_path / "b.jsonl", 100, 2000)
    proc = _run(str(new), "--out", str(out), "-q", preexec_fn=_limit_file_size(size + 65536))
    status = proc.wait(timeout=600)
    _, err = proc.communicate()
    assert status == 1, err
    assert "Traceback" not in err
    assert err.startswith(f"error: {out / 'incidents.gpkg'}: "), err
    after = _valid_store(out / "incidents.gpkg")
    assert after["reports"] >= before["reports"]  # every earlier report is still there
    assert (after["reports"] - before["reports"]) % 200 == 0  # and only whole batches
    stored = set(Store(out / "incidents.gpkg").reports()["id"])
    assert {f"r{n}" for n in range(50)} <= stored
    del before_hash
