"""Writes in messaging: conversations, the message send path, read state, reports.

The send path (docs/messaging.md, after Zulip's `check_message`/`do_send_messages`):
`message_send` validates everything bad input can break, stores the message with the
conversation's next `seq` under a row lock (idempotent on `client_id`), and on commit
sends the `message.new` frame to each participant's personal group. Every path (the
WebSocket consumer, the no-JS form, the API) goes through it.
"""

from __future__ import annotations

import codecs
import logging
import re
import time
import weakref
import zipfile
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from redis.exceptions import RedisError

from messaging import selectors
from messaging.database import connection_answered, connection_still_healthy, db, fetch_one
from messaging.formatting import body_to_html, mention_refs, message_html
from messaging.limits import awindow_count, person_wait, window_count
from messaging.models import (
    Attachment,
    Conversation,
    Message,
    MessagingSettings,
    Notification,
    Participant,
    Report,
)
from messaging.notifications import reading_mark
from messaging.realtime import broadcast_on_commit
from network.blocks import blocked_between_sql, is_blocked_between
from network.models import Membership, Organisation, Person, Theme

logger = logging.getLogger(__name__)

MAX_BODY_LENGTH = 10_000
MAX_CLIENT_ID_LENGTH = 64
MAX_SEQ = 2**53  # beyond what JavaScript counts exactly: never a real seq
EDIT_WINDOW = timedelta(minutes=15)
MAX_ATTACHMENT_SIZE = 10 * 1024 * 1024
# Extension → content type; the file's first bytes must agree (see _SNIFFERS).
ALLOWED_ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "txt": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


# Errors --------------------------------------------------------------------------------


class MessagingError(Exception):
    """A refusal with a protocol error code (docs/contracts.md §6) and a readable detail."""

    code = "invalid"
    status = 400

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail or self.code


class Invalid(MessagingError):
    code = "invalid"
    status = 422


class Forbidden(MessagingError):
    code = "forbidden"
    status = 403


class NotFound(MessagingError):
    code = "not_found"
    status = 404


class TooLong(MessagingError):
    code = "too_long"
    status = 422


class RateLimited(MessagingError):
    code = "rate_limited"
    status = 429


# Frames --------------------------------------------------------------------------------


def message_frame(
    message: Message, *, frame_type: str = "message.new", html: bool = True
) -> dict[str, Any]:
    """The `message.new` frame (docs/contracts.md §6), plus the flags for edits and deletions
    and `html`: the message drawn once, for every recipient, in the interface's first
    language (formatting.message_html; the consumer redraws it for a socket in another).

    `message.author` must be loaded (select_related) or None; attachments prefetched."""
    removed = message.deleted_at is not None or message.hidden_at is not None
    frame: dict[str, Any] = {
        "type": frame_type,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "id": message.pk,
        "author": message.author.ref if message.author_id else None,
        "author_name": message.author.name if message.author_id else "",
        "body": "" if removed else message.body,
        "body_html": "" if removed else message.body_html,
        "client_id": message.client_id,
        "sent_at": message.sent_at.isoformat(),
        "edited": message.edited_at is not None,
        "deleted": message.deleted_at is not None,
        "hidden": message.hidden_at is not None,
    }
    attachments = getattr(message, "_prefetched_objects_cache", {}).get("attachments")
    if attachments is None and getattr(message, "_fresh_attachments", None) is not None:
        attachments = message._fresh_attachments
    frame["attachments"] = (
        []
        if removed or attachments is None
        else [
            {
                "id": a.pk,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "url": reverse("messaging:attachment", args=[message.conversation_id, a.pk]),
            }
            for a in attachments
        ]
    )
    if html:
        with translation.override(settings.LANGUAGE_CODE):
            frame["html"] = message_html(frame, edit_window=EDIT_WINDOW)
    return frame


# Who may message whom ------------------------------------------------------------------


def messaging_settings_for(person: Person) -> MessagingSettings:
    settings_row, _created = MessagingSettings.objects.get_or_create(person=person)
    return settings_row


@transaction.atomic
def messaging_settings_update(
    *, person: Person, who_may_message: str, email_frequency: str
) -> MessagingSettings:
    row = messaging_settings_for(person)
    row.who_may_message = who_may_message
    row.email_frequency = email_frequency
    row.full_clean()
    row.save()
    return row


def may_start_conversation(*, sender: Person, recipient: Person) -> bool:
    """Whether `sender` may open a direct or group conversation with `recipient`.

    Blocks always win. Otherwise the recipient's setting decides: anyone signed in, or
    only people they share an organisation or a conversation with (an introduction
    conversation is what an accepted match leaves behind; open topic channels do not
    count, since anyone can join one)."""
    if sender.pk == recipient.pk:
        return True
    if is_blocked_between(sender.pk, recipient.pk):
        return False
    who = (
        MessagingSettings.objects.filter(person=recipient)
        .values_list("who_may_message", flat=True)
        .first()
    ) or MessagingSettings.WhoMayMessage.ANYONE
    if who == MessagingSettings.WhoMayMessage.ANYONE:
        return True
    shared_organisation = Membership.objects.filter(
        person=recipient,
        organisation__in=Membership.objects.filter(person=sender).values("organisation"),
    ).exists()
    if shared_organisation:
        return True
    return (
        Participant.objects.filter(
            person=recipient,
            conversation__in=Participant.objects.filter(person=sender).values("conversation"),
        )
        .exclude(conversation__kind=Conversation.Kind.TOPIC)
        .exists()
    )


