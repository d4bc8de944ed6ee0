"""Key figures' reach in a person's data export and account deletion (docs/accounts.md,
docs/outreach.md).

A key figure's invitations are theirs: the export lists them with the first names and ways
to be reached that responders left. On erasure the key figure's notes and the responders'
names and contacts go (the key figure was the one they gave them to); the invitations stay
as counts without a name, so an initiative's figures do not change."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from outreach.models import Invitation, InvitationResponse


def _invitations(user):
    return Invitation.objects.filter(key_figure__user=user)


def reach_export(user) -> dict[str, Any] | None:
    invitations = list(
        _invitations(user).select_related("initiative").prefetch_related("responses")
    )
    if not invitations:
        return None
    return {
        "invitations": [
            {
                "initiative": invitation.initiative.ref,
                "title": invitation.title,
                "starts_at": invitation.starts_at.isoformat(),
                "place": invitation.place,
                "note": invitation.note,
                "language": invitation.language,
                "created_at": invitation.created_at.isoformat(),
                "expires_at": invitation.expires_at.isoformat(),
                "withdrawn_at": invitation.withdrawn_at.isoformat()
                if invitation.withdrawn_at
                else None,
                "responses": [
                    {
                        "first_name": response.first_name,
                        "contact": response.contact,
                        "created_at": response.created_at.isoformat(),
                    }
                    for response in invitation.responses.all()
                ],
            }
            for invitation in invitations
        ]
    }


@transaction.atomic
def reach_erase(user) -> None:
    invitations = _invitations(user)
    InvitationResponse.objects.filter(invitation__in=invitations).update(
        first_name="", contact="", consented_at=None
    )
    invitations.update(key_figure=None, note="")
