"""The guarantees of docs/contracts.md §6 on real Redis: nothing lost, nothing duplicated."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.db import connection
from django.test import override_settings

from messaging import database, services
from messaging.models import Conversation, Message
from tests.messaging.conftest import IN_CI, client_for, open_socket, person_with_account

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("require_redis")]


def send_frame(conversation, body, client_id):
    return {
        "type": "message.send",
        "conversation": conversation,
        "body": body,
        "client_id": client_id,
    }


async def test_reconnecting_client_gets_every_missed_message_once_in_order(alice, bob, carol):
    group = await database_sync_to_async(services.conversation_start)(
        creator=alice, participants=[bob, carol], title="Ervaringen delen"
    )
    a, b, c = await open_socket(alice), await open_socket(bob), await open_socket(carol)
    seen_by_b: dict[int, dict] = {}

    async def b_receive_new(count):
        for _ in range(count):
            frame = await b.receive_type("message.new")
            assert frame["seq"] not in seen_by_b
            seen_by_b[frame["seq"]] = frame

    await a.send(send_frame(group.pk, "een", "a-1"))
    await c.send(send_frame(group.pk, "twee", "c-1"))
    await b_receive_new(2)
    last_seen = max(seen_by_b)
    await b.close()

    # While Bob is gone, the others keep writing (over the socket and over HTTP).
    for number in range(10):
        sender = a if number % 2 else c
        await sender.send(send_frame(group.pk, f"terwijl weg {number}", f"away-{number}"))
        await sender.receive_type("message.new")

    def post_over_http():
        return client_for(alice).post(
            f"/api/v1/conversations/{group.pk}/messages",
            {"body": "via http", "client_id": "http-away"},
            content_type="application/json",
        )

    assert (await database_sync_to_async(post_over_http)()).status_code == 201

    b = await open_socket(bob)
    # Someone keeps writing while Bob syncs: he may see a message live and in the replay.
    await a.send(send_frame(group.pk, "tijdens sync", "during-sync"))
    during = await b.sync(group.pk, last_seen)
    # Live frames may arrive before, between or after the replayed ones; the client keeps
    # one frame per seq and shows them in seq order (chat.js does the same).
    during += [f for f in await b.drain(0.5) if f["type"] == "message.new"]
    for frame in during:
        seen_by_b.setdefault(frame["seq"], frame)
    stored = await database_sync_to_async(
        lambda: list(
            Message.objects.filter(conversation=group)
            .order_by("seq")
            .values_list("seq", "client_id")
        )
    )()
    assert [seq for seq, _ in stored] == list(range(1, 15))
    assert sorted(seen_by_b) == [seq for seq, _ in stored]
    assert [seen_by_b[seq]["client_id"] for seq, _ in stored] == [cid for _, cid in stored]
    assert all(sum(f["seq"] == seq for f in during) <= 2 for seq in seen_by_b)

    # With nobody writing, the replay alone is exactly the missed messages, once, in order.
    quiet = await open_socket(bob)
    replay = await quiet.sync(group.pk, last_seen)
    assert [f["seq"] for f in replay] == list(range(last_seen + 1, 15))
    await quiet.close()
    for s in (a, b, c):
        await s.close()


def test_seq_has_no_gaps_under_concurrent_senders(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    people = [person_with_account() for _ in range(4)]
    conversation = services.conversation_start(
        creator=people[0], participants=people[1:], title="Druk"
    )
    errors: list[BaseException] = []

    def sender(person, offset):
        try:
            for number in range(15):
                services.message_send(
                    conversation_id=conversation.pk,
                    author=person,
                    body=f"{offset}-{number}",
                    client_id=f"{offset}-{number}",
                )
                # Every message twice: a retry must not store a second copy.
                services.message_send(
                    conversation_id=conversation.pk,
                    author=person,
                    body=f"{offset}-{number}",
                    client_id=f"{offset}-{number}",
                )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    with override_settings(MESSAGING_RATE_LIMIT=(1000, 10)):
        threads = [threading.Thread(target=sender, args=(p, i)) for i, p in enumerate(people)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    seqs = list(
        Message.objects.filter(conversation=conversation)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, 61))
    assert Conversation.objects.get(pk=conversation.pk).last_seq == 60


# A Redis of our own that we can stop ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="bruggen-redis-"))
        self.pidfile = self.directory / "redis.pid"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            check=True,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the throwaway Redis did not start")

    def stop(self) -> None:
        if not self.pidfile.exists():
            return
        pid = int(self.pidfile.read_text().strip())
        try:
            os.kill(pid, 15)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.kill(pid, 9)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def throwaway_redis():
    if shutil.which("redis-server") is None:
        if IN_CI:
            pytest.fail("CI=true: redis-server must be installed for the outage test.")
        pytest.skip("redis-server is not installed")
    server = ThrowawayRedis()
    server.start()
    yield server
    server.remove()


async def test_redis_outage_loses_nothing_and_duplicates_nothing(
    alice, bob, direct, throwaway_redis
):
    layers = {
        "default": {
            "BACKEND": "messaging.layers.PubSubChannelLayer",
            "CONFIG": {"hosts": [throwaway_redis.url]},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers):
        a, b = await open_socket(alice), await open_socket(bob)
        await a.send(send_frame(direct.pk, "voor de storing", "before"))
        assert (await b.receive_type("message.new"))["seq"] == 1
        last_seen_by_b = 1

        await asyncio.to_thread(throwaway_redis.stop)

        def post(number):
            return client_for(alice).post(
                f"/api/v1/conversations/{direct.pk}/messages",
                {"body": f"tijdens de storing {number}", "client_id": f"outage-{number}"},
                content_type="application/json",
            )

        for number in range(5):
            response = await database_sync_to_async(post)(number)
            assert response.status_code == 201, response.content
        # A retry of one of them (the client did not hear back) is not stored twice.
        assert (await database_sync_to_async(post)(2)).status_code == 200
        stored = await database_sync_to_async(
            lambda: list(Message.objects.filter(conversation=direct).values_list("seq", flat=True))
        )()
        assert sorted(stored) == [1, 2, 3, 4, 5, 6]

        await a.close()
        await b.close()
        await asyncio.to_thread(throwaway_redis.start)

        # Clients reconnect (chat.js does, with backoff) and sync from what they saw.
        b = await open_socket(bob)
        replay = await b.sync(direct.pk, last_seen_by_b)
        assert [f["seq"] for f in replay] == [2, 3, 4, 5, 6]
        assert [f["client_id"] for f in replay] == [f"outage-{n}" for n in range(5)]
        # And live delivery works again.
        a = await open_socket(alice)
        await a.send(send_frame(direct.pk, "na de storing", "after"))
        assert (await b.receive_type("message.new"))["seq"] == 7
        await a.close()
        await b.close()


def test_sending_with_redis_stopped_stores_and_answers(alice, bob, direct, throwaway_redis):
    """The cache (rate limit, presence, reading marks) and the channel layer both on a
    Redis that is really stopped: the API, the page and the service the socket uses
    still store the message and answer normally; the rate limit fails open."""
    redis_settings = {
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": throwaway_redis.url,
            }
        },
        "CHANNEL_LAYERS": {
            "default": {
                "BACKEND": "messaging.layers.PubSubChannelLayer",
                "CONFIG": {"hosts": [throwaway_redis.url]},
            }
        },
    }
    with override_settings(**redis_settings):
        throwaway_redis.stop()
        api = client_for(alice).post(
            f"/api/v1/conversations/{direct.pk}/messages",
            {"body": "via de API", "client_id": "api"},
            content_type="application/json",
        )
        assert api.status_code == 201, api.content
        page = client_for(bob).post(
            f"/conversations/{direct.pk}/", {"body": "via de pagina", "client_id": "page"}
        )
        assert page.status_code == 302 and page.url.endswith("#m2")
        assert client_for(bob).get(page.url).status_code == 200  # presence left out
        socket_path = services.message_send(
            conversation_id=direct.pk,
            author=alice,
            body="via de socket-service",
            client_id="socket",
            defer_broadcast=True,
        )
        assert socket_path.created and socket_path.message.seq == 3
        # The socket's own path: counted and stored from an event loop.
        from_the_loop = async_to_sync(services.amessage_send)(
            conversation_id=direct.pk, author=alice, body="van de event loop", client_id="loop"
        )
        assert from_the_loop.created and from_the_loop.message.seq == 4
    stored = list(
        Message.objects.filter(conversation=direct).order_by("seq").values_list("client_id")
    )
    assert stored == [("api",), ("page",), ("socket",), ("loop",)]


def _terminate_backend(pid: int) -> None:
    """End PostgreSQL backend `pid` from another connection and wait until it is gone."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.02)


