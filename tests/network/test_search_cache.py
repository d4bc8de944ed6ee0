"""The knowledge bank's cached search (docs/network.md, Search: "Cached results"): a
cached query shows every write at once, and a cache that is down changes nothing but speed."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from network import search
from network.models import Initiative, Membership
from network.services import initiatives as initiative_services
from network.services import organisations as organisation_services
from network.services.imports import network_import
from tests.factories import InitiativeFactory, OrganisationFactory, member_user

pytestmark = pytest.mark.django_db

PAGE = "/initiatives/?q=zwemles"
API = "/api/v1/initiatives?q=zwemles"


def _page_titles(client: Client, path: str = PAGE) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _api_titles(client: Client, path: str = API) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
def scene():
    organisation = OrganisationFactory(name="Stichting Water")
    admin = member_user(organisation, role=Membership.Role.ADMIN, name="Anna Beheer")
    initiative = InitiativeFactory(
        title="Zwemles voor moeders", organisation=organisation, themes=["sport"]
    )
    return {"organisation": organisation, "admin": admin, "initiative": initiative}


def _sql_count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_a_repeated_search_is_answered_from_the_cache(scene):
    client = Client()
    # The page also searches the source library for its sources section (sources.sections),
    # cached the same way: its window of ids (empty here, so no count is asked).
    for path in (API, PAGE):
        cache.clear()  # the page and the API share the count
        _sql_count(client, path.replace("zwemles", "warm"))  # what else is cached, is
        first = _sql_count(client, path)
        assert first > 0
        # The API's answer is kept whole; the page's filter form and results are kept
        # rendered, and the sources section's window of ids is cached: no query at all.
        assert _sql_count(client, path) == 0


def test_adding_an_initiative_shows_at_once(scene):
    client = Client()
    assert _api_titles(client) == ["Zwemles voor moeders"]
    assert "Zwemles voor vaders" not in _page_titles(client)
    initiative_services.initiative_create(
        organisation=scene["organisation"],
        actor=scene["admin"],
        data={"title": "Zwemles voor vaders", "themes": ["sport"]},
    )
    assert sorted(_api_titles(client)) == ["Zwemles voor moeders", "Zwemles voor vaders"]
    assert "Zwemles voor vaders" in _page_titles(client)
    assert client.get(API).json()["count"] == 2


def test_editing_an_initiative_shows_at_once(scene):
    client = Client()
    assert _api_titles(client) == ["Zwemles voor moeders"]
    assert _api_titles(client, "/api/v1/initiatives?theme=food") == []
    initiative_services.initiative_update(
        initiative=scene["initiative"],
        actor=scene["admin"],
        data={"title": "Fietsles voor moeders", "themes": ["food"]},
    )
    assert _api_titles(client) == []
    assert "Fietsles" not in _page_titles(client)
    # A change of links alone (the themes filter) too.
    assert _api_titles(client, "/api/v1/initiatives?theme=food") == ["Fietsles voor moeders"]


def test_deleting_an_initiative_shows_at_once(scene):
    client = Client()
    assert _api_titles(client) == ["Zwemles voor moeders"]
    assert "Zwemles voor moeders" in _page_titles(client)
    initiative_services.initiative_delete(initiative=scene["initiative"], actor=scene["admin"])
    assert _api_titles(client) == []
    assert client.get(API).json()["count"] == 0
    assert "Zwemles voor moeders" not in _page_titles(client)


def test_renaming_the_organisation_shows_at_once(scene):
    # Only ids and counts are cached: what a row shows is read fresh.
    client = Client()
    assert client.get(API).json()["items"][0]["organisation_name"] == "Stichting Water"
    organisation_services.organisation_update(
        organisation=scene["organisation"], actor=scene["admin"], data={"name": "Zwembad West"}
    )
    assert client.get(API).json()["items"][0]["organisation_name"] == "Zwembad West"
    assert "Zwembad West" in _page_titles(client)


def test_an_import_shows_at_once(scene):
    client = Client()
    assert _api_titles(client) == ["Zwemles voor moeders"]
    lines = [
        json.dumps({"type": "initiative", "ref": "zwem-opa", "title": "Zwemles voor opa's"}),
        json.dumps(
            {
                "type": "initiative",
                "ref": scene["initiative"].ref,
                "title": "Zwemles voor moeders",
                "organisation": scene["organisation"].ref,
                "themes": ["food"],
            }
        ),
    ]
    report = network_import(lines=lines, dry_run=False)
    assert report.written, report.errors
    assert sorted(_api_titles(client)) == ["Zwemles voor moeders", "Zwemles voor opa's"]
    assert "Zwemles voor opa" in _page_titles(client)
    assert _api_titles(client, "/api/v1/initiatives?q=zwemles&theme=food") == [
        "Zwemles voor moeders"
    ]


def test_the_generation_moves_again_after_the_commit(scene, django_capture_on_commit_callbacks):
    # A reader between the write and its commit may cache what it saw before the commit.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        search.search_results_changed()
        during = search._generation()
    assert callbacks
    for callback in callbacks:
        callback()
    assert search._generation() != during


def test_a_lost_generation_never_revives_old_entries(scene):
    client = Client()
    assert _api_titles(client) == ["Zwemles voor moeders"]
    cache.delete(search.GENERATION_KEY)  # evicted, or Redis restarted without its data
    Initiative.objects.filter(pk=scene["initiative"].pk).delete()  # no writer told search
    assert _api_titles(client) == []


DOWN = {
    "default": {
        "BACKEND": "config.cache.FailOpenRedisCache",
        # Nothing listens on port 1.
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_with_the_cache_down_search_still_answers(scene):
    with override_settings(CACHES=DOWN):  # Django's test signals swap the cache handler
        client = Client()
        assert search._generation() is None
        assert _api_titles(client) == ["Zwemles voor moeders"]
        assert "Zwemles voor moeders" in _page_titles(client)
        initiative_services.initiative_update(
            initiative=scene["initiative"], actor=scene["admin"], data={"title": "Zwemles"}
        )
        assert _api_titles(client) == ["Zwemles"]


def test_a_large_import_refreshes_the_planner_statistics():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    # pg_stat_user_tables counts ANALYZE only after the commit: look at the statement.
    with CaptureQueriesContext(connection) as small:
        search.search_statistics_refresh({Initiative: search.ANALYZE_AFTER_ROWS - 1})
    assert not small.captured_queries  # a small import leaves it to autovacuum
    with CaptureQueriesContext(connection) as large:
        search.search_statistics_refresh({Initiative: search.ANALYZE_AFTER_ROWS})
    [statement] = [q["sql"] for q in large.captured_queries]
    assert statement.startswith("ANALYZE ")
    for table in ("network_initiative", "network_initiative_themes"):
        assert f'"{table}"' in statement
