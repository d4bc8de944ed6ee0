"""Reads for close-out stories: a person's open requests, the review queue, the published
stories of an initiative, the figures for the overview and the track record for matching
(docs/stories.md)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from network.models import Obstacle, SuccessFactor
from stories.models import Story
from stories.permissions import stories_reviewable_q

OPEN_STATUSES = (Story.Status.ASKED, Story.Status.DRAFT, Story.Status.SENT_BACK)


def _with_relations(queryset: QuerySet[Story]) -> QuerySet[Story]:
    return queryset.select_related("person", "need", "initiative", "organisation").prefetch_related(
        "success_factors", "obstacles"
    )


def published_q(prefix: str = "") -> Q:
    """The one rule for what others may read and count: approved, with the author's consent."""
    return Q(**{f"{prefix}status": Story.Status.APPROVED, f"{prefix}consent": True})


def stories_of(user) -> QuerySet[Story]:
    if not getattr(user, "is_authenticated", False):
        return Story.objects.none()
    return _with_relations(Story.objects.filter(person__user_id=user.pk))


def stories_open_for(user) -> QuerySet[Story]:
    """The stories waiting for the user's answer (the home's "Wacht op jou", the API)."""
    return stories_of(user).filter(status__in=OPEN_STATUSES).order_by("asked_at", "pk")


def story_get(pk: int) -> Story:
    return get_object_or_404(_with_relations(Story.objects.all()), pk=pk)


def stories_to_review(user) -> QuerySet[Story]:
    return (
        _with_relations(Story.objects.filter(stories_reviewable_q(user)))
        .filter(status=Story.Status.SUBMITTED)
        .distinct()
        .order_by("submitted_at", "pk")
    )


def stories_published() -> QuerySet[Story]:
    return _with_relations(Story.objects.filter(published_q()))


def stories_published_for(initiative) -> QuerySet[Story]:
    return stories_published().filter(initiative=initiative).order_by("-reviewed_at", "-pk")


def track_record_links(
    *, person_ids: list[int] | None = None, organisation_ids: list[int] | None = None
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(person, initiative) and (organisation, initiative) pairs of approved stories: the
    track record matching reads (matching.index.track_record_source_register). Approved is
    enough: the record is used for ranking, not shown to others."""
    approved = Story.objects.filter(status=Story.Status.APPROVED, initiative__isnull=False)
    people = approved if person_ids is None else approved.filter(person_id__in=person_ids)
    organisations = approved.filter(organisation__isnull=False)
    if organisation_ids is not None:
        organisations = organisations.filter(organisation_id__in=organisation_ids)
    return (
        list(people.values_list("person_id", "initiative_id").distinct()),
        list(organisations.values_list("organisation_id", "initiative_id").distinct()),
    )


# The figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """A row of a chart that is not a taxonomy entry (a quarter)."""

    pk: str
    name: str


@dataclass
class StoryFigures:
    total: int
    success_factors: list = field(default_factory=list)  # (SuccessFactor, count)
    obstacles: list = field(default_factory=list)  # (Obstacle, count)
    by_quarter: list = field(default_factory=list)  # (Label, stories)
    quarters: list = field(default_factory=list)  # (label, stories, top factor, top obstacle)


@dataclass(frozen=True)
class StoryFilters:
    theme: str = ""
    target_group: str = ""
    municipality: str = ""


def _quarter(moment) -> str:
    """A sortable key: "2026-4" for October to December 2026."""
    return f"{moment.year}-{(moment.month - 1) // 3 + 1}"


def _quarter_label(key: str) -> str:
    year, quarter = key.split("-")
    return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter}


def story_figures(filters: StoryFilters) -> StoryFigures:
    """What published stories report: success factors and obstacles, for one theme, target
    group or municipality (of the story's initiative) or all, and stories per quarter of
    their approval. A fixed number of queries."""
    stories = Story.objects.filter(published_q())
    if filters.theme:
        stories = stories.filter(initiative__themes=filters.theme)
    if filters.target_group:
        stories = stories.filter(initiative__target_groups=filters.target_group)
    if filters.municipality:
        stories = stories.filter(initiative__municipality=filters.municipality)
    ids = list(stories.values_list("pk", flat=True).distinct())
    factor_pairs = list(
        Story.success_factors.through.objects.filter(story_id__in=ids).values_list(
            "story_id", "successfactor_id"
        )
    )
    obstacle_pairs = list(
        Story.obstacles.through.objects.filter(story_id__in=ids).values_list(
            "story_id", "obstacle_id"
        )
    )
    factor_counts = Counter(slug for _story, slug in factor_pairs)
    obstacle_counts = Counter(slug for _story, slug in obstacle_pairs)
    factors = sorted(
        ((row, factor_counts[row.pk]) for row in SuccessFactor.objects.all()),
        key=lambda pair: (-pair[1], pair[0].position),
    )
    obstacles = sorted(
        ((row, obstacle_counts[row.pk]) for row in Obstacle.objects.all()),
        key=lambda pair: (-pair[1], pair[0].position),
    )
    quarter_of = {
        pk: _quarter(moment)
        for pk, moment in Story.objects.filter(pk__in=ids).values_list("pk", "reviewed_at")
        if moment is not None
    }
    names = {row.pk: row.name for row, _n in factors} | {row.pk: row.name for row, _n in obstacles}
    per_quarter: dict[str, Counter] = {}
    factor_per_quarter: dict[str, Counter] = {}
    obstacle_per_quarter: dict[str, Counter] = {}
    for pk, quarter in quarter_of.items():
        per_quarter.setdefault(quarter, Counter())[pk] += 1
    for story_id, slug in factor_pairs:
        if story_id in quarter_of:
            factor_per_quarter.setdefault(quarter_of[story_id], Counter())[slug] += 1
    for story_id, slug in obstacle_pairs:
        if story_id in quarter_of:
            obstacle_per_quarter.setdefault(quarter_of[story_id], Counter())[slug] += 1

    def top(counter: Counter | None) -> str:
        if not counter:
            return ""
        slug, _n = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[0]
        return names.get(slug, slug)

    ordered = sorted(per_quarter)
    return StoryFigures(
        total=len(ids),
        success_factors=[pair for pair in factors if pair[1]],
        obstacles=[pair for pair in obstacles if pair[1]],
        by_quarter=[(Label(pk=q, name=_quarter_label(q)), len(per_quarter[q])) for q in ordered],
        quarters=[
            (
                _quarter_label(q),
                len(per_quarter[q]),
                top(factor_per_quarter.get(q)),
                top(obstacle_per_quarter.get(q)),
            )
            for q in ordered
        ],
    )
