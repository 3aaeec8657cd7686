"""Place, merge and cue rules of incident extraction, on sentences written for these tests.

Each test names the general rule it checks; mentions are built by hand (offsets from
``str.index``), unresolved names with an empty ``place_id`` as the spotter leaves them.
"""

from __future__ import annotations

import pytest

from mapper.gazetteer import Gazetteer
from mapper.incidents import IncidentExtractor
from mapper.models import Incident, Mention, Place, PlaceKind, Report

PUBLISHED = "2021-03-13"  # a Saturday

KNOWN = {
    "هجين": ("hajin", "Hajin", "town", 34.69, 40.83),
    "الميادين": ("mayadin", "Al-Mayadin", "city", 35.02, 40.45),
    "ذيبان": ("diban", "Diban", "town", 35.01, 40.51),
    "السوسة": ("susah", "Al-Susah", "town", 34.55, 40.92),
    "الباغوز": ("baghuz", "Al-Baghuz", "town", 34.46, 40.96),
    "دير الزور": ("dez", "Deir ez-Zor Governorate", "governorate", None, None),
    "البادية السورية": ("desert", "Syrian Desert", "region", None, None),
    "الشامية": ("shamiya", "Shamiya", "region", None, None),
    "تل الذهب": ("tell", "Tell al-Dhahab", "landmark", None, None),
}


def m(text: str, surface: str, after: int = 0, kind: str = "") -> Mention:
    """A mention of ``surface`` (first occurrence from ``after``); unknown names unresolved."""
    start = text.index(surface, after)
    if surface in KNOWN:
        pid, en, k, lat, lon = KNOWN[surface]
        return Mention(start, start + len(surface), surface, pid, en, surface, k, lat, lon, 1.0)
    name = surface
    return Mention(start, start + len(surface), surface, "", name, name, kind, None, None, 0.5)


def run(text: str, mentions: list[Mention], gazetteer=None) -> list[Incident]:
    return IncidentExtractor(gazetteer).extract(Report("r", text, PUBLISHED), mentions)


def gazetteer_of(*places: Place) -> Gazetteer:
    """A tiny real gazetteer of the given places."""
    return Gazetteer(places)


GAZ = gazetteer_of(
    Place("dez", "دير الزور", "Deir ez-Zor Governorate", PlaceKind.GOVERNORATE),
    Place("shamiya", "الشامية", "Shamiya", PlaceKind.REGION, parent="dez"),
    Place("susah", "السوسة", "Al-Susah", PlaceKind.TOWN, 34.55, 40.92, parent="dez"),
    Place("hajin", "هجين", "Hajin", PlaceKind.TOWN, 34.69, 40.83, parent="dez"),
    Place("tell", "تل الذهب", "Tell al-Dhahab", PlaceKind.LANDMARK, parent="hajin"),
    Place("diban", "ذيبان", "Diban", PlaceKind.TOWN, 35.01, 40.51, parent="dez"),
)


def test_quarter_linked_through_quotes_borrows_the_town_point() -> None:
    text = "قتل مدنيان بغارة على حي الزهور بمدينة “هجين”."
    (inc,) = run(text, [m(text, "الزهور", kind="neighbourhood"), m(text, "هجين")])
    assert (inc.location_ar, inc.latitude, inc.geo_precision) == ("الزهور", 34.69, 2)
    assert "Hajin" in inc.notes and inc.fatalities == 2


def test_unresolved_facility_before_its_town_is_a_detail_of_the_town() -> None:
    text = "هجوم مسلح على فندق النخيل الكبير في مدينة الميادين."
    mentions = [m(text, "فندق النخيل", kind="landmark"), m(text, "الميادين")]
    assert [i.location for i in run(text, mentions)] == ["Al-Mayadin"]


def test_unresolved_place_borrows_the_settlement_named_before() -> None:
    text = "غارة جوية على هجين. واندلعت اشتباكات قرب شارع الكورنيش."
    mentions = [m(text, "هجين"), m(text, "شارع الكورنيش", kind="landmark")]
    strike, clash = run(text, mentions)
    assert (strike.location, clash.location_ar) == ("Hajin", "شارع الكورنيش")
    assert (clash.latitude, clash.geo_precision) == (34.69, 2) and "Hajin" in clash.notes


