"""The pages: who may make, see and withdraw invitations, who sees the counts, and what
someone without an account sees behind the link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from network.models import Membership, Theme
from outreach import services
from outreach.models import Invitation, InvitationResponse
from tests.factories import InitiativeFactory, OrganisationFactory, UserFactory, member_user
from tests.outreach.factories import invitation_make, key_figure_user, person_of

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _respond_path(invitation: Invitation) -> str:
    link = services.invitation_link(invitation)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_only_key_figures_open_the_invitation_form():
    assert _client().get("/reach/new/").status_code == 302
    assert _client(UserFactory()).get("/reach/new/").status_code == 403
    assert _client(UserFactory(is_staff=True)).get("/reach/new/").status_code == 403
    assert _client(key_figure_user()).get("/reach/new/").status_code == 200


def test_a_key_figure_makes_an_invitation_through_the_form():
    user = key_figure_user()
    initiative = InitiativeFactory(title="Netwerk Inzicht")
    day = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = _client(user).post(
        "/reach/new/",
        {
            "initiative": initiative.ref,
            "title": "Koffieochtend",
            "date": day,
            "time": "10:00",
            "place": "De Bron",
            "language": "ar",
            "note": "",
        },
    )
    invitation = Invitation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reach/{invitation.pk}/"
    assert invitation.key_figure == person_of(user)
    assert timezone.localtime(invitation.starts_at).strftime("%Y-%m-%d %H:%M") == f"{day} 10:00"
    page = _client(user).get(response["Location"]).content.decode()
    assert services.invitation_link(invitation) in page
    assert f"/reach/{invitation.pk}/flyer-nl.pdf" in page
    assert f"/reach/{invitation.pk}/flyer-ar.pdf" in page


def test_a_date_in_the_past_is_shown_on_the_form_and_nothing_is_lost():
    user = key_figure_user()
    initiative = InitiativeFactory()
    response = _client(user).post(
        "/reach/new/",
        {
            "initiative": initiative.ref,
            "title": "Koffieochtend voor ouders",
            "date": "2020-01-01",
            "time": "10:00",
            "place": "De Bron",
            "language": "nl",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["date"]
    assert "Koffieochtend voor ouders" in response.content.decode()
    assert not Invitation.objects.exists()


def test_someone_else_sees_nothing_of_a_key_figures_invitation():
    invitation = invitation_make(title="Koffieochtend")
    services.response_record(
        invitation=invitation, client_key="1", first_name="Amina", contact="06 1", consent=True
    )
    others = [key_figure_user(), UserFactory(), UserFactory(is_staff=True)]
    for other in others:
        client = _client(other)
        assert client.get(f"/reach/{invitation.pk}/").status_code == 404
        assert client.get(f"/reach/{invitation.pk}/flyer-nl.pdf").status_code == 404
        assert client.post(f"/reach/{invitation.pk}/withdraw/").status_code == 404
    assert "Koffieochtend" not in _client(others[0]).get("/reach/").content.decode()
    owner = _client(invitation.key_figure.user)
    page = owner.get(f"/reach/{invitation.pk}/").content.decode()
    assert "Amina" in page
    assert "Koffieochtend" in owner.get("/reach/").content.decode()
    assert Invitation.objects.get(pk=invitation.pk).withdrawn_at is None


def test_the_key_figure_downloads_the_flyer_in_dutch_and_in_the_chosen_language_only():
    invitation = invitation_make(language="tr")
    client = _client(invitation.key_figure.user)
    for language in ("nl", "tr"):
        response = client.get(f"/reach/{invitation.pk}/flyer-{language}.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
    assert client.get(f"/reach/{invitation.pk}/flyer-ar.pdf").status_code == 404


def test_anyone_with_the_link_responds_without_an_account_and_counts_once():
    invitation = invitation_make()
    path = _respond_path(invitation)
    visitor = Client()
    assert visitor.get(path).status_code == 200
    assert visitor.post(path, {}).status_code == 302
    assert visitor.post(path, {}).status_code == 200  # the same browser again: thanked, not counted
    assert InvitationResponse.objects.count() == 1
    second = Client()
    second.post(path, {"first_name": "Yusuf", "contact": "yusuf@voorbeeld.nl", "consent": "on"})
    kept = InvitationResponse.objects.order_by("created_at").last()
    assert (kept.first_name, kept.contact) == ("Yusuf", "yusuf@voorbeeld.nl")


def test_a_name_without_consent_is_sent_back_with_the_name_kept():
    invitation = invitation_make()
    response = Client().post(_respond_path(invitation), {"first_name": "Yusuf"})
    assert response.status_code == 400
    assert response.context["form"].errors["consent"]
    assert 'value="Yusuf"' in response.content.decode()
    assert not InvitationResponse.objects.exists()


@override_settings(OUTREACH_RESPONSE_RATE_LIMIT=(1, 600))
def test_too_many_responses_from_one_connection_get_a_clear_429():
    invitation = invitation_make()
    path = _respond_path(invitation)
    assert Client().post(path, {}).status_code == 302
    response = Client().post(path, {})
    assert response.status_code == 429
    assert InvitationResponse.objects.count() == 1


@pytest.mark.parametrize("state", ["withdrawn", "expired"])
def test_a_closed_link_says_so_with_410_and_its_flyer_still_downloads(state):
    invitation = invitation_make(title="Koffieochtend")
    if state == "withdrawn":
        _client(invitation.key_figure.user).post(f"/reach/{invitation.pk}/withdraw/")
        message = "This invitation has been withdrawn"
    else:
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
        message = "This invitation has expired"
    with translation.override("nl"):
        expected = _(message)
    path = _respond_path(invitation)
    page = Client().get(path)
    assert page.status_code == 410
    assert expected in page.content.decode()
    assert Client().post(path, {}).status_code == 410
    assert not InvitationResponse.objects.exists()
    # The flyer arrives (a browser cancels a download with an error status) and says so.
    flyer = _client(invitation.key_figure.user).get(f"/reach/{invitation.pk}/flyer-nl.pdf")
    assert flyer.status_code == 200
    assert flyer.content.startswith(b"%PDF-")


def test_an_unknown_link_is_a_clear_404():
    assert Client().get("/come/niet-bestaand/").status_code == 404
    assert Client().get("/come/" + "x" * 500 + "/").status_code == 404


def test_only_the_initiatives_people_see_the_counts():
    organisation = OrganisationFactory()
    initiative = InitiativeFactory(organisation=organisation)
    member = member_user(organisation)
    admin = member_user(organisation, role=Membership.Role.ADMIN)
    invitation = invitation_make(initiative=initiative)
    path = f"/initiatives/{initiative.ref}/reach/"
    assert _client().get(path).status_code == 302
    assert _client(UserFactory()).get(path).status_code == 403
    assert _client(invitation.key_figure.user).get(path).status_code == 403
    for user in (member, admin, UserFactory(is_staff=True)):
        assert _client(user).get(path).status_code == 200


def test_the_initiative_sees_how_many_came_through_which_key_figure_and_per_theme():
    theme = Theme.objects.get(slug="parents")
    organisation = OrganisationFactory()
    initiative = InitiativeFactory(organisation=organisation, themes=[theme])
    member = member_user(organisation)
    hodan, samira = key_figure_user(name="Hodan Warsame"), key_figure_user(name="Samira Azzouzi")
    for user, count in ((hodan, 3), (samira, 1)):
        invitation = invitation_make(user, initiative=initiative)
        for number in range(count):
            services.response_record(invitation=invitation, client_key=f"{user.pk}-{number}")
    elsewhere = invitation_make(samira, initiative=InitiativeFactory(themes=[theme]))
    for number in range(4):
        services.response_record(invitation=elsewhere, client_key=f"e-{number}")
    response = _client(member).get(f"/initiatives/{initiative.ref}/reach/")
    rows = response.context["rows"]
    assert [(row.person.name, row.responses) for row in rows] == [
        ("Hodan Warsame", 3),
        ("Samira Azzouzi", 1),
    ]
    assert response.context["total"] == 4
    [section] = response.context["by_theme"]
    assert section.theme == theme
    assert [(row.person.name, row.responses) for row in section.key_figures] == [
        ("Samira Azzouzi", 5),
        ("Hodan Warsame", 3),
    ]


def test_the_initiative_page_links_to_reach_for_its_people_and_to_inviting_for_key_figures():
    organisation = OrganisationFactory()
    initiative = InitiativeFactory(organisation=organisation)
    path = f"/initiatives/{initiative.ref}/"
    assert f"{path}reach/" in _client(member_user(organisation)).get(path).content.decode()
    page = _client(key_figure_user()).get(path).content.decode()
    assert f"/reach/new/?initiative={initiative.ref}" in page
    assert "/reach/" not in _client(UserFactory()).get(path).content.decode()


def test_the_reach_page_runs_a_fixed_number_of_queries():
    organisation = OrganisationFactory()
    theme = Theme.objects.get(slug="parents")
    initiative = InitiativeFactory(organisation=organisation, themes=[theme])
    client = _client(member_user(organisation))
    counts = []
    for _round in range(2):
        for number in range(3):
            invitation = invitation_make(initiative=initiative)
            services.response_record(invitation=invitation, client_key=f"{_round}-{number}")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/initiatives/{initiative.ref}/reach/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_my_invitations_runs_a_fixed_number_of_queries():
    user = key_figure_user()
    client = _client(user)
    counts = []
    for _round in range(2):
        for _number in range(3):
            invitation_make(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/reach/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


@override_settings(OUTREACH_RESPONSE_RATE_LIMIT=(1, 600))
def test_behind_the_proxy_the_limit_counts_per_visitor_not_for_everyone():
    invitation = invitation_make()
    path = _respond_path(invitation)
    # nginx appends the address it saw; what a client sent before it does not count.
    first = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 10.0.0.1", "REMOTE_ADDR": "172.18.0.5"}
    second = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 10.0.0.2", "REMOTE_ADDR": "172.18.0.5"}
    assert Client().post(path, {}, **first).status_code == 302
    assert Client().post(path, {}, **second).status_code == 302
    assert Client().post(path, {}, **first).status_code == 429


@pytest.mark.parametrize(
    ("date", "time"),
    [("9999-12-31", "23:59"), ("2027-03-28", "02:30"), ("2027-02-31", "10:00"), ("", "25:00")],
)
def test_odd_dates_and_times_are_clear_errors_not_a_crash(date, time):
    response = _client(key_figure_user()).post(
        "/reach/new/",
        {
            "initiative": InitiativeFactory().ref,
            "title": "Koffieochtend",
            "date": date,
            "time": time,
            "place": "De Bron",
            "language": "nl",
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) & {"date", "time"}
    assert not Invitation.objects.exists()
