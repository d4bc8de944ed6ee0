from __future__ import annotations

import re

import pytest
from django.db import connection

from network.models import Initiative, SuccessFactor, TargetGroup, Theme
from tests.factories import FundFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return re.findall(
        r'<h2 class="utrecht-heading-3"><a class="utrecht-link" href="/initiatives/[^"]+/">'
        r"(?:<bdi>)?([^<]+)(?:</bdi>)?</a>",
        response.content.decode(),
    )


@pytest.fixture
def bank(db):
    food, sport, parents_theme = (Theme.objects.get(pk=s) for s in ("food", "sport", "parents"))
    moroccan, youth = TargetGroup.objects.get(pk="moroccan"), TargetGroup.objects.get(pk="youth")
    network = SuccessFactor.objects.get(pk="network")
    return {
        "eet-mee": InitiativeFactory(
            ref="eet-mee",
            title="Eet Mee! Bij Utrecht aan tafel",
            summary="Bewoners eten bij elkaar thuis.",
            lessons="Werf via sleutelfiguren; een ouder die meedoet trekt anderen mee.",
            themes=[food],
            target_groups=[moroccan],
            success_factors=[network],
        ),
        "bos": InitiativeFactory(
            ref="bos",
            title="Sportief IJsselveld",
            summary="Sport voor jongeren in de wijk.",
            themes=[sport],
            target_groups=[youth],
            status=Initiative.Status.FINISHED,
        ),
        "ouders": InitiativeFactory(
            ref="ouders-ontmoeten",
            title="Ouders ontmoeten elkaar",
            summary="Moeders en vaders praten over opvoeding.",
            themes=[parents_theme],
            target_groups=[moroccan],
        ),
    }


def test_word_forms_match(client, bank):
    # "ouders" finds "ouder" (in Eet Mee!'s lessons) as well as "Ouders".
    titles = _titles(client.get("/initiatives/", {"q": "ouders"}))
    assert "Ouders ontmoeten elkaar" in titles
    assert "Eet Mee! Bij Utrecht aan tafel" in titles
    assert "Sportief IJsselveld" not in titles


def test_a_word_from_the_lessons_finds_the_initiative(client, bank):
    assert _titles(client.get("/initiatives/", {"q": "sleutelfiguren"})) == [
        "Eet Mee! Bij Utrecht aan tafel"
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking needs PostgreSQL")
def test_relevance_ranks_title_matches_first(client, bank):
    assert _titles(client.get("/initiatives/", {"q": "ouders"}))[0] == "Ouders ontmoeten elkaar"


def test_filters_combine(client, bank):
    both = _titles(client.get("/initiatives/", {"target_group": "moroccan"}))
    assert sorted(both) == ["Eet Mee! Bij Utrecht aan tafel", "Ouders ontmoeten elkaar"]
    one = _titles(client.get("/initiatives/", {"target_group": "moroccan", "theme": "food"}))
    assert one == ["Eet Mee! Bij Utrecht aan tafel"]
    assert (
        _titles(client.get("/initiatives/", {"success_factor": "network", "theme": "sport"})) == []
    )
    assert _titles(client.get("/initiatives/", {"status": "finished"})) == ["Sportief IJsselveld"]
    assert len(_titles(client.get("/initiatives/", {"municipality": "utrecht"}))) == 3


def test_two_values_of_one_filter_mean_either(client, bank):
    titles = _titles(client.get("/initiatives/", {"theme": ["food", "sport"]}))
    assert sorted(titles) == ["Eet Mee! Bij Utrecht aan tafel", "Sportief IJsselveld"]


def test_the_url_keeps_the_query_in_the_form_and_pagination(client, bank):
    for n in range(25):
        InitiativeFactory(title=f"Taalcafé {n}", summary="Taal oefenen in de bibliotheek.")
    response = client.get("/initiatives/", {"q": "taal", "sort": "recent"})
    page = response.content.decode()
    assert 'value="taal"' in page
    assert "q=taal&amp;sort=recent&amp;page=2" in page
    assert len(_titles(client.get("/initiatives/", {"q": "taal", "page": "2"}))) == 5


def test_htmx_gets_only_the_results(client, bank):
    response = client.get("/initiatives/", {"theme": "food"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert "Eet Mee!" in page


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "' OR 1=1 --",
        "x" * 10_000,
        "🍲🤝",
        "&|!():*",
        "ouder\x00s",
        "<script>alert(1)</script>",
        "   ",
    ],
)
def test_any_search_string_answers_normally(client, bank, q):
    response = client.get("/initiatives/", {"q": q, "page": "-3", "theme": "bogus"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_an_empty_result_says_so(client, bank):
    page = client.get("/initiatives/", {"q": "onvindbaarwoord"}).content.decode()
    assert "Geen initiatief gevonden" in page or "0 initiatieven gevonden" in page


def test_the_initiative_page_shows_what_was_learned(client, bank):
    FundFactory(name="Kookfonds", themes=[Theme.objects.get(pk="food")])
    page = client.get("/initiatives/eet-mee/").content.decode()
    for text in ["Werf via sleutelfiguren", "Netwerk", "Marokkaanse Nederlanders", "Kookfonds"]:
        assert text in page
    assert "Ouders ontmoeten elkaar" in page  # similar: shares the target group


def test_unknown_initiative_is_404(client, db):
    assert client.get("/initiatives/bestaat-niet/").status_code == 404


def test_the_overview_counts_by_theme_target_group_and_municipality(client, bank):
    page = client.get("/initiatives/overview/").content.decode()
    assert "3 initiatieven" in page
    assert "?target_group=moroccan" in page
    chart = client.get("/initiatives/overview/target-groups.svg")
    assert chart["Content-Type"].startswith("image/svg+xml")
    svg = chart.content.decode()
    assert "Marokkaanse Nederlanders" in svg
    assert ">2</text>" in svg
    assert client.get("/initiatives/overview/nonsense.svg").status_code == 404


def test_directories_render_and_filter(client, bank):
    assert client.get("/organisations/", {"kind": "welfare", "q": "Buurtbrug"}).status_code == 200
    assert client.get("/people/", {"language": "ar", "role": "mentor"}).status_code == 200
    assert client.get("/funds/", {"theme": "food"}).status_code == 200
