"""Who may do what in the network. Views and the API ask these; they never decide alone.

The tested matrix is in tests/network/test_permissions.py.
"""

from __future__ import annotations

from django.db.models import Q

from network.models import Initiative, Membership, Organisation, Person


def _person_id(user) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    person = getattr(user, "person", None)  # the reverse one-to-one raises AttributeError
    return person.pk if person else None


def membership_role(user, organisation: Organisation) -> str | None:
    person_id = _person_id(user)
    if person_id is None:
        return None
    return (
        Membership.objects.filter(organisation=organisation, person_id=person_id)
        .values_list("role", flat=True)
        .first()
    )


def can_edit_organisation(user, organisation: Organisation) -> bool:
    if getattr(user, "is_staff", False):
        return True
    return membership_role(user, organisation) == Membership.Role.ADMIN


can_manage_members = can_edit_organisation


def can_add_initiative(user, organisation: Organisation) -> bool:
    if getattr(user, "is_staff", False):
        return True
    return membership_role(user, organisation) is not None


def can_edit_initiative(user, initiative: Initiative) -> bool:
    if getattr(user, "is_staff", False):
        return True
    if initiative.organisation_id is None:
        person_id = _person_id(user)
        return person_id is not None and initiative.leader_id == person_id
    return can_add_initiative(user, initiative.organisation)


def person_visibility_q(user, prefix: str = "") -> Q:
    """The people `user` may see: public ones; members-only ones when signed in; their own
    profile; all of them for staff."""
    if getattr(user, "is_staff", False):
        return Q()
    visible = Q(**{f"{prefix}visibility": Person.Visibility.PUBLIC})
    if getattr(user, "is_authenticated", False):
        visible |= Q(**{f"{prefix}visibility": Person.Visibility.MEMBERS})
        visible |= Q(**{f"{prefix}user_id": user.pk})
    return visible


def can_view_person(user, person: Person) -> bool:
    if getattr(user, "is_staff", False):
        return True
    if person.visibility == Person.Visibility.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if person.visibility == Person.Visibility.MEMBERS:
        return True
    return person.user_id == user.pk


def can_edit_person(user, person: Person) -> bool:
    if getattr(user, "is_staff", False):
        return True
    return getattr(user, "is_authenticated", False) and person.user_id == user.pk
