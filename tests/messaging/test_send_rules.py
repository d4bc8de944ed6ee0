"""One definition of the send rules, checked on every store path (docs/messaging.md).

Plain text on PostgreSQL is stored by one SQL statement (`_STORE_PLAIN_SQL`) that checks
the rules in the database; everything else by the general path, which checks them in
Python (`_send_refusal`, blocks by `network.blocks`); the socket sends through
`amessage_send`, the same steps from its event loop. Every refusal runs through each,
from the same starting state, and must end the same: same outcome, same error code and
detail, same state (no seq taken, nothing stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from messaging import services
from messaging.models import Conversation, Message, Participant
from network.blocks import blocked_between_sql, is_blocked_between
from network.models import Block
from network.services.blocks import block_create

pytestmark = pytest.mark.django_db

PATHS = {
    "one statement, prepared": {
        "MESSAGING_STORE_ONE_STATEMENT": True,
        "MESSAGING_PREPARED_STATEMENTS": True,
    },
    "one statement, not prepared": {
        "MESSAGING_STORE_ONE_STATEMENT": True,
        "MESSAGING_PREPARED_STATEMENTS": False,
    },
    "general path": {"MESSAGING_STORE_ONE_STATEMENT": False},
    # The socket's own path (services.amessage_send), from the event loop.
    "event loop": {
        "MESSAGING_STORE_ONE_STATEMENT": True,
        "MESSAGING_PREPARED_STATEMENTS": True,
    },
}
# The general path's first statement; the one-statement store runs on the raw connection,
# so Django never captures it.
GENERAL_PATH_MARK = "SET last_seq = last_seq + 1"


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement store exists on PostgreSQL only")


def _send(conversation_id: Any, author, body: Any = "Hallo", client_id: Any = "") -> dict:
    return {
        "conversation_id": conversation_id,
        "author": author,
        "body": body,
        "client_id": client_id,
    }


def _direct(p):
    return services.conversation_start(creator=p["alice"], participants=[p["bob"]])


def _group(p):
    return services.conversation_start(
        creator=p["alice"], participants=[p["bob"], p["carol"]], title="Buurt"
    )


# Each case builds its state and returns the send to try.


def _allowed_direct(p):
    return _send(_direct(p).pk, p["alice"])


def _not_a_participant(p):
    return _send(_direct(p).pk, p["carol"])


def _left_the_group(p):
    group = _group(p)
    services.group_member_remove(conversation=group, actor=p["bob"], person=p["bob"])
    return _send(group.pk, p["bob"])


def _blocked_by_the_other(p):
    conversation = _direct(p)
    block_create(blocker=p["bob"], blocked=p["alice"])
    return _send(conversation.pk, p["alice"])


def _blocked_the_other(p):
    conversation = _direct(p)
    block_create(blocker=p["alice"], blocked=p["bob"])
    return _send(conversation.pk, p["alice"])


def _block_in_a_group(p):
    group = _group(p)
    block_create(blocker=p["bob"], blocked=p["alice"])
    block_create(blocker=p["alice"], blocked=p["carol"])
    return _send(group.pk, p["alice"])


def _block_with_someone_else(p):
    conversation = _direct(p)
    block_create(blocker=p["alice"], blocked=p["carol"])
    return _send(conversation.pk, p["alice"])


def _deleted_conversation(p):
    conversation = _direct(p)
    conversation_id = conversation.pk
    conversation.delete()
    return _send(conversation_id, p["alice"])


def _unknown_conversation(p):
    _direct(p)
    return _send(Conversation.objects.order_by("-pk").first().pk + 1000, p["alice"])


def _conversation_beyond_range(p):
    _direct(p)
    return _send(2**63, p["alice"])


def _conversation_as_text(p):
    return _send(str(_direct(p).pk), p["alice"])


def _empty_body(p):
    return _send(_direct(p).pk, p["alice"], body="  \n ")


def _body_too_long(p):
    return _send(_direct(p).pk, p["alice"], body="x" * (services.MAX_BODY_LENGTH + 1))


def _body_with_nul(p):
    return _send(_direct(p).pk, p["alice"], body="a\x00b")


def _body_not_text(p):
    return _send(_direct(p).pk, p["alice"], body=5)


def _client_id_too_long(p):
    return _send(_direct(p).pk, p["alice"], client_id="c" * 65)


def _repeated_client_id(p):
    conversation = _direct(p)
    services.message_send(
        conversation_id=conversation.pk, author=p["alice"], body="Eén", client_id="same"
    )
    return _send(conversation.pk, p["alice"], body="Anders", client_id="same")


def _repeated_client_id_after_leaving(p):
    group = _group(p)
    services.message_send(conversation_id=group.pk, author=p["bob"], body="Eén", client_id="same")
    services.group_member_remove(conversation=group, actor=p["bob"], person=p["bob"])
    return _send(group.pk, p["bob"], body="Eén", client_id="same")


def _repeated_client_id_of_someone_else(p):
    conversation = _direct(p)
    services.message_send(
        conversation_id=conversation.pk, author=p["bob"], body="Van Bob", client_id="same"
    )
    return _send(conversation.pk, p["alice"], body="Van Alice", client_id="same")


def _over_the_rate_limit(p):
    conversation = _direct(p)
    for number in range(2):
        services.message_send(
            conversation_id=conversation.pk,
            author=p["alice"],
            body=f"{number}",
            client_id=f"{number}",
        )
    return _send(conversation.pk, p["alice"], client_id="third")


@dataclass(frozen=True)
class Case:
    setup: Any
    outcome: tuple  # ("stored", seq, created) or ("refused", code)
    reaches_store: bool = True


CASES = {
    "allowed in a direct conversation": Case(_allowed_direct, ("stored", 1, True)),
    "not a participant": Case(_not_a_participant, ("refused", "not_found")),
    "left the group": Case(_left_the_group, ("refused", "not_found")),
    "blocked by the other (direct)": Case(_blocked_by_the_other, ("refused", "forbidden")),
    "blocked the other (direct)": Case(_blocked_the_other, ("refused", "forbidden")),
    "blocks do not apply in a group": Case(_block_in_a_group, ("stored", 1, True)),
    "a block with someone outside": Case(_block_with_someone_else, ("stored", 1, True)),
    "deleted conversation": Case(_deleted_conversation, ("refused", "not_found")),
    "unknown conversation": Case(_unknown_conversation, ("refused", "not_found")),
    "conversation id beyond range": Case(
        _conversation_beyond_range, ("refused", "not_found"), reaches_store=False
    ),
    "conversation id as text": Case(
        _conversation_as_text, ("refused", "invalid"), reaches_store=False
    ),
    "empty body": Case(_empty_body, ("refused", "invalid"), reaches_store=False),
    "body too long": Case(_body_too_long, ("refused", "too_long"), reaches_store=False),
    "body with NUL": Case(_body_with_nul, ("refused", "invalid"), reaches_store=False),
    "body not text": Case(_body_not_text, ("refused", "invalid"), reaches_store=False),
    "client_id too long": Case(_client_id_too_long, ("refused", "invalid"), reaches_store=False),
    "repeated client_id": Case(_repeated_client_id, ("stored", 1, False)),
    "repeated client_id after leaving": Case(
        _repeated_client_id_after_leaving, ("refused", "not_found")
    ),
    "someone else's client_id": Case(_repeated_client_id_of_someone_else, ("stored", 2, True)),
    "over the rate limit": Case(
        _over_the_rate_limit, ("refused", "rate_limited"), reaches_store=False
    ),
}


class _Rollback(Exception):
    def __init__(self, result: dict) -> None:
        self.result = result


def _state(conversation_id: Any) -> tuple:
    if not isinstance(conversation_id, int) or conversation_id > 2**63 - 1:
        conversation_id = 0
    return (
        Conversation.objects.filter(pk=conversation_id).values_list("last_seq").first(),
        Message.objects.count(),
        sorted(
            Participant.objects.filter(conversation_id=conversation_id).values_list(
                "person_id", "last_read_seq", "emailed_seq"
            )
        ),
    )


def _from_the_event_loop(send: dict, monkeypatch) -> services.SendResult:
    """`services.amessage_send`, the socket's path, inside this test's transaction: its
    statement (`database.fetch_one`) and its thread-pool steps (`database.db`) run on the
    test's own connection, so they see the case's state and roll back with it. Nothing
    it awaits then waits, so the coroutine finishes in one step, without an event loop."""

    async def fetch_one(sql, params):
        try:
            with transaction.atomic():  # a savepoint, as the socket's statement stands alone
                return services._execute_prepared(sql, params)
        except IntegrityError as error:
            raise error.__cause__ from None  # psycopg's, as the loop's connection raises it

    def db(function):
        async def run(*args, **kwargs):
            return function(*args, **kwargs)

        return run

    monkeypatch.setattr(services, "fetch_one", fetch_one)
    monkeypatch.setattr(services, "db", db)
    coroutine = services.amessage_send(**send)
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("amessage_send waited for something")


def attempt(case: Case, people: dict, path: str, monkeypatch) -> dict:
    """Build the case's state, try the send on `path`, record everything, roll back."""
    cache.clear()  # the rate-limit window starts empty on every path
    with (
        override_settings(MESSAGING_RATE_LIMIT=(2, 60), **PATHS[path]),
        CaptureQueriesContext(connection) as queries,
    ):
        try:
            with transaction.atomic():
                send = case.setup(people)
                before = _state(send["conversation_id"])
                start = len(queries.captured_queries)
                try:
                    if path == "event loop":
                        result = _from_the_event_loop(send, monkeypatch)
                    else:
                        result = services.message_send(**send)
                except services.MessagingError as error:
                    outcome = ("refused", error.code)
                    detail = error.detail
                else:
                    outcome = ("stored", result.message.seq, result.created)
                    detail = result.message.body
                after = _state(send["conversation_id"])
                general = any(
                    GENERAL_PATH_MARK in q["sql"] for q in queries.captured_queries[start:]
                )
                raise _Rollback(
                    {
                        "outcome": outcome,
                        "detail": detail,
                        "changed": before != after,
                        "before": before,
                        "after": after,
                        "general path ran": general,
                    }
                )
        except _Rollback as rolled_back:
            return rolled_back.result
    raise AssertionError("unreachable")


