"""The cache backend: Redis that fails open (docs/operations.md, When a service is down).

The cache holds only what can be lost: allauth's and messaging's rate-limit counters and
short-lived hints ("reading this conversation"). When Redis is unreachable every operation
behaves as a miss, so signing in and writing keep working without rate limits rather than
answering 500 for everyone. One warning line a minute per process says so; short socket
timeouts keep a black-holed Redis from holding requests up.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Seconds; a cache that answers slower than this is treated as down for that operation.
CONNECT_TIMEOUT = 0.5
SOCKET_TIMEOUT = 1.0
WARNING_INTERVAL = 60.0

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

_last_warning = 0.0


def _warn(operation: str, error: BaseException) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARNING_INTERVAL:
        _last_warning = now
        logger.warning(
            "cache: Redis unreachable, %s treated as a miss (rate limits are off): %r",
            operation,
            error,
        )


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, with one `redis.Redis` per connection pool instead of a new one for
    every operation: building one (about 0.14 ms here) cost more than the round trip it
    makes (about 0.09 ms), and a search page makes up to twenty. A `redis.Redis` over a
    pool is safe to share (each command borrows a connection from the pool), and Django
    keeps one cache object, and so one of these, per thread."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache whose operations act as a miss while Redis is unreachable."""

    def __init__(self, server, params) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            _warn("add", error)
            return True

    def get(self, key, default=None, version=None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            _warn("get", error)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            _warn("set", error)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as error:
            _warn("touch", error)
            return False

    def delete(self, key, version=None) -> bool:
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            _warn("delete", error)
            return False

    def get_many(self, keys, version=None) -> dict:
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as error:
            _warn("get_many", error)
            return {}

    def has_key(self, key, version=None) -> bool:
        try:
            return super().has_key(key, version)
        except UNREACHABLE as error:
            _warn("has_key", error)
            return False

    def incr(self, key, delta=1, version=None) -> int:
        # As if the counter had just started: a rate limit counts this as the first hit.
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            _warn("incr", error)
            return delta

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            _warn("set_many", error)
            return list(data)

    def delete_many(self, keys, version=None) -> None:
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as error:
            _warn("delete_many", error)

    def clear(self) -> bool:
        try:
            return super().clear()
        except UNREACHABLE as error:
            _warn("clear", error)
            return False


def redis_caches(url: str) -> dict[str, dict[str, Any]]:
    """The CACHES setting for Redis at `url` (config/settings/base.py; the outage tests)."""
    return {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "bruggen",
        }
    }