def test_later_detail_inside_the_first_place_is_the_same_event() -> None:
    text = "داهمت قسد منزلا في ذيبان. وقال ناشطون إن المداهمة جرت في حي الجسر في بلدة ذيبان."
    mentions = [m(text, "ذيبان"), m(text, "الجسر", kind="neighbourhood"), m(text, "ذيبان", 30)]
    (inc,) = run(text, mentions)
    assert inc.location == "Diban" and inc.event_type == "Strategic developments"


def test_known_landmark_keeps_its_incident_at_its_parent_point() -> None:
    text = "هاجم مسلحون نقطة عسكرية في منطقة تل الذهب بمدينة هجين."
    (inc,) = run(text, [m(text, "تل الذهب"), m(text, "هجين")], GAZ)
    assert (inc.location, inc.latitude, inc.geo_precision) == ("Tell al-Dhahab", 34.69, 2)


def test_anaphor_points_to_the_last_settlement() -> None:
    text = "داهمت قوات الأمن منازل في ذيبان، بالتزامن مع غارات جوية على منازل في البلدة."
    incidents = run(text, [m(text, "ذيبان")])
    strike = next(i for i in incidents if i.event_type == "Explosions/Remote violence")
    assert (strike.location, strike.geo_precision) == ("Diban", 2)


def test_no_place_goes_to_the_smallest_area_of_the_sentence() -> None:
    text = "قصفت الطائرات مدينة هجين شرق دير الزور، كما قصفت المدفعية مواقع التنظيم."
    incidents = run(text, [m(text, "هجين"), m(text, "دير الزور")])
    assert [(i.location, i.geo_precision) for i in incidents] == [
        ("Hajin", 1),
        ("Deir ez-Zor Governorate", 3),
    ]
    assert incidents[1].sub_event_type == "Shelling/artillery/missile attack"


def test_coarse_lead_lends_its_toll_to_the_later_finer_incident() -> None:
    text = "قتل مدنيان بانفجار لغم في ريف دير الزور. وقال ناشطون إن اللغم انفجر في بلدة السوسة."
    for gaz in (None, GAZ):
        (inc,) = run(text, [m(text, "دير الزور"), m(text, "السوسة")], gaz)
        assert (inc.location, inc.fatalities) == ("Al-Susah", 2)


def test_coarse_event_after_finer_ones_stands() -> None:
    text = "بدأت قوات النظام بزرع الألغام في بلدة السوسة. ووصل رتل عسكري إلى ريف دير الزور."
    incidents = run(text, [m(text, "السوسة"), m(text, "دير الزور")])
    assert [i.location for i in incidents] == ["Al-Susah", "Deir ez-Zor Governorate"]


def test_long_list_goes_to_the_area_named_for_the_same_event() -> None:
    text = (
        "قوات النظام تسيطر على منطقة الشامية\n\n"
        "سيطرت قوات النظام على قرى الألف والباء والتاء والثاء والجيم والحاء في ريف دير الزور."
    )
    villages = ["الألف", "والباء", "والتاء", "والثاء", "والجيم", "والحاء"]
    mentions = [m(text, "الشامية"), *(m(text, v, kind="village") for v in villages)]
    mentions.append(m(text, "دير الزور"))
    (inc,) = run(text, mentions, GAZ)
    assert (inc.location, inc.sub_event_type) == ("Shamiya", "Government regains territory")


def test_withdrawal_destination_is_not_an_event_place() -> None:
    text = "انسحب عناصر التنظيم إلى البادية السورية."
    assert run(text, [m(text, "البادية السورية")]) == []
    text = "وصل رتل عسكري إلى البادية السورية."
    assert [i.location for i in run(text, [m(text, "البادية السورية")])] == ["Syrian Desert"]


