"""Pieces of inputs: JSON Lines cut at line ends read exactly as the whole file is read."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from mapper.chunks import Piece, iter_pieces, read_piece
from mapper.decoding import NUL_MESSAGE
from mapper.errors import ConfigError
from mapper.readers import read_reports

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"


def _write_jsonl(path: Path, *, bom: bool = False, crlf: bool = False) -> Path:
    lines = []
    for i in range(40):
        record = {"text": f"قصف مدفعي على بلدة هجين صباح اليوم رقم {i}"}
        if i % 4:
            record["id"] = f"r{i}"
        lines.append(json.dumps(record, ensure_ascii=False))
        if i == 9:
            lines += ["", "[1, 2]", '{"text": ""}', "{broken"]
    data = ("\r\n" if crlf else "\n").join(lines)  # no line end after the last record
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8"))
    return path


@pytest.mark.parametrize(("bom", "crlf"), [(False, False), (True, True)])
def test_chunks_read_like_the_whole_file(tmp_path: Path, bom: bool, crlf: bool) -> None:
    path = _write_jsonl(tmp_path / "feed.jsonl", bom=bom, crlf=crlf)
    pieces = list(iter_pieces([path], chunk_bytes=300))
    data = path.read_bytes()
    assert len(pieces) > 5
    assert pieces[0].start == 0 and pieces[-1].stop == len(data)
    for before, after in itertools.pairwise(pieces):
        assert before.stop == after.start and data[before.stop - 1 : before.stop] == b"\n"
        assert after.first_line == data[: after.start].count(b"\n") + 1
        assert after.first_line == before.first_line + before.lines
    assert [item for piece in pieces for item in read_piece(piece)] == list(read_reports([path]))


def test_small_files_folders_and_a_line_longer_than_a_chunk(tmp_path: Path) -> None:
    long = tmp_path / "long.jsonl"
    long.write_text(json.dumps({"text": "خبر " * 200}, ensure_ascii=False) + "\n", "utf-8")
    pieces = list(iter_pieces([EXAMPLES, long, "-"], chunk_bytes=100))
    names = [Path(p.path).name for p in pieces]
    assert list(dict.fromkeys(names[:-2])) == sorted(p.name for p in EXAMPLES.iterdir())
    assert names.count("more.jsonl") > 1
    assert pieces[-1] == Piece("-")
    assert (pieces[-2].start, pieces[-2].stop) == (0, long.stat().st_size)  # one line, whole
    assert [r for p in pieces[:-1] for r in read_piece(p)] == list(read_reports([EXAMPLES, long]))


def test_bad_bytes_cost_their_lines_and_chunks_read_as_the_whole_file(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "feed.jsonl")
    data = path.read_bytes()
    cut = data.index(b"\n", 400) + 1
    bad_line = data[:cut].count(b"\n") + 1
    for bad, message in (
        (b'{"text": "\xff\xfe bad"}\n', "cannot decode as UTF-8 or Windows-1256"),
        (b"\x00" * 200 + b"\n", NUL_MESSAGE),  # dense NULs: binary, or UTF-16 without a BOM
    ):
        path.write_bytes(data[:cut] + bad + data[cut:])
        pieces = list(iter_pieces([path], chunk_bytes=300))
        items = [item for piece in pieces for item in read_piece(piece)]
        assert items == list(read_reports([path]))  # lines are decoded one by one, everywhere
        errors = [str(e) for e in items if not hasattr(e, "text")]
        assert f"{path}:{bad_line}: {message}" in errors
        assert any(getattr(r, "id", "") == "r39" for r in items)
    with pytest.raises(ConfigError):
        list(iter_pieces([path], chunk_bytes=0))
