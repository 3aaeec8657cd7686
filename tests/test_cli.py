from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mapper.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_places_jsonl_keeps_going_after_a_broken_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "reports.jsonl"
    src.write_text(
        '{"id": "a", "text": "قصف على بلدة هجين"}\n'
        "{not json\n"
        '{"id": "c", "text": "اشتباكات في الباغوز"}\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "places", str(src))
    assert code == 1
    assert "error: " in err and "reports.jsonl:2" in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["a", "c"]
    (m,) = rows[0]["mentions"]
    assert m["surface"] == "هجين" and m["place_id"] == "hajin" and m["lat"] is not None
    assert set(m) == {
        "start",
        "end",
        "surface",
        "place_id",
        "name",
        "name_ar",
        "kind",
        "lat",
        "lon",
        "confidence",
    }


def test_geocode_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "geocode", "الباغوز", "بهجين")
    assert code == 0 and "al-baghuz-fawqani" in out and "hajin" in out
    code, out, _ = run(capsys, "geocode", "--json", "موحسن")
    assert json.loads(out)[0]["place_id"] == "muhasan"
    code, _, err = run(capsys, "geocode", "xyzzy")
    assert code == 1 and "error: xyzzy" in err


def test_gazetteer_check_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gazetteer", "check")
    assert code == 0 and "with coordinates" in out
    target = tmp_path / "places.geojson"
    code, out, _ = run(capsys, "gazetteer", "export", "-o", str(target))
    assert code == 0 and json.loads(target.read_text(encoding="utf-8"))["features"]


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "nonsense")
    assert code == 2 and "error:" in err
    with pytest.raises(SystemExit) as stop:
        main(["places", "--help"])
    assert stop.value.code == 0
    assert "example:" in capsys.readouterr().out


def test_eval_places_json(corpus_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "places", str(corpus_dir / "dev.jsonl"), "--json")
    figures = json.loads(out)
    assert code == 0 and figures["f1"] >= 0.9 and figures["acc_161km"] >= 0.95


def test_import_does_not_load_folium_or_geopandas() -> None:
    code = "import sys, mapper; print('folium' in sys.modules, 'geopandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