@pytest.mark.parametrize(
    "text",
    [
        "وبلغت حصيلة ضحايا الغارات في دير الزور خلال أسبوع أربعين قتيلا.",
        "تشن قوات الأمن بشكل يومي حملات دهم واعتقال في دير الزور.",
    ],
)
def test_tallies_and_habits_are_not_events(text: str) -> None:
    assert run(text, [m(text, "دير الزور")]) == []


def test_negated_capture_is_not_a_capture() -> None:
    text = "لم تسيطر قسد على بلدة السوسة بعد معارك عنيفة."
    (inc,) = run(text, [m(text, "السوسة")])
    assert (inc.event_type, inc.sub_event_type) == ("Battles", "Armed clash")


def test_convoy_arrival_beats_the_weapons_it_carries() -> None:
    text = "وصل رتل عسكري يضم مدفعية ثقيلة إلى مدينة الميادين."
    (inc,) = run(text, [m(text, "الميادين")])
    assert (inc.event_type, inc.sub_event_type) == ("Strategic developments", "Other")


def test_coordinated_clause_keeps_the_attacker_and_a_target_stays_second() -> None:
    text = "سيطرت قوات النظام على بلدة السوسة، كما سيطرت على بلدة الباغوز بعد معارك ضد تنظيم داعش."
    _first, second = run(text, [m(text, "السوسة"), m(text, "الباغوز")])
    assert second.sub_event_type == "Government regains territory"
    assert (second.actor1, second.actor2) == ("Military Forces of Syria", "Islamic State")


def test_source_place_behind_an_outlet_name_is_not_an_event_place() -> None:
    text = "وقال مراسل “شبكة الخابور” في الميادين إن اشتباكات اندلعت في ذيبان."
    incidents = run(text, [m(text, "الميادين"), m(text, "ذيبان")])
    assert [i.location for i in incidents] == ["Diban"]


def test_unresolved_places_of_one_clause_get_distinct_ids() -> None:
    text = "سقطت قذائف على قريتي الخضراء والحمراء صباح اليوم."
    mentions = [m(text, "الخضراء", kind="village"), m(text, "والحمراء", kind="village")]
    incidents = run(text, mentions)
    assert len(incidents) == 2 and len({i.incident_id for i in incidents}) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قتل القيادي المعروف بأبي خالد برفقة أربعة من مرافقيه بغارة على هجين.", 5),
        ("قتل 12 مدنيا بينهم ثلاثة أطفال بغارة على هجين.", 12),
    ],
)
def test_companions_and_subsets_in_tolls(text: str, expected: int) -> None:
    (inc,) = run(text, [m(text, "هجين")])
    assert inc.fatalities == expected


def test_similar_attack_takes_the_previous_sub_type() -> None:
    text = "قصفت المدفعية بلدة السوسة اليوم، كما تعرضت هجين لقصف مماثل."
    first, second = run(text, [m(text, "السوسة"), m(text, "هجين")])
    assert second.sub_event_type == first.sub_event_type == "Shelling/artillery/missile attack"


def test_an_air_force_that_shells_strikes_from_the_air() -> None:
    text = "قصفت قوات التحالف الدولي مدرسة في بلدة الباغوز."
    (inc,) = run(text, [m(text, "الباغوز")])
    assert inc.sub_event_type == "Air/drone strike"


def test_equipment_of_a_convoy_is_not_an_attack() -> None:
    text = "وصل رتل عسكري مؤلف من عشر آليات، ومدفعيتين ثقيلتين وراجمة صواريخ إلى ريف دير الزور."
    (inc,) = run(text, [m(text, "دير الزور")])
    assert inc.event_type == "Strategic developments"


def test_a_lead_toll_that_later_incidents_add_up_to_is_their_total() -> None:
    text = (
        "قتل تسعة مدنيين بغارات على مدينة الميادين ومحيطها. "
        "وأفادت مصادر بمقتل خمسة مدنيين بغارة على قرية الطيبة. "
        "كما قتل أربعة مدنيين بغارة على مدينة الميادين."
    )
    mentions = [m(text, "الميادين"), m(text, "الطيبة", kind="village"), m(text, "الميادين", 60)]
    found = [(i.location_ar, i.fatalities) for i in run(text, mentions)]
    assert found == [("الطيبة", 5), ("الميادين", 4)]


