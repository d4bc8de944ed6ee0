"""The library's part of a person's data export and account deletion (docs/accounts.md):
the sources a person suggested."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from network.search import search_results_changed
from sources.models import Source


def sources_export(user) -> list[dict[str, Any]] | None:
    suggestions = [
        {
            "ref": source.ref,
            "title": source.title,
            "author": source.author,
            "year": source.year,
            "url": source.url,
            "summary": source.summary,
            "kind": source.kind,
            "status": source.status,
            "rejection_reason": source.rejection_reason,
            "suggested_at": source.created_at.isoformat(),
        }
        for source in Source.objects.filter(suggested_by=user).order_by("created_at", "pk")
    ]
    return suggestions or None


@transaction.atomic
def sources_erase(user) -> None:
    """Suggestions nobody approved are the person's alone and go; an approved source is
    the library's and stays, no longer linked to them. A review they made stays, unsigned."""
    Source.objects.filter(suggested_by=user).exclude(status=Source.Status.APPROVED).delete()
    Source.objects.filter(suggested_by=user).update(suggested_by=None)
    Source.objects.filter(reviewed_by=user).update(reviewed_by=None)
    search_results_changed()
