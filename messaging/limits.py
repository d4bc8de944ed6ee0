"""How much one socket and one person may ask of the realtime socket (docs/messaging.md,
Limits).

Three limits, all settings:

- per socket, in the consumer's memory: a token bucket per frame type and one for every
  frame, whatever its type (`MESSAGING_SOCKET_FRAME_LIMITS`); a socket that keeps going
  over them is closed (`MESSAGING_SOCKET_REFUSALS`);
- per person, across sockets and processes: a fixed window per frame type in the cache
  (Redis in production; `MESSAGING_PERSON_FRAME_LIMITS`). `message.send` is counted by
  the send path itself (`MESSAGING_RATE_LIMIT`, messaging.services);
- open sockets per person (`MESSAGING_MAX_SOCKETS_PER_PERSON`): a sorted set per person
  whose members expire unless their socket is still there to renew them, so a process
  that died does not hold its sockets' places for ever.

The cache is the only thing shared between processes, and the limits must never be why a
socket breaks: when it cannot be reached they fail open and say so in the log.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# The per-socket bucket that every frame takes from, before it is even parsed.
ANY_FRAME = "*"

# How often at most the cache-is-down warning is logged by one process.
_WARNING_EVERY = 60.0
_last_warning = 0.0
_warning_lock = threading.Lock()


def _fail_open(what: str, error: BaseException) -> None:
    """Log (at most once a minute per process) that a limit was skipped."""
    global _last_warning
    with _warning_lock:
        now = time.monotonic()
        if now - _last_warning < _WARNING_EVERY:
            return
        _last_warning = now
    logger.warning(
        "messaging: %s skipped, the cache cannot be reached (failing open): %r", what, error
    )


class TokenBucket:
    """`count` frames at once, refilled at `count` per `seconds`."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, count: int, seconds: float) -> None:
        self.capacity = float(count)
        self.rate = count / seconds
        self.tokens = float(count)
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 when a frame may pass (and it is counted), else the seconds until one may."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class SocketLimits:
    """One socket's buckets, in the consumer's memory (no I/O: it is on every frame)."""

    def __init__(self) -> None:
        self.buckets = {
            kind: TokenBucket(count, seconds)
            for kind, (count, seconds) in settings.MESSAGING_SOCKET_FRAME_LIMITS.items()
        }
        self.refusals = TokenBucket(*settings.MESSAGING_SOCKET_REFUSALS)

    def wait(self, kind: str) -> float:
        """Count a frame of `kind`; the seconds to wait when it is over the limit, else 0."""
        bucket = self.buckets.get(kind)
        return bucket.take() if bucket is not None else 0.0

    def refused(self) -> bool:
        """Count a refusal; True when this socket was refused too often and must close."""
        return self.refusals.take() > 0


# Per person, in the cache ----------------------------------------------------------------


def _count_in_window(pipeline: Any, full_key: str, seconds: int, amount: int) -> None:
    """The commands of a fixed-window counter, on a pipeline (sync or asyncio): add
    `amount`, then let the key expire a second after its window, unless it already will."""
    pipeline.incrby(full_key, amount)
    pipeline.expire(full_key, seconds + 1, nx=True)


def window_count(key: str, seconds: int, amount: int = 1) -> int:
    """Add `amount` to a fixed-window counter in the default cache (shared by all processes
    on Redis) and return its new value: one pipelined round trip on Redis (INCRBY, then
    EXPIRE NX). The one counter of every per-person limit: socket frames here, message
    sends and conversation starts in messaging.services (`awindow_count` is the same
    counter from an event loop). Raises when the cache is down; callers fail open."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # The cache's own client and key scheme: Django stores integers as plain Redis
        # integers, so INCRBY works on what cache.get reads.
        full_key = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)
        _count_in_window(pipeline, full_key, seconds, amount)
        return pipeline.execute()[0]
    return _local_window_count(backend, key, seconds, amount)


def _local_window_count(backend: Any, key: str, seconds: int, amount: int) -> int:
    """window_count on a cache without Redis (one process: tests, the embedded default)."""
    if amount > 0 and backend.add(key, amount, timeout=seconds + 1):
        return amount
    try:
        return backend.incr(key, amount)
    except ValueError:  # expired in between: this one starts a new window
        if amount > 0:
            backend.add(key, amount, timeout=seconds + 1)
            return amount
        return 0


# Event loop → (the cache's Redis server, options) → an asyncio client of that server.
_async_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _async_client(backend: RedisCache) -> Any:
    """An asyncio Redis client of the cache's server (the one it writes to), one per event
    loop and process, with the cache's timeouts (config.cache.FailOpenRedisCache)."""
    import redis.asyncio

    options = {
        name: value
        for name, value in backend._options.items()
        if name in ("socket_connect_timeout", "socket_timeout")
    }
    server = backend._servers[0]
    clients = _async_clients.setdefault(asyncio.get_running_loop(), {})
    which = (server, tuple(sorted(options.items())))
    client = clients.get(which)
    if client is None:
        client = clients[which] = redis.asyncio.Redis.from_url(server, **options)
    return client


