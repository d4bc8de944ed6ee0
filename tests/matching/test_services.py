"""Needs are written only through their declared fields: no ref, id, status or
organisation slips in through a form, the API or a programming mistake."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.services import api_token_create
from matching.models import Need
from matching.services import needs as need_services
from network.models import Membership
from tests.factories import OrganisationFactory, member_user
from tests.matching.factories import NeedFactory

pytestmark = pytest.mark.django_db

NOT_WRITABLE = [
    "ref",
    "id",
    "pk",
    "created_at",
    "status",
    "organisation",
    "created_by",
    "proposals_refreshed_at",
    "colour_of_the_sky",
]


@pytest.fixture
def asking():
    organisation = OrganisationFactory(name="Buurthuis De Linde")
    return organisation, member_user(organisation, role=Membership.Role.ADMIN)


def _row(pk: int) -> dict:
    return Need.objects.filter(pk=pk).values().get()


@pytest.mark.parametrize("key", NOT_WRITABLE)
def test_need_create_refuses_undeclared_fields(asking, key):
    organisation, admin = asking
    with pytest.raises(TypeError, match=rf"not a writable field: .*\b{key}\b"):
        need_services.need_create(
            organisation=organisation,
            actor=admin,
            data={"kind": "volunteer", "title": "Gekozen", key: "need-gekozen"},
        )
    assert not Need.objects.filter(title="Gekozen").exists()


@pytest.mark.parametrize("key", NOT_WRITABLE)
def test_need_update_refuses_undeclared_fields(asking, key):
    organisation, admin = asking
    need = NeedFactory(organisation=organisation)
    before = _row(need.pk)
    with pytest.raises(TypeError, match=rf"not a writable field: .*\b{key}\b"):
        need_services.need_update(need=need, actor=admin, data={"title": "Nieuw", key: "closed"})
    assert _row(need.pk) == before


def test_the_api_ignores_need_fields_it_does_not_declare(asking):
    organisation, admin = asking
    _token, secret = api_token_create(user=admin, name="script")
    body = {
        "organisation": organisation.ref,
        "kind": "volunteer",
        "title": "Taalmaatje met extra's",
        "ref": "need-zelf-gekozen",
        "status": "closed",
        "id": 1,
        "created_at": "2001-01-01T00:00:00Z",
    }
    response = Client().post(
        "/api/v1/needs",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201, response.content
    need = Need.objects.get(title="Taalmaatje met extra's")
    assert need.ref == response.json()["ref"] != "need-zelf-gekozen"
    assert need.status == Need.Status.OPEN
    assert need.created_at.year > 2001
