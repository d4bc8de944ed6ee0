from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from network.models import Initiative, Membership, Organisation, Person
from network.services.people import person_claim_token
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, member_user

pytestmark = pytest.mark.django_db

ORGANISATION_FORM = {
    "name": "Vrouwenvereniging Aïcha & N'Diaye",
    "kind": "self_organisation",
    "municipality": "amersfoort",
    "description": "Ontmoeting en taal voor vrouwen uit de wijk.",
    "website": "vrouwen-amersfoort.example.nl",
    "themes": ["language", "emancipation"],
    "target_groups": ["girls_women"],
    "languages": ["nl", "ar", "so"],
    "offers": "Een netwerk onder Somalische en Marokkaanse vrouwen.",
    "open_to_matching": "on",
}


def test_registering_an_organisation_makes_the_creator_its_admin(user_client, user):
    response = user_client.post("/organisations/new/", ORGANISATION_FORM)
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.name == "Vrouwenvereniging Aïcha & N'Diaye"
    assert re.fullmatch(r"org-[0-9a-f]{8}", organisation.ref)
    assert organisation.website == "https://vrouwen-amersfoort.example.nl"
    assert not organisation.verified
    assert sorted(organisation.themes.values_list("pk", flat=True)) == ["emancipation", "language"]
    membership = Membership.objects.get()
    assert membership.person.user == user
    assert membership.role == Membership.Role.ADMIN
    page = user_client.get(response.url).content.decode()
    assert "Vrouwenvereniging Aïcha &amp; N&#x27;Diaye" in page
    assert "Initiatief toevoegen" in page


