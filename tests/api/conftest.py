from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.services import api_token_create
from matching.models import Need, Proposal
from messaging import services as messaging_services
from network.models import Membership, Person
from stories.models import Story
from tests.factories import (
    FundFactory,
    InitiativeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    member_user,
)
from tests.matching.factories import NeedFactory


def token_client(user, scopes=("read", "write")) -> Client:
    _token, secret = api_token_create(user=user, name="tests", scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def send(client: Client, method: str, url: str, body=None):
    data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
    return client.generic(method, url, data or "", content_type="application/json")


@pytest.fixture
def world(db):
    """An organisation with a member and an admin, an initiative, an open need with a
    proposal that asks an outsider, a fund and a conversation."""
    organisation = OrganisationFactory(ref="de-brug", name="Stichting De Brug")
    member = member_user(organisation, name="Mila Lid")
    admin = member_user(organisation, role=Membership.Role.ADMIN, name="Anton Beheer")
    outsider = UserFactory(name="Olga Buiten")
    outsider_person = PersonFactory(user=outsider, name="Olga Buiten", ref="p-olga")
    initiative = InitiativeFactory(organisation=organisation, title="Samen koken", ref="koken")
    need = NeedFactory(organisation=organisation, kind=Need.Kind.VOLUNTEER, ref="need-koks")
    proposal = Proposal.objects.create(
        need=need,
        person=outsider_person,
        rank=1,
        score=0.8,
        reasons=[],
        status=Proposal.Status.ASKED,
    )
    fund = FundFactory(ref="buurtfonds", name="Buurtfonds Utrecht")
    initiative.funders.add(fund)
    member_person = Person.objects.get(user=member)
    admin_person = Person.objects.get(user=admin)
    conversation = messaging_services.conversation_start(
        creator=admin_person, participants=[member_person]
    )
    messaging_services.message_send(
        conversation_id=conversation.pk, author=admin_person, body="Hoi!", client_id="w-1"
    )
    # A close-out story asked of the admin about the need (docs/stories.md).
    story = Story.objects.create(
        person=admin_person,
        subject=f"need:{need.pk}",
        trigger=Story.Trigger.NEED_CLOSED,
        need=need,
        organisation=organisation,
        title=need.title,
    )
    return {
        "organisation": organisation,
        "member": member,
        "admin": admin,
        "outsider": outsider,
        "outsider_person": outsider_person,
        "member_person": member_person,
        "initiative": initiative,
        "need": need,
        "proposal": proposal,
        "fund": fund,
        "conversation": conversation,
        "story": story,
    }
