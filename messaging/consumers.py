"""The realtime socket at /ws/ (CONTRACTS.md §6, docs/messaging.md).

The consumer authenticates, checks each frame's shape and calls `messaging.services`
through `database_sync_to_async`; the rules live in the services. Every socket of a
person joins their personal group `person.<id>`, to which the services send frames.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from messaging import services
from messaging.realtime import abroadcast, person_group
from network.selectors import person_for_user

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401


# The services' own thread pool (each thread keeps one database connection open), not
# Channels' single shared database thread: sends to different conversations go in
# parallel (the row lock orders them per conversation). Sized by MESSAGING_DB_THREADS:
# a send mostly waits on PostgreSQL and Redis round trips, and asyncio's default pool of
# cores + 4 threads became the queue at 200 messages a second (docs/messaging.md, Speed).
_executor = ThreadPoolExecutor(
    max_workers=getattr(settings, "MESSAGING_DB_THREADS", 16), thread_name_prefix="messaging-db"
)


def db(function):
    """Run a service in the messaging thread pool, closing stale connections around it."""
    return database_sync_to_async(function, thread_sensitive=False, executor=_executor)


# A frame larger than this is refused before it is parsed.
MAX_FRAME_BYTES = 64 * 1024

# type → the fields it needs and their JSON types (bool is no int here).
FRAME_FIELDS: dict[str, dict[str, type]] = {
    "message.send": {"conversation": int, "body": str, "client_id": str},
    "sync": {"conversation": int, "after_seq": int},
    "read": {"conversation": int, "seq": int},
    "typing": {"conversation": int},
    "message.edit": {"conversation": int, "id": int, "body": str},
    "message.delete": {"conversation": int, "id": int},
}


class FrameError(Exception):
    def __init__(self, code: str, detail: str, client_id: str = "") -> None:
        super().__init__(detail)
        self.code, self.detail, self.client_id = code, detail, client_id


def parse_frame(text: str | None) -> dict[str, Any]:
    """The frame as a dict with the right fields, or FrameError with the protocol code."""
    if text is None:
        raise FrameError("bad_json", "Frames are JSON text, not binary.")
    if len(text) > MAX_FRAME_BYTES:
        raise FrameError("too_long", f"A frame can be at most {MAX_FRAME_BYTES} bytes.")
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        raise FrameError("bad_json", "The frame is not valid JSON.") from None
    if not isinstance(frame, dict):
        raise FrameError("invalid", "A frame is a JSON object with a type.")
    client_id = frame.get("client_id") if isinstance(frame.get("client_id"), str) else ""
    client_id = client_id[: services.MAX_CLIENT_ID_LENGTH]
    kind = frame.get("type")
    if not isinstance(kind, str) or kind not in FRAME_FIELDS:
        raise FrameError("unknown_type", f"Unknown frame type: {str(kind)[:40]!r}.", client_id)
    for field, expected in FRAME_FIELDS[kind].items():
        value = frame.get(field)
        if value is None:
            raise FrameError("invalid", f"{field} is missing.", client_id)
        if isinstance(value, bool) or not isinstance(value, expected):
            name = "a number" if expected is int else "text"
            raise FrameError("invalid", f"{field} must be {name}.", client_id)
    return frame


class MessagingConsumer(AsyncWebsocketConsumer):
    person = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept first so the browser sees the close code (a refused handshake has none).
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.person = await db(person_for_user)(user)
        if self.person is not None:
            await self.channel_layer.group_add(person_group(self.person.pk), self.channel_name)
        await self.accept()
        if self.person is not None:
            await db(services.presence_change)(person=self.person, online=True)

    async def disconnect(self, code: int) -> None:
        if self.person is None:
            return
        try:
            await self.channel_layer.group_discard(person_group(self.person.pk), self.channel_name)
        except Exception as error:  # Redis gone: nothing to unsubscribe from
            logger.info("messaging: group_discard failed: %r", error)
        await db(services.presence_change)(person=self.person, online=False)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = parse_frame(text_data)
            if self.person is None:
                raise FrameError(
                    "forbidden", "Complete your profile before you take part in conversations."
                )
            handler = getattr(self, "on_" + frame["type"].replace(".", "_"))
            await handler(frame)
        except FrameError as error:
            await self.send_error(error.code, error.detail, error.client_id)
        except services.MessagingError as error:
            client_id = frame.get("client_id", "") if isinstance(frame, dict) else ""
            await self.send_error(error.code, error.detail, client_id)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def send_error(self, code: str, detail: str, client_id: Any = "") -> None:
        await self.send_frame(
            {
                "type": "error",
                "code": code,
                "detail": str(detail),
                "client_id": client_id if isinstance(client_id, str) else "",
            }
        )

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its per-event `aclose_old_connections()`.

        Channels hops to its one shared sync thread before every handler to close that
        thread's stale database connections. This consumer never uses that thread's
        connection: every database call goes through `db()`, which closes stale
        connections in its own thread. At 1,000 deliveries a second those hops, all
        through one thread, were the queue every delivery waited in (docs/messaging.md,
        Speed)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # Client frames -------------------------------------------------------------------

    async def on_message_send(self, frame: dict[str, Any]) -> None:
        result = await db(services.message_send)(
            conversation_id=frame["conversation"],
            author=self.person,
            body=frame["body"],
            client_id=frame["client_id"],
            defer_broadcast=True,
        )
        if result.created:
            # Committed: now to every participant's sockets, from this event loop.
            await abroadcast(result.recipients, result.frame)
        else:
            # A repeat: answer this socket with the stored message (the acknowledgement).
            await self.send_frame(result.frame)

    async def on_sync(self, frame: dict[str, Any]) -> None:
        frames, last_seq = await db(services.sync_messages)(
            conversation_id=frame["conversation"], person=self.person, after_seq=frame["after_seq"]
        )
        for message in frames:
            await self.send_frame(message)
        await self.send_frame(
            {"type": "sync.done", "conversation": frame["conversation"], "last_seq": last_seq}
        )

    async def on_read(self, frame: dict[str, Any]) -> None:
        await db(services.read_mark)(
            conversation_id=frame["conversation"], person=self.person, seq=frame["seq"]
        )

    async def on_typing(self, frame: dict[str, Any]) -> None:
        await db(services.typing_signal)(conversation_id=frame["conversation"], person=self.person)

    async def on_message_edit(self, frame: dict[str, Any]) -> None:
        await db(services.message_edit)(
            message_id=frame["id"], editor=self.person, body=frame["body"]
        )

    async def on_message_delete(self, frame: dict[str, Any]) -> None:
        await db(services.message_delete)(message_id=frame["id"], editor=self.person)

    # Layer events --------------------------------------------------------------------

    async def messaging_frame(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])
