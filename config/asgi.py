"""ASGI entry point: Uvicorn serves WebSockets at /ws/ from here (and, on the embedded
default that `make run` starts, pages and the API too)."""

from __future__ import annotations

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from messaging.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# `make run` serves pages from this process, and pages rank: it sets MATCHING_INDEX_WARM=1
# so the matching index is built before the first request. Compose's `ws` serves only /ws/,
# never ranks, and so never builds it (docs/matching-engine.md, Where the index is built).
if os.environ.get("MATCHING_INDEX_WARM") == "1":
    from matching.index import index_warm

    index_warm()

# Everything loaded so far (Django, the URL conf, the apps) lives as long as the process:
# keep it out of the garbage collector's full collections, which otherwise walk every one
# of those objects and stall every socket of this process while they do (docs/messaging.md,
# Speed: full collections of 110-185 ms before, see the benchmark).
gc.freeze()
