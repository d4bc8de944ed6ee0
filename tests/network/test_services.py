"""The network's write services accept only the fields they declare: nobody sets a ref, an
id, a creation date or a staff-only field through a form, the API or a programming slip."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.services import api_token_create
from network.models import Initiative, Membership, Organisation, Person
from network.services import initiatives as initiative_services
from network.services import organisations as organisation_services
from network.services import people as people_services
from tests.factories import InitiativeFactory, OrganisationFactory, UserFactory, member_user

pytestmark = pytest.mark.django_db

# Keys no caller may write: identity, bookkeeping, and keys no model has.
NOT_WRITABLE = [
    "ref",
    "id",
    "pk",
    "created_at",
    "updated_at",
    "search_vector",
    "is_staff",
    "colour_of_the_sky",
]


@pytest.fixture
def admin_and_organisation():
    organisation = OrganisationFactory(name="Stichting Vast")
    admin = member_user(organisation, role=Membership.Role.ADMIN, name="Anna Beheer")
    return admin, organisation


def _row(model, pk: int) -> dict:
    return model.objects.filter(pk=pk).values().get()


@pytest.mark.parametrize("key", NOT_WRITABLE)
def test_organisation_update_refuses_undeclared_fields(admin_and_organisation, key):
    admin, organisation = admin_and_organisation
    before = _row(Organisation, organisation.pk)
    with pytest.raises(TypeError, match=rf"not a writable field: .*\b{key}\b"):
        organisation_services.organisation_update(
            organisation=organisation, actor=admin, data={"name": "Nieuw", key: "org-gekozen"}
        )
    assert _row(Organisation, organisation.pk) == before


@pytest.mark.parametrize("key", NOT_WRITABLE)
def test_organisation_register_refuses_undeclared_fields(key):
    user = UserFactory()
    with pytest.raises(TypeError, match=rf"not a writable field: .*\b{key}\b"):
        organisation_services.organisation_register(
            creator=user, data={"name": "Gekozen Naam", "kind": "welfare", key: "org-gekozen"}
        )
    assert not Organisation.objects.filter(name="Gekozen Naam").exists()


def test_only_staff_verify_an_organisation(admin_and_organisation):
    admin, organisation = admin_and_organisation
    with pytest.raises(PermissionDenied):
        organisation_services.organisation_update(
            organisation=organisation, actor=admin, data={"name": "Nieuw", "verified": True}
        )
    organisation.refresh_from_db()
    assert (organisation.name, organisation.verified) == ("Stichting Vast", False)
    staff = UserFactory(is_staff=True)
    organisation_services.organisation_update(
        organisation=organisation, actor=staff, data={"verified": True}
    )
    organisation.refresh_from_db()
    assert organisation.verified is True


def test_a_registration_cannot_verify_itself():
    with pytest.raises(TypeError, match="verified"):
        organisation_services.organisation_register(
            creator=UserFactory(), data={"name": "Zelf Geverifieerd", "verified": True}
        )
    assert not Organisation.objects.filter(name="Zelf Geverifieerd").exists()


@pytest.mark.parametrize("key", NOT_WRITABLE)
def test_person_update_refuses_undeclared_fields(key):
    user = UserFactory(name="Piet Eigen")
    person = people_services.person_ensure_for_user(user=user)
    before = _row(Person, person.pk)
    with pytest.raises(TypeError, match=rf"not a writable field: .*\b{key}\b"):
        people_services.person_update(
            person=person, actor=user, data={"bio": "Nieuw", key: "p-gekozen"}
        )
    assert _row(Person, person.pk) == before


@pytest.mark.parametrize(("key", "value"), [("user", None), ("email", "ander@voorbeeld.nl")])
def test_a_person_cannot_move_their_profile_or_its_claim_address(key, value):
    user = UserFactory()
    person = people_services.person_ensure_for_user(user=user)
    before = _row(Person, person.pk)
    with pytest.raises(PermissionDenied):
        people_services.person_update(person=person, actor=user, data={key: value})
    assert _row(Person, person.pk) == before


def test_nobody_else_updates_a_profile():
    person = people_services.person_ensure_for_user(user=UserFactory())
    before = _row(Person, person.pk)
    with pytest.raises(PermissionDenied):
        people_services.person_update(person=person, actor=UserFactory(), data={"bio": "Hack"})
    assert _row(Person, person.pk) == before


@pytest.mark.parametrize("key", NOT_WRITABLE)
def test_initiative_create_refuses_undeclared_fields(admin_and_organisation, key):
    admin, organisation = admin_and_organisation
    with pytest.raises(TypeError, match=rf"not a writable field: .*\b{key}\b"):
        initiative_services.initiative_create(
            organisation=organisation, actor=admin, data={"title": "Gekozen", key: "ini-x"}
        )
    assert not Initiative.objects.filter(title="Gekozen").exists()


@pytest.mark.parametrize("key", NOT_WRITABLE)
def test_initiative_update_refuses_undeclared_fields(admin_and_organisation, key):
    admin, organisation = admin_and_organisation
    initiative = InitiativeFactory(organisation=organisation)
    before = _row(Initiative, initiative.pk)
    with pytest.raises(TypeError, match=rf"not a writable field: .*\b{key}\b"):
        initiative_services.initiative_update(
            initiative=initiative, actor=admin, data={"title": "Nieuw", key: "ini-x"}
        )
    assert _row(Initiative, initiative.pk) == before


def test_only_staff_move_an_initiative_to_another_organisation(admin_and_organisation):
    admin, organisation = admin_and_organisation
    initiative = InitiativeFactory(organisation=organisation)
    elsewhere = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        initiative_services.initiative_update(
            initiative=initiative, actor=admin, data={"organisation": elsewhere}
        )
    assert Initiative.objects.get(pk=initiative.pk).organisation == organisation
    initiative_services.initiative_update(
        initiative=initiative, actor=UserFactory(is_staff=True), data={"organisation": elsewhere}
    )
    assert Initiative.objects.get(pk=initiative.pk).organisation == elsewhere


def test_the_api_ignores_fields_it_does_not_declare():
    user = UserFactory()
    _token, secret = api_token_create(user=user, name="script")
    body = {
        "name": "Brug met Extra's",
        "kind": "welfare",
        "ref": "org-zelf-gekozen",
        "id": 1,
        "verified": True,
        "created_at": "2001-01-01T00:00:00Z",
        "search_vector": "x",
    }
    response = Client().post(
        "/api/v1/organisations",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(name="Brug met Extra's")
    assert organisation.ref == response.json()["ref"] != "org-zelf-gekozen"
    assert organisation.verified is False
    assert organisation.created_at.year > 2001
    assert not Organisation.objects.filter(ref="org-zelf-gekozen").exists()
