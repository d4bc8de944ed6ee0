"""Who may see, suggest and review sources: every rule of the library in one place
(docs/sources.md, "Rules"; docs/security.md)."""

from __future__ import annotations

from django.db.models import Q

from sources.models import Source


def can_review_sources(user) -> bool:
    """Platform staff approve and reject suggestions."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def can_suggest_source(user) -> bool:
    """Every signed-in member may suggest a source."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def visible_sources(user) -> Q:
    """The sources `user` may open: approved ones; their own suggestions whatever their
    state; staff see all."""
    if can_review_sources(user):
        return Q()
    condition = Q(status=Source.Status.APPROVED)
    if getattr(user, "is_authenticated", False):
        condition |= Q(suggested_by_id=user.pk)
    return condition


def can_view_source(user, source: Source) -> bool:
    if source.status == Source.Status.APPROVED or can_review_sources(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and source.suggested_by_id == user.pk)
