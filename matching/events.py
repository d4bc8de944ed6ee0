"""Notices that matching sends to apps above it (stories asks for a close-out story when a
need closes or an introduction is a month old; docs/stories.md). `matching` never imports
those apps: they subscribe from their AppConfig.ready().

Unlike network.events, listeners run inside the transaction of the write that called them:
what they store commits or rolls back with the need's closing or the feedback question, so
a rerun of the housekeeping finds either both or neither. Their own side effects (mail) go
after commit, through on_commit_safe.
"""

from __future__ import annotations

from collections.abc import Callable

IdListener = Callable[[int], None]

_need_closed: list[IdListener] = []
_introduction_month_old: list[IdListener] = []


def need_closed_subscribe(listener: IdListener) -> None:
    if listener not in _need_closed:
        _need_closed.append(listener)


def need_closed(need_id: int) -> None:
    """A need was closed by its organisation (matching.services.needs.need_close)."""
    for listener in list(_need_closed):
        listener(need_id)


def introduction_month_old_subscribe(listener: IdListener) -> None:
    if listener not in _introduction_month_old:
        _introduction_month_old.append(listener)


def introduction_month_old(proposal_id: int) -> None:
    """A match's introduction is FEEDBACK_AFTER old and both sides are asked how it went
    (matching.services.proposals.proposals_ask_feedback)."""
    for listener in list(_introduction_month_old):
        listener(proposal_id)
