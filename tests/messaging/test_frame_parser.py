"""Property tests of the WebSocket frame parser and the consumer behind it: whatever a
client sends, the answer is a frame or a FrameError with a protocol code, never another
exception, and the socket stays open (docs/contracts.md §6: "a bad frame gets an error frame
and the socket stays open")."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from messaging.consumers import ERROR_CODES, FRAME_FIELDS, MAX_FRAME_BYTES, FrameError, parse_frame
from tests.messaging.conftest import open_socket

KNOWN_TYPES = sorted(FRAME_FIELDS)
FIELDS = sorted({field for fields in FRAME_FIELDS.values() for field in fields} | {"type"})

# Every code point, lone surrogates included (JSON can escape them: "\ud800").
any_text = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=80),
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**53, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | any_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=12,
)


SMALL_IDS = st.integers(min_value=1, max_value=50)


@st.composite
def frame_objects(draw, conversation_ids=SMALL_IDS):
    """Objects shaped like frames: a known or unknown type, each field present or not,
    of the right type or any other."""
    frame = {"type": draw(st.one_of(st.sampled_from(KNOWN_TYPES), json_values))}
    for field in [f for f in FIELDS if f != "type"]:
        if draw(st.booleans()):
            right = {
                "conversation": conversation_ids,
                "after_seq": st.integers(min_value=-2, max_value=10),
                "seq": st.integers(min_value=-2, max_value=10),
                "id": st.integers(min_value=-2, max_value=10**20),
                "body": any_text,
                "client_id": any_text,
            }[field]
            frame[field] = draw(st.one_of(right, json_values))
    if draw(st.booleans()):
        frame[draw(any_text)] = draw(json_values)
    return frame


def _dumps(value) -> str:
    # allow_nan: NaN, Infinity and -Infinity as the tokens a hostile client can send.
    return json.dumps(value, allow_nan=True, ensure_ascii=False)


frame_texts = st.one_of(
    any_text,
    st.binary(max_size=200).map(lambda raw: raw.decode("utf-8", "surrogateescape")),
    st.builds(_dumps, json_values),
    st.builds(_dumps, frame_objects()),
    st.integers(min_value=1, max_value=60_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(min_value=1, max_value=5_000).map(
        lambda depth: '{"a":' * depth + "1" + "}" * depth
    ),
    st.integers(min_value=4_000, max_value=20_000).map(lambda digits: "9" * digits),
    st.integers(min_value=4_000, max_value=20_000).map(
        lambda digits: '{"type": "sync", "conversation": ' + "9" * digits + ', "after_seq": 0}'
    ),
    st.sampled_from(["NaN", "Infinity", "-Infinity", '{"type": NaN}', "1e999999", "\x00"]),
)


def _check(text) -> None:
    try:
        frame = parse_frame(text)
    except FrameError as error:
        assert error.code in ERROR_CODES
        assert isinstance(error.detail, str) and error.detail
        assert isinstance(error.client_id, str)
        error.client_id.encode("utf-8")  # it is echoed back: it must be sendable text
        error.detail.encode("utf-8")
        return
    assert isinstance(frame, dict)
    assert frame["type"] in FRAME_FIELDS
    for field, expected in FRAME_FIELDS[frame["type"]].items():
        assert isinstance(frame[field], expected) and not isinstance(frame[field], bool)
        if expected is str:
            frame[field].encode("utf-8")


@settings(max_examples=1500, deadline=None, database=None)
@given(frame_texts)
def test_any_text_is_a_frame_or_a_frame_error(text):
    _check(text)


@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(st.binary(max_size=300), st.none(), st.integers(), st.builds(list)))
def test_binary_and_other_non_text_is_bad_json(value):
    with pytest.raises(FrameError) as refused:
        parse_frame(value)
    assert refused.value.code == "bad_json"


def test_oversized_frames_are_too_long_by_their_utf8_bytes():
    under = json.dumps({"type": "typing", "conversation": 1, "pad": "é" * 1000})
    assert parse_frame(under)["type"] == "typing"
    # Fewer characters than MAX_FRAME_BYTES, more bytes: still too long.
    over = '{"type": "typing", "conversation": 1, "pad": "' + "é" * (MAX_FRAME_BYTES // 2) + '"}'
    assert len(over) < MAX_FRAME_BYTES < len(over.encode())
    with pytest.raises(FrameError) as refused:
        parse_frame(over)
    assert refused.value.code == "too_long"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            '{"type": "message.send", "conversation": 1, "body": "\\ud800", "client_id": "a"}',
            "invalid",
        ),
        (
            '{"type": "message.send", "conversation": 1, "body": "x", "client_id": "\\udfff"}',
            "invalid",
        ),
        (
            '{"type": "message.edit", "conversation": 1, "id": 99999999999999999999, "body": "x"}',
            "not_found",
        ),
        ('{"type": "message.delete", "conversation": 1, "id": -3}', "not_found"),
        ('{"type": ["a", {"b": [[[]]]}]}', "unknown_type"),
        ('{"type": "\\ud800"}', "unknown_type"),
        ('{"type": "sync", "conversation": NaN, "after_seq": 0}', "invalid"),
        ('{"type": "sync", "conversation": 1, "after_seq": Infinity}', "invalid"),
    ],
)
def test_examples_the_properties_found(text, code):
    with pytest.raises(FrameError) as refused:
        parse_frame(text)
    assert refused.value.code == code
    if "client_id" in text:
        assert refused.value.client_id == "" or refused.value.client_id.isascii()


# The consumer --------------------------------------------------------------------------

SERVER_FRAMES = {
    "message.new",
    "message.changed",
    "sync.done",
    "read",
    "typing",
    "presence",
    "conversation.new",
    "error",
}
SENTINEL = json.dumps({"type": "sentinel-after-each-frame"})
GENEROUS = {
    "MESSAGING_SOCKET_FRAME_LIMITS": {"*": (10**6, 1)},
    "MESSAGING_PERSON_FRAME_LIMITS": {},
    "MESSAGING_RATE_LIMIT": (10**6, 10),
}


@pytest.mark.django_db(transaction=True)
@override_settings(**GENEROUS)
def test_arbitrary_frames_never_crash_the_consumer(alice, bob, direct):
    """One socket takes every example; after each frame a sentinel frame must be answered
    with its own error, so the consumer is alive, the socket open, and every frame it sent
    meanwhile is a protocol frame."""
    loop = asyncio.new_event_loop()
    sock = loop.run_until_complete(open_socket(alice))
    ids = st.one_of(st.just(direct.pk), st.integers(min_value=-2, max_value=2**64))
    texts = st.one_of(
        st.builds(_dumps, frame_objects(conversation_ids=ids)),
        frame_texts,
    )

    async def exchange(text: str) -> None:
        # send_input: send_to refuses an empty frame, which a client can send.
        await sock.communicator.send_input({"type": "websocket.receive", "text": text})
        await sock.communicator.send_to(text_data=SENTINEL)
        while True:
            # receive_output re-raises the consumer's exception if it crashed.
            output = await sock.communicator.receive_output(timeout=10)
            assert output["type"] == "websocket.send", output  # never websocket.close
            # A real server must encode it as UTF-8: no lone surrogate may come back.
            output["text"].encode("utf-8")
            frame = json.loads(output["text"])
            assert frame["type"] in SERVER_FRAMES, frame
            if frame["type"] == "error":
                assert frame["code"] in ERROR_CODES, frame
                assert isinstance(frame["client_id"], str)
                if "sentinel-after-each-frame" in frame["detail"]:
                    return

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(texts)
    @example(
        _dumps(
            {"type": "message.send", "conversation": direct.pk, "body": "\ud800", "client_id": "s"}
        )
    )
    @example(_dumps({"type": "nope", "client_id": "\udfff"}))
    @example(_dumps({"type": "typing", "conversation": 2**40, "client_id": "\ud800"}))
    @example(_dumps({"type": "message.edit", "conversation": direct.pk, "id": 2**64, "body": "x"}))
    def run(text):
        loop.run_until_complete(exchange(text))

    try:
        run()
    finally:
        loop.run_until_complete(sock.close())
        loop.close()
