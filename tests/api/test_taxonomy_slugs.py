"""The initiatives list reads its taxonomies' slugs in the rows' query
(network.selectors.with_taxonomy_slugs) where every other output prefetches them: the same
slugs in the same order either way, for every initiative of a page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network import search
from network.models import Initiative, SuccessFactor, TargetGroup, Theme
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

RELATIONS = ("themes", "target_groups", "success_factors")


@pytest.fixture
def initiatives():
    themes = list(Theme.objects.all())
    groups = list(TargetGroup.objects.all())
    factors = list(SuccessFactor.objects.all())
    made = []
    for i in range(12):
        # None, one, or several of each, in an order unlike the taxonomy's own.
        made.append(
            InitiativeFactory(
                title=f"Zwemles {i}",
                themes=[t.slug for t in themes[::-1][: i % 4]],
                target_groups=[g.slug for g in groups[i % 3 :: 2][: i % 3]],
            )
        )
        made[-1].success_factors.set(factors[::-1][: (i * 5) % 4])
    cache.clear()
    search._local_fragments.clear()
    return made


def _prefetched(ref: str) -> dict[str, list[str]]:
    initiative = Initiative.objects.get(ref=ref)
    return {
        relation: [item.pk for item in getattr(initiative, relation).all()]
        for relation in RELATIONS
    }


def test_the_list_gives_each_initiative_the_slugs_the_relations_hold(client, initiatives):
    for path in ("/api/v1/initiatives?limit=100", "/api/v1/initiatives?q=zwemles&limit=100"):
        items = client.get(path).json()["items"]
        assert len(items) == len(initiatives)
        for item in items:
            expected = _prefetched(item["ref"])
            assert {relation: item[relation] for relation in RELATIONS} == expected
            detail = client.get(f"/api/v1/initiatives/{item['ref']}").json()
            assert {relation: detail[relation] for relation in RELATIONS} == expected
    # Not a vacuous comparison: some have none, some several.
    lengths = {len(_prefetched(i.ref)["themes"]) for i in initiatives}
    assert {0, 3} <= lengths


def test_a_page_of_the_list_is_one_query_for_its_rows_whatever_its_taxonomies(
    client, initiatives, monkeypatch
):
    # The list as the operation answers it, not the answer kept whole.
    monkeypatch.setattr(search, "response_cached", lambda _key_parts, respond: respond())
    client.get("/api/v1/initiatives?limit=100")  # the ids and the count are cached now
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/initiatives?limit=100").status_code == 200
    reads = [q["sql"] for q in captured.captured_queries if "network_initiative" in q["sql"]]
    assert len(reads) == (1 if connection.vendor == "postgresql" else 4)
