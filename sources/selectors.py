"""Reads of the source library (docs/sources.md). Lists show approved sources only; a
suggestion is seen by its suggester and by staff (sources.permissions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from network.models import REF_PATTERN, Initiative, Organisation
from network.search import clean_query, text_search
from network.selectors import any_of, rows_counted, rows_sorted_narrow
from sources.models import Source, SourceLink
from sources.permissions import visible_sources


@dataclass(frozen=True)
class SourceFilters:
    q: str = ""
    themes: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    success_factors: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            clean_query(self.q)
            or self.themes
            or self.target_groups
            or self.success_factors
            or self.kinds
        )


def source_list_base() -> QuerySet[Source]:
    return Source.objects.prefetch_related("themes")


def source_search(filters: SourceFilters) -> QuerySet[Source]:
    """Approved sources matching the words (full text, as the knowledge bank searches) and
    any of the chosen values of each filter; best matches first, else by title."""
    q = clean_query(filters.q)
    queryset = source_list_base().filter(status=Source.Status.APPROVED)
    queryset = text_search(queryset, q, rank=True)
    queryset = any_of(queryset, "themes", filters.themes)
    queryset = any_of(queryset, "target_groups", filters.target_groups)
    queryset = any_of(queryset, "success_factors", filters.success_factors)
    kinds = [k for k in filters.kinds if k in Source.Kind.values]
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    if q:
        return queryset.order_by("-rank", "title", "pk")
    return queryset.order_by("title", "pk")


def rows_window(results: QuerySet[Source], limit: int) -> list[Source]:
    """The first `limit` of a search (ids sorted narrow and cached, as the directories do)."""
    return rows_sorted_narrow(results, 0, limit)


def rows_total(results: QuerySet[Source]) -> int:
    return rows_counted(results)


def _checked_ref(ref: str) -> str:
    """A ref that cannot exist (wrong characters, a NUL byte) is a 404, not a database error."""
    if not REF_PATTERN.match(ref or ""):
        raise Http404
    return ref


def source_for_review(ref: str) -> Source:
    """Any source, whatever its state (the review pages are staff's)."""
    return get_object_or_404(Source, ref=_checked_ref(ref))


def source_get(ref: str, *, viewer) -> Source:
    """A source `viewer` may see, with everything its page shows; 404 otherwise (an
    unapproved suggestion does not exist for anyone else)."""
    _checked_ref(ref)
    return get_object_or_404(
        Source.objects.filter(visible_sources(viewer))
        .select_related("suggested_by")
        .prefetch_related(
            "themes",
            "target_groups",
            "success_factors",
            "links__initiative",
            "links__organisation",
        ),
        ref=ref,
    )


def source_links_of(
    *, initiative: Initiative | None = None, organisation: Organisation | None = None
):
    """The approved sources linked to an initiative or an organisation, with the relation."""
    links = SourceLink.objects.filter(source__status=Source.Status.APPROVED).select_related(
        "source"
    )
    if initiative is not None:
        links = links.filter(initiative=initiative)
    else:
        links = links.filter(organisation=organisation)
    return links.order_by("relation", "source__title", "pk")


def sources_pending() -> QuerySet[Source]:
    """Suggestions waiting for review, oldest first."""
    return (
        Source.objects.filter(status=Source.Status.PENDING)
        .select_related("suggested_by")
        .prefetch_related("themes", "target_groups", "success_factors")
        .order_by("created_at", "pk")
    )


def sources_suggested_by(user) -> QuerySet[Source]:
    if not getattr(user, "is_authenticated", False):
        return Source.objects.none()
    return Source.objects.filter(suggested_by=user).order_by("-created_at", "pk")
