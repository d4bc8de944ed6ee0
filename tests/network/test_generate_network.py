"""`manage.py generate_network`: a realistic random network for benchmarks (docs/generate_network.md)."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from network.models import REF_PATTERN, Fund, Initiative, Membership, Organisation, Person
from network.search import text_search

SMALL = {"people": 200, "organisations": 20, "initiatives": 50, "seed": 1}


def generate(**options) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("generate_network", stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def names(model, prefix: str, field: str = "name") -> list[str]:
    """Names in ref order, so two runs with different prefixes can be compared."""
    return list(
        model.objects.filter(ref__startswith=f"{prefix}-")
        .order_by("ref")
        .values_list(field, flat=True)
    )


@pytest.fixture
def network(db) -> tuple[str, str]:
    return generate(**SMALL)


def test_a_small_run_creates_exactly_the_requested_counts_with_valid_refs(network):
    assert Person.objects.count() == 200
    assert Organisation.objects.count() == 20
    assert Initiative.objects.count() == 50
    for model, kind in ((Person, "p"), (Organisation, "o"), (Initiative, "i")):
        refs = list(model.objects.order_by("ref").values_list("ref", flat=True))
        assert all(REF_PATTERN.match(ref) for ref in refs)
        assert refs[0] == f"gen-{kind}-000001"
        assert len(set(refs)) == len(refs)
    assert "200 people" in network[0]


def test_every_organisation_has_exactly_one_admin_and_people_join_at_most_two(network):
    admins = Counter(
        Membership.objects.filter(role=Membership.Role.ADMIN).values_list(
            "organisation_id", flat=True
        )
    )
    assert set(admins) == set(Organisation.objects.values_list("pk", flat=True))
    assert set(admins.values()) == {1}
    most = (
        Person.objects.annotate(n=Count("memberships"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    )
    assert most <= 2
    assert Membership.objects.filter(role=Membership.Role.MEMBER).count() > 50


def test_leaders_are_members_of_the_lead_organisation(network):
    led = Initiative.objects.exclude(leader=None)
    assert led.count() >= 40  # every lead organisation has at least its admin
    for initiative in led:
        assert Membership.objects.filter(
            person_id=initiative.leader_id, organisation_id=initiative.organisation_id
        ).exists()


def test_languages_follow_the_communities_people_work_with(db):
    generate(people=1000, organisations=0, initiatives=0, seed=1)
    people = Person.objects.all()
    assert people.filter(languages="nl").count() / people.count() > 0.8

    def speaking(group: str, languages: list[str]) -> float:
        with_group = people.filter(target_groups=group)
        assert with_group.count() >= 40, f"too few people with experience with {group}"
        return with_group.filter(languages__in=languages).distinct().count() / with_group.count()

    assert speaking("moroccan", ["ar", "zgh"]) > 0.5
    assert speaking("turkish", ["tr"]) > 0.5
    assert speaking("refugees", ["ar", "fa", "ti", "uk"]) > 0.5


def test_themes_follow_target_groups(network):
    with_parents = Person.objects.filter(target_groups="parents")
    share = (
        with_parents.filter(themes__in=["parents", "education"]).distinct().count()
        / with_parents.count()
    )
    assert share > 0.4


def test_roles_visibility_and_status_mix(network):
    people = Person.objects.all()
    assert people.filter(roles="volunteer").count() > people.filter(roles="mentor").count()
    mentors = people.filter(roles="mentor")
    assert mentors.exists()
    assert not mentors.filter(Q(mentor_capacity__lt=1) | Q(mentor_capacity__gt=3)).exists()
    assert not people.exclude(roles="mentor").filter(mentor_capacity__gt=0).exists()
    assert people.filter(visibility=Person.Visibility.PUBLIC).count() > 150
    statuses = Counter(Initiative.objects.values_list("status", flat=True))
    assert statuses["running"] > statuses["finished"] > 0
    assert not Initiative.objects.filter(status="finished", ended=None).exists()


def test_names_include_migrant_communities_and_unicode(network):
    all_names = list(Person.objects.values_list("name", flat=True))
    assert any(not name.isascii() for name in all_names)
    assert len(set(all_names)) > 150


def test_texts_are_dutch_so_search_finds_them(network):
    # On PostgreSQL this goes through the refreshed search vectors; on SQLite the fallback.
    for word in ("vrijwilligers", "buurt", "ouders"):
        assert text_search(Initiative.objects.all(), word, rank=False).exists(), word
    assert text_search(Person.objects.all(), "jongeren", rank=False).exists()
    assert text_search(Organisation.objects.all(), "wijk", rank=False).exists()


def test_generated_records_pass_model_validation(network):
    for model in (Person, Organisation, Initiative):
        for record in model.objects.order_by("ref")[:25]:
            record.full_clean()


def test_the_same_seed_gives_the_same_network_whatever_the_batch_size(network):
    generate(**SMALL, prefix="again", batch_size=7)
    assert names(Person, "again") == names(Person, "gen")
    assert names(Organisation, "again") == names(Organisation, "gen")
    assert names(Initiative, "again", "title") == names(Initiative, "gen", "title")

    generate(**{**SMALL, "seed": 2}, prefix="other")
    assert names(Person, "other") != names(Person, "gen")


def test_running_twice_with_the_same_prefix_is_refused_and_writes_nothing(network):
    with pytest.raises(CommandError, match=r"Refs starting with 'gen-' exist already.*--prefix"):
        generate(**SMALL)
    assert Person.objects.count() == 200

    generate(**SMALL, prefix="gen2")
    assert Person.objects.count() == 400


@pytest.mark.parametrize("option", ["people", "organisations", "initiatives"])
def test_negative_numbers_are_refused(db, option):
    with pytest.raises(CommandError, match=rf"--{option} must be 0 or more \(got -1\)"):
        generate(**{**SMALL, option: -1})
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"batch_size": 0}, r"--batch-size must be 1 or more"),
        ({"prefix": "Gen!"}, r"--prefix 'Gen!' is not usable in refs"),
        ({"people": 5, "organisations": 20}, r"--people must be at least half of --organisations"),
    ],
)
def test_other_invalid_arguments_are_refused(db, options, message):
    with pytest.raises(CommandError, match=message):
        generate(**{**SMALL, **options})


def test_funders_come_from_existing_funds(db):
    funds = [Fund.objects.create(ref=f"fonds-{n}", name=f"Fonds {n}") for n in range(3)]
    generate(**SMALL)
    funded = Initiative.objects.filter(funders__isnull=False).distinct()
    assert funded.exists()
    assert set(Fund.objects.filter(initiatives__in=funded).values_list("pk", flat=True)) <= {
        f.pk for f in funds
    }


def test_progress_is_one_line_per_step_when_stderr_is_not_a_terminal(network):
    stdout, stderr = network
    assert "\r" not in stderr
    assert "people        [##############################] 200/200" in stderr
    assert stderr.count("\n") < 60
    assert "Phases:" in stdout


def test_zero_of_everything_is_fine(db):
    stdout, _stderr = generate(people=0, organisations=0, initiatives=0, seed=1)
    assert "0 people" in stdout
    assert not Person.objects.exists()
