"""Place spotting and resolution on sentences written for these tests (not from the corpus)."""

from __future__ import annotations

import pytest

from mapper.pipeline import Pipeline


def places(pipeline: Pipeline, text: str) -> list[tuple[str, str]]:
    found = pipeline.find_places(text)
    for m in found:
        assert text[m.start : m.end] == m.surface
    return [(m.surface, m.place_id) for m in found]


def test_clitics_are_part_of_the_surface(pipeline: Pipeline) -> None:
    text = "قصفت الطائرات بهجين ثم وبالباغوز والسوسة وللبوكمال."
    assert places(pipeline, text) == [
        ("بهجين", "hajin"),
        ("وبالباغوز", "al-baghuz-fawqani"),
        ("والسوسة", "al-susah"),
        ("وللبوكمال", "abu-kamal"),
    ]


def test_a_name_never_matches_inside_a_longer_word(pipeline: Pipeline) -> None:
    assert places(pipeline, "وصل الهجينيون إلى منهجين جديد") == []


def test_joined_spelling_diacritics_and_tatweel(pipeline: Pipeline) -> None:
    found = places(pipeline, "في مدينة ديرالزور وفي هَجِيـــنٍ")
    assert found == [("ديرالزور", "deir-ez-zor"), ("هَجِيـــنٍ", "hajin")]


def test_nom_de_guerre_is_not_a_place(pipeline: Pipeline) -> None:
    text = "قُتل القيادي أبو عمر داريا قرب الميادين"
    assert [p for _, p in places(pipeline, text)] == ["al-mayadin"]


def test_outlet_and_armed_group_names_are_not_places(pipeline: Pipeline) -> None:
    text = "نقلت شبكة دير الزور 24 أن قوات سوريا الديمقراطية دخلت بلدة ذيبان"
    assert places(pipeline, text) == [("ذيبان", "diban")]


def test_channel_is_not_the_jazira_bank(pipeline: Pipeline) -> None:
    text = "وقال مصدر محلي للجزيرة إن القصف طال الشحيل"
    assert [p for _, p in places(pipeline, text)] == ["al-shuhayl"]


def test_metonymy_counts_as_a_mention(pipeline: Pipeline) -> None:
    found = places(pipeline, "واتهمت دمشق واشنطن بقتل المدنيين في العشارة")
    assert [s for s, _ in found] == ["دمشق", "واشنطن", "العشارة"]


def test_sousse_in_a_tunisian_report(pipeline: Pipeline) -> None:
    text = "تونس - هاجم مسلح فندقا في سوسة الساحلية شرق تونس العاصمة."
    ids = dict(places(pipeline, text))
    assert pipeline.gazetteer.get(ids["سوسة"]).country == "TN"


def test_susah_in_a_deir_ez_zor_report(pipeline: Pipeline) -> None:
    text = "قصفت مدفعية من الأراضي العراقية بلدتي الباغوز والسوسة شرق دير الزور."
    ids = dict(places(pipeline, text))
    assert ids["والسوسة"] == "al-susah"
    assert ids["الأراضي العراقية"] == "country-iq"


def test_the_two_baghuz_villages(pipeline: Pipeline) -> None:
    ids = [p for _, p in places(pipeline, "نزح الأهالي من الباغوز التحتاني إلى الباغوز الفوقاني")]
    assert ids == ["al-baghuz-tahtani", "al-baghuz-fawqani"]
    assert [p for _, p in places(pipeline, "معارك في الباغوز")] == ["al-baghuz-fawqani"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("غارات على ريف دير الزور الشرقي", "governorate"),
        ("انفجار في مدينة دير الزور", "city"),
        ("على بعد 40 كم جنوب شرق دير الزور", "city"),
    ],
)
def test_deir_ez_zor_city_or_governorate(pipeline: Pipeline, text: str, kind: str) -> None:
    (m,) = pipeline.find_places(text)
    assert m.kind == kind
    assert m.surface == "دير الزور"


def test_unknown_village_after_a_noun_is_kept_unresolved(pipeline: Pipeline) -> None:
    found = pipeline.find_places("سيطرت القوات على قرى الزبارة والخرائج والمعيشية شرق النهر")
    assert [(m.surface, m.place_id, m.kind) for m in found] == [
        ("الزبارة", "", "village"),
        ("والخرائج", "", "village"),
        ("والمعيشية", "", "village"),
    ]
    assert all(m.lat is None and 0 < m.confidence < 0.5 for m in found)


def test_landmark_names_are_whole(pipeline: Pipeline) -> None:
    found = pipeline.find_places("سقطت قذيفة قرب مسجد الفتح وتل الحمام في البوكمال")
    assert [(m.surface, m.kind) for m in found] == [
        ("مسجد الفتح", "landmark"),
        ("وتل الحمام", "landmark"),
        ("البوكمال", "city"),
    ]


def test_adjectives_after_nouns_are_not_names(pipeline: Pipeline) -> None:
    assert pipeline.find_places("استهدفت الغارة مسجدا في قرية صغيرة ومزار شيعي") == []


def test_confidence_and_reason(pipeline: Pipeline) -> None:
    (m,) = pipeline.find_places("قصف على الصالحية")
    assert 0 <= m.confidence <= 1 and m.reason


def test_dev_corpus_floors(dev_docs, pipeline: Pipeline) -> None:
    from mapper.evaluation import score_places

    figures = score_places(dev_docs, pipeline.find_places).figures()
    assert figures["f1"] >= 0.90
    assert figures["acc_161km"] >= 0.95
    assert figures["acc_5km"] >= 0.85


def test_no_place_at_daraya_in_the_seed(dev_docs, pipeline: Pipeline) -> None:
    seed = next(d for d in dev_docs if d["id"] == "seed-001")
    names = {m.name for m in pipeline.find_places(seed["text"])}
    assert not any("Daraya" in n or "Darayya" in n for n in names)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("اشترت الوزارة معدات حديثة للمشافي", []),
        ("تقدمت القوات العراقية نحو مدينة حديثة", ["حديثة"]),
        ("وصلت التعزيزات إلى غرب حديثة صباح اليوم", ["حديثة"]),
        ("وقال المتحدث في حديثه للصحفيين إن الطريق مقطوع", []),
        ("زار الطفل جدة صديقه في المشفى", []),
        ("هبطت الطائرة بجدة بعد رحلة طويلة", ["بجدة"]),
        ("حمل المتطوعون الراية البيضاء", []),
        ("ودخلوا العمارة المجاورة", []),
    ],
)
def test_common_word_world_names_need_a_place_context(
    pipeline: Pipeline, text: str, expected: list[str]
) -> None:
    assert [s for s, _ in places(pipeline, text)] == expected


def test_haditha_is_the_iraqi_town(pipeline: Pipeline) -> None:
    (m,) = pipeline.find_places("اشتباكات عنيفة في قضاء حديثة بمحافظة الأنبار")[:1]
    place = pipeline.gazetteer.get(m.place_id)
    assert (place.country, m.surface) == ("IQ", "حديثة")