# Conversations -------------------------------------------------------------------------


def _conversation_notice(conversation: Conversation, person_ids: Iterable[int]) -> None:
    broadcast_on_commit(
        person_ids,
        {
            "type": "conversation.new",
            "conversation": conversation.pk,
            "kind": conversation.kind,
            "title": conversation.title,
        },
    )


def _add_participants(conversation: Conversation, people: Iterable[Person]) -> list[int]:
    existing = set(conversation.participants.values_list("person_id", flat=True))
    added = [p for p in {p.pk: p for p in people}.values() if p.pk not in existing]
    Participant.objects.bulk_create(
        [
            Participant(
                conversation=conversation,
                person=p,
                last_read_seq=conversation.last_seq,
                emailed_seq=conversation.last_seq,
            )
            for p in added
        ],
        ignore_conflicts=True,
    )
    return [p.pk for p in added]


@transaction.atomic
def conversation_start(
    *, creator: Person, participants: Sequence[Person], title: str = ""
) -> Conversation:
    """A direct conversation (one other person, no title; reused if it exists) or a group.

    `was_created` on the result tells whether it is new. Raises Forbidden when a participant does not accept conversations from the creator."""
    others = [p for p in {p.pk: p for p in participants}.values() if p.pk != creator.pk]
    title = (title or "").strip()
    if not others:
        raise Invalid(_("Choose at least one other person."))
    if len(title) > 200:
        raise TooLong(_("The title is longer than 200 characters."))
    for other in others:
        if not may_start_conversation(sender=creator, recipient=other):
            raise Forbidden(
                _("%(name)s does not accept new conversations from you.") % {"name": other.name}
            )
    if len(others) == 1 and not title:
        existing = (
            Conversation.objects.filter(kind=Conversation.Kind.DIRECT, participants__person=creator)
            .filter(participants__person=others[0])
            .first()
        )
        if existing is not None:
            existing.was_created = False
            return existing
        kind = Conversation.Kind.DIRECT
    else:
        kind = Conversation.Kind.GROUP
    # Only new conversations count: opening an existing direct one again is free.
    wait = person_wait(
        person_id=creator.pk,
        kind="conversation.start",
        limit=settings.MESSAGING_CONVERSATION_START_LIMIT,
    )
    if wait:
        raise RateLimited(_("You are starting conversations too fast; try again in a minute."))
    conversation = Conversation(kind=kind, title=title, created_by=creator)
    conversation.full_clean()
    conversation.save()
    conversation.was_created = True
    _add_participants(conversation, [creator, *others])
    Notification.objects.bulk_create(
        [
            Notification(person=p, kind=Notification.Kind.CONVERSATION, conversation=conversation)
            for p in others
        ]
    )
    _conversation_notice(conversation, [creator.pk, *(p.pk for p in others)])
    return conversation


@transaction.atomic
def conversation_open_introduction(
    *, participants: list[Person], title: str, body: str
) -> Conversation:
    """Called by matching when both sides said yes: an introduction conversation between
    `participants` whose first message is the system message `body`."""
    people = list({p.pk: p for p in participants}.values())
    if len(people) < 2:
        raise Invalid(_("An introduction needs at least two people."))
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.INTRODUCTION, title=(title or "")[:200]
    )
    _add_participants(conversation, people)
    message_post_system(conversation=conversation, body=body)
    Notification.objects.bulk_create(
        [
            Notification(person=p, kind=Notification.Kind.INTRODUCTION, conversation=conversation)
            for p in people
        ]
    )
    _conversation_notice(conversation, [p.pk for p in people])
    return conversation


def _require_group_creator(conversation: Conversation, actor: Person) -> None:
    if conversation.kind != Conversation.Kind.GROUP:
        raise Invalid(_("Only a group's members can be changed."))
    if conversation.created_by_id != actor.pk:
        raise Forbidden(_("Only the person who started this group can change its members."))


@transaction.atomic
def group_member_add(*, conversation: Conversation, actor: Person, person: Person) -> None:
    _require_group_creator(conversation, actor)
    if not may_start_conversation(sender=actor, recipient=person):
        raise Forbidden(
            _("%(name)s does not accept new conversations from you.") % {"name": person.name}
        )
    added = _add_participants(conversation, [person])
    if added:
        Notification.objects.create(
            person=person, kind=Notification.Kind.CONVERSATION, conversation=conversation
        )
        _conversation_notice(conversation, added)


@transaction.atomic
def group_member_remove(*, conversation: Conversation, actor: Person, person: Person) -> None:
    if person.pk != actor.pk:
        _require_group_creator(conversation, actor)
    elif conversation.kind not in (Conversation.Kind.GROUP, Conversation.Kind.TOPIC):
        raise Invalid(_("You cannot leave this conversation."))
    Participant.objects.filter(conversation=conversation, person=person).delete()


@transaction.atomic
def team_conversation_open(*, organisation: Organisation, person: Person) -> Conversation:
    """The organisation's team conversation, its participants brought up to date with the
    current members (someone who left the organisation leaves the conversation)."""
    member_ids = set(
        Membership.objects.filter(organisation=organisation).values_list("person_id", flat=True)
    )
    if person.pk not in member_ids:
        raise Forbidden(
            _("Only members of %(name)s can join its team conversation.")
            % {"name": organisation.name}
        )
    conversation, _created = Conversation.objects.get_or_create(
        kind=Conversation.Kind.TEAM,
        organisation=organisation,
        defaults={"title": organisation.name[:200]},
    )
    Participant.objects.filter(conversation=conversation).exclude(person_id__in=member_ids).delete()
    _add_participants(conversation, Person.objects.filter(pk__in=member_ids))
    return conversation


