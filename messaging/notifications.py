"""Email about unread messages (docs/messaging.md): after 10 minutes unread, or as a daily
digest, or never, per a person's MessagingSettings; each mail has a one-click unsubscribe.

Nobody is emailed about a message they have read, wrote, or were already emailed about
(`Participant.emailed_seq`), nor while they are reading the conversation (their read
marker moved in the last 10 minutes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from smtplib import SMTPRecipientsRefused

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.i18n import in_language_of
from messaging.models import Message, MessagingSettings, Participant
from network.models import Person

logger = logging.getLogger(__name__)

UNREAD_DELAY = timedelta(minutes=10)
DIGEST_INTERVAL = timedelta(hours=20)
_SALT = "messaging.unsubscribe"


def unsubscribe_token(person: Person) -> str:
    return signing.dumps({"p": person.pk}, salt=_SALT, compress=True)


def unsubscribe_person(token: str) -> Person | None:
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        return None
    return Person.objects.filter(pk=data["p"]).first()


def unsubscribe_url(person: Person) -> str:
    path = reverse("messaging:unsubscribe", args=[unsubscribe_token(person)])
    return settings.BRUGGEN_BASE_URL.rstrip("/") + path


@transaction.atomic
def email_unsubscribe(*, person: Person) -> None:
    row, _created = MessagingSettings.objects.get_or_create(person=person)
    row.email_frequency = MessagingSettings.EmailFrequency.NEVER
    row.save(update_fields=["email_frequency"])


def reading_key(person_id: int, conversation_id: int) -> str:
    return f"messaging:reading:{person_id}:{conversation_id}"


def reading_mark(person_id: int, conversation_id: int) -> None:
    cache.set(reading_key(person_id, conversation_id), 1, timeout=int(UNREAD_DELAY.total_seconds()))


@dataclass
class UnreadMail:
    person: Person
    participations: list[Participant] = field(default_factory=list)


def _unread_participations(frequency_filter):
    return (
        Participant.objects.filter(
            conversation__last_seq__gt=F("last_read_seq"),
            person__user__isnull=False,
            person__user__is_active=True,
        )
        .filter(conversation__last_seq__gt=F("emailed_seq"))
        .filter(frequency_filter)
        .select_related("person", "person__user", "conversation")
        .order_by("person_id", "conversation_id")
    )


def _send(mail: UnreadMail, *, digest: bool) -> None:
    person = mail.person
    base = settings.BRUGGEN_BASE_URL.rstrip("/")
    context = {
        "person": person,
        "digest": digest,
        "conversations": [
            {
                "title": str(p.conversation),
                "unread": p.conversation.last_seq - p.last_read_seq,
                "url": base + reverse("messaging:conversation_detail", args=[p.conversation_id]),
            }
            for p in mail.participations
        ],
        "unsubscribe_url": unsubscribe_url(person),
        "settings_url": base + reverse("messaging:settings"),
    }
    with in_language_of(person):
        subject = render_to_string("messaging/email/unread_subject.txt", context).strip()
        body = render_to_string("messaging/email/unread.txt", context)
    message = EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=body,
        to=[person.user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send()


def _claim(participations: list[Participant]) -> list[tuple[Participant, int]]:
    """Mark each conversation as emailed up to its last message before sending; returns the
    ones this run claimed with their previous mark. A conversation another run (or an
    earlier attempt of this one) already claimed is left out, so a retry never mails twice."""
    claimed = []
    for p in participations:
        previous = p.emailed_seq
        if Participant.objects.filter(pk=p.pk, emailed_seq__lt=p.conversation.last_seq).update(
            emailed_seq=p.conversation.last_seq
        ):
            claimed.append((p, previous))
    return claimed


def _unclaim(claimed: list[tuple[Participant, int]]) -> None:
    for p, previous in claimed:
        Participant.objects.filter(pk=p.pk, emailed_seq=p.conversation.last_seq).update(
            emailed_seq=previous
        )


def _send_once(mail: UnreadMail, *, digest: bool) -> bool:
    """Claim, then send; a failed send gives the claim back and raises, so the task retries
    this person later (messaging.tasks). A refused address is logged and not retried."""
    claimed = _claim(mail.participations)
    if not claimed:
        return False
    try:
        _send(UnreadMail(person=mail.person, participations=[p for p, _ in claimed]), digest=digest)
    except SMTPRecipientsRefused as error:
        logger.warning("messaging: mail to person %s refused: %r", mail.person.pk, error)
        return False
    except Exception:
        _unclaim(claimed)
        raise
    return True


def unread_emails_send(*, now=None) -> int:
    """Mail everyone (preference: at once) with a message unread for 10 minutes."""
    now = now or timezone.now()
    cutoff = now - UNREAD_DELAY
    wanted = Q(person__messaging_settings__isnull=True) | Q(
        person__messaging_settings__email_frequency=MessagingSettings.EmailFrequency.IMMEDIATELY
    )
    mails: dict[int, UnreadMail] = {}
    for p in _unread_participations(wanted):
        if cache.get(reading_key(p.person_id, p.conversation_id)):
            continue
        first_unread = max(p.last_read_seq, p.emailed_seq) + 1
        due = Message.objects.filter(
            conversation_id=p.conversation_id, seq=first_unread, sent_at__lte=cutoff
        ).exists()
        if due:
            mails.setdefault(p.person_id, UnreadMail(person=p.person)).participations.append(p)
    return sum(_send_once(mail, digest=False) for mail in mails.values())


def daily_digests_send(*, now=None) -> int:
    """One mail a day with every conversation that has unread messages (preference: daily)."""
    now = now or timezone.now()
    wanted = Q(person__messaging_settings__email_frequency=MessagingSettings.EmailFrequency.DAILY)
    mails: dict[int, UnreadMail] = {}
    for p in _unread_participations(wanted):
        mails.setdefault(p.person_id, UnreadMail(person=p.person)).participations.append(p)
    sent = 0
    for person_id, mail in mails.items():
        row = MessagingSettings.objects.get(person_id=person_id)
        # Claimed before sending, like the conversations: a retry or a second run skips it.
        due = Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=now - DIGEST_INTERVAL)
        if not MessagingSettings.objects.filter(due, pk=row.pk).update(digest_sent_at=now):
            continue
        try:
            sent += _send_once(mail, digest=True)
        except Exception:
            MessagingSettings.objects.filter(pk=row.pk, digest_sent_at=now).update(
                digest_sent_at=row.digest_sent_at
            )
            raise
    return sent
