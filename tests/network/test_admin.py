"""Edits in Django's admin go through the network's services: the same declared fields, the
search refresh and the `profile_changed` notice, so matching's index never goes stale."""

from __future__ import annotations

import pytest
from django.test import Client

from matching.index import index_explain, index_get, index_reset, need_query
from network import events
from network.models import Membership, Organisation, Person, RetiredRef, Role
from tests.factories import OrganisationFactory, PersonFactory, UserFactory
from tests.matching.factories import NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def heard(monkeypatch) -> list[tuple[str, int]]:
    """Every profile_changed notice, as matching's listener hears it (after commit)."""
    notices: list[tuple[str, int]] = []
    monkeypatch.setattr(
        events, "_listeners", [*events._listeners, lambda kind, pk: notices.append((kind, pk))]
    )
    return notices


@pytest.fixture
def fresh_index():
    index_reset()
    yield
    index_reset()


def _person_form(person: Person, **changes) -> dict:
    data = {
        "user": person.user_id or "",
        "name": person.name,
        "email": person.email,
        "municipality": person.municipality_id or "",
        "skills": "[]",
        "bio": person.bio,
        "looking_for": person.looking_for,
        "hours_per_week": person.hours_per_week or "",
        "mentor_capacity": person.mentor_capacity,
        "visibility": person.visibility,
        "open_to_matching": "on" if person.open_to_matching else "",
        "roles": [role.pk for role in person.roles.all()],
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_an_admin_edit_publishes_profile_changed_and_refreshes_search(
    staff_client, heard, fresh_index, django_capture_on_commit_callbacks
):
    mentor = PersonFactory(
        name="Karim Oud",
        roles=[Role.objects.get(pk="mentor")],
        mentor_capacity=2,
        visibility=Person.Visibility.PUBLIC,
    )
    need = NeedFactory(organisation=OrganisationFactory())
    assert index_explain(need_query(need), "person", mentor.pk).hard_rule != "hidden"
    index_get()  # the index is built, as in a running process, before the edit

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/network/person/{mentor.pk}/change/",
            _person_form(mentor, name="Karim Nieuwnaam", visibility="hidden"),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ("person", mentor.pk) in heard
    mentor.refresh_from_db()
    assert (mentor.name, mentor.visibility) == ("Karim Nieuwnaam", "hidden")
    # Search knows the new name (staff see hidden profiles).
    found = staff_client.get("/api/v1/people", {"q": "Nieuwnaam"}).json()
    assert [item["ref"] for item in found["items"]] == [mentor.ref]
    # And the matching index heard of it: the hidden profile is no longer a candidate.
    assert index_explain(need_query(need), "person", mentor.pk).hard_rule == "hidden"


def test_the_admin_form_offers_only_the_declared_fields(staff_client):
    person = PersonFactory()
    page = staff_client.get(f"/admin/network/person/{person.pk}/change/")
    form = page.context["adminform"].form
    assert "ref" not in form.fields
    assert "created_at" not in form.fields
    assert person.ref in page.content.decode()  # shown, read-only


def test_adding_a_person_in_the_admin_goes_through_the_service(
    staff_client, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/network/person/add/",
            {"name": "Sleutelfiguur Zonder Account", "visibility": "members", "skills": "[]"}
            | {"mentor_capacity": 0, "open_to_matching": "on", "_save": "Save"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(name="Sleutelfiguur Zonder Account")
    assert person.ref.startswith("p-")
    assert ("person", person.pk) in heard


def test_deleting_a_person_in_the_admin_erases_through_the_service(
    staff_client, heard, django_capture_on_commit_callbacks
):
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/admin/network/person/{person.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    assert RetiredRef.objects.filter(ref=person.ref).exists()
    assert ("person", person.pk) in heard


def test_verifying_in_the_admin_goes_through_the_service(
    staff_client, heard, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/network/organisation/",
            {"action": "mark_verified", "_selected_action": [organisation.pk]},
        )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).verified is True
    assert ("organisation", organisation.pk) in heard


def test_memberships_are_shown_not_edited_in_the_admin(staff_client):
    organisation = OrganisationFactory()
    member = PersonFactory(name="Lid Blijft")
    Membership.objects.create(organisation=organisation, person=member)
    page = staff_client.get(f"/admin/network/organisation/{organisation.pk}/change/")
    assert page.status_code == 200
    assert "Lid Blijft" in page.content.decode()
    assert all(not formset.formset.can_delete for formset in page.context["inline_admin_formsets"])


def test_moving_an_initiative_to_a_new_leader_in_the_admin_tells_both_leaders(
    staff_client, heard, django_capture_on_commit_callbacks
):
    from tests.factories import InitiativeFactory

    old_leader, new_leader = PersonFactory(), PersonFactory()
    initiative = InitiativeFactory(leader=old_leader, title="Taalcafé Oud")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/network/initiative/{initiative.pk}/change/",
            {
                "title": "Taalcafé Nieuw",
                "organisation": initiative.organisation_id,
                "leader": new_leader.pk,
                "municipality": initiative.municipality_id,
                "status": "running",
                "_save": "Save",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    initiative.refresh_from_db()
    assert (initiative.title, initiative.leader) == ("Taalcafé Nieuw", new_leader)
    assert {("person", old_leader.pk), ("person", new_leader.pk)} <= set(heard)
    assert ("organisation", initiative.organisation_id) in heard