@transaction.atomic
def topic_join(*, theme: Theme, person: Person) -> Conversation:
    conversation, _created = Conversation.objects.get_or_create(
        kind=Conversation.Kind.TOPIC, theme=theme, defaults={"title": str(theme)[:200]}
    )
    _add_participants(conversation, [person])
    return conversation


@transaction.atomic
def topic_leave(*, conversation: Conversation, person: Person) -> None:
    if conversation.kind != Conversation.Kind.TOPIC:
        raise Invalid(_("Only topic channels can be left this way."))
    Participant.objects.filter(conversation=conversation, person=person).delete()


# Sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool
    # Who must hear of a new message when the caller broadcasts itself (defer_broadcast).
    recipients: tuple[int, ...] = ()

    @property
    def frame(self) -> dict[str, Any]:
        return message_frame(self.message)


def _check_seq(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("%(field)s must be a whole number.") % {"field": field})
    if value < 0 or value > MAX_SEQ:
        raise Invalid(_("%(field)s is out of range.") % {"field": field})
    return value


def _check_conversation_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("conversation must be a number."))
    if value <= 0 or value > 2**63 - 1:
        raise conversation_not_found()
    return value


def message_validate(*, body: Any, client_id: Any, attachments: Sequence[Any] = ()) -> str:
    """Everything bad input can break, before anything is stored; returns the clean body."""
    if not isinstance(body, str):
        raise Invalid(_("body must be text."))
    if not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID_LENGTH:
        raise Invalid(_("client_id must be text of at most 64 characters."))
    if "\x00" in body or "\x00" in client_id:
        raise Invalid(_("The message contains a NUL character."))
    if len(body) > MAX_BODY_LENGTH:
        raise TooLong(_("A message can be at most %(max)d characters.") % {"max": MAX_BODY_LENGTH})
    body = body.strip()
    if not body and not attachments:
        raise Invalid(_("The message is empty."))
    return body


def _rate_window(person: Person) -> tuple[str, int, int]:
    count, seconds = getattr(settings, "MESSAGING_RATE_LIMIT", (30, 10))
    return f"messaging:rate:{person.pk}:{int(time.time() // seconds)}", count, seconds


# What the cache (Redis) raises when it cannot be reached. The rate limit, presence and
# "is reading" marks live in the cache and are best effort: with Redis down a message is
# still stored and answered (delivery waits for `sync`), it just is not counted.
CACHE_UNREACHABLE = (RedisError, OSError)


def _cache_unreachable(what: str, error: Exception) -> None:
    logger.warning("messaging: %s skipped, the cache is unreachable: %r", what, error)


def _rate_limit_over(person: Person) -> bool:
    """Count one send in the sender's window; True when that goes over the limit. Fails
    open: with the cache unreachable nothing is counted and the send goes on."""
    key, count, seconds = _rate_window(person)
    try:
        return window_count(key, seconds) > count
    except CACHE_UNREACHABLE as error:
        _cache_unreachable("rate limit", error)
        return False


async def _arate_limit_over(person: Person) -> bool:
    """`_rate_limit_over` from an event loop (`limits.awindow_count`): the same window,
    count and failing open."""
    key, count, seconds = _rate_window(person)
    try:
        return await awindow_count(key, seconds) > count
    except CACHE_UNREACHABLE as error:
        _cache_unreachable("rate limit", error)
        return False


def _rate_limit_uncount(person: Person) -> None:
    """A send that turned out to repeat a stored message is no new message."""
    key, _count, seconds = _rate_window(person)
    try:
        window_count(key, seconds, -1)
    except CACHE_UNREACHABLE as error:
        _cache_unreachable("rate limit", error)


def _participant_ids(conversation_id: int) -> list[int]:
    return list(
        Participant.objects.filter(conversation_id=conversation_id).values_list(
            "person_id", flat=True
        )
    )


def _existing(conversation_id: int, author: Person, client_id: str) -> Message | None:
    if not client_id:
        return None
    return (
        Message.objects.filter(conversation_id=conversation_id, author=author, client_id=client_id)
        .select_related("author")
        .prefetch_related("attachments")
        .first()
    )


# Content sniffing ----------------------------------------------------------------------
# A file is shared only when its first bytes say it is what its name says: a browser, a
# viewer or a virus scanner trusts the contents, not the extension. One check per allowed
# type (tests/messaging/test_attachments.py sends a real file and a wrong one of each).

_SNIFF_BYTES = 64 * 1024
# Control characters that no text file has (tab, line breaks, form feed, ESC and the old
# DOS end-of-file mark are fine); binary files are full of them.
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1c-\x1f]")


def _zip_entry_start(head: bytes) -> tuple[bytes, bytes] | None:
    """The first ZIP entry's name and the bytes after its local header, if stored
    uncompressed (ODF requires that of its `mimetype` entry)."""
    if len(head) < 30 or not head.startswith(b"PK\x03\x04"):
        return None
    if int.from_bytes(head[8:10], "little") != 0:  # compressed
        return None
    name_length = int.from_bytes(head[26:28], "little")
    extra_length = int.from_bytes(head[28:30], "little")
    name = head[30 : 30 + name_length]
    return name, head[30 + name_length + extra_length :]


