"""The one input reader: every kind of input, every encoding, every error message."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from mapper.models import RecordError, Report
from mapper.readers import RecordWarning, decode_bytes, load_reports, read_reports

DATA = Path(__file__).parent / "data" / "readers"
ARABIC = "قصفٌ مدفعيّ على قرية الباغوز ـــ صباح اليوم\u200f، وسقوط ضحايا."


def _errors(records: list[Report | RecordError]) -> list[tuple[int | None, str]]:
    return [(r.line, r.message) for r in records if isinstance(r, RecordError)]


def test_jsonl_good_bad_and_warnings_in_order() -> None:
    records = list(read_reports([DATA / "reports.jsonl"]))
    reports = [r for r in records if isinstance(r, Report)]
    assert [r.id for r in reports] == ["r1", "reports:2", "r7"]
    assert reports[0].published == "2024-03-05"
    assert reports[0].source == "مرصد"
    assert reports[1].published == "2024-03-06"  # date as written, not converted to UTC
    assert reports[1].text.endswith("\u200f بين الطرفين.")  # bidi mark kept
    assert reports[2].published is None
    assert reports[0].origin.endswith("reports.jsonl:1")
    assert _errors(records) == [
        (4, "line is a JSON array, expected an object"),
        (5, "field 'text': expected a string, got int"),
        (6, "not valid JSON: Expecting ',' delimiter (column 12)"),
        (7, "empty report"),
        (8, "field 'published': expected a date YYYY-MM-DD, got '5/3/2024'; "
            "report kept without a date"),
    ]  # fmt: skip
    assert isinstance(records[-1], RecordWarning)
    assert not isinstance(records[3], RecordWarning)


def test_missing_text_and_bad_id(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "a"}\n{"id": [1], "text": "نص"}\n{"id": 12, "text": "نص"}\n"s"\n')
    records = list(read_reports([path]))
    assert _errors(records) == [
        (1, "missing field 'text'"),
        (2, "field 'id': expected a string, got list"),
        (4, "line is a JSON string, expected an object"),
    ]
    assert [r.id for r in records if isinstance(r, Report)] == ["12"]


def test_txt_front_matter_and_plain(tmp_path: Path) -> None:
    (report,) = read_reports([DATA / "note.txt"])
    assert isinstance(report, Report)
    assert report.id == "note"
    assert report.url == "https://example.org/note"
    assert report.published == "2024-04-01"
    assert report.source == "شبكة محلية"
    assert report.text.startswith("تظاهر العشرات")
    plain = tmp_path / "plain.txt"
    plain.write_text("عنوان: ليس رأس ملف\n\n" + ARABIC, encoding="utf-8")
    (report,) = read_reports([plain])
    assert report.text == "عنوان: ليس رأس ملف\n\n" + ARABIC  # unknown key: not front matter
    custom = tmp_path / "c.txt"
    custom.write_text("id: my-id\n\n" + ARABIC, encoding="utf-8")
    assert next(read_reports([custom])).id == "my-id"


def test_html_article_text() -> None:
    (report,) = read_reports([DATA / "article.html"])
    assert isinstance(report, Report)
    assert report.id == "article"
    assert report.published == "2024-05-02"
    assert report.text == (
        "سقوط قذائف على الميادين\n\n"
        "سقطت قذائف على أحياء مدينة الميادين & ريفها الغربي.\n\n"
        "وأفاد ناشطون بمقتل مدنيَّين اثنين."
    )
    for hidden in ("عنوان", "لا يجب", "رأس", "الرئيسية", "تعليق", "مقالات", "حقوق"):
        assert hidden not in report.text


def test_csv_multiline_quotes_and_default_id() -> None:
    records = list(read_reports([DATA / "reports.csv"]))
    assert [r.id for r in records] == ["c1", "reports:4"]
    assert records[0].text == 'تقرير أول\nفي سطرين، مع "اقتباس".'
    assert records[0].published == "2024-06-01"
    assert records[0].source == "وكالة"
    assert records[1].published is None


def test_csv_without_text_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,body\n1,نص\n", encoding="utf-8")
    assert _errors(list(read_reports([path]))) == [
        (1, "CSV has no 'text' column (columns: id, body)")
    ]


def test_folder_is_recursive_and_sorted() -> None:
    records = list(read_reports([DATA / "folder"]))
    assert [r.origin.removeprefix(str(DATA / "folder")) for r in records] == [
        "/a.txt",
        "/b.jsonl:1",
        "/sub/a.txt",
    ]


def test_missing_unsupported_and_unreadable(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    odd = tmp_path / "x.docx"
    odd.write_bytes(b"PK")
    locked = tmp_path / "locked.txt"
    locked.write_text(ARABIC, encoding="utf-8")
    locked.chmod(0)
    records = list(read_reports([missing, odd, locked]))
    locked.chmod(0o600)
    assert records[0] == RecordError(str(missing), None, "no such file or directory")
    assert records[1].message.startswith("unsupported file type '.docx'")
    if os.geteuid() != 0:  # root reads anything
        assert records[2] == RecordError(str(locked), None, "permission denied")


def test_stdin_binary_and_text() -> None:
    data = '\ufeff{"id": "s1", "text": "نص"}\n\n[]\n'.encode()
    records = list(read_reports(["-"], stdin=io.BytesIO(data)))
    assert records[0] == Report(id="s1", text="نص", origin="<stdin>:1")
    assert _errors(records) == [(3, "line is a JSON array, expected an object")]
    (report,) = read_reports(["-"], stdin=io.StringIO('{"text": "نص"}\n'))
    assert report.id == "stdin:1"
    (err,) = read_reports(["-"], stdin=io.BytesIO(b'{"text": "\xff"}\n'))
    assert err.message == "cannot decode as UTF-8 or Windows-1256"


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
     ("utf-16-be", b"\xfe\xff"), ("cp1256", b"")],
)  # fmt: skip
def test_encodings_round_trip(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = "قصف مدفعي على قرية الباغوز صباح اليوم، وسقوط ضحايا «مدنيين»."
    for name, payload in (
        ("r.txt", text),
        ("r.jsonl", json.dumps({"id": "x", "text": text}, ensure_ascii=False)),
    ):
        path = tmp_path / name
        path.write_bytes(bom + payload.encode(encoding))
        (report,) = read_reports([path])
        assert isinstance(report, Report), report
        assert report.text == text


def test_utf8_that_also_decodes_as_cp1256_is_utf8(tmp_path: Path) -> None:
    data = ARABIC.encode("utf-8")
    assert data.decode("cp1256") != ARABIC  # it would decode, wrongly
    assert decode_bytes(data) == ARABIC


def test_undecodable_and_nul(tmp_path: Path) -> None:
    binary = tmp_path / "b.txt"
    binary.write_bytes(bytes(range(256)))
    utf16_no_bom = tmp_path / "u.txt"
    utf16_no_bom.write_bytes("report text".encode("utf-16-le"))
    latin = tmp_path / "l.txt"
    latin.write_bytes("Größe über Äpfel".encode("latin-1"))
    records = list(read_reports([binary, utf16_no_bom, latin]))
    assert [r.message for r in records] == [
        "cannot decode as UTF-8, UTF-16 or Windows-1256",
        "contains NUL bytes (a binary file, or UTF-16 without a byte-order mark?)",
        "cannot decode as UTF-8, UTF-16 or Windows-1256",
    ]


def test_empty_txt_and_mistyped_optional_fields(tmp_path: Path) -> None:
    empty = tmp_path / "e.txt"
    empty.write_text(" \n", encoding="utf-8")
    typed = tmp_path / "t.jsonl"
    typed.write_text('{"text": "نص", "url": 5}\n', encoding="utf-8")
    records = list(read_reports([empty, typed]))
    assert records[0] == RecordError(str(empty), None, "empty file")
    assert isinstance(records[1], Report) and records[1].url is None
    assert isinstance(records[2], RecordWarning)


def test_load_reports_splits_items_and_errors() -> None:
    result = load_reports([DATA / "reports.jsonl", DATA / "note.txt"])
    assert len(result.items) == 4
    assert len(result.errors) == 5
    with pytest.raises(TypeError):
        load_reports(DATA / "note.txt")  # type: ignore[arg-type]


def test_html_marked_sections_are_bogus_comments(tmp_path: Path) -> None:
    """``<![`` broke the stdlib parser with an AssertionError (found by bench/fuzz_readers.py)."""
    page = tmp_path / "m.html"
    page.write_text(
        "<p>قصف على هجين</p><![ zz <p>مخفي</p> <![CDATA[ حذف ]]> <![if !IE]><p>ظاهر</p>"
        "<![endif]><p>نهاية</p><![ غير مغلق",
        encoding="utf-8",
    )
    (report,) = read_reports([page])
    assert report.text == "قصف على هجين\n\nمخفي\n\nظاهر\n\nنهاية\n\n<![ غير مغلق"
