from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapper.normalize import normalize, normalize_name

ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
MIXED = st.one_of(
    ARABIC,
    st.sampled_from(list(" \t\n\u00a0_\u200c\u200d\u200e\u200f\u202b\u2067\ufeff\u0640ﻻﻷﺍﺑﻫ٣۴")),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
    st.characters(),
)
TEXT = st.text(MIXED, max_size=60)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("هَجِينٌ", "هجين"),
        ("هجـــين", "هجين"),
        ("أبو كمال", "ابو كمال"),
        ("إدلب آمنة", "ادلب امنه"),
        ("مستشفى", "مستشفي"),
        ("السوسة", "السوسه"),
        ("رئيس مؤتمر", "رييس موتمر"),
        ("٢٠١٨ ۱۱", "2018 11"),
        ("دير\u200f  \n الزور", "دير الزور"),
        ("دير \u200f\n الزور", "دير الزور"),
        ("دير الزورُ  هجين", "دير الزور هجين"),
        ("ﻻ", "لا"),
        ("Deir_EZ-Zor", "deir ez-zor"),
        ("ک ی", "ك ي"),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_offsets_point_into_the_original() -> None:
    original = "قصفٌ على بِهجين\u200f،  والباغوز"
    nt = normalize(original)
    start = nt.text.index("بهجين")
    s, e = nt.to_original(start, start + len("بهجين"))
    assert original[s:e] == "بِهجين"
    start = nt.text.index("قصف")
    s, e = nt.to_original(start, start + 3)
    assert original[s:e] == "قصفٌ"  # the trailing tanwin is taken in


def test_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        normalize(b"bytes")  # type: ignore[arg-type]


def test_normalize_name_trims() -> None:
    assert normalize_name("  الباغوزُ  ") == "الباغوز"


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_offset_map_is_monotone_and_bounded(original: str) -> None:
    nt = normalize(original)
    assert len(nt.offsets) == len(nt.text) + 1
    assert nt.offsets[-1] == len(original)
    assert all(a <= b for a, b in zip(nt.offsets, nt.offsets[1:], strict=False))
    assert all(0 <= o <= len(original) for o in nt.offsets)
    # the compact map behind to_original agrees with the per-character one
    assert all(nt.to_original(i, i + 1)[0] == nt.offsets[i] for i in range(len(nt.text)))


@settings(max_examples=3000, deadline=None)
@given(TEXT, st.data())
def test_spans_renormalize_to_themselves(original: str, data: st.DataObject) -> None:
    nt = normalize(original)
    cuts = nt.boundaries()
    i = data.draw(st.sampled_from(cuts))
    j = data.draw(st.sampled_from([c for c in cuts if c >= i]))
    s, e = nt.to_original(i, j)
    assert 0 <= s <= e <= len(original)
    assert normalize(original[s:e]).text == nt.text[i:j]


@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_idempotent(original: str) -> None:
    once = normalize(original).text
    assert normalize(once).text == once


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_fast_run_finder_agrees_with_the_definition(original: str) -> None:
    from mapper.normalize import _EVENT, _events

    assert list(_events(original)) == [m.span() for m in _EVENT.finditer(original)]