def _sniff_text(head: bytes, upload: UploadedFile) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = codecs.getincrementaldecoder("utf-16")().decode(head, final=False)
        except UnicodeDecodeError:
            return False
    else:
        # UTF-8 or an 8-bit encoding (Windows-1252): control characters are single bytes.
        text = head.decode("latin-1")
    return _TEXT_CONTROLS.search(text) is None


def _sniff_office_open_xml(main_part: str):
    """Word, Excel, PowerPoint: a ZIP with `[Content_Types].xml` and the document's part."""

    def sniff(head: bytes, upload: UploadedFile) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return False
        return "[Content_Types].xml" in names and main_part in names

    return sniff


def _sniff_open_document(mimetype: bytes):
    """OpenDocument: a ZIP whose first entry is `mimetype`, uncompressed, with its type."""

    def sniff(head: bytes, upload: UploadedFile) -> bool:
        entry = _zip_entry_start(head)
        return entry is not None and entry[0] == b"mimetype" and entry[1].startswith(mimetype)

    return sniff


def _sniff_prefix(*prefixes: bytes):
    return lambda head, upload: head.startswith(prefixes)


_SNIFFERS = {
    "pdf": _sniff_prefix(b"%PDF-"),
    "png": _sniff_prefix(b"\x89PNG\r\n\x1a\n"),
    "jpg": _sniff_prefix(b"\xff\xd8\xff"),
    "jpeg": _sniff_prefix(b"\xff\xd8\xff"),
    "gif": _sniff_prefix(b"GIF87a", b"GIF89a"),
    # RIFF is a container (WAV, AVI, WebP, ...): the form type at bytes 8-11 says which.
    "webp": lambda head, upload: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    "txt": _sniff_text,
    "docx": _sniff_office_open_xml("word/document.xml"),
    "xlsx": _sniff_office_open_xml("xl/workbook.xml"),
    "pptx": _sniff_office_open_xml("ppt/presentation.xml"),
    "odt": _sniff_open_document(b"application/vnd.oasis.opendocument.text"),
    "ods": _sniff_open_document(b"application/vnd.oasis.opendocument.spreadsheet"),
}
# What each type is called when a file is refused.
_TYPE_NAMES = {
    "pdf": gettext_lazy("PDF document"),
    "png": gettext_lazy("PNG image"),
    "jpg": gettext_lazy("JPEG photo"),
    "jpeg": gettext_lazy("JPEG photo"),
    "gif": gettext_lazy("GIF image"),
    "webp": gettext_lazy("WebP image"),
    "txt": gettext_lazy("text file"),
    "docx": gettext_lazy("Word document"),
    "xlsx": gettext_lazy("Excel spreadsheet"),
    "pptx": gettext_lazy("PowerPoint presentation"),
    "odt": gettext_lazy("OpenDocument text"),
    "ods": gettext_lazy("OpenDocument spreadsheet"),
}


def _attachment_check(upload: UploadedFile) -> tuple[str, str]:
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200] or "file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content_type = ALLOWED_ATTACHMENT_TYPES.get(extension)
    if content_type is None:
        raise Invalid(
            _("Files of this type cannot be shared; allowed: %(types)s.")
            % {"types": ", ".join(sorted(ALLOWED_ATTACHMENT_TYPES))}
        )
    if upload.size > MAX_ATTACHMENT_SIZE:
        raise TooLong(_("A file can be at most 10 MB."))
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    try:
        matches = _SNIFFERS[extension](head, upload)
    finally:
        upload.seek(0)
    if not matches:
        raise Invalid(
            _("%(name)s is not a %(type)s, although its name ends in .%(extension)s.")
            % {"name": name, "type": _TYPE_NAMES[extension], "extension": extension}
        )
    return name, content_type


def message_send(
    *,
    conversation_id: Any,
    author: Person,
    body: Any,
    client_id: Any = "",
    attachments: Sequence[UploadedFile] = (),
    defer_broadcast: bool = False,
) -> SendResult:
    """Validate, store with the next seq (idempotent on client_id), broadcast on commit.

    A repeat of a stored (conversation, author, client_id) answers the stored message with
    `created=False` and broadcasts nothing. With `defer_broadcast` the caller broadcasts
    `result.frame` to `result.recipients` after this returns (committed). The socket sends
    through `amessage_send`, the same steps from its event loop. See docs/messaging.md."""
    conversation_id = _check_conversation_id(conversation_id)
    body = message_validate(body=body, client_id=client_id, attachments=attachments)
    checked = [(upload, *_attachment_check(upload)) for upload in attachments]
    over_limit = _rate_limit_over(author)
    return _send_counted(
        conversation_id, author, body, client_id, checked, over_limit, defer_broadcast
    )


