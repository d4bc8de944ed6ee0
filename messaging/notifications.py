"""Email about unread messages (docs/messaging.md): after 10 minutes unread, or as a daily
digest, or never, per a person's MessagingSettings; each mail has a one-click unsubscribe.

Nobody is emailed about a message they have read, wrote, or were already emailed about
(`Participant.emailed_seq`), nor while they are reading the conversation (their read
marker moved in the last 10 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from messaging.models import Message, MessagingSettings, Participant
from network.models import Person

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
    with translation.override(settings.LANGUAGE_CODE):
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


def _mark_emailed(participations: list[Participant]) -> None:
    for p in participations:
        Participant.objects.filter(pk=p.pk, emailed_seq__lt=p.conversation.last_seq).update(
            emailed_seq=p.conversation.last_seq
        )


def unread_emails_send(*, now=None) -> int:
    """Mail everyone (preference: at once) with a message unread for 10 minutes."""
    from django.db.models import Q

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
    for mail in mails.values():
        _send(mail, digest=False)
        _mark_emailed(mail.participations)
    return len(mails)


def daily_digests_send(*, now=None) -> int:
    """One mail a day with every conversation that has unread messages (preference: daily)."""
    from django.db.models import Q

    now = now or timezone.now()
    wanted = Q(person__messaging_settings__email_frequency=MessagingSettings.EmailFrequency.DAILY)
    mails: dict[int, UnreadMail] = {}
    for p in _unread_participations(wanted):
        mails.setdefault(p.person_id, UnreadMail(person=p.person)).participations.append(p)
    sent = 0
    for person_id, mail in mails.items():
        row = MessagingSettings.objects.get(person_id=person_id)
        if row.digest_sent_at and now - row.digest_sent_at < DIGEST_INTERVAL:
            continue
        _send(mail, digest=True)
        _mark_emailed(mail.participations)
        MessagingSettings.objects.filter(pk=row.pk).update(digest_sent_at=now)
        sent += 1
    return sent
