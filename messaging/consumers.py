"""The realtime socket at /ws/ (docs/contracts.md §6, docs/messaging.md).

The consumer authenticates, checks each frame's shape and calls `messaging.services`
in its thread pool (messaging.database.db) or, for plain text, on its event loop; the rules live in the services. Every socket of a
person joins their personal group `person.<id>`, to which the services send frames.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
from collections.abc import Callable
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import ngettext

from accounts.i18n import supported
from messaging import limits, selectors, services
from messaging.database import db
from messaging.formatting import message_html
from messaging.realtime import abroadcast, person_group
from network.models import Person
from network.selectors import person_for_user

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
# Too many open sockets for this person, or a socket that kept going over its limits.
CLOSE_TOO_MANY = 4429


# The largest frame, in bytes of UTF-8. Uvicorn refuses a larger one from its header, before
# reading it, with close code 1009 (`--ws-max-size`, the same figure, in the Makefile's
# `run` and docker-compose.yml's `ws`; tests/test_deployment.py holds them to this). It
# fits the longest body (services.MAX_BODY_LENGTH, 10,000 characters) even when a client
# escapes every character as a \uXXXX\uXXXX pair (12 bytes), with the other fields.
MAX_FRAME_BYTES = 128 * 1024

# type → the fields it needs and their JSON types (bool is no int here).
FRAME_FIELDS: dict[str, dict[str, type]] = {
    "message.send": {"conversation": int, "body": str, "client_id": str},
    "sync": {"conversation": int, "after_seq": int},
    "read": {"conversation": int, "seq": int},
    "typing": {"conversation": int},
    "message.edit": {"conversation": int, "id": int, "body": str},
    "message.delete": {"conversation": int, "id": int},
}

# The error codes of docs/contracts.md §6: nothing else is ever sent.
ERROR_CODES = frozenset(
    {"bad_json", "unknown_type", "forbidden", "not_found", "too_long", "rate_limited", "invalid"}
)

# Ids beyond PostgreSQL's bigint are no row's id.
_MAX_ID = 2**63 - 1


class FrameError(Exception):
    def __init__(
        self, code: str, detail: str, client_id: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(detail)
        self.code, self.detail, self.client_id = code, detail, client_id
        self.retry_after = retry_after


def _is_text(value: str) -> bool:
    """JSON may escape lone surrogates ("\\ud800") that no UTF-8 text, database or socket
    can carry."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def echo_client_id(frame: Any) -> str:
    """The frame's client_id as an error may echo it: text that can be sent, or ""."""
    client_id = frame.get("client_id") if isinstance(frame, dict) else None
    if not isinstance(client_id, str) or not _is_text(client_id):
        return ""
    return client_id[: services.MAX_CLIENT_ID_LENGTH]


def parse_frame(text: str | None) -> dict[str, Any]:
    """The frame as a dict with the right fields, or FrameError with a protocol code
    (ERROR_CODES); nothing else, whatever the text (tests/messaging/test_frame_parser.py)."""
    if not isinstance(text, str):
        raise FrameError("bad_json", "Frames are JSON text, not binary.")
    if len(text) > MAX_FRAME_BYTES or (
        len(text) * 4 > MAX_FRAME_BYTES
        and len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES
    ):
        raise FrameError("too_long", f"A frame can be at most {MAX_FRAME_BYTES} bytes.")
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        raise FrameError("bad_json", "The frame is not valid JSON.") from None
    if not isinstance(frame, dict):
        raise FrameError("invalid", "A frame is a JSON object with a type.")
    client_id = echo_client_id(frame)
    kind = frame.get("type")
    if not isinstance(kind, str):
        raise FrameError("unknown_type", "A frame's type is text.", client_id)
    if kind not in FRAME_FIELDS:
        raise FrameError("unknown_type", f"Unknown frame type: {kind[:40]!r}.", client_id)
    for field, expected in FRAME_FIELDS[kind].items():
        value = frame.get(field)
        if value is None:
            raise FrameError("invalid", f"{field} is missing.", client_id)
        if isinstance(value, bool) or not isinstance(value, expected):
            name = "a number" if expected is int else "text"
            raise FrameError("invalid", f"{field} must be {name}.", client_id)
        if expected is str and not _is_text(value):
            raise FrameError("invalid", f"{field} is not valid text.", client_id)
    if "id" in FRAME_FIELDS[kind] and not 0 < frame["id"] <= _MAX_ID:
        raise FrameError("not_found", "No such message.", client_id)
    return frame