async def amessage_send(
    *, conversation_id: Any, author: Person, body: Any, client_id: Any = ""
) -> SendResult:
    """`message_send` for the socket, from its event loop; the caller broadcasts
    (`defer_broadcast`). The same steps and rules: validated, counted against the rate
    limit on the loop's own Redis connection (`limits.awindow_count`), and plain text on
    PostgreSQL stored by the one statement on the loop's own connection
    (`database.fetch_one`), so the common send never waits for a thread. Everything else
    finishes in the thread pool exactly as `message_send` would: a sender over the limit,
    a mention, a refusal to explain, a repeated client_id."""
    conversation_id = _check_conversation_id(conversation_id)
    body = message_validate(body=body, client_id=client_id)
    over_limit = await _arate_limit_over(author)
    if over_limit or "@" in body or not _one_statement_store():
        return await db(_send_counted)(
            conversation_id, author, body, client_id, [], over_limit, True
        )
    params = _plain_store_params(conversation_id, author, body, client_id)
    try:
        row = await fetch_one(_STORE_PLAIN_SQL, params)
    except psycopg.IntegrityError as error:
        # A repeated client_id: the statement rolled back, seq included.
        repeat = await db(_send_repeated)(conversation_id, author, client_id)
        if repeat is None:
            raise IntegrityError(*error.args) from error
        return repeat
    if row is None:
        raise await db(_store_refused)(conversation_id, author)
    return _plain_stored(row, params, author, defer_broadcast=True)


def _send_counted(
    conversation_id: int,
    author: Person,
    body: str,
    client_id: str,
    checked: Sequence[tuple[UploadedFile, str, str]],
    over_limit: bool,
    defer_broadcast: bool,
) -> SendResult:
    """The send once validated and counted against the rate limit: store it, or answer a
    repeat with the stored message."""
    if over_limit:
        # Over the limit nothing new is stored; a retry of a stored message is still
        # answered with that message.
        existing = _repeat_of(conversation_id, author, client_id)
        if existing is None:
            raise RateLimited(_("You are sending messages too fast; wait a moment."))
        return SendResult(existing, created=False)
    try:
        if not checked and "@" not in body and _one_statement_store():
            return _message_store_plain(
                conversation_id, author, body, client_id, defer_broadcast=defer_broadcast
            )
        return _message_store(
            conversation_id, author, body, client_id, checked, defer_broadcast=defer_broadcast
        )
    except IntegrityError:
        repeat = _send_repeated(conversation_id, author, client_id)
        if repeat is None:
            raise
        return repeat


def _send_repeated(conversation_id: int, author: Person, client_id: str) -> SendResult | None:
    """The store refused a copy (the unique constraint; the statement rolled back, seq
    included): the same client_id was stored before, or by a concurrent retry. The stored
    message, which is no new message for the rate limit; None when it was something else."""
    _rate_limit_uncount(author)
    existing = _repeat_of(conversation_id, author, client_id)
    if existing is None:
        return None
    return SendResult(existing, created=False)


def _one_statement_store() -> bool:
    """Plain text takes the one-statement store on PostgreSQL, unless
    MESSAGING_STORE_ONE_STATEMENT is False (then every message takes the general path:
    tests/messaging/test_send_rules.py compares the two that way)."""
    return connection.vendor == "postgresql" and getattr(
        settings, "MESSAGING_STORE_ONE_STATEMENT", True
    )


def _repeat_of(conversation_id: int, author: Person, client_id: str) -> Message | None:
    """The stored message this send repeats, if any (NotFound once the author left)."""
    existing = _existing(conversation_id, author, client_id)
    if existing is None:
        return None
    if not Participant.objects.filter(conversation_id=conversation_id, person=author).exists():
        raise conversation_not_found()
    return existing


def _send_refusal(
    *, kind: str | None, participant_ids: Sequence[int], author_id: int
) -> MessagingError | None:
    """The send rules, the one place they are written in Python: a conversation you are
    not a participant of (gone, never yours, or left) is `not_found` — the same answer as
    one that does not exist, so ids reveal nothing —, and in a direct conversation a
    block between the two people (`network.blocks`, either way) is `forbidden`; in other
    conversations a block does not stop you.

    The general store checks these under the conversation's row lock; the one-statement
    store checks the same in SQL (`_STORE_PLAIN_SQL`, whose block condition is
    `network.blocks.blocked_between_sql`) and asks this to say why it stored nothing.
    tests/messaging/test_send_rules.py runs every refusal through both."""
    if kind is None or author_id not in participant_ids:
        return conversation_not_found()
    if kind == Conversation.Kind.DIRECT and any(
        is_blocked_between(author_id, person_id)
        for person_id in participant_ids
        if person_id != author_id
    ):
        return Forbidden(_("You cannot send messages in this conversation."))
    return None


def _store_refused(conversation_id: int, author: Person) -> MessagingError:
    """Why the one-statement store stored nothing (two more queries; refusals are rare)."""
    kind = Conversation.objects.filter(pk=conversation_id).values_list("kind", flat=True).first()
    refusal = _send_refusal(
        kind=kind, participant_ids=_participant_ids(conversation_id), author_id=author.pk
    )
    # None: what refused the statement changed since (a block lifted): refuse this once.
    return refusal or Forbidden(_("You cannot send messages in this conversation."))


