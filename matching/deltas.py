"""The shared, ordered log of candidate changes that keeps every process's index current.

A process that commits a change to a person or organisation appends `(kind, pk)` to the
log after the commit (matching.apps, through network.events and config.after_commit); every
process that holds an index reads the entries it has not seen yet and upserts or removes
those candidates (matching.index). Nobody rebuilds a whole index because of one change.

With Redis (`REDIS_URL`) the log is a sorted set scored by a sequence number, appended and
trimmed to `LOG_LENGTH` entries by one Lua script, so that the sequence number and the entry
appear together. Without Redis (one process: `make run` without services, the embedded
default) it is a list in this process. See docs/matching-engine.md, Changes as deltas.

Entries are `"<seq> <kind> <pk>"`, or `"<seq> rebuild <reason>"`: many candidates changed at
once (an import) or the vocabulary and idf are due for a refresh (the nightly task), and every
process rebuilds in the background.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings

logger = logging.getLogger(__name__)

SEQ_KEY = "bruggen:matching:index:seq"
LOG_KEY = "bruggen:matching:index:log"
# About 17 hours of changes at 100 a minute; a process that missed more (the oldest of the
# entries it has not seen were trimmed) rebuilds instead of catching up.
LOG_LENGTH = 100_000
CONNECT_TIMEOUT = 0.5
SOCKET_TIMEOUT = 1.0
# After Redis failed to answer, the log is not asked again for this many seconds: a request
# must not wait for a connect timeout each time (it ranks on the index it has meanwhile).
RETRY_AFTER = 5.0
WARNING_INTERVAL = 60.0
REBUILD = "rebuild"

_APPEND = """
local seq = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], seq, seq .. ' ' .. ARGV[1])
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2])
if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1) end
return seq
"""


class LogUnreachable(Exception):
    """The log could not be read or written (Redis down or too slow)."""


@dataclass
class Read:
    """What a process has to apply: `entries` in order, as (kind, value) pairs where kind is
    'person', 'organisation' or REBUILD; `seq`, the log's sequence number they bring the
    reader to; `missed`, True when entries the reader had not seen are gone (trimmed, or
    the log was lost: Redis restarted empty), so that only a rebuild is complete."""

    seq: int
    entries: list[tuple[str, str]] = field(default_factory=list)
    missed: bool = False


def _parse(member: bytes | str) -> tuple[int, str, str]:
    text = member.decode() if isinstance(member, bytes) else member
    seq, kind, value = text.split(" ", 2)
    return int(seq), kind, value


class _Log:
    """The shared part of both logs: reading `after` a sequence number, at most `limit`."""

    def _read_raw(self, after: int, limit: int) -> tuple[int, list[tuple[int, str, str]]]:
        raise NotImplementedError

    def append(self, kind: str, value: object) -> int:
        raise NotImplementedError

    def read(self, after: int | None, *, limit: int) -> Read:
        """Entries after sequence number `after` (None: a reader with nothing yet, which
        just learns the current number). More than `limit` pending counts as missed."""
        current, rows = self._read_raw(after or 0, limit + 1)
        if after is None:
            return Read(seq=current)
        if current < after:  # the log started again from 0: it was lost
            return Read(seq=current, missed=True)
        if current == after:
            return Read(seq=current)
        missed = not rows or rows[0][0] != after + 1 or len(rows) > limit
        if len(rows) > limit:
            return Read(seq=current, missed=True)
        seq = rows[-1][0] if rows else current
        return Read(seq=seq, entries=[(kind, value) for _s, kind, value in rows], missed=missed)


class MemoryLog(_Log):
    """One process: a list, trimmed like the Redis log."""

    def __init__(self, length: int = LOG_LENGTH):
        self.length = length
        self.seq = 0
        self.rows: list[tuple[int, str, str]] = []
        self._lock = threading.Lock()

    def append(self, kind: str, value: object) -> int:
        with self._lock:
            self.seq += 1
            self.rows.append((self.seq, kind, str(value)))
            del self.rows[: max(0, len(self.rows) - self.length)]
            return self.seq

    def _read_raw(self, after: int, limit: int):
        with self._lock:
            first = self.rows[0][0] if self.rows else self.seq + 1
            start = max(0, after + 1 - first)
            return self.seq, self.rows[start : start + limit]


class RedisLog(_Log):
    def __init__(self, url: str, length: int = LOG_LENGTH):
        import redis

        self.length = length
        self.client = redis.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT
        )
        self._append = self.client.register_script(_APPEND)

    def append(self, kind: str, value: object) -> int:
        return int(self._append(keys=[SEQ_KEY, LOG_KEY], args=[f"{kind} {value}", self.length]))

    def _read_raw(self, after: int, limit: int):
        # One round trip, one snapshot: the number and the entries up to it.
        pipe = self.client.pipeline(transaction=True)
        pipe.get(SEQ_KEY)
        pipe.zrangebyscore(LOG_KEY, f"({after}", "+inf", start=0, num=limit)
        current, members = pipe.execute()
        return int(current or 0), [_parse(m) for m in members]


_log: _Log | None = None
_log_url: str | None = None
_down_until = 0.0
_last_warning = 0.0
_lost = False  # an append failed: tell every process to rebuild once the log is back
_state_lock = threading.Lock()


def log() -> _Log:
    """The log for this process's settings (Redis when REDIS_URL is set)."""
    global _log, _log_url
    url = settings.REDIS_URL or ""
    if _log is None or _log_url != url:
        _log = RedisLog(url) if url else MemoryLog()
        _log_url = url
    return _log


def reset() -> None:
    """Forget the log object and the outage state (tests; a changed REDIS_URL)."""
    global _log, _log_url, _down_until, _lost
    _log, _log_url, _down_until, _lost = None, None, 0.0, False


def _failed(operation: str, error: BaseException) -> LogUnreachable:
    global _down_until, _last_warning
    now = time.monotonic()
    _down_until = now + RETRY_AFTER
    if now - _last_warning >= WARNING_INTERVAL:
        _last_warning = now
        logger.warning(
            "matching: the change log (Redis) is unreachable, %s skipped; indexes are not "
            "kept current until it is back, then they rebuild: %r",
            operation,
            error,
        )
    return LogUnreachable(str(error))


def _unreachable() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def _mark_lost_changes() -> None:
    """An append failed earlier: now that the log answers, ask everyone to rebuild."""
    global _lost
    if _lost:
        log().append(REBUILD, "lost-changes")
        _lost = False


def append(kind: str, value: object) -> int | None:
    """Append an entry; None when the log is unreachable (logged; the change reaches the
    other processes through the rebuild this process asks for once the log is back, or the
    nightly one)."""
    global _lost
    if time.monotonic() < _down_until:
        with _state_lock:
            _lost = True
        return None
    try:
        with _state_lock:
            _mark_lost_changes()
        return log().append(kind, value)
    except _unreachable() as error:
        with _state_lock:
            _lost = True
        _failed("append", error)
        return None


def read(after: int | None, *, limit: int) -> Read:
    """What `after` has not seen; raises LogUnreachable (fail open: the caller serves the
    index it has)."""
    if time.monotonic() < _down_until:
        raise LogUnreachable("recently unreachable")
    try:
        with _state_lock:
            _mark_lost_changes()
        return log().read(after, limit=limit)
    except _unreachable() as error:
        raise _failed("read", error) from error
