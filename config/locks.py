"""Periodic tasks that must not overlap take a lock in Redis (docs/operations.md, Celery).

Beat starts the unread-mail task every minute; a run that takes longer, or a second beat
started by mistake, would otherwise mail people twice or race over the same rows. A run
that finds the lock taken, or cannot reach Redis, skips with a log line: the next run
picks up the work. The lock expires after the task's hard time limit, so a killed worker
never holds it for ever.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from django.conf import settings
from redis.exceptions import LockError, RedisError

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

CONNECT_TIMEOUT = 1.0
SOCKET_TIMEOUT = 2.0


def lock_key(name: str) -> str:
    return f"bruggen:lock:{name}"


def _client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=SOCKET_TIMEOUT,
    )


def run_alone(name: str, *, timeout: int) -> Callable[[F], F]:
    """Run the decorated function only while holding the lock `name` (for at most `timeout`
    seconds); otherwise log and return None. Without Redis (the embedded default, where
    tasks run in-process) there is nothing to overlap with and it just runs."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not settings.REDIS_URL:
                return function(*args, **kwargs)
            lock = _client().lock(lock_key(name), timeout=timeout, blocking=False)
            try:
                acquired = lock.acquire()
            except RedisError as error:
                logger.warning("%s: skipped, Redis is unreachable for its lock: %r", name, error)
                return None
            if not acquired:
                logger.info("%s: skipped, another run is still busy", name)
                return None
            try:
                return function(*args, **kwargs)
            finally:
                try:
                    lock.release()
                except (LockError, RedisError) as error:
                    # Expired (the run outlived `timeout`) or Redis went away: it expires.
                    logger.warning("%s: could not release its lock: %r", name, error)

        return wrapper  # type: ignore[return-value]

    return decorate
