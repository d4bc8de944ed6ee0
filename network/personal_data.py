"""The network's part of a person's data export and account deletion (docs/accounts.md)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from network.models import Block, Invitation, Person
from network.services.people import person_erase


def _invitations_to(user):
    return Invitation.objects.filter(email__iexact=user.email)


def profile_export(user) -> dict[str, Any] | None:
    invitations = [
        {
            "organisation": invitation.organisation.ref,
            "role": invitation.role,
            "created_at": invitation.created_at.isoformat(),
            "accepted_at": invitation.accepted_at.isoformat() if invitation.accepted_at else None,
        }
        for invitation in _invitations_to(user).select_related("organisation")
    ]
    person = (
        Person.objects.filter(user=user)
        .select_related("municipality")
        .prefetch_related(
            "roles", "languages", "themes", "target_groups", "memberships__organisation"
        )
        .first()
    )
    if person is None:
        return {"invitations": invitations} if invitations else None
    return {
        "ref": person.ref,
        "name": person.name,
        "email": person.email,
        "municipality": person.municipality.name if person.municipality else None,
        "roles": [r.slug for r in person.roles.all()],
        "languages": [lang.slug for lang in person.languages.all()],
        "themes": [t.slug for t in person.themes.all()],
        "target_groups": [g.slug for g in person.target_groups.all()],
        "skills": person.skills,
        "bio": person.bio,
        "looking_for": person.looking_for,
        "hours_per_week": person.hours_per_week,
        "mentor_capacity": person.mentor_capacity,
        "visibility": person.visibility,
        "open_to_matching": person.open_to_matching,
        "memberships": [
            {"organisation": m.organisation.ref, "name": m.organisation.name, "role": m.role}
            for m in person.memberships.all()
        ],
        "initiatives_led": list(person.led_initiatives.values_list("ref", flat=True)),
        "blocked": list(
            Block.objects.filter(blocker=person).values_list("blocked__ref", flat=True)
        ),
        "invitations": invitations,
        "created_at": person.created_at.isoformat(),
    }


@transaction.atomic
def profile_erase(user) -> None:
    """The profile goes with its memberships and blocks; initiatives stay without their
    leader (person_erase). Invitations to the person's address go too."""
    _invitations_to(user).delete()
    person = Person.objects.filter(user=user).first()
    if person is not None:
        person_erase(person=person)
