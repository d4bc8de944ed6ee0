"""Blocks between people: the one place that decides whether two people are blocked
(blocks are written by network.services.blocks).

Two people are blocked when either one blocked the other. Python code asks
`is_blocked_between`; a statement that must decide inside the database (messaging's
one-statement store) embeds `blocked_between_sql`, the same condition written for SQL
and generated from `Block`'s own table and columns. tests/messaging/test_send_rules.py
checks that the two agree in every direction.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from network.models import Block, Membership


def _between(person_a_id, person_b_id) -> Q:
    return Q(blocker_id=person_a_id, blocked_id=person_b_id) | Q(
        blocker_id=person_b_id, blocked_id=person_a_id
    )


def is_blocked_between(person_a_id: int, person_b_id: int) -> bool:
    return Block.objects.filter(_between(person_a_id, person_b_id)).exists()


def blocked_between_sql(person_a: str, person_b: str) -> str:
    """`is_blocked_between` as an SQL condition on two SQL expressions (columns or
    placeholders, never user input), for statements that decide in the database."""
    quote = connection.ops.quote_name
    names = {
        "table": quote(Block._meta.db_table),
        "blocker": quote(Block._meta.get_field("blocker").column),
        "blocked": quote(Block._meta.get_field("blocked").column),
        "a": person_a,
        "b": person_b,
    }
    return _BETWEEN_SQL.format(**names)


# The same condition as `_between`; only names and SQL expressions are formatted in.
_BETWEEN_SQL = (
    "EXISTS (SELECT 1 FROM {table} AS block"
    " WHERE (block.{blocker} = {a} AND block.{blocked} = {b})"
    " OR (block.{blocker} = {b} AND block.{blocked} = {a}))"
)


def blocked_between_people_of(organisation_id: int) -> set[int]:
    """People who blocked, or were blocked by, a member of the organisation."""
    members = Membership.objects.filter(organisation_id=organisation_id).values("person_id")
    ids: set[int] = set()
    for blocker_id, blocked_id in Block.objects.filter(
        Q(blocker_id__in=members) | Q(blocked_id__in=members)
    ).values_list("blocker_id", "blocked_id"):
        ids.update((blocker_id, blocked_id))
    member_ids = set(
        Membership.objects.filter(organisation_id=organisation_id).values_list(
            "person_id", flat=True
        )
    )
    return ids - member_ids
