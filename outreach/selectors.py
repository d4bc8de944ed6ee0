"""Reads for key figures' reach. See docs/outreach.md."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from network.models import Initiative, Person, Theme
from network.permissions import person_visibility_q
from outreach.models import Invitation


def invitations_of(person: Person) -> QuerySet[Invitation]:
    """A key figure's own invitations, newest first, with their response counts."""
    return (
        Invitation.objects.filter(key_figure=person)
        .select_related("initiative")
        .annotate(response_count=Count("responses"))
        .order_by("-created_at")
    )


def invitation_responses(invitation: Invitation):
    return invitation.responses.order_by("created_at")


@dataclass(frozen=True)
class KeyFigureReach:
    person: Person | None  # None: the profile is hidden from the viewer, or erased
    invitations: int
    responses: int


def initiative_reach(*, initiative: Initiative, viewer) -> list[KeyFigureReach]:
    """How many people came through which key figure for `initiative`, most first. A key
    figure whose profile the viewer may not see is counted without a name."""
    rows = (
        Invitation.objects.filter(initiative=initiative)
        .values("key_figure")
        .annotate(invitations=Count("pk", distinct=True), responses=Count("responses"))
        .order_by("-responses", "key_figure")
    )
    visible = {
        person.pk: person
        for person in Person.objects.filter(
            Q(pk__in=[row["key_figure"] for row in rows if row["key_figure"]])
            & person_visibility_q(viewer)
        )
    }
    return [
        KeyFigureReach(
            person=visible.get(row["key_figure"]),
            invitations=row["invitations"],
            responses=row["responses"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ThemeReach:
    theme: Theme
    key_figures: list[KeyFigureReach]


def key_figures_by_theme(*, themes, viewer, limit: int = 5) -> list[ThemeReach]:
    """For each theme, the key figures whose invitations (to any initiative with that
    theme) brought the most responses. Only key figures whose profile the viewer may see
    are named: this ranking is for finding a key figure to ask."""
    themes = list(themes)
    rows = (
        Invitation.objects.filter(
            Q(initiative__themes__in=themes)
            & Q(key_figure__isnull=False)
            & person_visibility_q(viewer, prefix="key_figure__")
        )
        .values("initiative__themes", "key_figure")
        .annotate(
            invitations=Count("pk", distinct=True), responses=Count("responses", distinct=True)
        )
        .filter(responses__gt=0)
        .order_by("initiative__themes", "-responses", "key_figure")
    )
    people = Person.objects.in_bulk({row["key_figure"] for row in rows})
    per_theme: dict[str, list[KeyFigureReach]] = {}
    for row in rows:
        ranked = per_theme.setdefault(row["initiative__themes"], [])
        if len(ranked) < limit:
            ranked.append(
                KeyFigureReach(
                    person=people[row["key_figure"]],
                    invitations=row["invitations"],
                    responses=row["responses"],
                )
            )
    return [ThemeReach(theme=theme, key_figures=per_theme.get(theme.pk, [])) for theme in themes]


def initiatives_open_for_invitations() -> QuerySet[Initiative]:
    return Initiative.objects.exclude(status=Initiative.Status.FINISHED).order_by("title")