async def awindow_count(key: str, seconds: int, amount: int = 1) -> int:
    """`window_count` from an event loop: the same counter and key, one pipelined round
    trip on the loop's own connection, so no thread waits for Redis (the socket's send
    path, messaging.services.amessage_send). Raises when the cache is down."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        pipeline = _async_client(backend).pipeline(transaction=False)
        _count_in_window(pipeline, full_key, seconds, amount)
        return (await pipeline.execute())[0]
    return _local_window_count(backend, key, seconds, amount)  # memory: no I/O


def person_wait(*, person_id: int, kind: str, limit: tuple[int, int] | None = None) -> float:
    """Count one `kind` from this person (all their sockets, all processes); the seconds
    until the window ends when that goes over the limit, else 0. `limit` (count, seconds)
    defaults to the frame limits of MESSAGING_PERSON_FRAME_LIMITS."""
    if limit is None:
        limit = settings.MESSAGING_PERSON_FRAME_LIMITS.get(kind)
    if limit is None:
        return 0.0
    count, seconds = limit
    now = time.time()
    window = int(now // seconds)
    try:
        used = window_count(f"messaging:frames:{person_id}:{kind}:{window}", seconds)
    except Exception as error:  # Redis down: never the reason a socket breaks
        _fail_open(f"the per-person limit on {kind}", error)
        return 0.0
    if used <= count:
        return 0.0
    return max((window + 1) * seconds - now, 0.001)


# Open sockets per person -----------------------------------------------------------------

_local_sockets: dict[int, dict[str, float]] = {}
_local_lock = threading.Lock()


def _sockets_key(person_id: int) -> str:
    return f"messaging:sockets:{person_id}"


def _redis(key: str) -> tuple[Any, str] | None:
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    full_key = backend.make_and_validate_key(key)
    return backend._cache.get_client(full_key, write=True), full_key


def socket_open(*, person_id: int, channel_name: str) -> bool:
    """Count this socket for its person; False (and not counted) when they already have
    `MESSAGING_MAX_SOCKETS_PER_PERSON` open."""
    cap = settings.MESSAGING_MAX_SOCKETS_PER_PERSON
    ttl = settings.MESSAGING_SOCKET_TTL
    now = time.time()
    try:
        redis = _redis(_sockets_key(person_id))
        if redis is None:
            # Without Redis (the embedded default) one process serves every socket.
            with _local_lock:
                sockets = _local_sockets.setdefault(person_id, {})
                for name, expires in list(sockets.items()):
                    if expires <= now:
                        del sockets[name]
                if len(sockets) >= cap:
                    return False
                sockets[channel_name] = now + ttl
                return True
        client, key = redis
        pipeline = client.pipeline(transaction=True)
        pipeline.zremrangebyscore(key, "-inf", now)
        pipeline.zadd(key, {channel_name: now + ttl})
        pipeline.zcard(key)
        pipeline.expire(key, ttl)
        open_sockets = pipeline.execute()[2]
        if open_sockets > cap:
            client.zrem(key, channel_name)
            return False
        return True
    except Exception as error:
        _fail_open("the open-socket count", error)
        return True


def socket_renew(*, person_id: int, channel_name: str) -> None:
    """This socket is still open: keep its place for another MESSAGING_SOCKET_TTL."""
    ttl = settings.MESSAGING_SOCKET_TTL
    now = time.time()
    try:
        redis = _redis(_sockets_key(person_id))
        if redis is None:
            with _local_lock:
                sockets = _local_sockets.get(person_id)
                if sockets is not None and channel_name in sockets:
                    sockets[channel_name] = now + ttl
            return
        client, key = redis
        pipeline = client.pipeline(transaction=False)
        pipeline.zadd(key, {channel_name: now + ttl}, xx=True)
        pipeline.expire(key, ttl)
        pipeline.execute()
    except Exception as error:
        _fail_open("renewing the open-socket count", error)


def socket_close(*, person_id: int, channel_name: str) -> None:
    """This socket closed: give its place back."""
    try:
        redis = _redis(_sockets_key(person_id))
        if redis is None:
            with _local_lock:
                sockets = _local_sockets.get(person_id, {})
                sockets.pop(channel_name, None)
                if not sockets:
                    _local_sockets.pop(person_id, None)
            return
        client, key = redis
        client.zrem(key, channel_name)
    except Exception as error:
        _fail_open("the open-socket count", error)


def sockets_open(*, person_id: int) -> int:
    """How many sockets the person has open now (for tests and the operations guide)."""
    now = time.time()
    redis = _redis(_sockets_key(person_id))
    if redis is None:
        with _local_lock:
            return sum(1 for e in _local_sockets.get(person_id, {}).values() if e > now)
    client, key = redis
    return client.zcount(key, now, "+inf")
