"""Messaging in the API (docs/contracts.md §5; docs/messaging.md, docs/api.md).

A message posted here goes through the same `message_send` as the WebSocket, so it
reaches every open socket of the participants."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import field_validator

from accounts.api import api_auth
from config.api_docs import examples
from messaging import selectors, services
from messaging.models import Participant
from network.api import _no_nul
from network.models import Person
from network.selectors import person_for_user

router = Router(tags=["messaging"], auth=api_auth)

CONVERSATION_EXAMPLE = {
    "id": 7,
    "kind": "direct",
    "title": "",
    "participants": ["p-annelies", "p-youssef"],
    "last_seq": 12,
    "last_read_seq": 10,
    "unread": 2,
    "last_message_at": "2026-01-05T14:03:00+00:00",
}
MESSAGE_EXAMPLE = {
    "conversation": 7,
    "seq": 12,
    "id": 311,
    "author": "p-annelies",
    "author_name": "Annelies Verhoef",
    "body": "Zullen we donderdag bellen?",
    "body_html": "<p>Zullen we donderdag bellen?</p>",
    "client_id": "c-5d1e",
    "sent_at": "2026-01-05T14:03:00+00:00",
    "edited": False,
    "deleted": False,
    "hidden": False,
    "attachments": [],
}

MAX_OFFSET = 1_000_000


def _person(request: HttpRequest) -> Person:
    person = person_for_user(request.auth)
    if person is None:
        raise HttpError(403, "Complete your profile before you take part in conversations.")
    return person


def _refuse(error: services.MessagingError) -> HttpError:
    return HttpError(error.status, error.detail)


class ConversationOut(Schema):
    id: int
    kind: str
    title: str
    participants: list[str]
    last_seq: int
    last_read_seq: int
    unread: int
    last_message_at: str | None


def _conversation_out(participation: Participant) -> dict[str, Any]:
    conversation = participation.conversation
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "title": str(conversation) if conversation.title else "",
        "participants": [p.person.ref for p in conversation.participants.all()],
        "last_seq": conversation.last_seq,
        "last_read_seq": participation.last_read_seq,
        "unread": max(conversation.last_seq - participation.last_read_seq, 0),
        "last_message_at": (
            conversation.last_message_at.isoformat() if conversation.last_message_at else None
        ),
    }


class ConversationList(Schema):
    count: int
    items: list[ConversationOut]


class ListQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get(
    "/conversations",
    response=ConversationList,
    openapi_extra=examples(
        query="?limit=20&offset=0", response={"count": 1, "items": [CONVERSATION_EXAMPLE]}
    ),
)
def conversation_list(request: HttpRequest, query: Query[ListQuery]):
    """The caller's conversations, newest activity first, with unread counts."""
    participations = selectors.conversations_for(_person(request))
    page = list(participations[query.offset : query.offset + query.limit])
    return {"count": participations.count(), "items": [_conversation_out(p) for p in page]}


class ConversationIn(Schema):
    participants: list[str] = Field(..., min_length=1, max_length=50)
    title: str = Field("", max_length=200)

    @field_validator("*")
    @classmethod
    def _reject_nul(cls, value):
        if isinstance(value, list):
            return [_no_nul(item) for item in value]
        return _no_nul(value)


@router.post(
    "/conversations",
    response={201: ConversationOut, 200: ConversationOut},
    openapi_extra=examples(
        status=201,
        also=(200,),
        request={"participants": ["p-youssef"], "title": ""},
        response={**CONVERSATION_EXAMPLE, "last_seq": 0, "last_read_seq": 0, "unread": 0},
    ),
)
def conversation_create(request: HttpRequest, payload: ConversationIn):
    """Start a conversation with people (by ref); the caller is a participant. A direct
    conversation (one other person, no title) that exists already is answered with 200."""
    person = _person(request)
    refs = [ref.strip().lower() for ref in payload.participants]
    people = list(selectors.people_to_message(refs=refs, viewer=request.auth))
    missing = sorted(set(refs) - {p.ref for p in people})
    if missing:
        raise HttpError(422, f"Unknown people: {', '.join(missing)}")
    try:
        conversation = services.conversation_start(
            creator=person, participants=people, title=payload.title
        )
    except services.MessagingError as error:
        raise _refuse(error) from error
    participation = selectors.conversations_for(person).get(conversation=conversation)
    return Status(201 if conversation.was_created else 200, _conversation_out(participation))


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    conversation: int
    seq: int
    id: int
    author: str | None
    author_name: str
    body: str
    body_html: str
    client_id: str
    sent_at: str
    edited: bool
    deleted: bool
    hidden: bool
    attachments: list[AttachmentOut]


