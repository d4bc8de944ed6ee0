"""Close-out stories' part of a person's data export and account deletion (docs/accounts.md,
docs/stories.md).

A person's stories hold their own answers: exported in full, deleted with the account. What
an approved story added to an initiative's record was merged without the author's name and
stays there, like the rest of the knowledge bank. As a reviewer a person is only named by
`reviewed_by`, which the account's deletion clears.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from network.models import Person
from stories.models import Story


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def stories_export(user) -> list[dict[str, Any]] | None:
    person = Person.objects.filter(user=user).first()
    if person is None:
        return None
    stories = (
        Story.objects.filter(person=person)
        .select_related("need", "initiative", "organisation")
        .prefetch_related("success_factors", "obstacles")
        .order_by("asked_at", "pk")
    )
    return [
        {
            "id": story.pk,
            "title": story.title,
            "trigger": story.trigger,
            "status": story.status,
            "need": story.need.ref if story.need_id else None,
            "initiative": story.initiative.ref if story.initiative_id else None,
            "organisation": story.organisation.ref if story.organisation_id else None,
            "what_worked": story.what_worked,
            "what_did_not": story.what_did_not,
            "results": story.results,
            "participants_reached": story.participants_reached,
            "volunteers": story.volunteers,
            "activities": story.activities,
            "success_factors": [factor.pk for factor in story.success_factors.all()],
            "obstacles": [obstacle.pk for obstacle in story.obstacles.all()],
            "lesson": story.lesson,
            "consent": story.consent,
            "asked_at": _iso(story.asked_at),
            "reminders_sent": story.reminders_sent,
            "submitted_at": _iso(story.submitted_at),
            "reviewed_at": _iso(story.reviewed_at),
            "review_note": story.review_note,
        }
        for story in stories
    ]


@transaction.atomic
def stories_erase(user) -> None:
    Story.objects.filter(person__user=user).delete()
    Story.objects.filter(reviewed_by=user).update(reviewed_by=None)