# The plain-text store in one statement and one round trip (PostgreSQL): take the next seq
# under the conversation's row lock (only when `_send_refusal` would refuse nothing: the
# author is a participant, and no block lies between the two people of a direct
# conversation — network.blocks' own condition, generated), insert the message, move the
# author's read and email markers, and return the message's id and seq with the recipient
# list. The statement is atomic: a repeated client_id (unique constraint) takes the seq
# back with it.
_STORE_PLAIN_SQL = f"""
WITH conversation AS (
    UPDATE messaging_conversation AS c
       SET last_seq = c.last_seq + 1, last_message_at = %(now)s
     WHERE c.id = %(conversation)s
       AND EXISTS (SELECT 1 FROM messaging_participant AS p
                    WHERE p.conversation_id = c.id AND p.person_id = %(author)s)
       AND NOT (c.kind = '{Conversation.Kind.DIRECT.value}' AND EXISTS (
            SELECT 1 FROM messaging_participant AS other
             WHERE other.conversation_id = c.id AND other.person_id <> %(author)s
               AND {blocked_between_sql("%(author)s", "other.person_id")}))
    RETURNING c.last_seq
), message AS (
    INSERT INTO messaging_message
           (conversation_id, seq, author_id, client_id, body, body_html, sent_at)
    SELECT %(conversation)s, conversation.last_seq, %(author)s, %(client_id)s, %(body)s,
           %(body_html)s, %(now)s
      FROM conversation
    RETURNING id, seq
), marker AS (
    UPDATE messaging_participant AS p
       SET last_read_seq = message.seq, emailed_seq = message.seq
      FROM message
     WHERE p.conversation_id = %(conversation)s AND p.person_id = %(author)s
)
SELECT message.id, message.seq,
       ARRAY(SELECT person_id FROM messaging_participant
              WHERE conversation_id = %(conversation)s ORDER BY person_id)
  FROM message
"""  # noqa: S608 - only constants are formatted in; values are bound parameters


# Raw connections on which this process set plan_cache_mode (see _execute_prepared).
_generic_plans: weakref.WeakSet = weakref.WeakSet()


def _execute_prepared(sql: str, params: dict[str, Any]) -> tuple | None:
    """Run `sql` as a server-side prepared statement with a generic plan on Django's
    connection and return its first row.

    Django's PostgreSQL cursors bind parameters on the client and never prepare (so that
    connection poolers keep working), which makes PostgreSQL plan the store statement on
    every send (benchmarks/messaging_store.py: 2.0 ms a store against 0.6 ms prepared).
    Prepared, PostgreSQL may still re-plan it every time ("custom plans"; seen on the
    benchmark database: 1.6 ms a store); every lookup in it is by key, so the generic
    plan is forced.
    `plan_cache_mode` only affects prepared statements, and Django prepares none, so
    setting it on the connection changes nothing else. Behind a pooler that cannot keep
    prepared statements (PgBouncer < 1.21 in transaction mode) set
    MESSAGING_PREPARED_STATEMENTS to False.

    The health check (CONN_HEALTH_CHECKS: a `SELECT 1` before the first query of every
    service call, each a round trip and two hand-overs of the GIL) is skipped for a
    connection that answered in the last few seconds and has nothing waiting on its
    socket (`connection_still_healthy`); any other gets it, and is replaced when it
    fails (tests/messaging/test_reliability.py terminates the backend between sends)."""
    if connection.connection is not None and connection_still_healthy(connection.connection):
        connection.health_check_done = True
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    prepare = getattr(settings, "MESSAGING_PREPARED_STATEMENTS", True)
    with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        if prepare and raw not in _generic_plans:
            cursor.execute("SET plan_cache_mode = force_generic_plan")
            _generic_plans.add(raw)
        cursor.execute(sql, params, prepare=prepare)
        row = cursor.fetchone()
    connection_answered(raw)
    return row


def _message_store_plain(
    conversation_id: int,
    author: Person,
    body: str,
    client_id: str,
    *,
    defer_broadcast: bool = False,
) -> SendResult:
    """`_message_store` for the common case (text without mentions or files) in one
    statement; the same rules, checked by the database (tests/messaging cover both)."""
    params = _plain_store_params(conversation_id, author, body, client_id)
    # Inside a caller's transaction a savepoint keeps a repeated client_id from breaking
    # it; on its own (the API, the pages) the statement needs no BEGIN and COMMIT.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with savepoint:
        row = _execute_prepared(_STORE_PLAIN_SQL, params)
    if row is None:
        raise _store_refused(conversation_id, author)
    return _plain_stored(row, params, author, defer_broadcast=defer_broadcast)


def _plain_store_params(
    conversation_id: int, author: Person, body: str, client_id: str
) -> dict[str, Any]:
    """The parameters of _STORE_PLAIN_SQL (the body rendered and sanitised here)."""
    return {
        "now": timezone.now(),
        "conversation": conversation_id,
        "author": author.pk,
        "client_id": client_id,
        "body": body,
        "body_html": body_to_html(body),
    }


def _plain_stored(
    row: tuple, params: dict[str, Any], author: Person, *, defer_broadcast: bool
) -> SendResult:
    """The message _STORE_PLAIN_SQL stored (its row: id, seq, the participants)."""
    message_id, seq, participant_ids = row
    message = Message(
        id=message_id,
        conversation_id=params["conversation"],
        seq=seq,
        author=author,
        client_id=params["client_id"],
        body=params["body"],
        body_html=params["body_html"],
        sent_at=params["now"],
    )
    message._fresh_attachments = []
    if defer_broadcast:
        return SendResult(message, created=True, recipients=tuple(participant_ids))
    broadcast_on_commit(participant_ids, message_frame(message))
    return SendResult(message, created=True)


_NEXT_SEQ_SQL = (
    "UPDATE messaging_conversation SET last_seq = last_seq + 1, last_message_at = %s "
    "WHERE id = %s RETURNING last_seq, kind"
)


