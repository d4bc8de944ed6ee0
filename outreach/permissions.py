"""Who may do what with key figures' invitations. Views ask these; they never decide alone.

- Only a person with the network role `key_figure` makes invitations.
- Only the key figure who made an invitation sees it, its flyer and its responses, and
  withdraws it (staff included: an invitation's responders are the key figure's contacts).
- Only the initiative's people (its organisation's members, or its leader when it has no
  organisation) and staff see how many people came through which key figure.

The tested rules are in tests/outreach/test_permissions.py.
"""

from __future__ import annotations

from network.models import Initiative, Person
from network.permissions import can_edit_initiative
from outreach.models import Invitation

KEY_FIGURE_ROLE = "key_figure"


def key_figure_of(user) -> Person | None:
    """The user's profile when it carries the key figure role, else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user, roles__slug=KEY_FIGURE_ROLE).first()


def can_invite(user) -> bool:
    return key_figure_of(user) is not None


def can_manage_invitation(user, invitation: Invitation) -> bool:
    if not getattr(user, "is_authenticated", False) or invitation.key_figure_id is None:
        return False
    return Person.objects.filter(pk=invitation.key_figure_id, user=user).exists()


def can_view_reach(user, initiative: Initiative) -> bool:
    return can_edit_initiative(user, initiative)
