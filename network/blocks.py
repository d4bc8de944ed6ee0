"""Reads about blocks between people (written by network.services.blocks)."""

from __future__ import annotations

from django.db.models import Q

from network.models import Block, Membership


def is_blocked_between(person_a_id: int, person_b_id: int) -> bool:
    return Block.objects.filter(
        Q(blocker_id=person_a_id, blocked_id=person_b_id)
        | Q(blocker_id=person_b_id, blocked_id=person_a_id)
    ).exists()


def blocked_between_people_of(organisation_id: int) -> set[int]:
    """People who blocked, or were blocked by, a member of the organisation."""
    members = Membership.objects.filter(organisation_id=organisation_id).values("person_id")
    ids: set[int] = set()
    for blocker_id, blocked_id in Block.objects.filter(
        Q(blocker_id__in=members) | Q(blocked_id__in=members)
    ).values_list("blocker_id", "blocked_id"):
        ids.update((blocker_id, blocked_id))
    member_ids = set(
        Membership.objects.filter(organisation_id=organisation_id).values_list(
            "person_id", flat=True
        )
    )
    return ids - member_ids