def test_a_clause_without_event_place_falls_back_to_its_source_place() -> None:
    text = "وقال ناشطون في هجين إن وقفة احتجاجية خرجت أمام مبنى البلدية."
    (inc,) = run(text, [m(text, "هجين")])
    assert (inc.location, inc.event_type, inc.geo_precision) == ("Hajin", "Protests", 2)
    text = "نظم أبناء هجين وقفة احتجاجية أمام مبنى البلدية."  # the participants' own town
    (inc,) = run(text, [m(text, "هجين")])
    assert (inc.location, inc.event_type, inc.geo_precision) == ("Hajin", "Protests", 1)


def test_equipment_words_do_not_reach_into_the_next_sentence() -> None:
    text = "رتل عسكري يضم عشر آليات\n\nاندلعت اشتباكات في بلدة السوسة."
    (inc,) = run(text, [m(text, "السوسة")])
    assert (inc.location, inc.event_type) == ("Al-Susah", "Battles")


# --- generalization rules (issue 5, held-out findings) ------------------------------------


def test_no_date_is_carried_to_a_later_event_elsewhere() -> None:
    text = "قصفت المدفعية بلدة هجين اليوم. وقصفت المدفعية بلدة ذيبان."
    first, second = run(text, [m(text, "هجين"), m(text, "ذيبان")])
    assert first.event_date == PUBLISHED and second.event_date is None


def test_a_retelling_inside_the_dated_place_shares_its_date() -> None:
    text = "انفجر لغم في بلدة هجين أمس. وقال ناشطون إن اللغم انفجر قرب تل الذهب."
    incidents = run(text, [m(text, "هجين"), m(text, "تل الذهب")], GAZ)
    assert {i.event_date for i in incidents} == {"2021-03-12"}


def test_an_opener_does_not_carry_a_date_into_the_next_sentence() -> None:
    text = "قصفت المدفعية بلدة هجين اليوم. وفي غضون ذلك، قصفت المدفعية بلدة ذيبان."
    assert [i.event_date for i in run(text, [m(text, "هجين"), m(text, "ذيبان")])] == [
        PUBLISHED,
        None,
    ]


@pytest.mark.parametrize(
    ("sentence", "sub"),
    [
        ("أعلنت قوات النظام السيطرة على بلدة ذيبان.", "Government regains territory"),
        ("أعلن التنظيم إتمام سيطرته على بلدة ذيبان.", "Non-state actor overtakes territory"),
        ("تجددت المواجهات بين مسلحين في بلدة ذيبان.", "Armed clash"),
        ("خرج العشرات في بلدة ذيبان احتجاجا على الغلاء.", "Peaceful protest"),
    ],
)
def test_cues_match_with_article_and_suffixes(sentence: str, sub: str) -> None:
    (inc,) = run(sentence, [m(sentence, "ذيبان")])
    assert inc.sub_event_type == sub


def test_a_death_verb_with_a_suffix_gives_the_toll() -> None:
    text = "لقي أربعة مدنيين مصرعهم بانفجار لغم في بلدة ذيبان."
    (inc,) = run(text, [m(text, "ذيبان")])
    assert inc.fatalities == 4
    text = "قضى ثلاثة رعاة بانفجار لغم في بلدة ذيبان."
    (inc,) = run(text, [m(text, "ذيبان")])
    assert inc.fatalities == 3


def test_new_base_and_burning_tyres_have_their_rows() -> None:
    text = "أنشأت الميليشيات مقرا عسكريا في بلدة ذيبان."
    (inc,) = run(text, [m(text, "ذيبان")])
    assert inc.sub_event_type == "Headquarters or base established"
    text = "أغلق شبان الطريق بالإطارات المشتعلة في بلدة ذيبان."
    (inc,) = run(text, [m(text, "ذيبان")])
    assert inc.event_type == "Riots"


