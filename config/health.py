"""Health: liveness and readiness (docs/operations.md, Health checks; docs/api.md).

Liveness touches nothing: it only says that the process answers, so that a restart check
never restarts a web process because Redis or PostgreSQL is away. Readiness checks the
database, the channel layer and the cache; a check costs tens of milliseconds (the channel
layer's round trip through `async_to_sync` alone ~35 ms in a sync worker), so its result is
kept `READINESS_SECONDS` per process, and a lock makes requests that arrive during a check
wait for that one instead of each running their own.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from ninja import Schema

logger = logging.getLogger(__name__)

# How long a readiness result is kept per process: short enough for a load balancer that
# asks every few seconds to see an outage at its next check or the one after.
READINESS_SECONDS = 5.0


class ComponentState(Schema):
    status: str
    backend: str
    error: str | None = None


class HealthOut(Schema):
    status: str
    database: ComponentState
    channel_layer: ComponentState
    cache: ComponentState


def _database_state() -> ComponentState:
    backend = connection.vendor
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.warning("health: database unavailable: %s", error)
        return ComponentState(status="error", backend=backend, error=type(error).__name__)
    return ComponentState(status="ok", backend=backend)


async def _channel_layer_round_trip() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel(prefix="health")
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "health.ping", "token": token})
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned another message")


def _channel_layer_state() -> ComponentState:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    try:
        async_to_sync(_channel_layer_round_trip)()
    except Exception as error:
        logger.warning("health: channel layer unavailable: %s", error)
        return ComponentState(status="error", backend=backend, error=type(error).__name__)
    return ComponentState(status="ok", backend=backend)


def _cache_state() -> ComponentState:
    backend = caches["default"]
    name = type(backend).__name__
    key = f"health:ping:{uuid.uuid4().hex}"  # one per check: workers check at once
    try:
        # The cache fails open (config/cache.py): a lost write is how an outage shows.
        backend.set(key, 1, timeout=10)
        if backend.get(key) != 1:
            raise ConnectionError("the cache did not keep a value")
        backend.delete(key)
    except Exception as error:
        logger.warning("health: cache unavailable: %s", error)
        return ComponentState(status="error", backend=name, error=type(error).__name__)
    return ComponentState(status="ok", backend=name)


def _check() -> HealthOut:
    database = _database_state()
    channel_layer = _channel_layer_state()
    cache = _cache_state()
    healthy = all(part.status == "ok" for part in (database, channel_layer, cache))
    return HealthOut(
        status="ok" if healthy else "degraded",
        database=database,
        channel_layer=channel_layer,
        cache=cache,
    )


_clock = time.monotonic  # a name of its own, so that tests can move time on
_lock = threading.Lock()
_kept: tuple[float, HealthOut] | None = None  # (when it was checked, the result)


def _fresh() -> HealthOut | None:
    kept = _kept
    if kept is not None and _clock() - kept[0] < READINESS_SECONDS:
        return kept[1]
    return None


def readiness() -> HealthOut:
    """The state of the database, the channel layer and the cache, at most
    `READINESS_SECONDS` old."""
    global _kept
    result = _fresh()
    if result is not None:
        return result
    with _lock:
        result = _fresh()  # another thread may have checked while this one waited
        if result is None:
            result = _check()
            _kept = (_clock(), result)
    return result


def forget_readiness() -> None:
    """The next readiness call checks again (tests start from a clean state)."""
    global _kept
    with _lock:
        _kept = None
