"""Limits of the realtime socket (docs/messaging.md, Limits): per socket and per person on
every frame type, open sockets per person, bounded `sync` replay, failing open without
Redis, and Uvicorn refusing oversized frames from their header."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shlex
import time
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from messaging import limits, selectors, services
from messaging.consumers import CLOSE_TOO_MANY, MAX_FRAME_BYTES
from tests.asgi_server import free_port, uvicorn_start, uvicorn_stop, uvicorn_wait
from tests.messaging.conftest import IN_CI, client_for, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


async def collect(sock, quiet: float = 0.5, limit: float = 20) -> tuple[list[dict], int | None]:
    """Every frame the server sends until it is quiet for `quiet` seconds or closes the
    socket; the frames and the close code (None while open)."""
    queue = sock.communicator.output_queue
    frames: list[dict] = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            message = await asyncio.wait_for(queue.get(), timeout=quiet)
        except TimeoutError:
            return frames, None
        if message["type"] == "websocket.close":
            return frames, message.get("code")
        if message["type"] == "websocket.send":
            frames.append(json.loads(message["text"]))
    raise AssertionError(f"the server kept talking for {limit} s: {len(frames)} frames")


def store_messages(conversation, author, count: int) -> None:
    with override_settings(MESSAGING_RATE_LIMIT=(10_000, 10)):
        for number in range(count):
            services.message_send(
                conversation_id=conversation.pk,
                author=author,
                body=f"bericht {number}",
                client_id=f"seed-{number}",
            )


async def test_a_burst_of_300_syncs_gets_bounded_replies_and_is_closed(alice, bob, direct):
    await database_sync_to_async(store_messages)(direct, bob, 35)
    a = await open_socket(alice)
    sync = json.dumps({"type": "sync", "conversation": direct.pk, "after_seq": 0})
    started = time.monotonic()
    for _ in range(300):
        await a.communicator.send_to(text_data=sync)
    frames, code = await collect(a)
    elapsed = time.monotonic() - started
    replays = [f for f in frames if f["type"] == "message.new"]
    refusals = [f for f in frames if f["type"] == "error"]
    # Before: 300 x 36 = 10,800 frames. Now: the socket's 10 syncs (one spent by
    # open_socket), plus what refills while the burst is answered.
    count, seconds = settings.MESSAGING_SOCKET_FRAME_LIMITS["sync"]
    served = count + int(elapsed * count / seconds) + 1
    assert len(replays) <= served * 35
    assert refusals and {f["code"] for f in refusals} == {"rate_limited"}
    assert all(f["retry_after"] >= 1 for f in refusals)
    # It kept going after being told to wait: closed, the rest of the burst unanswered.
    assert code == CLOSE_TOO_MANY
    assert len(refusals) <= settings.MESSAGING_SOCKET_REFUSALS[0] + 2
    await a.close()


async def test_one_sync_replays_at_most_a_page(alice, bob, direct, monkeypatch):
    monkeypatch.setattr(selectors, "SYNC_PAGE", 5)
    await database_sync_to_async(store_messages)(direct, bob, 12)
    a = await open_socket(alice)
    await a.send({"type": "sync", "conversation": direct.pk, "after_seq": 0})
    frames, code = await collect(a)
    assert code is None
    assert [f["seq"] for f in frames if f["type"] == "message.new"] == [1, 2, 3, 4, 5]
    assert frames[-1] == {
        "type": "sync.done",
        "conversation": direct.pk,
        "last_seq": 5,
        "more": True,
    }
    await a.send({"type": "sync", "conversation": direct.pk, "after_seq": 10})
    frames, _code = await collect(a)
    assert frames[-1] == {
        "type": "sync.done",
        "conversation": direct.pk,
        "last_seq": 12,
        "more": False,
    }
    await a.close()


async def test_a_typing_flood_is_limited(alice, bob, direct):
    a, b = await open_socket(alice), await open_socket(bob)
    for _ in range(25):
        await a.send({"type": "typing", "conversation": direct.pk})
    mine, code = await collect(a)
    theirs, _code = await collect(b)
    count, _seconds = settings.MESSAGING_SOCKET_FRAME_LIMITS["typing"]
    assert code is None  # 15 refusals: told to wait, not closed
    assert 1 <= len([f for f in theirs if f["type"] == "typing"]) <= count + 1
    refusals = [f for f in mine if f["type"] == "error"]
    assert len(refusals) >= 25 - count - 1
    assert {f["code"] for f in refusals} == {"rate_limited"}
    await a.close()
    await b.close()


async def test_bad_frames_count_against_the_socket_too(alice):
    a = await open_socket(alice)
    for _ in range(80):
        await a.send("dit is geen json")
    frames, _code = await collect(a)
    codes = [f["code"] for f in frames]
    count, _seconds = settings.MESSAGING_SOCKET_FRAME_LIMITS["*"]
    assert codes.count("bad_json") <= count
    assert "rate_limited" in codes
    await a.close()


@override_settings(
    MESSAGING_SOCKET_FRAME_LIMITS={"*": (1000, 10), "typing": (1000, 10), "sync": (1000, 10)},
    MESSAGING_PERSON_FRAME_LIMITS={"typing": (15, 60)},
)
async def test_a_persons_limit_spans_their_sockets(alice, bob, direct, monkeypatch):
    # The person's counts are fixed windows: hold the clock in the middle of one, so the
    # test never straddles a window's end (it did, now and then, on a busy machine).
    middle = (time.time() // 10) * 10 + 5
    monkeypatch.setattr(limits.time, "time", lambda: middle)
    first, second = await open_socket(alice), await open_socket(alice)
    for _ in range(10):
        await first.send({"type": "typing", "conversation": direct.pk})
    frames, _code = await collect(first)
    assert [f for f in frames if f["type"] == "error"] == []
    for _ in range(5):
        await second.send({"type": "typing", "conversation": direct.pk})
    frames, _code = await collect(second)
    assert [f for f in frames if f["type"] == "error"] == []
    # Each socket is far below its own limit; together they reached the person's.
    await second.send({"type": "typing", "conversation": direct.pk})
    error = await second.receive_type("error")
    assert error["code"] == "rate_limited"
    assert 1 <= error["retry_after"] <= 60
    await first.send({"type": "typing", "conversation": direct.pk})
    assert (await first.receive_type("error"))["code"] == "rate_limited"
    await first.close()
    await second.close()


@override_settings(MESSAGING_MAX_SOCKETS_PER_PERSON=3)
async def test_the_socket_over_the_cap_is_refused_and_a_closed_one_frees_its_place(alice):
    sockets = [await open_socket(alice, ready=False) for _ in range(3)]
    refused = await open_socket(alice, ready=False)
    assert await refused.communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": CLOSE_TOO_MANY,
        "reason": "too many open sockets",
    }
    await refused.close()
    assert limits.sockets_open(person_id=alice.pk) == 3
    await sockets.pop().close()
    assert limits.sockets_open(person_id=alice.pk) == 2
    again = await open_socket(alice)  # its ready round trip answers: admitted
    assert limits.sockets_open(person_id=alice.pk) == 3
    for sock in [*sockets, again]:
        await sock.close()
    assert limits.sockets_open(person_id=alice.pk) == 0


async def test_the_eleventh_socket_is_refused(alice):
    assert settings.MESSAGING_MAX_SOCKETS_PER_PERSON == 10
    sockets = [await open_socket(alice, ready=False) for _ in range(10)]
    eleventh = await open_socket(alice, ready=False)
    output = await eleventh.communicator.receive_output(timeout=3)
    assert output["type"] == "websocket.close" and output["code"] == CLOSE_TOO_MANY
    for sock in [eleventh, *sockets]:
        await sock.close()


# The cache down, and the cache shared by processes -------------------------------------


def test_limits_fail_open_with_a_log_line_when_redis_is_down(monkeypatch, caplog):
    dead = RedisCache(f"redis://127.0.0.1:{free_port()}/0", {})
    monkeypatch.setattr(limits, "caches", {"default": dead})
    monkeypatch.setattr(limits, "_last_warning", -1e9)
    with caplog.at_level(logging.WARNING, logger="messaging.limits"):
        for _ in range(100):
            assert limits.person_wait(person_id=1, kind="typing") == 0
        assert limits.socket_open(person_id=1, channel_name="c") is True
        limits.socket_renew(person_id=1, channel_name="c")
        limits.socket_close(person_id=1, channel_name="c")
    warnings = [r for r in caplog.records if "failing open" in r.getMessage()]
    assert len(warnings) == 1  # said once, not once per frame


async def test_a_socket_keeps_working_while_the_cache_is_down(alice, bob, direct, caplog):
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    limits._last_warning = -1e9
    # The handler on the loggers themselves: the project's LOGGING may not propagate.
    for name in ("messaging.limits", "messaging.consumers", "messaging.services"):
        logging.getLogger(name).addHandler(caplog.handler)
    with override_settings(CACHES=dead):
        a, b = await open_socket(alice), await open_socket(bob)
        for _ in range(3):
            await a.send({"type": "typing", "conversation": direct.pk})
        assert (await b.receive_type("typing"))["person"] == alice.ref
        assert await a.sync(direct.pk, 0) == []
        frames, code = await collect(a)
        assert code is None
        assert [f for f in frames if f["type"] == "error"] == []
        await a.close()
        await b.close()
    for name in ("messaging.limits", "messaging.consumers", "messaging.services"):
        logging.getLogger(name).removeHandler(caplog.handler)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "failing open" in logged
    # Presence fails open in the service (the consumer's guard catches anything else).
    assert "presence skipped" in logged or "presence of person" in logged


@pytest.fixture
def shared_redis(monkeypatch):
    """The limits on a real Redis, as processes share it in production."""
    url = settings.BRUGGEN_TEST_REDIS_URL
    if not url:
        if IN_CI:
            pytest.fail("CI=true: REDIS_URL must be set")
        pytest.skip("REDIS_URL is not set")
    cache = RedisCache(url, {"KEY_PREFIX": f"limits-test-{os.getpid()}-{time.time_ns()}"})
    monkeypatch.setattr(limits, "caches", {"default": cache})
    return cache


@override_settings(MESSAGING_MAX_SOCKETS_PER_PERSON=2, MESSAGING_SOCKET_TTL=1)
def test_open_sockets_on_redis_count_closes_and_forget_dead_processes(shared_redis):
    assert limits.socket_open(person_id=7, channel_name="a")
    assert limits.socket_open(person_id=7, channel_name="b")
    assert not limits.socket_open(person_id=7, channel_name="c")
    assert limits.sockets_open(person_id=7) == 2
    limits.socket_close(person_id=7, channel_name="b")
    assert limits.socket_open(person_id=7, channel_name="c")
    # "a" and "c" belonged to a process that died: no close, no renewal. Their places
    # expire; a renewed socket keeps its place.
    time.sleep(0.6)
    limits.socket_renew(person_id=7, channel_name="c")
    time.sleep(0.6)
    assert limits.sockets_open(person_id=7) == 1
    assert limits.socket_open(person_id=7, channel_name="d")
    assert not limits.socket_open(person_id=7, channel_name="e")


@override_settings(MESSAGING_PERSON_FRAME_LIMITS={"read": (3, 60)})
def test_a_persons_frame_limit_on_redis(shared_redis):
    assert [limits.person_wait(person_id=8, kind="read") for _ in range(3)] == [0, 0, 0]
    assert 0 < limits.person_wait(person_id=8, kind="read") <= 60
    assert limits.person_wait(person_id=9, kind="read") == 0
    assert limits.person_wait(person_id=8, kind="message.send") == 0  # counted by services


@override_settings(MESSAGING_RATE_LIMIT=(3, 60))
async def test_the_send_limit_on_redis_is_one_count_for_the_socket_and_the_api(
    shared_redis, alice, bob, direct
):
    """The socket counts a send from its event loop (limits.awindow_count, the loop's own
    Redis connection), the API and the pages from a thread (limits.window_count): the
    same counter in Redis, so MESSAGING_RATE_LIMIT holds across both. Over it, nothing
    is stored, and a retry of a stored message is still answered with that message."""
    api = await database_sync_to_async(services.message_send)(
        conversation_id=direct.pk, author=alice, body="via de API", client_id="api"
    )
    assert api.created
    a = await open_socket(alice)
    for number in range(3):
        await a.send(
            {
                "type": "message.send",
                "conversation": direct.pk,
                "body": f"via de socket {number}",
                "client_id": f"ws-{number}",
            }
        )
    frames, _code = await collect(a)
    answers = {f["client_id"]: f["type"] for f in frames if f["type"] in ("message.new", "error")}
    assert answers == {"ws-0": "message.new", "ws-1": "message.new", "ws-2": "error"}
    assert [f["code"] for f in frames if f["type"] == "error"] == ["rate_limited"]
    # Over the limit, a retry of a stored message is answered with it.
    await a.send(
        {"type": "message.send", "conversation": direct.pk, "body": "x", "client_id": "ws-1"}
    )
    repeat = await a.receive_type("message.new")
    assert (repeat["client_id"], repeat["seq"]) == ("ws-1", 3)
    await a.close()
    stored = await database_sync_to_async(
        lambda: sorted(
            services.Message.objects.filter(conversation=direct).values_list("client_id", flat=True)
        )
    )()
    assert stored == ["api", "ws-0", "ws-1"]


# Uvicorn and the frame size ------------------------------------------------------------


def _make_run_flags() -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(line for line in makefile.splitlines() if "BIN)/uvicorn" in line)
    return shlex.split(line.strip())


@pytest.fixture
def uvicorn_as_make_run(transactional_db):
    """Uvicorn with the Makefile's `run` flags, on a free port, against the test database."""
    flags = _make_run_flags()
    max_size = flags[flags.index("--ws-max-size") + 1]
    port = free_port()
    process = uvicorn_start(
        port=port,
        flags=["--ws-per-message-deflate", "false", "--ws-max-size", max_size],
    )
    try:
        uvicorn_wait(process, port)
        yield port
    finally:
        uvicorn_stop(process)