@pytest.mark.parametrize(
    "sentence",
    [
        "تقدم تجار من بلدة ذيبان بطلب إلى البلدية.",
        "سيطر رجال الإطفاء على حريق في سوق بلدة ذيبان.",
    ],
)
def test_capture_words_need_a_force(sentence: str) -> None:
    assert run(sentence, [m(sentence, "ذيبان")]) == []


def test_headline_lends_its_toll_and_stands_only_where_the_body_is_silent() -> None:
    text = (
        "ستة قتلى بقصف مدفعي على هجين، واشتباكات في ذيبان\n\n"
        "قصفت قوات النظام اليوم بلدة هجين بالمدفعية الثقيلة.\n"
        "ولم ترد معلومات أخرى."
    )
    mentions = [m(text, "هجين"), m(text, "ذيبان"), m(text, "هجين", 30)]
    incidents = run(text, mentions)
    assert [(i.location, i.event_date) for i in incidents] == [
        ("Diban", None),
        ("Hajin", PUBLISHED),
    ]
    assert incidents[1].fatalities == 6


def test_first_line_with_a_full_stop_is_a_lead_sentence_not_a_headline() -> None:
    text = "قتل ستة مدنيين بقصف على بلدة هجين.\n\nوقالت مصادر إن القصف طال بلدة هجين."
    (inc,) = run(text, [m(text, "هجين"), m(text, "هجين", 20)])
    assert inc.fatalities == 6


def test_includes_is_gear_only_after_a_convoy() -> None:
    text = "شنت قوات التحالف الذي يضم عشرات الدول غارات على بلدة الميادين."
    (inc,) = run(text, [m(text, "الميادين")])
    assert inc.sub_event_type == "Air/drone strike"
    text = "دخل رتل عسكري بلدة الميادين يضم شاحنات وراجمات صواريخ."
    (inc,) = run(text, [m(text, "الميادين")])
    assert inc.event_type == "Strategic developments"


def test_residents_of_a_town_name_the_event_place() -> None:
    text = "قتل أربعة من أهالي بلدة ذيبان بقصف مدفعي."
    (inc,) = run(text, [m(text, "ذيبان")])
    assert (inc.location, inc.fatalities) == ("Diban", 4)


def test_residents_after_a_speech_verb_are_a_source() -> None:
    text = "قال أهالي بلدة ذيبان إن قصفا مدفعيا طال بلدة هجين."
    (inc,) = run(text, [m(text, "ذيبان"), m(text, "هجين")])
    assert inc.location == "Hajin"


@pytest.mark.parametrize(
    "text",
    [
        "وصل رتل للميليشيات قادما من بلدة ذيبان إلى مدينة الميادين.",
        "قصفت قوات النظام من مواقعها في بلدة ذيبان أطراف مدينة الميادين.",
    ],
)
def test_an_origin_is_not_the_event_place(text: str) -> None:
    assert [i.location for i in run(text, [m(text, "ذيبان"), m(text, "الميادين")])] == [
        "Al-Mayadin"
    ]


@pytest.mark.parametrize(
    "text",
    ["أعلن ناشطون اغتيال قيادي في بلدة ذيبان.", "قتل مدني واحد بقذيفة في بلدة ذيبان."],
)
def test_a_singular_victim_is_a_toll_of_one(text: str) -> None:
    (inc,) = run(text, [m(text, "ذيبان")])
    assert inc.fatalities == 1


def test_a_figure_beats_a_singular_noun_after_it() -> None:
    text = "قتل 9 قتيلا مدنيا بغارة على بلدة ذيبان."
    (inc,) = run(text, [m(text, "ذيبان")])
    assert inc.fatalities == 9


def test_a_demonstrative_retells_and_adds_nothing_without_a_toll() -> None:
    text = "تظاهر العشرات في بلدة ذيبان اليوم. وتأتي هذه المظاهرات بعد توتر في بلدة هجين."
    assert [i.location for i in run(text, [m(text, "ذيبان"), m(text, "هجين")])] == ["Diban"]


