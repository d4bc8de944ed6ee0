"""The knowledge bank's full-text statements are planned with the GIN index preferred
(network.search.index_preferred; docs/network.md, "The planner and full text"): the setting
is the search's own, results do not change, and nothing else is planned under it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from network import search, selectors
from network.models import Initiative
from tests.factories import InitiativeFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]


def _seqscan() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        return cursor.fetchone()[0]


def _search(q: str, **filters):
    return selectors.initiative_search(selectors.InitiativeFilters(q=q, **filters))


def test_a_full_text_search_runs_with_sequential_scans_off_and_puts_the_setting_back():
    InitiativeFactory(title="Zwemles voor moeders")
    queryset = _search("zwemles")
    seen = []
    count = search.index_preferred(queryset, lambda: (seen.append(_seqscan()), queryset.count())[1])
    assert count == 1
    assert seen == ["off"]
    # The test runs in a transaction, as a request in ATOMIC_REQUESTS would: what follows in
    # it is planned as before.
    assert _seqscan() == "on"


def test_a_search_without_words_is_planned_as_always():
    InitiativeFactory(title="Zwemles voor moeders", themes=["sport"])
    queryset = _search("", themes=("sport",))
    assert not search.searches_full_text(queryset)
    with CaptureQueriesContext(connection) as captured:
        assert search.index_preferred(queryset, queryset.count) == 1
    assert len(captured) == 1
    assert "enable_seqscan" not in captured.captured_queries[0]["sql"]


def test_the_mark_follows_every_queryset_made_from_a_search():
    queryset = _search("zwemles", themes=("sport",))
    assert search.searches_full_text(queryset)
    assert search.searches_full_text(queryset.values_list("pk", flat=True)[:20])
    assert search.searches_full_text(queryset.filter(status=Initiative.Status.RUNNING))
    assert not search.searches_full_text(Initiative.objects.all())


def test_the_results_are_the_same_whichever_plan():
    for i, title in enumerate(
        ["Zwemles voor moeders", "Zwemles voor vaders", "Taalcafé", "Zwemmen en taal", "Koken"]
    ):
        InitiativeFactory(title=title, summary="zwemles " * i, themes=["sport"] if i % 2 else [])
    for q, filters in [
        ("zwemles", {}),
        ("zwemles", {"themes": ("sport",)}),
        ("taal", {}),
        ("zwemles -vaders", {}),
        ('"voor moeders"', {}),
        ("niets", {}),
    ]:
        queryset = _search(q, **filters)
        window = queryset.values_list("pk", flat=True)[:20]
        assert search.index_preferred(window, lambda w=window: list(w.all())) == list(window.all())
        assert search.index_preferred(queryset, queryset.count) == queryset.count()


def _broken():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")


def test_a_statement_failing_in_a_transaction_leaves_the_setting_as_it_was():
    queryset = _search("zwemles")
    with pytest.raises(DatabaseError), transaction.atomic():
        search.index_preferred(queryset, _broken)
    # The failed statement aborted the savepoint; rolled back, the setting went with it.
    assert _seqscan() == "on"


def test_an_error_that_is_not_the_database_s_resets_the_setting():
    queryset = _search("zwemles")

    def python_error():
        raise ValueError("not the database")

    with pytest.raises(ValueError):
        search.index_preferred(queryset, python_error)
    assert _seqscan() == "on"


@pytest.mark.django_db(transaction=True)
def test_a_statement_failing_outside_a_transaction_leaves_the_connection_as_it_was():
    # Autocommit, as requests run (ATOMIC_REQUESTS is off): the SET was committed at once,
    # so the reset after the failure is what puts it back.
    queryset = _search("zwemles")
    with pytest.raises(DatabaseError):
        search.index_preferred(queryset, _broken)
    assert _seqscan() == "on"


def test_a_small_table_an_app_registered_is_planned_as_always():
    from sources.models import Source

    queryset = search.text_search(Source.objects.all(), "zwemles", rank=True)
    assert not search.searches_full_text(queryset)


def test_the_knowledge_bank_page_and_api_search_with_the_setting(client):
    InitiativeFactory(title="Zwemles voor moeders")
    for path in ("/initiatives/?q=zwemles", "/api/v1/initiatives?q=zwemles"):
        cache.clear()
        search._local_fragments.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        assert "Zwemles voor moeders" in response.content.decode()
        sql = [q["sql"] for q in captured.captured_queries]
        counted = next(
            i for i, s in enumerate(sql) if "COUNT(*)" in s and "network_initiative" in s
        )
        assert sql[counted - 1] == "SET enable_seqscan = off"
        assert sql[counted + 1] == "RESET enable_seqscan"