def _too_fast(wait: float) -> FrameError:
    seconds = max(1, math.ceil(wait))
    detail = ngettext(
        "You are sending too much at once; wait %(seconds)d second.",
        "You are sending too much at once; wait %(seconds)d seconds.",
        seconds,
    )
    return FrameError("rate_limited", detail % {"seconds": seconds}, retry_after=seconds)


def _admit(user, channel_name: str) -> tuple[Person | None, bool]:
    """The socket's person, and whether they may open one more socket."""
    person = person_for_user(user)
    if person is None:
        return None, True
    return person, limits.socket_open(person_id=person.pk, channel_name=channel_name)


def _presence(person: Person, online: bool) -> None:
    """Presence is best effort: it counts sockets in the cache, and a socket must not
    break because Redis is down (docs/messaging.md, Limits)."""
    try:
        services.presence_change(person=person, online=online)
    except Exception as error:
        logger.warning("messaging: presence of person %s not updated: %r", person.pk, error)


def _leave(person: Person, channel_name: str) -> None:
    limits.socket_close(person_id=person.pk, channel_name=channel_name)
    _presence(person, False)


def _within_person_limit(kind: str, person: Person, service: Callable, kwargs: dict) -> Any:
    """Count the frame against its person's limit (all sockets, all processes), then call
    the service: one trip to the thread pool for both."""
    wait = limits.person_wait(person_id=person.pk, kind=kind)
    if wait:
        error = _too_fast(wait)
        error.client_id = echo_client_id(kwargs)
        raise error
    return service(**kwargs)


def _socket_language(scope: dict[str, Any]) -> str:
    """The language the socket's pages are in: the signed-in person's setting (as
    accounts.middleware decides for pages), else LocaleMiddleware's choice for the same
    cookie and Accept-Language header."""
    chosen = supported(getattr(scope.get("user"), "language", None))
    if chosen:
        return chosen
    request = HttpRequest()
    request.COOKIES = scope.get("cookies") or {}
    for name, value in scope.get("headers") or []:
        if name == b"accept-language":
            request.META["HTTP_ACCEPT_LANGUAGE"] = value.decode("latin-1")
    return translation.get_language_from_request(request)


def _localise(frame: dict[str, Any], language: str) -> dict[str, Any]:
    """A message frame with its `html` drawn in `language` (frames carry it in the
    interface's first language, settings.LANGUAGE_CODE)."""
    if "html" not in frame or language == settings.LANGUAGE_CODE:
        return frame
    with translation.override(language):
        return {**frame, "html": message_html(frame, edit_window=services.EDIT_WINDOW)}


@functools.lru_cache(maxsize=256)
def _localised_text(text: str, language: str) -> str:
    """A broadcast frame's text for a socket in another language: drawn once per message
    and language in this process, however many of its sockets receive it."""
    if '"html"' not in text:
        return text
    return json.dumps(_localise(json.loads(text), language), ensure_ascii=False)


def _sync(language: str, **kwargs: Any) -> tuple[list[dict[str, Any]], int]:
    frames, last_seq = services.sync_messages(**kwargs)
    return [_localise(frame, language) for frame in frames], last_seq