def test_a_trend_over_months_is_not_an_event() -> None:
    text = "تشهد بلدة ذيبان منذ أشهر موجة من الاغتيالات."
    assert run(text, [m(text, "ذيبان")]) == []


def test_a_placeless_clause_continues_the_one_place_of_the_sentence_before() -> None:
    text = "سيطرت قوات النظام على بلدة ذيبان اليوم. وأسفر الهجوم عن مقتل سبعة عناصر من التنظيم."
    (inc,) = run(text, [m(text, "ذيبان")])
    assert (inc.location, inc.fatalities, inc.event_type) == ("Diban", 7, "Battles")


def test_a_placeless_event_after_one_place_goes_near_it() -> None:
    text = "داهمت قوات الأمن منازل في بلدة ذيبان. وقصفت المدفعية أطراف التجمعات السكنية."
    arrest, shelling = run(text, [m(text, "ذيبان")])
    assert (arrest.geo_precision, shelling.location, shelling.geo_precision) == (1, "Diban", 2)


def test_no_continuation_after_two_places_or_a_place_of_its_own() -> None:
    text = "قصفت المدفعية بلدتي ذيبان وهجين. واندلعت اشتباكات عنيفة."
    assert [i.event_type for i in run(text, [m(text, "ذيبان"), m(text, "هجين")])] == [
        "Explosions/Remote violence",
        "Explosions/Remote violence",
    ]


def test_a_later_claim_goes_to_the_earlier_incident_at_the_place_it_names() -> None:
    text = (
        "قتل ثلاثة مدنيين بغارة على بلدة هجين. وقصفت المدفعية بلدة ذيبان. "
        "وزعمت وكالة أعماق أن عدد القتلى في هجين بلغ ثمانية."
    )
    mentions = [m(text, "هجين"), m(text, "ذيبان"), m(text, "هجين", 60)]
    hajin, diban = run(text, mentions)
    assert [(c.fatalities, c.kind.value) for c in hajin.claims] == [(8, "claim")]
    assert (hajin.fatalities, diban.claims) == (3, ())


def test_and_plus_a_cue_of_another_type_starts_a_new_event() -> None:
    text = "انفجار لغم في بلدة هجين واعتقال شبان في بلدة ذيبان اليوم."
    found = [(i.location, i.event_type) for i in run(text, [m(text, "هجين"), m(text, "ذيبان")])]
    assert found == [
        ("Hajin", "Explosions/Remote violence"),
        ("Diban", "Strategic developments"),
    ]


def test_a_segment_with_a_cue_of_another_type_is_its_own_event() -> None:
    text = "قال ناشطون إن الاشتباكات مستمرة في بلدة هجين، وإن عناصر التنظيم فجروا عبوة ناسفة."
    found = [(i.location, i.event_type) for i in run(text, [m(text, "هجين")])]
    assert found == [("Hajin", "Battles"), ("Hajin", "Explosions/Remote violence")]


def test_and_plus_a_cue_of_the_same_type_stays_one_clause() -> None:
    text = "قصفت المدفعية بلدة هجين وقصفت الطائرات بلدة ذيبان."
    incidents = run(text, [m(text, "هجين"), m(text, "ذيبان")])
    assert len({(i.evidence_start, i.evidence_end) for i in incidents}) == 1


def test_a_retelling_at_the_same_place_is_one_event_whatever_its_weapon_word() -> None:
    text = (
        "استهدفت طائرة مسيرة سيارة في بلدة هجين اليوم. وقال ناشطون إن الصاروخ أصاب السيارة في هجين."
    )
    (inc,) = run(text, [m(text, "هجين"), m(text, "هجين", 40)])
    assert (inc.sub_event_type, inc.event_date) == ("Air/drone strike", PUBLISHED)


def test_a_new_event_of_another_weapon_with_its_own_date_stays() -> None:
    text = "استهدفت طائرة مسيرة سيارة في بلدة هجين اليوم. وسقطت قذائف مدفعية على هجين أمس."
    incidents = run(text, [m(text, "هجين"), m(text, "هجين", 40)])
    assert [i.event_date for i in incidents] == [PUBLISHED, "2021-03-12"]
