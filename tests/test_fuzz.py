"""Property tests over the whole pipeline and the readers: any input, no crash, honest offsets.

``find_places`` and ``extract`` get any Unicode string and Arabic-heavy strings built from the
gazetteer's own names, the clitics lexicon, event cues, harakat, tatweel, bidi controls,
presentation forms and Arabic-Indic digits.  Every mention must satisfy
``text[start:end] == surface``, lie inside the text, come in order without overlap; every
incident's evidence and mention span must point into the text, the mention span at a mention
``find_places`` returned.

The default profile runs a few hundred cases per property (``make test``).  The dedicated run
is ``MAPPER_FUZZ=1 pytest tests/test_fuzz.py --hypothesis-show-statistics`` (``make fuzz``):
10,000 cases per property.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapper.gazetteer import Gazetteer
from mapper.lexicons import read_table
from mapper.models import RecordError, Report
from mapper.pipeline import default_pipeline
from mapper.readers import SUFFIXES, read_reports

FUZZ = os.environ.get("MAPPER_FUZZ") == "1"
EXAMPLES = 10_000 if FUZZ else 150
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _terms(name: str, role: str | None = None) -> list[str]:
    return sorted(
        {
            term
            for row in read_table(name)
            if role is None or row.get("role") == role
            for term in row["term"].split("|")
        }
    )


NAMES = sorted({place.name_ar for place in Gazetteer.default() if place.name_ar})
CLITICS = _terms("clitics.tsv")
CUES = _terms("events.tsv", "event")[:200] + _terms("relative.tsv")[:100]
MARKS = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670", "\u0640"]
BIDI = list("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200c\u200d")
DIGITS = [chr(c) for c in range(0x0660, 0x066A)] + [chr(c) for c in range(0x06F0, 0x06FA)]
SEPARATORS = [" ", "  ", "\n", "\n\n", "، ", ". ", " - ", "\t", "\u00a0", ": ", "(", ")", '"']


def _name_form() -> st.SearchStrategy[str]:
    """A gazetteer name with optional clitics, with marks or bidi controls slipped inside."""
    inside = st.lists(st.sampled_from(MARKS + BIDI), max_size=2).map("".join)

    def spoil(name: str, filler: list[str], at: list[int]) -> str:
        chars = list(name)
        for pos, fill in zip(at, filler, strict=False):
            chars.insert(pos % (len(chars) + 1), fill)
        return "".join(chars)

    base = st.builds(
        lambda c, n: c + n,
        st.sampled_from(["", "", *CLITICS]),
        st.sampled_from(NAMES),
    )
    return st.builds(
        spoil, base, st.lists(inside, max_size=2), st.lists(st.integers(0, 30), max_size=2)
    )


PRESENTATION = st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFF)
PIECE = st.one_of(
    _name_form(),
    st.sampled_from(CUES),
    st.sampled_from(SEPARATORS),
    st.lists(st.sampled_from(DIGITS), min_size=1, max_size=3).map("".join),
    st.text(PRESENTATION, min_size=1, max_size=4),
    st.sampled_from(BIDI + MARKS),
    st.text(st.characters(min_codepoint=0x0621, max_codepoint=0x064A), min_size=1, max_size=6),
)
ARABIC_HEAVY = st.lists(PIECE, max_size=40).map("".join)
ANY_TEXT = st.text(max_size=400)


def check_mentions(text: str, mentions: list) -> None:
    last_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.surface
        assert m.start >= last_end  # ordered, a character in one mention at most
        last_end = m.end


def check_incidents(text: str, mentions: list, incidents: list) -> None:
    spans = {(m.start, m.end) for m in mentions}
    for i in incidents:
        assert 0 <= i.evidence_start <= i.evidence_end <= len(text)
        assert text[i.evidence_start : i.evidence_end] == i.evidence
        if i.mention_start is not None:
            assert (i.mention_start, i.mention_end) in spans
            assert i.evidence_start <= i.mention_start < i.mention_end <= i.evidence_end
        for claim in i.claims:
            if claim.evidence_start is not None:
                assert 0 <= claim.evidence_start <= claim.evidence_end <= len(text)
        json.dumps([i.evidence, i.location_ar, i.notes], ensure_ascii=False).encode("utf-8")


def _whole(text: str) -> None:
    pipe = default_pipeline()
    mentions = pipe.find_places(text)
    check_mentions(text, mentions)
    incidents = list(pipe.process(Report(id="fuzz", text=text, published="2019-02-10")).incidents)
    check_incidents(text, mentions, incidents)


@PROFILE
@given(ANY_TEXT)
def test_any_unicode_string(text: str) -> None:
    _whole(text)


@PROFILE
@given(ARABIC_HEAVY)
def test_arabic_heavy_string(text: str) -> None:
    _whole(text)


@PROFILE
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=8), st.sampled_from(BIDI + MARKS))
def test_names_with_a_mark_inside_still_resolve(names: list[str], mark: str) -> None:
    """A bidi control or haraka inside every name changes nothing but the surfaces."""
    pipe = default_pipeline()
    plain = " و".join(names)
    spoiled = " و".join(n[:1] + mark + n[1:] for n in names)
    before = [m.place_id for m in pipe.find_places(plain)]
    after = pipe.find_places(spoiled)
    check_mentions(spoiled, after)
    assert [m.place_id for m in after] == before


# ---------------------------------------------------------------- readers


def _check_records(records: list, name: str) -> None:
    for r in records:
        assert isinstance(r, Report | RecordError)
        if isinstance(r, Report):
            assert r.text.strip()
            assert "\x00" not in r.text
            json.dumps([r.id, r.text, r.url, r.source], ensure_ascii=False).encode("utf-8")
        else:
            assert r.path == name and r.message


@PROFILE
@given(st.binary(max_size=600), st.sampled_from(SUFFIXES))
def test_reader_survives_any_bytes(tmp_path_factory, data: bytes, suffix: str) -> None:
    path = Path(tmp_path_factory.getbasetemp()) / f"fuzz{suffix}"
    path.write_bytes(data)
    _check_records(list(read_reports([path])), str(path))
    _check_records(list(read_reports(["-"], stdin=io.BytesIO(data))), "<stdin>")


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
RECORD = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON_VALUE,
        "text": st.one_of(ARABIC_HEAVY, JSON_VALUE),
        "published": st.one_of(st.dates().map(str), JSON_VALUE),
        "url": JSON_VALUE,
        "source": JSON_VALUE,
    },
)


@PROFILE
@given(st.lists(st.one_of(RECORD, JSON_VALUE), max_size=6))
def test_jsonl_of_any_json_keeps_every_good_line(values: list) -> None:
    lines = [json.dumps(v, ensure_ascii=False) for v in values]
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    records = list(read_reports(["-"], stdin=io.BytesIO(data)))
    _check_records(records, "<stdin>")
    lines_seen = {int(r.origin.rsplit(":", 1)[1]) for r in records if isinstance(r, Report)}
    errors = {r.line for r in records if isinstance(r, RecordError) and "(warning)" not in str(r)}
    assert lines_seen.isdisjoint(errors)
    assert lines_seen | errors == set(range(1, len(values) + 1))  # each line: kept or listed
