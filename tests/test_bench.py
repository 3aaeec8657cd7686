"""bench/: the synthetic corpus is reproducible and realistic enough to exercise the pipeline."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mapper.gazetteer import Gazetteer
from mapper.pipeline import default_pipeline

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus() -> ModuleType:
    return _load("corpus")


def test_corpus_is_seeded_and_prefix_stable(corpus: ModuleType) -> None:
    ten = list(corpus.generate(10, seed=3))
    assert ten == list(corpus.generate(10, seed=3))
    assert ten[:4] == list(corpus.generate(4, seed=3))
    assert ten != list(corpus.generate(10, seed=4))


def test_corpus_records_are_reports_of_about_3kb(corpus: ModuleType) -> None:
    records = list(corpus.generate(200, seed=1))
    assert len({r["id"] for r in records}) == 200
    for r in records:
        assert set(r) == {"id", "text", "published", "source", "url"}
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["published"])
        assert 2000 <= len(r["text"].encode()) <= 5000
    text = "\n".join(r["text"] for r in records)
    assert re.search("[٠-٩]", text), "Arabic-Indic digits"
    assert re.search(r"\d", text), "ASCII digits"
    for cue in ("أمس", "ريف", "قرب", "شرقي", "تشرين", "مارس", "نفت", "مظاهرة"):
        assert cue in text


def test_corpus_names_gazetteer_places_that_the_pipeline_finds(corpus: ModuleType) -> None:
    records = list(corpus.generate(60, seed=2))
    pipeline = default_pipeline()
    gazetteer = Gazetteer.default()
    found = [m for r in records for m in pipeline.find_places(r["text"]) if m.place_id]
    assert len(found) > 60
    assert all(m.place_id in gazetteer for m in found)
    assert any(m.prefix for m in found), "proclitics on place names"
    quiet = [r for r in records if not pipeline.find_places(r["text"])]
    assert quiet, "some reports name no place at all"


def test_attach_joins_proclitics_and_spaces_words(corpus: ModuleType) -> None:
    assert corpus.attach("ل", "الميادين") == "للميادين"
    assert corpus.attach("ب", "هجين") == "بهجين"
    assert corpus.attach("و", "الباغوز") == "والباغوز"
    assert corpus.attach("في", "هجين") == "في هجين"


def test_corpus_cli_streams_json_lines(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    subprocess.run(
        [sys.executable, str(BENCH / "corpus.py"), "-n", "5", "--seed", "9", "-o", str(out)],
        check=True,
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [f"syn9-{i:07d}" for i in range(5)]


# --- `mapper extract` streams JSON Lines files (the memory benchmark measures this path) -------


def _jsonl(records: list[dict], path: Path, *, encoding: str = "utf-8") -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return path


def test_extract_streams_a_jsonl_file_like_the_api(corpus: ModuleType, tmp_path: Path) -> None:
    from mapper.cli import main
    from mapper.models import as_dict
    from mapper.readers import load_reports

    source = _jsonl(list(corpus.generate(12, seed=5)), tmp_path / "r.jsonl")
    out = tmp_path / "i.jsonl"
    assert main(["extract", str(source), "-o", str(out)]) == 0
    pipeline = default_pipeline()
    expected = [
        as_dict(i) for r in load_reports([source]).items for i in pipeline.process(r).incidents
    ]
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert got == json.loads(json.dumps(expected, ensure_ascii=False))
    assert got


def test_extract_stream_lists_bad_lines_and_keeps_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mapper.cli import main

    good = {"id": "a", "text": "قصفت قوات النظام بلدة هجين أمس.", "published": "2020-05-02"}
    source = tmp_path / "mixed.jsonl"
    lines = [json.dumps(good, ensure_ascii=False), "{not json", '{"id": "b"}', "", "  "]
    lines.append(json.dumps({**good, "id": "c"}, ensure_ascii=False))
    source.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\n")
    out = tmp_path / "i.jsonl"
    assert main(["extract", str(source), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"error: {source}:2: not valid JSON" in err
    assert f"error: {source}:3: missing field 'text'" in err
    ids = {json.loads(line)["source_id"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert ids == {"a", "c"}


# --- smoke test: bench/run.py keeps working (sizes tiny, no figure is judged) ------------------

KEYS = (
    "places_reports_per_s", "extract_reports_per_s", "extract_vs_naive_ratio",
    "map_100k_build_s", "map_100k_html_mb", "map_100k_ready_s", "map_vs_markers_build_ratio",
    "map_vs_markers_size_ratio", "map_1m_ready_s", "stream_peak_rss_mb",
    "stream_peak_rss_mb_small", "gazetteer_load_s",
)  # fmt: skip


@pytest.mark.browser
def test_bench_run_quick_json_has_every_figure() -> None:
    from tests.browser import CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install --no-install-recommends chromium")
    tiny = ["--extract-n", "8", "--naive-reports-n", "2", "--map-n", "300", "--map-big-n",
            "2100", "--naive-n", "30", "--stream-small-n", "5", "--stream-n", "10"]  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--json", *tiny],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    result = json.loads(done.stdout)
    for key in KEYS:
        assert isinstance(result[key], float) and result[key] > 0, key
    assert result["map_1m_pans"] is result["map_1m_zooms"] is result["map_1m_popup"] is True
    assert result["sizes"]["map_big_n"] == 2100
