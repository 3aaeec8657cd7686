"""The bad-input catalogue of issue 9, each item through the real CLI and the Python API.

Every item is a small set of files written in ``tmp_path``: the broken input beside good
reports.  Through ``mapper places`` and ``mapper extract`` (real subprocesses) each item must give
its ``error:``/``warning:`` lines (``FILE[:LINE]: message``), the documented exit status, every
good report in the output and never a traceback; ``mapper run`` over the whole catalogue must
store every good report.  The same files through :func:`mapper.readers.load_reports` and the
pipeline must give the same reports and errors, with offsets into the original text.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mapper.models import RecordError, Report
from mapper.pipeline import default_pipeline
from mapper.readers import RecordWarning, load_reports

MAPPER = Path(sys.executable).with_name("mapper")
PLACES = ("هجين", "الباغوز", "الشعفة", "السوسة", "الميادين", "البوكمال")
NOT_UTF8 = "holds bytes that are not UTF-8 (or a lone surrogate escape)"
UNDECODABLE = "cannot decode as UTF-8, UTF-16 or Windows-1256"
NUL_FILE = "contains NUL bytes (a binary file, or UTF-16 without a byte-order mark?)"
NOT_A_DATE = "field 'published': expected a date YYYY-MM-DD, got"
NO_DATE = "; report kept without a date"
ESCAPED_SURROGATE = '{"id": "m4", "text": "\\udc80 escaped"}'
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def story(n: int, place: str | None = None) -> str:
    """A report of our own wording that yields one incident at a known place."""
    where = place or PLACES[n % len(PLACES)]
    return f"قصفت قوات النظام بلدة {where} صباح اليوم ما أدى إلى مقتل {n % 9 + 2} مدنيين."


def line(report_id: str, text: object, **more: object) -> str:
    return json.dumps({"id": report_id, "text": text, **more}, ensure_ascii=False)


def utf8(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Case:
    """Files of one catalogue item, the reports that must survive and the messages expected."""

    name: str
    files: dict[str, bytes]
    good: tuple[str, ...]
    errors: tuple[tuple[str, int | None, str], ...] = ()
    warnings: tuple[tuple[str, int | None, str], ...] = ()
    setup: Callable[[Path], list[str]] | None = None  # makes extra inputs; returns the args
    extra: dict[str, object] = field(default_factory=dict)

    def folder(self, root: Path) -> Path:
        return root / self.name

    def expected_lines(self, root: Path) -> list[str]:
        def where(name: str, number: int | None) -> str:
            path = name if name.startswith("/") else str(self.folder(root) / name)
            return path if number is None else f"{path}:{number}"

        return [f"error: {where(f, n)}: {m}" for f, n, m in self.errors] + [
            f"warning: {where(f, n)}: {m} (warning)" for f, n, m in self.warnings
        ]


def _bidi_name() -> str:
    name = "هجين"
    return name[0] + BIDI[:4] + name[1] + BIDI[4:8] + name[2] + BIDI[8:] + name[3]


def _many_mentions() -> str:
    sentence = "وتعرضت قرى {} و{} و{} و{} و{} للقصف. "
    return story(1) + " " + sentence.format(*PLACES[:5]) * 2000


def _csv(*rows: list[str]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


HTML = f"""<!doctype html><html><head><title>عنوان</title><style>p {{ color: red }}</style>
<script>var s = "{story(0)}"; document.write("<p>مخفي</p>");</script></head>
<body><nav>الرئيسية</nav><!-- تعليق: {story(5)} --><article><h1>خبر &amp; &quot;عاجل&quot;</h1>
<p>{story(3)} &#1608;&#x627;&#1604;&#1604;&#1607; &lt;script&gt;alert(1)&lt;/script&gt;</p>
</article></body></html>"""

CATALOGUE = [
    Case(
        "invalid-utf8",
        {
            "bad.txt": story(0).encode() + b" \xff\xfe\x80",
            "ok1.txt": story(1).encode(),
            "mixed.jsonl": utf8(line("m1", story(2)))
            + line("m2", story(5)).encode()[:-4] + b"\xff\xfe" + b'"}\n'
            + utf8(line("m3", story(3)), ESCAPED_SURROGATE, line("m5", story(4))),
        },
        good=("ok1", "m1", "m3", "m5"),
        errors=(
            ("bad.txt", None, UNDECODABLE),
            ("mixed.jsonl", 2, "cannot decode as UTF-8 or Windows-1256"),
            ("mixed.jsonl", 4, f"field 'text': {NOT_UTF8}"),
        ),
    ),
    Case(
        "windows-1256",
        {"win.txt": story(1).encode("cp1256"), "win.jsonl": line("w2", story(2)).encode("cp1256")},
        good=("win", "w2"),
    ),
    Case(
        "utf16-bom",
        {
            "le.txt": codecs.BOM_UTF16_LE + story(1).encode("utf-16-le"),
            "be.jsonl": codecs.BOM_UTF16_BE + line("be1", story(2)).encode("utf-16-be"),
            "le.csv": codecs.BOM_UTF16_LE
            + _csv(["id", "text"], ["c1", story(3)]).decode().encode("utf-16-le"),
        },
        good=("le", "be1", "c1"),
    ),
    Case(
        "utf8-bom",
        {
            "b.txt": codecs.BOM_UTF8 + story(1).encode(),
            "b.jsonl": codecs.BOM_UTF8 + utf8(line("bj", story(2))),
            "b.csv": codecs.BOM_UTF8 + _csv(["id", "text"], ["bc", story(3)]),
            "bh.html": codecs.BOM_UTF8 + f"<p>{story(4)}</p>".encode(),
        },
        good=("b", "bj", "bc", "bh"),
    ),
    Case(
        "empty",
        {"e.txt": b"", "e.jsonl": b"", "e.csv": b"", "e.html": b"", "ok2.txt": story(1).encode()},
        good=("ok2",),
        errors=tuple((f"e.{x}", None, "empty file") for x in ("csv", "html", "jsonl", "txt")),
    ),
    Case(
        "whitespace",
        {f"w.{x}": b" \n\t\r\n  \n" for x in ("txt", "jsonl", "csv", "html")}
        | {"ok.jsonl": utf8(line("ok3", story(1)))},
        good=("ok3",),
        errors=tuple((f"w.{x}", None, "empty file") for x in ("csv", "html", "jsonl", "txt")),
    ),
    Case(
        "nul-bytes",
        {
            "n.txt": story(0).encode() + b"\x00" + story(1).encode(),
            "n.jsonl": utf8(line("n1", story(2)), line("n2", "نص\x00نص"), line("n3", story(3)))
            + b'{"id": "n4", "text": "\x00"}\n',
            "n.csv": _csv(["id", "text"], ["nc1", story(4)], ["nc2", "قصف\x00"], ["nc3", story(5)]),
        },
        good=("n1", "n3", "nc1", "nc3"),
        errors=(
            ("n.csv", 3, "field 'text': contains NUL bytes"),
            ("n.jsonl", 2, "field 'text': contains NUL bytes"),
            ("n.jsonl", 4, NUL_FILE),
            ("n.txt", None, NUL_FILE),
        ),
    ),
    Case(
        "bidi-controls",
        {
            "bidi.txt": story(1, _bidi_name()).encode(),
            "bidi.jsonl": utf8(line("bd", f"\u202b{story(0)}\u202c")),
        },
        good=("bidi", "bd"),
        extra={"place": "hajin", "surface": _bidi_name()},
    ),
    Case(
        "digits",
        {
            "arabic-indic.txt": (story(0).replace("مقتل 2", "مقتل ٤") + " وجرح ١٥.").encode(),
            "persian.txt": "قصفت قوات النظام بلدة هجين ما أدى إلى مقتل ۴ مدنيين.".encode(),
        },
        good=("arabic-indic", "persian"),
        extra={"fatalities": 4},
    ),
    Case(
        "presentation-forms",
        {"pf.txt": story(1, "\ufeeb\ufea0\ufef4\ufee6").encode()},
        good=("pf",),
        extra={"place": "hajin", "surface": "\ufeeb\ufea0\ufef4\ufee6"},
    ),
    Case(
        "many-mentions",
        {"many.txt": _many_mentions().encode()},
        good=("many",),
        extra={"mentions": 10_001},
    ),
    Case(
        "jsonl-broken-lines",
        {
            "r.jsonl": utf8(
                line("j1", story(1)),
                '{"id": "j2", "text": "مقطوع',
                '["j3", "مصفوفة"]',
                '{"id": "j4", "body": "بلا نص"}',
                '{"id": "j5", "text": 42}',
                '{"id": "j6", "text": ["قائمة"]}',
                line("j7", story(7)),
            )
        },
        good=("j1", "j7"),
        errors=(
            ("r.jsonl", 2, "not valid JSON: Unterminated string starting at (column 22)"),
            ("r.jsonl", 3, "line is a JSON array, expected an object"),
            ("r.jsonl", 4, "missing field 'text'"),
            ("r.jsonl", 5, "field 'text': expected a string, got int"),
            ("r.jsonl", 6, "field 'text': expected a string, got list"),
        ),
    ),
    Case(
        "csv-no-text-column",
        {"no.csv": _csv(["id", "body"], ["x", story(1)]), "ok.csv": _csv(["text"], [story(2)])},
        good=("ok:2",),
        errors=(("no.csv", 1, "CSV has no 'text' column (columns: id, body)"),),
    ),
    Case(
        "csv-newlines-quotes",
        {
            "q.csv": _csv(
                ["ID", "Text", "source"],
                ["q1", f'{story(1)}\nسطر ثان "بين علامتي اقتباس"', 'وكالة "أ"'],
                ["q2", story(2), ""],
            )
        },
        good=("q1", "q2"),
    ),
    Case("html-script-style-comments-entities", {"page.html": HTML.encode()}, good=("page",)),
    Case(
        "missing-path",
        {"ok4.txt": story(1).encode()},
        good=("ok4",),
        errors=(("nope.jsonl", None, "no such file or directory"),),
        setup=lambda folder: [str(folder / "nope.jsonl"), str(folder / "ok4.txt")],
    ),
    Case(
        "published",
        {
            "p.jsonl": utf8(
                line("p1", story(1), published="5/3/2024"),
                line("p2", story(2), published="2999-01-01"),
                line("p3", story(3), published="2024-02-30"),
                line("p4", story(4), published=20240301),
                line("p5", story(5), published="2019-02-10T23:30:00-05:00"),
            )
        },
        good=("p1", "p2", "p3", "p4", "p5"),
        warnings=(
            ("p.jsonl", 1, f"{NOT_A_DATE} '5/3/2024'{NO_DATE}"),
            ("p.jsonl", 2, f"field 'published': '2999-01-01' is in the future{NO_DATE}"),
            ("p.jsonl", 3, f"{NOT_A_DATE} '2024-02-30'{NO_DATE}"),
            ("p.jsonl", 4, "field 'published': expected a string, got int; report kept without it"),
        ),
        extra={"published": {"p5": "2019-02-10"}},
    ),
]  # fmt: skip


def _unreadable_folder(folder: Path) -> list[str]:
    """A folder with a mode-000 file, a dangling link and a link loop beside a good report."""
    (folder / "locked.txt").chmod(0)
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    return [str(folder)]


CATALOGUE.append(
    Case(
        "unreadable-files",
        {"locked.txt": story(0).encode(), "ok5.txt": story(1).encode()},
        good=("ok5",),
        errors=(
            ("dangling.txt", None, "no such file or directory"),
            ("locked.txt", None, "permission denied"),
            ("loop.txt", None, "Too many levels of symbolic links"),
        ),
        setup=_unreadable_folder,
    )
)
CASES = {case.name: case for case in CATALOGUE}


def _drop_privileges() -> list[str]:
    """Root reads mode-000 files; ``setpriv`` runs a command without that capability."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a mode-000 file cannot be made unreadable")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("catalogue")
    for case in CATALOGUE:
        folder = case.folder(root)
        folder.mkdir()
        for name, data in case.files.items():
            (folder / name).write_bytes(data)
        if case.setup is not None:
            case.setup(folder)
    yield root
    (root / "unreadable-files" / "locked.txt").chmod(0o600)