@transaction.atomic
def _message_store(
    conversation_id: int,
    author: Person | None,
    body: str,
    client_id: str,
    attachments: Sequence[tuple[UploadedFile, str, str]] = (),
    *,
    defer_broadcast: bool = False,
) -> SendResult:
    """Any message, on any database: six round trips (BEGIN, the seq — UPDATE … RETURNING
    takes the conversation's row lock, so senders queue per conversation and seq has no
    gaps —, the participants, the INSERT, the author's read marker, COMMIT) plus mentions
    and files. Anything refused after the UPDATE raises, and the rollback takes the seq
    back with it. Plain text on PostgreSQL takes `_message_store_plain` instead."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SEQ_SQL, [now, conversation_id])
        row = cursor.fetchone()
    seq, kind = row if row is not None else (None, None)
    participants = list(
        Participant.objects.filter(conversation_id=conversation_id).values_list(
            "person_id", "person__ref"
        )
    )
    participant_ids = [person_id for person_id, _ref in participants]
    if author is not None:
        refusal = _send_refusal(kind=kind, participant_ids=participant_ids, author_id=author.pk)
        if refusal is not None:
            raise refusal
    elif row is None:
        raise conversation_not_found()
    refs = {ref.lower(): person_id for person_id, ref in participants}
    # Raises IntegrityError on a repeated client_id (handled by message_send).
    message = Message.objects.create(
        conversation_id=conversation_id,
        seq=seq,
        author=author,
        client_id=client_id,
        body=body,
        body_html=body_to_html(body, mentionable=refs) if "@" in body else body_to_html(body),
        sent_at=now,
    )
    if author is not None:
        # Your own message is read; and you are not emailed about what you wrote.
        Participant.objects.filter(conversation_id=conversation_id, person=author).update(
            last_read_seq=seq, emailed_seq=seq
        )
    message.author = author
    stored = [
        Attachment.objects.create(
            message=message, file=upload, name=name, content_type=content_type, size=upload.size
        )
        for upload, name, content_type in attachments
    ]
    message._fresh_attachments = stored
    mentioned = (
        [
            refs[ref]
            for ref in mention_refs(body)
            if ref in refs and (author is None or refs[ref] != author.pk)
        ]
        if "@" in body
        else []
    )
    if mentioned:
        message.mentions.set(mentioned)
        Notification.objects.bulk_create(
            [
                Notification(
                    person_id=person_id,
                    kind=Notification.Kind.MENTION,
                    conversation_id=conversation_id,
                    message=message,
                )
                for person_id in mentioned
            ]
        )
    if defer_broadcast:
        return SendResult(message, created=True, recipients=tuple(participant_ids))
    broadcast_on_commit(participant_ids, message_frame(message))
    return SendResult(message, created=True)


def message_post_system(*, conversation: Conversation, body: str) -> Message:
    """A message without an author (an introduction's opening line)."""
    body = (body or "").strip()[:MAX_BODY_LENGTH] or "…"
    return _message_store(conversation.pk, None, body, "").message


def _own_recent_message(message_id: Any, editor: Person) -> Message:
    if isinstance(message_id, bool) or not isinstance(message_id, int):
        raise Invalid(_("id must be a number."))
    message = (
        Message.objects.select_related("author")
        .filter(pk=message_id, conversation__participants__person=editor)
        .first()
    )
    if message is None:
        raise NotFound(_("No such message."))
    if message.author_id != editor.pk:
        raise Forbidden(_("You can only change your own messages."))
    if message.deleted_at or message.hidden_at:
        raise Invalid(_("This message was removed."))
    if timezone.now() - message.sent_at > EDIT_WINDOW:
        raise Forbidden(_("Messages can be changed for 15 minutes after sending."))
    return message


def _broadcast_change(message: Message) -> None:
    broadcast_on_commit(
        _participant_ids(message.conversation_id),
        message_frame(
            Message.objects.select_related("author")
            .prefetch_related("attachments")
            .get(pk=message.pk),
            frame_type="message.changed",
        ),
    )


@transaction.atomic
def message_edit(*, message_id: Any, editor: Person, body: Any) -> Message:
    message = _own_recent_message(message_id, editor)
    body = message_validate(body=body, client_id="", attachments=[None])
    if not body:
        raise Invalid(_("The message is empty."))
    refs = Participant.objects.filter(conversation_id=message.conversation_id).values_list(
        "person__ref", flat=True
    )
    message.body = body
    message.body_html = body_to_html(body, mentionable=refs)
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "body_html", "edited_at"])
    _broadcast_change(message)
    return message


@transaction.atomic
def message_delete(*, message_id: Any, editor: Person) -> Message:
    message = _own_recent_message(message_id, editor)
    message.deleted_at = timezone.now()
    message.save(update_fields=["deleted_at"])
    message.attachments.all().delete()
    _broadcast_change(message)
    return message


# Read state, typing, presence ----------------------------------------------------------


