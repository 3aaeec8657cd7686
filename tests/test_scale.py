"""The Dask engine: a 2-worker LocalCluster gives the single-process rows, row for row."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from distributed import Client, LocalCluster
from geopandas.testing import assert_geodataframe_equal

from mapper.chunks import Piece, read_piece
from mapper.cli import main
from mapper.errors import ConfigError
from mapper.frame import read_incidents as read_file
from mapper.models import Report
from mapper.readers import read_reports
from mapper.run import run
from mapper.scale import plan, read_incidents, run_dask
from mapper.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"
# a real tcp scheduler address on loopback (inproc would probe 8.8.8.8 for the host's address)
LOOPBACK = {"protocol": "tcp://", "host": "127.0.0.1", "dashboard_address": ":0"}
CHUNK = 1_500  # bytes: the generated file spans a dozen partitions

# dask 2026.8's parquet reader calls reset_index(inplace=True), which pandas 3.1 deprecates
DASK_READER_WARNING = "ignore:The inplace keyword in GeoDataFrame.reset_index"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples plus a JSON Lines file of their texts under new ids, some without an id
    (default ids carry line numbers), with a blank and a malformed line in the middle."""
    folder = tmp_path_factory.mktemp("corpus")
    texts = [r.text for r in read_reports([EXAMPLES]) if isinstance(r, Report)]
    lines = []
    for i in range(60):
        record = {"text": texts[i % len(texts)], "published": f"2019-01-{i % 28 + 1:02d}"}
        if i % 3:
            record["id"] = f"gen-{i}"
        lines.append(json.dumps(record, ensure_ascii=False))
        if i == 20:
            lines.extend(["", "{not json"])
    (folder / "generated.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def single(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("single")
    summary = run([EXAMPLES, corpus], out, make_html=False)
    with Store(out / "incidents.gpkg") as store:
        return summary, store.incidents()


def _same_summary(got, want) -> None:
    assert got.reports_read == want.reports_read
    assert got.incidents == want.incidents
    assert got.mentions == want.mentions
    assert got.places == want.places
    assert got.unresolved == want.unresolved
    assert [str(e) for e in got.errors] == [str(e) for e in want.errors]
    assert [str(e) for e in got.warnings] == [str(e) for e in want.warnings]


@pytest.mark.filterwarnings(DASK_READER_WARNING)
def test_local_cluster_of_two_processes_gives_the_single_process_rows(
    corpus: Path, single, tmp_path: Path
) -> None:
    want_summary, want = single
    summary = run_dask([EXAMPLES, corpus], tmp_path, workers=2, chunk_bytes=CHUNK)
    _same_summary(summary, want_summary)
    assert len(list((tmp_path / "incidents.parquet").glob("part.*.parquet"))) > 10
    parts = read_incidents(tmp_path / "incidents.parquet")
    assert parts.crs == "EPSG:4326"
    assert_geodataframe_equal(parts.compute().reset_index(drop=True), want)
    assert (tmp_path / "map.html").stat().st_size > 10_000


def test_cli_on_an_existing_scheduler_then_map_reads_the_parquet(
    corpus: Path, single, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, want = single
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, **LOOPBACK) as cluster,
        Client(cluster),
    ):
        args = [str(EXAMPLES), str(corpus), "--out", str(tmp_path), "--engine", "dask"]
        status = main(["run", *args, "--scheduler", cluster.scheduler_address, "-q"])
    err = capsys.readouterr().err
    assert status == 1  # the examples hold a broken file and a bad record on purpose
    assert "generated.jsonl:23: not valid JSON" in err
    assert_geodataframe_equal(read_file(tmp_path / "incidents.parquet"), want)
    assert main(["map", str(tmp_path / "incidents.parquet"), "-o", str(tmp_path / "m.html")]) == 0
    # a rerun replaces the parts instead of adding to them
    with LocalCluster(n_workers=1, processes=False, **LOOPBACK) as cluster, Client(cluster) as c:
        run_dask([corpus], tmp_path, scheduler=c, make_html=False)
        assert c.status == "running"  # a client passed in is left open
    again = read_file(tmp_path / "incidents.parquet")
    assert set(again["source_id"]) < set(want["source_id"])


def test_plan_groups_pieces_in_input_order(corpus: Path) -> None:
    path = corpus / "generated.jsonl"
    partitions, errors = plan([path, corpus / "missing.txt"], chunk_bytes=CHUNK)
    assert errors == []
    assert len(partitions) > 10
    assert all(sum(p.size for p in part) <= CHUNK or len(part) == 1 for part in partitions)
    pieces = [piece for part in partitions for piece in part]
    assert pieces[-1] == Piece(str(corpus / "missing.txt"))
    whole = list(read_reports([path]))
    assert [item for piece in pieces[:-1] for item in read_piece(piece)] == whole


def test_no_input_reads_back_as_no_incidents(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with LocalCluster(n_workers=1, processes=False, **LOOPBACK) as cluster, Client(cluster) as c:
        summary = run_dask([tmp_path / "empty"], tmp_path / "out", scheduler=c)
    assert (summary.reports_read, summary.errors) == (0, [])
    assert len(read_file(summary.store)) == 0
    assert summary.map is not None and summary.map.exists()


def test_stdin_and_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="stdin"):
        plan(["-"])
    with pytest.raises(ConfigError, match="workers"):
        run_dask([EXAMPLES], tmp_path, workers=0)
    assert main(["run", str(EXAMPLES), "--out", str(tmp_path), "--scheduler", "tcp://x:1"]) == 2


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_core_import_does_not_load_dask() -> None:
    done = _python(
        "import sys, mapper, mapper.run, mapper.cli, mapper.store, mapper.pipeline\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_missing_extra_names_the_pip_command(tmp_path: Path) -> None:
    block = "import sys\nsys.modules['dask_geopandas'] = None  # as if not installed\n"
    done = _python(block + "import mapper.scale")
    assert "ImportError: the Dask engine needs the scale extra" in done.stderr
    assert "pip install 'mapper[scale]'" in done.stderr
    cli = f"from mapper.cli import main\nsys.exit(main(['run', '-', '--out', {str(tmp_path)!r}, "
    done = _python(block + cli + "'--engine', 'dask']))")
    assert done.returncode == 1
    assert done.stderr.startswith("error: the Dask engine needs the scale extra: pip install")
