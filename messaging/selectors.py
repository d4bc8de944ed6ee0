"""Reads in messaging: a person's conversations with unread counts, history, search."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet, Sum

from messaging.models import Conversation, Message, Notification, Participant, Report
from network.models import Person
from network.selectors import people_visible_to

SYNC_PAGE = 500
HISTORY_PAGE = 100


def conversations_for(person: Person) -> QuerySet[Participant]:
    """The person's participations, newest activity first, each with `unread` and the
    conversation's participants (two queries, whatever the length)."""
    return (
        Participant.objects.filter(person=person)
        .select_related("conversation", "conversation__theme", "conversation__organisation")
        .prefetch_related(
            Prefetch(
                "conversation__participants",
                queryset=Participant.objects.select_related("person").order_by("person__name"),
            )
        )
        .annotate(unread=F("conversation__last_seq") - F("last_read_seq"))
        .order_by(F("conversation__last_message_at").desc(nulls_last=True), "-conversation_id")
    )


def unread_total(person: Person | None) -> int:
    if person is None:
        return 0
    total = Participant.objects.filter(person=person).aggregate(
        total=Sum(F("conversation__last_seq") - F("last_read_seq"))
    )["total"]
    return max(int(total or 0), 0)


def participation(*, conversation_id: int, person: Person) -> Participant | None:
    return (
        Participant.objects.filter(conversation_id=conversation_id, person=person)
        .select_related("conversation", "conversation__organisation", "conversation__theme")
        .first()
    )


def messages_after(*, conversation_id: int, after_seq: int = 0) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation_id=conversation_id, seq__gt=after_seq)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("seq")
    )


def messages_latest(*, conversation_id: int, limit: int = HISTORY_PAGE) -> list[Message]:
    """The last `limit` messages, oldest first (the conversation page's history)."""
    latest = list(
        Message.objects.filter(conversation_id=conversation_id)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("-seq")[:limit]
    )
    latest.reverse()
    return latest


def people_to_message(*, refs: Iterable[str], viewer) -> QuerySet[Person]:
    """The people with these refs that `viewer` (a user) may see, by network's visibility
    rule, and who have an account to read messages with. A hidden profile is left out
    exactly as an unknown ref is, so starting a conversation reveals neither."""
    return people_visible_to(viewer=viewer).filter(ref__in=list(refs), user__isnull=False)


def conversation_people(conversation_id: int) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(conversation_id=conversation_id)
        .select_related("person")
        .order_by("person__name")
    )


def message_search(*, person: Person, q: str, limit: int = 50) -> QuerySet[Message]:
    """Messages in the person's own conversations that match `q` (PostgreSQL full text in
    Dutch and simple configurations when available, otherwise a substring match)."""
    q = (q or "").strip()[:200]
    base = (
        Message.objects.filter(
            conversation__participants__person=person,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
        )
        .select_related("author", "conversation")
        .order_by("-sent_at")
    )
    if not q:
        return base.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("body", config="dutch") + SearchVector("body", config="simple")
        query = SearchQuery(q, config="dutch", search_type="websearch") | SearchQuery(
            q, config="simple", search_type="websearch"
        )
        return base.annotate(search=vector).filter(Q(search=query) | Q(body__icontains=q))[:limit]
    return base.filter(body__icontains=q)[:limit]


def notifications_for(person: Person, limit: int = 50) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(person=person)
        .select_related("conversation", "message", "message__author")
        .order_by("-created_at")[:limit]
    )


def reports_open() -> QuerySet[Report]:
    return (
        Report.objects.filter(status=Report.Status.OPEN)
        .select_related("message", "message__author", "message__conversation", "reporter")
        .order_by("created_at")
    )


def conversation_by_id(conversation_id: int) -> Conversation | None:
    return Conversation.objects.filter(pk=conversation_id).first()