@pytest.mark.parametrize("name", list(CASES))
def test_every_send_rule_ends_the_same_on_every_store_path(name, alice, bob, carol, monkeypatch):
    case = CASES[name]
    people = {"alice": alice, "bob": bob, "carol": carol}
    results = {path: attempt(case, people, path, monkeypatch) for path in PATHS}
    for path, result in results.items():
        assert result["outcome"] == case.outcome, (path, result)
        # The store path that ran is the one asked for (validation refusals run neither).
        assert result["general path ran"] == (path == "general path" and case.reaches_store), path
        if case.outcome[0] == "refused" or case.outcome[2] is False:
            assert not result["changed"], (path, result)  # no seq taken, nothing stored
        else:
            assert result["changed"]
    # Same detail (word for word) and the same state afterwards, whichever path stored.
    first = results["one statement, prepared"]
    for result in results.values():
        assert result["detail"] == first["detail"]
        assert result["after"] == first["after"]


DIRECTIONS = {
    "nobody blocked": [],
    "a blocked b": [("a", "b")],
    "b blocked a": [("b", "a")],
    "both blocked": [("a", "b"), ("b", "a")],
    "a blocked c only": [("a", "c")],
    "c blocked b only": [("c", "b")],
}


@pytest.mark.parametrize("name", list(DIRECTIONS))
def test_the_sql_block_condition_is_network_blocks_rule(name, alice, bob, carol):
    ids = {"a": alice.pk, "b": bob.pk, "c": carol.pk}
    for blocker, blocked in DIRECTIONS[name]:
        Block.objects.create(blocker_id=ids[blocker], blocked_id=ids[blocked])
    with connection.cursor() as cursor:
        for first, second in [("a", "b"), ("b", "a"), ("a", "c"), ("b", "c")]:
            cursor.execute(
                f"SELECT {blocked_between_sql('%(a)s', '%(b)s')}",
                {"a": ids[first], "b": ids[second]},
            )
            in_sql = cursor.fetchone()[0]
            assert in_sql is is_blocked_between(ids[first], ids[second]), (first, second)


def test_the_store_statement_embeds_network_blocks_condition():
    """Generated, not copied: the statement holds network.blocks' condition verbatim."""
    assert blocked_between_sql("%(author)s", "other.person_id") in services._STORE_PLAIN_SQL