@pytest.fixture
def kept_connections():
    """Connections that live on between service calls, as the socket's pool threads keep
    them (CONN_MAX_AGE; the test settings close them after every call)."""
    from django.db import close_old_connections

    connection.close()
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 60
    yield close_old_connections
    connection.settings_dict["CONN_MAX_AGE"] = saved
    connection.close()
    # The event loops' own connections (messaging.database), which that keeps open too.
    for pool in list(database._connections.values()):
        for raw, _close_at in pool.idle:
            raw.pgconn.finish()
        pool.idle.clear()


def test_a_terminated_database_connection_is_replaced_and_the_message_stored(
    alice, bob, direct, kept_connections, monkeypatch
):
    """The send path skips the `SELECT 1` health check for a connection that answered a
    moment ago (docs/messaging.md, The send path); a connection whose backend was
    terminated between two sends is still found out and replaced, and nothing is lost."""
    from django.db import connections

    health_checks = []
    wrapper = type(connections["default"])
    real_is_usable = wrapper.is_usable
    monkeypatch.setattr(
        wrapper,
        "is_usable",
        lambda self: health_checks.append(self) or real_is_usable(self),
    )

    def send(client_id: str):
        # Each service call of the socket starts and ends like this (channels.db).
        kept_connections()
        try:
            return services.message_send(
                conversation_id=direct.pk, author=alice, body=client_id, client_id=client_id
            )
        finally:
            kept_connections()

    assert send("first").message.seq == 1
    before = connection.connection.info.backend_pid
    assert send("second").message.seq == 2
    assert health_checks == []  # it answered a moment ago: no SELECT 1
    assert connection.connection.info.backend_pid == before
    _terminate_backend(before)
    third = send("third")
    assert third.created and third.message.seq == 3
    assert len(health_checks) == 1  # checked, found dead, replaced
    assert connection.connection.info.backend_pid != before
    assert list(
        Message.objects.filter(conversation=direct).order_by("seq").values_list("client_id")
    ) == [("first",), ("second",), ("third",)]


