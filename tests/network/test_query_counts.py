"""Every list page and API list runs a fixed number of SQL queries whatever its length
(docs/development.md, style §10): the count with 12 rows equals the count with 2 rows."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from network.models import Fund, Initiative, Organisation, Person
from network.search import search_results_changed, search_vectors_refresh
from tests.factories import (
    FundFactory,
    InitiativeFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

_serial = itertools.count()


def _add_initiatives(n: int) -> None:
    for _ in range(n):
        i = next(_serial)
        organisation = OrganisationFactory(
            name=f"Buurtbrug koken {i}", themes=["food"], target_groups=["residents"]
        )
        leader = MembershipFactory(organisation=organisation).person
        funder = FundFactory(themes=["food"])
        initiative = InitiativeFactory(
            title=f"Samen koken {i}",
            organisation=organisation,
            leader=leader,
            themes=["food", "dialogue"],
            target_groups=["residents", "moroccan"],
            success_factors=["network", "volunteers"],
        )
        initiative.partners.set([OrganisationFactory(name=f"Partner koken {i}")])
        initiative.funders.set([funder])


def _add_organisations(n: int) -> None:
    ids = []
    for _ in range(n):
        i = next(_serial)
        organisation = OrganisationFactory(
            name=f"Stichting Buurtbrug {i}",
            description="Wij koken samen met bewoners.",
            themes=["food", "neighbourhood"],
            target_groups=["residents", "turkish"],
        )
        organisation.languages.set(["nl", "tr"])
        MembershipFactory(organisation=organisation)
        ids.append(organisation.pk)
    search_vectors_refresh(Organisation, ids)


def _add_people(n: int) -> None:
    ids = []
    for _ in range(n):
        person = PersonFactory(
            bio="Vrijwilliger die graag kookt in de wijk.",
            user=UserFactory(),
            roles=["volunteer", "key_figure"],
            languages=["nl", "ar"],
            themes=["food", "language"],
            target_groups=["moroccan", "youth"],
            visibility=Person.Visibility.PUBLIC,
        )
        MembershipFactory(person=person)
        ids.append(person.pk)
    search_vectors_refresh(Person, ids)


def _add_funds(n: int) -> None:
    for _ in range(n):
        i = next(_serial)
        fund = FundFactory(name=f"Kookfonds {i}", themes=["food", "health_care"])
        fund.target_groups.set(["residents", "elderly"])
        InitiativeFactory(themes=["food"]).funders.add(fund)


ADD = {
    Initiative: _add_initiatives,
    Organisation: _add_organisations,
    Person: _add_people,
    Fund: _add_funds,
}

LISTS = [
    ("/initiatives/", Initiative),
    ("/initiatives/?q=koken&theme=food", Initiative),
    ("/initiatives/?q=koken&theme=food&target_group=residents&municipality=utrecht", Initiative),
    ("/organisations/", Organisation),
    ("/organisations/?q=buurtbrug&theme=food", Organisation),
    ("/people/", Person),
    ("/people/?q=vrijwilliger&theme=food&role=volunteer", Person),
    ("/funds/", Fund),
    ("/funds/?q=kookfonds&theme=food", Fund),
    ("/api/v1/initiatives", Initiative),
    ("/api/v1/initiatives?q=koken&theme=food", Initiative),
    ("/api/v1/organisations", Organisation),
    ("/api/v1/organisations?q=buurtbrug&theme=food", Organisation),
    ("/api/v1/people", Person),
    ("/api/v1/people?q=vrijwilliger&theme=food&language=ar", Person),
]


def _listed(response, model) -> int:
    if response["Content-Type"].startswith("application/json"):
        return len(response.json()["items"])
    return response.content.decode().count('class="bruggen-result"')


def _count_queries(client: Client, url: str, model) -> tuple[int, int]:
    search_results_changed()  # counted without the search cache (network.search)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), _listed(response, model)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize(("url", "model"), LISTS)
def test_list_query_count_does_not_grow_with_its_length(url, model, signed_in):
    client = Client()
    if signed_in:
        client.force_login(UserFactory())
    existing = model.objects.count()  # funds and initiatives also make organisations and people
    ADD[model](2)
    client.get(url)  # warm up: first-request work (translations, sessions) is not the list's
    two_queries, two_rows = _count_queries(client, url, model)
    ADD[model](10)
    twelve_queries, twelve_rows = _count_queries(client, url, model)

    assert two_rows >= 2 and twelve_rows == two_rows + 10, (url, two_rows, twelve_rows, existing)
    assert twelve_queries == two_queries, (
        f"{url}: {two_queries} queries with {two_rows} rows, "
        f"{twelve_queries} queries with {twelve_rows} rows"
    )
