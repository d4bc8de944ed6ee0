"""`messaging_unread`: the unread count for the navigation badge (one query per page for a
signed-in person; chat.js keeps it current while the page is open)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from messaging.selectors import unread_total
from network.selectors import person_for_user


def unread(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        return unread_total(person_for_user(user))

    # Lazy: pages that never show the badge run no query.
    return {"messaging_unread": SimpleLazyObject(count)}
