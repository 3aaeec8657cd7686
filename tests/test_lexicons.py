from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from mapper.errors import ConfigError
from mapper.lexicons import TermMatcher, clitics, read_table, terms_of
from mapper.normalize import normalize

LEXICONS = Path(str(resources.files("mapper.data").joinpath("lexicons")))


def spans(matcher: TermMatcher, text: str) -> list[tuple[str, str]]:
    return [(text[s:e], h.prefix) for s, e, h in matcher.find_in(normalize(text))]


def test_proclitics_and_boundaries() -> None:
    m = TermMatcher([("الباغوز", 1), ("هجين", 2), ("دير الزور", 3), ("ديرالزور", 3)])
    text = "وبالباغوز وللباغوز بهجين فبهجين ومنهجين هجينية ديرالزورية في دير الزور."
    assert spans(m, text) == [
        ("وبالباغوز", "وب"),
        ("وللباغوز", "ول"),
        ("بهجين", "ب"),
        ("فبهجين", "فب"),
        ("دير الزور", ""),
    ]


def test_longest_match_wins_then_earliest() -> None:
    m = TermMatcher([("دير الزور", "place"), ("دير الزور 24", "outlet"), ("الزور", "x")])
    assert [h.payloads for _, _, h in m.find_in(normalize("شبكة دير الزور 24 قالت"))] == [
        ("outlet",)
    ]


def test_harakat_and_tatweel_are_matched_and_kept() -> None:
    m = TermMatcher([("هجين", 1)])
    assert spans(m, "في هَجِيـــنٍ اليوم") == [("هَجِيـــنٍ", "")]


def test_clitic_table_comes_from_data() -> None:
    c = clitics()
    assert c.is_prefix("وب") and c.is_prefix("ف") and not c.is_prefix("بو")
    assert ("ول", "الباغوز") in c.readings("وللباغوز")


@pytest.mark.parametrize("path", sorted(LEXICONS.glob("*.tsv")), ids=lambda p: p.name)
def test_every_lexicon_loads_and_has_terms(path: Path) -> None:
    rows = read_table(path.name)
    assert rows, path
    assert all(t.strip() for t in terms_of(rows))


def test_bad_lexicon_row_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("term\tnote\nقصف\tok\nغارة\ta\tb\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.tsv:3"):
        read_table("bad.tsv", path=bad)


def test_common_word_names_are_world_names_with_a_known_context() -> None:
    from mapper.gazetteer import Gazetteer, in_home_region
    from mapper.normalize import normalize_name

    g = Gazetteer.default()
    rows = read_table("common_word_names.tsv")
    assert rows
    for row in rows:
        assert row["needs"] in ("noun", "locative"), row
        world = [p for p in g.lookup(row["term"]) if not in_home_region(p)]
        assert world, f"common_word_names.tsv:{row['_line']}: {row['term']} names no world place"
    locatives = {normalize_name(t) for t in terms_of(read_table("locatives.tsv"))}
    assert {"في", "الي", "ب"} <= locatives
