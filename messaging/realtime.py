"""Delivering frames to people's open sockets through the channel layer.

Every socket of a signed-in person joins the group `person.<id>`; services compute the
recipient list explicitly and call `broadcast_on_commit` (docs/messaging.md). The layer is
best effort: when Redis is down the frame is dropped and logged, the message is already
stored, and clients catch up with `sync`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from config.after_commit import on_commit_safe

logger = logging.getLogger(__name__)

# How long a broadcast may wait for the channel layer before giving up (Redis down).
BROADCAST_TIMEOUT = 2.0
EVENT_TYPE = "messaging.frame"


def person_group(person_id: int) -> str:
    return f"person.{person_id}"


async def _send_to_groups(layer, groups: list[str], event: dict[str, Any]) -> None:
    send_many = getattr(layer, "group_send_many", None)
    if send_many is not None:
        # messaging.layers.PubSubChannelLayer: one pipelined round trip to Redis.
        await send_many(groups, event)
        return
    await asyncio.gather(*(layer.group_send(group, event) for group in groups))


async def abroadcast(person_ids: Iterable[int], frame: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # Serialised once here, not once per receiving socket.
    event = {"type": EVENT_TYPE, "text": json.dumps(frame, ensure_ascii=False)}
    targets = sorted(set(person_ids))
    try:
        # asyncio.timeout rather than wait_for: no extra task for every message.
        async with asyncio.timeout(BROADCAST_TIMEOUT):
            await _send_to_groups(layer, [person_group(pid) for pid in targets], event)
    except Exception as error:  # the layer is best effort; the database is the truth
        logger.warning(
            "messaging: broadcast of %s to %d people failed: %r",
            frame.get("type"),
            len(targets),
            error,
        )


def broadcast(person_ids: Iterable[int], frame: dict[str, Any]) -> None:
    targets = list(person_ids)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(abroadcast)(targets, frame)
        return
    # Sync code running in a thread that also runs an event loop (a script or tool that
    # drives its own loop): async_to_sync refuses, so deliver from a short-lived thread.
    worker = threading.Thread(target=lambda: asyncio.run(abroadcast(targets, frame)))
    worker.start()
    worker.join()


def broadcast_on_commit(person_ids: Iterable[int], frame: dict[str, Any]) -> None:
    targets = list(person_ids)
    on_commit_safe(lambda: broadcast(targets, frame))
