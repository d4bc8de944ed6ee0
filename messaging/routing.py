"""WebSocket routes. The realtime consumer at /ws/ arrives with the messaging issue."""

from __future__ import annotations

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
