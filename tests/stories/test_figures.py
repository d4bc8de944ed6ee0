"""Approved stories in "De kennisbank in cijfers", on the initiative's page, and in
matching's track record (docs/stories.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from matching.index import person_records
from network.models import Municipality, Obstacle, SuccessFactor, Theme
from stories.models import Story
from stories.selectors import StoryFilters, story_figures
from tests.factories import InitiativeFactory, PersonFactory
from tests.markup import parse_html

pytestmark = pytest.mark.django_db


def _story(initiative, *, factors=(), obstacles=(), consent=True, status="approved", when=None):
    person = PersonFactory()
    story = Story.objects.create(
        person=person,
        subject=f"initiative:{initiative.pk}",
        trigger=Story.Trigger.INITIATIVE_ENDED,
        initiative=initiative,
        organisation=initiative.organisation,
        title=initiative.title,
        status=status,
        consent=consent,
        what_worked="Samen koken werkte goed.",
        reviewed_at=when or datetime(2026, 2, 10, tzinfo=UTC),
    )
    story.success_factors.set(SuccessFactor.objects.filter(pk__in=factors))
    story.obstacles.set(Obstacle.objects.filter(pk__in=obstacles))
    return story


@pytest.fixture
def bank(db):
    food, sport = Theme.objects.get(pk="food"), Theme.objects.get(pk="sport")
    zeist = Municipality.objects.get(name="Zeist")
    kitchen = InitiativeFactory(title="Buurtkeuken", themes=[food])
    football = InitiativeFactory(title="Voetbal", themes=[sport], municipality=zeist)
    _story(kitchen, factors=["own_language", "network"], obstacles=["funding"])
    _story(
        kitchen,
        factors=["own_language"],
        obstacles=["trust"],
        when=datetime(2026, 8, 1, tzinfo=UTC),
    )
    _story(football, factors=["role_models"], obstacles=["funding"])
    # Neither counts: no consent, not yet approved.
    _story(football, factors=["subsidy"], obstacles=["workload"], consent=False)
    _story(football, factors=["subsidy"], obstacles=["workload"], status="submitted")
    return kitchen, football


def test_the_figures_count_published_stories_per_factor_obstacle_and_quarter(bank):
    figures = story_figures(StoryFilters())
    assert figures.total == 3
    assert figures.success_factors[0][0].pk == "own_language"
    assert {row.pk: n for row, n in figures.success_factors} == {
        "own_language": 2,
        "network": 1,
        "role_models": 1,
    }
    assert {row.pk: n for row, n in figures.obstacles} == {"funding": 2, "trust": 1}
    assert [(row.pk, n) for row, n in figures.by_quarter] == [("2026-1", 2), ("2026-3", 1)]


def test_the_figures_per_theme_and_municipality(bank):
    food = story_figures(StoryFilters(theme="food"))
    assert food.total == 2
    assert {row.pk: n for row, n in food.obstacles} == {"funding": 1, "trust": 1}
    zeist = story_figures(StoryFilters(municipality="zeist"))
    assert zeist.total == 1
    assert [row.pk for row, _n in zeist.success_factors] == ["role_models"]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_overview_page_shows_the_reported_factors_with_a_chart_and_table(bank, language):
    html = (
        Client()
        .get("/initiatives/overview/?story_theme=food", HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )
    page = parse_html(html)
    (section,) = [
        s for s in page.find_all("section") if s.attrs.get("data-testid") == "story-figures"
    ]
    (obstacles,) = [
        t for t in section.find_all("table") if t.attrs.get("data-testid") == "reported-obstacles"
    ]
    cells = [cell.text() for cell in obstacles.find_all("td")]
    funding = Obstacle.objects.get(pk="funding")
    name = funding.name_en if language == "en" else funding.name_nl
    assert name in cells and cells[cells.index(name) + 1] == "1"
    assert "Doelgroep" not in " ".join(cells)  # not reported
    assert html.count("<svg") >= 4 + 3
    # A made-up filter value shows everything rather than an error.
    assert Client().get("/initiatives/overview/?story_theme=%00nope").status_code == 200


def test_the_initiative_page_shows_published_stories_only(bank):
    kitchen, football = bank
    html = Client().get(f"/initiatives/{kitchen.ref}/", HTTP_ACCEPT_LANGUAGE="nl").content
    assert b'data-testid="initiative-stories"' in html
    assert html.count(b"Samen koken werkte goed.") == 2
    football_html = Client().get(f"/initiatives/{football.ref}/").content
    assert football_html.count(b"Samen koken werkte goed.") == 1


def test_an_approved_story_is_track_record_for_its_author(bank):
    kitchen, _football = bank
    author = Story.objects.filter(initiative=kitchen).first().person
    record = next(r for r in person_records([author.pk]) if r.id == author.pk)
    assert kitchen.ref in {item.ref for item in record.track_record}
    stranger = PersonFactory()
    record = next(r for r in person_records([stranger.pk]) if r.id == stranger.pk)
    assert record.track_record == ()
