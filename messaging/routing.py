"""WebSocket routes: one socket per browser tab at /ws/ (docs/contracts.md §6)."""

from __future__ import annotations

from django.urls import URLPattern, path

from messaging.consumers import MessagingConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/", MessagingConsumer.as_asgi()),
]
