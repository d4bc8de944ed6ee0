"""Side effects after a commit (docs/development.md, style §4): one way, for every app.

A committed write is done: a side effect that fails afterwards (Redis or the Celery broker
down, an SMTP error, a listener's bug) is logged and must never turn the request that made
the write into a 500. Every app schedules its side effects through `on_commit_safe`; a test
(tests/test_resilience.py) checks that app code has no plain `transaction.on_commit` left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, transaction

logger = logging.getLogger(__name__)


def on_commit_safe(fn: Callable[[], object], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Run `fn` after the current transaction commits (at once outside a transaction).

    Exceptions from `fn` are logged with their traceback and swallowed: Django's `robust`
    on_commit, so that the callbacks registered after a failing one still run."""
    transaction.on_commit(fn, using=using, robust=True)
