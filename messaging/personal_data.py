"""Messaging's part of a person's data export and account deletion (docs/accounts.md).

The step runs before the network's `profile` step: it finds the person's messages through
their Person, which that step removes.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.formatting import body_to_html
from messaging.models import (
    Attachment,
    Message,
    MessagingSettings,
    Notification,
    Participant,
    Report,
)
from network.models import Person


def _iso(value) -> str | None:
    return value.isoformat() if value else None


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
            {
                "id": p.conversation_id,
                "kind": p.conversation.kind,
                "title": p.conversation.title,
                "joined_at": _iso(p.joined_at),
                "last_read_seq": p.last_read_seq,
            }
            for p in Participant.objects.filter(person=person).select_related("conversation")
        ],
        "messages": [
            {
                "id": m.pk,
                "conversation": m.conversation_id,
                "seq": m.seq,
                "body": m.body,
                "sent_at": m.sent_at.isoformat(),
                "edited_at": _iso(m.edited_at),
                "deleted": m.deleted_at is not None,
            }
            for m in Message.objects.filter(author=person).order_by("sent_at")
        ],
        # What the files are, not their bytes: the person can still open them in the
        # conversation while the account exists.
        "attachments": [
            {
                "id": a.pk,
                "message": a.message_id,
                "conversation": a.message.conversation_id,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in Attachment.objects.filter(message__author=person)
            .select_related("message")
            .order_by("pk")
        ],
        "mentioned_in": list(
            Message.objects.filter(mentions=person).order_by("pk").values_list("pk", flat=True)
        ),
        "notifications": [
            {
                "kind": n.kind,
                "conversation": n.conversation_id,
                "message": n.message_id,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in Notification.objects.filter(person=person).order_by("created_at")
        ],
        "reports": list(
            Report.objects.filter(reporter=person)
            .order_by("created_at")
            .values("message_id", "reason", "status")
        ),
    }


# What a system message says instead of the name of someone who deleted their account.
ERASED_NAME = _("someone who left Bruggen")


def _forget_name_in_system_messages(person: Person) -> None:
    """An introduction's opening line names both sides ("Aisha and Stichting X: you both
    said yes…"). When one side deletes their account, the line stays for the other but no
    longer names them. The line was written in one language when it was sent, so the name is
    replaced where it stands."""
    name = (person.name or "").strip()
    if not name:
        return
    system = Message.objects.filter(
        author__isnull=True,
        deleted_at__isnull=True,
        conversation__participants__person=person,
        body__contains=name,
    )
    for message in system:
        message.body = message.body.replace(name, str(ERASED_NAME))
        message.body_html = body_to_html(message.body)
        message.save(update_fields=["body", "body_html"])


@transaction.atomic
def messaging_erase(user) -> None:
    """The person's messages keep their place (the others' `seq` must not gap) but lose
    their text, mentions, attachments (rows and files) and author; the others' messages and
    the conversations stay. Their participations, notifications, reports, settings go."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        return
    # One by one through the ORM: each row's file leaves the disk once this commits
    # (messaging.models, the post_delete receiver), as for every other way a row goes.
    attachments = list(Attachment.objects.filter(message__author=person))
    # Deleted through the ORM, one instance at a time, so that deletion signals fire.
    for attachment in attachments:
        attachment.delete()
    own = Message.objects.filter(author=person)
    Message.mentions.through.objects.filter(message__in=own).delete()
    own.update(body="", body_html="", client_id="", deleted_at=timezone.now(), author=None)
    _forget_name_in_system_messages(person)
    Notification.objects.filter(person=person).delete()
    Report.objects.filter(reporter=person).delete()
    Participant.objects.filter(person=person).delete()
    MessagingSettings.objects.filter(person=person).delete()
