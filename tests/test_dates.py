"""Date anchors: each kind of anchor resolved against a publication date, with our own sentences."""

from __future__ import annotations

import pytest

from mapper.dates import DateResolver
from mapper.lexicons import read_table, terms_of
from mapper.normalize import normalize_name


@pytest.fixture(scope="module")
def resolver() -> DateResolver:
    return DateResolver()


def date_of(
    resolver: DateResolver, sentence: str, published: str | None = "2021-03-13"
) -> str | None:
    return resolver.resolve(normalize_name(sentence), published).date


# 2021-03-13 is a Saturday.
@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("قصفت المدفعية القرية اليوم", "2021-03-13"),
        ("قصفت المدفعية القرية صباح اليوم السبت", "2021-03-13"),
        ("وقعت الاشتباكات أمس", "2021-03-12"),
        ("وقعت الاشتباكات يوم أمس الجمعة", "2021-03-12"),
        ("انفجر لغم أمس الأول", "2021-03-11"),
        ("انفجر لغم أول أمس", "2021-03-11"),
        ("غارة مساء الخميس على البلدة", "2021-03-11"),
        ("غارة ليلة الأحد على البلدة", "2021-03-07"),
        ("غارة يوم السبت على البلدة", "2021-03-13"),
        ("غارة يوم السبت الماضي على البلدة", "2021-03-06"),
        ("هجوم في 9 آذار / مارس الجاري", "2021-03-09"),
        ("هجوم في ٩ آذار الجاري", "2021-03-09"),
        ("هجوم في 28 كانون الأول", "2020-12-28"),
        ("هجوم في 2 تشرين الثاني 2019", "2019-11-02"),
        ("هجوم في 15 نوفمبر", "2020-11-15"),
        ("تتبادل القوات إطلاق النار الآن", "2021-03-13"),
    ],
)
def test_anchor_resolves(resolver: DateResolver, sentence: str, expected: str) -> None:
    assert date_of(resolver, sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "قصفت المدفعية القرية قبل أيام",
        "قصفت المدفعية القرية الشهر الماضي",
        "وقع الهجوم في شهر آذار",  # a month without a day
        "استهدفت الغارة المصلين أثناء صلاة الجمعة",  # Friday prayer is no anchor
        "أحد عناصر التنظيم قتل في الغارة",  # أحد ("one of") is not Sunday
        "غارة على البلدة",
    ],
)
def test_no_day_gives_no_date(resolver: DateResolver, sentence: str) -> None:
    assert date_of(resolver, sentence) is None


def test_relative_anchor_needs_publication(resolver: DateResolver) -> None:
    assert date_of(resolver, "غارة أمس على البلدة", None) is None
    expression = resolver.resolve(normalize_name("غارة أمس على البلدة"), None)
    assert expression.temporal and expression.precision is None


def test_printed_year_needs_no_publication(resolver: DateResolver) -> None:
    assert date_of(resolver, "هجوم في 2 تشرين الثاني 2019", None) == "2019-11-02"


def test_day_precision(resolver: DateResolver) -> None:
    assert resolver.resolve(normalize_name("غارة اليوم"), "2021-03-13").precision == 1


def test_every_term_is_reachable(resolver: DateResolver) -> None:
    rows = read_table("dates.tsv")
    blocks = set(terms_of([r for r in rows if r["kind"] == "block"]))
    for term in terms_of(rows):
        if term not in blocks:
            assert resolver.anchors(f"قال {normalize_name(term)} هنا"), term


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("قصف على البلدة بتاريخ 9/3/2021", "2021-03-09"),  # day first, as Arabic news prints it
        ("قصف على البلدة بتاريخ ٩/٣/٢٠٢١", "2021-03-09"),  # Arabic-Indic digits
        ("قصف على البلدة يوم 09-03-2021", "2021-03-09"),
        ("قصف على البلدة يوم 2021-03-09", "2021-03-09"),  # ISO
        ("قصف على البلدة يوم 3/11/2021", None),  # after publication: month first? no guess
        ("قصف على البلدة يوم 31/2/2021", None),  # no such day
        ("اتصلوا على الرقم 12/3/20214", None),  # digits go on: not a date
    ],
)
def test_numeric_dates(resolver: DateResolver, sentence: str, expected: str | None) -> None:
    assert date_of(resolver, sentence) == expected
