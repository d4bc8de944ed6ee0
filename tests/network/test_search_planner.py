"""The knowledge bank's full-text statements are planned with the GIN index preferred
(network.search.index_preferred; docs/network.md, "The planner and full text"): the setting
is the search's own, results do not change, and nothing else is planned under it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from network import search, selectors
from network.models import Initiative, Organisation, Person
from tests.factories import InitiativeFactory, OrganisationFactory, PersonFactory, UserFactory

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


def test_a_full_text_search_asks_for_no_sequential_scan_and_puts_the_setting_back():
    InitiativeFactory(title="Zwemles voor moeders")
    queryset = _search("zwemles")
    found = queryset.get().pk
    window = queryset.values_list("pk", flat=True)[:20]
    with CaptureQueriesContext(connection) as captured:
        assert search.index_preferred(queryset, "count", queryset.count) == 1
        assert search.index_preferred(window, "ids", lambda: list(window)) == [found]
    # Each is one message: the setting, the statement and the reset.
    assert len(captured) == 2
    for statement in captured.captured_queries:
        assert statement["sql"].startswith("SET enable_seqscan = off; SELECT")
        assert statement["sql"].endswith("; RESET enable_seqscan")
    # The test runs in a transaction, as a request in ATOMIC_REQUESTS would: what follows in
    # it is planned as before.
    assert _seqscan() == "on"


def test_a_search_without_words_is_planned_as_always():
    InitiativeFactory(title="Zwemles voor moeders", themes=["sport"])
    queryset = _search("", themes=("sport",))
    assert not search.searches_full_text(queryset)
    with CaptureQueriesContext(connection) as captured:
        assert search.index_preferred(queryset, "count", queryset.count) == 1
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
        assert search.index_preferred(window, "ids", lambda: None) == list(window.all())
        assert search.index_preferred(queryset, "count", lambda: None) == queryset.count()


def _failing_search():
    # A search whose statement fails in PostgreSQL (when it is planned: no rows needed),
    # after the SET in the same message.
    return _search("zwemles").extra(where=["1 / 0 = 1"])


def test_a_statement_failing_in_a_transaction_leaves_the_setting_as_it_was():
    queryset = _failing_search()
    assert search.searches_full_text(queryset)
    with pytest.raises(DatabaseError), transaction.atomic():
        search.index_preferred(queryset, "count", queryset.count)
    # The failure aborted the savepoint; rolled back, the setting went with it.
    assert _seqscan() == "on"


@pytest.mark.django_db(transaction=True)
def test_a_statement_failing_outside_a_transaction_leaves_the_connection_as_it_was():
    # Autocommit, as requests run (ATOMIC_REQUESTS is off): the SET, the statement and the
    # reset are one implicit transaction, which the failure rolls back whole. No rows: a
    # transactional test's database is emptied by the one before it.
    queryset = _failing_search()
    for kind, compute in (("count", queryset.count), ("ids", lambda: None)):
        target = queryset if kind == "count" else queryset.values_list("pk", flat=True)[:20]
        with pytest.raises(DatabaseError):
            search.index_preferred(target, kind, compute)
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
        planned = [s for s in sql if s.startswith("SET enable_seqscan = off; ")]
        # The count and the window of ids, each with the setting in its own message.
        assert len(planned) == 2
        assert any("COUNT(*)" in s for s in planned)
        assert all(s.endswith("; RESET enable_seqscan") for s in planned)


def test_the_directories_of_people_and_organisations_count_and_sort_alike_whichever_plan():
    # Names as well as words (the name conditions are ORed with the full text).
    for name, bio in [
        ("Mohamed El Amrani", "sleutelfiguur en vrijwilliger"),
        ("Muhammad Yilmaz", "vrijwilliger bij de zwemles"),
        ("Ayşe Özdemir", "taalcoach"),
        ("Anna de Vries", "zwemles voor moeders"),
    ]:
        PersonFactory(name=name, bio=bio, visibility=Person.Visibility.PUBLIC)
    for name in ("Stichting Zwemles", "Moskee Al Amal", "Vrijwilligerscentrum"):
        OrganisationFactory(name=name, description="vrijwilliger en zwemles")
    search.search_vectors_refresh(Person)
    search.search_vectors_refresh(Organisation)
    viewer = UserFactory()
    found = {}
    for q in ("mohamed", "vrijwilliger", "zwemles", "ozdemir", "amal", "niemand"):
        for queryset in (
            selectors.person_search(selectors.PersonFilters(q=q), viewer=viewer),
            selectors.organisation_search(selectors.OrganisationFilters(q=q)),
        ):
            assert search.searches_full_text(queryset)
            window = queryset.values_list("pk", flat=True)[:20]
            assert search.index_preferred(window, "ids", lambda: None) == list(window.all())
            assert search.index_preferred(queryset, "count", lambda: None) == queryset.count()
            found[q] = found.get(q, 0) + queryset.count()
    assert found == {
        "mohamed": 2,  # Mohamed and Muhammad: the same skeleton
        "vrijwilliger": 5,  # two bios, three organisations
        "zwemles": 5,
        "ozdemir": 1,
        "amal": 1,
        "niemand": 0,
    }


def test_a_cached_search_runs_the_statement_it_is_kept_under_and_answers_as_the_orm(
    django_assert_max_num_queries,
):
    # One rule, one place: search_cached compiles a search's statement once, keys the cache
    # on it and runs it as it is; for every kind of search (words, names, filters alone and
    # combined, the other order, a filter that can match nothing) on a miss and on a hit the
    # ids and the count are what the ORM gives.
    for n in range(30):
        InitiativeFactory(
            title=f"Zwemles {n}" if n % 3 else f"Taalcafé {n}",
            themes=["sport"] if n % 2 else ["language"],
        )
    cases = [
        _search(""),
        _search("zwemles"),
        _search("zwemles", sort="recent"),
        _search("taalcafe zwemles"),
        _search("", themes=("sport",)),
        _search("zwemles", themes=("language",)),
        _search("", themes=("no-such-theme",)),
        _search("niets gevonden"),
    ]
    cache.clear()
    for queryset in cases:
        expected_ids = list(queryset.values_list("pk", flat=True)[10:30])
        expected_count = queryset.count()
        for _round in ("miss", "hit"):
            assert selectors.ids_sorted_narrow(queryset, 10, 30) == expected_ids
            assert selectors.rows_counted(queryset) == expected_count
        with django_assert_max_num_queries(0):  # both kept
            selectors.ids_sorted_narrow(queryset, 10, 30)
            selectors.rows_counted(queryset)
    assert {selectors.rows_counted(q) for q in cases} >= {0, 10, 20, 30}
