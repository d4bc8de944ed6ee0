"""The matching engine, without a database: hard rules, signals, reasons, rounds, bad input.

See docs/matching-engine.md. Every test builds its own small index from plain records.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest

from matching.engine import (
    DEFAULT_WEIGHTS,
    HARD_RULES,
    CandidateIndex,
    CandidateRecord,
    NeedQuery,
    TrackRecordItem,
    Vocabulary,
    Weights,
    assign_round,
    explain,
    greedy_round,
    rank,
)
from matching.engine.reference import ReferenceIndex
from matching.engine.reference import rank as reference_rank
from matching.engine.synthetic import NetworkGenerator, contract_vocabulary

VOCABULARY = contract_vocabulary()

UTRECHT = (52.0907, 5.1214)
AMERSFOORT = (52.1561, 5.3878)  # about 20 km from Utrecht
NIEUWEGEIN = (52.0290, 5.0810)  # about 7.5 km from Utrecht
ASKER = 900  # the asking organisation's id


def person(id: int, **changes) -> CandidateRecord:
    """A volunteer, key figure and mentor in Utrecht who fits `need()` well."""
    values = {
        "id": id,
        "kind": "person",
        "ref": f"p-{id}",
        "name": f"Persoon {id}",
        "roles": frozenset({"volunteer", "key_figure", "mentor"}),
        "themes": frozenset({"food", "dialogue"}),
        "target_groups": frozenset({"moroccan", "parents"}),
        "languages": frozenset({"nl", "ar"}),
        "latitude": UTRECHT[0],
        "longitude": UTRECHT[1],
        "municipality": "Utrecht",
        "hours_per_week": 4.0,
        "mentor_capacity": 2,
        "mentor_load": 0,
        "open_to_matching": True,
        "hidden": False,
        "organisation_ids": frozenset(),
        "text": "Ik kook graag met Marokkaanse ouders en organiseer buurtmaaltijden.",
        "looking_for": "Een organisatie die koken en ontmoeting in de wijk belangrijk vindt.",
        "track_record": (),
        "exposure": 0,
    }
    values.update(changes)
    return CandidateRecord(**values)


def organisation(id: int, **changes) -> CandidateRecord:
    values = {
        "kind": "organisation",
        "ref": f"org-{id}",
        "name": f"Stichting {id}",
        "roles": frozenset(),
        "mentor_capacity": 0,
        "organisation_ids": frozenset({id}),
        "hours_per_week": None,
        "text": "Wij bieden een keuken en vrijwilligers voor buurtmaaltijden.",
    }
    values.update(changes)
    return person(id, **values)


def need(kind: str = "volunteer", **changes) -> NeedQuery:
    values = {
        "kind": kind,
        "themes": frozenset({"food", "dialogue"}),
        "target_groups": frozenset({"moroccan", "parents"}),
        "languages": frozenset({"ar"}),
        "languages_required": False,
        "latitude": UTRECHT[0],
        "longitude": UTRECHT[1],
        "municipality": "Utrecht",
        "radius_km": 25.0,
        "hours_per_week": 2.0,
        "text": "Vrijwilligers gezocht om samen met Marokkaanse ouders te koken.",
        "asker_organisation_id": ASKER,
        "asker_themes": frozenset({"food"}),
        "asker_text": "Wij organiseren buurtmaaltijden en ontmoeting in de wijk.",
    }
    values.update(changes)
    return NeedQuery(**values)


def weaker(id: int, **changes) -> CandidateRecord:
    """A plausible candidate that fits less well than `person()`."""
    values = {
        "themes": frozenset({"food", "sport"}),
        "target_groups": frozenset({"youth"}),
        "languages": frozenset({"nl"}),
        "latitude": NIEUWEGEIN[0],
        "longitude": NIEUWEGEIN[1],
        "municipality": "Nieuwegein",
        "text": "Ik help graag bij sport en koken voor jongeren.",
    }
    values.update(changes)
    return person(id, **values)


def ids(result) -> list[tuple[str, int]]:
    return [(p.kind, p.id) for p in result.proposals]


def build(*records: CandidateRecord) -> CandidateIndex:
    return CandidateIndex.build(records, VOCABULARY)


# -- hard rules: never broken, even for the candidate that would score best ------------------

HARD_RULE_CASES = {
    "wrong_kind": (
        need("key_figure"),
        person(1, roles=frozenset({"volunteer"})),
    ),
    "own_organisation": (
        need("volunteer"),
        person(1, organisation_ids=frozenset({ASKER, 7})),
    ),
    "not_open": (need("volunteer"), person(1, open_to_matching=False)),
    "hidden": (need("volunteer"), person(1, hidden=True)),
    "excluded": (
        need("volunteer", excluded=frozenset({("person", 1)})),
        person(1),
    ),
    "mentor_full": (need("mentor"), person(1, mentor_capacity=2, mentor_load=2)),
    "language_required": (
        need("volunteer", languages=frozenset({"ar"}), languages_required=True),
        person(1, languages=frozenset({"nl", "tr"})),
    ),
    "location_unknown": (need("volunteer", radius_km=10.0), person(1, latitude=None)),
    "outside_radius": (
        need("volunteer", radius_km=10.0),
        person(1, latitude=AMERSFOORT[0], longitude=AMERSFOORT[1], municipality="Amersfoort"),
    ),
}


def test_every_hard_rule_has_a_case():
    assert set(HARD_RULE_CASES) == set(HARD_RULES)


@pytest.mark.parametrize("rule", sorted(HARD_RULE_CASES))
def test_hard_rule_excludes_the_best_candidate(rule):
    the_need, best = HARD_RULE_CASES[rule]
    # Without the rule, `best` would win: it is the perfect fit, the other is weaker.
    index = build(best, weaker(2, languages=frozenset({"nl", "ar"})))
    result = rank(index, the_need)

    assert ("person", 1) not in ids(result)
    assert ids(result) == [("person", 2)]
    assert result.excluded_by_rule[rule] == 1
    explanation = explain(index, the_need, "person", 1)
    assert explanation.hard_rule == rule
    assert explanation.rank is None and not explanation.proposed
    assert explanation.score is not None  # what it would have scored, for the asker


def test_the_asking_organisation_itself_is_never_its_own_partner():
    index = build(organisation(ASKER), organisation(5, themes=frozenset({"food"})))
    result = rank(index, need("partner"))
    assert ids(result) == [("organisation", 5)]
    assert explain(index, need("partner"), "organisation", ASKER).hard_rule == "own_organisation"


def test_partner_needs_get_organisations_and_people_needs_get_people():
    index = build(organisation(5), person(1))
    assert ids(rank(index, need("partner"))) == [("organisation", 5)]
    for kind in ("volunteer", "mentor", "key_figure"):
        assert ids(rank(index, need(kind))) == [("person", 1)]


def test_person_and_organisation_may_share_an_id():
    index = build(organisation(1), person(1))
    assert len(index) == 2
    assert ids(rank(index, need("partner"))) == [("organisation", 1)]


def test_required_language_is_met_by_any_one_of_the_languages():
    the_need = need(languages=frozenset({"ar", "zgh"}), languages_required=True)
    index = build(person(1, languages=frozenset({"zgh"})), person(2, languages=frozenset({"nl"})))
    assert ids(rank(index, the_need)) == [("person", 1)]


def test_radius_zero_means_the_same_spot_and_ten_thousand_km_everything():
    near = person(1)
    far = person(2, latitude=-33.9, longitude=18.4, municipality="Kaapstad")  # Cape Town
    index = build(near, far)
    same_spot = rank(index, need(radius_km=0.0))
    assert ids(same_spot) == [("person", 1)]
    assert same_spot.excluded_by_rule["outside_radius"] == 1
    everywhere = rank(index, need(radius_km=10_000.0))
    assert sorted(ids(everywhere)) == [("person", 1), ("person", 2)]


def test_a_need_without_coordinates_and_a_radius_says_so():
    index = build(person(1))
    result = rank(index, need(latitude=None, longitude=None, radius_km=15.0))
    assert result.proposals == []
    assert result.empty_reason == "need_location_unknown"


# -- soft signals, contributions and evidence ------------------------------------------------


def test_contributions_are_shares_that_sum_to_the_score():
    generator = NetworkGenerator(seed=3, vocabulary=VOCABULARY)
    records = generator.network(600, 60)
    index = build(*records)
    for the_need in generator.needs(records, 20):
        for proposal in rank(index, the_need).proposals:
            assert 0.0 <= proposal.score <= 1.0
            assert math.isclose(sum(proposal.contributions.values()), proposal.score, abs_tol=1e-8)


def test_evidence_names_the_matched_target_groups_languages_and_themes():
    index = build(person(1, target_groups=frozenset({"moroccan", "youth"})))
    [proposal] = rank(index, need()).proposals
    assert proposal.evidence["target_groups"] == ["moroccan"]
    assert proposal.evidence["languages"] == ["ar"]
    assert proposal.evidence["themes"] == ["dialogue", "food"]  # in vocabulary order
    assert proposal.evidence["distance"] == 0.0
    assert proposal.evidence["hours"] == 4.0
    assert proposal.contributions["target_groups"] > 0


def test_target_groups_weigh_more_than_themes():
    knows_the_group = person(1, themes=frozenset({"sport"}))
    knows_the_theme = person(2, target_groups=frozenset({"elderly"}))
    index = build(knows_the_group, knows_the_theme)
    assert ids(rank(index, need()))[0] == ("person", 1)


def test_closer_is_better_when_all_else_is_equal():
    index = build(person(1, latitude=NIEUWEGEIN[0], longitude=NIEUWEGEIN[1]), person(2))
    result = rank(index, need(radius_km=None))
    assert ids(result) == [("person", 2), ("person", 1)]
    assert result.proposals[1].evidence["distance"] == pytest.approx(7.5, abs=0.5)


def test_dutch_stemming_matches_word_forms():
    index = build(
        person(1, text="Ervaren vrijwilliger, kookt wekelijks."),
        person(2, text="Fotograaf met een camera."),
    )
    result = rank(index, need(text="Vrijwilligers gezocht die koken"))
    first = result.proposals[0]
    assert (first.kind, first.id) == ("person", 1)
    assert first.contributions["text"] > 0
    assert first.evidence["text"]  # readable shared words


def test_mentor_proposals_come_with_the_relevant_past_initiatives():
    finished = TrackRecordItem(
        initiative_id=10,
        ref="eet-mee",
        title="Eet Mee!",
        status="finished",
        has_results=True,
        themes=frozenset({"food"}),
        target_groups=frozenset({"moroccan"}),
        municipality="Utrecht",
    )
    unrelated = replace(
        finished, initiative_id=11, ref="voetbal", title="Voetbal", themes=frozenset({"sport"})
    )
    unrelated = replace(unrelated, target_groups=frozenset({"elderly"}))
    idea = replace(finished, initiative_id=12, ref="idee", title="Idee", status="idea")
    experienced = person(1, track_record=(unrelated, idea, finished))
    newcomer = person(2)
    index = build(experienced, newcomer)
    result = rank(index, need("mentor"))
    assert ids(result) == [("person", 1), ("person", 2)]
    track_record = result.proposals[0].evidence["track_record"]
    assert [item.ref for item in track_record] == ["eet-mee", "idee"]  # finished first
    assert result.proposals[0].contributions["track_record"] > 0


def test_partner_matching_compares_what_one_offers_with_what_the_other_needs():
    fits = organisation(5, text="Wij bieden een grote keuken en koks voor buurtmaaltijden.")
    other = organisation(6, text="Wij geven taallessen en huiswerkbegeleiding.")
    index = build(fits, other)
    the_need = need("partner", text="Gezocht: een partner met een keuken voor buurtmaaltijden")
    result = rank(index, the_need)
    assert ids(result)[0] == ("organisation", 5)
    assert "keuken" in result.proposals[0].evidence["text"]


def test_reciprocity_favours_a_candidate_looking_for_what_the_asker_does():
    looking = person(1, looking_for="Ik zoek een organisatie met buurtmaaltijden.")
    not_looking = person(2, looking_for="Ik zoek een schaakclub.", themes=frozenset({"food"}))
    looking = replace(looking, themes=frozenset({"food"}))
    index = build(looking, not_looking)
    result = rank(index, need())
    assert ids(result)[0] == ("person", 1)
    assert result.proposals[0].evidence["reciprocity"] == ["food"]


def test_fair_exposure_moves_a_heavily_proposed_candidate_below_an_equal_one():
    popular = person(1, exposure=40)
    equal = person(2)
    index = build(popular, equal)
    result = rank(index, need())
    assert ids(result) == [("person", 2), ("person", 1)]
    assert result.proposals[1].contributions["exposure"] < 0
    assert result.proposals[1].evidence["exposure"] == 40
    # Without the fair-exposure weight they tie, and the tie goes to the lower id.
    plain = rank(index, need(), replace(DEFAULT_WEIGHTS, exposure=0.0))
    assert ids(plain) == [("person", 1), ("person", 2)]
    assert plain.proposals[0].score == plain.proposals[1].score


def test_weights_change_the_ranking():
    speaks = person(1, target_groups=frozenset({"elderly"}), languages=frozenset({"ar"}))
    knows = person(2, languages=frozenset({"nl"}))
    index = build(speaks, knows)
    assert ids(rank(index, need()))[0] == ("person", 2)
    languages_first = Weights(target_groups=0.1, themes=0.1, languages=10.0)
    assert ids(rank(index, need(), languages_first))[0] == ("person", 1)


def test_limit_caps_the_proposals():
    index = build(*(person(i) for i in range(1, 30)))
    result = rank(index, need(limit=5))
    assert ids(result) == [("person", i) for i in range(1, 6)]  # ties go to the lower id
    assert result.candidates_considered == 29


def test_unicode_names_and_texts_just_work():
    index = build(
        person(1, name="عائشة N'Diaye-Özdemir", text="Ik spreek Arabisch: مرحبا, en Turks.")
    )
    [proposal] = rank(index, need(text="مرحبا Arabisch")).proposals
    assert proposal.name == "عائشة N'Diaye-Özdemir"
    assert proposal.contributions["text"] > 0


# -- a skill or resource the need names --------------------------------------------------------


def _finished(id: int, **changes) -> TrackRecordItem:
    values = {
        "initiative_id": id,
        "ref": f"ini-{id}",
        "title": "Buurtmaaltijden met Marokkaanse ouders",
        "status": "finished",
        "has_results": True,
        "themes": frozenset({"food", "dialogue"}),
        "target_groups": frozenset({"moroccan", "parents"}),
        "municipality": "Utrecht",
    }
    values.update(changes)
    return TrackRecordItem(**values)


# The signal switched off for every kind of need (by_kind overrides the plain weight).
WITHOUT_SKILLS = replace(
    DEFAULT_WEIGHTS,
    skills=0.0,
    by_kind=tuple(o for o in DEFAULT_WEIGHTS.by_kind if o[1] != "skills"),
)
# (need kind, what the need says, the holder's text: a skills list, offers or own words)
NAMED_SKILL_CASES = [
    ("mentor", "We zoeken een tolk voor oudergesprekken.", "Ik help in de wijk. tolken"),
    ("volunteer", "Wie helpt ons met de boekhouding?", "Ik doe de boekhouding van de club."),
    ("key_figure", "Gezocht: juridisch advies over huur.", "Ik ben jurist bij een rechtswinkel."),
    ("partner", "We hebben een keuken nodig.", "Wij bieden: een grote keuken."),
]


@pytest.mark.parametrize(("kind", "asks", "holder_text"), NAMED_SKILL_CASES)
def test_a_named_skill_outweighs_a_general_record_on_the_themes(kind, asks, holder_text):
    make = organisation if kind == "partner" else person
    # The one who has it: one of the need's themes, none of its groups, no initiatives.
    holder = make(1, themes=frozenset({"food"}), target_groups=frozenset(), text=holder_text)
    # A strong record on exactly the need's themes and groups, and not the skill.
    record = (_finished(10), _finished(11), _finished(12))
    experienced = make(2, text="Ervaren met buurtmaaltijden en ouders.", track_record=record)
    index = build(holder, experienced)
    the_need = need(kind, text=f"{asks} Samen met Marokkaanse ouders in de wijk.")
    result = rank(index, the_need)
    assert [p.id for p in result.proposals] == [1, 2]
    first = result.proposals[0]
    assert first.contributions["skills"] > 0
    assert len(first.evidence["skills"]) == 1
    assert result.proposals[1].evidence["skills"] == []
    # Without the signal the general record wins: the signal is what turns it round.
    without = rank(index, the_need, WITHOUT_SKILLS)
    assert [p.id for p in without.proposals] == [2, 1]


def test_a_need_that_names_no_skill_ranks_as_before():
    """Mentioning a kitchen is not asking for one; and a need that asks for nothing by name
    gets exactly the ranking and scores it had before the signal existed."""
    holder = person(1, themes=frozenset({"food"}), target_groups=frozenset(), text="Ik ben kok.")
    experienced = person(2, text="Buurtmaaltijden.", track_record=(_finished(10),))
    index = build(holder, experienced, weaker(3))
    mentions = need("mentor", text="We koken elke week in de keuken van het buurthuis.")
    records = NetworkGenerator(seed=5, vocabulary=VOCABULARY).network(300, 30)
    network = build(*records)
    needs = [(index, mentions)] + [
        (network, n) for n in NetworkGenerator(seed=6, vocabulary=VOCABULARY).needs(records, 12)
    ]
    for the_index, the_need in needs:
        result = rank(the_index, the_need)
        assert result.proposals
        assert all("skills" not in p.contributions for p in result.proposals)
        # However heavy the signal, it does not act: nothing was asked for by name.
        heavy = replace(DEFAULT_WEIGHTS, skills=1000.0, by_kind=WITHOUT_SKILLS.by_kind)
        heavy = rank(the_index, the_need, heavy)
        assert [(p.id, p.score) for p in heavy.proposals] == [
            (p.id, p.score) for p in result.proposals
        ]
    assert next(p.id for p in rank(index, mentions).proposals) == 2


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("We zoeken een tolk Tigrinya voor de ouderavond.", ("interpreting",)),
        ("Tolk gezocht", ("interpreting",)),
        ("Een penningmeester gevraagd.", ("bookkeeping",)),
        ("Wie helpt ons met de administratie?", ("bookkeeping",)),
        ("Wij hebben een keuken nodig voor de buurtmaaltijd.", ("kitchen",)),
        ("Looking for an interpreter and legal advice.", ("interpreting", "legal_advice")),
        ("We koken samen in de keuken. We zoeken vrijwilligers.", ()),
        ("Tolken vertalen keuken boekhouding", ()),  # words alone, nothing asked
        ("", ()),
    ],
)
def test_a_need_names_a_skill_only_where_it_asks(text, asked):
    from matching.engine.skills import skills_asked

    assert skills_asked(text) == asked


def test_a_skill_in_the_need_title_is_asked_for():
    holder = person(1, themes=frozenset({"food"}), target_groups=frozenset(), text="tolken")
    experienced = person(2, text="Buurtmaaltijden.", track_record=(_finished(10),))
    index = build(holder, experienced)
    description = "Voor gesprekken met Marokkaanse ouders over de buurtmaaltijd."
    plain = need("mentor", text=f"Tolk Tigrinya. {description}")
    titled = replace(plain, title="Tolk Tigrinya")
    assert [p.id for p in rank(index, plain).proposals] == [2, 1]  # no request word
    result = rank(index, titled)
    assert [p.id for p in result.proposals] == [1, 2]
    assert result.proposals[0].evidence["skills"] == ["interpreting"]


@pytest.mark.django_db
def test_the_adapter_passes_the_need_title():
    from matching.index import need_query
    from tests.matching.factories import NeedFactory

    the_need = NeedFactory(title="Tolk Tigrinya", description="Voor oudergesprekken.")
    query = need_query(the_need)
    assert query.title == "Tolk Tigrinya"
    assert query.text == "Tolk Tigrinya Voor oudergesprekken."


def test_the_skill_is_found_in_compounds_and_word_forms():
    from matching.engine.skills import skills_in

    assert skills_in("Gebarentolk, vertaler; doet de boekhouding") == (
        "interpreting",
        "bookkeeping",
    )
    assert skills_in("Bedrijfskeukens en een jurist") == ("kitchen", "legal_advice")
    assert skills_in("Ik sport graag") == ()


def test_the_skill_reason_line():
    from django.utils import translation

    from matching.reasons import reason_detail

    with translation.override("en"):
        assert reason_detail("skills", ["interpreting", "bookkeeping"]) == (
            "can help with: interpreting and translating, bookkeeping"
        )
        assert reason_detail("skills", []) is None


# -- the vectorised engine and the reference loop agree ---------------------------------------


def _compare(index, reference, needs):
    for the_need in needs:
        fast = rank(index, the_need)
        slow = reference_rank(reference, the_need)
        assert [(p.kind, p.id, p.score) for p in fast.proposals] == [
            (p.kind, p.id, p.score) for p in slow.proposals
        ]
        assert fast.excluded_by_rule == slow.excluded_by_rule
        assert fast.candidates_considered == slow.candidates_considered
        assert fast.empty_reason == slow.empty_reason
        for a, b in zip(fast.proposals, slow.proposals, strict=True):
            assert a.evidence == b.evidence
            assert a.contributions.keys() == b.contributions.keys()
            for signal, share in a.contributions.items():
                assert share == pytest.approx(b.contributions[signal], abs=1e-12)


@pytest.fixture(scope="module")
def random_network():
    records = NetworkGenerator(seed=42, vocabulary=VOCABULARY).network(1500, 150)
    index = build(*records)
    return records, index, ReferenceIndex(index, records)


@pytest.mark.parametrize(
    ("kind", "seed"), [("partner", 1), ("volunteer", 2), ("mentor", 3), ("key_figure", 4)]
)
def test_vectorised_equals_reference(kind, seed, random_network):
    records, index, reference = random_network
    needs = NetworkGenerator(seed=seed, vocabulary=VOCABULARY).needs(records, 25, (kind,))
    _compare(index, reference, needs)
    _compare(index, reference, _naming_skills(needs[:10]))


ASKS = [
    "We zoeken een tolk.",
    "Wie helpt ons met de administratie en een keuken?",
    "Gezocht: iemand voor de websites en de fondsenwerving.",
    "Vertalen nodig.",
]


def _naming_skills(needs):
    """The same needs, now each asking for a skill or two by name."""
    return [replace(n, text=f"{ASKS[i % len(ASKS)]} {n.text}") for i, n in enumerate(needs)]


def test_vectorised_equals_reference_after_upserts_and_removals(monkeypatch):
    from matching.engine import index as index_module

    monkeypatch.setattr(index_module, "OVERLAY_HARD_LIMIT", 25)  # compact a few times
    generator = NetworkGenerator(seed=8, vocabulary=VOCABULARY)
    records = generator.network(800, 80)
    index = build(*records)
    current = {(r.kind, r.id): r for r in records}
    rng = random.Random(1)
    for step in range(90):
        key = rng.choice(sorted(current))
        if step % 15 == 0:
            del current[key]
            index.remove(*key)
            continue
        if step % 9 == 0:
            key = ("person", 10_000 + step)
        changed = (
            generator.organisation(key[1])
            if key[0] == "organisation"
            else generator.person(key[1], 80)
        )
        current[key] = changed
        index.upsert(changed)
    assert len(index) == len(current)
    assert index.needs_compaction is False  # below the (default) soft limit
    reference = ReferenceIndex(index, current.values())
    needs = generator.needs(list(current.values()), 40)
    _compare(index, reference, needs + _naming_skills(needs[:12]))


# -- keeping the index fresh -----------------------------------------------------------------


def test_upsert_changes_a_ranking():
    index = build(person(1), weaker(2))
    assert ids(rank(index, need()))[0] == ("person", 1)
    index.upsert(weaker(1))
    index.upsert(person(2))
    assert ids(rank(index, need()))[0] == ("person", 2)
    index.upsert(person(3, exposure=0, text="Marokkaanse ouders koken vrijwilligers"))
    assert ("person", 3) in ids(rank(index, need()))
    assert len(index) == 3


def test_upsert_of_memberships_and_remove():
    index = build(person(1), weaker(2))
    index.upsert(person(1, organisation_ids=frozenset({ASKER})))
    assert ids(rank(index, need())) == [("person", 2)]
    index.upsert(person(1, organisation_ids=frozenset()))
    assert ids(rank(index, need()))[0] == ("person", 1)
    index.remove("person", 1)
    index.remove("person", 404)  # unknown: nothing happens
    assert ids(rank(index, need())) == [("person", 2)]
    assert explain(index, need(), "person", 1).unknown
    assert len(index) == 1
    assert index.nbytes() > 0


def test_the_index_grows_past_its_headroom():
    index = build(person(1))
    newcomers = [weaker(i, exposure=i % 5) for i in range(2, 300)]
    for record in newcomers:
        index.upsert(record)
    assert len(index) == 299
    reference = ReferenceIndex(index, [person(1), *newcomers])
    _compare(index, reference, [need(), need("mentor", radius_km=None), need(limit=50)])


# -- explain ---------------------------------------------------------------------------------


def test_explain_gives_rank_score_and_reasons_of_a_proposed_candidate():
    index = build(person(1), weaker(2))
    explanation = explain(index, need(), "person", 2)
    assert explanation.hard_rule is None
    assert explanation.rank == 2
    assert explanation.proposed
    assert explanation.score == rank(index, need()).proposals[1].score
    assert explanation.evidence["themes"] == ["food"]
    ranked_below = explain(index, need(limit=1), "person", 2)
    assert ranked_below.rank == 2 and not ranked_below.proposed


def test_explain_unknown_and_irrelevant_candidates():
    index = build(person(1), person(2, themes=frozenset({"sport"}), target_groups=frozenset()))
    assert explain(index, need(), "person", 99).unknown
    assert explain(index, need(), "organisation", 1).unknown
    lonely = need(themes=frozenset({"faith"}), target_groups=frozenset({"elderly"}))
    lonely = replace(lonely, languages=frozenset({"ti"}), text="kerkkoor")
    explanation = explain(index, lonely, "person", 2)
    assert explanation.no_relevance and explanation.rank is None


# -- matching rounds -------------------------------------------------------------------------


def test_assign_round_beats_greedy_when_greedy_is_shortsighted():
    # X fits both needs; Y fits only the first, a little less well than X. Greedy gives X
    # to the first need and leaves the second with nobody; the round gives Y to the first.
    x = person(
        1, themes=frozenset({"food", "sport"}), target_groups=frozenset({"moroccan", "youth"})
    )
    y = person(2, themes=frozenset({"food"}), target_groups=frozenset({"moroccan"}), text="")
    y = replace(y, latitude=AMERSFOORT[0], longitude=AMERSFOORT[1], languages=frozenset({"nl"}))
    index = build(replace(x, mentor_capacity=1), replace(y, mentor_capacity=1))
    cooking = need("mentor", themes=frozenset({"food"}), target_groups=frozenset({"moroccan"}))
    sport = need("mentor", themes=frozenset({"sport"}), target_groups=frozenset({"youth"}))
    sport = replace(sport, text="sport met jongeren", asker_themes=frozenset(), asker_text="")
    assert ids(rank(index, cooking)) == [("person", 1), ("person", 2)]
    assert ids(rank(index, sport)) == [("person", 1)]

    greedy = greedy_round(index, [cooking, sport])
    best = assign_round(index, [cooking, sport])

    assert greedy.assignments[0][:2] == (0, ("person", 1)) and greedy.unassigned == [1]
    assert [a[:2] for a in best.assignments] == [(0, ("person", 2)), (1, ("person", 1))]
    assert best.unassigned == []
    assert best.total_score > greedy.total_score


def test_assign_round_respects_capacities():
    generator = NetworkGenerator(seed=5, vocabulary=VOCABULARY)
    records = generator.network(300, 30)
    index = build(*records)
    needs = generator.needs(records, 120, kinds=("mentor", "volunteer"))
    for run in (assign_round, greedy_round):
        result = run(index, needs)
        used: dict[tuple, int] = {}
        for position, key, score in result.assignments:
            pool = "mentor" if needs[position].kind == "mentor" else "general"
            used[(key, pool)] = used.get((key, pool), 0) + 1
            assert score > 0
        for (key, pool), count in used.items():
            record = index.record(*key)
            allowed = record.mentor_capacity - record.mentor_load if pool == "mentor" else 1
            assert count <= allowed
        positions = [p for p, _, _ in result.assignments]
        assert len(positions) == len(set(positions))
        assert sorted(positions + result.unassigned) == list(range(len(needs)))
    assert assign_round(index, needs).total_score >= greedy_round(index, needs).total_score


def test_given_capacities_override_and_zero_means_never():
    index = build(person(1), person(2))
    needs = [need(), need(), need()]
    result = assign_round(index, needs, capacities={("person", 1): 2, ("person", 2): 0})
    assert [key for _, key, _ in result.assignments] == [("person", 1), ("person", 1)]
    assert len(result.unassigned) == 1
    assert assign_round(index, []).assignments == []


# -- bad input never raises ------------------------------------------------------------------


def test_empty_index():
    index = build()
    result = rank(index, need())
    assert result.proposals == [] and result.empty_reason == "empty_index"
    assert len(index) == 0
    assert explain(index, need(), "person", 1).unknown
    assert assign_round(index, [need()]).unassigned == [0]


def test_empty_candidate_pool():
    index = build(organisation(5))
    result = rank(index, need("mentor"))
    assert result.proposals == [] and result.empty_reason == "no_candidates_of_kind"


def test_all_candidates_excluded():
    index = build(person(1, hidden=True), person(2, open_to_matching=False))
    result = rank(index, need())
    assert result.proposals == [] and result.empty_reason == "all_excluded"
    assert result.excluded_by_rule["hidden"] == 1 and result.excluded_by_rule["not_open"] == 1


def test_need_without_themes_still_matches_on_the_rest():
    index = build(person(1))
    result = rank(index, need(themes=frozenset()))
    assert ids(result) == [("person", 1)]
    assert "themes" not in result.proposals[0].contributions


def test_need_with_nothing_to_match_on():
    index = build(person(1))
    empty = need(themes=frozenset(), target_groups=frozenset(), languages=frozenset(), text="")
    result = rank(index, empty)
    assert result.proposals == [] and result.empty_reason == "need_has_no_criteria"


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "astronaut"},
        {"limit": 0},
        {"limit": -3},
        {"radius_km": -5.0},
        {"radius_km": float("nan")},
        {"latitude": float("nan")},
        {"latitude": 123.0},
        {"hours_per_week": -1.0},
        {"hours_per_week": 0.0},
        {"themes": frozenset({"no-such-theme"})},
        {"languages": frozenset({"xx"}), "languages_required": True},
        {"text": "🙂 " * 500},
        {"excluded": frozenset({("person", 1), ("robot", 3), ("person", "x"), "oops", None})},
        {"asker_organisation_id": -1},
    ],
)
def test_bad_needs_never_raise(changes):
    index = build(person(1), weaker(2), organisation(5))
    the_need = need(**changes)
    result = rank(index, the_need)
    assert isinstance(result.proposals, list)
    if not result.proposals:
        assert result.empty_reason
    explain(index, the_need, "person", 1)
    assign_round(index, [the_need])
    greedy_round(index, [the_need])


def test_bad_records_are_stored_without_raising():
    odd = person(
        1,
        latitude=float("nan"),
        hours_per_week=float("inf"),
        themes=frozenset({"unknown-theme", "food"}),
        roles=frozenset({"volunteer", "astronaut"}),
        text="",
        looking_for="",
        exposure=-4,
    )
    index = build(odd, person(2, kind="robot"))
    assert len(index) == 1
    result = rank(index, need(radius_km=None))
    assert ids(result) == [("person", 1)]
    assert result.proposals[0].evidence["distance"] is None
    assert result.proposals[0].evidence["themes"] == ["food"]


def test_vocabulary_larger_than_64_slugs():
    many = tuple(f"lang{i}" for i in range(70))
    vocabulary = replace(VOCABULARY, languages=(*VOCABULARY.languages, *many))
    assert isinstance(vocabulary, Vocabulary)
    index = CandidateIndex.build(
        [person(1, languages=frozenset({"lang69"})), person(2)], vocabulary
    )
    the_need = need(languages=frozenset({"lang69"}), languages_required=True)
    result = rank(index, the_need)
    assert ids(result) == [("person", 1)]
    assert result.proposals[0].evidence["languages"] == ["lang69"]