async def test_the_event_loops_own_connection_is_replaced_when_its_backend_ends(
    alice, bob, direct, kept_connections
):
    """The socket stores plain text on its event loop's own connection
    (messaging.database.fetch_one), trusted without a `SELECT 1` while it answered a
    moment ago; when its backend is terminated between two sends it is found out and
    replaced, and the second message is stored and delivered."""
    a, b = await open_socket(alice), await open_socket(bob)
    await a.send(send_frame(direct.pk, "een", "een"))
    assert (await b.receive_type("message.new"))["seq"] == 1
    pool = database._connections[asyncio.get_running_loop()]
    [(first, _close_at)] = pool.idle
    await a.send(send_frame(direct.pk, "twee", "twee"))
    assert (await b.receive_type("message.new"))["seq"] == 2
    assert [raw for raw, _close_at in pool.idle] == [first]  # kept, not checked, not replaced
    await database_sync_to_async(_terminate_backend)(first.info.backend_pid)
    await a.send(send_frame(direct.pk, "drie", "drie"))
    third = await b.receive_type("message.new")
    assert (third["seq"], third["client_id"]) == (3, "drie")
    assert first.closed and [raw for raw, _close_at in pool.idle] != [first]
    await a.close()
    await b.close()
    stored = await database_sync_to_async(
        lambda: list(
            Message.objects.filter(conversation=direct).order_by("seq").values_list("client_id")
        )
    )()
    assert stored == [("een",), ("twee",), ("drie",)]
