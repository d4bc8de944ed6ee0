from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.test import override_settings
from django.utils import timezone

from network.models import Initiative
from outreach import services
from outreach.models import Invitation, InvitationResponse
from tests.factories import InitiativeFactory, UserFactory
from tests.outreach.factories import invitation_make, key_figure_user

pytestmark = pytest.mark.django_db


def test_a_key_figure_invites_and_the_link_opens_the_invitation_while_only_its_hash_is_stored():
    invitation = invitation_make()
    link = services.invitation_link(invitation)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in {str(value) for value in stored.values()}
    assert services.invitation_for_token(token) == invitation
    assert services.invitation_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_the_invitation_expires_the_day_after_the_activity():
    invitation = invitation_make(days_ahead=12)
    assert invitation.expires_at == invitation.starts_at + timedelta(days=1)
    assert invitation.is_open


def test_someone_without_the_key_figure_role_cannot_invite():
    with pytest.raises(PermissionDenied):
        invitation_make(UserFactory())


def test_no_invitation_to_a_finished_initiative_or_a_past_or_far_activity():
    user = key_figure_user()
    finished = InitiativeFactory(status=Initiative.Status.FINISHED)
    with pytest.raises(ValidationError) as error:
        invitation_make(user, initiative=finished)
    assert "initiative" in error.value.message_dict
    for days in (-1, services.ACTIVITY_MAX_DAYS_AHEAD + 1):
        with pytest.raises(ValidationError) as error:
            invitation_make(user, days_ahead=days)
        assert "starts_at" in error.value.message_dict
    assert not Invitation.objects.exists()


def test_only_its_key_figure_withdraws_an_invitation():
    invitation = invitation_make()
    with pytest.raises(PermissionDenied):
        services.invitation_withdraw(actor=key_figure_user(), invitation=invitation)
    assert Invitation.objects.get(pk=invitation.pk).withdrawn_at is None
    services.invitation_withdraw(actor=invitation.key_figure.user, invitation=invitation)
    assert not Invitation.objects.get(pk=invitation.pk).is_open


def test_im_coming_alone_keeps_nothing_about_the_person():
    response = services.response_record(invitation=invitation_make(), client_key="1.2.3.4")
    response.refresh_from_db()
    assert (response.first_name, response.contact, response.consented_at) == ("", "", None)


def test_a_name_without_consent_is_refused_and_with_consent_kept():
    invitation = invitation_make()
    with pytest.raises(ValidationError) as error:
        services.response_record(
            invitation=invitation, client_key="1.2.3.4", first_name="Amina", contact="06 1234"
        )
    assert "consent" in error.value.message_dict
    assert not InvitationResponse.objects.exists()
    response = services.response_record(
        invitation=invitation,
        client_key="1.2.3.4",
        first_name=" Amina ",
        contact="06 12345678",
        consent=True,
    )
    assert (response.first_name, response.contact) == ("Amina", "06 12345678")
    assert response.consented_at is not None


def test_the_database_refuses_details_without_consent():
    invitation = invitation_make()
    with pytest.raises(IntegrityError):
        InvitationResponse.objects.create(invitation=invitation, first_name="Amina")


def test_a_withdrawn_or_expired_invitation_takes_no_responses():
    withdrawn = invitation_make()
    services.invitation_withdraw(actor=withdrawn.key_figure.user, invitation=withdrawn)
    expired = invitation_make()
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    expired.refresh_from_db()
    for invitation in (withdrawn, expired):
        with pytest.raises(services.ResponseRefused):
            services.response_record(invitation=invitation, client_key="1.2.3.4")
    assert not InvitationResponse.objects.exists()


@override_settings(OUTREACH_RESPONSE_RATE_LIMIT=(2, 600))
def test_responses_from_one_connection_are_rate_limited():
    invitation = invitation_make()
    for _ in range(2):
        services.response_record(invitation=invitation, client_key="5.6.7.8")
    with pytest.raises(services.ResponseRefused):
        services.response_record(invitation=invitation, client_key="5.6.7.8")
    services.response_record(invitation=invitation, client_key="9.9.9.9")
    assert invitation.responses.count() == 3


def test_names_and_contacts_go_thirty_days_after_the_activity_and_the_count_stays():
    invitation = invitation_make()
    services.response_record(
        invitation=invitation, client_key="1.2.3.4", first_name="Amina", contact="06", consent=True
    )
    services.response_record(invitation=invitation, client_key="1.2.3.5")
    # Twenty-nine days after the activity the key figure still has the name.
    assert services.responder_details_forget(now=invitation.starts_at + timedelta(days=29)) == 0
    assert InvitationResponse.objects.filter(first_name="Amina").exists()

    from outreach.tasks import responder_details_forget_task

    # The daily task, once the activity lies thirty-one days back.
    Invitation.objects.filter(pk=invitation.pk).update(
        starts_at=timezone.now() - timedelta(days=31)
    )
    assert responder_details_forget_task() == 1
    assert InvitationResponse.objects.filter(invitation=invitation).count() == 2
    assert not InvitationResponse.objects.exclude(first_name="", contact="").exists()
    assert not InvitationResponse.objects.filter(consented_at__isnull=False).exists()


def test_the_consent_box_says_when_the_details_are_erased():
    from django.utils import translation

    from outreach.forms import ResponseForm

    with translation.override("nl"):
        help_text = str(ResponseForm(invitation=invitation_make()).fields["consent"].help_text)
    assert "30 dagen na de activiteit" in help_text