class MessagingConsumer(AsyncWebsocketConsumer):
    person = None
    admitted = False  # counted in the person's open sockets
    closing = False
    renewer: asyncio.Task | None = None

    async def connect(self) -> None:
        self.limits = limits.SocketLimits()
        self.language = settings.LANGUAGE_CODE
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept first so the browser sees the close code (a refused handshake has none).
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            self.closing = True
            return
        person, admitted = await db(_admit)(user, self.channel_name)
        if not admitted:
            await self.accept()
            await self.close(code=CLOSE_TOO_MANY, reason="too many open sockets")
            self.closing = True
            return
        self.person = person
        self.language = _socket_language(self.scope)
        if person is not None:
            self.admitted = True
            await self.channel_layer.group_add(person_group(person.pk), self.channel_name)
        await self.accept()
        if person is not None:
            self.renewer = asyncio.create_task(self.renew_place())
            await db(_presence)(person, True)

    async def renew_place(self) -> None:
        """Keep this socket's place in its person's count while it is open."""
        every = settings.MESSAGING_SOCKET_TTL / 3
        while True:
            await asyncio.sleep(every)
            await db(limits.socket_renew)(person_id=self.person.pk, channel_name=self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.renewer is not None:
            self.renewer.cancel()
        if self.person is None or not self.admitted:
            return
        try:
            await self.channel_layer.group_discard(person_group(self.person.pk), self.channel_name)
        except Exception as error:  # Redis gone: nothing to unsubscribe from
            logger.info("messaging: group_discard failed: %r", error)
        await db(_leave)(self.person, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        frame = None
        try:
            # Every frame counts, bad ones too, before any work is done for it.
            wait = self.limits.wait(limits.ANY_FRAME)
            if wait:
                raise _too_fast(wait)
            frame = parse_frame(text_data)
            if self.person is None:
                raise FrameError(
                    "forbidden", "Complete your profile before you take part in conversations."
                )
            wait = self.limits.wait(frame["type"])
            if wait:
                error = _too_fast(wait)
                error.client_id = echo_client_id(frame)
                raise error
            handler = getattr(self, "on_" + frame["type"].replace(".", "_"))
            await handler(frame)
        except FrameError as error:
            await self.refuse(error.code, error.detail, error.client_id, error.retry_after)
        except services.MessagingError as error:
            retry_after = getattr(error, "retry_after", None)
            await self.refuse(error.code, error.detail, echo_client_id(frame), retry_after)

    async def refuse(
        self, code: str, detail: str, client_id: Any, retry_after: float | None = None
    ) -> None:
        await self.send_error(code, detail, client_id, retry_after)
        if code == "rate_limited" and self.limits.refused():
            # Kept going over its limits after being told to wait.
            self.closing = True
            await self.close(code=CLOSE_TOO_MANY, reason="too many frames")

    async def call(self, kind: str, service: Callable, **kwargs: Any) -> Any:
        return await db(_within_person_limit)(kind, self.person, service, kwargs)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def send_error(
        self, code: str, detail: str, client_id: Any = "", retry_after: float | None = None
    ) -> None:
        frame = {
            "type": "error",
            "code": code,
            "detail": str(detail),
            "client_id": client_id if isinstance(client_id, str) else "",
        }
        if retry_after is not None:
            frame["retry_after"] = retry_after  # seconds (added to §6's error frame)
        await self.send_frame(frame)

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
        # The sender's own limit is counted by the send path (MESSAGING_RATE_LIMIT). Plain
        # text is counted and stored from this event loop, without a thread hop
        # (services.amessage_send).
        result = await services.amessage_send(
            conversation_id=frame["conversation"],
            author=self.person,
            body=frame["body"],
            client_id=frame["client_id"],
        )
        message = result.frame
        if result.created:
            # Committed: now to every participant's sockets, from this event loop.
            await abroadcast(result.recipients, message)
        else:
            # A repeat: answer this socket with the stored message (the acknowledgement).
            await self.send_frame(_localise(message, self.language))

    async def on_sync(self, frame: dict[str, Any]) -> None:
        frames, last_seq = await self.call(
            "sync",
            functools.partial(_sync, self.language),
            conversation_id=frame["conversation"],
            person=self.person,
            after_seq=frame["after_seq"],
        )
        for message in frames:
            await self.send_frame(message)
        await self.send_frame(
            {
                "type": "sync.done",
                "conversation": frame["conversation"],
                "last_seq": last_seq,
                # A full page: there may be more after last_seq; ask again from there.
                "more": len(frames) >= selectors.SYNC_PAGE,
            }
        )

    async def on_read(self, frame: dict[str, Any]) -> None:
        await self.call(
            "read",
            services.read_mark,
            conversation_id=frame["conversation"],
            person=self.person,
            seq=frame["seq"],
        )

    async def on_typing(self, frame: dict[str, Any]) -> None:
        await self.call(
            "typing",
            services.typing_signal,
            conversation_id=frame["conversation"],
            person=self.person,
        )

    async def on_message_edit(self, frame: dict[str, Any]) -> None:
        await self.call(
            "message.edit",
            services.message_edit,
            message_id=frame["id"],
            editor=self.person,
            body=frame["body"],
        )

    async def on_message_delete(self, frame: dict[str, Any]) -> None:
        await self.call(
            "message.delete", services.message_delete, message_id=frame["id"], editor=self.person
        )

    # Layer events --------------------------------------------------------------------

    async def messaging_frame(self, event: dict[str, Any]) -> None:
        text = event["text"]
        if self.language != settings.LANGUAGE_CODE:
            text = _localised_text(text, self.language)
        await self.send(text_data=text)
