"""Sources in the knowledge-bank search and on the pages of their themes (docs/sources.md)."""

from __future__ import annotations

import pytest
from django.test import Client

from network.models import Theme
from sources import services
from sources.models import Source
from tests.factories import InitiativeFactory, UserFactory
from tests.sources.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_the_library_page_searches_and_filters():
    SourceFactory(title="Inburgeren met een mentor", themes=[Theme.objects.get(pk="mentoring")])
    SourceFactory(
        title="Handreiking Interetnische Contacten",
        kind=Source.Kind.PUBLICATION,
        summary="Over ontmoetingen tussen buren.",
        themes=[Theme.objects.get(pk="dialogue")],
    )
    client = Client()
    page = client.get("/kennisbronnen/?q=mentor").content.decode()
    assert "Inburgeren met een mentor" in page and "Interetnische" not in page
    page = client.get("/kennisbronnen/?theme=dialogue").content.decode()
    assert "Interetnische" in page and "Inburgeren met een mentor" not in page
    page = client.get("/kennisbronnen/?kind=publication").content.decode()
    assert "Interetnische" in page and "Inburgeren met een mentor" not in page
    page = client.get("/kennisbronnen/?q=buren").content.decode()  # words of the summary
    assert "Interetnische" in page
    # Any input answers: a NUL byte, a huge query, an unknown filter value.
    for url in (
        "/kennisbronnen/?q=%00",
        "/kennisbronnen/?q=" + "a" * 5000,
        "/kennisbronnen/?kind=x",
    ):
        assert client.get(url).status_code == 200


def test_the_knowledge_bank_search_finds_sources():
    SourceFactory(title="Inburgeren met een mentor", summary="Mentoren voor inburgeraars.")
    InitiativeFactory(title="Taalcafé")
    page = Client().get("/initiatives/?q=inburgeraars").content.decode()
    assert 'data-testid="knowledge-bank-sources"' in page
    assert "Inburgeren met een mentor" in page
    # No words and no filters: the knowledge bank shows no sources section.
    assert "knowledge-bank-sources" not in Client().get("/initiatives/").content.decode()


def test_the_theme_filter_of_the_knowledge_bank_shows_the_themes_sources():
    SourceFactory(title="Maatjes op maat", themes=[Theme.objects.get(pk="mentoring")])
    SourceFactory(title="Koken met de buren", themes=[Theme.objects.get(pk="food")])
    page = Client().get("/initiatives/?theme=mentoring").content.decode()
    assert "Maatjes op maat" in page and "Koken met de buren" not in page
    assert "/kennisbronnen/?theme=mentoring" in page


def test_an_approved_suggestion_appears_in_cached_search_at_once():
    """The knowledge bank's results are cached (network.search); approving moves the cache
    generation on, so the next search sees the new source."""
    client = Client()
    suggestion = services.source_suggest(
        suggester=UserFactory(),
        data={
            "title": "Zwemles voor moeders",
            "summary": "Zwemmen voor vrouwen.",
            "kind": "manual",
        },
    )
    assert "Zwemles voor moeders" not in client.get("/initiatives/?q=zwemles").content.decode()
    assert "Zwemles voor moeders" not in client.get("/kennisbronnen/?q=zwemles").content.decode()
    services.source_approve(source=suggestion, actor=UserFactory(is_staff=True))
    assert "Zwemles voor moeders" in client.get("/initiatives/?q=zwemles").content.decode()
    assert "Zwemles voor moeders" in client.get("/kennisbronnen/?q=zwemles").content.decode()


@pytest.mark.parametrize(
    "url", ["/kennisbronnen/", "/kennisbronnen/?q=handreiking&theme=dialogue", "/api/v1/sources"]
)
def test_list_query_count_does_not_grow_with_its_length(url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from network.search import search_results_changed

    client = Client()
    dialogue = Theme.objects.get(pk="dialogue")

    def count() -> int:
        search_results_changed()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for _ in range(2):
        SourceFactory(title="Handreiking dialoog", themes=[dialogue])
    client.get(url)
    two = count()
    for _ in range(10):
        SourceFactory(title="Handreiking dialoog", themes=[dialogue])
    assert count() == two


def test_a_repeated_knowledge_bank_search_with_sources_runs_no_query(
    django_assert_max_num_queries,
):
    # The sources section is the same for every viewer (approved sources only), so a
    # repeated search reads it from the cache like the results: no SQL at all.
    SourceFactory(title="Inburgeren met een mentor", summary="Mentoren voor inburgeraars.")
    InitiativeFactory(title="Mentoren voor inburgeraars")
    client = Client()
    path = "/initiatives/?q=inburgeraars"
    first = client.get(path).content.decode()
    with django_assert_max_num_queries(0):
        again = Client().get(path).content.decode()
    for page in (first, again):
        assert 'data-testid="knowledge-bank-sources"' in page
        assert "Inburgeren met een mentor" in page


def test_editing_or_deleting_a_source_shows_in_the_cached_knowledge_bank_at_once():
    staff = UserFactory(is_staff=True)
    source = SourceFactory(title="Inburgeren met een mentor", summary="Mentoren en maatjes.")
    client = Client()
    path = "/initiatives/?q=maatjes"
    assert "Inburgeren met een mentor" in client.get(path).content.decode()  # kept
    services.source_update(source=source, actor=staff, data={"title": "Maatjes voor nieuwkomers"})
    page = client.get(path).content.decode()
    assert "Maatjes voor nieuwkomers" in page and "Inburgeren met een mentor" not in page
    services.source_delete(source=source, actor=staff)
    assert "knowledge-bank-sources" not in client.get(path).content.decode()


def test_a_section_of_the_sources_never_holds_what_is_not_approved():
    # Kept for everyone, so computed as an anonymous reader would see it: a suggestion
    # (not yet approved) seen by its suggester or by staff is never put in the cache.
    suggester = UserFactory()
    services.source_suggest(
        suggester=suggester,
        data={"title": "Zwemles voor moeders", "summary": "Zwemmen.", "kind": "manual"},
    )
    for viewer in (suggester, UserFactory(is_staff=True), None):
        client = Client()
        if viewer:
            client.force_login(viewer)
        assert "Zwemles voor moeders" not in client.get("/initiatives/?q=zwemles").content.decode()
