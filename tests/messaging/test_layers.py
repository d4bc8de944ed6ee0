"""messaging.layers.PubSubChannelLayer: one message to many groups in one round trip."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import InMemoryChannelLayer
from django.conf import settings

from messaging import realtime
from messaging.layers import PubSubChannelLayer


@pytest.fixture
async def layer(require_redis):
    layer = PubSubChannelLayer(hosts=[settings.REDIS_URL], prefix="test-layers")
    yield layer
    await layer.flush()


async def receive_or_none(layer, channel, timeout=0.5):
    try:
        return await asyncio.wait_for(layer.receive(channel), timeout)
    except TimeoutError:
        return None


async def test_group_send_many_reaches_each_group_once_and_no_other(layer):
    channels = {name: await layer.new_channel() for name in ("anna", "bram", "cem")}
    for name, channel in channels.items():
        await layer.group_add(f"person.{name}", channel)
    second_tab = await layer.new_channel()
    await layer.group_add("person.anna", second_tab)

    await layer.group_send_many(
        ["person.anna", "person.bram"], {"type": "messaging.frame", "text": "hallo"}
    )

    for channel in (channels["anna"], second_tab, channels["bram"]):
        assert (await layer.receive(channel))["text"] == "hallo"
        assert await receive_or_none(layer, channel, 0.2) is None  # exactly once
    assert await receive_or_none(layer, channels["cem"]) is None


async def test_broadcast_uses_one_call_for_every_recipient(layer, monkeypatch):
    calls = []
    original = layer.group_send_many

    async def counting(groups, message):
        calls.append(list(groups))
        await original(groups, message)

    monkeypatch.setattr(layer, "group_send_many", counting)
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: layer)
    channel = await layer.new_channel()
    await layer.group_add(realtime.person_group(7), channel)

    await realtime.abroadcast([9, 7, 8, 7], {"type": "typing", "person": "p-1"})

    assert calls == [["person.7", "person.8", "person.9"]]
    assert '"typing"' in (await layer.receive(channel))["text"]


async def test_broadcast_falls_back_to_group_send_on_other_layers(monkeypatch):
    layer = InMemoryChannelLayer()
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: layer)
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add(realtime.person_group(1), first)
    await layer.group_add(realtime.person_group(2), second)
    await realtime.abroadcast([1, 2], {"type": "presence", "person": "p-1", "online": True})
    for channel in (first, second):
        assert '"presence"' in (await layer.receive(channel))["text"]
