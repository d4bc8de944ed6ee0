"""GET /api/v1/sources and /api/v1/sources/{ref} (docs/contracts.md §5)."""

from __future__ import annotations

import pytest
from django.test import Client

from network.models import Theme
from sources.models import Source, SourceLink
from tests.factories import InitiativeFactory
from tests.sources.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_the_list_answers_approved_sources_with_filters():
    SourceFactory(
        ref="mentor", title="Inburgeren met een mentor", themes=[Theme.objects.get(pk="mentoring")]
    )
    SourceFactory(ref="wacht", title="Nog niet", status=Source.Status.PENDING)
    client = Client()
    body = client.get("/api/v1/sources").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["ref"] == "mentor" and item["themes"] == ["mentoring"] and item["year"] == 2008
    assert client.get("/api/v1/sources?theme=food").json()["count"] == 0
    assert client.get("/api/v1/sources?q=mentor&kind=manual").json()["count"] == 1
    assert client.get("/api/v1/sources?limit=1000").status_code == 422


def test_the_detail_has_the_links_and_hides_suggestions():
    source = SourceFactory(ref="mentor")
    initiative = InitiativeFactory(ref="samenspraak", title="SamenSpraak")
    SourceLink.objects.create(source=source, relation="informed", initiative=initiative)
    client = Client()
    body = client.get("/api/v1/sources/mentor").json()
    assert body["links"] == [
        {"relation": "informed", "type": "initiative", "ref": "samenspraak", "name": "SamenSpraak"}
    ]
    SourceFactory(ref="wacht", status=Source.Status.PENDING)
    assert client.get("/api/v1/sources/wacht").status_code == 404
    assert client.get("/api/v1/sources/NOT%20A%20REF").status_code == 404
    assert client.get("/api/v1/sources/mentor", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_openapi_carries_examples():
    schema = Client().get("/api/v1/openapi.json").json()
    for path in ("/api/v1/sources", "/api/v1/sources/{ref}"):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert "example" in content, path
