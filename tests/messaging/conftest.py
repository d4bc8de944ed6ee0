"""Fixtures for messaging: people with accounts, conversations, and authenticated
WebSocket communicators against the real ASGI application (config.asgi)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import types
from typing import Any

import pytest
from channels.db import database_sync_to_async

try:
    import daphne.testing  # noqa: F401
except ImportError:
    # channels.testing imports Daphne only for ChannelsLiveServerTestCase, which these
    # tests do not use (the browser test serves through Uvicorn); Daphne is not installed.
    _stub = types.ModuleType("daphne.testing")
    _stub.DaphneProcess = None
    sys.modules.setdefault("daphne", types.ModuleType("daphne"))
    sys.modules.setdefault("daphne.testing", _stub)

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from messaging import services
from tests.factories import PersonFactory, UserFactory

IN_CI = os.environ.get("CI") == "true"


def person_with_account(**kwargs):
    user = UserFactory()
    kwargs.setdefault("municipality", None)
    return PersonFactory(user=user, name=kwargs.pop("name", user.name or user.email), **kwargs)


@pytest.fixture
def make_person(db):
    return person_with_account


@pytest.fixture
def alice(db):
    return person_with_account(name="Alice Özdemir")


@pytest.fixture
def bob(db):
    return person_with_account(name="Bob N'Diaye")


@pytest.fixture
def carol(db):
    return person_with_account(name="عائشة Carol")


@pytest.fixture
def direct(alice, bob):
    return services.conversation_start(creator=alice, participants=[bob])


def client_for(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


@pytest.fixture
def require_redis():
    """Reliability tests run on real Redis; locally they skip without it, in CI never."""
    if "InMemory" in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
        if IN_CI:
            pytest.fail("CI=true: REDIS_URL must be set for the messaging reliability tests.")
        pytest.skip("REDIS_URL is not set: the reliability tests need a real Redis.")


class Socket:
    """A WebsocketCommunicator that speaks JSON frames."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    async def send(self, frame: Any) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self.communicator.send_to(text_data=text)

    async def receive(self, timeout: float = 3) -> dict[str, Any]:
        return json.loads(await self.communicator.receive_from(timeout=timeout))

    async def receive_type(self, kind: str, timeout: float = 3) -> dict[str, Any]:
        """The next frame of `kind`, skipping others (presence, read, ...)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"no {kind} frame within {timeout} s")
            frame = await self.receive(timeout=left)
            if frame["type"] == kind:
                return frame

    async def drain(self, wait: float = 0.3) -> list[dict[str, Any]]:
        """Every frame that arrives within `wait` seconds (without the communicator's
        timeout, which would cancel the application)."""
        await asyncio.sleep(wait)
        frames = []
        queue = self.communicator.output_queue
        while not queue.empty():
            message = queue.get_nowait()
            if message["type"] == "websocket.send":
                frames.append(json.loads(message["text"]))
        return frames

    async def sync(self, conversation: int, after_seq: int) -> list[dict[str, Any]]:
        """Replay through `sync` up to `sync.done`; returns the message.new frames."""
        await self.send({"type": "sync", "conversation": conversation, "after_seq": after_seq})
        frames = []
        while True:
            frame = await self.receive()
            if frame["type"] == "sync.done" and frame["conversation"] == conversation:
                return frames
            if frame["type"] == "message.new" and frame["conversation"] == conversation:
                frames.append(frame)

    async def close(self) -> None:
        # The application may have died already (a Redis outage): closing is best effort.
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await self.communicator.disconnect()


def _session_cookie(person) -> str:
    return client_for(person).cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(person=None, *, ready: bool = True) -> Socket:
    from config.asgi import application

    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if person is not None:
        cookie = await database_sync_to_async(_session_cookie)(person)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _code = await communicator.connect(timeout=5)
    assert connected
    socket = Socket(communicator)
    if ready and person is not None:
        # A round trip: the personal group's subscription is in place before we go on.
        await socket.send({"type": "sync", "conversation": 2**40, "after_seq": 0})
        await socket.receive_type("error")
    return socket


@pytest.fixture(scope="session", autouse=True)
def _close_worker_connections(django_db_setup, django_db_blocker):
    """The consumer runs services in a thread pool whose threads keep their database
    connections; end them before pytest-django drops the test database."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
