"""Messaging's part of a person's data export and account deletion (docs/accounts.md)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from messaging.models import Message, MessagingSettings, Notification, Participant, Report
from network.models import Person


def messaging_export(user) -> dict[str, Any] | None:
    person = Person.objects.filter(user=user).first()
    if person is None:
        return None
    settings_row = MessagingSettings.objects.filter(person=person).first()
    return {
        "settings": {
            "who_may_message": settings_row.who_may_message if settings_row else "anyone",
            "email_frequency": settings_row.email_frequency if settings_row else "immediately",
        },
        "conversations": [
            {"id": p.conversation_id, "kind": p.conversation.kind, "title": p.conversation.title}
            for p in Participant.objects.filter(person=person).select_related("conversation")
        ],
        "messages": [
            {
                "conversation": m.conversation_id,
                "seq": m.seq,
                "body": m.body,
                "sent_at": m.sent_at.isoformat(),
                "deleted": m.deleted_at is not None,
            }
            for m in Message.objects.filter(author=person).order_by("sent_at")
        ],
        "reports": list(Report.objects.filter(reporter=person).values("message_id", "reason")),
    }


@transaction.atomic
def messaging_erase(user) -> None:
    """Messages keep their place (others' seq must not gap) but lose their text."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        return
    Message.objects.filter(author=person).update(
        body="", body_html="", deleted_at=timezone.now(), author=None
    )
    Notification.objects.filter(person=person).delete()
    Participant.objects.filter(person=person).delete()
    MessagingSettings.objects.filter(person=person).delete()
