"""Writes of the source library (docs/sources.md): members suggest, staff review, staff and
the import add approved sources. Every write refreshes search (network.search), which moves
the search cache on."""

from __future__ import annotations

import datetime
import html
import secrets
from typing import Any

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import Initiative, Organisation, RetiredRef
from network.search import search_results_changed, search_vectors_refresh
from network.services.records import record_fields_check, record_write
from sources.models import Source, SourceLink
from sources.permissions import can_review_sources, can_suggest_source

SOURCE_FIELDS = frozenset(
    {
        "title",
        "author",
        "year",
        "url",
        "summary",
        "kind",
        "themes",
        "target_groups",
        "success_factors",
    }
)
RELATIONS = ("themes", "target_groups", "success_factors")
TEXT_FIELDS = ("title", "author", "summary")
# Suggestions a member may make per day (settings.SOURCES_SUGGESTIONS_PER_DAY overrides).
SUGGESTIONS_PER_DAY = 5


def text_plain(value: str) -> str:
    """Text a person typed, as plain text: markup removed by nh3 (nothing of it survives, not
    even as escaped tags), entities decoded, spaces trimmed. Templates escape it on output."""
    return html.unescape(nh3.clean(value or "", tags=set())).strip()


def source_ref_generate() -> str:
    while True:
        ref = f"src-{secrets.token_hex(4)}"
        if not (
            Source.objects.filter(ref=ref).exists() or RetiredRef.objects.filter(ref=ref).exists()
        ):
            return ref


def _cleaned(data: dict[str, Any]) -> dict[str, Any]:
    data = record_fields_check(data, writable=SOURCE_FIELDS, entity="source")
    for key in TEXT_FIELDS:
        if key in data:
            data[key] = text_plain(data[key])
    if "title" in data and not data["title"]:
        raise ValidationError({"title": _("Give the source a title.")})
    return data


def _suggestions_today(user) -> int:
    since = timezone.now() - datetime.timedelta(days=1)
    return Source.objects.filter(suggested_by=user, created_at__gte=since).count()


def suggestions_per_day() -> int:
    return getattr(settings, "SOURCES_SUGGESTIONS_PER_DAY", SUGGESTIONS_PER_DAY)


@transaction.atomic
def source_suggest(*, suggester, data: dict[str, Any]) -> Source:
    """A member's suggestion: stored as pending, seen by them and by staff until a staff
    member approves it. At most `suggestions_per_day()` per member per 24 hours."""
    if not can_suggest_source(suggester):
        raise PermissionDenied(_("Sign in to suggest a source."))
    data = _cleaned(data)
    if _suggestions_today(suggester) >= suggestions_per_day():
        raise ValidationError(
            _(
                "You have suggested %(count)d sources in the last 24 hours. "
                "Thank you! Try again tomorrow."
            )
            % {"count": suggestions_per_day()}
        )
    source = Source(ref=source_ref_generate(), status=Source.Status.PENDING, suggested_by=suggester)
    record_write(source, data, relations=RELATIONS)
    search_vectors_refresh(Source, [source.pk])
    return source


@transaction.atomic
def source_create(*, actor, data: dict[str, Any]) -> Source:
    """Staff add an approved source directly."""
    if not can_review_sources(actor):
        raise PermissionDenied(_("Only platform staff can add sources directly."))
    data = _cleaned(data)
    source = Source(
        ref=source_ref_generate(),
        status=Source.Status.APPROVED,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    record_write(source, data, relations=RELATIONS)
    search_vectors_refresh(Source, [source.pk])
    return source


@transaction.atomic
def source_update(*, source: Source, actor, data: dict[str, Any]) -> Source:
    """Staff correct a source (a suggestion before approving it, say)."""
    if not can_review_sources(actor):
        raise PermissionDenied(_("Only platform staff can change sources."))
    record_write(source, _cleaned(data), relations=RELATIONS)
    search_vectors_refresh(Source, [source.pk])
    return source


def _locked(source: Source) -> Source:
    return Source.objects.select_for_update().get(pk=source.pk)


@transaction.atomic
def source_approve(*, source: Source, actor) -> Source:
    """Make a suggestion public. Approving an approved source changes nothing."""
    if not can_review_sources(actor):
        raise PermissionDenied(_("Only platform staff can approve sources."))
    source = _locked(source)
    if source.status == Source.Status.APPROVED:
        return source
    source.status = Source.Status.APPROVED
    source.rejection_reason = ""
    source.reviewed_by = actor
    source.reviewed_at = timezone.now()
    source.full_clean()
    source.save()
    search_results_changed()
    return source


@transaction.atomic
def source_reject(*, source: Source, actor, reason: str) -> Source:
    """Turn a suggestion down with a reason the suggester reads; it stays out of sight."""
    if not can_review_sources(actor):
        raise PermissionDenied(_("Only platform staff can reject sources."))
    reason = text_plain(reason)
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the source is rejected: the suggester reads it.")}
        )
    source = _locked(source)
    source.status = Source.Status.REJECTED
    source.rejection_reason = reason
    source.reviewed_by = actor
    source.reviewed_at = timezone.now()
    source.full_clean()
    source.save()
    search_results_changed()
    return source


@transaction.atomic
def source_link_add(
    *,
    source: Source,
    actor,
    relation: str,
    initiative: Initiative | None = None,
    organisation: Organisation | None = None,
) -> SourceLink:
    """Link a source to the initiative or organisation it comes from or informed."""
    if not can_review_sources(actor):
        raise PermissionDenied(_("Only platform staff can link sources."))
    link = SourceLink(
        source=source, relation=relation, initiative=initiative, organisation=organisation
    )
    existing = SourceLink.objects.filter(
        source=source, relation=relation, initiative=initiative, organisation=organisation
    ).first()
    if existing is not None:
        return existing
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def source_delete(*, source: Source, actor) -> None:
    """Remove a source; its ref is retired, never reused (docs/contracts.md §1)."""
    if not can_review_sources(actor):
        raise PermissionDenied(_("Only platform staff can delete sources."))
    RetiredRef.objects.get_or_create(ref=source.ref, defaults={"kind": "source"})
    source.delete()
    search_results_changed()
