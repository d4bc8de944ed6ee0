"""The realtime protocol (docs/contracts.md §6) through the real ASGI application."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import override_settings

from messaging.models import Message
from tests.messaging.conftest import client_for, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("require_redis")]


def send_frame(conversation, body="Hallo", client_id="c-1"):
    return {
        "type": "message.send",
        "conversation": conversation,
        "body": body,
        "client_id": client_id,
    }


async def test_unauthenticated_socket_is_closed_with_4401():
    socket = await open_socket(None)
    output = await socket.communicator.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4401}


async def test_message_reaches_every_participant_and_acknowledges_the_sender(alice, bob, direct):
    a, b = await open_socket(alice), await open_socket(bob)
    await a.send(send_frame(direct.pk, "Hoi Bob, **welkom**", "first"))
    mine = await a.receive_type("message.new")
    theirs = await b.receive_type("message.new")
    assert mine == theirs
    assert mine["seq"] == 1
    assert mine["author"] == alice.ref
    assert mine["client_id"] == "first"
    assert mine["body_html"] == "Hoi Bob, <strong>welkom</strong>"
    assert set(mine) >= {
        "conversation",
        "seq",
        "id",
        "author",
        "body",
        "body_html",
        "client_id",
        "sent_at",
    }
    await a.send(send_frame(direct.pk, "Tweede", "second"))
    assert (await b.receive_type("message.new"))["seq"] == 2
    await a.close()
    await b.close()


async def test_same_client_id_three_times_stores_one_message(alice, bob, direct):
    a, b = await open_socket(alice), await open_socket(bob)
    for _ in range(3):
        await a.send(send_frame(direct.pk, "Eén keer", "same-id"))
    acknowledgements = [await a.receive_type("message.new") for _ in range(3)]
    assert {f["id"] for f in acknowledgements} == {acknowledgements[0]["id"]}
    assert await database_sync_to_async(Message.objects.filter(conversation=direct).count)() == 1
    received = [f for f in await b.drain() if f["type"] == "message.new"]
    assert [f["seq"] for f in received] == [1]
    await a.close()
    await b.close()


async def test_non_participant_gets_not_found_and_hears_nothing(alice, bob, carol, direct):
    a, c = await open_socket(alice), await open_socket(carol)
    for frame in [
        send_frame(direct.pk, "ingebroken", "x"),
        {"type": "sync", "conversation": direct.pk, "after_seq": 0},
        {"type": "read", "conversation": direct.pk, "seq": 1},
        {"type": "typing", "conversation": direct.pk},
    ]:
        await c.send(frame)
        error = await c.receive_type("error")
        assert error["code"] == "not_found", frame
    await a.send(send_frame(direct.pk, "Alleen voor Bob", "private"))
    await a.send({"type": "typing", "conversation": direct.pk})
    await a.receive_type("message.new")
    leaked = [f for f in await c.drain(0.5) if f.get("conversation") == direct.pk]
    assert leaked == []
    assert not await database_sync_to_async(Message.objects.filter(body="ingebroken").exists)()
    await a.close()
    await c.close()


BAD_FRAMES = [
    ("not json", "bad_json"),
    ("[1, 2]", "invalid"),
    ('"a string"', "invalid"),
    ("{}", "unknown_type"),
    ('{"type": "dance"}', "unknown_type"),
    ('{"type": 5}', "unknown_type"),
    ('{"type": "message.send", "conversation": 1}', "invalid"),
    ('{"type": "message.send", "conversation": "1", "body": "x", "client_id": "a"}', "invalid"),
    ('{"type": "message.send", "conversation": 1.5, "body": "x", "client_id": "a"}', "invalid"),
    ('{"type": "message.send", "conversation": true, "body": "x", "client_id": "a"}', "invalid"),
    ('{"type": "message.send", "conversation": CONV, "body": 7, "client_id": "a"}', "invalid"),
    ('{"type": "message.send", "conversation": CONV, "body": "x", "client_id": 7}', "invalid"),
    (
        '{"type": "message.send", "conversation": CONV, "body": "x", "client_id": "'
        + "a" * 65
        + '"}',
        "invalid",
    ),
    ('{"type": "message.send", "conversation": CONV, "body": "   ", "client_id": "a"}', "invalid"),
    (
        '{"type": "message.send", "conversation": CONV, "body": "BIG", "client_id": "big"}',
        "too_long",
    ),
    (
        '{"type": "message.send", "conversation": CONV, "body": "LONG", "client_id": "long"}',
        "too_long",
    ),
    (
        '{"type": "message.send", "conversation": 999999999, "body": "x", "client_id": "a"}',
        "not_found",
    ),
    ('{"type": "sync", "conversation": CONV, "after_seq": -1}', "invalid"),
    ('{"type": "sync", "conversation": CONV, "after_seq": 1e400}', "invalid"),
    ('{"type": "sync", "conversation": CONV, "after_seq": 99999999999999999999999999}', "invalid"),
    ('{"type": "read", "conversation": CONV, "seq": -5}', "invalid"),
    ('{"type": "read", "conversation": CONV, "seq": "3"}', "invalid"),
    ('{"type": "typing", "conversation": [1]}', "invalid"),
    ('{"type": "typing", "conversation": 99999999999999999999999999}', "not_found"),
]


async def test_bad_frames_get_an_error_and_the_socket_keeps_working(alice, bob, direct):
    a = await open_socket(alice)
    for text, code in BAD_FRAMES:
        text = text.replace("CONV", str(direct.pk))
        text = text.replace('"BIG"', json.dumps("x" * 1_000_000))
        text = text.replace('"LONG"', json.dumps("x" * 10_001))
        await a.send(text)
        error = await a.receive_type("error")
        assert error["code"] == code, text[:120]
        assert error["detail"]
    await a.communicator.send_to(bytes_data=b"\x00\x01")
    assert (await a.receive_type("error"))["code"] == "bad_json"
    await a.send(send_frame(direct.pk, "Nog steeds hier", "still"))
    assert (await a.receive_type("message.new"))["body"] == "Nog steeds hier"
    assert await database_sync_to_async(Message.objects.filter(conversation=direct).count)() == 1
    await a.close()


@override_settings(MESSAGING_RATE_LIMIT=(3, 60))
async def test_sender_over_the_rate_limit_gets_rate_limited_and_nothing_is_stored(
    alice, bob, direct
):
    a = await open_socket(alice)
    for number in range(5):
        await a.send(send_frame(direct.pk, f"bericht {number}", f"rl-{number}"))
    frames = [await a.receive() for _ in range(5)]
    kinds = [f["type"] for f in frames if f["type"] in ("message.new", "error")]
    assert kinds.count("message.new") == 3
    errors = [f for f in frames if f["type"] == "error"]
    assert [e["code"] for e in errors] == ["rate_limited", "rate_limited"]
    assert {e["client_id"] for e in errors} == {"rl-3", "rl-4"}
    assert await database_sync_to_async(Message.objects.filter(conversation=direct).count)() == 3
    await a.close()


async def test_read_receipts_and_typing_reach_the_others(alice, bob, direct):
    a, b = await open_socket(alice), await open_socket(bob)
    await a.send(send_frame(direct.pk, "Lees je dit?", "r1"))
    message = await b.receive_type("message.new")
    await a.send({"type": "typing", "conversation": direct.pk})
    typing = await b.receive_type("typing")
    assert typing == {"type": "typing", "conversation": direct.pk, "person": alice.ref}
    await b.send({"type": "read", "conversation": direct.pk, "seq": message["seq"]})
    receipt = await a.receive_type("read")
    assert receipt == {"type": "read", "conversation": direct.pk, "person": bob.ref, "seq": 1}
    await a.close()
    await b.close()


async def test_a_message_posted_over_http_reaches_open_sockets(alice, bob, direct):
    b = await open_socket(bob)

    def post():
        return client_for(alice).post(
            f"/api/v1/conversations/{direct.pk}/messages",
            {"body": "Via de API", "client_id": "api-1"},
            content_type="application/json",
        )

    response = await database_sync_to_async(post)()
    assert response.status_code == 201
    frame = await b.receive_type("message.new")
    assert frame["body"] == "Via de API"
    assert frame["client_id"] == "api-1"
    await b.close()


async def test_edit_and_delete_reach_everyone(alice, bob, direct):
    a, b = await open_socket(alice), await open_socket(bob)
    await a.send(send_frame(direct.pk, "Typfout", "e1"))
    sent = await a.receive_type("message.new")
    await b.receive_type("message.new")
    await a.send(
        {"type": "message.edit", "conversation": direct.pk, "id": sent["id"], "body": "Verbeterd"}
    )
    edited = await b.receive_type("message.changed")
    assert edited["body"] == "Verbeterd" and edited["edited"] is True
    await a.send({"type": "message.delete", "conversation": direct.pk, "id": sent["id"]})
    deleted = await b.receive_type("message.changed")
    assert deleted["deleted"] is True and deleted["body"] == ""
    await b.send({"type": "message.delete", "conversation": direct.pk, "id": sent["id"]})
    assert (await b.receive_type("error"))["code"] in ("forbidden", "invalid")
    await a.close()
    await b.close()


# One way to draw a message ---------------------------------------------------------------


def _page(person, conversation) -> str:
    response = client_for(person).get(f"/conversations/{conversation.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _send_with_file(conversation, author):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from messaging import services

    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 " + b"x" * 2048, "application/pdf")
    return services.message_send(
        conversation_id=conversation.pk,
        author=author,
        body="Het **plan**, zie bijlage",
        client_id="file-1",
        attachments=[upload],
    )


async def test_the_page_and_the_socket_draw_a_message_with_the_same_fragment(alice, bob, direct):
    a, b = await open_socket(alice), await open_socket(bob)
    await database_sync_to_async(_send_with_file)(direct, alice)
    live = await b.receive_type("message.new")
    assert live == await a.receive_type("message.new")  # drawn once, for everyone
    await a.send(send_frame(direct.pk, "En <script>alert(1)</script> nog iets", "plain-1"))
    plain = await b.receive_type("message.new")

    fragment = live["html"]
    assert fragment.startswith('<li id="m1" ') and fragment.rstrip().endswith("</li>")
    # The actions and the file size that chat.js used to leave out are in it.
    assert f"/conversations/{direct.pk}/messages/{live['id']}/edit/" in fragment
    assert f"/conversations/{direct.pk}/messages/{live['id']}/delete/" in fragment
    assert f"/conversations/{direct.pk}/messages/{live['id']}/report/" in fragment
    assert "data-own-only" in fragment and "data-others-only" in fragment
    assert "plan.pdf</a> (2,0\xa0KB)" in fragment  # filesizeformat, in Dutch
    assert f'data-author="{alice.ref}"' in fragment
    assert "<script>" not in plain["html"] and "&lt;script&gt;" in plain["html"]

    # Both people's pages hold exactly the fragments the socket delivered.
    for person in (alice, bob):
        page = await database_sync_to_async(_page)(person, direct)
        assert fragment in page
        assert plain["html"] in page
    # The viewer-specific part is the page's: which author's actions are theirs.
    page = await database_sync_to_async(_page)(bob, direct)
    assert f'.bruggen-chat__message[data-author="{bob.ref}"] [data-own-only]' in page
    assert '<form id="message-delete" method="post" hidden>' in page
    await a.close()
    await b.close()


async def test_a_socket_in_another_language_gets_the_message_drawn_in_it(alice, bob, direct):
    from config.asgi import application
    from tests.messaging.conftest import Socket, _session_cookie

    cookie = await database_sync_to_async(_session_cookie)(bob)
    headers = [
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
        (b"accept-language", b"en-GB,en;q=0.9"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    from channels.testing import WebsocketCommunicator

    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    assert (await communicator.connect(timeout=5))[0]
    english, a = Socket(communicator), await open_socket(alice)
    await english.send({"type": "sync", "conversation": 2**40, "after_seq": 0})
    await english.receive_type("error")
    await a.send(send_frame(direct.pk, "Hallo", "lang-1"))
    dutch = await a.receive_type("message.new")
    theirs = await english.receive_type("message.new")
    assert ">Melden</a>" in dutch["html"]
    assert ">Report</a>" in theirs["html"]
    assert {k: v for k, v in theirs.items() if k != "html"} == {
        k: v for k, v in dutch.items() if k != "html"
    }
    replay = await english.sync(direct.pk, 0)
    assert ">Report</a>" in replay[0]["html"]
    await english.close()
    await a.close()
