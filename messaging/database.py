"""How the realtime socket reaches PostgreSQL (docs/messaging.md, The send path).

Two ways, both sized by MESSAGING_DB_THREADS per process:

- `db(service)`: a service (Django's ORM) in the messaging thread pool, each thread with
  its own Django connection, stale ones closed around every call (channels.db);
- `fetch_one(sql, params)`: one statement on the event loop's own psycopg connections,
  no thread: the one-statement store of plain text, the common send
  (`services.amessage_send`). A thread hop costs a hand-over of the GIL each way, and
  under load each waits for the event loop to let go of it.

Both skip CONN_HEALTH_CHECKS' `SELECT 1` for a connection that answered a moment ago and
has nothing waiting on its socket (`connection_still_healthy`), and check any other.
"""

from __future__ import annotations

import asyncio
import select
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

# The services' own thread pool (each thread keeps one database connection open), not
# Channels' single shared database thread: calls for different conversations go in
# parallel (the row lock orders them per conversation). A call mostly waits on
# PostgreSQL and Redis round trips, and asyncio's default pool of cores + 4 threads became
# the queue at 200 messages a second (docs/messaging.md, Speed).
_executor = ThreadPoolExecutor(
    max_workers=getattr(settings, "MESSAGING_DB_THREADS", 16), thread_name_prefix="messaging-db"
)


def db(function):
    """Run a service in the messaging thread pool, closing stale connections around it."""
    return database_sync_to_async(function, thread_sensitive=False, executor=_executor)


# The health check without its round trip ----------------------------------------------

# How long a connection that answered a statement is trusted without CONN_HEALTH_CHECKS'
# `SELECT 1` (seconds), when nothing waits on its socket.
HEALTHY_FOR = 5.0
# Raw connection → when it last answered a statement (time.monotonic()).
_answered_at: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def connection_answered(raw: Any) -> None:
    """`raw` (a psycopg connection, sync or async) just answered a statement."""
    _answered_at[raw] = time.monotonic()


def connection_still_healthy(raw: Any) -> bool:
    """Whether `raw` (a psycopg connection, sync or async) may be used without a health
    check round trip (`SELECT 1`): it answered a statement less than HEALTHY_FOR seconds
    ago, it is idle outside a transaction, and nothing waits on its socket.

    An idle connection receives nothing unasked. A backend that was terminated
    (pg_terminate_backend, a restart, idle_session_timeout) sends its last error and
    closes the socket, and a server that went away closes it: either makes the socket
    readable, and such a connection gets the real check and is replaced. So does anything
    harmless that arrived (a NOTIFY): the check is only skipped when it surely would pass.
    What this cannot see (a peer gone without a word within those seconds) the `SELECT 1`
    would not see sooner either: it would wait on it as the statement does."""
    answered = _answered_at.get(raw)
    if answered is None or time.monotonic() - answered > HEALTHY_FOR:
        return False
    if raw.closed or raw.broken or raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        return False
    poller = select.poll()  # not select.select: a process with 1,000 sockets has fds > 1024
    poller.register(raw.fileno(), select.POLLIN | select.POLLPRI)
    return not poller.poll(0)


# One statement on the event loop ---------------------------------------------------------


def _connect_params() -> dict[str, Any]:
    """Django's parameters for the default database (the test database in tests), for a
    connection of our own."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)  # Django's sync cursor classes
    return params


class _Connections:
    """The event loop's connections: at most MESSAGING_DB_THREADS at once, autocommit,
    kept for CONN_MAX_AGE seconds like Django's (0: closed after each statement; None:
    for ever), checked before use like Django's (CONN_HEALTH_CHECKS) unless they answered
    a moment ago, and a broken one is dropped."""

    def __init__(self) -> None:
        self.idle: list[tuple[psycopg.AsyncConnection, float | None]] = []
        self.slots = asyncio.Semaphore(getattr(settings, "MESSAGING_DB_THREADS", 16))

    async def fetch_one(self, sql: str, params: dict[str, Any], *, prepare: bool) -> tuple | None:
        async with self.slots:
            raw, close_at = await self._take(prepare)
            try:
                cursor = await raw.execute(sql, params, prepare=prepare)
                row = await cursor.fetchone()
            except BaseException:
                # A refusal of the statement (a repeated client_id) leaves an autocommit
                # connection usable; a broken one goes.
                await self._give(raw, close_at)
                raise
            connection_answered(raw)
            await self._give(raw, close_at)
            return row

    async def _take(self, prepare: bool) -> tuple[psycopg.AsyncConnection, float | None]:
        checks = connection.settings_dict.get("CONN_HEALTH_CHECKS", False)
        while self.idle:
            raw, close_at = self.idle.pop()
            if close_at is not None and time.monotonic() >= close_at:
                await raw.close()
                continue
            if not checks or connection_still_healthy(raw):
                return raw, close_at
            try:
                await raw.execute("SELECT 1")
            except psycopg.Error:
                await raw.close()
                continue
            connection_answered(raw)
            return raw, close_at
        raw = await psycopg.AsyncConnection.connect(**_connect_params(), autocommit=True)
        if prepare:
            # Every lookup in the store statement is by key (services._execute_prepared).
            await raw.execute("SET plan_cache_mode = force_generic_plan")
        max_age = connection.settings_dict.get("CONN_MAX_AGE", 0)
        return raw, None if max_age is None else time.monotonic() + max_age

    async def _give(self, raw: psycopg.AsyncConnection, close_at: float | None) -> None:
        if (
            raw.closed
            or raw.broken
            or raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
            or (close_at is not None and time.monotonic() >= close_at)
        ):
            await raw.close()
        else:
            self.idle.append((raw, close_at))


# Event loop → its connections (a loop's connections cannot serve another loop).
_connections: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def fetch_one(sql: str, params: dict[str, Any]) -> tuple | None:
    """Run `sql` on one of this event loop's connections and return its first row: as a
    server-side prepared statement with a generic plan unless MESSAGING_PREPARED_STATEMENTS
    is False (services._execute_prepared says why)."""
    loop = asyncio.get_running_loop()
    pool = _connections.get(loop)
    if pool is None:
        pool = _connections[loop] = _Connections()
    prepare = getattr(settings, "MESSAGING_PREPARED_STATEMENTS", True)
    return await pool.fetch_one(sql, params, prepare=prepare)
