"""WSGI entry point: Gunicorn serves pages and the API from here in production."""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_wsgi_application()

# The URL conf (and with it every view module) imported now rather than by the first request,
# then everything loaded so far, about 170,000 objects of Django and the apps that live as long
# as the process, moved out of the garbage collector's full collections: each of those walked
# them all and stalled the worker for 75-118 ms, the slowest requests of a search under load
# (docs/scaling.md, "Full collections"). Under Gunicorn's `preload_app` this runs in the
# master, before the fork. config/asgi.py does the same for the WebSocket processes.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
gc.freeze()
