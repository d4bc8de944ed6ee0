"""The guided start's part of a person's data export and account deletion (docs/accounts.md):
what they said brings them to Bruggen, and a half-filled step they left."""

from __future__ import annotations

from typing import Any

from home.models import GuidedStart


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def guided_start_export(user) -> dict[str, Any] | None:
    start = GuidedStart.objects.filter(user=user).first()
    if start is None:
        return None
    return {
        "purposes": list(start.purposes),
        "step": start.step,
        "draft": start.draft,
        "finished_at": _iso(start.finished_at),
        "dismissed_at": _iso(start.dismissed_at),
        "created_at": _iso(start.created_at),
    }


def guided_start_erase(user) -> None:
    GuidedStart.objects.filter(user=user).delete()
