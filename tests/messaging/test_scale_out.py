"""Past one process: two real Uvicorn processes, one conversation, a socket on each.

A message sent through one ws process must reach a socket held by the other. Only the
channel layer (Redis pub/sub, messaging.layers.PubSubChannelLayer) joins them: this is
what lets the compose `scale` profile (docs/scaling.md) put two ws services behind nginx.
"""

from __future__ import annotations

import json
import subprocess
import time
from contextlib import ExitStack

import pytest
from django.conf import settings

from tests.asgi_server import free_port, uvicorn_start, uvicorn_stop, uvicorn_wait
from tests.messaging.conftest import client_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_redis"),
]


def _uvicorn(port: int) -> subprocess.Popen:
    """Uvicorn as the compose ws service runs it, on `port`, against the test database and
    the test run's Redis."""
    from messaging.consumers import MAX_FRAME_BYTES

    flags = ["--ws-per-message-deflate", "false", "--ws-max-size", str(MAX_FRAME_BYTES)]
    return uvicorn_start(port=port, flags=flags)


@pytest.fixture(scope="module")
def _launched(django_db_setup):
    """Two Uvicorn processes, launched before the function-scoped fixtures (the test
    database's flush, taxonomies, people) so that their start-up overlaps with those."""
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        processes = []
        for port in ports:
            process = _uvicorn(port)
            stack.callback(uvicorn_stop, process)
            processes.append(process)
        yield list(zip(ports, processes, strict=True))


@pytest.fixture
def two_ws_processes(_launched, transactional_db):
    """The ports of the two Uvicorn processes, once both accept connections.

    Both are stopped before the test database is flushed: a closing socket's work
    (presence, in the process's own connection) racing the flush's TRUNCATE can deadlock,
    and PostgreSQL may then abort the TRUNCATE (seen in CI, once)."""
    for port, process in _launched:
        uvicorn_wait(process, port)
    assert _launched[0][1].pid != _launched[1][1].pid
    yield [port for port, _process in _launched]
    for _port, process in _launched:
        uvicorn_stop(process)


def _connect(stack: ExitStack, port: int, person):
    from websockets.sync.client import connect

    cookie = client_for(person).cookies[settings.SESSION_COOKIE_NAME].value
    ws = stack.enter_context(
        connect(
            f"ws://127.0.0.1:{port}/ws/",
            additional_headers={
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}",
                "Origin": f"http://127.0.0.1:{port}",
            },
            compression=None,
            open_timeout=10,
        )
    )
    # A round trip: the consumer has joined its groups before anyone sends.
    ws.send(json.dumps({"type": "sync", "conversation": 2**40, "after_seq": 0}))
    _receive(ws, "error")
    return ws


def _receive(ws, kind: str, timeout: float = 5) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {kind} frame within {timeout} s")
        frame = json.loads(ws.recv(timeout=left))
        if frame["type"] == kind:
            return frame


def _send(ws, conversation: int, body: str, client_id: str) -> None:
    ws.send(
        json.dumps(
            {
                "type": "message.send",
                "conversation": conversation,
                "body": body,
                "client_id": client_id,
            }
        )
    )


def test_a_message_sent_through_one_ws_process_reaches_a_socket_on_the_other(
    alice, bob, direct, two_ws_processes
):
    first, second = two_ws_processes
    with ExitStack() as stack:
        alice_ws = _connect(stack, first, alice)
        bob_ws = _connect(stack, second, bob)

        _send(alice_ws, direct.pk, "Hoi Bob, via proces één", "scale-1")
        received = _receive(bob_ws, "message.new")
        assert received["conversation"] == direct.pk
        assert received["body"] == "Hoi Bob, via proces één"
        assert received["client_id"] == "scale-1"
        assert received["author"] == alice.ref
        assert _receive(alice_ws, "message.new")["seq"] == received["seq"]

        # And back: the other process's socket reaches the first.
        _send(bob_ws, direct.pk, "Hoi Alice, via proces twee", "scale-2")
        answer = _receive(alice_ws, "message.new")
        assert answer["body"] == "Hoi Alice, via proces twee"
        assert answer["seq"] == received["seq"] + 1
