"""The channel layer for production and CI: channels-redis's pub/sub layer, plus one verb.

`group_send_many(groups, message)` sends one message to many groups, serialised once and
published in one pipelined round trip per Redis shard. A chat message goes to each
participant's personal group (docs/development.md: "group_send to each participant's personal
group"); channels-redis's own `group_send` publishes one group at a time, each PUBLISH
waiting for its reply under the shard's lock, which it shares with subscribing. At 1,000
sockets and 200 messages a second (five publishes each) that lock became the queue every
broadcast waited in (docs/messaging.md, Speed). Publishing needs no lock: the publish
connection comes from the client's pool, and the subscriber connection is not touched.

The layer's behaviour is otherwise channels-redis's own; `group_send_many` relies on the
pinned version's internals (`_get_layer`, `_get_shard`, `_get_group_channel_name`,
`_ensure_redis`), which tests/messaging/test_layers.py exercises against real Redis.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer


class PubSubChannelLayer(RedisPubSubChannelLayer):
    async def group_send_many(self, groups: Iterable[str], message: dict[str, Any]) -> None:
        layer = self._get_layer()
        data = self.serialize(message)
        by_shard: dict[Any, list[str]] = {}
        for group in groups:
            channel = layer._get_group_channel_name(group)
            by_shard.setdefault(layer._get_shard(channel), []).append(channel)
        await asyncio.gather(
            *(_publish_many(shard, channels, data) for shard, channels in by_shard.items())
        )


async def _publish_many(shard, channels: list[str], data: bytes) -> None:
    shard._ensure_redis()
    pipeline = shard._redis.pipeline(transaction=False)
    for channel in channels:
        pipeline.publish(channel, data)
    try:
        await pipeline.execute()
    finally:
        await pipeline.reset()
