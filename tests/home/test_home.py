"""Mijn Bruggen: what waits for me, my organisations and needs, suggestions, staff links;
a fixed number of queries whatever the amount of data."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching.models import Need, Proposal
from messaging import services as messaging_services
from network.models import Invitation, Membership
from tests.conftest import sign_in
from tests.factories import (
    InitiativeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.matching.factories import NeedFactory

pytestmark = pytest.mark.django_db


def _me(**person_kwargs):
    user = UserFactory(name="Hodan Warsame")
    person_kwargs.setdefault("roles", ["volunteer"])
    person_kwargs.setdefault("themes", ["food"])
    person = PersonFactory(user=user, name="Hodan Warsame", **person_kwargs)
    client = Client()
    client.force_login(user)
    return user, person, client


def _world(person, user, n: int) -> None:
    """n of everything the home shows."""
    own = OrganisationFactory(name="Buurtkeuken Overvecht")
    Membership.objects.create(organisation=own, person=person, role=Membership.Role.ADMIN)
    for i in range(n):
        need = NeedFactory(organisation=own, kind=Need.Kind.VOLUNTEER, title=f"Eigen vraag {i}")
        for _j in range(2):
            Proposal.objects.create(need=need, person=PersonFactory(), status="proposed")
        asking = OrganisationFactory()
        asked = NeedFactory(organisation=asking, kind=Need.Kind.VOLUNTEER, title=f"Hulp {i}")
        Proposal.objects.create(
            need=asked,
            person=person,
            status=Proposal.Status.ASKED,
            asked_at=timezone.now(),
            respond_by=timezone.now() + timedelta(days=7),
        )
        NeedFactory(
            organisation=asking, kind=Need.Kind.VOLUNTEER, title=f"Past {i}", themes=["food"]
        )
        other = PersonFactory(user=UserFactory())
        conversation = messaging_services.conversation_start(
            creator=other, participants=[person], title=f"Gesprek {i}"
        )
        messaging_services.message_send(
            conversation_id=conversation.pk, author=other, body="Hallo!", client_id=f"c{i}"
        )
        Invitation.objects.create(
            organisation=OrganisationFactory(name=f"Uitnodiger {i}"),
            email=user.email,
            token_hash=uuid.uuid4().hex * 2,
            expires_at=timezone.now() + timedelta(days=14),
        )
        InitiativeFactory(title=f"Kookproject {i}", themes=["food"])


def test_anonymous_visitors_keep_the_public_page(client):
    page = client.get("/").content.decode()
    assert "Bruggen tussen projecten" in page
    assert "Mijn Bruggen" not in page


def test_sign_in_lands_on_my_bruggen(client, user, password):
    response = sign_in(client, user.email, password)
    assert response.url == "/"
    assert "Mijn Bruggen" in client.get("/").content.decode()


def test_the_home_shows_what_waits_for_me(django_capture_on_commit_callbacks):
    user, person, client = _me()
    _world(person, user, 1)
    # Names and titles are isolated in <bdi> (docs/languages.md); read the words.
    page = client.get("/").content.decode().replace("<bdi>", "").replace("</bdi>", "")
    assert "Hallo Hodan Warsame" in page
    assert "Hulp 0" in page and "Geef antwoord vóór" in page  # a request, with its deadline
    assert "Ja, stel ons voor" in page
    assert "2 nieuwe voorstellen voor je hulpvraag" in page  # proposals for my need
    assert "Gesprek 0" in page and "1 nieuw bericht" in page
    assert "Uitnodiging van Uitnodiger 0" in page
    assert "Buurtkeuken Overvecht" in page and "Eigen vraag 0" in page
    assert "Past 0" in page  # a need that fits: volunteer, on my theme
    assert "Kookproject 0" in page  # a project like mine
    assert "Koken &amp; eten" in page  # the topic channel for my theme
    assert "Gemelde berichten" not in page and "inlezen" not in page  # not staff


def test_answering_a_request_from_the_home_comes_back_home():
    user, person, client = _me()
    _world(person, user, 1)
    proposal = Proposal.objects.get(person=person, status=Proposal.Status.ASKED)
    response = client.post(f"/proposals/{proposal.pk}/no/", {"next": "/"})
    assert response.url == "/"
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED
    assert "Hulp 0" not in client.get("/").content.decode()


def test_fitting_needs_follow_roles_themes_and_leave_out_my_own_and_answered_ones():
    _user, person, client = _me(roles=["volunteer"], themes=["food"])
    asking = OrganisationFactory()
    NeedFactory(organisation=asking, kind="volunteer", title="Kok gezocht", themes=["food"])
    NeedFactory(organisation=asking, kind="mentor", title="Mentor gezocht", themes=["food"])
    NeedFactory(organisation=asking, kind="volunteer", title="Sporttrainer", themes=["sport"])
    closed = NeedFactory(organisation=asking, kind="volunteer", title="Dicht", themes=["food"])
    closed.status = Need.Status.CLOSED
    closed.save()
    declined = NeedFactory(organisation=asking, kind="volunteer", title="Nee", themes=["food"])
    Proposal.objects.create(need=declined, person=person, status=Proposal.Status.DECLINED)
    own = OrganisationFactory()
    Membership.objects.create(organisation=own, person=person)
    NeedFactory(organisation=own, kind="volunteer", title="Eigen kok", themes=["food"])
    proposed = NeedFactory(organisation=asking, kind="volunteer", title="Voorgesteld")
    proposed.themes.set(["food"])
    Proposal.objects.create(need=proposed, person=person, status=Proposal.Status.PROPOSED)

    section = client.get("/").content.decode().split('data-testid="fitting-needs"')[1]
    section = section.split("</section>")[0]
    assert "Kok gezocht" in section and "Voorgesteld" in section
    assert section.index("Voorgesteld") < section.index("Kok gezocht")  # proposed first
    assert "Bruggen heeft jou voorgesteld" in section
    for title in ["Mentor gezocht", "Sporttrainer", "Dicht", "Nee", "Eigen kok"]:
        assert title not in section


def test_empty_states_say_what_to_do_next():
    _user, _person, client = _me(roles=[], themes=[])
    page = client.get("/").content.decode()
    assert "Er wacht nu niets op je" in page
    assert "Je hoort nog niet bij een organisatie op Bruggen" in page
    assert "Wil je helpen als vrijwilliger, sleutelfiguur of mentor?" in page
    assert "Kies in je profiel de onderwerpen" in page


def test_a_new_account_without_a_profile_gets_a_home_too(user_client):
    page = user_client.get("/").content.decode()
    assert "Mijn Bruggen" in page
    assert "Maak je start af" in page


def test_staff_see_moderation_rounds_and_import_with_counts(staff_user):
    client = Client()
    client.force_login(staff_user)
    page = client.get("/").content.decode()
    assert "0 gemelde berichten om te bekijken" in page
    assert "0 koppelrondes nog niet gepubliceerd" in page
    assert "Organisaties, mensen en projecten inlezen" in page
    assert "/admin/network/import/" in page


def test_account_settings_stay_reachable_but_are_not_where_anyone_lands(user_client):
    page = user_client.get("/").content.decode()
    assert "/accounts/profile/" in page
    assert "API" not in page.split("<main")[1].split("</main>")[0]


def _queries_for_home(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_home_runs_a_fixed_number_of_queries(django_assert_num_queries):
    user, person, client = _me()
    _world(person, user, 2)
    client.get("/")  # warm the per-process vocabularies
    with_two = _queries_for_home(client)
    print("queries for the home:", with_two)
    _world(person, user, 6)
    assert Proposal.objects.filter(person=person, status="asked").count() == 8
    with django_assert_num_queries(with_two):
        client.get("/")


def test_the_home_shows_nobody_else_s_requests_needs_or_invitations():
    other_user, other, _other_client = _me()
    _world(other, other_user, 1)
    _user, _person, client = _me()
    page = client.get("/").content.decode()
    for text in ["Hulp 0", "Eigen vraag 0", "Gesprek 0", "Uitnodiger 0", "Buurtkeuken Overvecht"]:
        assert text not in page