def mapper(*args: str, stdin: bytes | None = None, prefix: list[str] | None = None):
    result = subprocess.run(
        [*(prefix or []), str(MAPPER), *args], input=stdin, capture_output=True, timeout=600
    )
    stderr = result.stderr.decode("utf-8")
    assert "Traceback" not in stderr, stderr
    return result.returncode, result.stdout.decode("utf-8"), stderr


def _args(case: Case, root: Path) -> list[str]:
    folder = case.folder(root)
    if case.setup is None:
        return [str(folder / name) for name in sorted(case.files)]
    if case.name == "unreadable-files":
        return [str(folder)]
    return case.setup(folder)


def _prefix(case: Case) -> list[str]:
    return _drop_privileges() if case.name == "unreadable-files" else []


# ---------------------------------------------------------------- through the real CLI


@pytest.mark.parametrize("name", list(CASES))
def test_places_cli(catalogue: Path, name: str) -> None:
    case = CASES[name]
    status, out, err = mapper("places", *_args(case, catalogue), prefix=_prefix(case))
    assert status == (1 if case.errors else 0), err
    assert sorted(err.splitlines()) == sorted(case.expected_lines(catalogue))
    rows = [json.loads(row) for row in out.splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(case.good)
    for row in rows:
        assert row["mentions"], row["id"]  # every good report names a place
        if "place" in case.extra:
            assert {m["place_id"] for m in row["mentions"]} == {case.extra["place"]}
    if "mentions" in case.extra:
        assert len(rows[0]["mentions"]) == case.extra["mentions"]


@pytest.mark.parametrize("name", list(CASES))
def test_extract_cli(catalogue: Path, name: str) -> None:
    case = CASES[name]
    status, out, err = mapper("extract", *_args(case, catalogue), prefix=_prefix(case))
    assert status == (1 if case.errors else 0), err
    assert sorted(err.splitlines()) == sorted(case.expected_lines(catalogue))
    incidents = [json.loads(row) for row in out.splitlines()]
    assert {i["source_id"] for i in incidents} == set(case.good)  # every good report, one or more
    if "fatalities" in case.extra:
        assert {i["fatalities"] for i in incidents} == {case.extra["fatalities"]}


def test_run_cli_stores_every_good_report(catalogue: Path, tmp_path: Path) -> None:
    """One ``mapper run`` over every item at once: all good reports stored, all errors listed."""
    args = [a for case in CATALOGUE for a in _args(case, catalogue)]
    status, out, err = mapper(
        "run", *args, "--out", str(tmp_path / "out"), prefix=_drop_privileges()
    )
    assert status == 1
    expected = [text for case in CATALOGUE for text in case.expected_lines(catalogue)]
    listed = [text for text in err.splitlines() if text.startswith(("error: ", "warning: "))]
    assert sorted(listed) == sorted(expected)
    with sqlite3.connect(tmp_path / "out" / "incidents.gpkg") as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM reports")}
        errors = json.loads(conn.execute("SELECT errors FROM runs").fetchone()[0])
    conn.close()
    assert stored == {report_id for case in CATALOGUE for report_id in case.good}
    assert len(errors) == len(expected)
    assert out.strip().endswith("map.html")


def test_stdin_through_every_command(tmp_path: Path) -> None:
    data = (
        codecs.BOM_UTF8
        + utf8(line("s1", story(1)), "[1]", '{"text": 5}')
        + b'{"id": "s2", "text": "\xff"}\n'
        + utf8('{"id": "s3", "text": "\\ud800"}', "", "   ", line("s4", story(4)))
    )
    expected = [
        "error: <stdin>:2: line is a JSON array, expected an object",
        "error: <stdin>:3: field 'text': expected a string, got int",
        "error: <stdin>:4: cannot decode as UTF-8 or Windows-1256",
        f"error: <stdin>:5: field 'text': {NOT_UTF8}",
    ]
    for command in ("places", "extract"):
        status, out, err = mapper(command, stdin=data)
        assert (status, err.splitlines()) == (1, expected)
        ids = {
            json.loads(row).get("id") or json.loads(row)["source_id"] for row in out.splitlines()
        }
        assert ids == {"s1", "s4"}
    status, out, err = mapper("run", "-", "--out", str(tmp_path), "-q", stdin=data)
    assert (status, err.splitlines()) == (1, expected)


# ---------------------------------------------------------------- through the Python API


@pytest.mark.parametrize("name", list(CASES))
def test_python_api(catalogue: Path, name: str) -> None:
    case = CASES[name]
    if case.name == "unreadable-files" and os.geteuid() == 0:
        _api_without_privileges(case, catalogue)
        return
    result = load_reports(_args(case, catalogue))
    assert sorted(r.id for r in result.items) == sorted(case.good)
    problems = sorted(
        f"{'warning' if isinstance(e, RecordWarning) else 'error'}: {e}" for e in result.errors
    )
    assert problems == sorted(case.expected_lines(catalogue))
    pipe = default_pipeline()
    for report in result.items:
        _check_report(pipe, report, case)


def _check_report(pipe, report: Report, case: Case) -> None:
    done = pipe.process(report)
    assert done.mentions and done.incidents
    for m in done.mentions:
        assert report.text[m.start : m.end] == m.surface
    if "surface" in case.extra and report.id != "bd":
        assert {m.surface for m in done.mentions} == {case.extra["surface"]}
    if "fatalities" in case.extra:
        assert {i.fatalities for i in done.incidents} == {case.extra["fatalities"]}
    if "published" in case.extra:
        assert report.published == case.extra["published"].get(report.id)
    if case.name == "html-script-style-comments-entities":
        assert report.text.startswith('خبر & "عاجل"')
        assert "والله <script>alert(1)</script>" in report.text  # entities decoded, as text
        assert "مخفي" not in report.text and "color" not in report.text
        assert story(0) not in report.text and story(5) not in report.text


def _api_without_privileges(case: Case, root: Path) -> None:
    code = (
        "import json, sys; from mapper.readers import load_reports; "
        "r = load_reports(sys.argv[1:]); "
        "print(json.dumps([[i.id for i in r.items], [str(e) for e in r.errors]]))"
    )
    args = [*_drop_privileges(), sys.executable, "-c", code, *_args(case, root)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)
    ids, errors = json.loads(result.stdout)
    assert ids == list(case.good)
    assert sorted(f"error: {e}" for e in errors) == sorted(case.expected_lines(root))


def test_api_errors_are_record_errors_not_exceptions(catalogue: Path) -> None:
    every = [a for case in CATALOGUE for a in _args(case, catalogue) if case.setup is None]
    result = load_reports(every)
    assert all(isinstance(e, RecordError) for e in result.errors)
    assert len(result.items) == sum(len(c.good) for c in CATALOGUE if c.setup is None)


def test_catalogue_ids_are_unique() -> None:
    ids = [report_id for case in CATALOGUE for report_id in case.good]
    assert len(ids) == len(set(ids))  # so the one-run test can tell every report apart


# ---------------------------------------------------------------- a 20 MB report


@pytest.mark.slow
def test_twenty_megabyte_report(tmp_path: Path) -> None:
    filler = "وشهدت الأسواق حركة خفيفة وسط ارتفاع الأسعار وانقطاع الكهرباء لساعات طويلة. "
    body = story(1) + " " + filler * (20_000_000 // len(filler.encode())) + story(2, "الميادين")
    path = tmp_path / "huge.txt"
    path.write_text(body, encoding="utf-8")
    assert path.stat().st_size >= 20_000_000
    status, out, err = mapper("places", str(path), str(tmp_path / "missing.txt"))
    assert status == 1 and err.strip().endswith("missing.txt: no such file or directory")
    (row,) = [json.loads(r) for r in out.splitlines()]
    first, last = row["mentions"][0], row["mentions"][-1]
    assert (first["place_id"], first["start"]) == ("al-baghuz-fawqani", story(1).index("الباغوز"))
    assert (last["place_id"], last["start"]) == ("al-mayadin", body.rindex("الميادين"))
    status, out, err = mapper("extract", str(path))
    assert status == 0 and err == ""
    assert {json.loads(r)["location_ar"] for r in out.splitlines()} >= {"الميادين"}


# ---------------------------------------------------------------- mapper map input


def test_map_with_out_of_range_coordinates_draws_the_good_rows(tmp_path: Path) -> None:
    from mapper.frame import read_incidents

    points = [(40.83, 34.69), (200.0, 34.7), (40.8, -95.0), (40.45, 35.02), (float("nan"), 3.0)]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "incident_id": f"i{n}",
                "source_id": "d",
                "event_type": "Battles",
                "location": "Hajin",
                "location_ar": "هجين",
                "event_date": "2019-01-01",
                "latitude": lat,
                "longitude": lon,
            },
        }
        for n, (lon, lat) in enumerate(points)
    ]
    path = tmp_path / "in.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    status, out, err = mapper("map", str(path), "-o", str(tmp_path / "m.html"))
    assert status == 1
    assert err.splitlines() == [
        f"error: {path}: row 2: coordinates out of range (lat, lon = 34.7, 200.0)",
        f"error: {path}: row 3: coordinates out of range (lat, lon = -95.0, 40.8)",
        f"error: {path}: row 5: coordinates out of range (lat, lon = 3.0, nan)",
    ]
    html = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert out.strip() == str(tmp_path / "m.html")
    assert "35.02" in html and "200.0" not in html
    bad: list = []
    gdf = read_incidents(path, errors=bad)
    assert list(gdf["incident_id"]) == ["i0", "i3"] and len(bad) == 3
    with pytest.raises(ValueError, match="row 2: coordinates out of range"):
        read_incidents(path)