def read_mark(*, conversation_id: Any, person: Person, seq: Any) -> int:
    """Move the person's read marker forward (never back); tell the participants."""
    conversation_id = _check_conversation_id(conversation_id)
    seq = _check_seq(seq, "seq")
    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update()
            .select_related("conversation")
            .filter(conversation_id=conversation_id, person=person)
            .first()
        )
        if participant is None:
            raise conversation_not_found()
        seq = min(seq, participant.conversation.last_seq)
        try:
            reading_mark(person.pk, conversation_id)
        except CACHE_UNREACHABLE as error:  # an unread mail may come sooner, that is all
            _cache_unreachable("reading mark", error)
        if seq <= participant.last_read_seq:
            return participant.last_read_seq
        participant.last_read_seq = seq
        participant.save(update_fields=["last_read_seq"])
        Notification.objects.filter(
            person=person, conversation_id=conversation_id, read_at__isnull=True
        ).update(read_at=timezone.now())
        broadcast_on_commit(
            _participant_ids(conversation_id),
            {"type": "read", "conversation": conversation_id, "person": person.ref, "seq": seq},
        )
    return seq


def conversation_not_found() -> NotFound:
    """The one answer for a conversation the person cannot see, whether it exists or not:
    services, pages (404), the API (404, this detail) and the socket (`not_found`)."""
    return NotFound(_("No such conversation."))


def typing_signal(*, conversation_id: Any, person: Person) -> list[int]:
    """Tell the other participants that `person` is typing; returns who was told."""
    conversation_id = _check_conversation_id(conversation_id)
    participant_ids = _participant_ids(conversation_id)
    if person.pk not in participant_ids:
        raise conversation_not_found()
    others = [pid for pid in participant_ids if pid != person.pk]
    from messaging.realtime import broadcast

    broadcast(others, {"type": "typing", "conversation": conversation_id, "person": person.ref})
    return others


def sync_messages(*, conversation_id: Any, person: Person, after_seq: Any) -> tuple[list, int]:
    """The messages after `after_seq` (at most a page) and the seq the replay ends at."""
    conversation_id = _check_conversation_id(conversation_id)
    after_seq = _check_seq(after_seq, "after_seq")
    if not Participant.objects.filter(conversation_id=conversation_id, person=person).exists():
        raise conversation_not_found()
    messages = list(
        selectors.messages_after(conversation_id=conversation_id, after_seq=after_seq)[
            : selectors.SYNC_PAGE
        ]
    )
    last_seq = messages[-1].seq if messages else after_seq
    return [message_frame(m) for m in messages], last_seq


PRESENCE_TIMEOUT = 60 * 60


def presence_change(*, person: Person, online: bool) -> None:
    """Count this person's open sockets (in the cache, shared by all processes) and tell
    the people they share a non-topic conversation with when they come or go."""
    key = f"messaging:presence:{person.pk}"
    try:
        if online:
            if cache.add(key, 1, timeout=PRESENCE_TIMEOUT):
                changed = True
            else:
                cache.incr(key)
                changed = False
        else:
            try:
                remaining = cache.decr(key)
            except ValueError:
                remaining = 0
            changed = remaining <= 0
            if changed:
                cache.delete(key)
    except CACHE_UNREACHABLE as error:
        _cache_unreachable("presence", error)
        return
    if not changed:
        return
    contacts = (
        Participant.objects.filter(
            conversation__in=Participant.objects.filter(person=person)
            .exclude(conversation__kind=Conversation.Kind.TOPIC)
            .values("conversation")
        )
        .exclude(person=person)
        .values_list("person_id", flat=True)
        .distinct()[:500]
    )
    from messaging.realtime import broadcast

    broadcast(list(contacts), {"type": "presence", "person": person.ref, "online": online})


def people_online(person_ids: Iterable[int]) -> set[int]:
    ids = list(person_ids)
    try:
        values = cache.get_many([f"messaging:presence:{pid}" for pid in ids])
    except CACHE_UNREACHABLE as error:
        _cache_unreachable("presence", error)
        return set()
    return {pid for pid in ids if (values.get(f"messaging:presence:{pid}") or 0) > 0}


# Reports and moderation ----------------------------------------------------------------


@transaction.atomic
def message_report(*, message: Message, reporter: Person, reason: str = "") -> Report:
    if not Participant.objects.filter(
        conversation_id=message.conversation_id, person=reporter
    ).exists():
        raise conversation_not_found()
    report, _created = Report.objects.get_or_create(
        message=message, reporter=reporter, defaults={"reason": (reason or "")[:2000]}
    )
    return report


@transaction.atomic
def message_hide(*, message: Message, moderator) -> Message:
    if not getattr(moderator, "is_staff", False):
        raise Forbidden(_("Only staff can hide messages."))
    now = timezone.now()
    if message.hidden_at is None:
        message.hidden_at = now
        message.save(update_fields=["hidden_at"])
    Report.objects.filter(message=message, status=Report.Status.OPEN).update(
        status=Report.Status.HIDDEN, resolved_at=now, resolved_by=moderator
    )
    _broadcast_change(message)
    return message


@transaction.atomic
def report_dismiss(*, report: Report, moderator) -> Report:
    if not getattr(moderator, "is_staff", False):
        raise Forbidden(_("Only staff can handle reports."))
    Report.objects.filter(message=report.message, status=Report.Status.OPEN).update(
        status=Report.Status.DISMISSED, resolved_at=timezone.now(), resolved_by=moderator
    )
    report.refresh_from_db()
    return report


@transaction.atomic
def notifications_mark_read(*, person: Person) -> int:
    return Notification.objects.filter(person=person, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def validation_message(error: MessagingError | ValidationError) -> str:
    if isinstance(error, MessagingError):
        return error.detail
    return " ".join(error.messages)
