"""Matching's part of a person's data export and account deletion (docs/accounts.md).

The person appears in matching in three ways: as a candidate (proposals about them, with
their answer and feedback), as the one who posted a need for their organisation, and as a
participant recorded in an introduction. The step runs before the network's `profile`
step, which removes the Person these rows are found through.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from matching.models import Need, Proposal
from network.models import Person


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _proposal_row(proposal: Proposal) -> dict[str, Any]:
    return {
        "id": proposal.pk,
        "need": proposal.need.ref,
        "need_title": proposal.need.title,
        "organisation": proposal.need.organisation.ref,
        "status": proposal.status,
        "score": proposal.score,
        "reasons": proposal.reasons,
        "created_at": _iso(proposal.created_at),
        "asked_at": _iso(proposal.asked_at),
        "respond_by": _iso(proposal.respond_by),
        "responded_at": _iso(proposal.responded_at),
        "introduction": proposal.introduction,
        "feedback": proposal.feedback,
        "feedback_note": proposal.feedback_note,
    }


def _introductions_with(person: Person):
    """Proposals whose recorded introduction names the person (as the asker, or as an admin
    of a candidate organisation). Refs are `[a-z0-9._-]`, so the quoted ref is exact
    enough to narrow in SQL on every backend; the list itself is checked in Python."""
    candidates = Proposal.objects.filter(introduction__icontains=f'"{person.ref}"')
    return [
        proposal
        for proposal in candidates.only("id", "introduction")
        if person.ref in (proposal.introduction or {}).get("participants", [])
    ]


def matching_export(user) -> dict[str, Any] | None:
    person = Person.objects.filter(user=user).first()
    if person is None:
        return None
    about_me = (
        Proposal.objects.filter(person=person)
        .select_related("need__organisation")
        .order_by("created_at")
    )
    on_my_needs = (
        Proposal.objects.filter(need__created_by=person)
        .select_related("need__organisation", "person", "organisation")
        .order_by("created_at")
    )
    return {
        "needs_posted": [
            {
                "ref": need.ref,
                "title": need.title,
                "organisation": need.organisation.ref,
                "kind": need.kind,
                "status": need.status,
                "created_at": _iso(need.created_at),
            }
            for need in Need.objects.filter(created_by=person)
            .select_related("organisation")
            .order_by("created_at")
        ],
        "proposals_about_me": [_proposal_row(proposal) for proposal in about_me],
        "proposals_on_my_needs": [
            {
                **_proposal_row(proposal),
                "candidate_kind": proposal.candidate_kind,
                "candidate": proposal.candidate.ref,
            }
            for proposal in on_my_needs
        ],
        "introductions": [
            {"proposal": proposal.pk, **proposal.introduction}
            for proposal in _introductions_with(person)
        ],
    }


@transaction.atomic
def matching_erase(user) -> None:
    """Proposals about the person go (with their answers and feedback); the needs they
    posted stay with their organisation, without the poster; on those needs' proposals the
    free-text feedback note goes (it does not say who wrote it), the yes/partly/no answer
    stays for the counts; introductions no longer name the person."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        return
    Proposal.objects.filter(person=person).delete()
    Proposal.objects.filter(need__created_by=person).exclude(feedback_note="").update(
        feedback_note=""
    )
    Need.objects.filter(created_by=person).update(created_by=None)
    for proposal in _introductions_with(person):
        proposal.introduction["participants"] = [
            ref for ref in proposal.introduction["participants"] if ref != person.ref
        ]
        proposal.save(update_fields=["introduction"])