def _frame_header(length: int) -> bytes:
    """A masked client text frame's header announcing `length` bytes (RFC 6455 §5.2)."""
    return bytes([0x81, 0x80 | 127]) + length.to_bytes(8, "big") + b"\x00\x00\x00\x00"


def test_uvicorn_closes_an_oversized_frame_with_1009_before_reading_it(
    alice, bob, direct, uvicorn_as_make_run
):
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    cookie = client_for(alice).cookies[settings.SESSION_COOKIE_NAME].value
    url = f"ws://127.0.0.1:{uvicorn_as_make_run}/ws/"
    headers = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}",
        "Origin": f"http://127.0.0.1:{uvicorn_as_make_run}",
    }
    with connect(url, additional_headers=headers, max_size=None, compression=None) as ws:
        # The largest legitimate frame passes (and is answered by the consumer).
        body = "😀" * services.MAX_BODY_LENGTH
        largest = json.dumps(  # ensure_ascii: every emoji as a \uXXXX\uXXXX pair
            {"type": "message.send", "conversation": direct.pk, "body": body, "client_id": "x" * 64}
        )
        assert len(largest.encode()) <= MAX_FRAME_BYTES
        ws.send(largest)
        answer = json.loads(ws.recv(timeout=10))
        while answer["type"] != "message.new":
            answer = json.loads(ws.recv(timeout=10))
        assert answer["body"] == body

        # A 15 MB frame: only its header and 16 KB of it are ever sent. The server must
        # decide from the header, without waiting for (buffering) the rest.
        ws.socket.sendall(_frame_header(15 * 1024 * 1024) + b"x" * 16 * 1024)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
    assert re.search(r"too big|exceed", closed.value.rcvd.reason or "too big", re.I)
