"""Notices that the network sends to apps above it (matching refreshes proposals when a
profile or organisation changes). `network` never imports those apps: they subscribe from
their AppConfig.ready(), and services publish after commit, by kind and id."""

from __future__ import annotations

import functools
from collections.abc import Callable

from config.after_commit import on_commit_safe

ProfileListener = Callable[[str, int], None]

_listeners: list[ProfileListener] = []


def profile_changed_subscribe(listener: ProfileListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def profile_changed(kind: str, pk: int) -> None:
    """A person or organisation that may be a candidate changed (kind: 'person' or
    'organisation'); listeners run after the transaction commits."""

    # One callback per listener: a listener that fails (its broker is down) is logged and
    # does not keep the others from hearing.
    for listener in list(_listeners):
        on_commit_safe(functools.partial(listener, kind, pk))


BulkListener = Callable[[], None]

_bulk_listeners: list[BulkListener] = []


def network_changed_in_bulk_subscribe(listener: BulkListener) -> None:
    if listener not in _bulk_listeners:
        _bulk_listeners.append(listener)


def network_changed_in_bulk() -> None:
    """Many records changed at once (an import): listeners rebuild rather than hear of each
    record. They run after the transaction commits."""

    for listener in list(_bulk_listeners):
        on_commit_safe(listener)
