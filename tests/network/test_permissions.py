"""Who may do what in the network: the permission matrix of network/permissions.py, tested
through the pages and the API a person actually uses.

Actors: anonymous, a member of the organisation, an admin of the organisation, an admin of
another organisation, and platform staff. Each row of a matrix says what that actor sees:
a status code, or "login" for a redirect to the sign-in page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.contrib import messages
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.services import api_token_create
from network.models import Initiative, Invitation, Membership, Organisation, Person, Theme
from tests.factories import (
    FundFactory,
    InitiativeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    member_user,
)

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "member", "admin", "other_admin", "staff"]
SIGNED_IN = [actor for actor in ACTORS if actor != "anonymous"]
LOGIN = "login"

LAST_ADMIN_MESSAGE = "An organisation needs at least one admin: make someone else admin first."
NOT_A_MEMBER_MESSAGE = "You are not a member of this organisation."


@dataclass
class World:
    organisation: Organisation
    other_organisation: Organisation
    initiative: Initiative
    public_person: Person
    fund_ref: str
    users: dict = field(default_factory=dict)

    def client(self, actor: str) -> Client:
        client = Client()
        if self.users.get(actor) is not None:
            client.force_login(self.users[actor])
        return client

    def person(self, actor: str) -> Person:
        return Person.objects.get(user=self.users[actor])


@pytest.fixture
def world(db) -> World:
    organisation = OrganisationFactory(name="Stichting De Brug")
    other_organisation = OrganisationFactory(name="Vereniging Elders")
    users = {
        "anonymous": None,
        "member": member_user(organisation, name="Mila Lid"),
        "admin": member_user(organisation, role=Membership.Role.ADMIN, name="Anton Beheer"),
        "other_admin": member_user(
            other_organisation, role=Membership.Role.ADMIN, name="Olga Elders"
        ),
        "staff": UserFactory(is_staff=True, name="Sam Staf"),
    }
    initiative = InitiativeFactory(organisation=organisation, title="Samen koken in Overvecht")
    public_person = PersonFactory(name="Fatima Openbaar")
    fund = FundFactory(name="Buurtfonds Utrecht")
    return World(
        organisation=organisation,
        other_organisation=other_organisation,
        initiative=initiative,
        public_person=public_person,
        fund_ref=fund.ref,
        users=users,
    )


def assert_login_redirect(response) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(reverse("account_login"))


def assert_outcome(response, expected) -> None:
    if expected == LOGIN:
        assert_login_redirect(response)
    else:
        assert response.status_code == expected, (response.status_code, expected)


def error_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level == messages.ERROR]


def dutch(message: str) -> str:
    with translation.override("nl"):
        return gettext(message)


def is_member(organisation: Organisation, person: Person) -> bool:
    return Membership.objects.filter(organisation=organisation, person=person).exists()


# Reading: everyone reads public things ---------------------------------------------------


READ_PAGES = [
    ("/initiatives/", "initiative"),
    ("/initiatives/{initiative}/", "initiative"),
    ("/organisations/", "organisation"),
    ("/organisations/{organisation}/", "organisation"),
    ("/people/", "person"),
    ("/people/{person}/", "person"),
    ("/funds/", "fund"),
    ("/funds/{fund}/", "fund"),
]
SHOWN_NAME = {
    "initiative": "Samen koken in Overvecht",
    "organisation": "Stichting De Brug",
    "person": "Fatima Openbaar",
    "fund": "Buurtfonds Utrecht",
}


def _url(world: World, template: str) -> str:
    return template.format(
        initiative=world.initiative.ref,
        organisation=world.organisation.ref,
        person=world.public_person.ref,
        fund=world.fund_ref,
    )


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("page", "thing"), READ_PAGES)
def test_everyone_reads_the_public_pages(world, actor, page, thing):
    response = world.client(actor).get(_url(world, page))
    assert response.status_code == 200
    assert SHOWN_NAME[thing] in response.content.decode()


READ_API = [
    ("/api/v1/organisations", "organisation"),
    ("/api/v1/organisations/{organisation}", "organisation"),
    ("/api/v1/initiatives", "initiative"),
    ("/api/v1/initiatives/{initiative}", "initiative"),
    ("/api/v1/people", "person"),
]
API_REF = {
    "organisation": lambda world: world.organisation.ref,
    "initiative": lambda world: world.initiative.ref,
    "person": lambda world: world.public_person.ref,
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("endpoint", "thing"), READ_API)
def test_everyone_reads_the_public_api(world, actor, endpoint, thing):
    response = world.client(actor).get(_url(world, endpoint))
    assert response.status_code == 200
    body = response.json()
    refs = [item["ref"] for item in body["items"]] if "items" in body else [body["ref"]]
    assert API_REF[thing](world) in refs


# Registering an organisation: anyone signed in ------------------------------------------


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", LOGIN), ("member", 200), ("admin", 200), ("other_admin", 200), ("staff", 200)],
)
def test_register_organisation_page(world, actor, expected):
    assert_outcome(world.client(actor).get("/organisations/new/"), expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", LOGIN), ("member", 302), ("admin", 302), ("other_admin", 302), ("staff", 302)],
)
def test_register_organisation_post(world, actor, expected):
    response = world.client(actor).post(
        "/organisations/new/", {"name": "Buurtkracht Kanaleneiland", "kind": "welfare"}
    )
    assert_outcome(response, expected)
    registered = Organisation.objects.filter(name="Buurtkracht Kanaleneiland").first()
    if expected == LOGIN:
        assert registered is None
        return
    assert registered is not None
    assert response["Location"] == reverse("network:organisation_detail", args=[registered.ref])
    membership = Membership.objects.get(organisation=registered)
    assert membership.person.user == world.users[actor]
    assert membership.role == Membership.Role.ADMIN


# Editing an organisation: its admins and staff -------------------------------------------

ADMINS_AND_STAFF = [
    ("anonymous", LOGIN),
    ("member", 403),
    ("admin", 200),
    ("other_admin", 403),
    ("staff", 200),
]


@pytest.mark.parametrize(("actor", "expected"), ADMINS_AND_STAFF)
def test_edit_organisation_page(world, actor, expected):
    response = world.client(actor).get(f"/organisations/{world.organisation.ref}/edit/")
    assert_outcome(response, expected)


@pytest.mark.parametrize(("actor", "expected"), ADMINS_AND_STAFF)
def test_edit_organisation_post(world, actor, expected):
    response = world.client(actor).post(
        f"/organisations/{world.organisation.ref}/edit/",
        {"name": "De Brug (nieuwe naam)", "kind": "welfare"},
    )
    world.organisation.refresh_from_db()
    if expected == 200:
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "network:organisation_detail", args=[world.organisation.ref]
        )
        assert world.organisation.name == "De Brug (nieuwe naam)"
    else:
        assert_outcome(response, expected)
        assert world.organisation.name == "Stichting De Brug"


def test_the_edit_button_shows_only_to_those_who_may_edit(world):
    edit_url = reverse("network:organisation_edit", args=[world.organisation.ref])
    for actor, expected in ADMINS_AND_STAFF:
        page = world.client(actor).get(f"/organisations/{world.organisation.ref}/")
        assert (edit_url in page.content.decode()) is (expected == 200), actor


# Members and invitations: admins and staff ----------------------------------------------


@pytest.mark.parametrize(("actor", "expected"), ADMINS_AND_STAFF)
def test_members_page(world, actor, expected):
    response = world.client(actor).get(f"/organisations/{world.organisation.ref}/members/")
    assert_outcome(response, expected)
    if expected == 200:
        assert "Mila Lid" in response.content.decode()


@pytest.mark.parametrize(("actor", "expected"), ADMINS_AND_STAFF)
def test_invite_a_member(world, actor, expected, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client(actor).post(
            f"/organisations/{world.organisation.ref}/members/",
            {"email": "nieuw@voorbeeld.nl", "role": "member"},
        )
    invited = Invitation.objects.filter(organisation=world.organisation, email="nieuw@voorbeeld.nl")
    if expected == 200:
        assert response.status_code == 302
        assert invited.count() == 1
        assert [mail.to for mail in mailoutbox] == [["nieuw@voorbeeld.nl"]]
    else:
        assert_outcome(response, expected)
        assert not invited.exists()
        assert mailoutbox == []


@pytest.mark.parametrize(("actor", "expected"), ADMINS_AND_STAFF)
def test_remove_a_member(world, actor, expected):
    colleague = Person.objects.get(user=member_user(world.organisation, name="Kees Collega"))
    response = world.client(actor).post(
        f"/organisations/{world.organisation.ref}/members/{colleague.ref}/remove/"
    )
    if expected == 200:
        assert response.status_code == 302
        assert not is_member(world.organisation, colleague)
    else:
        assert_outcome(response, expected)
        assert is_member(world.organisation, colleague)


@pytest.mark.parametrize("actor", ["admin", "staff"])
def test_the_last_admin_cannot_be_removed(world, actor):
    admin = world.person("admin")
    response = world.client(actor).post(
        f"/organisations/{world.organisation.ref}/members/{admin.ref}/remove/", follow=True
    )
    assert response.status_code == 200
    assert error_messages(response) == [dutch(LAST_ADMIN_MESSAGE)]
    assert dutch(LAST_ADMIN_MESSAGE) in response.content.decode()
    membership = Membership.objects.get(organisation=world.organisation, person=admin)
    assert membership.role == Membership.Role.ADMIN


def test_an_admin_can_be_removed_when_another_admin_remains(world):
    second = Person.objects.get(
        user=member_user(world.organisation, role=Membership.Role.ADMIN, name="Bea Tweede")
    )
    response = world.client("admin").post(
        f"/organisations/{world.organisation.ref}/members/{second.ref}/remove/"
    )
    assert response.status_code == 302
    assert not is_member(world.organisation, second)


# Leaving an organisation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "outcome"),
    [
        ("anonymous", LOGIN),
        ("member", "left"),
        ("admin", LAST_ADMIN_MESSAGE),  # the only admin
        ("other_admin", NOT_A_MEMBER_MESSAGE),
        ("staff", NOT_A_MEMBER_MESSAGE),
    ],
)
def test_leave_an_organisation(world, actor, outcome):
    memberships_before = set(
        Membership.objects.filter(organisation=world.organisation).values_list("pk", flat=True)
    )
    response = world.client(actor).post(
        f"/organisations/{world.organisation.ref}/leave/", follow=outcome != LOGIN
    )
    memberships_after = set(
        Membership.objects.filter(organisation=world.organisation).values_list("pk", flat=True)
    )
    if outcome == LOGIN:
        assert_login_redirect(response)
        assert memberships_after == memberships_before
    elif outcome == "left":
        assert response.status_code == 200
        assert error_messages(response) == []
        assert not is_member(world.organisation, world.person("member"))
        assert len(memberships_after) == len(memberships_before) - 1
    else:
        assert response.status_code == 200
        assert error_messages(response) == [dutch(outcome)]
        assert memberships_after == memberships_before


def test_an_admin_can_leave_when_another_admin_remains(world):
    member_user(world.organisation, role=Membership.Role.ADMIN, name="Bea Tweede")
    response = world.client("admin").post(f"/organisations/{world.organisation.ref}/leave/")
    assert response.status_code == 302
    assert not is_member(world.organisation, world.person("admin"))


# Initiatives: members of the lead organisation and staff --------------------------------

MEMBERS_AND_STAFF = [
    ("anonymous", LOGIN),
    ("member", 200),
    ("admin", 200),
    ("other_admin", 403),
    ("staff", 200),
]


@pytest.mark.parametrize(("actor", "expected"), MEMBERS_AND_STAFF)
def test_add_initiative_page(world, actor, expected):
    response = world.client(actor).get(f"/organisations/{world.organisation.ref}/initiatives/new/")
    assert_outcome(response, expected)


@pytest.mark.parametrize(("actor", "expected"), MEMBERS_AND_STAFF)
def test_add_initiative_post(world, actor, expected):
    response = world.client(actor).post(
        f"/organisations/{world.organisation.ref}/initiatives/new/",
        {"title": "Taalcafé Zuilen", "status": "running", "themes": ["language"]},
    )
    added = Initiative.objects.filter(title="Taalcafé Zuilen").first()
    if expected == 200:
        assert response.status_code == 302
        assert added is not None
        assert added.organisation == world.organisation
        assert response["Location"] == reverse("network:initiative_detail", args=[added.ref])
        assert list(added.themes.all()) == [Theme.objects.get(pk="language")]
    else:
        assert_outcome(response, expected)
        assert added is None


@pytest.mark.parametrize(("actor", "expected"), MEMBERS_AND_STAFF)
def test_edit_initiative_page(world, actor, expected):
    response = world.client(actor).get(f"/initiatives/{world.initiative.ref}/edit/")
    assert_outcome(response, expected)


@pytest.mark.parametrize(("actor", "expected"), MEMBERS_AND_STAFF)
def test_edit_initiative_post(world, actor, expected):
    response = world.client(actor).post(
        f"/initiatives/{world.initiative.ref}/edit/",
        {"title": "Samen koken in Zuilen", "status": "finished"},
    )
    world.initiative.refresh_from_db()
    if expected == 200:
        assert response.status_code == 302
        assert world.initiative.title == "Samen koken in Zuilen"
        assert world.initiative.status == Initiative.Status.FINISHED
    else:
        assert_outcome(response, expected)
        assert world.initiative.title == "Samen koken in Overvecht"
        assert world.initiative.status == Initiative.Status.RUNNING


def test_an_initiative_without_lead_organisation_is_edited_by_its_leader(world):
    leader = world.person("other_admin")
    initiative = InitiativeFactory(organisation=None, leader=leader, title="Losse buurtsoep")
    url = f"/initiatives/{initiative.ref}/edit/"
    assert world.client("other_admin").get(url).status_code == 200
    assert world.client("staff").get(url).status_code == 200
    assert world.client("member").get(url).status_code == 403
    assert world.client("admin").get(url).status_code == 403


# The API: registering an organisation -----------------------------------------------------

NEW_ORGANISATION = {"name": "Brug naar Werk", "kind": "welfare", "themes": ["work"]}


def test_api_register_organisation_anonymously_is_401(world):
    response = Client().post(
        "/api/v1/organisations", json.dumps(NEW_ORGANISATION), content_type="application/json"
    )
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert not Organisation.objects.filter(name="Brug naar Werk").exists()


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_api_register_organisation_with_a_token_makes_the_caller_admin(world, actor):
    _token, secret = api_token_create(user=world.users[actor], name="script")
    response = Client().post(
        "/api/v1/organisations",
        json.dumps(NEW_ORGANISATION),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(ref=response.json()["ref"])
    membership = Membership.objects.get(organisation=organisation)
    assert membership.person.user == world.users[actor]
    assert membership.role == Membership.Role.ADMIN


def test_api_register_organisation_with_the_session_needs_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["member"])
    response = client.post(
        "/api/v1/organisations", json.dumps(NEW_ORGANISATION), content_type="application/json"
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert not Organisation.objects.filter(name="Brug naar Werk").exists()


def test_api_register_organisation_with_the_session_and_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["member"])
    client.get("/organisations/new/")  # the form sets the CSRF cookie
    response = client.post(
        "/api/v1/organisations",
        json.dumps(NEW_ORGANISATION),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(ref=response.json()["ref"])
    assert Membership.objects.get(organisation=organisation).person == world.person("member")


# Person visibility -------------------------------------------------------------------------

VISIBILITY_ACTORS = [*ACTORS, "self"]
SEES = {
    Person.Visibility.PUBLIC: set(VISIBILITY_ACTORS),
    Person.Visibility.MEMBERS: set(VISIBILITY_ACTORS) - {"anonymous"},
    Person.Visibility.HIDDEN: {"staff", "self"},
}
VISIBILITY_MATRIX = [
    (visibility, actor, actor in SEES[visibility])
    for visibility in Person.Visibility.values
    for actor in VISIBILITY_ACTORS
]
TARGET_NAME = "Zaynab Zichtbaarheid"


@pytest.fixture(params=Person.Visibility.values)
def visibility(request) -> str:
    return request.param


def _target(world: World, visibility: str) -> Person:
    """A member of the organisation who leads its initiative, with the given visibility."""
    owner = UserFactory(name="Eigenaar Account")
    person = PersonFactory(user=owner, name=TARGET_NAME, visibility=visibility)
    Membership.objects.create(organisation=world.organisation, person=person)
    world.initiative.leader = person
    world.initiative.save()
    world.users["self"] = owner
    return person


visibility_matrix = pytest.mark.parametrize(("visibility", "actor", "sees"), VISIBILITY_MATRIX)


@visibility_matrix
def test_person_page_visibility(world, visibility, actor, sees):
    person = _target(world, visibility)
    response = world.client(actor).get(f"/people/{person.ref}/")
    assert response.status_code == (200 if sees else 404)
    assert (TARGET_NAME in response.content.decode()) is sees


@visibility_matrix
def test_person_list_page_visibility(world, visibility, actor, sees):
    _target(world, visibility)
    response = world.client(actor).get("/people/")
    assert response.status_code == 200
    assert (TARGET_NAME in response.content.decode()) is sees


@visibility_matrix
def test_person_list_api_visibility(world, visibility, actor, sees):
    person = _target(world, visibility)
    response = world.client(actor).get("/api/v1/people", {"limit": 100})
    assert response.status_code == 200
    refs = [item["ref"] for item in response.json()["items"]]
    assert (person.ref in refs) is sees
    assert world.public_person.ref in refs


@visibility_matrix
def test_person_search_api_visibility(world, visibility, actor, sees):
    from network.search import search_vectors_refresh

    person = _target(world, visibility)
    search_vectors_refresh(Person, [person.pk])
    response = world.client(actor).get("/api/v1/people", {"q": "Zaynab"})
    assert response.status_code == 200
    assert [item["ref"] for item in response.json()["items"]] == ([person.ref] if sees else [])


@visibility_matrix
def test_organisation_member_list_visibility(world, visibility, actor, sees):
    _target(world, visibility)
    response = world.client(actor).get(f"/organisations/{world.organisation.ref}/")
    assert response.status_code == 200
    assert (TARGET_NAME in response.content.decode()) is sees


@visibility_matrix
def test_initiative_leader_visibility_on_the_page(world, visibility, actor, sees):
    _target(world, visibility)
    response = world.client(actor).get(f"/initiatives/{world.initiative.ref}/")
    assert response.status_code == 200
    assert (TARGET_NAME in response.content.decode()) is sees


@visibility_matrix
def test_initiative_leader_visibility_in_the_api(world, visibility, actor, sees):
    person = _target(world, visibility)
    response = world.client(actor).get(f"/api/v1/initiatives/{world.initiative.ref}")
    assert response.status_code == 200
    assert response.json()["leader"] == (person.ref if sees else None)


@pytest.mark.parametrize(("holder", "sees"), [("self", True), ("member", False), ("staff", True)])
def test_a_token_sees_what_its_user_may_see(world, holder, sees):
    person = _target(world, Person.Visibility.HIDDEN)
    _token, secret = api_token_create(user=world.users[holder], name="script")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    people = Client().get("/api/v1/people", {"limit": 100}, **auth)
    assert people.status_code == 200
    assert (person.ref in [item["ref"] for item in people.json()["items"]]) is sees
    detail = Client().get(f"/api/v1/initiatives/{world.initiative.ref}", **auth)
    assert detail.json()["leader"] == (person.ref if sees else None)


# Matching's "someone missing?" names only people the asker may see --------------------------

NEED_MANAGERS = {"member", "admin", "staff", "self"}  # "self" is a member of the organisation


@pytest.fixture
def fresh_matching_index():
    from matching.index import index_reset

    index_reset()
    yield
    index_reset()


@pytest.mark.parametrize(
    ("visibility", "actor", "sees"),
    [row for row in VISIBILITY_MATRIX if row[1] in NEED_MANAGERS],
)
def test_someone_missing_names_only_visible_people(
    world, visibility, actor, sees, fresh_matching_index
):
    from network.search import search_vectors_refresh
    from tests.matching.factories import NeedFactory

    person = _target(world, visibility)
    search_vectors_refresh(Person, [person.pk])
    need = NeedFactory(organisation=world.organisation)
    client = world.client(actor)
    asked = client.get(f"/needs/{need.ref}/", {"candidate": TARGET_NAME})
    unknown = client.get(f"/needs/{need.ref}/", {"candidate": "Niemand Heetzo"})
    assert asked.status_code == unknown.status_code == 200

    def answer_to(response) -> str:
        why = response.context.get("why")
        return why["text"] if why else " ".join(response.context["why_form"].errors["candidate"])

    answer, unknown_answer = answer_to(asked), answer_to(unknown)
    assert (TARGET_NAME in answer) is sees
    # The name the asker typed comes back in the name box; nowhere else unless visible.
    page = asked.content.decode().replace(f'value="{TARGET_NAME}"', "")
    assert (TARGET_NAME in page) is sees
    # What the asker may not see gets, word for word, the answer for a ref nobody has.
    assert (answer == unknown_answer) is not sees


# Forms list only people the editor may see ---------------------------------------------------

INITIATIVE_EDITORS = {"member", "admin", "staff", "self"}
EDITOR_MATRIX = [row for row in VISIBILITY_MATRIX if row[1] in INITIATIVE_EDITORS]


@pytest.mark.parametrize(("visibility", "actor", "sees"), EDITOR_MATRIX)
def test_the_leader_choice_lists_only_visible_members(world, visibility, actor, sees):
    _target(world, visibility)
    add = world.client(actor).get(f"/organisations/{world.organisation.ref}/initiatives/new/")
    edit = world.client(actor).get(f"/initiatives/{world.initiative.ref}/edit/")
    assert add.status_code == edit.status_code == 200
    assert (TARGET_NAME in add.content.decode()) is sees
    assert (TARGET_NAME in edit.content.decode()) is sees


@pytest.mark.parametrize(("visibility", "actor", "sees"), EDITOR_MATRIX)
def test_saving_an_initiative_keeps_a_leader_the_editor_cannot_see(world, visibility, actor, sees):
    person = _target(world, visibility)
    response = world.client(actor).post(
        f"/initiatives/{world.initiative.ref}/edit/",
        {"title": "Samen koken in Zuilen", "status": "running"}
        | ({"leader": person.pk} if sees else {}),
    )
    assert response.status_code == 302
    world.initiative.refresh_from_db()
    assert world.initiative.title == "Samen koken in Zuilen"
    assert world.initiative.leader == person


# Removing a member does not tell outsiders which refs exist -----------------------------------


@pytest.mark.parametrize("actor", ["member", "other_admin"])
def test_removing_by_ref_answers_outsiders_alike_for_hidden_and_unknown(world, actor):
    hidden = PersonFactory(name="Verborgen Buiten", visibility=Person.Visibility.HIDDEN)
    base = f"/organisations/{world.organisation.ref}/members"
    for_hidden = world.client(actor).post(f"{base}/{hidden.ref}/remove/")
    for_unknown = world.client(actor).post(f"{base}/p-nobody-has-this-ref/remove/")
    assert for_hidden.status_code == for_unknown.status_code == 403


def test_removing_someone_who_is_not_a_member_is_not_found(world):
    hidden = PersonFactory(name="Verborgen Buiten", visibility=Person.Visibility.HIDDEN)
    base = f"/organisations/{world.organisation.ref}/members"
    for_hidden = world.client("admin").post(f"{base}/{hidden.ref}/remove/")
    for_unknown = world.client("admin").post(f"{base}/p-nobody-has-this-ref/remove/")
    assert for_hidden.status_code == for_unknown.status_code == 404


# The one visibility rule, two paths ------------------------------------------------------
# `person_visibility_q` filters lists in SQL; `can_view_person` answers for one loaded
# profile without a query. Every actor and every visibility goes through both, so the two
# cannot drift apart.


@pytest.mark.parametrize("visibility", [v for v, _ in Person.Visibility.choices])
@pytest.mark.parametrize("actor", ["anonymous", "stranger", "owner", "staff"])
def test_the_visibility_rule_answers_the_same_in_sql_and_in_python(actor, visibility):
    from django.contrib.auth.models import AnonymousUser

    from network.permissions import can_view_person, person_visibility_q

    owner = UserFactory()
    person = PersonFactory(user=owner, visibility=visibility)
    PersonFactory(visibility=visibility)  # someone else's profile alongside
    user = {
        "anonymous": AnonymousUser(),
        "stranger": UserFactory(),
        "owner": owner,
        "staff": UserFactory(is_staff=True),
    }[actor]
    in_sql = Person.objects.filter(person_visibility_q(user), pk=person.pk).exists()
    assert can_view_person(user, person) == in_sql
    # And what each answer means for a user: only the owner and staff see a private profile.
    expected = visibility == Person.Visibility.PUBLIC or actor in ("owner", "staff")
    expected = expected or (visibility == Person.Visibility.MEMBERS and actor != "anonymous")
    assert in_sql == expected
