"""Deleting an account erases every kind of personal data, in the plan's order, and the
export holds everything the erasure removes (docs/accounts.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts import services as account_services
from accounts.models import ApiToken, User
from matching.models import Need, Proposal
from messaging import services as messaging_services
from messaging.models import (
    Attachment,
    Conversation,
    Message,
    MessagingSettings,
    Notification,
    Participant,
    Report,
)
from network.models import Block, Initiative, Invitation, Membership, Organisation, Person
from tests.factories import DEFAULT_PASSWORD, InitiativeFactory, OrganisationFactory
from tests.matching.factories import NeedFactory
from tests.messaging.conftest import client_for, person_with_account

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SECRET_TEXT = "Mijn adres is Kanaalstraat 12"
ATTACHMENT_NAME = "paspoort.png"


@dataclass
class World:
    aisha: Person
    bob: Person
    carol: Person
    organisation: Organisation
    initiative: Initiative
    need_posted: Need
    proposal_on_her_need: Proposal
    proposal_about_her: Proposal
    direct: Conversation
    group: Conversation
    her_direct_message: Message
    her_group_message: Message
    bobs_message: Message
    attachment: Attachment
    file_name: str


@pytest.fixture
def world(settings, tmp_path) -> World:
    """A person with every kind of personal data Bruggen holds, and two others."""
    settings.MEDIA_ROOT = str(tmp_path)
    aisha = person_with_account(name="Aïsha N'Diaye")
    bob = person_with_account(name="Bob Özdemir")
    carol = person_with_account(name="Carol de Vries")
    organisation = OrganisationFactory()
    Membership.objects.create(organisation=organisation, person=aisha, role="admin")
    Membership.objects.create(organisation=organisation, person=bob, role="member")
    initiative = InitiativeFactory(organisation=organisation, leader=aisha)
    Invitation.objects.create(
        organisation=OrganisationFactory(),
        email=aisha.user.email,
        token_hash="a" * 64,
        expires_at="2100-01-01T00:00:00Z",
    )
    Block.objects.create(blocker=aisha, blocked=carol)

    # Matching: a need she posted (the asker side) and a proposal about her (candidate).
    need_posted = NeedFactory(organisation=organisation, created_by=aisha)
    proposal_on_her_need = Proposal.objects.create(
        need=need_posted,
        person=carol,
        status=Proposal.Status.MATCHED,
        introduction={"participants": [aisha.ref, carol.ref], "conversation": None},
        feedback=Proposal.Feedback.YES,
        feedback_note="Aïsha: het klikte meteen.",
    )
    proposal_about_her = Proposal.objects.create(
        need=NeedFactory(),
        person=aisha,
        status=Proposal.Status.MATCHED,
        feedback=Proposal.Feedback.PARTLY,
        feedback_note="Ik had weinig tijd.",
    )

    # Messaging: a direct and a group conversation, an attachment, a report, notifications.
    direct = messaging_services.conversation_start(creator=aisha, participants=[bob])
    group = messaging_services.conversation_start(
        creator=bob, participants=[aisha, carol], title="Buurtteam"
    )
    her_direct_message = messaging_services.message_send(
        conversation_id=direct.pk,
        author=aisha,
        body=SECRET_TEXT,
        client_id="d1",
        attachments=[SimpleUploadedFile(ATTACHMENT_NAME, PNG, content_type="image/png")],
    ).message
    her_group_message = messaging_services.message_send(
        conversation_id=group.pk, author=aisha, body=f"{SECRET_TEXT} @{carol.ref}", client_id="g1"
    ).message
    bobs_message = messaging_services.message_send(
        conversation_id=group.pk, author=bob, body=f"Dank je @{aisha.ref}!", client_id="g2"
    ).message
    messaging_services.message_report(message=bobs_message, reporter=aisha, reason="Te snel")
    messaging_services.message_report(message=her_group_message, reporter=carol, reason="Privé")
    messaging_services.messaging_settings_update(
        person=aisha, who_may_message="connected", email_frequency="daily"
    )
    attachment = Attachment.objects.get(message=her_direct_message)
    assert default_storage.exists(attachment.file.name)

    # Account: API token, TOTP with recovery codes.
    account_services.api_token_create(user=aisha.user, name="script")
    TOTP.activate(aisha.user, generate_totp_secret())
    RecoveryCodes.activate(aisha.user)
    assert Notification.objects.filter(person=aisha).exists()
    assert Message.objects.filter(mentions=aisha).exists()
    return World(
        aisha=aisha,
        bob=bob,
        carol=carol,
        organisation=organisation,
        initiative=initiative,
        need_posted=need_posted,
        proposal_on_her_need=proposal_on_her_need,
        proposal_about_her=proposal_about_her,
        direct=direct,
        group=group,
        her_direct_message=her_direct_message,
        her_group_message=her_group_message,
        bobs_message=bobs_message,
        attachment=attachment,
        file_name=attachment.file.name,
    )


def test_the_plan_erases_messaging_and_matching_before_the_profile():
    names = [step.name for step in account_services.personal_data_plan()]
    assert names.index("messaging") < names.index("profile")
    assert names.index("matching") < names.index("profile")


def test_deleting_an_account_erases_every_kind_of_personal_data(
    world, django_capture_on_commit_callbacks
):
    w = world
    user_pk, email = w.aisha.user.pk, w.aisha.user.email
    client = Client()
    client.force_login(w.aisha.user)
    attachment_url = f"/conversations/{w.direct.pk}/attachments/{w.attachment.pk}/"
    assert client_for(w.bob).get(attachment_url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD, "confirm": "on"})
    assert response.status_code == 302

    # The account and what hangs on it.
    assert not User.objects.filter(pk=user_pk).exists()
    assert not EmailAddress.objects.filter(email=email).exists()
    assert not ApiToken.objects.filter(user_id=user_pk).exists()
    assert not Authenticator.objects.filter(user_id=user_pk).exists()
    # The profile, memberships, blocks, invitations; the organisation and initiative stay.
    assert not Person.objects.filter(pk=w.aisha.pk).exists()
    assert not Membership.objects.filter(person_id=w.aisha.pk).exists()
    assert not Block.objects.filter(blocker_id=w.aisha.pk).exists()
    assert not Invitation.objects.filter(email__iexact=email).exists()
    assert Organisation.objects.filter(pk=w.organisation.pk).exists()
    w.initiative.refresh_from_db()
    assert w.initiative.leader_id is None
    # Matching: proposals about her go; her need stays with the organisation, without her.
    assert not Proposal.objects.filter(pk=w.proposal_about_her.pk).exists()
    w.need_posted.refresh_from_db()
    assert w.need_posted.created_by_id is None
    w.proposal_on_her_need.refresh_from_db()
    assert w.proposal_on_her_need.introduction["participants"] == [w.carol.ref]
    assert w.proposal_on_her_need.feedback_note == ""
    assert w.proposal_on_her_need.feedback == Proposal.Feedback.YES
    # Messaging: her messages keep their seq but lose text, author, mentions, attachments.
    for message in (w.her_direct_message, w.her_group_message):
        message.refresh_from_db()
        assert (message.body, message.body_html, message.author_id) == ("", "", None)
        assert message.deleted_at is not None
        assert not message.mentions.exists()
    w.bobs_message.refresh_from_db()
    assert w.bobs_message.body.startswith("Dank je")
    assert not Attachment.objects.filter(pk=w.attachment.pk).exists()
    assert not default_storage.exists(w.file_name)
    assert not Participant.objects.filter(person_id=w.aisha.pk).exists()
    assert not Notification.objects.filter(person_id=w.aisha.pk).exists()
    assert not Report.objects.filter(reporter_id=w.aisha.pk).exists()
    assert Report.objects.filter(reporter=w.carol).exists()
    assert not MessagingSettings.objects.filter(person_id=w.aisha.pk).exists()

    # What the other participants can still reach: nothing of hers.
    bob = client_for(w.bob)
    for conversation in (w.direct, w.group):
        page = bob.get(f"/conversations/{conversation.pk}/").content.decode()
        assert SECRET_TEXT not in page and ATTACHMENT_NAME not in page
    assert bob.get(attachment_url).status_code == 404
    api = bob.get(f"/api/v1/conversations/{w.direct.pk}/messages").json()
    (item,) = [m for m in api["items"] if m["id"] == w.her_direct_message.pk]
    assert item["body"] == "" and item["attachments"] == [] and item["author"] is None
    group_page = client_for(w.carol).get(f"/conversations/{w.group.pk}/").content.decode()
    assert SECRET_TEXT not in group_page and "Dank je" in group_page


def test_the_export_holds_every_kind_the_erasure_removes(world):
    w = world
    client = Client()
    client.force_login(w.aisha.user)
    data = json.loads(client.get("/accounts/export/").content)

    assert data["account"]["email"] == w.aisha.user.email
    assert data["email_addresses"][0]["email"] == w.aisha.user.email
    assert {a["type"] for a in data["two_factor_authentication"]} == {"totp", "recovery_codes"}
    assert data["api_tokens"][0]["name"] == "script"

    profile = data["profile"]
    assert profile["ref"] == w.aisha.ref
    assert profile["memberships"][0]["organisation"] == w.organisation.ref
    assert profile["initiatives_led"] == [w.initiative.ref]
    assert profile["blocked"] == [w.carol.ref]
    assert len(profile["invitations"]) == 1

    matching = data["matching"]
    assert [n["ref"] for n in matching["needs_posted"]] == [w.need_posted.ref]
    assert [p["id"] for p in matching["proposals_about_me"]] == [w.proposal_about_her.pk]
    assert matching["proposals_about_me"][0]["feedback_note"] == "Ik had weinig tijd."
    (on_mine,) = matching["proposals_on_my_needs"]
    assert on_mine["id"] == w.proposal_on_her_need.pk and on_mine["candidate"] == w.carol.ref
    assert [i["proposal"] for i in matching["introductions"]] == [w.proposal_on_her_need.pk]

    messaging = data["messaging"]
    assert messaging["settings"]["who_may_message"] == "connected"
    assert {c["id"] for c in messaging["conversations"]} == {w.direct.pk, w.group.pk}
    assert {m["id"] for m in messaging["messages"]} == {
        w.her_direct_message.pk,
        w.her_group_message.pk,
    }
    (attachment,) = messaging["attachments"]
    assert attachment == {
        "id": w.attachment.pk,
        "message": w.her_direct_message.pk,
        "conversation": w.direct.pk,
        "name": ATTACHMENT_NAME,
        "content_type": "image/png",
        "size": len(PNG),
    }
    assert messaging["mentioned_in"] == [w.bobs_message.pk]
    assert {n["conversation"] for n in messaging["notifications"]} == {w.group.pk}
    assert [r["message_id"] for r in messaging["reports"]] == [w.bobs_message.pk]
    # Never the bytes of a file, nor a secret.
    body = json.dumps(data)
    assert "\\u0089PNG" not in body and "key_hash" not in body


def test_an_introduction_no_longer_names_someone_who_deleted_their_account(
    django_capture_on_commit_callbacks,
):
    aisha = person_with_account(name="Aisha Bakkali")
    bob = person_with_account(name="Bob de Vries")
    conversation = messaging_services.conversation_open_introduction(
        participants=[aisha, bob],
        title="Taalmaatjes gezocht",
        body="Stichting Samen en Aisha Bakkali: jullie zeiden allebei ja. Stel je voor!",
    )
    client = Client()
    client.force_login(aisha.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD, "confirm": "on"})
    assert response.status_code == 302

    opening = Message.objects.get(conversation=conversation, author__isnull=True)
    assert "Aisha" not in opening.body and "Aisha" not in opening.body_html
    assert opening.body.startswith("Stichting Samen en ")
    # Bob still has the conversation and its opening line, without her name.
    page = client_for(bob).get(f"/conversations/{conversation.pk}/")
    assert page.status_code == 200
    assert "Stichting Samen en" in page.content.decode()
    assert "Aisha Bakkali" not in page.content.decode()