class MessageList(Schema):
    count: int
    last_seq: int
    items: list[MessageOut]


class MessageQuery(Schema):
    after_seq: int = Field(0, ge=0, le=services.MAX_SEQ)
    limit: int = Field(50, ge=1, le=500)


def _participation(request: HttpRequest, conversation_id: int) -> tuple[Person, Participant]:
    """The caller's participation; one 404 for a conversation that does not exist and one
    they cannot see (the service's own `not_found`)."""
    person = _person(request)
    participation = None
    if 0 < conversation_id <= 2**63 - 1:
        participation = selectors.participation(conversation_id=conversation_id, person=person)
    if participation is None:
        raise _refuse(services.conversation_not_found())
    return person, participation


@router.get(
    "/conversations/{conversation_id}/messages",
    response=MessageList,
    openapi_extra=examples(
        query="?after_seq=11&limit=50",
        response={"count": 1, "last_seq": 12, "items": [MESSAGE_EXAMPLE]},
    ),
)
def message_list(request: HttpRequest, conversation_id: int, query: Query[MessageQuery]):
    """Messages with `seq` above `after_seq`, oldest first; page on with the last `seq`."""
    _person_row, participation = _participation(request, conversation_id)
    messages = selectors.messages_after(conversation_id=conversation_id, after_seq=query.after_seq)
    page = list(messages[: query.limit])
    return {
        "count": messages.count(),
        "last_seq": participation.conversation.last_seq,
        "items": [services.message_frame(m) for m in page],
    }


class MessageIn(Schema):
    body: str = Field(..., max_length=1_000_000)
    client_id: str = Field("", max_length=services.MAX_CLIENT_ID_LENGTH)

    @field_validator("*")
    @classmethod
    def _reject_nul(cls, value):
        return _no_nul(value)


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: MessageOut, 200: MessageOut},
    openapi_extra=examples(
        status=201,
        also=(200,),
        request={"body": "Zullen we donderdag bellen?", "client_id": "c-5d1e"},
        response=MESSAGE_EXAMPLE,
    ),
)
def message_create(request: HttpRequest, conversation_id: int, payload: MessageIn):
    """Send a message (idempotent on `client_id`: a repeat answers the stored one, 200)."""
    person, _participation_row = _participation(request, conversation_id)
    try:
        result = services.message_send(
            conversation_id=conversation_id,
            author=person,
            body=payload.body,
            client_id=payload.client_id,
        )
    except services.MessagingError as error:
        raise _refuse(error) from error
    return Status(201 if result.created else 200, result.frame)


class ReadIn(Schema):
    seq: int | None = Field(
        None, ge=0, le=services.MAX_SEQ, description="read up to here; the last message if left out"
    )


class ReadOut(Schema):
    conversation: int
    last_read_seq: int
    unread: int


@router.post(
    "/conversations/{conversation_id}/read",
    response=ReadOut,
    openapi_extra=examples(
        request={"seq": 12}, response={"conversation": 7, "last_read_seq": 12, "unread": 0}
    ),
)
def conversation_read(request: HttpRequest, conversation_id: int, payload: ReadIn | None = None):
    """Mark the conversation read up to `seq` (or its last message), as opening it on the
    page does; the marker never moves back. The other participants' sockets hear a `read`."""
    person, participation = _participation(request, conversation_id)
    last_seq = participation.conversation.last_seq
    seq = last_seq if payload is None or payload.seq is None else payload.seq
    try:
        read = services.read_mark(conversation_id=conversation_id, person=person, seq=seq)
    except services.MessagingError as error:
        raise _refuse(error) from error
    return ReadOut(conversation=conversation_id, last_read_seq=read, unread=max(last_seq - read, 0))
