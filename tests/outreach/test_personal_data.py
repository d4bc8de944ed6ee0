from __future__ import annotations

import pytest

from accounts.services import personal_data_export
from outreach import services
from outreach.models import Invitation, InvitationResponse
from outreach.personal_data import reach_erase
from tests.outreach.factories import invitation_make

pytestmark = pytest.mark.django_db


def test_the_key_figures_export_holds_their_invitations_and_the_names_given_to_them():
    invitation = invitation_make(title="Koffieochtend", note="Tot dan!")
    services.response_record(
        invitation=invitation, client_key="1", first_name="Amina", contact="06 1", consent=True
    )
    exported = personal_data_export(user=invitation.key_figure.user)
    [item] = exported["reach"]["invitations"]
    assert item["title"] == "Koffieochtend"
    assert item["note"] == "Tot dan!"
    assert item["responses"][0]["first_name"] == "Amina"


def test_erasing_the_key_figure_removes_names_and_notes_but_keeps_the_counts():
    invitation = invitation_make(note="Tot dan!")
    services.response_record(
        invitation=invitation, client_key="1", first_name="Amina", contact="06 1", consent=True
    )
    services.response_record(invitation=invitation, client_key="2")
    reach_erase(invitation.key_figure.user)
    invitation.refresh_from_db()
    assert invitation.key_figure is None
    assert invitation.note == ""
    assert InvitationResponse.objects.filter(invitation=invitation).count() == 2
    assert not InvitationResponse.objects.exclude(first_name="", contact="").exists()
    assert Invitation.objects.count() == 1


def test_deleting_the_key_figures_account_keeps_the_initiatives_counts():
    from accounts.services import account_delete

    invitation = invitation_make()
    services.response_record(invitation=invitation, client_key="1")
    account_delete(user=invitation.key_figure.user)
    assert Invitation.objects.get(pk=invitation.pk).responses.count() == 1
