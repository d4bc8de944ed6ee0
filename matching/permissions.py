"""Who may act on needs and proposals."""

from __future__ import annotations

from django.db.models import Q

from matching.models import Need, Proposal
from network.models import Membership
from network.permissions import can_add_initiative, membership_role, person_visibility_q


def can_manage_need(user, need: Need) -> bool:
    """Members of the asking organisation (and staff) post, edit, close needs and act on
    their proposals."""
    return can_add_initiative(user, need.organisation)


def can_post_need(user, organisation) -> bool:
    return can_add_initiative(user, organisation)


def is_candidate(user, proposal: Proposal) -> bool:
    """The candidate answers: the person themself, or an admin of the organisation."""
    if not getattr(user, "is_authenticated", False):
        return False
    if proposal.person_id:
        return proposal.person.user_id == user.pk
    return membership_role(user, proposal.organisation) == Membership.Role.ADMIN


def can_view_need(user, need: Need) -> bool:
    return need.status == Need.Status.OPEN or can_manage_need(user, need)


def proposal_visibility_q(user) -> Q:
    """The proposals of a need that `user` may be shown. An open proposal of a person whose
    profile is hidden from the user is left out: it can linger until the refresh that follows
    the profile change has run (network.events.profile_changed). Proposals someone already
    acted on stay: both sides know of each other by then."""
    return (
        Q(person__isnull=True)
        | ~Q(status=Proposal.Status.PROPOSED)
        | person_visibility_q(user, prefix="person__")
    )