def test_a_registration_with_errors_keeps_what_was_typed_and_writes_nothing(user_client):
    response = user_client.post(
        "/organisations/new/", {**ORGANISATION_FORM, "name": "", "kind": "bank"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dit veld is verplicht" in page
    assert "Een netwerk onder Somalische" in page
    assert not Organisation.objects.exists()


def test_staff_verify_organisations_not_their_admins(user_client, user):
    user_client.post("/organisations/new/", {**ORGANISATION_FORM, "verified": "on"})
    assert not Organisation.objects.get().verified


def test_the_invitation_flow(client, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(name="Buurtcentrum De Brug")
    admin = member_user(organisation, role=Membership.Role.ADMIN)
    admin_client = Client()
    admin_client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/organisations/{organisation.ref}/members/",
            {"email": "Fatma@Voorbeeld.nl", "role": "member"},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/invitations/(\S+)/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    path = "/invitations/" + link.group(1) + "/"

    # Someone else who got hold of the link cannot use it.
    intruder = Client()
    intruder.force_login(UserFactory(email="iemand@voorbeeld.nl"))
    assert intruder.post(path).status_code == 400
    assert Membership.objects.count() == 1

    invitee = UserFactory(email="fatma@voorbeeld.nl")
    invitee_client = Client()
    invitee_client.force_login(invitee)
    assert "Buurtcentrum De Brug" in invitee_client.get(path).content.decode()
    assert invitee_client.post(path).status_code == 302
    assert Membership.objects.filter(person__user=invitee, role="member").exists()
    # A link works once.
    assert invitee_client.post(path).status_code == 400


def test_a_forged_invitation_link_is_a_clear_404(user_client):
    response = user_client.get("/invitations/verzonnen-token/")
    assert response.status_code == 404
    assert "niet geldig" in response.content.decode()


def test_members_leave_but_the_last_admin_stays(db):
    organisation = OrganisationFactory()
    admin = member_user(organisation, role=Membership.Role.ADMIN)
    member = member_user(organisation)
    member_client, admin_client = Client(), Client()
    member_client.force_login(member)
    admin_client.force_login(admin)
    member_client.post(f"/organisations/{organisation.ref}/leave/")
    assert not Membership.objects.filter(person__user=member).exists()
    response = admin_client.post(f"/organisations/{organisation.ref}/leave/", follow=True)
    assert "minstens één beheerder" in response.content.decode()
    assert Membership.objects.filter(person__user=admin).exists()


def test_a_member_adds_an_initiative_and_finds_it(db):
    organisation = OrganisationFactory()
    member = member_user(organisation)
    client = Client()
    client.force_login(member)
    response = client.post(
        f"/organisations/{organisation.ref}/initiatives/new/",
        {
            "title": "Taalcafé Overvecht",
            "status": "running",
            "themes": ["language"],
            "target_groups": ["newcomers"],
            "summary": "Nieuwkomers oefenen Nederlands met buurtbewoners.",
            "lessons": "Vaste gastvrouwen maken het verschil.",
            "partners": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    initiative = Initiative.objects.get()
    assert re.fullmatch(r"ini-[0-9a-f]{8}", initiative.ref)
    assert initiative.organisation == organisation
    assert (
        "Taalcafé Overvecht" in client.get("/initiatives/", {"q": "gastvrouwen"}).content.decode()
    )


def test_an_initiative_with_unknown_partners_or_dates_in_the_wrong_order_is_refused(db):
    organisation = OrganisationFactory()
    member = member_user(organisation)
    client = Client()
    client.force_login(member)
    response = client.post(
        f"/organisations/{organisation.ref}/initiatives/new/",
        {
            "title": "X",
            "status": "running",
            "partners": "bestaat-niet",
            "started": "2024-05-01",
            "ended": "2023-01-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "bestaat-niet" in page
    assert not Initiative.objects.exists()


def test_editing_your_own_profile(user_client, user):
    response = user_client.post(
        "/profile/",
        {
            "name": "عائشة الحسني",
            "municipality": "utrecht",
            "roles": ["key_figure", "volunteer"],
            "languages": ["ar", "nl"],
            "themes": ["parents"],
            "target_groups": ["moroccan"],
            "skills": "tolken, koken voor groepen",
            "bio": "Sleutelfiguur in Kanaleneiland.",
            "looking_for": "",
            "hours_per_week": "4",
            "mentor_capacity": "0",
            "visibility": "members",
            "open_to_matching": "on",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(user=user)
    assert person.name == "عائشة الحسني"
    assert person.skills == ["tolken", "koken voor groepen"]
    assert Client().get(f"/people/{person.ref}/").status_code == 404  # members only
    assert user_client.get(f"/people/{person.ref}/").status_code == 200


def test_profile_rejects_impossible_numbers(user_client, user):
    response = user_client.post(
        "/profile/",
        {"name": "A", "visibility": "public", "hours_per_week": "-5", "mentor_capacity": "999"},
    )
    assert response.status_code == 400
    assert not Person.objects.filter(user=user).exists()


def test_claiming_an_imported_profile(db):
    person = PersonFactory(email="hodan@voorbeeld.nl", user=None)
    token = person_claim_token(person=person)
    wrong = Client()
    wrong.force_login(UserFactory(email="iemand-anders@voorbeeld.nl"))
    assert wrong.post(f"/people/claim/{token}/").status_code == 400

    owner = UserFactory(email="Hodan@voorbeeld.nl")
    client = Client()
    client.force_login(owner)
    assert client.post(f"/people/claim/{token}/").status_code == 302
    person.refresh_from_db()
    assert person.user == owner
    assert client.post("/people/claim/geknoeid-token/").status_code == 400


def test_deleting_the_account_removes_the_profile_but_keeps_the_organisation(db, password):
    organisation = OrganisationFactory()
    user = member_user(organisation, role=Membership.Role.ADMIN)
    person = user.person
    client = Client()
    client.force_login(user)
    exported = client.get("/accounts/export/").json()
    assert exported["profile"]["ref"] == person.ref
    assert exported["profile"]["memberships"][0]["organisation"] == organisation.ref
    client.post("/accounts/delete/", {"password": password, "confirm": "on"})
    assert not Person.objects.filter(pk=person.pk).exists()
    assert Organisation.objects.filter(pk=organisation.pk).exists()
