"""benchmarks/messaging_load.py and its bare floor (docs/messaging.md, Speed): cheap checks
that the benchmark measures what it says. The benchmark itself stays out of the suite."""

from __future__ import annotations

import asyncio
import json
import shlex
import uuid

import pytest
import websockets
import yaml
from asgiref.sync import sync_to_async
from django.conf import settings
from websockets.asyncio.server import serve

from benchmarks.messaging_floor import Floor
from benchmarks.messaging_load import SERVER_ARGS, busiest, limits_check
from messaging.formatting import body_to_html
from messaging.models import Conversation, Message, Participant
from tests.test_deployment import COMPOSE_FILE, command, option

from .conftest import person_with_account


def test_the_benchmark_runs_uvicorn_with_the_production_flags():
    # tests/test_deployment.py checks that the Makefile's `run` agrees with compose.
    ws = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]["ws"]
    ours = shlex.split(SERVER_ARGS)
    for flag in ("--ws-max-size", "--ws-per-message-deflate"):
        assert option(ours, flag) == option(command(ws), flag)


def test_busiest_counts_the_most_in_any_window():
    assert busiest([0.0, 1.0, 9.9, 10.0, 10.5], 10) == 4
    assert busiest([0.0, 10.0, 20.0], 10) == 1


def test_the_default_load_is_not_refused_by_the_socket_limits():
    # 1,000 sockets, 200 messages a second, 60 s after a 10 s warm-up: no limit bites.
    checks = limits_check(1000, 200, 60, 10)
    assert len(checks) == 4
    assert all("does not bite" in check for check in checks), checks


def test_a_load_over_the_limits_is_said_to_bite():
    assert any("BITES" in check for check in limits_check(10, 200, 10, 0))


@pytest.mark.django_db(transaction=True)
async def test_the_bare_floor_stores_with_the_real_statement_and_fans_out(require_redis):
    people = [await sync_to_async(person_with_account)() for _ in range(3)]
    outsider = await sync_to_async(person_with_account)()

    def conversation_of(members):
        conversation = Conversation.objects.create(kind="group", title="floor")
        for person in members:
            Participant.objects.create(conversation=conversation, person=person)
        return conversation.pk

    conversation = await sync_to_async(conversation_of)(people)
    database = settings.DATABASES["default"]
    url = (
        f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )
    floor = Floor(database_url=url, redis_url=settings.REDIS_URL, connections=2)
    await floor.start()
    server = await serve(floor.handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        sockets = [
            await websockets.connect(f"ws://127.0.0.1:{port}/?person={person.pk}")
            for person in [*people, outsider]
        ]
        await asyncio.sleep(0.2)  # the subscriptions are on the pub/sub connection
        client_id = uuid.uuid4().hex
        await sockets[0].send(
            json.dumps(
                {
                    "type": "message.send",
                    "conversation": conversation,
                    "body": "hallo *allemaal*",
                    "client_id": client_id,
                }
            )
        )
        for ws in sockets[:3]:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 3))
            assert (frame["type"], frame["client_id"], frame["seq"]) == (
                "message.new",
                client_id,
                1,
            )
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(sockets[3].recv(), 0.3)
        stored = await Message.objects.aget(conversation_id=conversation)
        assert (stored.author_id, stored.client_id, stored.seq) == (people[0].pk, client_id, 1)
        assert stored.body_html == body_to_html("hallo *allemaal*")
        for ws in sockets:
            await ws.close()
    finally:
        server.close()
        await server.wait_closed()
        await floor.stop()
